"""A fully connected net in NumPy: each layer's backward rule sits next to its forward rule.

Buffers are allocated once per shape and reused, so a frame (forward, backward) allocates nothing.
Gradients are per example: the loss is the batch mean of ℓ_b, `grad_a`/`delta` hold ∂ℓ_b/∂a and
∂ℓ_b/∂h for each example b (the signal-propagation view), and `dW`, `db` are ∂L/∂W, ∂L/∂b of the mean.
"""

from __future__ import annotations

import numpy as np

from core import cancel
from core.activations import Activation


class Weights:
    """A layer's W, held as its array or, until something reads it, as a scaled draw k·base.

    A drag frame of a big net runs a few examples through weights it redraws on every tick: W =
    k·base (a gain or σ times the bank's draw) cost a pass that wrote all of W (200 MB at depth
    200 × width 500), read back by the matmuls. Its small-batch matmuls take k with base instead
    (core/fused.py Recorder.scaled), so W is left unwritten: `scaled` marks it so, and `form`
    writes it the first time anything reads W. Nets at other batches share one Weights (the
    drag net and the full-batch net), so a W one net left unwritten is formed for the other."""

    __slots__ = ("array", "base", "k", "sums")

    def __init__(self, array: np.ndarray):
        self.array = array
        self.base: np.ndarray | None = None  # with k: W = k·base, not yet written to array
        self.k = 1.0
        self.sums: tuple | None = None  # base and its Σ, Σ², max|·| (core/fused.py base_sums)

    def scaled(self, base: np.ndarray, k: float) -> None:
        self.base, self.k = base, k

    def form(self) -> np.ndarray:
        """array = k·base if it was left unwritten (the bits np.multiply and the scale_into
        kernel write alike), then the array."""
        if self.base is not None:
            np.multiply(self.base, self.k, out=self.array)
            self.base = None
        return self.array

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    def rows(self, step: int = 1, stop: int | None = None) -> np.ndarray:
        """W's rows [:stop:step], C-contiguous, the bits `form` writes, without writing the
        rest: what a pictured layer's weight histogram and unit count read (32 rows of a
        2048-wide layer; forming all of W wrote and read 16 MB each drag frame, 14 layers)."""
        part, base, k = slice(None, stop, step), self.base, self.k  # (read once)
        if base is None:
            return np.ascontiguousarray(self.array[part])
        out = np.empty(self.array[part].shape, self.array.dtype)
        return np.multiply(base[part], k, out=out)

    def written(self) -> np.ndarray:
        """The array, about to be overwritten whole: a pending k·base is dropped, not formed."""
        self.base = None
        return self.array


class Dense:
    """h = x @ W + b, a = φ(h)."""

    def __init__(
        self,
        fan_in: int,
        fan_out: int,
        batch: int,
        act: Activation,
        dtype,
        like: Dense | None = None,
    ):
        """like: a layer of the same shape whose W, b and gradients this one uses (Network)."""
        self.act = act
        if like is None:
            self.wslot = Weights(np.zeros((fan_in, fan_out), dtype))
            self.b = np.zeros(fan_out, dtype)
            # np.zeros, not zeros_like: calloc's pages are zeroed as first written, not all
            # at once (400 MB at depth 200 × width 500 cost 0.25 s before a first frame)
            self.dW = np.zeros((fan_in, fan_out), dtype)
            self.db = np.zeros(fan_out, dtype)
        else:
            self.wslot, self.b, self.dW, self.db = like.wslot, like.b, like.dW, like.db
        self.h, self.a, self.dphi, self.grad_a, self.delta = (
            np.zeros((batch, fan_out), dtype) for _ in range(5)
        )
        self.has_bias = False
        self.x: np.ndarray | None = None
        self.grad_key = None  # the seed of the output gradient grad_a holds (core.simulate)

    @property
    def W(self) -> np.ndarray:
        """The weights, written first if a small-batch frame left them as k·base (Weights)."""
        return self.wslot.form()

    @W.setter
    def W(self, value: np.ndarray) -> None:
        self.wslot.array, self.wslot.base = value, None

    def forward(self, x: np.ndarray, record=None) -> np.ndarray:
        """With `record` (core.fused.Recorder) φ' and the statistics' sums are its business: it
        leaves dphi unwritten where its kernels compute φ' again in backward."""
        self.x = x
        if record is None:
            np.matmul(x, self.W, out=self.h)
        else:
            record.forward_matmul(self, x)
        if self.has_bias:
            self.h += self.b
        self.act.f(self.h, self.a)
        if record is None:
            self.act.df(self.h, self.a, self.dphi)
        else:
            record.activate(self)
        return self.a

    def backward(
        self, below: Dense | None, ones: np.ndarray, bias_grads: bool = True, record=None
    ) -> None:
        """Reads self.grad_a (written by the layer above); writes dW, db and below.grad_a."""
        if record is None:
            np.multiply(self.grad_a, self.dphi, out=self.delta)
        else:
            record.delta(self)
        if record is None:
            np.matmul(self.x.T, self.delta, out=self.dW)
            self.dW *= 1.0 / len(self.delta)
        elif not record.wgrad_moments(self, 1.0 / len(self.delta)):  # (else dW is left unwritten)
            np.matmul(self.x.T, self.delta, out=self.dW)
            record.scale_dw(self, 1.0 / len(self.delta))
        if bias_grads:
            np.matmul(ones, self.delta, out=self.db)  # BLAS column sum: 3x faster than .sum(0)
            self.db *= 1.0 / len(self.delta)
        if below is None:
            return
        if record is None:
            np.matmul(self.delta, self.W.T, out=below.grad_a)
        else:
            record.backward_matmul(self, below.grad_a)

    def rows(self) -> tuple[np.ndarray, ...]:
        """The arrays behind the histogram rows preact, act, grad, wgrad (stats.ROWS)."""
        return self.h, self.a, self.grad_a, self.dW


