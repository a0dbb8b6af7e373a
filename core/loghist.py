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


# Values binned by one pass of log_histograms: the size of its three buffers a thread (3 MB of
# float32). A drag frame of depth 200 bins 4 blocks a thread; smaller blocks measured slower
# in the frame (2^15: twice the time; the NumPy calls' fixed cost is ~60 µs a block).
BLOCK = 1 << 18
# Bins of one count at most (the C kernel takes 2^20, and holds 4 int64 a bin while it counts):
# a frame's block has a few thousand; past this, samples spanning hundreds of decades each,
# log_histogram bins them one by one.
MAX_BINS = 1 << 18
_KINDS = "fiub"  # dtypes log_histogram bins by a cast to float64 (or in their own, floats)


def log_histograms(samples) -> list[LogHist]:
    """[log_histogram(s) for s in samples], the same bins and counts bit for bit, binned a block
    of samples at a time: one abs, log10, floor and count over all of them instead of ~15 NumPy
    calls a sample (a drag frame of depth 200 bins 400 samples of 4,000 values, and the calls'
    fixed cost was most of the 11 ms they took)."""
    out: list[LogHist] = [EMPTY] * len(samples)
    groups: dict = {}
    for i, s in enumerate(samples):
        x = _subsample(s)
        if x.size == 0:
            continue
        if x.dtype.kind not in _KINDS:
            out[i] = log_histogram(s)
            continue
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        groups.setdefault(dtype, []).append((i, x))
    for dtype, members in groups.items():
        block: list = []
        size = 0
        for i, x in members:
            if size + x.size > BLOCK:
                _bin_block(block, dtype, out)
                block, size = [], 0
            block.append((i, x))
            size += x.size
        _bin_block(block, dtype, out)
    return out


