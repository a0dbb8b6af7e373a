"""The window's freed memory handed back to the system.

glibc keeps what the window frees in its heap for later use, and the pages of a view freed while
a net is shallow (the overview's heatmaps, the detail grid, spare panels of the layer grid) stayed
in the window's RSS: that is what a return to the same config looked like a leak in (issue 17's
soak, +14% over 500 changes). `give_back_later` returns whole free pages (malloc_trim) in an
event-loop turn of its own once a view has let such things go; its cost is about 0.2 ms of CPU,
a few ms when there is much to return. Elsewhere than glibc it does nothing.

`delete_later` frees Qt objects (a pool's spare panels) one an idle turn: each PlotItem took
5-13 ms to delete, and a scene switch's deleteLater ran six of them back to back with the new
frame's paint, one stall (issue 17's item 6). The memory goes back after the last.
"""

from __future__ import annotations

import ctypes
import functools

import shiboken6
from PySide6.QtCore import QCoreApplication

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
        _pending = Later(give_back, app)
    _pending.start()
