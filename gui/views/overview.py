"""Deep nets at a glance: one row per layer, colour = share of values per bin (a layer × value
heatmap), activations and gradients side by side, and in an A/B comparison B's heatmaps under A's
on the same value axes. Readable at depth 200 where a grid of 400 panels is not; a click on a row
asks the window to show that layer's panels."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from core.stats import ROW_TITLES, Snapshot
from gui import heap
from gui.views import log_axis, unindexed
from gui.views.bare_plot import BarePlot

COLORMAP = "viridis"  # perceptually uniform and colour-blind safe


class Overview(pg.GraphicsLayoutWidget):
    layer_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        unindexed(self)
        self.rows: tuple[str, ...] = ("act", "grad")
        self._images: dict[tuple[str, str], pg.ImageItem] = {}  # (side, row)
        self._plots: dict[tuple[str, str], pg.PlotItem] = {}
        self._built: tuple = ()
        self._depth: dict[str, int] = {}
        self._own: dict[tuple[str, str], str] = {}  # its x axis's caption (own range, log)
        self.x_axis = "auto"  # gui/state.py X_AXES; in "auto" a deep net's rows are all on log|x|
        self._spans: dict[str, tuple[int, int]] = {}  # a log row's global bins
        self._bar: pg.ColorBarItem | None = None
        self._bar_span = 0  # the sides the bar spans as placed (0: to place again)
        self._made_rows: tuple[str, ...] = ()  # the rows its plots were made for
        self.scene().sigMouseClicked.connect(self._clicked)  # once: the scene outlives rebuilds

    def set_rows(self, rows: tuple[str, ...]) -> None:
        self.rows = rows
        self._built = ()

    def plot(self, side: str, row: str) -> pg.PlotItem:
        """The heatmap of one side's row."""
        return self._plots[(side, row)]

    def image_data(self, row: str, side: str = "A") -> np.ndarray:
        """(bins, layers) array shown for row: log10 of the share per bin."""
        return self._images[(side, row)].image

    def log_span(self, row: str) -> tuple[int, int] | None:
        """A row's global log bins (core/loghist.py) while it is on log₁₀|x|, else None."""
        return self._spans.get(row) if log_axis.on_log(self.x_axis, row, deep=True) else None

    @property
    def sides(self) -> tuple[str, ...]:
        return self._built[1] if self._built else ()

    def present(self, snap: Snapshot, b: Snapshot | None = None) -> None:
        """snap; with b (from core.simulate.run_joint: the same ranges), B's heatmaps under A's."""
        sides = {"A": snap, "B": b} if b is not None else {"A": snap}
        if self._built != (self.rows, tuple(sides)):
            self._build(tuple(sides))
        for row in self.rows:
            if log_axis.on_log(self.x_axis, row, deep=True):
                logs = [s.hists[row].log for sn in sides.values() for s in sn.layers]
                self._spans[row] = log_axis.row_span(logs, self._spans.get(row))
        for side, sn in sides.items():
            self._depth[side] = len(sn.layers)
            depth = max(len(sn.layers), getattr(sn.config, "depth", 0))  # rows still to come
            for row in self.rows:
                self._show(side, row, [s.hists[row] for s in sn.layers], depth)

    def _show(self, side: str, row: str, hists: list, depth: int) -> None:
        span = self.log_span(row)
        data, lo, hi = log_axis.stacked(hists, span)
        own = span is None and len({(h.lo, h.hi) for h in hists}) > 1  # x range "layer"
        if span is not None:
            caption, ticks = "log₁₀|value| (filled: each layer's share per bin)", True
        else:
            caption = "value / each layer's own range (x range: layer)" if own else ""
            ticks = False
        with np.errstate(divide="ignore"):
            logd = np.log10(np.maximum(data, 1e-5))
        logd[[h.sampled == 0 for h in hists]] = np.nan  # nothing binned yet: left blank
        img = self._images[(side, row)]
        img.setImage(logd.T, autoLevels=False, levels=(-5, 0))
        img.setRect(lo, 0.5, hi - lo, len(hists))
        plot = self._plots[(side, row)]
        plot.setXRange(lo, hi, padding=0)
        plot.setYRange(0.5, depth + 0.5, padding=0)
        key = (caption, (lo, hi) if ticks else None)
        if self._own.get((side, row)) != key:  # a new label redraws the axis: only on a change
            self._own[(side, row)] = key
            plot.setLabel("bottom", caption)
            plot.getAxis("bottom").showLabel(bool(caption))
            plot.getAxis("bottom").setTicks([log_axis.decade_ticks(lo, hi, 6)] if ticks else None)

    def release(self) -> None:
        """Every plot freed (rows changed: each plot's title and axis are its row's), by the
        event loop: left to the garbage collector, a PlotItem's menus could be deleted in the
        middle of a signal's emission, and wait forever for its lock."""
        self._drop(list(self._plots))
        if self._bar is not None:
            if self._bar in self.ci.items:
                self.removeItem(self._bar)
            heap.delete_later(self._bar)
        self._spans.clear()
        self._bar = None
        self._bar_span = 0
        self._built = self._made_rows = ()

    @property
    def plots_made(self) -> int:
        return len(self._plots)

    def prebuild(self, sides: tuple[str, ...]) -> bool:
        """One plot of `sides`' heatmaps made (or the colour bar placed); True once all are.
        The window calls it in idle turns while the net is shallow, so that a deep net's first
        frame finds the heatmaps made: made on that frame, they held the UI thread for 45-80 ms
        (a PlotItem was 7-10 ms, the colour bar 8-12) and put off the first picture as long."""
        return self._build(sides, step=True)

    def _build(self, sides: tuple[str, ...], step: bool = False) -> bool:
        """A plot per (side, row), kept while the rows stay (A/B adds or drops B's only)."""
        if self._built == (self.rows, sides):
            return True
        if self._made_rows != self.rows:
            self.release()
            self._made_rows = self.rows
        self._drop([key for key in self._plots if key[0] not in sides])
        for side, row in self._keys(sides):
            if (side, row) not in self._plots:
                self._add_plot(side, row, sides)
                # not what was built any more: a step left B's plots half made, and A/B
                # turned off then found A's set "built" and kept them (issue 17's bound)
                self._built = ()
                if step:
                    return False
        self._place_bar(sides)
        self._built = (self.rows, sides)
        return True

    def _keys(self, sides: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(side, row) for side in sides for row in self.rows]

    def _add_plot(self, side: str, row: str, sides: tuple[str, ...]) -> None:
        title = f"{ROW_TITLES[row]} — layer × value"
        named = side != "A" or len(sides) > 1
        plot = BarePlot()  # no menu to build (bare_plot.py): half the time of a PlotItem
        plot.setTitle(f"{side}: {title}" if named else title)
        self.addItem(plot, row=sides.index(side), col=self.rows.index(row))
        plot.invertY(True)
        plot.setLabel("left", "layer")
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        img = pg.ImageItem(axisOrder="col-major")
        img.setColorMap(pg.colormap.get(COLORMAP))
        plot.addItem(img)
        self._images[(side, row)] = img
        self._plots[(side, row)] = plot
        self._bar_span = 0  # the bar's images and span are set again

    def _drop(self, keys: list[tuple[str, str]]) -> None:
        for key in keys:
            plot = self._plots.pop(key)
            self._images.pop(key)
            self._own.pop(key, None)
            self.removeItem(plot)
            heap.delete_later(plot)  # an idle turn each, not the garbage collector (panel_pool.py)
        self._bar_span = 0

    def _place_bar(self, sides: tuple[str, ...]) -> None:
        """The colour bar right of the rows, as tall as the sides; A's titles say "A:" in A/B."""
        for row in self.rows:
            title = f"{ROW_TITLES[row]} — layer × value"
            self._plots[("A", row)].setTitle(f"A: {title}" if len(sides) > 1 else title)
        if self._bar_span == len(sides) and self._bar is not None:
            return
        if self._bar is None:
            self._bar = pg.ColorBarItem(
                values=(-5, 0),
                colorMap=pg.colormap.get(COLORMAP),
                label="log10 share per bin",
                interactive=False,
            )
        elif self._bar in self.ci.items:
            self.removeItem(self._bar)
        self._bar.setImageItem(list(self._images.values()))
        self.addItem(self._bar, row=0, col=len(self.rows), rowspan=len(sides))
        self._bar_span = len(sides)

    def _clicked(self, ev) -> None:
        for (side, _), plot in self._plots.items():
            if plot.sceneBoundingRect().contains(ev.scenePos()):
                y = plot.vb.mapSceneToView(ev.scenePos()).y()
                layer = round(y)
                if 1 <= layer <= self._depth.get(side, 0):
                    self.layer_clicked.emit(layer)
                return
