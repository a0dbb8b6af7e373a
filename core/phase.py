"""The phase diagram's numbers: where every (σ_w², σ_b²) of an activation leads a deep net
(Poole+ 2016, Schoenholz+ 2017; init-theory.md §3), read from core/theory.py's tables over log q
(built once per activation), so an 80×60 grid costs a few array operations, not 4800 solves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.theory import (
    _Q_TABLE,
    _bisect_log,
    _c_star,
    _chi_c,
    _closed,
    _interp_log,
    _Table,
    _table,
    moments,
)

SW2_RANGE = (0.5, 4.0)  # the phase diagram's axes (§3 Phase diagram)
SB2_RANGE = (0.0, 0.3)


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
