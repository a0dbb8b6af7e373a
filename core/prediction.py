"""A config's predicted std per layer, forward and backward, and the densities the histograms'
theory overlay draws (init-theory.md §3-§6): core/theory.py's mean-field maps applied to the
config's own widths, activations, biases and skips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.config import Config
from core.fields import finite_or_none
from core.inits import INITS
from core.theory import (
    _TRAP_W,
    _TRAP_Z,
    INPUT_SECOND_MOMENT,
    FixedPoint,
    Moments,
    _closed,
    _nodes,
    _phi,
    fixed_point,
    moments,
)


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
        m = _moments(act, var, mu)
        forward.append((act, sw2, sb2, mu, var, m))
        second = m.m2
    layers = _backward(c, forward)
    act, sw2, sb2, mu = forward[-1][:4]
    return Prediction(c, layers, fixed_point(act, sw2, sb2 + mu * mu))


def _moments(activation: str, var: float, mean: float) -> Moments:
    """core.theory.moments to the bit, with φ and φ′ taken once for the three expectations (it
    takes them once each): the recursion over 200 layers was 15 ms of a drag frame."""
    if _closed(activation) is not None and mean == 0.0:
        return moments(activation, var, mean)
    z, w = _nodes(activation, var) if mean == 0.0 else (_TRAP_Z, _TRAP_W)
    h = mean + math.sqrt(max(var, 0.0)) * z
    a, d = _phi(activation, h)
    with np.errstate(all="ignore"):
        return Moments(float(np.dot(w, a)), float(np.dot(w, a * a)), float(np.dot(w, d * d)))


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


def _normal_pdfs(x: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """_normal_pdf of each row of x with its own mean and variance (the same operations)."""
    mean, var = mean[:, None], var[:, None]
    return np.exp(-0.5 * (x - mean) ** 2 / var) / np.sqrt(2.0 * math.pi * var)


def densities(pred: Prediction, row: str, n: int = 401) -> list[tuple[np.ndarray, np.ndarray]]:
    """density() of every layer, the layers' points computed as one array (a frame's theory
    overlay at depth 200 made 200 small ones per row); the same values, layer by layer."""
    lps = pred.layers
    if row not in ROW_VARIANCE and row != "act":
        raise KeyError(f"no prediction for row {row!r}: one of preact, act, grad, delta")
    if row in ROW_VARIANCE:
        mean, var = np.array([ROW_VARIANCE[row](lp) for lp in lps], float).T
        s = np.sqrt(var)
        x = np.linspace(mean - 5 * s, mean + 5 * s, n, axis=1)
        with np.errstate(all="ignore"):
            p = _normal_pdfs(x, mean, var)
        return [(x[i], p[i] if var[i] > 0 else np.zeros_like(x[i])) for i in range(len(lps))]
    if len({lp.activation for lp in lps}) != 1:
        return [density(pred, i + 1, row, n) for i in range(len(lps))]
    mean = np.array([lp.preact_mean for lp in lps], float)
    s = np.maximum(np.array([lp.preact_std for lp in lps], float), 1e-300)
    h = np.linspace(mean - 8 * s, mean + 8 * s, n * 10, axis=1)
    a, d = _phi(lps[0].activation, h)
    p = _normal_pdfs(h, mean, s * s)
    rising = np.all(np.diff(a, axis=1) >= 0, axis=1)
    out = []
    for i in range(len(lps)):
        if not rising[i]:
            out.append(_binned(a[i], p[i] * (h[i, 1] - h[i, 0]), n))
            continue
        keep = np.flatnonzero(d[i] > 1e-12)
        keep = keep[:: max(1, keep.size // n)]
        out.append((a[i, keep], p[i, keep] / d[i, keep]))
    return out


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
