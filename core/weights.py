"""A layer's drawn weights as the weight row shows them: their histogram on ±3σ of the scheme,
the share beyond ±2σ (truncation's whole point: 0 for a truncated normal, 4.6% for a plain one),
and for an orthogonal draw its singular values (all equal to the gain).

σ here is the scheme's own scale *before* any truncation: the cut of a truncated normal is at ±2σ
and its real std is 0.88σ (init-theory.md §1, §6). Bins are 0.1σ wide, so ±2σ are bin edges and
"no mass beyond 2σ" is a statement about whole bins.

Summaries are cached by what fixes the weights' values (layer, shape, seed, their exact mean and
std, the range), so a frame that redraws nothing re-bins nothing; training, which moves the
weights, moves their moments and so misses the cache. Singular values cost an eigen-solve (10 ms
at 500 × 500), so they are taken only for orthogonal schemes, on the layers `svd_layers` names, and
cached by the draw up to its scale: a gain sweep rescales the same Q and reuses them.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass

import numpy as np

from core import stats
from core.inits import INITS, TRUNC_STD
from core.network import Weights, as_weights

SPAN = 3.0  # the histogram covers ±3σ
BINS = 60  # 0.1σ a bin: ±2σ are the edges of bins 10 and 50
CUT = 2.0  # truncation's cut, in σ
SVD_MAX_SIDE = 1024  # beyond this the eigen-solve costs seconds: no singular values
SVD_ALL_DEPTH = 12  # nets this deep or shallower get every layer's singular values
_CACHE_SIZE = 512

# What each scheme's draw looks like (its density's family). lsuv is an orthogonal draw rescaled.
KIND = {
    "zeros": "constant",
    "constant": "constant",
    "normal": "normal",
    "truncated-normal": "normal",
    "uniform": "uniform",
    "xavier-normal": "normal",
    "xavier-uniform": "uniform",
    "he-normal": "normal",
    "he-uniform": "uniform",
    "lecun-normal": "normal",
    "lecun-uniform": "uniform",
    "orthogonal": "orthogonal",
    "sparse": "sparse",
    "pytorch-default": "uniform",
    "lsuv": "orthogonal",
}


@dataclass(frozen=True)
class Scheme:
    """What a config's scheme draws for one layer: the density's family and its numbers."""

    kind: str  # normal, truncated, uniform, orthogonal, sparse, constant
    sigma: float  # scale before truncation (the ±2σ marks); NaN where the data decide (lsuv)
    std: float  # the real std of a weight: 0.88σ truncated (tf), σ√(1−z) sparse, …
    bound: float = math.nan  # uniform's ±a
    zeros: float = 0.0  # sparse: the share of exact zeros
    value: float = 0.0  # constant: the value
    gain: float = math.nan  # orthogonal: every singular value


def scheme(c, fan_in: int, fan_out: int) -> Scheme:
    """The scheme's density for a (fan_in, fan_out) layer, from core/inits.py's own σ_w²."""
    init = INITS[c.init]
    kind = KIND[c.init]
    sw2 = init.sigma_w2(fan_in, fan_out, c)
    real = math.sqrt(sw2 / fan_in) if sw2 is not None and fan_in > 0 else math.nan
    if kind == "constant":
        v = 0.0 if c.init == "zeros" else float(c.value)
        return Scheme("constant", 0.0, 0.0, value=v)
    if kind == "normal":
        if init.truncation(c) == "none":
            return Scheme("normal", real, real)
        # tf: σ is the stddev asked for, real std 0.88σ; keras: σ = real/0.88 so real is as asked
        return Scheme("truncated", real / TRUNC_STD, real)
    if kind == "uniform":
        return Scheme("uniform", real, real, bound=math.sqrt(3.0) * real)
    if kind == "sparse":
        z = math.ceil(c.sparsity * fan_out) / fan_out
        return Scheme("sparse", float(c.std), real, zeros=z)
    gain = init.gain(c) if c.init != "lsuv" else math.nan
    return Scheme("orthogonal", real, real, gain=gain)


def density(s: Scheme, x: np.ndarray) -> np.ndarray:
    """p(w) of the scheme (per unit of w); a constant's and sparse's point mass at c or 0 is
    not a density and is left out (sparse's continuous part integrates to 1 − z)."""
    x = np.asarray(x, float)
    if s.kind == "constant" or not s.sigma > 0:
        return np.zeros_like(x)
    if s.kind == "uniform":
        return np.where(np.abs(x) <= s.bound, 0.5 / s.bound, 0.0)
    sd = s.sigma if s.kind in ("truncated", "sparse") else s.std
    p = np.exp(-0.5 * (x / sd) ** 2) / (sd * math.sqrt(2.0 * math.pi))
    if s.kind == "truncated":
        inside = math.erf(CUT / math.sqrt(2.0))  # 0.9545 of N(0,1) lies within ±2
        return np.where(np.abs(x) <= CUT * s.sigma, p / inside, 0.0)
    return p * (1.0 - s.zeros) if s.kind == "sparse" else p


@dataclass(frozen=True, eq=False)
class WeightSummary:
    """One layer's drawn W as the weight row draws it."""

    scheme: Scheme
    hist: stats.Hist  # BINS bins on ±SPAN·half (half = σ, or a fallback for σ = 0); no log axis
    mean: float  # of every weight
    std: float  # of every weight
    beyond_2sigma: float  # share of the binned sample with |w| > 2σ (NaN when σ is 0)
    singular: np.ndarray | None = None  # descending; orthogonal schemes on svd_layers only

    @property
    def sigma(self) -> float:
        return self.scheme.sigma


def svd_layers(depth: int) -> frozenset[int]:
    """1-based layers whose singular values are taken: all of a shallow net, else the weight
    row's default three."""
    return frozenset(range(1, depth + 1)) if depth <= SVD_ALL_DEPTH else default_layers(depth)


@functools.lru_cache(maxsize=64)
def summary_layers(depth: int) -> frozenset[int]:
    """1-based layers whose W is summarized (histogram, ±2σ share) and whose distinct units
    are counted: the first SVD_ALL_DEPTH (a scene names a layer among them) and the weight
    row's default three. Every layer's of a depth-200 net were 200 histograms of 250 k weights
    and 200 unit counts, 40 ms of a drag frame, for pictures of three."""
    return frozenset(range(1, min(depth, SVD_ALL_DEPTH) + 1)) | default_layers(depth)


def default_layers(depth: int) -> frozenset[int]:
    """The weight row's layers when a scene names none: first, middle, last."""
    return frozenset({1, (depth + 1) // 2, depth})


_lock = threading.Lock()
_hists: dict[tuple, tuple] = {}
_svals: dict[tuple, np.ndarray] = {}


def _cached(cache: dict, key: tuple, make):
    with _lock:
        got = cache.get(key)
    if got is not None:
        return got
    got = make()
    with _lock:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = got
    return got


def _half_width(s: Scheme, m: stats.Moments) -> float:
    """The histogram's half-range: SPAN·σ of the scheme, else of the weights, else of c."""
    for sd in (s.sigma, m.std, 2.0 * abs(s.value) / SPAN):
        if math.isfinite(sd) and sd > 0:
            return SPAN * sd
    return 1.0


def summarize(index: int, W: np.ndarray | Weights, m: stats.Moments, c, scratch) -> WeightSummary:
    """W's summary for layer `index` (0-based), given its moments (already taken by measure).
    Of a layer's Weights left as k·base, only the rows the histogram bins are formed (but an
    orthogonal draw's, whose singular values read all of W)."""
    slot = as_weights(W)
    fan_in, fan_out = slot.shape
    s = scheme(c, fan_in, fan_out)
    if c.init == "lsuv":  # its σ is whatever the data made it
        s = Scheme("orthogonal", m.std, m.std, gain=m.std * math.sqrt(max(fan_in, fan_out)))
    half = _half_width(s, m)
    key = (index, slot.shape, slot.dtype.str, c.seed, half, m.mean, m.std, m.nonfinite)

    def make():
        rows, cols = slot.shape
        if slot.base is None or cols > stats.HIST_SAMPLE:
            h = stats.histogram(slot.form(), -half, half, BINS, scratch, m.nonfinite > 0, log=False)
        else:  # the rows histogram() bins of the formed W, formed alone, binned whole
            x = slot.rows(stats.row_step(rows, cols))
            h = stats.rows_histogram(x, 0, 1, -half, half, BINS, scratch, log=False)
        return h, _beyond(h, s)

    hist, beyond = _cached(_hists, key, make)
    singular = None
    if s.kind == "orthogonal" and index + 1 in svd_layers(c.depth):
        singular = _singular(index, slot.form(), m, c)
    return WeightSummary(s, hist, m.mean, m.std, beyond, singular)


def _beyond(h: stats.Hist, s: Scheme) -> float:
    """Share of the binned values beyond ±2σ: the bins outside the middle 40, and the overflow."""
    if not s.sigma > 0:
        return math.nan
    inner = slice(BINS // 2 - int(CUT * 10), BINS // 2 + int(CUT * 10))
    outside = h.counts.sum() - h.counts[inner].sum() + h.underflow + h.overflow
    return float(outside) / max(h.sampled, 1)


def _singular(index: int, W: np.ndarray, m: stats.Moments, c) -> np.ndarray | None:
    """W's singular values, descending. Cached by the draw up to its scale: 32 of its entries
    divided by its std identify the same Q under another gain."""
    if min(W.shape) > SVD_MAX_SIDE or not (math.isfinite(m.std) and m.std > 0):
        return None
    flat = W.reshape(-1)
    picks = flat[np.linspace(0, flat.size - 1, 32).astype(np.intp)] / m.std
    key = (index, W.shape, W.dtype.str, c.seed, tuple(np.round(picks.astype(float), 4)))

    def make():
        w = W.astype(np.float64)
        gram = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
        ev = np.linalg.eigvalsh(gram)[::-1]
        return np.sqrt(np.clip(ev, 0.0, None)) / m.std

    return _cached(_svals, key, make) * m.std
