"""The layer histograms on the lecture canvas: the window's layer grid (gui/views/layer_grid.py)
for the rows and layers a scene names, sized from the canvas's height, with a legend line saying
what the axes and shades mean.

Options: rows (default: the window's), layers (default: up to MOST, spread from the first to the
last), axis ("auto", "linear" or "log"; default: the window's choice, gui/state.py X_AXES).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.stats import Snapshot
from gui.canvas import reveal_grid
from gui.canvas.sizes import Sizes
from gui.canvas.views import bands
from gui.presenter import ViewBase, ViewFrame
from gui.views import log_axis
from gui.views.layer_grid import LayerGrid

MOST = 10  # layers shown of a deeper net: a panel each of 100 layers cannot be read
NAMES = {"preact": "pre-activations", "act": "activations", "grad": "gradients",
         "wgrad": "weight gradients"}  # fmt: skip


class HistogramsView(QWidget, ViewBase):
    needs = frozenset({"rows", "axes", "theory"})

    def __init__(self, options: dict | None = None, parent=None):
        super().__init__(parent)
        options = dict(options or {})
        self.wanted = tuple(options.get("rows", ()))
        self.layers = tuple(int(k) for k in options.get("layers", ()))
        self.axis = options.get("axis")  # None: the window's
        self.grid = LayerGrid()
        self.grid.blend = False
        self.grid.set_canvas_sizes(Sizes(720))
        self.legend = QLabel()
        self.legend.setProperty("role", "legend")
        self.legend.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.legend)
        lay.addWidget(self.grid, 1)
        self._frame: ViewFrame | None = None
        self.grid.placed.connect(self._name_all)  # panels placed over several turns
        self.grid.placed.connect(lambda: reveal_grid.mask(self.grid, self._frame))
        # number formats' ranges shaded on the log₁₀|x| panels (option formats, bands.py)
        self.bands = bands.GridBands(self.grid, options.get("formats", ()))
        self.grid.placed.connect(self._say_bands)
        self.set_sizes(Sizes(720))

    def hasHeightForWidth(self) -> bool:
        """No: the canvas's stretches set its height. Its word-wrapped legend made the whole view
        height-for-width, and the canvas then gave it its grid's size hint (504 of 590 lines at
        720p), leaving the lead ladder above it a 77-pixel sliver."""
        return False

    @property
    def animating(self) -> bool:
        return self.grid.animating

    def _fit(self) -> None:
        """At least the height its rows need to be read (a title of two lines, a plot, its ticks)
        and its legend: below it the grid's second row was cut off at the strip's bottom."""
        s, rows = self.sizes, max(1, len(self.grid.rows))
        row = 3.0 * s.px("panel-title") + 0.12 * s.height + 2.0 * s.px("tick") + s.gap
        self.setMinimumHeight(round(rows * row + 2.6 * s.px("legend")))

    def set_sizes(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self._fit()
        font = sizes.font("legend")
        self.legend.setFont(font)
        self.grid.set_canvas_sizes(sizes)
        snap = self.grid.snapshot
        if snap is not None:
            self.grid.present(snap, blend=False, b=self.grid.snapshot_b)
            reveal_grid.mask(self.grid, self._frame)
            self._name_all()

    def present(self, frame: ViewFrame) -> None:
        self._frame = frame
        rows = tuple(r for r in self.wanted if r in frame.rows) or frame.rows
        if rows != self.grid.rows:
            self.grid.set_rows(rows)
            self._fit()
        self.grid.y_mode = "layer" if frame.per_layer_y else "shared"
        self.grid.x_axis = self.axis or frame.x_axis
        self.grid.present(self._some(frame.a), blend=False, b=self._some(frame.b))
        self.grid.show_theory(frame.theory.curves if frame.overlay and frame.theory else None)
        reveal_grid.mask(self.grid, frame)
        self._name_all()
        self.legend.setText(self._legend(rows, frame.a))
        self._say_bands()

    def _some(self, snap: Snapshot | None) -> Snapshot | None:
        """The layers the scene names (those the net has), else at most MOST spread out."""
        if snap is None:
            return None
        n = len(snap.layers)
        picked = [k - 1 for k in self.layers if 1 <= k <= n]
        if not picked:
            if n <= MOST:
                return snap
            picked = sorted({round(i * (n - 1) / (MOST - 1)) for i in range(MOST)})
        return Snapshot(snap.config, tuple(snap.layers[i] for i in picked), snap.compute_ms)

    def _legend(self, rows: tuple[str, ...], snap: Snapshot) -> str:
        """What the axes and shades mean, for the rows shown."""
        parts = []
        logs = [r for r in rows if self.grid.on_log(r)]
        if logs:
            parts.append(
                f"{', '.join(NAMES[r] for r in logs)} on a log scale of |x|: left = smaller, right = "
                "larger; filled = negative values"
            )
        act = snap.layers[0].activation if snap.layers else ""
        if act in ("tanh", "sigmoid") and {"act", "preact"} & set(rows):
            parts.append("grey band: saturated (φ′ < 5% of its max)")
        if act == "relu" and "preact" in rows:
            parts.append("grey: h < 0, ReLU off")
        return "   ·   ".join(parts)

    def _say_bands(self) -> None:
        """The bands on the panels placed now, and their words at the legend's end."""
        self.bands.sync()
        self.legend.setText(bands.with_words(self.legend.text(), self.bands.legend(self.grid.rows)))

    def _name_all(self) -> None:
        """Plots, titles and notes named for the layout report (gui/canvas/registry.py)."""
        for (row, layer), panel in self.grid.panels.items():
            panel.plot.report_name = f"{NAMES[row]} L{layer}"
            for axis in ("left", "bottom"):
                panel.plot.getAxis(axis).report_role = "tick"
                panel.plot.getAxis(axis).label.report_role = "axis-label"
            title = panel.painted_title
            if title is not None:
                title.report_text = lambda p=panel: "\n".join(
                    "".join(r[0] for r in line) for line in p.title
                )
                title.report_px = self.sizes.px("panel-title")
            for note in panel.notes.values():
                note.report_role = "badge"

    def on_log(self, row: str) -> bool:
        return log_axis.on_log(self.grid.x_axis, row)
