"""Per-layer statistics and histograms: what every view, the CLI's JSON and the tests read.

Moments use every value (one pass of core/_fused.c for float32, BLAS dot products otherwise; a
second centred pass only when the mean dwarfs the spread). Histograms bin a sample of at most
HIST_SAMPLE values per array (every k-th row) in one O(n) pass: the C kernel, or NumPy's
bincount with the same bins. Non-finite values are counted, never binned, and never raise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core import fields, wire
from core.loghist import LogHist, log_histogram, log_histograms, merge_logs

try:
    from core import _fused
except ImportError:  # built by setuptools where a C compiler exists (pyproject.toml)
    _fused = None

HIST_SAMPLE = 1 << 16
ROWS = ("preact", "act", "grad", "wgrad")
ROW_TITLES = {
    "preact": "pre-activation h",
    "act": "activation φ(h)",
    "grad": "gradient ∂L/∂a",
    "wgrad": "weight gradient ∂L/∂W",
}


@dataclass(frozen=True)
class Moments:
    mean: float
    std: float
    nonfinite: int
    size: int


@dataclass(frozen=True, eq=False)
class Hist:
    """Counts over `bins` equal bins on [lo, hi], from `sampled` finite values of the array."""

    lo: float
    hi: float
    counts: np.ndarray  # int64, len = bins
    underflow: int
    overflow: int
    sampled: int
    # the same values on log₁₀|x| with their signs (core/loghist.py): the log-magnitude axis
    log: LogHist | None = None

    @property
    def edges(self) -> np.ndarray:
        return np.linspace(self.lo, self.hi, len(self.counts) + 1)

    def density(self) -> np.ndarray:
        """Counts per unit of x, normalised over every sampled value (out-of-range included)."""
        width = (self.hi - self.lo) / len(self.counts)
        return self.counts / max(self.sampled, 1) / width

    @property
    def outside_frac(self) -> float:
        return (self.underflow + self.overflow) / max(self.sampled, 1)

    def __reduce__(self):
        return wire.reduce_hist(self)  # its arrays in one buffer, for the pipe (core/wire.py)


@dataclass(frozen=True)
class LayerStats:
    """One layer's numbers. What the JSON and the tables show of them is core/fields.py's."""

    index: int
    fan_in: int
    fan_out: int
    activation: str
    sigma_w2: float | None  # fan_in·Var(w) by the scheme's formula
    sigma_w2_measured: float  # fan_in·Var(w) of the drawn weights
    preact_mean: float
    preact_std: float
    act_mean: float
    act_std: float
    saturated_frac: float
    dead_units: float
    grad_std: float  # ∂ℓ/∂a, per example
    preact_grad_std: float  # δ = ∂ℓ/∂h, per example (init-theory.md §2's backward figures)
    weight_std: float
    weight_grad_std: float
    grad_data_ratio: float
    nonfinite: int
    nonfinite_frac: float  # of this layer's activations
    hists: dict[str, Hist] = field(repr=False, compare=False)
    # the drawn W as the weight row shows it (core/weights.py WeightSummary); None if not taken
    weights: object = field(default=None, repr=False, compare=False)
    # the units raster (core/units.py): the first units × examples of φ(h), units as rows
    units_sample: np.ndarray | None = field(default=None, repr=False, compare=False)
    distinct_units: int = -1  # units that are not copies of another (-1: not counted)

    def to_json(self) -> dict:
        return fields.layer_json(self)


class Scratch:
    """Reusable buffers for moments and binning, so a frame allocates nothing of size n."""

    def __init__(self):
        self._ones: dict[tuple, np.ndarray] = {}
        self._tmp: dict[tuple, np.ndarray] = {}

    def ones(self, n: int, dtype) -> np.ndarray:
        k = (n, np.dtype(dtype))
        if k not in self._ones:
            self._ones[k] = np.ones(n, dtype)
        return self._ones[k]

    def tmp(self, n: int, dtype, slot: str) -> np.ndarray:
        k = (slot, np.dtype(dtype))
        buf = self._tmp.get(k)
        if buf is None or len(buf) < n:
            buf = self._tmp[k] = np.empty(n, dtype)
        return buf[:n]


def kernel_sums(x: np.ndarray) -> tuple[float, float] | None:
    """(Σx, Σx²) by core/_fused.c, for a C-contiguous float32 array (else None): one read, and
    the order the fused kernels use, so a moment is the same bits whichever pass took it."""
    if _fused is None or x.dtype != np.float32 or not x.flags.c_contiguous or x.size == 0:
        return None
    cols = x.shape[-1] if x.ndim else 1
    return _fused.sums(x, x.size // cols, cols)


def moments(x: np.ndarray, scratch: Scratch) -> Moments:
    flat = x.reshape(-1)
    n = flat.size
    if n == 0:
        return Moments(math.nan, math.nan, 0, 0)
    got = kernel_sums(x)
    if got is None:
        with np.errstate(all="ignore"):
            got = float(np.dot(flat, scratch.ones(n, flat.dtype))), float(np.dot(flat, flat))
    return moments_from_sums(*got, x, scratch)


def moments_from_sums(s: float, q: float, x: np.ndarray, scratch: Scratch) -> Moments:
    """Mean and std of x from Σx and Σx²; x is read again only when they cannot be trusted (a
    mean that dwarfs the spread, or non-finite values, which are counted)."""
    flat = x.reshape(-1)
    n = flat.size
    if math.isfinite(s) and math.isfinite(q):
        m = s / n
        var = q / n - m * m
        if var <= 1e-3 * m * m:  # ill-conditioned: recentre and sum again
            d = np.subtract(flat, flat.dtype.type(m), out=scratch.tmp(n, flat.dtype, "centred"))
            var = float(np.dot(d, d)) / n - (float(np.dot(d, scratch.ones(n, flat.dtype))) / n) ** 2
        return Moments(m, math.sqrt(max(var, 0.0)), 0, n)
    finite = flat[np.isfinite(flat)].astype(np.float64)
    bad = n - finite.size
    if finite.size == 0:
        return Moments(math.nan, math.nan, bad, n)
    with np.errstate(all="ignore"):
        m = float(finite.mean())
        std = float(finite.std())
    return Moments(m, std, bad, n)


def histogram(
    x: np.ndarray,
    lo: float,
    hi: float,
    bins: int,
    scratch: Scratch,
    has_nonfinite: bool,
    log: bool = True,
) -> Hist:
    """Without `log`, no log-magnitude histogram (Hist.log None): the weight row's summaries,
    which nothing draws on a log axis (200 of them cost 8 ms of a drag frame at depth 200)."""
    logs = log_histogram(_finite(_sample(x), has_nonfinite)) if log else None
    return Hist(*_linear(x, lo, hi, bins, scratch, has_nonfinite), logs)


def histograms(jobs: list[tuple], bins: int, scratch: Scratch) -> list[Hist]:
    """histogram(x, lo, hi, bins, scratch, has_nonfinite) of each (x, lo, hi, has_nonfinite),
    the same numbers, their log-magnitude parts binned together (core/loghist.py
    log_histograms: a drag frame of depth 200 has 400 of them, ~25 µs each one by one)."""
    parts = [_linear(x, lo, hi, bins, scratch, bad) for x, lo, hi, bad in jobs]
    logs = log_histograms([_finite(_sample(x), bad) for x, _, _, bad in jobs])
    return [Hist(*p, log) for p, log in zip(parts, logs, strict=True)]


def _linear(
    x: np.ndarray, lo: float, hi: float, bins: int, scratch: Scratch, has_nonfinite: bool
) -> tuple:
    """Hist's fields but its log part: (lo, hi, counts, underflow, overflow, sampled)."""
    rows_step = _kernel_rows(x)
    if rows_step is not None:  # core/_fused.c: the same bins in one pass, no index array
        counts = np.empty(bins + 2, np.int64)
        scale = bins / (hi - lo)
        m = _fused.histogram(x, *rows_step, scale, 1.0 - lo * scale, bins, counts)
        return lo, hi, counts[1 : bins + 1].copy(), int(counts[0]), int(counts[-1]), m
    return _numpy_histogram(_finite(_sample(x), has_nonfinite), lo, hi, bins, scratch)


