"""The settled window's objects leave Python's full collections (gui/gc_pause.py, issue 17's
item 6): a full collection scanned every one of them, 34-45 ms of the UI thread at a moment
Python chose, with nothing to free."""

import gc

from gui import gc_pause
from gui.idle import pending


def test_the_settled_window_is_frozen_out_of_full_collections(make_window, qtbot, monkeypatch):
    win = make_window()
    idle_work_left = []  # at the freeze
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: (idle_work_left.append(pending()), freeze()))
    tracked = len(gc.get_objects())
    gc_pause.freeze_when_settled(win)
    win.apply_changes({"depth": 6})
    try:
        qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=20000)
        assert idle_work_left == [False]  # after the window's own idle work, not amid it
        # what a full collection now scans: what came after, not the window and the modules
        assert len(gc.get_objects()) < tracked / 5
        assert gc.get_freeze_count() > tracked / 2
    finally:
        gc_pause.thaw()
    assert gc.get_freeze_count() == 0


def test_qt_objects_are_collected_on_the_ui_thread_not_where_an_allocation_happens(
    make_window, qtbot
):
    """A collection that ran on the frame engine's thread deleted a Qt object there, whose
    ~QObject held Qt's signal lock while it waited for the GIL the UI thread held while waiting
    for that lock: a window frozen for good (random actions, seed 28). With a window made, a
    thread's allocations collect nothing; the UI thread's timer collects the garbage."""
    import threading
    import weakref

    from PySide6.QtCore import QObject

    make_window()
    assert not gc.isenabled()
    gc.collect()
    died_on = []
    garbage = QObject()
    garbage.me = garbage  # a reference cycle: only a collection frees it
    weakref.finalize(garbage, lambda: died_on.append(threading.current_thread().name))
    del garbage

    kept = []

    def allocate():  # far past the first generation's threshold (700), and kept: freed, they
        kept.append([[i] for i in range(50_000)])  # took the count back below it (a CI run)

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    assert died_on == []
    qtbot.waitUntil(lambda: bool(died_on), timeout=5000)
    assert died_on == [threading.main_thread().name]
    kept.clear()
