"""An AxisItem that lays out the ticks it is given (setTicks) with less work than pyqtgraph's.

The layer grid's panels are given their ticks (two or three on x, a few on the first column's
y), and pyqtgraph's generateDrawSpecs, written for any axis (tick levels chosen from the pixel
length, grids, text fill limits), runs at every paint of an axis after a range change. For the
case the grid uses (one level of given ticks, no grid lines, the axis not stopped at its ticks,
values shown) this computes the same specs with one device transform instead of two, the text's
bounding box once per string and font, the axis's own bounding rectangle once, and no NumPy on
three numbers; any other case is pyqtgraph's. Measured 2026-12-06 (benchmarks/README.md,
session 16): 0.089 against 0.159 ms a layout in a loop; the grid's axis paints over one
window's ui_gaps actions 162, 138 ms against 203, 196. tests/gui/test_fixed_axis.py compares
the two spec by spec.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen

_TEXT_RECTS: dict[tuple[str, str], QRectF] = {}  # (font key, text) → its box, as pyqtgraph has it
_CENTER = Qt.AlignmentFlag.AlignCenter
_FLAGS = {
    "left": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextDontClip,
    "bottom": Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextDontClip,
}


def _text_rect(p, font: str, text: str) -> QRectF:
    key = (font, text)
    rect = _TEXT_RECTS.get(key)
    if rect is None:
        if len(_TEXT_RECTS) > 4096:  # tick labels are few; a bound all the same
            _TEXT_RECTS.clear()
        rect = p.boundingRect(QRectF(0, 0, 100, 100), _CENTER, text)
        rect.setHeight(rect.height() * 0.8)
        _TEXT_RECTS[key] = rect
    return rect


class FixedTickAxis(pg.AxisItem):
    def generateDrawSpecs(self, p):
        levels, style = self._tickLevels, self.style
        if (
            levels is None
            or len(levels) != 1
            or self.grid is not False
            or any(style["stopAxisAtTick"])
            or not style["showValues"]
            or style["maxTextLevel"] < 0
            or self.orientation not in _FLAGS
        ):
            return super().generateDrawSpecs(p)
        if style["tickFont"] is not None:
            p.setFont(style["tickFont"])
        geometry = _Geometry(self)
        if not geometry.ok:
            return None
        ticks, strings = geometry.ticks(levels[0], self._tick_pen())
        axis_spec = (self.pen(), *geometry.span)
        font = p.font().key()
        rects = [None if s is None else _text_rect(p, font, s) for s in strings]
        shown = [r for r in rects if r is not None]
        size2 = max((r.width() if geometry.axis == 0 else r.height() for r in shown), default=0)
        texts = geometry.texts(strings, rects, style["tickLength"], style["tickTextOffset"])
        self._updateMaxTextSize(size2)
        return axis_spec, ticks, texts

    def _tick_pen(self) -> QPen:
        """pyqtgraph's first level's pen: its colour at the style's tick alpha (255 if none)."""
        alpha = self.style["tickAlpha"]
        if alpha is None:
            alpha = 255
        elif isinstance(alpha, float):
            alpha = min(255, max(0, round(alpha * 255)))
        elif not isinstance(alpha, int):
            raise TypeError("tickAlpha: a float in [0, 1] or an int in [0, 255]")
        elif not 0 <= alpha <= 255:
            raise ValueError("tickAlpha: a float in [0, 1] or an int in [0, 255]")
        pen = self.tickPen()
        if pen.brush().style() == Qt.BrushStyle.SolidPattern:
            pen = QPen(pen)
            color = QColor(pen.color())
            color.setAlpha(int(alpha))
            pen.setColor(color)
        return pen


def _xy(point: QPointF) -> tuple[float, float]:
    return point.x(), point.y()


class _Geometry:
    """Where the axis line, its ticks and their labels go (pyqtgraph's arithmetic, once)."""

    def __init__(self, item: FixedTickAxis):
        self.item = item
        bounds = item.mapRectFromParent(item.geometry())
        if item.orientation == "left":
            self.span = (
                bounds.topRight() + QPointF(-1.0, -1.0),
                bounds.bottomRight() + QPointF(-1.0, 1.0),
            )
            self.start = self.stop = bounds.right()
            self.dir, self.axis = -1, 0
        else:
            self.span = (
                bounds.topLeft() + QPointF(-1.0, 1.0),
                bounds.topRight() + QPointF(1.0, 1.0),
            )
            self.start = self.stop = bounds.top()
            self.dir, self.axis = 1, 1
        dt = item.deviceTransform_()  # pyqtgraph's: None before the item is shown in a view
        ends = None if dt is None else [dt.map(pt) for pt in self.span]
        self.ok = ends is not None and math.hypot(*_xy(ends[1] - ends[0])) != 0
        lo, hi = item.range
        dif = hi - lo
        if dif == 0:
            self.scale, self.offset = 1, 0
        elif self.axis == 0:
            self.scale = -bounds.height() / dif
            self.offset = lo * self.scale - bounds.height()
        else:
            self.scale = bounds.width() / dif
            self.offset = lo * self.scale
        ends_px = [x * self.scale - self.offset for x in item.range]
        self.min, self.max = min(ends_px), max(ends_px)
        self.positions: list[float | None] = []

    def ticks(self, level, pen: QPen) -> tuple[list, list]:
        """The tick lines of the given (value, label) pairs, and their labels (None off range)."""
        length = self.item.style["tickLength"]
        specs, strings = [], []
        for value, text in level:
            x = value * self.scale - self.offset
            if x < self.min or x > self.max:
                self.positions.append(None)
                strings.append(None)
                continue
            self.positions.append(x)
            strings.append(text)
            if self.axis == 0:
                p1, p2 = QPointF(self.start, x), QPointF(self.stop + length * self.dir, x)
            else:
                p1, p2 = QPointF(x, self.start), QPointF(x, self.stop + length * self.dir)
            specs.append((pen, p1, p2))
        return specs, strings

    def texts(self, strings: list, rects: list, tick_length: float, text_offset) -> list:
        """Each shown label's rectangle, beside its tick, if it lies inside the axis."""
        offset = max(0, tick_length) + text_offset[self.axis]
        box = self.item.boundingRect()
        flags = _FLAGS[self.item.orientation]
        out = []
        for x, text, r in zip(self.positions, strings, rects, strict=True):
            if text is None:
                continue
            w, h = r.width(), r.height()
            if self.axis == 0:
                rect = QRectF(self.stop - offset - w, x - h / 2, w, h)
            else:
                rect = QRectF(x - w / 2.0, self.stop + offset, w, h)
            if box & rect == rect:
                out.append((rect, flags, text))
        return out
