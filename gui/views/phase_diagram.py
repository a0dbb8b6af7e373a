"""Order-to-chaos phase diagram (init-theory.md §3): where the current init sits in (σ_w², σ_b²).

Colour is the correlation depth ξ_c, the number of layers over which two inputs stay told apart; it
diverges on the χ₁ = 1 line, the edge of chaos, which is drawn on top. The grid is recomputed only
when the activation changes (≈40 ms); moving the dot and rewording the label are all a new state
costs. A click asks for that (σ_w², σ_b²) through `picked`; the window decides what it means.
All numbers come from core.theory.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core import phase, theory
from gui.views import unindexed

COLORMAP = "cividis"  # colour-blind safe, and not the overview's viridis: a different quantity
XI_TICKS = (0.5, 1, 2, 5, 10, 20, 50)  # ξ_c in layers, shown on a log scale
XI_RANGE = (math.log10(XI_TICKS[0]), math.log10(XI_TICKS[-1]))
EDGE_COLOR = "#000000"
INSET = 0.015  # an off-chart dot sits this share of the axis inside the edge, fully visible


class PhaseDiagram(QWidget):
    picked = Signal(float, float)  # (σ_w², σ_b²) under a click

    def __init__(self, parent=None):
        super().__init__(parent)
        self._grid: phase.PhaseGrid | None = None
        self._state: tuple[str, float, float] | None = None
        self.plot_widget = pg.PlotWidget(enableMenu=False)
        unindexed(self.plot_widget)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot_widget, stretch=1)
        layout.addWidget(self.label)
        self._build()

    # ----------------------------------------------------------------- API
    @property
    def grid(self) -> phase.PhaseGrid | None:
        return self._grid

    @property
    def plot(self) -> pg.PlotItem:
        return self.plot_widget.getPlotItem()

    def set_state(
        self,
        activation: str,
        sigma_w2: float,
        sigma_b2: float,
        grid: phase.PhaseGrid | None = None,
    ) -> None:
        """`grid`: the activation's phase grid, computed off the UI thread (the window's engine
        sends it); without it the diagram computes its own."""
        if self._grid is None or self._grid.activation != activation:
            ok = grid is not None and grid.activation == activation
            self._show_grid(grid if ok else phase.phase_grid(activation))
        self._state = (activation, sigma_w2, sigma_b2)
        x, y = self._on_chart(sigma_w2, sigma_b2, inset=INSET)
        inside = (x, y) == (sigma_w2, sigma_b2)
        self.dot.setData([x], [y], symbol="o" if inside else _edge_symbol(sigma_w2, sigma_b2))
        self.label.setText(self._describe(activation, sigma_w2, sigma_b2, inside))
        self.label.setMinimumHeight(self.label.sizeHint().height())  # never clip the regime line
        self.layout().activate()

    def dot_position(self) -> tuple[float, float]:
        xs, ys = self.dot.getData()
        return float(xs[0]), float(ys[0])

    def contour_data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.contour.getData()
        return np.asarray(x), np.asarray(y)

    # ----------------------------------------------------------- internals
    def _build(self) -> None:
        p = self.plot
        p.setMouseEnabled(x=False, y=False)
        p.hideButtons()
        p.setLabel("bottom", "σ_w² = fan_in·Var(w)")
        p.setLabel("left", "σ_b² (bias variance)")
        for side in ("left", "bottom"):
            p.getAxis(side).enableAutoSIPrefix(False)  # "×0.001" would hide the real σ_b²
        # σ_b² = 0 is the commonest state and lies on the axis: let the dot overhang it
        p.vb.setFlag(p.vb.GraphicsItemFlag.ItemClipsChildrenToShape, False)
        p.setTitle("order ↔ chaos: colour = ξ_c, layers a correlation survives", size="10pt")
        cmap = pg.colormap.get(COLORMAP)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(cmap)
        p.addItem(self.image)
        self.bar = pg.ColorBarItem(
            values=XI_RANGE, colorMap=cmap, label="ξ_c (layers)", interactive=False, width=14
        )
        self.bar.setImageItem(self.image, insert_in=p)
        self.bar.axis.setTicks([[(math.log10(v), f"{v:g}") for v in XI_TICKS]])
        # black on cividis's yellow ridge, where ξ_c diverges along the line
        self.contour = p.plot([], [], pen=pg.mkPen(EDGE_COLOR, width=2.5), connect="finite")
        self.ordered_text = pg.TextItem("ordered", color="#FFFFFF", anchor=(0, 0))
        self.chaotic_text = pg.TextItem("chaotic", color="#202020", anchor=(1, 0))
        self.edge_text = pg.TextItem(
            "χ₁ = 1: edge of chaos", color=EDGE_COLOR, anchor=(0, 0.5), fill=(255, 255, 255, 190)
        )
        for item in (self.ordered_text, self.chaotic_text, self.edge_text):
            item.setZValue(5)
            p.addItem(item, ignoreBounds=True)
        self.dot = pg.ScatterPlotItem(
            size=14, pen=pg.mkPen("#000000", width=2), brush=pg.mkBrush("#FFFFFF")
        )
        self.dot.setZValue(10)
        p.addItem(self.dot)
        p.scene().sigMouseClicked.connect(self._clicked)

    def _show_grid(self, g: phase.PhaseGrid) -> None:
        self._grid = g
        with np.errstate(divide="ignore"):
            logxi = np.log10(np.clip(g.xi_c, 10 ** XI_RANGE[0], 10 ** XI_RANGE[1]))
        # q* = ∞ (ReLU-like φ beyond the edge): no fixed point to colour; left blank and named
        logxi[~np.isfinite(g.q_star)] = np.nan
        self.image.setImage(logxi, autoLevels=False, levels=XI_RANGE)
        dx = (g.sigma_w2[-1] - g.sigma_w2[0]) / (len(g.sigma_w2) - 1)
        dy = (g.sigma_b2[-1] - g.sigma_b2[0]) / (len(g.sigma_b2) - 1)
        self.image.setRect(
            QRectF(
                g.sigma_w2[0] - dx / 2,
                g.sigma_b2[0] - dy / 2,
                dx * len(g.sigma_w2),
                dy * len(g.sigma_b2),
            )
        )
        rect = self.image.mapRectToParent(self.image.boundingRect())
        self.plot.setRange(rect=rect, padding=0)  # unclipped: the image must fill the axes exactly
        self.contour.setData(g.critical_sigma_w2, g.sigma_b2)
        self._place_region_labels(g)

    def _place_region_labels(self, g: phase.PhaseGrid) -> None:
        """Name a region only where it exists on the chart (sigmoid is ordered everywhere)."""
        top = g.sigma_b2[-1]
        self.ordered_text.setPos(g.sigma_w2[0], top)
        self.ordered_text.setVisible(bool(g.chi1[-1, 0] < 1))
        self.chaotic_text.setPos(g.sigma_w2[-1], top)
        self.chaotic_text.setVisible(bool(g.chi1[-1, -1] > 1))
        self.chaotic_text.setText(
            "chaotic: q* = ∞, signals blow up" if math.isinf(g.q_star[-1, -1]) else "chaotic"
        )
        finite = np.flatnonzero(np.isfinite(g.critical_sigma_w2))
        self.edge_text.setVisible(finite.size > 0)
        if finite.size:
            k = finite[len(finite) // 2]
            self.edge_text.setPos(g.critical_sigma_w2[k] + 0.12, g.sigma_b2[k])

    @staticmethod
    def _on_chart(sw2: float, sb2: float, inset: float = 0.0) -> tuple[float, float]:
        return _clamp(sw2, phase.SW2_RANGE, inset), _clamp(sb2, phase.SB2_RANGE, inset)

    @staticmethod
    def _describe(activation: str, sw2: float, sb2: float, inside: bool) -> str:
        where = f"{activation}, σ_w² = {sw2:.3g}, σ_b² = {sb2:.3g}"
        if not inside:
            where += " (off the chart: the dot marks the nearest edge)"
        return f"{where}\n{theory.fixed_point(activation, sw2, sb2).regime}"

    def _clicked(self, ev) -> None:
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        pt: QPointF = vb.mapSceneToView(ev.scenePos())
        self.picked.emit(*self._on_chart(pt.x(), pt.y()))


def _clamp(v: float, lo_hi: tuple[float, float], inset: float) -> float:
    """v on the chart; a value off it sits `inset` of the axis inside the edge it crossed."""
    lo, hi = lo_hi
    if lo <= v <= hi:
        return v
    pad = inset * (hi - lo)
    return lo + pad if v < lo else hi - pad


def _edge_symbol(sw2: float, sb2: float) -> str:
    """An arrow toward where the real point lies, off the chart."""
    lo, hi = phase.SW2_RANGE
    if sw2 < lo:
        return "t3"  # pointing left
    if sw2 > hi:
        return "t2"  # pointing right
    return "t1" if sb2 > phase.SB2_RANGE[1] else "t"
