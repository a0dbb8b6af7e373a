"""Drive the window through its widgets and check the plots hold the core's numbers."""

import random

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from core import Config, run
from gui.main_window import GRID_MAX_DEPTH
from gui.selftest import blank
from gui.views.layer_grid import fraction, has_rows
from tests.gui.conftest import SMALL, drawn, wait_shown


def assert_plots_match_core(win, config):
    snap = run(config)
    for row in win.grid.rows:
        for s in snap.layers:
            x, y = win.grid.curve_data(row, s.index)
            edges, shares = drawn(win.grid, row, s)
            np.testing.assert_allclose(x, edges, rtol=1e-12)
            np.testing.assert_allclose(y, shares, rtol=1e-12, atol=0)
    for key in ("act_std", "grad_std") if "grad" in win.grid.rows else ("act_std",):
        _, ys = win.profile.series(key)
        np.testing.assert_allclose(ys, [getattr(s, key) for s in snap.layers], rtol=1e-6)


def test_first_frame_shows_every_layer(make_window):
    win = make_window()
    assert win.stack.currentIndex() == 0
    assert_plots_match_core(win, SMALL)
    assert len(win.grid.panels) == SMALL.depth * 2
    assert not blank(win.grab())
    # the Network tab is in front of the Training and Playback tabs on a first launch
    assert not win.docks["network"].visibleRegion().isEmpty()
    assert win.docks["training"].visibleRegion().isEmpty()


CONTROL_CASES = [
    ("depth", lambda w: w.network_dock.depth.setValue(6), dict(depth=6)),
    (
        "width",
        lambda w: (
            w.network_dock.width_edit.setText("32"),
            w.network_dock.width_edit.editingFinished.emit(),
        ),
        dict(width=32),
    ),
    (
        "widths",
        lambda w: (
            w.network_dock.width_edit.setText("50,40,30"),
            w.network_dock.width_edit.editingFinished.emit(),
        ),
        dict(width=(50, 40, 30), depth=2),
    ),
    (
        "activation",
        lambda w: w.network_dock.activation.setCurrentText("relu"),
        dict(activation="relu"),
    ),
    ("batch", lambda w: w.network_dock.batch.setValue(64), dict(batch=64)),
    ("input", lambda w: w.network_dock.input.setCurrentText("positive"), dict(input="positive")),
    ("seed", lambda w: w.network_dock.seed.setValue(5), dict(seed=5)),
    (
        "grad_source",
        lambda w: w.network_dock.grad_source.setCurrentText("mse"),
        dict(grad_source="mse"),
    ),
    (
        "hist_scale",
        lambda w: w.network_dock.hist_scale.setCurrentText("layer"),
        dict(hist_scale="layer"),
    ),
    ("scheme", lambda w: w.init_dock.scheme.setCurrentText("he-normal"), dict(init="he-normal")),
    ("gain", lambda w: w.init_dock.gain.spin.setValue(2.5), dict(gain=2.5)),
    ("mode", lambda w: w.init_dock.mode.setCurrentText("fan_out"), dict(mode="fan_out")),
    (
        "truncation",
        lambda w: w.init_dock.truncation.setCurrentText("keras"),
        dict(truncation="keras"),
    ),
    ("bias", lambda w: w.init_dock.bias.setCurrentText("constant"), dict(bias="constant")),
    ("resample", lambda w: w.playback_dock.resample_btn.click(), dict(seed=1)),
]


@pytest.mark.parametrize("name,act,changes", CONTROL_CASES, ids=[c[0] for c in CONTROL_CASES])
def test_each_control_changes_the_plots_to_the_cores_numbers(
    make_window, qtbot, name, act, changes
):
    win = make_window()
    act(win)
    expected = SMALL.replace(**changes)
    wait_shown(qtbot, win, expected)
    assert win.config == expected
    assert_plots_match_core(win, expected)


def test_std_slider_and_normal_scheme(make_window, qtbot):
    win = make_window(SMALL.replace(init="normal"))
    assert win.init_dock.std.isEnabled() and not win.init_dock.limit.isEnabled()
    win.init_dock.std.slider.setValue(win.init_dock.std.slider.maximum())
    expected = SMALL.replace(init="normal", std=10.0)
    wait_shown(qtbot, win, expected)
    assert_plots_match_core(win, expected)


def test_controls_not_read_by_the_scheme_are_disabled(make_window):
    win = make_window(SMALL.replace(init="he-normal"))
    d = win.init_dock
    assert d.gain.isEnabled() and d.mode.isEnabled()
    assert not d.std.isEnabled() and not d.sparsity.isEnabled() and not d.value.isEnabled()
    assert "σ_w²" in d.sigma.text() and "2" in d.sigma.text()


