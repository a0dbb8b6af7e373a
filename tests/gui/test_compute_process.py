"""The compute process (gui/compute_process.py): frames made there are the engine thread's frames,
a process that dies leaves a window that keeps computing, and a drag leaves the UI a core."""

import itertools
import os
import signal
import threading
import time

import numpy as np
import pytest

from core import Config
from core.frame import FrameMaker
from gui import compute_process
from gui.compute_process import ComputeProcess, ProcessEnded
from gui.engine import Engine, drag_blas
from tests.core.test_serve import assert_same_frame
from tests.gui.conftest import SMALL, wait_shown
from tests.gui.test_window import assert_plots_match_core

ROWS = ("act", "grad")


def ready(proc: ComputeProcess, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not proc.ready():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def proc():
    p = ComputeProcess()
    yield p
    p.close()


def test_a_real_process_makes_the_frames_this_process_would(proc):
    assert ready(proc)
    for c in (SMALL, SMALL.replace(activation="relu", init="he-normal", gain=1.3)):
        assert_same_frame(proc.make([c], ROWS, 1, False), FrameMaker().make([c], ROWS, 1, False))
    proc.close()
    assert proc.ended  # ended, not left behind
    with pytest.raises(ProcessEnded):
        proc.make([SMALL], ROWS, 1, False)


# A frame of this net takes seconds (40 layers of 1024 × 1024 on 500 examples, forward and
# backward): long enough to be caught in progress, small enough for the default memory limit.
SLOW = Config(depth=40, width=1024, batch=500, activation="tanh", init="orthogonal")


@pytest.fixture
def watched():
    """An engine and the whole-batch A snapshots it has delivered, in order (a big net's first
    frames refine a chunk at a time: those are left out, tests/gui/test_progressive.py)."""
    engine, got = Engine(), []
    engine.snapshot_ready.connect(lambda a, b: None if a.refining else got.append(a))
    yield engine, got
    engine.stop()


def served(engine: Engine, got: list, config: Config, qtbot, timeout=15000) -> None:
    engine.submit(config, rows=ROWS)
    qtbot.waitUntil(lambda: any(s.config == config for s in got), timeout=timeout)


def test_a_killed_process_is_replaced_and_the_next_frame_is_served_within_2_s(
    watched, qtbot, capfd
):
    if not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    engine, got = watched
    served(engine, got, SMALL, qtbot)
    old = engine.remote
    assert engine.where == "process" and old.alive
    os.kill(old.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not old.alive, timeout=10000)
    served(engine, got, SMALL.replace(gain=2.0), qtbot, timeout=2000)
    assert engine.where == "process" and engine.remote.pid != old.pid
    assert compute_process.running() is engine.remote  # the next window shares it
    assert "a new one takes over" in capfd.readouterr().err


def test_a_frame_in_progress_when_its_process_dies_is_made_by_the_new_one(watched, qtbot, capfd):
    if not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    engine, got = watched
    served(engine, got, SMALL, qtbot)
    old = engine.remote
    engine.submit(SLOW, rows=ROWS)
    qtbot.waitUntil(lambda: engine.computing == SLOW, timeout=5000)
    os.kill(old.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: any(s.config == SLOW for s in got), timeout=60000)
    assert engine.where == "process" and engine.remote.pid != old.pid
    assert "a new one takes over" in capfd.readouterr().err


@pytest.mark.parametrize("where", ["process", "thread"])
def test_a_newer_config_abandons_the_frame_in_progress(watched, qtbot, where, monkeypatch):
    """Typed depth 40 × 1024, then 4 × 64 at once: the big frame is left at its next layer and
    never shown; before, every newer config waited behind it (16.6 s for one, issue 17)."""
    if where == "process" and not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    engine, got = watched
    if where == "thread":  # as with no process to be had
        monkeypatch.setenv("INITSCOPE_COMPUTE", "thread")
        engine.remote = None
    served(engine, got, SMALL, qtbot)  # the process is up (the thread: first-call costs paid)
    engine.submit(SLOW, rows=ROWS)
    qtbot.waitUntil(lambda: engine.computing == SLOW, timeout=5000)
    newer = SMALL.replace(gain=1.5)
    served(engine, got, newer, qtbot, timeout=60000)
    qtbot.waitUntil(lambda: engine.idle, timeout=60000)
    assert [s.config for s in got] == [SMALL, newer] and engine.where == where


def test_a_drag_does_not_abandon_the_frame_in_progress(watched, qtbot):
    """Each drag frame would be abandoned by the next and none would ever be shown."""
    engine, got = watched
    slow = SLOW.replace(depth=12)
    served(engine, got, SMALL, qtbot)
    engine.submit(slow, rows=ROWS)
    qtbot.waitUntil(lambda: engine.computing == slow, timeout=5000)
    engine.submit(SMALL.replace(gain=1.5), rows=ROWS, drag=True)
    qtbot.waitUntil(lambda: len(got) == 3, timeout=60000)
    assert [s.config for s in got] == [SMALL, slow, SMALL.replace(gain=1.5)]


def test_the_window_computes_in_the_shared_process_after_its_first_frame(make_window, qtbot):
    if not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    win = make_window()
    shared = compute_process.shared()
    assert shared is not None and ready(shared)
    c = SMALL.replace(gain=1.7)
    win.set_config(c)
    wait_shown(qtbot, win, c)
    assert win.engine.where == "process"
    assert_plots_match_core(win, c)


def test_drag_frames_leave_the_ui_a_core_and_teach_their_own_tuner(make_window, qtbot):
    """And they are made in the compute process when it runs, even when a new window's drag
    starts at its first frame (the engine never idle: it once kept them all on its thread)."""
    running = compute_process.enabled() and compute_process.shared() is not None
    assert not running or ready(compute_process.shared())
    big = SMALL.replace(batch=1000, init="normal")
    win = make_window(big)
    full_costs = sum(len(d) for d in win.engine.tuner.costs.values())
    shown = []
    win.frame_shown.connect(
        lambda snap: shown.append((snap.config.batch, win.engine.blas_threads, win.engine.where))
    )
    slider = win.init_dock.std.slider
    slider.setSliderDown(True)
    for k in range(1, 4):
        slider.setValue(slider.value() + 10)
        qtbot.waitUntil(lambda k=k: len(shown) >= k, timeout=10000)
    slider.setSliderDown(False)
    drags = [n for batch, n, _ in shown if batch < big.batch]
    assert drags and set(drags) == {drag_blas()} == {max(1, (os.cpu_count() or 1) - 1)}
    if running:
        assert {where for *_, where in shown} == {"process"}
    # each drag frame teaches the drag tuner, but the first of a new batch size (the engine's newest shape)
    batches = [big.batch, *(batch for batch, *_ in shown)]
    taught = sum(b == a for a, b in itertools.pairwise(batches) if b < big.batch)
    assert taught >= 1 and sum(len(d) for d in win.engine.drag_tuner.costs.values()) == taught
    assert sum(len(d) for d in win.engine.tuner.costs.values()) == full_costs


def test_the_profile_refreshes_every_100_ms_while_dragging_and_at_once_on_release(
    make_window, qtbot
):
    """The depth profile costs the UI as much as the grid: during a drag it shows the newest
    frame at most every PROFILE_DRAG_MS, never falls behind for good, and the release's frame
    is in it as soon as it is shown."""
    from gui.main_window import PROFILE_DRAG_MS

    big = SMALL.replace(batch=1000, init="normal")
    win = make_window(big)
    slider = win.init_dock.std.slider
    slider.setSliderDown(True)
    refreshed, frames = [], []
    real = win.profile.present

    def spy(snap, side="A"):
        if side == "A":
            refreshed.append(time.perf_counter())
        real(snap, side)

    win.profile.present = spy
    win.frame_shown.connect(lambda snap: frames.append(snap))
    t_end = time.perf_counter() + 1.0
    while time.perf_counter() < t_end:
        slider.setValue(slider.value() + (1 if len(frames) % 2 else -1))
        qtbot.wait(5)
    qtbot.waitUntil(lambda: not win.presenter.pending and win.engine.idle, timeout=5000)
    gaps = np.diff(refreshed) * 1e3
    assert len(frames) > len(refreshed) >= 2 and gaps.min() >= PROFILE_DRAG_MS - 5
    np.testing.assert_array_equal(  # caught up with the newest frame
        win.profile.series("act_std")[1], [s.act_std for s in win.latest.layers]
    )
    slider.setSliderDown(False)
    slider.sliderReleased.emit()
    wait_shown(qtbot, win, win.config)
    np.testing.assert_array_equal(
        win.profile.series("act_std")[1], [s.act_std for s in win.latest.layers]
    )
    assert win.latest.config.batch == big.batch


def test_self_test_checks_the_compute_process():
    from gui.selftest import compute_process_problems

    assert compute_process_problems(Config(depth=2, width=16, batch=32)) == []


def test_an_engine_makes_every_frame_in_the_process_even_with_a_job_always_waiting(qtbot):
    """As in a drag from a window's first frame: each frame ends with the next job waiting. An
    engine that started the process only at an idle moment kept all such frames on its thread
    (a drag at 9.5 frames a second instead of 22-25); every engine now asks for it when made."""
    from PySide6.QtCore import Qt

    if not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    engine = Engine()
    wheres = []
    more = iter([SMALL.replace(gain=1.0 + 0.1 * k) for k in range(1, 4)])

    def next_job(a, b):  # on the worker, before it looks at what waits: never idle
        wheres.append(engine.where)
        c = next(more, None)
        if c is not None:
            engine.submit(c, rows=ROWS)

    engine.snapshot_ready.connect(next_job, Qt.ConnectionType.DirectConnection)
    try:
        engine.submit(SMALL, rows=ROWS)
        qtbot.waitUntil(lambda: len(wheres) == 4, timeout=15000)
    finally:
        engine.stop()
    assert wheres == ["process"] * 4


def test_a_drag_s_next_request_is_sent_while_the_frame_before_it_is_made(proc):
    """compute_process.Follow: the process starts the next drag frame as soon as it has sent
    one, instead of waiting while the window takes that one and asks again. Each answer but the
    last goes to done(), in order; a cancel abandons the frame being made and the one queued."""
    from core.cancel import Cancelled
    from gui.compute_process import Follow

    assert ready(proc)
    a, b = SMALL.replace(gain=1.1), SMALL.replace(gain=1.2)
    asked, answers = [], []

    def ahead():
        asked.append(len(answers))  # how many answers had come when the next was asked for
        return ([b], ROWS, 1, False, None) if len(asked) == 1 else None

    follow = Follow(ahead, answers.append, due=0.0)
    last = proc.make([a], ROWS, 1, False, follow=follow)
    assert asked[0] == 0  # sent before the first answer came
    assert [kind for kind, *_ in answers] == ["frame"]
    assert_same_frame(answers[0][1], FrameMaker().make([a], ROWS, 1, False))
    assert_same_frame(last, FrameMaker().make([b], ROWS, 1, False))
    assert not follow.sent and follow.due is not None and follow.due > 0  # paced by the last

    answers.clear()
    follow = Follow(
        lambda: ([SMALL], ROWS, 1, False, None) if not answers else None, answers.append, 0.0
    )
    timer = threading.Timer(0.3, proc.cancel)
    timer.start()
    with pytest.raises(Cancelled):
        proc.make([SLOW], ROWS, 1, False, follow=follow)
    timer.join()
    assert answers == [("cancelled",)]
    assert_same_frame(proc.make([a], ROWS, 1, False), FrameMaker().make([a], ROWS, 1, False))

    # the engine had asked to abandon before the next request had a number: it is abandoned too
    answers.clear()
    follow = Follow(lambda: ([a], ROWS, 1, False, None), answers.append, 0.0, lambda: True)
    with pytest.raises(Cancelled):
        proc.make([SLOW], ROWS, 1, False, follow=follow)
    assert answers == [("cancelled",)]

    def broken(answer):
        raise RuntimeError("a bug in the caller's done()")

    # an error between two answers: the process is stopped, not left to answer the next request
    with pytest.raises(RuntimeError):
        proc.make(
            [a], ROWS, 1, False, follow=Follow(lambda: ([b], ROWS, 1, False, None), broken, 0.0)
        )
    with pytest.raises(ProcessEnded):
        proc.make([a], ROWS, 1, False)


def test_a_drag_s_frames_sent_ahead_are_shown_in_order_and_the_release_after_them(
    watched, qtbot, monkeypatch
):
    """The engine sends a drag's next job while the frame before it is made (from the second
    frame of a drag on: the first sets the pace); each job asked for while the one before it was
    being made is shown, in order, and the release's frame after them."""
    if not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    engine, got = watched
    served(engine, got, SMALL, qtbot)
    asked = []
    real = engine.remote.make
    monkeypatch.setattr(engine.remote, "make", lambda *a, **k: asked.append(1) or real(*a, **k))
    net = SLOW.replace(depth=6, batch=256)
    drags = [net.replace(gain=1.0 + 0.05 * k) for k in range(6)]
    for c in drags:
        engine.submit(c, rows=ROWS, drag=True)
        qtbot.waitUntil(lambda c=c: engine.computing == c or got[-1].config == c, timeout=20000)
    qtbot.waitUntil(lambda: got[-1].config == drags[-1], timeout=20000)
    released = net.replace(gain=2.0)
    engine.submit(released, rows=ROWS)
    qtbot.waitUntil(lambda: got[-1].config == released and engine.idle, timeout=60000)
    assert [s.config for s in got[1:]] == [*drags, released]
    assert len(asked) < len(drags) + 1  # unchained, a make per drag job and one for the release


def test_a_process_that_ends_in_a_drag_s_chain_is_replaced_by_one_that_makes_the_newest_job(
    watched, qtbot, capfd
):
    """The next drag job was sent ahead when the process died: the new process makes that job,
    not the one already shown again."""
    from PySide6.QtCore import Qt

    if not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    engine, got = watched
    net = SLOW.replace(depth=6, batch=256)
    d0, d1, d2 = (net.replace(gain=g) for g in (1.0, 1.1, 1.2))
    for c in (SMALL, net, d0):  # (the net's draws made, then a drag frame sets the pace)
        engine.submit(c, rows=ROWS, drag=c is d0)
        qtbot.waitUntil(lambda c=c: bool(got) and got[-1].config == c, timeout=20000)

    def kill_at_d1(a, b):  # on the worker, as done() delivers d1: d2 is in the pipe by then
        if a.config == d1:
            os.kill(engine.remote.pid, signal.SIGKILL)

    engine.snapshot_ready.connect(kill_at_d1, Qt.ConnectionType.DirectConnection)
    engine.submit(d1, rows=ROWS, drag=True)
    qtbot.waitUntil(lambda: engine.computing == d1, timeout=20000)
    engine.submit(d2, rows=ROWS, drag=True)
    qtbot.waitUntil(lambda: got[-1].config == d2 and engine.idle, timeout=60000)
    assert [s.config for s in got[2:]] == [d0, d1, d2]
    assert "a new one takes over" in capfd.readouterr().err
