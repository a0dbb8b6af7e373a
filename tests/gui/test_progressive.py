"""Progressive frames (issue 23): a change's first frame is computed on as many examples as fit the
frame budget, then refined a chunk at a time to the whole batch; a newer change cancels the rest.

The budget is made tiny here (monkeypatched) so that every net refines, whatever the machine's
speed: nothing below is timed."""

from __future__ import annotations

import numpy as np
import pytest

from core import Config, stats
from core.simulate import Simulator, run_joint
from gui import compute_process
from gui import engine as engine_module
from gui.engine import Engine, first_chunk
from tests.gui.conftest import wait_shown

BIG = Config(depth=4, width=256, batch=400, activation="tanh")
ROWS = ("preact", "act", "grad")


@pytest.fixture
def tiny_budget(monkeypatch):
    monkeypatch.setattr(engine_module, "FRAME_BUDGET_S", 1e-9)  # chunks of MIN_CHUNK, evened out


@pytest.fixture
def watched(tiny_budget):
    engine, got = Engine(), []
    engine.snapshot_ready.connect(lambda a, b: got.append(a))
    yield engine, got
    engine.stop()


def ranges_of(snap: stats.Snapshot) -> list[list[dict]]:
    return [[{r: (h.lo, h.hi) for r, h in s.hists.items()} for s in snap.layers]]


@pytest.mark.parametrize("where", ["process", "thread"])
def test_a_refinement_completes_to_the_whole_batch_frame(watched, qtbot, where, monkeypatch):
    if where == "process" and not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    engine, got = watched
    if where == "thread":  # as with no process to be had
        monkeypatch.setenv("INITSCOPE_COMPUTE", "thread")
        engine.remote = None
    else:  # up before the first frame (on a loaded machine it can take more than FIRST_WAIT_S)
        qtbot.waitUntil(lambda: engine.remote is not None and engine.remote.ready(), timeout=60000)
    size = first_chunk(None, [BIG], True)
    assert size is not None and size < BIG.batch
    engine.submit(BIG, rows=ROWS)
    qtbot.waitUntil(lambda: bool(got) and not got[-1].refining, timeout=120000)
    whole = [s for s in got if len(s.layers) == BIG.depth]  # (not the first layers' previews)
    seen = [s.examples for s in whole]  # the first chunk's, some later ones', the last
    assert seen[0] == size and seen == sorted(set(seen)) and seen[-1] == BIG.batch
    assert all(s.refining for s in got[:-1]) and engine.where == where
    final = got[-1]
    one = run_joint([Simulator()], [BIG], ROWS, ranges=ranges_of(final))[0]
    for a, b in zip(final.layers, one.layers, strict=True):
        assert a.act_std == pytest.approx(b.act_std, rel=1e-6)
        assert a.grad_std == pytest.approx(b.grad_std, rel=1e-6)
        for row in ROWS:
            assert np.array_equal(a.hists[row].counts, b.hists[row].counts), (a.index, row)


@pytest.mark.parametrize("where", ["process", "thread"])
def test_a_newer_config_cancels_a_refinement(watched, qtbot, where, monkeypatch):
    """The rest of the first net's batch is never computed once a newer config is waiting."""
    if where == "process" and not compute_process.enabled():
        pytest.skip("INITSCOPE_COMPUTE=thread")
    engine, got = watched
    if where == "thread":  # as with no process to be had
        monkeypatch.setenv("INITSCOPE_COMPUTE", "thread")
        engine.remote = None
    else:  # up before the first frame (on a loaded machine it can take more than FIRST_WAIT_S)
        qtbot.waitUntil(lambda: engine.remote is not None and engine.remote.ready(), timeout=60000)
    big = BIG.replace(batch=4000)  # 500 chunks: the newer config comes long before its end
    engine.submit(big, rows=ROWS)
    qtbot.waitUntil(lambda: any(s.config == big for s in got), timeout=120000)
    newer = BIG.replace(depth=2, batch=40, gain=1.5)  # small: one frame, no refinement
    engine.submit(newer, rows=ROWS)
    qtbot.waitUntil(lambda: bool(got) and got[-1].config == newer, timeout=120000)
    qtbot.waitUntil(lambda: engine.idle, timeout=120000)
    firsts = [s for s in got if s.config == big]
    assert all(s.refining for s in firsts) and firsts[-1].examples < big.batch
    assert got[-1].config == newer and not got[-1].refining


