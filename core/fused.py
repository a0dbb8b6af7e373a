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
import weakref

import numpy as np

from core import stats
from core.activations import ACTIVATIONS
from core.network import Dense, Network, Weights

AVAILABLE = stats._fused is not None
_fused = stats._fused
# φ' the kernel computes itself (as these activations' df do, to the bit), by df: the entries'
# fused_kind, which the Recorder reads
KIND = {a.df: a.fused_kind for a in ACTIVATIONS.values() if a.fused_kind}
SATURATED = 0.05  # φ' below this share of its maximum is saturated
# a batch of at most this many examples goes through core/_fused.c's matmuls, not BLAS's: at 8
# examples OpenBLAS's packing of W cost more than the product (a drag frame of a deep net)
SMALL_BATCH = 8
# a scaled draw's W is left as k·base (core/network.py Weights) only where the float32 sums of
# the formed W's values and squares would be exact to rounding (rms(W)² well above the
# subnormals, max|W|² far from overflow: the formed W's moments are then k·Σbase and k²·Σbase²'s)
# and where the matmuls' unscaled sums cannot overflow before k multiplies them (_SUM_HUGE)
_W_TINY, _W_HUGE, _SUM_HUGE = 1e-15, 1e15, 1e30


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
        W = layer.wslot.written()
        if base.dtype == W.dtype == np.float32 and base.flags.c_contiguous and W.ndim == 2:
            self.sums[(id(layer), "W")] = _fused.scale_into(base, W, *W.shape, k)
        else:
            np.multiply(base, k, out=W)

    def scaled(self, layer: Dense, base: np.ndarray, k: float) -> bool:
        """W = k·base left unwritten (core/network.py Weights) in a small-batch frame: its
        matmuls multiply by base and scale each sum by k, and W's sums are k·Σbase and k²·Σbase²
        (base's, taken once per draw). False where that would not give the formed W's numbers
        to float rounding (see _W_TINY): the caller writes W (scale_into)."""
        slot, n = layer.wslot, base.size
        if not _leaves_scaled(layer, base, k):
            return False
        s, q, big = base_sums(slot, base)
        kf = float(np.float32(k))  # (the kernels and np.multiply scale by float32's k)
        m, var = s / n, q / n - (s / n) ** 2
        if not (abs(kf) * big <= _W_HUGE and kf * kf * q / n > _W_TINY**2):
            return False
        if not var > 1e-2 * m * m:  # stats.moments would recentre: W's values are needed
            return False
        slot.scaled(base, k)
        self.sums[(id(layer), "W")] = (kf * s, kf * kf * q)
        return True

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

    def forward_matmul(self, layer: Dense, x: np.ndarray) -> None:
        """layer.h = x @ W: k·(x @ base) where W was left as k·base (scaled), else matmul."""
        if not _by_base(layer, x, layer.h, 0):
            self.matmul(x, layer.W, layer.h)

    def backward_matmul(self, layer: Dense, out: np.ndarray) -> None:
        """out = δ @ Wᵀ (∂ℓ/∂a of the layer below), as forward_matmul."""
        if not _by_base(layer, layer.delta, out, 1):
            self.matmul_t(layer.delta, layer.W, out)

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
        """`a` is the array behind `key`; for W, its array as stored, which a small-batch frame
        may have left unwritten (scaled): W's sums are then trusted as they are (scaled checked
        that stats.moments_from_sums would not read W again), else W is formed first."""
        if key == "wgrad" and id(layer) in self.taken:
            return self.taken[id(layer)]
        got = self.sums.get((id(layer), key))
        if got is None:
            return stats.moments(layer.W if key == "W" else a, scratch)
        return stats.moments_from_sums(*got, a, scratch)


def _leaves_scaled(layer: Dense, base: np.ndarray, k: float) -> bool:
    """A small-batch frame's layer whose W the kernels can take as k·base (Recorder.scaled)."""
    W = layer.wslot.array
    return (
        len(layer.h) <= SMALL_BATCH
        and base.dtype == W.dtype == np.float32
        and base.shape == W.shape
        and (base.flags.c_contiguous or base.T.flags.c_contiguous)
        and math.isfinite(k)
        and k != 0.0
    )


