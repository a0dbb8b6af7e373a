"""Activation functions, their derivatives and gains, as one registry.

Each entry is what the docks, the CLI choices, the histograms' ranges, the theory (closed form or
quadrature), the grid's saturation notes and the C kernels read; adding an activation is one entry
here plus its test. Formulas and gains: ../shared/reference/init-theory.md §5.
Every function writes into ``out`` so the per-frame path allocates nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946
LEAKY_SLOPE = 0.01
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)

Fn = Callable[[np.ndarray, np.ndarray], np.ndarray]
# derivative(h, a, out): a = f(h) is passed so tanh/sigmoid reuse it instead of recomputing.
Deriv = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Activation:
    """Every fact the app uses about one activation. The defaults of the last four are the safe
    ones: the theory's trapezoid quadrature, saturation flagged, φ′ handed to the C kernels."""

    name: str
    formula: str
    source: str
    f: Fn
    df: Deriv
    gain: float | None  # PyTorch calculate_gain, None where PyTorch has none
    lower: float | None  # natural bound of f, None when unbounded on that side
    upper: float | None
    df_max: float  # the largest value of f'; saturation is measured against it
    # analytic: the theory's Gauss–Hermite rule converges fast at small q (core/theory.py)
    smooth: bool = False
    # positively homogeneous, φ(x) = up·x for x > 0 and down·x for x < 0, as (up, down): the
    # theory's Gaussian moments are then closed forms; None: they are quadratures of f and df
    slopes: tuple[float, float] | None = None
    # where φ′ fades towards 0 for large |h| ("both" tails, "below": h → −∞, or "none"): the
    # grid notes saturation only where there is some. ReLU's zero half is "none": a unit there is
    # switched off, not saturated, which the dead-unit share tells
    saturates: str = "both"
    # core/_fused.c computes this φ′ itself, to the bit of df (1 tanh, 2 sigmoid, 3 ReLU); 0: the
    # kernels are handed df's values
    fused_kind: int = 0


def _linear(h, out):
    np.copyto(out, h)
    return out


def _d_linear(h, a, out):
    out.fill(1.0)
    return out


