"""How to train: the optimizers (one entry each) and TrainConfig, checked field by field."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from core.config import ConfigError
from core.tasks import TASKS


@dataclass(frozen=True)
class Optimizer:
    name: str
    formula: str
    source: str
    slots: int  # state arrays kept per parameter
    default_lr: float
    # (grad, state, out, train_config, t) → writes the update ΔW (already × lr, signed) into out
    update: Callable[..., None]


def _sgd(g, state, out, tc, t):
    np.multiply(g, -tc.lr, out=out)


def _momentum(g, state, out, tc, t):
    (v,) = state
    v *= tc.momentum
    v += g
    np.multiply(v, -tc.lr, out=out)


def _adam(g, state, out, tc, t):
    m, v = state
    m *= tc.beta1
    np.multiply(g, 1.0 - tc.beta1, out=out)
    m += out
    v *= tc.beta2
    np.multiply(g, g, out=out)
    out *= 1.0 - tc.beta2
    v += out
    np.sqrt(v, out=out)
    out *= 1.0 / math.sqrt(1.0 - tc.beta2**t)
    out += tc.eps
    np.divide(m, out, out=out)
    out *= -tc.lr / (1.0 - tc.beta1**t)


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in [
        Optimizer("sgd", "ΔW = −η·g", "Robbins & Monro 1951", 0, 0.1, _sgd),
        Optimizer(
            "momentum", "v ← μv + g; ΔW = −η·v", "Polyak 1964; torch.optim.SGD", 1, 0.05, _momentum
        ),
        Optimizer(
            "adam",
            "m, v ← EMAs of g, g²; ΔW = −η·m̂/(√v̂ + ε)",
            "Kingma & Ba 2014 arXiv:1412.6980",
            2,
            0.003,
            _adam,
        ),
    ]
}


@dataclass(frozen=True)
class TrainConfig:
    """How to train; the network itself is the app's Config."""

    task: str = "spirals"
    optimizer: str = "adam"
    lr: float | None = None  # None: the optimizer's default
    batch: int = 64
    steps: int = 2000  # the run's planned length; `Trainer.done` says when it is reached
    record_every: int = 10
    history: int = 500  # recorded steps kept for the scrubber (fewer if history_mib says so)
    history_mib: float = 64.0
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    eval_size: int = 512  # samples of each split that the loss/accuracy curves are measured on
    n_samples: int | None = None  # None: the task's default
    test_frac: float = 0.2
    data_seed: int | None = None  # None: the network's seed

    def __post_init__(self):
        _validate_train(self)
        if self.lr is None:
            object.__setattr__(self, "lr", OPTIMIZERS[self.optimizer].default_lr)

    def replace(self, **changes) -> TrainConfig:
        return replace(self, **changes)


_LIMITS = {  # field: (lo, hi, integer)
    "lr": (0.0, 1e6, False),
    "batch": (1, 1_000_000, True),
    "steps": (0, 10**9, True),
    "record_every": (1, 10**9, True),
    "history": (1, 10**7, True),
    "history_mib": (0.001, 1e6, False),
    "momentum": (0.0, 1.0, False),
    "beta1": (0.0, 0.999999, False),
    "beta2": (0.0, 0.999999, False),
    "eps": (0.0, 1.0, False),
    "eval_size": (1, 10**7, True),
    "n_samples": (8, 10**7, True),
    "test_frac": (0.01, 0.9, False),
    "data_seed": (0, 2**63 - 1, True),
}


def _validate_train(tc: TrainConfig) -> None:
    if tc.task not in TASKS and tc.task != "file":
        raise ConfigError("task", tc.task, "one of " + ", ".join([*TASKS, "file"]))
    if tc.optimizer not in OPTIMIZERS:
        raise ConfigError("optimizer", tc.optimizer, "one of " + ", ".join(OPTIMIZERS))
    for name, (lo, hi, integer) in _LIMITS.items():
        v = getattr(tc, name)
        if v is None and name in ("lr", "n_samples", "data_seed"):
            continue
        ok = isinstance(v, int) if integer else isinstance(v, int | float)
        if isinstance(v, bool) or not ok or not (math.isfinite(v) and lo <= v <= hi):
            kind = "an integer" if integer else "a finite number"
            raise ConfigError(name, v, f"{kind} from {lo:g} to {hi:g}")
