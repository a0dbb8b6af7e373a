"""Classification data for the training view: made offline from a seed, or loaded from a user file.

Every dataset is generated (or read), shuffled and split by a seed, then standardised with the
training split's statistics, so a given task and seed is the same data on every machine and the
inputs match the N(0, 1) assumption every init derivation makes. A task is one registry entry.
User files are untrusted: each failure is one DataError line that says what to fix.
"""

from __future__ import annotations

import csv
import itertools
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_FILE_BYTES = 1 << 30
MAX_CLASSES = 1000
MIN_ROWS = 4
STANDARDISED = "inputs standardised per feature to mean 0, std 1 (training-split statistics)"


class DataError(ValueError):
    """A data file that cannot be used; the message is one line a person can act on."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Standardised, split, read-only arrays; labels are 0 … n_classes−1."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    classes: tuple  # the original label of each class index (user files may use e.g. 3, 7)
    mean: np.ndarray  # what was subtracted …
    scale: np.ndarray  # … and divided by, per feature, to standardise
    note: str = STANDARDISED

    @property
    def width(self) -> int:
        return self.X_train.shape[1]

    def extent(self, pad: float = 0.1) -> tuple[tuple[float, float], ...]:
        """Per-feature (lo, hi) over all samples, padded: the axes of a 2-D boundary plot."""
        X = np.concatenate([self.X_train, self.X_test])
        lo, hi = X.min(axis=0), X.max(axis=0)
        m = pad * np.maximum(hi - lo, 1e-9)
        return tuple((float(a), float(b)) for a, b in zip(lo - m, hi + m, strict=True))


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    n_classes: int
    width: int | None  # None: the input width follows the network's first width
    n_default: int
    make: Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]]  # (rng, n, d)


def _spirals(rng, n, d):
    """Two interleaved arms, 1.75 turns each: the Playground's hardest toy."""
    y = np.arange(n) % 2
    t = np.sqrt(rng.uniform(0.0, 1.0, n)) * 3.5 * math.pi
    X = np.stack([t * np.cos(t + math.pi * y), t * np.sin(t + math.pi * y)], axis=1)
    return X + rng.normal(0.0, 0.3, X.shape), y


