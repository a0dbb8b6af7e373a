"""A frame computed a chunk of examples at a time, each chunk merged into what is shown (issue 23).

Why: a deep or wide net's frame on the whole batch takes seconds and holds every example's
activations at once (depth 200 × width 500 × batch 1000: 4.4 s, 2.2 GB). In chunks, the first
picture comes after one chunk, and memory holds the weights and one chunk's buffers.

What makes the refined frame equal to the one-shot frame: every example is run through the same
weights, drawn once; each chunk's input and output gradient are rows of the whole batch's draws;
the loss is per example, so a chunk's activations and gradients are the whole batch's rows, and
∂L/∂W, the batch mean, is the running mean of the chunks' (merged as each layer's backward ends).
Moments merge by counts, means and spreads (stats.merge_moments); histograms by counts, on ranges
fixed from the first chunk's moments, each chunk binning the rows the one-shot histogram samples
(stats.row_step). Every chunk has the same number of rows (the last one overlaps the one before
it, its repeated rows given no gradient and left out of the sums), so one net serves them all and
BLAS takes the same path for every chunk: rows computed in a chunk are the whole batch's bit for
bit wherever BLAS's result for a row does not depend on how many rows it multiplies (OpenBLAS:
when chunk × fan_in × fan_out is above its small-matrix cut of 100³). A data-dependent init
(LSUV) is calibrated on the first chunk. BatchNorm couples the examples: it is never chunked.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from core import cancel, fused, memory, parallel, stats
from core.batch_draws import BatchInput, batch_output
from core.config import Config
from core.inits import INITS
from core.measure import hist_ranges, layer_stats
from core.network import Dense
from core.residual import arch, init_extras
from core.simulate import Simulator, init_layer, lsuv_layer, needs_backward, run_joint

_NO_MOMENTS = stats.Moments(math.nan, math.nan, 0, 0)
_CHUNKED = ("preact", "act", "grad", "delta")  # per-example arrays, merged chunk by chunk


def spans(batch: int, size: int, rest: int | None = None) -> list[tuple[int, int, int]]:
    """(first row, first new row within it, rows) of each chunk: the first of `size` rows, the
    others of `rest` (default `size`); a chunk that would run past the batch's end ends there
    and overlaps the one before, so that the chunks after the first have one shape."""
    size = max(1, min(size, batch))
    rest = max(1, min(rest or size, batch))
    out = [(0, 0, size)]
    for g in range(size, batch, rest):
        start = min(g, batch - rest)
        out.append((start, g - start, rest))
    return out


def chunkable(configs: list[Config]) -> bool:
    """BatchNorm couples the examples; sides of different batches cannot share chunks."""
    return all(c.norm != "batch" for c in configs) and len({c.batch for c in configs}) == 1


@dataclass
class _Merged:
    """One layer's statistics over the examples seen so far."""

    moments: dict[str, stats.Moments]
    saturated: int  # φ' values below fused.SATURATED of their maximum
    counted: int  # φ' values seen
    dead: np.ndarray  # units whose φ' ≤ 1e-6 of its maximum on every example seen
    hists: dict[str, stats.Hist]


