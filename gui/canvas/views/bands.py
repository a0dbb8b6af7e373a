"""Number formats, drawn (issue #20): where float16's and bfloat16's numbers end, as muted bands
behind a log₁₀ axis's data, so a lecturer can point at the gradients that half precision loses.

A band per format and end: below its smallest normal ("float16 underflows": precision lost, then
0) and above its largest finite value ("float16 overflows": inf), the numbers from core/formats.py
and nowhere else. The ladder (std on a log y axis) gets horizontal bands, each labelled inside the
plot where the label touches no line, marker or other label (else just outside its band, pointing
at it, else not at all: the data win); the histograms' log₁₀|x| panels get vertical bands, named
in the view's legend line (a label in each small panel would crowd its curve). Bands sit below
every data item; a band wholly off the axis is hidden (bfloat16's 1e-38 on most ladders).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor

from core.formats import FORMATS
from gui import theme
from gui.canvas.sizes import Sizes
from gui.canvas.views import sides as palette

# Okabe & Ito's orange and sky blue: apart from the sides' slate and vermillion and the grey theory
HUES = {"float16": ("#E69F00", "orange"), "bfloat16": ("#56B4E9", "blue"),
        "float32": ("#999999", "grey")}  # fmt: skip
FILL_ALPHA = 46  # of 255: muted, the data stay the strongest marks
EDGE_ALPHA = 150
Z_BAND = -20  # below the theory's line (-1) and every side's (1, 2)
MARK, JOIN = "shaded ", "   ·   "  # the legend's words for the bands, after its own parts
Z_LABEL = -10  # above the bands, below the data, were a label ever to meet a line


@dataclass(frozen=True)
class Band:
    """One end of a format on a log₁₀ axis: the values below `edge` (underflows) or above it."""

    name: str
    kind: str  # "underflows" or "overflows"
    edge: float  # log₁₀ of the smallest normal or the largest finite value

    @property
    def text(self) -> str:
        return f"{self.name} {self.kind}"

    @property
    def limit(self) -> float:
        return 10.0**self.edge

    @property
    def label(self) -> str:
        """The text on the ladder: what and where, "float16 underflows (< 6.1e-5)"."""
        return f"{self.text} ({'<' if self.kind == 'underflows' else '>'} {number(self.limit)})"

    def span(self, lo: float, hi: float) -> tuple[float, float] | None:
        """The band's part of the axis [lo, hi], None when it is off the axis."""
        a, b = (lo, min(self.edge, hi)) if self.kind == "underflows" else (max(self.edge, lo), hi)
        return (a, b) if b > a else None


def bands(names) -> list[Band]:
    """Both ends of each named format (core/formats.py FORMATS), in the order named."""
    out = []
    for name in names:
        f = FORMATS[name]
        out.append(Band(name, "underflows", math.log10(f.smallest_normal)))
        out.append(Band(name, "overflows", math.log10(f.largest)))
    return out


def color(name: str, alpha: int) -> QColor:
    """The format's hue at alpha over the theme's background, opaque (a translucent fill costs Qt
    a millisecond a panel in a grab; gui/theme.py does the same for its bands)."""
    c, bg = QColor(HUES[name][0]), QColor(theme.BACKGROUND[0])
    a = alpha / 255
    pairs = zip(c.getRgb()[:3], bg.getRgb()[:3], strict=True)
    return QColor(*(round(a * x + (1 - a) * y) for x, y in pairs))


def text_color(name: str) -> QColor:
    """The format's hue, darkened (light theme) or lightened (dark theme) until it reads at
    4.5:1 on its own band, the contrast the sides' colours keep (tests/gui/test_colours.py)."""
    fill = color(name, FILL_ALPHA)
    c = QColor(HUES[name][0])
    light = fill.lightness() >= 128
    for _ in range(20):
        if palette.contrast(c.name(), fill.name()) >= 4.5:
            break
        c = c.darker(112) if light else c.lighter(112)
    return c


def number(v: float) -> str:
    """A limit as a slide writes it: 65504, 6.1e-5, 3.4e38."""
    if 1e-3 <= v < 1e6:
        return f"{v:.6g}"
    mantissa, exponent = f"{v:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def legend_text(names, lo: float, hi: float) -> str:
    """The bands in range, in words: "orange: float16 underflows (|x| < 6.1e-5)"."""
    parts = []
    for band in bands(names):
        if band.span(lo, hi) is not None:
            sign = "<" if band.kind == "underflows" else ">"
            parts.append(f"{HUES[band.name][1]}: {band.text} (|x| {sign} {number(band.limit)})")
    return ", ".join(parts)


