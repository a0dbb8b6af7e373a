"""One column per layer, one row per quantity: the histograms the room watches.

Plot items are made once per shape; each frame only calls setData. Bin heights glide from the
shown frame to the new one (a short linear blend) so a change reads as motion, not a jump. The
x range of a row is the core's (shared by default, which is what makes a collapse visible); the
y range grows at once but shrinks only when the data fall well below it, so axes never jitter.
"""

from __future__ import annotations

import functools
import math
import time
from types import MappingProxyType

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen, QPixmapCache, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from core.activations import ACTIVATIONS
from core.stats import ROW_TITLES, Hist, LayerStats, Snapshot
from gui.state import ROWS_AT_START
from gui.theme import QUANTITY_COLORS, WARN
from gui.views import unindexed

BLEND_MS = 140
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


Run = tuple[str, bool, str | None]  # text, bold, colour (None: the theme's foreground)


def panel_title(row: str, s: LayerStats) -> tuple[tuple[Run, ...], ...]:
    """Lines of text runs: the layer in bold and σ, then saturation and dead units if notable."""
    std = _std(row, s)
    notes = []
    if row in ("act", "preact"):
        saturates = ACTIVATIONS[s.activation].saturates != "none"  # not ReLU's off half
        if saturates and s.saturated_frac >= 0.05:
            notes.append(f"sat {100 * s.saturated_frac:.0f}%")
        if s.dead_units >= 0.01:
            notes.append(f"dead {100 * s.dead_units:.0f}%")
    first = ((f"L{s.index}", True, None), (f"  σ {_fmt(std)}", False, None))
    return (first, ((" · ".join(notes), False, None),)) if notes else (first,)


def title_html(lines: tuple[tuple[Run, ...], ...]) -> str:
    def run(text: str, bold: bool, color: str | None) -> str:
        text = f"<b>{text}</b>" if bold else text
        return f"<span style='color:{color}'>{text}</span>" if color else text

    return "<br>".join("".join(run(*r) for r in line) for line in lines)


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


@functools.lru_cache(maxsize=64)
def _color(spec, alpha: int | None = None) -> QColor:
    """The theme's colour as a QColor, made once: pg.mkColor in every paint was 0.4 ms of a
    20-panel frame (measured). Callers must not change it."""
    color = pg.mkColor(spec)
    if alpha is not None:
        color.setAlpha(alpha)
    return color


@functools.lru_cache(maxsize=16)
def _guide_pen(foreground) -> QPen:
    """The x grid's pen for this foreground (showGrid's alpha 0.15), made once: a pen recoloured
    in every paint cost 0.5 ms of a 20-panel frame (measured)."""
    pen = QPen(_color(foreground, 38))
    pen.setCosmetic(True)
    return pen


def _curve(plot: pg.PlotItem, pen, step: bool) -> StepCurve | DashCurve:
    """A histogram's outline (step) or a dashed prediction: bare items, nothing PlotDataItem
    offers (symbols, downsampling, log transforms) is used here."""
    curve = StepCurve(pen) if step else DashCurve(pen)
    plot.addItem(curve)
    return curve


class _Curve(pg.GraphicsObject):
    """What the grid's curves share: the data as given, and bounds that change only with them
    (known when the data are set, never measured at paint time)."""

    def __init__(self, pen: QPen):
        super().__init__()
        self._pen = QPen(pen)
        self._x = self._y = np.zeros(0)
        self._rect = QRectF()
        self._pad: tuple[float, float] | None = None

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x, self._y

    @property
    def pen(self) -> QPen:
        return self._pen

    def viewTransformChanged(self) -> None:
        self._pad = None  # the pen's width in data units changed with the view's scale
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:
        """The data's rectangle and the pen's width around it, so that updates leave no trails."""
        if self._pad is None:
            px, py = self.pixelVectors()
            w = self._pen.widthF() + 1.0
            self._pad = (0.0, 0.0) if px is None else (w * px.length(), w * py.length())
        dx, dy = self._pad
        return self._rect.adjusted(-dx, -dy, dx, dy)

    def _set_bounds(self, rect: QRectF) -> None:
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
            self.informViewBoundsChanged()
        self.update()