def _block_buffers(dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """This thread's BLOCK-sized buffers for one dtype (values, bins, sign bits)."""
    own = getattr(_BUFFERS, "blocks", None)
    if own is None:
        own = _BUFFERS.blocks = {}
    got = own.get(dtype)
    if got is None:
        kind = _SIGN_BIT[dtype][0]
        got = own[dtype] = (
            np.empty(BLOCK, dtype),
            np.empty(BLOCK, dtype),
            np.empty(BLOCK, kind),
        )
    return got


def _bin_block(block: list, dtype, out: list) -> None:
    """log_histogram of each (index, sample) of `block` into out[index]. Each sample's bins are
    laid end to end, each after an empty slot (so that every sample, one of zeros too, has a
    span for reduceat): the value in bin b of sample j goes to v = off[j] + 1 + b − lo[j] ≥ 1,
    signed as the value, all counted at once; its zeros are NaN, counted by difference."""
    if not block:
        return
    sizes = np.array([x.size for _, x in block])
    n = int(sizes.sum())
    xb, tb, bb = _block_buffers(dtype)
    x, t = xb[:n], tb[:n]
    _gather([a for _, a in block], x)
    _log_bins(x, t, bb[:n].view(dtype))
    each = _Each(sizes)
    lo, hi = each.ranges(t)
    width = (hi - lo + 1).astype(np.int64)
    off = np.cumsum(width + 1) - width  # 1, then past each sample's bins and the next's slot
    total = int(off[-1] + width[-1])
    each.add(t, (off - lo + 1).astype(dtype))
    kind, bit = _SIGN_BIT[dtype]
    np.bitwise_and(x.view(kind), bit, out=bb[:n])
    np.bitwise_or(t.view(kind), bb[:n], out=t.view(kind))
    counts = _count_signed(t, total, bb[:n])
    if counts is None:  # too many bins for one count
        for i, s in block:
            out[i] = log_histogram(s)
        return
    pos, neg = counts[total + 2 : 2 * total + 2], counts[total:0:-1].copy()
    nonzero = np.add.reduceat(pos + neg, off - 1)
    spans = zip(
        lo.astype(np.int64).tolist(),
        off.tolist(),
        width.tolist(),
        (sizes - nonzero).tolist(),
        strict=True,
    )
    for (i, x), (first, a, w, z) in zip(block, spans, strict=True):
        out[i] = LogHist(first, pos[a : a + w], neg[a : a + w], z, x.size)


def _log_bins(x: np.ndarray, t: np.ndarray, spare: np.ndarray) -> None:
    """t = ⌊log₁₀|x| · PER_DECADE⌋ in x's precision (as log_histogram's), NaN for a zero."""
    np.abs(x, out=t)
    if not math.isfinite(t.max()):  # NaN or ±∞: not a magnitude (log_histogram raises too)
        raise ValueError("log_histograms: non-finite values, which the caller drops")
    if t.min() == 0:  # a zero to NaN (0/0), every other value kept (·1): NaN is out of the
        with np.errstate(invalid="ignore"):  # ranges (fmin, fmax) and of the count, and
            np.divide(t, t, out=spare)  # log10 takes it at full speed, a zero at a 20th
            np.multiply(t, spare, out=t)
    np.log10(t, out=t)
    t *= PER_DECADE
    np.floor(t, out=t)


def _gather(samples: list, x: np.ndarray) -> None:
    """The samples end to end in x, without a copy of a strided one on the way."""
    if all(a.flags.c_contiguous for a in samples):
        np.concatenate([a.reshape(-1) for a in samples], out=x, casting="unsafe")
        return
    at = 0
    for a in samples:
        np.copyto(x[at : at + a.size].reshape(a.shape), a, casting="unsafe")
        at += a.size


class _Each:
    """Per-sample numbers applied to a block's values laid end to end: by broadcasting over a
    samples × values view when the samples are all one size (a frame's layers are), else by
    NumPy's reduceat and repeat."""

    def __init__(self, sizes: np.ndarray):
        self.sizes = sizes
        self.uniform = bool((sizes == sizes[0]).all())
        self.starts = np.cumsum(sizes) - sizes

    def ranges(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each sample's lowest and highest bin, NaN left out; 0 and −1 for a sample of zeros."""
        if self.uniform:
            rows = t.reshape(len(self.sizes), -1)
            lo, hi = np.fmin.reduce(rows, axis=1), np.fmax.reduce(rows, axis=1)
        else:
            lo, hi = np.fmin.reduceat(t, self.starts), np.fmax.reduceat(t, self.starts)
        empty = np.isnan(lo)
        lo[empty], hi[empty] = 0, -1
        return lo, hi

    def add(self, t: np.ndarray, v: np.ndarray) -> None:
        """t += v[j] on sample j's values."""
        if self.uniform:
            rows = t.reshape(len(self.sizes), -1)
            np.add(rows, v[:, None], out=rows)
        else:
            t += np.repeat(v, self.sizes)


def _count_signed(t: np.ndarray, total: int, spare: np.ndarray) -> np.ndarray | None:
    """Counts of the whole numbers −total … total in t at index total + 1 + value (NaN not
    counted); None past MAX_BINS."""
    bins = 2 * total + 1
    if bins > MAX_BINS:
        return None
    if _fused is not None and t.dtype == np.float32:
        counts = np.empty(bins + 2, np.int64)
        _fused.histogram(t, 1, t.size, 1, 1.0, total + 1.0, bins, counts)
        return counts
    t += total + 1
    np.fmax(t, 0, out=t)  # NaN (a zero) to 0, below every bin
    same = spare.itemsize == np.dtype(np.intp).itemsize
    k = spare.view(np.intp) if same else np.empty(t.size, np.intp)
    k[...] = t
    return np.bincount(k, minlength=bins + 1)


def merge_logs(a: LogHist | None, b: LogHist | None) -> LogHist | None:
    """Both parts' log-magnitude counts on the union of their bins (the bins are global). Each
    part's is of its own subsample (log_histogram), so the merged shape, not its counts, is
    the one-shot histogram's."""
    if a is None or b is None:
        return a or b
    parts = [h for h in (a, b) if len(h.pos)] or [a]
    lo = min(h.first for h in parts)
    n = max(h.first + len(h.pos) for h in parts) - lo
    pa, na = a.on(lo, n)
    pb, nb = b.on(lo, n)
    return LogHist(lo, pa + pb, na + nb, a.zeros + b.zeros, a.sampled + b.sampled)
