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

import numpy as np

from core import cancel, memory, parallel, stats, units
from core.activations import ACTIVATIONS
from core.config import Config, ConfigError
from core.measure import measure_joint  # the app's statistics
from core.network import Dense
from core.simulate import Simulator, init_layer  # the app's init
from core.tasks import TASKS, Dataset, make_task
from core.train_config import OPTIMIZERS, Optimizer, TrainConfig
from core.train_records import DecisionGrid, History, TrainRecord, TrainSnapshot

__all__ = [
    "OPTIMIZERS",
    "DecisionGrid",
    "History",
    "TrainConfig",
    "TrainRecord",
    "TrainSnapshot",
    "Trainer",
]

EVAL_CHUNK = 4096
RECORD_BYTES_PER_LAYER = 3072  # + 5·bins·8 per layer: tracemalloc measured 4.9 KB at 60 bins


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
        with np.errstate(all="ignore"):
            for _ in range(n):
                cancel.point()  # a probe's run, abandoned for a newer one (gui/canvas/probes.py)
                # a step at a time: a frame's change of OpenBLAS's thread count is made
                # between two (core/parallel.py BlasGuard)
                with parallel.BLAS.shared():
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
                distinct_units=tuple(units.distinct(L.W, L.rows()[1]) for L in self.net.layers),
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
