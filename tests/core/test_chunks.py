"""Frames computed a chunk of examples at a time (core/chunks.py, issue 23): the refined frame is
the one-shot frame, memory holds the weights and one chunk, a newer config cancels a refinement."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from core import Config, ConfigError, cancel, chunks, memory, stats
from core.batch_draws import BatchInput
from core.noise import NoiseBank
from core.simulate import Simulator, run_joint

# chunk × fan_in × fan_out above OpenBLAS's small-matrix cut (100³): a chunk's rows are the
# whole batch's bit for bit (core/chunks.py)
WIDTH, BATCH, CHUNK = 300, 500, 64
MOMENTS = (
    "preact_mean",
    "preact_std",
    "act_mean",
    "act_std",
    "grad_std",
    "preact_grad_std",
    "weight_std",
    "weight_grad_std",
    "sigma_w2_measured",
    "saturated_frac",
    "dead_units",
    "nonfinite",
)
CASES = [
    {},
    {"activation": "relu", "init": "he-normal", "bias": "normal", "bias_value": 0.1},
    {"grad_source": "mse", "input": "positive", "activation": "sigmoid"},
    {"residual": True, "norm": "layer", "activation": "relu", "init": "he-normal"},
    {"init": "normal", "std": 1.0, "activation": "tanh"},  # saturated, the ends of the range
    {"init": "zeros", "activation": "relu"},  # every unit dead
    {"init": "normal", "std": 30.0, "activation": "relu", "depth": 12},  # overflow to ±inf, NaN
]


def refined(c: Config, size: int = CHUNK) -> tuple[stats.Snapshot, chunks.Refinement, list]:
    r = chunks.Refinement([Simulator()], [c], stats.ROWS, size)
    shown = []
    while not r.done:
        shown.append(r.step()[0])
    return shown[-1], r, shown


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: "-".join(map(str, kw.values())) or "tanh")
def test_the_refined_frame_is_the_one_shot_frame(kw):
    """On the same histogram ranges (the first chunk's), every moment agrees to float rounding
    and the per-example rows' counts exactly; ∂L/∂W, a sum over chunks rather than one matmul,
    to rounding, so its counts differ by at most a value or two at a bin's edge."""
    c = Config(**({"depth": 4, "width": WIDTH, "batch": BATCH} | kw))
    snap, r, _ = refined(c)
    one = run_joint([Simulator()], [c], stats.ROWS, ranges=r.ranges)[0]
    assert snap.examples == BATCH and not snap.refining
    for a, b in zip(snap.layers, one.layers, strict=True):
        for f in MOMENTS:
            x, y = getattr(a, f), getattr(b, f)
            assert x == pytest.approx(y, rel=1e-6, abs=1e-12, nan_ok=True), (a.index, f, x, y)
        for row in ("preact", "act", "grad"):
            ha, hb = a.hists[row], b.hists[row]
            assert (ha.lo, ha.hi) == (hb.lo, hb.hi)
            assert np.array_equal(ha.counts, hb.counts), (a.index, row)
            assert (ha.underflow, ha.overflow, ha.sampled) == (
                hb.underflow,
                hb.overflow,
                hb.sampled,
            )
        wa, wb = a.hists["wgrad"], b.hists["wgrad"]
        assert wa.sampled == wb.sampled
        assert np.abs(wa.counts - wb.counts).sum() <= max(4, wa.sampled // 10_000)
        # its log-magnitude counts too (the window's log axis drew none without them)
        la, lb = (
            wa.log,
            wb.log,
        )  # (each of its own sample of the weights: quartiles within 0.3 decade)
        assert la is not None and la.sampled == lb.sampled
        assert np.allclose(_quartiles(la), _quartiles(lb), atol=3.01), (a.index, la, lb)


def _quartiles(h) -> list[float]:
    """The bins holding a log histogram's quartiles of |x| ≠ 0 (the zeros of a dead unit's row
    depend on which entries the sample holds)."""
    cum = np.cumsum(h.pos + h.neg) / (h.pos + h.neg).sum()
    return [h.first + float(np.searchsorted(cum, q)) for q in (0.25, 0.5, 0.75)]


def test_a_refining_frames_weight_gradients_are_on_the_log_axis_as_their_mean():
    """Before the last chunk ∂L/∂W is held as sums; its log histogram is of the mean they stand
    for, near where the finished frame's will be (a mean of 128 examples, not 500: a few bins
    off; the sums would be two decades, 20 bins, off)."""
    c = Config(depth=3, width=WIDTH, batch=BATCH)
    last, _, shown = refined(c, 128)
    for a, b in zip(shown[0].layers, last.layers, strict=True):
        la, lb = a.hists["wgrad"].log, b.hists["wgrad"].log
        assert la is not None and lb is not None
        peak = lambda h: h.first + int(np.argmax(h.pos + h.neg))  # noqa: E731
        assert abs(peak(la) - peak(lb)) <= 5, (a.index, peak(la), peak(lb))


def test_each_refinement_covers_more_examples_on_fixed_ranges():
    c = Config(depth=3, width=WIDTH, batch=BATCH)
    last, _, shown = refined(c, 128)
    assert [s.examples for s in shown] == [128, 256, 384, 500]
    assert [s.refining for s in shown] == [True, True, True, False]
    for s in shown:
        for a, b in zip(s.layers, last.layers, strict=True):
            assert (a.hists["act"].lo, a.hists["act"].hi) == (b.hists["act"].lo, b.hists["act"].hi)
    sampled = [s.layers[0].hists["preact"].sampled for s in shown]
    step = stats.row_step(BATCH, WIDTH)  # the whole batch's sample: every step-th example
    assert sampled == sorted(set(sampled)) and sampled[-1] == -(-BATCH // step) * WIDTH


@pytest.mark.parametrize(
    "batch,size,rest",
    [
        (500, 64, None),
        (500, 500, None),
        (7, 3, None),
        (1000, 1, None),
        (10, 9, None),
        (1000, 44, 239),
        (1000, 44, 1000),
        (100, 60, 50),
    ],
)
def test_the_chunks_cover_each_example_once(batch, size, rest):
    seen = []
    for k, (start, first, rows) in enumerate(chunks.spans(batch, size, rest)):
        assert rows == min(size if k == 0 else rest or size, batch)  # one shape after the first
        assert start + rows <= batch
        seen += range(start + first, start + rows)
    assert seen == list(range(batch))


def test_later_chunks_of_another_size_give_the_same_frame():
    """The window's refinement: a small first chunk (the frame budget's), then bigger ones."""
    c = Config(depth=3, width=WIDTH, batch=BATCH, activation="relu", init="he-normal")
    r = chunks.Refinement([Simulator()], [c], stats.ROWS, 32, 200)
    shown = []
    while not r.done:
        shown.append(r.step()[0])
    assert [s.examples for s in shown] == [32, 232, 432, 500]
    one = run_joint([Simulator()], [c], stats.ROWS, ranges=r.ranges)[0]
    for a, b in zip(shown[-1].layers, one.layers, strict=True):
        for f in MOMENTS:
            x, y = getattr(a, f), getattr(b, f)
            assert x == pytest.approx(y, rel=1e-6, abs=1e-12), (a.index, f, x, y)
        for row in ("preact", "act", "grad"):
            assert np.array_equal(a.hists[row].counts, b.hists[row].counts), (a.index, row)


def test_moments_merge_as_if_taken_at_once():
    rng = np.random.default_rng(3)
    x = rng.normal(1e3, 0.5, 10_001).astype(np.float32)
    x[[5, 77, 9000]] = [np.inf, np.nan, -np.inf]
    whole = stats.moments(x, stats.Scratch())
    merged = stats.Moments(math.nan, math.nan, 0, 0)
    for part in np.array_split(x, 7):
        merged = stats.merge_moments(merged, stats.moments(part, stats.Scratch()))
    assert (merged.nonfinite, merged.size) == (3, x.size)
    assert merged.mean == pytest.approx(whole.mean, rel=1e-7)
    assert merged.std == pytest.approx(whole.std, rel=1e-5)


def test_a_newer_config_cancels_a_refinement_at_the_next_chunk():
    c = Config(depth=3, width=WIDTH, batch=BATCH)
    r = chunks.Refinement([Simulator()], [c], stats.ROWS, 100)
    r.step()
    newer = [False]
    with cancel.checked(lambda: newer[0]):
        r.step()
        newer[0] = True
        with pytest.raises(cancel.Cancelled):
            r.step()
    assert r.seen == 200


def test_a_batch_too_big_for_memory_runs_in_chunks_within_the_limit():
    """Issue 23: 0.25 GiB asked; the whole batch would need about twice that. The frame is made
    in chunks that fit, and its traced peak stays under the limit."""
    c = Config(depth=8, width=1024, batch=4000, memory_limit_gib=0.25)
    assert c.estimated_bytes() > memory.limit_bytes(0.25)
    size = memory.largest_chunk(c)
    assert 1 <= size < c.batch
    tracemalloc.start()
    try:
        snap = chunks.run([Simulator()], [c], ("act", "grad"))[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert snap.examples == c.batch and all(math.isfinite(s.act_std) for s in snap.layers)
    assert peak <= memory.limit_bytes(0.25), (peak, size)


def test_a_net_whose_weights_alone_exceed_the_limit_is_refused_before_allocating():
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError) as e:
            Config(depth=60, width=4096, batch=1, memory_limit_gib=2.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(e.value)
    assert "weights alone" in message and "GiB" in message and "\n" not in message
    named = float(message.split("got '")[1].split()[0])
    weights = 60 * 4096**2 * 4 / 2**30  # float32; W, ∂L/∂W and the bank's draws: three of them
    assert 3 * weights <= named <= 3.2 * weights, message
    assert peak < 2**20


def test_batch_norm_is_never_chunked():
    """BatchNorm couples the examples: its batch is one chunk, and a batch too big is refused."""
    with pytest.raises(ConfigError, match="reduce depth, width or batch"):
        Config(depth=8, width=1024, batch=4000, memory_limit_gib=0.25, norm="batch")
    c = Config(depth=2, width=64, batch=100, norm="batch")
    assert memory.largest_chunk(c) == 100 and not chunks.chunkable([c])


@pytest.mark.parametrize("kind", ["normal", "uniform", "positive"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_input_drawn_a_chunk_at_a_time_is_the_one_shot_frames_bit_for_bit(kind, dtype):
    """A chunked frame draws its input rows as the chunks ask for them (the first preview
    waits for 44 rows, not the batch's); the one-shot frame's net.x is the bank's one draw."""
    c = Config(depth=2, width=50, batch=101, input=kind, dtype=dtype, seed=7)
    sim = Simulator()
    sim.prepare(c, backward=False)
    whole = sim.network(c).x
    x = BatchInput(NoiseBank(c.seed, c.dtype), c)
    parts = [x[0:13], x[13:13], x[10:60], x[60:101]]  # overlapping, empty and in order
    assert x.filled == 101 and parts[2].dtype == np.dtype(dtype)
    assert np.array_equal(np.concatenate([parts[0], parts[2][3:], parts[3]]), whole)
