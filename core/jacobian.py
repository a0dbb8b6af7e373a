"""The input-output Jacobian's singular values: dynamical isometry (Pennington et al. 2017,
arXiv:1711.04735; init-theory.md §3).

χ₁ = 1 keeps the *mean* squared singular value of J = ∂a_L/∂x at 1 through any depth; whether
learning is fast depends on the whole spectrum. Gaussian weights spread it like a product of L
random matrices (a few singular values large, most tiny), orthogonal weights with a small q*
keep it near 1 (isometry), and ReLU cannot: its D_l zeroes half the directions whatever W is.

For each of K examples, Jᵀ = W₁D₁·W₂D₂···W_LD_L (the net's row layout h = a·W + b; D_l = φ′(h_l)
on the diagonal), built as one (K·n₀, n_l) GEMM per layer, then the singular values of each.
Mean field: E‖J‖²_F = n_L·Π χ_l with χ_l = σ_w²E[φ′(h_l)²] at the layer's own q^l (10 layers are not
at q*, so the layer-wise product, not χ₁^L, is the prediction; χ₁^L is given beside it), and the
mean over the min(n₀, n_L) singular values divides by that.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core import prediction, probe
from core.config import Config
from core.fields import finite_or_none

MAX_EXAMPLES = 64
# The product held for all K examples at once, K·n₀·max n_l numbers (two of them live during a
# layer's GEMM): 2²⁵ is 128 MiB in float32. And the work: 2·K·n₀·Σ n_{l−1}n_l for the products
# plus the SVDs, bounded so that a request never runs for minutes (~2 s at 100 GFLOP/s).
MAX_ELEMENTS = 2**25
MAX_FLOPS = 2e11


@dataclass(frozen=True, eq=False)
class Spectrum:
    KEY = "jacobian"

    singular_values: np.ndarray  # (K, min(n₀, n_L)), each row descending
    mean_sq_by_layer: tuple[float, ...]  # of ∂a_l/∂x, l = 1..L, over the K examples
    theory_by_layer: tuple[float, ...] | None  # mean field's, None where it does not apply
    chi1: float | None  # at the deepest layer's fixed point

    @property
    def mean_sq(self) -> float:
        return self.mean_sq_by_layer[-1]

    @property
    def mean_sq_theory(self) -> float | None:
        return self.theory_by_layer[-1] if self.theory_by_layer is not None else None

    def to_json(self) -> dict:
        depth = len(self.mean_sq_by_layer)
        chi_power = self.chi1**depth if self.chi1 is not None else None
        return {
            "examples": len(self.singular_values),
            "mean_sq_singular_value": finite_or_none(self.mean_sq),
            "mean_sq_theory": finite_or_none(self.mean_sq_theory),
            "chi1_power_depth": finite_or_none(chi_power),
            "mean_sq_by_layer": [finite_or_none(v) for v in self.mean_sq_by_layer],
            "mean_sq_theory_by_layer": None
            if self.theory_by_layer is None
            else [finite_or_none(v) for v in self.theory_by_layer],
            "singular_values": [
                [finite_or_none(float(s)) for s in row] for row in self.singular_values
            ],
        }

    def columns(self) -> list[tuple[str, list[str]]]:
        want = self.theory_by_layer or (None,) * len(self.mean_sq_by_layer)
        got = [probe.number(v) for v in self.mean_sq_by_layer]
        return [("J σ²", got), ("J σ² mf", [probe.number(v) for v in want])]

    def summary(self) -> str:
        sv = self.singular_values
        head = (
            f"J σ²: mean squared singular value of ∂a_l/∂x over {len(sv)} examples "
            f"(mean field {probe.number(self.mean_sq_theory)})"
        )
        if not np.isfinite(sv).all():
            return head + "; at the top the product is not finite (nan): no spectrum"
        return (
            f"{head}; at the top σ runs from {sv.min():.3g} to {sv.max():.3g}, "
            f"its 10-90% over {spectral_width(sv):.3g} decades"
        )


def check_examples(c: Config, k: int) -> int:
    """Refused before anything is allocated: too many examples, or a product too big or slow."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= min(MAX_EXAMPLES, c.batch):
        raise probe.ProbeError(
            f"jacobian: got {k!r} examples; allowed: 1 to {min(MAX_EXAMPLES, c.batch)} "
            "(at most the batch)"
        )
    w = c.widths
    held = k * w[0] * max(w[1:])
    flops = 2.0 * k * w[0] * sum(a * b for a, b in itertools.pairwise(w))
    flops += 4.0 * k * w[0] * w[-1] * min(w[0], w[-1])  # the SVDs, roughly
    if held > MAX_ELEMENTS or flops > MAX_FLOPS:
        raise probe.ProbeError(
            f"jacobian: {k} examples of a {w[0]}-input, {c.depth}-layer net is too big "
            f"({held:.3g} numbers held, {flops:.2g} flops; at most {MAX_ELEMENTS:.3g} and "
            f"{MAX_FLOPS:.2g}): fewer examples, or a narrower or shallower net"
        )
    return k