def test_a_drag_step_relayouts_no_dock(make_window, qtbot):
    """Each step of a gain drag shows a new σ_w² and a new fps; neither may ask its dock or the
    window to re-measure (that repainted the whole dock, or the whole window, every step)."""
    from PySide6.QtCore import QEvent, QObject

    win = make_window(SMALL.replace(init="xavier-normal"))
    qtbot.wait(300)  # the first frame's layout settles

    class Count(QObject):
        n = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.LayoutRequest:
                Count.n += 1
            return False

    counter = Count()
    watched = (win, win.docks["init"], win.init_dock, win.statusBar())
    for w in watched:
        w.installEventFilter(counter)
    try:
        for g in (1.5, 2.25, 0.125):
            win.apply_changes({"gain": g}, dragging=True)
            qtbot.waitUntil(lambda g=g: win.latest.config.gain == g, timeout=10000)
            qtbot.wait(50)
        assert "2.25" in win.init_dock.sigma.text() or "0.0156" in win.init_dock.sigma.text()
        assert Count.n == 0
    finally:
        for w in watched:
            w.removeEventFilter(counter)


def test_every_control_has_a_tooltip(make_window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QSlider

    win = make_window()
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QSlider)
    for dock in (win.network_dock, win.init_dock, win.playback_dock):
        for w in [w for kind in kinds for w in dock.findChildren(kind)]:
            if isinstance(w.parent(), QComboBox | QAbstractSpinBox):
                continue  # the inner editor of a combo or spin box
            assert w.toolTip(), f"{type(w).__name__} in {type(dock).__name__} has no tooltip"


def test_rapid_changes_coalesce_to_the_last(make_window, qtbot):
    win = make_window(SMALL.replace(init="normal"))
    start = win.engine.frames
    configs = [SMALL.replace(init="normal", std=0.01 * (i + 1)) for i in range(60)]
    for c in configs:
        win.set_config(c)
    wait_shown(qtbot, win, configs[-1])
    qtbot.wait(200)
    assert win.latest.config == configs[-1]
    assert win.engine.frames - start < len(configs) / 2  # stale configs were dropped, not queued
    assert_plots_match_core(win, configs[-1])


def test_exploding_net_shows_a_badge(make_window, qtbot):
    boom = Config(depth=10, width=200, batch=64, activation="linear", init="normal", std=1000.0)
    win = make_window(boom)
    assert win.latest.nonfinite > 0
    top = win.grid.panels[("act", 10)]
    assert (
        top.note("badge").isVisible() and "non-finite" in top.note("badge").textItem.toPlainText()
    )
    assert not win.grid.panels[("act", 1)].note("badge").isVisible()
    assert "non-finite" in win.statusBar().currentMessage()


def test_invalid_input_shows_a_message_and_keeps_the_config(make_window, qtbot):
    win = make_window()
    win.network_dock.width_edit.setText("50,abc")
    win.network_dock.width_edit.editingFinished.emit()
    assert win.banner.isVisible() and "width" in win.banner.text()
    win.apply_changes({"depth": 3, "width": [5, 5]})
    assert "width" in win.banner.text()
    assert win.config == SMALL
    huge = {"depth": 500, "width": 20000, "batch": 100000}
    win.apply_changes(huge)
    assert "GiB" in win.banner.text() and win.config == SMALL
    assert win.network_dock.depth.value() == SMALL.depth  # widgets put back


def test_dragging_uses_a_small_batch_then_refines(make_window, qtbot):
    big = SMALL.replace(batch=1000, init="normal")
    win = make_window(big)
    win.init_dock.std.valueChanged.emit(0.05, True)
    qtbot.waitUntil(lambda: win.latest.config.std == 0.05, timeout=10000)
    assert win.latest.config.batch == 250
    assert "dragging" in win.batch_label.text()
    win.init_dock.std.valueChanged.emit(0.05, False)
    wait_shown(qtbot, win, big.replace(std=0.05))
    assert win.batch_label.text() == "batch 1000"


