"""The weight row (issue #18): each chosen layer's drawn W as a histogram, the scheme's own density
dashed in a neutral grey, ±2σ marked and the region a truncation cuts shaded; for an orthogonal
scheme a second row with the singular values, flat at the gain.

Why truncated normal is visible here and nowhere else: the shaded tails hold 4.6% of a plain
normal's weights and none of a truncated one's, whose bell is cut at ±2σ and narrower (0.88σ).
Heights are the share of A's values per bin of A's width (0.1σ_A); B is rescaled to A's bins so
two schemes of different σ compare by area. Titles sit in their own layout row, above the plots.
A staged scene's panel shows its weights with its layer's forward pass (gui/canvas/reveal_mask.py).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

from core import weights
from core.formula import num
from gui.canvas import reveal_mask, style
from gui.canvas.sizes import Sizes
from gui.presenter import ViewBase

DENSITY_POINTS = 241
SIDES = ("A", "B")


def chosen_layers(options: dict, depth: int) -> tuple[int, ...]:
    """The scene's {"layers": [...]} within the net, else first, middle and last."""
    asked = [int(n) for n in options.get("layers", ()) if 1 <= int(n) <= depth]
    return tuple(sorted(set(asked))) or tuple(sorted(weights.default_layers(depth)))


def _cut_label(w) -> str:
    """The share beyond ±2σ, as the lesson reads it (0% for a truncated draw)."""
    b = w.beyond_2sigma
    return "" if not math.isfinite(b) else f" · {100 * b:.1f}% beyond 2σ"


def _sigma_text(w) -> str:
    s = w.scheme
    if s.kind == "truncated":
        # the ratio too: truncated-vs-normal's claim is that std is 0.88σ, not σ
        ratio = w.std / s.sigma if s.sigma > 0 else math.nan
        tail = f" = {ratio:.2f}σ" if math.isfinite(ratio) else ""
        return f"σ_w {num(s.sigma)} → std {num(w.std)}{tail}"
    return f"σ_w {num(w.std)}"


class _Panel:
    """One layer's plots and the items drawn in them: the title row above, the histogram, and
    (orthogonal schemes) a title and a plot of the singular values below."""

    def __init__(self, lay: pg.GraphicsLayout, col: int, layer: int, svd: bool, sizes: Sizes):
        self.layer = layer
        self.title = style.title(lay, "", sizes, row=0, col=col)
        self.plot = _bare_plot(lay, 1, col, f"weights L{layer}")
        grey = pg.mkBrush(128, 128, 128, 45)
        self.shade = [pg.LinearRegionItem((0, 1), movable=False, brush=grey) for _ in range(2)]
        for region in self.shade:
            for line in region.lines:
                line.setPen(pg.mkPen(None))
            self.plot.addItem(region)
        self.marks = [pg.InfiniteLine(angle=90) for _ in range(2)]
        self.density = {k: pg.PlotDataItem() for k in SIDES}
        self.hist = {k: pg.PlotDataItem(stepMode="center") for k in SIDES}
        for item in (*self.marks, *self.density.values(), *self.hist.values()):
            self.plot.addItem(item)
        self.sv_title = self.sv_plot = self.sv_gain = None
        self.sv: dict[str, pg.PlotDataItem] = {}
        if svd:
            self.sv_title = style.title(lay, "", sizes, row=2, col=col)
            self.sv_plot = _bare_plot(lay, 3, col, f"singular values L{layer}")
            self.sv_gain = pg.InfiniteLine(angle=0)
            self.sv = {k: pg.PlotDataItem() for k in SIDES}
            for item in (self.sv_gain, *self.sv.values()):
                self.sv_plot.addItem(item)

    def restyle(self, sizes: Sizes, first: bool) -> None:
        grey = style.pen(style.theory_grey(), sizes, dashed=True)
        for mark in self.marks:
            mark.setPen(style.pen(style.theory_grey(), sizes, dashed=True, scale=0.5))
        for side in SIDES:
            color = style.side_color(side)
            self.hist[side].setPen(style.pen(color, sizes, scale=1.0 if side == "A" else 1.3))
            self.hist[side].setFillLevel(0 if side == "A" else None)
            self.hist[side].setBrush(pg.mkBrush(color + "40") if side == "A" else None)
            self.density[side].setPen(grey)
            if self.sv:
                self.sv[side].setPen(style.pen(color, sizes, scale=1.3))
        # "share": an A/B title's three lines leave the axis shorter than "share of values"
        _axes(self.plot, sizes, "weight w", "share", first)
        if self.sv_plot is not None:
            self.sv_gain.setPen(grey)
            _axes(self.sv_plot, sizes, "index", "σ of W", first)


def _bare_plot(lay: pg.GraphicsLayout, row: int, col: int, name: str) -> pg.PlotItem:
    return style.still(lay.addPlot(enableMenu=False, row=row, col=col), name)


