"""Dense layers with a normalization and a skip connection: what rescues a bad init (issue #9).

A layer k computes z = a_{k−1}·W + b, then h = z (plain) or h = h_{k−m} + α·z (the last layer of
a residual branch of m layers; h_0 is the input x), then a = φ(N(h)) ("before") or a = N(φ(h))
("after"), N a BatchNorm or LayerNorm (core/norm.py). The stream h of a branch's last layer is the
residual stream, so for m = 1 this is the pre-activation ResNet (He et al. 2016, arXiv:1603.05027)

    x_{l+1} = x_l + α·W_l·φ(N(x_l)),

with x_0 = x fed to the first branch as data (like a plain net's first layer, no φ on the input).
ReZero (Bachlechner et al. 2020, arXiv:2003.04887) starts α at 0; Fixup (Zhang et al. 2019,
arXiv:1901.09321) zeroes each branch's last W and scales its other layers by L^(−1/(2m−2)), L the
number of blocks (Fixup's scalar multipliers and biases start at 1 and 0, so they are left out).

Variance per block (m = 1, W ~ N(0, 2/n), He; exact in expectation over W, any width): W is
independent of x_l with mean 0, so the branch is uncorrelated with the stream and

    Var(x_{l+1}) = Var(x_l) + n·Var(w)·E[φ(x_l)²] = Var(x_l) + 2·E[relu(x_l)²],

and E[relu(x)²] = Var(x)/2 whenever x is symmetric about 0, giving the factor 2 per block. The
input is symmetric exactly; later streams are symmetric on average over W, but at finite width each
unit carries an offset shared by the batch (E[relu]·Σ_i W_ij), so one block's factor is 2 ± 0.2 at
width 500 and the product over 99 blocks is 2.006 per block (tests/core/test_norm.py). For m = 2 the branch's inner pre-activation
relu(x)·W₁ is exactly symmetric given x, so E[relu(·)²] halves again and doubles back: the same
recursion, the same factor 2. The first block reads the data itself, so its factor is
1 + n·Var(w)·E[x²]/Var(x) = 3 for x ~ N(0, 1). See theory.residual_growth.
"""

from __future__ import annotations

import numpy as np

from core.activations import Activation
from core.config import Config
from core.network import Dense, Network
from core.norm import NORM_LAYERS