def _sigmoid(h, out):
    np.negative(h, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def _d_sigmoid(h, a, out):
    np.subtract(1.0, a, out=out)
    out *= a
    return out


def _tanh(h, out):
    return np.tanh(h, out=out)


def _d_tanh(h, a, out):
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _relu(h, out):
    return np.maximum(h, 0.0, out=out)


def _d_relu(h, a, out):
    # PyTorch's convention: relu'(0) = 0, so an all-zero net has no gradient at all.
    return np.greater(h, 0.0, out=out)


def _leaky(h, out):
    np.multiply(h, LEAKY_SLOPE, out=out)
    return np.maximum(h, out, out=out)


def _d_leaky(h, a, out):
    np.greater(h, 0.0, out=out)
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _elu(h, out):
    np.minimum(h, 0.0, out=out)
    np.expm1(out, out=out)
    np.copyto(out, h, where=h > 0)
    return out


def _d_elu(h, a, out):
    np.minimum(h, 0.0, out=out)
    return np.exp(out, out=out)


def _selu(h, out):
    np.minimum(h, 0.0, out=out)
    np.expm1(out, out=out)
    out *= SELU_ALPHA
    np.copyto(out, h, where=h > 0)
    out *= SELU_LAMBDA
    return out


def _d_selu(h, a, out):
    np.minimum(h, 0.0, out=out)
    np.exp(out, out=out)
    out *= SELU_ALPHA * SELU_LAMBDA
    np.copyto(out, SELU_LAMBDA, where=h > 0)
    return out


def _phi(h, out):
    """Standard normal CDF Φ(h) = (1 + erf(h/√2))/2."""
    _erf_fast(h * (1.0 / math.sqrt(2.0)), out)
    out += 1.0
    out *= 0.5
    return out


def _erf_fast(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """erf to 1.2e-7 (Numerical Recipes erfc, Chebyshev): NumPy has no erf and SciPy is not a dependency."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t
                        * (
                            0.27886807
                            + t
                            * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                        )
                    )
                )
            )
        )
    )
    erfc = t * np.exp(poly)
    np.subtract(1.0, erfc, out=out)
    return np.copysign(out, x, out=out)


def _gelu(h, out):
    _phi(h, out)
    out *= h
    return out


def _d_gelu(h, a, out):
    _phi(h, out)
    pdf = np.exp(-0.5 * h * h) * (1.0 / math.sqrt(2.0 * math.pi))
    out += h * pdf
    return out


def _silu(h, out):
    _sigmoid(h, out)
    out *= h
    return out


def _d_silu(h, a, out):
    s = _sigmoid(h, np.empty_like(out))
    # σ(1 + x(1−σ))
    np.subtract(1.0, s, out=out)
    out *= h
    out += 1.0
    out *= s
    return out


def _softplus(h, out):
    # PyTorch: log(1+e^x), linear above the threshold 20 for stability.
    np.logaddexp(h, 0.0, out=out)
    return out


def _d_softplus(h, a, out):
    return _sigmoid(h, out)


def _hardtanh(h, out):
    return np.clip(h, -1.0, 1.0, out=out)


def _d_hardtanh(h, a, out):
    return np.less(np.abs(h), 1.0, out=out)


def _max_on_grid(f: Fn, df: Deriv) -> float:
    grid = np.linspace(-10.0, 10.0, 20001)
    return float(np.max(df(grid, f(grid, np.empty_like(grid)), np.empty_like(grid))))


def entry(name, formula, source, f, df, gain, lower, upper, **facts) -> Activation:
    """An Activation, its df_max measured on a grid (facts: the keyword fields after it)."""
    df_max = _max_on_grid(f, df)
    return Activation(name, formula, source, f, df, gain, lower, upper, df_max, **facts)


_ENTRIES = [
    entry(
        "linear",
        "φ(x) = x",
        "identity",
        _linear,
        _d_linear,
        1.0,
        None,
        None,
        smooth=True,
        slopes=(1.0, 1.0),
        saturates="none",
    ),
    entry(
        "sigmoid",
        "φ(x) = 1/(1+e^−x)",
        "logistic",
        _sigmoid,
        _d_sigmoid,
        1.0,
        0.0,
        1.0,
        smooth=True,
        fused_kind=2,
    ),
    entry(
        "tanh",
        "φ(x) = tanh x",
        "PyTorch gain 5/3",
        _tanh,
        _d_tanh,
        5.0 / 3.0,
        -1.0,
        1.0,
        smooth=True,
        fused_kind=1,
    ),
    entry(
        "relu",
        "φ(x) = max(0, x)",
        "Nair & Hinton 2010",
        _relu,
        _d_relu,
        math.sqrt(2.0),
        0.0,
        None,
        slopes=(1.0, 0.0),
        saturates="none",
        fused_kind=3,
    ),
    entry(
        "leaky-relu",
        "φ(x) = x, or 0.01·x for x < 0",
        "Maas+ 2013; PyTorch gain √(2/(1+0.01²))",
        _leaky,
        _d_leaky,
        math.sqrt(2.0 / (1.0 + LEAKY_SLOPE**2)),
        None,
        None,
        slopes=(1.0, LEAKY_SLOPE),
        saturates="none",
    ),
    entry(
        "elu",
        "φ(x) = x, or eˣ−1 for x < 0",
        "Clevert+ 2015 (α=1)",
        _elu,
        _d_elu,
        None,
        -1.0,
        None,
        saturates="below",
    ),
    entry(
        "selu",
        "φ(x) = λx, or λα(eˣ−1) for x < 0 (α≈1.6733, λ≈1.0507)",
        "Klambauer+ 2017; PyTorch gain 3/4, LeCun σ_w²=1 is the self-normalizing choice",
        _selu,
        _d_selu,
        0.75,
        -SELU_LAMBDA * SELU_ALPHA,
        None,
        saturates="below",
    ),
    entry(
        "gelu",
        "φ(x) = x·Φ(x) (erf form)",
        "Hendrycks & Gimpel 2016",
        _gelu,
        _d_gelu,
        None,
        -0.17,
        None,
        smooth=True,
        saturates="below",
    ),
    entry(
        "silu",
        "φ(x) = x·σ(x)",
        "Elfwing+ 2017 (swish)",
        _silu,
        _d_silu,
        None,
        -0.279,
        None,
        smooth=True,
        saturates="below",
    ),
    entry(
        "softplus",
        "φ(x) = log(1+eˣ)",
        "Dugas+ 2001 (β=1)",
        _softplus,
        _d_softplus,
        None,
        0.0,
        None,
        smooth=True,
        saturates="below",
    ),
    entry(
        "hardtanh",
        "φ(x) = clip(x, −1, 1)",
        "Collobert 2004",
        _hardtanh,
        _d_hardtanh,
        None,
        -1.0,
        1.0,
    ),
]

ACTIVATIONS: dict[str, Activation] = {e.name: e for e in _ENTRIES}


def get(name: str) -> Activation:
    return ACTIVATIONS[name]