def _numpy_histogram(
    sample: np.ndarray, lo: float, hi: float, bins: int, scratch: Scratch
) -> tuple:
    """The C kernel's bins by NumPy (float64 arrays; no compiler at install), of finite values:
    Hist's fields but its log part."""
    m = sample.size
    t = scratch.tmp(m, np.float64 if sample.dtype == np.float64 else np.float32, "bin")
    t = t.reshape(sample.shape)
    idx = scratch.tmp(m, np.intp, "idx").reshape(sample.shape)
    scale = bins / (hi - lo)
    with np.errstate(all="ignore"):
        np.multiply(sample, scale, out=t)
        t += 1.0 - lo * scale  # bin 0 is the underflow, bin bins+1 the overflow
        np.fmax(t, 0.0, out=t)  # NaN (0·∞ when the range is too narrow for the dtype) → 0
        np.fmin(t, bins + 1.0, out=t)
    idx[...] = t
    counts = np.bincount(idx.reshape(-1), minlength=bins + 2)
    return lo, hi, counts[1 : bins + 1].copy(), int(counts[0]), int(counts[bins + 1]), m


def _finite(sample: np.ndarray, has_nonfinite: bool) -> np.ndarray:
    """The sample's finite values (flat), or the sample itself when it has no others."""
    if has_nonfinite:
        flat = sample.reshape(-1)
        return flat[np.isfinite(flat)]
    return sample