def test_drag_batch_fits_the_measured_cost_in_the_frame_budget():
    """Issue 4: 30 frames a second while dragging at the canonical size. The batch is what the
    tuner's measured seconds per multiply-add fit in DRAG_BUDGET_S, between MIN_DRAG_BATCH and
    the cap; before any measurement, the cap."""
    from gui.engine import DRAG_BUDGET_S, MIN_DRAG_BATCH, BlasTuner, drag_batch, matmul_work

    canonical = Config(depth=10, width=500, batch=1000, activation="tanh")
    tuner = BlasTuner((1, 2))
    assert drag_batch(tuner.cost(), [canonical], True, 250) == 250
    for _ in range(BlasTuner.KEEP - 1):
        tuner.record(2, 0.100, matmul_work([canonical], True))  # 100 ms a full frame
    assert drag_batch(tuner.cost(), [canonical], True, 250) == 250  # not measured enough yet
    tuner.record(2, 0.100, matmul_work([canonical], True))
    expected = DRAG_BUDGET_S / 0.100 * 1000  # the same cost per example
    assert drag_batch(tuner.cost(), [canonical], True, 250) == int(expected) == 120
    assert drag_batch(tuner.cost(), [canonical, canonical], True, 250) == max(MIN_DRAG_BATCH, 60)
    assert (
        drag_batch(tuner.cost(), [canonical], False, 250) == 250
    )  # forward only: a third of the work
    tiny = canonical.replace(width=16)
    assert drag_batch(tuner.cost(), [tiny], True, 250) == 250


def test_a_drag_shows_its_frames_at_once_and_the_release_blends(make_window, qtbot):
    """A drag's frames are motion already: blending each one kept the grid repainting at 60 Hz
    and the window at 6 frames a second. The hand's release brings the full batch, blended."""
    big = SMALL.replace(batch=1000, init="normal")
    win = make_window(big, blend=True)
    blending = []
    win.frame_shown.connect(lambda snap: blending.append((snap.config.batch, win.grid.animating)))
    slider = win.init_dock.std.slider
    slider.setSliderDown(True)
    slider.setValue(slider.value() + 40)
    qtbot.waitUntil(lambda: (250, False) in blending, timeout=10000)
    slider.setSliderDown(False)
    slider.sliderReleased.emit()
    qtbot.waitUntil(lambda: (1000, True) in blending, timeout=10000)
    assert all(not animating for batch, animating in blending if batch == 250)


