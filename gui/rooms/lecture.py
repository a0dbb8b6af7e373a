"""Scenes for a lecture: each one a config (and B side), the rows it emphasises and a caption over
the plots; stepped through by menu or key. Snapshots of the plots for slides."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from core import presets
from core.presets import Scene
from gui import export
from gui.state import rows_of


def layout_rows(scene: Scene) -> set[str]:
    """The histogram rows a scene's layout names in its views' options ("row" or "rows")."""
    out: set[str] = set()
    for _, options in scene.layout:
        for key in ("row", "rows"):
            value = options.get(key, ())
            out |= {value} if isinstance(value, str) else set(value)
    return out


class Lecture(QObject):
    def __init__(self, state, caption_bar, win, parent=None):
        super().__init__(parent)
        self.state, self.caption_bar, self.win = state, caption_bar, win
        self.snapshot_dir = Path.cwd()
        self._snapshots = 0
        self._scenes: list[Scene] | None = None
        self.title = "InitScope"
        self._menu = None
        state.changed.connect(self._state_changed)

    @property
    def scenes(self) -> list[Scene]:
        """The named scenes, read on first use (a broken preset file: a message, no scenes)."""
        if self._scenes is None:
            try:
                self._scenes = list(presets.all_scenes().values())
            except presets.PresetError as e:
                self._scenes = []
                self.win.show_message(str(e))
        return self._scenes

    def use(self, talk) -> None:
        """A lecture's scenes (core/lecture.py) in its order, for the menu and PgDn/PgUp; its
        scenes that could not be read are said, one line, the rest still open."""
        self._scenes = list(talk.scenes)
        self.title = talk.title
        self.refresh_menu()
        if talk.problems:
            more = f" (and {len(talk.problems) - 1} more)" if len(talk.problems) > 1 else ""
            self.win.show_message(talk.problems[0] + more)

    def attach_menu(self, menu) -> None:
        self._menu = menu
        self.refresh_menu()

    def refresh_menu(self) -> None:
        """The Scenes menu: this lecture's scenes in order, then the user's lecture files and the
        built-in lecture to switch to."""
        from core import lecture as lectures
        from gui.rooms.lecture_files import user_lectures

        menu = self._menu
        if menu is None:
            return
        menu.clear()
        for i, scene in enumerate(self.scenes):
            act = menu.addAction(f"{i + 1}. {scene.title}")
            act.setStatusTip(scene.claim or scene.caption)
            act.triggered.connect(lambda _=False, i=i: self.go_to_scene(i))
        menu.addSeparator()
        mine = menu.addMenu("Lectures")
        builtin = mine.addAction("Built-in lecture")
        builtin.triggered.connect(lambda: self.use(lectures.builtin()))
        for path in user_lectures():
            act = mine.addAction(path.stem)
            act.triggered.connect(
                lambda _=False, p=str(path): self.win.lecture_files.open_lecture(p)
            )

    def load_scene(self, scene: Scene) -> None:
        """The scene's config and B side, the rows it emphasises or its layout draws, and its
        caption: one change, with no answer picked (core/questions.py); whether it opens staged
        is the reveal's (gui/rooms/reveal.py: in the presentation view, a staged scene or one
        with a question)."""
        wanted = set(scene.emphasis) | layout_rows(scene)
        self.state.update(
            scene=scene,
            picked=None,
            rows=rows_of("preact" in wanted, True, "wgrad" in wanted),
            compare=scene.compare,
            editing="A",
            config=scene.config,
            dragging=False,
        )

    def go_to_scene(self, i: int) -> None:
        if 0 <= i < len(self.scenes):
            self.load_scene(self.scenes[i])

    def number_key(self, n: int) -> None:
        """Keys 1-9 go to scene n, except while the scene's question waits for its answer: then
        1 to its number of answers pick the room's, and the others do nothing (a stray key does
        not leave the question)."""
        scene = self.state.scene
        question = scene.question if scene is not None else None
        if question is None or question.revealed(self.state.reveal):
            self.go_to_scene(n - 1)
        elif n <= len(question.answers):
            self.state.picked = n - 1

    def step_scene(self, step: int) -> None:
        names = [s.name for s in self.scenes]
        scene = self.state.scene
        current = names.index(scene.name) if scene and scene.name in names else -1
        self.go_to_scene(min(max(current + step, 0), len(names) - 1))

    def snapshot(self) -> Path | None:
        """The plots as a PNG at 2× in snapshot_dir, named after the scene; written on a worker
        thread, the status bar says when it is there."""
        self._snapshots += 1
        scene = self.state.scene
        name = f"initscope-{scene.name if scene else 'view'}-{self._snapshots}.png"
        try:
            return export.save_png_later(
                self.win.centralWidget(), self.snapshot_dir / name, done=self.win.image_written
            )
        except export.ExportError as e:
            self.win.show_message(str(e))
            return None

    def _state_changed(self, what: frozenset[str]) -> None:
        if "scene" not in what:
            return
        scene = self.state.scene
        if scene is None:
            self.caption_bar.hide()
            return
        names = [s.name for s in self.scenes]
        where = f"{names.index(scene.name) + 1}/{len(names)}" if scene.name in names else ""
        self.caption_bar.show_scene(scene, where)
        self.caption_bar.setVisible(not self.state.presentation)  # the canvas has its own
