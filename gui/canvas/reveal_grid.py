"""A layer grid's panels as a staged scene shows them (issue 20): the canvas's histograms and the
window's grid standing in for them (gui/canvas/grid_fallback.py) both draw through it.

The grid draws the whole frame; then each panel not yet revealed is emptied (its curves, its B
side, its theory and notes; its title only names the layer), and the newest grows in, its
heights scaled by the fade. Axes, ranges and places stay: the grid does not move as the reveal
goes on.
"""

from __future__ import annotations

from gui.canvas import reveal_mask


def mask(grid, frame) -> None:
    """Apply `frame.reveal` to what `grid` (a gui.views.layer_grid.LayerGrid) has just drawn."""
    if frame is None or frame.reveal is None:
        return
    for (row, layer), p in grid.panels.items():
        share = reveal_mask.amount(frame, row, layer)
        if share >= 1.0 or p.target is None or p.edges is None:
            continue
        if share <= 0.0:
            _empty(p, grid)
        else:
            _scaled(p, share)


def _empty(p, grid) -> None:
    p.curve.setData(p.edges[:1], p.shown[:0])
    p.curve.set_fill(None)
    for item in (p.curve_b, p.curve_theory, *p.notes.values()):
        if item is not None:
            item.hide()
    if p.title:
        p.set_title(((p.title[0][0],),), grid.panel_type)  # "L5": its layer, no σ


def _scaled(p, share: float) -> None:
    p.curve.setData(p.edges, p.shown * share)
    if p.target_negative is not None:
        p.curve.set_fill(p.target_negative * share, p.fill_color())
    if p.curve_b is not None and p.curve_b.isVisible():
        x, y = p.curve_b.getData()
        p.curve_b.setData(x, y * share)