def _moons(rng, n, d):
    y = np.arange(n) % 2
    t = rng.uniform(0.0, math.pi, n)
    X = np.where(
        y[:, None] == 0,
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    return X + rng.normal(0.0, 0.1, X.shape), y


def _circles(rng, n, d):
    y = np.arange(n) % 2
    t = rng.uniform(0.0, 2.0 * math.pi, n)
    r = np.where(y == 0, 1.0, 0.5)
    X = r[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)
    return X + rng.normal(0.0, 0.08, X.shape), y


def _xor(rng, n, d):
    corner = rng.integers(0, 4, n)
    sx, sy = np.where(corner & 1, 1.0, -1.0), np.where(corner & 2, 1.0, -1.0)
    X = np.stack([sx, sy], axis=1) + rng.normal(0.0, 0.35, (n, 2))
    return X, (sx * sy < 0).astype(np.int64)


GAUSSIAN_CLASSES = 4


def _gaussians(rng, n, d):
    """Unit-covariance classes whose means sit ≈3.5 apart: linearly separable only in part."""
    means = rng.standard_normal((GAUSSIAN_CLASSES, d)) * (2.5 / math.sqrt(d))
    y = np.arange(n) % GAUSSIAN_CLASSES
    return means[y] + rng.standard_normal((n, d)), y


def _arc(cx, cy, rx, ry, a0, a1, k=10):
    """Points of an elliptic arc, angles in degrees, counter-clockwise as seen (y points down)."""
    t = np.radians(np.linspace(a0, a1, k + 1))
    return list(zip(cx + rx * np.cos(t), cy - ry * np.sin(t), strict=True))


# Strokes of each digit as polylines in a unit box (x right, y down).
GLYPHS = {
    0: [_arc(0.5, 0.5, 0.22, 0.34, 0, 360, 16)],
    1: [[(0.36, 0.28), (0.52, 0.15), (0.52, 0.85)]],
    2: [[*_arc(0.5, 0.34, 0.21, 0.19, 160, -30), (0.28, 0.85), (0.74, 0.85)]],
    3: [_arc(0.48, 0.32, 0.2, 0.17, 150, -90), _arc(0.48, 0.67, 0.22, 0.18, 90, -150)],
    4: [[(0.62, 0.85), (0.62, 0.15), (0.27, 0.62), (0.76, 0.62)]],
    5: [[(0.7, 0.15), (0.34, 0.15), (0.31, 0.47), *_arc(0.48, 0.65, 0.22, 0.19, 140, -150)]],
    6: [_arc(0.52, 0.56, 0.22, 0.4, 70, 195), _arc(0.5, 0.67, 0.2, 0.18, 0, 360, 14)],
    7: [[(0.27, 0.15), (0.73, 0.15), (0.42, 0.85)]],
    8: [_arc(0.5, 0.32, 0.17, 0.16, 0, 360, 12), _arc(0.5, 0.67, 0.21, 0.18, 0, 360, 14)],
    9: [_arc(0.5, 0.33, 0.2, 0.18, 0, 360, 14), [(0.7, 0.33), (0.68, 0.6), (0.55, 0.85)]],
}
DIGIT_SIDE = 16


def _segments(digit: int) -> np.ndarray:
    return np.array(
        [(p, q) for line in GLYPHS[digit] for p, q in itertools.pairwise(line)]
    )  # (S, 2 ends, 2 coords)


def _render(seg: np.ndarray, thick: np.ndarray) -> np.ndarray:
    """Anti-aliased strokes: intensity falls from 1 to 0 over one pixel at `thick` from a segment."""
    c = ((np.arange(DIGIT_SIDE) + 0.5) / DIGIT_SIDE).astype(np.float32)
    px, py = (g.reshape(1, -1, 1) for g in np.meshgrid(c, c))  # (1, P, 1)
    seg = seg.astype(np.float32)
    ax, ay = seg[:, None, :, 0, 0], seg[:, None, :, 0, 1]  # (n, 1, S)
    bx, by = seg[:, None, :, 1, 0] - ax, seg[:, None, :, 1, 1] - ay
    dx, dy = px - ax, py - ay  # (n, P, S)
    t = np.clip((dx * bx + dy * by) / np.maximum(bx * bx + by * by, 1e-12), 0.0, 1.0)
    dx -= t * bx
    dy -= t * by
    d = np.sqrt((dx * dx + dy * dy).min(axis=2)) * DIGIT_SIDE
    return np.clip(thick[:, None] - d + 0.5, 0.0, 1.0)


def _digits(rng, n, d):
    """16×16 glyphs, each drawn with its own shift, scale, slant, stroke width and pixel noise."""
    y = np.arange(n) % 10
    X = np.empty((n, DIGIT_SIDE * DIGIT_SIDE))
    for k in range(10):
        idx = np.flatnonzero(y == k)
        m = len(idx)
        seg = _segments(k)[None] - 0.5  # centred, (1, S, 2, 2)
        scale = rng.uniform(0.8, 1.1, (m, 1, 1, 1))
        slant = rng.uniform(-0.25, 0.25, (m, 1, 1))
        x = seg[..., 0] * scale[..., 0] - slant * seg[..., 1]
        yy = seg[..., 1] * scale[..., 0]
        shift = rng.uniform(-1.5, 1.5, (m, 1, 1, 2)) / DIGIT_SIDE
        pts = np.stack([x, yy], axis=-1) + 0.5 + shift
        X[idx] = _render(pts, rng.uniform(0.5, 1.2, m))
    return X + rng.normal(0.0, 0.1, X.shape), y


_REGISTRY = [
    Task("spirals", "two interleaved spirals (2-D)", 2, 2, 1000, _spirals),
    Task("moons", "two interleaving half-moons (2-D)", 2, 2, 1000, _moons),
    Task("circles", "a ring around a disc (2-D)", 2, 2, 1000, _circles),
    Task("xor", "Gaussian blobs at the four corners, XOR labels (2-D)", 2, 2, 1000, _xor),
    Task(
        "gaussians",
        f"{GAUSSIAN_CLASSES} unit-variance Gaussian classes, as wide as the network's input",
        GAUSSIAN_CLASSES,
        None,
        2000,
        _gaussians,
    ),
    Task(
        "digits",
        "procedural 16×16 digit glyphs 0–9 (shift, slant, stroke width, noise), 256 inputs",
        10,
        DIGIT_SIDE * DIGIT_SIDE,
        3000,
        _digits,
    ),
]
TASKS: dict[str, Task] = {t.name: t for t in _REGISTRY}


def make_task(
    name: str, *, width: int | None = None, n: int | None = None, seed: int = 0, test_frac=0.2
) -> Dataset:
    """`width` is used only by tasks whose input follows the network (gaussians)."""
    if name not in TASKS:
        raise DataError(f"task: got {name!r}; allowed: one of {', '.join(TASKS)}")
    task = TASKS[name]
    d = task.width or width or 2
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(11,)))
    X, y = task.make(rng, n or task.n_default, d)
    return split(name, X, y, seed, test_frac)