def test_the_window_says_how_many_examples_while_it_refines(make_window, tiny_budget, qtbot):
    """Typed in the Network dock: the status bar shows 'n of N examples' until the whole batch
    is in, then the batch; the views end on the whole batch's frame."""
    win = make_window(BIG.replace(depth=2))
    qtbot.waitUntil(lambda: win.compute.up_to_date, timeout=60000)
    labels = []
    win.frame_shown.connect(lambda snap: labels.append(win.batch_label.text()))
    win.network_dock.depth.setValue(BIG.depth)
    wait_shown(qtbot, win, BIG, timeout=60000)
    qtbot.waitUntil(lambda: win.compute.up_to_date, timeout=60000)
    assert any(t.endswith(f"of {BIG.batch} examples") for t in labels), labels
    assert labels[-1] == f"batch {BIG.batch}"
    assert win.compute.up_to_date


def test_the_drag_batch_follows_the_cost_model_at_every_size():
    """Issue 23: at depth 200 the canonical floor of 50 examples made a drag frame seconds long;
    the floor falls with the work per example (not below MIN_CHUNK), the canonical net's stays."""
    from gui.engine import MIN_CHUNK, MIN_DRAG_BATCH, drag_batch

    cost = 2e-11  # seconds per multiply-add
    canonical = Config(depth=10, width=500, batch=1000)
    assert drag_batch(cost, [canonical], True, 250) >= MIN_DRAG_BATCH
    deep = canonical.replace(depth=200)
    assert MIN_CHUNK <= drag_batch(cost, [deep], True, 250) < MIN_DRAG_BATCH
    assert drag_batch(cost, [deep.replace(width=2048, depth=50)], True, 250) == MIN_CHUNK
    # before any frame has measured the cost: the cap for the canonical net, not for a deep one
    assert drag_batch(None, [canonical], True, 250) == 250
    assert MIN_CHUNK <= drag_batch(None, [deep], True, 250) < MIN_DRAG_BATCH


def test_a_deep_nets_first_layers_show_in_its_overview(make_window, qtbot, monkeypatch):
    """A preview of a deep net's first layers (core/preview.py) goes to the overview the whole
    net will fill, its layer axis already the net's depth, and the status bar says which layers
    these are; the whole net's frame then fills it."""
    from core import frame

    monkeypatch.setattr(frame, "FIRST_PREVIEW_S", 0.0)
    monkeypatch.setattr(frame, "PREVIEW_GROWTH", 0.0)
    monkeypatch.setattr(frame, "REFINE_EVERY_S", 0.0)
    deep = Config(depth=14, width=128, batch=200, activation="tanh")
    win = make_window(deep.replace(depth=2))
    qtbot.waitUntil(lambda: win.compute.up_to_date, timeout=60000)
    got = []
    frame.FrameMaker().make([deep], ROWS, 1, False, chunk=40, partial=got.append)
    preview = next(f.snaps[0] for f in got if len(f.snaps[0].layers) == 3)
    win.presenter.show(preview, None)
    assert win.batch_label.text() == f"layers 1-3 of {deep.depth} · 40 of {deep.batch} examples"
    assert win.central.currentIndex() == 1  # the overview, not a grid of three panels
    y_range = win.central.overview.plot("A", "act").viewRange()[1]
    assert y_range == pytest.approx([0.5, deep.depth + 0.5])