def test_status_labels_keep_their_size_so_a_frame_relayouts_nothing(make_window, qtbot):
    """A status label sized to its text relayouted the main window on every frame, which
    repainted all of it; fixed-size labels hold the widest text, and grow with the font."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    win = make_window()
    label = win.batch_label
    size = label.size()
    win.batch_label.setText("batch 1000000 (dragging; full 1000000 on release)")
    assert label.sizeHint().width() <= size.width() + 1 and label.size() == size
    win.batch_label.setText("batch 8")
    assert label.size() == size
    app = QApplication.instance()
    saved = QFont(app.font())
    try:
        big = QFont(saved)
        big.setPointSizeF(saved.pointSizeF() * 2)
        app.setFont(big)
        qtbot.waitUntil(lambda: label.width() > 1.5 * size.width(), timeout=3000)
    finally:
        app.setFont(saved)


def test_blending_reaches_the_target(make_window, qtbot):
    win = make_window(blend=True)
    blending_when_shown = []
    win.frame_shown.connect(lambda snap: blending_when_shown.append(win.grid.animating))
    with qtbot.waitSignal(win.frame_shown, timeout=10000):
        win.set_config(SMALL.replace(seed=9))
    assert blending_when_shown == [True]
    qtbot.waitUntil(lambda: not win.grid.animating, timeout=5000)
    assert_plots_match_core(win, SMALL.replace(seed=9))


def test_deep_net_shows_overview_and_click_opens_a_layer(make_window, qtbot):
    deep = Config(depth=40, width=64, batch=64, activation="relu", init="he-normal")
    win = make_window(deep)
    assert win.stack.currentIndex() == 1 and GRID_MAX_DEPTH < 40
    img = win.overview.image_data("act")  # a deep net's heatmaps on log|x| by default
    assert img.shape == (win.overview.log_span("act")[1], 40)
    win.playback_dock.x_axis.setCurrentText("linear")
    assert win.overview.image_data("act").shape == (deep.bins, 40)
    with qtbot.waitSignal(win.overview.layer_clicked) as sig:
        win.overview.layer_clicked.emit(7)
    assert sig.args == [7]
    _, y = win.detail.curve_data("act", 7)
    np.testing.assert_allclose(y, fraction(run(deep).layers[6].hists["act"]))


def test_deep_ab_overview_shows_b_under_a_on_the_same_axes(make_window, qtbot):
    """Depth 30, N(0, 0.05²) against Xavier: both heatmaps, each the core's run_joint numbers;
    leaving the comparison leaves A alone."""
    from core.simulate import Simulator, run_joint

    a = Config(depth=30, width=64, batch=64, activation="tanh", init="normal", std=0.05)
    b = a.replace(init="xavier-normal")
    win = make_window(a)
    win.compare_action.trigger()
    win.init_dock.scheme.setCurrentText("xavier-normal")  # edits B only
    qtbot.waitUntil(lambda: win.latest_b is not None and win.latest_b.config == b, timeout=15000)
    assert win.stack.currentIndex() == 1 and win.overview.sides == ("A", "B")
    ja, jb = run_joint([Simulator(), Simulator()], [a, b])
    for side, snap in (("A", ja), ("B", jb)):
        expected = np.stack([drawn(win.overview, "act", s)[1] for s in snap.layers])
        shown = 10 ** win.overview.image_data("act", side).T
        np.testing.assert_allclose(shown, np.maximum(expected, 1e-5), rtol=1e-5)
    win.compare_action.trigger()
    qtbot.waitUntil(lambda: win.overview.sides == ("A",), timeout=15000)


def test_view_options_rows(make_window, qtbot):
    win = make_window()
    frames = win.engine.frames
    win.playback_dock.wgrad.setChecked(True)
    win.playback_dock.preact.setChecked(True)
    assert win.grid.rows == ("preact", "grad", "wgrad")
    # the core makes only the rows shown: new rows are computed, then drawn
    # (a new shape's first frame is shown a row a turn: gui/views/row_fill.py)
    qtbot.waitUntil(
        lambda: has_rows(win.grid.snapshot, win.grid.rows) and not win.grid.animating,
        timeout=15000,
    )
    assert win.engine.frames > frames
    assert_plots_match_core(win, SMALL)
    assert len(win.grid.panels) == 3 * SMALL.depth


def test_activations_only_skips_the_backward_pass(make_window, qtbot):
    win = make_window()
    win.playback_dock.grad.setChecked(False)
    assert win.grid.rows == ("act",)
    assert len(win.grid.panels) == SMALL.depth  # at once, from the snapshot already there
    win.playback_dock.resample_btn.click()  # the next frames are computed forward only
    config = SMALL.replace(seed=SMALL.seed + 1)
    qtbot.waitUntil(lambda: "grad" not in win.grid.snapshot.layers[0].hists, timeout=15000)
    snap = win.grid.snapshot
    assert snap.config == config
    # the activations are the full computation's, the gradients were never computed
    full = run(config)
    for s, f in zip(snap.layers, full.layers, strict=True):
        assert s.act_std == f.act_std
        np.testing.assert_array_equal(s.hists["act"].counts, f.hists["act"].counts)
        assert np.isnan(s.grad_std) and np.isnan(s.weight_grad_std)
    assert_plots_match_core(win, config)  # the act row
    assert "not computed" in win.profile.grad_plot.titleLabel.text
    assert not blank(win.grab())
    win.playback_dock.grad.setChecked(True)
    qtbot.waitUntil(
        lambda: np.isfinite(win.grid.snapshot.layers[0].grad_std) and not win.grid.animating,
        timeout=15000,
    )
    assert_plots_match_core(win, config)


def test_animation_resample_advances_frames(make_window, qtbot):
    win = make_window()
    win.playback_dock.animation.setCurrentText("resample")
    qtbot.waitUntil(lambda: win.latest.config.seed >= 3, timeout=15000)
    win.playback_dock.animation.setCurrentText("off")
    assert "fps" in win.fps_label.text()


def test_animation_sweep_moves_the_gain(make_window, qtbot):
    win = make_window(SMALL.replace(init="xavier-normal"))
    pd = win.playback_dock
    pd.animation.setCurrentText("sweep")
    assert pd.sweep_param.currentText() == "gain"
    pd.period.setValue(1.0)
    seen = set()
    qtbot.waitUntil(lambda: seen.add(win.latest.config.gain) or len(seen) > 5, timeout=15000)
    pd.animation.setCurrentText("off")
    values = {g for g in seen if g is not None}
    assert min(values) >= 0.1 and max(values) <= 3.0


def test_survives_a_thousand_random_changes(make_window, qtbot):
    win = make_window()
    rng = random.Random(0)
    choices = [
        lambda: {"depth": rng.randint(1, 8)},
        lambda: {"width": rng.choice([8, 16, 33])},
        lambda: {"activation": rng.choice(["tanh", "relu", "sigmoid", "selu", "gelu"])},
        lambda: {
            "init": rng.choice(["normal", "zeros", "he-uniform", "orthogonal", "lsuv", "sparse"])
        },
        lambda: {"std": rng.choice([1e-4, 0.01, 1.0, 100.0, -1.0])},  # -1 is invalid: a message
        lambda: {"gain": rng.choice([None, 0.5, 3.0])},
        lambda: {"seed": rng.randint(0, 100)},
        lambda: {"batch": rng.choice([4, 32, 64])},
        lambda: {"hist_scale": rng.choice(["shared", "layer"])},
        lambda: {"bias": rng.choice(["default", "zeros", "constant"])},
    ]
    for i in range(1000):
        win.apply_changes(rng.choice(choices)())
        if i % 50 == 0:
            qtbot.wait(5)
    final = win.config
    wait_shown(qtbot, win, final, timeout=30000)
    assert_plots_match_core(win, final)


def test_layout_and_config_restored_on_next_launch(make_window, qtbot, settings):
    from gui.main_window import MainWindow

    win = make_window()
    win.set_config(SMALL.replace(depth=3, activation="selu"))
    win.docks["stats"].hide()
    win.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.config == SMALL.replace(depth=3, activation="selu")
    again.show()
    assert not again.docks["stats"].isVisible()
    again.reset_layout()
    assert again.docks["stats"].isVisible()
    again.engine.stop()


def test_keyboard_resample(make_window, qtbot):
    win = make_window()
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_R)
    wait_shown(qtbot, win, SMALL.replace(seed=1))


def test_table_copies_as_csv_and_markdown(make_window):
    win = make_window()
    csv = win.stats_table.model_.to_csv().splitlines()
    assert len(csv) == SMALL.depth + 1 and csv[0].startswith("layer,act")
    md = win.stats_table.model_.to_markdown().splitlines()
    assert md[0].startswith("| layer") and len(md) == SMALL.depth + 2


def test_dark_theme(make_window):
    from gui import theme

    win = make_window(SMALL.replace(activation="linear"))  # one-line titles in two-line room
    label = win.grid.panel("act", 1).titleLabel
    QApplication.processEvents()
    height = label.rect().height()
    assert height > 0
    win.set_theme("dark")
    QApplication.processEvents()  # the layout settles
    assert win.grid.backgroundBrush().color().name().lower() == "#16181c"
    # painted titles take the new colour without a relayout
    assert label.opts["color"] == theme.THEMES["dark"].foreground
    assert label.rect().height() == height and not label.item.isVisibleTo(label)
    assert not blank(win.grab())


def test_compare_ab_overlays_b_on_common_ranges(make_window, qtbot):
    from core.simulate import Simulator, run_joint

    win = make_window(SMALL.replace(init="normal", std=0.05))
    win.compare_action.trigger()
    assert win.editing == "B" and win.compare == win.config
    win.init_dock.scheme.setCurrentText("xavier-normal")  # edits B only
    a = SMALL.replace(init="normal", std=0.05)
    b = a.replace(init="xavier-normal")
    qtbot.waitUntil(lambda: win.latest_b is not None and win.latest_b.config == b, timeout=15000)
    qtbot.waitUntil(lambda: not win.grid.animating, timeout=5000)
    assert win.config == a
    ja, jb = run_joint([Simulator(), Simulator()], [a, b])
    for s in jb.layers:
        _, yb = win.grid.curve_data_b("act", s.index)
        np.testing.assert_allclose(yb, fraction(s.hists["act"]))
        _, ya = win.grid.curve_data("act", s.index)
        np.testing.assert_allclose(ya, fraction(ja.layers[s.index - 1].hists["act"]))
    _, prof_b = win.profile.series("act_std", side="B")
    np.testing.assert_allclose(prof_b, [s.act_std for s in jb.layers], rtol=1e-6)
    # seed is shared: a resample moves both sides
    win.resample()
    qtbot.waitUntil(
        lambda: win.latest_b is not None and win.latest_b.config.seed == 1, timeout=15000
    )
    assert win.config.seed == 1 and win.compare.seed == 1
    win.compare_action.trigger()
    qtbot.waitUntil(lambda: win.latest_b is None, timeout=15000)
    assert win.grid.curve_data_b("act", 1) is None


def test_theory_overlays_match_core_theory_and_phase_dot(make_window, qtbot):
    from core import prediction
    from gui.engine import THEORY_POINTS

    c = SMALL.replace(width=200, init="normal", std=0.07)
    win = make_window(c)
    qtbot.waitUntil(lambda: win.theory is not None and win.theory.config == c, timeout=15000)
    win.presenter.refresh({"theory"})
    pred = prediction.predict(c)
    snap = run(c)
    for s in snap.layers:
        _, y = win.grid.theory_data("act", s.index)
        h = s.hists["act"]
        tx, tp = prediction.density(pred, s.index, "act", THEORY_POINTS)
        inside = (tx >= h.lo) & (tx <= h.hi)
        np.testing.assert_allclose(y, tp[inside] * (h.hi - h.lo) / len(h.counts), rtol=1e-9)
    _, prof = win.profile.theory_curves["act_std"].getData()
    np.testing.assert_allclose(prof, [lp.act_std for lp in pred.layers], rtol=1e-9)
    win.docks["phase"].show()
    win.docks["phase"].raise_()  # its grid is made on the worker, with the next frame's theory
    qtbot.waitUntil(lambda: win.phase.grid is not None and win.phase.grid.activation == "tanh")
    assert win.phase.dot_position() == pytest.approx(
        (pred.fixed.sigma_w2, pred.fixed.sigma_b2), rel=1e-6
    )
    win.phase.picked.emit(2.0, 0.0)
    assert win.config.init == "normal" and win.config.std == pytest.approx((2.0 / 200) ** 0.5)
    win.show_theory_box.setChecked(False)
    assert win.grid.theory_data("act", 1) is None


def test_blas_counts_are_all_cores_or_one_fewer_or_the_override(monkeypatch, capsys):
    from gui.engine import blas_counts

    monkeypatch.setattr("os.cpu_count", lambda: 4)
    monkeypatch.delenv("INITSCOPE_BLAS_THREADS", raising=False)
    assert blas_counts() == (3, 4)
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert blas_counts() == (1,)
    monkeypatch.setenv("INITSCOPE_BLAS_THREADS", "2")
    assert blas_counts() == (2,)
    monkeypatch.setenv("INITSCOPE_BLAS_THREADS", "two")
    assert blas_counts() == (1,)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "INITSCOPE_BLAS_THREADS='two'" in err


def test_blas_tuner_follows_the_cheaper_count_and_probes_the_other():
    from gui.engine import BlasTuner

    tuner = BlasTuner((1, 2))
    work = BlasTuner.MIN_WORK  # (less is not costed: a tiny net's frame is its own overheads)
    cost = {1: 2.0, 2: 1.0}  # a quiet machine: all cores are cheaper
    picks = []
    for _ in range(64):
        n = tuner.choose()
        picks.append(n)
        tuner.record(n, cost[n], work)
    assert picks[:4] == [1, 2, 1, 2]  # each count is tried WARM times first
    assert picks[4:].count(1) == 64 // BlasTuner.PROBE  # the probes: frames 16, 32, 48, 64
    cost = {1: 1.0, 2: 3.0}  # then other work takes a core: one fewer wins within a few probes
    for _ in range(BlasTuner.PROBE * BlasTuner.KEEP):
        n = tuner.choose()
        tuner.record(n, cost[n], work)
    assert tuner.best() == 1
    assert [tuner.choose() for _ in range(BlasTuner.PROBE)].count(1) == BlasTuner.PROBE - 1


def test_phase_grid_is_computed_off_the_ui_thread(make_window, qtbot, monkeypatch):
    """A new activation's phase diagram (35–290 ms of quadrature) is made on the engine's worker,
    never on the UI thread, and the dock then shows that activation's grid."""
    import threading

    from core import frame, phase

    calls = []
    real = phase.phase_grid

    def spy(*a, **kw):
        calls.append(threading.current_thread() is threading.main_thread())
        return real(*a, **kw)

    monkeypatch.setattr(phase, "phase_grid", spy)
    frame.phase_grid.cache_clear()
    win = make_window(SMALL.replace(activation="tanh"))
    win.docks["phase"].raise_()
    win.network_dock.activation.setCurrentText("relu")
    config = SMALL.replace(activation="relu")
    wait_shown(qtbot, win, config)
    qtbot.waitUntil(lambda: win.phase.grid is not None and win.phase.grid.activation == "relu")
    assert not any(calls)  # made on the engine thread or in the compute process, never here
    frame.phase_grid.cache_clear()


