"""How many different units a layer has (issue #20): the seeds' first question, "why random, not
zero or constant?", answered as a count. Units whose incoming weights (and bias) are equal compute
the same function of the input, get the same gradient and stay equal under every optimizer step:
a layer of 64 copies is one unit, whatever its width. Equal means equal to float rounding: a
layer's units are compared on values rounded to RELATIVE of the layer's largest weight, so the
rounding of a GEMM's blocking cannot split copies, while any draw of a random init does.
"""

from __future__ import annotations

import numpy as np

RELATIVE = 1e-5  # float32 keeps 7 digits; a copy differs from its twin by a few ulps at most


def distinct_units(W: np.ndarray, b: np.ndarray | None = None) -> int:
    """The number of different columns of W (fan_in × fan_out; unit j's incoming weights are
    W[:, j]) with their biases; 0 for a layer with no units. Non-finite weights are one value."""
    cols = np.asarray(W, np.float64).T
    if b is not None:
        cols = np.column_stack([cols, np.asarray(b, np.float64)])
    if cols.size == 0:
        return int(cols.shape[0])
    with np.errstate(all="ignore"):
        finite = np.isfinite(cols)
        scale = np.max(np.abs(cols[finite])) if finite.any() else 1.0
        step = max(scale, np.finfo(np.float64).tiny) * RELATIVE
        keys = np.where(finite, np.round(cols / step), np.inf)
    return len(np.unique(keys, axis=0))
