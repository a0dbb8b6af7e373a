"""Axes of the ladder and the units raster: whole decades on a log10 axis, whole layers, and the
pixel sizes of their type (gui/canvas/sizes.py).

A decade axis is a plain axis over log10 values (the data are plotted as log10 of themselves),
so its ticks are integers k and read 10^k: a span of 60 decades (1e-30 to 1e30) gets a tick every
10, a span of 2 every one. pyqtgraph's own log mode picks fractional ticks ("2e-05") between.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics

from gui.canvas.sizes import Sizes

STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500)


def decade_text(k: int) -> str:
    """10^k as a number a room reads: 0.01, 0.1, 1, 10, 100, then 1e-5, 1e+15."""
    if -2 <= k <= 2:
        return f"{10.0**k:g}"
    return f"1e{k:+d}".replace("+", "") if k < 0 else f"1e{k}"


def round_step(span: float, room: int) -> int:
    """The smallest of 1, 2, 5, 10, … giving at most `room` ticks over `span`."""
    for s in STEPS:
        if span / s <= max(room, 1):
            return s
    return STEPS[-1]


class DecadeAxis(pg.AxisItem):
    """Ticks at whole decades only."""

    def tickValues(self, minVal, maxVal, size):
        minVal, maxVal = sorted((minVal, maxVal))  # an inverted axis gives them reversed
        lo, hi = math.ceil(minVal), math.floor(maxVal)
        if hi < lo:
            return []
        height = QFontMetrics(self.style["tickFont"] or self.font()).height()
        step = round_step(hi - lo, max(2, int(size // (2.2 * height))))
        first = math.ceil(lo / step) * step
        return [(step, list(range(first, hi + 1, step)))]

    def tickStrings(self, values, scale, spacing):
        return [decade_text(round(v)) for v in values]


class LayerAxis(pg.AxisItem):
    """Ticks at whole layers (1, 2, 5, 10, … apart), never 2.5."""

    def tickValues(self, minVal, maxVal, size):
        minVal, maxVal = sorted((minVal, maxVal))  # an inverted axis gives them reversed
        lo, hi = math.ceil(minVal), math.floor(maxVal)
        if hi < lo:
            return []
        fm = QFontMetrics(self.style["tickFont"] or self.font())
        room = (
            fm.horizontalAdvance("0000") * 1.5
            if self.orientation in ("bottom", "top")
            else fm.height() * 2.2
        )
        step = round_step(max(hi - lo, 1), int(size // room))
        lo = max(lo, 1)
        first = max(step, math.ceil(lo / step) * step) if step > 1 else lo
        ticks = list(range(first, hi + 1, step))
        if step > 1 and lo == 1:
            ticks = [1, *ticks]  # the first layer is always named
        return [(step, ticks)]


def style_axis(plot: pg.PlotItem, sizes: Sizes, widest: str = "1e-30", lines: int = 2) -> None:
    """Tick and axis-label type in pixels from the height; the left axis wide enough for its
    widest tick text, the bottom one tall enough for `lines` (its numbers, then its name)."""
    sides = ("left", "bottom")
    tick = sizes.font("tick")
    for name in sides:
        axis = plot.getAxis(name)
        axis.report_role = "tick"
        axis.setStyle(
            tickFont=tick,
            tickTextOffset=max(3, sizes.gap // 2),
            tickLength=-sizes.gap,
            hideOverlappingLabels=sizes.px("tick") * 2,  # the end ticks' numbers may overhang
        )
        axis.setPen(pg.getConfigOption("foreground"))
        axis.setTextPen(pg.getConfigOption("foreground"))
        axis.label.report_role = "axis-label"
        shown = axis.label.isVisible()  # setLabel shows it: a hidden name stays hidden
        axis.setLabel(axis.labelText, **{"font-size": f"{sizes.px('axis-label')}px"})
        axis.showLabel(shown)
    fm = QFontMetrics(tick)
    plot.getAxis("left").setWidth(fm.horizontalAdvance(widest) + fm.height() + 2 * sizes.gap)
    plot.getAxis("bottom").setHeight(fm.height() * lines + 2 * sizes.gap)
