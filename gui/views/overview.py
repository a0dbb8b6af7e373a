"""Deep nets at a glance: one row per layer, colour = share of values per bin (a layer × value
heatmap), activations and gradients side by side. Readable at depth 200 where a grid of 400
panels is not; a click on a row asks the window to show that layer's panels."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from core.stats import ROW_TITLES, Snapshot
from gui.views.layer_grid import fraction

COLORMAP = "viridis"  # perceptually uniform and colour-blind safe


class Overview(pg.GraphicsLayoutWidget):
    layer_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: tuple[str, ...] = ("act", "grad")
        self._images: dict[str, pg.ImageItem] = {}
        self._plots: dict[str, pg.PlotItem] = {}
        self._built: tuple = ()
        self._depth = 0

    def set_rows(self, rows: tuple[str, ...]) -> None:
        self.rows = rows
        self._built = ()

    def image_data(self, row: str) -> np.ndarray:
        """(layers, bins) array shown for row: log10 of the share per bin."""
        return self._images[row].image

    def present(self, snap: Snapshot) -> None:
        if self._built != self.rows:
            self._build()
        self._depth = len(snap.layers)
        for row in self.rows:
            hists = [s.hists[row] for s in snap.layers]
            data = np.stack([fraction(h) for h in hists])  # (layers, bins)
            with np.errstate(divide="ignore"):
                logd = np.log10(np.maximum(data, 1e-5))
            img = self._images[row]
            img.setImage(logd.T, autoLevels=False, levels=(-5, 0))
            lo, hi = hists[0].lo, hists[0].hi
            img.setRect(lo, 0.5, hi - lo, len(hists))
            plot = self._plots[row]
            plot.setXRange(lo, hi, padding=0)
            plot.setYRange(0.5, len(hists) + 0.5, padding=0)

    def _build(self) -> None:
        self.clear()
        self._images.clear()
        self._plots.clear()
        cmap = pg.colormap.get(COLORMAP)
        for c, row in enumerate(self.rows):
            plot = self.addPlot(row=0, col=c, title=f"{ROW_TITLES[row]} — layer × value")
            plot.invertY(True)
            plot.setLabel("left", "layer")
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            img = pg.ImageItem(axisOrder="col-major")
            img.setColorMap(cmap)
            plot.addItem(img)
            plot.scene().sigMouseClicked.connect(self._clicked)
            self._images[row] = img
            self._plots[row] = plot
        bar = pg.ColorBarItem(
            values=(-5, 0), colorMap=cmap, label="log10 share per bin", interactive=False
        )
        bar.setImageItem(list(self._images.values()))
        self.addItem(bar, row=0, col=len(self.rows))
        self._built = self.rows

    def _clicked(self, ev) -> None:
        for plot in self._plots.values():
            if plot.sceneBoundingRect().contains(ev.scenePos()):
                y = plot.vb.mapSceneToView(ev.scenePos()).y()
                layer = round(y)
                if 1 <= layer <= self._depth:
                    self.layer_clicked.emit(layer)
                return
