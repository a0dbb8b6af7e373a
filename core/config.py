"""The frozen, validated description of one experiment: what the controls edit and the core runs.

Everything a view, the CLI, a preset file or a test needs to reproduce a picture lives here, and
nothing else does. A bad value raises ConfigError naming the field, the value and what is allowed,
before anything is allocated.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from core import memory, tomlfile
from core.activations import ACTIVATIONS
from core.inits import INITS, MODES, TRUNCATIONS, noise_bytes
from core.messages import ConfigError
from core.stats import HIST_SAMPLE

INPUTS = {
    "normal": "x ~ N(0, 1), the standardised-data assumption of every derivation",
    "uniform": "x ~ U(−1, 1), zero-mean but variance 1/3",
    "positive": "x ~ U(0, 1), all positive like pixels or sigmoid outputs (mean 0.5)",
}
# normal: b ~ N(0, bias_value²) per unit, the mean-field model's bias (init-theory.md §3)
BIASES = ("default", "zeros", "constant", "normal")
BIAS_VALUED = ("constant", "normal")  # the biases that read bias_value (its value; its std)
DTYPES = ("float32", "float64")
GRAD_SOURCES = {
    "gaussian": "dL/d(output) ~ N(0, 1): the signal-propagation view of the backward pass",
    "mse": "½‖output − y‖² with random targets y ~ N(0, 1)",
}
HIST_SCALES = ("shared", "layer")
# Normalization and skip connections (issue #9; core/norm.py, core/residual.py).
NORMS = {
    "none": "no normalization",
    "batch": "BatchNorm (Ioffe & Szegedy 2015): each unit standardised over the batch",
    "layer": "LayerNorm (Ba et al. 2016): each example standardised over its units",
}
NORM_POSITIONS = ("before", "after")  # the activation: φ(N(h)) or N(φ(h))
NORM_VIEWS = ("post", "pre")  # what the histogram row around the norm shows
RESIDUAL_INITS = {
    "standard": "x + F(x), the branch as the init scheme draws it (He et al. 2016)",
    "rezero": "x + α·F(x) with α = 0 at init (Bachlechner et al. 2020)",
    "fixup": "last branch layer 0, the others × L^(−1/(2m−2)) (Zhang et al. 2019)",
}
MAX_BRANCH = 2
MAX_DEPTH = 1000
MAX_WIDTH = 100_000
MAX_BATCH = 1_000_000


@dataclass(frozen=True)
class Config:
    depth: int = 10
    width: int | tuple[int, ...] = 500
    batch: int = 1000
    input: str = "normal"
    activation: str | tuple[str, ...] = "tanh"
    init: str = "xavier-normal"
    std: float = 0.01
    limit: float = 0.05
    gain: float | None = None
    mode: str | None = None
    truncation: str | None = None
    sparsity: float = 0.1
    value: float = 0.1
    bias: str = "default"
    bias_value: float = 0.0
    seed: int = 0
    dtype: str = "float32"
    grad_source: str = "gaussian"
    bins: int = 61  # odd, so that 0 sits in the middle of a bin and a collapse is one spike
    hist_scale: str = "shared"
    norm: str = "none"
    norm_position: str = "before"
    norm_view: str = "post"
    residual: bool = False
    branch_layers: int = 1
    residual_init: str = "standard"
    memory_limit_gib: float | None = None  # None: min(4 GiB, half the machine's) (core/memory.py)

    def __post_init__(self):
        if isinstance(self.width, list):
            object.__setattr__(self, "width", tuple(self.width))
        if isinstance(self.activation, list):
            object.__setattr__(self, "activation", tuple(self.activation))
        _validate(self)

    @property
    def widths(self) -> tuple[int, ...]:
        """Input width first, then each layer's output width."""
        if isinstance(self.width, tuple):
            return self.width
        return (self.width,) * (self.depth + 1)

    @property
    def activations(self) -> tuple[str, ...]:
        if isinstance(self.activation, tuple):
            return self.activation
        return (self.activation,) * self.depth

    def replace(self, **changes) -> Config:
        """A new config with some fields changed; a widths list also sets the depth."""
        width = changes.get("width")
        if isinstance(width, list | tuple) and width and "depth" not in changes:
            changes["depth"] = len(width) - 1
        return dataclasses.replace(self, **changes)

    def estimated_bytes(self, chunk: int | None = None) -> int:
        """The core's peak for this config, which tests/core/test_memory.py holds to within a
        few per cent of the traced peak for every scheme. Per weight: W, ∂L/∂W and the noise
        bank's draws. Per unit of a layer and example: five buffers (pre-activation, activation,
        φ', two gradients), four more with a norm, two more where a skip ends. The input and the
        draws of the input and the output gradient. Then what lasts only a moment or is shared:
        the bank's spare draws, the largest layer's own while it is drawn (core/inits.py), and
        the statistics' scratch: a few arrays the size of the largest layer or batch buffer.
        With `chunk` (core/chunks.py), the buffers hold that many examples, the input and output
        gradient draws the whole batch, and one more array of the largest layer's ∂L/∂W."""
        item = 4 if self.dtype == "float32" else 8
        w, batch = self.widths, min(chunk or self.batch, self.batch)
        weights = sum(a * b for a, b in itertools.pairwise(w))
        largest = max(a * b for a, b in itertools.pairwise(w))
        per_unit = 5 + 4 * (self.norm != "none")
        skips = 2 * w[-1] * (self.depth // self.branch_layers) if self.residual else 0
        net = 2 * item * weights + item * batch * (w[0] + per_unit * sum(w[1:]) + skips)
        draws = noise_bytes(self, weights, largest) + item * self.batch * (w[0] + w[-1])
        draws += item * largest if batch < self.batch else 0
        # on each of two threads: ones and a centred copy for the moments (of float64 or ill-
        # conditioned arrays: per size), a saturation mask, the histogram sample's values and bins
        n = max(largest, batch * max(w[1:]))
        scratch = 2 * (3 * item * n + n + 16 * HIST_SAMPLE)
        return net + draws + scratch

    def to_dict(self) -> dict[str, Any]:
        out = {}
        for f in dataclasses.fields(self):
            if f.name.startswith("_"):
                continue
            v = getattr(self, f.name)
            if v is None:
                continue
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_toml(), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Config | None = None) -> Config:
        if not isinstance(data, dict):
            raise ConfigError("config", data, "a table of config fields")
        known = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
        unknown = [k for k in data if k not in known]
        if unknown:
            near = difflib.get_close_matches(unknown[0], known, n=1)
            hint = (
                f"a config field (did you mean {near[0]}?)"
                if near
                else "one of " + ", ".join(known)
            )
            raise ConfigError(unknown[0], data[unknown[0]], hint)
        return (base or cls()).replace(**data)

    @classmethod
    def from_file_data(cls, data: dict[str, Any], base: Config | None = None) -> Config:
        """A parsed config file: its fields, and the [scene] table a preset file also carries."""
        return cls.from_dict({k: v for k, v in data.items() if k != "scene"}, base)

    @classmethod
    def from_toml(cls, text: str, base: Config | None = None) -> Config:
        return cls.from_file_data(tomlfile.parse(text), base)

    @classmethod
    def load(cls, path: str | Path, base: Config | None = None) -> Config:
        return cls.from_file_data(tomlfile.read(path), base)


