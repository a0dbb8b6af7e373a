"""The theory dock: the box that turns the mean-field overlay on and off, and the order-to-chaos
phase diagram, made when its dock first shows (25 ms of a launch that shows it behind the depth
profile's tab). Its dock being on screen is the state's `phase_shown`: the engine then makes the
diagram's grid (gui/rooms/compute.py asks again for a frame made while it was hidden)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSignalBlocker
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from gui.presenter import ViewBase, ViewFrame

if TYPE_CHECKING:
    from gui.views.phase_diagram import PhaseDiagram


class TheoryRoom(QObject, ViewBase):
    needs = frozenset({"theory", "phase"})

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self._phase: PhaseDiagram | None = None
        self.box = QCheckBox("show mean-field predictions (dashed)")
        self.box.setChecked(state.theory)
        self.box.setToolTip(
            "Overlay the infinite-width prediction on histograms and the depth profile."
        )
        self.box.toggled.connect(self._box_toggled)
        self.widget = QWidget()
        QVBoxLayout(self.widget).setContentsMargins(0, 0, 0, 0)
        self.widget.layout().addWidget(self.box)
        state.changed.connect(self._state_changed)

    @property
    def phase(self) -> PhaseDiagram:
        """The phase diagram, made on first use (its dock shows, or a test asks)."""
        if self._phase is None:
            from gui.views.phase_diagram import PhaseDiagram

            self._phase = PhaseDiagram()
            self._phase.picked.connect(self.pick_phase_point)
            self.widget.layout().insertWidget(0, self._phase, 1)
        return self._phase

    def dock_visible(self, visible: bool) -> None:
        """The dock's own visibilityChanged (a tab behind another still reports isVisible())."""
        if visible:
            self.phase  # noqa: B018  (made now, shown with the newest theory)
        self.state.phase_shown = visible

    def pick_phase_point(self, sigma_w2: float, sigma_b2: float) -> None:
        """A click on the diagram: N(0, σ_w²/fan_in) weights and a bias of std √σ_b²."""
        fan_in = self.state.edited.widths[0]
        changes = {"init": "normal", "std": (sigma_w2 / fan_in) ** 0.5, "truncation": None}
        changes.update(
            {"bias": "constant", "bias_value": sigma_b2**0.5} if sigma_b2 > 0 else {"bias": "zeros"}
        )
        self.state.apply_changes(changes)

    def present(self, f: ViewFrame) -> None:
        """The dot at the theory's (σ_w², σ_b²), on its activation's grid once the engine made it
        (never here: a new activation's grid is 35-290 ms of quadrature)."""
        th = f.theory
        if not self.state.phase_shown or th is None or th.prediction is None:
            return
        fixed = th.prediction.fixed
        grid = self.phase.grid
        if th.phase is not None or (grid is not None and grid.activation == fixed.activation):
            self.phase.set_state(fixed.activation, fixed.sigma_w2, fixed.sigma_b2, th.phase)

    def _box_toggled(self, on: bool) -> None:
        self.state.theory = on

    def _state_changed(self, what: frozenset[str]) -> None:
        if "theory" in what:
            with QSignalBlocker(self.box):
                self.box.setChecked(self.state.theory)
