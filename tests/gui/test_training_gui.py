"""Watch it learn: the training engine, dock and views in the real window, checked against the
core's own numbers (History, TrainRecord.snapshot), not just for not crashing."""

import time

import imageio.v2 as imageio
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject

from core import Config
from core.stats import Hist
from gui import paint_later
from gui.training_bins import rebin
from gui.views.layer_grid import fraction
from gui.views.stats_table import cell_text
from tests.gui.paint_order import paint_order

NET = Config(depth=3, width=32, activation="tanh", batch=128)


def run_until(qtbot, tc, cond, timeout=60000):
    qtbot.waitUntil(lambda: tc.frame is not None and cond(tc.frame), timeout=timeout)


def settle(qtbot, tc):
    """Pause, then wait until no frame is in flight: the views show the last frame made."""
    tc.play(False)
    qtbot.waitUntil(lambda: not tc.engine.running, timeout=10000)
    qtbot.wait(300)
    tc.take_frame()  # take a frame the worker may have published as it paused


@pytest.fixture
def trained(make_window, qtbot):
    """A window that has trained NET for at least 100 steps, paused."""
    win = make_window(NET)
    tc = win.training
    tc.dock.steps.setValue(5000)  # far from done when the test pauses it
    tc.dock.play.click()
    run_until(qtbot, tc, lambda f: f.a.step >= 100)
    settle(qtbot, tc)
    return win, tc


def test_training_advances_and_the_curves_plot_the_cores_numbers(trained):
    win, tc = trained
    f = tc.frame
    h = f.a.history
    assert f.a.step >= 100 and len(h.records) == f.a.step // 10 + 1
    for split in ("train", "test"):
        x, y = tc.views.series(("loss", "A", split))
        np.testing.assert_array_equal(x, h.steps())
        np.testing.assert_allclose(y, h.series(f"{split}_loss"))
        _, acc = tc.views.series(("acc", "A", split))
        np.testing.assert_allclose(acc, h.series(f"{split}_acc"))
    for i in range(len(f.a.latest.update_ratio)):
        _, r = tc.views.series(("update", "A", i))
        np.testing.assert_allclose(r, h.ratios("update")[:, i])  # NaN at step 0 on both sides
    assert h.series("train_loss")[-1] < h.series("train_loss")[0]  # a good init learns
    share = h.act_image(0) / np.array([r.act_hists[0].sampled for r in h.records])[:, None]
    np.testing.assert_allclose(tc.views.time_image.image, np.sqrt(share), rtol=1e-6)
    assert win.latest is f.a.latest.snapshot  # the grid/profile/table show the newest record
    assert win.grid.theory_data("act", 1) is None  # no init-time theory over a trained net
    np.testing.assert_allclose(
        win.profile.series("act_std")[1], [s.act_std for s in f.a.latest.snapshot.layers]
    )


def test_scrubbing_shows_that_records_statistics(trained, qtbot):
    win, tc = trained
    recs = tc.frame.a.history.records
    tc.dock.scrub.setValue(3)
    rec = recs[3]
    assert not tc.dock.live.isChecked() and win.latest is rec.snapshot
    for layer in (1, 3):
        edges, heights = win.grid.curve_data("act", layer)
        h = rec.snapshot.layers[layer - 1].hists["act"]
        np.testing.assert_allclose(heights, fraction(h))
        np.testing.assert_allclose(edges, h.edges)
    table = win.stats_table.model_.rows_as_text()
    assert table[1][3] == cell_text(rec.snapshot.layers[0].act_std, "g")
    assert all(line.isVisible() and line.value() == rec.step for line in tc.views.scrub_lines)
    assert f"step {rec.step}" in tc.dock.step_label.text()
    tc.dock.live.setChecked(True)
    assert win.latest is recs[-1].snapshot
    assert not any(line.isVisible() for line in tc.views.scrub_lines)
    tc.dock.scrub.setValue(len(recs) - 4)
    tc.dock.replay.click()  # walks the remaining records, then follows the newest again
    qtbot.waitUntil(lambda: tc.dock.live.isChecked(), timeout=5000)
    assert win.latest is recs[-1].snapshot and tc.scrub is None


