"""The formula chip (issue #18): the scheme's formula with the layer's numbers filled in, and the
variance recursion Var(h_l) = n·σ_w²·E[φ(h_{l−1})²] with mean field's numbers and the net's, for A
(and B in its own hue), rewritten on every frame. The text is core/formula.py's.

Its layer: the scene's {"layer": N}, else the layer under the cursor (the window's focus), else the
last. B's prediction is made here (A's comes with the frame), once per config.
"""

from __future__ import annotations

import functools

from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from core import formula, prediction
from gui.canvas import style
from gui.canvas.sizes import Sizes
from gui.presenter import ViewBase


@functools.lru_cache(maxsize=8)
def _prediction(config) -> prediction.Prediction | None:
    try:
        return prediction.predict(config)
    except (ValueError, ArithmeticError):  # a corner the quadrature cannot reach: measured only
        return None


def chip_layer(options: dict, focus: int, depth: int) -> int:
    """The scene's layer, else the focused one, else the last; always within the net."""
    for n in (options.get("layer"), focus):
        if isinstance(n, int) and 1 <= n <= depth:
            return n
    return depth


class FormulaView(QWidget, ViewBase):
    """Two chip lines a side: the scheme with numbers, and the recursion at the chip's layer."""

    needs = frozenset({"focus", "theory"})

    def __init__(self, options: dict | None = None, parent=None):
        super().__init__(parent)
        self.options = dict(options or {})
        self.sizes = Sizes(720)
        box = QVBoxLayout(self)
        self.labels: dict[str, list[QLabel]] = {}
        for side in ("A", "B"):
            self.labels[side] = [self._label(box) for _ in range(2)]
        box.addStretch(1)
        self.set_sizes(self.sizes)

    def _label(self, box: QVBoxLayout) -> QLabel:
        label = QLabel(self)
        label.setProperty("role", "chip")
        label.setWordWrap(True)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        box.addWidget(label)
        return label

    def set_sizes(self, sizes: Sizes) -> None:
        self.sizes = sizes
        box = self.layout()
        box.setContentsMargins(sizes.gap, sizes.gap, sizes.gap, sizes.gap)
        box.setSpacing(sizes.gap // 2)
        font = sizes.font("chip")
        for side, labels in self.labels.items():
            for k, label in enumerate(labels):
                label.setFont(font)
                label.setStyleSheet(f"color: {style.side_color(side)}" if k == 0 else "")
                if k == 1:
                    label.setContentsMargins(sizes.gap * 2, 0, 0, sizes.gap // 2)

    def present(self, frame) -> None:
        sides = {"A": frame.a, "B": frame.b}
        for side, snap in sides.items():
            labels = self.labels[side]
            if snap is None:
                for label in labels:
                    label.hide()
                continue
            pred = (
                frame.theory.prediction
                if side == "A" and frame.theory is not None and frame.theory.config == snap.config
                else _prediction(snap.config)
            )
            layer = chip_layer(self.options, frame.focus_layer, len(snap.layers))
            lines = formula.chip(snap, layer, pred)
            tag = f"{side}  " if frame.b is not None else ""
            for label, text in zip(labels, (tag + lines[0], lines[1]), strict=True):
                if label.text() != text:
                    label.setText(text)
                label.show()

    def texts(self) -> list[str]:
        """The chip's lines as shown (A's, then B's)."""
        return [
            lb.text() for side in ("A", "B") for lb in self.labels[side] if lb.isVisibleTo(self)
        ]
