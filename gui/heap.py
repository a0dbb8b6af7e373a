"""The window's freed memory handed back to the system.

glibc keeps what the window frees in its heap for later use, and the pages of a view freed while
a net is shallow (the overview's heatmaps, the detail grid, spare panels of the layer grid) stayed
in the window's RSS: that is what a return to the same config looked like a leak in (issue 17's
soak, +14% over 500 changes). `give_back_later` returns whole free pages (malloc_trim) in an
event-loop turn of its own once a view has let such things go; its cost is about 0.2 ms of CPU,
a few ms when there is much to return. Elsewhere than glibc it does nothing.
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
