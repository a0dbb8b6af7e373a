"""BatchNorm, LayerNorm and residual blocks: finite-difference gradient checks (float64), then the
numbers issue #9 promises (the rescued tanh net, the ×2 per block, ReZero and Fixup)."""

import json
import math
import tracemalloc

import numpy as np
import pytest

from core import Config, ConfigError, Simulator, prediction, run
from core.residual import ResidualNetwork, fixup_scale

SMALL = dict(width=5, batch=6, init="he-normal", bias="constant", bias_value=0.1, dtype="float64")

ARCHS = {
    "batch-before": dict(depth=3, norm="batch"),
    "batch-after": dict(depth=3, norm="batch", norm_position="after"),
    "layer-before": dict(depth=3, norm="layer"),
    "layer-after": dict(depth=3, norm="layer", norm_position="after"),
    "residual-1": dict(depth=3, residual=True),
    "residual-2": dict(depth=4, residual=True, branch_layers=2),
    "rezero-1": dict(depth=3, residual=True, residual_init="rezero"),
    "fixup-2": dict(depth=4, residual=True, branch_layers=2, residual_init="fixup"),
    "residual-2-batch": dict(depth=4, residual=True, branch_layers=2, norm="batch"),
    "residual-1-layer-after": dict(depth=3, residual=True, norm="layer", norm_position="after"),
}


def _randomise(net, rng):
    """Move γ, β, α and zeroed weights off their init values, so no term of the check is 0."""
    for layer in net.layers:
        layer.has_bias = True
        if not layer.W.any():
            layer.W[...] = rng.normal(0, 0.5, layer.W.shape)
        layer.alpha[...] = rng.uniform(0.5, 1.5)
        if layer.norm is not None:
            layer.norm.gamma[...] = rng.uniform(0.5, 1.5, layer.norm.gamma.shape)
            layer.norm.beta[...] = rng.normal(0, 0.3, layer.norm.beta.shape)


def _sum_loss(net, R):
    """S = Σ_b ℓ_b with ℓ_b = ⟨out_b, R_b⟩: grad_a at the top is R, per example."""
    return float((net.forward() * R).sum())


def _check(net, R, param, grad, per_example, eps=1e-6):
    B = net.batch
    num = np.zeros_like(param)
    for idx in np.ndindex(param.shape):
        keep = param[idx]
        param[idx] = keep + eps
        up = _sum_loss(net, R)
        param[idx] = keep - eps
        down = _sum_loss(net, R)
        param[idx] = keep
        num[idx] = (up - down) / (2 * eps)
    if not per_example:
        num /= B  # parameters: ∂L/∂θ of the mean L = S/B
    np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("act", ["tanh", "softplus"])  # exact φ′ (gelu's erf is 1e-7)
@pytest.mark.parametrize("name", list(ARCHS))
def test_gradients_match_finite_differences(name, act):
    c = Config(**SMALL, activation=act, seed=3, **ARCHS[name])
    net = Simulator().prepare(c)
    assert isinstance(net, ResidualNetwork)
    rng = np.random.default_rng(0)
    _randomise(net, rng)
    R = rng.normal(size=(net.batch, c.widths[-1]))
    net.forward()
    np.copyto(net.layers[-1].grad_a, R)
    net.backward()
    _check(net, R, net.x, net.input_gradient(), per_example=True)
    for layer in net.layers:
        _check(net, R, layer.W, layer.dW.copy(), False)
        _check(net, R, layer.b, layer.db.copy(), False)
        if layer.norm is not None:
            _check(net, R, layer.norm.gamma, layer.norm.dgamma.copy(), False)
            _check(net, R, layer.norm.beta, layer.norm.dbeta.copy(), False)
        if layer.skip is not None:
            _check(net, R, layer.alpha, layer.dalpha.copy(), False)