def test_pause_stops_steps_and_reset_returns_to_step_zero(trained, qtbot):
    _, tc = trained
    step = tc.frame.a.step
    qtbot.wait(600)
    assert tc.engine.trainers[0].step_count == step == tc.frame.a.step
    tc.dock.step_btn.click()  # one frame's worth, then paused again
    run_until(qtbot, tc, lambda f: f.a.step == step + 10)
    tc.dock.reset_btn.click()
    run_until(qtbot, tc, lambda f: f.a.step == 0)
    assert len(tc.frame.a.history.records) == 1
    x, _ = tc.views.series(("loss", "A", "train"))
    np.testing.assert_array_equal(x, [0])


def test_editing_the_network_restarts_at_step_zero_with_the_windows_picture(trained, qtbot):
    win, tc = trained
    new = win.config.replace(init="he-normal")
    win.apply_changes({"init": "he-normal"})
    assert not tc.showing  # the window's own engine draws the edited config again
    run_until(qtbot, tc, lambda f: f.a.step == 0 and f.a.latest.snapshot.config.init == "he-normal")
    qtbot.waitUntil(lambda: win.latest is not None and win.latest.config == new, timeout=15000)


def test_ab_race_same_data_and_xavier_beats_a_tiny_normal(make_window, qtbot):
    tiny = Config(depth=6, width=64, activation="tanh", init="normal", std=0.01, batch=128)
    win = make_window(tiny)
    win.compare_action.setChecked(True)  # B starts as a copy and is the side being edited
    win.apply_changes({"init": "xavier-normal"})
    tc = win.training
    tc.dock.steps.setValue(400)
    tc.dock.spf.setValue(25)
    tc.dock.play.click()
    run_until(qtbot, tc, lambda f: f.a.done, timeout=120000)
    f = tc.frame
    a, b = tc.engine.trainers
    assert a.data is b.data and a.config.seed == b.config.seed  # same data, seed and batches
    assert (b.config.init, a.config.init) == ("xavier-normal", "normal")
    np.testing.assert_array_equal(f.b.history.steps(), f.a.history.steps())
    assert f.a.step == f.b.step == 400
    # N(0, 0.01²) stalls near ln 2; Xavier learns the spirals
    assert f.b.latest.train_loss < f.a.latest.train_loss - 0.1
    assert f.a.latest.train_loss > 0.6
    _, yb = tc.views.series(("loss", "B", "train"))
    np.testing.assert_allclose(yb, f.b.history.series("train_loss"))
    assert win.latest_b is not None and win.latest_b.config.init == "xavier-normal"
    assert win.grid.curve_data_b("act", 1) is not None  # B overlaid on A's bins
    assert f.grid_b is not None or tc.views.boundary["B"].isVisible()
    tc.dock.time_side.setCurrentText("B")  # the time view can follow B instead
    hb = f.b.history
    share = hb.act_image(1) / np.array([r.act_hists[1].sampled for r in hb.records])[:, None]
    tc.dock.layer.setValue(2)
    np.testing.assert_allclose(tc.views.time_image.image, np.sqrt(share), rtol=1e-6)
    win.presentation.enter(full_screen=False)  # the lecture view keeps the race's curves
    qtbot.waitUntil(lambda: win.docks["training_views"].isVisible(), timeout=5000)
    assert not win.docks["training"].isVisible() and win.latest_b is not None
    win.presentation.leave()


def test_a_bad_data_file_gives_a_visible_message(make_window, qtbot, tmp_path):
    win = make_window(NET)
    tc = win.training
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,label\n1,2,not-a-number\n")
    tc.dock.set_file(str(bad))
    qtbot.waitUntil(lambda: "bad.csv" in tc.dock.message.text(), timeout=15000)
    assert tc.dock.message.isVisibleTo(tc.dock) and win.banner.isVisible()
    assert "bad.csv" in win.banner.text() and not tc.engine.built
    good = tmp_path / "blobs.npz"
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-2, 1, (40, 3)), rng.normal(2, 1, (40, 3))])
    np.savez(good, X=X, y=np.repeat([0, 1], 40))
    tc.dock.set_file(str(good))
    tc.step()
    run_until(qtbot, tc, lambda f: f.a.task == "blobs" and f.a.step == 10)
    assert tc.dock.message.text() == "" and tc.frame.data.width == 3


def test_a_blow_up_is_shown_and_pauses(make_window, qtbot):
    win = make_window(Config(depth=3, width=32, activation="relu", init="he-normal", batch=128))
    tc = win.training
    tc.dock.optimizer.setCurrentText("sgd")
    tc.dock.lr.spin.setValue(10.0)  # as typed: the running trainer takes it
    tc.dock.play.click()
    run_until(qtbot, tc, lambda f: f.diverged, timeout=60000)
    qtbot.waitUntil(lambda: not tc.engine.running, timeout=10000)
    assert "blew up" in tc.dock.message.text()
    assert not tc.dock.play.isChecked()


