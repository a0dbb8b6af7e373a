"""Abandoning a frame between layers, once a newer config is waiting.

A frame of a deep or wide net takes seconds (a 37 × 2048 batch-1000 frame: 16.6 s, issue 17), and
the window wants only the newest config's picture: the layer loops (weights drawn, forward,
backward, statistics) call `point()`, which raises Cancelled when the thread's check says so.
The check is the caller's (core/serve.py reads a pipe, gui/engine.py an event); it is
thread-local, so the training thread and the helper thread (core/parallel.py) are never stopped
by a frame's check, and a run with no check pays one attribute look-up a layer.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


class Cancelled(Exception):
    """A newer config is waiting: this frame was abandoned part-way (its buffers hold a mix of
    two configs, which the next frame overwrites before reading)."""


_local = threading.local()


@contextlib.contextmanager
def checked(check: Callable[[], bool] | None) -> Iterator[None]:
    """Within the block, point() on this thread raises Cancelled once check() is true."""
    before = getattr(_local, "check", None)
    _local.check = check
    try:
        yield
    finally:
        _local.check = before


def point() -> None:
    check = getattr(_local, "check", None)
    if check is not None and check():
        raise Cancelled
