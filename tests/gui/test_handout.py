"""The handout (issue #21): one PDF page per scene, each with its picture, and an HTML page with
the same pictures embedded; made by the window itself, scene by scene."""

from __future__ import annotations

import dataclasses
import re

from core import Config, lecture, presets
from gui.handout_run import HandoutRun

SMALL = Config(depth=3, width=32, batch=64)


def _lecture(names):
    scenes = tuple(presets.load(n) for n in names)
    small = tuple(
        s.__class__(**{**s.__dict__, "config": s.config.replace(batch=64)}) for s in scenes
    )
    return lecture.Lecture("Test lecture", small)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_a_handout_has_a_page_and_a_picture_per_scene(qtbot, make_window, tmp_path):
    win = make_window(SMALL)
    win.resize(960, 540)
    talk = _lecture(["tiny-normal-tanh", "he-relu", "fan-in-vs-fan-out"])
    run = HandoutRun(win, talk, tmp_path / "h.pdf")
    with qtbot.waitSignal(run.finished, timeout=120_000) as done:
        run.start()
    assert done.args == [""]
    pdf = (tmp_path / "h.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and _pages(pdf) == 3
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) >= 3
    page = run.pages[1]
    assert page.title == talk.scenes[1].title
    assert page.reproduce == "config: " + lecture._fields(talk.scenes[1].config, Config())
    assert not page.image.isNull() and page.image.width() >= 900
    html = (tmp_path / "h.html").read_text(encoding="utf-8")
    assert html.count("<img") == 3 and html.count("data:image/png;base64,") == 3
    assert talk.scenes[2].title.split(":")[0] in html


def test_a_handout_that_cannot_be_written_says_so(qtbot, make_window, tmp_path):
    win = make_window(SMALL)
    talk = _lecture(["he-relu"])
    run = HandoutRun(win, talk, tmp_path / "no-such-dir" / "h.pdf")
    with qtbot.waitSignal(run.finished, timeout=60_000) as done:
        run.start()
    assert "cannot write" in done.args[0] and "\n" not in done.args[0]


def test_a_staged_scene_is_pictured_whole(qtbot, make_window, tmp_path):
    """A handout is read after the lecture: a scene that opens staged (issue 20) is pictured with
    every layer, the same picture as the scene not staged."""
    win = make_window(SMALL)
    win.resize(960, 540)
    win.presentation.enter(full_screen=False)
    plain = dataclasses.replace(_lecture(["tiny-normal-tanh"]).scenes[0], question=None)
    talk = lecture.Lecture("Staged", (plain, dataclasses.replace(plain, staged=True)))
    run = HandoutRun(win, talk, tmp_path / "h.pdf")
    try:
        with qtbot.waitSignal(run.finished, timeout=120_000):
            run.start()
        assert run.pages[0].image == run.pages[1].image
    finally:  # the presentation view scales the application's type: later tests measure it
        win.presentation.leave()
