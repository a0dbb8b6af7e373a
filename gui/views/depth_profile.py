"""The CS231n plot, plus gradients: per layer, the activations' mean and std, and the gradients'
std on a log axis, where vanishing and exploding are straight lines."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

from core import fields
from core.stats import Snapshot, nice_ceil
from gui.theme import QUANTITY_COLORS
from gui.views import marks, unindexed

LEGEND_WIDTH = 112  # px: room right of each plot for its legend
SIDE_STYLES = {"A": dict(width=2), "B": dict(width=2, style=Qt.PenStyle.DashLine)}


# The curves are core/fields.py's with a legend: forward ones on the activation plot, backward
# ones (gradients) on the log plot. Colours are the quantity's; a new curve takes the plot's.
COLOURS = {"act_std": "act", "act_mean": "preact", "grad_std": "grad", "weight_grad_std": "wgrad"}
# Beyond this ratio of largest to smallest std (a residual net's 1e15, a vanishing net's 1e-7) a
# linear axis shows one side as a flat line at 0: the std goes on a log axis and the mean, which
# may be ≤ 0, is left off.
ACT_LOG_SPAN = 1e4
# beyond this many layers a marker a layer is a smear over the line (and, at depth 200, 10 ms
# of a drag frame's UI thread): the line alone
MARKERS_MAX_DEPTH = 40
ACT_TITLES = {False: "activations per layer", True: "activation std per layer (log; mean off)"}
GRAD_TITLES = {
    True: "gradient std per layer (log)",
    False: "gradients not computed (gradient row off: forward pass only)",
    # a big net's first layers, shown while the rest are drawn (core/preview.py)
    "pending": "gradients: once every layer is drawn",
}


def _linear_span(y: np.ndarray) -> tuple[float, float]:
    """From 0 (or below) to 1, 2 or 5 × 10^k with 8% of headroom: bounds that a sweep's data
    cross a few times, not every frame (each new range redrew the axis and every curve)."""
    lo, hi = min(0.0, float(y.min())), max(0.0, float(y.max()))
    if hi == lo:
        return lo, lo + 1.0
    return (-nice_ceil(-lo * 1.08) if lo < 0 else 0.0), (nice_ceil(hi * 1.08) if hi > 0 else 0.0)


def _log_span(y: np.ndarray) -> tuple[float, float]:
    """Whole decades, in log10 units (what a log-mode axis takes)."""
    lo, hi = np.log10(y.min()), np.log10(y.max())
    return float(np.floor(lo)), float(max(np.ceil(hi), np.floor(lo) + 1))


def _legend_beside(plot: pg.PlotItem) -> None:
    """The legend in a column of its own right of the view: inside it, it covered the curves'
    right end (the last layers, often what the room is asked to look at) in a short dock."""
    plot.layout.setColumnFixedWidth(2, LEGEND_WIDTH)  # the (hidden) right axis's column
    plot.legend = pg.LegendItem(offset=None, verSpacing=-6, labelTextSize="8pt")
    plot.legend.setParentItem(plot)
    plot.legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(0, 22))


class DepthProfile(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        unindexed(self)
        self.act_plot = self.addPlot(enableMenu=False, row=0, col=0, title="activations per layer")
        self.act_plot.setLabel("bottom", "layer")
        self.grad_plot = self.addPlot(enableMenu=False, row=1, col=0, title=GRAD_TITLES[True])
        self.grad_plot.setLogMode(y=True)
        self.grad_plot.setLabel("bottom", "layer")
        for p in (self.act_plot, self.grad_plot):
            _legend_beside(p)
            p.showGrid(x=True, y=True, alpha=0.2)
            p.enableAutoRange(
                y=False
            )  # ranges follow the data with hysteresis (_fit), not per frame
            for axis in ("left", "bottom"):
                p.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._yrange = {"act": (0.0, 0.0), "grad": (0.0, 0.0)}
        self._act_log = False
        self._depth = 0
        self._act_data: dict[str, dict[fields.Field, tuple[np.ndarray, np.ndarray]]] = {}
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.series_fields = fields.profile_fields()  # as they are when it is made
        self._act_attrs = {f.attr for f in self.series_fields if not f.backward}
        self._make_side("A")
        # nothing to see before the first snapshot: the empty plots' axes took 40-60 ms of the
        # launch, painted before the first frame could be, and all repainted when it came
        self.setUpdatesEnabled(False)

    def _make_side(self, side: str) -> None:
        suffix = "" if side == "A" else " (B)"
        for f in self.series_fields:
            plot = self.grad_plot if f.backward else self.act_plot
            c = QUANTITY_COLORS[COLOURS.get(f.attr, "grad" if f.backward else "act")]
            pen = pg.mkPen(c, **SIDE_STYLES[side])
            self.curves[(side, f.attr)] = plot.plot(
                name=f.legend + suffix,
                pen=pen,
                symbol=None if self._depth > MARKERS_MAX_DEPTH else "o",
                symbolSize=5,
                symbolBrush=marks.brush(c),  # one object a look (gui/views/marks.py)
                symbolPen=marks.pen(marks.DEFAULT_OUTLINE),
                dynamicRangeLimit=None,  # (see show_theory)
            )

    def show_theory(self, pred) -> None:
        """Dashed predicted std per layer (mean field), or nothing."""
        if not hasattr(self, "theory_curves"):
            pen_a = pg.mkPen(QUANTITY_COLORS["theory"], width=2, style=Qt.PenStyle.DotLine)
            # no dynamic range limit: with one, a new y range set every curve's data again
            # (markers rebuilt: 0.3 ms a curve, 2026-12-06) though the ranges always hold the data
            kw = dict(name="theory", pen=pen_a, dynamicRangeLimit=None)
            self.theory_curves = {
                "act_std": self.act_plot.plot(**kw),
                "grad_std": self.grad_plot.plot(**kw),
            }
        for key, curve in self.theory_curves.items():
            if pred is None:
                curve.setData([], [])
                continue
            x = np.array([lp.index for lp in pred.layers], dtype=float)
            y = np.array([getattr(lp, key) for lp in pred.layers], dtype=float)
            ok = np.isfinite(y) & (y > 0)
            curve.setData(x[ok], y[ok])
        self._fit()

    def present(self, snap: Snapshot, side: str = "A") -> None:
        if not self.updatesEnabled():
            self.setUpdatesEnabled(True)
        if (side, self.series_fields[0].attr) not in self.curves:
            self._make_side(side)
        x = np.arange(1, len(snap.layers) + 1, dtype=float)
        depth = max(len(snap.layers), getattr(snap.config, "depth", 0))  # layers still to come
        for f in self.series_fields:
            y = np.array([getattr(s, f.attr) for s in snap.layers], dtype=float)
            if not f.backward:
                self._act_data.setdefault(side, {})[f] = (x, y)
                continue
            ok = np.isfinite(y) & (y > 0)  # the gradient plot's log axis
            # gaps (zeros on a log axis, overflow) are left out rather than drawn as NaN
            self.curves[(side, f.attr)].setData(x[ok], y[ok])
        self._show_activations(side)
        if side == "A":
            computed = any(np.isfinite(s.grad_std) for s in snap.layers)
            computed = computed or ("pending" if len(snap.layers) < depth else False)
            if self.grad_plot.titleLabel.text != GRAD_TITLES[computed]:
                # setTitle relayouts the plot even with the same text: its axes were redrawn
                # on every frame (4 axis pictures a frame in an animation, measured)
                self.grad_plot.setTitle(GRAD_TITLES[computed])
        if depth != self._depth:  # a range set anew tells every curve of both plots
            if (depth > MARKERS_MAX_DEPTH) != (self._depth > MARKERS_MAX_DEPTH):
                for curve in self.curves.values():
                    curve.setSymbol(None if depth > MARKERS_MAX_DEPTH else "o")
            self._depth = depth
            self.act_plot.setXRange(0.5, depth + 0.5, padding=0)
            self.grad_plot.setXRange(0.5, depth + 0.5, padding=0)
        self._fit()

    def clear_side(self, side: str) -> None:
        if side not in self._act_data:  # nothing of it shown (the window asks on every frame)
            return
        for (s, _), curve in self.curves.items():
            if s == side:
                curve.setData([], [])
        self._act_data.pop(side, None)
        self._show_activations()
        self._fit()

    def _show_activations(self, side: str | None = None) -> None:
        """The activation curves of `side` (every side's if the axis changes), on a log axis
        when their stds span more than ACT_LOG_SPAN (decided over both sides, so A and B share
        one axis); a signed one (the mean) is left off a log axis."""
        stds = [y for d in self._act_data.values() for f, (_, y) in d.items() if not f.signed]
        ys = np.concatenate(stds) if stds else np.zeros(0)
        ys = ys[np.isfinite(ys) & (ys > 0)]
        log = bool(ys.size) and bool(ys.max() > ACT_LOG_SPAN * ys.min())
        if log != self._act_log:
            self._act_log = log
            for (_, attr), curve in self.curves.items():  # not log-transformed on the way: a
                if attr in self._act_attrs:  # mean below 0 became all NaN ("All-NaN slice")
                    curve.setData([], [])
            self.act_plot.setLogMode(y=log)
            self.act_plot.setTitle(ACT_TITLES[log])
            self._yrange["act"] = (0.0, 0.0)
            side = None
        for s, data in self._act_data.items():
            if side is not None and s != side:  # the other side's curves are as they were
                continue
            for f, (x, y) in data.items():
                ok = np.isfinite(y) & ((y > 0) if log else True)
                if log and f.signed:
                    ok[:] = False
                self.curves[(s, f.attr)].setData(x[ok], y[ok])

    def _fit(self) -> None:
        """y ranges that hold every curve, grown at once and shrunk only when the data fill less
        than half of them: an animation's axes stay still (no autorange on every frame)."""
        theory = getattr(self, "theory_curves", {})
        for name, plot, log in (
            ("act", self.act_plot, self._act_log),
            ("grad", self.grad_plot, True),
        ):
            ys = [
                np.asarray(c.getOriginalDataset()[1])
                for c in [*self.curves.values(), *theory.values()]
                if c.getViewBox() is plot.vb and c.getOriginalDataset()[1] is not None
            ]
            ys = np.concatenate(ys) if ys else np.zeros(0)
            ys = ys[np.isfinite(ys) & ((ys > 0) if log else True)]
            if ys.size == 0:
                continue
            lo, hi = _log_span(ys) if log else _linear_span(ys)
            cur_lo, cur_hi = self._yrange[name]
            inside = cur_lo <= lo and hi <= cur_hi
            if not inside or (hi - lo) < 0.5 * (cur_hi - cur_lo):
                self._yrange[name] = (lo, hi)
                plot.setYRange(lo, hi, padding=0)

    def series(self, key: str, side: str = "A") -> tuple[np.ndarray, np.ndarray]:
        x, y = self.curves[(side, key)].getOriginalDataset()
        return np.asarray(x), np.asarray(y)