def test_stats_table_reads_the_newest_frame_but_repaints_a_few_times_a_second(qtbot):
    """Ten frames in a burst: the model answers with the newest at once (exports, tests), the
    view is told twice, the first frame at once and the last within REPAINT_MS."""
    from core import Simulator
    from gui.views.stats_table import StatsModel

    model = StatsModel()
    told = []
    model.dataChanged.connect(lambda *a: told.append(model.rows_as_text()))
    sim = Simulator()
    snaps = [sim.run(SMALL.replace(std=0.01 * (k + 1), init="normal")) for k in range(10)]
    model.set_snapshot(snaps[0])  # a new shape: a reset, not a change
    for s in snaps[1:]:
        model.set_snapshot(s)
        assert model.rows_as_text() == rows_of(model, s)
    assert len(told) == 1
    qtbot.waitUntil(lambda: len(told) == 2, timeout=StatsModel.REPAINT_MS * 4)
    assert told[-1] == rows_of(model, snaps[-1])
    qtbot.wait(StatsModel.REPAINT_MS * 2)
    assert len(told) == 2  # nothing new: no more repaints


def rows_of(model, snap):
    from gui.views.stats_table import StatsModel

    other = StatsModel()
    other.set_snapshot(snap)
    return other.rows_as_text()


def test_out_of_range_shares_do_not_overlap_in_a_narrow_panel(make_window):
    """Both shares shown: the right one sits a line lower (side by side in a narrow panel they
    read as one garbled label); alone, it sits at the top like the left one."""
    from core.stats import Hist
    from gui.views.layer_grid import mark_outside

    win = make_window()
    p = next(iter(win.grid.panels.values()))
    lo, hi = p.xrange
    counts = np.ones(8, np.int64)
    mark_outside(p, Hist(lo, hi, counts, underflow=3, overflow=4, sampled=20))
    assert p.note("under").isVisible() and p.note("over").isVisible()
    assert p.note("over").pos().y() < p.note("under").pos().y() == pytest.approx(p.ymax)
    assert (
        p.note("under").textItem.toPlainText() == "◀ 15%"
        and p.note("over").textItem.toPlainText() == "20% ▶"
    )
    mark_outside(p, Hist(lo, hi, counts, underflow=0, overflow=4, sampled=20))
    assert not p.note("under").isVisible() and p.note("over").pos().y() == pytest.approx(p.ymax)


