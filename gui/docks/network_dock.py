"""Network controls: shape, activation, batch, input, seed, normalization and skips. Edits config
fields only; a control the config does not read is disabled, not hidden."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from core.activations import ACTIVATIONS
from core.config import (
    DTYPES,
    GRAD_SOURCES,
    INPUTS,
    MAX_BATCH,
    MAX_BRANCH,
    MAX_DEPTH,
    NORM_POSITIONS,
    NORM_VIEWS,
    NORMS,
    RESIDUAL_INITS,
    Config,
)
from gui.docks.controls import show


def parse_width(text: str) -> int | list[int]:
    """'500' or '784,512,256,128,10'; ValueError with a readable message otherwise."""
    try:
        parts = [int(p) for p in text.replace(" ", "").split(",") if p]
    except ValueError:
        raise ValueError(f"width: {text!r} is not a number or a comma list of numbers") from None
    if not parts:
        raise ValueError("width: empty")
    return parts[0] if len(parts) == 1 else parts


class NetworkDock(QWidget):
    changed = Signal(dict, bool)  # config changes, dragging
    invalid = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        self._build_basics()
        for label, w in (
            ("Depth", self.depth),
            ("Width", self.width_edit),
            ("Activation", self.activation),
            ("Batch", self.batch),
            ("Input", self.input),
            ("Seed", self.seed),
            ("Gradient", self.grad_source),
            ("Precision", self.dtype),
            ("x range", self.hist_scale),
        ):
            form.addRow(label, w)
        self._build_architecture(form)
        self.depth.valueChanged.connect(lambda v: self._emit(depth=v))
        self.width_edit.editingFinished.connect(self._width_done)
        self.activation.currentTextChanged.connect(lambda t: self._emit(activation=t))
        self.batch.valueChanged.connect(lambda v: self._emit(batch=v))
        self.input.currentTextChanged.connect(lambda t: self._emit(input=t))
        self.seed.valueChanged.connect(lambda v: self._emit(seed=v))
        self.grad_source.currentTextChanged.connect(lambda t: self._emit(grad_source=t))
        self.dtype.currentTextChanged.connect(lambda t: self._emit(dtype=t))
        self.hist_scale.currentTextChanged.connect(lambda t: self._emit(hist_scale=t))
        self._config: Config | None = None

    def _build_basics(self) -> None:
        """Shape, activation, batch, input, seed, gradient source, precision, x range."""
        self.depth = QSpinBox()
        self.depth.setRange(1, MAX_DEPTH)
        self.depth.setKeyboardTracking(False)
        self.depth.setToolTip(
            "Number of layers (linear + activation); beyond 12 the grid becomes a heatmap."
        )
        self.width_edit = QLineEdit()
        self.width_edit.setToolTip(
            "Units per layer, or input,w1,…,wL (e.g. 784,512,256,128,10) to make fan_in ≠ fan_out."
        )
        self.activation = QComboBox()
        for name, act in ACTIVATIONS.items():
            self.activation.addItem(name)
            self.activation.setItemData(
                self.activation.count() - 1, f"{act.formula} — {act.source}", 3
            )
        self.activation.setToolTip("The nonlinearity φ applied after every layer.")
        self.batch = QSpinBox()
        self.batch.setRange(1, MAX_BATCH)
        self.batch.setKeyboardTracking(False)
        self.batch.setToolTip(
            "Examples pushed through the net at once; more examples, smoother histograms."
        )
        self.input = QComboBox()
        for name, text in INPUTS.items():
            self.input.addItem(name)
            self.input.setItemData(self.input.count() - 1, text, 3)
        self.input.setToolTip("Distribution of the input batch x.")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("Random seed of the weights and the batch; R draws a new one.")
        self.grad_source = QComboBox()
        for name, text in GRAD_SOURCES.items():
            self.grad_source.addItem(name)
            self.grad_source.setItemData(self.grad_source.count() - 1, text, 3)
        self.grad_source.setToolTip(
            "Where the backward pass starts: a unit Gaussian gradient, or MSE to random targets."
        )
        self.dtype = QComboBox()
        self.dtype.addItems(DTYPES)
        self.dtype.setToolTip("Float precision of the computation (float32 is what GPUs use).")
        self.hist_scale = QComboBox()
        self.hist_scale.addItems(["shared", "layer"])
        self.hist_scale.setToolTip(
            "Shared: one x range per row, so a collapse is visible. Layer: each panel zooms to its own data."
        )

    # ------------------------------------------------ normalization and skips (issue #9)
    def _build_architecture(self, form: QFormLayout) -> None:
        self.norm = _combo(
            NORMS, "Normalize each layer's pre-activations (or outputs) to mean 0, std 1."
        )
        self.norm_position = _combo(
            dict(
                zip(NORM_POSITIONS, ("a = φ(N(h)): the norm feeds φ", "a = N(φ(h))"), strict=True)
            ),
            "Where the norm sits: between the linear layer and φ (before), or after φ.",
        )
        self.norm_view = _combo(
            dict(zip(NORM_VIEWS, ("the normalized values", "the raw values"), strict=True)),
            "Which side of the norm the pre-activation (or, after φ, the activation) row shows.",
        )
        self.residual = QCheckBox("x + F(x)")
        self.residual.setToolTip(
            "Skip connections: each branch F of the chosen length adds to its own input (equal widths)."
        )
        self.branch = QSpinBox()
        self.branch.setRange(1, MAX_BRANCH)
        self.branch.setToolTip(
            "Layers per residual branch F: 1 is x + W·φ(x), 2 adds an inner layer."
        )
        self.residual_init = _combo(
            RESIDUAL_INITS,
            "How a branch starts: as drawn, ReZero's α = 0, or Fixup's zeroed last layer (needs 2).",
        )
        for label, w in (
            ("Norm", self.norm),
            ("Norm at", self.norm_position),
            ("Norm view", self.norm_view),
            ("Residual", self.residual),
            ("Branch", self.branch),
            ("Branch init", self.residual_init),
        ):
            form.addRow(label, w)
        self.norm.currentTextChanged.connect(lambda t: self._emit(norm=t))
        self.norm_position.currentTextChanged.connect(lambda t: self._emit(norm_position=t))
        self.norm_view.currentTextChanged.connect(lambda t: self._emit(norm_view=t))
        self.residual.toggled.connect(self._residual_toggled)
        self.branch.valueChanged.connect(self._branch_changed)
        self.residual_init.currentTextChanged.connect(lambda t: self._emit(residual_init=t))

    def _residual_toggled(self, on: bool) -> None:
        self._emit(
            **({"residual": True} if on else {"residual": False, "residual_init": "standard"})
        )

    def _branch_changed(self, m: int) -> None:
        changes = {"branch_layers": m}
        if m < 2 and self._config is not None and self._config.residual_init == "fixup":
            changes["residual_init"] = "standard"
        self._emit(**changes)

    def _sync_architecture(self, c: Config) -> None:
        show(self.norm, c.norm)
        show(self.norm_position, c.norm_position)
        show(self.norm_view, c.norm_view)
        for w in (self.norm_position, self.norm_view):
            w.setEnabled(c.norm != "none")
        equal = len(set(c.widths)) == 1
        show(self.residual, c.residual)
        self.residual.setEnabled(equal or c.residual)
        show(self.branch, c.branch_layers)
        show(self.residual_init, c.residual_init)
        for w in (self.branch, self.residual_init):
            w.setEnabled(c.residual)
        fixup = self.residual_init.model().item(list(RESIDUAL_INITS).index("fixup"))
        fixup.setEnabled(c.branch_layers >= 2)

    def _emit(self, **changes) -> None:
        self.changed.emit(changes, False)

    def _width_done(self) -> None:
        try:
            w = parse_width(self.width_edit.text())
        except ValueError as e:
            self.invalid.emit(str(e))
            return
        if self._config is not None and w == (
            list(self._config.width)
            if isinstance(self._config.width, tuple)
            else self._config.width
        ):
            return
        changes = {"width": w}
        if isinstance(w, list):
            changes["depth"] = len(w) - 1
        elif self._config is not None and isinstance(self._config.width, tuple):
            changes["depth"] = self._config.depth
        self._emit(**changes)

    def set_config(self, c: Config) -> None:
        self._config = c
        # the dock's own `changed` is what the window listens to: one block silences every control
        with QSignalBlocker(self):
            show(self.depth, c.depth)
            self.depth.setEnabled(not isinstance(c.width, tuple))
            show(
                self.width_edit,
                ",".join(map(str, c.width)) if isinstance(c.width, tuple) else str(c.width),
            )
            show(self.activation, c.activations[0])
            self.activation.setToolTip(
                "The nonlinearity φ applied after every layer."
                + ("" if isinstance(c.activation, str) else " (this config sets one per layer)")
            )
            show(self.batch, c.batch)
            show(self.input, c.input)
            show(self.seed, min(c.seed, 2**31 - 1))
            show(self.grad_source, c.grad_source)
            show(self.dtype, c.dtype)
            show(self.hist_scale, c.hist_scale)
            self._sync_architecture(c)


def _combo(items: dict[str, str], tip: str) -> QComboBox:
    """A combo of names, each with its one-line description as the item's tooltip."""
    box = QComboBox()
    for name, text in items.items():
        box.addItem(name)
        box.setItemData(box.count() - 1, text, 3)
    box.setToolTip(tip)
    return box
