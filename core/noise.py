"""The seed's standard draws, cached so that sweeping σ or a gain rescales the same noise (the
animation shows the effect of the scale, not fresh noise), and bounded to what the config in use
reads (issue 17: one seed's draws of every shape once took a window to 2.9 GiB)."""

from __future__ import annotations

import math

import numpy as np

SPARE_BYTES = 32 * 2**20  # the most a bank keeps of draws its config does not read
MASK_ROWS_BYTES = 8 * 2**20  # a sparse mask's random keys are sorted this many bytes at a time


class NoiseBank:
    """Standard draws for one seed, made once and reused: (kind, key, shape) → read-only array.

    A draw read frame after frame is kept, which is what lets a sweep of σ or a gain rescale the
    same noise. What the config no longer reads goes: the Simulator brackets each frame with
    `begin`, where the draws of keys or shapes the new config has not go at once (an old net's
    noise is gone before the new one is drawn), and `end`, where the draws the frame did not read
    go, the least recently read first, until they hold at most `spare` bytes: so going back to the
    previous scheme costs no QR on a small net. A draw made during the frame first lets go of
    unread draws the same way, of kinds the frame has not read (another scheme's, not this one's
    later layers). Outside a frame nothing is let go."""

    def __init__(self, seed: int, dtype: np.dtype):
        self.seed, self.dtype = seed, np.dtype(dtype)
        # least recently read first, so the unread draws come before those read in this frame
        self._cache: dict[tuple, np.ndarray] = {}
        self._read: set[tuple] = set()  # keys read since `begin`
        self._kinds: set[str] = set()  # their kinds
        self._unread = 0  # bytes of the draws not in _read
        self._spare: float | None = None  # bytes of unread draws kept; None: no frame open
        self.made = 0  # draws made so far (a sweep makes none after its first frame)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._cache.values())

    def begin(self, wanted: set[tuple], spare: int) -> None:
        """A frame starts that may read the draws of these (key, shape) pairs, and no others."""
        for k in [k for k in self._cache if k[1:] not in wanted]:
            del self._cache[k]
        self._read.clear()
        self._kinds.clear()
        self._unread, self._spare = self.nbytes, spare

    def end(self) -> None:
        self._shed(frozenset())
        self._spare = None

    def _shed(self, keep: set[str] | frozenset) -> None:
        """Drop unread draws, least recently read first, while they hold more than the spare;
        stop at one of a kind in `keep`."""
        while self._spare is not None and self._unread > self._spare:
            k = next(iter(self._cache), None)
            if k is None or k in self._read or k[0] in keep:
                return
            self._unread -= self._cache.pop(k).nbytes

    def rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def _cached(self, kind: str, key: tuple[int, ...], shape, make, dtype=None) -> np.ndarray:
        k = (kind, key, tuple(shape))
        arr = self._cache.pop(k, None)
        if arr is None:
            self._shed(self._kinds | {kind})
            arr = make(self.rng(*key)).astype(dtype or self.dtype, copy=False)
            arr.flags.writeable = False
            self.made += 1
        elif k not in self._read:
            self._unread -= arr.nbytes
        self._cache[k] = arr  # now the most recently read
        self._read.add(k)
        self._kinds.add(kind)
        return arr

    def normal(self, key, shape):
        return self._cached("normal", key, shape, lambda r: r.standard_normal(shape, self.dtype))

    def uniform(self, key, shape):
        """U(−1, 1)."""
        return self._cached("uniform", key, shape, lambda r: r.uniform(-1.0, 1.0, shape))

    def truncated(self, key, shape):
        """N(0,1) with every draw beyond ±2 re-drawn (TF's truncated_normal). It starts from the
        plain draw of the key (the same numbers as `normal`), made again rather than kept: one
        array a weight, not two."""

        def make(r):
            z = self.rng(*key).standard_normal(shape, self.dtype)
            bad = _beyond_two(z)
            while bad.any():
                z[bad] = r.standard_normal(int(bad.sum()))
                bad = _beyond_two(z)
            return z

        return self._cached("truncated", key, shape, make)

    def orthogonal(self, key, shape):
        """PyTorch orthogonal_: QR of an N(0,1) matrix (transposed when wide), Q·sign(diag R)."""

        def make(r):
            fan_in, fan_out = shape
            rows, cols = fan_out, fan_in  # PyTorch's (out, in) layout
            a = r.standard_normal((max(rows, cols), min(rows, cols)))
            q, rr = np.linalg.qr(a)
            del a
            q *= np.sign(np.diag(rr))
            q = q if rows >= cols else q.T  # now (rows, cols)
            return q.T  # back to (in, out)

        return self._cached("orthogonal", key, shape, make)

    def sparse_mask(self, key, shape, sparsity: float):
        """PyTorch sparse_: per input unit, ceil(sparsity·fan_out) of its weights are zero. Kept
        as booleans (a quarter of a float32 array); the random keys are sorted a block of rows at
        a time, the same numbers as one sort of the whole (the generator fills rows in order)."""

        def make(r):
            fan_in, fan_out = shape
            zeros = math.ceil(sparsity * fan_out)
            mask = np.empty(shape, np.bool_)
            step = max(1, MASK_ROWS_BYTES // (16 * fan_out))  # a float64 key and an index each
            for i in range(0, fan_in, step):
                keys = r.random((min(step, fan_in - i), fan_out))
                np.greater_equal(np.argsort(keys, axis=1), zeros, out=mask[i : i + step])
            return mask

        return self._cached(f"sparse{sparsity!r}", key, shape, make, np.bool_)


def _beyond_two(z: np.ndarray) -> np.ndarray:
    """|z| > 2 as two byte masks, not a float |z| the size of the layer."""
    bad = z > 2.0
    bad |= z < -2.0
    return bad
