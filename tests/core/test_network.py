"""Forward/backward against finite differences (float64), micrograd's habit of an oracle."""

import numpy as np
import pytest

from core import Config, Simulator
from core.activations import ACTIVATIONS

WIDTHS = [5, 7, 6, 4]


def _forward(net, start, a):
    for layer in net.layers[start:]:
        a = layer.act.f(a @ layer.W + layer.b, np.empty((a.shape[0], layer.W.shape[1])))
    return a


def _loss(net, c, target, start=0, a=None):
    out = _forward(net, start, net.x if a is None else a)
    if c.grad_source == "gaussian":
        return float((target * out).sum(axis=1).mean())
    return float((0.5 * ((out - target) ** 2).sum(axis=1)).mean())


@pytest.mark.parametrize(
    "act", [a for a in ACTIVATIONS if a not in ("relu", "leaky-relu", "hardtanh")]
)
@pytest.mark.parametrize("grad_source", ["gaussian", "mse"])
def test_gradients_match_finite_differences(act, grad_source):
    c = Config(
        depth=3,
        width=WIDTHS,
        batch=3,
        activation=act,
        init="he-normal",
        bias="constant",
        bias_value=0.1,
        dtype="float64",
        grad_source=grad_source,
        seed=1,
    )
    net = Simulator().prepare(c)
    top = net.layers[-1]
    target = top.grad_a.copy() if grad_source == "gaussian" else top.a - top.grad_a
    eps = 1e-6
    for layer in net.layers:
        for param, grad in ((layer.W, layer.dW), (layer.b, layer.db)):
            num = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                keep = param[idx]
                param[idx] = keep + eps
                up = _loss(net, c, target)
                param[idx] = keep - eps
                down = _loss(net, c, target)
                param[idx] = keep
                num[idx] = (up - down) / (2 * eps)
            np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-8)
    # per-example ∂ℓ_b/∂a of every hidden layer = batch · ∂L/∂a
    for k, layer in enumerate(net.layers[:-1]):
        a = layer.a.copy()
        num = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            keep = a[idx]
            a[idx] = keep + eps
            up = _loss(net, c, target, k + 1, a)
            a[idx] = keep - eps
            down = _loss(net, c, target, k + 1, a)
            a[idx] = keep
            num[idx] = (up - down) / (2 * eps) * c.batch
        np.testing.assert_allclose(layer.grad_a, num, rtol=1e-5, atol=1e-8)


def test_relu_family_gradient_away_from_kinks():
    """ReLU-like kinks break finite differences only at 0; with a positive bias they are far."""
    for act in ("relu", "leaky-relu"):
        c = Config(
            depth=2,
            width=[4, 5, 3],
            batch=2,
            activation=act,
            init="he-normal",
            dtype="float64",
            seed=2,
        )
        net = Simulator().prepare(c)
        layer = net.layers[0]
        eps = 1e-7
        i, j = 1, 2
        keep = layer.W[i, j]
        target = net.layers[-1].grad_a.copy()
        layer.W[i, j] = keep + eps
        up = _loss(net, c, target)
        layer.W[i, j] = keep - eps
        down = _loss(net, c, target)
        layer.W[i, j] = keep
        assert layer.dW[i, j] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-9)


def test_buffers_are_reused_between_frames():
    sim = Simulator()
    c = Config(depth=3, width=50, batch=20)
    net = sim.prepare(c)
    ids = [id(layer.h) for layer in net.layers]
    net2 = sim.prepare(c.replace(std=0.5, init="normal", activation="relu"))
    assert net2 is net and [id(layer.h) for layer in net2.layers] == ids


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 7},
        {"input": "positive"},
        {"input": "uniform", "seed": 3},
        {"grad_source": "mse"},
        {"grad_source": "gaussian", "seed": 9},
    ],
)
def test_a_reused_simulator_redraws_what_a_new_config_changes(change):
    """The input and a Gaussian output gradient are copied only when they change: after any
    sequence of configs on one Simulator, every number is what a new Simulator finds."""
    base = Config(depth=3, width=40, batch=30, activation="tanh", grad_source="gaussian")
    sim = Simulator()
    for c in (base, base.replace(gain=1.3), base.replace(**change), base.replace(**change), base):
        reused, new = sim.run(c), Simulator().run(c)
        assert reused.to_json() == new.to_json()
        np.testing.assert_array_equal(sim.prepare(c).x, Simulator().prepare(c).x)
