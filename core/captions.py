"""Live captions: a scene's claim with its numbers read from the frame on screen (issue #18).

A claim such as "layer 10's std is {A.act_std[10]}" is only true of the frame it was written for,
so its numbers are fields filled from the snapshots being shown, and once the config leaves the
scene's (any control, the seed, B turned on or off) the sentence itself is replaced by a plain
description of what is shown and a visible "changed: σ = 0.06, depth 20": the room never reads a
stale sentence. Fields are parsed, never evaluated: `{SIDE.name[layer]:spec}` where SIDE is A or
B, name a layer statistic (core/fields.py), a ratio or a config field, layer 1..depth (or min, max,
mean over the layers), spec an ordinary format spec. Pure: no Qt, so the CLI and tests use it too.
"""

from __future__ import annotations

import dataclasses
import math
import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.config import Config
from core.fields import FIELDS
from core.messages import clipped, shown

if TYPE_CHECKING:
    from core.presets import Scene
    from core.stats import Snapshot


class FieldError(ValueError):
    """A field a caption cannot fill: one line naming it and what is allowed."""


# Per-layer statistics: every number LayerStats carries (core/fields.py); the units that are not
# copies of another (core/units.py); of the drawn W as the weight row shows it (core/weights.py),
# the share beyond 2σ and w_ratio, its std over the scheme's σ (0.88 for TF's truncated normal).
WEIGHT_STATS = ("beyond_2sigma", "w_ratio")
LAYER_STATS = (
    *(f.attr for f in FIELDS.values() if f.fmt != "s" and f.attr != "index"),
    "distinct_units",
    *WEIGHT_STATS,
)
SHARES = frozenset(f.attr for f in FIELDS.values() if f.fmt == "%") | {"beyond_2sigma"}
# factor[k]: act std of layer k over layer k−1 (forward, k ≥ 2); preact_factor[k] the same of
# the pre-activations; grad_factor[k]: ∂L/∂a std of layer k over layer k+1 (toward the input,
# k < depth). Without [k], each is the geometric mean over the whole net: "×0.22 per layer".
RATIOS = ("factor", "grad_factor", "preact_factor")
NET = ("factor", "grad_factor", "preact_factor", "depth")
CONFIG_FIELDS = tuple(f.name for f in dataclasses.fields(Config) if not f.name.startswith("_"))
AGGREGATES = ("min", "max", "mean")
_NAME = re.compile(r"(?P<side>[AB])\.(?P<name>[a-z_0-9]+)(?:\[(?P<index>\d+|min|max|mean)\])?")


@dataclass(frozen=True)
class Field:
    side: str  # "A" or "B"
    name: str
    index: int | str | None  # a layer 1..depth, an aggregate over the layers, or none
    spec: str


def parse(text: str) -> list[str | Field]:
    """The text as literal pieces and fields; FieldError for one that is not a field."""
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError as e:  # a lone "{" or "}"
        raise FieldError(f"{e} in {shown(text)} (write {{{{ for a literal brace)") from None
    out: list[str | Field] = []
    for literal, name, spec, conversion in pieces:
        if literal:
            out.append(literal)
        if name is None:
            continue
        where = shown("{" + name + (":" + spec if spec else "") + "}")
        m = _NAME.fullmatch(name)
        if m is None or conversion or "{" in (spec or ""):
            raise FieldError(f"field {where}: write {{A.name}}, {{B.name[layer]}} or with :spec")
        index = m["index"]
        if index is not None and index.isdigit():
            index = int(index)
        out.append(Field(m["side"], m["name"], index, spec or ""))
    return out


def check(text: str, a: Config, b: Config | None) -> None:
    """Every field of the text can be filled from snapshots of these configs: FieldError else.
    A scene is checked when it loads, so a typo fails there, not on the projector."""
    for f in parse(text):
        if isinstance(f, str):
            continue
        where = shown("{" + f"{f.side}.{f.name}" + (f"[{f.index}]" if f.index else "") + "}")
        config = a if f.side == "A" else b
        if config is None:
            raise FieldError(f"field {where}: this scene has no side B ([compare])")
        _check_name(f, where, config)
        sample = getattr(config, f.name) if f.name in CONFIG_FIELDS and f.index is None else 0.5
        try:
            _formatted(sample, f.spec, f.name)
        except (ValueError, TypeError):
            raise FieldError(f"field {where}: bad format spec {shown(f.spec)}") from None


def _check_name(f: Field, where: str, config: Config) -> None:
    if f.name in NET and f.index is None:
        return
    if f.name in CONFIG_FIELDS:
        if f.index is not None:
            raise FieldError(f"field {where}: a config field takes no [layer]")
        return
    if f.name not in LAYER_STATS + RATIOS:
        allowed = ", ".join((*LAYER_STATS, *RATIOS, *NET))
        raise FieldError(f"field {where}: unknown name; allowed: {allowed}, or a config field")
    if f.index is None:
        raise FieldError(f"field {where}: needs a layer, e.g. [1], [{config.depth}] or [max]")
    lo, hi = _layers(f.name, config.depth)
    if isinstance(f.index, int) and not lo <= f.index <= hi:
        raise FieldError(f"field {where}: layer {f.index} outside {lo}..{hi} of this config")


