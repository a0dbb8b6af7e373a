"""Where an animation is at time t: the config of the next frame. Timing only, no numerics.

`Animation` is the setting a person makes in the Playback dock (mode, the swept parameter, its
range and period); the window's SessionState holds one, and every frame's change comes from it."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from core.config import Config
from core.inits import INITS

MODES = ("off", "resample", "sweep")
# where a parameter's sweep starts when it is chosen
SWEEP_RANGES = {
    "gain": (0.1, 3.0),
    "std": (0.001, 1.0),
    "limit": (0.001, 1.0),
    "bias_value": (-0.5, 0.5),
}
BOUND_RANGE = (-100.0, 100.0)  # what a sweep's from and to may be
PERIOD_RANGE = (1.0, 120.0)  # seconds for one sweep there and back
SWEEP_STEPS = 20


def sweepable(c: Config) -> list[str]:
    """The parameters a sweep can move for this config's scheme."""
    uses = INITS[c.init].uses
    names = [p for p in ("gain", "std", "limit") if p in uses]
    if c.bias == "constant":
        names.append("bias_value")
    return names


def _clip(v: float, lo_hi: tuple[float, float]) -> float:
    return min(max(float(v), lo_hi[0]), lo_hi[1])


@dataclass(frozen=True)
class Animation:
    """mode: off, resample (fresh weights every frame) or sweep (param there and back from lo to
    hi in `period` seconds). Bounds are clipped to what the Playback dock can show."""

    mode: str = "off"
    param: str = ""
    lo: float = 0.0
    hi: float = 1.0
    period: float = 8.0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"animation mode {self.mode!r} is not one of {', '.join(MODES)}")
        object.__setattr__(self, "lo", _clip(self.lo, BOUND_RANGE))
        object.__setattr__(self, "hi", _clip(self.hi, BOUND_RANGE))
        object.__setattr__(self, "period", _clip(self.period, PERIOD_RANGE))

    def replace(self, **changes) -> Animation:
        return dataclasses.replace(self, **changes)

    def with_param(self, param: str) -> Animation:
        """Sweeping another parameter starts from that parameter's usual range."""
        if param == self.param:
            return self
        lo, hi = SWEEP_RANGES.get(param, (self.lo, self.hi))
        return self.replace(param=param, lo=lo, hi=hi)

    def fit(self, c: Config) -> Animation:
        """The same setting for config c: a parameter c's scheme does not read gives way to the
        first one it does (none: no parameter)."""
        names = sweepable(c)
        return self if self.param in names else self.with_param(names[0] if names else "")

    def to_dict(self) -> dict:
        return {"mode": self.mode, "param": self.param, "from": self.lo, "to": self.hi,
                "period": self.period}  # fmt: skip

    def next_changes(self, c: Config, t: float) -> dict:
        """The config changes of the frame at time t of this animation (validated where every
        change is: SessionState.apply_changes)."""
        if self.mode == "resample":
            return {"seed": (c.seed + 1) % 2**31}
        if self.mode == "sweep" and self.param:
            return {self.param: sweep_value(t, self.lo, self.hi, self.period)}
        return {}


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


def step_value(k: int, lo: float, hi: float) -> float:
    """The k-th of SWEEP_STEPS stops from lo to hi, spaced as sweep_value spaces them."""
    period = 2.0 * SWEEP_STEPS
    return sweep_value(k, lo, hi, period)
