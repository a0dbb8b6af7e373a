"""The A/B toolbar: comparison on or off (B starts as a copy of A) and which side the docks edit.
Bound to the state both ways; seed and batch are always shared (SessionState.apply_changes)."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QToolBar


class CompareBar(QToolBar):
    def __init__(self, state, action: QAction, parent=None):
        super().__init__("Comparison", parent)
        self.setObjectName("comparison")
        self.state = state
        self.action = action  # "compare" in gui/actions.py: checkable, key A
        self.addAction(action)
        self.side_combo = QComboBox()
        self.side_combo.addItems(["edit A", "edit B"])
        self.side_combo.setToolTip("Which side the docks edit; seed and batch are always shared.")
        self.side_combo.currentIndexChanged.connect(self._side_picked)
        self.addWidget(self.side_combo)
        state.changed.connect(self._state_changed)
        self._state_changed(frozenset({"compare"}))

    def _side_picked(self, i: int) -> None:
        self.state.editing = "AB"[i]
        self._state_changed(frozenset({"editing"}))  # B without a comparison stays A

    def _state_changed(self, what: frozenset[str]) -> None:
        if not what & {"compare", "editing"}:
            return
        s = self.state
        with QSignalBlocker(self.action), QSignalBlocker(self.side_combo):
            self.action.setChecked(s.compare is not None)
            self.side_combo.setEnabled(s.compare is not None)
            self.side_combo.setCurrentIndex("AB".index(s.editing))
