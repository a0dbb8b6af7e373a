"""Mean-field theory of a random deep net: what the histograms *should* look like at infinite width.

The formulas are those of init-theory.md §3 (Poole+ 2016, Schoenholz+ 2017): a pre-activation is
Gaussian, its variance follows the length map q ↦ σ_w²·E[φ(√q z)²] + σ_b², and a gradient's
variance is multiplied per layer by the width ratio times χ = σ_w²·E[φ′(√q z)²]. Every φ and φ′
comes from the activation registry; the only formulas written here are the Gaussian moments of the
positively homogeneous activations (linear, ReLU, leaky ReLU: an entry's `slopes`), whose closed forms
are exact.

Gaussian expectations use an even-count Gauss–Hermite rule for smooth φ (an entry's `smooth`) at
q ≤ 1 and a 4001-point trapezoid (its 4000 cells' midpoints) on z ∈ [−10, 10] otherwise:
Gauss–Hermite is exact to rounding for analytic φ at small q but loses 1e-2 on a saturating tanh at
q = 100, and a node at z = 0 spoils the kink of ReLU-like functions (§3 Numerics). The phase diagram reads tables of these moments over log q,
built once per activation, so a 80×60 grid costs a few array operations instead of 4800 solves.

Per-layer factors are stated for standard deviations (√χ): that is what the histograms' widths and
the CLI's `*_std` fields show. So 0.01·randn-tanh (χ₁ = 0.05) shrinks ×0.22 per layer and
randn-tanh (χ₁ = 12.1) grows gradients ×3.48 per layer, as the simulations of §2 measure.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.activations import ACTIVATIONS
from core.fields import finite_or_none

INPUT_SECOND_MOMENT = {"normal": 1.0, "uniform": 1.0 / 3.0, "positive": 1.0 / 3.0}  # E[x²]
CRITICAL_TOL = 0.02  # |ln χ₁| below this (ξ > 50 layers) reads as "critical"

_SQRT_2PI = math.sqrt(2.0 * math.pi)
# The 4001-point trapezoid's 4000 cells, sampled at their midpoints: same accuracy, but no node at
# z = 0, where relu′(0) = 0 (PyTorch's convention) would cost E[relu′²] 1e-3 on a node.
_TRAP_Z = np.linspace(-10.0, 10.0, 4001)[:-1] + 0.0025
_TRAP_W = np.exp(-0.5 * _TRAP_Z**2) / _SQRT_2PI * 0.005
_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(96)  # even: no node on a kink at 0
_GH_W = _GH_W / _SQRT_2PI
_GH_MAX_Q = 1.0  # measured: up to here GH-96 matches the trapezoid to 1e-9 (tanh: 1e-4 at q = 4)
_HERMITE_TERMS = 80  # Mehler series length for the correlation map
_Q_TABLE = np.geomspace(1e-8, 1e6, 480)  # the phase grid's log-q table (Δlog₁₀ q = 0.03)
_Q_HUGE = _Q_TABLE[-1]  # beyond this the length map is said to diverge


# ----------------------------------------------------------------- Gaussian expectations
def _nodes(activation: str, q: float) -> tuple[np.ndarray, np.ndarray]:
    if ACTIVATIONS[activation].smooth and q <= _GH_MAX_Q:  # analytic: GH converges fast
        return _GH_Z, _GH_W
    return _TRAP_Z, _TRAP_W


def _phi(activation: str, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """φ(h) and φ′(h) from the registry (the one copy of each formula)."""
    act = ACTIVATIONS[activation]
    with np.errstate(all="ignore"):
        a = act.f(h, np.empty_like(h))
        d = act.df(h, a, np.empty_like(h)).astype(float)
    return a, d


def expect(
    activation: str, g: Callable, q: float, mean: float = 0.0, nodes: str | None = None
) -> float:
    """E[g(h, φ(h), φ′(h))] for h ~ N(mean, q); `nodes` forces "gh" or "trap" (tests compare them)."""
    z, w = {"gh": (_GH_Z, _GH_W), "trap": (_TRAP_Z, _TRAP_W)}.get(
        nodes, _nodes(activation, q) if mean == 0.0 else (_TRAP_Z, _TRAP_W)
    )
    h = mean + math.sqrt(max(q, 0.0)) * z
    a, d = _phi(activation, h)
    with np.errstate(all="ignore"):
        return float(np.dot(w, g(h, a, d)))


@dataclass(frozen=True)
class _Homogeneous:
    """φ(√q z) = √q·φ(z): moments scale with q, E[φ′²] and the correlation kernel do not."""

    m1: float  # E[φ(z)]
    m2: float  # E[φ(z)²]
    d2: float  # E[φ′(z)²]
    kernel: Callable[[np.ndarray], np.ndarray]  # E[φ(u₁)φ(u₂)]/q at correlation c


def _arccos_kernel(c):
    """E[relu(u₁)relu(u₂)]/q (Cho & Saul's arc-cosine kernel of degree 1)."""
    c = np.clip(c, -1.0, 1.0)
    return (np.sqrt(1.0 - c * c) + (np.pi - np.arccos(c)) * c) / (2.0 * np.pi)


@functools.cache
def _homogeneous(up: float, down: float) -> _Homogeneous:
    """φ(x) = up·x above 0, down·x below, i.e. up·relu(x) − down·relu(−x): E[φ] = (up − down)/√2π,
    E[φ²] = E[φ′²] = (up² + down²)/2, and the kernel's cross terms see correlation −c."""
    second = (up**2 + down**2) / 2.0
    if up == down:  # linear: the kernel is exactly up²·c (the general form would round it)
        return _Homogeneous(0.0, second, second, lambda c: up * up * np.asarray(c, float))

    def kernel(c):
        return (up * up + down * down) * _arccos_kernel(c) - 2.0 * up * down * _arccos_kernel(-c)

    return _Homogeneous((up - down) / _SQRT_2PI, second, second, kernel)


def _closed(activation: str) -> _Homogeneous | None:
    """The closed forms of an activation whose entry declares it homogeneous, else None."""
    slopes = ACTIVATIONS[activation].slopes
    return None if slopes is None else _homogeneous(*slopes)


@dataclass(frozen=True)
class Moments:
    """Of h ~ N(mean, var): E[φ(h)], E[φ(h)²], E[φ′(h)²]."""

    m1: float
    m2: float
    d2: float

    @property
    def std(self) -> float:
        return math.sqrt(max(self.m2 - self.m1**2, 0.0))


def moments(activation: str, var: float, mean: float = 0.0) -> Moments:
    closed = _closed(activation)
    if closed is not None and mean == 0.0:
        return Moments(math.sqrt(var) * closed.m1, var * closed.m2, closed.d2)
    return Moments(
        expect(activation, lambda h, a, d: a, var, mean),
        expect(activation, lambda h, a, d: a * a, var, mean),
        expect(activation, lambda h, a, d: d * d, var, mean),
    )


def length_map(activation: str, q: float, sigma_w2: float, sigma_b2: float) -> float:
    return sigma_w2 * second_moment(activation, q) + sigma_b2


def second_moment(activation: str, var: float) -> float:
    """moments(activation, var).m2 to the bit, one quadrature instead of three: q_star's
    bisection maps q some 30-60 times a frame (benchmarks/README.md, session 15)."""
    closed = _closed(activation)
    if closed is not None:
        return var * closed.m2
    return expect(activation, lambda h, a, d: a * a, var)


def _length_slope(activation: str, q: float) -> float:
    """d/dq E[φ(√q z)²] = E[z·φφ′(√q z)]/√q (Stein), i.e. E[φ′²] + E[φ″φ] without a φ″."""
    closed = _closed(activation)
    if closed is not None:
        return closed.m2
    q = max(q, 1e-12)
    return expect(activation, lambda h, a, d: h * a * d, q) / q


# ----------------------------------------------------------------- fixed point and depth scales
@dataclass(frozen=True)
class FixedPoint:
    activation: str
    sigma_w2: float
    sigma_b2: float
    q_star: float  # math.inf when the length map diverges
    chi1: float
    c_star: float
    xi_q: float
    xi_c: float

    @property
    def regime(self) -> str:
        return regime(self.chi1, self.q_star)

    def to_json(self) -> dict:
        keys = ("q_star", "chi1", "c_star", "xi_q", "xi_c")
        out = {k: finite_or_none(getattr(self, k)) for k in keys}
        return {**out, "sigma_w2": self.sigma_w2, "sigma_b2": self.sigma_b2, "regime": self.regime}


def q_star(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """The stable fixed point of the length map: the first q where it turns from above to below
    the diagonal (bracketed on the log-q table, then bisected on the exact map)."""
    f = _length_gap(activation, sigma_w2, sigma_b2)
    gap = sigma_w2 * _table(activation).m2 + sigma_b2 - _Q_TABLE
    below = np.flatnonzero(gap < 0)
    if below.size == 0:
        return math.inf
    j = int(below[0])
    if j == 0:
        return sigma_b2 if sigma_w2 == 0 else 0.0
    return _bisect_log(lambda q: f(q) > 0, j)


def _bisect_log(below_root: Callable[[float], bool], j: int) -> float:
    """Bisect (geometrically) around table cell j, one cell of slack on each side for the table's
    own quadrature error: the exact function decides."""
    lo, hi = float(_Q_TABLE[max(j - 2, 0)]), float(_Q_TABLE[min(j + 1, len(_Q_TABLE) - 1)])
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if below_root(mid) else (lo, mid)
    return math.sqrt(lo * hi)


def _length_gap(activation, sigma_w2, sigma_b2):
    return lambda q: length_map(activation, q, sigma_w2, sigma_b2) - q


def fixed_point(activation: str, sigma_w2: float, sigma_b2: float) -> FixedPoint:
    q = q_star(activation, sigma_w2, sigma_b2)
    qe = min(q, _Q_HUGE)
    chi1 = sigma_w2 * moments(activation, qe).d2
    slope = sigma_w2 * _length_slope(activation, qe) if math.isfinite(q) else math.inf
    c_star, chi_c = _correlation_fixed_point(activation, q, sigma_w2, sigma_b2, chi1)
    return FixedPoint(activation, sigma_w2, sigma_b2, q, chi1, c_star, _depth(slope), _depth(chi_c))


def chi1(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    return fixed_point(activation, sigma_w2, sigma_b2).chi1


def _depth(rate: float) -> float:
    """ξ = −1/ln(rate): the number of layers over which a deviation shrinks by e."""
    if not math.isfinite(rate) or rate >= 1.0:
        return math.inf
    if rate <= 0.0:
        return 0.0
    return -1.0 / math.log(rate)


# ----------------------------------------------------------------- correlation map
def _hermite_basis(z: np.ndarray, w: np.ndarray, terms: int = _HERMITE_TERMS) -> np.ndarray:
    """w·h_k(z), h_k the orthonormal probabilists' Hermite polynomials, as a (len(z), terms) matrix."""
    out = np.empty((z.size, terms))
    prev, cur = np.zeros_like(z), np.ones_like(z)
    for k in range(terms):
        out[:, k] = cur
        prev, cur = cur, (z * cur - math.sqrt(k) * prev) / math.sqrt(k + 1)
    return out * w[:, None]


_TRAP_HERMITE = _hermite_basis(_TRAP_Z, _TRAP_W)
# The tables use half the midpoints (h = 0.01; error still < 1e-5): a cold phase grid is then
# ~100 ms instead of ~300 ms. Scalar answers use the full rule; tables only bracket them.
_TABLE_Z = np.linspace(-10.0, 10.0, 2001)[:-1] + 0.005
_TABLE_W = np.exp(-0.5 * _TABLE_Z**2) / _SQRT_2PI * 0.01
_TABLE_HERMITE = _hermite_basis(_TABLE_Z, _TABLE_W)


def _mehler(activation: str, q: np.ndarray, mean: float = 0.0) -> np.ndarray:
    """α_k(q)² with α_k = E[φ(μ + √q z)h_k(z)]: by Mehler, E[φ(u₁)φ(u₂)] = Σ c^k α_k² for
    u₁, u₂ of mean μ, variance q and correlation c."""
    h = mean + np.sqrt(np.asarray(q, float))[..., None] * _TRAP_Z
    a, _ = _phi(activation, h)
    return (a @ _TRAP_HERMITE) ** 2


def correlation_map(
    activation: str, c, q: float, sigma_w2: float, sigma_b2: float, mean: float = 0.0
):
    """c ↦ c′ at a fixed length q (= q*): how the correlation of two inputs evolves per layer.

    With a `mean` (a constant bias shifts every pre-activation by it), q and c are the centred
    variance and correlation of this layer's h, and c′ the centred correlation of the next
    layer's (whose own constant shift adds to neither). Its denominator is then the truncated
    series at c = 1, so that c = 1 stays 1 exactly for a kinked φ too, whose Hermite coefficients
    decay slowly (ReLU: ~1e-3 of E[φ²] is beyond the 80th)."""
    c = np.asarray(c, float)
    closed = _closed(activation)
    if mean != 0.0:
        coef = _mehler(activation, q, mean)
        cov = sigma_w2 * np.polynomial.polynomial.polyval(c, coef) + sigma_b2
        return cov / (sigma_w2 * coef.sum() + sigma_b2)
    if closed is not None:
        cov = sigma_w2 * q * closed.kernel(c) + sigma_b2
    else:
        cov = sigma_w2 * np.polynomial.polynomial.polyval(c, _mehler(activation, q)) + sigma_b2
    return cov / (sigma_w2 * moments(activation, q).m2 + sigma_b2)


_C_GRID = np.linspace(0.0, 0.995, 200)


def _c_star(coef: np.ndarray, q: np.ndarray, sw2: np.ndarray, sb2: np.ndarray) -> np.ndarray:
    """The stable correlation below 1 in the chaotic phase: the last c where the c-map (built from
    Mehler coefficients `coef`, one row per point) is still above the diagonal."""
    powers = _C_GRID[None, :] ** np.arange(coef.shape[-1])[:, None]
    cmap = (sw2[:, None] * (coef @ powers) + sb2[:, None]) / q[:, None]
    above = cmap - _C_GRID >= 0
    last = np.where(above.any(axis=1), above.shape[1] - 1 - np.argmax(above[:, ::-1], axis=1), -1)
    j = np.clip(last, 0, _C_GRID.size - 2)
    rows = np.arange(len(j))
    f0 = cmap[rows, j] - _C_GRID[j]
    f1 = cmap[rows, j + 1] - _C_GRID[j + 1]
    with np.errstate(all="ignore"):
        t = np.clip(np.where(f0 - f1 > 0, f0 / (f0 - f1), 0.0), 0.0, 1.0)
    c = _C_GRID[j] + t * (_C_GRID[j + 1] - _C_GRID[j])
    return np.where(last == _C_GRID.size - 1, 1.0, np.where(last < 0, 0.0, c))


def _chi_c(coef, q, sw2, c):
    """Slope of the c-map at c: σ_w²·E[φ′(u₁)φ′(u₂)] = σ_w²·(d/dc Σ c^k α_k²)/q (Price)."""
    k = np.arange(1, coef.shape[-1])
    return sw2 * (coef[:, 1:] * k * c[:, None] ** (k - 1)).sum(axis=1) / q


def _correlation_fixed_point(activation, q, sw2, sb2, chi1) -> tuple[float, float]:
    """(c*, slope there). Ordered: c* = 1 and the slope is χ₁. Diverging q: the map tends to the
    homogeneous arc-cosine-like one, whose slope at c* = 1 is 1 (correlations converge slowly)."""
    if chi1 < 1.0 or q == 0.0 or (_closed(activation) is not None and math.isfinite(q)):
        return 1.0, chi1
    if not math.isfinite(q):
        return 1.0, 1.0
    coef = _mehler(activation, np.array([q]))
    args = (coef, np.array([q]), np.array([sw2]))
    c = _c_star(*args, np.array([sb2]))
    return float(c[0]), float(_chi_c(*args, c)[0])


# ----------------------------------------------------------------- phase diagram
@dataclass(frozen=True, eq=False)
class _Table:
    m2: np.ndarray  # E[φ(√q z)²] on _Q_TABLE
    d2: np.ndarray  # E[φ′(√q z)²]
    mehler: np.ndarray | None  # (len(_Q_TABLE), terms), None for the homogeneous ones


def _table(activation: str) -> _Table:
    return _table_of(ACTIVATIONS[activation])


@functools.cache
def _table_of(entry) -> _Table:
    """Cached by the registry entry, not its name: an entry replaced (a test's) gets its own."""
    activation = entry.name
    closed = _closed(activation)
    if closed is not None:
        return _Table(closed.m2 * _Q_TABLE, np.full_like(_Q_TABLE, closed.d2), None)
    h = np.sqrt(_Q_TABLE)[:, None] * _TABLE_Z
    a, d = _phi(activation, h)
    with np.errstate(all="ignore"):
        return _Table((a * a) @ _TABLE_W, (d * d) @ _TABLE_W, (a @ _TABLE_HERMITE) ** 2)


def _interp_log(q: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Table lookup linear in log q; q = 0 takes the smallest tabulated q (φ is smooth there)."""
    with np.errstate(divide="ignore"):
        x = np.log(np.clip(q, _Q_TABLE[0], _Q_TABLE[-1]))
    logs = np.log(_Q_TABLE)
    if values.ndim == 1:
        return np.interp(x, logs, values)
    j = np.clip(np.searchsorted(logs, x) - 1, 0, len(logs) - 2)
    t = ((x - logs[j]) / (logs[j + 1] - logs[j]))[..., None]
    return (1 - t) * values[j] + t * values[j + 1]


# ----------------------------------------------------------------- plain language
def regime(chi1: float, q_star: float = 1.0) -> str:
    """One line for a student, stated for standard deviations: the factor is √χ₁ per layer."""
    factor = math.sqrt(chi1)
    if abs(math.log(max(chi1, 1e-300))) < CRITICAL_TOL:
        return f"critical (χ₁ = {chi1:.3g}): gradients keep their size through depth"
    if chi1 < 1.0:
        what = "signals and gradients" if q_star == 0.0 else "gradients"
        tail = "" if q_star == 0.0 else "; distinct inputs grow alike"
        return f"ordered (χ₁ = {chi1:.3g}): {what} shrink ×{factor:.2g} per layer{tail}"
    tail = "; signals blow up too" if not math.isfinite(q_star) else ""
    return f"chaotic (χ₁ = {chi1:.3g}): gradients grow ×{factor:.3g} per layer{tail}"
