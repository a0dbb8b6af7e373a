"""The canvas's header: the scene's title, its one claim and, on the D key, the speaker's details.

Three word-wrapped QLabels stacked in a layout (so they never overlap each other or the views
below), each typed in pixels from the canvas height and named by the Qt property "role" for the
layout report. Text is set only when it changes: the header is told every frame.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.canvas.sizes import Sizes

ROLES = ("title", "claim", "details")


class Header(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.labels: dict[str, QLabel] = {}
        for role in ROLES:
            label = QLabel(self)
            label.setProperty("role", role)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            lay.addWidget(label)
            self.labels[role] = label
        self.details_wanted = False
        self.set_sizes(Sizes(720))
        self.show_text("", "", "")

    def set_sizes(self, sizes: Sizes) -> None:
        for role, label in self.labels.items():
            label.setFont(sizes.font(role, bold=role == "title"))
        self.layout().setSpacing(max(2, sizes.gap // 2))

    def show_text(self, title: str, claim: str, details: str) -> None:
        for role, text in zip(ROLES, (title, claim, details), strict=True):
            label = self.labels[role]
            if label.text() != text:
                label.setText(text)
        self._visibility()

    def set_details_visible(self, on: bool) -> None:
        self.details_wanted = on
        self._visibility()

    def toggle_details(self) -> None:
        self.set_details_visible(not self.details_wanted)

    def _visibility(self) -> None:
        """An empty label takes no room; the details only when asked for."""
        for role, label in self.labels.items():
            wanted = bool(label.text()) and (role != "details" or self.details_wanted)
            if label.isVisibleTo(self) != wanted:
                label.setVisible(wanted)
