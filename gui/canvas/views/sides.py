"""How the canvas tells A from B: two hues (blue and sienna, apart under deuteranopia too), the
fix bold and the failure muted, theory a neutral grey; each at least 4.5:1 on its theme's
background (tests/gui/test_canvas_ladder.py checks the ratios).

Which side is the fix is the scene's word (a view option "fix": "A" or "B"); by default B when
there is a B (an A/B scene shows a failure, then its cure), and A alone is drawn bold.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor

# theme → (bold, muted, theory, text); the bold hue is the fix's, the muted one the failure's
PALETTES = {
    "light": {"bold": "#0072B2", "muted": "#A0522D", "theory": "#6E6E6E", "text": "#202020"},
    "dark": {"bold": "#56B4E9", "muted": "#D9A06B", "theory": "#A8A8A8", "text": "#E6E6E6"},
}
BACKGROUNDS = {"light": "#FFFFFF", "dark": "#16181C"}


@dataclass(frozen=True)
class Side:
    name: str  # "A" or "B"
    color: str
    bold: bool


def theme_name() -> str:
    """The theme pyqtgraph draws on now (gui/theme.py sets its background)."""
    bg = QColor(pg.mkColor(pg.getConfigOption("background")))
    return "dark" if bg.lightness() < 128 else "light"


def colors() -> dict[str, str]:
    return PALETTES[theme_name()]


def sides(has_b: bool, fix: str | None = None) -> dict[str, Side]:
    """A's and B's colour and weight: the fix bold, the other muted."""
    pal = colors()
    fix = fix if fix in ("A", "B") else ("B" if has_b else "A")
    out = {}
    for name in ("A", "B") if has_b else ("A",):
        bold = name == fix
        out[name] = Side(name, pal["bold" if bold else "muted"], bold)
    return out


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two colours."""

    def lum(c: str) -> float:
        q = QColor(c)
        ch = [q.redF(), q.greenF(), q.blueF()]
        ch = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
