"""A staged scene revealed layer by layer (issue 20), through the presentation view's keys, read
from what the canvas's views hold: the ladder's plotted points, the histogram panels' curves, the
heatmap's image rows, the weight row's curves, the table's cells."""

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core import presets
from gui.canvas import registry, reveal_mask
from gui.canvas.grid_fallback import GridHistograms
from tests.gui.conftest import wait_shown

DEPTH = 4
BASE = dataclasses.replace(presets.load("tiny-normal-tanh"), question=None)  # staged by its flag
CONFIG = BASE.config.replace(depth=DEPTH, width=64, batch=128, std=0.1)


@pytest.fixture
def window(make_window):
    """A window whose presentation view is left at the end: it scales the application's type,
    which later tests' axes would measure."""
    made = []
    yield lambda: made.append(make_window()) or made[-1]
    for win in made:
        win.presentation.leave()


def staged_scene(layout, compare=None, staged=True):
    return dataclasses.replace(BASE, config=CONFIG, compare=compare, layout=layout, staged=staged)


def enter(win, qtbot, scene):
    win.load_scene(scene)
    wait_shown(qtbot, win, scene.config)
    win.presentation.enter(full_screen=False)  # F5, at the window's size
    canvas = win.presentation.canvas
    qtbot.waitUntil(lambda: canvas.views and not canvas.animating, timeout=15000)
    return canvas


