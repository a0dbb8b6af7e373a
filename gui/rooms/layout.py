"""The docks, made from the window's table (MainWindow.DOCKS), and what a launch restores: the
layout, the config, the training settings. Saved when the window closes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget

from core import Config, ConfigError

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea


@dataclass(frozen=True)
class Row:
    """One row of the window's table of docks and views. `make(window)` gives the dock's widget,
    or with `view`, a View (presenter.py) for the presenter: docked itself if it is a widget,
    else its `widget`. `area` None: not docked (the window places it)."""

    name: str
    title: str
    make: Callable[[Any], Any]
    area: Qt.DockWidgetArea | None = BOTTOM
    view: bool = False
    scroll: bool = False


class DockHolder(QScrollArea):
    """A dock's controls, scrolled up and down only. Its minimum width is its controls' (and a
    scroll bar's), so the dock can never be made narrower than them: nothing is clipped at the
    right, as the Initialization dock's values and gain buttons were behind a horizontal bar.
    With one bar, a word-wrapped label (the formula) cannot flip two bars on and off each
    other, which Qt's queued re-layout of a scroll area can repeat without end (the likely
    cause of a UI-thread loop seen once, benchmarks/README.md sessions 19-20)."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(widget)  # (QScrollArea filters its widget's events: eventFilter below)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        w = self.widget()
        if w is None:
            return hint
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(w.minimumSizeHint().width() + bar + 2 * self.frameWidth(), hint.height())

    def eventFilter(self, obj, event) -> bool:
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # its controls' minimum may have changed: the dock's follows
        return super().eventFilter(obj, event)


def dock(win: QMainWindow, title: str, widget: QWidget, area, name: str, scroll=False):
    d = QDockWidget(title, win)
    d.setObjectName(name)
    if scroll:
        widget = DockHolder(widget)
    d.setWidget(widget)
    win.addDockWidget(area, d)
    return d


def saved_config(settings: QSettings) -> Config | None:
    text = settings.value("config")
    if not text:
        return None
    try:
        return Config.from_toml(str(text))
    except ConfigError:
        return None  # a config from another version: start from the defaults


def restore(win, settings: QSettings) -> None:
    """The training settings, then the window's geometry and docks as they were left."""
    try:
        saved = json.loads(str(settings.value("training", "{}")))
    except ValueError:  # a hand-edited or damaged file: the defaults
        saved = {}
    if isinstance(saved, dict) and saved:
        win.training.dock.restore(saved)
    geo, state = settings.value("geometry"), settings.value("state")
    if isinstance(geo, QByteArray):
        win.restoreGeometry(geo)
    if isinstance(state, QByteArray):
        win.restoreState(state)


def save(win, settings: QSettings) -> None:
    settings.setValue("geometry", win.saveGeometry())
    settings.setValue("state", win.saveState())
    settings.setValue("config", win.config.to_toml())
    settings.setValue("training", json.dumps(win.training.dock.settings()))
    settings.sync()
