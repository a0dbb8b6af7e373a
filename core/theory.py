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
from core.config import Config
from core.fields import finite_or_none
from core.inits import INITS

INPUT_SECOND_MOMENT = {"normal": 1.0, "uniform": 1.0 / 3.0, "positive": 1.0 / 3.0}  # E[x²]
CRITICAL_TOL = 0.02  # |ln χ₁| below this (ξ > 50 layers) reads as "critical"
SW2_RANGE = (0.5, 4.0)  # the phase diagram's axes (§3 Phase diagram)
SB2_RANGE = (0.0, 0.3)

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
    return sigma_w2 * moments(activation, q).m2 + sigma_b2


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


@dataclass(frozen=True, eq=False)
class PhaseGrid:
    """Arrays are (len(sigma_b2), len(sigma_w2)): row = σ_b², column = σ_w² (an image's y, x)."""

    activation: str
    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray  # inf where the length map diverges
    chi1: np.ndarray
    xi_c: np.ndarray  # inf on the critical line and where correlations converge algebraically
    critical_sigma_w2: np.ndarray  # per σ_b²; nan where χ₁ = 1 lies outside the table


def phase_grid(
    activation: str,
    sigma_w2: np.ndarray | None = None,
    sigma_b2: np.ndarray | None = None,
) -> PhaseGrid:
    sw = np.linspace(*SW2_RANGE, 80) if sigma_w2 is None else np.asarray(sigma_w2, float)
    sb = np.linspace(*SB2_RANGE, 60) if sigma_b2 is None else np.asarray(sigma_b2, float)
    tab = _table(activation)
    W, B = np.meshgrid(sw, sb)
    q = _grid_q_star(tab, sw, sb).ravel()
    chi = W.ravel() * _interp_log(q, tab.d2)
    xi = np.full_like(q, np.inf)
    with np.errstate(all="ignore"):
        ordered = chi < 1.0
        xi[ordered] = -1.0 / np.log(chi[ordered])
        chaos = ~ordered & np.isfinite(q) & (tab.mehler is not None)
        if chaos.any():
            coef = _interp_log(q[chaos], tab.mehler)
            args = (coef, q[chaos], W.ravel()[chaos])
            rate = _chi_c(*args, _c_star(*args, B.ravel()[chaos]))
            xi[chaos] = np.where(rate < 1.0, -1.0 / np.log(rate), np.inf)
    shape = W.shape
    return PhaseGrid(
        activation,
        sw,
        sb,
        q.reshape(shape),
        chi.reshape(shape),
        xi.reshape(shape),
        critical_line(activation, sb),
    )


def _grid_q_star(tab: _Table, sw2: np.ndarray, sb2: np.ndarray) -> np.ndarray:
    """q* on the whole (σ_b², σ_w²) grid: the first table q where the map falls below the diagonal,
    i.e. where (q − σ_b²)/E[φ²](q) first exceeds σ_w² (a running max and one searchsorted per σ_b²
    row), then interpolated linearly inside that cell."""
    m2 = np.maximum(tab.m2, 1e-300)
    out = np.empty((len(sb2), len(sw2)))
    for r, sb in enumerate(sb2):
        ratio = np.maximum.accumulate((_Q_TABLE - sb) / m2)
        j = np.searchsorted(ratio, sw2, side="right")
        jj = np.clip(j, 1, len(_Q_TABLE) - 1)
        g0 = sw2 * m2[jj - 1] + sb - _Q_TABLE[jj - 1]
        g1 = sw2 * m2[jj] + sb - _Q_TABLE[jj]
        with np.errstate(all="ignore"):
            t = np.clip(np.where(g0 - g1 > 0, g0 / (g0 - g1), 0.0), 0.0, 1.0)
        q = _Q_TABLE[jj - 1] + t * (_Q_TABLE[jj] - _Q_TABLE[jj - 1])
        out[r] = np.where(j == 0, 0.0, np.where(j >= len(_Q_TABLE), np.inf, q))
    return out


def _critical_curve(activation: str) -> tuple[np.ndarray, np.ndarray]:
    """χ₁ = 1 parametrised by q*: σ_w² = 1/E[φ′²](q), σ_b² = q − E[φ²](q)/E[φ′²](q) (both
    conditions at once), so the line costs one table instead of a root-find per σ_b²."""
    tab = _table(activation)
    with np.errstate(all="ignore"):
        return 1.0 / tab.d2, _Q_TABLE - tab.m2 / tab.d2


