"""Every scene's canvas at 1280×720, 1920×1080 and 3840×2160, checked over its layout report: no
text over another, no title or tick on the data, type above the floors (canvas_checks.py).

One window serves them all; pick one scene and size with -k, e.g.
`pytest tests/gui/test_canvas_layout.py -k "he-relu and 1280x720"`."""

import json

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from core import presets
from gui.canvas import report
from gui.canvas.grid_fallback import GridHistograms
from gui.main_window import MainWindow
from tests.gui.canvas_checks import problems
from tests.gui.test_lecture import run_app

SIZES = ((1280, 720), (1920, 1080), (3840, 2160))
SCENES = list(presets.all_scenes())
HEADER = ("title", "claim", "details")
# Until the canvas's own "histograms" view is merged, the window's grid stands in for it
# (gui/canvas/grid_fallback.py); its titles are known to collide (issue #18, item 5).


KNOWN: dict[tuple[str, tuple[int, int]], str] = {}


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    path = tmp_path_factory.mktemp("layout") / "settings.ini"
    win = MainWindow(settings=QSettings(str(path), QSettings.Format.IniFormat))
    win.grid.blend = False
    win.show()
    win.presentation.enter(full_screen=False)
    yield win
    win.presentation.leave()
    win.engine.stop()
    win.close()
    win.deleteLater()


def shown(win, qtbot, name, size) -> dict:
    win.resize(*size)
    win.load_scene(presets.load(name))
    canvas = win.presentation.canvas
    qtbot.waitUntil(
        lambda: (
            win.latest is not None
            and win.latest.config == win.scene.config
            and win.up_to_date
            and not canvas.animating
            and canvas.height() > size[1] - 40
        ),
        timeout=120_000,
    )
    return settled(win)


def settled(win) -> dict:
    """The report once the layouts the last frame asked for are done: a pass of the event loop
    each until two reports agree (a view inside a relaid-out row moves its axis names one pass
    later; the question panel, changing places, adds such a pass)."""
    QApplication.processEvents()
    last = report.layout_report(win)
    for _ in range(10):
        QApplication.processEvents()
        now = report.layout_report(win)
        if now == last:
            break
        last = now
    return last


@pytest.mark.layout
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", SCENES)
def test_the_canvas_holds_at_every_size(window, qtbot, name, size, request):
    r = shown(window, qtbot, name, size)
    assert r["size"] == list(size)
    roles = {t["role"] for t in r["texts"]}
    # a scene that asks the room hides its claim (its numbers) until the answer is revealed
    asks = presets.load(name).question is not None
    assert {"title", *(("question", "answer") if asks else ("claim",))} <= roles
    assert problems(r, only=HEADER) == []  # the header: never on text or data, large enough
    if (name, size) in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[name, size]))
    if any(isinstance(view, GridHistograms) for _, view in window.presentation.canvas.views):
        request.applymarker(pytest.mark.xfail(reason="the stand-in grid's titles collide"))
    assert problems(r) == []


ASKING = [name for name, scene in presets.all_scenes().items() if scene.question is not None]


@pytest.mark.layout
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", ASKING)
def test_a_revealed_question_holds_at_every_size(window, qtbot, name, size, request):
    """Its strip of answers, marked, between the claim and the data."""
    shown(window, qtbot, name, size)
    window.state.update(picked=0, reveal=None)  # everything shown: the mark, the claim
    r = settled(window)
    roles = {t["role"] for t in r["texts"]}
    assert {"title", "claim", "question", "answer"} <= roles
    assert any("✓" in t["text"] for t in r["texts"] if t["role"] == "answer")
    assert problems(r, only=(*HEADER, "question", "answer")) == []
    if (name, size) in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[name, size]))
    assert problems(r) == []


def test_the_command_line_writes_the_report_beside_the_screenshot(tmp_path):
    shot, out = tmp_path / "he.png", tmp_path / "he.json"
    r = run_app(
        "--preset", "he-relu", "--presentation", "--size", "1280x720",
        "--screenshot", str(shot), "--layout-report", str(out),
    )  # fmt: skip
    assert r.returncode == 0 and shot.stat().st_size > 10_000, r.stderr
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["size"] == [1280, 720]
    title = next(t for t in got["texts"] if t["role"] == "title")
    assert title["text"] == presets.load("he-relu").title and title["px"] >= 0.03 * 720
    assert problems(got, only=HEADER) == []
    bad = run_app("--preset", "he-relu", "--layout-report", str(tmp_path / "no" / "r.json"))
    assert bad.returncode == 2 and "cannot write" in bad.stderr and "Traceback" not in bad.stderr


# a scene of each view a reveal masks, staged (issue 20): at the start, a layer in, the forward
# pass complete, the first backward layer and the end
STAGED = ("tiny-normal-tanh", "dead-relu-bias", "glorot-fan-avg", "truncated-vs-normal")


@pytest.mark.layout
@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", STAGED)
def test_a_staged_scene_holds_at_every_step_of_its_reveal(window, qtbot, name, size):
    shown(window, qtbot, name, size)
    canvas = window.presentation.canvas
    if not window.reveal.staged:  # a scene with a question opens staged
        window.reveal.toggle_stage()
    depth = window.state.reveal.depth
    try:
        for step in range(2 * depth + 1):
            if step:
                window.reveal.step(+1)
            if step in (0, 1, depth, depth + 1, 2 * depth):
                qtbot.waitUntil(lambda: not canvas.animating, timeout=60_000)
                QApplication.processEvents()
                r = report.layout_report(window)
                assert problems(r) == [], f"step {step}"
                # nothing cut at the window's right edge (a ladder strip's merged labels were)
                width = r["size"][0]
                assert [t["text"] for t in r["texts"] if sum(t["rect"][::2]) > width + 1] == []
                assert any(t["text"] == window.state.reveal.describe() for t in r["texts"])
    finally:
        if window.reveal.staged:
            window.reveal.toggle_stage()
