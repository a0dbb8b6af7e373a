"""The layer grid's panels, kept from one shape to the next and made a few at a time.

Making a panel (a pyqtgraph plot with its view and axes, placed in the grid) cost 6-11 ms of
the UI thread (about half that since its plot has no menus, gui/views/bare_plot.py). The grid
made every panel anew whenever its rows, depth or scale changed: at depth 12, ticking the
weight-gradient row made 36 of them, and the window did not answer for 0.4-0.5 s; leaving the
presentation view, 0.3-0.4 s (issue 17). Here a panel outlives its shape:
a new shape keeps the panels of the (row, layer) pairs it still shows, gives the others to new
pairs (blank, as a new panel is), and makes only the ones still missing. While an event loop
runs they are made a few per turn (BUILD_SLICE_MS each), the old shape staying on screen, and
the new shape is placed in one go once the last is made (`ready`).

A panel held about 0.5 MiB (0.2 without pyqtgraph's menus, bare_plot.py), and a pool that
kept every panel it had ever made stayed at the largest shape seen: after a row ticked at depth
12 and off again, 12-24 hidden panels (issue 17's soak). A new shape keeps one layer's column of
spares (what a step of the depth box asks for) and frees the rest, the heap's pages given back.
"""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import QObject, QThread, Signal

from core.stats import ROW_TITLES
from gui import heap
from gui.idle import Later
from gui.theme import QUANTITY_COLORS
from gui.views.grid_items import _Panel
from gui.views.panel_type import PanelType

BUILD_SLICE_MS = 25.0  # panels are made for this long a turn (one more may end past it)
LABEL_WIDTH = 22

Shape = tuple[tuple[int, ...], tuple[str, ...], PanelType]  # layer indices, rows, type


def event_loop_running() -> bool:
    """Whether this thread runs an event loop, which will come back to a build left for later;
    without one (a script, a benchmark calling present and grab), panels are made at once."""
    return QThread.currentThread().loopLevel() > 0


