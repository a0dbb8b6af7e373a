"""A small-batch frame leaves a scaled draw's W unwritten (W = k·base: the matmuls scale by k,
W's moments come from base's sums; core/network.py Weights, core/fused.py Recorder.scaled).
Its numbers are the formed W's to float rounding, and everything that reads W afterwards (the
full-batch frame, a chunked refinement, a probe) sees the W the frame's config draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import Config, fused, stats, weights
from core.frame import FrameMaker
from core.inits import INITS
from core.simulate import Simulator, run_joint
from tests.core.test_drag_paths import MOMENTS, _close

# deeper than the layers whose W is pictured (weights.summary_layers): most are left scaled
DRAG = {"depth": 24, "width": 48, "batch": 8}
# (a saturated tanh net, σ = 40, is left out: float32 cannot compute its gradients, whichever
# rounding, 1.805 and 1.8047 where float64 gives 0, 120 where it gives 14)
VARIANTS = [
    {},
    {"activation": "relu", "bias": "normal", "bias_value": 0.1},
    {"grad_source": "mse", "input": "positive", "activation": "sigmoid"},
    {"init": "normal", "std": 1e4, "activation": "linear"},  # overflows: W formed past 1e30
    {"init": "normal", "std": 1e-25, "activation": "linear"},  # W's squares underflow: formed
]
SCALED = sorted(s for s in INITS if hasattr(INITS[s].sample, "draw"))


def _config(kw: dict, scheme: str | None = None) -> Config:
    c = Config(**(DRAG | ({"init": scheme} if scheme else {}) | kw))
    return c.replace(gain=1.3) if "gain" in INITS[c.init].uses else c


def _formed(monkeypatch) -> None:
    """Every scaled draw's W written, as before the shortcut."""
    monkeypatch.setattr(fused.Recorder, "scaled", lambda self, layer, base, k: False)


def _left_scaled(sim: Simulator, c: Config) -> int:
    return sum(layer.wslot.base is not None for layer in sim.network(c).layers)


def _near(a: float, b: float, scale: float) -> bool:
    """A mean of values that differ by float rounding differs on the scale of their spread (a
    mean near 0 has no relative precision of its own): _close's 2e-5 of the std."""
    return _close(a, b) or abs(a - b) <= 2e-5 * scale


def _assert_close(fast: stats.Snapshot, plain: stats.Snapshot) -> None:
    for a, b in zip(fast.layers, plain.layers, strict=True):
        for k in MOMENTS:
            x, y = getattr(a, k), getattr(b, k)
            spread = getattr(b, k.replace("_mean", "_std")) if k.endswith("_mean") else 0.0
            assert _near(x, y, spread), (a.index, k, x, y)
        assert a.nonfinite == b.nonfinite
        for r in a.hists:  # the same values to rounding: at most a value or two changes bin
            ha, hb = a.hists[r], b.hists[r]
            moved = np.abs(ha.counts - hb.counts).sum() + abs(ha.underflow - hb.underflow)
            assert moved <= 2 + 1e-3 * ha.counts.sum(), (a.index, r, moved)


@pytest.mark.parametrize("kw", VARIANTS, ids=lambda kw: "-".join(map(str, kw.values())) or "tanh")
def test_a_drag_frame_with_w_left_scaled_gives_the_formed_ws_numbers(kw, monkeypatch):
    c = _config(kw)
    sim = Simulator()
    fast = run_joint([sim], [c], ("act", "grad"))[0]
    # every layer, the pictured ones too (their summaries form the rows they read); where the
    # sums would leave float32's range, none (σ = 1e-25), or only the first (σ = 1e4: the
    # layers above find their input past _SUM_HUGE and form W)
    want = c.depth if 1e-20 < c.std < 1e3 else int(c.std >= 1e3)
    assert _left_scaled(sim, c) == want
    _formed(monkeypatch)
    plain = run_joint([Simulator()], [c], ("act", "grad"))[0]
    _assert_close(fast, plain)
    assert fast.nonfinite == plain.nonfinite


