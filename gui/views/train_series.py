"""The training curves' conventions: the update:data rule of thumb, the ratios' span, a colour
per layer, and gaps for non-finite values."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

# CS231n notes (Karpathy), "Neural Networks Part 3", ratio of weights:updates: "a rough heuristic
# is that this ratio should be somewhere around 1e-3". A rule of thumb, so the label says so.
KARPATHY = -3.0
RATIO_SPAN = (-6.0, 0.5)


def layer_colors(n: int) -> list:
    """Dark (first layer) to light (head), so depth reads as shade."""
    cmap = pg.colormap.get("viridis")
    return [cmap.map(0.85 * i / max(n - 1, 1)) for i in range(n)]


def finite(a: np.ndarray) -> np.ndarray:
    """Non-finite values become gaps (the curve is drawn with connect='finite')."""
    out = np.asarray(a, np.float64)
    return np.where(np.isfinite(out), out, np.nan)
