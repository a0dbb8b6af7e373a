"""The formula chip's text: a scheme's formula with the layer's own numbers filled in, and the
variance recursion Var(h_l) = n·σ_w²·E[φ(h_{l−1})²] + σ_b² with its numbers for one layer.

Here σ_w is a weight's std (the chip's "σ_w = √(2/500) = 0.063"), so n·σ_w² is init-theory.md's
σ_w². Every number comes from core/inits.py (through core/weights.py's Scheme) and
core/theory.py's prediction; the measured value of the same layer stands beside it, so the chip
says both what the formula promises and what the net did. Pure text: no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core import weights
from core.inits import INITS, TRUNC_STD
from core.prediction import Prediction
from core.theory import INPUT_SECOND_MOMENT

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def num(v: float) -> str:
    """Two significant digits, no exponent between 0.001 and 10⁴ ('0.063', '500', '1.4')."""
    if v is None or not math.isfinite(v):
        return "–"
    if v == 0:
        return "0"
    if 100 <= abs(v) < 1e4:
        return f"{v:.0f}"
    if 1e-3 <= abs(v) < 100:
        return f"{v:.2g}"
    return f"{v:.1e}".replace("e-0", "e-").replace("e+0", "e")


def sub(i: int) -> str:
    return str(i).translate(_SUB)


def _vs_parts(c, fan_in: int, fan_out: int, k: float) -> str:
    """'k·gain²/fan' written out: '2/500', '2/(500+500)', '6/500'."""
    init = INITS[c.init]
    g2 = k * init.gain(c) ** 2
    mode = init.mode(c)
    if mode == "fan_avg":
        return f"{num(2 * g2)}/({fan_in}+{fan_out})"
    return f"{num(g2)}/{fan_in if mode == 'fan_in' else fan_out}"


def _truncated(c, asked: float) -> str:
    """What truncation does to a normal draw of std `asked` (§1: tf vs Keras)."""
    t = INITS[c.init].truncation(c)
    if t == "tf":
        return f" → truncated 0.88σ = {num(TRUNC_STD * asked)}"
    if t == "keras":
        return f" → drawn at σ/0.88 = {num(asked / TRUNC_STD)}, cut at ±2 of that: std {num(asked)}"
    return ""


def scheme_line(c, fan_in: int, fan_out: int, measured_std: float = math.nan) -> str:
    """The scheme's formula for a fan_in × fan_out layer, its numbers filled in."""
    s = weights.scheme(c, fan_in, fan_out)
    name, kind = c.init, weights.KIND[c.init]
    if kind == "constant":
        return f"W = {num(s.value)}: every unit of a layer gets the same weights"
    if name == "lsuv":
        return f"LSUV: orthogonal, rescaled until Var(h) = 1 → σ_w = {num(measured_std)}"
    if name == "pytorch-default":
        return f"a = 1/√{fan_in} = {num(s.bound)} → σ_w = a/√3 = {num(s.std)}"
    if name == "uniform":
        return f"a = {num(c.limit)} → σ_w = a/√3 = {num(s.std)}"
    if kind == "uniform":
        return f"a = √({_vs_parts(c, fan_in, fan_out, 3.0)}) = {num(s.bound)} → σ_w = a/√3 = {num(s.std)}"
    if kind == "orthogonal":
        g = INITS[name].gain(c)
        return (
            f"W = {num(g)}·Q: every singular value {num(g)}; "
            f"σ_w = {num(g)}/√{max(fan_in, fan_out)} = {num(s.std)}"
        )
    if kind == "sparse":
        return f"σ = {num(c.std)}, {s.zeros:.0%} zeros → σ_w = σ·√(1−z) = {num(s.std)}"
    asked = s.sigma if INITS[name].truncation(c) == "tf" else s.std
    if name in ("normal", "truncated-normal"):
        return f"σ_w = {num(asked)}" + _truncated(c, asked)
    return f"σ_w = √({_vs_parts(c, fan_in, fan_out, 1.0)}) = {num(asked)}" + _truncated(c, asked)


@dataclass(frozen=True)
class Recursion:
    """Var(h_l) = n·σ_w²·E[φ(h_{l−1})²] + σ_b²: the formula's numbers and the measured Var(h_l)."""

    layer: int  # 1-based
    n: int  # fan_in
    var_w: float  # σ_w², a weight's variance
    second: float  # E[φ(h_{l−1})²], or E[x²] at the first layer
    bias_var: float
    var: float  # the formula's Var(h_l)
    measured: float  # Var(h_l) of the net
    predicted: bool  # the numbers are mean field's (else the net's own, where theory has none)

    def text(self) -> str:
        l = self.layer
        below = "E[x²]" if l == 1 else f"E[φ(h{sub(l - 1)})²]"
        bias = f" + {num(self.bias_var)}" if self.bias_var > 0 else ""
        head = f"Var(h{sub(l)}) = n·σ_w²·{below}{' + σ_b²' if bias else ''}"
        nums = f"{self.n} · {num(self.var_w)} · {num(self.second)}{bias} = {num(self.var)}"
        return f"{head} = {nums} (net: {num(self.measured)})"


def recursion(snap, layer: int, pred: Prediction | None) -> Recursion:
    """The recursion at `layer` (1-based) of a snapshot: mean field's numbers when it has a
    prediction for the config, else the net's own measured ones."""
    s = snap.layers[layer - 1]
    measured = s.preact_std**2
    if pred is not None and len(pred.layers) == len(snap.layers):
        lp = pred.layers[layer - 1]
        if layer == 1:
            second = INPUT_SECOND_MOMENT[snap.config.input]
        else:
            below = pred.layers[layer - 2]
            second = below.act_std**2 + below.act_mean**2
        var_w = lp.sigma_w2 / s.fan_in
        return Recursion(
            layer, s.fan_in, var_w, second, lp.sigma_b2, lp.preact_std**2, measured, True
        )
    if layer == 1:
        second = INPUT_SECOND_MOMENT[snap.config.input]
    else:
        below = snap.layers[layer - 2]
        second = below.act_std**2 + below.act_mean**2
    var_w = s.weight_std**2
    var = s.fan_in * var_w * second
    return Recursion(layer, s.fan_in, var_w, second, 0.0, var, measured, False)


def chip(snap, layer: int, pred: Prediction | None) -> tuple[str, str]:
    """The chip's two lines for one side at `layer`: the scheme with numbers, the recursion."""
    s = snap.layers[layer - 1]
    first = f"L{layer}: " + scheme_line(snap.config, s.fan_in, s.fan_out, s.weight_std)
    return first, recursion(snap, layer, pred).text()
