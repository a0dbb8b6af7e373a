"""The statistics of the layers a claim names, for the back row: a few numbers, large.

Rows are core/fields.py's (their names, formats and meanings are declared there once): std,
mean, % saturated, % dead, ∂a std; a column per named layer and side. The scene names the layers
({"layers": [1, 10]}, negative counting from the last); by default the first and the last. A
layer beyond the net's depth (a control made it shallower) is shown as the last one, under its
own number, so the header never names a layer that is not shown. A staged scene's numbers come
with their layer's pass (∂a std with the backward one; gui/canvas/reveal_mask.py): an empty cell,
as wide as its number, before.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from core import fields
from gui.canvas import reveal_mask
from gui.canvas.sizes import Sizes
from gui.canvas.views import sides as palette
from gui.presenter import ViewBase

ROWS = ("act_std", "act_mean", "saturated_frac", "dead_units", "grad_std")


def chosen_layers(wanted, depth: int) -> list[int]:
    """1-based layers to show: the scene's (negative from the end), within 1..depth, once each."""
    out = []
    for k in wanted or (1, -1):
        n = k if k > 0 else depth + 1 + k
        n = min(max(n, 1), depth)
        if n not in out:
            out.append(n)
    return out


def cell(value, fmt: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    return fields.text(value, fmt).strip()


class StatsView(ViewBase, QWidget):
    needs: frozenset[str] = frozenset()

    def __init__(self, options: dict | None = None, parent=None):
        super().__init__(parent)
        self.options = dict(options or {})
        self.sizes = Sizes(max(self.height(), 360))
        self.setAutoFillBackground(True)  # the canvas's background, not the window's grey
        self.grid = QGridLayout(self)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = self._label("panel-title")
        self.cells: dict[tuple[str, int, str], QLabel] = {}  # (field, layer, side) → its number
        self._labels: list[QLabel] = []
        self._frame = None
        self._shape = None

    def _label(self, role: str) -> QLabel:
        label = QLabel()
        label.setProperty("role", role)
        return label

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._shape = None  # the type follows the room the table has, and its orientation
        if self._frame is not None:
            self.present(self._frame)

    def _px(self, role: str) -> int:
        """The role's size, grown up to twice it where the view has room: a strip of four
        numbers need not be read from 2% of the screen."""
        floor = self.sizes.px(role)
        layers, looks, _, wide = self._shape
        groups = len(layers) * len(looks) + len(layers) - 1
        rows, cols = (2 + groups, 2 + len(ROWS)) if wide else (3 + len(ROWS), 1 + groups)
        room = min(self.height() / (rows * 1.7), self.width() / (cols * 5.0))
        return round(min(max(floor, room * floor / self.sizes.px("chip")), 2 * floor))

    def set_sizes(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self._shape = None
        if self._frame is not None:
            self.present(self._frame)

    def present(self, frame) -> None:
        self._frame = frame
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, pg.mkColor(pg.getConfigOption("background")))
        self.setPalette(pal)
        snaps = {"A": frame.a, "B": frame.b}
        looks = palette.sides(frame.b is not None, self.options.get("fix"))
        layers = chosen_layers(self.options.get("layers"), len(frame.a.layers))
        # short and wide (a strip): a row per layer and side; else a column per layer and side
        wide = self.height() < 0.45 * self.width()
        shape = (tuple(layers), tuple(looks.values()), self.sizes, wide)
        if shape == self._shape:  # the same table: only its numbers change (an animation)
            for (attr, n, name), label in self.cells.items():
                self._fill(label, snaps[name], n, attr)
            return
        self._shape = shape
        self._clear()
        self._build(snaps, looks, layers, wide)

    def _build(self, snaps, looks, layers, wide: bool) -> None:
        g, s = self.grid, self.sizes
        g.setHorizontalSpacing(2 * s.gap)
        g.setVerticalSpacing(s.gap // 2 if not wide else 0)
        g.setContentsMargins(s.gap, s.gap, s.gap, s.gap)

        def at(k: int, j: int) -> tuple[int, int]:  # field k of group j; header: k or j = -1
            return (2 + j, 2 + k) if wide else (3 + k, 1 + j)

        self._put(self.title, 0, 0, "statistics per layer", "panel-title", span=-1)
        for k, attr in enumerate(ROWS):
            f = fields.FIELDS[attr]
            label = self._label("legend")
            label.setToolTip(f.tooltip)
            self._put(label, *(at(k, -1) if wide else (3 + k, 0)), f.header, "legend")
        j = 0
        for i, n in enumerate(layers):
            if i:  # a gap between the layers' groups
                (g.setRowMinimumHeight if wide else g.setColumnMinimumWidth)(
                    at(0, j)[not wide], s.gap
                )
                j += 1
            first = at(0, j)
            where = (first[0], 0) if wide else (1, first[1])
            self._put(
                self._label("panel-title"),
                *where,
                f"layer {n}",
                "panel-title",
                1 if wide else len(looks),
            )
            for name, look in looks.items():
                side = (at(0, j)[0], 1) if wide else (2, at(0, j)[1])
                self._put(self._label("legend"), *side, name, "legend", color=look.color)
                for k, attr in enumerate(ROWS):
                    self.cells[(attr, n, name)] = self._number(snaps[name], n, attr, look)
                    g.addWidget(self.cells[(attr, n, name)], *at(k, j), Qt.AlignmentFlag.AlignRight)
                j += 1
        g.activate()  # the new labels' places now, not at the next event

    def _number(self, snap, n: int, attr: str, look) -> QLabel:
        label = self._label("chip")
        label.setFont(self._font("chip", look.bold))
        self._fill(label, snap, n, attr)
        label.setStyleSheet(f"color: {look.color}")
        self._labels.append(label)
        return label

    def _font(self, role: str, bold: bool):
        font = self.sizes.font(role, bold)
        font.setPixelSize(self._px(role))
        return font

    def _fill(self, label: QLabel, snap, n: int, attr: str) -> None:
        """The cell's number, or (not revealed yet) nothing in its number's width."""
        text = self._text(snap, n, attr)
        hidden = not reveal_mask.shown(self._frame, "grad" if attr == "grad_std" else "act", n)
        label.setMinimumWidth(label.fontMetrics().horizontalAdvance(text) if hidden else 0)
        label.setText("" if hidden else text)

    @staticmethod
    def _text(snap, n: int, attr: str) -> str:
        """B may be shallower than A: its missing layer is a dash."""
        layers = snap.layers
        return (
            cell(getattr(layers[n - 1], attr), fields.FIELDS[attr].fmt) if n <= len(layers) else "—"
        )

    def _put(self, label, row, col, text, role, span=1, color=None) -> None:
        label.setText(text)
        label.setFont(self._font(role, role == "panel-title"))
        label.setStyleSheet(f"color: {color or palette.colors()['text']}")
        align = Qt.AlignmentFlag.AlignLeft if col == 0 else Qt.AlignmentFlag.AlignRight
        self.grid.addWidget(label, row, col, 1, span, align)
        if label is not self.title:
            self._labels.append(label)

    def _clear(self) -> None:
        """A new table (other layers, sides, sizes or orientation): its labels go."""
        for label in self._labels:  # hidden now: deleted only when the event loop next runs
            self.grid.removeWidget(label)
            label.hide()
            label.deleteLater()
        self._labels, self.cells = [], {}
        for i in range(self.grid.rowCount()):
            self.grid.setRowMinimumHeight(i, 0)
        for i in range(self.grid.columnCount()):
            self.grid.setColumnMinimumWidth(i, 0)
