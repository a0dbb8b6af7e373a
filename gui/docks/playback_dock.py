"""Playback: live or paused, resample, and the animations that show a transition happen."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from core.config import Config
from core.inits import INITS

ANIMATIONS = ("off", "resample", "sweep")
SWEEP_RANGES = {
    "gain": (0.1, 3.0),
    "std": (0.001, 1.0),
    "limit": (0.001, 1.0),
    "bias_value": (-0.5, 0.5),
}


def sweepable(c: Config) -> list[str]:
    """The parameters a sweep can move for this config's scheme."""
    uses = INITS[c.init].uses
    names = [p for p in ("gain", "std", "limit") if p in uses]
    if c.bias == "constant":
        names.append("bias_value")
    return names


class PlaybackDock(QWidget):
    live_toggled = Signal(bool)
    resample = Signal()
    animation_changed = Signal()
    view_changed = Signal()

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
        self.animation = QComboBox()
        self.animation.addItems(list(ANIMATIONS))
        self.animation.setToolTip(
            "resample: fresh weights every frame; sweep: move one parameter back and forth."
        )
        self.sweep_param = QComboBox()
        self.sweep_param.setToolTip("The parameter the sweep moves.")
        self.sweep_from = QDoubleSpinBox()
        self.sweep_to = QDoubleSpinBox()
        for spin in (self.sweep_from, self.sweep_to):
            spin.setRange(-100.0, 100.0)
            spin.setDecimals(4)
            spin.setSingleStep(0.05)
        self.sweep_from.setToolTip("Start of the sweep.")
        self.sweep_to.setToolTip("End of the sweep; it runs there and back.")
        self.period = QDoubleSpinBox()
        self.period.setRange(1.0, 120.0)
        self.period.setValue(8.0)
        self.period.setSuffix(" s")
        self.period.setToolTip("Seconds for one sweep there and back.")
        self.preact = QCheckBox("pre-activations h instead of φ(h)")
        self.preact.setToolTip(
            "Show the inputs of the activation rather than its outputs in the first row."
        )
        self.grad = QCheckBox("gradient row ∂L/∂a")
        self.grad.setChecked(True)
        self.grad.setToolTip(
            "Untick to show activations only: the backward pass is skipped and frames come faster."
        )
        self.wgrad = QCheckBox("weight-gradient row ∂L/∂W")
        self.wgrad.setToolTip("Add a third row with the weight gradients.")
        self.per_layer_y = QCheckBox("own y axis per panel")
        self.per_layer_y.setToolTip(
            "Each panel scales its own height instead of sharing the row's."
        )
        form.addRow(row)
        form.addRow("Animate", self.animation)
        form.addRow("Sweep", self.sweep_param)
        form.addRow("from", self.sweep_from)
        form.addRow("to", self.sweep_to)
        form.addRow("period", self.period)
        form.addRow(self.preact)
        form.addRow(self.grad)
        form.addRow(self.wgrad)
        form.addRow(self.per_layer_y)
        self.live.toggled.connect(self.live_toggled)
        self.resample_btn.clicked.connect(self.resample)
        self.animation.currentTextChanged.connect(self._animation_changed)
        self.sweep_param.currentTextChanged.connect(self._param_changed)
        for w in (self.sweep_from, self.sweep_to, self.period):
            w.valueChanged.connect(self.animation_changed)
        for w in (self.preact, self.grad, self.wgrad, self.per_layer_y):
            w.toggled.connect(self.view_changed)
        self._animation_changed(self.animation.currentText())

    @property
    def rows(self) -> tuple[str, ...]:
        first = "preact" if self.preact.isChecked() else "act"
        wanted = (self.grad.isChecked(), self.wgrad.isChecked())
        return (first, *(r for r, on in zip(("grad", "wgrad"), wanted, strict=True) if on))

    def set_config(self, c: Config) -> None:
        names = sweepable(c)
        current = self.sweep_param.currentText()
        if [self.sweep_param.itemText(i) for i in range(self.sweep_param.count())] != names:
            self.sweep_param.blockSignals(True)
            self.sweep_param.clear()
            self.sweep_param.addItems(names)
            self.sweep_param.blockSignals(False)
            if current in names:
                self.sweep_param.setCurrentText(current)
            self._param_changed(self.sweep_param.currentText())
        self.sweep_param.setEnabled(bool(names) and self.animation.currentText() == "sweep")

    def _animation_changed(self, mode: str) -> None:
        sweeping = mode == "sweep"
        for w in (self.sweep_param, self.sweep_from, self.sweep_to, self.period):
            w.setEnabled(sweeping)
        self.animation_changed.emit()

    def _param_changed(self, name: str) -> None:
        if name in SWEEP_RANGES:
            lo, hi = SWEEP_RANGES[name]
            self.sweep_from.blockSignals(True)
            self.sweep_from.setValue(lo)
            self.sweep_from.blockSignals(False)
            self.sweep_to.setValue(hi)
        self.animation_changed.emit()
