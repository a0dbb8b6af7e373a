"""A drag frame's shortcuts (issue 23: a big net dragged at a few frames a second) give the numbers
the plain passes give: every moment to float rounding, every histogram count exactly, for every
scheme of the registry and with norms and skips."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import Config, fused, stats
from core.inits import INITS
from core.simulate import Simulator, run_joint
from tests.core.test_chunks import MOMENTS as CHUNK_MOMENTS

# small batches against the widths: where the shortcuts are taken
DRAG = {"depth": 5, "width": 96, "batch": 8}
VARIANTS = [
    {},
    {"activation": "relu", "bias": "normal", "bias_value": 0.1},
    {"grad_source": "mse", "input": "positive", "activation": "sigmoid"},
    {"residual": True, "norm": "layer", "activation": "relu"},
    {"norm": "batch"},
]
SCHEMES = sorted(INITS)
MOMENTS = (*CHUNK_MOMENTS, "grad_data_ratio")  # every moment a frame carries


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=2e-5, abs=1e-30)


def assert_same_numbers(fast: stats.Snapshot, plain: stats.Snapshot, rows=("act", "grad")):
    for a, b in zip(fast.layers, plain.layers, strict=True):
        for k in MOMENTS:
            assert _close(getattr(a, k), getattr(b, k)), (a.index, k, getattr(a, k), getattr(b, k))
        for r in rows:
            ha, hb = a.hists[r], b.hists[r]
            assert (ha.lo, ha.hi, ha.underflow, ha.overflow, ha.sampled) == (
                hb.lo,
                hb.hi,
                hb.underflow,
                hb.overflow,
                hb.sampled,
            )
            np.testing.assert_array_equal(ha.counts, hb.counts)
        wa, wb = a.weights, b.weights
        assert (wa.mean, wa.std) == pytest.approx((wb.mean, wb.std), rel=2e-6, abs=1e-30)
        np.testing.assert_array_equal(wa.hist.counts, wb.hist.counts)
        assert (wa.hist.underflow, wa.hist.overflow, wa.hist.sampled) == (
            wb.hist.underflow,
            wb.hist.overflow,
            wb.hist.sampled,
        )
        assert _close(wa.beyond_2sigma, wb.beyond_2sigma)


def _config(scheme: str, kw: dict) -> Config:
    c = Config(**(DRAG | {"init": scheme} | kw))
    return c.replace(gain=1.3) if "gain" in INITS[scheme].uses else c


@pytest.mark.parametrize("kw", VARIANTS, ids=lambda kw: "-".join(map(str, kw.values())) or "tanh")
@pytest.mark.parametrize("scheme", SCHEMES)
def test_weight_gradient_moments_without_the_matrix_are_the_matrixs(scheme, kw):
    """Without the ∂L/∂W row, its moments come from the batch's Gram matrices (core/fused.py);
    with it, from the matrix the row draws. Both frames' numbers agree."""
    c = _config(scheme, kw)
    fast = run_joint([Simulator()], [c], ("act", "grad"))[0]
    plain = run_joint([Simulator()], [c], ("act", "grad", "wgrad"))[0]
    assert_same_numbers(fast, plain)


def test_the_gram_moments_are_those_of_the_formed_matrix():
    """The identity itself, on arrays where float32's matrix is well inside its range; and the
    corners where it is not taken (a non-finite value, a mean that dwarfs the spread)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 300)).astype(np.float32)
    d = (rng.standard_normal((8, 200)) * 1e-3).astype(np.float32)
    k = np.float32(1 / 8)
    dw = (x.T @ d) * k
    want = stats.moments(dw, stats.Scratch())
    got = fused.gram_moments(x, d, k)
    assert (got.mean, got.std) == pytest.approx((want.mean, want.std), rel=1e-5, abs=1e-12)
    assert got.size == dw.size and got.nonfinite == 0
    bad = x.copy()
    bad[2, 7] = np.nan
    assert fused.gram_moments(bad, d, k) is None
    assert fused.gram_moments(np.abs(x) + 10, np.abs(d) + 1, k) is None  # recentred by stats
    assert fused.gram_moments(x * 1e20, d * 1e15, k) is None  # products near float32's overflow
    assert fused.gram_moments(x * 1e-20, d * 1e-20, k) is None  # entries among the subnormals


@pytest.mark.parametrize("B,n,m", [(8, 300, 200), (1, 7, 5), (5, 33, 70), (3, 500, 9)])
def test_the_gram_kernel_sums_as_numpy_does(B, n, m, monkeypatch):
    """A small batch's Gram sums by core/_fused.c (every tail of 8 values), against NumPy's in
    float64; a NaN or an infinity anywhere in x or δ leaves the matrix to be formed."""
    assert hasattr(fused._fused, "gram")  # (a build without it: both sides would be NumPy's)
    rng = np.random.default_rng(B * n + m)
    x = rng.standard_normal((B, n)).astype(np.float32)
    d = (rng.standard_normal((B, m)) * 1e-3).astype(np.float32)
    got = fused._gram_sums(x, d)
    bad = [(a, i, v) for a in ("x", "d") for i in (0, -1) for v in (np.nan, np.inf, -np.inf)]
    refused = []
    for a, i, v in bad:
        xs, ds = x.copy(), d.copy()
        (xs if a == "x" else ds)[-1, i] = v
        refused.append(fused._gram_sums(xs, ds))
    monkeypatch.setattr(fused, "SMALL_BATCH", 0)  # NumPy's path
    assert got == pytest.approx(fused._gram_sums(x, d), rel=1e-12, abs=1e-30)
    assert refused == [None] * len(bad)


def test_the_gram_path_leaves_the_matrix_unwritten_and_the_wgrad_row_writes_it():
    """What the shortcut saves is the matrix's writes: with the row off, ∂L/∂W is not formed."""
    c = Config(**DRAG)
    sim = Simulator()
    run_joint([sim], [c], ("act", "grad"))
    net = sim.network(c)
    assert not any(layer.dW.any() for layer in net.layers)
    run_joint([sim], [c], ("act", "grad", "wgrad"))
    assert all(layer.dW.any() for layer in net.layers)


