"""A lecturer's own lecture in the window (issue #21): open a lecture file, save what is on screen
as a scene of one, and export the lecture's handout. Lecture files live in the user's scenes
folder (the platform's config location, QStandardPaths) unless the lecturer picks another place;
the Scenes menu lists that folder's lectures beside the built-in one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
)

from core import lecture as lectures
from core.presets import Scene

TOML = "Lecture (*.toml)"
MY_SCENES = "my-scenes.toml"


def scenes_folder() -> Path:
    """The user's scenes folder (made on first use)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    return Path(base) / "scenes"


def user_lectures() -> list[Path]:
    folder = scenes_folder()
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


class SceneDialog(QDialog):
    """Title, claim and details of the scene to save, and the lecture file it joins."""

    def __init__(self, parent, path: Path, title: str = "", claim: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Save as scene")
        form = QFormLayout(self)
        self.title = QLineEdit(title)
        self.claim = QLineEdit(claim)
        self.details = QPlainTextEdit()
        self.path = QLineEdit(str(path))
        for label, widget in (
            ("Title (≤ 10 words)", self.title),
            ("Claim (≤ 25 words)", self.claim),
            ("Details", self.details),
            ("Lecture file", self.path),
        ):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class LectureFiles(QObject):
    def __init__(self, win, parent=None):
        super().__init__(parent)
        self.win = win
        self.dialog: SceneDialog | None = None  # the open Save-as-scene dialog, if any
        self.handout = None  # the HandoutRun under way, if any

    def open_lecture(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.win, "Open lecture", str(scenes_folder()), TOML
            )
        if not path:
            return False
        try:
            talk = lectures.read(path)
        except lectures.LectureError as e:
            QMessageBox.warning(self.win, "Cannot open lecture", str(e))
            return False
        self.win.lecture.use(talk)
        if talk.scenes:
            self.win.load_scene(talk.scenes[0])
        return True

    def current_scene(self, title: str, claim: str, details: str = "") -> Scene:
        """What is on screen as a scene: the config, B side, rows and the scene's layout."""
        state, scene = self.win.state, self.win.state.scene
        base = scene or Scene(name="saved", title="", caption="", config=state.config)
        return dataclasses.replace(
            base,
            name="saved",
            title=title,
            caption="" if claim else base.caption,
            claim=claim,
            details=details,
            config=state.config,
            compare=state.compare,
            emphasis=tuple(dict.fromkeys((*state.rows, *base.emphasis))),
        )

    def save_as_scene(self) -> SceneDialog:
        """The dialog, open (not modal: the window stays live); Save appends the scene."""
        scene = self.win.state.scene
        self.dialog = SceneDialog(
            self.win,
            scenes_folder() / MY_SCENES,
            scene.title if scene else "",
            scene.claim if scene else "",
        )
        self.dialog.accepted.connect(self._save_from_dialog)
        self.dialog.open()
        return self.dialog

    def _save_from_dialog(self) -> None:
        d = self.dialog
        title = d.title.text().strip() or "Untitled scene"
        scene = self.current_scene(title, d.claim.text().strip(), d.details.toPlainText().strip())
        path = Path(d.path.text().strip() or scenes_folder() / MY_SCENES)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            talk = lectures.append(path, scene)
        except (lectures.LectureError, OSError) as e:
            QMessageBox.warning(self.win, "Cannot save scene", str(e).splitlines()[0])
            return
        self.win.lecture.refresh_menu()
        self.win.statusBar().showMessage(f"scene {len(talk.scenes)} of {path.name} saved", 4000)

    def export_handout(self, path: str | None = None):
        """The current lecture's handout (PDF and HTML); the window's scene and config come back
        when it is written."""
        if self.handout is not None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self.win, "Export handout", "handout.pdf", "PDF (*.pdf)"
            )
        if not path:
            return None
        from gui.handout_run import HandoutRun

        state = self.win.state
        back = {
            "scene": state.scene,
            "config": state.config,
            "compare": state.compare,
            "rows": state.rows,
        }
        talk = lectures.Lecture(self.win.lecture.title, tuple(self.win.scenes))
        self.handout = run = HandoutRun(self.win, talk, path)

        def finished(error: str) -> None:
            self.handout = None
            state.update(**back, editing="A", dragging=False)
            if error:
                QMessageBox.warning(self.win, "Cannot write handout", error)
            else:
                self.win.statusBar().showMessage(f"handout: {len(run.pages)} pages to {path}", 6000)

        run.finished.connect(finished)
        run.start()
        return run
