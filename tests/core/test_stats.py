import math

import numpy as np
import pytest

from core import Config, Simulator, run
from core.stats import HIST_SAMPLE, Scratch, histogram, moments, nice_ceil


def test_histogram_matches_numpy_on_small_arrays():
    x = np.random.default_rng(0).standard_normal((100, 50)).astype(np.float32)
    h = histogram(x, -2.0, 2.0, 40, Scratch(), False)
    ref, _ = np.histogram(x, 40, (-2.0, 2.0))
    # np.histogram puts x == hi in the last bin; ours counts it as overflow: none here
    np.testing.assert_array_equal(h.counts, ref)
    assert h.underflow == (x < -2).sum() and h.overflow == (x >= 2).sum()
    assert h.sampled == x.size


def test_histogram_of_large_array_is_a_fair_sample():
    x = np.random.default_rng(1).standard_normal((1000, 500)).astype(np.float32)
    h = histogram(x, -4.0, 4.0, 60, Scratch(), False)
    assert HIST_SAMPLE // 2 <= h.sampled <= HIST_SAMPLE
    ref, _ = np.histogram(x, 60, (-4.0, 4.0), density=True)
    np.testing.assert_allclose(h.density(), ref, atol=0.025)  # ~4σ of 65k samples at the peak


def test_nonfinite_values_are_counted_not_binned():
    x = np.ones((10, 10), np.float32)
    x[0, :3] = np.inf
    x[1, 0] = np.nan
    m = moments(x, Scratch())
    assert m.nonfinite == 4 and m.mean == 1.0 and m.std == 0.0
    h = histogram(x, 0.0, 2.0, 4, Scratch(), True)
    assert h.counts.sum() + h.underflow + h.overflow == 96


def test_moments_accurate_when_mean_dwarfs_spread():
    x = (1000.0 + 1e-3 * np.random.default_rng(2).standard_normal(100_000)).astype(np.float32)
    m = moments(x, Scratch())
    assert m.std == pytest.approx(float(x.astype(np.float64).std()), rel=1e-2)


def test_nice_ceil():
    assert [nice_ceil(v) for v in (0.7, 1.0, 1.2, 3, 7, 0.013)] == [1, 1, 2, 5, 10, 0.02]
    assert nice_ceil(0) == 1 and nice_ceil(math.nan) == 1


def test_exploding_network_reports_nonfinite_without_raising():
    s = run(Config(depth=200, width=100, batch=50, activation="relu", init="he-normal", gain=3.0))
    assert s.layers[0].nonfinite == 0
    assert s.layers[-1].nonfinite > 0 and s.layers[-1].nonfinite_frac > 0.3
    assert s.nonfinite > 0
    for l in s.layers:
        for h in l.hists.values():
            assert np.isfinite(h.counts).all()


def test_shared_range_is_one_range_per_row_and_bounded_for_tanh():
    s = run(Config(depth=5, width=100, batch=100, activation="tanh", init="normal", std=1.0))
    act_ranges = {(l.hists["act"].lo, l.hists["act"].hi) for l in s.layers}
    assert len(act_ranges) == 1
    lo, hi = act_ranges.pop()
    assert lo == pytest.approx(-1, abs=1e-5) and hi == pytest.approx(1, abs=1e-5)
    # saturated ±1 values land in the end bins, not in the overflow
    assert all(l.hists["act"].outside_frac == 0 for l in s.layers)
    per_layer = run(
        Config(
            depth=5,
            width=100,
            batch=100,
            activation="tanh",
            init="normal",
            std=0.01,
            hist_scale="layer",
        )
    )
    his = [l.hists["grad"].hi for l in per_layer.layers]
    assert len(set(his)) > 1


def test_saturation_and_dead_units():
    tanh = run(Config(depth=3, width=200, batch=200, activation="tanh", init="normal", std=1.0))
    assert tanh.layers[-1].saturated_frac > 0.8
    small = run(Config(depth=3, width=200, batch=200, activation="tanh", init="normal", std=0.01))
    assert small.layers[-1].saturated_frac == 0
    dead = run(Config(depth=2, width=50, batch=10, activation="relu", init="zeros"))
    assert dead.layers[0].dead_units == 1.0


