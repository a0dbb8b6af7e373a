"""The window hands its heap's free pages back once it has shown no new frame for QUIET_S, as the
compute process does (issue 17's soak: at the same picture and the same bytes in use, the
window's RSS ranged over 2.3 MiB more than its trimmed RSS; benchmarks/README.md, session 22).
Never between the frames of a run that keeps coming: each trim would be a few ms of the UI
thread's."""

import time

from PySide6.QtCore import QTimer

from core import Config
from core.memory import QUIET_S
from gui import heap
from tests.gui.conftest import wait_shown

START = Config(depth=4, width=64, batch=128)


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def next_seed(qtbot, win) -> None:
    win.network_dock.seed.setValue(win.config.seed + 1)  # the same shape: no view is freed
    wait_shown(qtbot, win, win.config)


def test_a_quiet_window_gives_its_free_heap_pages_back(make_window, qtbot):
    win = make_window(START)
    qtbot.wait(round(3 * QUIET_S * 1000))
    blocks = [bytearray(64 * 1024) for _ in range(3000)]  # 188 MiB, under the mmap threshold
    kept = blocks[::50]  # the freed ones between them are the heap's middle, not its top
    del blocks
    high = rss_mib()
    qtbot.wait(round(2 * QUIET_S * 1000))
    assert rss_mib() > high - 20  # no frame, no trim: the freed pages are still resident
    next_seed(qtbot, win)
    qtbot.waitUntil(lambda: rss_mib() < high - 150, timeout=5000)
    assert len(kept) == 60


def test_a_run_of_frames_is_trimmed_once_after_its_last(make_window, qtbot):
    win = make_window(START)
    qtbot.wait(round(3 * QUIET_S * 1000))
    shown: list[float] = []
    trims: list[float] = []
    count = [heap.given_back]

    def poll() -> None:  # when a trim happened, to the poll's 5 ms
        if heap.given_back != count[0]:
            count[0] = heap.given_back
            trims.append(time.monotonic())

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(5)
    win.frame_shown.connect(lambda _snap: shown.append(time.monotonic()))
    for _ in range(15):
        next_seed(qtbot, win)
    last = shown[-1]
    qtbot.waitUntil(lambda: bool(trims) and trims[-1] > last, timeout=5000)
    qtbot.wait(round(2 * QUIET_S * 1000))
    timer.stop()
    for t in trims:  # each after QUIET_S without a frame
        before = max(s for s in shown if s <= t)
        assert t - before >= QUIET_S - 0.01
    assert sum(t > last for t in trims) == 1  # once, not again until the next frame
