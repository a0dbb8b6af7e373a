"""One frame of the window: the snapshots of its configs and the mean-field curves drawn over them.

The same FrameMaker runs in the compute process (core/serve.py) and, until that process is up or
if it fails, on the engine's thread; both answer with a Frame, so the window cannot tell them apart.
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core import cancel, chunks, memory, parallel, phase, prediction
from core.config import Config
from core.preview import Preview
from core.simulate import Simulator, run_joint
from core.stats import Snapshot

# after a refinement's first chunk (the frame budget's), the rest of the batch in this many: a
# chunk's costs beyond its matmuls (a pass over the weights) are paid a few times, not per budget
REFINEMENTS = 4
REFINE_EVERY_S = 0.25  # a refinement's frames: at most this often (its first and last always)
# a big plain net's first picture: the layers drawn (and run forward) in this much time, then
# more while the rest are drawn (core/preview.py), each after PREVIEW_GROWTH × the time so far
# (at least REFINE_EVERY_S): a few previews, each a pickle and a paint, in a draw of seconds
FIRST_PREVIEW_S = 0.06
PREVIEW_GROWTH = 1.0
# about a point a pixel across a panel: 401 made the 20 dashed curves 5 ms of the grid's paint
THEORY_POINTS = 161
# the window draws the curves over its grid of panels, which it shows up to this depth (beyond,
# heatmaps: gui/views/central.py): a depth-200 frame's 400 curves were 1 MB of its 1.9 MB pickle
# and 12-20 ms of its compute, for nothing drawn
CURVES_MAX_DEPTH = 12


@dataclass(frozen=True)
class Theory:
    """Mean-field predictions for one snapshot, ready to draw: the prediction (None where mean
    field does not apply) and, per (row, layer), a curve in the panels' units (share per bin)."""

    config: Config
    prediction: prediction.Prediction | None
    curves: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]
    phase: phase.PhaseGrid | None = None  # the phase diagram of the prediction's activation


@dataclass(frozen=True)
class Frame:
    snaps: tuple[Snapshot, ...]
    theory: Theory
    blas_threads: int
    seconds: float  # the snapshots' compute, which the engine's BLAS tuner learns from