def test_gif_export_writes_one_frame_per_step(make_window, qtbot, tmp_path):
    win = make_window(NET)
    tc = win.training
    path = tmp_path / "train.gif"
    t0 = time.perf_counter()
    assert tc.record(str(path), 4) == 4
    assert time.perf_counter() - t0 < 60
    frames = imageio.mimread(path)
    assert len(frames) == 4 and frames[0].shape[0] >= win.height() // 2 * 2 - 2
    assert tc.frame.a.step == 4 * tc.dock.spf.value()


def test_rebinning_keeps_every_count_and_is_exact_on_the_same_bins():
    h = Hist(-1.0, 1.0, np.array([0, 4, 10, 6], np.int64), underflow=1, overflow=2, sampled=23)
    same = rebin(h, -1.0, 1.0, 4)
    np.testing.assert_allclose(same.counts, h.counts)
    wide = rebin(h, -2.0, 2.0, 8)
    np.testing.assert_allclose(wide.counts, [0, 0, 0, 4, 10, 6, 0, 0])
    narrow = rebin(h, -0.75, 0.75, 3)  # bins straddle the old ones: counts split evenly
    np.testing.assert_allclose(narrow.counts, [0 + 2, 2 + 5, 5 + 3])
    assert narrow.underflow == 1 + 0 and narrow.overflow == 2 + 3
    assert sum(narrow.counts) + narrow.underflow + narrow.overflow == 20 + 3


def test_a_rerun_is_the_same_run_whatever_the_frame_timing(trained, qtbot):
    _, tc = trained
    first = tc.frame.a.history
    tc.dock.reset_btn.click()
    run_until(qtbot, tc, lambda f: f.a.step == 0)
    for _ in range(3):  # by hand this time, a frame's worth of steps per click
        tc.dock.step_btn.click()
    run_until(qtbot, tc, lambda f: f.a.step == 30)
    again = tc.frame.a.history
    n = len(again.records)
    np.testing.assert_array_equal(again.series("train_loss"), first.series("train_loss")[:n])
    np.testing.assert_array_equal(again.ratios("update"), first.ratios("update")[:n])


def test_pausing_or_closing_mid_frame_stops_the_worker_at_once(make_window, qtbot):
    win = make_window(Config(depth=8, width=512, activation="tanh", batch=128))
    tc = win.training
    tc.dock.spf.setValue(1000)  # a frame of many seconds
    tc.dock.play.click()
    qtbot.waitUntil(lambda: tc.engine.built and tc.engine.trainers[0].step_count > 0, timeout=30000)
    t0 = time.perf_counter()
    tc.dock.play.click()  # pause: the frame ends early, at the step reached
    run_until(qtbot, tc, lambda f: 0 < f.a.step < 1000, timeout=5000)
    assert time.perf_counter() - t0 < 2.0
    tc.dock.play.click()
    qtbot.waitUntil(lambda: tc.engine.trainers[0].step_count > tc.frame.a.step, timeout=30000)
    t0 = time.perf_counter()
    win.close()
    assert time.perf_counter() - t0 < 2.0 and tc.engine.stopped


def test_a_net_the_trainer_cannot_train_says_so(make_window, qtbot):
    win = make_window(NET.replace(norm="batch"))
    tc = win.training
    tc.dock.play.click()
    qtbot.waitUntil(lambda: "norm" in tc.dock.message.text(), timeout=15000)
    assert win.banner.isVisible() and not tc.dock.play.isChecked() and not tc.engine.built