def test_batchnorm_evaluation_uses_running_statistics():
    c = Config(**SMALL, depth=2, activation="tanh", norm="batch", seed=2)
    net = Simulator().prepare(c)
    bn = net.layers[0].norm
    h = net.layers[0].h.copy()
    # one training forward from the reset: running = 0.9·(0, 1) + 0.1·(μ_B, unbiased σ²_B)
    np.testing.assert_allclose(bn.running_mean[0], 0.1 * h.mean(axis=0))
    np.testing.assert_allclose(bn.running_var[0], 0.9 + 0.1 * h.var(axis=0, ddof=1))
    bn.training = False
    out = np.zeros_like(h)
    bn.forward(h, out)
    expect = (h - bn.running_mean) / np.sqrt(bn.running_var + 1e-5)
    np.testing.assert_allclose(out, expect)
    g = np.ones_like(h)
    back = np.zeros_like(h)
    bn.backward(g, back)  # a fixed affine map: ∂y/∂h = γ/√(running σ² + ε)
    np.testing.assert_allclose(back, np.broadcast_to(1 / np.sqrt(bn.running_var + 1e-5), h.shape))


def _frame_peak(c: Config) -> int:
    sim = Simulator()
    sim.prepare(c)
    tracemalloc.start()
    sim.prepare(c.replace(gain=1.3))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.parametrize("arch", ["batch-before", "layer-after", "residual-2-batch", "rezero-1"])
def test_a_frame_allocates_nothing_that_grows_with_the_net(arch):
    """What is left is NumPy's fixed-size iterator buffer for a broadcast (32 KiB)."""
    kw = dict(ARCHS[arch], activation="tanh")
    small = _frame_peak(Config(**kw | dict(width=64, batch=128)))
    big = _frame_peak(Config(**kw | dict(width=256, batch=1000)))
    assert big <= small + 1024 and big < 256 * 1000 * 4 // 20


# ---------------------------------------------------------------- the numbers of issue #9
TINY = Config(
    depth=10, width=500, batch=1000, activation="tanh", init="normal", std=0.01, bias="zeros"
)


def col(s, field):
    return np.array([getattr(layer, field) for layer in s.layers])


@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_norm_rescues_the_vanishing_tanh_net(norm):
    plain = col(run(TINY), "preact_std")
    assert plain[-1] < 1e-5  # the failure: ×0.22 per layer
    s = run(TINY.replace(norm=norm))
    # unit variance into every tanh; ε = 1e-5 against Var(h) ≈ 0.02 costs 5e-4
    np.testing.assert_allclose(col(s, "preact_std") ** 2, 1.0, atol=1e-3)
    net = Simulator().prepare(TINY.replace(norm=norm))
    axis = 0 if norm == "batch" else 1  # per unit over the batch, or per example over the units
    for layer in net.layers:
        u = layer.u.astype(np.float64)
        np.testing.assert_allclose(u.mean(axis=axis), 0.0, atol=1e-5)
        np.testing.assert_allclose(u.var(axis=axis), 1.0, atol=1e-3)
    pre = run(TINY.replace(norm=norm, norm_view="pre"))  # the raw h = x·W: 0.01·√500·std(a)
    raw = col(pre, "preact_std")
    assert raw[0] == pytest.approx(0.01 * math.sqrt(500), rel=0.01)
    np.testing.assert_allclose(raw[1:], 0.01 * math.sqrt(500) * col(s, "act_std")[:-1], rtol=0.02)
    grad = col(s, "grad_std")
    assert grad.min() > 0.9 and grad.max() < 2.5  # no vanishing backward either


RES = Config(
    depth=100,
    width=500,
    batch=200,
    activation="relu",
    init="he-normal",
    bias="zeros",
    residual=True,
)


def test_he_relu_residual_doubles_the_variance_per_block():
    s = run(RES)
    q = col(s, "preact_std").astype(np.float64) ** 2
    a2 = col(s, "act_mean") ** 2 + col(s, "act_std") ** 2  # E[relu(x_l)²], measured
    # the exact recursion (expectation over the branch's W): q_{l+1} = q_l + n·Var(w)·E[relu(x_l)²]
    exact = q[:-1] + 2.0 * a2[:-1]
    np.testing.assert_allclose(q[1:] / exact, 1.0, atol=0.2)  # one block's finite-width noise
    assert np.mean(q[1:] / exact) == pytest.approx(1.0, abs=0.01)
    # ... and the stream stays symmetric on average, E[relu(x)²] = Var(x)/2, hence ×2; per block
    # the units' batch-shared offsets (E[relu]·Σ_i W_ij) make it 0.5 ± 0.1 at width 500
    sym = a2 / q
    assert sym.mean() == pytest.approx(0.5, abs=0.01) and abs(sym - 0.5).max() < 0.12
    assert q[0] == pytest.approx(3.0, rel=0.02)  # the data block: 1 + 2·E[x²]
    per_block = (q[-1] / q[0]) ** (1 / 99)
    assert per_block == pytest.approx(2.0, rel=0.01)  # 2.006 (seed 1: 1.97)
    pred = np.array(prediction.residual_variances(RES))
    assert pred[0] == pytest.approx(3.0) and pred[-1] == pytest.approx(3.0 * 2.0**99)
    np.testing.assert_allclose(np.log2(q), np.log2(pred), atol=1.0)  # within ×2 after 100 blocks


