"""A big net's first layers shown while the rest are drawn (core/preview.py, issue 23).

The preview clocks are set to zero here (monkeypatched), so that a preview follows every layer
whatever the machine's speed: nothing below is timed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import Config, frame, stats
from core.frame import FrameMaker

ROWS = stats.ROWS
CHUNK = 64  # a first chunk above OpenBLAS's small-matrix cut at width 300 (core/chunks.py)


@pytest.fixture
def every_layer(monkeypatch):
    monkeypatch.setattr(frame, "FIRST_PREVIEW_S", 0.0)
    monkeypatch.setattr(frame, "REFINE_EVERY_S", 0.0)
    monkeypatch.setattr(frame, "PREVIEW_GROWTH", 0.0)


def frames(c: Config, compare: Config | None = None) -> tuple[list, frame.Frame]:
    got = []
    configs = [c] if compare is None else [c, compare]
    last = FrameMaker().make(configs, ROWS, 1, False, chunk=CHUNK, partial=got.append)
    return got, last


def test_the_first_layers_show_before_the_rest_are_drawn(every_layer):
    """A preview after each layer drawn: layers 1..k on the first chunk, their forward figures
    the ones the first chunk's whole frame then shows; the gradient rows are there, empty, and
    their figures NaN (they need every layer)."""
    c = Config(depth=5, width=300, batch=500)
    got, _ = frames(c)
    previews = [f.snaps[0] for f in got if len(f.snaps[0].layers) < c.depth]
    assert [len(s.layers) for s in previews] == [1, 2, 3, 4]
    first = next(f.snaps[0] for f in got if len(f.snaps[0].layers) == c.depth)
    assert first.examples == CHUNK
    for snap in previews:
        assert snap.refining and snap.examples == CHUNK and snap.config == c
        for p, f in zip(snap.layers, first.layers[: len(snap.layers)], strict=False):
            for name in ("preact_mean", "preact_std", "act_std", "weight_std", "dead_units"):
                assert getattr(p, name) == getattr(f, name), (p.index, name)
            assert math.isnan(p.grad_std) and math.isnan(p.weight_grad_std)
            assert set(p.hists) == set(ROWS)
            assert p.hists["grad"].sampled == 0 and p.hists["act"].sampled > 0


def test_the_preview_bins_what_the_first_frame_bins(every_layer):
    """On the ranges of the first frame, a preview's activation counts are the first frame's
    (the same rows of the same first chunk, through the same weights)."""
    c = Config(depth=3, width=300, batch=500, hist_scale="layer")
    got, _ = frames(c)
    preview = next(f.snaps[0] for f in got if len(f.snaps[0].layers) == 2)
    first = next(f.snaps[0] for f in got if len(f.snaps[0].layers) == c.depth)
    for p, f in zip(preview.layers, first.layers, strict=False):
        assert (p.hists["act"].lo, p.hists["act"].hi) == (f.hists["act"].lo, f.hists["act"].hi)
        assert np.array_equal(p.hists["act"].counts, f.hists["act"].counts)


def test_lsuv_shows_its_progress_a_layer_at_a_time(every_layer):
    """LSUV calibrates a layer as soon as it is drawn: each preview's layers are final (their
    weights' spread is the finished frame's), one more layer each time."""
    c = Config(depth=6, width=300, batch=500, init="lsuv", activation="tanh")
    got, last = frames(c)
    previews = [f.snaps[0] for f in got if len(f.snaps[0].layers) < c.depth]
    assert [len(s.layers) for s in previews] == [1, 2, 3, 4, 5]
    for snap in previews:
        for p, f in zip(snap.layers, last.snaps[0].layers, strict=False):
            assert p.weight_std == f.weight_std
            assert p.preact_std == pytest.approx(1.0, abs=0.05)  # calibrated on this chunk


def test_an_a_b_pair_previews_both_sides_on_shared_ranges(every_layer):
    a = Config(depth=4, width=300, batch=500)
    b = a.replace(init="he-normal", activation="relu")
    got, _ = frames(a, b)
    pair = next(f.snaps for f in got if len(f.snaps[0].layers) == 2)
    assert [len(s.layers) for s in pair] == [2, 2]
    ha, hb = pair[0].layers[1].hists["preact"], pair[1].layers[1].hists["preact"]
    assert (ha.lo, ha.hi) == (hb.lo, hb.hi)


def test_a_net_with_skips_is_drawn_whole_before_its_first_frame(every_layer):
    """A residual net's extras are set once every layer is drawn: no layer is shown before."""
    c = Config(depth=4, width=300, batch=500, residual=True, activation="relu", init="he-normal")
    got, _ = frames(c)
    assert got and all(len(f.snaps[0].layers) == c.depth for f in got)


def test_orthogonal_factors_are_made_once_per_shape_and_seed():
    """A big orthogonal net's QR factors are kept by the bank through a refinement: a gain
    changed redraws only the batch's output gradient (its input is drawn by the refinement, a
    chunk's rows at a time, core/batch_draws.py); a new seed makes them anew."""
    c = Config(depth=3, width=512, batch=64, init="orthogonal")
    maker = FrameMaker()
    maker.make([c], ROWS, 1, False, chunk=16)
    bank = maker.sims[0].bank(c)
    made = bank.made
    maker.make([c.replace(gain=1.3)], ROWS, 1, False, chunk=16)
    assert maker.sims[0].bank(c) is bank and bank.made == made + 1  # the output gradient
    other = c.replace(seed=1)
    maker.make([other], ROWS, 1, False, chunk=16)
    assert maker.sims[0].bank(other).made == c.depth + 1
