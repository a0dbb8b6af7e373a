"""Colours and type: one colour per quantity throughout (Okabe-Ito, colour-blind safe), light and
dark, and a scale factor for the projector."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# Okabe & Ito 2008: distinguishable under the common colour-vision deficiencies.
QUANTITY_COLORS = {
    "preact": "#CC79A7",  # reddish purple
    "act": "#0072B2",  # blue
    "grad": "#D55E00",  # vermillion
    "wgrad": "#009E73",  # bluish green
    "theory": "#E69F00",  # orange
    "b_side": "#56B4E9",  # sky blue, the B config of an A/B comparison
}
WARN = "#D55E00"


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
    """Set pyqtgraph's defaults (before plots are made) and the widgets' palette."""
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
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem):
            item.setPen(theme.foreground)
            item.setTextPen(theme.foreground)
        elif isinstance(item, pg.LabelItem) and item.text:
            item.setText(item.text, color=theme.foreground)
