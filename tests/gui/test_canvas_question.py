"""Predict, then reveal (issue #20): a scene's question on the canvas, answered by keys, marked
from the frame once the reveal reaches its layer, and the mark moving when σ changes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core import presets, run
from core.reveal import Reveal
from tests.gui.conftest import SMALL, wait_shown

QUESTION = """
[[scenes]]
title = "Small σ in a tanh net"
claim = "Each layer multiplies the std by {A.factor:.2f}: layer 6 ends at {A.act_std[6]:.1g}."
depth = 6
width = 64
batch = 128
activation = "tanh"
init = "normal"
std = 0.05
layout = ["ladder", "stats"]
[scenes.question]
text = "The std at layer 6 will be:"
field = "A.act_std[6]"
answers = [["≈ 0.6", 0.6], ["≈ 0.2", 0.2], ["≈ 3e-3", 3e-3], ["≈ 1", 1]]
"""
PLAIN = '\n[[scenes]]\ntitle = "Plain"\ndepth = 3\nwidth = 32\nbatch = 64\n'
LABELS = ["≈ 0.6", "≈ 0.2", "≈ 3e-3", "≈ 1"]


@pytest.fixture
def lecture(make_window, qtbot, tmp_path):
    """A window in the presentation view on a lecture of two scenes: the first asks."""
    path = tmp_path / "talk.toml"
    path.write_text(QUESTION + PLAIN, encoding="utf-8")
    win = make_window(SMALL)
    assert win.lecture_files.open_lecture(str(path))
    wait_shown(qtbot, win, win.scene.config)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    return win


def panel_of(win):
    return win.presentation.canvas.question


def shown(panel) -> list[str]:
    return [label.text() for label in panel.answers if label.isVisibleTo(panel)]


def press(qtbot, win, key: str) -> None:
    qtbot.keyClick(win, getattr(Qt.Key, f"Key_{key}"))


def test_the_question_asks_large_then_keys_pick_and_the_mark_waits_for_layer_6(lecture, qtbot):
    win, panel = lecture, panel_of(lecture)
    canvas = win.presentation.canvas
    assert win.state.reveal == Reveal(6, 0) and win.state.picked is None  # staged on load
    assert panel.mode == "ask" and panel.isVisible()
    assert not canvas.views[0][1].isVisible()  # in the lead view's place
    assert panel.geometry().height() > canvas.header.height()  # large
    assert panel.text.text() == "The std at layer 6 will be:"
    assert shown(panel) == [f"{i + 1}  {x}" for i, x in enumerate(LABELS)]
    assert not canvas.header.labels["claim"].isVisible()  # its numbers would tell the answer

    press(qtbot, win, "2")
    assert win.state.picked == 1 and panel.states == ["", "picked", "", ""]
    press(qtbot, win, "7")  # not an answer: ignored, the question stays
    assert win.scene.title == "Small σ in a tanh net" and win.state.picked == 1

    for step in range(1, 6):  # layers 1..5 arrive: a strip over the data, no mark yet
        win.state.reveal = Reveal(6, step)
        assert panel.mode == "strip" and canvas.views[0][1].isVisible()
        assert panel.right is None and not any("✓" in t or "✗" in t for t in shown(panel))
    press(qtbot, win, "3")  # the room may still change its mind
    assert win.state.picked == 2

    win.state.reveal = Reveal(6, 6)  # layer 6 arrives: the mark, from the frame
    measured = win.latest.layers[5].act_std
    assert 2e-3 < measured < 5e-3
    assert shown(panel) == ["1  ≈ 0.6", "2  ≈ 0.2", "3  ≈ 3e-3  ✓", "4  ≈ 1"]
    assert panel.states == ["other", "other", "right", "other"]
    assert panel.text.text() == f"The std at layer 6 will be:  {measured:.2g}"
    assert canvas.header.labels["claim"].isVisible()

    press(qtbot, win, "2")  # answered: the numbers go to scenes again
    assert win.scene.title == "Plain" and win.state.reveal is None
    assert panel.mode == "hidden" and not panel.isVisible()


def test_a_wrong_pick_is_crossed_and_a_new_sigma_moves_the_mark(lecture, qtbot):
    win, panel = lecture, panel_of(lecture)
    press(qtbot, win, "1")  # the room says ≈ 0.6
    win.state.reveal = Reveal(6, 12)  # the whole reveal
    assert panel.states == ["wrong", "other", "right", "other"]
    assert shown(panel)[0] == "1  ≈ 0.6  ✗" and shown(panel)[2] == "3  ≈ 3e-3  ✓"
    states = {}
    for std in (0.2, 1.0, 0.1):  # the lecturer changes σ in front of the room
        assert win.apply_changes({"std": std})
        wait_shown(qtbot, win, win.scene.config.replace(std=std))
        states[std] = panel.states
        # the frame's number decides: the core's own for this config
        core = run(win.scene.config.replace(std=std)).layers[5].act_std
        assert win.latest.layers[5].act_std == pytest.approx(core, rel=1e-6)
        assert f"{panel.right + 1}  {LABELS[panel.right]}  ✓" in shown(panel)
    assert states == {
        0.2: ["right", "other", "other", "other"],  # the room's ≈ 0.6 is right now
        1.0: ["wrong", "other", "other", "right"],
        0.1: ["wrong", "right", "other", "other"],
    }


def test_a_scene_file_with_an_impossible_answer_is_refused_with_one_line(
    make_window, qtbot, tmp_path
):
    path = tmp_path / "talk.toml"
    bad = QUESTION.replace('["≈ 1", 1]', '["≈ 3", 3]')  # tanh's std is at most 1
    path.write_text(bad + PLAIN, encoding="utf-8")
    win = make_window(SMALL)
    assert win.lecture_files.open_lecture(str(path))
    said = win.banner.text()
    assert said.startswith("lecture 'talk.toml', scene 1: [scene.question] answer '≈ 3' = 3")
    assert "an answer no config can produce (tanh outputs lie in [-1, 1]" in said
    assert "\n" not in said and win.banner.isVisible()
    assert [s.title for s in win.scenes] == ["Plain"]  # the rest of the lecture still opens


def test_every_question_of_the_built_in_scenes_is_asked_in_the_presentation_view(
    make_window, qtbot
):
    win = make_window(SMALL)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    for name, scene in presets.all_scenes().items():
        if scene.question is None:
            continue
        win.load_scene(scene)
        panel = panel_of(win)
        assert panel.mode == "ask" and panel.text.text() == scene.question.text, name
        assert shown(panel) == [f"{i + 1}  {x.label}" for i, x in enumerate(scene.question.answers)]
