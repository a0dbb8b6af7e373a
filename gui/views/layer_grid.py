"""One column per layer, one row per quantity: the histograms the room watches.

Plot items are made once and kept across shapes (panel_pool.py); each frame only calls setData. Bin heights glide from the
shown frame to the new one (a short linear blend) so a change reads as motion, not a jump. The
x range of a row is the core's (shared by default, which is what makes a collapse visible); the
y range is grid_y.py's.
"""

from __future__ import annotations

import time
from types import MappingProxyType

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPixmapCache

from core.regions import regions
from core.stats import Hist, LayerStats, Snapshot
from gui.state import ROWS_AT_START
from gui.theme import QUANTITY_COLORS, band_color
from gui.views import grid_y, log_axis, unindexed
from gui.views.grid_items import (  # noqa: F401  (DashCurve, StepCurve: named here by tests)
    DashCurve,
    Run,
    StepCurve,
    _Panel,
    tick_room,
    title_html,
)
from gui.views.log_axis import Binned
from gui.views.panel_pool import PanelPool, event_loop_running
from gui.views.panel_text import (  # noqa: F401  (_fmt, mark_outside: named here by tests)
    BADGE_FROM,
    _fmt,
    _std,
    mark_outside,
    panel_title,
)
from gui.views.panel_type import PanelType
from gui.views.row_fill import RowFill

BLEND_MS = 140
PIXMAP_CACHE_KIB = 256 * 1024  # room for several 4K grids' axes


def fraction(h: Hist) -> np.ndarray:
    """Share of the layer's values in each bin: comparable across layers and frames."""
    return h.counts / max(h.sampled, 1)


def has_rows(snap: Snapshot, rows: tuple[str, ...]) -> bool:
    """Whether snap holds the histograms of these rows (the core makes only those asked for)."""
    return all(r in snap.layers[0].hists for r in rows) if snap.layers else True