class StepCurve(_Curve):
    """A histogram's outline: one polyline written in place into a QPolygonF.

    Its bounds are the bin edges and the peak. PlotCurveItem rebuilt a QPainterPath and measured
    its data (nanmin, nanmax, pixel vectors) on every paint: 5.4 ms of a 20-panel frame's 8.3 ms
    of paint (measured)."""

    def __init__(self, pen: QPen):
        super().__init__(pen)
        self._poly = QPolygonF()
        self._xy = np.zeros((0, 2))
        self._data_rect = QRectF()
        self._guides: list[QLineF] = []
        self._guide_rect = QRectF()

    @property
    def points(self) -> np.ndarray:
        """The outline's vertices as drawn, (x, y) rows: two a bin."""
        return self._xy

    @property
    def guides(self) -> list[QLineF]:
        return self._guides

    def set_guides(self, xs: list[float], top: float) -> None:
        """Faint vertical lines at xs from 0 to top, under the outline: the panel's x grid.

        pyqtgraph's showGrid has the bottom axis draw them, so the axis's bounds (a Python call
        mapping the linked view's rectangle, about 70 a frame) and its cached pixmap grow to the
        whole panel: 1.1-3 ms of a 20-panel paint. As items of their own they cost 0.64 ms of
        per-item overhead; drawn by the outline's item, nothing measurable (measured)."""
        self._guides = [QLineF(x, 0.0, x, top) for x in xs]
        self._guide_rect = QRectF(min(xs), 0.0, max(xs) - min(xs), top) if xs else QRectF()
        self._set_bounds(self._bounds())

    def _bounds(self) -> QRectF:
        if self._guide_rect.isNull():
            return self._data_rect
        return self._data_rect.united(self._guide_rect) if len(self._xy) else self._guide_rect

    def setData(self, edges: np.ndarray, heights: np.ndarray) -> None:
        """Bins [edges[k], edges[k+1]] at heights[k]; non-finite heights are drawn at 0. The
        same edges object as last time is taken as unchanged (callers pass new arrays)."""
        n = len(heights)
        if len(edges) != n + 1:
            raise ValueError(f"{len(edges)} edges for {n} bins")
        if len(self._xy) != 2 * n:
            self._poly = pg.functions.create_qpolygonf(2 * n)
            self._xy = pg.functions.ndarray_from_qpolygonf(self._poly)
            self._x = None
        xy = self._xy
        if edges is not self._x:  # the grid keeps one edges array per range: mostly unchanged
            xy[0::2, 0], xy[1::2, 0] = edges[:-1], edges[1:]
        self._x, self._y = edges, heights
        xy[0::2, 1] = heights
        top, low = (float(heights.max()), float(heights.min())) if n else (0.0, 0.0)
        if not (math.isfinite(top) and math.isfinite(low)):
            np.nan_to_num(xy[0::2, 1], copy=False, nan=0.0, posinf=0.0, neginf=0.0)
            top, low = float(xy[0::2, 1].max()), float(xy[0::2, 1].min())
        xy[1::2, 1] = xy[0::2, 1]
        low = min(low, 0.0)
        self._data_rect = QRectF(float(edges[0]), low, float(edges[-1] - edges[0]), top - low)
        self._set_bounds(self._bounds())

    def paint(self, painter, *args) -> None:
        if self._guides:
            painter.setPen(_guide_pen(pg.getConfigOption("foreground")))
            painter.drawLines(self._guides)
        if len(self._xy):
            painter.setPen(self._pen)
            painter.drawPolyline(self._poly)


class DashCurve(_Curve):
    """A dashed line drawn as solid segments: runs of DASH samples drawn, GAP left out.

    Qt strokes a dashed pen's pattern along the whole path on every paint: with the twenty theory
    curves dashed so, the grid's paint in a gain sweep took 14.6-16.7 ms of CPU a frame, drawn
    this way 11.8-12.8 ms (measured in the window)."""

    DASH, GAP = 6, 3  # samples; the theory's 161 span a panel, about a pixel each at 1080p

    def __init__(self, pen: QPen):
        super().__init__(pen)
        self._pen.setStyle(Qt.PenStyle.SolidLine)
        self._segments = None

    def setData(self, x: np.ndarray, y: np.ndarray, **_) -> None:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self._x, self._y = x, y
        ok = np.isfinite(x) & np.isfinite(y)
        on = (np.arange(len(x)) % (self.DASH + self.GAP)) < self.DASH
        on[:-1] &= ok[:-1] & ok[1:]  # a segment touching a gap in the data is left out
        self._segments = arrayToLineSegments(
            np.where(ok, x, 0.0), np.where(ok, y, 0.0), on, False, out=self._segments
        )
        rect = QRectF()
        if ok.any():
            lo_x, hi_x, lo_y, hi_y = x[ok].min(), x[ok].max(), y[ok].min(), y[ok].max()
            rect = QRectF(float(lo_x), float(lo_y), float(hi_x - lo_x), float(hi_y - lo_y))
        self._set_bounds(rect)

    def segment_starts(self) -> np.ndarray:
        """The x where each drawn segment starts."""
        return np.zeros(0) if self._segments is None else self._segments.ndarray()[:, 0]

    def paint(self, painter, *args) -> None:
        if self._segments is not None:
            painter.setPen(self._pen)
            painter.drawLines(*self._segments.drawargs())


