"""The layer grid's panels are BarePlots: pyqtgraph's PlotItem less its never-shown menu
(gui/views/bare_plot.py). Its __init__ copies PlotItem's: these tests catch a pyqtgraph whose
PlotItem sets something the copy does not, and a panel that is not one."""

import gc

import pyqtgraph as pg
import pytest

from benchmarks.rss_parts import malloc_use
from gui.views.bare_plot import MENU_ATTRIBUTES, BarePlot
from gui.views.curves import StepCurve
from tests.gui.conftest import SMALL
from tests.gui.test_window import assert_plots_match_core


def test_bare_plot_sets_everything_a_plot_item_sets_but_its_menu(qtbot):
    full, bare = pg.PlotItem(enableMenu=False), BarePlot()
    missing = set(vars(full)) - set(vars(bare))
    assert not missing, f"PlotItem.__init__ sets {sorted(missing)}: copy them to BarePlot"
    assert all(getattr(bare, name) is None for name in MENU_ATTRIBUTES)
    assert all(getattr(full, name) is not None for name in ("ctrl", "ctrlMenu", "stateGroup"))
    for side in ("left", "bottom", "top", "right"):
        assert type(bare.getAxis(side)) is type(full.getAxis(side))
    assert bare.vb.menu is None and not bare.menuEnabled()


def test_a_bare_plot_holds_less_than_half_a_plot_items_heap(qtbot):
    """The reason for it (measured 186 against 450 KiB a plot): 20 of each, kept (glibc's
    own count of the bytes in use, mallinfo2)."""
    held = []

    def heap_of(make) -> float:
        held.append(make())  # the first of a kind makes class-level caches
        gc.collect()
        before = malloc_use()["in_use"]
        held.extend(make() for _ in range(20))
        gc.collect()
        return (malloc_use()["in_use"] - before) / 20

    full = heap_of(lambda: pg.PlotItem(enableMenu=False))
    bare = heap_of(BarePlot)
    assert 0 < bare < full / 2


def test_bare_plot_refuses_a_data_item_whose_options_were_the_menus(qtbot):
    bare = BarePlot()
    with pytest.raises(TypeError, match="bare items"):
        bare.addItem(pg.PlotDataItem([0, 1], [1, 2]))
    curve = StepCurve(pg.mkPen("k"))
    bare.addItem(curve)
    assert curve in bare.items and curve.getViewBox() is bare.vb
    bare.removeItem(curve)
    assert curve not in bare.items


def test_the_windows_grid_panels_are_bare_plots_drawing_the_cores_histograms(make_window):
    win = make_window()
    panels = [win.grid.panel(row, s.index) for row in win.grid.rows for s in win.latest.layers]
    assert panels and all(type(p) is BarePlot for p in panels)
    assert_plots_match_core(win, SMALL)
