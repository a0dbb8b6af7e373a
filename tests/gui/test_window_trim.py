"""The window hands its heap's free pages back once it has shown no new frame for QUIET_S, as the
compute process does, and not between the frames of a run that keeps coming: each trim would be
up to a few ms of the UI thread's. These show the mechanism in the real window; what it does to
issue 17's soak is measured in benchmarks/README.md, session 22."""

import platform
import sys
import time

import pytest

from benchmarks.rss_parts import parts
from core import Config
from core.memory import QUIET_S
from gui import heap
from gui.idle import pending
from tests.gui.conftest import wait_shown

START = Config(depth=4, width=64, batch=128)

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
    reason="glibc's malloc_trim and Linux's /proc: nothing to give back, or to read, elsewhere",
)


def heap_rss_mib() -> float:
    """The resident part of glibc's main heap: what a trim gives back, and not what a
    collection of an earlier test's arrays unmaps (RSS as a whole fell 325 MiB so in CI)."""
    return parts()["heap"]


def settled(qtbot, win) -> None:
    """No work left for idle turns (an earlier test's window deleted a panel a turn, then
    trimmed) and no quiet trim to come: nothing else gives back from here."""
    qtbot.waitUntil(lambda: not pending() and not win.quiet_trim.isActive(), timeout=15000)
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not pending() and not win.quiet_trim.isActive(), timeout=15000)


def next_seed(qtbot, win) -> None:
    win.network_dock.seed.setValue(win.config.seed + 1)  # the same shape: no view is freed
    wait_shown(qtbot, win, win.config)


def test_a_quiet_window_gives_its_free_heap_pages_back(make_window, qtbot):
    win = make_window(START)
    settled(qtbot, win)
    blocks = [bytearray(64 * 1024) for _ in range(3000)]  # 188 MiB, under the mmap threshold
    kept = blocks[::50]  # the freed ones between them are the heap's middle, not its top
    del blocks
    high = heap_rss_mib()
    next_seed(qtbot, win)
    qtbot.waitUntil(lambda: heap_rss_mib() < high - 150, timeout=5000)
    assert len(kept) == 60


def test_a_run_of_frames_is_trimmed_once_after_its_last(make_window, qtbot, monkeypatch):
    win = make_window(START)
    settled(qtbot, win)
    shown: list[float] = []
    trims: list[float] = []
    monkeypatch.setattr(heap, "give_back", lambda: trims.append(time.monotonic()))
    win.frame_shown.connect(lambda _snap: shown.append(time.monotonic()))
    for _ in range(15):
        next_seed(qtbot, win)
    last = shown[-1]
    qtbot.waitUntil(lambda: bool(trims) and trims[-1] > last, timeout=5000)
    qtbot.wait(round(2 * QUIET_S * 1000))
    for t in trims:  # each after QUIET_S without a frame (Qt's coarse timers: 5% early at most)
        before = max((s for s in shown if s <= t), default=None)
        assert before is None or t - before >= 0.9 * QUIET_S
    assert sum(t > last for t in trims) == 1  # once, not again until the next frame
