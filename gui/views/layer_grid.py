"""One column per layer, one row per quantity: the histograms the room watches.

Plot items are made once per shape; each frame only calls setData. Bin heights glide from the
shown frame to the new one (a short linear blend) so a change reads as motion, not a jump. The
x range of a row is the core's (shared by default, which is what makes a collapse visible); the
y range grows at once but shrinks only when the data fall well below it, so axes never jitter.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPixmapCache
from PySide6.QtWidgets import QGraphicsGridLayout, QGraphicsItem, QGraphicsWidget

from core.stats import ROW_TITLES, Hist, LayerStats, Snapshot
from gui.theme import QUANTITY_COLORS, WARN

BLEND_MS = 140
ROWS_AT_START = ("act", "grad")
PIXMAP_CACHE_KIB = 256 * 1024  # room for several 4K grids' axes
SHRINK_BELOW = 0.4  # shrink the y range only when the peak falls below this share of it


def fraction(h: Hist) -> np.ndarray:
    """Share of the layer's values in each bin: comparable across layers and frames."""
    return h.counts / max(h.sampled, 1)


def has_rows(snap: Snapshot, rows: tuple[str, ...]) -> bool:
    """Whether snap holds the histograms of these rows (the core makes only those asked for)."""
    return all(r in snap.layers[0].hists for r in rows) if snap.layers else True


STD_FIELD = {
    "preact": "preact_std",
    "act": "act_std",
    "grad": "grad_std",
    "wgrad": "weight_grad_std",
}


def _std(row: str, s: LayerStats) -> float:
    return getattr(s, STD_FIELD[row])


def panel_title(row: str, s: LayerStats) -> str:
    std = _std(row, s)
    parts = [f"σ {_fmt(std)}"]
    if row in ("act", "preact"):
        if s.saturated_frac >= 0.05 and s.activation not in ("relu", "leaky-relu"):
            parts.append(f"sat {100 * s.saturated_frac:.0f}%")
        if s.dead_units >= 0.01:
            parts.append(f"dead {100 * s.dead_units:.0f}%")
    return f"<b>L{s.index}</b>  " + "<br>".join(
        [parts[0], " · ".join(parts[1:])] if len(parts) > 1 else parts
    )


def edge_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """Three labels inside the panel (a quarter, the middle, three quarters): narrow panels stay
    legible at any scale, and labels at the very edges would be clipped."""
    ticks = [lo + (hi - lo) * f for f in (0.25, 0.5, 0.75)]
    if lo < 0 < hi:  # zero is always labelled, in place of the quarter nearest to it
        ticks[min(range(3), key=lambda i: abs(ticks[i]))] = 0.0
    rounded = [float(f"{t:.2g}") for t in ticks]
    return [(t, _fmt(t)) for t in rounded]


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "—"
    if v == 0:
        return "0"
    return f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.0e}" if abs(v) >= 1e4 else f"{v:.1e}"


class _Curve(pg.PlotCurveItem):
    """A bare PlotCurveItem (a third of PlotDataItem's per-frame cost; nothing it adds, symbols,
    downsampling, log transforms, is used here) whose bounds are its panel's view, set by the
    grid: PlotCurveItem measured its new data's bounds twice a paint (nanmin, nanmax, pixel
    padding; 65 µs a curve, 5 ms of a 40-curve frame's paint), and the view clips anyway."""

    def __init__(self, step: bool, pen):
        super().__init__(
            np.zeros(2) if step else np.zeros(1),
            np.zeros(1),
            pen=pen,
            stepMode="center" if step else None,
            skipFiniteCheck=True,
        )
        self._bounds = QRectF()

    def set_bounds(self, lo: float, hi: float, top: float) -> None:
        bounds = QRectF(lo, 0.0, hi - lo, top)
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds

    def boundingRect(self) -> QRectF:
        return self._bounds if self._bounds.isValid() else super().boundingRect()


def _curve(plot: _Plot, pen, step: bool) -> _Curve:
    curve = _Curve(step, pen)
    plot.addItem(curve)  # (the ViewBox keeps it; with ignoreBounds only the panel did)
    return curve


TITLE_HEIGHT = 30  # px at scale 1: two lines of 9 pt
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" (not exported by PySide6)


