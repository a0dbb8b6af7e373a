"""What training looks like over time: loss and accuracy, Karpathy's update:data ratio and the
grad:data ratio per layer, a step × value heatmap of one layer's activations, and the decision
boundary of 2-D tasks (TF Playground's view), for A and, in a race, B.

Items are made once per run and only fed with setData/setImage afterwards; axes are fixed per run
(x: the run's planned steps) and y ranges only grow, so nothing autoranges on a frame.
Colours: train/test are the blue/vermillion of Okabe & Ito; B is dashed, as in the depth profile.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QGraphicsItem

from core.training import DecisionGrid, TrainSnapshot
from gui import theme
from gui.training_engine import TrainFrame
from gui.views import marks, unindexed
from gui.views.boundary import CLASS_COLORS, boundary_rgb, boundary_title
from gui.views.train_series import KARPATHY, RATIO_SPAN, finite, layer_colors
from gui.views.train_units import UnitsSeries

SPLIT_COLORS = {"train": "#0072B2", "test": "#D55E00"}
SIDE_STYLE = {"A": Qt.PenStyle.SolidLine, "B": Qt.PenStyle.DashLine}
KEY = " ".join(f"<span style='color:{c}'>━ {s}</span>" for s, c in SPLIT_COLORS.items())
KEY += " · B dashed"
TITLE_SIZE = "9pt"  # short titles: a plot cannot be narrower than its title


class TrainingViews(pg.GraphicsLayoutWidget):
    """later=True makes only the widget: make_part() then makes the plots one group at a time
    (the whole took 90-100 ms of the UI thread, which the first training start waited for, issue
    17); `made` says when all are there. Nothing else may be called before. `layers` and `sides`:
    the run expected (the window's depth + 1, "A" or "AB"), whose per-layer curves are made
    with the plots rather than in its first frame."""

    painted = Signal()  # after each paint of the view (the controller lets training go on)

    def __init__(self, parent=None, later: bool = False, layers: int = 0, sides: str = "A"):
        super().__init__(parent)
        unindexed(self)
        self.ci.layout.setSpacing(4)
        self.layer = 1  # 1-based hidden layer of the time view
        self.time_side = "A"
        self._run = -1
        self._frame: TrainFrame | None = None
        self._ymax = {}
        self._titles: dict[int, str] = {}
        self.curves: dict[tuple, pg.GraphicsObject] = {}
        self._layers = 0  # layers the ratio curves were made for
        self._refit = False  # ranges changed since the axes last measured their labels
        self._later = later
        self._parts = [
            self._build_scalar_plots,
            self._build_ratio_plots,
            self._build_time_view,
            self._build_boundaries,
            self._finish,
            lambda: self._ratio_curves(layers, sides) if layers > 0 else None,
            self._fit_axes,
        ]
        while self._parts and not later:
            self.make_part()

    @property
    def run(self) -> int:
        """The training run the curves show (-1: none yet)."""
        return self._run

    @property
    def made(self) -> bool:
        return not self._parts

    def make_part(self) -> None:
        """The next group of plots (each 15-30 ms of the UI thread)."""
        self._parts.pop(0)()

    def _fit_axes(self) -> None:
        """Drawn once, unseen: an axis fits its width to its tick labels when it first draws
        them, and the relayout that follows repainted the whole view just after its first
        paint, which was when training started (25-35 ms of CPU). Into a pixmap, which
        measures type as the screen does (a QPicture laid the axis labels out at its own
        resolution, and one was drawn off centre after). Only in the later mode: a view made
        at once is shown, and fitted, at once."""
        if self._later:
            size = self.viewport().size()
            pixmap = QPixmap(size)
            painter = QPainter(pixmap)
            self.render(painter, QRectF(pixmap.rect()), self.viewport().rect())
            painter.end()

    @property
    def _series_plots(self) -> tuple[pg.PlotItem, ...]:
        """The plots over steps: a scrubber line each, fixed ranges."""
        return (self.loss, self.acc, self.update_plot, self.grad_plot, self.time, self.units_plot)

    def _finish(self) -> None:
        self.scrub_lines = []
        for p in self._series_plots:
            line = pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#888888", width=2))
            line.hide()
            p.addItem(line)
            self.scrub_lines.append(line)
        for p in (self.time, *self.boundary.values()):
            p.setMouseEnabled(False, False)
        for p in self._series_plots:
            p.disableAutoRange()  # ranges are set per run and grow only: no autorange per frame
        for p in self.boundary.values():
            p.disableAutoRange()
        self._scalar_curves()

    def _build_scalar_plots(self) -> None:
        self.loss = self._plot(0, 0, "loss")
        self.acc = self._plot(0, 1, "accuracy")
        self.acc.setYRange(0.0, 1.02, padding=0)

    def _build_ratio_plots(self) -> None:
        self.update_plot = self._plot(1, 0, "log₁₀ update:data")
        self.grad_plot = self._plot(1, 1, "log₁₀ grad:data")
        for p in (self.update_plot, self.grad_plot):
            p.setYRange(*RATIO_SPAN, padding=0)
        self.karpathy_line = pg.InfiniteLine(
            KARPATHY,
            angle=0,
            pen=pg.mkPen("#E69F00", width=2, style=Qt.PenStyle.DashLine),
            label="≈1e-3 rule of thumb",
            labelOpts={"position": 0.5, "color": "#E69F00", "anchors": [(0.5, 0), (0.5, 0)]},
        )
        self.update_plot.addItem(self.karpathy_line)
        self.layer_legend = self.update_plot.addLegend(
            offset=(-5, -5), labelTextSize="8pt", colCount=2
        )

    def _build_time_view(self) -> None:
        self.time = self.addPlot(enableMenu=False, row=2, col=0)
        self.units_plot = self._plot(2, 1, "distinct units")  # the symmetry question (#20)
        self.units = UnitsSeries(self.units_plot, self.curves, SIDE_STYLE)
        self.time.setLabel("bottom", "step")
        self.time_image = pg.ImageItem(axisOrder="col-major")
        self.time_image.setColorMap(pg.colormap.get("viridis"))
        self.time.addItem(self.time_image)

    def _build_boundaries(self) -> None:
        self.boundary = {
            s: self.addPlot(enableMenu=False, row=3, col=i) for i, s in enumerate("AB")
        }
        self.boundary_image, self.points = {}, {}
        for side, p in self.boundary.items():
            p.setAspectLocked(True)
            p.hideAxis("left")
            p.hideAxis("bottom")
            self.boundary_image[side] = pg.ImageItem(axisOrder="col-major")
            self.points[side] = pg.ScatterPlotItem(size=5, pen=pg.mkPen("#202020", width=0.5))
            p.addItem(self.boundary_image[side])
            p.addItem(self.points[side])

    def _plot(self, row: int, col: int, title: str) -> pg.PlotItem:
        p = self.addPlot(enableMenu=False, row=row, col=col)
        p.setTitle(title, size=TITLE_SIZE)
        p.showGrid(x=True, y=True, alpha=0.2)
        p.setMouseEnabled(False, False)
        p.hideButtons()
        p.setLabel("bottom", "step")
        for axis in ("left", "bottom"):
            # painted from a pixmap while ranges and size stay: with the grid's lines the axes
            # were most of a repaint, and a frame repaints the curves several times
            p.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        return p

    def _scalar_curves(self) -> None:
        for side in "AB":
            for split in ("train", "test"):
                pen = pg.mkPen(SPLIT_COLORS[split], width=2, style=SIDE_STYLE[side])
                self.curves[("loss", side, split)] = self.loss.plot(pen=pen, connect="finite")
                self.curves[("acc", side, split)] = self.acc.plot(pen=pen, connect="finite")

    def _ratio_curves(self, n_layers: int, sides: str) -> None:
        """One curve per layer and side: all made again only when the depth changes, B's only
        once a race has a B (four curves per layer were 40 ms of a run's first frame)."""
        if n_layers != self._layers:
            for key in [k for k in self.curves if k[0] in ("update", "grad")]:
                item = self.curves.pop(key)
                item.getViewBox().removeItem(item) if item.getViewBox() else None
            self.layer_legend.clear()
            self._layers = n_layers
        names = {0: "layer 1", n_layers - 1: "head"}
        for side in sides:
            if ("update", side, 0) in self.curves:
                continue
            for i, colour in enumerate(layer_colors(n_layers)):
                pen = pg.mkPen(colour, width=2 if side == "A" else 1.5, style=SIDE_STYLE[side])
                for kind, plot in (("update", self.update_plot), ("grad", self.grad_plot)):
                    # a bare curve: a PlotDataItem (what plot() makes) cost 4× as much to make
                    curve = self.curves[(kind, side, i)] = pg.PlotCurveItem(
                        pen=pen, connect="finite"
                    )
                    plot.addItem(curve)
                    name = names.get(i) if side == "A" and kind == "update" else None
                    if name is not None:
                        self.layer_legend.addItem(curve, name)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def changeEvent(self, event) -> None:
        """Follow the window's light/dark theme (theme.apply changes the application palette)."""
        super().changeEvent(event)
        kinds = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in kinds and hasattr(self, "curves"):  # built
            window = QApplication.palette().color(QPalette.ColorRole.Window)
            for t in theme.THEMES.values():
                if QColor(t.window) == window:
                    theme.restyle(self, t)

    # ------------------------------------------------------------ API
    def present(self, frame: TrainFrame, scrub_step: int | None = None) -> None:
        if frame.run != self._run:
            self._start_run(frame)
            self._refit = True
        self._frame = frame
        for side, snap in (("A", frame.a), ("B", frame.b)):
            self._scalars(side, snap)
            self._ratios(side, snap)
        self._time_view()
        self._title(self.units_plot, self.units.present(frame))
        for side, grid in (("A", frame.grid_a), ("B", frame.grid_b)):
            if grid is not None:
                self._boundary(side, grid, frame.a.n_classes)
        self._title(self.boundary["A"], boundary_title("A", frame.a))
        if frame.b is not None:
            self._title(self.boundary["B"], boundary_title("B", frame.b))
        self.mark(scrub_step)
        self._centre_labels()
        self._fit_labels()

    def _fit_labels(self) -> None:
        """New ranges (a run's start, a y range that grew) bring new tick labels, and the axes
        would fit their widths to them in the paint, then lay out and paint the whole view
        again: they measure them now, and the layout settles before the one paint."""
        if not (self._refit and self.isVisible()):
            return
        self._refit = False
        pixmap = QPixmap(1, 1)
        painter = QPainter(pixmap)
        for plot in self._series_plots:
            for axis in ("left", "bottom"):
                plot.getAxis(axis).generateDrawSpecs(painter)
        painter.end()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _centre_labels(self) -> None:
        """pyqtgraph centres an axis's label when the axis resizes; a label whose type settled
        after that (curves made before their dock first showed, under a larger application
        font) stayed off centre. Placed again when it is not where the axis would put it."""
        for plot in self._series_plots:
            axis = plot.getAxis("bottom")
            x = int(axis.size().width() / 2 - axis.label.boundingRect().width() / 2)
            if axis.label.isVisible() and axis.label.pos().x() != x:
                axis.resizeEvent(None)

    def mark(self, step: int | None) -> None:
        """The scrubber's step on every step axis (hidden while live)."""
        for line in self.scrub_lines:
            line.setVisible(step is not None)
            if step is not None:
                line.setValue(step)

    def set_layer(self, layer: int, side: str | None = None) -> None:
        self.layer = layer
        self.time_side = side or self.time_side
        if self._frame is not None:
            self._time_view()

    def series(self, key: tuple) -> tuple[np.ndarray, np.ndarray]:
        """What a curve plots now (for tests): x and y."""
        x, y = self.curves[key].getData()
        empty = np.zeros(0)
        return (empty, empty) if x is None else (np.asarray(x), np.asarray(y))

    # ------------------------------------------------------------ parts
    def _title(self, plot: pg.PlotItem, text: str) -> None:
        """Only when it changed: a title relayouts the plot."""
        if self._titles.get(id(plot)) != text:
            self._titles[id(plot)] = text
            plot.setTitle(text, size=TITLE_SIZE)

    def _start_run(self, frame: TrainFrame) -> None:
        self._run = frame.run
        self._ymax = {}
        n_layers = len(frame.a.latest.update_ratio)
        self._ratio_curves(n_layers, "A" if frame.b is None else "AB")
        span = max(frame.a.steps, 1)
        for p in (self.loss, self.acc, self.update_plot, self.grad_plot):
            p.setXRange(0, span, padding=0.02)
        for p in (self.update_plot, self.grad_plot):
            p.setYRange(*RATIO_SPAN, padding=0)
        self.units.start(frame)
        two_d = frame.data.width == 2
        for side in "AB":
            self.boundary[side].setVisible(two_d and (side == "A" or frame.b is not None))
            self.boundary_image[side].clear()
            self._set_points(side, frame.data)
            if two_d:
                (x0, x1), (y0, y1) = frame.data.extent()
                self.boundary[side].setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        for key, curve in self.curves.items():
            if key[1] == "B" and frame.b is None:
                curve.setData([], [])
        self._title(self.loss, f"loss {KEY}")
        self._title(self.acc, f"accuracy · {frame.a.task}")

    def _set_points(self, side: str, data) -> None:
        if data.width != 2:
            self.points[side].setData([], [])
            return
        X, y = data.X_test, data.y_test
        brushes = [marks.brush(CLASS_COLORS[k % len(CLASS_COLORS)]) for k in range(data.n_classes)]
        self.points[side].setData(x=X[:, 0], y=X[:, 1], brush=[brushes[k] for k in y])

    def _grow(self, key: str, plot: pg.PlotItem, values: np.ndarray, lo: float = 0.0) -> None:
        """Grow-only y range: the curve never jumps because a new point came in."""
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return
        top = float(finite.max())
        if top > self._ymax.get(key, -math.inf):
            self._ymax[key] = top * 1.1 if top > 0 else top + 0.5
            plot.setYRange(lo, self._ymax[key], padding=0)
            self._refit = True

    def _scalars(self, side: str, snap: TrainSnapshot | None) -> None:
        if snap is None:
            return
        h = snap.history
        x = h.steps().astype(np.float64)
        for split in ("train", "test"):
            loss = finite(h.series(f"{split}_loss"))
            self.curves[("loss", side, split)].setData(x, loss)
            self.curves[("acc", side, split)].setData(x, finite(h.series(f"{split}_acc")))
            self._grow("loss", self.loss, loss)

    def _ratios(self, side: str, snap: TrainSnapshot | None) -> None:
        if snap is None:
            return
        h = snap.history
        x = h.steps().astype(np.float64)
        for kind, plot in (("update", self.update_plot), ("grad", self.grad_plot)):
            r = finite(h.ratios(kind))
            for i in range(r.shape[1]):
                curve = self.curves.get((kind, side, i))
                if curve is not None:
                    curve.setData(x, r[:, i])
            self._grow_ratio(kind, plot, r)

    def _grow_ratio(self, kind: str, plot: pg.PlotItem, r: np.ndarray) -> None:
        finite = r[np.isfinite(r)]
        if finite.size == 0:
            return
        lo, hi = self._ymax.get(kind, RATIO_SPAN)
        lo2, hi2 = min(lo, math.floor(finite.min())), max(hi, math.ceil(finite.max()))
        if (lo2, hi2) != (lo, hi):
            self._ymax[kind] = (lo2, hi2)
            plot.setYRange(lo2, hi2, padding=0)
            self._refit = True

    def _time_view(self) -> None:
        """Step × value: each column is one recorded step's activation histogram of the layer."""
        f = self._frame
        side = "B" if self.time_side == "B" and f.b is not None else "A"
        h = (f.b if side == "B" else f.a).history
        recs = h.records
        k = self.layer - 1
        if not recs or k >= len(recs[0].act_hists):
            return
        img = h.act_image(k).astype(np.float32)
        sampled = np.array([max(r.act_hists[k].sampled, 1) for r in recs], np.float32)
        img /= sampled[:, None]  # share per bin, comparable across steps
        np.sqrt(img, out=img)  # √share: the tails stay visible next to a sharp peak
        hist = recs[0].act_hists[k]
        x0, x1 = recs[0].step, recs[-1].step
        dx = (x1 - x0) / max(len(recs) - 1, 1) or 1.0
        self.time_image.setImage(img, levels=(0.0, max(float(img.max()), 1e-6)))
        self.time_image.setRect(QRectF(x0 - dx / 2, hist.lo, (x1 - x0) + dx, hist.hi - hist.lo))
        self.time.setXRange(x0, max(x1, x0 + 1), padding=0.02)
        if self.time.viewRange()[1] != [hist.lo, hist.hi]:
            self._refit = True
        self.time.setYRange(hist.lo, hist.hi, padding=0)
        self._title(self.time, f"{side} layer {self.layer}: φ(h) over steps")

    def _boundary(self, side: str, grid: DecisionGrid, n_classes: int) -> None:
        item = self.boundary_image[side]
        item.setImage(boundary_rgb(grid, n_classes), levels=(0, 255))
        xs, ys = grid.xs, grid.ys
        item.setRect(QRectF(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0]))
