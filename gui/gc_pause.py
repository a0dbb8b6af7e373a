"""Python's full collections kept short: the settled window's objects are frozen out of them.

A full (generation 2) collection scans every object the collector tracks. A settled canonical
window tracks about 85,000 (the modules', the window's widgets and plot items): one collection
took 34-45 ms of the UI thread with nothing to free (2026-12-06), at whatever moment Python's
allocation counts chose, on top of an action's own work (issue 17's item 6: a scene switch's
60 ms became 100). What the launch made lives as long as the window, so once the first frame is
shown and the work left for idle turns is done, it is collected once and frozen (gc.freeze):
later full collections scan only what came after, 1.6-2 ms on the same window. The cost: what
of the frozen set later dies in a reference cycle is never freed, with what it then holds (the
views the launch made ahead and a later layout replaces: each once, not again and again; the
soak's malloc in use stayed flat, 47.6 → 48.1 MiB over 500 changes). `thaw` before the window
is disposed gives the exit its usual collection.

Collections run on the UI thread only (`on_ui_thread`): left automatic, one came wherever an
allocation count crossed its threshold, the frame engine's thread too (unpickling a frame); it
collected a Qt object there whose ~QObject held Qt's signal lock while it waited for the GIL, which
the UI thread held while it waited for that lock: the window froze for good (the random-actions
test at seed 28, 2026-12-06; py-spy's stacks in benchmarks/README.md, session 18).
pyqtgraph's GarbageCollector turns the automatic collector off and collects on a UI-thread timer.
"""

from __future__ import annotations

import gc

from gui.idle import Later, pending

TURNS_MAX = 200  # idle turns to wait for the window's own idle work before freezing anyway
COLLECT_S = 1.0  # how often the UI thread collects what the thresholds ask for

_collector = None


def on_ui_thread() -> None:
    """Python's collections from now on in the UI thread's timer turns only (call it there)."""
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=COLLECT_S)


def freeze_when_settled(win) -> None:
    """Collect and freeze once `win` has shown a frame and its idle-turn work is done."""
    turns = [0]

    def first(_snap) -> None:
        win.frame_shown.disconnect(first)
        later.start()

    def attempt() -> None:
        turns[0] += 1
        if pending() and turns[0] < TURNS_MAX:  # the window still has idle work: after it
            later.start()
            return
        gc.collect()
        gc.freeze()

    later = Later(attempt, win)
    win.frame_shown.connect(first)


def thaw() -> None:
    gc.unfreeze()
