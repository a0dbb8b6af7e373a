"""The probes' worker: the c-map, the Jacobian's spectrum and the seed spread, off the UI thread.

A probe costs more than a frame (core/probe_frame.py), so it runs on a worker of its own, one slot
per asking view: the newest request of a view replaces its older one (a drag's configs cost one
probe, never a backlog). Answers cross to the UI thread through a queued signal, tagged with the
asking view's key; the view drops an answer for a config it no longer shows.
"""

from __future__ import annotations

import atexit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication

from core import cancel, parallel, probe_frame
from core.config import Config
from core.simulate import Simulator
from gui.workers import WorkerEngine


class ProbeService(WorkerEngine):
    ready = Signal(object, object)  # (key, ProbeResult)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pending: dict[object, tuple] = {}
        self._sim = Simulator()
        self.answered = 0

    def request(self, key, config: Config, kind: str, params: tuple) -> None:
        with self._cond:
            self._pending[key] = (config, kind, params)
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                key = next(iter(self._pending))
                config, kind, params = self._pending.pop(key)
            try:
                result = self._make(key, config, kind, params)
            except cancel.Cancelled:
                continue
            self.answered += 1
            self.ready.emit(key, result)

    def _make(self, key, config: Config, kind: str, params: tuple):
        """Abandoned (between layers, or a symmetry run's steps) once its view asks again or the
        app quits: a symmetry run on a wide net takes seconds, and the newest config's answer
        waited behind it. Its matmuls are a training step's to OpenBLAS: the thread count is not
        changed under them (core/parallel.py BlasGuard)."""
        try:
            with cancel.checked(lambda: key in self._pending or self._stop), parallel.BLAS.shared():
                return probe_frame.make(config, kind, params, self._sim)
        finally:
            self._sim.release()  # a probe's net is not kept: the window's compute has its own


_service: ProbeService | None = None


def service() -> ProbeService:
    """The one probe worker of the application, started on first use and stopped on quit."""
    global _service
    if _service is None:
        app = QApplication.instance()
        _service = ProbeService(app)
        _service.start()
        app.aboutToQuit.connect(_stop)
        atexit.register(_stop)  # a test session ends without aboutToQuit
    return _service


def _stop() -> None:
    global _service
    if _service is not None:
        _service.stop()
        _service = None