def _axes(plot: pg.PlotItem, sizes: Sizes, x: str, y: str, first: bool) -> None:
    """The canvas's axes; the panels share a y scale, so only the first names it and numbers it."""
    style.style_axes(plot, sizes, x, y if first else "")
    for name in ("left", "bottom"):  # the label's QFont too: the layout report reads it
        plot.getAxis(name).label.setFont(sizes.font("axis-label"))
    if not first:
        left = plot.getAxis("left")
        left.setStyle(showValues=False)
        left.setWidth(sizes.gap)


class WeightsView(pg.GraphicsLayoutWidget, ViewBase):
    """The weight row: options {"layers": [1, 5, 10]} (1-based; default first, middle, last)."""

    needs = frozenset()

    def __init__(self, options: dict | None = None, parent=None):
        super().__init__(parent)
        self.options = dict(options or {})
        self.sizes = Sizes(720)
        self.panels: list[_Panel] = []
        self._structure = None
        self._drawn = None
        self._frame = None
        # what is drawn, for tests and the layout's readers: (side, layer) → {"hist": (edges,
        # heights), "density": (x, p), "singular": values}; heights are shares of A's bins
        self.curves: dict[tuple[str, int], dict] = {}

    def set_sizes(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self._structure = None  # fonts, pens and gaps are set as the panels are built
        if self._frame is not None:
            self.present(self._frame)

    def present(self, frame) -> None:
        self._frame = frame
        sides = {"A": frame.a} if frame.b is None else {"A": frame.a, "B": frame.b}
        depth = min(len(s.layers) for s in sides.values())
        layers = chosen_layers(self.options, depth)
        picked = {k: [s.layers[n - 1] for n in layers] for k, s in sides.items()}
        svd = any(ls.weights is not None and ls.weights.singular is not None
                  for side in picked.values() for ls in side)  # fmt: skip
        structure = (layers, svd, tuple(sides))
        if structure != self._structure:
            self._build(layers, svd)
            self._structure, self._drawn = structure, None
        drawn = tuple(_signature(ls.weights) for side in picked.values() for ls in side)
        drawn += reveal_mask.key(frame)
        if drawn == self._drawn:  # the same weights (frames cross from the compute process as
            return  # copies, so their identity cannot tell)
        self._drawn = drawn
        self.curves.clear()
        for k, panel in enumerate(self.panels):
            share = reveal_mask.amount(frame, "weights", panel.layer)
            if share > 0:
                self._draw(panel, {side: ls[k] for side, ls in picked.items()}, share)
            else:
                self._hide(panel)

    def _hide(self, panel: _Panel) -> None:
        """Not revealed yet: its axes and its layer's name, no data."""
        for item in (*panel.hist.values(), *panel.density.values(), *panel.sv.values()):
            item.setData([], [])
        panel.title.setText(f"L{panel.layer}", size=f"{self.sizes.px('panel-title')}px")
        if panel.sv_title is not None:
            style.set_title(panel.sv_title, "", self.sizes)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        # a title's long or short form follows the panel's width; a closed view (pyqtgraph's
        # close() drops the viewport, which resizes it) has no scene left to draw in
        if getattr(self, "_frame", None) is not None and not getattr(self, "closed", False):
            self._drawn = None
            self.present(self._frame)

    # ---- building
    def _build(self, layers: tuple[int, ...], svd: bool) -> None:
        self.ci.clear()
        self.ci.layout.setHorizontalSpacing(self.sizes.gap * 2)
        self.ci.layout.setVerticalSpacing(self.sizes.gap // 2)
        self.panels = [_Panel(self.ci, i, n, svd, self.sizes) for i, n in enumerate(layers)]
        for i, panel in enumerate(self.panels):
            self.ci.layout.setColumnStretchFactor(i, 1)
            panel.restyle(self.sizes, first=i == 0)
        if svd:
            self.ci.layout.setRowStretchFactor(1, 2)
            self.ci.layout.setRowStretchFactor(3, 1)

    # ---- drawing
    def _draw(self, panel: _Panel, stats: dict, share: float = 1.0) -> None:
        ws = {k: s.weights for k, s in stats.items() if s.weights is not None}
        if "A" not in ws:
            return
        a = ws["A"]
        width = (a.hist.hi - a.hist.lo) / len(a.hist.counts)
        half, top = a.hist.hi, 0.0
        for side in SIDES:
            w = ws.get(side)
            edges, heights, x, p = _side_curves(w, width) if w is not None else ((),) * 4
            panel.hist[side].setData(edges, np.asarray(heights) * share)  # grows in
            panel.density[side].setData(x, np.asarray(p) * share)
            if w is not None:
                self.curves[(side, panel.layer)] = {"hist": (edges, heights), "density": (x, p)}
                half = max(half, w.hist.hi)
                top = max(top, float(heights.max(initial=0.0)), float(p.max(initial=0.0)))
        sig = a.sigma if a.sigma > 0 else a.hist.hi / weights.SPAN
        self._frame_axes(panel, sig, half, top)
        panel.title.setText(self._title(panel, stats, ws), size=f"{self.sizes.px('panel-title')}px")
        if panel.sv_plot is not None:
            self._singular(panel, ws)

    def _frame_axes(self, panel: _Panel, sig: float, half: float, top: float) -> None:
        two = weights.CUT * sig
        panel.shade[0].setRegion((-half, -two))
        panel.shade[1].setRegion((two, half))
        panel.marks[0].setPos(-two)
        panel.marks[1].setPos(two)
        panel.plot.setXRange(-half, half, padding=0.02)
        top = top or 1.0
        panel.plot.setYRange(0, top * 1.12, padding=0)
        panel.plot.getAxis("bottom").setTicks([[(-two, "−2σ"), (0.0, "0"), (two, "+2σ")]])
        step = _nice_step(top)
        ticks = [(v, f"{v:.2g}") for v in np.arange(0, top * 1.12, step)]
        panel.plot.getAxis("left").setTicks([ticks])

    def _title(self, panel: _Panel, stats: dict, ws: dict) -> str:
        """fan_in, fan_out and σ_w of the layer; a form that fits the panel's width."""
        a = stats["A"]
        metrics = QFontMetricsF(self.sizes.font("panel-title"))
        room = panel.plot.width() or self.width() / max(1, len(self.panels))
        first = f"L{panel.layer}  fan_in {a.fan_in} · fan_out {a.fan_out}"
        if metrics.horizontalAdvance(first) > room:
            first = f"L{panel.layer}  {a.fan_in} → {a.fan_out}"
        lines = [first]
        for side, w in ws.items():
            tag = f"{side} " if len(ws) > 1 else ""
            text = tag + _sigma_text(w) + _cut_label(w)
            if metrics.horizontalAdvance(text) > room:
                text = tag + _sigma_text(w)
            lines.append(f"<span style='color:{style.side_color(side)}'>{text}</span>")
        return "<br>".join(lines)

    def _singular(self, panel: _Panel, ws: dict) -> None:
        top, said, n = 0.0, [], 1
        with_sv = [side for side in SIDES if side in ws and ws[side].singular is not None]
        for side in SIDES:
            sv = ws[side].singular if side in with_sv else None
            xy = (np.arange(1, len(sv) + 1), sv) if sv is not None else ((), ())
            panel.sv[side].setData(*xy)
            if sv is not None:
                self.curves[(side, panel.layer)]["singular"] = sv
                top, n = max(top, float(sv.max())), max(n, len(sv))
                tag = f"{side} " if len(with_sv) > 1 else ""
                said.append(tag + num(float(np.median(sv))))
        gain = ws["A"].scheme.gain if math.isfinite(ws["A"].scheme.gain) else None
        panel.sv_gain.setVisible(gain is not None)
        panel.sv_gain.setPos(gain or 0.0)
        top = top or 1.0
        panel.sv_plot.setYRange(0, top * 1.5, padding=0)
        panel.sv_plot.setXRange(1, n, padding=0.1)  # room for the last tick's number
        panel.sv_plot.getAxis("left").setTicks([[(0.0, "0"), (top, num(top))]])
        panel.sv_plot.getAxis("bottom").setTicks([[(1, "1"), (n, str(n))]])
        text = f"singular values: all {', '.join(said)}" if said else "no singular values"
        text += f" = gain {num(gain)}" if gain is not None and len(said) == 1 else ""
        style.set_title(panel.sv_title, text, self.sizes)


def _signature(w) -> tuple | None:
    """What tells one layer's drawn weights from another's, cheaply."""
    if w is None:
        return None
    return (w.scheme, w.hist.lo, w.hist.hi, w.hist.sampled, w.mean, w.std, w.beyond_2sigma)


def _side_curves(w, width_a: float):
    """(edges, heights, x, p): the histogram as shares of A's bin width and the scheme's density
    alike; a truncated density drops to 0 at ±2σ as a vertical edge."""
    h = w.hist
    heights = h.counts / max(h.sampled, 1) * (width_a / ((h.hi - h.lo) / len(h.counts)))
    if w.scheme.kind != "truncated":
        x = np.linspace(h.lo, h.hi, DENSITY_POINTS)
        return h.edges, heights, x, weights.density(w.scheme, x) * width_a
    two = weights.CUT * w.scheme.sigma
    inner = np.linspace(-two, two, DENSITY_POINTS)
    x = np.concatenate([[h.lo, -two], inner, [two, h.hi]])
    p = np.concatenate([[0.0, 0.0], weights.density(w.scheme, inner), [0.0, 0.0]]) * width_a
    return h.edges, heights, x, p


def _nice_step(top: float) -> float:
    """1, 2 or 5 × 10^k: about three round y ticks."""
    raw = top / 3
    e = 10.0 ** math.floor(math.log10(raw))
    return next(m * e for m in (1, 2, 5, 10) if m * e >= raw)