def test_overview_with_per_layer_ranges_says_so(make_window, qtbot):
    """x range "layer": every row has its own range, so the heatmap's x is the position in it
    (−1…1), labelled; on shared ranges it is the value itself."""
    deep = Config(depth=20, width=32, batch=32, init="normal", std=0.3)
    win = make_window(deep)
    plot = win.overview.plot("A", "grad")
    assert "log" in plot.getAxis("bottom").labelText  # by default, on log|x|
    win.playback_dock.x_axis.setCurrentText("linear")
    grads = [s.hists["grad"] for s in win.latest.layers]
    assert plot.vb.viewRange()[0] == pytest.approx([grads[0].lo, grads[0].hi])
    assert not plot.getAxis("bottom").label.isVisible()
    win.apply_changes({"hist_scale": "layer"})
    wait_shown(qtbot, win, deep.replace(hist_scale="layer"))
    assert len({(s.hists["grad"].lo, s.hists["grad"].hi) for s in win.latest.layers}) > 1
    assert plot.vb.viewRange()[0] == pytest.approx([-1.0, 1.0])
    assert plot.getAxis("bottom").label.isVisible()
    assert "own range" in plot.getAxis("bottom").labelText


def test_depth_changes_faster_than_paints_do_not_crash(make_window, qtbot):
    """Depth 4 → 6 → 4 before a paint rebuilds the grid twice; with the scene's BSP index this
    segfaulted in QGraphicsView's paint in 6 of 8 runs (gui/views/__init__.py: unindexed)."""
    win = make_window()
    for depth in (6, 7, 8):
        win.set_config(SMALL.replace(depth=depth))
        win.set_config(SMALL)
        qtbot.waitUntil(lambda: win.up_to_date, timeout=15000)
        win.grid.grab()
    assert len(win.latest.layers) == SMALL.depth
    assert not blank(win.grid.grab()) and ("act", SMALL.depth + 1) not in win.grid.panels


