"""Files: configs and state files in and out, the window as PNG, the grid as SVG, the statistics
table as text. A file that cannot be read or written is a message box, never a traceback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core import Config, ConfigError
from gui import export

TOML = "TOML (*.toml)"
RECORD_FRAMES = 40


class Files(QObject):
    def __init__(self, win, parent=None):
        super().__init__(parent)
        self.win = win  # the dialogs' parent; its state, grid and table are what is saved

    def open_config(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.win, "Open config", "", TOML)
        if path:
            self.load_config_file(path)

    def load_config_file(self, path: str) -> bool:
        try:
            c = Config.load(path)
        except ConfigError as e:
            QMessageBox.warning(self.win, "Cannot open config", f"{Path(path).name}: {e}")
            return False
        self.win.set_config(c)
        return True

    def save_config(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.win, "Save config", "initscope.toml", TOML)
        if path:
            try:
                self.win.config.save(path)
            except OSError as e:
                QMessageBox.warning(self.win, "Cannot save config", str(e))

    def save_state(self, path: str | None = None) -> bool:
        """Config, comparison, view and animation (SessionState.to_toml)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self.win, "Save state", "initscope-state.toml", TOML
            )
        return bool(path) and self._try(lambda: export.write_text(path, self.win.state.to_toml()))

    def open_state(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.win, "Open state", "", TOML)
        if not path:
            return False
        try:
            self.win.state.load(path)
        except export.ExportError as e:
            QMessageBox.warning(self.win, "Cannot open state", str(e))
            return False
        return True

    def save_image(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.win, "Save image", "initscope.png", "PNG (*.png)"
        )
        if path:  # written on a worker thread (a failure there is told as a message too)
            self._try(lambda: export.save_png_later(self.win, path, done=self.win.image_written))

    def save_svg(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.win, "Save plots", "initscope.svg", "SVG (*.svg)"
        )
        if path:
            self._try(lambda: export.save_svg(self.win.grid, path))

    def record_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.win, "Record", "initscope.gif", "GIF (*.gif);;MP4 (*.mp4)"
        )
        if path:
            self.win.record(path, RECORD_FRAMES)

    def copy_table(self, fmt: str) -> None:
        """The statistics table as "csv" or "markdown", to the clipboard."""
        model = self.win.stats_table.model_
        QGuiApplication.clipboard().setText(model.to_csv() if fmt == "csv" else model.to_markdown())
        self.win.statusBar().showMessage("copied", 2000)

    def _try(self, action) -> bool:
        try:
            action()
        except export.ExportError as e:
            QMessageBox.warning(self.win, "InitScope", str(e))
            return False
        return True
