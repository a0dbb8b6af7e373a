"""A prepared network → its per-layer statistics: moments of every array, then histograms on
ranges all sides agree on (an A/B pair overlays bin for bin).

Three ways the moments are taken, each named where it is chosen:
- inline (`INLINE`): on the caller's thread, after the passes;
- prefetched (`Prefetch`): on the helper thread (core/parallel.py) as each layer finishes, beside
  the next layer's matmul, when BLAS leaves a core idle;
- recorded (`core.fused.Recorder`): by the C kernels, as the passes write the arrays.
Either way, with `split`, the remaining per-layer work is shared with the helper thread.
"""

from __future__ import annotations

import itertools
import math
from concurrent.futures import Future

import numpy as np

from core import cancel, fused, parallel, stats, units, weights
from core.config import Config
from core.inits import INITS
from core.network import Dense, Network

GRADIENT_ROWS = {"grad", "wgrad"}
_NO_MOMENTS = stats.Moments(math.nan, math.nan, 0, 0)


class Prefetch:
    """Each layer's moments, taken on the helper thread as soon as the layer is final, so they run
    beside the BLAS thread's next matmul instead of after the last one (the window leaves BLAS a
    core short of the machine; this uses it while the UI is idle). Moments only read arrays that
    no later layer writes; measure_joint waits for their results."""

    def __init__(self):
        self._jobs: dict[tuple[int, str], Future] = {}
        self.saturation: dict = {}  # taken in _layer_stats (core.fused.Recorder has its own)

    def forward_done(self, layer: Dense) -> None:
        preact, act, _, _ = layer.rows()
        for key, a in (("preact", preact), ("act", act), ("W", layer.W)):
            self._put(layer, key, a)

    def backward_done(self, layer: Dense) -> None:
        _, _, grad, wgrad = layer.rows()
        for key, a in (("grad", grad), ("wgrad", wgrad), ("delta", layer.delta)):
            self._put(layer, key, a)

    def _put(self, layer: Dense, key: str, a: np.ndarray) -> None:
        self._jobs[(id(layer), key)] = parallel.submit(stats.moments, a, parallel.SCRATCH)

    def moments(self, layer: Dense, key: str, a: np.ndarray, scratch) -> stats.Moments:
        job = self._jobs.pop((id(layer), key), None)
        if job is not None:
            return job.result()
        return stats.moments(layer.W if key == "W" else a, scratch)  # (W formed if left k·base)


INLINE = Prefetch()  # given no job: every moment taken where it is asked for
MOMENT_KEYS = (*stats.ROWS, "W", "delta")  # the histogram rows, then the weights and ∂ℓ/∂h


def _layer_moments(layer: Dense, scratch, backward: bool, pre: Prefetch) -> dict:
    cancel.point()
    # W as stored: a small-batch frame may have left it as k·base, whose moments the Recorder
    # has without forming it (core/network.py Weights); any other reader forms it
    arrays = (*layer.rows(), layer.wslot.array, layer.delta)
    return {
        k: pre.moments(layer, k, a, scratch)
        if backward or k not in GRADIENT_ROWS | {"delta"}
        else _NO_MOMENTS
        for k, a in zip(MOMENT_KEYS, arrays, strict=True)
    }


def _histograms(batch: list, rows, scratch) -> list[dict[str, stats.Hist]]:
    """Each (i, layer, moments, ranges, config) item's histograms, their log parts binned
    together (stats.histograms)."""
    jobs, keys = [], []
    for k, (_, layer, m, ranges, c) in enumerate(batch):
        arrays = dict(zip(stats.ROWS, layer.rows(), strict=True))
        for r in rows:
            jobs.append((arrays[r], *ranges[r], m[r].nonfinite > 0))
            keys.append((k, r, c.bins))
    out: list[dict] = [{} for _ in batch]
    for bins in {b for _, _, b in keys}:  # one call a bin count (an A/B pair may differ)
        mine = [j for j, key in enumerate(keys) if key[2] == bins]
        got = stats.histograms([jobs[j] for j in mine], bins, scratch)
        for j, h in zip(mine, got, strict=True):
            k, r, _ = keys[j]
            out[k][r] = h
    return out


def hist_ranges(
    nets: list[Network], configs: list[Config], moments
) -> list[list[dict[str, tuple]]]:
    """Histogram ranges for every side and layer. Shared: one range per row over every layer of
    every side (what makes a collapse visible, and what lets A and B overlay in one panel).
    Layer: each layer its own, common to the sides at that depth."""
    acts = {layer.act for net in nets for layer in net.layers}
    lower, upper = {a.lower for a in acts}, {a.upper for a in acts}
    shared_bounds = (
        lower.pop() if len(lower) == 1 else None,
        upper.pop() if len(upper) == 1 else None,
    )
    everything = [m for side in moments for m in side]

    def ranges(pool, bounds) -> dict[str, tuple]:
        return {
            r: stats.row_range(
                [stats.spread(m[r]) for m in pool], *(bounds if r == "act" else (None, None))
            )
            for r in stats.ROWS
        }

    # one dict, every layer's (0.3 ms a frame less than a dict a layer)
    shared = (
        ranges(everything, shared_bounds) if "shared" in {c.hist_scale for c in configs} else {}
    )
    out = []
    for net, c in zip(nets, configs, strict=True):
        per_layer = []
        for i, layer in enumerate(net.layers):
            if c.hist_scale == "shared":
                per_layer.append(shared)
            else:
                pool = [side[i] for side in moments if i < len(side)]
                per_layer.append(ranges(pool, (layer.act.lower, layer.act.upper)))
        out.append(per_layer)
    return out


