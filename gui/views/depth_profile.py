"""The CS231n plot, plus gradients: per layer, the activations' mean and std, and the gradients'
std on a log axis, where vanishing and exploding are straight lines."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from core.stats import Snapshot
from gui.theme import QUANTITY_COLORS

SIDE_STYLES = {"A": dict(width=2), "B": dict(width=2, style=Qt.PenStyle.DashLine)}


LOG_KEYS = ("grad_std", "weight_grad_std")


class DepthProfile(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.act_plot = self.addPlot(row=0, col=0, title="activations per layer")
        self.act_plot.addLegend(offset=(-5, 5))
        self.act_plot.setLabel("bottom", "layer")
        self.grad_plot = self.addPlot(row=1, col=0, title="gradient std per layer (log)")
        self.grad_plot.setLogMode(y=True)
        self.grad_plot.setLabel("bottom", "layer")
        self.grad_plot.addLegend(offset=(-5, 5))
        for p in (self.act_plot, self.grad_plot):
            p.showGrid(x=True, y=True, alpha=0.2)
            p.setMenuEnabled(False)
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._make_side("A")

    def _make_side(self, side: str) -> None:
        suffix = "" if side == "A" else " (B)"
        for key, plot, name, colour in (
            ("act_std", self.act_plot, "std", "act"),
            ("act_mean", self.act_plot, "mean", "preact"),
            ("grad_std", self.grad_plot, "∂L/∂a std", "grad"),
            ("weight_grad_std", self.grad_plot, "∂L/∂W std", "wgrad"),
        ):
            c = QUANTITY_COLORS[colour]
            pen = pg.mkPen(c, **SIDE_STYLES[side])
            self.curves[(side, key)] = plot.plot(
                name=name + suffix, pen=pen, symbol="o", symbolSize=5, symbolBrush=c
            )

    def show_theory(self, pred) -> None:
        """Dashed predicted std per layer (mean field), or nothing."""
        if not hasattr(self, "theory_curves"):
            pen_a = pg.mkPen(QUANTITY_COLORS["theory"], width=2, style=Qt.PenStyle.DotLine)
            self.theory_curves = {
                "act_std": self.act_plot.plot(name="std, theory", pen=pen_a),
                "grad_std": self.grad_plot.plot(name="∂L/∂a std, theory", pen=pen_a),
            }
        for key, curve in self.theory_curves.items():
            if pred is None:
                curve.setData([], [])
                continue
            x = np.array([lp.index for lp in pred.layers], dtype=float)
            y = np.array([getattr(lp, key) for lp in pred.layers], dtype=float)
            ok = np.isfinite(y) & (y > 0)
            curve.setData(x[ok], y[ok])

    def present(self, snap: Snapshot, side: str = "A") -> None:
        if (side, "act_std") not in self.curves:
            self._make_side(side)
        x = np.arange(1, len(snap.layers) + 1, dtype=float)
        for key in ("act_std", "act_mean", "grad_std", "weight_grad_std"):
            y = np.array([getattr(s, key) for s in snap.layers], dtype=float)
            ok = np.isfinite(y) & ((y > 0) if key in LOG_KEYS else True)
            # gaps (zeros on a log axis, overflow) are left out rather than drawn as NaN
            self.curves[(side, key)].setData(x[ok], y[ok])
        self.act_plot.setXRange(0.5, len(x) + 0.5, padding=0)
        self.grad_plot.setXRange(0.5, len(x) + 0.5, padding=0)

    def clear_side(self, side: str) -> None:
        for (s, _), curve in self.curves.items():
            if s == side:
                curve.setData([], [])

    def series(self, key: str, side: str = "A") -> tuple[np.ndarray, np.ndarray]:
        x, y = self.curves[(side, key)].getOriginalDataset()
        return np.asarray(x), np.asarray(y)
