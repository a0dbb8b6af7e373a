"""Finite width, seen (issue #19): the spread of a statistic across seeds, beside mean field.

Mean field is a statement about infinitely wide nets. K seeds of the same config give K nets;
their activation std per layer is drawn as a band (lowest to highest seed) with the seeds' mean,
for A and B, and mean field's curve grey dashed: at width 500 the band is a line on the theory,
at width 16 it is wide.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from core import prediction
from gui.canvas import style
from gui.canvas.probe_view import ProbeView

FIELD = "act_std"


class SeedsView(ProbeView):
    KIND = "seeds"

    def build(self) -> None:
        self.plot = self.titled_plot("std across seeds")
        self.plot.setLogMode(x=False, y=True)
        self.lo, self.hi, self.mean, self.theory, self.band = {}, {}, {}, {}, {}
        for side in ("A", "B"):
            self.lo[side], self.hi[side] = pg.PlotDataItem(), pg.PlotDataItem()
            for edge in (self.lo[side], self.hi[side]):  # in the plot: its log axis maps them
                edge.setPen(None)
                self.plot.addItem(edge)
            self.band[side] = pg.FillBetweenItem(self.lo[side], self.hi[side])
            self.plot.addItem(self.band[side])
            self.mean[side] = self.plot.plot()
            self.theory[side] = self.plot.plot()

    def restyle(self) -> None:
        style.style_axes(self.plot, self.sizes, "layer", "activation std")

    def draw(self) -> None:
        s = self.sizes
        for side in ("A", "B"):
            value = self.value(side)
            if value is None:
                for item in (self.lo[side], self.hi[side], self.mean[side], self.theory[side]):
                    item.setData([], [])
                waiting = "computing…" if side in self._asked else ""
                style.set_title(self.legends[side], f"{side}: {waiting}" if waiting else "", s)
                continue
            color = style.side_color(side)
            spreads = [layer[FIELD] for layer in value.layers]
            x = np.arange(1, len(spreads) + 1)
            lo, hi, mean = (
                np.array([getattr(p, k) for p in spreads]) for k in ("lo", "hi", "mean")
            )
            ok = np.isfinite(lo) & np.isfinite(hi) & (lo > 0)
            self.lo[side].setData(x[ok], lo[ok])
            self.hi[side].setData(x[ok], hi[ok])
            self.band[side].setBrush(pg.mkBrush(color + "55"))
            self.band[side].setPen(None)
            self.mean[side].setData(x[ok], mean[ok], pen=style.pen(color, s))
            pred = prediction.predict(self.results[side].config)
            want = np.array([lp.act_std for lp in pred.layers]) if pred is not None else x[:0]
            good = np.isfinite(want) & (want > 0)
            self.theory[side].setData(
                x[: len(want)][good], want[good], pen=style.pen(style.theory_grey(), s, dashed=True)
            )
            style.set_title(self.legends[side], self._legend(side, value, lo, hi), s, color)
        self._ticks()
        k = self.params[0]
        style.set_title(
            self.header,
            f"{k} seeds of each: band from lowest to highest, - - mean field (width → ∞)",
            s,
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if hasattr(self, "plot"):  # a resize comes while the view is built
            self._ticks()  # their spacing is in pixels

    def _ticks(self) -> None:
        """Round values (1, 2, 5, or every digit in a narrow range) at least a line and a half
        apart: pyqtgraph's own log ticks put 0.6 and 0.7 on top of each other at 720p."""
        self.plot.enableAutoRange()
        (lo, hi) = self.plot.vb.childrenBounds()[1] or (None, None)
        if lo is None or not np.isfinite([lo, hi]).all():
            self.plot.getAxis("left").setTicks(None)
            return
        lo, hi = lo - 0.05, hi + 0.05
        room = max(self.plot.vb.height(), 1.0) / max(hi - lo, 1e-9)  # pixels per decade
        need = 1.8 * self.sizes.px("tick") / room  # decades between two labels
        ticks, last = [], -np.inf
        for digits in ((1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9)):
            values = [m * 10.0**k for k in range(math.floor(lo), math.ceil(hi) + 1) for m in digits]
            ticks, last = [], -np.inf
            for v in sorted(values):
                at = math.log10(v)
                if lo <= at <= hi and at - last >= need:
                    ticks.append((at, f"{v:g}"))
                    last = at
            if len(ticks) >= 3:
                break
        self.plot.getAxis("left").setTicks([ticks])

    def _legend(self, side: str, value, lo: np.ndarray, hi: np.ndarray) -> str:
        width = self.results[side].config.width
        with np.errstate(all="ignore"):
            ratio = np.nanmax(hi / lo) if len(lo) else np.nan
        spread = f"seeds differ up to ×{ratio:.3g}" if np.isfinite(ratio) else "not finite"
        return f"{side}: width {width};  at one layer the {len(value.seeds)} {spread}"
