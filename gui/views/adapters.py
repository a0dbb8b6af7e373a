"""present(frame) for the views whose own API takes snapshots: the depth profile (both sides and
the theory's predicted std) and the statistics table (the edited side)."""

from __future__ import annotations

from gui import paint_later
from gui.presenter import ViewBase, ViewFrame
from gui.views.depth_profile import DepthProfile
from gui.views.stats_table import StatsTable


class ProfileView(ViewBase):
    needs = frozenset({"theory"})
    throttled = True  # its curves cost the UI as much as the grid's panels (presenter.py)

    def __init__(self, profile: DepthProfile):
        self.profile = self.widget = profile

    def present(self, f: ViewFrame) -> None:
        p = self.profile
        # painted in a turn of its own: each scene that takes a change paints the window in the
        # same pass of posted events (paint_later.py), and the grid's paint, then this one's,
        # followed the frame's present with no click let in (8-29 ms more, 2026-12-06, issue 17)
        paint_later.hold(p)
        p.present(f.a)
        if f.b is not None:
            p.present(f.b, side="B")
        else:
            p.clear_side("B")
        if not f.overlay:
            p.show_theory(None)
        elif f.theory is not None:  # else the old curve stays until this frame's theory comes
            p.show_theory(f.theory.prediction)


class StatsView(ViewBase):
    needs = frozenset({"editing"})

    def __init__(self, table: StatsTable):
        self.table = self.widget = table

    def present(self, f: ViewFrame) -> None:
        self.table.present(f.edited)
