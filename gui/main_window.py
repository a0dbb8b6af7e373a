"""The window: docks edit the config, the engine computes, the views show the newest snapshot.

One-way flow: a dock's change becomes a new Config here (or a visible message if it is invalid),
goes to the engine, and comes back as a Snapshot that every view shows. Nothing here computes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEventLoop,
    QSettings,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core import Config, ConfigError, Snapshot, presets
from core.presets import Scene
from core.simulate import needs_backward
from gui import animation, export, theme
from gui.docks.controls import FixedLabel
from gui.docks.init_dock import InitDock
from gui.docks.network_dock import NetworkDock
from gui.docks.playback_dock import PlaybackDock
from gui.engine import Engine, drag_batch
from gui.presentation import Presentation
from gui.training_controller import TrainingController
from gui.views.caption_bar import CaptionBar
from gui.views.depth_profile import DepthProfile
from gui.views.layer_grid import ROWS_AT_START, LayerGrid, has_rows
from gui.views.overview import Overview
from gui.views.stats_table import StatsTable

if TYPE_CHECKING:
    from gui.views.phase_diagram import PhaseDiagram

GRID_MAX_DEPTH = 12  # beyond this, panels get too narrow: the overview heatmap takes over
DRAG_BATCH = 250  # the most examples a frame has while a slider is held (refined on release)
# the depth profile's refresh period while a hand drags a slider (_profile_due)
PROFILE_DRAG_MS = 100
VERSION = "0.1.0"


def app_version() -> str:
    try:
        from importlib.metadata import version

        return version("initscope")
    except Exception:  # not installed (a bundle): the constant is kept in step with pyproject
        return VERSION


class MainWindow(QMainWindow):
    frame_shown = Signal(object)  # the snapshot just presented

    def __init__(self, config: Config | None = None, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings("InitScope", "InitScope")
        self.theme = theme.THEMES.get(
            str(self.settings.value("theme", "light")), theme.THEMES["light"]
        )
        theme.apply(self.theme)
        self.setWindowTitle("InitScope")
        self.config = config or self._saved_config() or Config()
        self.latest: Snapshot | None = None
        self.latest_b: Snapshot | None = None
        self.compare: Config | None = None  # the B side of an A/B comparison
        self.scene: Scene | None = None
        self.snapshot_dir = Path.cwd()
        self._snap_count = 0
        self.editing = "A"
        self.focus_layer = 0
        self.live = True
        self._awaiting = False
        self._frame_times: list[float] = []
        self._anim_t0 = time.perf_counter()
        self._blend_setting = True
        self._dragging = False  # the newest submission came from a slider the hand holds

        self.engine = Engine(self)
        self.engine.snapshot_ready.connect(self._on_snapshot)
        self.engine.theory_ready.connect(self._on_theory)
        self.theory = None
        self._phase_asked: str | None = None  # the activation whose grid was last asked for
        self.engine.failed.connect(self._on_failed)
        # The first frame computes while the window is built (_submit does not ask for it again).
        # It is a preview on DRAG_BATCH examples, the full batch following at once: the same
        # picture (a histogram samples at most HIST_SAMPLE values of an array either way; only the
        # moments read every value, and refine), shown 0.1-0.2 s sooner.
        preview = self.config.replace(batch=min(self.config.batch, DRAG_BATCH))
        self._first_job = (preview, None, ROWS_AT_START)
        self.engine.submit(*self._first_job)

        self._build_central()
        self._build_docks()
        self.training = TrainingController(self)  # issue #7: its docks, engine and views
        self._restore_training()
        self.docks["network"].raise_()  # the Network tab in front, not the last one tabified
        self._build_menus()
        self._build_compare_bar()
        self._build_status()
        self.presentation = Presentation(self)
        self.resize(1600, 950)
        self._default_state = self.saveState()
        self._restore_layout()

        self._pump = QTimer(self)
        self._pump.setInterval(15)
        self._pump.timeout.connect(self._animate)
        self.set_config(self.config)

    # ------------------------------------------------------------ building
    def _build_central(self) -> None:
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(2, 2, 2, 2)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            f"background:{theme.WARN}; color:white; padding:6px; font-weight:bold;"
        )
        self.banner.hide()
        self.caption_bar = CaptionBar()
        lay.addWidget(self.caption_bar)
        lay.addWidget(self.banner)
        self.grid = LayerGrid()
        self.overview = Overview()
        self.detail = LayerGrid()
        self.overview.layer_clicked.connect(self.show_layer)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.overview)
        split.addWidget(self.detail)
        split.setSizes([600, 300])
        self.stack = QStackedWidget()
        self.stack.addWidget(self.grid)
        self.stack.addWidget(split)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _dock(
        self, title: str, widget: QWidget, area, name: str, scroll: bool = False
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        if scroll:
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setWidget(widget)
            widget = area_widget
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self.network_dock = NetworkDock()
        self.init_dock = InitDock()
        self.playback_dock = PlaybackDock()
        self.stats_table = StatsTable()
        self.profile = DepthProfile()
        self._profile_at = 0.0
        self._profile_timer = QTimer(self)
        self._profile_timer.setSingleShot(True)
        self._profile_timer.timeout.connect(self._refresh_profile)
        self.docks = {
            "network": self._dock("Network", self.network_dock, left, "network", scroll=True),
            "init": self._dock("Initialization", self.init_dock, left, "init", scroll=True),
            "playback": self._dock("Playback", self.playback_dock, left, "playback", scroll=True),
            "profile": self._dock("Depth profile", self.profile, bottom, "profile"),
            "stats": self._dock("Statistics", self.stats_table, bottom, "stats"),
            "phase": self._dock(
                "Theory: phase diagram",
                self._build_phase(),
                Qt.DockWidgetArea.RightDockWidgetArea,
                "phase",
            ),
        }
        self.splitDockWidget(self.docks["profile"], self.docks["stats"], Qt.Orientation.Horizontal)
        self.tabifyDockWidget(self.docks["network"], self.docks["playback"])
        self.tabifyDockWidget(self.docks["profile"], self.docks["phase"])
        self.docks["phase"].visibilityChanged.connect(self._phase_shown)
        self.docks["network"].raise_()
        self.docks["profile"].raise_()
        self.network_dock.changed.connect(self.apply_changes)
        self.network_dock.invalid.connect(self.show_message)
        self.init_dock.changed.connect(self.apply_changes)
        self.playback_dock.live_toggled.connect(self.set_live)
        self.playback_dock.resample.connect(self.resample)
        self.playback_dock.animation_changed.connect(self._animation_changed)
        self.playback_dock.view_changed.connect(self._view_changed)
        self.resizeDocks([self.docks["network"]], [340], Qt.Orientation.Horizontal)
        self.resizeDocks(
            [self.docks["profile"], self.docks["stats"]], [520, 900], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["stats"]], [300], Qt.Orientation.Vertical)

    def _action(self, menu, text, slot, shortcut=None, tip="") -> QAction:
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        if shortcut:
            self.addAction(act)  # keys keep working when the presentation view hides the menus
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = bar.addMenu("&File")
        self._action(f, "Open config…", self.open_config, "Ctrl+O", "Load a TOML config")
        self._action(
            f, "Save config…", self.save_config, "Ctrl+S", "Save the current config as TOML"
        )
        self._action(f, "Save image…", self.save_image, "Ctrl+E", "Save the window as PNG at 2×")
        self._action(
            f, "Save plots as SVG…", self.save_svg, tip="The histogram grid as vector graphics"
        )
        self._action(
            f, "Record animation…", self.record_dialog, tip="GIF or MP4 of the running animation"
        )
        self._action(
            f, "Record training…", self.training.record_dialog, tip="GIF or MP4 of training"
        )
        # lambdas: triggered(bool) would come in as the path (False), and nothing opened
        state_tip = "Config, comparison, view and animation"
        self._action(f, "Open state…", lambda: self.open_state(), tip=state_tip)
        self._action(f, "Save state…", lambda: self.save_state(), tip=state_tip)
        self._action(f, "Copy table as CSV", lambda: self._copy(self.stats_table.model_.to_csv()))
        self._action(
            f, "Copy table as Markdown", lambda: self._copy(self.stats_table.model_.to_markdown())
        )
        f.addSeparator()
        self._action(f, "Quit", self.close, "Ctrl+Q")
        v = bar.addMenu("&View")
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())
        v.addSeparator()
        self._action(v, "Dark theme", lambda: self.set_theme("dark"))
        self._action(v, "Light theme", lambda: self.set_theme("light"))
        self._action(
            v, "Reset layout", self.reset_layout, tip="Put every dock back where it started"
        )
        self._action(v, "Resample", self.resample, "R", "New weights and batch")
        self._action(v, "Play/pause animation", self.toggle_animation, "Space")
        self._action(
            v, "Presentation view", self.presentation_enter, "F5", "Full screen, captions, keys"
        )
        sc = bar.addMenu("&Scenes")
        for i, scene in enumerate(self.scenes):
            self._action(
                sc,
                f"{i + 1}. {scene.title}",
                lambda _=False, i=i: self.go_to_scene(i),
                tip=scene.caption,
            )
        h = bar.addMenu("&Help")
        self._action(h, "About InitScope", self.about)

    def _build_phase(self) -> QWidget:
        self._phase = None  # made when its dock first shows (a tab behind the profile at launch)
        self.show_theory_box = QCheckBox("show mean-field predictions (dashed)")
        self.show_theory_box.setChecked(True)
        self.show_theory_box.setToolTip(
            "Overlay the infinite-width prediction on histograms and the depth profile."
        )
        self.show_theory_box.toggled.connect(lambda _: self._draw_theory())
        self._phase_box = QWidget()
        lay = QVBoxLayout(self._phase_box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.show_theory_box)
        return self._phase_box

    @property
    def phase(self) -> PhaseDiagram:
        """The phase diagram, made on first use (its dock shows, or a test asks): 25 ms of a
        launch that shows it behind the depth profile's tab."""
        return self._phase if self._phase is not None else self._make_phase()

    def _make_phase(self) -> PhaseDiagram:
        from gui.views.phase_diagram import PhaseDiagram

        self._phase = PhaseDiagram()
        self._phase.picked.connect(self.pick_phase_point)
        self._phase_box.layout().insertWidget(0, self._phase, 1)
        return self._phase

    def pick_phase_point(self, sigma_w2: float, sigma_b2: float) -> None:
        """A click on the diagram: N(0, σ_w²/fan_in) weights and a bias of std √σ_b²."""
        fan_in = self.edited.widths[0]
        changes = {"init": "normal", "std": (sigma_w2 / fan_in) ** 0.5, "truncation": None}
        changes.update(
            {"bias": "constant", "bias_value": sigma_b2**0.5} if sigma_b2 > 0 else {"bias": "zeros"}
        )
        self.apply_changes(changes)

    def _on_theory(self, th) -> None:
        self.theory = th
        if self.latest is not None and th.config == self.latest.config:
            self._draw_theory()

    def _phase_shown(self, visible: bool) -> None:
        self.engine.phase_wanted = visible  # the worker makes phase grids only for a shown dock
        if visible and self._phase is None:
            self._make_phase()
        # a dock also reports hiding while the window is torn down, when the plots are gone
        if visible and self.isVisible():
            self._draw_theory()

    def _draw_theory(self) -> None:
        th = self.theory
        on = self.show_theory_box.isChecked() and th is not None and self.latest is not None
        fits = on and th.config == self.latest.config
        self.grid.show_theory(th.curves if fits else None)
        self._profile_due()
        # the dock's own visibilityChanged says whether it is shown (a tab behind another
        # still reports isVisible()); phase_wanted also makes the worker build the grid
        if th is not None and th.prediction is not None and self.engine.phase_wanted:
            f = th.prediction.fixed
            shown = self.phase.grid is not None and self.phase.grid.activation == f.activation
            if th.phase is None and not shown and self._phase_asked != f.activation:
                self._phase_asked = f.activation  # once: a grid the worker cannot make ends it
                self._submit(force=True)  # made while the dock was hidden: the worker makes it
            elif th.phase is not None or shown:
                self.phase.set_state(f.activation, f.sigma_w2, f.sigma_b2, th.phase)

    def _build_compare_bar(self) -> None:
        bar = self.compare_bar = self.addToolBar("Comparison")
        bar.setObjectName("comparison")
        self.compare_action = QAction("Compare A/B", self)
        self.compare_action.setCheckable(True)
        self.compare_action.setShortcut(QKeySequence("A"))
        self.compare_action.setToolTip(
            "Compare with…: freeze the current state as B's start, then edit either side (A)"
        )
        self.compare_action.toggled.connect(self.set_comparing)
        bar.addAction(self.compare_action)
        self.addAction(self.compare_action)
        self.side_combo = QComboBox()
        self.side_combo.addItems(["edit A", "edit B"])
        self.side_combo.setToolTip("Which side the docks edit; seed and batch are always shared.")
        self.side_combo.currentIndexChanged.connect(lambda i: self.set_editing("AB"[i]))
        self.side_combo.setEnabled(False)
        bar.addWidget(self.side_combo)

    def set_comparing(self, on: bool) -> None:
        """B starts as a copy of the current state; the docks then edit B."""
        self._set_compare(self.config if on else None, "B" if on else "A")
        self._submit()

    def _set_compare(self, compare: Config | None, editing: str = "A") -> None:
        """The one place the B side, its toolbar controls and the edited side change together."""
        self.compare = compare
        with QSignalBlocker(self.compare_action):
            self.compare_action.setChecked(compare is not None)
        self.side_combo.setEnabled(compare is not None)
        self.set_editing(editing)
        if compare is None:
            self.profile.clear_side("B")

    def set_editing(self, side: str) -> None:
        self.editing = side if self.compare is not None else "A"
        with QSignalBlocker(self.side_combo):
            self.side_combo.setCurrentIndex("AB".index(self.editing))
        self._sync_docks()

    @property
    def edited(self) -> Config:
        return self.compare if self.editing == "B" and self.compare is not None else self.config

    def _build_status(self) -> None:
        self.fps_label = FixedLabel("99.9 fps · compute 99999 ms")
        self.batch_label = FixedLabel("batch 1000000 (dragging; full 1000000 on release)")
        self.statusBar().addPermanentWidget(self.batch_label)
        self.statusBar().addPermanentWidget(self.fps_label)

    # -------------------------------------------------------- config flow
    def apply_changes(self, changes: dict, dragging: bool = False) -> None:
        try:
            new = self.edited.replace(**changes)
            if self.compare is not None:  # one seed and one batch for both sides
                shared = {k: getattr(new, k) for k in ("seed", "batch")}
                other = (self.config if self.editing == "B" else self.compare).replace(**shared)
        except ConfigError as e:
            self.show_message(str(e))
            self._sync_docks()  # put the widgets back to the config still in force
            return
        if self.compare is not None:
            a, b = (other, new) if self.editing == "B" else (new, other)
            self.compare = b
            self.set_config(a, dragging)
        else:
            self.set_config(new, dragging)

    def set_config(self, config: Config, dragging: bool = False) -> None:
        self.config = config
        self._sync_docks()
        self._submit(dragging)

    def _sync_docks(self) -> None:
        for dock in (self.network_dock, self.init_dock, self.playback_dock):
            dock.set_config(self.edited)

    def _submit(self, dragging: bool = False, force: bool = False) -> None:
        self.training.config_changed()  # an edit restarts training at step 0
        first, self._first_job = self._first_job, None
        if not self.live and not force:
            return
        a, b = self.config, self.compare
        if dragging:  # as many examples as the measured cost fits in a drag frame's budget
            sides = [c for c in (a, b) if c is not None]
            n = drag_batch(
                self.engine.drag_cost(), sides, needs_backward(self.grid.rows), DRAG_BATCH
            )
            if a.batch > n:
                a = a.replace(batch=n)
                b = b.replace(batch=n) if b is not None else None
        self._awaiting = True
        self._dragging = dragging
        if (a, b, self.grid.rows) != first:  # else asked for while the window was built
            self.engine.submit(a, b, self.grid.rows, drag=dragging)
        if a.depth <= GRID_MAX_DEPTH:  # new panels are built while the engine computes
            self.grid.prepare(tuple(range(1, a.depth + 1)))

    def resample(self) -> None:
        self.apply_changes({"seed": (self.config.seed + 1) % 2**31})

    def set_live(self, live: bool) -> None:
        self.live = live
        if live:
            self._submit()

    def show_layer(self, index: int) -> None:
        self.focus_layer = index
        if self.latest is not None:
            self._present_detail(self.latest)

    @property
    def up_to_date(self) -> bool:
        """The window shows its own config (and B side), and nothing newer is on the way. A frame
        of an earlier, equal config can arrive while a later one is still queued (a preset loaded
        after the window was made): a screenshot taken then showed the queued frame's forerunner."""
        snap = self.latest
        return (
            snap is not None
            and snap.config == self.config
            and (self.compare is None) == (self.latest_b is None)
            and self.engine.idle
            and not self._awaiting
        )

    # ------------------------------------------------------------ frames
    def _on_snapshot(self, snap: Snapshot, b: Snapshot | None = None) -> None:
        self._awaiting = False
        if self.training.showing:  # the views show a training record; an edit ends that first
            return
        self.latest = snap
        self.latest_b = b
        if (
            snap.config == self.config
            or snap.config.replace(batch=self.config.batch) == self.config
        ):
            self.banner.hide()
        if self._pump.isActive():  # an animation: the next frame computes while this one paints
            self._animate()
        self._present(snap)

    def _on_failed(self, message: str) -> None:
        self._awaiting = False
        self.show_message(message)

    def _present(self, snap: Snapshot) -> None:
        """Every view shows snap; one without the rows now shown is skipped: a frame with them
        is on its way (a rescale or a row ticked before it arrived once raised KeyError midway
        through entering the presentation view, leaving it stuck, issue 17)."""
        if not has_rows(snap, self.grid.rows):
            return
        depth = len(snap.layers)
        if depth <= GRID_MAX_DEPTH:
            self.stack.setCurrentIndex(0)
            # a drag's frames are already motion: blending each one repainted the grid at 60 Hz
            # (a UI thread half busy, 6 frames a second); the release's frame blends again
            self.grid.present(snap, blend=False if self._dragging else None, b=self.latest_b)
        else:
            self.stack.setCurrentIndex(1)
            self.overview.present(snap, self.latest_b)
            self._present_detail(snap)
        if self.theory is not None and self.theory.config == snap.config:
            self._draw_theory()  # the grid's curves and the profile
        else:  # the old curves stay until this frame's theory arrives
            self._profile_due()
        shown = self.latest_b if self.editing == "B" and self.latest_b is not None else snap
        self.stats_table.present(shown)
        self._update_status(snap)
        self.frame_shown.emit(snap)

    def _profile_due(self) -> None:
        """The depth profile shows the newest frame now, or, while a hand drags a slider, at most
        every PROFILE_DRAG_MS (the last one always shown): its ten-point curves cost the UI as
        much as the grid's twenty panels (present 7 ms, paint 8 ms twice a frame, measured in a
        drag), time the grid's frames need more. The release's frame is shown at once."""
        wait = PROFILE_DRAG_MS - (time.perf_counter() - self._profile_at) * 1e3
        if self._dragging and wait > 0:
            if not self._profile_timer.isActive():
                self._profile_timer.start(max(1, round(wait)))
            return
        self._profile_timer.stop()
        self._refresh_profile()

    def _refresh_profile(self) -> None:
        snap, b, th = self.latest, self.latest_b, self.theory
        if snap is None:
            return
        self.profile.present(snap)
        if b is not None:
            self.profile.present(b, side="B")
        else:
            self.profile.clear_side("B")
        if not (self.show_theory_box.isChecked() and th is not None):
            self.profile.show_theory(None)
        elif th.config == snap.config:
            self.profile.show_theory(th.prediction)
        self._profile_at = time.perf_counter()

    def _present_detail(self, snap: Snapshot) -> None:
        k = self.focus_layer if 1 <= self.focus_layer <= len(snap.layers) else len(snap.layers)
        one = Snapshot(snap.config, (snap.layers[k - 1],), snap.compute_ms)
        b = self.latest_b
        one_b = (
            Snapshot(b.config, (b.layers[k - 1],)) if b is not None and len(b.layers) >= k else None
        )
        self.detail.present(one, blend=False, b=one_b)

    def _update_status(self, snap: Snapshot) -> None:
        now = time.perf_counter()
        self._frame_times = [t for t in self._frame_times if now - t < 2.0] + [now]
        span = self._frame_times[-1] - self._frame_times[0]
        fps = (len(self._frame_times) - 1) / span if span > 0 else 0.0
        self.fps_label.setText(f"{fps:4.1f} fps · compute {snap.compute_ms:.0f} ms")
        full, shown = self.config.batch, snap.config.batch
        note = f"dragging; full {full} on release" if self._dragging else f"full {full} next"
        self.batch_label.setText(f"batch {shown} ({note})" if shown < full else f"batch {shown}")
        if snap.nonfinite:
            bad = [s.index for s in snap.layers if s.nonfinite]
            self.statusBar().showMessage(
                f"non-finite values (overflow) in {len(bad)} layer(s), from layer {bad[0]}", 5000
            )

    def show_message(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.statusBar().showMessage(text, 8000)

    # --------------------------------------------------------- animation
    def _animation_changed(self) -> None:
        # an animation is already motion: blending each of its frames would only cost repaints
        # (5 per frame at 60 Hz) and hold the next frame back until the blend ends
        if self.playback_dock.animation.currentText() == "off":
            self._pump.stop()
            self.grid.blend = self._blend_setting
        else:
            if not self._pump.isActive():
                self._blend_setting = self.grid.blend
            self.grid.blend = False
            self._anim_t0 = time.perf_counter()
            self._pump.start()

    def toggle_animation(self) -> None:
        combo = self.playback_dock.animation
        combo.setCurrentText("resample" if combo.currentText() == "off" else "off")

    def _animate(self) -> None:
        if not self.live or self._awaiting or not self.engine.idle or self.grid.animating:
            return
        pd = self.playback_dock
        t = time.perf_counter() - self._anim_t0
        changes = animation.next_changes(
            self.edited,
            pd.animation.currentText(),
            t,
            pd.sweep_param.currentText(),
            pd.sweep_from.value(),
            pd.sweep_to.value(),
            pd.period.value(),
        )
        self.banner.hide()
        self.apply_changes(changes)
        if self.banner.isVisible():  # e.g. a sweep bound outside the allowed range
            pd.animation.setCurrentText("off")

    def _view_changed(self) -> None:
        """A row the newest snapshot lacks is computed (the core makes only the rows shown)."""
        self._apply_rows()
        if self.latest is not None and has_rows(self.latest, self.grid.rows):
            self._present(self.latest)
        else:
            self._submit(force=True)  # a view change computes even when paused

    def _apply_rows(self) -> None:
        rows = self.playback_dock.rows
        self.grid.y_mode = "layer" if self.playback_dock.per_layer_y.isChecked() else "shared"
        self.grid.set_rows(rows)
        self.detail.set_rows(rows)
        self.overview.set_rows(rows)

    # ------------------------------------------------------ scenes, lecture
    @property
    def scenes(self) -> list[Scene]:
        if not hasattr(self, "_scenes"):
            try:
                self._scenes = list(presets.all_scenes().values())
            except presets.PresetError as e:
                self._scenes = []
                self.show_message(str(e))
        return self._scenes

    def load_scene(self, scene: Scene) -> None:
        """The scene's config (and B side), the rows it emphasises, and its caption."""
        self.scene = scene
        pd = self.playback_dock
        with QSignalBlocker(pd.preact), QSignalBlocker(pd.grad), QSignalBlocker(pd.wgrad):
            pd.preact.setChecked("preact" in scene.emphasis)
            pd.grad.setChecked(True)
            pd.wgrad.setChecked("wgrad" in scene.emphasis)
        self._set_compare(scene.compare)
        names = [s.name for s in self.scenes]
        where = f"{names.index(scene.name) + 1}/{len(names)}" if scene.name in names else ""
        self.caption_bar.show_scene(scene, where)
        self.caption_bar.show()
        self._apply_rows()
        self.set_config(scene.config)  # one submission, with the B side already in place

    def go_to_scene(self, i: int) -> None:
        if 0 <= i < len(self.scenes):
            self.load_scene(self.scenes[i])

    def step_scene(self, step: int) -> None:
        names = [s.name for s in self.scenes]
        current = names.index(self.scene.name) if self.scene and self.scene.name in names else -1
        self.go_to_scene(min(max(current + step, 0), len(names) - 1))

    def sweep_step(self, direction: int) -> None:
        """One of 20 steps of the sweep's range per key press (the animation pauses)."""
        pd = self.playback_dock
        param = pd.sweep_param.currentText()
        if not param:
            return
        pd.animation.setCurrentText("off")
        lo, hi = pd.sweep_from.value(), pd.sweep_to.value()
        self._sweep_k = min(max(getattr(self, "_sweep_k", 0) + direction, 0), animation.SWEEP_STEPS)
        self.apply_changes({param: animation.step_value(self._sweep_k, lo, hi)})

    def presentation_enter(self) -> None:
        self.presentation.enter()

    def set_view_scale(self, scale: float) -> None:
        self.grid.set_scale(scale)
        self.detail.set_scale(scale)
        if self.latest is not None:
            self._present(self.latest)

    def snapshot(self) -> Path | None:
        self._snap_count += 1
        name = f"initscope-{self.scene.name if self.scene else 'view'}-{self._snap_count}.png"
        try:  # written on a worker thread; the status bar says when it is there
            return export.save_png_later(
                self.centralWidget(), self.snapshot_dir / name, done=self._image_written
            )
        except export.ExportError as e:
            self.show_message(str(e))
            return None

    def _image_written(self, path: Path, error: str) -> None:
        if error:
            self.show_message(error)
        else:
            self.statusBar().showMessage(f"saved {path}", 4000)

    # ---------------------------------------------------- files and state
    def open_config(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open config", "", "TOML (*.toml)")
        if path:
            self.load_config_file(path)

    def load_config_file(self, path: str) -> bool:
        try:
            c = Config.load(path)
        except ConfigError as e:
            QMessageBox.warning(self, "Cannot open config", f"{Path(path).name}: {e}")
            return False
        self.set_config(c)
        return True

    def save_config(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save config", "initscope.toml", "TOML (*.toml)"
        )
        if path:
            try:
                self.config.save(path)
            except OSError as e:
                QMessageBox.warning(self, "Cannot save config", str(e))

    def save_image(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save image", "initscope.png", "PNG (*.png)")
        if path:  # written on a worker thread (a failure there is told as a message too)
            self._try(lambda: export.save_png_later(self, path, done=self._image_written))

    def save_svg(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save plots", "initscope.svg", "SVG (*.svg)")
        if path:
            self._try(lambda: export.save_svg(self.grid, path))

    def _try(self, action) -> bool:
        try:
            action()
        except export.ExportError as e:
            QMessageBox.warning(self, "InitScope", str(e))
            return False
        return True

    def view_state(self) -> dict:
        pd = self.playback_dock
        return {
            "preact": pd.preact.isChecked(),
            "grad": pd.grad.isChecked(),
            "wgrad": pd.wgrad.isChecked(),
            "per_layer_y": pd.per_layer_y.isChecked(),
        }

    def animation_state(self) -> dict:
        pd = self.playback_dock
        return {
            "mode": pd.animation.currentText(),
            "param": pd.sweep_param.currentText(),
            "from": pd.sweep_from.value(),
            "to": pd.sweep_to.value(),
            "period": pd.period.value(),
        }

    def save_state(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save state", "initscope-state.toml", "TOML (*.toml)"
            )
        if path:
            text = export.state_toml(
                self.config, self.compare, self.view_state(), self.animation_state()
            )
            self._try(lambda: export.write_text(path, text))

    def open_state(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open state", "", "TOML (*.toml)")
        if not path:
            return False
        try:
            config, compare, view, anim = export.read_state(path)
        except export.ExportError as e:
            QMessageBox.warning(self, "Cannot open state", str(e))
            return False
        pd = self.playback_dock
        for key, box, default in (
            ("preact", pd.preact, False),
            ("grad", pd.grad, True),  # state files from before the box had the row
            ("wgrad", pd.wgrad, False),
            ("per_layer_y", pd.per_layer_y, False),
        ):
            box.setChecked(bool(view.get(key, default)))
        self._set_compare(compare)
        self.set_config(config)
        if anim.get("mode") in ("off", "resample", "sweep"):
            pd.animation.setCurrentText(anim["mode"])
            if anim.get("param"):
                pd.sweep_param.setCurrentText(str(anim["param"]))
            for key, spin in (("from", pd.sweep_from), ("to", pd.sweep_to), ("period", pd.period)):
                if isinstance(anim.get(key), int | float):
                    spin.setValue(float(anim[key]))
        return True

    def record_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Record", "initscope.gif", "GIF (*.gif);;MP4 (*.mp4)"
        )
        if path:
            self.record(path, 40)

    def record(self, path: str, frames: int, show_progress: bool = True) -> int:
        """Step the animation (sweep or resample; resample if it is off) frame by frame, waiting
        for each frame to be computed and shown, with a progress dialog that can cancel."""
        pd = self.playback_dock
        mode = pd.animation.currentText()
        pd.animation.setCurrentText("off")
        mode = "resample" if mode == "off" else mode
        dialog = QProgressDialog("Recording…", "Cancel", 0, frames, self) if show_progress else None
        loop = QEventLoop()

        def step(i: int) -> None:
            t = i / max(frames, 1) * pd.period.value()
            changes = animation.next_changes(
                self.edited,
                mode,
                t,
                pd.sweep_param.currentText(),
                pd.sweep_from.value(),
                pd.sweep_to.value(),
                pd.period.value(),
            )
            self.frame_shown.connect(loop.quit)
            QTimer.singleShot(30_000, loop.quit)
            self.apply_changes(changes)
            loop.exec()
            self.frame_shown.disconnect(loop.quit)

        def progress(n: int) -> bool:
            if dialog is None:
                return True
            dialog.setValue(n)
            QCoreApplication.processEvents()
            return not dialog.wasCanceled()

        blend, self.grid.blend = self.grid.blend, False
        try:
            written = export.record(
                path, frames, step, lambda: export.frame_array(self.centralWidget()), progress
            )
        except (export.ExportError, OSError, RuntimeError) as e:  # RuntimeError: no ffmpeg for MP4
            self.show_message(f"recording failed: {e}")
            written = 0
        finally:
            self.grid.blend = blend
            if dialog is not None:
                dialog.close()
        if written:
            self.statusBar().showMessage(f"recorded {written} frames to {path}", 5000)
        return written

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage("copied", 2000)

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

    def _saved_config(self) -> Config | None:
        text = self.settings.value("config")
        if not text:
            return None
        try:
            return Config.from_toml(str(text))
        except ConfigError:
            return None  # a config from another version: start from the defaults

    def _restore_training(self) -> None:
        try:
            saved = json.loads(str(self.settings.value("training", "{}")))
        except ValueError:  # a hand-edited or damaged file: the defaults
            saved = {}
        if isinstance(saved, dict) and saved:
            self.training.dock.restore(saved)

    def _restore_layout(self) -> None:
        geo, state = self.settings.value("geometry"), self.settings.value("state")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        self._pump.stop()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        self.settings.setValue("config", self.config.to_toml())
        self.settings.setValue("training", json.dumps(self.training.dock.settings()))
        self.settings.sync()
        self.engine.stop()
        self.training.stop()
        super().closeEvent(event)
