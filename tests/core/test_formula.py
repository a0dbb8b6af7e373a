"""The formula chip's numbers (issue #18) are init-theory.md's: σ_w at width 500 for He, Xavier
and LeCun, the 0.88 of TF's truncation, and the variance recursion of core/theory.py."""

import math

import pytest

from core import Config, formula, prediction
from core.simulate import run

W500 = dict(depth=10, width=500, batch=256)


@pytest.mark.parametrize(
    "init, activation, sigma, text",
    [
        ("he-normal", "relu", math.sqrt(2 / 500), "σ_w = √(2/500) = 0.063"),
        ("xavier-normal", "tanh", math.sqrt(2 / 1000), "σ_w = √(2/(500+500)) = 0.045"),
        ("lecun-normal", "selu", math.sqrt(1 / 500), "σ_w = √(1/500) = 0.045"),
    ],
)
def test_scheme_line_has_init_theorys_sigma_at_width_500(init, activation, sigma, text):
    c = Config(init=init, activation=activation, **W500)
    assert formula.scheme_line(c, 500, 500) == text
    assert formula.num(sigma) == text.rsplit(" = ", 1)[1]


def test_tf_truncation_reads_088_sigma():
    c = Config(init="he-normal", activation="relu", truncation="tf", **W500)
    line = formula.scheme_line(c, 500, 500)
    assert line == "σ_w = √(2/500) = 0.063 → truncated 0.88σ = 0.056"
    assert formula.num(0.87962566 * math.sqrt(2 / 500)) == "0.056"


def test_uniform_bounds_are_glorots_and_hes():
    c = Config(init="xavier-uniform", **W500)
    assert formula.scheme_line(c, 500, 500) == "a = √(6/(500+500)) = 0.077 → σ_w = a/√3 = 0.045"
    c = Config(init="he-uniform", activation="relu", **W500)
    assert formula.scheme_line(c, 500, 500) == "a = √(6/500) = 0.11 → σ_w = a/√3 = 0.063"


def test_the_line_changes_with_the_config():
    c = Config(init="he-normal", activation="relu", **W500)
    assert formula.scheme_line(c.replace(width=200), 200, 200) == "σ_w = √(2/200) = 0.1"
    assert formula.scheme_line(c.replace(mode="fan_out"), 500, 250) == "σ_w = √(2/250) = 0.089"
    assert formula.scheme_line(c.replace(gain=1.0), 500, 500) == "σ_w = √(1/500) = 0.045"


@pytest.mark.parametrize(
    "init, activation, layer, var",
    [
        ("he-normal", "relu", 10, 2.0),  # pre-activation std √2 at every layer (§2)
        ("xavier-normal", "linear", 7, 1.0),
        ("lecun-normal", "selu", 10, 1.0),  # SELU's fixed point (0, 1)
    ],
)
def test_recursion_numbers_are_theorys(init, activation, layer, var):
    c = Config(init=init, activation=activation, **W500)
    snap, pred = run(c), prediction.predict(c)
    r = formula.recursion(snap, layer, pred)
    lp, below = pred.layers[layer - 1], pred.layers[layer - 2]
    assert r.predicted and r.n == 500
    assert r.var_w * r.n == pytest.approx(lp.sigma_w2)
    assert r.second == pytest.approx(below.act_std**2 + below.act_mean**2)
    assert r.var == pytest.approx(r.n * r.var_w * r.second)
    assert r.var == pytest.approx(var, rel=0.01)
    assert r.measured == pytest.approx(snap.layers[layer - 1].preact_std ** 2)
    assert f"= {formula.num(r.var)} (net: {formula.num(r.measured)})" in r.text()


def test_xavier_tanh_recursion_follows_the_reference_table():
    """init-theory.md §2: Xavier-tanh activation std .628 at layer 1 (MF), so layer 2's E[φ²]."""
    c = Config(init="xavier-normal", activation="tanh", **W500)
    r = formula.recursion(run(c), 2, prediction.predict(c))
    assert math.sqrt(r.second) == pytest.approx(0.628, abs=0.002)
    assert "Var(h₂) = n·σ_w²·E[φ(h₁)²] = 500 · 0.002 · 0.39 = 0.39" in r.text()


def test_first_layer_reads_the_input_second_moment():
    c = Config(init="he-normal", activation="relu", input="uniform", **W500)
    r = formula.recursion(run(c), 1, prediction.predict(c))
    assert r.second == pytest.approx(1 / 3) and "E[x²]" in r.text()


def test_without_theory_the_nets_own_numbers_are_used():
    c = Config(init="he-normal", activation="relu", norm="batch", **W500)
    snap = run(c)
    assert prediction.predict(c) is None
    r = formula.recursion(snap, 5, None)
    s, below = snap.layers[4], snap.layers[3]
    assert not r.predicted
    assert r.var_w == pytest.approx(s.weight_std**2)
    assert r.second == pytest.approx(below.act_std**2 + below.act_mean**2)


def test_chip_changes_when_the_config_changes():
    c = Config(init="he-normal", activation="relu", **W500)
    a = formula.chip(run(c), 10, prediction.predict(c))
    c2 = c.replace(init="xavier-normal")
    b = formula.chip(run(c2), 10, prediction.predict(c2))
    assert a[0] == "L10: σ_w = √(2/500) = 0.063" and b[0] == "L10: σ_w = √(2/(500+500)) = 0.045"
    assert a[1] != b[1] and "= 2 (net:" in a[1] and "= 0.002 (net:" in b[1]  # halved 9 times


@pytest.mark.parametrize(
    "v, text", [(0.0632, "0.063"), (500, "500"), (1.0, "1"), (2.9e-7, "2.9e-7"), (math.nan, "–")]
)
def test_num(v, text):
    assert formula.num(v) == text