def test_panels_paint_the_snapshots_bins_and_title(make_window):
    """The step curve holds the core's bin heights and bounds them; the title is the core's σ,
    painted (not just set) over its label."""
    from gui.views.layer_grid import DashCurve, StepCurve, _fmt

    win = make_window()
    s = win.latest.layers[1]
    h, p = s.hists["act"], win.grid.panels[("act", 2)]
    heights = fraction(h)
    xy = p.curve.points
    assert np.allclose(xy[0::2, 1], heights) and np.allclose(xy[1::2, 1], heights)
    assert np.allclose(xy[0::2, 0], h.edges[:-1]) and np.allclose(xy[1::2, 0], h.edges[1:])
    rect = p.curve.boundingRect()
    assert rect.left() < h.lo and rect.right() > h.hi and rect.bottom() > heights.max() > 0
    assert f"σ {_fmt(s.act_std)}" in p.plot.titleLabel.text
    label = p.plot.titleLabel
    assert not label.item.isVisible() and p.painted_title.isVisible()
    corner = win.grid.mapFromScene(label.mapToScene(label.rect().topLeft()))
    size = label.rect().size().toSize()
    assert not blank(win.grid.grab(QRect(corner, size)))  # text was drawn there

    dashed = DashCurve(pg.mkPen("k"))  # the theory: runs of 6 segments, 3 left out
    x = np.linspace(0.0, 1.0, 19)
    y = x.copy()
    y[4] = np.nan  # segments 3 and 4 touch it
    dashed.setData(x, y)
    starts = dashed.segment_starts()
    assert np.allclose(starts, x[[0, 1, 2, 5, 9, 10, 11, 12, 13, 14]])
    assert dashed.boundingRect().height() == 1.0 and dashed.pen.style() == Qt.PenStyle.SolidLine

    guides = p.curve.guides  # the x grid: faint lines at the labelled x values, full height
    ticks = p.ticks
    assert ticks == [-0.5, 0.0, 0.5]  # round values, not at the edges
    assert [line.x1() for line in guides] == ticks
    assert all(line.y1() == 0.0 and line.y2() == p.ymax for line in guides)
    assert p.curve.boundingRect().top() <= 0.0 and p.curve.boundingRect().bottom() >= p.ymax
    image = win.grid.grab().toImage()
    column = win.grid.mapFromScene(p.plot.vb.mapViewToScene(QPointF(ticks[1], 0.5 * p.ymax)))
    # within a pixel of its x (the mapping rounds), darker than the background beside it
    shade = min(QColor(image.pixel(column + QPoint(d, 0))).lightness() for d in (-1, 0, 1))
    beside = QColor(image.pixel(column + QPoint(3, 0))).lightness()
    assert shade < beside

    bare = StepCurve(pg.mkPen("k"))
    bare.setData(np.array([0.0, 1.0, 2.0]), np.array([np.nan, 0.5]))
    assert np.array_equal(bare.points[:, 1], [0.0, 0.0, 0.5, 0.5])
    with pytest.raises(ValueError):
        bare.setData(np.zeros(3), np.zeros(3))


