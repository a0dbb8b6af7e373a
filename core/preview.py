"""The first layers of a big net, shown while the rest are drawn (issue 23).

Why: at depth 200 × width 500 the weights alone are 50 M draws (seconds on a loaded 2-core
machine), and a chunk's frame needs all of them. A plain net's first chunk runs forward a layer
at a time as the layers are drawn (core/chunks.py Refinement.draw), so the layers drawn so far
can be shown: their weights, pre-activations and activations on the first chunk are already the
ones the refinement's first frame will show. The gradients need every layer: their rows are empty
(nothing sampled) and their moments NaN until then. A snapshot here has the layers drawn so far,
fewer than the config's depth: the window says "layers 1-k of L".
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from core import chunks, stats
from core.measure import hist_ranges, layer_stats

FORWARD_ROWS = ("preact", "act")
_NO_MOMENTS = stats.Moments(math.nan, math.nan, 0, 0)


class Preview:
    """Snapshots of a Refinement's layers drawn so far. A layer's moments are taken once; its
    statistics again only when its histogram ranges move (a shared range widens as layers come)."""

    def __init__(self, refinement: chunks.Refinement):
        self.refinement = refinement
        self._moments: dict[tuple[int, int], tuple] = {}  # (side, layer) → moments, φ' shares
        self._stats: dict[tuple[int, int], tuple] = {}  # (side, layer) → (ranges, LayerStats)

    @property
    def ready(self) -> bool:
        """Every side has a layer drawn and run forward (a net drawn whole has none to show)."""
        sides = self.refinement.sides
        return all(s.layerwise and s.drawn > 0 for s in sides) and self.refinement.drawing

    def snapshots(self) -> tuple[stats.Snapshot, ...]:
        ref = self.refinement
        scratch = ref.scratch
        drawn = [side.net.layers[: side.drawn] for side in ref.sides]
        with np.errstate(all="ignore"):
            moments = [
                [self._layer_moments(s, i, layer, scratch) for i, layer in enumerate(layers)]
                for s, layers in enumerate(drawn)
            ]
            nets = [SimpleNamespace(layers=layers) for layers in drawn]
            ranges = hist_ranges(nets, ref.configs, [[m[0] for m in side] for side in moments])
            snaps = []
            for s, (side, layers) in enumerate(zip(ref.sides, drawn, strict=True)):
                got = [
                    self._layer(s, i, layer, moments[s][i], ranges[s][i])
                    for i, layer in enumerate(layers)
                ]
                snaps.append(stats.Snapshot(side.c, tuple(got), ref.seconds * 1e3, side.net.batch))
        return tuple(snaps)

    def _layer_moments(self, s: int, i: int, layer, scratch) -> tuple:
        key = (s, i)
        if key not in self._moments:
            m, saturated, counted, dead = chunks.measure_rows(layer, 0, scratch, False)
            m = m | {"W": stats.moments(layer.W, scratch), "wgrad": _NO_MOMENTS}
            share = np.count_nonzero(dead) / max(len(dead), 1)
            self._moments[key] = (m, saturated / max(counted, 1), share)
        return self._moments[key]

    def _layer(self, s: int, i: int, layer, moments: tuple, ranges: dict) -> stats.LayerStats:
        ref = self.refinement
        c = ref.sides[s].c
        wanted = tuple((r, ranges[r]) for r in ref.rows)
        kept = self._stats.get((s, i))
        if kept is not None and kept[0] == wanted:
            return kept[1]
        m, saturated, dead = moments
        h, a, _, _ = layer.rows()
        arrays = {"preact": h, "act": a}
        hists = {}
        for r, (lo, hi) in wanted:
            if r in arrays:  # the rows the refinement's first frame bins (core/chunks.py _bin)
                x = arrays[r]
                step = stats.row_step(ref.total, x.shape[1])
                hists[r] = stats.rows_histogram(x, 0, step, lo, hi, c.bins, ref.scratch)
            else:  # a gradient row: nothing yet (the row is there, so the view keeps its place)
                empty = np.zeros((0, h.shape[1]), h.dtype)
                hists[r] = stats.histogram(empty, lo, hi, c.bins, ref.scratch, False)
        got = layer_stats(i, layer, m, hists, saturated, dead, c, ref.scratch)
        self._stats[(s, i)] = (wanted, got)
        return got
