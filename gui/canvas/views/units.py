"""The units raster: one layer's units (rows) × examples (columns), coloured by φ(h).

Symmetry is a picture here: with zero or constant weights every row is the same row ("1 distinct
unit of 500"), and a tiny random draw gives every row its own texture. A dead ReLU unit is a
blank row (0 is the background colour), counted over the whole layer ("51 dead"). The rows and
columns are the first ones of the layer (core/units.py's sample); the counts are the layer's.
The layer is the scene's ({"layer": k}, negative from the last; by default the last). A staged
scene shows it with its layer's forward pass (gui/canvas/reveal_mask.py): an empty raster before.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from gui.canvas import reveal_mask
from gui.canvas.sizes import Sizes
from gui.canvas.views import sides as palette
from gui.canvas.views.decades import LayerAxis, style_axis
from gui.canvas.views.stats import chosen_layers
from gui.presenter import ViewBase

# below 0 blue, above vermillion (Okabe-Ito; sky blue on the dark theme), 0 the background: a
# dead unit is an empty row
NEGATIVE = {"light": "#0072B2", "dark": "#56B4E9"}
POSITIVE = "#D55E00"


def colour_map(signed: bool) -> np.ndarray:
    """The lookup table: blue, background, vermillion for signed values; background to vermillion
    for values ≥ 0 (ReLU's), which then use the whole range of shades."""
    bg = pg.mkColor(pg.getConfigOption("background"))
    if signed:
        blue = QColor(NEGATIVE[palette.theme_name()])
        cmap = pg.ColorMap([0.0, 0.5, 1.0], [blue, bg, QColor(POSITIVE)])
    else:
        cmap = pg.ColorMap([0.0, 1.0], [bg, QColor(POSITIVE)])
    return cmap.getLookupTable(nPts=256)


def shown_values(sample: np.ndarray) -> tuple[np.ndarray, float, int]:
    """What the raster draws: the sample, ±Inf at the ends of the colour range and NaN at 0
    (the background), with the colour range's end (the 99th percentile of |finite|, so that one
    outlier does not pale the rest) and the count of non-finite values."""
    finite = np.isfinite(sample)
    top = float(np.percentile(np.abs(sample[finite]), 99)) if finite.any() else 0.0
    top = top if top > 0 else 1.0
    with np.errstate(all="ignore"):
        shown = np.nan_to_num(sample.astype(np.float64), nan=0.0, posinf=top, neginf=-top)
    return shown, top, int(sample.size - np.count_nonzero(finite))


def units_lines(layer) -> list[str]:
    """["1 distinct unit of 500", "0 dead · every value 0.5"]: the layer's counts (not the
    sample's), then what the sample shows at a glance."""
    n = layer.fan_out
    first, parts = [], []
    if layer.distinct_units >= 0:
        d = layer.distinct_units
        first.append(f"{d} distinct unit{'s' if d != 1 else ''} of {n}")
    dead = layer.dead_units
    if np.isfinite(dead):
        parts.append(f"{round(dead * n)} dead")
    sample = layer.units_sample
    if sample is not None and sample.size and np.all(sample == sample.flat[0]):
        parts.append(f"every value {float(sample.flat[0]):.3g}")
    return [*first, " · ".join(parts)]


class UnitsView(ViewBase, pg.GraphicsLayoutWidget):
    needs: frozenset[str] = frozenset()

    def __init__(self, options: dict | None = None, parent=None):
        super().__init__(parent)
        self.options = dict(options or {})
        self.sizes = Sizes(max(self.height(), 360))
        self.plots: dict[str, pg.PlotItem] = {}
        self.images: dict[str, pg.ImageItem] = {}
        self.counts: dict[str, pg.LabelItem] = {}
        self.layer = 0  # the 1-based layer shown
        self.beside = False  # the counts right of the raster (a strip), else below it
        self._frame = None

    def _beside(self) -> bool:
        """Too short for a raster above its counts: a strip."""
        return self.height() < 16 * self.sizes.px("chip")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if getattr(self, "_frame", None) is not None and self._beside() != self.beside:
            self.present(self._frame)

    def set_sizes(self, sizes: Sizes) -> None:
        self.sizes = sizes
        g = sizes.gap
        self.ci.setContentsMargins(g, g, g, g)
        self.ci.setSpacing(2 * g)
        for plot in self.plots.values():
            style_axis(plot, sizes, widest="000")
        if self._frame is not None:
            self.present(self._frame)

    def present(self, frame) -> None:
        self._frame = frame
        looks = palette.sides(frame.b is not None, self.options.get("fix"))
        for name in set(self.plots) - set(looks):
            self._drop(name)
        beside = self._beside()
        if beside != self.beside:  # a strip puts the counts right of the raster, not below
            for name in list(self.plots):
                self._drop(name)
            self.beside = beside
        snaps = {"A": frame.a, "B": frame.b}
        wanted = self.options.get("layer", -1)
        for col, (name, look) in enumerate(looks.items()):
            snap = snaps[name]
            (n,) = chosen_layers([wanted], len(snap.layers))
            self.layer = n if name == "A" else self.layer
            self._show(name, col, snap.layers[n - 1], look)

    def _show(self, name: str, col: int, layer, look) -> None:
        if name not in self.plots:
            self._add(name, col)
        plot, s = self.plots[name], self.sizes
        sample = layer.units_sample
        if sample is None:
            sample = np.zeros((0, 0), np.float32)
        share = reveal_mask.amount(self._frame, "act", layer.index)
        shown, top, bad = shown_values(sample)
        signed = bool((shown < 0).any())
        shown *= share  # grows in from the background; nothing before its layer is revealed
        image = self.images[name]
        image.setLookupTable(colour_map(signed))
        image.setImage(shown.T, levels=(-top if signed else 0.0, top), autoLevels=False)
        rows, cols = sample.shape
        image.setRect(QRectF(0.5, 0.5, cols, rows))  # unit k and example k centred on k
        plot.setXRange(0.5, cols + 0.5, padding=0)
        plot.setYRange(0.5, rows + 0.5, padding=0)
        plot.report_name = f"units {name} L{layer.index}"
        title = f"{name} · layer {layer.index} · {layer.activation}"
        scale = f"±{top:.2g}" if signed else f"0 to {top:.2g}"
        lines = units_lines(layer)
        lines[-1] += f" · {bad} not finite" if bad else ""
        if self.beside:
            plot.setTitle(None)
            lines = [title, *lines, f"colour φ(h): {scale}"]
        else:
            plot.setTitle(title, size=f"{s.px('panel-title')}px", color=look.color)
            # pyqtgraph fixes the title's row at 30 px: at 2160 lines a 48 px title met the data
            plot.layout.setRowFixedHeight(0, round(1.7 * s.px("panel-title")))
        plot.setLabel("bottom", f"example (φ(h): {scale})")
        plot.setLabel("left", "unit" if self.beside else f"unit (first {rows})")
        plot.showLabel("bottom", not self.beside)
        style_axis(plot, s, widest="000", lines=1 if self.beside else 2)
        # not revealed: blank lines in the counts' place (the raster keeps its size)
        text = "<br>".join(lines if share > 0 else ["&nbsp;"] * len(lines))
        self.counts[name].setText(text, size=f"{s.px('chip')}px", color=look.color, bold=look.bold)

    def _add(self, name: str, col: int) -> None:
        axes = {"left": LayerAxis("left"), "bottom": LayerAxis("bottom")}
        plot = self.addPlot(
            enableMenu=False, row=0, col=2 * col if self.beside else col, axisItems=axes
        )
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.invertY(True)  # unit 1 on top
        plot.vb.setBorder(pg.mkPen(palette.colors()["theory"]))  # an all-blank raster still shows
        plot.titleLabel.report_role = "panel-title"
        image = pg.ImageItem()
        plot.addItem(image)
        counts = pg.LabelItem("")
        counts.report_role = "legend"
        self.addItem(counts, *((0, 2 * col + 1) if self.beside else (1, col)))
        self.plots[name], self.images[name], self.counts[name] = plot, image, counts

    def _drop(self, name: str) -> None:
        """B turned off: its raster goes."""
        self.removeItem(self.plots.pop(name))
        self.removeItem(self.counts.pop(name))
        self.images.pop(name)