NOTE_STYLES = {  # the out-of-range shares at the top corners, the overflow badge in the middle
    "under": dict(anchor=(0, 0), color=WARN),
    "over": dict(anchor=(1, 0), color=WARN),
    "badge": dict(anchor=(0.5, 0.5), color="#FFFFFF", fill=WARN),
}


class _Panel:
    def __init__(self, plot: pg.PlotItem, color: str, width: float = 2.0):
        self.plot = plot
        self.curve = _curve(plot, pg.mkPen(color, width=width), step=True)
        self.ticks: list[float] = []  # the labelled x values, where the x grid's lines are
        self.notes: dict[str, pg.TextItem] = {}  # made on first use (10 ms of a grid's build)
        self.xrange = (0.0, 0.0)
        self.ymax = 0.0
        self.shown: np.ndarray | None = None
        self.start: np.ndarray | None = None
        self.target: np.ndarray | None = None
        self.edges: np.ndarray | None = None
        self.curve_b: StepCurve | None = None  # the B side of an A/B comparison
        self.target_b_peak = 0.0
        self.curve_theory: DashCurve | None = None  # the mean-field prediction
        self.title: tuple = ()
        self.painted_title: PanelTitle | None = None
        self.room = 0  # lines the title's label has room for

    def note(self, kind: str) -> pg.TextItem:
        if kind not in self.notes:
            item = self.notes[kind] = pg.TextItem(**NOTE_STYLES[kind])
            item.setZValue(10)
            self.plot.addItem(item, ignoreBounds=True)
            item.hide()
        return self.notes[kind]

    def hide_note(self, kind: str) -> None:
        if kind in self.notes:
            self.notes[kind].hide()

    def set_title(self, lines: tuple[tuple[Run, ...], ...], scale: float) -> None:
        """Only when it changed, and without a relayout: pyqtgraph's setText resizes the label to
        its text, so a σ that changes every frame nudged the grid's columns, which repainted every
        panel and dropped every cached axis (45 ms a frame). The label only reserves the lines
        (two, more when a title needs them: one relayout); a PanelTitle paints the text over it
        (QGraphicsTextItem.setHtml took 65 µs a panel, 1.3 ms of a 20-panel frame, measured)."""
        if lines == self.title:
            return
        label = self.plot.titleLabel
        if len(lines) > self.room:  # room for two lines at first (σ, notes), more if needed
            self.room = max(len(lines), 2)
            blank = (("&nbsp;", False, None),)
            self.plot.setTitle(
                title_html((*lines, *(blank,) * (self.room - len(lines)))),
                size=f"{round(9 * scale)}pt",
            )
            label.item.hide()
        if self.painted_title is None:
            self.painted_title = PanelTitle(label, 9 * scale)
        label.text = title_html(lines)
        self.painted_title.set_lines(lines)
        self.title = lines

    def show_theory(self, x: np.ndarray | None, y: np.ndarray | None) -> None:
        if x is None or len(x) < 2:
            if self.curve_theory is not None:
                self.curve_theory.hide()
            return
        if self.curve_theory is None:
            pen = pg.mkPen(QUANTITY_COLORS["theory"], width=1.5, style=Qt.PenStyle.DashLine)
            self.curve_theory = _curve(self.plot, pen, step=False)
        self.curve_theory.setData(x, y)
        self.curve_theory.show()

    def show_b(self, edges: np.ndarray | None, heights: np.ndarray | None) -> None:
        if heights is None:
            if self.curve_b is not None:
                self.curve_b.hide()
            return
        if self.curve_b is None:
            pen = pg.mkPen(QUANTITY_COLORS["b_side"], width=2, style=Qt.PenStyle.DashLine)
            self.curve_b = _curve(self.plot, pen, step=True)
        self.curve_b.setData(edges, heights)
        self.curve_b.show()


