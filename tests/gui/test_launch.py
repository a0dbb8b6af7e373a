"""Issue #6, launch to first frame: the launch does only what its first frame shows."""

from gui.views.layer_grid import LayerGrid


def test_grid_paints_nothing_before_its_first_snapshot(make_window, qtbot):
    """Empty panels were painted (160-210 ms) and at once repainted with the first frame."""
    grid = LayerGrid()
    qtbot.addWidget(grid)
    grid.prepare((1, 2, 3))
    assert not grid.updatesEnabled()
    win = make_window()
    assert win.grid.updatesEnabled()
