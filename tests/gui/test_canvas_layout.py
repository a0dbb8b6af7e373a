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
    QApplication.processEvents()
    return report.layout_report(win)


@pytest.mark.layout
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", SCENES)
def test_the_canvas_holds_at_every_size(window, qtbot, name, size, request):
    r = shown(window, qtbot, name, size)
    assert r["size"] == list(size)
    roles = {t["role"] for t in r["texts"]}
    assert {"title", "claim"} <= roles
    assert problems(r, only=HEADER) == []  # the header: never on text or data, large enough
    if (name, size) in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[name, size]))
    if any(isinstance(view, GridHistograms) for _, view in window.presentation.canvas.views):
        request.applymarker(pytest.mark.xfail(reason="the stand-in grid's titles collide"))
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
