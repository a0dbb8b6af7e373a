"""Initialization controls: the scheme and its parameters, the formula in use and σ_w².

Controls a scheme does not read are disabled, not hidden, so the layout never jumps. The formula
and σ_w² come from the core's registry (one copy of every formula)."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from core.activations import ACTIVATIONS
from core.config import BIAS_VALUED, BIASES, Config
from core.inits import INITS, MODES, TRUNCATIONS
from gui.docks.controls import ParamSlider, SteadyLabel, show

DEFAULT = "scheme default"


class InitDock(QWidget):
    changed = Signal(dict, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        gain_row = self._build_scheme()
        self._build_values()
        for label, w in (
            ("Scheme", self.scheme),
            ("σ (std)", self.std),
            ("a (limit)", self.limit),
            ("Gain", gain_row),
            ("Fan mode", self.mode),
            ("Truncation", self.truncation),
            ("Sparsity", self.sparsity),
            ("Constant", self.value),
            ("Bias", self.bias),
            ("Bias value", self.bias_value),
        ):
            form.addRow(label, w)
        form.addRow(self.formula)
        form.addRow(self.sigma)
        self._param_widgets = {
            "std": self.std,
            "limit": self.limit,
            "gain": gain_row,
            "mode": self.mode,
            "truncation": self.truncation,
            "sparsity": self.sparsity,
            "value": self.value,
        }
        self._config: Config | None = None
        self._connect()

    def _build_scheme(self) -> QWidget:
        """The scheme and its scale: σ, a, the gain (with its two shortcuts, in one row)."""
        self.scheme = QComboBox()
        for name, init in INITS.items():
            self.scheme.addItem(name)
            self.scheme.setItemData(self.scheme.count() - 1, f"{init.formula} — {init.source}", 3)
        self.scheme.setToolTip("How the weights are drawn before any training.")
        self.std = ParamSlider(1e-4, 10.0, log=True, decimals=5)
        self.std.setToolTip("σ of the normal draws (normal, truncated-normal, sparse); log scale.")
        self.limit = ParamSlider(1e-4, 10.0, log=True, decimals=5)
        self.limit.setToolTip("a of the uniform draw U(−a, a).")
        self.gain = ParamSlider(0.0, 4.0, decimals=3)
        self.gain.setToolTip(
            "Multiplies the scheme's std (Xavier/He/LeCun/orthogonal); PyTorch's calculate_gain."
        )
        self.gain_default = QToolButton(text="↺")
        self.gain_default.setToolTip(
            "Use the scheme's own gain (Xavier 1, He √2, LeCun 1, orthogonal 1)."
        )
        self.gain_act = QToolButton(text="φ gain")
        self.gain_act.setToolTip(
            "Use PyTorch's recommended gain for the current activation (tanh 5/3, ReLU √2, …)."
        )
        gain_row = QWidget()
        gl = QHBoxLayout(gain_row)
        gl.setContentsMargins(0, 0, 0, 0)
        gl.addWidget(self.gain, 1)
        gl.addWidget(self.gain_default)
        gl.addWidget(self.gain_act)
        return gain_row

    def _build_values(self) -> None:
        """The scheme's other parameters, the bias, and the formula and σ_w² in use."""
        self.mode = QComboBox()
        self.mode.addItems([DEFAULT, *MODES])
        self.mode.setToolTip(
            "Which fan the variance is divided by: fan_in keeps the forward scale, fan_out the backward."
        )
        self.truncation = QComboBox()
        self.truncation.addItems([DEFAULT, *TRUNCATIONS])
        self.truncation.setToolTip(
            "none; tf: re-draw beyond ±2σ (real std 0.88σ); keras: corrected so the real std is σ."
        )
        self.sparsity = _spin(
            0.0, 0.99, 2, 0.05, "Share of each input unit's weights set to zero (sparse)."
        )
        self.value = _spin(-10.0, 10.0, 4, 0.01, "The single value every weight gets (constant).")
        self.bias = QComboBox()
        self.bias.addItems(list(BIASES))
        self.bias.setToolTip(
            "Bias init: the scheme's default (0, or U(±1/√fan_in) for pytorch-default), zeros, or a constant."
        )
        self.bias_value = _spin(
            -10.0,
            10.0,
            3,
            0.01,
            "constant: the bias (TF's MNIST tutorial used 0.1 'to avoid dead neurons'); "
            "normal: the std of N(0, σ_b²) biases",
        )
        self.formula = QLabel()
        self.formula.setWordWrap(True)
        self.formula.setToolTip("The formula of the scheme in use and where it comes from.")
        self.sigma = SteadyLabel(lines=2)
        self.sigma.setToolTip(
            "σ_w² = fan_in·Var(w): 1 keeps a linear net's scale, 2 a ReLU net's (He)."
        )

    def _connect(self) -> None:
        self.scheme.currentTextChanged.connect(lambda t: self._emit(init=t))
        self.std.valueChanged.connect(lambda v, d: self._emit(d, std=v))
        self.limit.valueChanged.connect(lambda v, d: self._emit(d, limit=v))
        self.gain.valueChanged.connect(lambda v, d: self._emit(d, gain=v))
        self.gain_default.clicked.connect(lambda: self._emit(gain=None))
        self.gain_act.clicked.connect(self._activation_gain)
        self.mode.currentTextChanged.connect(lambda t: self._emit(mode=None if t == DEFAULT else t))
        self.truncation.currentTextChanged.connect(
            lambda t: self._emit(truncation=None if t == DEFAULT else t)
        )
        self.sparsity.valueChanged.connect(lambda v: self._emit(sparsity=v))
        self.value.valueChanged.connect(lambda v: self._emit(value=v))
        self.bias.currentTextChanged.connect(lambda t: self._emit(bias=t))
        self.bias_value.valueChanged.connect(lambda v: self._emit(bias_value=v))

    def _emit(self, dragging: bool = False, **changes) -> None:
        self.changed.emit(changes, dragging)

    def _activation_gain(self) -> None:
        if self._config is None:
            return
        g = ACTIVATIONS[self._config.activations[0]].gain
        self._emit(gain=1.0 if g is None else g)

    def set_config(self, c: Config) -> None:
        self._config = c
        init = INITS[c.init]
        # the dock's own `changed` is what the window listens to: one block silences every control
        with QSignalBlocker(self):
            show(self.scheme, c.init)
            show(self.std, c.std)
            show(self.limit, c.limit)
            show(self.gain, init.gain(c))
            show(self.mode, c.mode or DEFAULT)
            show(self.truncation, c.truncation or DEFAULT)
            show(self.sparsity, c.sparsity)
            show(self.value, c.value)
            show(self.bias, c.bias)
            show(self.bias_value, c.bias_value)
        for name, w in self._param_widgets.items():
            w.setEnabled(name in init.uses)
        self.bias_value.setEnabled(c.bias in BIAS_VALUED)
        self.formula.setText(f"<b>{init.formula}</b><br><small>{init.source}</small>")
        self.sigma.setText(sigma_text(c))


def _spin(lo: float, hi: float, decimals: int, step: float, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setToolTip(tip)
    return box


def sigma_text(c: Config) -> str:
    """σ_w² of the first layer by the scheme's formula (and of every layer when widths differ)."""
    init = INITS[c.init]
    shapes = list(itertools.pairwise(c.widths))
    # a shape's σ once (a depth-200 net has 2-3 shapes: 200 calls a drag tick were 2 ms of it)
    known = {shape: init.sigma_w2(*shape, c) for shape in dict.fromkeys(shapes)}
    values = [known[shape] for shape in shapes]
    if values[0] is None:
        return "σ_w² = fan_in·Var(w): set from the data (LSUV)"
    distinct = sorted({round(v, 4) for v in values})
    shown = f"{values[0]:.4g}" if len(distinct) == 1 else ", ".join(f"{v:.3g}" for v in values[:6])
    return f"σ_w² = fan_in·Var(w) = <b>{shown}</b>"
