"""The histograms on the canvas until the canvas's own "histograms" view is registered.

The window's layer grid (gui/views/layer_grid.py), at the scale whose tick type is the canvas's
tick size, with its plots and titles named for the layout report. The canvas uses it only when
`registry.CANVAS_VIEWS` has no "histograms" (gui/canvas/canvas.py FALLBACK).
"""

from __future__ import annotations

from gui.canvas.sizes import Sizes
from gui.canvas.report import _dpi
from gui.presenter import ViewBase, ViewFrame
from gui.views.layer_grid import LayerGrid

TICK_POINTS = 8  # the grid's tick type at scale 1 (grid_items.py)


class GridHistograms(LayerGrid, ViewBase):
    needs = frozenset({"rows", "axes", "theory"})

    def __init__(self, options: dict, parent=None):
        super().__init__(parent)
        self.blend = False
        self.wanted = tuple(options.get("rows", ()))

    def present(self, frame: ViewFrame) -> None:
        rows = tuple(r for r in self.wanted if r in frame.rows) or frame.rows
        self.set_rows(rows)
        self.y_mode = "layer" if frame.per_layer_y else "shared"
        super().present(frame.a, blend=False, b=frame.b)
        self.show_theory(frame.theory.curves if frame.overlay and frame.theory else None)
        for (row, layer), panel in self.panels.items():
            _name(panel, f"{row} L{layer}", self.scale)

    def prepare(self, config, rows) -> None:
        pass

    def set_sizes(self, sizes: Sizes) -> None:
        scale = sizes.px("tick") / (TICK_POINTS * _dpi() / 72)
        if abs(scale - self.scale) > 1e-3:
            self.set_scale(scale)
            if self.snapshot is not None:
                LayerGrid.present(self, self.snapshot, blend=False, b=self._b)


def _name(panel, name: str, scale: float) -> None:
    """The panel's plot, title and notes named for the layout report."""
    panel.plot.report_name = name
    title = panel.painted_title
    if title is not None:
        title.report_role = "panel-title"
        title.report_text = lambda p=panel: "\n".join("".join(r[0] for r in ln) for ln in p.title)
        title.report_px = 9 * scale * _dpi() / 72
    for note in panel.notes.values():
        note.report_role = "badge"