def _log(sample: np.ndarray, has_nonfinite: bool) -> LogHist:
    """The log-magnitude histogram of the linear one's sample (its finite values)."""
    return log_histogram(_finite(sample, has_nonfinite))


def log_of(x: np.ndarray, scale: float) -> LogHist:
    """The log-magnitude histogram of x·scale, on x's sample: a chunked frame's ∂L/∂W, held as
    sums until its last chunk, as the mean it stands for."""
    return _log(_sample(x) * scale, True)


def row_step(rows: int, cols: int) -> int:
    """Every how many rows histogram() bins of a rows × cols array (1: all of them); a chunk of
    the batch samples the same rows of the whole (core/chunks.py). Past HIST_SAMPLE columns one
    row is already a whole sample: the first row only."""
    if rows * cols <= HIST_SAMPLE:
        return 1
    return -(-(rows * cols) // HIST_SAMPLE) if cols <= HIST_SAMPLE else max(rows, 1)


def rows_histogram(
    x: np.ndarray, first: int, step: int, lo: float, hi: float, bins: int, scratch, log=True
) -> Hist:
    """Counts of x's rows first, first + step, … on [lo, hi]: one chunk's part of a histogram
    whose sampled rows are fixed by the whole batch, so that the chunks' counts add up to the
    one-shot histogram's exactly (the same kernel and arithmetic per value as histogram()).
    Without `log`, no log part (a weight summary's rows of W, core/weights.py)."""
    if first >= len(x):
        return Hist(lo, hi, np.zeros(bins, np.int64), 0, 0, 0)
    part = x[first:]
    if _fused is not None and part.dtype == np.float32 and part.flags.c_contiguous:
        counts = np.empty(bins + 2, np.int64)
        scale = bins / (hi - lo)
        rows, cols = part.shape
        m = _fused.histogram(part, rows, cols, step, scale, 1.0 - lo * scale, bins, counts)
        logs = _log(part[::step], True) if log else None
        return Hist(lo, hi, counts[1 : bins + 1].copy(), int(counts[0]), int(counts[-1]), m, logs)
    sample = _finite(part[::step], True)
    logs = log_histogram(sample) if log else None
    return Hist(*_numpy_histogram(sample, lo, hi, bins, scratch), logs)


def merge_moments(a: Moments, b: Moments) -> Moments:
    """The moments of the union of two parts, from their counts, means and spreads (Chan et
    al.'s pairwise update: the sums Σx, Σx² of both, without the cancellation of Σx² − n·m²)."""
    na, nb = a.size - a.nonfinite, b.size - b.nonfinite
    bad, size = a.nonfinite + b.nonfinite, a.size + b.size
    if na == 0 or nb == 0:
        one = b if na == 0 else a
        return Moments(one.mean, one.std, bad, size)
    n = na + nb
    d = b.mean - a.mean
    m2 = a.std**2 * na + b.std**2 * nb + d * d * (na * nb / n)
    return Moments(a.mean + d * (nb / n), math.sqrt(max(m2 / n, 0.0)), bad, size)


def merge_hists(a: Hist, b: Hist) -> Hist:
    """Counts of both parts, on the same range and bins."""
    if (a.lo, a.hi, len(a.counts)) != (b.lo, b.hi, len(b.counts)):
        raise ValueError("histograms on different bins cannot be merged")
    return Hist(
        a.lo,
        a.hi,
        a.counts + b.counts,
        a.underflow + b.underflow,
        a.overflow + b.overflow,
        a.sampled + b.sampled,
        merge_logs(a.log, b.log),
    )


def _kernel_rows(x: np.ndarray) -> tuple[int, int, int] | None:
    """(rows, cols, row step) when the C kernel can bin _sample(x) itself, else None."""
    if _fused is None or x.dtype != np.float32 or not x.flags.c_contiguous or x.ndim not in (1, 2):
        return None
    rows, cols = x.shape if x.ndim == 2 else (1, x.size)
    if x.size <= HIST_SAMPLE:
        return rows, cols, 1
    if x.ndim == 2 and cols <= HIST_SAMPLE:
        return rows, cols, -(-x.size // HIST_SAMPLE)
    return None


def _sample(x: np.ndarray) -> np.ndarray:
    """At most HIST_SAMPLE values. Of a (examples or inputs) × units array, every k-th row whole:
    every unit is in it, and it reads 1/k of the memory (a strided sample reads every cache line,
    from RAM, after the matmuls). Otherwise a stride coprime to the row length, for the same
    reason."""
    if x.size <= HIST_SAMPLE:
        return x
    if x.ndim == 2 and x.shape[1] <= HIST_SAMPLE:
        return x[:: -(-x.size // HIST_SAMPLE)]
    flat = x.reshape(-1)
    return flat[:: _stride(flat.size, x.shape[-1] if x.ndim > 1 else 1)]


def _stride(n: int, row: int) -> int:
    """A stride giving at most HIST_SAMPLE values, coprime to the row length so that it visits every
    unit rather than every k-th one."""
    k = max(1, -(-n // HIST_SAMPLE))
    while k > 1 and math.gcd(k, row) != 1:
        k += 1
    return k


def nice_ceil(v: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above v: axes that do not jitter between frames."""
    if not math.isfinite(v) or v <= 0:
        return 1.0
    e = math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**e >= v * (1 - 1e-12):
            return m * 10.0**e
    return 10.0 ** (e + 1)


def spread(m: Moments) -> float:
    """Half-width that holds the bulk of a layer's values: |mean| + 4 std."""
    if not math.isfinite(m.std):
        return math.nan
    return abs(m.mean) + 4.0 * m.std


def row_range(
    spreads: list[float], lower: float | None, upper: float | None
) -> tuple[float, float]:
    """[lo, hi] for one histogram: the natural bounds where the function has them, else ±R."""
    finite = [s for s in spreads if math.isfinite(s)]
    r = nice_ceil(max(finite) if finite else math.nan)
    lo = -r if lower is None else lower
    hi = r if upper is None else upper
    if hi <= lo:  # e.g. ReLU with every value at 0
        hi = lo + r
    pad = 1e-6 * (hi - lo)  # a saturated tanh's exact ±1 belongs in the end bins, not overflow
    return (lo - pad if lower is not None else lo, hi + pad if upper is not None else hi)


@dataclass(frozen=True)
class Snapshot:
    """Everything a view shows for one config; immutable, so it crosses threads safely."""

    config: object
    layers: tuple[LayerStats, ...]
    compute_ms: float = 0.0
    examples: int | None = None  # of the config's batch, while a frame refines; None: all

    @property
    def refining(self) -> bool:
        """Computed on part of the batch so far (core/chunks.py); the rest is on its way."""
        return self.examples is not None and self.examples < self.config.batch

    def to_json(self) -> dict:
        return {"config": self.config.to_dict(), "layers": [s.to_json() for s in self.layers]}

    @property
    def nonfinite(self) -> int:
        return sum(s.nonfinite for s in self.layers)
