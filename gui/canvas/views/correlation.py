"""The c-map, seen (issue #19): how two inputs' correlation drifts layer by layer.

Left, the pair's correlation c^l measured (A, and B) beside mean field's (grey dashed) and its fixed
point c*: in the ordered phase every pair ends alike (c → 1), in the chaotic phase at c* < 1.
Right, a circle of inputs' Gram matrix at the first, middle and last layer (Poole et al. 2016):
one colour when ordered, a diagonal when chaotic; the depth scale ξ_c is where the picture turns.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.canvas import style
from gui.canvas.probe_view import ProbeView
from gui.views import marks

GRAM_MAP = pg.colormap.get("CET-D1")  # diverging: −1 blue, 0 white, +1 red


class CorrelationView(ProbeView):
    KIND = "correlation"

    def build(self) -> None:
        lay = self.ci
        self.header = style.title(lay, "", self.sizes, row=0, col=0, span=4)
        self.plot = style.still(lay.addPlot(enableMenu=False, row=1, col=0), "correlation by layer")
        self.curves = {s: self.plot.plot() for s in ("A", "B")}
        self.theory = {s: self.plot.plot() for s in ("A", "B")}
        self.stars = {s: pg.InfiniteLine(angle=0, movable=False) for s in ("A", "B")}
        for line in self.stars.values():
            self.plot.addItem(line)
        self.gram_titles, self.grams = [], []
        right = lay.addLayout(row=1, col=1)
        for i in range(3):
            self.gram_titles.append(style.title(right, "", self.sizes, row=0, col=i))
            p = style.still(right.addPlot(enableMenu=False, row=1, col=i), f"circle's Gram {i + 1}")
            p.hideAxis("left")
            p.hideAxis("bottom")
            p.setAspectLocked(True)
            img = pg.ImageItem()
            img.setColorMap(GRAM_MAP)
            p.addItem(img)
            self.grams.append(img)
        lay.layout.setColumnStretchFactor(0, 3)
        lay.layout.setColumnStretchFactor(1, 2)

    def restyle(self) -> None:
        style.style_axes(self.plot, self.sizes, "layer", "correlation c of a pair")

    def draw(self) -> None:
        s = self.sizes
        depth = 0
        for side in ("A", "B"):
            value = self.value(side)
            if value is None:
                self.curves[side].setData([], [])
                self.theory[side].setData([], [])
                continue
            layers = np.arange(1, len(value.measured) + 1)
            depth = max(depth, len(layers))
            color = style.side_color(side)
            self.curves[side].setData(
                layers,
                np.asarray(value.measured, float),
                pen=style.pen(color, s, scale=1.5),
                symbol="o",
                symbolSize=s.px("tick") * 0.7,
                symbolBrush=marks.brush(color),  # one object a look (gui/views/marks.py)
                symbolPen=marks.pen(None),
            )
            want = value.predicted
            self.theory[side].setData(
                layers if want else [],
                np.asarray(want or [], float),
                pen=style.pen(style.theory_grey(), s, True),
            )
        self._draw_star_and_title(depth)
        self._draw_grams()

    def _draw_star_and_title(self, depth: int) -> None:
        low = 0.0
        for side, line in self.stars.items():
            value = self.value(side)
            c_star = value.c_star if value is not None else None
            line.setVisible(bool(c_star is not None and np.isfinite(c_star)))
            if line.isVisible():
                line.setPos(c_star)
                color = style.side_color(side)
                line.setPen(style.pen(color, self.sizes, dashed=True, scale=0.5))
                low = min(low, c_star)
        self.plot.setYRange(low - 0.05, 1.05, padding=0)
        if depth:
            self.plot.setXRange(0.5, depth + 0.5, padding=0)
        style.set_title(self.header, self._title(), self.sizes)

    def _title(self) -> str:
        a = self.results.get("A")
        if a is not None and a.error:
            return a.error
        text = f"a pair of inputs at c⁰ = {self.params[0]:g}: ● measured, - - mean field"
        stars = []
        for side in ("A", "B"):
            value = self.value(side)
            if value is not None and value.c_star is not None and np.isfinite(value.c_star):
                xi = value.xi_c
                xi_text = "∞" if xi is None or not np.isfinite(xi) else f"{xi:.3g}"
                stars.append(f"{side} c* = {value.c_star:.2f} (ξ_c {xi_text})")
        if not stars and self.pending:
            return text + ";  computing…"
        return text + (";  " + ", ".join(stars) if stars else "")

    def _draw_grams(self) -> None:
        a = self.results.get("A")
        circle = a.extra.get("circle") if self.value("A") is not None else None
        grams = circle.grams if circle is not None else ()
        picks = sorted({0, len(grams) // 2, len(grams) - 1}) if grams else []
        for i, (img, head) in enumerate(zip(self.grams, self.gram_titles, strict=True)):
            if i < len(picks):
                g = np.nan_to_num(grams[picks[i]], nan=0.0)
                img.setImage(g, levels=(-1.0, 1.0))
                style.set_title(head, f"A's circle, Gram at L{picks[i] + 1}", self.sizes)
            else:
                img.clear()
                style.set_title(head, "", self.sizes)
