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
