"""The classic teaching cases of init-theory.md §2 (10 layers × 500, batch 1000, x ~ N(0,1))."""

import math

import numpy as np
import pytest

from core import Config, Simulator, run

CANON = dict(depth=10, width=500, batch=1000, bias="zeros")


def snap(**kw):
    return run(Config(**{**CANON, **kw}))


def seed_mean(attr, seeds=range(4), **kw):
    """Per-layer value averaged over seeds, as §2's tolerances prescribe."""
    vals = np.array(
        [
            [getattr(s, attr) for s in run(Config(**{**CANON, **kw, "seed": k})).layers]
            for k in seeds
        ]
    )
    return vals.mean(axis=0)


def test_tiny_normal_tanh_vanishes_by_0_22_per_layer():
    s = snap(activation="tanh", init="normal", std=0.01)
    stds = [l.act_std for l in s.layers]
    assert stds[0] == pytest.approx(0.214, rel=0.02)
    ratios = np.array(stds[1:]) / np.array(stds[:-1])
    np.testing.assert_allclose(ratios, 0.01 * math.sqrt(500), rtol=0.02)  # ×0.2236
    assert stds[-1] == pytest.approx(2.94e-7, rel=0.05)
    deltas = [l.preact_grad_std for l in s.layers]
    assert deltas[-1] == pytest.approx(1.0, rel=0.02)
    assert deltas[0] == pytest.approx(1.3e-6, rel=0.1)
    # ∂W std ≈ 4e-8 at every layer: shrinking δ and activations cancel
    for l in s.layers:
        assert l.weight_grad_std == pytest.approx(4.2e-8, rel=0.15)


def test_unit_normal_tanh_saturates_and_gradients_explode():
    s = snap(activation="tanh", init="normal", std=1.0)
    for l in s.layers:
        assert l.act_std == pytest.approx(0.982, abs=0.005)
        assert l.saturated_frac > 0.8
    assert s.layers[-1].preact_std == pytest.approx(21.9, rel=0.03)
    deltas = np.array([l.preact_grad_std for l in s.layers])
    growth = deltas[:-1] / deltas[1:]  # moving toward the input
    assert np.median(growth) == pytest.approx(3.48, rel=0.05)  # chaotic phase, χ₁ = 12.1


def test_xavier_tanh_slow_decay():
    expected = [0.628, 0.486, 0.407, 0.357, 0.320, 0.293, 0.272, 0.255, 0.240, 0.227]
    got = seed_mean("act_std", activation="tanh", init="normal", std=1 / math.sqrt(500))
    np.testing.assert_allclose(got, expected, rtol=0.02)
    deltas = seed_mean("preact_grad_std", activation="tanh", init="normal", std=1 / math.sqrt(500))
    assert deltas[-1] == pytest.approx(0.95, rel=0.02)
    assert deltas[0] == pytest.approx(0.27, rel=0.05)


def test_xavier_relu_halves_variance():
    got = seed_mean(
        "preact_std", seeds=range(20), activation="relu", init="normal", std=1 / math.sqrt(500)
    )
    expected = 2.0 ** (-np.arange(10) / 2)
    np.testing.assert_allclose(got, expected, rtol=0.05)
    acts = seed_mean("act_std", activation="relu", init="normal", std=1 / math.sqrt(500))
    np.testing.assert_allclose(acts[:3], [0.585, 0.411, 0.288], rtol=0.05)
    deltas = seed_mean("preact_grad_std", activation="relu", init="normal", std=1 / math.sqrt(500))
    assert deltas[-1] == pytest.approx(0.71, rel=0.05)
    assert deltas[0] == pytest.approx(0.03, rel=0.2)


def test_he_relu_is_stable():
    pre = seed_mean("preact_std", seeds=range(8), activation="relu", init="he-normal")
    np.testing.assert_allclose(pre, math.sqrt(2), rtol=0.1)
    deltas = seed_mean("preact_grad_std", activation="relu", init="he-normal")
    assert deltas.min() > 0.66 and deltas.max() < 0.76
    first = snap(activation="relu", init="he-normal").layers[0]
    assert first.act_std == pytest.approx(math.sqrt(1 - 1 / math.pi), rel=0.02)
    assert first.act_mean == pytest.approx(1 / math.sqrt(math.pi), rel=0.02)


