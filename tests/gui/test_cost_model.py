"""The engine's cost per multiply-add decides how a change's first frame is cut (issue 23's
chunks) and how many examples a drag frame has. A tiny net's frame is milliseconds of its own
(statistics, theory, the pipe) over next to no matmul work: costed, a few of them made a
modest net refine in chunks of 25-44 examples (issue 17's soak found it: the compute process
held other buffers at the same config)."""

from core import Config
from gui.engine import BlasTuner, first_chunk, matmul_work
from tests.gui.conftest import wait_shown

TINY = Config(depth=2, width=32, batch=200)
MODEST = Config(depth=10, width=256, batch=1000)


def test_tiny_frames_leave_the_cost_unmeasured():
    tuner = BlasTuner((1, 2))
    work = matmul_work([TINY], True)
    for n in (1, 2) * BlasTuner.KEEP:
        tuner.record(n, 0.004, work)  # 4 ms: 3e-9 s a multiply-add, were it costed
    assert tuner.cost() is None
    assert first_chunk(tuner.cost(), [MODEST], True) is None


def test_a_modest_net_after_tiny_ones_comes_whole(make_window, qtbot):
    win = make_window(TINY)
    wait_shown(qtbot, win, TINY)
    for init in ("he-normal", "xavier-uniform", "orthogonal", "xavier-normal") * 2:
        win.init_dock.scheme.setCurrentText(init)  # same shape: each frame is costed
        wait_shown(qtbot, win, win.config)
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