class NormDense(Dense):
    """z = x·W + b; h = z or h = skip + α·z; a = φ(N(h)) or N(φ(h)); N optional."""

    def __init__(self, fan_in, fan_out, batch, act: Activation, dtype, arch: tuple):
        super().__init__(fan_in, fan_out, batch, act, dtype)
        norm, self.position, self.view = arch[:3]
        self.norm = NORM_LAYERS[norm](batch, fan_out, dtype) if norm != "none" else None
        self.u = np.zeros_like(self.h) if self.norm else None  # N(h) before φ, or φ(h) before N
        self.gu = np.zeros_like(self.h) if self.norm else None  # ∂S/∂u
        self.skip: np.ndarray | None = None  # h_{k−m} (or the input): set by the network
        self.skip_to: NormDense | None = None  # the layer whose skip is this layer's h
        self.alpha = np.ones(1, dtype)
        self.dalpha = np.zeros(1, dtype)
        self.z = self.dz = None

    def add_skip(self, source: np.ndarray) -> None:
        self.skip = source
        self.z, self.dz = np.zeros_like(self.h), np.zeros_like(self.h)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        z = self.h if self.skip is None else self.z
        np.matmul(x, self.W, out=z)
        if self.has_bias:
            z += self.b
        if self.skip is not None:
            np.multiply(z, self.alpha[0], out=self.h)
            self.h += self.skip
        if self.norm is None:
            return self._activate(self.h)
        if self.position == "before":
            self.norm.forward(self.h, self.u)
            return self._activate(self.u)
        self._activate(self.h, self.u)
        return self.norm.forward(self.u, self.a)

    def _activate(self, h: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        out = self.a if out is None else out
        self.act.f(h, out)
        self.act.df(h, out, self.dphi)
        return out

    def backward(self, below: Dense | None, ones: np.ndarray, bias_grads: bool = True) -> None:
        self._delta()
        dz = self.delta
        if self.skip is not None:
            np.multiply(self.delta, self.z, out=self.dz)
            self.dalpha[0] = self.dz.sum() / len(self.dz)
            np.multiply(self.delta, self.alpha[0], out=self.dz)
            dz = self.dz
        np.matmul(self.x.T, dz, out=self.dW)
        self.dW *= 1.0 / len(dz)
        if bias_grads:
            np.matmul(ones, dz, out=self.db)
            self.db *= 1.0 / len(dz)
        if below is not None:
            np.matmul(dz, self.W.T, out=below.grad_a)

    def _delta(self) -> None:
        """∂S/∂h: through φ and N from grad_a, plus the stream's gradient from the block above."""
        if self.norm is None:
            np.multiply(self.grad_a, self.dphi, out=self.delta)
        elif self.position == "before":
            np.multiply(self.grad_a, self.dphi, out=self.gu)
            self.norm.backward(self.gu, self.delta)
        else:
            self.norm.backward(self.grad_a, self.gu)
            np.multiply(self.gu, self.dphi, out=self.delta)
        if self.skip_to is not None:
            self.delta += self.skip_to.delta

    def rows(self) -> tuple[np.ndarray, ...]:
        """The "pre"/"post" view swaps in the array on the other side of the norm."""
        h, a = self.h, self.a
        if self.norm is not None and self.view == "post" and self.position == "before":
            h = self.u
        if self.norm is not None and self.view == "pre" and self.position == "after":
            a = self.u
        return h, a, self.grad_a, self.dW


class ResidualNetwork(Network):
    """Network with optional norms and skips; `arch` = (norm, position, view, residual, m)."""

    def __init__(self, widths, acts: list[Activation], batch: int, dtype, arch: tuple):
        self.widths, self.batch, self.dtype = tuple(widths), batch, np.dtype(dtype)
        self.arch = arch
        self.x = np.zeros((batch, widths[0]), dtype)
        self.input_key = None
        self.layers = [
            NormDense(i, o, batch, a, dtype, arch)
            for i, o, a in zip(widths[:-1], widths[1:], acts, strict=True)
        ]
        self._ones = np.ones(batch, dtype)
        residual, m = arch[3], arch[4]
        if residual:
            for k in range(m - 1, len(self.layers), m):
                below = self.layers[k - m] if k >= m else None
                self.layers[k].add_skip(self.x if below is None else below.h)
                if below is not None:
                    below.skip_to = self.layers[k]

    def input_gradient(self) -> np.ndarray:
        """∂S/∂x after backward (for the gradient check; allocates)."""
        first = self.layers[0]
        g = (first.delta if first.dz is None else first.dz) @ first.W.T
        top = next((layer for layer in self.layers if layer.skip is self.x), None)
        return g + top.delta if top is not None else g

    def blocks(self) -> list[list[NormDense]]:
        m = self.arch[4]
        return [self.layers[k : k + m] for k in range(0, len(self.layers), m)]


def arch(c: Config) -> tuple | None:
    """What fixes a network's structure beyond its shapes; None for the plain Network."""
    if c.norm == "none" and not c.residual:
        return None
    return (c.norm, c.norm_position, c.norm_view, c.residual, c.branch_layers)


def build(c: Config, acts: list[Activation]) -> Network:
    a = arch(c)
    if a is None:
        return Network(c.widths, acts, c.batch, c.dtype)
    return ResidualNetwork(c.widths, acts, c.batch, c.dtype, a)


def fixup_scale(blocks: int, m: int) -> float:
    """Zhang et al. 2019: each non-final branch layer × L^(−1/(2m−2))."""
    return blocks ** (-1.0 / (2 * m - 2))


def init_extras(net: Network, c: Config) -> None:
    """After the weights are drawn: norms to γ = 1, β = 0 (running statistics reset), α to 1
    (0 for ReZero), and Fixup's zeroed last layer and scaled inner layers."""
    if not isinstance(net, ResidualNetwork):
        return
    for layer in net.layers:
        if layer.norm is not None:
            layer.norm.reset()
        layer.alpha.fill(0.0 if c.residual_init == "rezero" and layer.skip is not None else 1.0)
    if c.residual_init == "fixup":
        blocks = net.blocks()
        scale = fixup_scale(len(blocks), c.branch_layers)
        for block in blocks:
            for layer in block[:-1]:
                layer.W *= scale
            block[-1].W.fill(0.0)
            block[-1].b.fill(0.0)
            block[-1].has_bias = False


def describe(c: Config) -> dict:
    """The JSON stats' `architecture` entry: what the per-layer numbers were measured on."""
    out = {
        "norm": c.norm,
        "norm_position": c.norm_position if c.norm != "none" else None,
        "norm_view": c.norm_view if c.norm != "none" else None,
        "residual": c.residual,
    }
    if c.residual:
        m, blocks = c.branch_layers, c.depth // c.branch_layers
        out |= {
            "branch_layers": m,
            "blocks": blocks,
            "residual_init": c.residual_init,
            "stream_layers": list(range(m, c.depth + 1, m)),
            "fixup_scale": fixup_scale(blocks, m) if c.residual_init == "fixup" else None,
        }
    return out
