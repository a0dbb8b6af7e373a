"""Work left for later that must not run back to back with what asked for it.

A zero-delay QTimer started while the event loop works through a run of posted events (a click,
then the layouts and paints it causes) fires as soon as that run ends, ahead of timers that
came due during it and of input: the two runs were one stall (issue 17). `Later` waits until the
event loop is about to wait for events, that is until everything due has been handled, then
runs its work in a timer turn of its own. A loop that never waits (a script pumping
processEvents) gets it after FALLBACK_MS all the same.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractEventDispatcher, QObject, QTimer

FALLBACK_MS = 50


class Later(QObject):
    def __init__(self, work: Callable[[], None], parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._work)
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.setInterval(FALLBACK_MS)
        self._fallback.timeout.connect(self._caught_up)

    def start(self) -> None:
        """Run the work once the event loop has caught up (again, if it was already due)."""
        self._timer.stop()
        if not self._armed:
            self._armed = True
            QAbstractEventDispatcher.instance().aboutToBlock.connect(self._caught_up)
            self._fallback.start()

    def stop(self) -> None:
        self._timer.stop()
        self._disarm()

    def isActive(self) -> bool:
        return self._armed or self._timer.isActive()

    def _caught_up(self) -> None:
        self._disarm()
        self._timer.start()  # wakes the loop at once: the work is its next turn

    def _disarm(self) -> None:
        self._fallback.stop()
        if self._armed:
            self._armed = False
            QAbstractEventDispatcher.instance().aboutToBlock.disconnect(self._caught_up)