def test_two_layer_branch_doubles_too():
    c = RES.replace(depth=20, branch_layers=2)
    q = col(run(c), "preact_std").astype(np.float64) ** 2
    stream = q[1::2]
    assert stream[0] == pytest.approx(3.0, rel=0.05)  # x + relu(x·W₁)·W₂: 1 + 2
    assert (stream[-1] / stream[0]) ** (1 / 9) == pytest.approx(2.0, rel=0.03)
    pred = prediction.residual_variances(c)
    assert pred[1:4] == pytest.approx([3.0, 3.0, 6.0])  # inner: 2·E[relu(x)²] = q


def test_rezero_is_the_identity_at_init():
    c = RES.replace(residual_init="rezero")
    net = Simulator().prepare(c)
    for layer in net.layers:
        assert np.array_equal(layer.h, net.x)  # exactly the input, every block
        assert not layer.dW.any()  # α = 0: no W has a gradient yet, not even the top's
        assert layer is net.layers[-1] or not layer.grad_a.any()
        assert layer.dalpha[0] != 0  # only the α's learn at the first step
    s = run(c)
    np.testing.assert_allclose(col(s, "preact_std"), s.layers[0].preact_std)
    assert s.layers[0].preact_std == pytest.approx(1.0, abs=0.005)
    # the stream's ∂L/∂h: the top's relu′ halves it once (1/√2), then the skips carry it unchanged
    np.testing.assert_allclose(col(s, "preact_grad_std"), s.layers[-1].preact_grad_std)
    assert s.layers[0].preact_grad_std == pytest.approx(1 / math.sqrt(2), abs=0.005)
    assert set(prediction.residual_variances(c)) == {1.0}


def test_fixup_is_the_identity_at_init_and_its_scaling_bounds_growth():
    c = RES.replace(branch_layers=2, residual_init="fixup")  # L = 50 blocks of 2
    assert fixup_scale(50, 2) == pytest.approx(50**-0.5)
    net = Simulator().prepare(c)
    for block in net.blocks():
        assert np.array_equal(block[-1].h, net.x) and not block[-1].W.any()
        assert not block[0].dW.any() and block[-1].dW.any()  # the zeroed layer learns first
    s = run(c)
    inner = col(s, "preact_std")[::2]
    # inner layer: He × L^(−1/2) on the data or on relu(x): Var = 2·E[a²]/L = 1/50 (first: 2/50)
    assert inner[0] ** 2 == pytest.approx(2 / 50, rel=0.02)
    np.testing.assert_allclose(inner[1:] ** 2, 1 / 50, rtol=0.1)
    # the scaling alone (last layers left He): ×(1 + 1/L) per block, bounded by e over L blocks
    sim = Simulator()
    net = sim.prepare(c.replace(residual_init="standard"))
    for block in net.blocks():
        block[0].W *= fixup_scale(50, 2)
    net.forward()
    q = np.array([float(np.var(b[-1].h, dtype=np.float64)) for b in net.blocks()])
    pred = np.array(prediction.residual_variances(c, zero_last=False)[1::2])
    assert pred[-1] == pytest.approx((1 + 2 / 50) * (1 + 1 / 50) ** 49)  # ≈ 2.8 < 1.04·e
    np.testing.assert_allclose(q, pred, rtol=0.1)
    assert q[-1] / q[0] < 1.05 * math.e  # (1 + 1/L)^(L−1) < e at any depth
    naive = prediction.residual_variances(c.replace(residual_init="standard"))
    assert naive[-1] == pytest.approx(3.0 * 2.0**49)  # without the scaling: ×2 per block


