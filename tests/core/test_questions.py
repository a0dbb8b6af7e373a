"""A scene's question (core/questions.py): its right answer read from the frame, never written
down, and a question the reveal could only mark wrong refused when the scene loads."""

from __future__ import annotations

import functools
import math

import pytest

from core import Config, presets, run
from core.questions import Question, nearest
from core.reveal import Reveal

# each scene's question, and the answer its own config makes right (the room's surprise)
ASKED = {"tiny-normal-tanh": "≈ 3e-7", "xavier-relu": "≈ 0.05", "he-relu": "≈ 1"}


@functools.cache
def frame(config: Config):
    return run(config)


def test_the_scenes_that_ask_are_these():
    asked = {name for name, s in presets.all_scenes().items() if s.question is not None}
    assert asked == set(ASKED)


@pytest.mark.parametrize("name", sorted(ASKED))
def test_each_scenes_right_answer_is_the_one_its_config_makes(name):
    scene = presets.load(name)
    q = scene.question
    a = frame(scene.config)
    b = frame(scene.compare) if scene.compare is not None else None
    # the core's number, read here without the caption field machinery
    side = a if q.ref.side == "A" else b
    measured = getattr(side.layers[q.layer - 1], q.ref.name)
    assert q.value(a, b) == measured
    right = q.right(a, b)
    assert q.answers[right].label == ASKED[name]
    # and not by a hair: the next-nearest answer is at least 3× further on the log scale
    logs = [math.log10(x.value) if x.value > 0 else -300.0 for x in q.answers]
    at = math.log10(measured) if measured > 0 else -300.0
    gaps = sorted(abs(v - at) for v in logs)
    assert gaps[1] > 3 * gaps[0] + 0.3, (name, measured)


def test_another_config_makes_another_answer_right():
    scene = presets.load("tiny-normal-tanh")
    q = scene.question
    got = {std: q.answers[q.right(frame(scene.config.replace(std=std)), None)].label
           for std in (0.01, 0.04, 0.06, 1.0)}  # fmt: skip
    assert got == {0.01: "≈ 3e-7", 0.04: "≈ 0.2", 0.06: "≈ 0.6", 1.0: "≈ 1"}


def test_log_scale_for_magnitudes_linear_for_shares_and_means():
    # 0.05 is 4× from 0.2 but 170,000× from 3e-7, though linearly nearer the latter
    assert nearest([0.6, 0.2, 3e-7, 1.0], 0.05, log=True) == 1
    assert nearest([0.6, 0.2, 3e-7, 1.0], 0.05, log=False) == 2
    # a 0 answer is right for an exact 0 only; the smallest positive answer for a tiny value
    assert nearest([0.0, 1e-8, 0.004], 0.0, log=True) == 0
    assert nearest([0.0, 1e-8, 0.004], 1e-12, log=True) == 1
    assert nearest([1e-3, 1.0], math.inf, log=True) == 1
    q = presets.load("tiny-normal-tanh").question
    assert q.log
    share = Question("Dead?", "A.dead_units[3]", q.answers[:2])
    mean = Question("Mean?", "A.act_mean[3]", q.answers[:2])
    assert not share.log and not mean.log


def test_the_mark_waits_for_the_fields_layer_forward_or_backward():
    forward = presets.load("tiny-normal-tanh").question  # act_std[10]
    backward = presets.load("he-relu").question  # grad_std[1]
    assert forward.revealed(None) and backward.revealed(None)
    shown_at = {q: [k for k in range(21) if q.revealed(Reveal(10, k))] for q in (forward, backward)}
    assert shown_at[forward][0] == 10  # the forward pass reaches layer 10 at step 10
    assert shown_at[backward] == [20]  # the backward pass reaches layer 1 last
    assert shown_at[forward] == list(range(10, 21))
    last_layer = Question("?", "A.grad_std[10]", forward.answers)
    assert next(k for k in range(21) if last_layer.revealed(Reveal(10, k))) == 11


TANH = 'depth = 4\nwidth = 16\nbatch = 32\nactivation = "tanh"\n[scene]\ntitle = "T"\n'
GOOD = '[["≈ 0.1", 0.1], ["≈ 1", 1]]'


def question(field="A.act_std[4]", answers=GOOD, extra=""):
    return f'[scene.question]\ntext = "Q?"\nfield = "{field}"\nanswers = {answers}\n{extra}'


BAD = {
    "unknown field": (question(field="A.act_sd[4]"), "unknown statistic; did you mean act_std?"),
    "layer outside the net": (question(field="A.act_std[12]"), "layer 12 outside 1..4"),
    "no side B": (question(field="B.act_std[4]"), "no side B"),
    "a config field": (question(field="A.std"), "the config's, known before the data"),
    "a format spec": (question(field="A.act_std[4]:.2f"), "write one field"),
    "one answer": (question(answers='[["≈ 1", 1]]'), "answers: got 1; allowed: 2 to 4"),
    "five answers": (
        question(answers="[" + ", ".join(f'["{i}", {i / 10}]' for i in range(1, 6)) + "]"),
        "answers: got 5",
    ),
    "duplicate values": (question(answers='[["a", 0.5], ["b", 0.5]]'), "repeats another"),
    "a negative std": (
        question(field="A.grad_std[2]", answers='[["a", -0.5], ["b", 0.5]]'),
        "an answer no config can produce (grad_std is a magnitude, never negative)",
    ),
    "a share above 1": (
        question(field="A.saturated_frac[2]", answers='[["a", 1.5], ["b", 0.5]]'),
        "saturated_frac is a share, in [0, 1]",
    ),
    "a tanh std above 1": (
        question(answers='[["a", 3], ["b", 0.5]]'),
        "tanh outputs lie in [-1, 1]: std at most 1",
    ),
    "more distinct units than units": (
        question(field="A.distinct_units[2]", answers='[["one", 1], ["all", 17]]'),
        "layer 2 has 16 units",
    ),
    "not a pair": (question(answers='[["a", 0.1], "b"]'), "write [label, value]"),
    "a text value": (question(answers='[["a", 0.1], ["b", "big"]]'), "write [label, value]"),
    "unknown key": (question(extra='hint = "x"'), "unknown key 'hint'"),
    "no text": ('[scene.question]\nfield = "A.act_std[4]"\nanswers = ' + GOOD, "text must be"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_wrong_question_is_refused_with_one_line(case, tmp_path, monkeypatch):
    text, said = BAD[case]
    (tmp_path / "bad.toml").write_text(TANH + text, encoding="utf-8")
    monkeypatch.setattr(presets, "presets_dir", lambda: tmp_path)
    with pytest.raises(presets.PresetError) as e:
        presets.load("bad")
    msg = str(e.value)
    assert msg.startswith("preset bad.toml: [scene.question] ") and said in msg, msg
    assert "\n" not in msg and len(msg) < 300


def test_a_good_question_loads_and_round_trips_through_a_lecture_file(tmp_path, monkeypatch):
    from core import lecture

    (tmp_path / "good.toml").write_text(TANH + question(), encoding="utf-8")
    monkeypatch.setattr(presets, "presets_dir", lambda: tmp_path)
    scene = presets.load("good")
    assert [x.label for x in scene.question.answers] == ["≈ 0.1", "≈ 1"]
    talk = lecture.append(tmp_path / "talk.toml", scene)
    assert talk.scenes[-1].question == scene.question
