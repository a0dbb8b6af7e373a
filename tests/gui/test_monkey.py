"""An impatient lecturer, seeded: hundreds of random actions through the window's own widgets and
keys (depth, width, activation, init, σ typed and dragged, A/B, scenes, rows, axes, animation,
presentation in and out, resample, resizes), with no time for a frame between most of them.

Issue 17 found a presentation view left stuck this way (a KeyError half-way through F5). What
must hold: no exception reaches Qt's excepthook, Esc always leaves the presentation view, and
once the hands stop, the window shows the final config's frame within 5 s.
"""

import random

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core import Config
from gui.main_window import GRID_MAX_DEPTH
from tests.gui.conftest import drawn

START = Config(depth=4, width=48, batch=96)


class Monkey:
    def __init__(self, win, qtbot, rng: random.Random):
        self.win, self.qtbot, self.rng = win, qtbot, rng
        net, init, play = win.network_dock, win.init_dock, win.playback_dock
        r = rng
        self.actions = [
            lambda: net.depth.setValue(r.choice([1, 2, 3, 5, 8, 12, 13, 16])),
            lambda: self.type_width(r.choice(["16", "48", "64", "32,64,16", "0", "x", "20000"])),
            lambda: net.activation.setCurrentIndex(r.randrange(net.activation.count())),
            lambda: init.scheme.setCurrentIndex(r.randrange(init.scheme.count())),
            lambda: init.std.spin.setValue(r.choice([1e-4, 0.01, 0.1, 1.0, 10.0])),
            self.drag_std,
            lambda: net.seed.setValue(r.randrange(50)),
            lambda: net.batch.setValue(r.choice([8, 32, 96])),
            lambda: net.hist_scale.setCurrentIndex(r.randrange(net.hist_scale.count())),
            lambda: self.key(Qt.Key.Key_A),  # A/B
            lambda: win.side_combo.setCurrentIndex(r.randrange(2)),
            lambda: win.go_to_scene(r.randrange(len(win.scenes))),
            lambda: self.key(Qt.Key.Key_R),  # resample
            lambda: play.preact.setChecked(not play.preact.isChecked()),
            lambda: play.grad.setChecked(not play.grad.isChecked()),
            lambda: play.wgrad.setChecked(not play.wgrad.isChecked()),
            lambda: play.per_layer_y.setChecked(not play.per_layer_y.isChecked()),
            lambda: play.animation.setCurrentIndex(r.randrange(play.animation.count())),
            lambda: self.key(Qt.Key.Key_F5),
            self.leave_presentation,
            lambda: self.key(r.choice([Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Left])),
            lambda: win.resize(r.randrange(900, 1700), r.randrange(600, 1000)),
        ]

    def key(self, k) -> None:
        self.qtbot.keyClick(self.win, k)

    def type_width(self, text: str) -> None:
        edit = self.win.network_dock.width_edit
        edit.setText(text)
        edit.editingFinished.emit()

    def drag_std(self) -> None:
        slider = self.win.init_dock.std.slider
        slider.setSliderDown(True)
        for _ in range(self.rng.randrange(1, 6)):
            slider.setValue(self.rng.randrange(slider.maximum() + 1))
            QApplication.processEvents()
        slider.setSliderDown(False)
        slider.sliderReleased.emit()

    def leave_presentation(self) -> None:
        for _ in range(2):  # the first Esc may only close the help
            self.key(Qt.Key.Key_Escape)
        assert not self.win.presentation.active
        assert self.win.menuBar().isVisible() and self.win.statusBar().isVisible()

    def step(self) -> None:
        self.rng.choice(self.actions)()
        if self.rng.random() < 0.3:  # now and then a frame has time to arrive
            QApplication.processEvents()


# seed 10: the lecture canvas's ladder segfaulted on the paint after F5 (its scene's BSP index,
# gui/views/__init__.py unindexed_within); seeds 2-9 and 11-91 pass as well (2026-12-06; 75
# once its depth-100 A/B net's whole batch is waited for as long as it takes)
@pytest.mark.parametrize("seed", [1, 10])
def test_random_actions_leave_a_window_that_shows_the_final_config(make_window, qtbot, seed):
    win = make_window(START)
    monkey = Monkey(win, qtbot, random.Random(seed))
    with qtbot.capture_exceptions() as raised:
        for _ in range(300):
            monkey.step()
        win.playback_dock.animation.setCurrentText("off")
        monkey.leave_presentation()
        wait_for_the_final_config(win, qtbot)
    assert [str(e[1]) for e in raised] == []
    assert_views_show(win, win.latest, win.latest_b)


def wait_for_the_final_config(win, qtbot) -> None:
    """Its picture within 5 s (a big net's first one is on part of the batch, refined after:
    depth 100 with A/B, a scene's, took 16 s to its whole batch on a loaded machine), then its
    whole batch, the grid done with a new shape's first frame (shown a row a turn: row_fill.py)."""

    def shown() -> bool:
        a, b, c = win.latest, win.latest_b, win.compare
        return (
            a is not None
            and a.config.replace(batch=win.config.batch) == win.config
            and (b.config.replace(batch=c.batch) == c if b and c else b is None and c is None)
        )

    qtbot.waitUntil(shown, timeout=5000)
    qtbot.waitUntil(lambda: win.up_to_date and not win.grid.animating, timeout=60000)


def assert_views_show(win, snap, b) -> None:
    """The grid (or the overview beyond 12 layers) and the profile hold this frame's numbers."""
    assert snap.config == win.config and (b is None) == (win.compare is None)
    for row in win.grid.rows:
        if len(snap.layers) <= GRID_MAX_DEPTH:
            for s in snap.layers:
                x, y = win.grid.curve_data(row, s.index)
                edges, shares = drawn(win.grid, row, s)
                np.testing.assert_array_equal(x, edges)
                np.testing.assert_array_equal(y, shares)
        else:
            shares = np.stack([drawn(win.overview, row, s)[1] for s in snap.layers])
            with np.errstate(divide="ignore"):
                np.testing.assert_array_equal(
                    win.overview.image_data(row), np.log10(np.maximum(shares, 1e-5)).T
                )
    xs, ys = win.profile.series("act_std")
    want = [s.act_std for s in snap.layers]
    # on its log axis the profile leaves out what a log cannot show (a std that underflowed to 0)
    kept = [i for i, v in enumerate(want, 1) if v > 0 and np.isfinite(v)]
    if len(xs) < len(want):
        np.testing.assert_array_equal(xs, kept)
    np.testing.assert_array_equal(ys, [want[i - 1] for i in np.asarray(xs, int)])
