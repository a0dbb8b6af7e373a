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
