"""The frame's statistics taken while forward and backward write the arrays (core/_fused.c).

A canonical frame's overhead over its matmuls was memory traffic: NumPy read each 2 MB array
once per sum, once for φ', once for the saturation mask. A Recorder is handed to a plain float32
Network's forward and backward; its kernels write δ and the scaled ∂L/∂W as NumPy did (the same
bits; φ' is not stored where the kernels know the activation) and return every sum on the way,
which core.simulate turns into the same Moments as stats.moments. Where the C module is missing (no compiler at install), a net is not float32 or
not a plain Network, no Recorder is made and the statistics are read afterwards with NumPy.
"""

from __future__ import annotations

import math

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
# a batch of at most this many examples goes through core/_fused.c's matmuls, not BLAS's: at 8
# examples OpenBLAS's packing of W cost more than the product (a drag frame of a deep net)
SMALL_BATCH = 8


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
    """Sums per (layer, row) and the saturation of each layer, as the passes produce them.

    Without `wgrad` (no ∂L/∂W histogram is drawn), a layer whose batch is small against its
    widths gets ∂L/∂W's moments from the batch's Gram matrices (wgrad_moments) and ∂L/∂W itself
    is not written: at depth 200 × width 500 on 8 examples, its matmul and scale wrote and read
    200 MB a frame for two numbers a layer."""

    def __init__(self, wgrad: bool = True):
        self.wgrad = wgrad
        self.sums: dict[tuple[int, str], tuple[float, float]] = {}
        self.saturation: dict[int, tuple[int, float]] = {}  # saturated φ' count, dead share
        self.taken: dict[int, stats.Moments] = {}  # ∂L/∂W's moments, by wgrad_moments

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

    def scale_into(self, layer: Dense, base: np.ndarray, k: float) -> None:
        """layer.W = base·k (a scaled draw), with W's sums taken as it is written (the same
        bits as stats.moments' own pass over W, which at depth 200 read 200 MB a frame)."""
        W = layer.W
        if base.dtype == W.dtype == np.float32 and base.flags.c_contiguous and W.ndim == 2:
            self.sums[(id(layer), "W")] = _fused.scale_into(base, W, *W.shape, k)
        else:
            np.multiply(base, k, out=W)

    def matmul(self, x: np.ndarray, W: np.ndarray, out: np.ndarray) -> None:
        """out = x @ W; a small batch by the kernel (SMALL_BATCH), else by BLAS."""
        if len(x) <= SMALL_BATCH and x.flags.c_contiguous and W.flags.c_contiguous:
            _fused.matmul(0, x, W, out, len(x), *W.shape)
        else:
            np.matmul(x, W, out=out)

    def matmul_t(self, d: np.ndarray, W: np.ndarray, out: np.ndarray) -> None:
        """out = d @ Wᵀ (∂ℓ/∂a of the layer below), as matmul."""
        if len(d) <= SMALL_BATCH and d.flags.c_contiguous and W.flags.c_contiguous:
            _fused.matmul(1, d, W, out, len(d), *W.shape)
        else:
            np.matmul(d, W.T, out=out)

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

    def wgrad_moments(self, layer: Dense, k: float) -> bool:
        """∂L/∂W = k·xᵀδ's moments without forming it, when that is cheaper and as exact (see
        gram_moments); False: the caller forms it (its entries are drawn, or a corner case)."""
        x, d = layer.x, layer.delta
        if self.wgrad or not gram_pays(*x.shape, d.shape[1]):
            return False
        got = gram_moments(x, d, np.float32(k))
        if got is not None:
            self.taken[id(layer)] = got
        return got is not None

    def moments(self, layer: Dense, key: str, a: np.ndarray, scratch) -> stats.Moments:
        if key == "wgrad" and id(layer) in self.taken:
            return self.taken[id(layer)]
        got = self.sums.get((id(layer), key))
        if got is None:
            return stats.moments(a, scratch)
        return stats.moments_from_sums(*got, a, scratch)


# a moment from the Gram matrices is trusted where float32's ∂L/∂W would hold its entries at full
# precision: its rms above float32's subnormals, and no product x·δ near float32's overflow
_GRAM_TINY, _GRAM_HUGE = 1e-30, 1e30


def gram_pays(batch: int, fan_in: int, fan_out: int) -> bool:
    """The Gram matrices (B² (n + m) multiply-adds) against the matmul (B·n·m) and its writes."""
    return 2 * batch * (fan_in + fan_out) <= fan_in * fan_out


def gram_moments(x: np.ndarray, d: np.ndarray, k: np.float32) -> stats.Moments | None:
    """Moments of k·xᵀd (an n × m matrix) from B × B products, in float64:

        Σ_ij (xᵀd)_ij = (x·1)ᵀ(d·1),   Σ_ij (xᵀd)_ij² = Σ_bc (x xᵀ)_bc (d dᵀ)_bc.

    They equal the moments of float32's k·xᵀd to its rounding. None where they would not (a
    non-finite or overflowing value, entries down at float32's subnormals) or where stats.moments
    would recentre (a mean that dwarfs the spread): the caller forms the matrix then."""
    n = x.shape[1] * d.shape[1]
    with np.errstate(all="ignore"):
        big = float(np.abs(x).max(initial=0.0)) * float(np.abs(d).max(initial=0.0))
        if not big * len(x) < _GRAM_HUGE:  # (NaN and inf fail this too)
            return None
        x64, d64 = x.astype(np.float64), d.astype(np.float64)
        kk = float(k)
        s = kk * float(x64.sum(axis=1) @ d64.sum(axis=1))
        q = kk * kk * float(np.vdot(x64 @ x64.T, d64 @ d64.T))
    m = s / n
    var = q / n - m * m
    if not (math.isfinite(s) and math.isfinite(q)) or not q / n > _GRAM_TINY**2:
        return None
    if var <= 1e-3 * m * m:
        return None
    return stats.Moments(m, math.sqrt(var), 0, n)
