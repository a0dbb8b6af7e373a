"""Small widgets the docks and the window share: a slider with an exact number beside it, and
labels whose new text relayouts nothing."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QWidget,
)

STEPS = 1000


def show(widget: QWidget, value) -> None:
    """Put a config value into a control only when it differs. A spin box given its own value
    again rewrites its text and repaints: a dock re-showing the whole config on every change of a
    drag repainted 3 boxes of the Network dock and 4 of Initialization 60 times a second."""
    if isinstance(widget, QLineEdit):
        if widget.text() != value:
            widget.setText(value)
    elif isinstance(widget, QComboBox):
        if widget.currentText() != value:
            widget.setCurrentText(value)
    elif isinstance(widget, QAbstractButton):
        if widget.isChecked() != value:
            widget.setChecked(value)
    elif widget.value() != value:
        widget.setValue(value)


class _Refit:
    """Refit (via _fit) when the font changes: presentation mode scales the application's font."""

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()


class FixedLabel(_Refit, QLabel):
    """Sized to the widest text it will show: Qt passes a fixed-size widget's new text up no
    layout. The status bar's fps, sized to its text, relayouted and repainted the whole window
    on every frame (18 full-window paints in a 3 s drag, 37 ms each)."""

    def __init__(self, widest: str):
        super().__init__()
        self._widest = widest
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._fit()

    def _fit(self) -> None:
        fm, m = self.fontMetrics(), self.contentsMargins()
        width = fm.horizontalAdvance(self._widest) + m.left() + m.right() + 2 * self.margin() + 4
        self.setFixedSize(width, fm.height() + m.top() + m.bottom() + 2 * self.margin() + 2)


class SteadyLabel(_Refit, QWidget):
    """Word-wrapped text whose size never follows it: `lines` lines high (refitted when the font
    changes), as wide as its layout gives. A QLabel asks its layout to re-measure it at every new
    text; σ_w²'s did at each step of a gain drag, and the Initialization dock relayouted and
    repainted whole (74 times in 3 s). The label here sits in no layout, so nothing re-measures."""

    def __init__(self, lines: int = 2):
        super().__init__()
        self._lines = lines
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fit()

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:
        self.label.setText(text)

    def _fit(self) -> None:
        self.setFixedHeight(self._lines * self.fontMetrics().lineSpacing() + 4)

    def resizeEvent(self, event) -> None:
        self.label.setGeometry(self.rect())


class ParamSlider(QWidget):
    """valueChanged(value, dragging): dragging is True while the hand is on the slider, so the
    window can draw cheaper frames then and the full batch when it lets go."""

    valueChanged = Signal(float, bool)

    def __init__(self, lo: float, hi: float, log: bool = False, decimals: int = 4, parent=None):
        super().__init__(parent)
        self.lo, self.hi, self.log = lo, hi, log
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STEPS)
        self.spin = QDoubleSpinBox()
        self.spin.setDecimals(decimals)
        self.spin.setRange(lo, hi)
        self.spin.setKeyboardTracking(False)
        self.spin.setSingleStep((hi - lo) / 100 if not log else lo)
        if log:
            self.spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.spin.setMinimumWidth(90)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.slider.sliderReleased.connect(lambda: self.valueChanged.emit(self.value(), False))
        self.spin.valueChanged.connect(self._from_spin)

    def value(self) -> float:
        return self.spin.value()

    def setValue(self, v: float) -> None:
        with QSignalBlocker(self.spin), QSignalBlocker(self.slider):
            self.spin.setValue(v)
            self.slider.setValue(self._to_pos(v))

    def setToolTip(self, text: str) -> None:
        super().setToolTip(text)
        self.slider.setToolTip(text)
        self.spin.setToolTip(text)

    def _to_pos(self, v: float) -> int:
        if self.log:
            v = max(v, self.lo)
            t = (math.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        else:
            t = (v - self.lo) / (self.hi - self.lo)
        return round(min(max(t, 0.0), 1.0) * STEPS)

    def _from_pos(self, pos: int) -> float:
        t = pos / STEPS
        if self.log:
            v = 10 ** (math.log10(self.lo) + t * (math.log10(self.hi) - math.log10(self.lo)))
            return float(f"{v:.3g}")
        return round(self.lo + t * (self.hi - self.lo), self.spin.decimals())

    def _from_slider(self, pos: int) -> None:
        v = self._from_pos(pos)
        with QSignalBlocker(self.spin):
            self.spin.setValue(v)
        self.valueChanged.emit(v, self.slider.isSliderDown())

    def _from_spin(self, v: float) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._to_pos(v))
        self.valueChanged.emit(v, False)