def critical_line(activation: str, sigma_b2: np.ndarray) -> np.ndarray:
    sb = np.asarray(sigma_b2, float)
    closed = _closed(activation)
    if closed is not None:  # homogeneous: χ₁ = σ_w²·E[φ′²] whatever the bias
        return np.full_like(sb, 1.0 / closed.d2)
    sw_c, sb_c = _critical_curve(activation)
    ok = np.isfinite(sw_c) & np.isfinite(sb_c)
    run = np.maximum.accumulate(np.where(ok, sb_c, -np.inf))
    j = np.searchsorted(run, sb)  # first table q whose σ_b² reaches the target
    inside = (j > 0) & (j < len(run))
    at_zero = (j == 0) & (np.abs(sb - sb_c[0]) < 1e-6)  # q* → 0: σ_w² = 1/φ′(0)²
    j = np.clip(j, 1, len(run) - 1)
    with np.errstate(all="ignore"):
        t = (sb - sb_c[j - 1]) / (sb_c[j] - sb_c[j - 1])
        out = sw_c[j - 1] + np.clip(t, 0, 1) * (sw_c[j] - sw_c[j - 1])
    return np.where(inside, out, np.where(at_zero, sw_c[0], np.nan))


def critical_sigma_w2(activation: str, sigma_b2: float) -> float:
    """σ_w² with χ₁ = 1 at this σ_b², refined by bisection on the exact moments (nan if none)."""
    closed = _closed(activation)
    if closed is not None:
        return 1.0 / closed.d2
    _, sb_c = _critical_curve(activation)
    run = np.maximum.accumulate(np.where(np.isfinite(sb_c), sb_c, -np.inf))
    j = int(np.searchsorted(run, sigma_b2))
    if j == 0 or j >= len(run):
        return float(critical_line(activation, np.array([sigma_b2]))[0])

    def sb_of(q):
        m = moments(activation, q)
        return q - m.m2 / m.d2

    return 1.0 / moments(activation, _bisect_log(lambda q: sb_of(q) < sigma_b2, j)).d2


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


# ----------------------------------------------------------------- per-layer prediction of a config
@dataclass(frozen=True)
class LayerPrediction:
    index: int
    activation: str
    sigma_w2: float
    sigma_b2: float  # of the random part of the bias
    preact_mean: float  # the bias's mean (a constant bias shifts h, it does not widen it)
    preact_std: float
    act_mean: float
    act_std: float
    chi: float  # σ_w²·E[φ′(h)²] of this layer
    grad_std: float  # ∂ℓ/∂a
    preact_grad_std: float  # δ = ∂ℓ/∂h

    JSON_FIELDS = ("preact_std", "act_mean", "act_std", "grad_std", "preact_grad_std", "chi")

    def to_json(self) -> dict:
        return {k: finite_or_none(getattr(self, k)) for k in self.JSON_FIELDS}


@dataclass(frozen=True)
class Prediction:
    config: Config
    layers: tuple[LayerPrediction, ...]
    fixed: FixedPoint  # of the deepest layer's (φ, σ_w², σ_b²): where a deep net ends up

    def to_json(self) -> dict:
        return self.fixed.to_json()


def bias_moments(c: Config, fan_in: int) -> tuple[float, float]:
    """(mean, variance) of a bias entry: constant c → (c, 0); normal σ_b → (0, σ_b²); nn.Linear's
    U(±1/√n) → (0, 1/(3n))."""
    if c.bias == "constant":
        return c.bias_value, 0.0
    if c.bias == "normal":
        return 0.0, c.bias_value**2
    if c.bias == "default" and INITS[c.init].torch_bias:
        return 0.0, 1.0 / (3.0 * fan_in)
    return 0.0, 0.0


def applies(c: Config) -> bool:
    """Mean field needs zero-mean weights: a non-zero constant W breaks it."""
    return not (c.init == "constant" and c.value != 0.0)


