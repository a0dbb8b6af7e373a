"""Weight-initialization schemes as one registry, each with its source and formula in one line.

Weights are laid out (fan_in, fan_out), so a layer computes h = a @ W + b. A scheme draws from a
NoiseBank that caches the seed's standard draws, so that sweeping σ or a gain rescales the same
weights (the animation shows the effect of the scale, not fresh noise) and costs one multiply.
Formulas: ../shared/reference/init-theory.md §1.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.noise import MASK_ROWS_BYTES, SPARE_BYTES

if TYPE_CHECKING:
    from core.config import Config

MODES = ("fan_in", "fan_out", "fan_avg")
# none: plain normal. tf: tf.truncated_normal(stddev=σ), re-draw beyond ±2σ, real std 0.8796σ.
# keras: VarianceScaling's corrected draw, σ/0.8796 before the cut so the real std is σ.
TRUNCATIONS = ("none", "tf", "keras")
TRUNC_STD = 0.87962566103423978  # std of N(0,1) truncated to [−2, 2]


def _fan(mode: str, fan_in: int, fan_out: int) -> float:
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


def _gaussian(bank, key, shape, truncation: str) -> tuple[np.ndarray, float]:
    """A unit draw and the factor that gives it std 1 after the chosen truncation."""
    if truncation == "none":
        return bank.normal(key, shape), 1.0
    base = bank.truncated(key, shape)
    return base, (1.0 / TRUNC_STD if truncation == "keras" else 1.0)


def _real_std(truncation: str) -> float:
    """Real std of a draw asked for with std 1."""
    return TRUNC_STD if truncation == "tf" else 1.0


@dataclass(frozen=True)
class Init:
    name: str
    formula: str
    source: str
    uses: frozenset[str]  # which Config fields this scheme reads (the dock disables the rest)
    # (bank, layer, fan_in, fan_out, config, out) → out
    sample: Callable[..., np.ndarray]
    # σ_w² = fan_in·Var(w) from the formula; None for data-dependent schemes
    sigma_w2: Callable[[int, int, Config], float | None]
    default_gain: float = 1.0
    default_mode: str = "fan_in"
    default_truncation: str = "none"
    torch_bias: bool = False  # nn.Linear's default bias U(±1/√fan_in)
    data_dependent: bool = False

    def gain(self, c: Config) -> float:
        return self.default_gain if c.gain is None else c.gain

    def mode(self, c: Config) -> str:
        return c.mode or self.default_mode

    def truncation(self, c: Config) -> str:
        return c.truncation or self.default_truncation


def _fill(value_of):
    def sample(bank, layer, fan_in, fan_out, c, out):
        out.fill(value_of(c))
        return out

    return sample


def _scaled(draw):
    """A sampler W = base·k from draw(bank, layer, fan_in, fan_out, c) → (base, k), the bank's
    draw and its scale; `sample.draw` is that pair, which a caller may scale itself (a frame
    takes W's sums as it writes it: core/fused.py Recorder.scale_into)."""

    def sample(bank, layer, fan_in, fan_out, c, out):
        base, k = draw(bank, layer, fan_in, fan_out, c)
        return np.multiply(base, k, out=out)

    sample.draw = draw
    return sample


def _normal_std(bank, layer, fan_in, fan_out, c, std: float):
    base, k = _gaussian(bank, (0, layer), (fan_in, fan_out), INITS[c.init].truncation(c))
    return base, std * k


@_scaled
def _plain_normal(bank, layer, fan_in, fan_out, c):
    return _normal_std(bank, layer, fan_in, fan_out, c, c.std)


@_scaled
def _plain_uniform(bank, layer, fan_in, fan_out, c):
    return bank.uniform((0, layer), (fan_in, fan_out)), c.limit


def _vs_std(fan_in, fan_out, c) -> float:
    """Variance scaling: std = gain/√fan(mode) (Glorot's fan_avg gives gain·√(2/(in+out)))."""
    init = INITS[c.init]
    return init.gain(c) / math.sqrt(_fan(init.mode(c), fan_in, fan_out))


@_scaled
def _vs_normal(bank, layer, fan_in, fan_out, c):
    return _normal_std(bank, layer, fan_in, fan_out, c, _vs_std(fan_in, fan_out, c))


@_scaled
def _vs_uniform(bank, layer, fan_in, fan_out, c):
    bound = math.sqrt(3.0) * _vs_std(fan_in, fan_out, c)
    return bank.uniform((0, layer), (fan_in, fan_out)), bound


@_scaled
def _orthogonal(bank, layer, fan_in, fan_out, c):
    return bank.orthogonal((0, layer), (fan_in, fan_out)), INITS[c.init].gain(c)


def _sparse(bank, layer, fan_in, fan_out, c, out):
    shape = (fan_in, fan_out)
    np.multiply(bank.normal((0, layer), shape), c.std, out=out)
    out *= bank.sparse_mask((0, layer), shape, c.sparsity)
    return out


@_scaled
def _torch_default(bank, layer, fan_in, fan_out, c):
    return bank.uniform((0, layer), (fan_in, fan_out)), 1.0 / math.sqrt(fan_in)


def _vs_sigma(normal: bool):
    def sigma(fan_in, fan_out, c):
        t = _real_std(INITS[c.init].truncation(c)) if normal else 1.0
        return fan_in * (_vs_std(fan_in, fan_out, c) * t) ** 2

    return sigma


def _vs(name, normal, formula, source, gain=1.0, mode="fan_in"):
    uses = {"gain", "mode"} | ({"truncation"} if normal else set())
    return Init(
        name,
        formula,
        source,
        frozenset(uses),
        _vs_normal if normal else _vs_uniform,
        _vs_sigma(normal),
        default_gain=gain,
        default_mode=mode,
    )


_SQRT2 = math.sqrt(2.0)
_REGISTRY = [
    Init(
        "zeros",
        "W = 0",
        "the symmetric start that never learns",
        frozenset(),
        _fill(lambda c: 0.0),
        lambda i, o, c: 0.0,
    ),
    Init(
        "constant",
        "W = c",
        "torch.nn.init.constant_",
        frozenset({"value"}),
        _fill(lambda c: c.value),
        lambda i, o, c: 0.0,
    ),
    Init(
        "normal",
        "W ~ N(0, σ²)",
        "torch.nn.init.normal_; CS231n's 0.01·randn",
        frozenset({"std", "truncation"}),
        _plain_normal,
        lambda i, o, c: i * (c.std * _real_std(c.truncation or "none")) ** 2,
    ),
    Init(
        "truncated-normal",
        "W ~ N(0, σ²) re-drawn beyond ±2σ (real std 0.88σ, or σ corrected)",
        "tf.truncated_normal (TF's MNIST tutorial); Keras/JAX correct by 1/0.8796",
        frozenset({"std", "truncation"}),
        _plain_normal,
        lambda i, o, c: i * (c.std * _real_std(c.truncation or "tf")) ** 2,
        default_truncation="tf",
    ),
    Init(
        "uniform",
        "W ~ U(−a, a)",
        "torch.nn.init.uniform_",
        frozenset({"limit"}),
        _plain_uniform,
        lambda i, o, c: i * c.limit**2 / 3.0,
    ),
    _vs(
        "xavier-normal",
        True,
        "W ~ N(0, gain²·2/(fan_in+fan_out))",
        "Glorot & Bengio 2010; torch xavier_normal_",
        mode="fan_avg",
    ),
    _vs(
        "xavier-uniform",
        False,
        "W ~ U(±gain·√(6/(fan_in+fan_out)))",
        "Glorot & Bengio 2010; Keras Dense default",
        mode="fan_avg",
    ),
    _vs(
        "he-normal",
        True,
        "W ~ N(0, gain²/fan), gain √2",
        "He+ 2015 arXiv:1502.01852; torch kaiming_normal_",
        gain=_SQRT2,
    ),
    _vs(
        "he-uniform",
        False,
        "W ~ U(±gain·√(3/fan)), gain √2",
        "He+ 2015; torch kaiming_uniform_",
        gain=_SQRT2,
    ),
    _vs(
        "lecun-normal",
        True,
        "W ~ N(0, 1/fan_in)",
        "LeCun+ 1998 Efficient BackProp; Flax Dense default",
    ),
    _vs("lecun-uniform", False, "W ~ U(±√(3/fan_in))", "LeCun+ 1998; Keras LecunUniform"),
    Init(
        "orthogonal",
        "W = gain·Q, Q from QR of N(0,1)",
        "Saxe+ 2013 arXiv:1312.6120; torch orthogonal_",
        frozenset({"gain"}),
        _orthogonal,
        lambda i, o, c: INITS[c.init].gain(c) ** 2 * i / max(i, o),
    ),
    Init(
        "sparse",
        "W ~ N(0, σ²) with ceil(s·fan_out) zeros per input unit",
        "Martens 2010; torch sparse_",
        frozenset({"std", "sparsity"}),
        _sparse,
        lambda i, o, c: i * c.std**2 * (1.0 - math.ceil(c.sparsity * o) / o),
    ),
    Init(
        "pytorch-default",
        "W, b ~ U(±1/√fan_in): σ_w² = 1/3",
        "torch nn.Linear: kaiming_uniform_(a=√5)",
        frozenset(),
        _torch_default,
        lambda i, o, c: 1.0 / 3.0,
        torch_bias=True,
    ),
    Init(
        "lsuv",
        "orthogonal, then W ← W/√Var(h) per layer until |Var(h)−1| ≤ 0.02",
        "Mishkin & Matas 2015 arXiv:1511.06422",
        frozenset(),
        _orthogonal,
        lambda i, o, c: None,
        data_dependent=True,
    ),
]
INITS: dict[str, Init] = {i.name: i for i in _REGISTRY}

LSUV_TOL, LSUV_MAX_ITER = 0.02, 20  # the values of ducha-aiki/LSUVinit

# What a scheme's draws cost, by what its sampler reads from the bank: (bytes a weight keeps,
# bytes a weight of the layer being drawn adds while it is made), for float32 and float64,
# measured with tracemalloc (tests/core/test_memory.py). Uniform: NumPy draws float64 and casts.
# Orthogonal: the float64 Gaussian, LAPACK's copy of it and Q. Sparse: its boolean mask, and the
# sort of its random keys (a float64 key and an index a weight, a block of rows at a time).
_DRAW_COST = {
    "none": {4: (0, 0), 8: (0, 0)},
    "normal": {4: (4, 0), 8: (8, 0)},
    "truncated": {4: (4, 2), 8: (8, 2)},
    "uniform": {4: (4, 8), 8: (8, 0)},
    "orthogonal": {4: (4, 32), 8: (8, 16)},
    "sparse": {4: (5, 16), 8: (9, 16)},
}
_DRAWS = {
    _plain_uniform: "uniform",
    _vs_uniform: "uniform",
    _torch_default: "uniform",
    _orthogonal: "orthogonal",
    _sparse: "sparse",
}


def noise_bytes(c: Config, weights: int, largest: int) -> int:
    """What the bank holds for c's `weights` at its peak: the draws, the spare that a frame of the
    window keeps of another scheme's (NoiseBank), and the largest layer's while it is made."""
    init = INITS[c.init]
    item = 4 if c.dtype == "float32" else 8
    kind = _DRAWS.get(init.sample, "normal")
    if kind == "normal" and init.sample not in (_plain_normal, _vs_normal):
        kind = "none"  # zeros, constant
    elif kind == "normal" and init.truncation(c) != "none":
        kind = "truncated"
    kept, making = _DRAW_COST[kind][item]
    if kind == "sparse":
        largest = min(largest, MASK_ROWS_BYTES // 16 + largest // 4)
    spare = spare_bytes(c) if kept else 0
    return kept * weights + spare + making * largest


def spare_bytes(c: Config) -> int:
    """The bank's spare for c: at most one other scheme's draws of its weights and biases, and
    never more than SPARE_BYTES."""
    item = 4 if c.dtype == "float32" else 8
    w = c.widths
    return min(SPARE_BYTES, item * sum(a * b + b for a, b in itertools.pairwise(w)))
