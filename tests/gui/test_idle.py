"""gui/idle.py: work left for later runs after what was due when it was asked for."""

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from gui.idle import Later


def test_later_runs_after_what_came_due_before_it(qtbot):
    """Asked for first, a Later still runs after a zero-delay timer started after it: it waits
    until the loop has handled everything due (a plain zero-delay timer would run first)."""
    order = []
    later = Later(lambda: order.append("later"))
    other = QTimer()
    other.setSingleShot(True)
    other.setInterval(0)
    other.timeout.connect(lambda: order.append("other"))

    def ask():
        later.start()
        other.start()

    QTimer.singleShot(0, ask)
    qtbot.waitUntil(lambda: len(order) == 2)
    assert order == ["other", "later"]


def test_later_runs_once_however_often_asked_and_not_when_stopped(qtbot):
    runs = []
    later = Later(lambda: runs.append(1))
    for _ in range(3):
        later.start()
    assert later.isActive()
    qtbot.waitUntil(lambda: not later.isActive())
    assert runs == [1]
    later.start()
    later.stop()
    loop = QEventLoop()
    QTimer.singleShot(120, loop.quit)  # past the fallback: nothing may come
    loop.exec()
    assert runs == [1] and not later.isActive()


def test_laters_armed_together_run_in_turns_of_their_own(qtbot):
    """Three Laters armed in one turn ran back to back in one timer pass (a panel slice, the
    canvas's prebuild and the heap's trim: one stall): one goes at each wait of the loop, in
    the order they were armed."""
    from PySide6.QtCore import QAbstractEventDispatcher

    turns, ran = [0], []
    dispatcher = QAbstractEventDispatcher.instance()
    count = lambda: turns.__setitem__(0, turns[0] + 1)  # noqa: E731
    dispatcher.aboutToBlock.connect(count)
    laters = [Later(lambda k=k: ran.append((k, turns[0]))) for k in range(3)]
    for later in laters:
        later.start()
    qtbot.waitUntil(lambda: len(ran) == 3)
    dispatcher.aboutToBlock.disconnect(count)
    assert [k for k, _ in ran] == [0, 1, 2]
    assert len({turn for _, turn in ran}) == 3, ran


def test_a_later_started_last_goes_after_those_armed_since_it_was(qtbot):
    """A held paint's thaw armed before a grid's row fill must run after the fill's last row:
    started again with `last`, a Later moves behind the ones armed meanwhile; without it, it
    keeps its place."""
    ran = []
    first, second, third = (Later(lambda k=k: ran.append(k)) for k in "abc")
    first.start()
    second.start()
    first.start()  # no move
    third.start()
    first.start(last=True)
    qtbot.waitUntil(lambda: len(ran) == 3)
    assert ran == ["b", "c", "a"]


def test_later_runs_when_the_loop_never_waits(qtbot):
    """A script that only pumps processEvents never lets the loop wait: the work comes after
    the fallback delay all the same."""
    runs = []
    later = Later(lambda: runs.append(1))
    later.start()
    for _ in range(100_000):
        QApplication.processEvents()
        if runs:
            break
    assert runs == [1]


def test_delete_later_frees_one_object_an_idle_turn(qtbot):
    """Deleting spare panels back to back with a new frame's paint was one stall: each goes in
    an idle turn of its own (the loop about to wait between two), none in the call, all in the
    end."""
    import pyqtgraph as pg
    from PySide6.QtCore import QAbstractEventDispatcher

    from gui import heap

    turns, deleted_in = [0], []
    dispatcher = QAbstractEventDispatcher.instance()
    count = lambda: turns.__setitem__(0, turns[0] + 1)  # noqa: E731
    dispatcher.aboutToBlock.connect(count)
    plots = [pg.PlotItem() for _ in range(3)]
    for p in plots:
        p.destroyed.connect(lambda *_: deleted_in.append(turns[0]))
        heap.delete_later(p)
    assert deleted_in == []  # not in the call
    qtbot.waitUntil(lambda: len(deleted_in) == 3)
    dispatcher.aboutToBlock.disconnect(count)
    assert len(set(deleted_in)) == 3, deleted_in  # three turns, not one