class PanelTitle(QGraphicsObject):
    """A panel's title, painted as runs of text centred over its (hidden) LabelItem."""

    def __init__(self, label: pg.LabelItem, points: float):
        super().__init__(label)
        self._label = label
        self._fonts = {}
        for bold in (False, True):
            font = QFont()
            font.setPointSizeF(points)
            font.setBold(bold)
            self._fonts[bold] = (font, QFontMetricsF(font))
        self._runs: list[tuple] = []
        self._placed: list[tuple] = []
        self._widths: dict[tuple[str, bool], float] = {}
        self._size = (0.0, 0)
        self._rect = QRectF()
        self._laid_out = False
        label.geometryChanged.connect(self._relayout)

    def set_lines(self, lines: tuple[tuple[Run, ...], ...]) -> None:
        """Lay the runs out once here (x from the centre, one line after another); paint only
        draws them."""
        runs, widest = [], 0.0
        for k, line in enumerate(lines):
            widths = [self._advance(text, bold) for text, bold, _ in line]
            x = -sum(widths) / 2
            for (text, bold, color), w in zip(line, widths, strict=True):
                runs.append((x, k, text, bold, QColor(color) if color else None))
                x += w
            widest = max(widest, sum(widths))
        self._runs = runs
        size = (widest, len(lines))
        if size != self._size:
            self._size = size
            self.prepareGeometryChange()
        self._laid_out = False
        self.update()

    def _advance(self, text: str, bold: bool) -> float:
        """A run's width, measured once (the layer's run never changes, σ's rarely repeats)."""
        key = (text, bold)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) > 64:
                self._widths.clear()
            width = self._widths[key] = self._fonts[bold][1].horizontalAdvance(text)
        return width

    def _relayout(self) -> None:
        self.prepareGeometryChange()
        self._laid_out = False

    def _lay_out(self) -> None:
        """The bounds and the runs' places, kept until the text or the label's geometry changes
        (Qt asks for the bounds twice a paint)."""
        rect = QRectF(self._label.rect())
        width, lines = self._size
        normal = self._fonts[False][1]
        height = lines * normal.lineSpacing()
        grow_x, grow_y = max(0.0, width - rect.width()) / 2, max(0.0, height - rect.height())
        self._rect = rect.adjusted(-grow_x - 1, -1, grow_x + 1, grow_y + 1)
        centre = rect.center().x()
        top = rect.top() + normal.ascent()  # from the top: every panel's first line is level
        step = normal.lineSpacing()
        self._placed = [
            (QPointF(centre + x, top + k * step), text, self._fonts[bold][0], color)
            for x, k, text, bold, color in self._runs
        ]
        self._laid_out = True

    def boundingRect(self) -> QRectF:
        """The label's rectangle, grown to the text where it is wider or (downwards) taller."""
        if not self._laid_out:
            self._lay_out()
        return self._rect

    def paint(self, painter, *args) -> None:
        if not self._laid_out:
            self._lay_out()
        fg = _color(self._label.opts["color"] or pg.getConfigOption("foreground"))
        for point, text, font, color in self._placed:
            painter.setFont(font)
            painter.setPen(color or fg)
            painter.drawText(point, text)


