"""Log-magnitude histograms binned together (a frame's layers at once) are each layer's own."""

import numpy as np
import pytest

from core import stats
from core.loghist import BLOCK, MAX_BINS, SAMPLE, log_histogram, log_histograms


def _assert_same(got, want, label) -> None:
    assert (got.first, got.zeros, got.sampled) == (want.first, want.zeros, want.sampled), label
    for a, b in ((got.pos, want.pos), (got.neg, want.neg)):
        assert a.dtype == b.dtype == np.int64, label
        np.testing.assert_array_equal(a, b, err_msg=label)


def _assert_batched_is_one_by_one(samples: list) -> None:
    got = log_histograms(samples)
    assert len(got) == len(samples)
    for k, (s, h) in enumerate(zip(samples, got, strict=True)):
        _assert_same(h, log_histogram(s), f"sample {k}: {s.dtype} {s.shape}")


def _decade_edges(dtype) -> np.ndarray:
    """Magnitudes at and next to every bin edge 10^(k/10) the dtype holds: where a value's
    bin hangs on log10's last bit."""
    info = np.finfo(dtype)
    k = np.arange(np.floor(np.log10(info.smallest_subnormal) * 10), np.log10(info.max) * 10)
    with np.errstate(over="ignore", under="ignore"):
        edges = (10.0 ** (k / 10)).astype(dtype)
    edges = edges[(edges > 0) & np.isfinite(edges)]
    return np.concatenate(
        [edges, np.nextafter(edges, dtype(0)), np.nextafter(edges, dtype(np.inf))]
    ).astype(dtype)


def _adversarial(dtype, rng) -> list:
    tiny = np.finfo(dtype).smallest_subnormal
    mixed = rng.standard_normal(3000).astype(dtype)
    mixed[::3] = 0.0
    mixed[1::7] = -0.0
    edges = _decade_edges(dtype)
    edges[::2] *= -1
    return [
        rng.standard_normal((8, 500)).astype(dtype),
        np.zeros(1000, dtype),
        np.full(7, -0.0, dtype),
        np.array([3.5], dtype),
        np.array([-0.0], dtype),
        np.zeros(0, dtype),
        mixed,
        np.array([tiny, -tiny, 5 * tiny, 1e-30, 0.0, -1e30, 1.0], dtype),
        edges,
        (rng.standard_normal(20000) * 1e-3).astype(dtype),  # 1-D, past SAMPLE: a stride
        rng.standard_normal((70, 300)).astype(dtype)[::3],  # 2-D, strided rows
        rng.standard_normal((SAMPLE + 5, 3)).astype(dtype).T,  # not C-contiguous
        np.zeros((0, 4), dtype),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_and_adversarial_samples_bin_as_one_by_one(dtype):
    rng = np.random.default_rng(5)
    samples = _adversarial(dtype, rng)
    if dtype == np.float64:  # float64's own range, far past float32's
        samples.append(np.array([1e-300, -4e-320, 1e300, -2.5e-308, 0.0]))
    _assert_batched_is_one_by_one(samples)


def test_samples_of_one_size_as_a_frames_layers_are():
    """One size per sample (a frame's layers): values at every scale, zeros in some, one all
    zeros, one all -0.0: each as its own histogram."""
    rng = np.random.default_rng(7)
    samples = []
    for k in range(60):
        x = (rng.standard_normal((8, 500)) * 10.0 ** rng.uniform(-30, 30)).astype(np.float32)
        if k % 5 == 0:
            x[:, ::4] = 0.0
        samples.append(x)
    samples[11][:] = 0.0
    samples[12][:] = -0.0
    samples[13] = np.maximum(samples[13], 0)  # ReLU's half of zeros
    _assert_batched_is_one_by_one(samples)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_samples_whose_only_zeros_are_negative(dtype):
    """−0.0 is a zero like 0.0 (log_histogram counts it among the zeros), alone in a batch."""
    _assert_batched_is_one_by_one(
        [np.full(5, -0.0, dtype), np.array([-0.0, 2.0, -3e-3], dtype), np.array([1.0], dtype)]
    )


def test_mixed_dtypes_and_more_than_a_block():
    rng = np.random.default_rng(9)
    big = [
        rng.standard_normal(SAMPLE).astype(np.float32) * (k + 1) for k in range(BLOCK // SAMPLE + 3)
    ]
    others = [
        np.arange(-5, 6),
        np.array([1, 2, 0, -3], np.float16),
        np.array([True, False]),
        rng.standard_normal(100),
    ]
    _assert_batched_is_one_by_one([x for pair in zip(big, others * 5, strict=False) for x in pair])


def test_samples_too_wide_for_one_count_bin_one_by_one():
    """Hundreds of samples each spanning float32's whole range: more bins than one count
    takes (MAX_BINS), the same histograms all the same."""
    x = np.array([1e-44, -1e38, 2.0, 0.0], np.float32)  # 821 bins
    assert MAX_BINS < 700 * 2 * 821
    _assert_batched_is_one_by_one([x * (1 + k % 3) for k in range(700)])


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_non_finite_value_let_through_raises_as_one_by_one(bad):
    """The caller drops them (stats.histogram); one let through is an error, not a count."""
    x = np.array([1.0, bad, 0.0], np.float32)
    with pytest.raises((OverflowError, ValueError)):
        log_histogram(x)
    with pytest.raises(ValueError, match="non-finite"):
        log_histograms([np.ones(4, np.float32), x])


def test_a_batch_of_histograms_is_each_one_histogram():
    """stats.histograms (a frame's rows) gives every Hist field of stats.histogram, the C
    kernel's float32 arrays and NumPy's float64 ones, with non-finite values dropped."""
    rng = np.random.default_rng(11)
    bad = rng.standard_normal((8, 500)).astype(np.float32)
    bad[0, :3] = [np.nan, np.inf, -np.inf]
    jobs = [
        (rng.standard_normal((8, 500)).astype(np.float32), -4.0, 4.0, False),
        (np.maximum(rng.standard_normal((1000, 500)), 0).astype(np.float32), 0.0, 3.0, False),
        (bad, -2.0, 2.0, True),
        (rng.standard_normal((16, 64)) * 1e-5, -1e-4, 1e-4, False),
        (np.array([[np.nan, 0.0, -0.0, 2.0]]), -3.0, 3.0, True),
    ]
    got = stats.histograms(jobs, 40, stats.Scratch())
    for (x, lo, hi, nonfinite), h in zip(jobs, got, strict=True):
        want = stats.histogram(x, lo, hi, 40, stats.Scratch(), nonfinite)
        assert (h.lo, h.hi, h.underflow, h.overflow, h.sampled) == (
            want.lo,
            want.hi,
            want.underflow,
            want.overflow,
            want.sampled,
        )
        np.testing.assert_array_equal(h.counts, want.counts)
        _assert_same(h.log, want.log, f"{x.dtype} {x.shape}")
