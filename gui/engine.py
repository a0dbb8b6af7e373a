"""The worker that turns configs into snapshots off the UI thread.

The UI hands over configs as fast as the hand moves; the worker computes only the newest one
(one slot, not a queue), so a burst of slider events costs one frame, never a backlog. Snapshots
are immutable and cross to the UI thread through a queued signal; no widget is touched here.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from core import Config, ConfigError, Simulator, Snapshot, theory
from core.simulate import run_joint
from core.stats import ROWS

_blas = None  # (threads, the threadpoolctl limit kept alive)


def limit_blas_threads() -> int:
    """Leave one core to the UI thread: OpenBLAS threads that share the cores with painting stall
    at every barrier (measured on 2 cores: a 10 × 500 × 1000 step took 554 ms with 2 threads while
    other work ran, 212 ms with 1). Global and applied once; returns the BLAS thread count."""
    global _blas
    if _blas is None:
        from threadpoolctl import threadpool_limits

        n = _blas_policy()
        _blas = (n, threadpool_limits(limits=n, user_api="blas"))
    return _blas[0]


def _blas_policy() -> int:
    default = max(1, (os.cpu_count() or 1) - 1)
    raw = os.environ.get("INITSCOPE_BLAS_THREADS", "")
    if raw.isdigit() and int(raw) > 0:  # e.g. 2 on a quiet 2-core machine (+10–35%)
        return int(raw)
    if raw:
        print(
            f"warning: INITSCOPE_BLAS_THREADS={raw!r} is not a positive whole number; "
            f"using {default}",
            file=sys.stderr,
        )
    return default


class _Worker(QThread):
    def __init__(self, engine: Engine):
        super().__init__()
        self._engine = engine

    def run(self):
        self._engine._loop()


class Engine(QObject):
    """submit(config[, compare]) from the UI thread; snapshot_ready(a, b) comes back on it, b being
    None unless a comparison config was given (then both share histogram ranges)."""

    snapshot_ready = Signal(object, object)
    theory_ready = Signal(object)  # a Theory for the A snapshot, emitted just before it
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._pending: tuple[Config, Config | None, tuple[str, ...]] | None = None
        self._stop = False
        self._busy = False
        self.blas_threads = limit_blas_threads()
        spare = self.blas_threads < (os.cpu_count() or 1)  # a core BLAS leaves to the UI
        self._sims = (Simulator(prefetch=spare), Simulator(prefetch=spare))
        self.frames = 0  # snapshots delivered, for tests and the fps counter
        self._thread = _Worker(self)
        self._thread.start()

    def submit(
        self, config: Config, compare: Config | None = None, rows: tuple[str, ...] = ROWS
    ) -> None:
        """Replace whatever is waiting: the newest config wins. `rows`: the histograms the
        views show (without a gradient row the backward pass is skipped)."""
        with self._cond:
            self._pending = (config, compare, tuple(rows))
            self._cond.notify()

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and not self._busy

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.wait()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                job, self._pending = self._pending, None
                self._busy = True
            try:
                snaps = self._compute(job)
            finally:
                with self._cond:
                    self._busy = False
            if snaps is not None:
                self.frames += 1
                # theory first: emitted after the frame, it crashed the interpreter at exit
                # now and then (a self-test quitting at its first frame, 3 runs in 12)
                self.theory_ready.emit(_theory(snaps[0]))
                self.snapshot_ready.emit(snaps[0], snaps[1] if len(snaps) > 1 else None)

    def _compute(self, job) -> tuple[Snapshot, ...] | None:
        *sides, rows = job
        configs = [c for c in sides if c is not None]
        try:
            return run_joint(list(self._sims[: len(configs)]), configs, rows)
        except (ConfigError, MemoryError) as e:
            self.failed.emit(f"cannot compute this configuration: {e}")
        except Exception as e:  # a bug: show it and keep the window alive, with the trace on stderr
            traceback.print_exc()
            self.failed.emit(f"internal error ({type(e).__name__}: {e}); the last frame is kept")
        return None


@dataclass(frozen=True)
class Theory:
    """Mean-field predictions for one snapshot, ready to draw: the prediction (None where mean
    field does not apply) and, per (row, layer), a curve in the panels' units (share per bin)."""

    config: Config
    prediction: theory.Prediction | None
    curves: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]


def _theory(snap: Snapshot) -> Theory:
    try:
        pred = theory.predict(snap.config)
    except (ValueError, ArithmeticError):  # a corner the quadrature cannot reach: draw no theory
        pred = None
    curves = {}
    if pred is not None:
        with np.errstate(all="ignore"):
            for s in snap.layers:
                for row in {"preact", "act", "grad"} & s.hists.keys():
                    h = s.hists[row]
                    x, p = theory.density(pred, s.index, row)
                    inside = (x >= h.lo) & (x <= h.hi) & np.isfinite(p)
                    width = (h.hi - h.lo) / len(h.counts)
                    curves[(row, s.index)] = (x[inside], p[inside] * width)
    return Theory(snap.config, pred, curves)
