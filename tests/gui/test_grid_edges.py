"""A linear panel keeps its bin edges from frame to frame (it no longer makes them anew each
frame): they must still be the core's own whenever the range or the bin count changes."""

import numpy as np

from core import Config, Simulator
from gui.views.layer_grid import LayerGrid


def test_a_linear_panel_draws_the_core_bins_through_range_and_bin_count_changes(qtbot):
    grid = LayerGrid()
    grid.blend = False
    qtbot.addWidget(grid)
    grid.resize(900, 500)
    grid.show()
    sim = Simulator()
    base = Config(depth=3, width=32, batch=64, activation="linear")
    # the same range twice (kept edges), a wider one (a larger gain), fewer and more bins, then
    # each layer its own range
    configs = [
        base,
        base.replace(seed=1),
        base.replace(gain=3.0),
        base.replace(gain=3.0, bins=21),
        base.replace(gain=3.0, bins=101),
        base.replace(hist_scale="layer"),
    ]
    for c in configs:
        snap = sim.run(c, rows=("act", "grad"))
        grid.present(snap)
        for s in snap.layers:
            h = s.hists["act"]
            edges, heights = grid.curve_data("act", s.index)
            np.testing.assert_allclose(edges, h.edges, rtol=0, atol=1e-12)
            np.testing.assert_allclose(heights, h.counts / h.sampled)
