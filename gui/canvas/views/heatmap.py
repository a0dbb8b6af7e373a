"""Layer × value on the lecture canvas: one row of pixels a layer, colour the share of its values
in each bin, on log₁₀|x| by default, so a 100-layer net's vanishing or explosion is one diagonal
across the picture (on a linear axis it was one yellow column at 0). A and B side by side, on
the same bins.

Options: row ("act", "preact", "grad" or "wgrad"; default "grad"), axis ("log" by default, or
"linear", or "auto": the window's choice). A staged scene's layers not revealed yet are blank
rows (NaN, drawn transparent); the newest brightens in (gui/canvas/reveal_mask.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from core.stats import Snapshot
from gui.canvas import reveal_mask, style
from gui.canvas.sizes import Sizes
from gui.presenter import ViewBase, ViewFrame
from gui.views import log_axis

COLORMAP = "viridis"  # perceptually uniform, colour-blind safe
LEVELS = (-4.0, 0.0)  # log₁₀ of the share per bin: 1 in 10 000 to all of them
NAMES = {"preact": "pre-activations h", "act": "activations φ(h)", "grad": "gradients ∂L/∂a",
         "wgrad": "weight gradients ∂L/∂W"}  # fmt: skip


class HeatmapView(pg.GraphicsLayoutWidget, ViewBase):
    needs = frozenset({"rows", "axes"})

    def __init__(self, options: dict | None = None, parent=None):
        super().__init__(parent)
        options = dict(options or {})
        self.row = options.get("row", "grad")
        self.axis = options.get("axis", "log")
        self.sizes = Sizes(720)
        self._span: tuple[int, int] | None = None
        self.titles: dict[str, pg.LabelItem] = {}
        self.plots: dict[str, pg.PlotItem] = {}
        self.images: dict[str, pg.ImageItem] = {}
        self._sides: tuple[str, ...] = ()
        self._frame: ViewFrame | None = None
        self.bar: pg.ColorBarItem | None = None
        self._build(("A",))

    @property
    def on_log(self) -> bool:
        mode = "log" if self.axis == "log" else self.axis
        if self.axis == "auto" and self._frame is not None:
            mode = self._frame.x_axis
        return log_axis.on_log(mode, self.row, deep=True)

    def image_data(self, side: str = "A") -> np.ndarray:
        """(bins, layers): log₁₀ of the share per bin, as drawn."""
        return self.images[side].image

    def set_sizes(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self.ci.layout.setSpacing(sizes.gap)
        for side, plot in self.plots.items():
            x_name = "|value|, log scale" if self.on_log else "value"
            style.style_axes(plot, sizes, x_name, "layer")
            style.set_title(self.titles[side], self.titles[side].text, sizes)
        if self.bar is not None:
            self.bar.axis.setTickFont(sizes.font("tick"))
            self.bar.axis.setLabel("share per bin", **{"font-size": f"{sizes.px('axis-label')}px"})
            self.bar.axis.label.report_role = "axis-label"
            self.bar.axis.report_role = "tick"
            self.bar.axis.setTicks([[(v, _share(v)) for v in (-3, -2, -1, 0)]])
            # pyqtgraph's bar axis is 45 px wide: its rotated name lay over "10%" at every size
            self.bar.axis.setWidth(int(sizes.px("tick") * 2.8 + sizes.px("axis-label") * 1.8))
        if self._frame is not None:
            self.present(self._frame)

    def present(self, frame: ViewFrame) -> None:
        self._frame = frame
        snaps = {"A": frame.a, "B": frame.b} if frame.b is not None else {"A": frame.a}
        if not all(self.row in (s.layers[0].hists if s.layers else {}) for s in snaps.values()):
            return  # the row is not computed (yet): the canvas asks for its rows
        if tuple(snaps) != self._sides:
            self._build(tuple(snaps))
            self.set_sizes(self.sizes)
        hists = {side: [s.hists[self.row] for s in sn.layers] for side, sn in snaps.items()}
        if self.on_log:
            logs = [h.log for side in hists.values() for h in side]
            self._span = log_axis.row_span(logs, self._span)
        for side, sn in snaps.items():
            self._show(side, sn, hists[side])

    def _show(self, side: str, snap: Snapshot, hists: list) -> None:
        data, lo, hi = log_axis.stacked(hists, self._span if self.on_log else None)
        share = np.array([reveal_mask.amount(self._frame, self.row, s.index) for s in snap.layers])
        with np.errstate(divide="ignore", invalid="ignore"):
            logd = np.log10(np.maximum(data * share[:, None], 10 ** LEVELS[0]))
        logd[share <= 0] = np.nan  # not revealed yet: a blank row
        img = self.images[side]
        img.setImage(logd.T, autoLevels=False, levels=LEVELS)
        img.setRect(lo, 0.5, hi - lo, len(hists))
        plot = self.plots[side]
        plot.setXRange(lo, hi, padding=0)
        plot.setYRange(0.5, len(hists) + 0.5, padding=0)
        ticks = log_axis.decade_ticks(lo, hi, 6) if self.on_log else log_axis.linear_ticks(lo, hi)
        plot.getAxis("bottom").setTicks([ticks])
        depth = len(hists)
        step = max(1, round(depth / 5))
        plot.getAxis("left").setTicks([[(k, str(k)) for k in range(1, depth + 1, step)]])
        color = style.side_color(side) if len(self._sides) > 1 else None
        prefix = f"{side}: " if len(self._sides) > 1 else ""
        text = f"{prefix}{NAMES[self.row]}, {depth} layers"
        if self.titles[side].text != text:
            style.set_title(self.titles[side], text, self.sizes, color)

    def _build(self, sides: tuple[str, ...]) -> None:
        self.clear()
        self.titles.clear()
        self.plots.clear()
        self.images.clear()
        cmap = pg.colormap.get(COLORMAP)
        for c, side in enumerate(sides):
            self.titles[side] = style.title(self.ci, " ", self.sizes, row=0, col=c)
            name = f"heatmap {self.row}" + (f" {side}" if len(sides) > 1 else "")
            plot = style.still(self.addPlot(enableMenu=False, row=1, col=c), name)
            plot.invertY(True)  # layer 1 on top, as the network is read
            img = pg.ImageItem(axisOrder="col-major")
            img.setColorMap(cmap)
            plot.addItem(img)
            self.plots[side], self.images[side] = plot, img
        self.bar = pg.ColorBarItem(values=LEVELS, colorMap=cmap, interactive=False)
        self.bar.setImageItem(list(self.images.values()))
        self.addItem(self.bar, row=1, col=len(sides))
        self._sides = sides


def _share(v: float) -> str:
    return {0: "all", -1: "10%", -2: "1%", -3: "0.1%", -4: "0.01%"}.get(round(v), "")
