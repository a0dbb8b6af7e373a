"""How the canvas tells A from B: by hue, the same in every view and in the window's grid (the
theme's slate A and vermillion B, gui/theme.py, each at least 4.5:1 on its background and apart
under deuteranopia: tests/gui/test_colours.py); the fix drawn bold and the failure muted by weight.

Which side is the fix is the scene's word (a view option "fix": "A" or "B"); by default B when
there is a B (an A/B scene shows a failure, then its cure), and A alone is drawn bold.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor

from gui import theme


@dataclass(frozen=True)
class Side:
    name: str  # "A" or "B"
    color: str
    bold: bool


def theme_name() -> str:
    """The theme pyqtgraph draws on now (gui/theme.py sets its background)."""
    return "dark" if QColor(theme.BACKGROUND[0]).lightness() < 128 else "light"


def colors() -> dict[str, str]:
    """The current theme's side, theory and text colours."""
    q = theme.QUANTITY_COLORS
    return {"A": q["a_side"], "B": q["b_side"], "theory": q["theory"], "text": theme.FOREGROUND[0]}


def sides(has_b: bool, fix: str | None = None) -> dict[str, Side]:
    """A's and B's colour and weight: the fix bold, the other muted."""
    pal = colors()
    fix = fix if fix in ("A", "B") else ("B" if has_b else "A")
    return {name: Side(name, pal[name], name == fix) for name in (("A", "B") if has_b else ("A",))}


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two colours."""

    def lum(c: str) -> float:
        q = QColor(c)
        ch = [q.redF(), q.greenF(), q.blueF()]
        ch = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