def split(name: str, X: np.ndarray, y: np.ndarray, seed: int, test_frac: float) -> Dataset:
    """Shuffle, hold out `test_frac`, standardise both with the training statistics."""
    classes, labels = np.unique(y, return_inverse=True)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(12,)))
    order = rng.permutation(len(X))
    n_test = min(max(1, round(test_frac * len(X))), len(X) - 1)
    test, train = order[:n_test], order[n_test:]
    mean = X[train].mean(axis=0)
    scale = X[train].std(axis=0)
    scale[scale == 0] = 1.0  # a constant feature stays 0 instead of dividing by zero

    def frozen(a):
        a = np.ascontiguousarray(a)
        a.flags.writeable = False
        return a

    return Dataset(
        name,
        frozen((X[train] - mean) / scale),
        frozen(labels[train].astype(np.int64)),
        frozen((X[test] - mean) / scale),
        frozen(labels[test].astype(np.int64)),
        len(classes),
        tuple(int(c) for c in classes),
        frozen(mean),
        frozen(scale),
    )


def load_file(
    path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, seed: int = 0, test_frac: float = 0.2
) -> Dataset:
    """A user's .npz (arrays X, y) or .csv (last column the integer label, optional header)."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file")
    size = p.stat().st_size
    _check_size(p, size, max_bytes, "file")
    readers = {".npz": _read_npz, ".csv": _read_csv}
    reader = readers.get(p.suffix.lower())
    if reader is None:
        raise DataError(f"{p.name}: expected a .npz (arrays X, y) or .csv file")
    X, y = reader(p, max_bytes)
    X, y = _validate(p.name, X, y)
    return split(p.stem, X, y, seed, test_frac)


def _check_size(p: Path, size: int, max_bytes: int, what: str) -> None:
    if size > max_bytes:
        raise DataError(
            f"{p.name}: {what} is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.1f} MiB limit"
        )


def _read_npz(p: Path, max_bytes: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        with zipfile.ZipFile(p) as z:  # compressed arrays: refuse by their declared size first
            _check_size(p, sum(i.file_size for i in z.infolist()), max_bytes, "uncompressed data")
        with np.load(p, allow_pickle=False) as f:
            missing = [k for k in ("X", "y") if k not in f.files]
            if missing:
                raise DataError(
                    f"{p.name}: needs arrays X and y; found {', '.join(f.files) or 'none'}"
                )
            return f["X"], f["y"]
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise DataError(f"{p.name}: not a readable .npz file ({e.__class__.__name__})") from None
    except ValueError as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"{p.name}: arrays must be numeric, not Python objects ({e})") from None


def _read_csv(p: Path, max_bytes: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        with p.open(newline="", encoding="utf-8") as f:
            rows = [(i, r) for i, r in enumerate(csv.reader(f), 1) if any(c.strip() for c in r)]
    except (UnicodeDecodeError, csv.Error) as e:
        raise DataError(
            f"{p.name}: not a readable UTF-8 CSV file ({e.__class__.__name__})"
        ) from None
    if rows and not _numeric(rows[0][1]):
        rows = rows[1:]  # a header line
    if not rows:
        raise DataError(f"{p.name}: no data rows")
    ncol = len(rows[0][1])
    data = np.empty((len(rows), ncol))
    for k, (line, row) in enumerate(rows):
        if len(row) != ncol:
            raise DataError(f"{p.name} line {line}: {len(row)} columns, expected {ncol}")
        for j, cell in enumerate(row):
            try:
                data[k, j] = float(cell)
            except ValueError:
                raise DataError(
                    f"{p.name} line {line}, column {j + 1}: {cell.strip()!r} is not a number"
                ) from None
    if ncol < 2:
        raise DataError(f"{p.name}: needs at least one feature column and a label column")
    return data[:, :-1], data[:, -1]


def _numeric(row: list[str]) -> bool:
    try:
        [float(c) for c in row]
    except ValueError:
        return False
    return True


def _validate(name: str, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if X.dtype.kind not in "biuf":
        raise DataError(f"{name}: X must be numeric; got dtype {X.dtype}")
    if y.dtype.kind not in "biuf":
        raise DataError(f"{name}: labels must be integers; got dtype {y.dtype}")
    if X.ndim != 2 or X.shape[1] < 1:
        raise DataError(f"{name}: X must be 2-D (samples, features); got shape {X.shape}")
    if y.ndim != 1 or len(y) != len(X):
        raise DataError(
            f"{name}: y must be 1-D with one label per row of X ({len(X)}); got {y.shape}"
        )
    if len(X) < MIN_ROWS:
        raise DataError(f"{name}: {len(X)} samples; need at least {MIN_ROWS}")
    X = X.astype(np.float64)
    bad = ~np.isfinite(X)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(
            f"{name}: X has {bad.sum()} NaN/Inf values (first at row {r + 1}, column {c + 1})"
        )
    yf = y.astype(np.float64)
    off = ~np.isfinite(yf) | (yf != np.round(yf))
    if off.any():
        i = int(np.argmax(off))
        raise DataError(f"{name}: labels must be integers; label {i + 1} is {y[i].item()!r}")
    classes = np.unique(yf)
    if not 2 <= len(classes) <= MAX_CLASSES:
        raise DataError(f"{name}: {len(classes)} distinct labels; need 2 to {MAX_CLASSES}")
    return X, yf.astype(np.int64)