def spectrum(c: Config, layers: Sequence, x: np.ndarray) -> Spectrum:
    """J at each row of x (K examples) on the net's weights (`layers`: a prepared Network's)."""
    probe.check_plain(c, "jacobian")
    k = check_examples(c, len(x))
    n0 = c.widths[0]
    p = None  # (K, n₀, n_l): Jᵀ of the layers so far, one per example
    by_layer = []
    for h, a, layer in probe.forward(layers, x):
        d = probe.derivative(layer, h, a)
        if p is None:
            p = np.multiply(layer.W[None, :, :], d[:, None, :])
        else:
            p = (p.reshape(k * n0, -1) @ layer.W).reshape(k, n0, -1)
            p *= d[:, None, :]
        sq = np.vdot(p, p)  # BLAS: 0.1 ms where einsum in float64 takes 2 ms
        by_layer.append(float(sq) / (k * min(n0, p.shape[2])))
    sv = _singular_values(p)
    pred = prediction.predict(c)
    return Spectrum(
        sv,
        tuple(by_layer),
        predicted(c, pred) if pred is not None else None,
        pred.fixed.chi1 if pred is not None else None,
    )


def _singular_values(p: np.ndarray) -> np.ndarray:
    """Of each example's product, each row descending; NaN for an example whose product is not
    finite (an overflowing net), which LAPACK refuses ("SVD did not converge")."""
    out = np.full((p.shape[0], min(p.shape[1:])), np.nan, p.dtype)
    ok = np.isfinite(p).all(axis=(1, 2))
    if ok.any():
        # finite but beyond LAPACK's range: left NaN, no spectrum to show
        with contextlib.suppress(np.linalg.LinAlgError):
            out[ok] = np.linalg.svd(p[ok], compute_uv=False)
    return out


def predicted(c: Config, pred: prediction.Prediction) -> tuple[float, ...]:
    """Mean field's mean squared singular value of ∂a_l/∂x for every l: n_l·Π_{k≤l} χ_k over
    min(n₀, n_l) (each layer multiplies E‖J‖² by σ_w²·n_l/n_{l−1}·E[φ′²])."""
    w, out, prod = c.widths, [], 1.0
    for i, lp in enumerate(pred.layers):
        prod *= lp.chi
        out.append(w[i + 1] * prod / min(w[0], w[i + 1]))
    return tuple(out)


def spectral_width(sv: np.ndarray, lo: float = 0.1, hi: float = 0.9) -> float:
    """log₁₀ of the ratio of the hi and lo quantiles of the singular values pooled over the
    examples: 0 for an isometry; robust to the few near-zero ones a product of matrices has."""
    s = np.asarray(sv, float).ravel()
    if not np.isfinite(s).all():
        return math.nan
    a, b = np.quantile(s, [lo, hi])
    return math.log10(b / a) if a > 0 else math.inf
