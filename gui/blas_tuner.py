"""How many BLAS threads a frame runs with: measured per machine and load, not guessed.

gui/engine.py asks for a count per frame (BlasTuner.choose) and teaches the tuner each frame's
cost; a drag's frames have a tuner of their own on one count (drag_blas).
"""

from __future__ import annotations

import os
import statistics
import sys
from collections import deque


def blas_counts() -> tuple[int, ...]:
    """The BLAS thread counts the engine chooses between: all cores but one, and all cores, or
    the one INITSCOPE_BLAS_THREADS names. One fewer comes first: the first frame computes while
    the UI thread builds the panels (show → first frame 280–350 ms, against 400–450 ms)."""
    cores = os.cpu_count() or 1
    default = tuple(dict.fromkeys((max(1, cores - 1), cores)))
    raw = os.environ.get("INITSCOPE_BLAS_THREADS", "")
    if raw.isdigit() and int(raw) > 0:
        return (int(raw),)
    if raw:
        print(
            f"warning: INITSCOPE_BLAS_THREADS={raw!r} is not a positive whole number; "
            "choosing by measurement",
            file=sys.stderr,
        )
    return default


class BlasTuner:
    """The BLAS thread count, measured rather than guessed. On a quiet 2-core machine all cores
    are fastest (a canonical frame in the window: 165 ms against 241 with one); when other work
    shares the cores, OpenBLAS threads stall at every barrier and one fewer wins (a step took
    554 ms with 2 threads, 212 with 1). Each frame's compute time per unit of work is kept per
    count; each count runs WARM frames in turn, then the cheaper one runs, and every PROBE-th
    frame tries the other, so the choice follows the machine's load. In the window's benchmark a
    single inflated first cost kept a sweep on 1 thread: 172 ms a frame against 137 on 2."""

    PROBE = 16
    KEEP = 5  # the last costs of each count whose median decides
    WARM = 2  # costs of each count before the cheaper one is chosen: one can be an outlier
    # Frames of less matmul work than MIN_WORK, or whose layers' matmuls are smaller than
    # MIN_LAYER multiply-adds an example, are not costed by a tuner whose cost decides for other
    # nets (`every_frame` False, the engine's: how a new shape's first frame is cut): their
    # milliseconds are mostly the frame's own (the pipe, the theory, and statistics that grow
    # with the activations, not with the work), and divided by the work they read as 10 to 100
    # times the canonical net's cost (3e-9 s at depth 2 × 32, 3.4e-10 at 200 × 32, 2.2e-11 at
    # 10 × 500). After a few such frames a depth-10 × 256 net's first frame was cut into chunks
    # of 25-44 examples (issue 17's soak); by the 200 × 32 cost, first_chunk would cut the
    # canonical net's into chunks of 77-143. A drag's
    # tuner costs every frame: they are the dragged net's, whose own cost its batch must fit
    # (a 200 × 32 net's drag frame: 36-43 ms at 50 examples, 71-91 at 250).
    MIN_WORK = 1e8
    MIN_LAYER = 128 * 128

    def __init__(self, counts: tuple[int, ...], every_frame: bool = False):
        self.counts = counts
        self.every_frame = every_frame
        self.costs: dict[int, deque] = {n: deque(maxlen=self.KEEP) for n in counts}
        self.frames = 0

    def choose(self) -> int:
        self.frames += 1
        fewest = min(self.counts, key=lambda n: len(self.costs[n]))
        if len(self.costs[fewest]) < self.WARM:
            return fewest
        best = self.best()
        if len(self.counts) > 1 and self.frames % self.PROBE == 0:
            return next(n for n in self.counts if n != best)
        return best

    def best(self) -> int:
        tried = [n for n in self.counts if self.costs[n]]
        return min(tried, key=lambda n: statistics.median(self.costs[n])) if tried else 0

    def record(self, n: int, seconds: float, work: float, layer: float = MIN_LAYER) -> None:
        """`layer`: the frame's mean multiply-adds a layer an example (engine.layer_work)."""
        if work > 0 and (self.every_frame or (work >= self.MIN_WORK and layer >= self.MIN_LAYER)):
            self.costs[n].append(seconds / work)

    def cost(self) -> float | None:
        """Seconds per multiply-add at the best count, once it has KEEP frames (a first frame
        draws its noise and costs several times more); safe to read from another thread (a
        deque is copied in one step under the GIL)."""
        costs = [list(self.costs[n]) for n in self.counts]
        return min((statistics.median(c) for c in costs if len(c) >= self.KEEP), default=None)


def drag_blas() -> int:
    """BLAS threads for a drag frame: all cores but one, which is the UI's. A drag frame's small
    matmuls gain little from a second thread (batch 100: 29 ms with one or two), while the UI's
    paint, on a core the BLAS threads share, is what holds the frame rate (measured: 21.9 frames
    a second with one thread, 16–19.6 with two)."""
    return min(blas_counts())  # all cores but one, or the count INITSCOPE_BLAS_THREADS names
