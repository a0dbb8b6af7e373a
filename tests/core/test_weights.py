"""The weight row's numbers (issue #18): a truncated normal has no weight beyond ±2σ and std 0.88σ,
a plain normal 4.6% beyond, an orthogonal draw every singular value at the gain; measured on the
snapshot the app makes (core/weights.py, carried in LayerStats.weights)."""

import math

import numpy as np
import pytest

from core import Config, stats, weights
from core.inits import INITS, TRUNC_STD
from core.simulate import Simulator, run

SMALL = dict(depth=3, width=500, batch=64)


def _layer(config: Config, i: int = 0):
    return run(config).layers[i].weights


def _binned_std(w) -> float:
    e = w.hist.edges
    mid = (e[:-1] + e[1:]) / 2
    p = w.hist.counts / w.hist.counts.sum()
    return math.sqrt((p * mid * mid).sum() - (p * mid).sum() ** 2)


def test_truncated_normal_has_nothing_beyond_two_sigma_and_std_088_sigma():
    w = _layer(Config(init="truncated-normal", std=0.1, **SMALL))
    assert w.scheme.kind == "truncated" and w.sigma == pytest.approx(0.1)
    assert w.beyond_2sigma == 0.0
    assert w.hist.overflow == w.hist.underflow == 0
    assert w.std == pytest.approx(TRUNC_STD * 0.1, rel=0.01)
    assert _binned_std(w) == pytest.approx(TRUNC_STD * 0.1, rel=0.01)


def test_plain_normal_has_46_percent_beyond_two_sigma():
    w = _layer(Config(init="normal", std=0.1, **SMALL))
    assert w.beyond_2sigma == pytest.approx(1 - math.erf(2 / math.sqrt(2)), abs=0.004)
    assert w.std == pytest.approx(0.1, rel=0.01)


def test_keras_correction_keeps_the_asked_std_and_cuts_at_two_sigma_before():
    w = _layer(Config(init="he-normal", activation="relu", truncation="keras", **SMALL))
    asked = math.sqrt(2 / 500)
    assert w.std == pytest.approx(asked, rel=0.01)
    assert w.sigma == pytest.approx(asked / TRUNC_STD)
    assert w.beyond_2sigma == 0.0


def test_uniform_stays_within_its_bound():
    w = _layer(Config(init="he-uniform", activation="relu", **SMALL))
    assert w.scheme.bound == pytest.approx(math.sqrt(6 / 500))
    assert w.beyond_2sigma == 0.0 and w.std == pytest.approx(math.sqrt(2 / 500), rel=0.01)


@pytest.mark.parametrize("gain", [1.0, 1.7])
def test_orthogonal_singular_values_all_equal_the_gain(gain):
    w = _layer(
        Config(init="orthogonal", gain=gain, depth=3, width=(300, 200, 200, 400), batch=64), 0
    )
    assert w.singular is not None and len(w.singular) == 200
    np.testing.assert_allclose(w.singular, gain, rtol=1e-5)
    w = _layer(
        Config(init="orthogonal", gain=gain, depth=3, width=(300, 200, 200, 400), batch=64), 2
    )
    np.testing.assert_allclose(w.singular, gain, rtol=1e-5)


def test_a_gain_sweep_rescales_the_cached_singular_values():
    sim = Simulator()
    c = Config(init="orthogonal", **SMALL)
    first = sim.run(c).layers[1].weights.singular
    again = sim.run(c.replace(gain=2.5)).layers[1].weights.singular
    np.testing.assert_allclose(first, 1.0, rtol=1e-5)
    np.testing.assert_allclose(again, 2.5, rtol=1e-5)


def test_non_orthogonal_schemes_carry_no_singular_values():
    assert _layer(Config(init="he-normal", **SMALL)).singular is None


def test_the_summary_follows_weights_changed_in_place():
    """Training moves W under the same config: the cache must not hand back the drawn one."""
    sim = Simulator()
    c = Config(init="normal", std=0.1, **SMALL)
    net = sim.prepare(c)
    sc = stats.Scratch()
    W = net.layers[0].W
    before = weights.summarize(0, W, stats.moments(W, sc), c, sc)
    np.abs(W, out=W)  # what a step could never do, but it moves every moment
    after = weights.summarize(0, W, stats.moments(W, sc), c, sc)
    assert before.hist.counts[: weights.BINS // 2].sum() > 0
    assert after.hist.counts[: weights.BINS // 2].sum() == 0


def test_every_scheme_has_a_density_family():
    assert set(weights.KIND) == set(INITS)


@pytest.mark.parametrize(
    "kw",
    [
        dict(init="normal", std=0.05),
        dict(init="truncated-normal", std=0.05),
        dict(init="xavier-uniform"),
        dict(init="orthogonal"),
        dict(init="sparse", std=0.05, sparsity=0.3),
    ],
)
def test_scheme_density_integrates_to_its_continuous_share(kw):
    s = weights.scheme(Config(**kw), 500, 500)
    x = np.linspace(-8 * s.sigma, 8 * s.sigma, 200001)
    total = np.trapezoid(weights.density(s, x), x)
    assert total == pytest.approx(1.0 - s.zeros, abs=2e-3)


@pytest.mark.parametrize("init", sorted(INITS))
def test_the_scheme_std_is_the_drawn_std(init):
    c = Config(init=init, activation="relu", **SMALL)
    s = run(c).layers[1]
    if init in ("zeros", "constant"):
        assert s.weights.std == 0.0 and math.isnan(s.weights.beyond_2sigma)
        return
    assert s.weights.std == pytest.approx(s.weight_std)
    assert s.weights.scheme.std == pytest.approx(s.weight_std, rel=0.02)


def test_a_deep_nets_weights_are_summarized_where_the_weight_row_can_show_them():
    """The first SVD_ALL_DEPTH layers (where scenes name theirs) and the default three: a
    depth-200 drag frame binned 50 M weights for a row that shows three."""
    from core import weights

    deep = run(Config(depth=30, width=16, batch=8))
    summarized = {s.index for s in deep.layers if s.weights is not None}
    assert summarized == set(range(1, weights.SVD_ALL_DEPTH + 1)) | {15, 30}
    assert summarized >= weights.default_layers(30)
    shallow = run(Config(depth=5, width=16, batch=8))
    assert all(s.weights is not None for s in shallow.layers)


def test_a_deep_nets_units_are_counted_where_the_raster_can_show_them():
    """Distinct units and the raster's sample, like the weight summaries: the layers their
    pictures can show; the rest say "not counted" (-1)."""
    deep = run(Config(depth=30, width=16, batch=8))
    shown = weights.summary_layers(30)
    for s in deep.layers:
        assert (s.distinct_units == 16) == (s.index in shown)
        assert (s.units_sample is not None) == (s.index in shown)
        assert s.distinct_units == 16 or s.distinct_units == -1
