"""Work left for later that must not run back to back with what asked for it.

A zero-delay QTimer started while the event loop works through a run of posted events (a click,
then the layouts and paints it causes) fires as soon as that run ends, ahead of timers that
came due during it and of input: the two runs were one stall (issue 17). `Later` waits until the
event loop is about to wait for events, that is until everything due has been handled, then
runs its work in a timer turn of its own. A loop that never waits (a script pumping
processEvents) gets it after FALLBACK_MS all the same.

One Later a turn: the Laters armed when the loop is about to wait go in the order they were
armed, the next one at the loop's next wait. Each started its timer at the same wait, so a
panel build's slice, the deep view's prebuild and the heap's trim ran back to back in one timer
pass (three 25-40 ms turns, one 100 ms stall of a scene switch).
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QAbstractEventDispatcher, QObject, QTimer

FALLBACK_MS = 50

_waiting: list[Later] = []  # armed, in the order they were: the first goes at the next wait
_listening = False


def _next_turn() -> None:
    """The loop is about to wait: the first armed Later gets this turn."""
    while _waiting:
        later = _waiting.pop(0)
        if shiboken6.isValid(later) and later._armed:
            later._caught_up()
            break
    if not _waiting:
        _listen(False)


def _listen(on: bool) -> None:
    global _listening
    if on != _listening:
        signal = QAbstractEventDispatcher.instance().aboutToBlock
        signal.connect(_next_turn) if on else signal.disconnect(_next_turn)
        _listening = on


def pending() -> bool:
    """Work is still waiting for its turn (a window settling after a change: benchmarks)."""
    return any(shiboken6.isValid(later) and later._armed for later in _waiting)


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

    def start(self, last: bool = False) -> None:
        """Run the work once the event loop has caught up (again, if it was already due); with
        `last`, after every Later armed so far, even if this one was armed before them."""
        self._timer.stop()
        if self._armed and last and _waiting[-1] is not self:
            _waiting.remove(self)
            _waiting.append(self)
        if not self._armed:
            self._armed = True
            _waiting.append(self)
            _listen(True)
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
            if self in _waiting:  # stopped, or its fallback came first
                _waiting.remove(self)
