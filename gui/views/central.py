"""The window's middle: the layer grid up to GRID_MAX_DEPTH layers; beyond, the overview's heatmaps
with one layer in detail below them (a click on the overview picks it)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QStackedWidget

from core import Config, Snapshot
from core.frame import CURVES_MAX_DEPTH
from gui.idle import Later
from gui.presenter import ViewBase, ViewFrame
from gui.views.layer_grid import LayerGrid
from gui.views.overview import Overview

# beyond this, panels get too narrow: the overview heatmap takes over (and the frames come
# without the theory's curves, which only the grid draws)
GRID_MAX_DEPTH = CURVES_MAX_DEPTH


class CentralView(QStackedWidget, ViewBase):
    layer_clicked = Signal(int)
    needs = frozenset({"rows", "axes", "theory", "focus", "scale"})

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = LayerGrid()
        self.overview = Overview()
        self.detail = LayerGrid()
        self.overview.layer_clicked.connect(self.layer_clicked)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.overview)
        split.addWidget(self.detail)
        split.setSizes([600, 300])
        self.addWidget(self.grid)
        self.addWidget(split)
        self._shown: tuple = (None, None, ())  # what the grid shows: a, b, and its options
        self._sides: tuple[str, ...] = ("A",)  # the sides of the newest frame
        # the overview and the detail are made while the grid shows, a piece an idle turn, and
        # kept (one set, of the rows and sides shown: what they hold is bounded, issue 17): made
        # by a deep net's first frame, they delayed it and held the UI thread 45-100 ms (#23)
        self._prebuild = Later(self._prebuild_step, self)
        self._prebuild.start()

    def prepare(self, config: Config, rows: tuple[str, ...]) -> None:
        """New panels are built while the engine computes (the two overlap, not add up)."""
        self._set_rows(rows)
        if config.depth <= GRID_MAX_DEPTH:
            self.grid.prepare(tuple(range(1, config.depth + 1)))

    def present(self, f: ViewFrame) -> None:
        self._set_rows(f.rows)
        self.grid.y_mode = "layer" if f.per_layer_y else "shared"
        for view in (self.grid, self.detail, self.overview):
            view.x_axis = f.x_axis
        # a deep net's first layers (core/preview.py) go to the overview it will fill, not to
        # a grid of panels made for them and thrown away a moment later
        sides = ("A", "B") if f.b is not None else ("A",)
        if max(len(f.a.layers), getattr(f.a.config, "depth", 0)) > GRID_MAX_DEPTH:
            self._prebuild.stop()
            self.setCurrentIndex(1)
            self.overview.present(f.a, f.b)
            self._present_detail(f)
            return
        if self.currentIndex() != 0 or sides != self._sides:
            self._prebuild.start()
        self._sides = sides
        self.setCurrentIndex(0)
        a, b, options = self._shown
        options_now = (f.rows, f.per_layer_y, f.x_axis, self.grid.scale)
        if a is not f.a or b is not f.b or options != options_now:
            # a drag's frames are already motion: blending each one repainted the grid at 60 Hz
            # (a UI thread half busy, 6 frames a second); the release's frame blends again
            self.grid.present(f.a, blend=False if f.motion else None, b=f.b)
            self._shown = (f.a, f.b, options_now)
        if not f.overlay:
            self.grid.show_theory(None)
        elif f.theory is not None:  # else the old curves stay until this frame's theory comes
            self.grid.show_theory(f.theory.curves)

    def _prebuild_step(self) -> None:
        """A piece of the deep view an idle turn (the grid's turns come first)."""
        if self.currentIndex() != 0:  # the deep view shows: its frames make what it needs
            return
        if not self.overview.prebuild(self._sides):
            self._prebuild.start()
        else:  # (its pool makes them over turns of their own; kept ones are taken again)
            self.detail.prepare((1,))

    def set_scale(self, scale: float) -> None:
        self.grid.set_scale(scale)
        self.detail.set_scale(scale)

    @property
    def animating(self) -> bool:
        return self.grid.animating

    def _set_rows(self, rows: tuple[str, ...]) -> None:
        for view in (self.grid, self.detail, self.overview):
            if view.rows != rows:  # the overview rebuilds its plots on any set_rows
                view.set_rows(rows)
                self._prebuild.start()

    def _present_detail(self, f: ViewFrame) -> None:
        n = len(f.a.layers)
        k = f.focus_layer if 1 <= f.focus_layer <= n else n
        one = Snapshot(f.a.config, (f.a.layers[k - 1],), f.a.compute_ms)
        b = f.b
        one_b = (
            Snapshot(b.config, (b.layers[k - 1],)) if b is not None and len(b.layers) >= k else None
        )
        self.detail.present(one, blend=False, b=one_b)
