"""What the window's two engines share: a worker thread running the engine's loop, the condition
the UI thread and that loop meet on, and a stop that waits for the loop to end.

gui/engine.py turns configs into snapshots, gui/training_engine.py trains; each writes only its
`_loop` (the worker's side) and the commands the UI thread gives it. Nothing here touches a widget.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread


class _Thread(QThread):
    def __init__(self, engine: WorkerEngine):
        super().__init__()
        self._engine = engine

    def run(self) -> None:
        self._engine._loop()


class WorkerEngine(QObject):
    """Subclasses set up their own state, then call `start()`; `_loop` runs on the worker until
    it sees `_stop` (read and written under `_cond`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._stop = False
        self._thread = _Thread(self)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:  # the worker's side: wait on _cond, return once _stop is set
        raise NotImplementedError

    def stop(self) -> None:
        """Ask the loop to end and wait for it (a frame in progress ends at its next check)."""
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.wait()

    @property
    def stopped(self) -> bool:
        """The worker thread has ended (after stop())."""
        return self._thread.isFinished()
