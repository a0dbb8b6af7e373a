"""A compute process that ends at any moment is replaced (gui/engine.py `_up`, gui/compute_process.py
`replace`): killed in a frame, killed as it starts, or after a crash loop's pause. Left in place,
each of these had every later frame made on the window's own thread, beside the UI, for the rest
of the session (found by tests/gui/test_monkey_more.py). Only processes that never start at all
(a broken install) are given up on."""

import os
import signal
import sys

import pytest

from gui import compute_process
from tests.gui.conftest import SMALL
from tests.gui.test_compute_process import served, watched  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def _process_wanted():
    if not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")


def fresh_starts(monkeypatch) -> None:
    """The session's earlier starts (other tests kill processes too) are not this test's."""
    monkeypatch.setattr(compute_process, "_starts", [])


def test_a_process_killed_before_it_is_up_is_replaced(watched, qtbot, capfd, monkeypatch):  # noqa: F811
    engine, got = watched
    served(engine, got, SMALL, qtbot)
    fresh_starts(monkeypatch)
    old = engine.remote
    os.kill(old.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not old.alive, timeout=10000)
    engine.submit(SMALL.replace(gain=2.0))  # finds it dead and starts another...
    qtbot.waitUntil(lambda: engine.remote is not old, timeout=10000)
    starting = engine.remote
    os.kill(starting.pid, signal.SIGKILL)  # ...killed before it says it is up (0.6-0.9 s)
    qtbot.waitUntil(lambda: any(s.config.gain == 2.0 for s in got), timeout=30000)
    assert engine.where == "process" and engine.remote.pid not in (old.pid, starting.pid)
    assert "ended before it was up; a new one takes over" in capfd.readouterr().err
    served(engine, got, SMALL.replace(gain=3.0), qtbot, timeout=5000)
    assert engine.where == "process"


def test_frames_go_back_to_a_process_once_a_crash_loop_s_pause_is_over(
    watched,  # noqa: F811
    qtbot,
    capfd,
    monkeypatch,
):
    engine, got = watched
    served(engine, got, SMALL, qtbot)
    fresh_starts(monkeypatch)
    monkeypatch.setattr(compute_process, "MAX_STARTS", 1)  # one start a minute, then a pause
    for gain in (2.0, 3.0):  # the first is replaced; the second, in the same minute, is not
        os.kill(engine.remote.pid, signal.SIGKILL)
        served(engine, got, SMALL.replace(gain=gain), qtbot, timeout=15000)
    assert engine.where == "thread" and "computing in the window" in capfd.readouterr().err
    compute_process._starts[:] = [t - 61 for t in compute_process._starts]  # a minute later
    served(engine, got, SMALL.replace(gain=4.0), qtbot, timeout=15000)
    assert engine.where == "process" and engine.remote.alive


def test_processes_that_never_start_are_given_up_on(watched, qtbot, capfd, monkeypatch):  # noqa: F811
    """Each would hold a frame while it starts and dies; the crash loop's pause alone (60 s)
    retried them every minute."""
    engine, got = watched
    served(engine, got, SMALL, qtbot)
    fresh_starts(monkeypatch)
    monkeypatch.setattr(compute_process, "RESTART_WINDOW_S", 0.0)  # no pause: only this limit
    monkeypatch.setattr(compute_process, "_failed", False)
    monkeypatch.setattr(compute_process, "_unready", 0)
    monkeypatch.setattr(compute_process, "_command", lambda: [sys.executable, "-c", "pass"])
    os.kill(engine.remote.pid, signal.SIGKILL)
    served(engine, got, SMALL.replace(gain=2.0), qtbot, timeout=30000)
    assert engine.where == "thread" and "never starts" in capfd.readouterr().err
    assert len(compute_process._starts) == compute_process.MAX_STARTS
    served(engine, got, SMALL.replace(gain=3.0), qtbot, timeout=30000)
    assert len(compute_process._starts) == compute_process.MAX_STARTS  # none tried again
