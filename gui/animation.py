"""Where an animation is at time t: the config of the next frame. Timing only, no numerics."""

from __future__ import annotations

import math

from core.config import Config


def triangle(t: float, period: float) -> float:
    """0 → 1 → 0 over one period: a sweep goes there and back, forever."""
    phase = (t / period) % 1.0
    return 2 * phase if phase < 0.5 else 2 * (1 - phase)


def sweep_value(t: float, lo: float, hi: float, period: float) -> float:
    """Geometric when the range spans a decade or more of one sign (σ from 0.001 to 1 spends as
    long on each decade), linear otherwise."""
    u = triangle(t, period)
    if lo > 0 and hi > 0 and max(lo, hi) / min(lo, hi) >= 10:
        return float(f"{math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))):.4g}")
    return round(lo + u * (hi - lo), 4)


def next_changes(
    c: Config, mode: str, t: float, param: str, lo: float, hi: float, period: float
) -> dict:
    """The config changes of the next frame (validated where every change is: the window)."""
    if mode == "resample":
        return {"seed": (c.seed + 1) % 2**31}
    if mode == "sweep" and param:
        return {param: sweep_value(t, lo, hi, period)}
    return {}


SWEEP_STEPS = 20


def step_value(k: int, lo: float, hi: float) -> float:
    """The k-th of SWEEP_STEPS stops from lo to hi, spaced as sweep_value spaces them."""
    period = 2.0 * SWEEP_STEPS
    return sweep_value(k, lo, hi, period)
