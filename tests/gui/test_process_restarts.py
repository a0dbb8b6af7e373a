"""A compute process that ends at any moment is replaced (gui/engine.py `_up`, gui/compute_process.py
`replace`): killed in a frame, killed as it starts, or after a crash loop's pause. Left in place,
each of these had every later frame made on the window's own thread, beside the UI, for the rest
of the session (found by tests/gui/test_monkey_more.py)."""

import os
import signal

import pytest

from gui import compute_process
from tests.gui.conftest import SMALL
from tests.gui.test_compute_process import served, watched  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def _process_wanted(monkeypatch):
    if not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    # the session's earlier starts (other tests kill processes too) are not this test's crash loop
    monkeypatch.setattr(compute_process, "_starts", [])


def test_a_process_killed_before_it_is_up_is_replaced(watched, qtbot, capfd):  # noqa: F811
    engine, got = watched
    served(engine, got, SMALL, qtbot)
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
    monkeypatch.setattr(compute_process, "MAX_STARTS", 1)  # one start in 3 s, then a pause
    monkeypatch.setattr(compute_process, "RESTART_WINDOW_S", 3.0)
    for gain in (2.0, 3.0):  # the first is replaced; the second, in the same 3 s, is not
        os.kill(engine.remote.pid, signal.SIGKILL)
        served(engine, got, SMALL.replace(gain=gain), qtbot, timeout=15000)
    assert engine.where == "thread" and "computing in the window" in capfd.readouterr().err
    qtbot.wait(3000)
    served(engine, got, SMALL.replace(gain=4.0), qtbot, timeout=15000)
    assert engine.where == "process" and engine.remote.alive
