"""The views a scene's layout may name, one entry each.

A canvas view is a QWidget (usually a pg.GraphicsLayoutWidget) built as `View(options)` where
`options` is the scene's dict for it (e.g. {"layers": [1, 5, 10]}, {"row": "grad"}), with:
- `needs`: frozenset of ViewFrame fields it reads (gui/presenter.py), as every view;
- `present(frame: ViewFrame)`: draw the frame (A, and B when there is one);
- `set_sizes(sizes: gui.canvas.sizes.Sizes)`: restyle every font, line and gap from the height;
- each pg.PlotItem it owns carries `report_name` (what it plots: "ladder", "weights L3",
  "activations L1") and each text item (pg.LabelItem, pg.TextItem, QLabel via the Qt property
  "role") a `report_role` from sizes.ROLES, which the layout report reads.
"""

from __future__ import annotations

from gui.canvas.views.correlation import CorrelationView
from gui.canvas.views.formula import FormulaView
from gui.canvas.views.heatmap import HeatmapView
from gui.canvas.views.histograms import HistogramsView
from gui.canvas.views.ladder import Ladder
from gui.canvas.views.seeds import SeedsView
from gui.canvas.views.spectrum import SpectrumView
from gui.canvas.views.stats import StatsView
from gui.canvas.views.symmetry import SymmetryView
from gui.canvas.views.units import UnitsView
from gui.canvas.views.weights import WeightsView

# name → class; filled in by the views' own modules as they are written (one row a view)
CANVAS_VIEWS: dict[str, type] = {
    "correlation": CorrelationView,
    "spectrum": SpectrumView,
    "seeds": SeedsView,
    "symmetry": SymmetryView,
    "weights": WeightsView,
    "formula": FormulaView,
    "histograms": HistogramsView,
    "heatmap": HeatmapView,
    "ladder": Ladder,
    "stats": StatsView,
    "units": UnitsView,
}

# the names a scene may use, and what each shows, are core/presets.py LAYOUT_VIEWS