class LayerGrid(pg.GraphicsLayoutWidget):
    """present(snapshot) shows it; rows and blending are view options, not config."""

    # a new shape's first frame, shown over several turns (row_fill.py), is in: what a caller
    # did to the panels right after present (names, masks) is to be done again
    placed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        unindexed(self)
        # the axes' pixmaps live in QPixmapCache: its 10 MiB default holds one 1080p grid at most,
        # and a thrashing cache repaints every axis every frame (paint 8 → 25 ms measured)
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KIB))
        self.rows: tuple[str, ...] = ROWS_AT_START
        self.blend = True
        self.y_mode = "shared"  # or "layer": each panel its own y range
        self.x_axis = "auto"  # gui/state.py X_AXES: which rows are on log₁₀|x|
        self._spans: dict[str, tuple[int, int]] = {}  # a log row's bins (log_axis.row_span)
        self._pool = PanelPool(self.ci)
        self._pool.ready.connect(self._placed)
        self._fill = RowFill(self, self._fill_row, self._filled)  # a new shape's first frame
        self._snapshot: Snapshot | None = None
        self._b: Snapshot | None = None
        self._theory: dict | None = None  # the curves last asked for, for panels placed later
        self._shown = None  # the placed shape a frame was last shown on whole (None: not yet)
        self._t0 = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._tick)
        self.scale = 1.0  # type and line scale (the presentation view's projector factor)
        self.sizes = None  # on the lecture canvas: sizes from its pixel height (set_sizes)
        self._type: PanelType | None = None
        self.ci.layout.setSpacing(self.panel_type.gap)
        # nothing to see before the first snapshot: painting the empty panels' axes first cost
        # 160-210 ms of the launch, all of it repainted when the data came
        self.setUpdatesEnabled(False)

    # ----------------------------------------------------------------- API
    @property
    def animating(self) -> bool:
        """Blending to the newest frame, or making the panels of a new shape (panel_pool.py):
        either way, what is shown is about to change."""
        return self._timer.isActive() or self._pool.building or self._fill.active

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    @property
    def snapshot_b(self) -> Snapshot | None:
        return self._b

    @property
    def _panels(self) -> dict[tuple[str, int], _Panel]:
        """The placed panels by (row, layer)."""
        return self._pool.panels

    @property
    def panels(self) -> MappingProxyType[tuple[str, int], _Panel]:
        """The placed panels by (row, layer), read-only (tests, exports)."""
        return MappingProxyType(self._pool.panels)

    def set_rows(self, rows: tuple[str, ...]) -> None:
        if rows != self.rows:
            self.rows = rows
            if self._snapshot is not None and has_rows(self._snapshot, rows):
                self.present(self._snapshot, blend=False, b=self._b)

    def curve_data(self, row: str, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """What panel (row, layer) plots now: bin edges and heights (for tests and exports)."""
        x, y = self._panels[(row, layer)].curve.getData()
        return np.asarray(x), np.asarray(y)

    def panel(self, row: str, layer: int) -> pg.PlotItem:
        return self._panels[(row, layer)].plot

    def on_log(self, row: str) -> bool:
        """Whether `row`'s panels are on log₁₀|x| (the x_axis mode)."""
        return log_axis.on_log(self.x_axis, row)

    def log_span(self, row: str) -> tuple[int, int] | None:
        """A log row's global bins (first, count) (core/loghist.py), None on a linear row."""
        return self._spans.get(row) if self.on_log(row) else None

    def binned(self, row: str, s: LayerStats, side: str = "A") -> Binned:
        """What panel (row, s.index) draws of s (its A or B side) on the row's current axis."""
        span = self.log_span(row)
        h = s.hists[row]
        return log_axis.linear(h) if span is None else log_axis.logarithmic(h.log, span)

    def recolor(self) -> None:
        """The theme's palette changed (gui/theme.py restyle): every pen and row title anew."""
        for p in self._panels.values():
            p.recolor()
        self._pool.relabel()
        if self._snapshot is not None:
            self._apply(1.0)

    def set_scale(self, scale: float) -> None:
        """Type and lines at `scale` from the next present (or prepare) on."""
        self.scale = scale
        self.ci.layout.setSpacing(self.panel_type.gap)

    def set_canvas_sizes(self, sizes) -> None:
        """On the lecture canvas: type, lines and gaps from its pixel height (sizes.Sizes)."""
        self.sizes = sizes
        self.ci.layout.setSpacing(self.panel_type.gap)

    @property
    def panel_type(self) -> PanelType:
        key = (self.scale, self.sizes.height if self.sizes is not None else 0)
        if self._type is None or (self._type.scale, self._type.height) != key:
            self._type = PanelType(*key)  # made once: it is asked for twice a panel a frame
        return self._type

    def show_theory(self, curves: dict | None) -> None:
        """Dashed mean-field curves on the panels (None: hide them); while a new shape is
        filled, on its panels once the fill is over (a panel's first curve is 0.5 ms to make)."""
        self._theory = curves
        if self._fill.active:
            return
        for (row, layer), p in self._panels.items():
            # the curves are densities over the linear axis: none on a log one
            xy = curves.get((row, layer)) if curves and not self.on_log(row) else None
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
        """Show snap; with b (same histogram ranges, from core.simulate.run_joint), overlay it.
        While an event loop runs, a new shape is shown once its panels are made, a row a turn."""
        blend = self.blend if blend is None else blend
        if not self.updatesEnabled():
            self.setUpdatesEnabled(True)
        self._snapshot = snap
        self._b = b
        placed = self._pool.shape
        if self._pool.want((tuple(s.index for s in snap.layers), self.rows, self.panel_type)):
            # a shape placed ahead of its frame (prepare) has blank panels too
            reshaped = self._pool.shape != placed or self._fill.active or self._shown != placed
            if reshaped:
                self._fresh_start()
            if reshaped and event_loop_running():  # new panels' first show: 1-3 ms each
                self._fill.start(self._rows_in(snap))
                return
            filling = self._fill.stop()
            self._show(blend and not reshaped)
            self._shown = self._pool.shape
            if filling:
                self._filled()
            else:
                self._pool.trim()
        else:
            self._fill.stop()  # another shape is on its way

    def release(self) -> None:
        """Its panels freed until it shows a snapshot again (panel_pool.py)."""
        self._timer.stop()
        self._fill.stop()
        self._pool.release()
        self._snapshot = self._b = None
        self._shown = None
        self._spans = {}

    @property
    def panels_made(self) -> int:
        """Panels alive, placed or spare (a bounded pool: tests)."""
        return self._pool.made

    def prepare(self, indices: tuple[int, ...]) -> None:
        """Make and place the panels for these layers ahead of their first snapshot (the window
        calls it while the engine computes, so the two overlap instead of adding up)."""
        self._pool.want((tuple(indices), self.rows, self.panel_type))

    # ----------------------------------------------------------- internals
    def _placed(self) -> None:
        """A shape made over several turns is in place: the newest snapshot on it if it is that
        shape's (else the kept panels keep theirs), a row a turn, painted after the last
        (row_fill.py)."""
        self._fresh_start()
        self._fill.start(self._rows_in(self._snapshot) if self._fits(self._snapshot) else ())

    def _fits(self, snap: Snapshot | None) -> bool:
        """snap's layers are the placed shape's."""
        shape = self._pool.shape
        if snap is None or shape is None or self._pool.building:
            return False
        return tuple(s.index for s in snap.layers) == shape[0]

    def _fill_row(self, row: str) -> None:
        if self._fits(self._snapshot) and row in self._rows_in(self._snapshot):
            self._show(False, (row,))
            self._shown = self._pool.shape

    def _filled(self) -> None:
        self._pool.trim()
        self.show_theory(self._theory)
        self.placed.emit()

    def _fresh_start(self) -> None:
        """A new shape starts as a grid made for it would: y ranges from its first frame (the
        hysteresis that keeps axes still from frame to frame is not carried over), and titles
        whose labels reserve room for their own text (a label's width follows it)."""
        for p in self._panels.values():
            p.ymax = 0.0
            p.room = 0
            p.title = ()
        self._spans = {}

    def _show(self, blend: bool, rows: tuple[str, ...] | None = None) -> None:
        """The snapshot on the panels of `rows` (all it holds of those shown, by default)."""
        snap, b = self._snapshot, self._b
        rows = self._rows_in(snap) if rows is None else rows
        b_layers = {s.index: s for s in b.layers} if b is not None else {}
        for row in rows:
            self._fit_span(row, snap, b)
            for s in snap.layers:
                p = self._panels[(row, s.index)]
                self._update_panel(p, row, s, blend)
                self._update_b(p, row, s, b_layers.get(s.index))
        self._sync_y(rows)
        for row in rows:
            for s in snap.layers:
                # a new range's transform now, not in the paint (pyqtgraph's default): set there,
                # it asked for a second paint of the grid (1.72 paints a frame in a sweep, 9 ms each)
                self._panels[(row, s.index)].plot.vb.updateMatrix()
        if blend:
            self._t0 = time.perf_counter()
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
            self._apply(1.0)

    def _rows_in(self, snap: Snapshot) -> tuple[str, ...]:
        """The rows shown that snap holds (a row just ticked is blank until a frame has it)."""
        have = snap.layers[0].hists if snap.layers else {}
        return tuple(row for row in self.rows if row in have)

    def _fit_span(self, row: str, snap: Snapshot, b: Snapshot | None) -> None:
        """A log row's bins: around every layer of both sides, kept while they still fit."""
        if not self.on_log(row):
            self._spans.pop(row, None)
            return
        hists = [s.hists[row].log for sn in (snap, b) if sn is not None for s in sn.layers]
        self._spans[row] = log_axis.row_span(hists, self._spans.get(row))

    def _update_panel(self, p: _Panel, row: str, s: LayerStats, blend: bool) -> None:
        span = self.log_span(row)
        h = s.hists[row]
        kept = p.edges  # (a new range or axis makes them anew in _set_axis, below)
        d = log_axis.linear(h, kept) if span is None else log_axis.logarithmic(h.log, span, kept)
        room = tick_room(p.plot) if span else 3  # decades' numbers are the wide ones ("10⁻⁴")
        if (d.lo, d.hi) != p.xrange or span != p.log_span or room != p.tick_room:
            self._set_axis(p, row, s, d, span)
            d = log_axis.linear(h) if span is None else log_axis.logarithmic(h.log, span)
        if p.edges is None or len(p.edges) != len(d.shares) + 1:  # a new range or bin count
            p.edges = d.edges
        if p.shown is None or len(p.shown) != len(d.shares) or not blend:
            p.shown = d.shares.copy()
        p.start = p.shown.copy()
        p.target = d.shares
        p.target_negative = d.negative
        mark_outside(p, d)
        bad = s.nonfinite_frac if row in ("act", "preact") else 0.0
        if s.nonfinite and (bad > 0 or row in ("grad", "wgrad")):
            share = bad if bad > 0 else None
            badge = p.note("badge")
            badge.setText(
                f"overflow: {100 * share:.0f}% non-finite" if share else "non-finite values"
            )
            badge.setPos((d.lo + d.hi) / 2, 0.5 * max(p.ymax, 1e-12))
            badge.show()
        else:
            p.hide_note("badge")

    def _set_axis(self, p: _Panel, row: str, s: LayerStats, d: Binned, span) -> None:
        """A new x range: its ticks, guides and shaded regions."""
        p.plot.setXRange(d.lo, d.hi, padding=0)
        p.tick_room = tick_room(p.plot) if span else 3
        ticks = (log_axis.decade_ticks if span else log_axis.linear_ticks)(d.lo, d.hi, p.tick_room)
        p.plot.getAxis("bottom").setTicks([ticks])
        p.ticks = [t for t, _ in ticks]
        p.xrange = (d.lo, d.hi)
        p.log_span = span
        p.edges = None
        shade = log_axis.log_regions if span else log_axis.linear_regions
        p.bands = shade(regions(s.activation, row), d.lo, d.hi)
        p.curve.set_guides(p.ticks, max(p.ymax, 1e-12))
        p.curve.set_bands(p.bands, max(p.ymax, 1e-12), band_color())

    def _update_b(self, p: _Panel, row: str, s: LayerStats, sb: LayerStats | None) -> None:
        hb = sb.hists[row] if sb is not None else None
        span = self.log_span(row)
        if hb is not None and span is not None:
            db = log_axis.logarithmic(hb.log, span, p.edges)
        elif hb is not None and (hb.lo, hb.hi, len(hb.counts)) == (*p.xrange, len(p.target)):
            db = log_axis.linear(hb)
        else:
            p.show_b(None, None)  # no B, or not on A's bins (only run_joint's pairs overlay)
            p.target_b_peak = 0.0
            # the title set here, once: set in _update_panel too, an A/B panel's was laid out
            # twice a frame (A's, then A's and B's)
            p.set_title(panel_title(row, s), self.panel_type)
            return
        p.show_b(p.edges, db.shares)
        p.target_b_peak = float(db.shares.max()) if len(db.shares) else 0.0
        b_line = ((f"B σ {_fmt(_std(row, sb))}", False, QUANTITY_COLORS["b_side"]),)
        (layer, sigma), *notes = panel_title(row, s)
        a_line = (layer, (sigma[0], sigma[1], QUANTITY_COLORS["a_side"]))  # σ in A's colour
        p.set_title((a_line, *notes, b_line), self.panel_type)

    def _sync_y(self, rows: tuple[str, ...]) -> None:
        for row in rows:
            panels = [self._panels[(row, s.index)] for s in self._snapshot.layers]
            grid_y.sync_row(panels, self.y_mode == "layer", self.panel_type)

    def _tick(self) -> None:
        t = min(1.0, (time.perf_counter() - self._t0) * 1e3 / BLEND_MS)
        self._apply(t)
        if t >= 1.0:
            self._timer.stop()

    def _apply(self, t: float) -> None:
        for p in self._panels.values():
            if p.target is not None:
                p.glide(t)