def _layers(name: str, depth: int) -> tuple[int, int]:
    """The layers a statistic exists for: a ratio needs a neighbour."""
    if name in ("factor", "preact_factor"):
        return 2, depth
    if name == "grad_factor":
        return 1, depth - 1
    return 1, depth


# ---------------------------------------------------------------------------------------------
# Filling fields from snapshots


def render(text: str, a: Snapshot, b: Snapshot | None, missing: str = "—") -> str:
    """The text with each field filled from the snapshots; a field the frame cannot fill (a layer
    it has not, a side not shown) reads `missing`, never raises."""
    out = []
    for f in parse(text):
        if isinstance(f, str):
            out.append(f)
            continue
        snap = a if f.side == "A" else b
        value = _value(f, snap) if snap is not None else None
        out.append(missing if value is None else _formatted(value, f.spec, f.name))
    return "".join(out)


def value(f: Field, a: Snapshot, b: Snapshot | None):
    """The field's number in the frame (a question's right answer is read from it,
    core/questions.py); None where the frame has none."""
    snap = a if f.side == "A" else b
    return _value(f, snap) if snap is not None else None


def _value(f: Field, snap: Snapshot):
    """The field's value in this snapshot, or None where it has none (a field never checked
    against a config reads only the names `check` allows, nothing else of the objects)."""
    config = snap.config
    if f.index is None and f.name in NET:
        return config.depth if f.name == "depth" else _mean_ratio(f.name, snap)
    if f.name in CONFIG_FIELDS and f.index is None:
        return getattr(config, f.name)
    if f.name not in LAYER_STATS + RATIOS or f.index is None:
        return None
    lo, hi = _layers(f.name, len(snap.layers))
    if isinstance(f.index, int):
        return _layer_value(f.name, snap, f.index) if lo <= f.index <= hi else None
    values = [_layer_value(f.name, snap, k) for k in range(lo, hi + 1)]
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return None
    return {"min": min, "max": max, "mean": lambda v: sum(v) / len(v)}[f.index](values)


def _layer_value(name: str, snap: Snapshot, k: int) -> float | None:
    layers = snap.layers
    if name == "factor":
        return _ratio(layers[k - 1].act_std, layers[k - 2].act_std)
    if name == "preact_factor":
        return _ratio(layers[k - 1].preact_std, layers[k - 2].preact_std)
    if name == "grad_factor":
        return _ratio(layers[k - 1].grad_std, layers[k].grad_std)
    if name in WEIGHT_STATS:
        w = layers[k - 1].weights
        if w is None:
            return None
        return w.beyond_2sigma if name == "beyond_2sigma" else _ratio(w.std, w.sigma)
    value = getattr(layers[k - 1], name)
    return None if name == "distinct_units" and value < 0 else value


def _mean_ratio(name: str, snap: Snapshot) -> float | None:
    """The geometric mean per-layer ratio over the net: forward for activations, toward the
    input for gradients."""
    layers = snap.layers
    if len(layers) < 2:
        return None
    attr = {"factor": "act_std", "preact_factor": "preact_std", "grad_factor": "grad_std"}[name]
    first, last = getattr(layers[0], attr), getattr(layers[-1], attr)
    whole = _ratio(first, last) if name == "grad_factor" else _ratio(last, first)
    return None if whole is None or whole <= 0 else whole ** (1 / (len(layers) - 1))


def _ratio(num: float, den: float) -> float | None:
    ok = math.isfinite(num) and math.isfinite(den) and den != 0
    return num / den if ok else None


def _formatted(value, spec: str, name: str = "") -> str:
    """A value as the room reads it: 2 significant digits, 3e-7 rather than 2.93e-07, shares in
    per cent; a spec, if given, is obeyed (exponents still written short)."""
    if isinstance(value, tuple):  # a funnel's widths
        return " → ".join(_formatted(v, spec) for v in value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return format(value, spec)
    if isinstance(value, float) and not math.isfinite(value):
        return "—" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    if spec:
        return _short_exponent(format(value, spec))
    if isinstance(value, int):
        return str(value)
    if name in SHARES:
        return format(value, ".1%" if 0 < abs(value) < 0.1 else ".0%")
    return _short_exponent(format(value, ".2g"))


def _short_exponent(text: str) -> str:
    """2.9e-07 → 2.9e-7, 1.6e+15 → 1.6e15."""
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m[1] == "-" else "") + m[2], text)


# ---------------------------------------------------------------------------------------------
# What the caption says: the scene's own words, or a description of a changed frame