class PanelPool(QObject):
    ready = Signal()  # a shape left for later is in place

    def __init__(self, layout: pg.GraphicsLayout):
        super().__init__(layout)
        self._layout = layout
        self.panels: dict[tuple[str, int], _Panel] = {}  # the placed shape's, by (row, layer)
        self._spare: list[_Panel] = []  # made, not placed (hidden: they take no room)
        self._labels: list[pg.LabelItem] = []  # the rows' titles, column 0
        self.shape: Shape | None = None  # placed
        self.target: Shape | None = None  # asked for
        self._timer = Later(self._build_slice, self)  # a turn of its own each (gui/idle.py)
        self._keep = 0  # spares kept by trim(): one layer's column of the placed shape

    @property
    def building(self) -> bool:
        """A shape was asked for and is not placed yet (its panels are being made)."""
        return self.target != self.shape

    def want(self, shape: Shape, defer: bool | None = None) -> bool:
        """Place `shape`: now (True), or, when panels must be made and an event loop runs (or
        `defer`), once they are (False; `ready` follows). Asked outside a running loop, what
        is still to make is made at once, even if a build was left for later."""
        if shape == self.shape and not self.building:
            return True
        if defer is None:
            defer = event_loop_running()
        self.target = shape
        if self._missing() and defer:
            if not self._timer.isActive():
                self._timer.start()
            return False
        self._timer.stop()
        for _ in range(self._missing()):
            self._spare.append(_Panel(self._layout))
        self._place()
        return True

    def _missing(self) -> int:
        indices, rows, _ = self.target
        return max(0, len(indices) * len(rows) - len(self.panels) - len(self._spare))

    def _build_slice(self) -> None:
        """Panels for BUILD_SLICE_MS; once none is missing, placing them is a turn of its own
        (it lays out and fills every panel, and the paint of all follows it)."""
        t0 = time.perf_counter()
        made = 0
        while self._missing() and (time.perf_counter() - t0) * 1e3 < BUILD_SLICE_MS:
            self._spare.append(_Panel(self._layout))
            made += 1
        if made:
            self._timer.start()
            return
        self._place()
        self.ready.emit()

    def _place(self) -> None:
        """Every wanted (row, layer) in its cell, then the rows' titles; the layout once."""
        indices, rows, kind = self.target
        cells = {(row, i): (r, c) for r, row in enumerate(rows) for c, i in enumerate(indices, 1)}
        new, free = self._assign(cells)
        grid = self._layout.layout
        for p in free:
            if p.place is not None:
                grid.removeItem(p.plot)
            p.plot.hide()
            p.place = p.key = None
        moving = [(key, p) for key, p in new.items() if p.place != cells[key]]
        for _, p in moving:  # all out before any goes in: a cell takes one item
            if p.place is not None:
                grid.removeItem(p.plot)
        for key, p in moving:
            grid.addItem(p.plot, *cells[key])
            p.place = cells[key]
        for key, p in new.items():
            p.key = key
            p.show(key[0], p.place[1] == 1, kind)
        self._label_rows(rows, kind)
        self._spare, self.panels, self.shape = free, new, self.target
        self._keep = len(rows)
        grid.activate()  # geometry now, as pyqtgraph's addItem gives it (callers map points)

    def trim(self) -> None:
        """Spares past one layer's column freed. Not in `_place`: an item taken out of a scene
        has its view paint the window in the next pass whatever its update mode, and the grid
        fills a placed shape over turns with its paint held (gui/views/row_fill.py)."""
        self._free_spares(keep=self._keep)

    @property
    def made(self) -> int:
        """Panels alive: placed and spare."""
        return len(self.panels) + len(self._spare)

    def release(self) -> None:
        """Every panel freed, for a view not shown for now (the detail grid while the net is
        shallow); the next shape asked for makes its panels anew."""
        self._timer.stop()
        for p in self.panels.values():
            if p.place is not None:
                self._layout.layout.removeItem(p.plot)
                p.place = p.key = None
        self._spare += self.panels.values()
        self.panels, self.shape, self.target = {}, None, None
        self._free_spares(keep=0)

    def _free_spares(self, keep: int) -> None:
        """Spares past `keep` out of the scene, which frees them (nothing else holds them)."""
        self._spare, gone = self._spare[:keep], self._spare[keep:]
        for p in gone:
            scene = p.plot.scene()
            if scene is not None:
                scene.removeItem(p.plot)
            # deleted by the event loop, a panel an idle turn, never by Python's garbage
            # collector in the middle of one (a full test run crashed once while collecting)
            heap.delete_later(p.plot)

    def _assign(self, cells: dict) -> tuple[dict, list]:
        """A panel for every cell: the one that showed that (row, layer) if any, else a free one,
        reset (the one in that very cell if it is free, so that fewer move; spares next)."""
        old = self.panels
        new = {key: old[key] for key in cells if key in old}
        free = [p for key, p in old.items() if key not in cells] + self._spare
        in_cell = {p.place: p for p in free if p.place is not None}
        for key, cell in cells.items():
            if key not in new and cell in in_cell:
                new[key] = in_cell.pop(cell)
                free.remove(new[key])
        for key in cells:
            if key not in new:
                new[key] = free.pop()  # the spares first: they were appended last
            if old.get(key) is not new[key]:
                new[key].reset()
        return {key: new[key] for key in cells}, free

    def relabel(self) -> None:
        """The rows' titles in the theme's current colours."""
        if self.shape is not None:
            self._label_rows(self.shape[1], self.shape[2])

    def _label_rows(self, rows: tuple[str, ...], kind: PanelType) -> None:
        grid = self._layout.layout
        for r, row in enumerate(rows):
            if r == len(self._labels):
                label = pg.LabelItem(" ", parent=self._layout, angle=-90)
                label.setMaximumWidth(LABEL_WIDTH)
                grid.addItem(label, r, 0)
                self._labels.append(label)
            label = self._labels[r]
            text, color = ROW_TITLES[row], QUANTITY_COLORS[row]
            size = f"{kind.sizes.px('axis-label')}px" if kind.sizes else None
            if (label.text, label.opts.get("color"), label.opts.get("size")) != (text, color, size):
                label.setMaximumWidth(
                    LABEL_WIDTH if size is None else 1.6 * kind.sizes.px("axis-label")
                )
                label.setText(text, color=color, **({"size": size} if size else {}))
                label.report_role = "axis-label"
            label.show()
        for label in self._labels[len(rows) :]:
            label.hide()
