"""The layer grid's panel: one pyqtgraph PlotItem with its curves (curves.py), notes and title
(panel_title.py), made once and kept for any row and layer."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem

from gui.theme import QUANTITY_COLORS, WARN, fill_color
from gui.views.bare_plot import BarePlot
from gui.views.curves import DashCurve, StepCurve, _curve
from gui.views.fixed_axis import FixedTickAxis
from gui.views.panel_title import PanelTitle, Run, title_html
from gui.views.panel_type import PanelType, line_spacing

Y_NAME = "share of values"


def _title_font() -> QFont:
    font = QFont()
    font.setPointSizeF(9.0)
    return font


NOTE_STYLES = {  # the out-of-range shares at the top corners, the overflow badge in the middle
    "under": dict(anchor=(0, 0), color=WARN),
    "over": dict(anchor=(1, 0), color=WARN),
    "badge": dict(anchor=(0.5, 0.5), color="#FFFFFF", fill=WARN),
}


_ROOM: dict[tuple[float, str], int] = {}  # (width, tick font) → how many numbers fit


def tick_room(plot: pg.PlotItem, most: int = 3) -> int:
    """How many x tick numbers fit the plot's width: two, or `most`, with a number's width
    between them ("10⁻⁴10⁻³0.01" ran together in a 1920×1080 canvas's narrow strips). Asked for
    every panel every frame, so measured once per width and font."""
    width = plot.vb.width()
    if width <= 0:
        return most
    font = plot.getAxis("bottom").style.get("tickFont") or QFont()
    key = (width, font.key())
    if key not in _ROOM:
        if len(_ROOM) > 256:  # a window resized by hand passes through many widths
            _ROOM.clear()
        wide = QFontMetrics(font).horizontalAdvance("10⁻⁴")
        _ROOM[key] = max(2, int(width // (2.2 * wide)))
    return min(most, _ROOM[key])


class _Panel:
    """One histogram panel: a PlotItem made once, then kept by the grid for any row and layer.

    The PlotItem joins the scene hidden (a hidden item takes no room in the grid's layout); the
    grid places it, and `restyle` gives it its row's colour and the view's scale, `reset` the
    blank state of a new panel when it comes to show another row or layer."""

    def __init__(self, parent: pg.GraphicsLayout):
        # no menus are built (gui/views/bare_plot.py: PlotItem's and ViewBox's were half of a
        # panel's build and 60% of its memory, then never shown)
        # axes laid out by FixedTickAxis (fixed_axis.py): the grid gives every tick it shows
        axes = {side: FixedTickAxis(side) for side in ("left", "bottom")}
        plot = self.plot = BarePlot(axisItems=axes)
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
        # ranges are the grid's own (set per frame); auto-ranged, a panel placed ahead of its
        # first frame fitted its view to its empty curves at every paint of the grid, and its
        # axes were laid out again each time (19-38 times in ui_gaps.py's actions)
        plot.vb.disableAutoRange()
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
        self.tick_room = 3  # how many x tick numbers fit its width (tick_room)
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
        for axis in ("left", "bottom"):  # no numbers until its first frame gives it its own
            self.plot.getAxis(axis).setTicks([[]])
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

    def glide(self, t: float) -> None:
        """Its bars at `t` (0 to 1) of the way from the shown frame to the newest."""
        self.shown = self.target if t >= 1.0 else self.start + (self.target - self.start) * t
        self.curve.setData(self.edges, self.shown)
        if self.target_negative is None:
            self.curve.set_fill(None)
            return
        negative = self.target_negative  # the negative values' share glides with the bars
        if t < 1.0:
            with np.errstate(invalid="ignore", divide="ignore"):
                part = np.where(self.target > 0, self.target_negative / self.target, 0.0)
            negative = part * self.shown
        self.curve.set_fill(negative, self.fill_color())

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
            self.plot.layout.activate()  # the label's geometry now, as setTitle gave it
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
