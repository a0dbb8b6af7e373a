"""Training over time: the app's initialised stack plus a softmax head, stepped by an optimizer.

The hidden layers are drawn by the same Simulator, NoiseBank and INITS the app uses, so step 0 is
the picture the user has been looking at; the head (layer depth+1) is drawn by the same scheme.
A worker thread owns one Trainer and calls `step(n)`; every `record_every` steps it measures the
net on a fixed probe batch with the app's statistics and keeps an immutable TrainRecord in a ring
whose memory is bounded, so `snapshot()` can hand the GUI the newest state and a scrubbable past
without copying arrays. A blow-up (NaN/Inf) is a result to show, never an exception.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from core import memory, parallel, stats
from core.activations import ACTIVATIONS
from core.config import Config, ConfigError
from core.fields import finite_or_none
from core.measure import measure_joint  # the app's statistics
from core.network import Dense
from core.simulate import Simulator, init_layer  # the app's init
from core.tasks import TASKS, Dataset, make_task

EVAL_CHUNK = 4096
RECORD_BYTES_PER_LAYER = 3072  # + 5·bins·8 per layer: tracemalloc measured 4.9 KB at 60 bins


# ---------------------------------------------------------------- optimizers: one entry each
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


# ---------------------------------------------------------------- immutable results
@dataclass(frozen=True)
class TrainRecord:
    """One recorded step. Ratios are log10; one per hidden layer, then the head."""

    step: int
    batch_loss: float  # the last step's minibatch: noisy, but free
    train_loss: float  # on `eval_size` training samples
    train_acc: float
    test_loss: float  # on `eval_size` held-out samples
    test_acc: float
    update_ratio: tuple[
        float, ...
    ]  # log10 std(ΔW)/std(W), W after the step (Karpathy's rule: ≈ −3)
    grad_ratio: tuple[float, ...]  # log10 std(∂L/∂W)/std(W) on the probe batch
    act_hists: tuple[
        stats.Hist, ...
    ]  # activations on the run's fixed range: the time view's column
    snapshot: stats.Snapshot  # the app's per-layer statistics on the probe batch

    @property
    def nonfinite(self) -> bool:
        """Blown up: a non-finite minibatch loss, or non-finite values in the net. Before the
        first step there is no minibatch loss (NaN), which is not a blow-up: the window said "A
        blew up by step 0" whenever it took a fresh run's first frame before the next one."""
        lost = self.step > 0 and not math.isfinite(self.batch_loss)
        return lost or self.snapshot.nonfinite > 0

    SCALARS = ("step", "batch_loss", "train_loss", "train_acc", "test_loss", "test_acc")

    def to_json(self) -> dict:
        out = {k: finite_or_none(getattr(self, k)) for k in self.SCALARS}
        out["update_ratio"] = [finite_or_none(v) for v in self.update_ratio]
        out["grad_ratio"] = [finite_or_none(v) for v in self.grad_ratio]
        out["layers"] = [s.to_json() for s in self.snapshot.layers]
        return out


@dataclass(frozen=True, eq=False)
class History:
    """The ring's content at one moment, oldest first: what a scrubber and a time view read."""

    records: tuple[TrainRecord, ...]

    def steps(self) -> np.ndarray:
        return np.array([r.step for r in self.records], np.int64)

    def series(self, name: str) -> np.ndarray:
        """A scalar over the recorded steps, e.g. 'train_loss' or 'test_acc'."""
        return np.array([getattr(r, name) for r in self.records], np.float64)

    def ratios(self, kind: str = "update") -> np.ndarray:
        """(steps, depth+1) log10 ratios, kind 'update' or 'grad'."""
        return np.array([getattr(r, f"{kind}_ratio") for r in self.records], np.float64)

    def act_image(self, layer: int) -> np.ndarray:
        """(steps, bins) activation counts of hidden layer `layer` (0-based) on one fixed range."""
        if not self.records:
            return np.zeros((0, 0), np.int64)
        return np.stack([r.act_hists[layer].counts for r in self.records])

    def at(self, step: int) -> TrainRecord | None:
        """The newest record at or before `step` (the scrubber's position)."""
        steps = self.steps()
        i = int(np.searchsorted(steps, step, side="right")) - 1
        return self.records[i] if i >= 0 else None


