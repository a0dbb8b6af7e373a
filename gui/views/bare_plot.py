"""A pyqtgraph PlotItem without its "Plot Options" menu, for the layer grid's panels and the
overview's heatmaps.

PlotItem.__init__ always builds that menu (transforms, downsampling, averaging, alpha, grid and
points: a form of some forty widgets in six submenus), even with `enableMenu=False`, and keeps
it as the state its data-item methods read. The grid's panels never show it (no mouse, no
menu) and hold only bare items (gui/views/curves.py), so it was the larger part of a panel:
measured 2026-12-06, a PlotItem(enableMenu=False) took 4.8-5.0 ms and 450 KiB of the C heap,
a BarePlot 2.7 ms and 186 KiB (benchmarks/README.md, session 16): the grid's build turns are
fewer (issue 17's gaps), and a panel the pool frees and makes again leaves less in the heap.

`BarePlot.__init__` is PlotItem.__init__ (pyqtgraph 0.14.0, pinned in requirements.lock) with
that part left out; tests/gui/test_bare_plot.py checks that it sets every attribute a
PlotItem sets, so an upgrade that adds one fails there rather than in a lecture.
"""

from __future__ import annotations

import weakref

import pyqtgraph as pg
from pyqtgraph import icons
from pyqtgraph.graphicsItems.ButtonItem import ButtonItem
from PySide6.QtWidgets import QGraphicsGridLayout, QSizePolicy

# what PlotItem's menu held; None here (its methods that need them raise AttributeError)
MENU_ATTRIBUTES = ("ctrl", "ctrlMenu", "stateGroup", "fileDialog")


class BarePlot(pg.PlotItem):
    """A PlotItem for bare items: a ViewBox, four axes, a title; no menu, no data-item options."""

    def __init__(self, axisItems: dict[str, pg.AxisItem] | None = None):
        # pg.PlotItem.__init__ less its menu: see the module's docstring
        pg.GraphicsWidget.__init__(self, None)
        expanding = QSizePolicy.Policy.Expanding
        self.setSizePolicy(expanding, expanding)
        self.autoBtn = ButtonItem(icons.getGraphPixmap("auto"), 14, self)
        self.autoBtn.mode = "auto"
        self.autoBtn.clicked.connect(self.autoBtnClicked)
        self.buttonsHidden = False
        self.mouseHovering = False
        self.layout = QGraphicsGridLayout()
        self.layout.setContentsMargins(1, 1, 1, 1)
        self.setLayout(self.layout)
        self.layout.setHorizontalSpacing(0)
        self.layout.setVerticalSpacing(0)
        self.vb = pg.ViewBox(parent=self, enableMenu=False)
        self.vb.sigStateChanged.connect(self.viewStateChanged)
        self.setMenuEnabled(False, None)
        self.vb.sigRangeChanged.connect(self.sigRangeChanged)
        self.vb.sigXRangeChanged.connect(self.sigXRangeChanged)
        self.vb.sigYRangeChanged.connect(self.sigYRangeChanged)
        self.vb.sigRangeChangedManually.connect(self.sigRangeChangedManually)
        self.layout.addItem(self.vb, 2, 1)
        self.alpha, self.autoAlpha, self.spectrumMode, self.legend = 1.0, True, False, None
        self.axes = {}
        self.setAxisItems(axisItems)
        self.titleLabel = pg.LabelItem("", size="11pt", parent=self)
        self.layout.addItem(self.titleLabel, 0, 1)
        self.setTitle(None)
        self._size_cells()
        self.items, self.curves, self.dataItems = [], [], []
        self.itemMeta = weakref.WeakKeyDictionary()
        self.paramList, self.avgCurves = {}, {}
        self.avgPen = pg.mkPen((0, 200, 0))
        self.avgShadowPen = pg.mkPen((0, 0, 0), width=4)
        for name in MENU_ATTRIBUTES:
            setattr(self, name, None)

    def _size_cells(self) -> None:
        """The grid layout's rows and columns as PlotItem sizes them (the view box stretches)."""
        for i in range(4):
            self.layout.setRowPreferredHeight(i, 0)
            self.layout.setRowMinimumHeight(i, 0)
            self.layout.setRowSpacing(i, 0)
            self.layout.setRowStretchFactor(i, 1)
        for i in range(3):
            self.layout.setColumnPreferredWidth(i, 0)
            self.layout.setColumnMinimumWidth(i, 0)
            self.layout.setColumnSpacing(i, 0)
            self.layout.setColumnStretchFactor(i, 1)
        self.layout.setRowStretchFactor(2, 100)
        self.layout.setColumnStretchFactor(1, 100)

    def addItem(self, item, *args, **kwargs):
        """Bare items only: a data item's log, FFT, alpha and downsampling are the menu's state."""
        if isinstance(item, pg.PlotDataItem) or hasattr(item, "setLogMode"):
            raise TypeError(f"a BarePlot holds bare items, not a {type(item).__name__}")
        super().addItem(item, *args, **kwargs)
