"""Presentation view: the window as a lecturer drives it from a keyboard on a projector.

Docks, menus and bars go; the lecture canvas (gui/canvas/) takes the middle, with the scene's
title, claim and views sized from the screen's pixel height; the help's and the banner's type
grow by `--scale`, 1.6 by default; keys step through scenes and animations (their
table, and the help's lines, are gui/actions.py's)."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QLabel, QTabBar
from shiboken6 import isValid

from gui.actions import help_rows
from gui.canvas.canvas import LectureCanvas
from gui.idle import Later

DEFAULT_SCALE = 1.6


@contextlib.contextmanager
def _settled():
    """What the block changes settles when it ends: the banner's new type reaches it and the
    window lays itself out, once. Left to the event loop, they came after the first paint,
    and each relayout resized and repainted the plots again (five paints of the window to leave
    the presentation view)."""
    try:
        yield
    finally:
        for kind in (QEvent.Type.ApplicationFontChange, QEvent.Type.LayoutRequest):
            QCoreApplication.sendPostedEvents(None, kind)


def _tab_bars(win) -> list[QTabBar]:
    return win.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)


def help_html(scale: float) -> str:
    rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in help_rows())
    return f"<div style='font-size:{round(13 * scale)}pt'><h2>Keys</h2><table>{rows}</table></div>"


class Presentation(QObject):
    """`keys`: the presentation view's own actions (gui/actions.py), on only while it shows.

    It shows the lecture canvas (gui/canvas/canvas.py) in place of the window's middle (the
    histogram grid or overview, which keep their scale and frames while hidden, so leaving gives
    back the same picture at once)."""

    def __init__(self, win, keys: list[QAction], scale: float = DEFAULT_SCALE):
        super().__init__(win)
        self.win = win
        self.scale = scale
        self.shortcuts = keys
        self._saved: dict = {}
        self._tab_bars: list[QTabBar] = []
        self.help = QLabel(win)
        self.help.setStyleSheet(
            "background: rgba(20,20,20,225); color: white; padding: 24px; border-radius: 10px;"
        )
        self.help.hide()
        self._middle = Later(self._show_middle, self)
        self.canvas = LectureCanvas()
        self.canvas.hide()
        win.centralWidget().layout().addWidget(self.canvas, 1)
        win.presenter.add("canvas", self.canvas)
        win.state.changed.connect(self._state_changed)

    @property
    def active(self) -> bool:
        return self.win.state.presentation

    def enter(self, full_screen: bool = True) -> None:
        if self.active:
            return
        win = self.win
        win.state.presentation = True
        self._saved = {
            "state": win.saveState(),
            "font": QFont(win.banner.font()),
            "maximized": win.isMaximized(),
        }
        for sc in self.shortcuts:  # first: Esc leaves whatever happens below
            sc.setEnabled(True)
        with _settled():
            for dock in win.docks.values():
                dock.hide()
            # tabbed docks' tab bars are the window's own children, not the docks': hidden
            # docks left "Depth profile | Theory: phase diagram" on the canvas
            self._tab_bars = [b for b in _tab_bars(win) if b.isVisible()]
            for bar in self._tab_bars:
                bar.hide()
            win.compare_bar.hide()
            win.menuBar().hide()
            win.statusBar().hide()
            # the banner's type grows (the help's is in its HTML; the canvas sizes its own): the
            # application's type set instead re-laid-out every widget of the hidden docks, 50 ms
            # of the UI thread each way (issue 17's presentation gaps)
            font = QFont(self._saved["font"])
            font.setPointSizeF(font.pointSizeF() * self.scale)
            win.banner.setFont(font)
            win.caption_bar.hide()
            win.stack.hide()
            self.canvas.set_scene(win.scene)
            self.canvas.show()
            if full_screen:
                win.showFullScreen()
        self.canvas.set_active(True)

    def leave(self) -> None:
        if not self.active:
            return
        if self.help.isVisible():
            self.help.hide()
            return
        win = self.win
        win.state.presentation = False
        for sc in self.shortcuts:
            sc.setEnabled(False)
        self.canvas.set_active(False)
        with _settled():
            win.banner.setFont(self._saved["font"])
            self.canvas.hide()
            win.caption_bar.setVisible(win.scene is not None)
            win.menuBar().show()
            win.statusBar().show()
            win.compare_bar.show()
            for bar in self._tab_bars:
                if isValid(bar):  # the window's layout deletes a tab bar it no longer needs
                    bar.show()
            self._tab_bars = []
            win.restoreState(self._saved["state"])
            win.showNormal()
            if self._saved["maximized"]:
                win.showMaximized()
        # the middle in an idle turn of its own: the docks' and bars' first paint and the
        # plots' made one stretch of the UI thread (130-180 ms, issue 17's item 6); a key
        # pressed meanwhile is handled between the two
        self._middle.start()

    def _show_middle(self) -> None:
        if not self.active:  # not entered again meanwhile
            with _settled():
                self.win.stack.show()

    def toggle_details(self) -> None:
        """The speaker's details under the claim, on and off (the D key)."""
        self.canvas.toggle_details()

    def _state_changed(self, what: frozenset[str]) -> None:
        if "scene" in what:
            self.canvas.set_scene(self.win.state.scene)

    def toggle_full_screen(self) -> None:
        w = self.win
        w.showNormal() if w.isFullScreen() else w.showFullScreen()

    def toggle_help(self) -> None:
        if self.help.isVisible():
            self.help.hide()
            return
        self.help.setText(help_html(self.scale))
        self.help.adjustSize()
        self.help.move(
            (self.win.width() - self.help.width()) // 2,
            (self.win.height() - self.help.height()) // 2,
        )
        self.help.raise_()
        self.help.show()
