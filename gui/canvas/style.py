"""What every plot on the canvas shares: axes, type and pens sized from the canvas height.

A plot's axes carry their names and round ticks at the tick size of gui/canvas/sizes.py; its
title is a LabelItem above the plot area (never inside it), which the layout report reads.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from gui import theme
from gui.canvas.sizes import Sizes


def side_color(side: str) -> str:
    """A and B in clearly different hues, the theme's (gui/theme.py SIDE_COLORS)."""
    return theme.SIDE_COLORS[side]


def theory_grey() -> str:
    """Neutral: the prediction is a reference, not a side (the theme's, ≥ 4.5:1)."""
    return theme.QUANTITY_COLORS["theory"]


def pen(color: str, sizes: Sizes, dashed: bool = False, scale: float = 1.0) -> QPen:
    p = QPen(QColor(color))
    p.setWidthF(sizes.line * scale)
    p.setCosmetic(True)
    if dashed:
        p.setStyle(Qt.PenStyle.DashLine)
    return p


def style_axes(plot: pg.PlotItem, sizes: Sizes, x_label: str, y_label: str) -> None:
    """Both axes named and their ticks at the canvas's tick size, with room to not overlap."""
    tick = sizes.font("tick")
    label_px = sizes.px("axis-label")
    for name, text in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(name)
        axis.setTickFont(tick)
        axis.enableAutoSIPrefix(False)  # "(x0.001)" beside a name is a puzzle for the room
        axis.setStyle(tickTextOffset=max(3, sizes.px("tick") // 3), tickLength=-sizes.gap // 2)
        axis.setLabel(text, **{"font-size": f"{label_px}px"})
        axis.label.setFont(sizes.font("axis-label"))  # the report reads the font, not the html
        axis.label.report_role = "axis-label"
    plot.getAxis("left").setWidth(int(sizes.px("tick") * 3.6 + label_px * 1.6))
    plot.getAxis("bottom").setHeight(int(sizes.px("tick") * 1.6 + label_px * 1.8))


def still(plot: pg.PlotItem, name: str) -> pg.PlotItem:
    """A plot for a room, not a hand: no menu, no mouse, no buttons; named for the report."""
    plot.report_name = name
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    return plot


def title(layout: pg.GraphicsLayout, text: str, sizes: Sizes, row: int, col: int = 0, span=1):
    """A panel title above its plot, in the layout's own cell (outside the plot area)."""
    item = pg.LabelItem(text, size=f"{sizes.px('panel-title')}px", justify="left")
    item.report_role = "panel-title"
    layout.addItem(item, row=row, col=col, colspan=span)
    return item


def set_title(item: pg.LabelItem, text: str, sizes: Sizes, color: str | None = None) -> None:
    opts = {"size": f"{sizes.px('panel-title')}px"}
    if color:
        opts["color"] = color
    item.setText(text, **opts)