class _Plot:
    """A panel's parts, each placed straight into the grid's layout: a ViewBox, its title, its
    bottom axis (and the left one, in the first column). A PlotItem per panel built the same
    and more: its context-menu form (Qt Designer's setupUi), buttons and two hidden axes, which
    made the grid's build 260-320 ms of a launch (20 panels)."""

    def __init__(self, grid: QGraphicsGridLayout, top: int, col: int, left: bool, scale: float):
        self.vb = pg.ViewBox(enableMenu=False, defaultPadding=0.0)
        self.vb.setMouseEnabled(x=False, y=False)
        self.vb.disableAutoRange()  # the ranges are the core's and _sync_y's, never the data's
        self.vb.setMinimumWidth(30)
        self.titleLabel = pg.LabelItem("")
        self.axes = {"bottom": pg.AxisItem("bottom", linkView=self.vb)}
        if left:
            self.axes["left"] = pg.AxisItem("left", linkView=self.vb)
            self.axes["left"].setWidth(36)
        bottom = self.axes["bottom"]
        bottom.setStyle(tickTextOffset=2)
        bottom.setHeight(round(22 * scale))
        bottom.setGrid(round(0.15 * 255))  # vertical grid lines, as PlotItem.showGrid(x=True)
        font = QFont()
        font.setPointSizeF(8 * scale)
        for ax in self.axes.values():
            # axes change rarely: paint them from a pixmap; and no SI prefix: an axis that
            # resized itself to new tick labels made the grid relayout (every cache dropped)
            ax.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            ax.enableAutoSIPrefix(False)
            if scale != 1.0:
                ax.setStyle(tickFont=font)
        grid.addItem(self.titleLabel, top, col)
        grid.addItem(self.vb, top + 1, col)
        grid.addItem(bottom, top + 2, col)
        if left:
            grid.addItem(self.axes["left"], top + 1, col - 1)
        grid.setRowFixedHeight(top, round(TITLE_HEIGHT * scale))

    def parts(self) -> list:
        return [self.titleLabel, self.vb, *self.axes.values()]

    def getAxis(self, name: str) -> pg.AxisItem:
        return self.axes[name]

    def addItem(self, item, ignoreBounds: bool = False) -> None:
        self.vb.addItem(item, ignoreBounds=ignoreBounds)

    def setXRange(self, lo: float, hi: float, padding: float = 0.0) -> None:
        self.vb.setXRange(lo, hi, padding=padding)

    def setYRange(self, lo: float, hi: float, padding: float = 0.0) -> None:
        self.vb.setYRange(lo, hi, padding=padding)

    def setTitle(self, html: str, **style) -> None:
        self.titleLabel.setText(html, **style)