def with_words(legend: str, words: str) -> str:
    """A legend line with the bands' words at its end, in place of any it had."""
    base = legend.split(MARK)[0].removesuffix(JOIN)
    if not words:
        return base
    return base + (JOIN if base else "") + MARK + words


def _region(band: Band, orientation: str) -> pg.LinearRegionItem:
    """A fixed shade with a line at the format's limit only (the far edge is off the axis)."""
    item = pg.LinearRegionItem(orientation=orientation, movable=False)
    item.setZValue(Z_BAND)
    item.band = band
    _paint(item)
    return item


def _paint(item: pg.LinearRegionItem) -> None:
    """The band's colours from the theme now (it may have changed since the band was made)."""
    band = item.band
    item.setBrush(color(band.name, FILL_ALPHA))
    edge = 1 if band.kind == "underflows" else 0
    for i, line in enumerate(item.lines):
        line.setPen(pg.mkPen(color(band.name, EDGE_ALPHA), width=1) if i == edge else None)


def _set(item: pg.LinearRegionItem, span: tuple[float, float] | None, lo: float, hi: float):
    """Show the band over its span, its open end well past the axis; hide it when off."""
    item.setVisible(span is not None)
    if span is not None:
        _paint(item)
        a, b = span
        room = 1.0 + (hi - lo)
        item.setRegion((lo - room if a <= lo else a, hi + room if b >= hi else b))


class LadderBands:
    """The bands of the ladder's plot (a log₁₀ y axis) and their labels."""

    def __init__(self, plot: pg.PlotItem, names):
        self.plot = plot
        self.regions = [_region(b, "horizontal") for b in bands(names)]
        self.labels: list[pg.TextItem] = []
        for item in self.regions:
            plot.addItem(item, ignoreBounds=True)
            label = pg.TextItem(anchor=(0, 0))
            label.report_role = "legend"
            label.textItem.document().setDocumentMargin(1)
            label.setZValue(Z_LABEL)
            plot.addItem(label, ignoreBounds=True)
            self.labels.append(label)
        self.sizes = Sizes(720)
        if self.regions:
            plot.vb.sigResized.connect(self.place)
            plot.vb.sigYRangeChanged.connect(lambda *_: self.show(self.sizes))

    def show(self, sizes: Sizes) -> None:
        """Bands for the plot's current y range, labels placed clear of the data."""
        self.sizes = sizes
        lo, hi = self.plot.vb.viewRange()[1]
        for item in self.regions:
            _set(item, item.band.span(lo, hi), lo, hi)
        self.place()

    def place(self) -> None:
        """Each band's label at its first spot clear of the data and of every other text on the
        plot (the ladder's numbers at named layers, the other bands' labels); else none."""
        taken = [
            _glyphs(i)
            for i in self.plot.items
            if isinstance(i, pg.TextItem) and i.isVisible() and i not in self.labels
        ]
        lines = _polylines(self.plot)
        for item, label in zip(self.regions, self.labels, strict=True):
            label.hide()
            if not item.isVisible():
                continue
            label.setFont(self.sizes.font("legend"))
            label.setColor(text_color(item.band.name))
            for text, rect in self._spots(item.band, label):
                if not any(rect.intersects(t) for t in taken) and not _touches(rect, lines):
                    label.setText(text)
                    label.setPos(self.plot.vb.mapSceneToView(rect.topLeft()))
                    label.show()
                    taken.append(rect)
                    break

    def _spots(self, band: Band, label: pg.TextItem):
        """(text, scene rect) where the label may go, best first: inside the band at its limit,
        left then right, then at the band's far end, then just outside the limit with an arrow."""
        vb, pad = self.plot.vb, self.sizes.gap / 2
        box = vb.sceneBoundingRect()
        y_edge = vb.mapViewToScene(QPointF(0.0, band.edge)).y()
        below = band.kind == "underflows"
        top, bottom = (max(y_edge, box.top()), box.bottom()) if below else (
            box.top(), min(y_edge, box.bottom()))  # fmt: skip
        for text in (band.label, band.label + (" ↓" if below else " ↑")):
            label.setText(text)
            r = label.textItem.boundingRect()
            w, h = r.width(), r.height()
            if text == band.label:  # in the band: at its limit, then at its far end
                ys = (top + pad, bottom - h - pad) if below else (bottom - h - pad, top + pad)
                ys = [y for y in ys if top <= y and y + h <= bottom]
            else:  # outside: beside the limit, pointing into the band
                ys = [y_edge - h - pad] if below else [y_edge + pad]
            for y in ys:
                for x in (box.left() + 2 * pad, box.right() - w - 2 * pad):
                    rect = QRectF(x, y, w, h)
                    if box.contains(rect):
                        yield text, rect