def press(win, qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(win, key, modifier)
    canvas = win.presentation.canvas
    qtbot.waitUntil(lambda: not canvas.animating, timeout=15000)


def view(canvas, name):
    return next(v for n, v in canvas.views if n == name)


def ladder_layers(ladder, side="A") -> set:
    """(row, layer) of every point the ladder plots of a side: → as act, ← as grad."""
    out = set()
    for direction, row in reveal_mask.ROW_OF.items():
        y = ladder.plotted.get((side, direction))
        if y is not None:
            out |= {(row, k + 1) for k in np.flatnonzero(np.isfinite(y))}
    return out


def histogram_layers(hist) -> set:
    grid = hist.grid
    return {key for key in grid.panels if len(grid.curve_data(*key)[1])}


def heatmap_layers(heat, side="A") -> set:
    image = heat.image_data(side)  # (bins, layers)
    return {(heat.row, k + 1) for k in range(image.shape[1]) if np.isfinite(image[:, k]).any()}


ORDER = [("act", k) for k in range(1, DEPTH + 1)] + [("grad", k) for k in range(DEPTH, 0, -1)]


def test_a_staged_scene_shows_no_data_then_one_more_layer_each_step_forward_then_back(
    window, qtbot
):
    win = window()
    layout = (("ladder", {}), ("histograms", {"rows": ["act", "grad"]}), ("heatmap", {}))
    canvas = enter(win, qtbot, staged_scene(layout))
    ladder, hist, heat = (view(canvas, n) for n in ("ladder", "histograms", "heatmap"))
    assert win.state.reveal is not None and win.state.reveal.step == 0
    assert ladder_layers(ladder) == set() and not any(t for t in ladder.texts.values())
    assert len(hist.grid.panels) == 2 * DEPTH and histogram_layers(hist) == set()
    assert heatmap_layers(heat) == set()
    assert canvas.stage.isVisible() and canvas.stage.text() == "staged: nothing shown yet"
    shown, data_width = set(), {ladder.plot.vb.width()}
    for step, added in enumerate(ORDER, start=1):
        press(win, qtbot, Qt.Key.Key_Space)
        shown.add(added)
        data_width.add(ladder.plot.vb.width())  # its labels' gutter keeps the whole net's width
        assert ladder_layers(ladder) == shown, f"step {step}"
        assert histogram_layers(hist) == shown
        assert heatmap_layers(heat) == {k for k in shown if k[0] == "grad"}
        assert canvas.stage.text() == win.state.reveal.describe()
    assert win.state.reveal.complete and canvas.stage.text() == "revealed"
    assert max(data_width) - min(data_width) <= 0.02 * max(data_width)
    assert win.state.animation.mode == "off"  # Space stepped the reveal, never the animation
    press(win, qtbot, Qt.Key.Key_Space)  # past the end: nothing more
    assert ladder_layers(ladder) == set(ORDER)
    press(win, qtbot, Qt.Key.Key_Backspace)  # one step back: layer 1's gradient goes
    assert histogram_layers(hist) == set(ORDER[:-1])
    press(win, qtbot, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert ladder_layers(ladder) == set(ORDER[:-2])
    press(win, qtbot, Qt.Key.Key_T)  # show all
    assert win.state.reveal is None and not canvas.stage.isVisible()
    assert histogram_layers(hist) == set(ORDER) and heatmap_layers(heat) == set(ORDER[DEPTH:])


def test_both_sides_of_an_ab_scene_advance_together(window, qtbot):
    """The reveal's depth is the deeper side's; a key steps A and B at once."""
    win = window()
    deeper = CONFIG.replace(depth=DEPTH + 2, std=0.3)
    layout = (("ladder", {}), ("heatmap", {"row": "act"}), ("units", {"layer": 2}))
    canvas = enter(win, qtbot, staged_scene(layout, compare=deeper))
    ladder, heat, units = (view(canvas, n) for n in ("ladder", "heatmap", "units"))
    total = DEPTH + 2
    assert win.state.reveal.depth == total
    assert ladder_layers(ladder, "A") == ladder_layers(ladder, "B") == set()
    assert heatmap_layers(heat, "A") == heatmap_layers(heat, "B") == set()
    for step in range(1, 2 * total + 1):
        press(win, qtbot, Qt.Key.Key_Space)
        for side, depth in (("A", DEPTH), ("B", total)):
            forward = {("act", k) for k in range(1, min(step, depth) + 1)}
            back = {("grad", k) for k in range(1, depth + 1) if step - total >= total - k + 1}
            assert ladder_layers(ladder, side) == forward | back, f"{side} at step {step}"
            assert heatmap_layers(heat, side) == forward
        raster = units.images["A"].image
        assert (np.abs(raster).max() > 0) == (step >= 2)  # layer 2's units, with its layer
    assert win.state.reveal.complete


def test_the_weight_row_and_the_table_come_with_their_layers_and_the_formula_at_the_end(
    window, qtbot
):
    win = window()
    layout = (
        ("weights", {"layers": [1, DEPTH]}),
        ("stats", {"layers": [1, DEPTH]}),
        ("formula", {}),
    )
    canvas = enter(win, qtbot, staged_scene(layout))
    weights, stats, formula = (view(canvas, n) for n in ("weights", "stats", "formula"))

    def cells(layer):
        return {attr: stats.cells[(attr, layer, "A")].text() for attr in ("act_std", "grad_std")}

    assert weights.curves == {} and reveal_mask.opacity(formula) == 0.0
    assert cells(1) == cells(DEPTH) == {"act_std": "", "grad_std": ""}
    press(win, qtbot, Qt.Key.Key_Space)
    assert set(weights.curves) == {("A", 1)}
    assert cells(1)["act_std"] and not cells(1)["grad_std"] and not cells(DEPTH)["act_std"]
    for _ in range(DEPTH - 1):
        press(win, qtbot, Qt.Key.Key_Space)
    assert set(weights.curves) == {("A", 1), ("A", DEPTH)}
    press(win, qtbot, Qt.Key.Key_Space)  # the first backward step: the last layer's gradient
    assert cells(DEPTH)["grad_std"] and not cells(1)["grad_std"]
    assert reveal_mask.opacity(formula) == 0.0
    for _ in range(DEPTH - 1):
        press(win, qtbot, Qt.Key.Key_Space)
    assert cells(1)["grad_std"] and reveal_mask.opacity(formula) == 1.0
    assert formula.texts() and all(formula.texts())


def test_the_newest_layer_grows_in_from_the_last_point(window, qtbot):
    """The transition: halfway through its fade the newest point lies between its neighbour and
    its own value (on the log axis, halfway), and its histogram at half height."""
    win = window()
    layout = (("ladder", {}), ("histograms", {"rows": ["act", "grad"]}))
    canvas = enter(win, qtbot, staged_scene(layout))
    ladder, hist = view(canvas, "ladder"), view(canvas, "histograms")
    press(win, qtbot, Qt.Key.Key_Space)
    full_1 = hist.grid.curve_data("act", 1)[1].copy()
    press(win, qtbot, Qt.Key.Key_Space)
    y = ladder.plotted[("A", "forward")].copy()
    full_2 = hist.grid.curve_data("act", 2)[1].copy()
    canvas.show_fade(0.5)
    half = ladder.plotted[("A", "forward")]
    assert half[0] == pytest.approx(y[0])
    assert half[1] == pytest.approx((y[0] + y[1]) / 2)  # log10: the geometric mean
    assert np.allclose(hist.grid.curve_data("act", 2)[1], full_2 / 2)
    assert np.allclose(hist.grid.curve_data("act", 1)[1], full_1)  # the older one in full
    canvas.show_fade(1.0)
    assert np.allclose(ladder.plotted[("A", "forward")], y, equal_nan=True)


def test_staging_follows_the_scene_and_the_presentation_and_space_keeps_playing_otherwise(
    window, qtbot
):
    win = window()
    layout = (("ladder", {}),)
    canvas = enter(win, qtbot, staged_scene(layout, staged=False))
    assert win.state.reveal is None and not canvas.stage.isVisible()
    qtbot.keyClick(win, Qt.Key.Key_Space)  # not staged: the animation plays, as always
    assert win.state.animation.mode == "resample"
    press(win, qtbot, Qt.Key.Key_T)  # staged: the animation pauses, the data go
    assert win.state.reveal.step == 0 and win.state.animation.mode == "off"
    assert ladder_layers(view(canvas, "ladder")) == set()
    press(win, qtbot, Qt.Key.Key_Return)  # the rest, three layers a second
    qtbot.waitUntil(lambda: win.state.reveal.complete, timeout=20000)
    assert not win.reveal.playing
    win.load_scene(staged_scene(layout))  # a staged scene: from the start again
    assert win.state.reveal.step == 0
    win.load_scene(staged_scene(layout, staged=False))
    assert win.state.reveal is None
    win.load_scene(staged_scene(layout))
    qtbot.keyClick(win, Qt.Key.Key_Escape)  # leaving shows everything
    assert not win.state.presentation and win.state.reveal is None
    qtbot.keyClick(win, Qt.Key.Key_T)  # a presentation key: off outside it
    assert win.state.reveal is None


def test_a_net_made_deeper_while_staged_keeps_its_place_in_the_reveal(window, qtbot):
    win = window()
    canvas = enter(win, qtbot, staged_scene((("ladder", {}),)))
    for _ in range(DEPTH + 1):  # forward complete, the last layer's gradient shown
        press(win, qtbot, Qt.Key.Key_Space)
    win.state.apply_changes({"depth": DEPTH + 3})
    assert win.state.reveal.depth == DEPTH + 3 and win.state.reveal.newest == ("backward", 7)
    wait_shown(qtbot, win, win.state.config)
    qtbot.waitUntil(lambda: not canvas.animating)
    ladder = view(canvas, "ladder")
    # the whole forward pass (now 7 layers) and one backward layer, the new last one
    assert ladder_layers(ladder) == {("act", k) for k in range(1, 8)} | {("grad", 7)}


def test_the_stand_in_grid_is_masked_alike(window, qtbot, monkeypatch):
    """The window's grid standing in for the canvas's histograms (grid_fallback.py)."""
    views = dict(registry.CANVAS_VIEWS)
    views.pop("histograms")
    monkeypatch.setattr(registry, "CANVAS_VIEWS", views)
    win = window()
    canvas = enter(win, qtbot, staged_scene((("histograms", {"rows": ["act", "grad"]}),)))
    grid = view(canvas, "histograms")
    assert isinstance(grid, GridHistograms)
    shown = lambda: {key for key in grid.panels if len(grid.curve_data(*key)[1])}  # noqa: E731
    assert len(grid.panels) == 2 * DEPTH and shown() == set()
    press(win, qtbot, Qt.Key.Key_Space)
    assert shown() == {("act", 1)}
