"""The drawing items of the layer grid's panels: step and dashed curves, the notes, and the
panel that holds them (one pyqtgraph PlotItem each; its title is panel_title.py's).

Each is as bare as the grid needs: every one was measured to cost something a frame in its
pyqtgraph form (see the docstrings), and a grid has up to 36 of each."""

from __future__ import annotations

import functools
import math

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from gui.theme import QUANTITY_COLORS, WARN, fill_color
from gui.views.panel_title import PanelTitle, Run, _color, title_html
from gui.views.panel_type import PanelType, line_spacing

Y_NAME = "share of values"


def _title_font() -> QFont:
    font = QFont()
    font.setPointSizeF(9.0)
    return font


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

    def set_pen(self, pen: QPen) -> None:
        """Another colour or width (a panel kept for another row, or another scale)."""
        self._pen = QPen(pen)
        self._pad = None  # the bounds grow with the pen's width
        self.prepareGeometryChange()
        self.update()

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
        self._bands: list[QRectF] = []
        self._band_brush = QBrush()
        self._fill = QPolygonF()
        self._fill_xy = np.zeros((0, 2))
        self._fill_brush = QBrush()

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

    @property
    def bands(self) -> list[QRectF]:
        """The shaded regions as drawn (data coordinates)."""
        return self._bands

    def set_bands(self, spans: list[tuple[float, float]], top: float, color: QColor) -> None:
        """Shaded x spans from 0 to top, behind everything (an activation's saturated tails)."""
        self._bands = [QRectF(a, 0.0, b - a, top) for a, b in spans]
        self._band_brush = QBrush(color)
        self._set_bounds(self._bounds())

    def set_fill(self, heights: np.ndarray | None, color: QColor | None = None) -> None:
        """A filled step area under the outline on the outline's bins (the negative values'
        shares on a log axis); None: none."""
        if heights is None or not len(self._xy) or len(heights) * 2 != len(self._xy):
            if not len(self._fill_xy):
                return  # none already (a linear panel's every frame)
            self._fill = QPolygonF()
            self._fill_xy = np.zeros((0, 2))
            self.update()
            return
        n = len(heights)
        if len(self._fill_xy) != 2 * n + 2:
            self._fill = pg.functions.create_qpolygonf(2 * n + 2)
            self._fill_xy = pg.functions.ndarray_from_qpolygonf(self._fill)
        xy = self._fill_xy
        xy[1:-1, 0] = self._xy[:, 0]
        xy[1:-1:2, 1] = xy[2:-1:2, 1] = heights
        xy[0] = (self._xy[0, 0], 0.0)
        xy[-1] = (self._xy[-1, 0], 0.0)
        if color is not None:
            self._fill_brush = QBrush(color)
        self.update()

    def _paint_areas(self, painter) -> None:
        """The bands and the fill, in device pixels (opaque: gui/theme.py _faint)."""
        t = painter.transform()
        painter.resetTransform()
        painter.setPen(Qt.PenStyle.NoPen)
        for rect in self._bands:
            painter.fillRect(t.mapRect(rect), self._band_brush)
        if len(self._fill_xy):
            painter.setBrush(self._fill_brush)
            painter.drawPolygon(t.map(self._fill))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setTransform(t)

    def _bounds(self) -> QRectF:
        rect = self._data_rect if len(self._xy) else QRectF()
        for extra in (self._guide_rect, *self._bands):
            if not extra.isNull():
                rect = rect.united(extra) if not rect.isNull() else extra
        return rect

    def clear(self) -> None:
        """No outline and no guides (a kept panel given to another row or layer)."""
        self._poly = QPolygonF()
        self._xy = np.zeros((0, 2))
        self._x = self._y = np.zeros(0)
        self._data_rect = QRectF()
        self._bands = []
        self.set_fill(None)
        self.set_guides([], 0.0)

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
        if self._bands or len(self._fill_xy):
            self._paint_areas(painter)
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
    """One histogram panel: a PlotItem made once, then kept by the grid for any row and layer.

    The PlotItem joins the scene hidden (a hidden item takes no room in the grid's layout); the
    grid places it, and `restyle` gives it its row's colour and the view's scale, `reset` the
    blank state of a new panel when it comes to show another row or layer."""

    def __init__(self, parent: pg.GraphicsLayout):
        # no context menu is built (ViewBox's took 2 ms a panel, then was thrown away)
        plot = self.plot = pg.PlotItem(enableMenu=False)
        # into the scene after it is made: made there (a parent given), its ViewBox missed the
        # scene's arrival (pyqtgraph hooks its lazy transform updates to it in itemChange), and
        # panels drew with the transform of an earlier size
        plot.hide()
        plot.setParentItem(parent)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        # no border: its rect item and the view's own paint (a Python call drawing the
        # border's path with no pen) were 0.45 ms of a 20-panel paint (measured)
        plot.vb.borderRect.hide()
        plot.vb.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        plot.getAxis("left").setWidth(36)
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
        self.curve = _curve(plot, pg.mkPen(QUANTITY_COLORS["act"], width=2.0), step=True)
        self.notes: dict[str, pg.TextItem] = {}  # made on first use (10 ms of a grid's build)
        self.curve_b: StepCurve | None = None  # the B side of an A/B comparison
        self.curve_theory: DashCurve | None = None  # the mean-field prediction
        self.painted_title: PanelTitle | None = None
        self.room = 0  # lines the title's label has room for
        self.style: tuple = ()  # (row, first column, scale) it was last styled for
        self.place: tuple[int, int] | None = None  # its cell in the grid's layout, if any
        self.key: tuple[str, int] | None = None  # the (row, layer) it shows, if placed
        self.reset()

    def reset(self) -> None:
        """Blank, as a new panel is: no data, no title, no notes, no B side or theory."""
        self.ticks: list[float] = []  # the labelled x values, where the x grid's lines are
        self.xrange = (0.0, 0.0)
        self.ymax = 0.0
        self.shown: np.ndarray | None = None
        self.start: np.ndarray | None = None
        self.target: np.ndarray | None = None
        self.edges: np.ndarray | None = None
        self.target_b_peak = 0.0
        self.target_negative: np.ndarray | None = None  # a log axis's negative values' shares
        self.log_span: tuple[int, int] | None = None  # its global bins, on a log axis
        self.bands: list[tuple[float, float]] = []  # the activation's regions on its x range
        self.yticks: list | None = None  # the left axis's labels, where it shows one
        self.title: tuple = ()
        self.curve.clear()
        for item in (self.curve_b, self.curve_theory, *self.notes.values()):
            if item is not None:
                item.hide()
        if self.painted_title is not None:
            self.painted_title.set_lines(())

    def show(self, row: str, first: bool, kind: PanelType) -> None:
        """Shown, styled for its row, column and type. An AxisItem sizes itself to nothing
        while hidden (with its panel too) and only its own show() sizes it again."""
        hidden = not self.plot.isVisible()
        self.plot.show()
        self.restyle(row, first, kind)
        if hidden:
            self.plot.showAxis("bottom")
            self.plot.showAxis("left", first)

    def restyle(self, row: str, first: bool, kind: PanelType) -> None:
        """Its row's colour, the left axis (named) in the first column only, type and lines."""
        style = (row, first, kind)
        if style == self.style:
            return
        plot, (old_row, old_first, old_kind) = self.plot, self.style or (None, None, None)
        if row != old_row or kind != old_kind:
            self.style = style
            self.recolor()
        if first != old_first:
            plot.showAxis("left", first)
        if kind != old_kind:
            self._retype(kind)
        self.style = style

    def _retype(self, kind: PanelType) -> None:
        """Fonts, axis sizes and the y axis's name for `kind`; the title is laid out anew."""
        plot = self.plot
        plot.getAxis("bottom").setHeight(kind.axis_height)
        left = plot.getAxis("left")
        left.setWidth(kind.axis_width)
        font = kind.font("tick")
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setStyle(tickFont=font)
        label_font = kind.font("axis-label") or QFont()
        left.setLabel(Y_NAME)
        left.label.setFont(label_font)
        if self.painted_title is not None:
            self.painted_title.set_font(kind.font("panel-title"))
        self.room = 0  # the title's label is made again at its new size
        self.title = ()

    @property
    def paired(self) -> bool:
        """B is overlaid: A then takes the muted a_side colour, B the bold one."""
        return self.curve_b is not None and self.curve_b.isVisible()

    def fill_color(self) -> QColor:
        """The negative values' fill: A's own colour, faint."""
        row = self.style[0] if self.style else "act"
        return fill_color("a_side" if self.paired else row)

    def recolor(self) -> None:
        """Every data pen from the theme's current palette (gui/theme.py), at the style's scale."""
        if not self.style:
            return
        row, _, kind = self.style
        a = QUANTITY_COLORS["a_side" if self.paired else row]
        self.curve.set_pen(pg.mkPen(a, width=kind.line))
        if self.curve_b is not None:
            self.curve_b.set_pen(pg.mkPen(QUANTITY_COLORS["b_side"], width=1.25 * kind.line))
        if self.curve_theory is not None:
            pen = pg.mkPen(QUANTITY_COLORS["theory"], width=0.75 * kind.line)
            self.curve_theory.set_pen(pen)
        for note in self.notes.values():
            note.setFont(kind.font("badge") or QFont())
        for kind, note in self.notes.items():
            if kind != "badge":
                note.setColor(WARN)

    def note(self, kind: str) -> pg.TextItem:
        if kind not in self.notes:
            item = self.notes[kind] = pg.TextItem(**NOTE_STYLES[kind])
            item.setZValue(10)
            if self.style:
                item.setFont(self.style[2].font("badge") or QFont())
            self.plot.addItem(item, ignoreBounds=True)
            item.hide()
        return self.notes[kind]

    def hide_note(self, kind: str) -> None:
        if kind in self.notes:
            self.notes[kind].hide()

    def set_title(self, lines: tuple[tuple[Run, ...], ...], kind: PanelType) -> None:
        """Only when it changed, and without a relayout: pyqtgraph's setText resizes the label to
        its text, so a σ that changes every frame nudged the grid's columns, which repainted every
        panel and dropped every cached axis (45 ms a frame). The label only reserves the lines
        (two, more when a title needs them: one relayout); a PanelTitle paints the text over it
        (QGraphicsTextItem.setHtml took 65 µs a panel, 1.3 ms of a 20-panel frame, measured)."""
        if lines == self.title:
            return
        lines = self._fitted(lines)
        label = self.plot.titleLabel
        if len(lines) > self.room:  # room for two lines at first (σ, notes), more if needed
            self.room = max(len(lines), 2)
            self.plot.setTitle(" ")
            label.item.hide()
            # the whole title above the plot: pyqtgraph fixes the title's row at 30 px, and a
            # second line at 1.6× type fell into the data (issue #18)
            font = kind.font("panel-title") or QFont()
            height = math.ceil(self.room * line_spacing(font) + 2)
            label.setMaximumHeight(height)
            label.setMinimumHeight(height)
            self.plot.layout.setRowFixedHeight(0, height)
        if self.painted_title is None:
            self.painted_title = PanelTitle(label, kind.font("panel-title") or _title_font())
        label.text = title_html(lines)
        self.painted_title.set_lines(lines)
        self.title = lines

    def _fitted(self, lines: tuple[tuple[Run, ...], ...]) -> tuple[tuple[Run, ...], ...]:
        """The first line (layer, σ) broken in two where it is wider than the panel: titles
        side by side ran into each other ("5.3e-0L6")."""
        width = self.plot.width()
        if self.painted_title is None or width <= 0 or not lines or len(lines[0]) < 2:
            return lines
        if self.painted_title.line_width(lines[0]) <= width - 4:
            return lines
        first = lines[0]
        return ((first[0],), ((first[1][0].strip(), *first[1][1:]),), *lines[1:])

    def show_theory(self, x: np.ndarray | None, y: np.ndarray | None) -> None:
        if x is None or len(x) < 2:
            if self.curve_theory is not None:
                self.curve_theory.hide()
            return
        if self.curve_theory is None:
            width = 0.75 * self.style[2].line if self.style else 1.5
            pen = pg.mkPen(QUANTITY_COLORS["theory"], width=width)
            self.curve_theory = _curve(self.plot, pen, step=False)
        self.curve_theory.setData(x, y)
        self.curve_theory.show()

    def show_b(self, edges: np.ndarray | None, heights: np.ndarray | None) -> None:
        was = self.paired
        if heights is None:
            if self.curve_b is not None:
                self.curve_b.hide()
        else:
            if self.curve_b is None:
                self.curve_b = _curve(self.plot, pg.mkPen(QUANTITY_COLORS["b_side"]), step=True)
            self.curve_b.setData(edges, heights)
            self.curve_b.show()
        if self.paired != was:
            self.recolor()
