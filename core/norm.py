"""Normalization layers: y = γ·(h − μ)/√(σ² + ε) + β, with μ, σ² taken over the batch or the units.

BatchNorm (Ioffe & Szegedy 2015, arXiv:1502.03167) standardises each unit over the batch;
LayerNorm (Ba et al. 2016, arXiv:1607.06450) standardises each example over its units. Both are
one class here because they differ only in the axis of the statistics; γ and β are per unit in both,
as in PyTorch. Buffers are allocated once, so a frame allocates nothing.

Gradients follow core/network.py: `backward` takes g = ∂S/∂y for the batch sum S = Σ_b ℓ_b (the
per-example arrays) and returns ∂S/∂h; dγ, dβ are ∂L/∂γ, ∂L/∂β of the mean L = S/B. Through batch
statistics the examples are coupled, so ∂S/∂h is not a per-example quantity for BatchNorm:

    ∂S/∂h = (γ/σ)·(g − mean(g) − x̂·mean(g·x̂)),   means over the statistics' axis.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-5  # PyTorch's default, added to σ²
MOMENTUM = 0.1  # running = (1 − m)·running + m·batch, PyTorch's convention


class Norm:
    """Statistics over `axis`: 0 for BatchNorm (per unit), 1 for LayerNorm (per example)."""

    axis = 0
    name = ""

    def __init__(self, batch: int, width: int, dtype):
        self.gamma = np.ones(width, dtype)
        self.beta = np.zeros(width, dtype)
        self.dgamma = np.zeros_like(self.gamma)
        self.dbeta = np.zeros_like(self.beta)
        self.xhat = np.zeros((batch, width), dtype)
        self._tmp = np.zeros_like(self.xhat)
        stat = (1, width) if self.axis == 0 else (batch, 1)
        self.mu, self.var, self.inv, self._m1, self._m2 = (np.zeros(stat, dtype) for _ in range(5))
        self.training = True

    def reset(self) -> None:
        """The init: γ = 1, β = 0 (identity after standardising)."""
        self.gamma.fill(1.0)
        self.beta.fill(0.0)

    def _statistics(self, h: np.ndarray) -> None:
        np.mean(h, axis=self.axis, keepdims=True, out=self.mu)
        np.subtract(h, self.mu, out=self.xhat)
        np.multiply(self.xhat, self.xhat, out=self._tmp)
        np.mean(self._tmp, axis=self.axis, keepdims=True, out=self.var)

    def forward(self, h: np.ndarray, out: np.ndarray) -> np.ndarray:
        self._statistics(h)
        return self._standardise(out)

    def _standardise(self, out: np.ndarray) -> np.ndarray:
        """x̂ = (h − μ)/√(σ² + ε) from xhat = h − μ and var; y = γ·x̂ + β into out."""
        np.add(self.var, EPS, out=self.inv)
        np.sqrt(self.inv, out=self.inv)
        np.reciprocal(self.inv, out=self.inv)
        self.xhat *= self.inv
        np.multiply(self.xhat, self.gamma, out=out)
        out += self.beta
        return out

    def backward(self, g: np.ndarray, out: np.ndarray) -> np.ndarray:
        """g = ∂S/∂y → out = ∂S/∂h; sets dγ, dβ (batch means). out must not be g."""
        scale = 1.0 / len(g)
        np.multiply(g, self.xhat, out=self._tmp)
        np.sum(self._tmp, axis=0, out=self.dgamma)
        self.dgamma *= scale
        np.sum(g, axis=0, out=self.dbeta)
        self.dbeta *= scale
        np.multiply(g, self.gamma, out=out)  # ĝ = ∂S/∂x̂
        if self.training:
            np.multiply(out, self.xhat, out=self._tmp)
            np.mean(self._tmp, axis=self.axis, keepdims=True, out=self._m2)
            np.mean(out, axis=self.axis, keepdims=True, out=self._m1)
            out -= self._m1
            np.multiply(self.xhat, self._m2, out=self._tmp)
            out -= self._tmp
        out *= self.inv
        return out


class BatchNorm(Norm):
    """Ioffe & Szegedy 2015: x̂ = (h − μ_B)/√(σ²_B + ε) per unit over the batch; y = γ·x̂ + β.

    In training mode the batch's statistics are used and folded into running estimates (unbiased
    variance, momentum 0.1); in evaluation mode (`training = False`) the running ones are used,
    which makes the layer a fixed affine map of each example."""

    axis = 0
    name = "batch"

    def __init__(self, batch: int, width: int, dtype):
        super().__init__(batch, width, dtype)
        self.running_mean = np.zeros((1, width), dtype)
        self.running_var = np.ones((1, width), dtype)
        self._run = np.zeros((1, width), dtype)

    def reset(self) -> None:
        super().reset()
        self.running_mean.fill(0.0)
        self.running_var.fill(1.0)

    def forward(self, h: np.ndarray, out: np.ndarray) -> np.ndarray:
        if self.training:
            super().forward(h, out)
            self._update_running(len(h))
            return out
        np.copyto(self.mu, self.running_mean)
        np.copyto(self.var, self.running_var)
        np.subtract(h, self.mu, out=self.xhat)
        return self._standardise(out)

    def _update_running(self, n: int) -> None:
        for running, batch, k in (
            (self.running_mean, self.mu, 1.0),
            (self.running_var, self.var, n / max(n - 1, 1)),
        ):
            running *= 1.0 - MOMENTUM
            np.multiply(batch, MOMENTUM * k, out=self._run)
            running += self._run


class LayerNorm(Norm):
    """Ba et al. 2016: x̂ = (h − μ_b)/√(σ²_b + ε) per example over its units; y = γ·x̂ + β.
    No batch coupling, so training and evaluation are the same map."""

    axis = 1
    name = "layer"


NORM_LAYERS = {"batch": BatchNorm, "layer": LayerNorm}
