"""A chunked frame's batch draws, as the one-shot frame's (core/simulate.py reads them from the
bank whole): the input drawn a chunk's rows at a time, the output gradient after the weights."""

from __future__ import annotations

import numpy as np

from core.config import Config


class BatchInput:
    """The whole batch's input, the one-shot frame's draws (core/simulate.py reads the bank's
    (1,) draw), drawn a block of rows at a time as the chunks ask for them: the batch's 2 M draws
    at width 2048 took 40-45 ms before the first layer could be shown, and its first chunk needs
    44 rows. The generator fills rows in order, so the blocks are that draw's rows bit for bit."""

    def __init__(self, bank, c: Config):
        self.kind, self.dtype = c.input, np.dtype(c.dtype)
        self.rows = np.empty((c.batch, c.widths[0]), self.dtype)
        self.filled = 0
        self._rng = bank.rng(1)

    def __getitem__(self, rows: slice) -> np.ndarray:
        self._fill(len(self.rows) if rows.stop is None else rows.stop)
        return self.rows[rows]

    def _fill(self, upto: int) -> None:
        upto = min(upto, len(self.rows))
        if upto <= self.filled:
            return
        block = self.rows[self.filled : upto]
        if self.kind == "normal":
            self._rng.standard_normal(block.shape, self.dtype, out=block)
        else:  # as the bank's uniform: U(−1, 1) in float64, then cast
            block[...] = self._rng.uniform(-1.0, 1.0, block.shape)
            if self.kind == "positive":  # U(0, 1)
                block += 1.0
                block *= 0.5
        self.filled = upto


def batch_output(bank, c: Config) -> np.ndarray:
    """The whole batch's output gradient (gaussian) or targets (mse), as the one-shot frame's;
    drawn after the weights, which the first layers' preview does not wait for."""
    out = (2,) if c.grad_source == "gaussian" else (4,)
    return bank.normal(out, (c.batch, c.widths[-1]))
