"""A and B of a training race on one set of bins: each side's records are binned on its own
fixed range, and a comparison needs both on the union of the two (counts kept, split evenly where
a new bin straddles old ones)."""

from __future__ import annotations

import dataclasses

import numpy as np

from core.stats import Hist, Snapshot


def rebin(h: Hist, lo: float, hi: float, bins: int) -> Hist | None:
    """h's counts on other bins, each bin's count spread evenly over its width (linear CDF).
    Two trainers measure on their own ranges; the grid overlays B only on A's bins."""
    if not all(np.isfinite((h.lo, h.hi, lo, hi))) or h.hi <= h.lo:
        return None
    cum = np.concatenate([[0.0], np.cumsum(h.counts, dtype=np.float64)])
    cdf = np.interp(np.linspace(lo, hi, bins + 1), h.edges, cum)
    return Hist(
        lo,
        hi,
        np.diff(cdf),
        h.underflow + cdf[0],
        h.overflow + cum[-1] - cdf[-1],
        h.sampled,
        h.log,  # on the log axis's global bins already
    )


def shared_bins(a: Snapshot, b: Snapshot) -> tuple[Snapshot, Snapshot]:
    """Both sides on one set of bins per panel (the union of their ranges, A's bin count), as the
    window's own comparison has: two trainers measure on their own ranges, and the grid overlays
    B only on A's bins."""
    layers_a, layers_b = list(a.layers), list(b.layers)
    for i, (sa, sb) in enumerate(zip(a.layers, b.layers, strict=False)):
        hists_a, hists_b = dict(sa.hists), {}
        for row, ha in sa.hists.items():
            hb = sb.hists.get(row)
            if hb is None:
                continue
            lo, hi, n = min(ha.lo, hb.lo), max(ha.hi, hb.hi), len(ha.counts)
            ra, rb = rebin(ha, lo, hi, n), rebin(hb, lo, hi, n)
            if ra is not None and rb is not None:
                hists_a[row], hists_b[row] = ra, rb
        layers_a[i] = dataclasses.replace(sa, hists=hists_a)
        layers_b[i] = dataclasses.replace(sb, hists=hists_b)
    return (
        Snapshot(a.config, tuple(layers_a), a.compute_ms),
        Snapshot(b.config, tuple(layers_b), b.compute_ms),
    )
