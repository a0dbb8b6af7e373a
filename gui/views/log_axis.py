"""The histograms' value axes: which rows go on log₁₀|x|, the span a row shows there, round
ticks on either axis, and the activation's regions mapped onto it.

On log₁₀|x| a layer whose values shrink moves left and one whose values grow moves right, at any
scale: a 100-layer net's story fits one axis. The sign is kept as colour (the filled part of a
panel is the negative values), so the one curve still drifts as a whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.loghist import EMPTY, PER_DECADE, LogHist
from core.stats import Hist

GRADIENT_ROWS = frozenset({"grad", "wgrad"})
TRIM = 0.005  # a layer's span leaves out this share of its values at each end (sampling's tails)
MIN_DECADES = 3
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def on_log(x_axis: str, row: str, deep: bool = False) -> bool:
    """Whether `row` is drawn on log₁₀|x| in mode `x_axis` (gui/state.py X_AXES); `deep`: a
    layer × value heatmap, whose every row is, in "auto"."""
    if x_axis == "auto":
        return deep or row in GRADIENT_ROWS
    return x_axis == "log"


@dataclass(frozen=True, eq=False)
class Binned:
    """What a panel draws of one histogram: its x range, edges, shares per bin, the negative
    values' shares (log axis only) and the shares left and right of the range."""

    lo: float
    hi: float
    edges: np.ndarray
    shares: np.ndarray
    negative: np.ndarray | None
    under: float
    over: float
    zeros: float = 0.0  # exact zeros, left of any log axis


def linear(h: Hist, edges: np.ndarray | None = None) -> Binned:
    """h on its own bins; `edges` if the caller keeps them for h's range (np.linspace a panel a
    frame was a tenth of the grid's present, measured)."""
    n = max(h.sampled, 1)
    if edges is None or len(edges) != len(h.counts) + 1:
        edges = h.edges
    return Binned(h.lo, h.hi, edges, h.counts / n, None, h.underflow / n, h.overflow / n)


def logarithmic(h: LogHist, span: tuple[int, int], edges: np.ndarray | None = None) -> Binned:
    """h on the global bins span = (first, count); `edges` if the caller keeps them. A histogram
    made without its log part (h None) shows empty."""
    h = h if h is not None else EMPTY
    first, count = span
    pos, neg = h.on(first, count)
    n = max(h.sampled, 1)
    inside = int(pos.sum() + neg.sum())
    below = _count_below(h, first)
    if edges is None:
        edges = (first + np.arange(count + 1)) / PER_DECADE
    over = (h.sampled - h.zeros - inside - below) / n
    return Binned(
        first / PER_DECADE, (first + count) / PER_DECADE, edges,
        (pos + neg) / n, neg / n, below / n, over, h.zeros / n,
    )  # fmt: skip


def _count_below(h: LogHist, first: int) -> int:
    k = min(max(first - h.first, 0), len(h.pos))
    return int(h.pos[:k].sum() + h.neg[:k].sum())


def row_span(hists: list[LogHist], current: tuple[int, int] | None) -> tuple[int, int]:
    """(first bin, bin count) for one row: whole decades around every layer's core span, at
    least MIN_DECADES wide. The current span is kept while it holds them and they fill at least
    half of it, so the axis does not jitter from frame to frame."""
    ends = _core_ends([h for h in hists if h is not None and len(h.pos)])
    if ends is None:
        return current or (-2 * PER_DECADE, MIN_DECADES * PER_DECADE)
    a, b = ends
    if current is not None:
        c0, c1 = current[0], current[0] + current[1]
        if c0 <= a and b <= c1 and (b - a) >= 0.5 * (c1 - c0):
            return current
    lo, hi = math.floor(a / PER_DECADE), math.ceil(b / PER_DECADE)
    if hi - lo < MIN_DECADES:
        grow = MIN_DECADES - (hi - lo)
        lo, hi = lo - grow // 2 - grow % 2, hi + grow // 2
    return lo * PER_DECADE, (hi - lo) * PER_DECADE


def _core_ends(hists: list[LogHist]) -> tuple[int, int] | None:
    """The lowest start and highest end of the hists' core spans, all at once (one by one, a
    depth-200 heatmap's 400 were 5 ms of a drag frame's UI thread): a hist's core span is the
    global bins holding all but TRIM of its nonzero values at each end, [a, b)."""
    if not hists:
        return None
    first = min(h.first for h in hists)
    counts = counts_on(hists, first, max(h.first + len(h.pos) for h in hists) - first)
    cum = np.cumsum(counts, axis=1)
    total = cum[:, -1]
    has = total > 0
    if not has.any():
        return None
    cum, total = cum[has], total[has, None]
    a = np.count_nonzero(cum <= TRIM * total, axis=1)  # searchsorted(side="right")
    b = np.count_nonzero(cum < (1 - TRIM) * total, axis=1) + 1  # (side="left") + 1
    return first + int(a.min()), first + int(np.maximum(b, a + 1).max())