def measure_joint(
    nets: list[Network],
    configs: list[Config],
    scratch,
    rows: tuple[str, ...] = stats.ROWS,
    backward: bool = True,
    pre: Prefetch | None = None,
    split: bool = parallel.ENABLED,
    ranges: list[list[dict]] | None = None,
) -> tuple[tuple[stats.LayerStats, ...], ...]:
    """Moments of every side first, then histograms on the ranges they agree on (or on `ranges`,
    per side and layer: a chunked frame's, to compare with); with `split`, each phase's layers
    are shared with the helper thread (core/parallel.py)."""
    pre = pre or INLINE
    items = [
        (i, layer, c)
        for net, c in zip(nets, configs, strict=True)
        for i, layer in enumerate(net.layers)
    ]
    with np.errstate(all="ignore"):
        flat = parallel.halves(
            lambda item, sc: _layer_moments(item[1], sc, backward, pre),
            items,
            scratch,
            # prefetched moments are already taken (and wait on the helper: never from it)
            split and (pre is INLINE or not isinstance(pre, Prefetch)),
        )
        ranges = _flat(ranges or hist_ranges(nets, configs, _sides(nets, flat)))
        jobs = [
            (i, layer, m, r, c) for (i, layer, c), m, r in zip(items, flat, ranges, strict=True)
        ]
        # two halves of the layers, one on each thread, each binned in one batch
        halves = parallel.halves(
            lambda half, sc: _stats_of(half, rows, sc, pre.saturation),
            [jobs[0::2], jobs[1::2]],
            scratch,
            split,
        )
        out = [None] * len(jobs)
        out[0::2], out[1::2] = halves
    return tuple(tuple(side) for side in _sides(nets, out))


def _sides(nets: list[Network], flat: list) -> list[list]:
    """A flat per-layer list (every side's layers in turn) cut back into one list per side."""
    cuts = itertools.accumulate((len(net.layers) for net in nets), initial=0)
    return [flat[a:b] for a, b in itertools.pairwise(cuts)]


def _flat(sides: list[list]) -> list:
    return [x for side in sides for x in side]


def _dead_share(d: np.ndarray, cols: np.ndarray, df_max: float) -> float:
    return fused.dead_share(d, cols, df_max, d.shape[1])


def _saturation(layer: Dense, scratch, taken: dict) -> tuple[float, float]:
    """Shares of saturated φ' and of dead units; the Recorder's when it took them."""
    d, df_max = layer.dphi, layer.act.df_max
    got = taken.get(id(layer))
    if got is not None:
        n, dead = got
        return n / d.size, dead
    below = scratch.tmp(d.size, np.bool_, "mask").reshape(d.shape)  # no 500 kB mask a layer
    n = np.count_nonzero(np.less(d, fused.SATURATED * df_max, out=below))
    return n / d.size, _dead_share(d, np.flatnonzero(below.all(axis=0)), df_max)


def _stats_of(batch: list, rows, scratch, taken: dict) -> list[stats.LayerStats]:
    """The LayerStats of each (i, layer, moments, ranges, config) item."""
    cancel.point()
    hists = _histograms(batch, rows, scratch)
    out = []
    for (i, layer, m, _, c), h in zip(batch, hists, strict=True):
        cancel.point()
        saturated, dead = _saturation(layer, scratch, taken)
        out.append(layer_stats(i, layer, m, h, saturated, dead, c, scratch))
    return out


def layer_stats(
    i: int, layer: Dense, m: dict, hists: dict, saturated: float, dead: float, c: Config, scratch
) -> stats.LayerStats:
    """The one place a layer's numbers are put together, whether its moments and counts were
    taken on the whole batch at once (above) or merged chunk by chunk (core/chunks.py)."""
    fan_in, fan_out = layer.wslot.array.shape
    w, delta = m["W"], m["delta"]
    ratio = m["wgrad"].std / w.std if w.std > 0 else math.nan
    nonfinite = sum(m[r].nonfinite for r in stats.ROWS)
    init = INITS[c.init]
    return stats.LayerStats(
        index=i + 1,
        fan_in=fan_in,
        fan_out=fan_out,
        activation=layer.act.name,
        sigma_w2=init.sigma_w2(fan_in, fan_out, c),
        sigma_w2_measured=fan_in * w.std**2,
        preact_mean=m["preact"].mean,
        preact_std=m["preact"].std,
        act_mean=m["act"].mean,
        act_std=m["act"].std,
        saturated_frac=saturated,
        dead_units=dead,
        grad_std=m["grad"].std,
        preact_grad_std=delta.std,
        weight_std=w.std,
        weight_grad_std=m["wgrad"].std,
        grad_data_ratio=ratio,
        nonfinite=nonfinite,
        nonfinite_frac=m["act"].nonfinite / max(m["act"].size, 1),
        hists=hists,
        **_pictured(i, layer, w, c, scratch),
    )


def _pictured(i: int, layer: Dense, w: stats.Moments, c: Config, scratch) -> dict:
    """What only a layer's pictures read (the weight row, the units raster): taken for the
    layers they can show (weights.summary_layers), else left out (None, -1)."""
    if i + 1 not in weights.summary_layers(c.depth):
        return {}
    slot = layer.wslot  # (as stored: a drag frame's k·base is formed only where read)
    return {"weights": weights.summarize(i, slot, w, c, scratch)} | units.measured(
        slot, layer.rows()[1]
    )
