"""Where on a histogram's axis an activation stops passing signal: the regions the panels shade.

- "saturated": φ′ below core.fused.SATURATED of its maximum (the saturated_frac statistic's own
  threshold), for the entries whose φ′ fades (`saturates` "both" or "below": tanh's and sigmoid's
  tails);
- "off": ReLU's h < 0 half (φ′ = 0 there: a switched-off unit, not a saturated one).
Found from each entry's own f and df (core/activations.py), so a band moves with its entry.
Intervals are on the row's values: h for "preact", φ(h) for "act"; ±inf for an open end.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from core.activations import ACTIVATIONS, Activation
from core.fused import SATURATED

Region = tuple[float, float, str]  # lo, hi, kind
_GRID = np.linspace(-40.0, 40.0, 80001)


def _df(act: Activation, h: np.ndarray) -> np.ndarray:
    return act.df(h, act.f(h, np.empty_like(h)), np.empty_like(h)).astype(float)


def _edge(act: Activation, a: float, b: float) -> float:
    """The h between a and b where φ′ crosses the threshold (bisection on the entry's df)."""
    level = SATURATED * act.df_max
    below_a = _df(act, np.array([a]))[0] < level
    for _ in range(60):
        m = 0.5 * (a + b)
        if (_df(act, np.array([m]))[0] < level) == below_a:
            a = m
        else:
            b = m
    return 0.5 * (a + b)


@functools.lru_cache(maxsize=64)
def h_regions(name: str) -> tuple[Region, ...]:
    """The regions on the pre-activation axis h."""
    act = ACTIVATIONS[name]
    if act.saturates == "none":
        if act.slopes is not None and act.slopes[1] == 0.0:  # ReLU's switched-off half
            return ((-math.inf, 0.0, "off"),)
        return ()
    below = _df(act, _GRID) < SATURATED * act.df_max
    if not act.smooth:  # a flat φ′ (hardtanh) saturates by a step: its edges are the grid's
        below = below.astype(bool)
    flips = np.flatnonzero(below[1:] != below[:-1])
    cuts = [float(_edge(act, _GRID[i], _GRID[i + 1])) for i in flips]
    bounds = [-math.inf, *cuts, math.inf]
    starts_below = bool(below[0])
    return tuple(
        (bounds[j], bounds[j + 1], "saturated")
        for j in range(len(bounds) - 1)
        if (j % 2 == 0) == starts_below
    )


def regions(name: str, row: str) -> tuple[Region, ...]:
    """The regions on a row's axis: h itself for "preact", φ(h) for "act"; none elsewhere. On
    φ(h) only the two-tailed ones (tanh, sigmoid), where φ is monotone and a band has a width
    (ReLU's off half is the one point 0 there; hardtanh's tails are the points ±1)."""
    if row == "preact":
        return h_regions(name)
    act = ACTIVATIONS[name]
    if row != "act" or act.saturates != "both":
        return ()
    out = []
    for lo, hi, kind in h_regions(name):
        a, b = sorted(_phi(act, v) for v in (lo, hi))
        if b > a:
            out.append((a, b, kind))
    return tuple(out)


def _phi(act: Activation, h: float) -> float:
    if math.isinf(h):
        bound = act.lower if h < 0 else act.upper
        return bound if bound is not None else h
    return float(act.f(np.array([h]), np.empty(1))[0])
