"""Markers do not pile up a rendered image a frame (gui/views/marks.py).

pyqtgraph's scatter items keep an image of each marker look in an atlas keyed by the identity of
the pen and brush given. Before, the depth profile gave a colour (and PlotDataItem its default
outline, a tuple) on every update: each frame was a new look, one more image a curve, up to 1,000
a curve, and the window's memory grew with them over a lecture's changes."""

from __future__ import annotations

import pyqtgraph as pg

from core import Config
from tests.gui.conftest import SMALL, wait_shown
from tests.gui.test_canvas_ladder import frame_of, shown
from tests.gui.test_canvas_probes import ORDERED, _present, _view

LOOKS = 2  # a marker item draws one look (two where a side's bold and plain marks alternate)


def atlases(items) -> list[int]:
    return [len(i.fragmentAtlas) for i in items if isinstance(i, pg.ScatterPlotItem)]


def window_atlases(win) -> list[int]:
    return [n for view in win.findChildren(pg.GraphicsView) for n in atlases(view.scene().items())]


def test_the_depth_profiles_markers_keep_one_image_each_over_many_frames(make_window, qtbot):
    win = make_window()
    seed = win.network_dock.seed
    for _ in range(12):
        seed.setValue(seed.value() + 1)
        wait_shown(qtbot, win, SMALL.replace(seed=seed.value()))
    win.state.set_comparing(True)
    for _ in range(6):
        seed.setValue(seed.value() + 1)
        qtbot.waitUntil(lambda: win.latest_b is not None and not win.grid.animating)
        wait_shown(qtbot, win, win.config)
    made = [n for n in window_atlases(win) if n]  # (items with nothing drawn have none)
    assert len(made) >= 8  # A's and B's marked curves, drawn
    assert max(made) <= LOOKS, made


def test_the_ladders_markers_keep_one_image_each(qtbot):
    tiny = Config(depth=6, width=120, batch=200, activation="tanh", init="normal", std=0.01)
    view = shown(qtbot, frame_of(tiny, tiny.replace(init="xavier-normal")))
    for seed in range(1, 8):
        view.present(frame_of(tiny.replace(seed=seed), tiny.replace(init="xavier-normal")))
    made = [n for n in atlases(view.marks.values()) if n]  # (the theory line has no marks)
    assert len(made) >= 4 and max(made) <= LOOKS, made


def test_the_correlation_views_markers_keep_one_image_each(qtbot):
    view = _view(qtbot, "correlation")
    for seed in range(4):
        _present(qtbot, view, ORDERED.replace(seed=seed))
    items = [view.curves["A"].scatter]
    assert atlases(items) and max(atlases(items)) <= 1, atlases(items)
