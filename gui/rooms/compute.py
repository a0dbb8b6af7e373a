"""The engine's side of the window: the state's configs become jobs, the engine's frames go to the
presenter. Nothing here computes (gui/engine.py's worker and compute process do)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core import Snapshot
from core.frame import Theory
from core.simulate import needs_backward
from gui.engine import Engine, Job, drag_batch
from gui.views.layer_grid import has_rows

DRAG_BATCH = 250  # the most examples a frame has while a slider is held (refined on release)
SUBMIT_ON = frozenset({"config", "compare", "dragging"})


class Compute(QObject):
    arrived = Signal()  # an engine frame for the views, just before they show it

    def __init__(self, state, presenter, messages, parent=None):
        super().__init__(parent)
        self.state, self.presenter, self.messages = state, presenter, messages
        self.engine = Engine(self)
        self.awaiting = False  # a job was submitted and its frame has not come back
        self._phase_asked: str | None = None  # the activation a phase grid was last asked for
        self._phase_had: str | None = None  # the activation of the newest phase grid
        # The first frame computes while the window is built (submit does not ask for it again).
        # It is a preview on DRAG_BATCH examples, the full batch following at once: the same
        # picture (a histogram samples at most HIST_SAMPLE values of an array either way; only the
        # moments read every value, and refine), shown 0.1-0.2 s sooner.
        c = state.config
        self._first: Job | None = Job(c.replace(batch=min(c.batch, DRAG_BATCH)), rows=state.rows)
        self.engine.submit(*self._first)
        self.engine.snapshot_ready.connect(self._on_snapshot)
        self.engine.theory_ready.connect(self._on_theory)
        self.engine.failed.connect(self._on_failed)
        state.changed.connect(self._state_changed)

    def submit(self, force: bool = False) -> None:
        """The state's configs to the engine (when live, or forced: a view change computes even
        when paused); the views build their new panels meanwhile."""
        first, self._first = self._first, None
        s = self.state
        if not s.live and not force:
            return
        a, b = s.config, s.compare
        if s.dragging:  # as many examples as the measured cost fits in a drag frame's budget
            sides = [c for c in (a, b) if c is not None]
            n = drag_batch(self.engine.drag_cost(), sides, needs_backward(s.rows), DRAG_BATCH)
            if a.batch > n:
                a = a.replace(batch=n)
                b = b.replace(batch=n) if b is not None else None
        self.awaiting = True
        job = Job(a, b, s.rows, s.dragging, s.phase_shown)
        if job != first:  # else asked for while the window was built; its preview is kept
            self.engine.submit(*job, abandon=first is None)
        self.presenter.expect(a, s.rows)

    @property
    def up_to_date(self) -> bool:
        """The views show the state's own config (and B side), and nothing newer is on the way.
        A frame of an earlier, equal config can arrive while a later one is still queued (a preset
        loaded after the window was made): a screenshot taken then showed its forerunner."""
        snap, s = self.presenter.latest, self.state
        return (
            snap is not None
            and snap.config == s.config
            and (s.compare is None) == (self.presenter.latest_b is None)
            and not snap.refining
            and self.engine.idle
            and not self.awaiting
        )

    def stop(self) -> None:
        self.engine.stop()

    def _state_changed(self, what: frozenset[str]) -> None:
        s = self.state
        latest = self.presenter.latest
        # a row the newest snapshot lacks is computed (the core makes only the rows shown)
        force = "rows" in what and (latest is None or not has_rows(latest, s.rows))
        if force or what & SUBMIT_ON or ("live" in what and s.live):
            self.submit(force=force)
        if "phase_shown" in what:
            self._ask_phase(self.presenter.theory)

    def _on_snapshot(self, snap: Snapshot, b: Snapshot | None = None) -> None:
        self.awaiting = self.awaiting and snap.refining  # the rest of the batch is on its way
        if self.presenter.source != "engine":  # the views show a training record
            return
        c = self.state.config
        if snap.config == c or snap.config.replace(batch=c.batch) == c:
            self.messages.clear_message()
        self.arrived.emit()  # an animation's next frame computes while this one paints
        self.presenter.show(snap, b)

    def _on_theory(self, theory: Theory) -> None:
        if theory.phase is not None:
            self._phase_had = theory.phase.activation
        self.presenter.set_theory(theory)
        self._ask_phase(theory)

    def _ask_phase(self, theory: Theory | None) -> None:
        """A theory made while the phase dock was hidden has no phase grid: with the dock shown,
        its frame is asked for again, with the grid (once per activation: a grid the worker
        cannot make ends it)."""
        if not self.state.phase_shown or theory is None or theory.prediction is None:
            return
        activation = theory.prediction.fixed.activation
        if theory.phase is None and activation not in (self._phase_had, self._phase_asked):
            self._phase_asked = activation
            self.submit(force=True)

    def _on_failed(self, message: str) -> None:
        self.awaiting = False
        self.messages.show_message(message)