def _fits(value: Any, hint: Any) -> bool:
    """value is of a field's declared type: a TOML integer fits a float field, true fits no
    number, and a list of the items' type fits a tuple field."""
    if isinstance(hint, types.UnionType):
        return any(_fits(value, h) for h in typing.get_args(hint))
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        return isinstance(value, list | tuple) and all(_fits(v, item) for v in value)
    if isinstance(value, bool):
        return hint is bool
    return isinstance(value, int | float) if hint is float else isinstance(value, hint)


_TYPE_WORDS = {
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    str: ("a string", "strings"),
    bool: ("true or false", "booleans"),
}


def _described(hint: Any, plural: bool = False) -> str:
    if isinstance(hint, types.UnionType):
        return " or ".join(_described(h) for h in typing.get_args(hint) if h is not type(None))
    if typing.get_origin(hint) is tuple:
        return "a list of " + _described(typing.get_args(hint)[0], plural=True)
    return _TYPE_WORDS[hint][plural]


def _check_types(c: Config) -> None:
    """Every field against its declared type, before any check that would hash or compare it."""
    for name, hint in _FIELD_TYPES.items():
        v = getattr(c, name)
        if not _fits(v, hint):
            raise ConfigError(name, list(v) if isinstance(v, tuple) else v, _described(hint))


def _int(c: Config, name: str, lo: int, hi: int) -> None:
    v = getattr(c, name)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError(name, v, f"an integer from {lo} to {hi}")


def _real(c: Config, name: str, lo: float, hi: float, optional: bool = False) -> None:
    v = getattr(c, name)
    if optional and v is None:
        return
    # bounds first: math.isfinite of an integer beyond a float's range raises OverflowError
    ok = isinstance(v, int | float) and not isinstance(v, bool) and lo <= v <= hi
    ok = ok and math.isfinite(v)
    if not ok:
        raise ConfigError(name, v, f"a finite number from {lo:g} to {hi:g}")
    object.__setattr__(c, name, float(v))


