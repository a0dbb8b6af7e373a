"""The newest frame and who sees it: the Presenter, and the View protocol every view follows.

The engine (a config's snapshots) and the training room (a training record) both hand frames to
`Presenter.show`; the presenter keeps the newest, with the mean-field theory of its config, and
gives every view the same `ViewFrame` through `present(frame)`. A view declares what it needs:
`needs`, the state aspects whose change brings it the newest frame again ("rows", "axes",
"theory", "focus", "editing", "scale", "phase", "reveal"), and `throttled`, whether it refreshes at most
every DRAG_REFRESH_MS while a hand drags a slider. Adding a view is one class and one row of the
window's table of views (MainWindow.VIEWS, or `MainWindow.add_view`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from core import Config, Snapshot
from core.frame import Theory
from core.reveal import Reveal
from gui.views.layer_grid import has_rows

# a throttled view's refresh period while a hand drags a slider: the depth profile's ten-point
# curves cost the UI as much as the grid's twenty panels (present 7 ms, paint 8 ms twice a frame,
# measured in a drag), time the grid's frames need more; the release's frame is shown at once
DRAG_REFRESH_MS = 100
# what a view may need, by the state's fields that change it
ASPECTS = {
    "rows": "rows", "per_layer_y": "axes", "x_axis": "axes", "theory": "theory", "focus_layer": "focus",
    "editing": "editing", "phase_shown": "phase", "reveal": "reveal", "picked": "reveal",
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class ViewFrame:
    """What every view is given: the snapshots and the state they are shown in."""

    a: Snapshot
    b: Snapshot | None = None
    theory: Theory | None = None  # a's mean-field theory; None: none for it (yet)
    overlay: bool = False  # the theory's curves are wanted (the box ticked, an init-time frame)
    rows: tuple[str, ...] = ("act", "grad")
    per_layer_y: bool = False
    x_axis: str = "auto"  # gui/state.py X_AXES
    editing: str = "A"
    focus_layer: int = 0
    dragging: bool = False  # a hand holds a slider: the frame is one of a drag's
    motion: bool = False  # a drag, an animation, training or a recording: frames are not blended
    batch: int = 0  # the window's own batch (a drag's frames have fewer examples)
    step: int | None = None  # a training record's step; None for the engine's frames
    reveal: Reveal | None = None  # a staged scene's layers shown yet (core/reveal.py); None: all
    picked: int | None = None  # the room's answer to the scene's question, if it has one

    @property
    def edited(self) -> Snapshot:
        """The snapshot of the side the docks edit."""
        return self.b if self.editing == "B" and self.b is not None else self.a


class View(Protocol):
    needs: frozenset[str]
    throttled: bool

    def present(self, frame: ViewFrame) -> None: ...

    def prepare(self, config: Config, rows: tuple[str, ...]) -> None:
        """A frame of this config is being computed: build what it will need meanwhile."""


class ViewBase:
    """Defaults of the View protocol, for views to inherit."""

    needs: frozenset[str] = frozenset()
    throttled = False

    def prepare(self, config: Config, rows: tuple[str, ...]) -> None:
        pass


class Presenter(QObject):
    shown = Signal(object)  # the A snapshot the views now show

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.views: dict[str, View] = {}
        self.latest: Snapshot | None = None
        self.latest_b: Snapshot | None = None
        self.theory: Theory | None = None
        self.step: int | None = None
        self.source = "engine"  # whose frames the views show: "engine" or "training"
        self.recording = False  # a recording steps the frames: no blending
        self._throttled_at = 0.0
        self._waiting: list[View] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._throttled_due)
        state.changed.connect(self._state_changed)

    def add(self, name: str, view: View) -> None:
        """A view joins; it is shown the newest frame at once."""
        self.views[name] = view
        if self.latest is not None:
            self._present([view], announce=False)

    def show(self, a: Snapshot, b: Snapshot | None = None, source="engine", step=None) -> bool:
        """A new frame from `source`; dropped (False) while the views show the other source's."""
        if source != self.source:
            return False
        self.latest, self.latest_b, self.step = a, b, step
        self._present(list(self.views.values()))
        return True

    def set_theory(self, theory: Theory) -> None:
        """The engine's theory arrives just before its snapshot; for the frame already shown
        (a phase grid asked for), the views that draw it are refreshed."""
        self.theory = theory
        if self.latest is not None and theory.config == self.latest.config:
            self.refresh({"theory"}, announce=False)

    def refresh(self, what: set[str] | frozenset[str], announce: bool = True) -> None:
        """The newest frame again, for the views that need what changed."""
        if self.latest is not None:
            self._present([v for v in self.views.values() if v.needs & what], announce)

    def _state_changed(self, what: frozenset[str]) -> None:
        aspects = {ASPECTS[k] for k in what if k in ASPECTS}
        if aspects:  # a new row or axis is a frame shown anew; the rest only redraws a part
            self.refresh(aspects, announce=bool(aspects & {"rows", "axes"}))

    def expect(self, config: Config, rows: tuple[str, ...]) -> None:
        for view in self.views.values():
            view.prepare(config, rows)

    @property
    def pending(self) -> bool:
        """A throttled view waits for its refresh."""
        return self._timer.isActive()

    def frame(self) -> ViewFrame | None:
        a, s = self.latest, self.state
        if a is None:
            return None
        engine = self.source == "engine"
        dragging = engine and s.dragging
        return ViewFrame(
            a, self.latest_b,
            theory=self.theory if self.theory is not None and self.theory.config == a.config
            else None,
            overlay=engine and s.theory, rows=s.rows, per_layer_y=s.per_layer_y, x_axis=s.x_axis,
            editing=s.editing, focus_layer=s.focus_layer, dragging=dragging,
            motion=dragging or not engine or self.recording or s.animation.mode != "off",
            batch=s.config.batch, step=self.step, reveal=s.reveal if engine else None,
            picked=s.picked,
        )  # fmt: skip

    def _present(self, views: list[View], announce: bool = True) -> None:
        """Every view shows the frame; none does if it lacks the rows now shown: a frame with
        them is on its way (a rescale or a row ticked before it arrived once raised KeyError
        midway through entering the presentation view, leaving it stuck, issue 17)."""
        frame = self.frame()
        if frame is None or not has_rows(frame.a, frame.rows):
            return
        throttled = [v for v in views if v.throttled]
        for view in views:
            if not view.throttled:
                view.present(frame)
        if throttled:
            self._present_throttled(throttled, frame)
        if announce:
            self.shown.emit(frame.a)

    def _present_throttled(self, views: list[View], frame: ViewFrame) -> None:
        wait = DRAG_REFRESH_MS - (time.perf_counter() - self._throttled_at) * 1e3
        if frame.dragging and wait > 0:
            self._waiting.extend(v for v in views if v not in self._waiting)
            if not self._timer.isActive():
                self._timer.start(max(1, round(wait)))
            return
        self._timer.stop()
        self._waiting.extend(v for v in views if v not in self._waiting)
        self._throttled_due(frame)

    def _throttled_due(self, frame: ViewFrame | None = None) -> None:
        frame = frame or self.frame()
        views, self._waiting = self._waiting, []
        if frame is None:
            return
        for view in views:
            view.present(frame)
        self._throttled_at = time.perf_counter()