def test_grad_data_ratio():
    s = run(Config(depth=3, width=100, batch=100, init="he-normal", activation="relu"))
    for l in s.layers:
        assert l.grad_data_ratio == pytest.approx(l.weight_grad_std / l.weight_std)
    z = run(Config(depth=2, width=10, batch=10, init="zeros"))
    assert math.isnan(z.layers[0].grad_data_ratio)
    assert z.to_json()["layers"][0]["grad_data_ratio"] is None


def test_lsuv_gives_unit_preactivation_variance():
    s = run(Config(depth=6, width=200, batch=500, activation="relu", init="lsuv"))
    for l in s.layers:
        assert l.preact_std**2 == pytest.approx(1.0, abs=0.021)


def test_sigma_w2_measured_matches_formula():
    s = run(Config(depth=3, width=400, init="xavier-uniform"))
    for l in s.layers:
        assert l.sigma_w2_measured == pytest.approx(l.sigma_w2, rel=0.02)


def test_only_the_rows_asked_for_are_made():
    c = Config(depth=5, width=40, batch=64, activation="tanh", init="xavier-normal")
    full = Simulator().run(c)
    shown = Simulator().run(c, rows=("act", "grad"))
    forward = Simulator().run(c, rows=("preact",))
    for f, s, fw in zip(full.layers, shown.layers, forward.layers, strict=True):
        assert set(s.hists) == {"act", "grad"} and set(fw.hists) == {"preact"}
        # every moment is still exact; the histograms shown are the full run's, bin for bin
        assert (s.preact_std, s.grad_std, s.weight_grad_std) == (
            f.preact_std,
            f.grad_std,
            f.weight_grad_std,
        )
        for row in ("act", "grad"):
            np.testing.assert_array_equal(s.hists[row].counts, f.hists[row].counts)
        # no gradient row: forward only, the gradient statistics are unknown, not zero
        assert fw.act_std == f.act_std and fw.saturated_frac == f.saturated_frac
        np.testing.assert_array_equal(fw.hists["preact"].counts, f.hists["preact"].counts)
        assert math.isnan(fw.grad_std) and math.isnan(fw.weight_grad_std)
        assert math.isnan(fw.grad_data_ratio) and math.isnan(fw.preact_grad_std)


@pytest.mark.parametrize("kernels", [True, False])
def test_moments_taken_beside_the_matmuls_equal_those_taken_after(kernels, monkeypatch):
    """run() measures each layer as the layer finishes (with the one-pass kernels, or on a
    helper thread without them); measure_joint alone measures afterwards on the caller's thread:
    the same numbers, to the last bit."""
    from core import fused
    from core.measure import measure_joint

    monkeypatch.setattr(fused, "AVAILABLE", kernels and fused.AVAILABLE)
    c = Config(depth=6, width=48, batch=96, activation="tanh", init="xavier-normal", bias="default")
    sim = Simulator(prefetch=True)
    beside = sim.run(c)
    net = sim.prepare(c, bias_grads=False)
    after = measure_joint([net], [c], sim.scratch)[0]
    for b, a in zip(beside.layers, after, strict=True):
        assert b.to_json() == a.to_json()
        for row in b.hists:
            np.testing.assert_array_equal(b.hists[row].counts, a.hists[row].counts)


