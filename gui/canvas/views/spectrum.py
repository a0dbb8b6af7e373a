"""Dynamical isometry, seen (issue #19): the singular values of the input-output Jacobian.

A histogram of log₁₀ σ over a few examples' J = ∂a_L/∂x, for A and B: orthogonal weights at the
critical point keep them in a narrow band around 1 (an isometry), Gaussian ones spread them over
decades, and ReLU cannot be isometric at all. Mean field's root mean square σ (from χ₁, theory
module) is the grey dashed line; the legend gives the measured mean σ² beside it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from core import jacobian
from gui.canvas import style
from gui.canvas.probe_view import ProbeView

BINS = 40


class SpectrumView(ProbeView):
    KIND = "jacobian"

    def build(self) -> None:
        self.plot = self.titled_plot("Jacobian singular values")
        self.plot.setLogMode(x=True, y=False)
        self.curves = {s: self.plot.plot() for s in ("A", "B")}
        self.theory = {s: pg.InfiniteLine(angle=90, movable=False) for s in ("A", "B")}
        for line in self.theory.values():
            self.plot.addItem(line)

    def restyle(self) -> None:
        style.style_axes(self.plot, self.sizes, "singular value σ of ∂a_L/∂x", "share of values")

    def draw(self) -> None:
        s = self.sizes
        values = {side: self.value(side) for side in ("A", "B")}
        # a singular value of exactly 0 (a dead net's Jacobian) has no place on a log axis
        logs = [
            np.log10(sv[np.isfinite(sv) & (sv > 0)])
            for sv in (v.singular_values for v in values.values() if v is not None)
        ]
        pooled = np.concatenate(logs) if logs else np.empty(0)
        lo, hi = (pooled.min(), pooled.max()) if pooled.size else (-1.0, 1.0)
        lo, hi = min(lo, -0.5), max(hi, 0.5)
        edges = np.linspace(lo, hi, BINS + 1)
        for side, value in values.items():
            color = style.side_color(side)
            line = self.theory[side]
            if value is None:
                self.curves[side].setData([], [])
                line.hide()
                style.set_title(self.legends[side], self._waiting(side), s)
                continue
            sv = value.singular_values.ravel()
            finite = np.log10(sv[np.isfinite(sv) & (sv > 0)])
            counts = np.histogram(finite, edges)[0] / max(sv.size, 1)
            self.curves[side].setData(
                10.0**edges,
                counts,
                stepMode="center",
                pen=style.pen(color, s),
                fillLevel=0,
                brush=pg.mkBrush(color + "40"),
            )
            want = value.mean_sq_theory
            line.setVisible(bool(want is not None and np.isfinite(want) and want > 0))
            if line.isVisible():
                line.setPos(0.5 * np.log10(want))
                line.setPen(style.pen(style.theory_grey(), s, dashed=True))
            style.set_title(self.legends[side], self._legend(side, value), s, color)
        self.plot.setXRange(lo, hi, padding=0.02)
        k = self.params[0]
        style.set_title(
            self.header,
            f"singular values of the input-output Jacobian over {k} examples; - - mean field's rms",
            s,
        )

    def _waiting(self, side: str) -> str:
        r = self.results.get(side)
        if r is not None and r.error:
            return f"{side}: {r.error}"
        return f"{side}: computing…" if side in self._asked else ""

    @staticmethod
    def _legend(side: str, value) -> str:
        want = value.mean_sq_theory
        theory = f" (mean field {want:.3g})" if want is not None and np.isfinite(want) else ""
        width = jacobian.spectral_width(value.singular_values)
        spread = f"{width:.2g} decades" if np.isfinite(width) else "not finite"
        return f"{side}: mean σ² = {value.mean_sq:.3g}{theory};  10–90% of σ within {spread}"