BAD = {
    "unequal widths": (dict(width=[8, 8, 6], residual=True), "width"),
    "partial block": (dict(depth=3, width=8, residual=True, branch_layers=2), "depth"),
    "fixup one layer": (
        dict(depth=2, width=8, residual=True, residual_init="fixup"),
        "residual_init",
    ),
    "rezero no skips": (dict(depth=2, width=8, residual_init="rezero"), "residual_init"),
    "norm name": (dict(depth=2, width=8, norm="group"), "norm"),
    "position": (dict(depth=2, width=8, norm="batch", norm_position="middle"), "norm_position"),
    "view": (dict(depth=2, width=8, norm_view="both"), "norm_view"),
    "branch": (dict(depth=3, width=8, residual=True, branch_layers=3), "branch_layers"),
    "residual not bool": (dict(depth=2, width=8, residual=1), "residual"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_architecture_is_one_line_config_error(case):
    kw, field = BAD[case]
    with pytest.raises(ConfigError) as e:
        Config(**kw)
    assert e.value.field == field and "\n" not in str(e.value)


def test_toml_round_trip_keeps_the_architecture():
    c = Config(
        depth=4,
        width=16,
        norm="layer",
        norm_position="after",
        norm_view="pre",
        residual=True,
        branch_layers=2,
        residual_init="fixup",
    )
    assert Config.from_toml(c.to_toml()) == c
    assert 'norm = "layer"' in c.to_toml() and "residual = true" in c.to_toml()


@pytest.mark.parametrize("kw", [dict(norm="batch"), dict(residual=True)])
def test_training_refuses_what_it_cannot_train(kw):
    from core.training import Trainer

    with pytest.raises(ConfigError) as e:
        Trainer(Config(depth=2, width=8, batch=4, **kw))
    assert e.value.field in kw


def test_cli_json_carries_the_architecture(capsys):
    from core.cli import main

    args = "stats --json --depth 4 --width 16 --batch 32 --activation relu --init he-normal"
    assert main([*args.split(), "--residual", "--branch-layers", "2", "--fixup"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["config"]["residual"] is True and doc["config"]["residual_init"] == "fixup"
    arch = doc["architecture"]
    assert arch["blocks"] == 2 and arch["stream_layers"] == [2, 4]
    assert arch["fixup_scale"] == pytest.approx(2**-0.5)
    assert main([*args.split(), "--norm", "layer", "--norm-view", "pre"]) == 0
    arch = json.loads(capsys.readouterr().out)["architecture"]
    assert arch == {
        "norm": "layer",
        "norm_position": "before",
        "norm_view": "pre",
        "residual": False,
    }


@pytest.mark.parametrize(
    "flags, needle",
    [
        ("--norm group", "--norm"),
        ("--norm-position middle", "--norm-position"),
        ("--residual --width 8,9,8", "width"),
        ("--residual --branch-layers 3", "branch_layers"),
        ("--residual --fixup", "residual_init"),
        ("--rezero", "residual_init"),
        ("--rezero --fixup", "--fixup"),
        ("--residual --depth 3 --branch-layers 2", "depth"),
    ],
)
def test_cli_bad_architecture_is_one_line_and_exit_2(flags, needle, capsys):
    from core.cli import main

    assert main(["stats", "--depth", "2", "--width", "8", "--batch", "4", *flags.split()]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert captured.out == "" and len(err) == 1 and needle in err[0]


def test_norm_after_the_activation_and_its_views():
    c = TINY.replace(depth=3, norm="batch", norm_position="after")
    post, pre = run(c), run(c.replace(norm_view="pre"))
    np.testing.assert_allclose(col(post, "act_std"), 1.0, atol=1e-3)  # N(φ(h)) feeds the next layer
    np.testing.assert_allclose(
        col(pre, "act_std"), col(pre, "preact_std"), rtol=0.06
    )  # tanh(h) ≈ h at std 0.22
    np.testing.assert_allclose(col(post, "preact_std"), col(pre, "preact_std"))  # h row: raw both


def test_mean_field_predictions_step_aside_for_norms_and_skips():
    assert prediction.predict(TINY) is not None
    assert prediction.predict(TINY.replace(norm="layer")) is None
    assert prediction.predict(RES) is None and prediction.config_point(RES) is None
    assert prediction.residual_variances(TINY) is None
