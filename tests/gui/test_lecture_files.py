"""A lecturer's own lecture in the window (issue #21): Save as scene, through its dialog, reopens
to the same state field for field; a lecture file sets the Scenes menu's order; bad files are
one line and the rest opens; the built-in lecture's handout has a page per scene."""

from __future__ import annotations

import re
import subprocess
import sys

from PySide6.QtWidgets import QDialogButtonBox

from core import Config, lecture, presets

SMALL = Config(depth=4, width=64, batch=128)


def _menu_titles(win):
    return next(a for a in win.menuBar().actions() if a.text() == "&Scenes").menu().actions()


def test_save_as_scene_reopens_field_for_field(qtbot, make_window, tmp_path):
    win = make_window(SMALL)
    win.load_scene(presets.load("fan-in-vs-fan-out"))
    win.apply_changes({"seed": 11, "batch": 200})
    path = tmp_path / "mine.toml"
    dialog = win.lecture_files.save_as_scene()
    dialog.title.setText("Funnel, seed 11")
    dialog.claim.setText("fan_out keeps the gradient.")
    dialog.path.setText(str(path))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    saved = lecture.read(path)
    assert saved.problems == () and len(saved.scenes) == 1
    want = {k: getattr(win.state, k) for k in ("config", "compare", "rows")}

    other = make_window(SMALL)
    assert other.lecture_files.open_lecture(str(path))
    qtbot.waitUntil(lambda: other.up_to_date, timeout=30_000)
    assert {k: getattr(other.state, k) for k in want} == want
    assert other.state.scene.title == "Funnel, seed 11"
    assert other.state.scene.claim == "fan_out keeps the gradient."
    assert other.state.scene.layout == presets.load("fan-in-vs-fan-out").layout


def test_a_lecture_sets_the_scene_order_and_says_its_bad_scenes(qtbot, make_window, tmp_path):
    path = tmp_path / "week.toml"
    path.write_text(
        '[[scenes]]\npreset = "he-relu"\n[[scenes]]\npreset = "nope"\n'
        '[[scenes]]\ntitle = "Mine"\ndepth = 2\nwidth = 32\nbatch = 64\n',
        encoding="utf-8",
    )
    win = make_window(SMALL)
    assert win.lecture_files.open_lecture(str(path))
    assert [s.title for s in win.scenes] == [presets.load("he-relu").title, "Mine"]
    assert (
        "scene 2" in win.statusBar().currentMessage() and "nope" in win.statusBar().currentMessage()
    )
    titles = [a.text() for a in _menu_titles(win)]
    assert titles[:2] == [f"1. {presets.load('he-relu').title}", "2. Mine"]
    win.step_scene(+1)
    assert win.state.scene.title == "Mine"


def run_app(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "gui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_a_lecture_file_that_cannot_open_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[scenes]\n", encoding="utf-8")
    for args in (["--lecture", str(bad)], ["--lecture", str(tmp_path / "none.toml")]):
        r = run_app(*args)
        assert r.returncode == 2 and r.stdout == ""
        assert r.stderr.startswith("error: lecture") and r.stderr.count("\n") == 1


def test_the_builtin_lecture_handout_has_a_page_per_scene(tmp_path):
    out = tmp_path / "handout.pdf"
    r = run_app("--handout", str(out), "--size", "960x540", "--batch", "200")
    assert r.returncode == 0, r.stderr
    pdf = out.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pages == len(presets.ORDER)
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) >= pages
    assert out.with_suffix(".html").read_text(encoding="utf-8").count("<img") == pages


def test_export_handout_from_the_window_gives_the_state_back(qtbot, make_window, tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(
        '[[scenes]]\ntitle = "One"\ndepth = 2\nwidth = 32\nbatch = 64\n'
        '[[scenes]]\ntitle = "Two"\ndepth = 3\nwidth = 32\nbatch = 64\ninit = "he-normal"\n',
        encoding="utf-8",
    )
    win = make_window(SMALL)
    assert win.lecture_files.open_lecture(str(path))
    win.apply_changes({"depth": 5})
    before = (win.state.config, win.state.scene)
    run = win.lecture_files.export_handout(str(tmp_path / "two.pdf"))
    with qtbot.waitSignal(run.finished, timeout=120_000):
        pass
    assert [p.title for p in run.pages] == ["One", "Two"]
    assert (win.state.config, win.state.scene) == before
    assert "2 pages" in win.statusBar().currentMessage()
