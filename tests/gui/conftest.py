import gc

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from core import Config
from core.loghist import PER_DECADE
from gui.main_window import MainWindow

SMALL = Config(depth=4, width=64, batch=128)


@pytest.fixture(autouse=True)
def collected_before():
    """The earlier tests' windows collected here, between tests, not at whatever point the
    collector next runs: pyqtgraph's items hold reference cycles, and a collection that came
    during a Qt signal's emission deleted a PlotItem's menu whose ~QObject then waited forever
    for a lock that emission held (a full run hung in a plot's setMenuEnabled)."""
    gc.collect()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    made = []

    def make(config=SMALL, blend=False):
        win = MainWindow(config, settings=settings)
        win.grid.blend = blend
        qtbot.addWidget(win)
        win.resize(1400, 900)
        win.show()
        made.append(win)
        wait_shown(qtbot, win, config)
        return win

    yield make
    for win in made:
        # a test that failed inside the presentation view left the application's type scaled
        # by it, and later tests' axes measured that (grid pictures, a click's point)
        if win.state.presentation:
            win.presentation.leave()
            if win.presentation.help.isVisible():  # the first Esc closes the help
                win.presentation.leave()
        win.engine.stop()


def wait_shown(qtbot, win, config, timeout=15000):
    """Until the window shows the snapshot of exactly this config on its whole batch (a big
    net's first frames refine, core/chunks.py), blending done."""
    qtbot.waitUntil(
        lambda: (
            win.latest is not None
            and win.latest.config == config
            and not win.latest.refining
            and not win.grid.animating
        ),
        timeout=timeout,
    )


def drawn(grid, row, s):
    """What a grid's panel (row, s.index) must draw of the core's LayerStats s, from the core's own
    counts: the linear histogram's shares, or on a log row (gradients by default) the
    log-magnitude histogram's on the bins the row shows. (edges, shares)."""
    h = s.hists[row]
    span = grid.log_span(row)
    if span is None:
        return h.edges, h.counts / max(h.sampled, 1)
    first, n = span
    pos, neg = h.log.on(first, n)
    return (first + np.arange(n + 1)) / PER_DECADE, (pos + neg) / max(h.log.sampled, 1)