def test_training_settings_come_back_at_the_next_launch(make_window, settings, tmp_path):
    """A lecturer sets up the run before class: task, data file, optimizer, lr, batch and steps
    are there at the next launch; values that no longer fit keep the defaults, quietly."""
    from gui.docks.training_dock import FILE_ITEM
    from gui.main_window import MainWindow

    data = tmp_path / "xor.csv"
    data.write_text("x0,x1,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    win = make_window()
    d = win.training.dock
    d.optimizer.setCurrentText("sgd")
    d.set_file(str(data))
    d.lr.setValue(0.0123)
    d.batch.setValue(32)
    d.spf.setValue(5)
    d.steps.setValue(700)
    chosen = d.settings()
    win.close()

    again = MainWindow(settings=settings)
    try:
        assert again.training.dock.settings() == chosen
        assert again.training.dock.train_config().task == "file" and chosen["task"] == FILE_ITEM
        assert again.training.dock.file_label.text() == "xor.csv"
    finally:
        again.close()

    settings.setValue("training", '{"task": "gone", "optimizer": "x", "lr": 99, "batch": "8"}')
    third = MainWindow(settings=settings)
    try:
        fresh = third.training.dock.settings()
        assert fresh["task"] != "gone" and fresh["lr"] != 99 and fresh["batch"] == 64
    finally:
        third.close()
    settings.setValue("training", "not json")
    MainWindow(settings=settings).close()  # no traceback: the defaults


def test_the_first_start_builds_once_the_curves_are_painted(make_window, qtbot):
    """Issue 17: the first ▶ Train opened the curves' dock while the worker built the run and
    stepped, on both cores and with the GIL (137 ms of wall time for 70 ms of the UI thread's
    CPU). The worker now waits (engine.hold) until the curves have painted: at their first paint
    nothing is built yet; the run's first frame is held the same way, and then it trains on."""
    win = make_window(NET)
    tc = win.training
    win.docks["training"].raise_()
    qtbot.waitUntil(lambda: tc.views_made)
    built_at_paint = []

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                built_at_paint.append(tc.engine.built)
            return False

    watch = Watch()
    tc.views.viewport().installEventFilter(watch)
    tc.dock.play.click()
    run_until(qtbot, tc, lambda f: f.a.step >= 20)
    assert built_at_paint[0] is False and True in built_at_paint


def test_a_hold_nobody_releases_ends_by_itself(trained, qtbot):
    """A hold left on (a paint that never came: the curves' dock closed meanwhile) must not stall
    training: it lapses after HOLD_MAX_S."""
    _, tc = trained
    step = tc.frame.a.step
    tc.engine.hold()
    tc.engine.step(10)
    run_until(qtbot, tc, lambda f: f.a.step == step + 10, timeout=10000)
    assert not tc.engine.held


def test_distinct_units_plot_the_cores_counts_one_for_a_constant_init_all_for_a_draw(
    make_window, qtbot
):
    """Issue #20's symmetry figure in the training view's time series: copies stay copies while
    the net learns (1 of 32 in every layer), a random draw's units stay all distinct."""
    win = make_window(NET.replace(init="constant", value=0.1))
    tc = win.training
    tc.dock.steps.setValue(300)
    tc.dock.play.click()
    run_until(qtbot, tc, lambda f: f.a.done, timeout=120000)
    for init, want in (("constant", 1), ("xavier-normal", 32)):
        h = tc.frame.a.history
        assert tc.frame.a.latest.snapshot.config.init == init
        counts = h.distinct()
        assert counts.shape == (len(h.records), 3) and len(h.records) == 31
        assert (counts == want).all()  # the core's count, at every record of every layer
        for i in range(3):
            x, y = tc.views.series(("units", "A", i))
            np.testing.assert_array_equal(x, h.steps())
            np.testing.assert_array_equal(y, counts[:, i])
        assert tc.views.units_plot.titleLabel.text.endswith(f"(of 32): A {want}")
        if init == "constant":  # the same net from a random draw, through the window's edit
            win.apply_changes({"init": "xavier-normal"})
            tc.dock.play.click()
            run_until(
                qtbot, tc, lambda f: f.a.done and f.a.latest.snapshot.config.init != "constant"
            )


def test_a_runs_first_frame_lets_the_event_loop_in_between_its_present_and_paint(
    make_window, qtbot
):
    """Issue 17, the first ▶ Train: the run's first frame laid the window's views out anew, and
    each of their scenes painted the window as it took the change, all in the one pass of posted
    events that presented it (70-110 ms with no timer or click let in). The views now take the
    frame, a timer due then gets its turn, and they paint after it; then they paint as usual."""
    win = make_window(NET)
    tc = win.training
    win.docks["training"].raise_()
    qtbot.waitUntil(lambda: tc.views_made)
    with paint_order(win.centralWidget()) as (events, mark):
        tc.presented.connect(mark)
        tc.dock.play.click()
        run_until(qtbot, tc, lambda f: f.a.step >= 20)
        qtbot.wait(200)
    assert "timer" in events and "paint" in events
    assert events.index("timer") < events.index("paint"), events[:6]
    qtbot.waitUntil(lambda: not paint_later.holding())  # and nothing is left held
