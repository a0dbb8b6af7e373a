"""One helper thread beside the caller's, for the frame's memory-bound NumPy passes.

NumPy releases the GIL inside its loops and BLAS calls, so a second thread streams a second core.
After the last matmul the BLAS threads sleep (gui/__init__.py cuts OpenBLAS's idle spin), which
leaves that core for half of the layers' statistics. (Halving φ(h), φ'(h) and δ between matmuls
too was measured and did not pay: 0.1–0.2 ms passes, and the hand-over eats the gain.) Jobs on the
helper never wait on one another, so callers on several threads may share it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from core import stats

ENABLED = (os.cpu_count() or 1) > 1
SCRATCH = stats.Scratch()  # used only on the helper thread
_pool: ThreadPoolExecutor | None = None


class BlasGuard:
    """OpenBLAS reallocates its threads' buffers when their count grows, under a matmul another
    thread is in (a training step beside frames made on the engine's thread segfaulted in
    np.matmul in CI). Training steps and the canvas's probes use BLAS side by side (`shared`:
    the window's training, a probe's run); a change of the count is made only while none is in
    one (`change`), and never waited for: a frame that finds one running keeps its count.
    Before, one lock held steps apart and a change waited on it: a probe's run on a wide net held
    it for seconds, the window's training and a frame made on the window's thread with it
    (issue 17)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self.count: int | None = None  # OpenBLAS's thread count, once a change has read or set it

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._lock:
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1

    def change(self, count: int, fn: Callable[[int], object]) -> bool:
        """fn(count) (setting OpenBLAS's thread count) if no step is in its BLAS calls (none
        starts meanwhile), then `count` is the process's; False if one is."""
        with self._lock:
            if self._users:
                return False
            fn(count)
            self.count = count
            return True

    @property
    def in_use(self) -> bool:
        return self._users > 0


BLAS = BlasGuard()


def submit(fn, *args) -> Future:
    """fn(*args) on the helper thread; here, once the interpreter is exiting (its executors take
    no more work then, and a worker thread may still be finishing a frame)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(1, thread_name_prefix="initscope-helper")
    try:
        return _pool.submit(fn, *args)
    except RuntimeError:
        done: Future = Future()
        done.set_result(fn(*args))
        return done


def halves(fn, items: list, scratch: stats.Scratch, parallel: bool = ENABLED) -> list:
    """[fn(item, scratch) …], with `parallel` every other item on the helper thread (with its own
    scratch) and the rest here."""
    if not parallel or len(items) < 2:
        return [fn(item, scratch) for item in items]
    job = submit(lambda: [fn(item, SCRATCH) for item in items[1::2]])
    mine = [fn(item, scratch) for item in items[0::2]]
    out = [None] * len(items)
    out[0::2], out[1::2] = mine, job.result()
    return out
