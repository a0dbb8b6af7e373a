"""Type and line sizes of the lecture canvas, as shares of its pixel height.

Issue #18's floors: the claim at least 3% of the screen's height, every number a claim relies on
(panel σ values, ladder labels, ticks) at least 2%, nothing under 1.6%. Fonts are set in pixels
(QFont.setPixelSize), so a 720-line projector and a 2160-line one show the same slide.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont

# What a text on the canvas is; the layout report names each text by one of these.
ROLES = (
    "title",
    "claim",
    "details",
    "panel-title",
    "tick",
    "axis-label",
    "legend",
    "badge",
    "chip",
    "question",
    "answer",
)

# Share of the canvas height per role. Numbers (ticks, panel σ values, ladder labels, chips)
# sit above the 2% floor with room for rounding; nothing is below 1.6%.
SHARE = {
    "title": 0.046,
    "claim": 0.034,
    "details": 0.022,
    "panel-title": 0.022,
    "tick": 0.021,
    "axis-label": 0.021,
    "legend": 0.021,
    "badge": 0.018,
    "chip": 0.024,
    # a scene's question and its answers while the room is asked (gui/canvas/question.py):
    # the largest type on the canvas, alone on it before the data
    "question": 0.06,
    "answer": 0.05,
}
FLOOR = {"claim": 0.03, "number": 0.02, "any": 0.016}


@dataclass(frozen=True)
class Sizes:
    """Everything on the canvas sized from one number: its height in pixels."""

    height: int

    def px(self, role: str) -> int:
        return max(1, round(SHARE[role] * self.height))

    def font(self, role: str, bold: bool = False) -> QFont:
        f = QFont()
        f.setPixelSize(self.px(role))
        f.setBold(bold)
        return f

    @property
    def line(self) -> int:
        """A data line's width: 2 px at 720 lines, 3 at 1080, 6 at 2160."""
        return max(2, round(self.height / 360))

    @property
    def gap(self) -> int:
        """Space between panels, so a spike on ±1 or 0 never sits on a border."""
        return max(6, round(0.012 * self.height))
