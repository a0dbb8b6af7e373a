"""A layer grid row's y range: one for all its panels (their heights compare), or one a panel,
grown at once and shrunk only when the data fall well below it, so axes never jitter."""

from __future__ import annotations

from gui.theme import band_color
from gui.views import log_axis
from gui.views.grid_items import _Panel
from gui.views.panel_text import _nice_top, _place_outside
from gui.views.panel_type import PanelType, line_spacing

SHRINK_BELOW = 0.4  # shrink the y range only when the peak falls below this share of it


def sync_row(panels: list[_Panel], per_layer: bool, kind: PanelType) -> None:
    """The row's panels (their targets set) on their y range: shared, or each its own."""
    peaks = [max(float(p.target.max()) if p.target.size else 0.0, p.target_b_peak) for p in panels]
    groups = [[p] for p in panels] if per_layer else [panels]
    peak_of = dict(zip(map(id, panels), peaks, strict=True))
    for group in groups:
        peak = max(peak_of[id(p)] for p in group)
        current = group[0].ymax
        if peak > current or peak < SHRINK_BELOW * current or current == 0:
            ymax = _nice_top(peak)
            for p in group:
                p.ymax = ymax
                p.plot.setYRange(0, ymax, padding=0)
                p.curve.set_guides(p.ticks, ymax)
                p.curve.set_bands(p.bands, ymax, band_color())
                _place_outside(p)
            _y_ticks(group, ymax, kind)


def _y_ticks(group: list[_Panel], ymax: float, kind: PanelType) -> None:
    """0 and the top, and the middle where the panel is tall enough and it is round: labels
    that never run into each other on a short panel (pyqtgraph put five in 50 px)."""
    ticks = [(0.0, "0"), (ymax, log_axis.short(ymax))]
    mid = log_axis.short(ymax / 2)
    spacing = line_spacing(kind.font("tick"))
    if len(mid) <= 4 and group[0].plot.vb.height() >= 5 * spacing:
        ticks.insert(1, (ymax / 2, mid))
    for p in group:
        if p.place is not None and p.place[1] == 1 and p.yticks != ticks:
            p.plot.getAxis("left").setTicks([ticks])
            p.yticks = ticks
