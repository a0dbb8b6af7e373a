"""The probes of issue #19 for a view: one config's c-map, Jacobian spectrum or seed spread.

The window's frames never carry these (they cost 10-1500 ms at the canonical size, more than a
frame), so a canvas view asks for them on its own worker (gui/canvas/probes.py) and draws them
when they come. Each answer says which config and request it is for, so a view drops stale ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import correlation, jacobian, seeds
from core.config import Config, ConfigError
from core.probe import ProbeError
from core.simulate import Simulator
from core.training import History, TrainConfig, Trainer

KINDS = ("correlation", "jacobian", "seeds", "symmetry")
# Rows for the probes' own run: the c-map and the Jacobian read only the drawn weights, so the
# net runs on a few examples (the weights do not depend on the batch; LSUV's do: it keeps its own).
PROBE_BATCH = 64
DEFAULTS = {"c0": 0.5, "examples": 4, "seeds": 8, "steps": 500}
# the symmetry view's three nets: copies from zeros, copies from a constant, a tiny random draw
SYMMETRY_INITS = (
    ("zeros", (("init", "zeros"),)),
    ("constant 0.1", (("init", "constant"), ("value", 0.1))),
    ("N(0, 0.01²)", (("init", "normal"), ("std", 0.01))),
)


@dataclass(frozen=True, eq=False)
class ProbeResult:
    config: Config
    kind: str
    params: tuple = ()
    value: object = None  # CorrelationProfile + Circle, Spectrum or SeedSpread
    error: str = ""  # a probe the config cannot take: one line, shown in the view
    extra: dict = field(default_factory=dict)


def params_of(kind: str, options: dict) -> tuple:
    """The request's parameters from a view's options (a scene's), with their defaults."""
    if kind == "correlation":
        return (float(options.get("c0", DEFAULTS["c0"])),)
    if kind == "jacobian":
        return (int(options.get("examples", DEFAULTS["examples"])),)
    if kind == "symmetry":
        return (int(options.get("steps", DEFAULTS["steps"])),)
    return (int(options.get("seeds", DEFAULTS["seeds"])),)


def make(c: Config, kind: str, params: tuple, sim: Simulator) -> ProbeResult:
    """Run one probe; a config it cannot take gives a result with `error`, never an exception."""
    try:
        if kind == "symmetry":
            return ProbeResult(c, kind, params, symmetry(c, params[0]))
        if kind == "seeds":
            return ProbeResult(c, kind, params, seeds.spread(c, seeds.check_count(c, params[0])))
        small = c if c.init == "lsuv" else c.replace(batch=min(c.batch, PROBE_BATCH))
        if kind == "jacobian":
            jacobian.check_examples(small, params[0])
        else:
            correlation.check_c0(params[0])
        net = sim.prepare(small, backward=False)
        if kind == "jacobian":
            value = jacobian.spectrum(c, net.layers, net.x[: params[0]].copy())
            return ProbeResult(c, kind, params, value)
        profile = correlation.profile(c, net.layers, params[0])
        circle = correlation.circle(c, net.layers)
        return ProbeResult(c, kind, params, profile, extra={"circle": circle})
    except (ProbeError, ConfigError) as e:
        return ProbeResult(c, kind, params, error=str(e))


def symmetry(c: Config, steps: int) -> dict[str, History]:
    """The config trained from each of SYMMETRY_INITS for `steps` steps on XOR (which one unit a
    layer cannot learn: 76% against 97% for the random draw at 500 steps, width 64, seed 0),
    every record counting each hidden layer's distinct units (core/units.py)."""
    if not 10 <= steps <= 5000:
        raise ProbeError(f"symmetry: got {steps} steps; allowed: 10 to 5000")
    train = TrainConfig(task="xor", steps=steps, record_every=max(1, steps // 25))
    out = {}
    for label, changes in SYMMETRY_INITS:
        trainer = Trainer(c.replace(**dict(changes)), train)
        trainer.step(steps)
        out[label] = trainer.snapshot().history
    return out