def predict(c: Config) -> Prediction | None:
    """Forward then backward through the config's widths and activations. Data-dependent schemes
    (LSUV) are given the σ_w² that makes Var(h) = 1 at every layer, which is what they enforce.
    Norms and skips are outside this recursion (see residual_variances)."""
    if not applies(c) or c.norm != "none" or c.residual:
        return None
    init, widths = INITS[c.init], c.widths
    second = INPUT_SECOND_MOMENT[c.input]  # E[a²] of the layer below
    forward = []
    for fan_in, fan_out, act in zip(widths[:-1], widths[1:], c.activations, strict=True):
        mu, sb2 = bias_moments(c, fan_in)
        sw2 = init.sigma_w2(fan_in, fan_out, c)
        if sw2 is None:
            sw2 = max(1.0 - sb2, 0.0) / second if second > 0 else 0.0
        var = sw2 * second + sb2
        m = moments(act, var, mu)
        forward.append((act, sw2, sb2, mu, var, m))
        second = m.m2
    layers = _backward(c, forward)
    act, sw2, sb2, mu = forward[-1][:4]
    return Prediction(c, layers, fixed_point(act, sw2, sb2 + mu * mu))


def _backward(c: Config, forward) -> tuple[LayerPrediction, ...]:
    """q̃ of ∂ℓ/∂a is 1 at the top (a Gaussian source), then ×χ^l·N_l/N_{l−1} per layer down.

    An MSE source is not predicted (nan): its a^L − y depends on W^L, so the gradient is no longer
    independent of the weights it flows back through (measured 66% off for He-ReLU at layer 1)."""
    widths = c.widths
    grad2 = 1.0 if c.grad_source == "gaussian" else math.nan
    out = []
    for i in range(len(forward) - 1, -1, -1):
        act, sw2, sb2, mu, var, m = forward[i]
        delta2 = grad2 * m.d2
        out.append(
            LayerPrediction(
                i + 1,
                act,
                sw2,
                sb2,
                mu,
                math.sqrt(var),
                m.m1,
                m.std,
                sw2 * m.d2,
                math.sqrt(grad2),
                math.sqrt(delta2),
            )
        )
        grad2 = delta2 * sw2 * widths[i + 1] / widths[i]  # ∂ℓ/∂a below is δ·Wᵀ
    return tuple(reversed(out))


def config_point(c: Config) -> tuple[str, float, float] | None:
    """(activation, σ_w², σ_b²) of the deepest layer: where the config sits on the phase diagram."""
    p = predict(c)
    if p is None:
        return None
    return p.fixed.activation, p.fixed.sigma_w2, p.fixed.sigma_b2


# ----------------------------------------------------------------- densities for overlays
ROW_VARIANCE = {
    "preact": lambda lp: (lp.preact_mean, lp.preact_std**2),
    "grad": lambda lp: (0.0, lp.grad_std**2),
    "delta": lambda lp: (0.0, lp.preact_grad_std**2),
}


def _normal_pdf(x, mean, var):
    return np.exp(-0.5 * (x - mean) ** 2 / var) / math.sqrt(2.0 * math.pi * var)


