"""How two inputs drift together or apart with depth: the c-map, measured on the app's own weights
beside mean field's (Poole et al. 2016, arXiv:1606.05340; init-theory.md §3).

A variance cannot tell an ordered net from a chaotic one once q^l has settled; the correlation of
two inputs can. Ordered (χ₁ < 1): every pair ends up alike, c^l → 1, so the last layer cannot tell
inputs apart. Chaotic: c^l → c* < 1 whatever c⁰ was, so nearby inputs are torn apart. ξ_c (theory)
is the depth over which the picture changes.

Measured c^l is the uncentred cosine of the pair's pre-activation vectors, the finite-width form of
mean field's q₁₂/√(q₁₁q₂₂). One pair at width 500 scatters by 10-40% (the sample of units is
small); PAIRS pairs at the same c⁰, pooled, leave the scatter of the weights themselves, 1-5% per
layer at width 500 (tanh, σ_b² = 0.05): the finite-width fluctuation the seeds' spread shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core import prediction, probe, theory
from core.config import Config
from core.fields import finite_or_none

PAIRS = 64  # pooled (128 rows: 5-20 ms at the canonical size; 16 pairs scatter 2× more)
CIRCLE_POINTS = 64
MAX_GRAM_ENTRIES = 2**24  # points² × depth of the Gram matrices, measured and mean field's


@dataclass(frozen=True)
class CorrelationProfile:
    KEY = "correlation"

    c0: float
    measured: tuple[float, ...]  # per layer, of the pre-activations h^l
    predicted: tuple[float, ...] | None  # mean field's c^l; None where it does not apply
    c_star: float | None  # the fixed point of the deepest layer's c-map
    xi_c: float | None  # its depth scale (inf at criticality: JSON null)

    def layer_json(self, i: int) -> dict:
        theory_c = self.predicted[i] if self.predicted is not None else None
        return {
            "correlation": finite_or_none(self.measured[i]),
            "correlation_theory": finite_or_none(theory_c),
        }

    def to_json(self) -> dict:
        return {
            "c0": self.c0,
            "pairs": PAIRS,
            "c_star": finite_or_none(self.c_star),
            "xi_c": finite_or_none(self.xi_c),
        }

    def columns(self) -> list[tuple[str, list[str]]]:
        want = self.predicted or (None,) * len(self.measured)
        return [
            ("c", [probe.number(v) for v in self.measured]),
            ("c mf", list(map(probe.number, want))),
        ]

    def summary(self) -> str:
        if self.predicted is None:
            return f"c: correlation of {PAIRS} input pairs at cosine {self.c0:g} (no mean field)"
        return (
            f"c: correlation of {PAIRS} input pairs at cosine {self.c0:g}; c mf: mean field, "
            f"whose fixed point is c* = {self.c_star:.3g}, ξ_c = {self.xi_c:.3g} layers"
        )


def check_c0(c0: float) -> float:
    if not (math.isfinite(c0) and -1.0 <= c0 <= 1.0):
        raise probe.ProbeError(f"correlation: got {c0!r}; allowed: a number from -1 to 1")
    return float(c0)


def pair(c: Config, c0: float, pairs: int = PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """PAIRS pairs (x¹, x²) with mean(x²) = E[x²] of the config's input, exactly, and cosine c⁰,
    exactly: x¹ = √(nE[x²])·u, x² = √(nE[x²])·(c⁰u + √(1−c⁰²)v) with u ⊥ v unit vectors."""
    n = c.widths[0]
    u, v = probe.orthonormal_pair(probe.rng(c, 0), pairs, n)
    scale = math.sqrt(n * theory.INPUT_SECOND_MOMENT[c.input])
    return scale * u, scale * (c0 * u + math.sqrt(max(1.0 - c0 * c0, 0.0)) * v)


def measured(layers: Sequence, x1: np.ndarray, x2: np.ndarray) -> tuple[float, ...]:
    """Per layer, Σ h¹·h² / √(Σ h¹² Σ h²²) over every unit of every pair (float64 sums)."""
    rows = len(x1)
    out = []
    for h, _, _ in probe.forward(layers, np.concatenate([x1, x2])):
        h1, h2 = h[:rows].astype(np.float64), h[rows:].astype(np.float64)
        with np.errstate(all="ignore"):
            out.append(float(np.vdot(h1, h2) / math.sqrt(np.vdot(h1, h1) * np.vdot(h2, h2))))
    return tuple(out)


def predicted(c: Config, c0, pred: prediction.Prediction | None = None) -> np.ndarray | None:
    """Mean field's c^l for every layer, shape (depth, *c0.shape): c⁰ through the first layer's
    affine map, then theory's c-map layer by layer at that layer's q^l and bias mean (which is
    why it is iterated here rather than taken at q*: 10 layers are not at the fixed point)."""
    pred = pred or prediction.predict(c)
    if pred is None:
        return None
    c0 = np.asarray(c0, float)
    second = theory.INPUT_SECOND_MOMENT[c.input]
    out, prev, rho = [], None, None
    with np.errstate(all="ignore"):
        for lp in pred.layers:
            v, mu2 = np.float64(lp.preact_std**2), lp.preact_mean**2
            if prev is None:  # centred covariance of h¹: σ_w²·x¹·x²/n + σ_b²
                rho = (lp.sigma_w2 * second * c0 + lp.sigma_b2) / v
            else:
                q, mean = prev.preact_std**2, prev.preact_mean
                args = (prev.activation, rho, q, lp.sigma_w2, lp.sigma_b2, mean)
                rho = theory.correlation_map(*args)
            out.append((rho * v + mu2) / (v + mu2))  # uncentred, as measured
            prev = lp
    return np.array(out)


def profile(c: Config, layers: Sequence, c0: float) -> CorrelationProfile:
    """The pair's c^l on the net's weights (`layers`: a prepared Network's), and mean field's."""
    probe.check_plain(c, "correlation")
    c0 = check_c0(c0)
    pred = prediction.predict(c)
    want = predicted(c, c0, pred)
    fixed = pred.fixed if pred is not None else None
    return CorrelationProfile(
        c0,
        measured(layers, *pair(c, c0)),
        tuple(float(x) for x in want) if want is not None else None,
        fixed.c_star if fixed else None,
        fixed.xi_c if fixed else None,
    )


@dataclass(frozen=True, eq=False)
class Circle:
    """Poole's figure: inputs on a great circle, x(θ) = √(nE[x²])·(u cos θ + v sin θ)."""

    theta: np.ndarray  # (points,)
    grams: tuple[np.ndarray, ...]  # per layer, (points, points) cosines of the h^l
    grams_theory: np.ndarray | None  # (depth, points, points), mean field's
    lengths: tuple[float, ...]  # per layer, the closed polygon's length / √width
    lengths_theory: tuple[float, ...] | None


def circle(c: Config, layers: Sequence, points: int = CIRCLE_POINTS) -> Circle:
    """The circle's image per layer: its Gram matrix (ordered: one colour, c → 1; chaotic: a
    diagonal on c*) and its length, measured by chords between neighbours; mean field gives the
    chord as √(2(q + μ²)(1 − c^l(cos Δθ))) per √unit, so both are at the same resolution."""
    probe.check_plain(c, "circle")
    if isinstance(points, bool) or not isinstance(points, int) or points < 3:
        raise probe.ProbeError(f"circle: got {points!r} points; allowed: an integer ≥ 3")
    if points * points * c.depth > MAX_GRAM_ENTRIES:
        raise probe.ProbeError(
            f"circle: {points} points × {c.depth} layers of Gram matrices is too big "
            f"(points² × depth at most {MAX_GRAM_ENTRIES})"
        )
    n = c.widths[0]
    u, v = probe.orthonormal_pair(probe.rng(c, 1), 1, n)
    theta = np.linspace(0.0, 2.0 * np.pi, points, endpoint=False)
    scale = math.sqrt(n * theory.INPUT_SECOND_MOMENT[c.input])
    x = scale * (np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * v)
    grams, lengths = [], []
    for h, _, _ in probe.forward(layers, x):
        h = h.astype(np.float64)
        norms = np.linalg.norm(h, axis=1)
        with np.errstate(all="ignore"):
            grams.append((h @ h.T) / np.outer(norms, norms))
        chords = np.linalg.norm(h - np.roll(h, -1, axis=0), axis=1)
        lengths.append(float(chords.sum() / math.sqrt(h.shape[1])))
    pred = prediction.predict(c)
    want = predicted(c, np.cos(theta), pred)  # c^l of θ_0 and each θ_k: the Gram is circulant
    if want is None:
        return Circle(theta, tuple(grams), None, tuple(lengths), None)
    k = (np.arange(points)[None, :] - np.arange(points)[:, None]) % points
    second = [lp.preact_std**2 + lp.preact_mean**2 for lp in pred.layers]
    with np.errstate(all="ignore"):
        chord = np.sqrt(np.maximum(2.0 * np.array(second) * (1.0 - want[:, 1]), 0.0))
    return Circle(theta, tuple(grams), want[:, k], tuple(lengths), tuple(points * chord))