def base_sums(slot: Weights, base: np.ndarray) -> tuple[float, float, float]:
    """Σ, Σ² (sums_rows' order, as scale_into sums) and max|·| of a bank draw: taken once per
    draw and kept with the layer's Weights (a bank's draw is read-only and lives from frame to
    frame, so the same object is the same numbers; a weak reference keeps no draw alive)."""
    got = slot.sums
    if got is not None and got[0]() is base:
        return got[1:]
    rows = base if base.flags.c_contiguous else base.T  # (a transposed draw: its rows)
    s, q = _fused.sums(rows, *rows.shape)
    big = max(float(base.max(initial=0.0)), -float(base.min(initial=0.0)))
    slot.sums = (weakref.ref(base), s, q, big)
    return s, q, big


def _by_base(layer: Dense, a: np.ndarray, out: np.ndarray, transposed: int) -> bool:
    """out = k·(a @ base) (or a @ baseᵀ) by the kernel where the layer's W was left as k·base
    and the sums are bounded; False: the caller multiplies by the formed W. A base stored
    transposed (the orthogonal draw's QR factor) is the kernel's other product."""
    b, k = layer.wslot.base, layer.wslot.k
    if b is None or not _bounded(a, layer.wslot):
        return False
    if b.flags.c_contiguous:
        _fused.matmul(transposed, a, b, out, len(a), *b.shape, k)
    else:
        _fused.matmul(1 - transposed, a, b.T, out, len(a), *b.T.shape, k)
    return True


def _bounded(a: np.ndarray, slot: Weights) -> bool:
    """a @ base's sums cannot overflow before k scales them: each is at most √(Σa²·Σbase²)
    (Cauchy-Schwarz), a's own Σa² finite (a non-finite input takes the formed W's path, whose
    NaN and inf are the frame's to count)."""
    if not (len(a) <= SMALL_BATCH and a.flags.c_contiguous) or slot.sums is None:
        return False
    _, q = _fused.sums(a, *a.shape)
    return math.isfinite(q) and q * slot.sums[2] <= _SUM_HUGE**2


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
    got = _gram_sums(x, d)
    if got is None:
        return None
    kk = float(k)
    s, q = kk * got[0], kk * kk * got[1]
    m = s / n
    var = q / n - m * m
    if not (math.isfinite(s) and math.isfinite(q)) or not q / n > _GRAM_TINY**2:
        return None
    if var <= 1e-3 * m * m:
        return None
    return stats.Moments(m, math.sqrt(var), 0, n)


def _gram_sums(x: np.ndarray, d: np.ndarray) -> tuple[float, float] | None:
    """(Σ xᵀd, Σ (xᵀd)²) in float64; None where a product x·δ could come near float32's overflow
    (or is NaN or inf). A small batch's by the kernel (core/_fused.c gram: NumPy's dozen calls
    were 60 µs a layer, 12 ms of a depth-200 drag frame), bounding max|x|·max|δ| by the rows'
    √Σx²·√Σδ² (a little more cautious: the matrix is formed a little sooner)."""
    kernel = getattr(_fused, "gram", None)  # (a build from before it: NumPy's path)
    if kernel is not None and len(x) <= SMALL_BATCH and _small_rows(x) and _small_rows(d):
        s, q, top_x, top_d = kernel(x, d, len(x), x.shape[1], d.shape[1])
        big = math.sqrt(top_x) * math.sqrt(top_d)  # (NaN stays NaN, and fails the test)
        return (s, q) if big * len(x) < _GRAM_HUGE else None
    with np.errstate(all="ignore"):
        big = float(np.abs(x).max(initial=0.0)) * float(np.abs(d).max(initial=0.0))
        if not big * len(x) < _GRAM_HUGE:  # (NaN and inf fail this too)
            return None
        x64, d64 = x.astype(np.float64), d.astype(np.float64)
        return float(x64.sum(axis=1) @ d64.sum(axis=1)), float(np.vdot(x64 @ x64.T, d64 @ d64.T))


def _small_rows(a: np.ndarray) -> bool:
    return a.dtype == np.float32 and a.ndim == 2 and a.flags.c_contiguous