class Network:
    """A stack of Dense layers with fixed shapes; activations may change without reallocating."""

    def __init__(
        self,
        widths: tuple[int, ...],
        acts: list[Activation],
        batch: int,
        dtype,
        like: Network | None = None,
    ):
        """like: a net of the same shapes at another batch, whose weights this one shares (see
        share_weights)."""
        self.widths, self.batch, self.dtype = widths, batch, np.dtype(dtype)
        self.x = np.zeros((batch, widths[0]), dtype)
        self.input_key = None  # the seed and distribution x holds (core.simulate)
        likes = like.layers if like is not None else [None] * len(acts)
        self.layers = [
            Dense(i, o, batch, a, dtype, same)
            for i, o, a, same in zip(widths[:-1], widths[1:], acts, likes, strict=True)
        ]
        self._ones = np.ones(batch, dtype)

    def share_weights(self, other: Network) -> None:
        """Use other's W, b and their gradients (a net of the same shapes at another batch): a
        frame draws W and writes ∂L/∂W afresh, and the two nets never run at once."""
        for mine, theirs in zip(self.layers, other.layers, strict=True):
            mine.wslot, mine.b, mine.dW, mine.db = theirs.wslot, theirs.b, theirs.dW, theirs.db

    def fits(self, widths, batch, dtype) -> bool:
        return (self.widths, self.batch, self.dtype) == (tuple(widths), batch, np.dtype(dtype))

    def forward(self, upto: int | None = None, done=None, record=None) -> np.ndarray:
        """`done(layer)` is called as each layer's outputs are final (core.simulate measures them
        then, beside the next layer's matmul); `record` goes to each layer (Dense.forward)."""
        a = self.x
        for layer in self.layers[:upto]:
            cancel.point()
            # a Recorder only reaches plain Dense layers (core.fused.fits); NormDense takes none
            a = layer.forward(a) if record is None else layer.forward(a, record)
            if done is not None:
                done(layer)
        return a

    def backward(self, bias_grads: bool = True, done=None, record=None) -> None:
        """Back-propagate from the top layer's grad_a, which the caller has set; `done(layer)` as
        each layer's gradients are final."""
        for i in range(len(self.layers) - 1, -1, -1):
            cancel.point()
            below = self.layers[i - 1] if i else None
            if record is None:
                self.layers[i].backward(below, self._ones, bias_grads)
            else:
                self.layers[i].backward(below, self._ones, bias_grads, record)
            if done is not None:
                done(self.layers[i])


def as_weights(W: np.ndarray | Weights) -> Weights:
    """A layer's Weights as they are, an array as Weights already formed."""
    return W if isinstance(W, Weights) else Weights(W)