class _Side:
    """One config: its net of `size` examples, the whole batch's draws, what is merged so far.
    Its weights are drawn a layer at a time (draw_layer); `layerwise`, each layer is at once
    calibrated (LSUV) and run forward on the first chunk, so that the first layers can be shown
    while the others are drawn (a net of 50 M weights takes seconds to draw, issue 23)."""

    def __init__(self, sim: Simulator, c: Config, size: int, layerwise: bool):
        self.c, self.sim, self.layerwise = c, sim, layerwise
        self.net, self.bank = sim.draw(c, size, layers=False)  # the bank open until all drawn
        self.first = self.net  # the first chunk's; ∂L/∂W is summed in its units (Refinement.scale)
        self.x = BatchInput(self.bank, c)
        self.out: np.ndarray | None = None  # drawn with the last layer (batch_output)
        np.copyto(self.net.x, self.x[:size])
        self.drawn = 0  # layers drawn so far
        self._a = self.net.x  # the first chunk's input to the next layer (layerwise)
        self.forwarded = False  # the first chunk's forward pass is done (the next run skips it)
        largest = max(layer.wslot.array.size for layer in self.net.layers)  # (not formed)
        self.dw = np.empty(largest, self.net.dtype)  # each layer's chunk ∂L/∂W, in turn
        self.merged: list[_Merged] | None = None
        self.weights: list[stats.Moments] | None = None

    def draw_layer(self) -> None:
        """The next layer's weights (nothing once all are drawn); after the last, the extras
        (norms, skips), a whole net's calibration when not layerwise, and the bank closed."""
        if self.bank is None:
            return
        i, c = self.drawn, self.c
        layer = self.net.layers[i]
        with np.errstate(all="ignore"):
            init_layer(layer, i, self.bank, c)
            if self.layerwise:  # the same calls as Network.forward's (and _lsuv's), in turn
                fit = INITS[c.init].data_dependent
                self._a = lsuv_layer(layer, self._a) if fit else layer.forward(self._a)
            self.drawn += 1
            if self.drawn < len(self.net.layers):
                return
            init_extras(self.net, c)
            self.out = batch_output(self.bank, c)
            if not self.layerwise:
                self.sim.calibrate(self.net, c)
        self.forwarded, self._a = self.layerwise, None
        self.bank.end()
        self.bank = None

    def run(self, start: int, first: int, rows: int, backward: bool) -> None:
        """Forward (and backward) on `rows` rows from `start`; rows before `first` were seen in
        the chunks before: no gradient flows from them, so ∂L/∂W gets the new rows only."""
        if rows != self.net.batch:  # the later chunks' net, on the same weights (Simulator)
            self.net = self.sim.network(self.c.replace(batch=rows))
        net, size = self.net, rows
        with np.errstate(all="ignore"):
            if self.forwarded and start == 0 and net is self.first:  # done as it was drawn
                top, self.forwarded = net.layers[-1].a, False
            else:
                np.copyto(net.x, self.x[start : start + size])
                net.input_key = None  # net.x no longer holds one whole batch (core/simulate.py)
                top = net.forward()
            if not backward:
                return
            last = net.layers[-1]
            rows = self.out[start : start + size]
            if self.c.grad_source == "gaussian":
                np.copyto(last.grad_a, rows)
            else:  # mse against the targets
                np.subtract(top, rows, out=last.grad_a)
            last.grad_a[:first] = 0.0
            last.grad_key = None
            if start == 0 and net is self.first:
                net.backward(bias_grads=False)
            else:
                self._backward(size / self.first.batch)

    def _backward(self, k: float) -> None:
        """Each layer's ∂L/∂W of the chunk (its sum over the new rows / chunk size) is written
        into one scratch array and added, × k, to the layer's own: one pass over the weights a
        chunk. The layer's then holds the sum over the examples seen / the first chunk's size
        (Refinement.scale)."""
        layers = self.net.layers
        own = {id(layer): layer.dW for layer in layers}

        def fold(layer: Dense) -> None:
            chunk = layer.dW
            layer.dW = own[id(layer)]
            if k != 1.0:
                chunk *= k
            layer.dW += chunk

        for layer in layers:
            layer.dW = self.dw[: layer.W.size].reshape(layer.W.shape)
        try:
            self.net.backward(bias_grads=False, done=fold)
        finally:
            for layer in layers:
                layer.dW = own[id(layer)]


def _scaled(m: stats.Moments, k: float) -> stats.Moments:
    return stats.Moments(m.mean * k, m.std * k, m.nonfinite, m.size)


def measure_rows(layer: Dense, first: int, scratch, backward: bool) -> tuple:
    """A chunk's moments of the new rows, and its saturated count and dead units."""
    cancel.point()
    h, a, g, _ = layer.rows()
    arrays = {"preact": h, "act": a, "grad": g, "delta": layer.delta}
    m = {
        k: stats.moments(x[first:], scratch) if backward or k in ("preact", "act") else _NO_MOMENTS
        for k, x in arrays.items()
    }
    d, df_max = layer.dphi[first:], layer.act.df_max
    below = d < fused.SATURATED * df_max
    cols = np.flatnonzero(below.all(axis=0))
    dead = np.zeros(d.shape[1], np.bool_)
    if cols.size:
        dead[cols] = d[:, cols].max(axis=0) <= 1e-6 * df_max
    return m, int(np.count_nonzero(below)), d.size, dead


