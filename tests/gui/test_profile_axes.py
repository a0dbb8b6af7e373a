"""The depth profile's activation plot switching to a log axis: the curves it held must not be
log-transformed on the way (a mean below 0 everywhere became all NaN, and pyqtgraph's bounds
raised "All-NaN slice" in a paint: a flaky failure of the random-changes test)."""

import dataclasses

from PySide6.QtWidgets import QApplication

from core import Config, run
from gui.views.depth_profile import MARKERS_MAX_DEPTH, DepthProfile


def with_layers(snap, values):
    layers = tuple(dataclasses.replace(s, **values(s.index)) for s in snap.layers)
    return dataclasses.replace(snap, layers=layers)


def test_a_switch_to_a_log_axis_with_negative_means_paints_without_nan(qtbot):
    profile = DepthProfile()
    qtbot.addWidget(profile)
    profile.resize(600, 400)
    profile.show()
    snap = run(Config(depth=6, width=32, batch=64))
    linear = with_layers(snap, values=lambda i: {"act_mean": -0.5, "act_std": 0.5 + 0.01 * i})
    spread = with_layers(snap, values=lambda i: {"act_mean": -0.5, "act_std": 10.0 ** (-i)})
    profile.present(linear)
    profile.grab()
    profile.present(spread)  # the stds span 5 decades: a log axis; the mean leaves it
    profile.grab()
    QApplication.processEvents()
    _, ys = profile.series("act_std")
    assert list(ys) == [10.0 ** (-i) for i in range(1, 7)]
    profile.present(linear)
    profile.grab()


def test_a_deep_nets_profile_is_lines_without_a_marker_a_layer(qtbot):
    """At depth 200 a marker a layer smears the line (and cost a drag frame 10 ms)."""
    profile = DepthProfile()
    qtbot.addWidget(profile)
    shallow = run(Config(depth=6, width=32, batch=16))
    deep = run(Config(depth=MARKERS_MAX_DEPTH + 1, width=32, batch=16))
    for snap, marked in ((shallow, True), (deep, False), (shallow, True)):
        profile.present(snap)
        assert {c.opts["symbol"] is not None for c in profile.curves.values()} == {marked}
        assert len(profile.series("act_std")[1]) == len(snap.layers)  # the data all there


def test_the_depth_profile_paints_in_a_turn_after_the_frame(make_window, qtbot):
    """Issue 17's scene switch: the grid's scene, then the depth profile's, each painted the
    window in the pass of posted events that presented the frame (8-29 ms more with no click
    let in). The profile takes the frame, a timer due then gets its turn, and it paints after."""
    from gui import paint_later
    from tests.gui.conftest import SMALL, wait_shown
    from tests.gui.paint_order import paint_order

    win = make_window()
    config = dataclasses.replace(SMALL, seed=SMALL.seed + 1)
    with paint_order(win.profile) as (events, mark):
        win.presenter.shown.connect(mark)
        win.network_dock.seed.setValue(config.seed)
        wait_shown(qtbot, win, config)
        qtbot.waitUntil(lambda: "paint" in events)
    assert events.index("timer") < events.index("paint"), events[:6]
    qtbot.waitUntil(lambda: not paint_later.holding())
    _, y = win.profile.series("act_std")
    assert y.tolist() == [s.act_std for s in win.latest.layers]  # the new frame's
