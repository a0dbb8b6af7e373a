"""The scene's title and caption above the plots: what the room reads while the lecturer talks."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from core.presets import Scene


class CaptionBar(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("caption")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        self.title = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        self._scale = 1.0
        self._scene: Scene | None = None
        self._position = ""
        self.hide()

    def show_scene(self, scene: Scene, position: str = "") -> None:
        self._scene, self._position = scene, position
        self._render()

    def set_scale(self, scale: float) -> None:
        self._scale = scale
        self._render()

    def _render(self) -> None:
        if self._scene is None:
            return
        s = self._scale
        self.title.setText(
            f"<span style='font-size:{round(15 * s)}pt; font-weight:bold'>{self._scene.title}</span>"
            f"<span style='font-size:{round(10 * s)}pt; color:gray'>&nbsp;&nbsp;{self._position}</span>"
        )
        self.text.setText(f"<span style='font-size:{round(11 * s)}pt'>{self._scene.caption}</span>")
