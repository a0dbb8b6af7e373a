"""A histogram panel's type and lines: in points times a scale in the window (as always), or in
pixels from the lecture canvas's height (gui/canvas/sizes.py), so one grid serves both."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontMetricsF

from gui.canvas.sizes import Sizes

TITLE_POINTS, TICK_POINTS = 9.0, 8.0  # the window's, times its scale


@dataclass(frozen=True)
class PanelType:
    scale: float = 1.0
    height: int = 0  # the canvas's pixel height; 0: the window's point sizes times scale

    @property
    def sizes(self) -> Sizes | None:
        return Sizes(self.height) if self.height else None

    def font(self, role: str, bold: bool = False) -> QFont | None:
        """The font of "panel-title", "tick", "axis-label" or "badge" texts; None for the
        window's unscaled ticks (pyqtgraph's default font, as before)."""
        if self.height:
            return Sizes(self.height).font(role, bold)
        if role == "tick" and self.scale == 1.0:
            return None
        font = QFont()
        font.setPointSizeF((TITLE_POINTS if role == "panel-title" else TICK_POINTS) * self.scale)
        font.setBold(bold)
        return font

    @property
    def line(self) -> float:
        return float(Sizes(self.height).line) if self.height else 2.0 * self.scale

    @property
    def gap(self) -> int:
        """Space between panels: the canvas's, or the window's few pixels."""
        return Sizes(self.height).gap if self.height else round(6 * self.scale)

    @property
    def axis_height(self) -> int:
        """The bottom axis: room for a line of ticks under their marks."""
        if not self.height:
            return round(22 * self.scale)
        return round(line_spacing(self.font("tick")) + 0.6 * Sizes(self.height).px("tick"))

    @property
    def axis_width(self) -> int:
        """The left axis: the widest share label ("0.15") and the axis's name beside it."""
        font = self.font("tick") or QFont()
        return round(QFontMetricsF(font).horizontalAdvance("0.15") + 2.2 * line_spacing(font))


@functools.lru_cache(maxsize=32)
def _spacing(family: str, px: int, points: float) -> float:
    font = QFont(family)
    if px > 0:
        font.setPixelSize(px)
    elif points > 0:
        font.setPointSizeF(points)
    return QFontMetricsF(font).lineSpacing()


def line_spacing(font: QFont | None) -> float:
    font = font or QFont()
    return _spacing(font.family(), font.pixelSize(), font.pointSizeF())