@dataclass(frozen=True, eq=False)
class TrainSnapshot:
    """What the worker emits: the newest record and the history up to it."""

    latest: TrainRecord
    history: History
    step: int
    steps: int
    task: str
    n_classes: int
    data_note: str

    @property
    def done(self) -> bool:
        return self.step >= self.steps


@dataclass(frozen=True, eq=False)
class DecisionGrid:
    """Class probabilities probs[iy, ix, k] at (xs[ix], ys[iy]), standardised input coordinates."""

    xs: np.ndarray
    ys: np.ndarray
    probs: np.ndarray


# ---------------------------------------------------------------- the trainer
def _check_data_memory(config: Config, train: TrainConfig) -> None:
    """Generated data is float64 and copied about four times while made and split."""
    task = TASKS.get(train.task)
    if task is None:
        return
    need = 32 * (train.n_samples or task.n_default) * (task.width or config.widths[0])
    if need > memory.limit_bytes(config.memory_limit_gib):
        raise ConfigError(
            "memory",
            f"{need / 2**30:.2f} GiB of {train.task} data",
            memory.allowed(config.memory_limit_gib, "fewer samples or inputs"),
        )


def fit_config(config: Config, data: Dataset, batch: int) -> Config:
    """The app's config with the data's input width and the minibatch as its batch."""
    return config.replace(width=(data.width, *config.widths[1:]), batch=batch)


def _check_plain(c: Config) -> None:
    """Norms and skips are measured at init (core/residual.py); the optimizer and the evaluation
    pass here know only W and b, so they refuse rather than train a different net."""
    if c.norm != "none":
        raise ConfigError("norm", c.norm, "none when training (norm layers are init-only for now)")
    if c.residual:
        raise ConfigError("residual", True, "false when training (skips are init-only for now)")


