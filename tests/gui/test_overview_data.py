"""What the overview's heatmaps hold, checked against the core's own log histograms: every
layer's row is its share of values per global log₁₀|x| bin, on a span holding every layer's
values but the trimmed tails (gui/views/log_axis.py), drawn all layers at once."""

import math

import numpy as np
import pytest

from core import Config
from core.loghist import PER_DECADE
from core.simulate import Simulator, run_joint
from gui.views import log_axis
from gui.views.overview import Overview

CASES = [
    {"activation": "relu", "init": "he-normal"},
    {"activation": "tanh", "init": "normal", "std": 0.01},  # vanishing: decades to the left
    {"activation": "relu", "init": "zeros"},  # activations all zero: an empty log row
]


def reference_shares(log, first: int, count: int) -> np.ndarray:
    """One layer's shares, bin by bin, from its own counts (no array slicing tricks)."""
    out = np.zeros(count)
    for k in range(len(log.pos)):
        g = log.first + k
        if first <= g < first + count:
            out[g - first] = (log.pos[k] + log.neg[k]) / max(log.sampled, 1)
    return out


def core_span(h) -> tuple[int, int] | None:
    """One layer's global bins holding all but TRIM of its nonzero values at each end, [a, b)."""
    counts = h.counts
    total = counts.sum()
    if total == 0:
        return None
    cum = np.cumsum(counts)
    a = int(np.searchsorted(cum, log_axis.TRIM * total, side="right"))
    b = int(np.searchsorted(cum, (1 - log_axis.TRIM) * total, side="left")) + 1
    return h.first + a, h.first + max(b, a + 1)


def reference_ends(logs) -> tuple[int, int] | None:
    """The lowest start and highest end of every layer's core span, one layer at a time."""
    spans = [s for s in map(core_span, logs) if s is not None]
    return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: kw["init"])
def test_the_heatmap_rows_are_each_layers_log_histogram(qtbot, kw):
    snap = run_joint([Simulator()], [Config(depth=30, width=100, batch=64, **kw)], ("act", "grad"))
    view = Overview()
    qtbot.addWidget(view)
    view.present(snap[0])
    for row in ("act", "grad"):
        logs = [s.hists[row].log for s in snap[0].layers]
        first, count = view.log_span(row)
        ends = reference_ends(logs)
        if ends is not None:  # the span holds every layer's core, in whole decades
            assert first <= ends[0] and ends[1] <= first + count
            assert first % PER_DECADE == 0 and count % PER_DECADE == 0
        want = np.stack([reference_shares(h, first, count) for h in logs])
        with np.errstate(divide="ignore"):
            want = np.log10(np.maximum(want, 1e-5))
        got = view.image_data(row).T  # (layers, bins)
        empty = [h.sampled == 0 for h in logs]
        assert np.isnan(got[empty]).all()
        np.testing.assert_array_equal(got[~np.array(empty)], want[~np.array(empty)])
        assert math.isclose(view.plot("A", row).viewRange()[0][0], first / PER_DECADE)
