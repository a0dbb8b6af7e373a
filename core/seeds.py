"""Finite width, seen: the same config under K seeds, and how far apart its curves land.

Mean field is a width → ∞ statement: one net of width 16 wanders far from it, one of width 500
only a little (He-ReLU's layer-10 pre-activation std ranged 1.06-1.98 over 20 seeds at width 500,
init-theory.md §2). K nets of the seeds seed, seed+1, …, seed+K−1 (the first is the one shown)
give per layer the spread of every depth-profile curve (core/fields.py profile_fields: the curves
a band would be drawn around), so a statistic added to the profile gets its spread too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import fields, probe
from core.config import Config
from core.simulate import Simulator
from core.stats import Snapshot

MAX_SEEDS = 64  # each is a whole run: 64 canonical frames are already ~10 s on a busy machine
_MAX_SEED = 2**63 - 1  # Config's
_ROWS = ("grad",)  # one histogram row, enough to ask for the backward pass the gradients need


@dataclass(frozen=True)
class Spread:
    lo: float
    hi: float
    mean: float
    std: float  # across seeds (ddof = 0): the band's half-width in σ

    def to_json(self) -> dict:
        return {k: fields.finite_or_none(v) for k, v in vars(self).items()}


@dataclass(frozen=True)
class SeedSpread:
    KEY = "seeds"

    seeds: tuple[int, ...]
    layers: tuple[dict[str, Spread], ...]  # per layer: field attr → its spread across seeds

    def layer_json(self, i: int) -> dict:
        return {"seeds": {k: s.to_json() for k, s in self.layers[i].items()}}

    def to_json(self) -> dict:
        return {"count": len(self.seeds), "first": self.seeds[0], "last": self.seeds[-1]}

    def columns(self) -> list[tuple[str, list[str]]]:
        """The std across seeds of each profile curve the CLI's table has a column for."""
        shown = [f for f in fields.profile_fields() if f.cli]
        return [
            (f"{f.cli} ±", [probe.number(layer[f.attr].std) for layer in self.layers])
            for f in shown
        ]

    def summary(self) -> str:
        return f"±: standard deviation across the {len(self.seeds)} seeds {self.seeds[0]}…{self.seeds[-1]}"


def check_count(c: Config, k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_SEEDS:
        raise probe.ProbeError(f"seeds: got {k!r}; allowed: 1 to {MAX_SEEDS}")
    if c.seed + k - 1 > _MAX_SEED:
        raise probe.ProbeError(f"seeds: seed + {k} − 1 is beyond 2^63 − 1; a smaller --seed")
    return k


def spread(c: Config, k: int, first: Snapshot | None = None, sim: Simulator | None = None):
    """K runs of c at seeds c.seed … c.seed+K−1 (`first`: that of c.seed, if already run), one
    Simulator reused (its network's buffers; each seed draws its own noise), then the spreads."""
    check_count(c, k)
    sim = sim or Simulator()
    snaps = [first] if first is not None else []
    for s in range(len(snaps), k):
        snaps.append(sim.run(c.replace(seed=c.seed + s), rows=_ROWS))
    attrs = [f.attr for f in fields.profile_fields()]
    per_layer = []
    for i in range(c.depth):
        per_layer.append(
            {a: _spread([getattr(snap.layers[i], a) for snap in snaps]) for a in attrs}
        )
    return SeedSpread(tuple(c.seed + s for s in range(k)), tuple(per_layer))


def _spread(values: list[float]) -> Spread:
    """Of every seed's value; null (NaN) if any seed's is not finite, rather than a band of the
    seeds that happened to stay finite."""
    v = np.array(values, float)
    if not np.isfinite(v).all():
        return Spread(math.nan, math.nan, math.nan, math.nan)
    return Spread(float(v.min()), float(v.max()), float(v.mean()), float(v.std()))
