"""A frame abandoned part-way (core/cancel.py) leaves nothing behind: the next frame of the same
simulators is the frame a fresh one makes, bit for bit, whichever layer it stopped at."""

import itertools

import pytest

from core import Config
from core.cancel import Cancelled
from core.frame import FrameMaker
from tests.core.test_serve import assert_same_frame

ROWS = ("act", "grad")
CONFIGS = [
    Config(depth=6, width=48, batch=64, activation="tanh", init="xavier-normal"),
    Config(depth=6, width=48, batch=64, activation="relu", init="lsuv"),
    Config(depth=6, width=48, batch=64, activation="tanh", init="orthogonal", norm="batch"),
    Config(depth=6, width=48, batch=64, activation="relu", init="he-normal", residual=True),
]


def after(n: int):
    """A check that turns true at its n-th call: the frame stops at its n-th layer boundary."""
    calls = itertools.count(1)
    return lambda: next(calls) >= n


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.init}-{c.norm}-{c.residual}")
@pytest.mark.parametrize("stop_at", [1, 4, 9, 15, 22])
def test_a_frame_after_an_abandoned_one_is_a_fresh_frame(config, stop_at):
    maker = FrameMaker()
    other = config.replace(seed=7, gain=1.7)  # the abandoned frame: another seed and scale
    with pytest.raises(Cancelled):
        maker.make([other, other], ROWS, 1, False, cancelled=after(stop_at))
    assert_same_frame(
        maker.make([config], ROWS, 1, False), FrameMaker().make([config], ROWS, 1, False)
    )


def test_without_a_check_nothing_is_abandoned():
    c = CONFIGS[0]
    assert_same_frame(
        FrameMaker().make([c], ROWS, 1, False, cancelled=None),
        FrameMaker().make([c], ROWS, 1, False, cancelled=lambda: False),
    )
