"""The engine's cost per multiply-add decides how a change's first frame is cut (issue 23's
chunks) and how many examples a drag frame has. A tiny or a narrow net's frame is milliseconds of
its own (statistics, theory, the pipe) over little matmul work: costed, a few of them made a
modest net refine in chunks of 25-44 examples (issue 17's soak found it: the compute process
held other buffers at the same config)."""

import pytest

from core import Config
from gui.engine import BlasTuner, first_chunk, layer_work, matmul_work
from tests.gui.conftest import wait_shown

TINY = Config(depth=2, width=32, batch=200)
DEEP_NARROW = Config(depth=200, width=32, batch=200)  # 1.2e8 multiply-adds: work enough
MODEST = Config(depth=10, width=256, batch=1000)


@pytest.mark.parametrize(("net", "seconds"), [(TINY, 0.004), (DEEP_NARROW, 0.040)])
def test_small_or_narrow_frames_leave_the_cost_unmeasured(net, seconds):
    """(seconds: such a frame's on this machine, 3e-9 and 3.4e-10 s a multiply-add)"""
    tuner = BlasTuner((1, 2))
    work = matmul_work([net], True)
    for n in (1, 2) * BlasTuner.KEEP:
        tuner.record(n, seconds, work, layer_work([net]))
    assert tuner.cost() is None
    assert first_chunk(tuner.cost(), [MODEST], True) is None


def test_a_wide_enough_frame_is_costed():
    tuner = BlasTuner((1,))
    for _ in range(BlasTuner.KEEP):
        tuner.record(1, 0.05, matmul_work([MODEST], True), layer_work([MODEST]))
    assert tuner.cost() == pytest.approx(0.05 / matmul_work([MODEST], True))


def test_a_drags_tuner_costs_the_dragged_nets_every_frame():
    """Its cost sizes the same net's next drag frames: a narrow net's is its own."""
    tuner = BlasTuner((1,), every_frame=True)
    work = matmul_work([DEEP_NARROW], True)
    for _ in range(BlasTuner.KEEP):
        tuner.record(1, 0.040, work, layer_work([DEEP_NARROW]))
    assert tuner.cost() == pytest.approx(0.040 / work)


@pytest.mark.parametrize("net", [TINY, DEEP_NARROW])
def test_a_modest_net_after_small_ones_comes_whole(make_window, qtbot, net):
    win = make_window(net)
    wait_shown(qtbot, win, net, timeout=30000)
    for init in ("he-normal", "xavier-uniform", "orthogonal", "xavier-normal") * 2:
        win.init_dock.scheme.setCurrentText(init)  # the same shape: the frame is the engine's
        wait_shown(qtbot, win, win.config, timeout=30000)  # to cost (not for MIN_WORK or layer)
    shown = []
    win.frame_shown.connect(lambda snap: shown.append(snap.refining))
    win.network_dock.depth.setValue(MODEST.depth)
    edit = win.network_dock.width_edit
    edit.setText(str(MODEST.width))
    edit.editingFinished.emit()
    win.network_dock.batch.setValue(MODEST.batch)
    wait_shown(qtbot, win, win.config, timeout=60000)
    assert win.config.replace(init=MODEST.init) == MODEST
    assert shown and not any(shown)  # no frame on part of the batch