def test_profile_legends_sit_beside_the_curves(make_window, qtbot):
    """Each depth-profile legend is right of its plot's view, so it never covers the last
    layers' points (it did, inside the view, in a short dock)."""
    win = make_window()
    qtbot.waitUntil(lambda: len(win.profile.act_plot.legend.items) >= 2, timeout=5000)
    QApplication.processEvents()
    for plot in (win.profile.act_plot, win.profile.grad_plot):
        view = plot.vb.sceneBoundingRect()
        legend = plot.legend.sceneBoundingRect()
        assert legend.width() > 0 and legend.left() >= view.right() - 1
        assert [label.text for _, label in plot.legend.items][:1] in (["std"], ["∂L/∂a std"])


def test_the_blas_tuner_skips_the_first_frame_of_a_new_shape(qtbot, monkeypatch):
    """A new shape's first frame builds the net and draws its input (about twice the cost): one
    such cost once kept the window's sweep on 1 BLAS thread, 172 ms a frame against 137 on 2."""
    from core.frame import Frame, Theory
    from gui.engine import Engine, Job

    engine = Engine()
    try:
        made = []

        def fake_make(configs, rows, n, phase=False, follow=None):
            made.append(n)
            return Frame((), Theory(configs[0], None, {}), n, 0.1)

        monkeypatch.setattr(engine, "make", fake_make)
        net = Config(depth=10, width=256, batch=200)  # work enough to be costed (MIN_WORK)
        big = net.replace(batch=256)
        for config in (net, net, net.replace(seed=7), big, big):
            engine.compute(Job(config, None, ("act", "grad")))
        assert sum(len(c) for c in engine.tuner.costs.values()) == 3  # not net's, nor big's 1st
        assert len(made) == 5
    finally:
        engine.stop()


class _PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.n = 0

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            self.n += 1
        return False


def test_a_frame_with_new_ranges_paints_the_grid_once(make_window):
    """pyqtgraph applies a new range's transform in the paint, which asked for a second paint of
    the whole grid (1.72 paints a frame in a gain sweep); the grid applies it when it presents."""
    win = make_window()
    win.grid.blend = False
    counter = _PaintCounter()
    win.grid.viewport().installEventFilter(counter)
    tops, counts = [], []
    for gain in (0.8, 0.3, 0.8, 0.3, 0.8):  # the y ranges change, the x ranges stay
        snap = run(SMALL.replace(gain=gain))
        win.grid.present(snap, blend=False)
        tops.append(win.grid.panels[("act", SMALL.depth)].ymax)
        counter.n = 0
        for _ in range(5):
            QApplication.processEvents()
        counts.append(counter.n)
    assert counts[1:] == [1, 1, 1, 1], counts  # [0]: whatever the window's start left to paint
    assert len(set(tops[1:])) == 2  # the y range changed on every frame
