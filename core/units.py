"""Which units of a layer are copies of each other (the symmetry question), and a small sample of
their activations for the units raster (issue #18).

Zero or constant weights give every unit of a layer the same incoming weights, so the same
activation on every example and the same gradient: they stay copies forever, and a 500-unit layer
is one unit. A tiny random draw breaks that. Counting copies compares each unit's incoming weight
column and activation column through two random projections each (a matrix-vector product, not a
sort of 500 columns of 1,500 values): two units whose projections agree within float rounding are
the same unit. A chance agreement of two distinct random units needs two projections to agree to
1e-4 at once; identical columns agree to float32 rounding (~1e-6).

A random draw (every frame of almost every scene) is told apart on W's first PROBE_ROWS rows: if
the units' weights already differ there, they differ, and the rest of W is not read (a frame's
ten 500 × 500 layers cost 0.3 ms instead of 2.7). Copies agree on those rows too, so a layer with
any two close units is counted on the whole of W and its activations, as before.
"""

from __future__ import annotations

import functools

import numpy as np

from core.network import Weights, as_weights

SAMPLE_UNITS = 48  # rows of the raster: enough to see texture, 12 kB a layer in float32
SAMPLE_EXAMPLES = 64
# projections of two units closer than this share of their typical size are the same unit
# (float32 matmuls of identical columns differ by ~1e-6; distinct random ones by ~1)
TOLERANCE = 1e-4
_PROJECTIONS = 2
PROBE_ROWS = 32  # W's rows (contiguous: 64 kB of a 500-unit layer) that tell a random draw apart


@functools.lru_cache(maxsize=8)
def _directions(n: int, dtype: str) -> np.ndarray:
    """Fixed random directions (n × 2): the same for every frame, so a count never flickers;
    positive, so that a column of +Inf projects to +Inf, not to Inf − Inf = NaN."""
    rng = np.random.default_rng(12345 + n)
    return rng.uniform(0.5, 1.5, (n, _PROJECTIONS)).astype(dtype)


def sample(a: np.ndarray) -> np.ndarray:
    """The first SAMPLE_UNITS units × SAMPLE_EXAMPLES examples of a layer's activations
    (examples × units), units as rows, float32, a copy (the layer's buffers are reused)."""
    return np.ascontiguousarray(a[:SAMPLE_EXAMPLES, :SAMPLE_UNITS].T, dtype=np.float32)


def _project(x: np.ndarray) -> np.ndarray:
    """Two projections of each column of x (rows: units), by BLAS in x's dtype, as float64."""
    with np.errstate(all="ignore"):
        return (x.T @ _directions(x.shape[0], x.dtype.name)).astype(np.float64)


def _split(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(kind, value): kind 0 finite, 1 NaN, 2 −Inf, 3 +Inf; value the finite part (else 0)."""
    finite = np.isfinite(f)
    kind = np.where(finite, 0, np.where(np.isnan(f), 1, np.where(f < 0, 2, 3)))
    return kind, np.where(finite, f, 0.0)


def _differs(kind: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Row i+1 differs from row i beyond rounding (in any column). Non-finite values are
    compared as what they are (NaN with NaN, +Inf with +Inf), finite ones within TOLERANCE of
    their column's root mean square."""
    top = np.max(np.abs(vals), axis=0)
    with np.errstate(all="ignore"):  # a column of zeros: scale 0, and only exact copies agree
        scale = top * np.sqrt(np.mean(np.square(vals / np.where(top > 0, top, 1.0)), axis=0))
    gap = np.abs(np.diff(vals, axis=0)) > TOLERANCE * scale
    return (gap | (np.diff(kind, axis=0) != 0)).any(axis=1)


def _apart(f: np.ndarray) -> bool:
    """No two units' projections agree (the common case, a random draw), for finite ones: what
    _count(f) == len(f) says, in a fraction of its time (it also sorts out NaN and ±Inf). The
    rows are sorted as complex numbers (by the first projection, one sort and no gather); only
    neighbours close in the first have their second compared."""
    if not np.isfinite(f).all():
        return False
    g = np.sort(np.ascontiguousarray(f, np.float64).view(np.complex128).reshape(-1))
    first, second = g.real, g.imag
    with np.errstate(all="ignore"):
        scale = np.sqrt(np.array([first @ first, second @ second]) / len(g))
        gaps = first[1:] - first[:-1]  # ≥ 0, sorted
        near = np.flatnonzero(gaps <= TOLERANCE * scale[0])
        return (
            not near.size
            or not (np.abs(second[near + 1] - second[near]) <= TOLERANCE * scale[1]).any()
        )


def _count(f: np.ndarray) -> int:
    """Distinct rows of f (units × projections), rows within rounding of each other counted once."""
    kind, vals = _split(f)
    order = np.lexsort((vals[:, 0], kind[:, 0]))  # copies sit next to each other
    return 1 + int(np.count_nonzero(_differs(kind[order], vals[order])))


def distinct(W: np.ndarray | Weights, a: np.ndarray) -> int:
    """How many different units a layer has: units with the same incoming weights and the same
    activations (within float rounding) count once. W is fan_in × units, a examples × units.
    Units whose weights differ on W's first PROBE_ROWS rows are all distinct: neither the rest
    of W nor their activations are read (a random draw's layer costs a PROBE_ROWS × 500
    matrix-vector product and a sort of 500 numbers). Always what whole_count(W, a) says."""
    slot = as_weights(W)  # (a layer's Weights left as k·base: only those rows are formed)
    units = slot.shape[1]
    if units and slot.shape[0] > PROBE_ROWS and _apart(_project(slot.rows(stop=PROBE_ROWS))):
        return units  # apart on some rows: apart on all of them
    return whole_count(slot.form(), a)


def whole_count(W: np.ndarray, a: np.ndarray) -> int:
    """distinct(W, a) from the whole of W (and, where two units' weights agree, a)."""
    units = W.shape[1]
    if units == 0:
        return 0
    fw = _project(W)
    if _apart(fw) or _count(fw) == units:
        return units
    return _count(np.hstack([fw, _project(a)]))


def measured(W: np.ndarray | Weights, a: np.ndarray) -> dict:
    """What a LayerStats carries of its units (stats.LayerStats.units_sample, distinct_units)."""
    return {"units_sample": sample(a), "distinct_units": distinct(W, a)}
