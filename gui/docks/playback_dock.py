"""Playback: live or paused, resample, the animations that show a transition happen, and which rows
and y axes the grid shows. Its widgets show the SessionState and edit it (`bind`)."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from gui.animation import BOUND_RANGE, MODES, PERIOD_RANGE, sweepable
from gui.docks.controls import show
from gui.state import X_AXES, row_flags, rows_of

VIEW_BOXES = (  # preact, grad, wgrad, per_layer_y: text, tooltip
    ("pre-activations h instead of φ(h)",
     "Show the inputs of the activation rather than its outputs in the first row."),
    ("gradient row ∂L/∂a",
     "Untick to show activations only: the backward pass is skipped and frames come faster."),
    ("weight-gradient row ∂L/∂W", "Add a third row with the weight gradients."),
    ("own y axis per panel", "Each panel scales its own height instead of sharing the row's."),
)  # fmt: skip
X_AXIS_TIP = (
    "The histograms' value axis. auto: gradients on log₁₀|x| (a vanishing net drifts left, an "
    "exploding one right; the filled part is the negative values), the rest linear. linear, "
    "log: every row so."
)
# the state's fields the dock shows (the sweep's parameters follow the edited config)
OWN = frozenset({"live", "animation", "rows", "per_layer_y", "x_axis"})
SHOWN = OWN | {"config", "compare", "editing"}


class PlaybackDock(QWidget):
    resample = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        self.live = QCheckBox("live")
        self.live.setChecked(True)
        self.live.setToolTip("Redraw on every change; untick to freeze the picture while you talk.")
        self.resample_btn = QPushButton("Resample (R)")
        self.resample_btn.setToolTip("Draw new weights and a new batch (the next seed).")
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.live)
        rl.addWidget(self.resample_btn)
        form.addRow(row)
        self._build_animation(form)
        self.preact, self.grad, self.wgrad, self.per_layer_y = boxes = [
            QCheckBox(text) for text, _ in VIEW_BOXES
        ]
        for box, (_, tip) in zip(boxes, VIEW_BOXES, strict=True):
            box.setToolTip(tip)
            form.addRow(box)
        self.x_axis = QComboBox()
        self.x_axis.addItems(list(X_AXES))
        self.x_axis.setToolTip(X_AXIS_TIP)
        form.addRow("x axis", self.x_axis)
        self.grad.setChecked(True)
        self.resample_btn.clicked.connect(self.resample)
        self.state = None
        self._names: list[str] = []  # the sweep's parameters in the combo

    def _build_animation(self, form: QFormLayout) -> None:
        self.animation = QComboBox()
        self.animation.addItems(list(MODES))
        self.animation.setToolTip(
            "resample: fresh weights every frame; sweep: move one parameter back and forth."
        )
        self.sweep_param = QComboBox()
        self.sweep_param.setToolTip("The parameter the sweep moves.")
        self.sweep_from = QDoubleSpinBox()
        self.sweep_to = QDoubleSpinBox()
        for spin in (self.sweep_from, self.sweep_to):
            spin.setRange(*BOUND_RANGE)
            spin.setDecimals(4)
            spin.setSingleStep(0.05)
        self.sweep_from.setToolTip("Start of the sweep.")
        self.sweep_to.setToolTip("End of the sweep; it runs there and back.")
        self.period = QDoubleSpinBox()
        self.period.setRange(*PERIOD_RANGE)
        self.period.setValue(8.0)
        self.period.setSuffix(" s")
        self.period.setToolTip("Seconds for one sweep there and back.")
        form.addRow("Animate", self.animation)
        form.addRow("Sweep", self.sweep_param)
        form.addRow("from", self.sweep_from)
        form.addRow("to", self.sweep_to)
        form.addRow("period", self.period)

    def bind(self, state) -> None:
        """Edits go into the state; its changes come back into the widgets (signals blocked)."""
        self.state = state
        self.live.toggled.connect(lambda on: state.update(live=on))
        self.animation.currentTextChanged.connect(lambda t: self._animate(mode=t))
        self.sweep_param.currentTextChanged.connect(
            lambda name: state.update(animation=state.animation.with_param(name))
        )
        self.sweep_from.valueChanged.connect(lambda v: self._animate(lo=v))
        self.sweep_to.valueChanged.connect(lambda v: self._animate(hi=v))
        self.period.valueChanged.connect(lambda v: self._animate(period=v))
        for box in (self.preact, self.grad, self.wgrad):
            box.toggled.connect(self._rows_ticked)
        self.per_layer_y.toggled.connect(lambda on: state.update(per_layer_y=on))
        self.x_axis.currentTextChanged.connect(lambda t: state.update(x_axis=t))
        state.changed.connect(self._show_state)
        self._show_state()

    @property
    def rows(self) -> tuple[str, ...]:
        return rows_of(self.preact.isChecked(), self.grad.isChecked(), self.wgrad.isChecked())

    def _animate(self, **changes) -> None:
        self.state.update(animation=self.state.animation.replace(**changes))

    def _rows_ticked(self) -> None:
        self.state.update(rows=self.rows)

    def _show_state(self, what: frozenset[str] = SHOWN) -> None:
        if not what & SHOWN:
            return
        if not what & OWN and sweepable(self.state.edited) == self._names:
            return  # a config change (a drag's every step) that moves nothing shown here
        inputs = (self.live, self.animation, self.sweep_param, self.sweep_from, self.sweep_to,
                  self.period, self.preact, self.grad, self.wgrad, self.per_layer_y, self.x_axis)  # fmt: skip
        with contextlib.ExitStack() as blocked:
            for w in inputs:
                blocked.enter_context(QSignalBlocker(w))
            self._show_widgets()

    def _show_widgets(self) -> None:
        s = self.state
        a = s.animation
        show(self.live, s.live)
        show(self.animation, a.mode)
        names = sweepable(s.edited)
        if names != self._names:
            self.sweep_param.clear()
            self.sweep_param.addItems(names)
            self._names = names
        show(self.sweep_param, a.param)
        show(self.sweep_from, a.lo)
        show(self.sweep_to, a.hi)
        show(self.period, a.period)
        for box, on in zip((self.preact, self.grad, self.wgrad), row_flags(s.rows).values(),
                           strict=True):  # fmt: skip
            show(box, on)
        show(self.per_layer_y, s.per_layer_y)
        show(self.x_axis, s.x_axis)
        sweeping = a.mode == "sweep"
        self.sweep_param.setEnabled(bool(names) and sweeping)
        for w in (self.sweep_from, self.sweep_to, self.period):
            w.setEnabled(sweeping)
