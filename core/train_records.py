"""What a training run hands the window: immutable records of its steps, the history a scrubber
reads, and the decision grid. Records share their arrays, never copy them (core/training.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import stats
from core.fields import finite_or_none


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
    distinct_units: tuple[int, ...] = ()  # per hidden layer: units not copies (core/units.py)

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
        out["distinct_units"] = list(self.distinct_units)
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

    def distinct(self) -> np.ndarray:
        """(steps, depth) distinct units of every hidden layer at each recorded step."""
        return np.array([r.distinct_units for r in self.records], np.int64)

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