def _glyphs(item: pg.TextItem) -> QRectF:
    """A text item's text in scene coordinates, less its document's margin."""
    inner = item.textItem
    m = inner.document().documentMargin()
    return inner.mapRectToScene(inner.boundingRect().adjusted(m, m, -m, -m))


def _polylines(plot: pg.PlotItem) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Every visible data item's points in scene coordinates, with the room it needs (half its
    marker, or its line's width)."""
    vb = plot.vb
    box = vb.sceneBoundingRect()
    (x0, x1), (y0, y1) = vb.viewRange()
    out = []
    for item in plot.listDataItems():
        if not item.isVisible():
            continue
        x, y = (np.asarray(v, np.float64) if v is not None else np.zeros(0) for v in item.getData())
        if x.size == 0:
            continue
        sx = box.left() + (x - x0) / (x1 - x0) * box.width()
        sy = box.bottom() - (y - y0) / (y1 - y0) * box.height()
        scatter = isinstance(item, pg.ScatterPlotItem)
        room = item.opts["size"] / 2 + 1 if scatter else 3.0
        out.append((sx, sy, room, scatter))
    return out


def _touches(rect: QRectF, lines) -> bool:
    """Whether any polyline (or, for a scatter, any marker) comes within its room of rect."""
    for sx, sy, room, scatter in lines:
        r = rect.adjusted(-room, -room, room, room)
        if scatter:
            x0, y0, x1, y1 = sx, sy, sx, sy
        else:
            x0, y0, x1, y1 = sx[:-1], sy[:-1], sx[1:], sy[1:]
        if _segments_hit(r, x0, y0, x1, y1):
            return True
    return False


def _segments_hit(r: QRectF, x0, y0, x1, y1) -> bool:
    """Liang-Barsky over all segments at once: does any finite segment meet the rectangle?"""
    ok = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
    x0, y0, x1, y1 = (np.where(ok, v, 0.0) for v in (x0, y0, x1, y1))
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = np.zeros_like(dx), np.ones_like(dx)
    for p, q in ((-dx, x0 - r.left()), (dx, r.right() - x0), (-dy, y0 - r.top()),
                 (dy, r.bottom() - y0)):  # fmt: skip
        ok &= ~((p == 0) & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = q / p
        t0 = np.where(p < 0, np.maximum(t0, t), t0)
        t1 = np.where(p > 0, np.minimum(t1, t), t1)
    return bool((ok & (t0 <= t1)).any())


class GridBands:
    """The bands of a layer grid's log₁₀|x| panels (gui/views/layer_grid.py): one per format's
    end on each such panel, kept in step with the pool's panels as they are placed."""

    def __init__(self, grid, names):
        self.grid = grid
        self.names = tuple(names)
        self.items: dict[int, list[pg.LinearRegionItem]] = {}  # id(panel plot) → its bands
        if self.names:
            grid.placed.connect(self.sync)

    def sync(self) -> None:
        """Each placed panel's bands for its x range: shown on a log row, hidden on a linear one."""
        if not self.names:
            return
        for (row, _), panel in self.grid.panels.items():
            plot = panel.plot
            if id(plot) not in self.items:
                self.items[id(plot)] = [_region(b, "vertical") for b in bands(self.names)]
                for item in self.items[id(plot)]:
                    plot.addItem(item, ignoreBounds=True)
            lo, hi = panel.xrange
            log = self.grid.log_span(row) is not None and hi > lo
            for item in self.items[id(plot)]:
                _set(item, item.band.span(lo, hi) if log else None, lo, hi)

    def regions(self, row: str, layer: int) -> list[pg.LinearRegionItem]:
        """The bands shown on panel (row, layer), as its plot holds them."""
        plot = self.grid.panel(row, layer)
        return [i for i in plot.items if isinstance(i, pg.LinearRegionItem) and i.isVisible()]

    def legend(self, rows) -> str:
        """The legend's words for the bands on the rows shown (those on a log axis)."""
        logs = [
            p.xrange
            for (row, _), p in self.grid.panels.items()
            if row in rows and self.grid.on_log(row) and p.xrange[1] > p.xrange[0]
        ]
        if not self.names or not logs:
            return ""
        lo, hi = min(a for a, _ in logs), max(b for _, b in logs)
        return legend_text(self.names, lo, hi)