def _choice(c: Config, name: str, allowed, optional: bool = False) -> None:
    v = getattr(c, name)
    if optional and v is None:
        return
    if v not in allowed:
        raise ConfigError(name, v, "one of " + ", ".join(allowed))


def _validate_architecture(c: Config) -> None:
    _choice(c, "norm", NORMS)
    _choice(c, "norm_position", NORM_POSITIONS)
    _choice(c, "norm_view", NORM_VIEWS)
    if not isinstance(c.residual, bool):
        raise ConfigError("residual", c.residual, "true or false")
    _int(c, "branch_layers", 1, MAX_BRANCH)
    _choice(c, "residual_init", RESIDUAL_INITS)
    if not c.residual:
        if c.residual_init != "standard":
            raise ConfigError("residual_init", c.residual_init, "standard unless residual = true")
        return
    if len(set(c.widths)) != 1:
        raise ConfigError(
            "width", list(c.widths), "one width for input and every layer when residual = true"
        )
    if c.depth % c.branch_layers:
        raise ConfigError(
            "depth", c.depth, f"a multiple of branch_layers = {c.branch_layers} (whole blocks)"
        )
    if c.residual_init == "fixup" and c.branch_layers < 2:
        raise ConfigError(
            "residual_init",
            "fixup",
            "standard or rezero with branch_layers = 1 "
            "(Fixup's L^(−1/(2m−2)) needs m ≥ 2 layers per branch)",
        )


def _validate(c: Config) -> None:
    _check_types(c)
    _int(c, "depth", 1, MAX_DEPTH)
    if isinstance(c.width, tuple):
        if len(c.width) != c.depth + 1:
            raise ConfigError(
                "width", list(c.width), f"depth+1 = {c.depth + 1} widths (input first)"
            )
        for w in c.width:
            if isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= MAX_WIDTH:
                raise ConfigError("width", list(c.width), f"integers from 1 to {MAX_WIDTH}")
    else:
        _int(c, "width", 1, MAX_WIDTH)
    _int(c, "batch", 1, MAX_BATCH)
    _choice(c, "input", INPUTS)
    acts = c.activation if isinstance(c.activation, tuple) else (c.activation,)
    if isinstance(c.activation, tuple) and len(acts) != c.depth:
        raise ConfigError("activation", list(acts), f"one name, or depth = {c.depth} names")
    for a in acts:
        if a not in ACTIVATIONS:
            raise ConfigError("activation", a, "one of " + ", ".join(ACTIVATIONS))
    _choice(c, "init", INITS)
    _real(c, "std", 0.0, 1e6)
    _real(c, "limit", 0.0, 1e6)
    _real(c, "gain", 0.0, 1e6, optional=True)
    _choice(c, "mode", MODES, optional=True)
    _choice(c, "truncation", TRUNCATIONS, optional=True)
    _real(c, "sparsity", 0.0, 1.0)
    _real(c, "value", -1e6, 1e6)
    _choice(c, "bias", BIASES)
    _real(c, "bias_value", -1e6, 1e6)
    if c.bias == "normal" and c.bias_value < 0:
        raise ConfigError("bias_value", c.bias_value, "a standard deviation ≥ 0 for bias = normal")
    _int(c, "seed", 0, 2**63 - 1)
    _choice(c, "dtype", DTYPES)
    _choice(c, "grad_source", GRAD_SOURCES)
    _int(c, "bins", 4, 1000)
    _choice(c, "hist_scale", HIST_SCALES)
    _validate_architecture(c)
    _real(c, "memory_limit_gib", 0.001, 1024.0, optional=True)
    _check_memory(c)


def _check_memory(c: Config) -> None:
    """Refused before anything is allocated: a batch that cannot fit runs in chunks, unless
    BatchNorm couples its examples or the weights alone exceed the limit."""
    need = c.estimated_bytes()
    if need <= memory.limit_bytes(c.memory_limit_gib):
        return
    if c.norm == "batch":  # BatchNorm couples the examples: the batch is one chunk
        raise ConfigError(
            "memory",
            f"{need / 2**30:.2f} GiB",
            memory.allowed(c.memory_limit_gib, "reduce depth, width or batch"),
        )
    alone = c.estimated_bytes(chunk=1)  # computed a chunk of examples at a time (core/chunks.py)
    if alone > memory.limit_bytes(c.memory_limit_gib):
        raise ConfigError(
            "memory",
            f"{alone / 2**30:.2f} GiB",
            memory.allowed(c.memory_limit_gib, "the weights alone: reduce depth or width"),
        )


_FIELD_TYPES = {
    name: hint for name, hint in typing.get_type_hints(Config).items() if not name.startswith("_")
}
