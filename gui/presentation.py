"""Presentation view: the window as a lecturer drives it from a keyboard on a projector.

Docks, menus and bars go; type and lines grow by one factor (`--scale`, 1.6 by default); a
caption bar carries the scene's title and text; keys step through scenes and animations (their
table, and the help's lines, are gui/actions.py's)."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QApplication, QLabel

from gui.actions import help_rows
from gui.idle import Later

DEFAULT_SCALE = 1.6


@contextlib.contextmanager
def _settled():
    """What the block changes settles when it ends: the type's new size reaches every widget and
    the window lays itself out, once. Left to the event loop, they came after the first paint,
    and each relayout resized and repainted the plots again (five paints of the window to leave
    the presentation view)."""
    try:
        yield
    finally:
        for kind in (QEvent.Type.ApplicationFontChange, QEvent.Type.LayoutRequest):
            QCoreApplication.sendPostedEvents(None, kind)


def help_html(scale: float) -> str:
    rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in help_rows())
    return f"<div style='font-size:{round(13 * scale)}pt'><h2>Keys</h2><table>{rows}</table></div>"


class Presentation(QObject):
    """`keys`: the presentation view's own actions (gui/actions.py), on only while it shows."""

    def __init__(self, win, keys: list[QAction], scale: float = DEFAULT_SCALE):
        super().__init__(win)
        self.win = win
        self.scale = scale
        self.shortcuts = keys
        self._saved: dict = {}
        self.help = QLabel(win)
        self.help.setStyleSheet(
            "background: rgba(20,20,20,225); color: white; padding: 24px; border-radius: 10px;"
        )
        self.help.hide()
        self._back = Later(self._plots_back, self)  # see _plots_later

    @property
    def active(self) -> bool:
        return self.win.state.presentation

    def enter(self, full_screen: bool = True) -> None:
        if self.active:
            return
        win = self.win
        win.state.presentation = True
        app = QApplication.instance()
        self._saved = {
            "state": win.saveState(),
            "font": QFont(app.font()),
            "maximized": win.isMaximized(),
        }
        for sc in self.shortcuts:  # first: Esc leaves whatever happens below
            sc.setEnabled(True)
        win.stack.hide()  # the plots come at their new scale a turn later (_plots_back)
        with _settled():
            for dock in win.docks.values():
                dock.hide()
            win.compare_bar.hide()
            win.menuBar().hide()
            win.statusBar().hide()
            font = QFont(app.font())
            font.setPointSizeF(font.pointSizeF() * self.scale)
            app.setFont(font)
            win.caption_bar.set_scale(self.scale)
            win.caption_bar.show()
            if full_screen:
                win.showFullScreen()
        self._plots_later(self.scale)

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
        win.stack.hide()  # the plots come back at their scale a turn later (_plots_back)
        with _settled():
            QApplication.instance().setFont(self._saved["font"])
            win.caption_bar.set_scale(1.0)
            win.caption_bar.setVisible(win.scene is not None)
            win.menuBar().show()
            win.statusBar().show()
            win.compare_bar.show()
            win.restoreState(self._saved["state"])
            win.showNormal()
            if self._saved["maximized"]:
                win.showMaximized()
        self._plots_later(1.0)

    @property
    def settling(self) -> bool:
        """The plots are still to come back at their scale (see _plots_later)."""
        return self._back.isActive()

    def _plots_later(self, scale: float) -> None:
        """The plots (hidden) take `scale` now and show it once the event loop has caught up
        with the window's own change and paint (gui/idle.py): in one turn, the new type, bars
        and docks, the plots restyled and the paint of all took 80-100 ms of CPU either way."""
        self.win.central.set_scale(scale)
        self._back.start()

    def _plots_back(self) -> None:
        """The plots at their scale, shown: one resize, one paint (shown whatever happens:
        hidden plots would leave the room looking at an empty window)."""
        try:
            self.win.set_view_scale(self.win.grid.scale)
        finally:
            self.win.stack.show()

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
