"""The layer grid's curves: a histogram's step outline (with its shaded bands and filled part)
and a dashed prediction, each as bare as the grid needs: every one was measured to cost something
a frame in its pyqtgraph form (see the docstrings), and a grid has up to 36 of each."""

from __future__ import annotations

import functools
import math

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen, QPolygonF, QTransform

from gui.views.panel_title import _color


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
        t = painter.worldTransform()
        painter.save()
        painter.setWorldTransform(QTransform())  # (resetTransform would drop the viewport too)
        painter.setPen(Qt.PenStyle.NoPen)
        for rect in self._bands:
            painter.fillRect(t.mapRect(rect), self._band_brush)
        if len(self._fill_xy):
            painter.setBrush(self._fill_brush)
            painter.drawPolygon(t.map(self._fill))
        painter.restore()

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
            # no bins (a staged scene's panel not revealed yet): pyqtgraph's view of an empty
            # polygon is read-only, and the assignments below wrote into it
            self._xy = pg.functions.ndarray_from_qpolygonf(self._poly) if n else np.zeros((0, 2))
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