@pytest.mark.parametrize("extra", [{}, {"norm": "batch", "residual": True}])
def test_statistics_shared_with_the_helper_thread_equal_those_taken_alone(extra):
    """measure_joint splits the layers of both sides of an A/B between the caller and a helper
    thread: every number and every count is what one thread finds, side by side in order."""
    from core.measure import measure_joint

    a = Config(depth=7, width=40, batch=80, activation="tanh", init="xavier-normal", **extra)
    b = a.replace(init="normal", std=0.5, depth=5)
    sims = [Simulator(), Simulator()]
    nets = [s.prepare(c, bias_grads=False) for s, c in zip(sims, (a, b), strict=True)]
    alone = measure_joint(nets, [a, b], sims[0].scratch, split=False)
    shared = measure_joint(nets, [a, b], sims[0].scratch, split=True)
    assert [len(side) for side in shared] == [7, 5]
    for side_alone, side_shared in zip(alone, shared, strict=True):
        for x, y in zip(side_alone, side_shared, strict=True):
            assert x.to_json() == y.to_json()
            for row in x.hists:
                np.testing.assert_array_equal(x.hists[row].counts, y.hists[row].counts)


def test_histogram_sample_of_a_large_array_holds_every_unit_equally():
    """The sample is every k-th row whole (it reads 1/k of the memory): each column (unit)
    appears the same number of times."""
    units = 500
    x = np.tile(np.arange(units, dtype=np.float32), (1000, 1))  # column j holds j
    h = histogram(x, 0.0, float(units), units, Scratch(), False)
    assert HIST_SAMPLE // 2 <= h.sampled <= HIST_SAMPLE
    assert h.counts.min() == h.counts.max() == h.sampled // units


def test_helper_work_runs_on_the_caller_once_the_pool_takes_no_more():
    """At interpreter exit Python's executors refuse work while an engine thread may still be
    finishing a frame: the statistics are then taken on the caller, not lost to a traceback."""
    from concurrent.futures import ThreadPoolExecutor

    from core import parallel

    closed = ThreadPoolExecutor(1)
    closed.shutdown()
    saved, parallel._pool = parallel._pool, closed
    try:
        assert parallel.submit(lambda a, b: a + b, 2, 3).result() == 5
        c = Config(depth=3, width=16, batch=32)
        assert Simulator().run(c).to_json() == run(c).to_json()
    finally:
        parallel._pool = saved


def test_a_frame_on_reused_buffers_allocates_no_array_sized_memory():
    """The per-frame path writes into the network's buffers and the scratch: with 2 MB arrays
    (1000 × 500 float32), a frame's peak allocation stays under a tenth of one. A saturation mask
    made per layer had put it at 1 MB."""
    import tracemalloc

    sim = Simulator()
    configs = [Config(depth=4, width=500, batch=1000, gain=g) for g in (1.0, 1.1)]
    for c in configs:  # the first frames build the net and draw the noise
        sim.run(c, rows=("act", "grad"))
    tracemalloc.start()
    try:
        peaks = []
        for c in configs * 2:
            tracemalloc.reset_peak()
            sim.run(c, rows=("act", "grad"))
            peaks.append(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()
    assert max(peaks) < 0.1 * 1000 * 500 * 4


def test_dead_units_found_through_the_saturation_mask_equal_a_full_read():
    """Dead units are looked for only in columns saturated on every example: the same share as
    reading φ' whole, with dead, merely saturated, partly live and NaN columns."""
    from core.measure import _dead_share

    rng = np.random.default_rng(0)
    d = rng.uniform(0.2, 1.0, (64, 12)).astype(np.float32)
    d[:, :3] = 0.0  # dead
    d[:, 3] = 1e-7  # dead: below 1e-6·max
    d[:, 4] = 0.01  # saturated everywhere, alive
    d[5, 5] = 0.0  # one saturated example only
    d[:, 6] = np.nan
    d[:, 7] = 0.0
    d[10, 7] = 0.5  # dead but for one example
    full = np.count_nonzero(d.max(axis=0) <= 1e-6) / d.shape[1]
    whole = np.flatnonzero((d < 0.05).all(axis=0))
    assert _dead_share(d, whole, 1.0) == full == 4 / 12
    assert _dead_share(d[:, 8:], np.flatnonzero((d[:, 8:] < 0.05).all(axis=0)), 1.0) == 0.0
