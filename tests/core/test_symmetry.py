"""Symmetry under training (issue #20): units that start as copies stay copies for as long as a
net trains; a random draw's units stay distinct. Counted by core/units.py."""

from __future__ import annotations

import pytest

from core import Config
from core.training import TrainConfig, Trainer

STEPS = 500


def _train(init: str, **extra):
    c = Config(depth=3, width=64, activation="tanh", init=init, bias="zeros", **extra)
    trainer = Trainer(c, TrainConfig(steps=STEPS, record_every=50))
    trainer.step(STEPS)
    return trainer.snapshot().history


@pytest.mark.parametrize("init, extra", [("zeros", {}), ("constant", {"value": 0.1})])
def test_copies_stay_copies_for_500_steps(init, extra):
    history = _train(init, **extra)
    assert history.records[-1].step == STEPS
    assert (history.distinct() == 1).all()  # every hidden layer, every recorded step


def test_constant_units_learn_but_as_one():
    history = _train("constant", value=0.1)
    loss = history.series("train_loss")
    assert loss[-1] < loss[0] - 0.03  # the net learns something, with one unit a layer


def test_a_tiny_random_draw_stays_distinct():
    history = _train("normal", std=0.01)
    assert (history.distinct() == 64).all()
