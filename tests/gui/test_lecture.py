"""Lecture mode: scenes with captions, the presentation view's keys, exports and recording."""

import subprocess
import sys
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
from PySide6.QtCore import Qt

from core import presets
from gui import export
from gui.animation import step_value
from gui.selftest import blank
from tests.gui.conftest import SMALL, wait_shown

ROOT = Path(__file__).resolve().parents[2]


def test_scene_loads_config_compare_rows_and_caption(make_window, qtbot):
    win = make_window()
    scene = presets.load("truncated-vs-normal")
    win.load_scene(scene)
    wait_shown(qtbot, win, scene.config, timeout=60000)
    qtbot.waitUntil(
        lambda: win.latest_b is not None and win.latest_b.config == scene.compare, timeout=60000
    )
    assert win.compare == scene.compare and win.compare_action.isChecked()
    assert win.grid.rows[0] == "preact"  # the scene emphasises pre-activations
    assert win.caption_bar.isVisible() and scene.title in win.caption_bar.title.text()


def test_presentation_keys_drive_scenes_resample_and_help(make_window, qtbot, tmp_path):
    win = make_window()
    win.snapshot_dir = tmp_path
    win.presentation.enter(full_screen=False)
    assert not win.menuBar().isVisible() and not any(d.isVisible() for d in win.docks.values())
    assert win.presentation.canvas.isVisible() and not win.grid.isVisible()
    names = [s.name for s in win.scenes]
    qtbot.keyClick(win, Qt.Key.Key_3)
    assert win.scene.name == names[2]
    qtbot.keyClick(win, Qt.Key.Key_PageDown)
    assert win.scene.name == names[3]
    qtbot.keyClick(win, Qt.Key.Key_PageUp)
    assert win.scene.name == names[2]
    wait_shown(qtbot, win, win.scene.config, timeout=60000)
    seed = win.config.seed
    qtbot.keyClick(win, Qt.Key.Key_R)
    assert win.config.seed == seed + 1
    qtbot.keyClick(win, Qt.Key.Key_A)
    assert win.compare is not None
    qtbot.keyClick(win, Qt.Key.Key_A)
    assert win.compare is None
    qtbot.keyClick(win, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    assert win.presentation.help.isVisible() and "Esc" in win.presentation.help.text()
    qtbot.keyClick(win, Qt.Key.Key_Escape)  # first Esc closes the help
    assert not win.presentation.help.isVisible() and win.presentation.active
    wait_shown(qtbot, win, win.config, timeout=60000)
    qtbot.keyClick(win, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: "saved" in win.statusBar().currentMessage())  # written off the UI
    shots = list(tmp_path.glob("*.png"))
    assert len(shots) == 1
    img = imageio.imread(shots[0])
    assert img.shape[1] >= 2 * win.centralWidget().width() - 2  # 2× for slides
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not win.presentation.active and win.menuBar().isVisible() and win.grid.scale == 1.0


def test_sweep_steps_with_arrow_keys(make_window, qtbot):
    win = make_window(SMALL.replace(init="he-normal"))
    win.playback_dock.animation.setCurrentText("sweep")
    win.playback_dock.animation.setCurrentText("off")
    win.presentation.enter(full_screen=False)
    qtbot.keyClick(win, Qt.Key.Key_Right)
    qtbot.keyClick(win, Qt.Key.Key_Right)
    lo, hi = win.playback_dock.sweep_from.value(), win.playback_dock.sweep_to.value()
    assert win.config.gain == step_value(2, lo, hi)
    qtbot.keyClick(win, Qt.Key.Key_Left)
    assert win.config.gain == step_value(1, lo, hi) < step_value(2, lo, hi)
    win.presentation.leave()


def test_record_gif_has_the_frames_asked_for(make_window, tmp_path):
    win = make_window()
    out = tmp_path / "clip.gif"
    assert win.record(str(out), 5, show_progress=False) == 5
    frames = imageio.mimread(out)
    assert len(frames) == 5
    assert not np.array_equal(frames[0], frames[-1])  # the weights were resampled
    assert win.config.seed == SMALL.seed + 5


def test_svg_png_and_state_round_trip(make_window, qtbot, tmp_path):
    win = make_window()
    svg = export.save_svg(win.grid, tmp_path / "grid.svg").read_text(encoding="utf-8")
    assert svg.count("<path") + svg.count("<polyline") >= SMALL.depth * 2
    png = export.save_png(win, tmp_path / "w.png")
    assert not blank(export.render(win, 1.0)) and png.stat().st_size > 10_000
    win.compare_action.trigger()
    win.apply_changes({"activation": "relu"})
    win.playback_dock.wgrad.setChecked(True)
    win.playback_dock.grad.setChecked(False)
    win.save_state(str(tmp_path / "state.toml"))
    win.compare_action.trigger()
    win.playback_dock.wgrad.setChecked(False)
    win.playback_dock.grad.setChecked(True)
    assert win.open_state(str(tmp_path / "state.toml"))
    assert win.compare == SMALL.replace(activation="relu") and win.config == SMALL
    assert win.playback_dock.wgrad.isChecked() and not win.playback_dock.grad.isChecked()
    assert win.grid.rows == ("act", "wgrad")


def test_bad_state_file_is_a_message_not_a_crash(make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    win = make_window()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    bad = tmp_path / "bad.toml"
    bad.write_text("[config]\ndepth = -1\n", encoding="utf-8")
    assert not win.open_state(str(bad))
    assert shown and "depth" in shown[0]
    assert win.config == SMALL
    win.save_state(str(tmp_path / "missing-dir" / "state.toml"))
    assert "cannot write" in shown[-1]


def run_app(*args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "gui", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_cli_preset_presentation_screenshot(tmp_path):
    out = tmp_path / "scene.png"
    r = run_app(
        "--preset",
        "he-relu",
        "--presentation",
        "--size",
        "1280x720",
        "--screenshot",
        str(out),
        "--depth",
        "4",
        "--width",
        "64",
        "--batch",
        "64",
    )
    assert r.returncode == 0, r.stderr
    img = imageio.imread(out)
    assert (
        img.shape[:2] == (720, 1280) and len(np.unique(img.reshape(-1, img.shape[2]), axis=0)) > 20
    )


def test_a_scripted_run_waits_for_the_newest_frame(make_window, qtbot):
    """A screenshot or self-test is taken only when the window shows its own config and nothing
    newer is on the way: with a preset loaded after the window was made, an earlier frame of an
    equal config arrived while the preset's was still queued, and the screenshot showed that."""
    win = make_window()
    qtbot.waitUntil(lambda: win.up_to_date, timeout=15000)
    deeper = SMALL.replace(depth=6)
    win.set_config(deeper)
    win.set_config(SMALL)  # the shown frame's config again, with deeper possibly still computing
    assert win.latest.config == win.config and not win.up_to_date
    done = []
    win.frame_shown.connect(lambda snap: done.append((len(snap.layers), win.up_to_date)))
    qtbot.waitUntil(lambda: win.up_to_date, timeout=15000)
    assert done[-1] == (SMALL.depth, True)
    assert all(depth == SMALL.depth for depth, complete in done if complete)
    _, y = win.grid.curve_data("act", SMALL.depth)
    assert len(y) == SMALL.bins and not win.grid.panels.get(("act", 6))


def test_cli_preset_with_flags_shows_the_flags_config(tmp_path):
    """A preset with flags beside it is one config (the flags override the preset's), shown and
    self-tested; the process also exits cleanly (it segfaulted at exit in 5 of 8 runs when
    PySide's cleanup was left to delete the window)."""
    out = tmp_path / "s.png"
    r = run_app(
        "--preset", "unit-normal-tanh", "--depth", "3", "--width", "32", "--batch", "64",
        "--self-test", "--screenshot", str(out),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "self-test: ok" in r.stdout and out.stat().st_size > 0


def test_cli_record_and_errors(tmp_path):
    out = tmp_path / "r.gif"
    r = run_app(
        "--depth", "3", "--width", "32", "--batch", "32", "--record", str(out), "--frames", "4"
    )
    assert r.returncode == 0, r.stderr
    assert len(imageio.mimread(out)) == 4
    for args, needle in (
        (["--record", "x.avi"], "--record"),
        (["--frames", "0"], "--frames"),
        (["--scale", "9"], "--scale"),
        (["--preset", "nope"], "preset"),
        (["--width", "0"], "width"),
    ):
        r = run_app(*args)
        assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_self_test_and_screenshot_from_the_command_line(tmp_path):
    r = run_app("--self-test", "--depth", "3", "--width", "32", "--batch", "32")
    assert r.returncode == 0 and "self-test: ok" in r.stdout


def test_f5_right_after_a_new_row_was_asked_for_enters_and_leaves(make_window, qtbot):
    """Issue 17: pre-activations ticked, F5 before their frame: the rescale redrew the last frame,
    which lacks the row, and the KeyError left the window with no docks, menus or keys."""
    win = make_window()
    win.playback_dock.preact.setChecked(True)  # the frame with the row is still being made
    qtbot.keyClick(win, Qt.Key.Key_F5)
    assert win.presentation.active and win.presentation.canvas.isVisible()
    qtbot.waitUntil(lambda: win.latest is not None and "preact" in win.latest.layers[0].hists)
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not win.presentation.active and win.menuBar().isVisible()
    assert win.docks["network"].isVisible()


def test_esc_before_a_new_scenes_first_frame_leaves_the_presentation(make_window, qtbot):
    """Issue 17: xavier-tanh, then he-relu (other rows, the overview) and Esc before its frame."""
    win = make_window()
    win.presentation.enter(full_screen=False)
    names = [s.name for s in win.scenes]
    win.go_to_scene(names.index("xavier-tanh"))
    wait_shown(qtbot, win, win.scene.config, timeout=60000)
    win.go_to_scene(names.index("he-relu"))
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not win.presentation.active and win.menuBar().isVisible()
    assert win.statusBar().isVisible() and win.docks["network"].isVisible()
    wait_shown(qtbot, win, win.scene.config, timeout=60000)
    assert win.grid.scale == 1.0
