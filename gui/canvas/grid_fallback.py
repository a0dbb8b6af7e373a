"""The histograms on the canvas until the canvas's own "histograms" view is registered.

The window's layer grid (gui/views/layer_grid.py), at the scale whose tick type is the canvas's
tick size, with its plots and titles named for the layout report. The canvas uses it only when
`registry.CANVAS_VIEWS` has no "histograms" (gui/canvas/canvas.py FALLBACK).
"""

from __future__ import annotations

import pyqtgraph as pg

from core.stats import Snapshot
from gui.canvas import reveal_grid
from gui.canvas.report import dpi
from gui.canvas.sizes import Sizes
from gui.presenter import ViewBase, ViewFrame
from gui.views.layer_grid import LayerGrid

TICK_POINTS = 8  # the grid's tick type at scale 1 (grid_items.py)
MOST = 10  # layers shown of a deeper net, spread from the first to the last


class GridHistograms(LayerGrid, ViewBase):
    needs = frozenset({"rows", "axes", "theory"})

    def __init__(self, options: dict, parent=None):
        super().__init__(parent)
        self.blend = False
        self.wanted = tuple(options.get("rows", ()))
        self._frame: ViewFrame | None = None
        self._pool.ready.connect(self._name_all)  # panels placed over several turns
        self.placed.connect(lambda: reveal_grid.mask(self, self._frame))

    def present(self, frame: ViewFrame) -> None:
        self._frame = frame
        rows = tuple(r for r in self.wanted if r in frame.rows) or frame.rows
        self.set_rows(rows)
        self.y_mode = "layer" if frame.per_layer_y else "shared"
        super().present(_some(frame.a), blend=False, b=_some(frame.b))
        self.show_theory(frame.theory.curves if frame.overlay and frame.theory else None)
        reveal_grid.mask(self, frame)
        self._name_all()

    def _name_all(self) -> None:
        """Plots, titles, notes and the rows' labels named for the layout report."""
        for (row, layer), panel in self.panels.items():
            _name(panel, f"{row} L{layer}", self.scale)
        for item in self.ci.items:
            if isinstance(item, pg.LabelItem):
                item.report_role = "axis-label"

    def prepare(self, config, rows) -> None:
        pass

    def set_sizes(self, sizes: Sizes) -> None:
        scale = sizes.px("tick") / (TICK_POINTS * dpi() / 72)
        if abs(scale - self.scale) > 1e-3:
            self.set_scale(scale)
            if self.snapshot is not None:
                LayerGrid.present(self, self.snapshot, blend=False, b=self._b)
                reveal_grid.mask(self, self._frame)


def _some(snap: Snapshot | None) -> Snapshot | None:
    """At most MOST layers of a deep net (a panel each of 100 layers cannot be read)."""
    if snap is None or len(snap.layers) <= MOST:
        return snap
    n = len(snap.layers)
    picked = sorted({round(i * (n - 1) / (MOST - 1)) for i in range(MOST)})
    return Snapshot(snap.config, tuple(snap.layers[i] for i in picked), snap.compute_ms)


def _name(panel, name: str, scale: float) -> None:
    """The panel's plot, title and notes named for the layout report."""
    panel.plot.report_name = name
    title = panel.painted_title
    if title is not None:
        title.report_role = "panel-title"
        title.report_text = lambda p=panel: "\n".join("".join(r[0] for r in ln) for ln in p.title)
        title.report_px = 9 * scale * dpi() / 72
    for note in panel.notes.values():
        note.report_role = "badge"