# How a changed field is named in "changed: ..." (a symbol takes " = ", a word a space).
LABELS = {"std": "σ =", "limit": "a =", "value": "w =", "bias_value": "b =", "gain": "gain ="}
_IGNORED = ("memory_limit_gib",)  # how much memory may be used changes nothing on screen
# where "saturated" means flat ends (ReLU's φ′ = 0 on half the axis is not saturation)
BOUNDED = frozenset({"tanh", "sigmoid", "hardtanh"})


def changes(scene: Scene, a: Snapshot, b: Snapshot | None) -> list[str]:
    """What differs between the frame's configs and the scene's, as "σ = 0.06", "depth 20",
    "B σ = 0.05", "B off"; empty when the frame shows the scene as written."""
    out = _differences(scene.config, a.config)
    if scene.compare is not None and b is None:
        out.append("B off")
    elif b is not None:
        base = scene.compare if scene.compare is not None else scene.config
        diffs = _differences(base, b.config)
        if scene.compare is None:
            out.append("B on" + (": " + ", ".join(diffs) if diffs else ""))
        else:
            out += ["B " + d for d in diffs]
    return out


def _differences(was: Config, now: Config) -> list[str]:
    out = []
    for name in CONFIG_FIELDS:
        old, new = getattr(was, name), getattr(now, name)
        if name in _IGNORED or old == new:
            continue
        label = LABELS.get(name, name.replace("_", " "))
        value = _formatted(new, "", name) if new is not None else "default"
        out.append(f"{label} {value}")
    return out


def live(scene: Scene, a: Snapshot, b: Snapshot | None) -> tuple[str, str, str]:
    """(title, claim, details) for the frame on screen. As the scene wrote them, with their
    fields filled, while the frame shows the scene's configs; once it does not, a description of
    what is shown with its numbers, after a visible "changed: ...", and the speaker's details
    marked as the scene's, not the screen's."""
    changed = changes(scene, a, b)
    if not changed:
        return scene.title, render(scene.claim, a, b), render(scene.details, a, b)
    listed = "changed: " + ", ".join(changed)
    claim = f"{clipped(listed, 120)}. Now {describe(a, b)}"
    details = render(scene.details, a, b, missing="…")
    if details:
        details = f"For the scene's own settings, not the changed ones: {details}"
    return title_of(a.config, b.config if b else None), claim, details


def title_of(a: Config, b: Config | None) -> str:
    """A plain name for what is shown: "tanh, normal σ = 0.06, 20 × 500"."""
    text = f"{_act(a)}, {_scheme(a)}, {_shape(a)}"
    return text + (" vs B" if b is not None else "")


def _act(c: Config) -> str:
    acts = c.activations
    return acts[0] if len(set(acts)) == 1 else "mixed activations"


def _scheme(c: Config) -> str:
    if c.init in ("normal", "truncated-normal", "sparse"):
        text = f"{c.init} σ = {_formatted(c.std, '')}"
    elif c.init == "uniform":
        text = f"uniform ±{_formatted(c.limit, '')}"
    elif c.init == "constant":
        text = f"constant {_formatted(c.value, '')}"
    else:
        text = c.init + (f" {c.mode}" if c.mode else "")
    extras = [f"norm {c.norm}"] if c.norm != "none" else []
    extras += [f"residual {c.residual_init}"] if c.residual else []
    return ", ".join([text, *extras])


def _shape(c: Config) -> str:
    w = c.widths
    return f"{c.depth} × {w[1]}" if len(set(w)) == 1 else " → ".join(map(str, w))


def describe(a: Snapshot, b: Snapshot | None) -> str:
    """The frame's story in plain words and its numbers: the activation std at the first and last
    layer, the gradient reaching layer 1, dead and saturated units where there are many."""
    if b is None:
        return _one_side(a)
    la, lb = a.layers[-1], b.layers[-1]
    text = f"last-layer activation std A {_room(la.act_std)}, B {_room(lb.act_std)}"
    ga, gb = a.layers[0].grad_std, b.layers[0].grad_std
    if math.isfinite(ga) or math.isfinite(gb):
        text += f"; gradient at layer 1 A {_room(ga)}, B {_room(gb)}"
    return text + "."


def _room(value, name: str = "") -> str:
    return _formatted(value, "", name)


def _one_side(s: Snapshot) -> str:
    first, last = s.layers[0], s.layers[-1]
    text = (
        f"activation std {_room(first.act_std)} at layer 1, {_room(last.act_std)} at layer "
        f"{last.index}"
    )
    if math.isfinite(first.grad_std):
        text += f"; gradient std {_room(first.grad_std)} at layer 1"
    if last.dead_units >= 0.01:
        text += f"; {_room(last.dead_units, 'dead_units')} of layer {last.index}'s units dead"
    sat = max(layer.saturated_frac for layer in s.layers)
    if sat >= 0.1 and set(s.config.activations) <= BOUNDED:
        text += f"; up to {_room(sat, 'saturated_frac')} of values saturated"
    if s.nonfinite:
        text += f"; {s.nonfinite} non-finite values"
    return text + "."