class FrameMaker:
    """Keeps a Simulator per side (their buffers and noise live from frame to frame); a side
    the frames no longer show lets go of its own."""

    def __init__(self):
        self.sims = (Simulator(), Simulator())
        self._blas = None
        self._blas_threads = 0

    def make(
        self,
        configs: list[Config],
        rows: tuple[str, ...],
        blas: int,
        phase: bool,
        cancelled: Callable[[], bool] | None = None,
        chunk: int | None = None,
        partial: Callable[[Frame], None] | None = None,
    ) -> Frame:
        """Snapshots with `blas` BLAS threads; with `phase`, the theory's phase diagram too.
        Raises cancel.Cancelled between layers once `cancelled()` is true. With `chunk` fewer
        examples than the batch, or a batch the memory limit cannot hold at once, the frame is
        refined a chunk at a time (core/chunks.py): each merged frame but the last goes to
        `partial` as it is made (the same Theory for all: the histograms' ranges stay)."""
        self._set_blas(blas)
        for sim in self.sims[len(configs) :]:  # A/B turned off: B's net and noise go first
            sim.release()
        sims, configs = list(self.sims[: len(configs)]), list(configs)
        t0 = time.perf_counter()
        theory = None
        size = min([chunk or c.batch for c in configs] + [memory.largest_chunk(c) for c in configs])
        with cancel.checked(cancelled):
            if size >= max(c.batch for c in configs) or not chunks.chunkable(configs):
                snaps = run_joint(sims, configs, rows)
            else:
                fits = min(memory.largest_chunk(c) for c in configs)
                rest = -(-(max(c.batch for c in configs) - size) // REFINEMENTS)
                refinement = chunks.Refinement(sims, configs, rows, size, min(fits, rest))
                snaps, theory = _refine(refinement, phase, self._blas_threads, partial, t0)
        seconds = time.perf_counter() - t0
        return Frame(snaps, theory or theory_of(snaps[0], phase), self._blas_threads, seconds)

    def release(self) -> None:
        """Let go of every side's buffers (a maker that will not be asked again soon)."""
        for sim in self.sims:
            sim.release()

    def _set_blas(self, n: int) -> None:
        if self._blas is None:
            from threadpoolctl import ThreadpoolController

            self._blas = ThreadpoolController()
        guard = parallel.BLAS  # the count is the process's, whichever maker set it last
        if guard.count is None:
            blas = self._blas.select(user_api="blas").lib_controllers
            guard.count = max((c.num_threads for c in blas), default=1)
        # only a change, and never under a training step's matmul (core/parallel.py BlasGuard):
        # while one runs, this frame keeps the count it has
        if n != guard.count:
            guard.change(n, lambda n: self._blas.limit(limits=n, user_api="blas"))
        self._blas_threads = guard.count
        for sim in self.sims:  # a core BLAS leaves idle takes the moments
            sim.prefetch = self._blas_threads < (os.cpu_count() or 1)


def _refine(refinement: chunks.Refinement, phase: bool, blas: int, partial, t0: float):
    """The refinement's chunks; its first frame (without the theory), then one every
    REFINE_EVERY_S, to `partial` (a frame of a deep net is a pass over its weights, and a paint
    of the window's: each chunk's would slow both); the last frame and its theory returned.
    Before them, while the weights are drawn, the layers drawn so far (_preview)."""
    if partial is not None:
        _preview(refinement, blas, partial, t0)
    snaps = refinement.step()
    theory = None
    shown = -math.inf
    while True:
        now = time.perf_counter()
        if snaps and not refinement.done and partial is not None:
            # the first frame goes before its theory is made (at depth 200, 0.2-0.8 s)
            bare = Theory(snaps[0].config, None, {})
            partial(Frame(snaps, theory or bare, blas, now - t0))
            shown = now
        theory = theory or theory_of(snaps[0], phase)
        if refinement.done:
            return snaps, theory
        last = refinement.seen + refinement.sides[0].net.batch >= refinement.total
        snaps = refinement.step(show=last or now - shown >= REFINE_EVERY_S)


def _preview(refinement: chunks.Refinement, blas: int, partial, t0: float) -> None:
    """The weights drawn a layer at a time; the layers drawn so far go to `partial` after
    FIRST_PREVIEW_S, then spaced out (PREVIEW_GROWTH), until all are drawn."""
    preview = Preview(refinement)
    until = t0 + FIRST_PREVIEW_S
    while True:
        refinement.draw(until)
        if not refinement.drawing:
            return
        if preview.ready:
            snaps = preview.snapshots()
            bare = Theory(snaps[0].config, None, {})
            partial(Frame(snaps, bare, blas, time.perf_counter() - t0))
        now = time.perf_counter()
        until = now + max(REFINE_EVERY_S, PREVIEW_GROWTH * (now - t0))


def theory_of(snap: Snapshot, phase: bool = False) -> Theory:
    try:
        pred = prediction.predict(snap.config)
    except (ValueError, ArithmeticError):  # a corner the quadrature cannot reach: draw no theory
        pred = None
    curves = {}
    if pred is not None and snap.config.depth <= CURVES_MAX_DEPTH:
        with np.errstate(all="ignore"):
            for row in sorted({"preact", "act", "grad"} & snap.layers[0].hists.keys()):
                curves |= _curves(pred, snap, row)
    grid = None
    if pred is not None and phase:
        try:
            grid = phase_grid(pred.fixed.activation)
        except (ValueError, ArithmeticError):  # no diagram, rather than a dead worker
            grid = None
    return Theory(snap.config, pred, curves, grid)


def _curves(pred: prediction.Prediction, snap: Snapshot, row: str) -> dict:
    """One row's curves, every layer's density computed at once (prediction.densities)."""
    out, dens = {}, prediction.densities(pred, row, THEORY_POINTS)
    for s in snap.layers:
        x, p = dens[s.index - 1]
        h = s.hists[row]
        inside = (x >= h.lo) & (x <= h.hi) & np.isfinite(p)
        width = (h.hi - h.lo) / len(h.counts)
        out[(row, s.index)] = (x[inside], p[inside] * width)
    return out


@functools.lru_cache(maxsize=16)
def phase_grid(activation: str) -> phase.PhaseGrid:
    """Once per activation, off the UI thread: 35–290 ms that froze the window when the phase
    dock made it on the UI thread."""
    return phase.phase_grid(activation)
