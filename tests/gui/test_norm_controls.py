"""The Network dock's normalization and skip controls drive the plots to the core's numbers."""

import numpy as np
import pytest

from core import Config, presets, run
from tests.gui.conftest import SMALL, drawn, wait_shown
from tests.gui.test_window import assert_plots_match_core


def assert_rows_and_positive_profile(win, config):
    """As assert_plots_match_core, for nets with exact zeros (left off the log profile)."""
    snap = run(config)
    for row in win.grid.rows:
        for s in snap.layers:
            _, y = win.grid.curve_data(row, s.index)
            np.testing.assert_allclose(y, drawn(win.grid, row, s)[1], rtol=1e-12, atol=0)
    for key in ("act_std", "grad_std"):
        x, ys = win.profile.series(key)
        core = np.array([getattr(s, key) for s in snap.layers])
        np.testing.assert_allclose(x, np.flatnonzero(core > 0) + 1)
        np.testing.assert_allclose(ys, core[core > 0], rtol=1e-6)


TINY = SMALL.replace(activation="tanh", init="normal", std=0.01, bias="zeros")


def test_batchnorm_toggle_rescues_the_plotted_net(make_window, qtbot):
    win = make_window(TINY)
    d = win.network_dock
    assert not d.norm_position.isEnabled() and not d.norm_view.isEnabled()  # disabled, not hidden
    assert d.norm_position.isVisibleTo(win) and not d.branch.isEnabled()
    _, before = win.profile.series("act_std")
    d.norm.setCurrentText("batch")
    expected = TINY.replace(norm="batch")
    wait_shown(qtbot, win, expected)
    assert win.config == expected and d.norm_view.isEnabled()
    assert_plots_match_core(win, expected)
    _, after = win.profile.series("act_std")
    assert after[-1] > 1e4 * before[-1]  # the rescue, in the plotted profile
    np.testing.assert_allclose([s.preact_std for s in win.latest.layers], 1.0, atol=0.01)
    d.norm_view.setCurrentText("pre")  # the raw h = x·W in the same grid
    raw = expected.replace(norm_view="pre")
    wait_shown(qtbot, win, raw)
    assert_plots_match_core(win, raw)
    assert win.latest.layers[-1].preact_std < 0.5


def test_residual_controls(make_window, qtbot):
    relu = SMALL.replace(activation="relu", init="he-normal", bias="zeros")
    win = make_window(relu)
    d = win.network_dock
    d.residual.setChecked(True)
    wait_shown(qtbot, win, relu.replace(residual=True))
    assert d.branch.isEnabled() and d.residual_init.isEnabled()
    fixup = d.residual_init.model().item(d.residual_init.findText("fixup"))
    assert not fixup.isEnabled()  # Fixup needs two layers per branch
    d.branch.setValue(2)
    d.residual_init.setCurrentText("fixup")
    expected = relu.replace(residual=True, branch_layers=2, residual_init="fixup")
    wait_shown(qtbot, win, expected)
    assert_rows_and_positive_profile(win, expected)
    d.branch.setValue(1)  # Fixup no longer applies: back to the standard branch
    wait_shown(qtbot, win, relu.replace(residual=True))
    d.residual.setChecked(False)
    wait_shown(qtbot, win, relu)
    assert not d.branch.isEnabled()


def test_residual_needs_equal_widths(make_window, qtbot):
    win = make_window(SMALL.replace(depth=2, width=(64, 32, 16)))
    assert not win.network_dock.residual.isEnabled()
    win.apply_changes({"residual": True})
    assert "width" in win.banner.text() and not win.config.residual


@pytest.mark.parametrize("name", ["tiny-normal-tanh-batchnorm", "rezero"])
def test_scene_shows_both_sides(make_window, qtbot, name):
    win = make_window()
    scene = presets.load(name)
    win.load_scene(scene)
    wait_shown(qtbot, win, scene.config, timeout=60000)
    qtbot.waitUntil(
        lambda: win.latest_b is not None and win.latest_b.config == scene.compare, timeout=60000
    )
    for side, config in (("A", scene.config), ("B", scene.compare)):
        core = np.array([s.weight_grad_std for s in run(config).layers])
        x, y = (
            np.array([] if v.ndim == 0 else v, float)
            for v in win.profile.series("weight_grad_std", side)
        )
        np.testing.assert_array_equal(
            x, np.flatnonzero(core > 0) + 1
        )  # zeros left off the log axis
        np.testing.assert_allclose(y, core[core > 0], rtol=1e-6)
        _, y = win.profile.series("act_std", side)
        np.testing.assert_allclose(y, [s.act_std for s in run(config).layers], rtol=1e-6)


def test_profile_goes_log_when_the_std_spans_decades(make_window, qtbot):
    from gui.views.depth_profile import ACT_TITLES

    relu = Config(depth=40, width=64, batch=64, activation="relu", init="he-normal", bias="zeros")
    win = make_window(relu)
    plot = win.profile.act_plot
    assert plot.titleLabel.text == ACT_TITLES[False]
    win.network_dock.residual.setChecked(True)  # ×2 variance per block: std ×2^20 over 40 blocks
    wait_shown(qtbot, win, relu.replace(residual=True))
    assert plot.titleLabel.text == ACT_TITLES[True] and plot.ctrl.logYCheck.isChecked()
    _, std = win.profile.series("act_std")
    np.testing.assert_allclose(std, [s.act_std for s in run(relu.replace(residual=True)).layers])
    assert std[-1] / std[0] > 1e5
    mean = win.profile.series("act_mean")[1]
    assert mean.ndim == 0 or mean.size == 0  # no data (None or empty): the mean is off
    win.network_dock.residual.setChecked(False)
    wait_shown(qtbot, win, relu)
    assert plot.titleLabel.text == ACT_TITLES[False] and not plot.ctrl.logYCheck.isChecked()
    _, mean = win.profile.series("act_mean")
    assert len(mean) == 40
