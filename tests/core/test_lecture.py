"""Lecture files (issue #21): built-in and inline scenes in the lecturer's order; a scene saved
and read back field for field; bad scenes left out with one line each, the rest still opens."""

from __future__ import annotations

import pytest

from core import lecture, presets
from core.config import Config

FILE = """\
title = "Week 3"
[[scenes]]
preset = "he-relu"
[[scenes]]
title = "My funnel"
claim = "fan_in keeps the forward pass."
depth = 3
width = [100, 50, 25, 10]
activation = "relu"
init = "he-normal"
layout = ["ladder", { view = "histograms", rows = ["act"] }]
[scenes.compare]
mode = "fan_out"
[[scenes]]
preset = "tiny-normal-tanh"
"""


def write(tmp_path, text, name="week3.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_builtin_and_inline_scenes_open_in_the_files_order(tmp_path):
    got = lecture.read(write(tmp_path, FILE))
    assert got.title == "Week 3" and got.problems == ()
    assert [s.title for s in got.scenes] == [
        presets.load("he-relu").title,
        "My funnel",
        presets.load("tiny-normal-tanh").title,
    ]
    funnel = got.scenes[1]
    assert funnel.config.widths == (100, 50, 25, 10) and funnel.config.activation == "relu"
    assert funnel.compare == funnel.config.replace(mode="fan_out")
    assert funnel.layout == (("ladder", {}), ("histograms", {"rows": ["act"]}))
    assert got.scenes[0] == presets.load("he-relu")


def test_a_bad_scene_is_one_line_and_the_rest_still_opens(tmp_path):
    text = FILE + '[[scenes]]\npreset = "no-such-scene"\n[[scenes]]\ndepth = -3\n'
    text += '[[scenes]]\ntitle = "x"\nlayout = ["pie-chart"]\n'
    got = lecture.read(write(tmp_path, text))
    assert len(got.scenes) == 3 and len(got.problems) == 3
    for problem, n in zip(got.problems, (4, 5, 6), strict=True):
        assert problem.startswith(f"lecture 'week3.toml', scene {n}:") and "\n" not in problem
    assert "no-such-scene" in got.problems[0]
    assert "depth" in got.problems[1]
    assert "pie-chart" in got.problems[2]


@pytest.mark.parametrize(
    "text, said",
    [
        ("", "needs one or more [[scenes]]"),
        ('title = "x"\nscenes = 3\n', "needs one or more [[scenes]]"),
        ("[[scenes]\n", "line 1"),
        ('hello = 1\n[[scenes]]\npreset = "he-relu"\n', "unknown key 'hello'"),
    ],
)
def test_a_file_that_cannot_open_is_one_line(tmp_path, text, said):
    with pytest.raises(lecture.LectureError) as e:
        lecture.read(write(tmp_path, text))
    assert said in str(e.value) and "\n" not in str(e.value)


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(lecture.LectureError) as e:
        lecture.read(tmp_path / "nope.toml")
    assert "nope.toml" in str(e.value) and "\n" not in str(e.value)


def test_a_saved_scene_reads_back_field_for_field(tmp_path):
    scene = presets.Scene(
        name="x",
        title="Saved from the window",
        caption="",
        claim="σ = 0.06 keeps layer 10 alive.",
        details="typed in the dialog",
        config=Config(depth=7, width=300, activation="tanh", init="normal", std=0.06),
        emphasis=("act", "grad"),
        compare=Config(depth=7, width=300, activation="tanh", init="xavier-normal"),
        layout=(("ladder", {}), ("weights", {"layers": [1, 7]})),
        staged=True,
    )
    path = tmp_path / "mine.toml"
    lecture.append(path, presets.load("zeros"), title="Mine")
    got = lecture.append(path, scene)
    assert got.title == "Mine" and got.problems == () and len(got.scenes) == 2
    assert not got.scenes[0].staged
    back = got.scenes[1]
    fields = ("title", "claim", "details", "config", "emphasis", "compare", "layout", "staged")
    for field in fields:
        assert getattr(back, field) == getattr(scene, field), field


def test_appending_to_an_unreadable_file_changes_nothing(tmp_path):
    path = write(tmp_path, "[[scenes]\n")
    with pytest.raises(lecture.LectureError):
        lecture.append(path, presets.load("zeros"))
    assert path.read_text() == "[[scenes]\n"


def test_the_builtin_lecture_is_every_scene_in_order():
    assert [s.name for s in lecture.builtin().scenes] == presets.ORDER