def density(pred: Prediction, layer: int, row: str, n: int = 401) -> tuple[np.ndarray, np.ndarray]:
    """(x, p(x)) of layer `layer` (1-based) for row "preact", "act", "grad" or "delta".

    Gaussian rows are N(mean, var). "act" pushes N(μ, q) through φ: for monotone φ by the change of
    variables p(a) = N(h; μ, q)/φ′(h) at a = φ(h); flat stretches of φ (ReLU's h < 0, hardtanh's
    tails) are point masses, reported by `point_masses`, not here; a non-monotone φ (GELU, SiLU)
    is binned. Points where φ′ underflows to 0 are left out rather than shown as infinite.
    """
    lp = pred.layers[layer - 1]
    if row in ROW_VARIANCE:
        mean, var = ROW_VARIANCE[row](lp)
        s = math.sqrt(var)
        x = np.linspace(mean - 5 * s, mean + 5 * s, n)
        return x, _normal_pdf(x, mean, var) if var > 0 else np.zeros_like(x)
    if row != "act":
        raise KeyError(f"no prediction for row {row!r}: one of preact, act, grad, delta")
    h, a, d, p = _pushforward(lp, n * 10)
    if np.all(np.diff(a) >= 0):
        keep = np.flatnonzero(d > 1e-12)
        keep = keep[:: max(1, keep.size // n)]
        return a[keep], p[keep] / d[keep]
    return _binned(a, p * (h[1] - h[0]), n)


def point_masses(pred: Prediction, layer: int) -> tuple[tuple[float, float], ...]:
    """((value, probability), …) of the activation row: where φ is flat, its output is one value."""
    lp = pred.layers[layer - 1]
    h, a, d, p = _pushforward(lp, 20001)
    flat = d <= 1e-12
    if not flat.any():
        return ()
    mass = p * (h[1] - h[0])
    values = np.unique(np.round(a[flat], 9))
    return tuple(
        (float(v), float(mass[flat & (np.abs(a - v) < 1e-6)].sum()))
        for v in values
        if lp.preact_std > 0
    )


def _pushforward(lp: LayerPrediction, n: int):
    s = max(lp.preact_std, 1e-300)
    h = np.linspace(lp.preact_mean - 8 * s, lp.preact_mean + 8 * s, n)
    a, d = _phi(lp.activation, h)
    return h, a, d, _normal_pdf(h, lp.preact_mean, s * s)


def _binned(a: np.ndarray, mass: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    edges = np.linspace(a.min(), a.max(), n + 1)
    counts, _ = np.histogram(a, edges, weights=mass)
    return 0.5 * (edges[1:] + edges[:-1]), counts / (edges[1] - edges[0])


# ----------------------------------------------------------------- the CLI's `--theory`
THEORY_COLUMNS = (
    ("h std*", "preact_std"),
    ("a std*", "act_std"),
    ("∂a std*", "grad_std"),
    ("∂h std*", "preact_grad_std"),
)


def with_theory_json(doc: dict, pred: Prediction | None) -> dict:
    """The Snapshot's JSON with each layer's prediction beside its measurement, and the fixed point
    at the top; "theory": null where mean field does not apply (a non-zero constant W)."""
    layers = pred.layers if pred else [None] * len(doc["layers"])
    return {
        **doc,
        "theory": pred.to_json() if pred else None,
        "layers": [
            {**l, "theory": lp.to_json() if lp else None}
            for l, lp in zip(doc["layers"], layers, strict=True)
        ],
    }


def with_theory_table(table: str, pred: Prediction | None) -> str:
    """The CLI's table with the predicted columns (starred) appended, and the regime underneath."""
    lines = table.splitlines()
    if pred is None:
        return table + "\ntheory: mean field needs zero-mean weights (not a non-zero constant W)"
    lines[0] += "".join(f" {name:>9}" for name, _ in THEORY_COLUMNS)
    for i, lp in enumerate(pred.layers, start=1):
        lines[i] += "".join(f" {getattr(lp, key):9.3g}" for _, key in THEORY_COLUMNS)
    fp = pred.fixed
    lines.append(f"* mean field. q* = {fp.q_star:.4g}, ξ_c = {fp.xi_c:.3g} layers; {fp.regime}")
    return "\n".join(lines)


# ----------------------------------------------------------------- residual streams (issue #9)
def residual_variances(c: Config, zero_last: bool = True) -> tuple[float, ...] | None:
    """Var(h) of every layer of a residual net without norms, at infinite width: the branch is
    independent of the stream, so a block adds its branch's variance (core/residual.py),

        q_{l+1} = q_l + α²·(σ_w²·E[φ(√v z)²] + σ_b²),   v the branch's inner variance,

    with the data itself (E[x²]) feeding the first branch. For He + ReLU, E[relu²] = q/2 gives
    ×2 per block; ReZero (α = 0) and Fixup (last layer 0) give ×1; Fixup's scaling alone
    (zero_last=False) gives ×(1 + 1/L), bounded by e over the L blocks."""
    if not c.residual or c.norm != "none" or not applies(c):
        return None
    init, n, m = INITS[c.init], c.widths[0], c.branch_layers
    blocks = c.depth // m
    scale = blocks ** (-1.0 / (m - 1)) if c.residual_init == "fixup" else 1.0  # on σ_w² (squared)
    q, out = INPUT_SECOND_MOMENT[c.input], []
    for block in range(blocks):
        # E[a²] into the branch: the data itself for the first block, else φ of the stream
        second = moments(c.activations[block * m - 1], q).m2 if block else q
        for k in range(m):
            j = block * m + k
            mu, sb2 = bias_moments(c, n)
            sw2 = init.sigma_w2(n, n, c)
            last = k == m - 1
            if last and c.residual_init == "fixup" and zero_last:
                sw2, sb2, mu = 0.0, 0.0, 0.0
            elif not last:
                sw2 *= scale
            var = sw2 * second + sb2 + mu * mu
            if last:
                alpha2 = 0.0 if c.residual_init == "rezero" else 1.0
                q = q + alpha2 * var
                out.append(q)
            else:
                out.append(var)
                second = moments(c.activations[j], var, mu).m2
    return tuple(out)
