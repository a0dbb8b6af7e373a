"""The presentation view shows the lecture canvas: the scene's views, its words, the D key, and
the normal window back as it was after Esc."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from core import presets
from gui.canvas import registry, report
from gui.canvas.canvas import layout_of
from gui.canvas.sizes import Sizes
from gui.presenter import ViewBase
from tests.gui.canvas_checks import overlapping_texts, problems
from tests.gui.conftest import SMALL, wait_shown

ROOT = Path(__file__).resolve().parents[2]


class Probe(QWidget, ViewBase):
    """A canvas view that keeps what it was given."""

    needs = frozenset({"rows"})

    def __init__(self, options):
        super().__init__()
        self.options, self.frames, self.sizes = options, [], []

    def present(self, frame):
        self.frames.append(frame)

    def set_sizes(self, sizes):
        self.sizes.append(sizes)


@pytest.fixture
def probe_views(monkeypatch):
    """ "ladder" and "stats" drawn by probes; the rest as registered (or not yet written)."""
    views = dict(registry.CANVAS_VIEWS)
    views.update(ladder=Probe, stats=Probe)
    views.pop("units", None)  # a view not written yet
    monkeypatch.setattr(registry, "CANVAS_VIEWS", views)


def scene(name, **changes):
    return dataclasses.replace(presets.load(name), **changes)


def test_f5_shows_the_scenes_views_d_shows_details_and_esc_gives_the_window_back(
    make_window, qtbot, probe_views
):
    win = make_window()
    docks_before = {n for n, d in win.docks.items() if d.isVisible()}
    s = scene(
        "he-relu",
        config=SMALL.replace(activation="relu", init="he-normal"),
        claim="He keeps σ near √2.",
        details="Var(w) = 2/fan_in.",
        layout=(("ladder", {"row": "grad"}), ("units", {}), ("stats", {"layers": [1, 4]})),
        question=None,  # its question would take the lead view's place and hide the claim
    )
    win.load_scene(s)
    wait_shown(qtbot, win, s.config)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    canvas = win.presentation.canvas
    assert canvas.isVisible() and not win.stack.isVisible() and not win.caption_bar.isVisible()
    assert canvas.names == ["ladder", "stats"]  # in the layout's order
    assert canvas.skipped == ["units"]  # not written yet: left out, no crash
    ladder, stats = (v for _, v in canvas.views)
    assert ladder.options == {"row": "grad"} and stats.options == {"layers": [1, 4]}
    assert ladder.frames and ladder.frames[-1].a is win.latest  # the presenter's frame
    lead, strip = ladder.geometry(), stats.geometry()
    assert lead.height() > strip.height() and lead.bottom() < strip.top()  # a gap between
    assert lead.width() == strip.width()  # one strip: the whole width under the lead
    labels = canvas.header.labels
    assert labels["title"].text() == s.title and labels["claim"].text() == s.claim
    assert not labels["details"].isVisible()
    qtbot.keyClick(win, Qt.Key.Key_D)
    assert labels["details"].isVisible() and labels["details"].text() == s.details
    assert labels["details"].geometry().bottom() < canvas.body.geometry().top()
    qtbot.keyClick(win, Qt.Key.Key_D)
    assert not labels["details"].isVisible()
    win.load_scene(dataclasses.replace(s, layout=(("stats", {}),)))
    assert canvas.names == ["stats"] and canvas.views[0][1] is not stats
    assert not ladder.isVisible() and not stats.isVisible()  # gone now, not when deleted
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not canvas.isVisible() and win.caption_bar.isVisible()
    assert {n for n, d in win.docks.items() if d.isVisible()} == docks_before
    qtbot.waitUntil(win.stack.isVisible)  # the middle a turn after the docks
    assert win.menuBar().isVisible() and win.grid.scale == 1.0


def test_every_view_is_sized_from_the_canvas_height_on_resize(make_window, qtbot, probe_views):
    win = make_window()
    win.load_scene(scene("he-relu", config=SMALL, layout=(("ladder", {}), ("stats", {}))))
    win.presentation.enter(full_screen=False)
    canvas = win.presentation.canvas
    for height in (720, 1080):
        win.resize(1600, height)
        qtbot.waitUntil(lambda h=height: canvas.height() > h - 40)
        for _, view in canvas.views:
            assert view.sizes[-1] == Sizes(canvas.height())
        assert canvas.header.labels["claim"].font().pixelSize() == Sizes(canvas.height()).px(
            "claim"
        )
    win.presentation.leave()


def test_a_scene_without_a_layout_gets_one_from_its_emphasis():
    s = presets.load("he-relu")  # emphasis preact, grad, profile
    rows = ("preact", "grad")
    assert layout_of(dataclasses.replace(s, layout=()), rows) == (
        ("histograms", {"rows": ["preact", "grad"]}),
        ("ladder", {}),
    )
    table = dataclasses.replace(s, layout=(), emphasis=("table", "act"))
    assert layout_of(table, ("act", "grad")) == (
        ("stats", {}),
        ("histograms", {"rows": ["act"]}),
    )
    assert layout_of(None, ("act", "grad")) == (("histograms", {"rows": ["act", "grad"]}),)


def test_outside_a_scene_the_canvas_shows_the_histograms_of_the_rows_shown(make_window, qtbot):
    win = make_window()
    win.presentation.enter(full_screen=False)
    canvas = win.presentation.canvas
    assert canvas.names == ["histograms"]
    assert canvas.header.labels["title"].isHidden()  # no scene, no words
    view = canvas.views[0][1]
    win.playback_dock.wgrad.setChecked(True)
    qtbot.waitUntil(lambda: canvas.views[0][1] is not view)  # made anew for the new rows
    win.presentation.leave()


def test_a_squeezed_header_label_is_found_colliding(make_window, qtbot):
    """A label too small for its text clips it: the report gives the text's own height, so the
    cut title reaches the claim below it (before, the widget's rect hid the clipping)."""
    win = make_window()
    win.load_scene(scene("he-relu", config=SMALL, question=None))  # asked, no claim shows
    win.presentation.enter(full_screen=False)
    labels = win.presentation.canvas.header.labels
    assert problems(report.layout_report(win), only=("title", "claim")) == []
    below = labels["claim"].y()
    labels["title"].setFixedHeight(8)
    qtbot.waitUntil(lambda: labels["claim"].y() < below)  # laid out again: the claim moved up
    found = overlapping_texts(report.layout_report(win), only=("title",))
    assert any("title" in f and "claim" in f for f in found)
    win.presentation.leave()


TAB_BARS = """
import sys, tempfile, time
from pathlib import Path
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QTabBar
from core import presets
from gui.main_window import MainWindow
app = QApplication(sys.argv)
ini = Path(tempfile.mkdtemp()) / "s.ini"
w = MainWindow(settings=QSettings(str(ini), QSettings.Format.IniFormat))
w.resize(1280, 720); w.show(); w.presentation.enter(full_screen=False); w.resize(1280, 720)
w.load_scene(presets.load("glorot-fan-avg"))
end = time.time() + 60
while time.time() < end and not (w.latest is not None and w.latest.config == w.scene.config
                                 and w.up_to_date and not w.presentation.canvas.animating):
    app.processEvents(); time.sleep(0.02)
for _ in range(20):
    app.processEvents(); time.sleep(0.01)
def tabs():
    return [b.tabText(0) for b in w.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if b.isVisible() and b.count()]
print("in:", tabs())
w.presentation.leave()
for _ in range(20):
    app.processEvents(); time.sleep(0.01)
print("out:", tabs())
w.engine.stop()
"""


def test_no_dock_tab_bar_is_left_on_the_canvas(tmp_path):
    # a window shown with fresh settings and put in the presentation view at once kept its
    # docks' tab bar ("Depth profile | Theory: phase diagram", the window's own child, not the
    # docks') over the canvas; a process of its own, as `initscope` starts (in this test
    # process's application the bar never showed)
    script = tmp_path / "tabs.py"
    script.write_text(TAB_BARS, encoding="utf-8")
    r = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    lines = dict(line.split(": ", 1) for line in r.stdout.splitlines() if ": " in line)
    assert lines.get("in") == "[]", r.stdout + r.stderr
    assert "Depth profile" in lines.get("out", ""), r.stdout + r.stderr


def test_the_presentation_view_grows_the_banners_type_not_the_applications(make_window, qtbot):
    """The banner (a bad file's message in front of the room) reads at the presentation view's
    scale; the application's type stays, since setting it re-laid-out every widget of the
    hidden docks, about 50 ms of the UI thread on entering and again on leaving (issue 17)."""
    from PySide6.QtWidgets import QApplication

    win = make_window(SMALL)
    app_size = QApplication.instance().font().pointSizeF()
    banner = win.banner.font().pointSizeF()
    win.presentation.enter(full_screen=False)
    win.show_message("cannot read lecture.toml: line 3: expected '='")
    assert win.banner.isVisible()
    assert win.banner.font().pointSizeF() == pytest.approx(banner * win.presentation.scale)
    assert QApplication.instance().font().pointSizeF() == app_size
    win.presentation.leave()
    assert win.banner.font().pointSizeF() == pytest.approx(banner)


def test_every_canvas_view_draws_from_an_unindexed_scene(qtbot):
    """The canvas's views change their items every frame; with Qt's BSP index a ladder that
    dropped a line while the presentation view was hidden segfaulted on its next paint (the
    random-actions test at seed 10). Every view of every scene's layout goes without it."""
    from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

    from gui.canvas.canvas import LectureCanvas

    canvas = LectureCanvas()
    qtbot.addWidget(canvas)
    canvas.set_active(True)
    seen = set()
    for scene in presets.all_scenes().values():
        canvas.set_scene(scene)
        views = canvas.findChildren(QGraphicsView)
        seen |= {type(view).__name__ for _, view in canvas.views}
        for view in views:
            method = view.scene().itemIndexMethod()
            assert method == QGraphicsScene.ItemIndexMethod.NoIndex, type(view).__name__
    assert {"Ladder", "UnitsView", "WeightsView", "HeatmapView"} <= seen, seen
