"""The window hosts: docks, views and rooms, listed in the tables below, around one SessionState.

One-way flow: docks, keys and files edit the state (gui/state.py); the compute room turns it
into the engine's jobs (gui/rooms/compute.py); the engine's frames and training's records go to
the presenter, which gives every view the same frame (gui/presenter.py). Each of the window's
other jobs is a room of its own (gui/rooms/). Nothing here computes."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from core import Config
from core.presets import Scene
from gui import actions, gc_pause, heap, recording, theme
from gui.docks.binding import bind_config_dock
from gui.docks.init_dock import InitDock
from gui.docks.network_dock import NetworkDock
from gui.docks.playback_dock import PlaybackDock
from gui.presentation import Presentation
from gui.presenter import DRAG_REFRESH_MS, Presenter
from gui.rooms import layout
from gui.rooms.animator import Animator
from gui.rooms.compare import CompareBar
from gui.rooms.compute import DRAG_BATCH, Compute
from gui.rooms.files import Files
from gui.rooms.layout import BOTTOM, LEFT, RIGHT, Row
from gui.rooms.lecture import Lecture
from gui.rooms.lecture_files import LectureFiles
from gui.rooms.reveal import RevealRoom
from gui.rooms.theory import TheoryRoom
from gui.state import SessionState
from gui.training_controller import TrainingController
from gui.views.adapters import ProfileView, StatsView
from gui.views.caption_bar import CaptionBar
from gui.views.central import GRID_MAX_DEPTH, CentralView
from gui.views.depth_profile import DepthProfile
from gui.views.stats_table import StatsTable
from gui.views.status import StatusView

PROFILE_DRAG_MS = DRAG_REFRESH_MS  # the depth profile's refresh period during a drag
VERSION = "0.1.0"
__all__ = ["DRAG_BATCH", "GRID_MAX_DEPTH", "PROFILE_DRAG_MS", "MainWindow", "app_version"]


def app_version() -> str:
    try:
        from importlib.metadata import version

        return version("initscope")
    except Exception:  # not installed (a bundle): the constant is kept in step with pyproject
        return VERSION


class MainWindow(QMainWindow):
    # the docks and views, in the View menu's order: a view row gives the presenter a View
    DOCKS = (
        Row("network", "Network", lambda w: w.network_dock, LEFT, scroll=True),
        Row("init", "Initialization", lambda w: w.init_dock, LEFT, scroll=True),
        Row("playback", "Playback", lambda w: w.playback_dock, LEFT, scroll=True),
        Row("profile", "Depth profile", lambda w: ProfileView(w.profile), BOTTOM, view=True),
        Row("stats", "Statistics", lambda w: StatsView(w.stats_table), BOTTOM, view=True),
        Row("phase", "Theory: phase diagram", lambda w: w.theory_room, RIGHT, view=True),
        Row("training", "Training", lambda w: w.training.dock, LEFT, scroll=True),
        Row("training_views", "Training: curves", lambda w: w.training.holder, RIGHT),
    )
    VIEWS = (  # not docked: the middle and the status bar
        Row("central", "", lambda w: w.central, None, view=True),
        Row("status", "", lambda w: w.status, None, view=True),
    )
    SPLITS = (("profile", "stats"),)  # side by side
    TABS = (("network", "playback"), ("profile", "phase"), ("network", "training"))
    WIDTHS = ((("network",), (340,)), (("profile", "stats"), (520, 900)))
    HEIGHTS = ((("stats",), (300,)),)

    def __init__(self, config: Config | None = None, settings: QSettings | None = None):
        super().__init__()
        gc_pause.on_ui_thread()  # before any thread of its own starts
        self.settings = settings or QSettings("InitScope", "InitScope")
        self.theme = theme.THEMES.get(
            str(self.settings.value("theme", "light")), theme.THEMES["light"]
        )
        theme.apply(self.theme)
        self.setWindowTitle("InitScope")
        self.state = SessionState(config or layout.saved_config(self.settings) or Config(), self)
        self.presenter = Presenter(self.state, self)
        self.quiet_trim = heap.trim_when_quiet(self.presenter.shown, self)  # (benchmarks wait)
        self.compute = Compute(self.state, self.presenter, self, self)  # the first frame starts
        self._build_middle()
        self._build_docks()
        self.lecture = Lecture(self.state, self.caption_bar, self, self)
        self.animator = Animator(self.state, self.compute, self.central, self, self)
        self.reveal = RevealRoom(self.state, self.animator, self)
        self.files = Files(self, self)
        self.lecture_files = LectureFiles(self, self)
        made = actions.build(self, self.docks.values())
        self.compare_action = made["compare"]
        self.compare_bar = CompareBar(self.state, self.compare_action, self)
        self.addToolBar(self.compare_bar)
        self.side_combo = self.compare_bar.side_combo
        self.presentation = Presentation(self, actions.presentation_actions(made))
        self.resize(1600, 950)
        self._default_state = self.saveState()
        layout.restore(self, self.settings)
        self.compute.submit()
        self.training.config_changed()  # its recipe, with the settings just restored

    # ------------------------------------------------------------ building
    def _build_middle(self) -> None:
        middle = QWidget()
        lay = QVBoxLayout(middle)
        lay.setContentsMargins(2, 2, 2, 2)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            f"background:{theme.WARN}; color:white; padding:6px; font-weight:bold;"
        )
        self.banner.hide()
        self.caption_bar = CaptionBar()
        self.central = CentralView()
        self.central.layer_clicked.connect(self.show_layer)
        self.status = StatusView(self.statusBar())
        for w in (self.caption_bar, self.banner):
            lay.addWidget(w)
        lay.addWidget(self.central, 1)
        self.setCentralWidget(middle)

    def _build_docks(self) -> None:
        self.network_dock, self.init_dock = NetworkDock(), InitDock()
        self.playback_dock = PlaybackDock()
        self.stats_table, self.profile = StatsTable(), DepthProfile()
        self.theory_room = TheoryRoom(self.state, self)
        self.training = TrainingController(self, self.state, self.presenter)
        self.docks = {}
        for row in self.VIEWS + self.DOCKS:
            self.add_view(row)
        for first, second in self.SPLITS:
            self.splitDockWidget(self.docks[first], self.docks[second], Qt.Orientation.Horizontal)
        for first, second in self.TABS:
            self.tabifyDockWidget(self.docks[first], self.docks[second])
        self.docks["phase"].visibilityChanged.connect(self.theory_room.dock_visible)
        self.training.place()
        for name in ("network", "profile"):
            self.docks[name].raise_()  # these tabs in front, not the last ones tabified
        for names, sizes in self.WIDTHS:
            self.resizeDocks([self.docks[n] for n in names], list(sizes), Qt.Orientation.Horizontal)
        for names, sizes in self.HEIGHTS:
            self.resizeDocks([self.docks[n] for n in names], list(sizes), Qt.Orientation.Vertical)
        for dock in (self.network_dock, self.init_dock):
            bind_config_dock(dock, self.state)
        self.network_dock.invalid.connect(self.show_message)
        self.state.invalid.connect(self.show_message)
        self.playback_dock.bind(self.state)
        self.playback_dock.resample.connect(self.resample)

    def add_view(self, row: Row) -> None:
        """One row of the tables: a dock (unless `area` is None), and with `view`, a View the
        presenter shows every frame (a widget itself, or an adapter with its `widget`)."""
        made = row.make(self)
        if row.view:
            self.presenter.add(row.name, made)
        if row.area is not None:
            widget = made if isinstance(made, QWidget) else made.widget
            self.docks[row.name] = layout.dock(
                self, row.title, widget, row.area, row.name, row.scroll
            )

    # ------------------------------------------- the state, as tests and scripts read it
    config = property(lambda self: self.state.config)
    compare = property(lambda self: self.state.compare)
    editing = property(lambda self: self.state.editing)
    scene = property(lambda self: self.state.scene)
    edited = property(lambda self: self.state.edited)
    latest = property(lambda self: self.presenter.latest)
    latest_b = property(lambda self: self.presenter.latest_b)
    theory = property(lambda self: self.presenter.theory)
    frame_shown = property(lambda self: self.presenter.shown)  # the snapshot just presented
    engine = property(lambda self: self.compute.engine)
    up_to_date = property(lambda self: self.compute.up_to_date)
    grid = property(lambda self: self.central.grid)
    overview = property(lambda self: self.central.overview)
    detail = property(lambda self: self.central.detail)
    stack = property(lambda self: self.central)
    phase = property(lambda self: self.theory_room.phase)
    show_theory_box = property(lambda self: self.theory_room.box)
    batch_label = property(lambda self: self.status.batch_label)
    fps_label = property(lambda self: self.status.fps_label)
    scenes = property(lambda self: self.lecture.scenes)

    @property
    def snapshot_dir(self):
        return self.lecture.snapshot_dir

    @snapshot_dir.setter
    def snapshot_dir(self, path) -> None:
        self.lecture.snapshot_dir = path

    # --------------------------------------------------------- edits
    def apply_changes(self, changes: dict, dragging: bool = False) -> bool:
        return self.state.apply_changes(changes, dragging)

    def set_config(self, config: Config, dragging: bool = False) -> None:
        self.state.update(config=config, dragging=dragging)

    def resample(self) -> None:
        self.apply_changes({"seed": (self.config.seed + 1) % 2**31})

    def show_layer(self, index: int) -> None:
        self.state.focus_layer = index

    def load_scene(self, scene: Scene) -> None:
        self.lecture.load_scene(scene)

    def go_to_scene(self, i: int) -> None:
        self.lecture.go_to_scene(i)

    def step_scene(self, step: int) -> None:
        self.lecture.step_scene(step)

    def sweep_step(self, direction: int) -> None:
        self.animator.sweep_step(direction)

    def snapshot(self):
        return self.lecture.snapshot()

    def set_view_scale(self, scale: float) -> None:
        self.central.set_scale(scale)
        self.presenter.refresh({"scale"})

    # --------------------------------------------------------- files
    def save_state(self, path: str | None = None) -> bool:
        return self.files.save_state(path)

    def open_state(self, path: str | None = None) -> bool:
        return self.files.open_state(path)

    def load_config_file(self, path: str) -> bool:
        return self.files.load_config_file(path)

    def record(self, path: str, frames: int, show_progress: bool = True) -> int:
        return recording.record_animation(self, path, frames, show_progress)

    # --------------------------------------------------------- the window's own
    def show_message(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.statusBar().showMessage(text, 8000)

    def clear_message(self) -> None:
        self.banner.hide()

    def image_written(self, path, error: str) -> None:
        """A PNG written on a worker thread (export.save_png_later): where it is, or why not."""
        if error:
            self.show_message(error)
        else:
            self.statusBar().showMessage(f"saved {path}", 4000)

    def set_theme(self, name: str) -> None:
        self.theme = theme.THEMES[name]
        self.settings.setValue("theme", name)
        theme.apply(self.theme)
        for w in (self.grid, self.detail, self.overview, self.profile):
            theme.restyle(w, self.theme)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.show()

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About InitScope",
            f"<h3>InitScope {app_version()}</h3><p>Watch weight initialization make or break a deep "
            "network, layer by layer, live.</p><p>Python, NumPy, PySide6, pyqtgraph.</p>",
        )

    def closeEvent(self, event) -> None:
        self.animator.stop()
        layout.save(self, self.settings)
        self.compute.stop()
        self.training.stop()
        super().closeEvent(event)
