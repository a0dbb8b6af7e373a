"""The layer grid keeps its panels across shapes and makes new ones over several event-loop turns
(gui/views/panel_pool.py, issue 17): the pictures must be those of a grid made afresh."""

import numpy as np
import pytest
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QApplication

from core import Config, Simulator
from gui.views.layer_grid import LayerGrid, has_rows
from tests.gui.conftest import SMALL, drawn
from tests.gui.test_window import assert_plots_match_core

ALL_ROWS = ("act", "grad", "wgrad")


def in_event_loop(qtbot, action, until, timeout_ms=15000):
    """Run `action` from inside a running event loop (as a click in the app is), and keep the
    loop running until `until()`; returns what `probe` saw right after the action."""
    loop = QEventLoop()
    seen = {}

    def run():
        seen["after"] = action()
        check()

    def check():
        if until():
            loop.quit()
        else:
            QTimer.singleShot(10, check)

    QTimer.singleShot(0, run)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    assert until(), "timed out"
    return seen.get("after")


def image(grid: LayerGrid) -> QImage:
    QApplication.processEvents()  # the layout settles, as before a window's paint
    return grid.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def grid(qtbot, size=(1200, 700)) -> LayerGrid:
    g = LayerGrid()
    g.blend = False
    qtbot.addWidget(g)
    g.resize(*size)
    g.show()
    return g


def test_ticking_the_weight_gradient_row_builds_over_several_turns_then_shows_the_data(
    make_window, qtbot
):
    """In the running app the new row's panels are made a few per turn (the window answers in
    between): right after the click the grid is still building, and once it is done every panel,
    old and new, holds the core's numbers for the new frame."""
    win = make_window()
    old = {key: p for key, p in win.grid.panels.items()}
    building = in_event_loop(
        qtbot,
        lambda: (win.playback_dock.wgrad.click(), win.grid.animating)[1],
        lambda: has_rows(win.grid.snapshot, ALL_ROWS) and not win.grid.animating,
    )
    assert building  # not all made in the click's own turn
    assert win.grid.rows == ALL_ROWS and len(win.grid.panels) == 3 * SMALL.depth
    assert all(win.grid.panels[key] is p for key, p in old.items())  # kept, not made again
    assert_plots_match_core(win, SMALL)


def test_a_grid_reshaped_many_times_paints_as_a_new_one(qtbot):
    """Rows on and off, deeper and shallower, the presentation scale and back: the kept panels
    (restyled, moved, reset) paint pixel for pixel what a grid made for the last shape does."""
    sim = Simulator()
    deep = sim.run(Config(depth=6, width=48, batch=64), rows=ALL_ROWS)
    snap = sim.run(Config(depth=4, width=48, batch=64, activation="relu"), rows=("preact", "grad"))
    fresh, used = grid(qtbot), grid(qtbot)
    used.rows = ALL_ROWS
    used.present(deep)
    for scale, rows in ((1.6, ALL_ROWS), (1.6, ("grad",)), (1.0, ("act", "wgrad"))):
        used.set_scale(scale)
        used.set_rows(rows)
        used.present(deep)
    used.set_rows(("preact", "grad"))
    used.present(snap)
    fresh.rows = ("preact", "grad")
    fresh.present(snap)
    assert len(used.panels) == len(fresh.panels) == 8
    for (row, layer), p in used.panels.items():
        np.testing.assert_array_equal(
            p.curve.getData()[1], drawn(used, row, snap.layers[layer - 1])[1]
        )
    assert image(used) == image(fresh)


def test_panels_made_later_get_the_frame_and_the_theory_asked_for_meanwhile(qtbot):
    """A deeper shape asked for while an event loop runs is placed once its panels are made;
    the snapshot and the theory curves given in the meantime reach the new panels then."""
    sim = Simulator()
    g = grid(qtbot)
    g.present(sim.run(Config(depth=2, width=32, batch=32), rows=("act", "grad")))
    snap = sim.run(Config(depth=5, width=32, batch=32), rows=("act", "grad"))
    x = np.linspace(-1.0, 1.0, 9)
    curves = {("act", 5): (x, np.ones_like(x))}

    def ask():
        g.prepare((1, 2, 3, 4, 5))
        g.present(snap)
        g.show_theory(curves)
        return g.animating, len(g.panels)

    building, placed = in_event_loop(qtbot, ask, lambda: not g.animating)
    assert building and placed == 4  # the old shape stayed until the new one was made
    assert len(g.panels) == 10
    for row in ("act", "grad"):
        for s in snap.layers:
            np.testing.assert_array_equal(g.curve_data(row, s.index)[1], drawn(g, row, s)[1])
    np.testing.assert_array_equal(g.theory_data("act", 5)[0], x)
    assert g.theory_data("act", 4) is None