class _Panel:
    def __init__(self, plot: _Plot, color: str, width: float = 2.0):
        self.plot = plot
        self.curve = _curve(plot, pg.mkPen(color, width=width), step=True)
        self._texts: dict[str, pg.TextItem] = {}
        self.xrange = (0.0, 0.0)
        self.ymax = 0.0
        self.shown: np.ndarray | None = None
        self.start: np.ndarray | None = None
        self.target: np.ndarray | None = None
        self.edges: np.ndarray | None = None
        self.curve_b: _Curve | None = None  # the B side of an A/B comparison
        self.target_b_peak = 0.0
        self.curve_theory: _Curve | None = None  # the mean-field prediction
        self.title = ""

    def bound_curves(self) -> None:
        """Each curve's bounds are the panel's view: set when its x range or height changes."""
        for c in (self.curve, self.curve_b, self.curve_theory):
            if c is not None:
                c.set_bounds(*self.xrange, max(self.ymax, 1e-12))

    def text(self, kind: str) -> pg.TextItem:
        """The out-of-range share ("under", "over") or the overflow badge, made on first use:
        most panels never show one, and 60 TextItems were 12 ms of a grid's build."""
        item = self._texts.get(kind)
        if item is None:
            if kind == "badge":
                item = pg.TextItem(anchor=(0.5, 0.5), color="#FFFFFF", fill=pg.mkBrush(WARN))
            else:
                item = pg.TextItem(anchor=(0, 0) if kind == "under" else (1, 0), color=WARN)
            item.setZValue(10)
            self.plot.addItem(item, ignoreBounds=True)
            item.hide()
            self._texts[kind] = item
        return item

    def hide_text(self, kind: str) -> None:
        if kind in self._texts:
            self._texts[kind].hide()

    def showing(self, kind: str) -> bool:
        return kind in self._texts and self._texts[kind].isVisible()

    @property
    def badge(self) -> pg.TextItem:
        return self.text("badge")

    def set_title(self, html: str, scale: float) -> None:
        """Only when it changed, and without a relayout: pyqtgraph's setText resizes the label to
        its text, so a σ that changes every frame nudged the grid's columns, which repainted every
        panel and dropped every cached axis (45 ms a frame). The title row's height is fixed."""
        if html == self.title:
            return
        label = self.plot.titleLabel
        if not self.title:
            self.plot.setTitle(html, size=f"{round(9 * scale)}pt")
        else:
            color = pg.mkColor(label.opts["color"] or pg.getConfigOption("foreground"))
            style = (
                f"color: {color.name(QColor.NameFormat.HexArgb)}; font-size: {label.opts['size']}"
            )
            label.text = html
            label.item.setHtml(f"<span style='{style}'>{html}</span>")
            label.item.setPos(0, 0)  # centred in the space it has (LabelItem.resizeEvent would
            bounds = label.itemRect()  # also reset its minimum size: the relayout again)
            centred = QRectF(bounds)
            centred.moveCenter(label.rect().center())
            label.item.setPos(centred.topLeft() - bounds.topLeft())
        self.title = html

    def show_theory(self, x: np.ndarray | None, y: np.ndarray | None) -> None:
        if x is None or len(x) < 2:
            if self.curve_theory is not None:
                self.curve_theory.hide()
            return
        if self.curve_theory is None:
            pen = pg.mkPen(QUANTITY_COLORS["theory"], width=1.5, style=Qt.PenStyle.DashLine)
            self.curve_theory = _curve(self.plot, pen, step=False)
            self.bound_curves()
        self.curve_theory.setData(x, y, skipFiniteCheck=True)
        self.curve_theory.show()

    def show_b(self, edges: np.ndarray | None, heights: np.ndarray | None) -> None:
        if heights is None:
            if self.curve_b is not None:
                self.curve_b.hide()
            return
        if self.curve_b is None:
            pen = pg.mkPen(QUANTITY_COLORS["b_side"], width=2, style=Qt.PenStyle.DashLine)
            self.curve_b = _curve(self.plot, pen, step=True)
            self.bound_curves()
        self.curve_b.setData(edges, heights, stepMode="center", skipFiniteCheck=True)
        self.curve_b.show()