def test_sigmoid_xavier_mean_half():
    s = snap(activation="sigmoid", init="normal", std=1 / math.sqrt(500))
    for l in s.layers:
        assert l.act_mean == pytest.approx(0.5, abs=0.02)  # one seed: ±0.5·Σw/500 common mode
    means = seed_mean(
        "act_mean", seeds=range(8), activation="sigmoid", init="normal", std=1 / math.sqrt(500)
    )
    np.testing.assert_allclose(means, 0.5, atol=0.006)
    assert s.layers[0].act_std == pytest.approx(0.21, abs=0.01)
    assert s.layers[-1].act_std == pytest.approx(0.12, abs=0.01)
    assert s.layers[-1].preact_std == pytest.approx(0.5145, rel=0.03)


@pytest.mark.parametrize("truncation", ["none", "keras"])
def test_selu_lecun_self_normalizes(truncation):
    s = snap(activation="selu", init="lecun-normal", truncation=truncation)
    for l in s.layers:
        assert abs(l.act_mean) < 0.01
        assert l.act_std == pytest.approx(1.0, abs=0.012)


def test_selu_pytorch_gain_shrinks():
    s = snap(activation="selu", init="lecun-normal", gain=0.75)
    got = [l.act_std for l in s.layers]
    np.testing.assert_allclose(
        got, [0.80, 0.66, 0.57, 0.50, 0.45, 0.41, 0.38, 0.36, 0.34, 0.32], rtol=0.04
    )


def test_pytorch_default_relu_floor_set_by_bias():
    got = seed_mean("preact_std", activation="relu", init="pytorch-default", bias="default")
    np.testing.assert_allclose(got[:4], [0.58, 0.24, 0.10, 0.049], rtol=0.06)
    assert got[-1] == pytest.approx(0.0283, rel=0.06)


def test_zeros_tanh_every_weight_gradient_exactly_zero():
    s = snap(activation="tanh", init="zeros")
    for l in s.layers:
        assert l.weight_grad_std == 0.0 and l.act_std == 0.0


def test_zeros_sigmoid_units_identical_and_only_last_layer_learns():
    c = Config(
        **{**CANON, "depth": 4, "width": 50, "batch": 64}, activation="sigmoid", init="zeros"
    )
    net = Simulator().prepare(c)
    for layer in net.layers:
        assert (layer.a == 0.5).all()  # every unit identical
    assert all(not layer.dW.any() for layer in net.layers[:-1])
    assert net.layers[-1].dW.any()


def test_constant_init_never_breaks_symmetry():
    c = Config(
        depth=4, width=40, batch=32, activation="tanh", init="constant", value=0.05, dtype="float64"
    )
    net = Simulator().prepare(c)
    # identical up to the rounding of BLAS's summation order; the top layer's units differ only by
    # the random output gradient they are handed, which the constant W^L folds back to one value
    for layer in net.layers[:-1]:
        assert np.ptp(layer.a, axis=1).max() <= 1e-12  # units identical on every example
        assert np.ptp(layer.dW, axis=1).max() <= 1e-12 * np.abs(layer.dW).max()


def test_dead_relu_grows_with_depth_and_bias_does_not_prevent_it():
    dead = np.mean(
        [
            [l.dead_units for l in snap(activation="relu", init="he-normal", seed=k).layers]
            for k in range(10)
        ],
        axis=0,
    )
    assert dead[0] == 0 and dead[1] == 0
    assert dead[-1] == pytest.approx(0.095, abs=0.03)
    assert (np.diff(dead[2:]) > -0.01).all()
    biased = np.mean(
        [
            snap(activation="relu", init="he-normal", bias="constant", bias_value=0.1, seed=k)
            .layers[-1]
            .dead_units
            for k in range(10)
        ]
    )
    assert biased == pytest.approx(0.115, abs=0.03)
    assert biased >= dead[-1] - 0.01


def test_fan_in_vs_fan_out_on_a_funnel():
    """He fan_in keeps forward scale, fan_out keeps backward scale (He 2015 §2.2)."""
    widths = [784, 512, 256, 128, 10]
    fwd = run(Config(depth=4, width=widths, activation="relu", init="he-normal", mode="fan_in"))
    bwd = run(Config(depth=4, width=widths, activation="relu", init="he-normal", mode="fan_out"))
    pre_in = [l.preact_std for l in fwd.layers[:-1]]  # the 10-unit top is too small to average
    np.testing.assert_allclose(pre_in, math.sqrt(2), rtol=0.1)
    # fan_out = 512 < fan_in = 784: forward scale off by √(784/512), not exponentially
    assert bwd.layers[0].preact_std == pytest.approx(math.sqrt(2 * 784 / 512), rel=0.03)
    grads_out = [l.grad_std for l in bwd.layers[:-1]]
    grads_in = [l.grad_std for l in fwd.layers[:-1]]
    assert np.ptp(np.log(grads_out)) < np.ptp(np.log(grads_in))
