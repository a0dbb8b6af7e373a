"""Colours: one colour per quantity throughout (Okabe-Ito hues, colour-blind safe), light and
dark, each readable on its background."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# Okabe & Ito 2008's hues (distinguishable under the common colour-vision deficiencies), each
# darkened on the light theme and lightened on the dark one until it stands at least 4.5:1 against
# the background, for normal vision and under a deuteranopia simulation (tests/gui/test_colours.py).
# A and B of a comparison differ in hue, not shade: A (the failure, as a rule) a muted slate
# blue, B (the fix) a bold vermillion; the theory is a neutral grey, dashed.
PALETTES = {
    "light": {
        "preact": "#9E3D78",  # reddish purple
        "act": "#005A8C",  # blue
        "grad": "#B04A00",  # vermillion
        "wgrad": "#006E50",  # bluish green
        "theory": "#767676",  # neutral grey
        "a_side": "#3D5A78",  # slate blue, muted
        "b_side": "#C04000",  # vermillion, bold
    },
    "dark": {
        "preact": "#E08CC0",
        "act": "#5CB8F0",
        "grad": "#FF8A47",
        "wgrad": "#2EC99A",
        "theory": "#A0A0A0",
        "a_side": "#9FB4CC",
        "b_side": "#FF7A2E",
    },
}
# the current theme's (apply() updates it in place, so every importer reads the theme's colours)
QUANTITY_COLORS = dict(PALETTES["light"])
# the sides of a comparison, as gui/canvas/style.py side_color reads them
SIDE_COLORS = {"A": QUANTITY_COLORS["a_side"], "B": QUANTITY_COLORS["b_side"]}
WARN = "#B04A00"
BACKGROUND = ["#FFFFFF"]  # the current theme's, which the faint fills are mixed with
FOREGROUND = ["#202020"]  # the current theme's text
BAND_ALPHA = 34  # the activation's regions, shaded lightly behind the data (of 255)
FILL_ALPHA = 90  # the negative values' part of a log-axis histogram


@functools.lru_cache(maxsize=64)
def _faint(color: str, alpha: int, background: str) -> QColor:
    """color at alpha over the background, as an opaque colour: a translucent fill cost Qt
    0.7-1.5 ms a panel in a grab (measured), an opaque one nothing measurable. Made once a
    colour; callers must not change it."""
    c, bg = QColor(color), QColor(background)
    a = alpha / 255
    return QColor(
        *(round(a * x + (1 - a) * y) for x, y in zip(c.getRgb()[:3], bg.getRgb()[:3], strict=True))
    )


def band_color() -> QColor:
    """The shade of the saturated tails (and ReLU's off half): the theory's grey, faint."""
    return _faint(QUANTITY_COLORS["theory"], BAND_ALPHA, BACKGROUND[0])


def fill_color(row: str) -> QColor:
    return _faint(QUANTITY_COLORS[row], FILL_ALPHA, BACKGROUND[0])


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    grid_alpha: float
    window: str
    base: str
    text: str


THEMES = {
    "light": Theme("light", "#FFFFFF", "#202020", 0.15, "#F0F0F0", "#FFFFFF", "#202020"),
    "dark": Theme("dark", "#16181C", "#E6E6E6", 0.2, "#23262B", "#1B1D21", "#E6E6E6"),
}


def apply(theme: Theme, app: QApplication | None = None) -> None:
    """Set pyqtgraph's defaults (before plots are made), the data's colours and the widgets'
    palette."""
    QUANTITY_COLORS.update(PALETTES[theme.name])
    BACKGROUND[0] = theme.background
    FOREGROUND[0] = theme.foreground
    SIDE_COLORS.update(A=QUANTITY_COLORS["a_side"], B=QUANTITY_COLORS["b_side"])
    pg.setConfigOptions(background=theme.background, foreground=theme.foreground, antialias=False)
    app = app or QApplication.instance()
    if app is None:
        return
    pal = QPalette()
    for role, value in (
        (QPalette.ColorRole.Window, theme.window),
        (QPalette.ColorRole.Base, theme.base),
        (QPalette.ColorRole.AlternateBase, theme.window),
        (QPalette.ColorRole.Text, theme.text),
        (QPalette.ColorRole.WindowText, theme.text),
        (QPalette.ColorRole.ButtonText, theme.text),
        (QPalette.ColorRole.Button, theme.window),
        (QPalette.ColorRole.ToolTipBase, theme.base),
        (QPalette.ColorRole.ToolTipText, theme.text),
    ):
        pal.setColor(role, QColor(value))
    app.setPalette(pal)


def restyle(view: pg.GraphicsLayoutWidget, theme: Theme) -> None:
    """Recolour a live plot widget: pyqtgraph's defaults only reach plots made afterwards."""
    view.setBackground(theme.background)
    recolor = getattr(view, "recolor", None)
    if recolor is not None:  # a view whose data pens follow the theme's palette
        recolor()
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem):
            item.setPen(theme.foreground)
            item.setTextPen(theme.foreground)
        elif isinstance(item, pg.LabelItem) and item.text:
            item.setText(item.text, color=theme.foreground)
