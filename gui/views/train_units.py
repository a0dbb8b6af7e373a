"""Distinct units over training, in the training view's time series (issue #20): why random?

A unit whose incoming weights equal another's computes the same thing, gets the same gradient and
takes the same step: no optimizer separates them. Each recorded step counts every hidden layer's
units that are not copies (core/units.py, TrainRecord.distinct_units), one curve a layer: a net
initialised with a constant stays flat at 1 of 64 while it trains, a random draw at 64 of 64.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics

from gui.training_engine import TrainFrame
from gui.views.train_series import layer_colors

TITLE = "distinct units per layer"


class UnitsSeries:
    """The curves of one plot, registered in the views' `curves` as ("units", side, layer − 1)."""

    def __init__(self, plot: pg.PlotItem, curves: dict, styles: dict):
        self.plot = plot
        self.curves = curves
        self.styles = styles  # side → pen style (A solid, B dashed)
        self.width = 1

    def start(self, frame: TrainFrame) -> None:
        """A new run: a curve per hidden layer and side, y from 0 to the widest layer's units."""
        for key in [k for k in self.curves if k[0] == "units"]:
            self.plot.removeItem(self.curves.pop(key))
        widths = frame.a.latest.snapshot.config.widths[1:]
        n = len(frame.a.latest.distinct_units)
        self.width = max(widths[:n], default=1)
        colours = layer_colors(n + 1)[:n]  # each layer's colour in the ratio plots (+ the head)
        for side in "A" if frame.b is None else "AB":
            for i, colour in enumerate(colours):
                pen = pg.mkPen(colour, width=2 if side == "A" else 1.5, style=self.styles[side])
                curve = self.curves[("units", side, i)] = pg.PlotCurveItem(pen=pen)
                self.plot.addItem(curve)
        self.plot.setXRange(0, max(frame.a.steps, 1), padding=0.02)
        # room below 1 for its tick's label (a label that would cross the axis's end is hidden)
        self.plot.setYRange(-0.1 * self.width, 1.06 * self.width, padding=0)
        ticks = sorted({1, self.width // 2, self.width} - {0})  # 1 of N reads off the axis
        axis = self.plot.getAxis("left")
        axis.setTicks([[(t, str(t)) for t in ticks]])
        # the axis as wide as its widest number: fitted to what it drew before (a made-early
        # plot's default "0.2" ticks), it was wider in one build of the view than in another
        fm = QFontMetrics(axis.style["tickFont"] or axis.font())
        axis.setStyle(
            autoExpandTextSpace=False, tickTextWidth=fm.horizontalAdvance(str(ticks[-1])) + 4
        )

    def present(self, frame: TrainFrame) -> str:
        """Every layer's count at every record; the title that says the newest ones."""
        said = []
        for side, snap in (("A", frame.a), ("B", frame.b)):
            if snap is None or not snap.history.records:
                continue
            counts = snap.history.distinct()
            x = snap.history.steps().astype(np.float64)
            for i in range(counts.shape[1]):
                curve = self.curves.get(("units", side, i))
                if curve is not None:
                    curve.setData(x, counts[:, i].astype(np.float64))
            said.append(f"{side} {_range(counts[-1])}" if counts.size else f"{side} —")
        return f"{TITLE} (of {self.width}): " + ", ".join(said)


def _range(counts: np.ndarray) -> str:
    """'1' where every layer has the same count, else '1–64' (fewest to most)."""
    lo, hi = int(counts.min()), int(counts.max())
    return f"{lo}" if lo == hi else f"{lo}–{hi}"
