"""The probes a canvas view asks for (core/probe_frame.py): the core's own numbers, and a config
a probe cannot take answered with a one-line error, never an exception."""

from __future__ import annotations

import numpy as np

from core import Config, correlation, jacobian, probe_frame, seeds
from core.simulate import Simulator

TANH = Config(depth=6, width=200, batch=300, activation="tanh", init="xavier-normal", bias="zeros")


def test_correlation_answer_is_the_profile_of_the_drawn_weights():
    got = probe_frame.make(TANH, "correlation", (0.5,), Simulator())
    assert got.error == "" and got.config is TANH
    net = Simulator().prepare(TANH.replace(batch=probe_frame.PROBE_BATCH), backward=False)
    want = correlation.profile(TANH, net.layers, 0.5)
    np.testing.assert_allclose(got.value.measured, want.measured, rtol=1e-6)
    assert len(got.extra["circle"].grams) == TANH.depth


def test_jacobian_answer_matches_a_direct_spectrum():
    got = probe_frame.make(TANH, "jacobian", (3,), Simulator())
    net = Simulator().prepare(TANH.replace(batch=probe_frame.PROBE_BATCH), backward=False)
    want = jacobian.spectrum(TANH, net.layers, net.x[:3].copy())
    np.testing.assert_allclose(got.value.singular_values, want.singular_values, rtol=1e-5)


def test_seeds_answer_spreads_over_the_asked_number_of_seeds():
    got = probe_frame.make(TANH.replace(width=16), "seeds", (4,), Simulator())
    assert got.value.seeds == tuple(range(4))
    want = seeds.spread(TANH.replace(width=16), 4)
    assert got.value.layers[2]["act_std"] == want.layers[2]["act_std"]


def test_a_config_the_probe_cannot_take_is_a_one_line_error():
    got = probe_frame.make(TANH.replace(norm="batch"), "correlation", (0.5,), Simulator())
    assert got.value is None and "plain net" in got.error and "\n" not in got.error
    got = probe_frame.make(TANH, "correlation", (2.0,), Simulator())
    assert got.value is None and got.error.startswith("correlation: got 2.0")
    got = probe_frame.make(TANH, "jacobian", (10_000,), Simulator())
    assert got.value is None and "examples" in got.error


def test_params_come_from_a_scenes_options_with_defaults():
    assert probe_frame.params_of("correlation", {}) == (probe_frame.DEFAULTS["c0"],)
    assert probe_frame.params_of("correlation", {"c0": 0.9}) == (0.9,)
    assert probe_frame.params_of("jacobian", {"examples": 2}) == (2,)
    assert probe_frame.params_of("seeds", {}) == (probe_frame.DEFAULTS["seeds"],)