@pytest.mark.parametrize("scheme", SCALED)
def test_every_scaled_scheme_left_scaled_gives_the_formed_ws_numbers(scheme, monkeypatch):
    """Every scheme, on layers that are not square (an orthogonal draw is stored transposed:
    the kernels take it the other way round)."""
    widths = tuple(40 + 24 * (i % 2) for i in range(DRAG["depth"] + 1))
    c = _config({"activation": "relu", "width": widths}, scheme)
    fast = run_joint([Simulator()], [c], ("act", "grad", "wgrad"))[0]
    _formed(monkeypatch)
    plain = run_joint([Simulator()], [c], ("act", "grad", "wgrad"))[0]
    _assert_close(fast, plain)


@pytest.mark.parametrize("scheme", SCALED)
@pytest.mark.parametrize("width", [48, 300, 768])
def test_a_pictured_layer_left_scaled_has_the_formed_ws_summary(scheme, width, monkeypatch):
    """The weight row's histogram and the units' count of a pictured layer whose W was left as
    k·base read only the rows they need, formed there: the same counts as the formed W's (at
    width 300 the histogram bins every second row, at 48 every row, at 768 every ninth: 86
    rows, more values than the histogram samples of an array, binned whole all the same)."""
    c = _config({"depth": 14, "width": width}, scheme)
    weights._hists.clear()  # (keyed by W's moments: an earlier test's may be served)
    sim = Simulator()
    fast = run_joint([sim], [c], ("act", "grad"))[0]
    left = [L.wslot.base is not None for L in sim.network(c).layers]
    weights._hists.clear()
    _formed(monkeypatch)
    plain = run_joint([Simulator()], [c], ("act", "grad"))[0]
    # (an orthogonal draw's singular values read all of W: formed on the layers they are taken)
    assert all(left) or weights.KIND[c.init] == "orthogonal"
    pictured = [
        (a, b) for a, b in zip(fast.layers, plain.layers, strict=True) if b.weights is not None
    ]
    assert len(pictured) == len(weights.summary_layers(c.depth))
    for a, b in pictured:
        ha, hb = a.weights.hist, b.weights.hist
        np.testing.assert_array_equal(ha.counts, hb.counts)
        assert (ha.underflow, ha.overflow, ha.sampled) == (hb.underflow, hb.overflow, hb.sampled)
        assert a.weights.beyond_2sigma == b.weights.beyond_2sigma
        assert a.distinct_units == b.distinct_units == c.width
        # (the activations themselves differ by the matmuls' rounding, as every layer's do)
        np.testing.assert_allclose(a.units_sample, b.units_sample, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kernel", [True, False], ids=["C", "numpy"])
@pytest.mark.parametrize("shape", [(768, 768), (784, 1000), (1200, 1200), (2000, 2000), (7, 9)])
def test_a_weight_summary_of_rows_formed_alone_is_the_formed_ws(shape, kernel, monkeypatch):
    """weights.summarize of a Weights left as k·base (its picked rows formed) against the same
    W formed, for shapes whose picked rows hold more values than histogram() samples; with the
    C kernel and with NumPy's bins (no compiler at install)."""
    from core.network import Weights

    if not kernel:
        monkeypatch.setattr(stats, "_fused", None)

    rng = np.random.default_rng(shape[0])
    base = rng.standard_normal(shape).astype(np.float32)
    c = Config(init="he-normal", gain=1.3, width=shape[1])
    k = 1.3 * math.sqrt(2.0 / shape[0])
    left, formed = Weights(np.empty_like(base)), Weights(np.empty_like(base))
    left.scaled(base, k)
    formed.scaled(base, k)
    formed.form()
    m = stats.moments(formed.array, stats.Scratch())
    weights._hists.clear()
    a = weights.summarize(0, left, m, c, stats.Scratch())
    weights._hists.clear()
    b = weights.summarize(0, formed, m, c, stats.Scratch())
    assert left.base is not None  # (not formed by the summary)
    np.testing.assert_array_equal(a.hist.counts, b.hist.counts)
    assert (a.hist.sampled, a.hist.underflow, a.hist.overflow, a.beyond_2sigma) == (
        b.hist.sampled,
        b.hist.underflow,
        b.hist.overflow,
        b.beyond_2sigma,
    )


@pytest.mark.parametrize("scheme", SCALED)
def test_ws_moments_from_its_draws_sums_are_the_formed_ws(scheme):
    """The Recorder's moments of a W left as k·base against a pass over the W it forms, and
    that W is the scheme's own sampler's, to the bit."""
    c = _config({}, scheme)
    rec = fused.Recorder()
    net = Simulator().prepare(c, record=rec)
    plain = Simulator().prepare(c)
    for a, b in zip(net.layers, plain.layers, strict=True):
        got = rec.moments(a, "W", a.wslot.array, stats.Scratch())
        np.testing.assert_array_equal(a.W, b.W)  # (formed here, on reading)
        want = stats.moments(b.W, stats.Scratch())
        assert got.std == pytest.approx(want.std, rel=2e-6)
        assert _near(got.mean, want.mean, want.std)
        assert (got.nonfinite, got.size) == (want.nonfinite, want.size)


def test_a_full_batch_frame_after_drag_frames_is_a_fresh_ones():
    """The drag net and the full-batch net share their weights (Simulator): W left unwritten by
    drag frames is neither shown stale by the next full frame, nor read stale by the full net."""
    c = _config({"activation": "relu"}, "he-normal").replace(batch=40)
    sim = Simulator()
    run_joint([sim], [c])  # the full net, W written at gain 1.3
    for gain in (1.0, 1.6, 0.7):  # a drag: W left as k·base
        run_joint([sim], [c.replace(batch=8, gain=gain)], ("act", "grad"))
    assert _left_scaled(sim, c) > 0  # (the full net's layers share the drag net's W)
    fresh = Simulator().prepare(c.replace(gain=0.7))
    for a, b in zip(sim.network(c.replace(gain=0.7)).layers, fresh.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W)  # the full net reads the last drag's W
    again = run_joint([sim], [c])[0]
    want = run_joint([Simulator()], [c])[0]
    assert again.to_json() == want.to_json()
    for s, t in zip(again.layers, want.layers, strict=True):
        for r in s.hists:
            np.testing.assert_array_equal(s.hists[r].counts, t.hists[r].counts)


def test_a_chunked_refinement_after_drag_frames_is_a_fresh_ones():
    c = _config({}, "xavier-normal").replace(batch=48)
    maker = FrameMaker()
    for gain in (1.0, 1.5):
        maker.make([c.replace(batch=8, gain=gain)], ("act", "grad"), 1, False)
    got = maker.make([c], ("act", "grad"), 1, False, chunk=16).snaps[0]
    want = FrameMaker().make([c], ("act", "grad"), 1, False, chunk=16).snaps[0]
    assert got.to_json() == want.to_json()


def test_a_probe_after_a_drag_frame_reads_the_frames_weights():
    """What reads layer.W after the frame (a Jacobian or correlation probe, core/cli_probes.py)
    gets the W the frame's config draws, formed on reading."""
    from core import jacobian

    c = _config({}, "lecun-normal")
    sim = Simulator()
    run_joint([sim], [c], ("act", "grad"))
    net = sim.network(c)
    assert _left_scaled(sim, c) > 0
    got = jacobian.spectrum(c, net.layers, net.x[:2].copy())
    plain = Simulator().prepare(c)
    want = jacobian.spectrum(c, plain.layers, plain.x[:2].copy())
    np.testing.assert_array_equal(got.singular_values, want.singular_values)
    assert got.mean_sq_by_layer == want.mean_sq_by_layer


@pytest.mark.parametrize("batch,fan_in,fan_out", [(8, 500, 500), (3, 37, 70), (8, 7, 33)])
def test_the_small_batch_matmuls_scale_each_sum(batch, fan_in, fan_out):
    """matmul's scale: s·(x @ W) and s·(δ @ Wᵀ), the float64 products to float32's rounding,
    for every tail of rows (backward takes W's rows four at a time) and columns."""
    rng = np.random.default_rng(fan_in)
    x = rng.standard_normal((batch, fan_in)).astype(np.float32)
    W = rng.standard_normal((fan_in, fan_out)).astype(np.float32)
    d = rng.standard_normal((batch, fan_out)).astype(np.float32)
    h, g = np.empty((batch, fan_out), np.float32), np.empty((batch, fan_in), np.float32)
    s = 0.37
    fused._fused.matmul(0, x, W, h, batch, fan_in, fan_out, s)
    fused._fused.matmul(1, d, W, g, batch, fan_in, fan_out, s)
    for got, want in ((h, s * (x.astype(float) @ W)), (g, s * (d.astype(float) @ W.T))):
        bound = 1e-6 * np.sqrt(got.shape[1] + fan_in) * np.abs(want).max()
        assert np.abs(got - want).max() <= bound