class Trainer:
    """One training run. Not thread-safe: the worker that calls `step` also calls `snapshot` and
    `decision_grid`, and hands their immutable results to the GUI thread."""

    def __init__(
        self, config: Config, train: TrainConfig | None = None, data: Dataset | None = None
    ):
        self.train = train = train or TrainConfig()
        _check_plain(config)
        seed = config.seed if train.data_seed is None else train.data_seed
        if data is None:
            _check_data_memory(config, train)
            if train.task == "file":
                raise ConfigError(
                    "task", "file", "a Dataset passed as `data` (core.tasks.load_file)"
                )
            data = make_task(
                train.task,
                width=config.widths[0],
                n=train.n_samples,
                seed=seed,
                test_frac=train.test_frac,
            )
        self.data = data
        self.config = c = fit_config(config, data, train.batch)
        self.opt = OPTIMIZERS[train.optimizer]
        self._init_network(c)
        self._init_data(seed)
        self._scratch = stats.Scratch()
        self._ring: deque[TrainRecord] = deque(maxlen=self._capacity())
        self.step_count = 0
        self.batch_loss = math.nan
        self._fixed: list[tuple[float, float]] | None = None
        self._ring.append(self._record())

    # ---- setup
    def _init_network(self, c: Config) -> None:
        sim = Simulator()
        self.net = sim.prepare(c)  # the app's weights (and LSUV on its random batch)
        self.head = Dense(
            c.widths[-1], self.data.n_classes, c.batch, ACTIVATIONS["linear"], c.dtype
        )
        with np.errstate(all="ignore"):
            init_layer(self.head, c.depth, sim.bank(c), c)
        self.layers = [*self.net.layers, self.head]
        for layer in self.layers:
            layer.has_bias = True  # biases learn, so they are added even when they start at 0
        self._ones = np.ones(c.batch, c.dtype)
        self._params = [(p, g) for L in self.layers for p, g in ((L.W, L.dW), (L.b, L.db))]
        self._updates = [np.zeros_like(p) for p, _ in self._params]
        self._state = [[np.zeros_like(p) for _ in range(self.opt.slots)] for p, _ in self._params]

    def _init_data(self, seed: int) -> None:
        dt = self.net.dtype
        d, n = self.data, self.train.eval_size
        self._X = np.ascontiguousarray(d.X_train, dt)
        self._y = d.y_train
        self._eval = [(self._X[:n], d.y_train[:n]), (np.asarray(d.X_test[:n], dt), d.y_test[:n])]
        # A fixed probe batch: records then differ by training only, not by the minibatch drawn.
        probe = np.arange(self.net.batch) % len(self._X)
        self._probe = (self._X[probe], self._y[probe])
        self._rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(13,)))
        self._order = np.zeros(0, np.int64)

    def _capacity(self) -> int:
        per = len(self.net.layers) * (RECORD_BYTES_PER_LAYER + 5 * self.config.bins * 8)
        return max(2, min(self.train.history, int(self.train.history_mib * 2**20) // per))

    # ---- stepping
    @property
    def done(self) -> bool:
        return self.step_count >= self.train.steps

    def step(self, n: int = 1) -> TrainRecord | None:
        """n optimizer steps; returns the last record made among them, if any."""
        rec = None
        with np.errstate(all="ignore"), parallel.BLAS_LOCK:  # see core/parallel.py
            for _ in range(n):
                self._train_step()
                self.step_count += 1
                if self.step_count % self.train.record_every == 0:
                    rec = self._record()
                    self._ring.append(rec)
        return rec

    def _next_batch(self) -> np.ndarray:
        """Epochs of fresh permutations, so every sample is seen once per epoch."""
        b = self.net.batch
        while len(self._order) < b:
            self._order = np.concatenate([self._order, self._rng.permutation(len(self._X))])
        idx, self._order = self._order[:b], self._order[b:]
        return idx

    def _train_step(self) -> None:
        idx = self._next_batch()
        np.take(self._X, idx, axis=0, out=self.net.x)
        self.batch_loss = self._forward_backward(self._y[idx])
        t = self.step_count + 1
        for (p, g), u, s in zip(self._params, self._updates, self._state, strict=True):
            self.opt.update(g, s, u, self.train, t)
            p += u

    def _forward_backward(self, y: np.ndarray) -> float:
        logits = self.head.forward(self.net.forward())
        loss = _softmax_xent(logits, y, self.head.grad_a)
        self.head.backward(self.net.layers[-1], self._ones)
        self.net.backward()
        return loss

    # ---- measuring
    def _record(self) -> TrainRecord:
        """The net at this step on the fixed probe batch, measured exactly as the app measures."""
        with np.errstate(all="ignore"):
            np.copyto(self.net.x, self._probe[0])
            self._forward_backward(self._probe[1])
            layers = measure_joint([self.net], [self.config], self._scratch)[0]
            (train_loss, train_acc), (test_loss, test_acc) = (
                _evaluate(self.layers, X, y) for X, y in self._eval
            )
            return TrainRecord(
                step=self.step_count,
                batch_loss=self.batch_loss,
                train_loss=train_loss,
                train_acc=train_acc,
                test_loss=test_loss,
                test_acc=test_acc,
                update_ratio=self._ratios(self._updates[::2] if self.step_count else None),
                grad_ratio=self._ratios([L.dW for L in self.layers]),
                act_hists=self._fixed_hists(layers),
                snapshot=stats.Snapshot(self.config, layers),
            )

    def _fixed_hists(self, layers: tuple[stats.LayerStats, ...]) -> tuple[stats.Hist, ...]:
        if self._fixed is None:
            self._fixed = _fixed_ranges(layers, self.net.layers)
        return tuple(
            stats.histogram(L.a, lo, hi, self.config.bins, self._scratch, s.nonfinite_frac > 0)
            for L, s, (lo, hi) in zip(self.net.layers, layers, self._fixed, strict=True)
        )

    def _ratios(self, numerators: list[np.ndarray] | None) -> tuple[float, ...]:
        """log10 std(numerator)/std(W) per layer; NaN before the first update."""
        if numerators is None:
            return (math.nan,) * len(self.layers)
        return tuple(
            _log_ratio(stats.moments(a, self._scratch).std, stats.moments(L.W, self._scratch).std)
            for a, L in zip(numerators, self.layers, strict=True)
        )

    def snapshot(self) -> TrainSnapshot:
        """Immutable and cheap (records are shared, not copied): safe to emit to the GUI thread."""
        return TrainSnapshot(
            latest=self._ring[-1],
            history=History(tuple(self._ring)),
            step=self.step_count,
            steps=self.train.steps,
            task=self.data.name,
            n_classes=self.data.n_classes,
            data_note=self.data.note,
        )

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities for standardised inputs X, (n, width)."""
        with np.errstate(all="ignore"):
            X = np.asarray(X, self.net.dtype)
            out = [
                _softmax(_logits(self.layers, X[i : i + EVAL_CHUNK]))
                for i in range(0, len(X), EVAL_CHUNK)
            ]
        return np.concatenate(out) if out else np.zeros((0, self.data.n_classes))

    def decision_grid(self, n: int = 64) -> DecisionGrid:
        """The Playground's boundary view: probabilities on an n×n grid over the 2-D data's extent."""
        if self.data.width != 2:
            raise ConfigError("task", self.data.name, "a 2-D task for the decision grid")
        (x0, x1), (y0, y1) = self.data.extent()
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        gx, gy = np.meshgrid(xs, ys)
        probs = self.predict_proba(np.stack([gx.ravel(), gy.ravel()], axis=1))
        probs = probs.reshape(n, n, -1)
        for a in (xs, ys, probs):
            a.flags.writeable = False
        return DecisionGrid(xs, ys, probs)

    def retune(self, **changes) -> None:
        """Change optimizer settings mid-run (the lr slider); the network and data stay."""
        allowed = {"lr", "momentum", "beta1", "beta2", "eps", "record_every", "steps"}
        bad = sorted(set(changes) - allowed)
        if bad:
            raise ConfigError(bad[0], changes[bad[0]], "one of " + ", ".join(sorted(allowed)))
        self.train = self.train.replace(**changes)


# ---------------------------------------------------------------- numerics
def _softmax_xent(z: np.ndarray, y: np.ndarray, grad: np.ndarray) -> float:
    """Mean cross-entropy of logits z; writes ∂ℓ_b/∂z = p − onehot(y) into grad."""
    m = z.max(axis=1, keepdims=True)
    np.subtract(z, m, out=grad)
    picked = grad[np.arange(len(y)), y].copy()
    np.exp(grad, out=grad)
    s = grad.sum(axis=1, keepdims=True)
    grad /= s
    grad[np.arange(len(y)), y] -= 1.0
    return float(np.mean(np.log(s[:, 0]) - picked))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _logits(layers: list[Dense], X: np.ndarray) -> np.ndarray:
    """A forward pass with fresh arrays: the training buffers keep the probe batch for the stats."""
    a = X
    for L in layers:
        h = a @ L.W + L.b
        a = L.act.f(h, np.empty_like(h))
    return a


def _evaluate(layers: list[Dense], X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    losses, hits = [], 0
    for i in range(0, len(X), EVAL_CHUNK):
        z = _logits(layers, X[i : i + EVAL_CHUNK])
        yb = y[i : i + EVAL_CHUNK]
        losses.append(_softmax_xent(z, yb, np.empty_like(z)) * len(yb))
        hits += int(np.count_nonzero(z.argmax(axis=1) == yb))
    return float(sum(losses) / len(X)), hits / len(X)


def _fixed_ranges(layers, dense) -> list[tuple[float, float]]:
    """Step 0's activation range, unbounded sides doubled: one y-axis for the whole run."""
    out = []
    for s, L in zip(layers, dense, strict=True):
        h = s.hists["act"]
        lo = h.lo if L.act.lower is not None else 2.0 * h.lo
        hi = h.hi if L.act.upper is not None else 2.0 * h.hi
        out.append((lo, hi) if math.isfinite(lo) and math.isfinite(hi) and hi > lo else (-1.0, 1.0))
    return out


def _log_ratio(num: float, den: float) -> float:
    if not (math.isfinite(num) and math.isfinite(den)) or den <= 0.0:
        return math.nan
    return math.log10(num / den) if num > 0.0 else -math.inf


__all__ = [
    "OPTIMIZERS",
    "DecisionGrid",
    "History",
    "Optimizer",
    "TrainConfig",
    "TrainRecord",
    "TrainSnapshot",
    "Trainer",
    "fit_config",
]