def stacked(hists: list[Hist], span: tuple[int, int] | None) -> tuple[np.ndarray, float, float]:
    """A heatmap's rows: every layer's shares per bin, (layers, bins), and the x range they
    share. On log₁₀|x| (a span), all layers at once on the span's global bins (one by one, 10 ms
    of a drag frame at depth 200); else each linear histogram's own bins, on -1 … 1 when their
    ranges differ (x is then the place in each layer's own range)."""
    if span is not None:
        logs = [h.log for h in hists]
        sampled = np.array([[max(lg.sampled if lg is not None else 0, 1)] for lg in logs])
        lo, hi = span[0] / PER_DECADE, (span[0] + span[1]) / PER_DECADE
        return counts_on(logs, *span) / sampled, lo, hi
    binned = [linear(h) for h in hists]
    own = len({(h.lo, h.hi) for h in hists}) > 1
    lo, hi = (-1.0, 1.0) if own else (binned[0].lo, binned[0].hi)
    return np.stack([d.shares for d in binned]), lo, hi


def counts_on(hists: list[LogHist | None], first: int, count: int) -> np.ndarray:
    """(layers, count): each histogram's values (either sign) on the global bins first …
    first+count-1, values outside them dropped; a missing histogram's row is zeros."""
    out = np.zeros((len(hists), count), np.int64)
    for i, h in enumerate(hists):
        if h is None:
            continue
        a, b = max(first, h.first), min(first + count, h.first + len(h.pos))
        if a < b:
            np.add(h.pos[a - h.first : b - h.first], h.neg[a - h.first : b - h.first],
                   out=out[i, a - first : b - first])  # fmt: skip
    return out


def power_label(decade: int) -> str:
    """10^k written as the room reads it: 0.01, 0.1, 1, 10, 100, then 10⁻³, 10³."""
    if -2 <= decade <= 2:
        return f"{10.0**decade:g}"
    return "10" + str(decade).translate(SUPERSCRIPT)


def decade_ticks(lo: float, hi: float, most: int = 3) -> list[tuple[float, str]]:
    """Whole decades inside (lo, hi), every 1, 2, 5, 10, … decades: at most `most` labels."""
    span = hi - lo
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        first = math.ceil(lo / step + 1e-9) * step
        ticks = [d for d in range(first, math.floor(hi), step) if lo < d < hi]
        if len(ticks) <= most and (ticks or step * 2 > span):
            return [(float(d), power_label(d)) for d in ticks]
    return []


def linear_ticks(lo: float, hi: float, most: int = 3) -> list[tuple[float, str]]:
    """Round values (1, 2 or 5 × 10^k apart) inside the range, not at its edges, zero always
    among them when the range holds it: at most `most` labels, short enough not to meet."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return []
    margin = 0.08 * span
    e = math.floor(math.log10(span))
    for step in (m * 10.0**k for k in (e - 1, e) for m in (1.0, 2.0, 5.0)):
        k0 = math.ceil((lo + margin) / step - 1e-9)
        k1 = math.floor((hi - margin) / step + 1e-9)
        if 0 < k1 - k0 + 1 <= most:
            return [(k * step, short(k * step)) for k in range(k0, k1 + 1)]
    return [(0.0, "0")] if lo < 0 < hi else []


def short(v: float) -> str:
    """A round tick value in as few characters as it takes: 0.02, 150, 2e5, -5e-4."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else "—"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.4g}"
    mantissa, exponent = f"{v:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def log_regions(regions, lo: float, hi: float) -> list[tuple[float, float]]:
    """An activation's regions (core/regions.py, on the row's values) on the log₁₀|x| axis
    [lo, hi]: a region holding 0 reaches the axis's left end; ReLU's off half is every negative
    value, which the fill shows already."""
    out = []
    for a, b, kind in regions:
        if kind == "off":
            continue
        mags = sorted(abs(v) for v in (a, b))
        top = math.log10(mags[1]) if math.isfinite(mags[1]) and mags[1] > 0 else hi
        bottom = lo if a <= 0 <= b or mags[0] == 0 else math.log10(mags[0])
        top = min(top, hi) if math.isfinite(top) else hi
        if top > bottom:
            out.append((max(bottom, lo), top))
    return out


def linear_regions(regions, lo: float, hi: float) -> list[tuple[float, float]]:
    """The regions clipped to a linear axis [lo, hi]."""
    out = [(max(a, lo), min(b, hi)) for a, b, _ in regions]
    return [(a, b) for a, b in out if b > a]