class LayerGrid(pg.GraphicsView):
    """present(snapshot) shows it; rows and blending are view options, not config."""

    def __init__(self, parent=None):
        super().__init__(parent)
        # the axes' pixmaps live in QPixmapCache: its 10 MiB default holds one 1080p grid at most,
        # and a thrashing cache repaints every axis every frame (paint 8 → 25 ms measured)
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KIB))
        self.rows: tuple[str, ...] = ROWS_AT_START
        self.blend = True
        self.y_mode = "shared"  # or "layer": each panel its own y range
        self._panels: dict[tuple[str, int], _Panel] = {}
        self._shape: tuple = ()
        self._snapshot: Snapshot | None = None
        self._b: Snapshot | None = None
        self._t0 = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._tick)
        self.scale = 1.0  # type and line scale (the presentation view's projector factor)
        self._body = QGraphicsWidget()  # holds the layout of every panel's parts
        self._layout = QGraphicsGridLayout(self._body)
        self._layout.setSpacing(2)
        self._layout.setContentsMargins(1, 1, 1, 1)
        self._items: list = []  # what that layout holds
        self.setCentralItem(self._body)
        # nothing to see before the first snapshot: painting the empty panels' axes first cost
        # 160-210 ms of the launch, all of it repainted when the data came
        self.setUpdatesEnabled(False)

    # ----------------------------------------------------------------- API
    @property
    def animating(self) -> bool:
        return self._timer.isActive()

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    def set_rows(self, rows: tuple[str, ...]) -> None:
        if rows != self.rows:
            self.rows = rows
            self._shape = ()
            if self._snapshot is not None and has_rows(self._snapshot, rows):
                self.present(self._snapshot, blend=False, b=self._b)

    def curve_data(self, row: str, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """What panel (row, layer) plots now: bin edges and heights (for tests and exports)."""
        x, y = self._panels[(row, layer)].curve.getData()
        return np.asarray(x), np.asarray(y)

    def panel(self, row: str, layer: int) -> _Plot:
        return self._panels[(row, layer)].plot

    def set_scale(self, scale: float) -> None:
        if scale != self.scale:
            self.scale = scale
            self._shape = ()  # rebuilt with bigger type and thicker lines on the next present

    def show_theory(self, curves: dict | None) -> None:
        """Dashed mean-field curves on the panels (None: hide them)."""
        for (row, layer), p in self._panels.items():
            xy = curves.get((row, layer)) if curves else None
            p.show_theory(*(xy if xy is not None else (None, None)))

    def theory_data(self, row: str, layer: int):
        c = self._panels[(row, layer)].curve_theory
        return None if c is None or not c.isVisible() else tuple(map(np.asarray, c.getData()))

    def curve_data_b(self, row: str, layer: int) -> tuple[np.ndarray, np.ndarray] | None:
        curve = self._panels[(row, layer)].curve_b
        if curve is None or not curve.isVisible():
            return None
        x, y = curve.getData()
        return np.asarray(x), np.asarray(y)

    def present(self, snap: Snapshot, blend: bool | None = None, b: Snapshot | None = None) -> None:
        """Show snap; with b (same histogram ranges, from core.simulate.run_joint), overlay it."""
        blend = self.blend if blend is None else blend
        if not self.updatesEnabled():
            self.setUpdatesEnabled(True)
        self._snapshot = snap
        self._b = b
        shape = (tuple(s.index for s in snap.layers), self.rows)
        if shape != self._shape:
            self._build(shape[0])
            blend = False
        b_layers = {s.index: s for s in b.layers} if b is not None else {}
        for row in self.rows:
            for s in snap.layers:
                p = self._panels[(row, s.index)]
                self._update_panel(p, row, s, blend)
                self._update_b(p, row, s, b_layers.get(s.index))
        self._sync_y()
        if blend:
            self._t0 = time.perf_counter()
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
            self._apply(1.0)

    # ----------------------------------------------------------- internals
    def prepare(self, indices: tuple[int, ...]) -> None:
        """Build the panels for these layers ahead of their first snapshot (the window calls it
        while the engine computes, so the two overlap instead of adding up)."""
        if (tuple(indices), self.rows) != self._shape:
            self._build(tuple(indices))

    def _build(self, indices: tuple[int, ...]) -> None:
        """Three layout rows per quantity (titles, plots, axes); column 0 the quantity's name,
        column 1 the shared left axis, then one column per layer. A plain grid layout:
        pg.GraphicsLayout relaid out everything at every item added (O(n²) for a grid)."""
        lay = self._layout
        for item in self._items:  # out of the layout and the scene, then freed with the
            lay.removeItem(item)  # last reference (a replaced layout kept them all alive)
            self.scene().removeItem(item)
        for r in range(lay.rowCount()):
            lay.setRowMinimumHeight(r, 0)
            lay.setRowMaximumHeight(r, QWIDGETSIZE_MAX)
        self._panels.clear()
        self._items = []
        for r, row in enumerate(self.rows):
            label = pg.LabelItem(ROW_TITLES[row], angle=-90, color=QUANTITY_COLORS[row])
            label.setMaximumWidth(22)
            lay.addItem(label, 3 * r + 1, 0)
            self._items.append(label)
            for k, index in enumerate(indices):
                plot = _Plot(lay, 3 * r, 2 + k, left=k == 0, scale=self.scale)
                self._items.extend(plot.parts())
                self._panels[(row, index)] = _Panel(plot, QUANTITY_COLORS[row], 2.0 * self.scale)
        self._shape = (indices, self.rows)

    def _update_panel(self, p: _Panel, row: str, s: LayerStats, blend: bool) -> None:
        h = s.hists[row]
        if (h.lo, h.hi) != p.xrange:
            p.plot.setXRange(h.lo, h.hi, padding=0)
            p.plot.getAxis("bottom").setTicks([edge_ticks(h.lo, h.hi)])
            p.xrange = (h.lo, h.hi)
            p.bound_curves()
            p.edges = h.edges
        target = fraction(h)
        if p.shown is None or len(p.shown) != len(target) or not blend:
            p.shown = target.copy()
        p.start = p.shown.copy()
        p.target = target
        p.set_title(panel_title(row, s), self.scale)
        self._mark_outside(p, h)
        bad = s.nonfinite_frac if row in ("act", "preact") else 0.0
        if s.nonfinite and (bad > 0 or row in ("grad", "wgrad")):
            share = bad if bad > 0 else None
            badge = p.text("badge")
            badge.setText(
                f"overflow: {100 * share:.0f}% non-finite" if share else "non-finite values"
            )
            badge.setPos((h.lo + h.hi) / 2, 0.5 * max(p.ymax, 1e-12))
            badge.show()
        else:
            p.hide_text("badge")

    def _update_b(self, p: _Panel, row: str, s: LayerStats, sb: LayerStats | None) -> None:
        hb = sb.hists[row] if sb is not None else None
        if hb is None or (hb.lo, hb.hi, len(hb.counts)) != (*p.xrange, len(p.target)):
            p.show_b(None, None)  # no B, or not on A's bins (only run_joint's pairs overlay)
            p.target_b_peak = 0.0
            return
        heights = fraction(hb)
        p.show_b(hb.edges, heights)
        p.target_b_peak = float(heights.max())
        b_color = QUANTITY_COLORS["b_side"]
        b_line = f"<br><span style='color:{b_color}'>B σ {_fmt(_std(row, sb))}</span>"
        p.set_title(panel_title(row, s) + b_line, self.scale)

    def _mark_outside(self, p: _Panel, h: Hist) -> None:
        for kind, n in (("under", h.underflow), ("over", h.overflow)):
            if n:
                share = 100 * n / max(h.sampled, 1)
                text = (
                    "<0.1%" if share < 0.1 else f"{share:.1f}%" if share < 10 else f"{share:.0f}%"
                )
                item = p.text(kind)
                item.setText(f"◀ {text}" if kind == "under" else f"{text} ▶")
                item.show()
            else:
                p.hide_text(kind)
        _place_outside(p)

    def _sync_y(self) -> None:
        """Per row: one y range for every panel (comparable heights), with hysteresis."""
        for row in self.rows:
            panels = [self._panels[(row, s.index)] for s in self._snapshot.layers]
            peaks = [
                max(float(p.target.max()) if p.target.size else 0.0, p.target_b_peak)
                for p in panels
            ]
            groups = [[p] for p in panels] if self.y_mode == "layer" else [panels]
            peak_of = dict(zip(map(id, panels), peaks, strict=True))
            for group in groups:
                peak = max(peak_of[id(p)] for p in group)
                current = group[0].ymax
                if peak > current or peak < SHRINK_BELOW * current or current == 0:
                    ymax = _nice_top(peak)
                    for p in group:
                        p.ymax = ymax
                        p.bound_curves()
                        p.plot.setYRange(0, ymax, padding=0)
                        _place_outside(p)

    def _tick(self) -> None:
        t = min(1.0, (time.perf_counter() - self._t0) * 1e3 / BLEND_MS)
        self._apply(t)
        if t >= 1.0:
            self._timer.stop()

    def _apply(self, t: float) -> None:
        for p in self._panels.values():
            if p.target is None:
                continue
            p.shown = p.target if t >= 1.0 else p.start + (p.target - p.start) * t
            p.curve.setData(p.edges, p.shown, stepMode="center", skipFiniteCheck=True)


def _place_outside(p: _Panel) -> None:
    """The out-of-range shares at the top corners; with both shown, the right one a line lower
    (in a narrow panel the two met in the middle and read as one garbled label)."""
    top = max(p.ymax, 1e-12)
    if p.showing("under"):
        p.text("under").setPos(p.xrange[0], top)
    if p.showing("over"):
        p.text("over").setPos(p.xrange[1], top * (0.8 if p.showing("under") else 1.0))


def _nice_top(v: float) -> float:
    """Headroom above the peak, rounded so the axis labels stay short."""
    if not math.isfinite(v) or v <= 0:
        return 1.0
    v *= 1.15
    e = math.floor(math.log10(v))
    for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if m * 10**e >= v:
            return min(m * 10**e, 1.0)
    return 1.0
