"""Issue #6, launch to first frame: the launch does only what its first frame shows. What it does
not show is built (and works) the first time it shows; a restored layout that shows it builds it
at once."""

import contextlib
import importlib
import inspect
import sys
from pathlib import Path

import pyqtgraph as pg
import pytest

from gui.main_window import MainWindow
from gui.training_controller import VIEWS_SIZE_HINT
from gui.views.layer_grid import LayerGrid
from gui.views.phase_diagram import PhaseDiagram
from gui.views.training_views import TrainingViews
from tests.gui.conftest import SMALL


def built(dock, kind) -> list:
    return dock.findChildren(kind)


def test_hidden_docks_are_built_when_first_shown(make_window, qtbot):
    win = make_window()
    # the phase diagram is a tab behind the depth profile, the curves dock is closed
    assert built(win.docks["phase"], PhaseDiagram) == []
    assert built(win.docks["training_views"], pg.GraphicsLayoutWidget) == []
    assert win.show_theory_box.isChecked()  # the rest of the phase dock is there

    win.docks["phase"].raise_()
    assert built(win.docks["phase"], PhaseDiagram) == [win.phase]
    qtbot.waitUntil(lambda: win.phase.grid is not None and win.phase.grid.activation == "tanh")
    assert win.phase.isVisible()

    tc = win.training
    tc.dock.layer.setMaximum(3)
    tc.dock.layer.setValue(2)  # before the views exist: they start with the dock's choice
    tc.dock.step_btn.click()  # shows the curves dock, which builds the views
    qtbot.waitUntil(lambda: tc.views_made)  # a group of plots per event-loop turn
    assert built(win.docks["training_views"], TrainingViews) == [tc.views]
    assert tc.views.layer == 2
    qtbot.waitUntil(lambda: tc.frame is not None, timeout=30000)
    qtbot.waitUntil(lambda: len(tc.views.series(("loss", "A", "train"))[0]) > 0)
    assert tc.views.isVisible()


def test_curves_dock_opens_as_wide_as_before(qtbot):
    """The stand-in asks for the room the curves would, so View → Training: curves opens alike."""
    views = TrainingViews()
    qtbot.addWidget(views)
    assert views.sizeHint() == VIEWS_SIZE_HINT


def test_restored_layout_builds_what_it_shows(make_window, qtbot, settings):
    win = make_window()
    win.docks["phase"].raise_()
    win.docks["training_views"].show()
    win.close()
    again = MainWindow(SMALL, settings=settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.latest is not None)
    qtbot.waitUntil(lambda: again.training.views_made)  # a group of plots per turn, unasked
    assert built(again.docks["phase"], PhaseDiagram) == [again.phase]
    assert built(again.docks["training_views"], TrainingViews) == [again.training.views]
    qtbot.waitUntil(lambda: again.phase.grid is not None)
    again.engine.stop()


def test_grid_paints_nothing_before_its_first_snapshot(make_window, qtbot):
    """Empty panels were painted (160-210 ms) and at once repainted with the first frame."""
    grid = LayerGrid()
    qtbot.addWidget(grid)
    grid.prepare((1, 2, 3))
    assert not grid.updatesEnabled()
    win = make_window()
    assert win.grid.updatesEnabled()


def test_first_frame_is_computed_once(make_window):
    """Asked for as the window starts being built (it computes meanwhile), and not again when the
    built window submits its config (that made a second, identical frame)."""
    win = make_window()
    assert win.engine.frames == 1


def test_quick_pyside_hook_answers_as_pyside_would():
    """gui/__init__.py swaps PySide6's per-import source scan (inspect.getsource) for a read of
    the file's bytes: the verdict on each module stays the same."""
    check = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    assert getattr(check, "quick", False)
    for name in ("gui.main_window", "gui.views.layer_grid", "core.config", "json", "numpy"):
        module = importlib.import_module(name)
        assert check(module) == ("PySide6" in inspect.getsource(module)), name
    assert check(sys) is False  # built in: no source, PySide6's own answer


def _thread_names() -> set[str]:
    names = set()
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            names.add((task / "comm").read_text().strip())
    return names


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads Linux's /proc")
def test_the_window_paints_without_qt_s_fill_threads(make_window):
    """Qt's raster engine handed a fill of 96+ spans to a pool of threads and waited for them,
    on 2 cores for the core the compute process holds (gui/__init__.py sets Qt's own switch).
    A whole window painted at 1920×1080 starts none of them."""
    win = make_window()
    win.resize(1920, 1080)
    win.grab()
    assert "Thread (pooled)" not in _thread_names()


def test_launch_shows_a_preview_then_the_full_batch(qtbot, settings):
    """The first frame is computed on DRAG_BATCH examples while the window is built, and the
    full batch follows at once: the same picture (each histogram samples as many values: at most
    HIST_SAMPLE of an array), shown sooner, its status saying the full batch comes next."""
    from core import Config
    from core.stats import HIST_SAMPLE
    from gui.main_window import DRAG_BATCH, MainWindow

    c = Config(depth=2, width=500, batch=1000)
    win = MainWindow(c, settings=settings)
    qtbot.addWidget(win)
    seen = []
    win.frame_shown.connect(
        lambda s: seen.append((s.config, win.batch_label.text(), s.layers[0].hists["act"].sampled))
    )
    win.show()
    qtbot.waitUntil(lambda: any(config == c for config, _, _ in seen), timeout=15000)
    (first, label, first_sampled), *_, (last, last_label, last_sampled) = seen
    assert first == c.replace(batch=DRAG_BATCH) and label.endswith(f"(full {c.batch} next)")
    assert last == c and last_label == f"batch {c.batch}"
    assert 0.9 * HIST_SAMPLE < first_sampled <= last_sampled <= HIST_SAMPLE
    assert win.engine.frames == 2
    win.engine.stop()


def test_the_launch_preview_is_not_abandoned_for_the_full_batch(qtbot, settings, monkeypatch):
    """The full batch is asked for as the window is built, often while the preview is still being
    made (the compute process starting on a loaded machine): it abandoned the preview, and the
    first picture waited for the full batch (a flaky failure of the test above)."""
    import threading

    from core import Config
    from gui.engine import Engine
    from gui.main_window import DRAG_BATCH, MainWindow

    built = threading.Event()
    real = Engine.make

    def make(self, configs, rows, n, phase=False, follow=None):
        if configs[0].batch == DRAG_BATCH:  # the preview: still computing when the window is built
            built.wait(10)
        return real(self, configs, rows, n, phase, follow=follow)

    monkeypatch.setattr(Engine, "make", make)
    # made on the engine's thread, where an abandoned frame ends at its next layer (a frame the
    # compute process has begun ends there alike: test_compute_process.py)
    monkeypatch.setattr("gui.compute_process.shared", lambda: None)
    c = Config(depth=2, width=64, batch=1000)
    win = MainWindow(c, settings=settings)
    qtbot.addWidget(win)
    seen = []
    win.frame_shown.connect(lambda s: seen.append(s.config.batch))
    built.set()
    win.show()
    qtbot.waitUntil(lambda: c.batch in seen, timeout=15000)
    assert seen[0] == DRAG_BATCH and win.engine.frames == 2
    win.engine.stop()