@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu", "sigmoid"])
def test_the_theorys_curves_of_every_layer_at_once_are_each_layers(activation):
    """The theory overlay's densities, computed for all layers as one array (core/prediction.py
    densities), are density() layer by layer, to the bit."""
    from core import prediction

    c = Config(depth=12, width=64, activation=activation, bias="normal", bias_value=0.2)
    pred = prediction.predict(c)
    for row in ("preact", "act", "grad"):
        for i, (x, p) in enumerate(prediction.densities(pred, row, 161), start=1):
            want_x, want_p = prediction.density(pred, i, row, 161)
            np.testing.assert_array_equal(x, want_x)
            np.testing.assert_array_equal(p, want_p)


@pytest.mark.parametrize(
    "batch,fan_in,fan_out", [(8, 500, 500), (3, 37, 70), (7, 100, 33), (1, 5, 5)]
)
def test_the_small_batch_matmuls_are_float32_products(batch, fan_in, fan_out):
    """core/_fused.c's matmuls of a drag frame's few examples (forward x @ W, backward δ @ Wᵀ)
    are the float64 products to float32's rounding, as BLAS's are, whatever the shape's tails."""
    rng = np.random.default_rng(batch)
    x = rng.standard_normal((batch, fan_in)).astype(np.float32)
    W = rng.standard_normal((fan_in, fan_out)).astype(np.float32)
    d = rng.standard_normal((batch, fan_out)).astype(np.float32)
    rec = fused.Recorder()
    h, g = np.empty((batch, fan_out), np.float32), np.empty((batch, fan_in), np.float32)
    rec.matmul(x, W, h)
    rec.matmul_t(d, W, g)
    for got, want in ((h, x.astype(float) @ W), (g, d.astype(float) @ W.T.astype(float))):
        bound = 1e-6 * np.sqrt(got.shape[1] + fan_in) * np.abs(want).max()
        assert np.abs(got - want).max() <= bound


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_scaled_draws_weights_and_sums_are_numpys(scheme, monkeypatch):
    """A scheme whose W is its draw times a scale, where W is written (not left as k·base for
    the small batch's matmuls), is written by the kernel that sums it (core/fused.py
    scale_into): the same W as the scheme's own sampler, and the same moments as a pass over it."""
    monkeypatch.setattr(fused.Recorder, "scaled", lambda self, layer, base, k: False)
    c = _config(scheme, {})
    sim = Simulator()
    rec = fused.Recorder()
    net = sim.prepare(c, record=rec)
    plain = Simulator().prepare(c)
    for a, b in zip(net.layers, plain.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)
        want = stats.moments(b.W, stats.Scratch())
        got = rec.moments(a, "W", a.W, stats.Scratch())
        assert (got.mean, got.std, got.nonfinite) == (want.mean, want.std, want.nonfinite)


def test_a_frame_carries_the_theorys_curves_only_for_a_net_the_grid_draws():
    """The curves are drawn over the grid of panels, shown up to CURVES_MAX_DEPTH layers; a
    deeper net's frame (heatmaps) leaves them out (1 MB of a depth-200 frame) but keeps the
    prediction, which the depth profile draws."""
    from core.frame import CURVES_MAX_DEPTH, FrameMaker

    maker = FrameMaker()
    for depth, curves in ((CURVES_MAX_DEPTH, True), (CURVES_MAX_DEPTH + 1, False)):
        f = maker.make([Config(depth=depth, width=32, batch=16)], ("act", "grad"), 1, False)
        assert f.theory.prediction is not None and len(f.theory.prediction.layers) == depth
        assert {layer for _, layer in f.theory.curves} == (
            set(range(1, depth + 1)) if curves else set()
        )
