"""The one-pass kernels (core/_fused.c): the same arrays and statistics as the NumPy passes."""

import math

import numpy as np
import pytest

from core import Config, Simulator, fused, stats
from core.activations import ACTIVATIONS

kernels = pytest.importorskip("core._fused", reason="core/_fused.c not built (no C compiler)")


def _arrays(rows, cols, seed=0):
    rng = np.random.default_rng(seed)
    h = (rng.standard_normal((rows, cols)) * 2).astype(np.float32)
    h.flat[::97] = 0.0  # relu'(0) = 0, as PyTorch has it
    return h


def test_the_kernels_are_built_here():
    """Where a compiler exists (this machine, CI), the install built them: the frame's speed
    depends on it, so a silent fallback to NumPy must not pass for the product."""
    assert fused.AVAILABLE and stats._fused is kernels


@pytest.mark.parametrize("shape", [(1000, 500), (3, 7), (2, 2500), (1, 16), (5, 33)])
def test_sums_are_the_float64_sums_and_the_same_bits_in_every_kernel(shape):
    h = _arrays(*shape)
    s, q = kernels.sums(h, *shape)
    ref = h.astype(np.float64)
    assert s == pytest.approx(ref.sum(), rel=1e-6, abs=1e-3)
    assert q == pytest.approx((ref**2).sum(), rel=1e-6)
    a = np.tanh(h)
    d = np.empty_like(h)
    whole = np.full(shape[1], -1, np.int32)
    sh, qh, sa, qa, _ = kernels.activate(1, h, a, d, *shape, 0.05, whole)
    assert (sh, qh) == (s, q) and (sa, qa) == kernels.sums(a, *shape)
    out = np.empty_like(h)
    got = kernels.product(0, h, h, h, a, out, *shape)  # φ' given: a
    assert got[:2] == (s, q) and got[2:] == kernels.sums(out, *shape)
    x = h.copy()
    assert kernels.scale(x, *shape, 1.0) == (s, q)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "gelu", "elu"])
def test_saturation_and_delta_use_numpys_derivative(name):
    """activate counts φ' < thr as NumPy's φ' gives it (and which columns are below it in every
    row); product's δ = g·φ' is NumPy's g * φ' to the bit, φ' recomputed from h or a where the
    kernel knows the activation, read from d where not. NaN and ±inf included."""
    act = ACTIVATIONS[name]
    h = _arrays(40, 37, 1)
    h[3, :] = np.inf
    h[4, 5] = np.nan
    h[:, 2] = -30.0  # saturated (dead for relu) in every row
    a, want = np.empty_like(h), np.empty_like(h)
    with np.errstate(all="ignore"):
        act.f(h, a)
        act.df(h, a, want)
    kind = fused.KIND.get(act.df, 0)
    d = np.full_like(h, np.nan) if kind else want.copy()  # a known φ' is never read from d
    whole = np.full(h.shape[1], -1, np.int32)
    thr = fused.SATURATED * act.df_max
    *_, n = kernels.activate(kind, h, a, d, *h.shape, thr, whole)
    below = want < np.float32(thr)
    assert n == np.count_nonzero(below)
    np.testing.assert_array_equal(whole != 0, below.all(axis=0))
    g = _arrays(40, 37, 2)
    delta = np.empty_like(g)
    kernels.product(kind, g, h, a, d, delta, *g.shape)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(delta, g * want)


def test_product_and_scale_write_what_numpy_writes():
    """A given φ' multiplies as NumPy does; scaling in place too."""
    g, d = _arrays(30, 50, 2), _arrays(30, 50, 3)
    out = np.empty_like(g)
    kernels.product(0, g, g, g, d, out, 30, 50)
    np.testing.assert_array_equal(out, g * d)
    x = g.copy()
    kernels.scale(x, 30, 50, 1.0 / 30)
    np.testing.assert_array_equal(x, g * np.float32(1.0 / 30))


def test_bad_buffers_are_refused_not_read():
    x64 = np.zeros((4, 4))
    with pytest.raises(TypeError, match="float32"):
        kernels.sums(x64, 4, 4)
    with pytest.raises(ValueError, match="expected"):
        kernels.sums(np.zeros((4, 4), np.float32), 5, 4)
    with pytest.raises(ValueError):
        kernels.sums(np.zeros((4, 4), np.float32), -1, 4)
    with pytest.raises(ValueError, match="read-only"):  # where a kernel writes
        ro = np.zeros((4, 4), np.float32)
        ro.flags.writeable = False
        kernels.scale(ro, 4, 4, 2.0)
    h = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match="int32 per column"):
        kernels.activate(1, h, h, h.copy(), 4, 4, 0.05, np.zeros(3, np.int32))


CONFIGS = [
    Config(depth=5, width=64, batch=100, activation="tanh", init="xavier-normal"),
    Config(depth=4, width=48, batch=70, activation="relu", init="he-normal", bias="default"),
    Config(depth=4, width=33, batch=50, activation="sigmoid", init="normal", std=0.5),
    Config(depth=3, width=40, batch=60, activation="gelu", init="orthogonal"),
    Config(depth=6, width=50, batch=40, activation="tanh", init="normal", std=40.0),  # saturated
    Config(depth=8, width=30, batch=30, activation="linear", init="normal", std=1e4),  # overflow
    Config(depth=3, width=40, batch=50, activation="relu", bias="constant", bias_value=-0.5),
]