def _bin(layer: Dense, rows, ranges: dict, bins: int, span: tuple, total: int, scratch) -> dict:
    """The chunk's counts of the rows the whole batch's histogram samples (its new rows only)."""
    cancel.point()
    start, first, _ = span
    h, a, g, _ = layer.rows()
    arrays = {"preact": h, "act": a, "grad": g}
    out = {}
    for r in (r for r in rows if r in arrays):
        x = arrays[r]
        step = stats.row_step(total, x.shape[1])
        at = -(-(start + first) // step) * step - start  # the first sampled row of the batch here
        out[r] = stats.rows_histogram(x, at, step, *ranges[r], bins, scratch)
    return out


class Refinement:
    """A frame of `configs` (an A/B pair shares chunks and histogram ranges) refined chunk by
    chunk: each step() runs the next chunk and returns the snapshots of every example so far.
    The weights are drawn by draw() or the first step (cancel.point() between layers)."""

    def __init__(
        self, sims: list[Simulator], configs: list[Config], rows, size: int, rest: int | None = None
    ):
        """`size` examples in the first chunk, `rest` in each of the others (default `size`;
        kept at `size` for a net with norms or skips, whose extras are set on one net)."""
        t0 = time.perf_counter()
        self.configs, self.rows = list(configs), tuple(rows)
        self.backward = needs_backward(self.rows)
        self.total = configs[0].batch
        if any(arch(c) is not None for c in configs):
            rest = size
        self.spans = spans(self.total, size, rest)
        size = min(size, self.total)
        layerwise = all(arch(c) is None for c in configs)  # a plain net runs a layer at a time
        self.sides = [_Side(sim, c, size, layerwise) for sim, c in zip(sims, configs, strict=True)]
        self.scratch = sims[0].scratch
        self.seen = 0  # examples merged so far: the chunks' new rows are contiguous
        self.ranges: list[list[dict]] | None = None  # per side and layer, from the first chunk
        self._scale: float | None = None  # set once ∂L/∂W holds the batch mean
        self.seconds = time.perf_counter() - t0

    @property
    def done(self) -> bool:
        return self.seen >= self.total

    @property
    def drawing(self) -> bool:
        """Some side's weights are still being drawn."""
        return any(side.bank is not None for side in self.sides)

    def draw(self, until: float = math.inf) -> None:
        """Draw the weights, a layer of every side in turn, until all are drawn or the clock
        (time.perf_counter) passes `until`; a plain net's first chunk runs forward as it goes
        (core/preview.py shows those layers)."""
        t0 = time.perf_counter()
        while self.drawing:
            cancel.point()
            for side in self.sides:
                side.draw_layer()
            if time.perf_counter() >= until:
                break
        self.seconds += time.perf_counter() - t0

    def step(self, show: bool = True) -> tuple[stats.Snapshot, ...]:
        """The next chunk, merged: the snapshots of the examples seen so far (with `show`; else
        none, and none of their ∂L/∂W statistics' pass over every weight)."""
        self.draw()
        cancel.point()
        t0 = time.perf_counter()
        span = next(sp for sp in self.spans if sp[0] + sp[1] == self.seen)
        for side in self.sides:
            side.run(*span, self.backward)
        items = [(side, i, layer) for side in self.sides for i, layer in enumerate(side.net.layers)]
        with np.errstate(all="ignore"):
            got = parallel.halves(
                lambda it, sc: measure_rows(it[2], span[1], sc, self.backward), items, self.scratch
            )
            self.seen = span[0] + span[2]
            self._merge(items, got)
            if self.done and self.backward:  # ∂L/∂W, the batch mean, as a frame's (Dense)
                for side in self.sides:
                    for layer in side.net.layers:
                        layer.dW *= self.scale
                self.scale = 1.0
            if self.ranges is None:
                self.ranges = self._first_ranges()
            self._bin_all(items, span)
            snaps = [self._snapshot(side) for side in self.sides] if show else []
        self.seconds += time.perf_counter() - t0
        return tuple(snaps)

    def _merge(self, items: list, got: list) -> None:
        for side in self.sides:
            if side.merged is None:
                side.merged = [None] * len(side.net.layers)
        for (side, i, _), (m, saturated, counted, dead) in zip(items, got, strict=True):
            old = side.merged[i]
            if old is None:
                side.merged[i] = _Merged(m, saturated, counted, dead, {})
                continue
            old.moments = {k: stats.merge_moments(old.moments[k], m[k]) for k in m}
            old.saturated += saturated
            old.counted += counted
            old.dead &= dead

    @property
    def scale(self) -> float:
        """What each layer's dW is multiplied by to be ∂L/∂W over the examples seen."""
        return self._scale if self._scale is not None else self.sides[0].first.batch / self.seen

    @scale.setter
    def scale(self, k: float) -> None:
        self._scale = k

    def _wgrad(self, side: _Side) -> list[stats.Moments]:
        if not self.backward:
            return [_NO_MOMENTS] * len(side.net.layers)
        k = self.scale
        return [_scaled(stats.moments(layer.dW, self.scratch), k) for layer in side.net.layers]

    def _first_ranges(self) -> list[list[dict]]:
        """The histogram ranges of the whole refinement, from the first chunk's moments (with
        the first chunk's ∂L/∂W: wider than the batch's, whose noise averages down)."""
        for side in self.sides:
            side.weights = [stats.moments(layer.W, self.scratch) for layer in side.net.layers]
        moments = [
            [m.moments | {"wgrad": w} for m, w in zip(side.merged, self._wgrad(side), strict=True)]
            for side in self.sides
        ]
        return hist_ranges([s.net for s in self.sides], self.configs, moments)

    def _bin_all(self, items: list, span: tuple) -> None:
        flat = [r for side in self.ranges for r in side]
        bins = [
            c.bins
            for side, c in zip(self.sides, self.configs, strict=True)
            for _ in side.net.layers
        ]
        hists = parallel.halves(
            lambda it, sc: _bin(it[0][2], self.rows, it[1], it[2], span, self.total, sc),
            list(zip(items, flat, bins, strict=True)),
            self.scratch,
        )
        for (side, i, _), got in zip(items, hists, strict=True):
            m = side.merged[i]
            m.hists = {
                r: stats.merge_hists(m.hists[r], h) if r in m.hists else h for r, h in got.items()
            }

    def _snapshot(self, side: _Side) -> stats.Snapshot:
        c = side.c
        layers = []
        ranges = self.ranges[self.sides.index(side)]
        for i, (layer, merged, w, wgrad) in enumerate(
            zip(side.net.layers, side.merged, side.weights, self._wgrad(side), strict=True)
        ):
            m = merged.moments | {"W": w, "wgrad": wgrad}
            hists = dict(merged.hists)
            if "wgrad" in self.rows:
                lo, hi = ranges[i]["wgrad"]
                k = self.scale  # the sums' histogram on the range scaled back
                h = stats.histogram(layer.dW, lo / k, hi / k, c.bins, self.scratch, True)
                # log₁₀|x| of the mean, not of the sums (without one, the log axis drew nothing)
                log = h.log if k == 1.0 else stats.log_of(layer.dW, k)
                hists["wgrad"] = stats.Hist(
                    lo, hi, h.counts, h.underflow, h.overflow, h.sampled, log
                )
            hists = {r: hists[r] for r in self.rows if r in hists}
            saturated = merged.saturated / max(merged.counted, 1)
            dead = np.count_nonzero(merged.dead) / len(merged.dead)
            layers.append(layer_stats(i, layer, m, hists, saturated, dead, c, self.scratch))
        return stats.Snapshot(c, tuple(layers), self.seconds * 1e3, self.seen)


def run(sims: list[Simulator], configs: list[Config], rows=stats.ROWS, size: int | None = None):
    """Snapshots of `configs` on the whole batch, `size` examples at a time (None: as many as
    the memory limit lets a frame hold, core/memory.py); one-shot when that is the batch."""
    if size is None:
        size = min(memory.largest_chunk(c) for c in configs)
    if size >= max(c.batch for c in configs) or not chunkable(configs):
        return run_joint(sims, list(configs), rows)
    refinement = Refinement(sims, list(configs), rows, size)
    while not refinement.done:
        snaps = refinement.step(show=refinement.seen + size >= refinement.total)
    return snaps
