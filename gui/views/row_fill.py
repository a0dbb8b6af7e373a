"""A newly placed shape's first frame, shown a row a turn, painted once the last row is.

The layer grid placed a new shape's panels and showed the frame on them in one turn. A panel's
first show is its costly one (its title, notes and B curve made, each range set for the first
time): at the first A/B scene of a fresh window, 30 panels never shown before, that turn took
47-104 ms, over issue 17's 100 ms (2026-12-06, session 17, benchmarks/README.md). Here placing
is a turn, then each row is one, and the views' paint is held across them all
(gui/paint_later.py), so the room never sees a grid filled in part.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from gui import paint_later
from gui.idle import Later


class RowFill(QObject):
    def __init__(self, view: QWidget, show_row: Callable[[str], None], done: Callable[[], None]):
        super().__init__(view)
        self._view, self._show_row, self._done = view, show_row, done
        self._rows: list[str] = []
        self._later = Later(self._next, self)  # a turn of its own each (gui/idle.py)

    @property
    def active(self) -> bool:
        """Rows are still to show."""
        return self._later.isActive()

    def start(self, rows: tuple[str, ...]) -> None:
        """Show `rows` a turn each from the next idle turn on, then call `done`."""
        self._rows = list(rows)
        self._later.start()
        paint_later.hold(self._view, last=True)

    def stop(self) -> bool:
        """No more rows (the caller shows the frame itself); whether some were still to show."""
        was = self.active
        self._later.stop()
        self._rows = []
        return was

    def _next(self) -> None:
        if self._rows:
            self._show_row(self._rows.pop(0))
        if self._rows:
            self._later.start()
            paint_later.hold(self._view, last=True)  # not painted before the last row is in
        else:
            self._done()
