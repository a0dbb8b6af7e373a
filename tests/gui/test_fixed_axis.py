"""The layer grid's axes (gui/views/fixed_axis.py) lay out their given ticks as pyqtgraph would,
and a panel placed ahead of its first frame does not lay its axes out again at every paint."""

import pyqtgraph as pg
from PySide6.QtGui import QPainter, QPicture

from core import Config, Simulator
from gui.views.fixed_axis import FixedTickAxis
from gui.views.layer_grid import LayerGrid
from tests.gui.test_grid_build import grid, image

ROWS = ("act", "grad", "wgrad")


def _specs(axis: pg.AxisItem, generate) -> tuple | None:
    """What `generate` lays out for `axis`, as plain numbers (pens as colour and width)."""
    picture = QPicture()
    painter = QPainter(picture)
    if axis.style["tickFont"] is not None:
        painter.setFont(axis.style["tickFont"])
    specs = generate(axis, painter)
    painter.end()
    if specs is None:
        return None
    line, ticks, texts = specs

    def seg(pen, a, b):
        return pen.color().rgba(), pen.widthF(), a.x(), a.y(), b.x(), b.y()

    return (
        seg(*line),
        [seg(*t) for t in ticks],
        [(r.x(), r.y(), r.width(), r.height(), int(f), s) for r, f, s in texts],
    )


def _shown_axes(g: LayerGrid) -> list[FixedTickAxis]:
    axes = [p.plot.getAxis(side) for p in g.panels.values() for side in ("left", "bottom")]
    return [a for a in axes if a.isVisible()]


def test_the_grids_axes_lay_out_their_ticks_as_pyqtgraph_does(qtbot):
    """Every shown axis of grids of two sizes and scales, linear and log rows, A/B, a net whose
    values are all 0: the same line, ticks, labels and places, to the last bit."""
    sim = Simulator()
    nets = (
        (Config(depth=5, width=48, batch=64), None),
        (Config(depth=4, width=32, batch=64, init="zeros"), None),
        (Config(depth=3, width=48, batch=64, activation="relu", init="he-normal"), 2.0),
    )
    checked = 0
    for size in ((1200, 700), (700, 420)):
        g = grid(qtbot, size)
        g.set_rows(ROWS)
        for config, scale in nets:
            if scale is not None:
                g.set_scale(scale)
            g.present(sim.run(config, rows=ROWS))
            image(g)  # laid out and painted, as on screen
            for axis in _shown_axes(g):
                assert isinstance(axis, FixedTickAxis) and axis._tickLevels is not None
                fast = _specs(axis, FixedTickAxis.generateDrawSpecs)
                assert fast == _specs(axis, pg.AxisItem.generateDrawSpecs)
                assert fast is not None and fast[2]  # labels were laid out
                checked += 1
    assert checked > 60


def test_a_panel_waiting_for_its_first_frame_shows_no_numbers(qtbot):
    """A deeper net typed: its new panels are placed while it computes. They showed tick labels
    of no data (±2e-10, auto-ranged to their empty curves; 0.2 … 0.8 without the auto-range)."""
    g = grid(qtbot)
    g.present(Simulator().run(Config(depth=2, width=32, batch=64)))
    g.prepare((1, 2, 3))
    image(g)
    blank = g.panel("act", 3)
    for side in ("left", "bottom"):
        axis = blank.getAxis(side)
        if axis.isVisible():
            _, ticks, texts = _specs(axis, FixedTickAxis.generateDrawSpecs)
            assert ticks == [] and texts == []
    shown = g.panel("act", 1).getAxis("bottom")
    assert _specs(shown, FixedTickAxis.generateDrawSpecs)[2]  # a panel with its frame: labels


def test_an_axis_without_given_ticks_is_pyqtgraphs(qtbot):
    g = grid(qtbot)
    g.present(Simulator().run(Config(depth=2, width=32, batch=64)))
    axis = g.panel("act", 1).getAxis("bottom")
    axis.setTicks(None)  # pyqtgraph's own ticking
    image(g)
    specs = _specs(axis, FixedTickAxis.generateDrawSpecs)
    assert specs == _specs(axis, pg.AxisItem.generateDrawSpecs) and specs[2]


def test_a_panel_waiting_for_its_first_frame_is_not_laid_out_at_every_paint(qtbot, monkeypatch):
    """Auto-ranged, a blank panel fitted its view to its empty curves in every paint of the
    grid, which laid its axes out anew each time (hundreds of times in a scene switch)."""
    laid_out = []
    generate = FixedTickAxis.generateDrawSpecs

    def counted(axis, painter):
        laid_out.append(axis)
        return generate(axis, painter)

    monkeypatch.setattr(FixedTickAxis, "generateDrawSpecs", counted)
    g = grid(qtbot)
    g.present(Simulator().run(Config(depth=2, width=32, batch=64)))
    g.prepare((1, 2, 3, 4))  # a deeper net typed: its panels placed while it computes
    image(g)
    blank = g.panel("act", 4)
    assert blank.isVisible()
    view_range = blank.vb.viewRange()
    assert laid_out
    for _ in range(3):
        laid_out.clear()
        g.viewport().update()
        image(g)
        assert laid_out == []  # nothing changed: every axis painted from its cache
    assert blank.vb.viewRange() == view_range
