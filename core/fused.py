"""The frame's statistics taken while forward and backward write the arrays (core/_fused.c).

A canonical frame's overhead over its matmuls was memory traffic: NumPy read each 2 MB array
once per sum, once for φ', once for the saturation mask. A Recorder is handed to a plain float32
Network's forward and backward; its kernels write δ and the scaled ∂L/∂W as NumPy did (the same
bits; φ' is not stored where the kernels know the activation) and return every sum on the way,
which core.simulate turns into the same Moments as stats.moments. Where the C module is missing (no compiler at install), a net is not float32 or
not a plain Network, no Recorder is made and the statistics are read afterwards with NumPy.
"""

from __future__ import annotations

import numpy as np

from core import stats
from core.activations import ACTIVATIONS
from core.network import Dense, Network

AVAILABLE = stats._fused is not None
_fused = stats._fused
# φ' the kernel computes itself (as these activations' df do, to the bit), by df: the entries'
# fused_kind, which the Recorder reads
KIND = {a.df: a.fused_kind for a in ACTIVATIONS.values() if a.fused_kind}
SATURATED = 0.05  # φ' below this share of its maximum is saturated


def fits(net: Network) -> bool:
    return AVAILABLE and type(net) is Network and net.dtype == np.float32


def dead_share(d: np.ndarray, cols: np.ndarray, df_max: float, units: int) -> float:
    """Share of the `units` with φ' ≤ 1e-6·max on every example, looked for in d's columns
    `cols` only: a dead unit is saturated on every example, so these (from the saturation
    count) are the only ones that can be; none in a healthy net."""
    if not cols.size:
        return 0.0
    return np.count_nonzero(d[:, cols].max(axis=0) <= 1e-6 * df_max) / units


class Recorder:
    """Sums per (layer, row) and the saturation of each layer, as the passes produce them."""

    def __init__(self):
        self.sums: dict[tuple[int, str], tuple[float, float]] = {}
        self.saturation: dict[int, tuple[int, float]] = {}  # saturated φ' count, dead share

    def activate(self, layer: Dense) -> None:
        """Σ and Σ² of h and a; how many φ' are saturated, and the share of dead units. φ' is
        left unwritten where the kernels know it (delta() computes it again from h or a): one
        array a layer less to write and read back. (W's moments are taken afterwards, with the
        statistics that two threads share.)"""
        h, a, d, act = layer.h, layer.a, layer.dphi, layer.act
        kind = act.fused_kind
        if not kind:
            act.df(h, a, d)
        rows, cols = d.shape
        whole = np.full(cols, -1, np.int32)
        sh, qh, sa, qa, n = _fused.activate(
            kind, h, a, d, rows, cols, SATURATED * act.df_max, whole
        )
        key = id(layer)
        self.sums[(key, "preact")], self.sums[(key, "act")] = (sh, qh), (sa, qa)
        cand = np.flatnonzero(whole)  # saturated in every row: the only columns dead units hold
        if cand.size and kind:
            d = np.empty((rows, cand.size), d.dtype)
            act.df(h[:, cand], a[:, cand], d)
            cand = np.arange(cand.size)
        self.saturation[key] = (int(n), dead_share(d, cand, act.df_max, cols))

    def delta(self, layer: Dense) -> None:
        """δ = ∂ℓ/∂a · φ' into layer.delta, with the sums of both."""
        g = layer.grad_a
        kind = layer.act.fused_kind
        sg, qg, sd, qd = _fused.product(
            kind, g, layer.h, layer.a, layer.dphi, layer.delta, *g.shape
        )
        self.sums[(id(layer), "grad")], self.sums[(id(layer), "delta")] = (sg, qg), (sd, qd)

    def scale_dw(self, layer: Dense, k: float) -> None:
        """∂L/∂W *= k (the batch mean), with its sums."""
        self.sums[(id(layer), "wgrad")] = _fused.scale(layer.dW, *layer.dW.shape, k)

    def moments(self, layer: Dense, key: str, a: np.ndarray, scratch) -> stats.Moments:
        got = self.sums.get((id(layer), key))
        if got is None:
            return stats.moments(a, scratch)
        return stats.moments_from_sums(*got, a, scratch)