def test_leaving_the_presentation_view_gives_back_the_same_picture(make_window, qtbot):
    """F5 then Esc: the lecture canvas takes the middle, and the grid, kept at its scale while
    hidden, paints once back what it painted before F5."""
    win = make_window()
    before = image(win.grid)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    assert win.presentation.canvas.isVisible() and not win.grid.isVisible()
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not win.presentation.active and win.grid.scale == 1.0
    qtbot.waitUntil(lambda: win.grid.isVisible() and not win.grid.animating)
    assert image(win.grid) == before
    assert_plots_match_core(win, SMALL)


def test_presentation_view_entered_again_before_the_plots_came_back(make_window, qtbot):
    win = make_window()
    win.presentation.enter(full_screen=False)
    win.presentation.leave()
    win.presentation.enter(full_screen=False)  # within the same turn
    assert win.presentation.active and win.presentation.canvas.isVisible()
    assert not win.grid.isVisible()
    qtbot.wait(50)  # the turn that would have brought the middle back: it stays hidden
    assert win.presentation.canvas.isVisible() and not win.grid.isVisible()
    win.presentation.leave()  # the application's type back to its size, for the next tests
    qtbot.waitUntil(win.grid.isVisible)  # the middle comes back a turn after the docks
    assert win.grid.scale == 1.0
    assert win.grid.panel("act", 1).getAxis("bottom").height() == 22


@pytest.fixture(params=[1.0, 1.6], ids=["type-1x", "type-1.6x"])
def app_type(request):
    """The application's type at its size, or at the presentation view's (which the curves
    meet when they are made before their dock shows); back to its size after."""
    app = QApplication.instance()
    saved = QFont(app.font())
    font = QFont(saved)
    font.setPointSizeF(saved.pointSizeF() * request.param)
    app.setFont(font)
    yield request.param
    app.setFont(saved)


def test_training_curves_made_a_part_per_turn_paint_as_ones_made_at_once(
    make_window, qtbot, app_type
):
    """The curves dock's plots, made a group per event-loop turn from when the Training tab
    shows (and fitted unseen), paint a trained frame as plots made in one go do. Under the
    larger type an axis label stayed where the axis's first size put it (off centre)."""
    from gui.views.training_views import TrainingViews

    win = make_window(Config(depth=3, width=32, activation="tanh", batch=128))
    tc = win.training
    win.docks["training"].raise_()
    qtbot.waitUntil(lambda: tc.views_made)
    tc.dock.steps.setValue(100)
    tc.dock.play.click()
    qtbot.waitUntil(lambda: tc.frame is not None and tc.frame.a.done, timeout=60000)
    qtbot.waitUntil(lambda: not tc.engine.running)
    staged = tc.views
    at_once = TrainingViews()
    qtbot.addWidget(at_once)
    at_once.resize(staged.size())
    at_once.show()
    at_once.present(tc.frame)
    assert staged.layer == at_once.layer and staged.time_side == at_once.time_side
    image(at_once)  # its axes fit their labels when first drawn, and it lays out again
    assert image(staged) == image(at_once)


def test_a_shape_placed_later_is_painted_in_a_turn_after_its_placing(qtbot):
    """Issue 17's item 6, a scene switch to a deeper net: the turn that places the new shape's
    panels and fills them (60-90 ms) was followed at once by their paint (25-35 ms), one stall.
    A zero-delay timer started as the shape is placed now runs before the grid paints."""
    from gui import paint_later
    from tests.gui.paint_order import paint_order

    sim = Simulator()
    g = grid(qtbot)
    g.present(sim.run(Config(depth=2, width=32, batch=32), rows=("act", "grad")))
    qtbot.waitUntil(lambda: not g.animating)
    snap = sim.run(Config(depth=6, width=32, batch=32), rows=("act", "grad"))
    with paint_order(g) as (events, mark):
        g.placed.connect(mark)
        in_event_loop(qtbot, lambda: g.present(snap), lambda: not g.animating)
        qtbot.waitUntil(lambda: "paint" in events)
    assert events.index("timer") < events.index("paint"), events[:6]
    qtbot.waitUntil(lambda: not paint_later.holding())  # and nothing is left held
    assert len(g.panels) == 12


def fill_watched(qtbot, g: LayerGrid, snap, measure):
    """Present snap from inside an event loop: measure() at each turn of a zero-delay timer
    meanwhile, and at each paint of the grid, until it has painted the frame whole."""
    from PySide6.QtCore import QEvent, QObject

    from gui import paint_later

    qtbot.waitUntil(lambda: not g.animating and not paint_later.holding())
    g.viewport().repaint()  # the last frame painted, no paint of it left queued
    QApplication.processEvents()
    ticks, paints = [], []

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and obj is g.viewport():
                paints.append(measure())
            return False

    watch = Watch()
    g.viewport().installEventFilter(watch)
    tick = QTimer()
    tick.setInterval(0)
    tick.timeout.connect(lambda: ticks.append(measure()))
    tick.start()
    in_event_loop(qtbot, lambda: g.present(snap), lambda: not g.animating)
    qtbot.waitUntil(lambda: bool(paints) and paints[-1] == measure())
    tick.stop()
    g.viewport().removeEventFilter(watch)
    return ticks, paints


