"""The log-magnitude histogram: NumPy's counts on log10|x| of the real values, signs apart."""

import itertools

import numpy as np

from core import Simulator, presets, stats
from core.loghist import PER_DECADE, log_histogram


def _numpy_counts(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.histogram(np.log10(np.abs(x)), bins=edges)[0]


def test_counts_are_numpys_on_log10_abs_with_signs_apart():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.standard_normal(5000) * 1e-4, rng.standard_normal(3000) * 30.0])
    x[:40] = 0.0
    h = log_histogram(x)
    edges = h.edges
    assert np.allclose(np.diff(edges), 1 / PER_DECADE)
    assert np.array_equal(h.pos, _numpy_counts(x[x > 0], edges))
    assert np.array_equal(h.neg, _numpy_counts(x[x < 0], edges))
    assert h.zeros == 40
    assert h.sampled == x.size == h.pos.sum() + h.neg.sum() + h.zeros
    # the span is the data's: the smallest and the largest magnitude are in the end bins
    nz = np.abs(x[x != 0])
    assert edges[0] <= np.log10(nz.min()) < edges[1]
    assert edges[-2] <= np.log10(nz.max()) < edges[-1]


def test_float32_arrays_bin_in_their_own_precision():
    x = (np.random.default_rng(0).standard_normal(4000) * 3e-6).astype(np.float32)
    h = log_histogram(x)
    k = np.floor(np.log10(np.abs(x)) * np.float32(PER_DECADE)).astype(int)
    assert np.array_equal(h.counts, np.bincount(k - h.first, minlength=len(h.pos)))
    assert h.neg.sum() == np.count_nonzero(x < 0)


def test_a_layers_histogram_carries_it_and_drops_non_finite_values():
    x = np.array([[1.0, -2.0, np.inf], [0.0, np.nan, 1e-3]])
    h = stats.histogram(x, -3.0, 3.0, 6, stats.Scratch(), True)
    assert h.log.sampled == 4 and h.log.zeros == 1
    assert h.log.pos.sum() == 2 and h.log.neg.sum() == 1


def test_on_a_vanishing_scene_the_peaks_drift_left_layer_by_layer():
    """tiny-normal-tanh: every layer's typical |h| is smaller than the last one's."""
    snap = Simulator().run(presets.load("tiny-normal-tanh").config, rows=("act", "grad"))
    peaks = []
    for s in snap.layers:
        lh = s.hists["act"].log
        peaks.append(lh.edges[int(np.argmax(lh.counts))])
    assert all(b < a for a, b in itertools.pairwise(peaks)), peaks
    assert peaks[0] - peaks[-1] > 3  # decades


def test_any_shape_is_binned_from_at_most_the_sample():
    from core.loghist import SAMPLE

    for shape in [(3, 5000), (125, 500), (2, 9000), (70000,), (SAMPLE + 1, 1)]:
        x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
        h = log_histogram(x)
        assert 0 < h.sampled <= SAMPLE and h.counts.sum() + h.zeros == h.sampled


def test_two_parts_merged_count_as_the_whole():
    """A refined frame's log panels (core/chunks.py): parts small enough to be taken whole merge
    to exactly the whole's counts."""
    from core import stats

    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0, 1e-4, 3000), -rng.lognormal(2, 3, 2000), np.zeros(7)])
    a, b = log_histogram(x[:2500]), log_histogram(x[2500:])
    whole, merged = log_histogram(x), stats.merge_logs(a, b)
    lo = min(whole.first, merged.first)
    n = max(whole.first + len(whole.pos), merged.first + len(merged.pos)) - lo
    for got, want in zip(merged.on(lo, n), whole.on(lo, n), strict=True):
        np.testing.assert_array_equal(got, want)
    assert (merged.zeros, merged.sampled) == (whole.zeros, whole.sampled) == (7, len(x))
    assert stats.merge_logs(None, b) is b


def _reference(x: np.ndarray):
    """The definition, plainly: floor(log10|x| · 10) in x's precision, per sign, zeros apart."""
    v = x.reshape(-1)
    with np.errstate(divide="ignore"):
        b = np.floor(np.log10(np.abs(v)) * v.dtype.type(PER_DECADE))
    nonzero = v != 0
    first = int(b[nonzero].min())
    n = int(b[nonzero].max()) - first + 1
    neg = np.signbit(v)
    counts = [
        np.bincount((b[nonzero & side] - first).astype(np.intp), minlength=n)
        for side in (~neg, neg)
    ]
    return first, counts[0], counts[1], int(np.count_nonzero(~nonzero))


def _layer_samples():
    """Whole-sample slices (≤ SAMPLE values, contiguous and strided rows) of every row of real
    frames: tanh, ReLU (exact zeros), a vanishing net, a float64 net."""
    from core import Config
    from core.loghist import SAMPLE

    configs = [presets.load(n).config for n in ("xavier-tanh", "he-relu", "tiny-normal-tanh")]
    configs.append(Config(depth=4, width=300, batch=200, activation="relu", dtype="float64"))
    for c in configs:
        net = Simulator().prepare(c)
        for layer in net.layers:
            for x in layer.rows():
                k = SAMPLE // x.shape[1]
                yield x[:k]
                yield x[:: max(1, len(x) // k)][:k]


def test_counts_on_real_layers_are_the_definitions_with_or_without_the_c_kernel(monkeypatch):
    """The float32 counts are taken by core/_fused.c's histogram kernel where it is built, by
    NumPy's bincount otherwise: both are the plain definition's, bin for bin."""
    import core.loghist as loghist

    kernels = [loghist._fused, None] if loghist._fused is not None else [None]
    for kernel in kernels:
        monkeypatch.setattr(loghist, "_fused", kernel)
        for x in _layer_samples():
            h, (first, pos, neg, zeros) = log_histogram(x), _reference(x)
            assert h.first == first
            np.testing.assert_array_equal(h.pos, pos)
            np.testing.assert_array_equal(h.neg, neg)
            assert (h.zeros, h.sampled) == (zeros, x.size)