class LayerGrid(pg.GraphicsLayoutWidget):
    """present(snapshot) shows it; rows and blending are view options, not config."""

    def __init__(self, parent=None):
        super().__init__(parent)
        unindexed(self)
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
        self.ci.layout.setSpacing(2)
        self.scale = 1.0  # type and line scale (the presentation view's projector factor)
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

    @property
    def panels(self) -> MappingProxyType[tuple[str, int], _Panel]:
        """The panels by (row, layer), as built now (read-only)."""
        return MappingProxyType(self._panels)

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

    def panel(self, row: str, layer: int) -> pg.PlotItem:
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
        for p in self._panels.values():
            # a new range's transform now, not in the paint (pyqtgraph's default): set there, it
            # asked for a second paint of the whole grid (1.72 paints a frame in a sweep, 9 ms each)
            p.plot.vb.updateMatrix()
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
        self.clear()
        self._panels.clear()
        for r, row in enumerate(self.rows):
            label = self.addLabel(
                ROW_TITLES[row], row=r, col=0, angle=-90, color=QUANTITY_COLORS[row]
            )
            label.setMaximumWidth(22)
            for index in indices:
                # no context menu is built (ViewBox's took 2 ms a panel, then was thrown away).
                # Configuring the plot before it joins the layout saved a little more, but made
                # a later rebuild segfault in QGraphicsView's paint (test_activations_only_...)
                plot = self.addPlot(row=r, col=index, enableMenu=False)
                plot.setMouseEnabled(x=False, y=False)
                plot.hideButtons()
                # no border: its rect item and the view's own paint (a Python call drawing
                # the border's path with no pen) were 0.45 ms of a 20-panel paint (measured)
                plot.vb.borderRect.hide()
                plot.vb.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
                if index == indices[0]:
                    plot.getAxis("left").setWidth(36)
                else:
                    plot.hideAxis("left")
                plot.getAxis("bottom").setStyle(tickTextOffset=2)
                plot.setDefaultPadding(0.0)
                plot.setMinimumWidth(30)
                for axis in ("left", "bottom"):  # axes change rarely: paint them from a pixmap
                    ax = plot.getAxis(axis)
                    ax.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
                    # fixed sizes: an axis that resized itself to new tick labels made the grid
                    # relayout, which resized every panel (and dropped every cache) each frame
                    ax.enableAutoSIPrefix(False)
                for axis in ("top", "right"):  # hidden, but linked: each range change relabelled
                    plot.getAxis(axis).enableAutoSIPrefix(False)  # them (setHtml, 0.1 ms each)
                plot.getAxis("bottom").setHeight(round(22 * self.scale))
                if self.scale != 1.0:
                    font = QFont()
                    font.setPointSizeF(8 * self.scale)
                    for axis in ("left", "bottom"):
                        plot.getAxis(axis).setStyle(tickFont=font)
                self._panels[(row, index)] = _Panel(plot, QUANTITY_COLORS[row], 2.0 * self.scale)
        self._shape = (indices, self.rows)

    def _update_panel(self, p: _Panel, row: str, s: LayerStats, blend: bool) -> None:
        h = s.hists[row]
        if (h.lo, h.hi) != p.xrange:
            p.plot.setXRange(h.lo, h.hi, padding=0)
            ticks = edge_ticks(h.lo, h.hi)
            p.plot.getAxis("bottom").setTicks([ticks])
            p.ticks = [t for t, _ in ticks]
            p.curve.set_guides(p.ticks, max(p.ymax, 1e-12))
            p.xrange = (h.lo, h.hi)
            p.edges = None
        if p.edges is None or len(p.edges) != len(h.counts) + 1:  # a new range or bin count
            p.edges = h.edges
        target = fraction(h)
        if p.shown is None or len(p.shown) != len(target) or not blend:
            p.shown = target.copy()
        p.start = p.shown.copy()
        p.target = target
        p.set_title(panel_title(row, s), self.scale)
        mark_outside(p, h)
        bad = s.nonfinite_frac if row in ("act", "preact") else 0.0
        if s.nonfinite and (bad > 0 or row in ("grad", "wgrad")):
            share = bad if bad > 0 else None
            badge = p.note("badge")
            badge.setText(
                f"overflow: {100 * share:.0f}% non-finite" if share else "non-finite values"
            )
            badge.setPos((h.lo + h.hi) / 2, 0.5 * max(p.ymax, 1e-12))
            badge.show()
        else:
            p.hide_note("badge")

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
        b_line = ((f"B σ {_fmt(_std(row, sb))}", False, b_color),)
        p.set_title((*panel_title(row, s), b_line), self.scale)

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
                        p.plot.setYRange(0, ymax, padding=0)
                        p.curve.set_guides(p.ticks, ymax)
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
            p.curve.setData(p.edges, p.shown)


def mark_outside(p: _Panel, h: Hist) -> None:
    """The shares of h's values below and above the panel's range, in its top corners."""
    for kind, n in (("under", h.underflow), ("over", h.overflow)):
        if n:
            share = 100 * n / max(h.sampled, 1)
            text = "<0.1%" if share < 0.1 else f"{share:.1f}%" if share < 10 else f"{share:.0f}%"
            p.note(kind).setText(f"◀ {text}" if kind == "under" else f"{text} ▶")
            p.note(kind).show()
        else:
            p.hide_note(kind)
    _place_outside(p)


def _place_outside(p: _Panel) -> None:
    """The out-of-range shares at the top corners; with both shown, the right one a line lower
    (in a narrow panel the two met in the middle and read as one garbled label)."""
    top = max(p.ymax, 1e-12)
    under, over = p.notes.get("under"), p.notes.get("over")
    if under is not None:
        under.setPos(p.xrange[0], top)
    if over is not None:
        both = under is not None and under.isVisible()
        over.setPos(p.xrange[1], top * (0.8 if both else 1.0))


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
