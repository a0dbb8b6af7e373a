"""One helper thread beside the caller's, for the frame's memory-bound NumPy passes.

NumPy releases the GIL inside its loops and BLAS calls, so a second thread streams a second core.
After the last matmul the BLAS threads sleep (gui/__init__.py cuts OpenBLAS's idle spin), which
leaves that core for half of the layers' statistics. (Halving φ(h), φ'(h) and δ between matmuls
too was measured and did not pay: 0.1–0.2 ms passes, and the hand-over eats the gain.) Jobs on the
helper never wait on one another, so callers on several threads may share it.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from core import stats

ENABLED = (os.cpu_count() or 1) > 1
SCRATCH = stats.Scratch()  # used only on the helper thread
# Held to change OpenBLAS's thread count and by a training step's BLAS calls: OpenBLAS
# reallocates its threads' buffers when the count grows, under a matmul another thread is in
# (a training step beside frames made on the engine's thread segfaulted in np.matmul in CI).
BLAS_LOCK = threading.Lock()
_pool: ThreadPoolExecutor | None = None


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
