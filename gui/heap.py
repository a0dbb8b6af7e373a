"""The window's freed memory handed back to the system.

glibc keeps what the window frees in its heap for later use, and the pages of a view freed while
a net is shallow (the overview's heatmaps, the detail grid, spare panels of the layer grid) stayed
in the window's RSS: that is what a return to the same config looked like a leak in (issue 17's
soak, +14% over 500 changes). `give_back_later` returns whole free pages (malloc_trim) in an
event-loop turn of its own once a view has let such things go; its cost is about 0.2 ms of CPU,
a few ms when there is much to return. Elsewhere than glibc it does nothing.

`trim_when_quiet` gives back once no new frame has been shown for core.memory.QUIET_S, as the
compute process does: what a frame's views free (titles laid out anew, curves' arrays, a
snapshot's) stayed resident until some view was deleted. At issue 17's soak's samples (the same
picture, the same bytes in use) the window's RSS was up to 2.3 MiB over what a trim left, and
its highest sample +5.3-5.4% of the start; +3.4-4.4% with this (benchmarks/README.md, session 22).

`delete_later` frees Qt objects (a pool's spare panels) one an idle turn: each PlotItem took
5-13 ms to delete, and a scene switch's deleteLater ran six of them back to back with the new
frame's paint, one stall (issue 17's item 6). The memory goes back after the last.
"""

from __future__ import annotations

import ctypes
import functools

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, SignalInstance

from core.memory import QUIET_S
from gui.idle import Later


@functools.cache
def _trim():
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:  # no C library to ask (not glibc): nothing to hand back this way
        return None


def give_back() -> bool:
    """Free heap pages back to the system now; False where that cannot be done."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True


def trim_when_quiet(shown: SignalInstance, parent: QObject) -> QTimer:
    """give_back_later once `shown` (a frame presented) has not fired for QUIET_S: restarted by
    every frame, so that frames closer than that (core/memory.py) do not each pay the trim; in a
    turn of its own (give_back_later), not back to back with a paint."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(round(QUIET_S * 1000))
    timer.timeout.connect(give_back_later)
    shown.connect(lambda *_: timer.start())  # restarted by every frame
    return timer


_pending: Later | None = None


_doomed: list = []
_reaper: Later | None = None


def delete_later(obj) -> None:
    """Delete a Qt object no one uses any more (out of every scene and layout) in an idle turn
    of its own, one a turn; then the heap's free pages go back."""
    global _reaper
    app = QCoreApplication.instance()
    if app is None:
        shiboken6.delete(obj)
        return
    _doomed.append(obj)
    if _reaper is None or not shiboken6.isValid(_reaper):
        _reaper = Later(_delete_one, app)
    _reaper.start()


def _delete_one() -> None:
    while _doomed:
        obj = _doomed.pop(0)
        if shiboken6.isValid(obj):  # not gone with a parent meanwhile
            shiboken6.delete(obj)
            break
    if _doomed:
        _reaper.start()
    else:
        give_back_later()


def give_back_later() -> None:
    """give_back once the event loop has caught up (one turn for any number of asks)."""
    global _pending
    app = QCoreApplication.instance()
    if app is None:
        give_back()
        return
    if _pending is None or not shiboken6.isValid(_pending):  # a new application since
        _pending = Later(lambda: give_back(), app)  # looked up at each call (tests)
    _pending.start()
