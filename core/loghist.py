"""Histograms of log₁₀|x| with the sign kept: the axis on which a collapse or a blow-up over
depth is a drift (to the left, to the right) instead of a spike at 0 or a flat line.

The bins are fixed for every array (PER_DECADE to a decade, bin k holding log₁₀|x| in
[k/PER_DECADE, (k+1)/PER_DECADE)), so every layer, every side of an A/B pair and every frame
share them without agreeing on a range first; only the span holding values is kept. Positive and
negative values are counted apart; exact zeros (ReLU's off half) are counted, not binned.
Binned from at most SAMPLE values of the histogram's own sample: the shape over decades needs
far fewer values than a linear histogram's fine bins, and it is one log a value.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

try:
    from core import _fused
except ImportError:  # no C compiler at install: NumPy counts (core/stats.py)
    _fused = None

PER_DECADE = 10
SAMPLE = 1 << 13
_FLOOR = -400 * PER_DECADE  # below float64's smallest subnormal (10^-323.3): where zeros land


@dataclass(frozen=True, eq=False)
class LogHist:
    """Counts of positive and negative values per bin of log₁₀|x|, over bins first, first+1, …"""

    first: int  # the global index of pos[0] and neg[0]
    pos: np.ndarray  # int64
    neg: np.ndarray  # int64, same length
    zeros: int
    sampled: int  # finite values looked at, zeros included

    @property
    def edges(self) -> np.ndarray:
        """Bin edges in log₁₀|x|."""
        return (self.first + np.arange(len(self.pos) + 1)) / PER_DECADE

    @property
    def counts(self) -> np.ndarray:
        return self.pos + self.neg

    def span(self) -> tuple[float, float] | None:
        """[lo, hi] of log₁₀|x| over the nonzero values, None if there are none."""
        if not len(self.pos):
            return None
        return self.first / PER_DECADE, (self.first + len(self.pos)) / PER_DECADE

    def on(self, lo: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(pos, neg) on the global bins lo … lo+n-1 (values outside them dropped)."""
        out = np.zeros((2, n), np.int64)
        a, b = max(lo, self.first), min(lo + n, self.first + len(self.pos))
        if a < b:
            out[0, a - lo : b - lo] = self.pos[a - self.first : b - self.first]
            out[1, a - lo : b - lo] = self.neg[a - self.first : b - self.first]
        return out[0], out[1]


EMPTY = LogHist(0, np.zeros(0, np.int64), np.zeros(0, np.int64), 0, 0)


def bin_index(v: float) -> int:
    """The global bin of a magnitude v > 0."""
    return math.floor(math.log10(v) * PER_DECADE)


def _subsample(x: np.ndarray) -> np.ndarray:
    """At most SAMPLE values, as a view: whole rows of a 2-D sample (no copy of a strided one)."""
    if x.size <= SAMPLE:
        return x
    step = -(-x.size // SAMPLE)
    if x.ndim == 2 and x.shape[1] <= SAMPLE:
        rows, cols = x.shape
        while -(-rows // step) * cols > SAMPLE:  # whole rows: a step may leave one row too many
            step += 1
        return x[::step]
    return x.reshape(-1)[::step]


_BUFFERS = threading.local()


def _buffers(n: int, shape: tuple, dtype) -> tuple[np.ndarray, np.ndarray]:
    """This thread's SAMPLE-sized buffers, made once at full size: a frame allocates nothing,
    and what is held does not follow the largest net seen (a Scratch's buffers did)."""
    own = getattr(_BUFFERS, "arrays", None)
    if own is None:
        own = _BUFFERS.arrays = {
            np.dtype(np.float32): np.empty(SAMPLE, np.float32),
            np.dtype(np.float64): np.empty(SAMPLE, np.float64),
            "bin": np.empty(SAMPLE, np.intp),
        }
    return own[np.dtype(dtype)][:n].reshape(shape), own["bin"][:n].reshape(shape)


def log_histogram(sample: np.ndarray) -> LogHist:
    """The log-magnitude histogram of a sample of finite values (the caller drops the rest)."""
    x = _subsample(sample)
    n = x.size
    if n == 0:
        return EMPTY
    dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    t, k = _buffers(n, x.shape, dtype)
    np.abs(x, out=t, dtype=dtype)  # in the array's own precision: float32's log is 10× as fast
    with np.errstate(divide="ignore"):
        np.log10(t, out=t)
    t *= PER_DECADE
    np.floor(t, out=t)
    lo, hi = float(t.min()), float(t.max())
    if lo == -math.inf:  # zeros (log −∞): in the floor bin
        np.fmax(t, _FLOOR, out=t)
        lo, hi = _FLOOR, max(hi, _FLOOR)
    lo, width = int(lo), int(hi) - int(lo) + 1
    # bin u = 1 … width of the magnitude, signed as the value: −width … −1, then 1 … width, so
    # one count takes both signs (−0.0 among the negatives: a zero either way)
    t -= lo - 1
    _take_sign(t, x, k)
    both = _count(t, k, width)
    pos, negs = both[width + 1 :], both[width - 1 :: -1]
    zeros = 0
    if lo == _FLOOR:
        zeros = int(pos[0] + negs[0])
        pos, negs, lo = pos[1:], negs[1:], lo + 1
    used = np.flatnonzero(pos + negs)
    if not used.size:
        return LogHist(0, np.zeros(0, np.int64), np.zeros(0, np.int64), zeros, n)
    a, b = int(used[0]), int(used[-1]) + 1
    return LogHist(lo + a, pos[a:b].copy(), negs[a:b].copy(), zeros, n)


_SIGN_BIT = {
    np.dtype(np.float32): (np.uint32, np.uint32(1 << 31)),
    np.dtype(np.float64): (np.uint64, np.uint64(1 << 63)),
}


def _take_sign(t: np.ndarray, x: np.ndarray, k: np.ndarray) -> None:
    """t (every value ≥ 1) gets x's signs: np.copysign(t, x, out=t), bit for bit, by OR-ing in
    x's sign bits (NumPy's copysign has no vector loop: 8 µs of a 30 µs histogram, this 4.5)."""
    if x.dtype != t.dtype:
        np.copysign(t, x, out=t)
        return
    kind, bit = _SIGN_BIT[t.dtype]
    bits = k.reshape(-1).view(kind)[: t.size].reshape(t.shape)  # k's memory, not yet used
    np.bitwise_and(x.view(kind), bit, out=bits)
    np.bitwise_or(t.view(kind), bits, out=t.view(kind))


def _count(t: np.ndarray, k: np.ndarray, width: int) -> np.ndarray:
    """Counts of the whole numbers −width … width in t (the signed bins), as bins 0 … 2·width.
    The float32 histogram kernel of core/_fused.c counts them where it exists (t·1 + width is
    exact for whole numbers, and it takes a quarter of NumPy's cast and bincount); else NumPy."""
    if _fused is not None and t.dtype == np.float32:
        counts = np.empty(2 * width + 3, np.int64)  # its under- and overflow at the ends, empty
        _fused.histogram(t, 1, t.size, 1, 1.0, width + 1.0, 2 * width + 1, counts)
        return counts[1:-1]
    t += width
    k[...] = t
    return np.bincount(k.reshape(-1), minlength=2 * width + 1)
