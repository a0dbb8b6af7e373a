"""The σ ladder: each layer's std on a log axis, forward (activations, →) and backward (∂L/∂a, ←),
A and B, the mean-field theory grey and dashed, and the per-layer factor written beside each line.

On a log axis a vanishing or exploding net is a straight line, and its slope is the lesson: the
factor ("×0.22 per layer") is the geometric mean of the ratios of successive layers, read from
the frame itself. The labels sit in a gutter right of the data, each at the height of its line's
last point and pushed apart so that none covers another or a line, at every depth (1 to 200) and
over any range (1e-30 to 1e30); a point that cannot sit on a log axis (0, NaN, Inf) is left out
and the view says how many. A staged scene's lines reach only the layers revealed
(gui/canvas/reveal_mask.py): → first, then ←, the newest growing out of the last point, the y
axis fitted to what is shown; the gutter keeps the width of the whole net's labels.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetrics

from core.stats import Snapshot
from gui.canvas import reveal_mask
from gui.canvas.sizes import Sizes
from gui.canvas.views import bands
from gui.canvas.views import sides as palette
from gui.canvas.views.decades import DecadeAxis, LayerAxis, style_axis
from gui.canvas.views.gutter import spread
from gui.canvas.views.ladder_values import LadderValues
from gui.presenter import ViewBase
from gui.views import marks

DIRECTIONS = {  # direction → (LayerStats attr, arrow, marker pointing the way the signal flows)
    "forward": ("act_std", "→", "t2"),
    "backward": ("grad_std", "←", "t3"),
}
THEORY_ATTR = {"forward": "act_std", "backward": "grad_std"}
TITLE = "std per layer: → forward, ← backward"
# the forward line's statistic: φ(h), or h (option forward = "preact": a ReLU or norm scene's)
FORWARD = {
    "act": ("act_std", TITLE),
    "preact": ("preact_std", "std per layer: → h forward, ← backward"),
}
Y_NAMES = ("std (log scale)", "std (log)")  # the longest that fits the axis, else "std"
PAD_DECADES = 0.25  # room above and below the data, so markers are not cut by the frame
MAX_GUTTER = 0.35  # of the width, for merged labels' "(theory ×…)": wider, it was cut at the edge


def per_layer_factor(values, toward_input: bool = False) -> float:
    """Geometric mean of the ratios of successive layers (from layer l to l+1, or from l+1 down
    to l toward the input), over the pairs where both are finite and > 0; NaN with none."""
    v = np.asarray(values, np.float64)
    with np.errstate(all="ignore"):
        logs = np.where(np.isfinite(v) & (v > 0), np.log(v), np.nan)
    steps = np.diff(logs)
    steps = steps[np.isfinite(steps)]
    if steps.size == 0:
        return math.nan
    mean = float(steps.mean())
    return math.exp(-mean if toward_input else mean)


def times(factor: float) -> str:
    """'×0.22'; two digits even for a steady net ('×1.0', not '×1')."""
    digits = f"{factor:.2g}"
    if digits.isdigit() and len(digits) == 1:
        digits += ".0"
    return f"×{digits}"


def factor_text(factor: float) -> str:
    return f"{times(factor)} per layer" if math.isfinite(factor) else ""


def plottable(values) -> np.ndarray:
    """log10 of the values, NaN where a log axis cannot show them (≤ 0, NaN, Inf)."""
    v = np.asarray(values, np.float64)
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(v) & (v > 0), np.log10(v), np.nan)


class Ladder(ViewBase, pg.GraphicsLayoutWidget):
    needs = frozenset({"theory"})

    def __init__(self, options: dict | None = None, parent=None):
        super().__init__(parent)
        self.options = dict(options or {})
        self.forward_attr, self.title = FORWARD[self.options.get("forward", "act")]
        self.sizes = Sizes(max(self.height(), 360))
        self.plot = self.addPlot(
            enableMenu=False,
            row=0,
            col=0,
            axisItems={"left": DecadeAxis("left"), "bottom": LayerAxis("bottom")},
        )
        self.plot.report_name = "ladder"
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setTitle(self.title)
        self.plot.titleLabel.report_role = "panel-title"
        self.plot.setLabel("left", Y_NAMES[0])
        self.plot.setLabel("bottom", "layer")
        self.values = LadderValues(self.plot, self.options.get("values", []))
        self.note = pg.LabelItem("")
        self.note.report_role = "badge"
        self.addItem(self.note, row=1, col=0)
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}  # (side or "theory", direction)
        self.marks: dict[tuple[str, str], pg.ScatterPlotItem] = {}
        self.labels: dict[tuple[str, str], pg.TextItem] = {}
        self.factors: dict[tuple[str, str], float] = {}  # what each label says
        self.plotted: dict[tuple[str, str], np.ndarray] = {}  # log10 per layer, NaN: left out
        self.texts: dict[tuple[str, str], str] = {}  # each label's own text
        self.full_texts: dict[tuple[str, str], str] = {}  # ... with every layer revealed
        self.full_factors: dict[tuple[str, str], float] = {}
        self.revealed: dict[tuple[str, str], np.ndarray] = {}  # the layers shown (staged)
        self.compact = False  # a short strip: no title, no x-axis name
        self.skipped = 0
        self._frame = None
        self.plot.vb.sigResized.connect(self._fit_y)
        self.plot.vb.sigResized.connect(self._place_labels)
        # number formats' ranges as shaded bands behind the lines (option formats, bands.py)
        self.bands = bands.LadderBands(self.plot, self.options.get("formats", ()))
        self.set_sizes(self.sizes)

    # ------------------------------------------------------------------ the contract
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if getattr(self, "plot", None) is not None and self._compact() != self.compact:
            self.set_sizes(self.sizes)

    def _compact(self) -> bool:
        """Too short for a title and the x axis's name beside the data (a strip)."""
        return self.height() < 13 * self.sizes.px("legend")

    def set_sizes(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self.compact = self._compact()
        style_axis(self.plot, sizes, lines=1 if self.compact else 2)
        self.plot.showLabel("bottom", not self.compact)
        self.plot.setTitle(
            None if self.compact else self.title, size=f"{sizes.px('panel-title')}px"
        )
        if (
            not self.compact
        ):  # pyqtgraph fixes the title's row at 30 px: a 48 px title ran into the data
            self.plot.layout.setRowFixedHeight(0, round(1.7 * sizes.px("panel-title")))
        g = sizes.gap
        self.ci.setContentsMargins(g, g, g, g)
        if self._frame is not None:
            self.present(self._frame)

    def present(self, frame) -> None:
        self._frame = frame
        series = self._series(frame)
        for key in set(self.curves) - set(series):
            self.plot.removeItem(self.curves.pop(key))
            self.plot.removeItem(self.marks.pop(key))
            self.plotted.pop(key, None)
            label = self.labels.pop(key)
            label.setParentItem(None)
            self.scene().removeItem(label)
        self.factors, self.full_factors = {}, {}
        for key, (values, style) in series.items():
            self._draw(key, values, style, frame)
        shown = [np.where(self.revealed[k], v, np.nan) for k, (v, _) in series.items()]
        self._fit(shown, len(frame.a.layers))
        styles = {k: st["color"] for k, (_, st) in series.items()}
        bold = {k: bool(st.get("bold")) for k, (_, st) in series.items()}
        self.values.update(self.plotted, styles, self.sizes, bold)
        self._say_skipped(frame)
        self._place_labels()
        self.bands.show(self.sizes)

    # ------------------------------------------------------------------ what is drawn
    def _series(self, frame) -> dict[tuple[str, str], tuple[np.ndarray, dict]]:
        """(values per layer, style) of every line: A's and B's, forward and backward, then the
        theory's. A side whose backward pass did not run has no backward line."""
        snaps = {"A": frame.a, "B": frame.b}
        out = {}
        for name, side in palette.sides(frame.b is not None, self.options.get("fix")).items():
            for direction, (attr, _, _) in DIRECTIONS.items():
                attr = self.forward_attr if direction == "forward" else attr
                values = np.array([getattr(s, attr) for s in snaps[name].layers], np.float64)
                if direction == "backward" and np.isnan(values).all():
                    continue
                out[(name, direction)] = (values, {"color": side.color, "bold": side.bold})
        pred = frame.theory.prediction if frame.theory is not None else None
        grey = palette.colors()["theory"]
        if pred is not None:
            for direction, attr in THEORY_ATTR.items():
                attr = self.forward_attr if direction == "forward" else attr
                values = np.array([getattr(lp, attr) for lp in pred.layers], np.float64)
                if np.isfinite(values).any():
                    out[("theory", direction)] = (values, {"color": grey, "theory": True})
        return out

    def _draw(self, key, values: np.ndarray, style: dict, frame) -> None:
        side, direction = key
        row = reveal_mask.ROW_OF[direction]
        y = plottable(reveal_mask.grown(values, frame, row))
        self.plotted[key] = y
        shown = self.revealed[key] = reveal_mask.revealed(len(values), frame, row)
        toward_input = direction == "backward"
        full = self.full_factors[key] = per_layer_factor(values, toward_input)
        self.full_texts[key] = self._label_text(key, values, full)
        line = self.sizes.line
        bold = bool(style.get("bold"))
        if key not in self.curves:
            self._add(key, -1 if side == "theory" else (2 if bold else 1))
        pen = pg.mkPen(style["color"], width=round(line * 1.6) if bold else line)
        if side == "theory" or direction == "backward":
            pen.setStyle(Qt.PenStyle.DashLine)
        mark = self.marks[key]
        if side == "theory":
            mark.hide()
        else:
            mark.show()
            mark.setSymbol(DIRECTIONS[direction][2])
            mark.setSize(round(self.sizes.px("legend") * (0.8 if bold else 0.7)))
            mark.setBrush(marks.brush(style["color"] if bold else pg.getConfigOption("background")))
            mark.setPen(marks.pen(style["color"], width=max(1, line - 1)))
        x = np.arange(1, len(values) + 1, dtype=np.float64)
        keep = np.isfinite(y)
        # nothing to draw: empty data, never all-NaN (pyqtgraph's bounds warn on it)
        self.curves[key].setData(x if keep.any() else x[:0], y if keep.any() else y[:0], pen=pen)
        values = np.where(shown, values, np.nan)
        factor = per_layer_factor(values, toward_input) if shown.any() else math.nan
        self.factors[key] = factor
        label = self.labels[key]
        label.setFont(self.sizes.font("legend", bold=bold))
        label.setColor(style["color"])
        self.texts[key] = self._label_text(key, values, factor) if shown.any() else ""
        label.setText(self.texts[key])

    def _add(self, key, z: int) -> None:
        """A line, its markers (a subset of layers when they would crowd) and its label."""
        curve = self.curves[key] = pg.PlotDataItem(connect="finite")
        mark = self.marks[key] = pg.ScatterPlotItem()
        for item in (curve, mark):
            item.setZValue(z)
            self.plot.addItem(item)
        label = self.labels[key] = pg.TextItem(anchor=(0, 0.5))
        label.report_role = "legend"
        label.textItem.document().setDocumentMargin(1)  # its rect is its text's, for spacing
        label.setParentItem(self.plot)

    def _place_marks(self) -> None:
        """Markers on every layer, or on every k-th where a marker a layer would touch the next
        (a 100-layer net's 100 triangles were one smear)."""
        width = max(self.plot.vb.width(), 1.0)
        for key, mark in self.marks.items():
            y = self.plotted[key]
            size = self.sizes.px("legend")
            k = max(1, math.ceil(len(y) * 1.6 * size / width))
            x = np.arange(1, len(y) + 1, dtype=np.float64)
            pick = np.isfinite(y) & (((x - 1) % k == 0) | (x == len(y)))
            mark.setData(x[pick], y[pick])

    def _label_text(self, key, values: np.ndarray, factor: float) -> str:
        side, direction = key
        arrow = DIRECTIONS[direction][1]
        if math.isfinite(factor):
            return f"{side} {arrow} {factor_text(factor)}"
        last = values[np.isfinite(values)]
        return f"{side} {arrow} std {last[-1]:.2g}" if last.size else f"{side} {arrow} —"

    def _fit(self, all_values: list[np.ndarray], depth: int) -> None:
        logs = np.concatenate([plottable(v) for v in all_values]) if all_values else np.array([])
        logs = logs[np.isfinite(logs)]
        lo, hi = (math.floor(logs.min()), math.ceil(logs.max())) if logs.size else (-1, 1)
        if hi - lo < 1:
            lo, hi = lo - 1, hi + 1 if hi == lo else hi
        pad = max(0.5, 0.02 * depth)  # the end layers' tick numbers inside the axis
        self.plot.setXRange(1 - pad, depth + pad, padding=0)
        self._decades = (lo, hi)
        self._fit_y()

    def _fit_y(self) -> None:
        """The decades plus room for half a tick number above the top one and below the bottom
        one: pyqtgraph hides a number that overhangs the axis, so a short strip (unit-normal-tanh
        at 720 lines: 89 px for 6 decades) named only "1" and no other decade."""
        lo, hi = getattr(self, "_decades", (-1, 1))
        height = self.plot.vb.height()
        half = 0.6 * self.sizes.px("tick")
        pad = PAD_DECADES
        if height > 4 * half:
            pad = max(pad, half * (hi - lo) / (height - 2 * half))
        self.plot.setYRange(lo - pad, hi + pad, padding=0)
        # the axis's name no longer than the axis (with room: the painted name is a little
        # longer than its font's measure): a short strip's ran up into the text above
        font = self.sizes.font("axis-label")
        name = next(
            (n for n in Y_NAMES if 1.2 * QFontMetrics(font).horizontalAdvance(n) <= height), "std"
        )
        axis = self.plot.getAxis("left")
        if axis.labelText != name:
            axis.setLabel(name, **axis.labelStyle)
            axis.resizeEvent()  # the new name centred now (pyqtgraph places it on a resize)

    def _say_skipped(self, frame) -> None:
        """A point that a log axis cannot show is left out, and counted here."""
        bad, zero = 0, 0
        for (side, direction), y in self.plotted.items():
            if side != "theory":
                bad += int(np.count_nonzero(np.isnan(y) & self.revealed[(side, direction)]))
        snaps = [frame.a] + ([frame.b] if frame.b is not None else [])
        for snap in snaps:
            zero += _zeros(snap, frame)
        self.skipped = bad
        parts = []
        if zero:
            parts.append(f"{zero} at std 0")
        if bad - zero:
            parts.append(f"{bad - zero} not finite")
        if any(np.isnan([s.grad_std for s in snap.layers]).all() for snap in snaps):
            parts.append("← gradients not computed")
        text = ("not on the log axis: " + ", ".join(parts)) if parts else ""
        size = f"{self.sizes.px('badge')}px"
        self.note.setText(text, size=size, color=palette.colors()["text"])
        self.note.setMaximumHeight(self.sizes.px("badge") * 1.6 if text else 0)

    # ------------------------------------------------------------------ the labels' gutter
    def _place_labels(self) -> None:
        """Each label right of the data at its line's last point's height, then pushed apart:
        downward first, and back up if the last would leave the plot. Where they cannot all
        fit (a short strip), the theory's factors join A's labels and their own go."""
        if not self.labels:
            return
        self._place_marks()
        height = max(lb.boundingRect().height() for lb in self.labels.values()) + 2
        vb = self.plot.vb
        rect = vb.mapRectToItem(self.plot, vb.boundingRect())
        top = 0.0 if self.compact else rect.top()  # beside the title row when it is hidden
        merged = len(self.labels) * height > rect.bottom() - top
        room = MAX_GUTTER * self.width() - 2 * self.sizes.gap
        brackets = merged and self._widest(merged, True) <= room
        shown = self._merge(merged, brackets)
        gutter = self._widest(merged, brackets) + 2 * self.sizes.gap
        if gutter != self.plot.layout.columnMaximumWidth(2):
            self.plot.layout.setColumnFixedWidth(2, gutter)
            self.plot.layout.activate()  # the view box takes its new width now
            rect = vb.mapRectToItem(self.plot, vb.boundingRect())
        wanted = []
        for key in shown:
            y = self.plotted[key]
            finite = np.flatnonzero(np.isfinite(y))
            at = y[finite[-1]] if finite.size else vb.viewRange()[1][0]
            x_end = finite[-1] + 1 if finite.size else 1
            p = vb.mapViewToScene(QPointF(float(x_end), float(at)))
            wanted.append((self.plot.mapFromScene(p).y(), key))
        wanted.sort()
        ys = spread([w for w, _ in wanted], height, top, rect.bottom())
        for y, (_, key) in zip(ys, wanted, strict=True):
            self.labels[key].setPos(rect.right() + self.sizes.gap, y)

    def _widest(self, merged: bool, brackets: bool) -> float:
        """The widest label, now or with every layer revealed (a staged gutter keeps its width)."""
        return max(
            QFontMetrics(self.labels[k].textItem.font()).horizontalAdvance(text)
            for k in self.labels
            for full in (False, True)
            for text in (self._merged(k, merged, full, brackets),)
        )

    def _merge(self, merged: bool, brackets: bool = True) -> list:
        """The labels shown: all, or (merged) A's with the theory's factor in brackets."""
        shown = []
        for key, label in self.labels.items():
            text = self._merged(key, merged, brackets=brackets)
            if not text:  # merged into A's, or nothing revealed yet
                label.hide()
                continue
            label.setText(text)
            label.show()
            shown.append(key)
        return shown

    def _merged(self, key, merged: bool, full: bool = False, brackets: bool = True) -> str:
        """A label's text (`full`: as the whole net's would be): "" for the theory's merged into
        A's, which then says the theory's factor in brackets."""
        side, direction = key
        text = (self.full_texts if full else self.texts)[key]
        if merged and side == "theory":
            return ""
        theory = (self.full_factors if full else self.factors).get(("theory", direction), math.nan)
        if merged and brackets and side == "A" and math.isfinite(theory) and text:
            text += f" (theory {times(theory)})"
        return text


def _zeros(snap: Snapshot, frame) -> int:
    """Points at std exactly 0 (a zero-weight net's activations): finite, but not on a log axis
    (of the layers revealed)."""
    return sum(
        int(s.act_std == 0 and reveal_mask.shown(frame, "act", s.index))
        + int(s.grad_std == 0 and reveal_mask.shown(frame, "grad", s.index))
        for s in snap.layers
    )