@pytest.mark.parametrize("c", CONFIGS, ids=lambda c: f"{c.activation}-{c.init}")
def test_a_frame_through_the_kernels_equals_one_through_numpy(c, monkeypatch):
    """Every statistic and every histogram count, with and without the kernels: they write the
    same arrays, and their sums are what stats.moments takes (exploding nets included)."""
    with_kernels = Simulator().run(c)
    monkeypatch.setattr(fused, "AVAILABLE", False)
    without = Simulator().run(c)
    for a, b in zip(with_kernels.layers, without.layers, strict=True):
        assert a.to_json() == b.to_json()
        for row in a.hists:
            np.testing.assert_array_equal(a.hists[row].counts, b.hists[row].counts)
    assert with_kernels.nonfinite == without.nonfinite
    if c.bias_value < 0:
        assert 0 < with_kernels.layers[-1].dead_units < 1  # the dead-unit path was taken


def test_moments_without_the_kernels_agree_closely(monkeypatch):
    """NumPy's dot products (float64 and no-compiler installs) against the kernels' sums."""
    x = _arrays(200, 300, 4)
    got = stats.moments(x, stats.Scratch())
    monkeypatch.setattr(stats, "_fused", None)
    ref = stats.moments(x, stats.Scratch())
    assert got.mean == pytest.approx(ref.mean, rel=1e-5, abs=1e-6)
    assert got.std == pytest.approx(ref.std, rel=1e-6)
    assert math.isclose(ref.std, float(x.astype(np.float64).std()), rel_tol=1e-6)


def test_an_ab_pair_through_the_kernels_equals_one_through_numpy(monkeypatch):
    """One Recorder holds both sides of an A/B (their layers are told apart), and the pair is
    measured on common ranges as without it."""
    from core.simulate import run_joint

    a = Config(depth=4, width=40, batch=50, activation="tanh", init="xavier-normal")
    b = a.replace(init="normal", std=0.3, depth=6)
    got = run_joint([Simulator(), Simulator()], [a, b])
    monkeypatch.setattr(fused, "AVAILABLE", False)
    ref = run_joint([Simulator(), Simulator()], [a, b])
    for x, y in zip(got, ref, strict=True):
        assert x.to_json() == y.to_json()
        for s, t in zip(x.layers, y.layers, strict=True):
            np.testing.assert_array_equal(s.hists["grad"].counts, t.hists["grad"].counts)


@pytest.mark.parametrize("shape", [(1000, 500), (7, 9), (300, 1), (200000,), (40, 3000), (3, 70)])
def test_histograms_binned_by_the_kernel_equal_numpys_bins(shape, monkeypatch):
    """The same counts, under- and overflows and sampled values as the NumPy path: values on
    bin edges, at the range's ends, beyond it and non-finite."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(shape) * 0.7).astype(np.float32)
    flat = x.reshape(-1)
    flat[::11] = np.round(flat[::11] * 20) / 20  # exactly on the edges of 40 bins on [-1, 1]
    flat[5::13] = 1.0
    flat[6::17] = -1.0
    flat[7::101] = np.nan
    flat[8::103] = np.inf
    flat[9::107] = -np.inf
    for lo, hi, bins in ((-1.0, 1.0, 40), (-0.3, 2.0, 7), (-1.0000001, 1.0000001, 60)):
        got = stats.histogram(x, lo, hi, bins, stats.Scratch(), True)
        with monkeypatch.context() as m:
            m.setattr(stats, "_fused", None)
            ref = stats.histogram(x, lo, hi, bins, stats.Scratch(), True)
        np.testing.assert_array_equal(got.counts, ref.counts)
        assert (got.underflow, got.overflow, got.sampled) == (
            ref.underflow,
            ref.overflow,
            ref.sampled,
        )
    with pytest.raises(ValueError, match="bins"):
        kernels.histogram(x.reshape(-1)[:10], 1, 10, 1, 1.0, 0.0, 5, np.zeros(6, np.int64))


def test_a_range_too_narrow_for_float32_bins_safely(monkeypatch):
    """bins / (hi - lo) overflows float32 for a range of 1e-40 (a vanished net's): 0·∞ is NaN,
    which once became an index of INT_MIN and a write outside the counts (a segfault in CI).
    Both paths now put it in the underflow bin and count every value."""
    x = np.zeros((40, 30), np.float32)
    x[0, :5] = 1e-42
    x[1, :3] = -1e-42
    got = stats.histogram(x, -1e-40, 1e-40, 60, stats.Scratch(), False)
    with monkeypatch.context() as m:
        m.setattr(stats, "_fused", None)
        ref = stats.histogram(x, -1e-40, 1e-40, 60, stats.Scratch(), False)
    assert got.sampled == x.size == got.counts.sum() + got.underflow + got.overflow
    np.testing.assert_array_equal(got.counts, ref.counts)
    assert (got.underflow, got.overflow) == (ref.underflow, ref.overflow)
    counts = np.zeros(62, np.int64)
    assert kernels.histogram(x, 40, 30, 1, float("inf"), 0.0, 60, counts) == x.size
    assert counts.sum() == x.size