def rows_done(g: LayerGrid, snap) -> int:
    """The grid's rows that show snap's numbers on every layer."""
    return sum(
        all(np.array_equal(g.curve_data(r, s.index)[1], drawn(g, r, s)[1]) for s in snap.layers)
        for r in g.rows
    )


def test_a_new_shape_is_filled_a_row_a_turn_and_painted_only_once_whole(qtbot):
    """The first show of 30 new panels in the turn that placed them took up to 104 ms (a scene
    switch in a fresh window, issue 17): each row is a turn of its own now, and the grid is
    never painted with some of the new panels still blank."""
    sim = Simulator()
    g = grid(qtbot)
    g.present(sim.run(Config(depth=2, width=32, batch=32), rows=("act", "grad")))
    qtbot.waitUntil(lambda: not g.animating)
    g.rows = ALL_ROWS
    snap = sim.run(Config(depth=6, width=32, batch=32), rows=ALL_ROWS)

    def filled() -> tuple[int, int]:
        panels = g.panels.values()
        return len(panels), sum(len(p.curve.getData()[1]) > 0 for p in panels)

    ticks, paints = fill_watched(qtbot, g, snap, filled)
    assert any(n == 18 and 4 <= k < 18 for n, k in ticks), ticks  # placed, rows still to fill
    assert paints and all(k == n for n, k in paints), paints  # never painted in part
    for row in ALL_ROWS:
        for s in snap.layers:
            np.testing.assert_array_equal(g.curve_data(row, s.index)[1], drawn(g, row, s)[1])


def test_a_frame_on_panels_placed_at_once_is_filled_a_row_a_turn_too(qtbot):
    """A shape whose panels are all made is placed in the present's own turn (its frame came
    after its panels were built ahead of it): its rows are filled a turn each as well, and
    painted once all are."""
    sim = Simulator()
    g = grid(qtbot)
    g.rows = ALL_ROWS
    g.present(sim.run(Config(depth=6, width=32, batch=32), rows=ALL_ROWS))
    qtbot.waitUntil(lambda: not g.animating)
    g.rows = ("grad", "act")  # every panel kept, most of them moved
    snap = sim.run(Config(depth=6, width=32, batch=32, activation="relu"), rows=ALL_ROWS)

    ticks, paints = fill_watched(qtbot, g, snap, lambda: rows_done(g, snap))
    assert 1 in ticks, ticks  # a turn between the rows
    assert paints and set(paints) == {2}, paints


def test_a_frame_on_a_shape_placed_ahead_of_it_is_filled_a_row_a_turn(qtbot):
    """The window places a new net's panels while the engine computes (prepare); its frame
    then came to panels never shown and was shown on all of them in its present's turn (16-44
    ms of a scene switch, issue 17). It is filled a row a turn too, painted once whole."""
    sim = Simulator()
    g = grid(qtbot)
    g.rows = ALL_ROWS
    g.present(sim.run(Config(depth=2, width=32, batch=32), rows=ALL_ROWS))
    qtbot.waitUntil(lambda: not g.animating)
    g.prepare(tuple(range(1, 7)))
    qtbot.waitUntil(lambda: not g.animating and len(g.panels) == 18)
    snap = sim.run(Config(depth=6, width=32, batch=32, seed=3), rows=ALL_ROWS)

    ticks, paints = fill_watched(qtbot, g, snap, lambda: rows_done(g, snap))
    assert 1 in ticks and 2 in ticks, ticks  # a turn between the rows
    assert paints and set(paints) == {3}, paints


def test_the_theory_asked_for_while_a_shape_fills_reaches_its_panels(qtbot):
    """The window asks for the theory's curves right after presenting; while the new shape
    fills over turns they are kept and put on its panels once the last row is in."""
    sim = Simulator()
    g = grid(qtbot)
    g.present(sim.run(Config(depth=4, width=32, batch=32), rows=ALL_ROWS[:2]))
    qtbot.waitUntil(lambda: not g.animating)
    g.rows = ("grad", "act")
    snap = sim.run(Config(depth=4, width=32, batch=32, seed=1), rows=ALL_ROWS[:2])
    x = np.linspace(-1.0, 1.0, 9)
    curves = {("act", 3): (x, np.ones_like(x))}

    def ask():
        g.present(snap)
        g.show_theory(curves)
        return g.animating

    assert in_event_loop(qtbot, ask, lambda: not g.animating)  # filled over turns
    np.testing.assert_array_equal(g.theory_data("act", 3)[0], x)
    assert g.theory_data("act", 2) is None and g.theory_data("grad", 3) is None
