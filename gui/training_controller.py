"""Glue between the window, the training engine, the Training dock and the training views.

The window lists its two docks (the Training controls and the curves' holder); this room listens
to the SessionState for the network it trains. While the user trains (or scrubs), the window's
views show the training record (`showing`: it hands the records to the presenter as the engine
hands its snapshots); any edit of the network hands the picture back to the window's own engine and
restarts the run at step 0, which is that same picture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget

from core.training import TrainRecord
from gui import export, paint_later, recording
from gui.docks.training_dock import TrainingDock
from gui.idle import Later
from gui.training_bins import shared_bins
from gui.training_engine import Setup, TrainFrame, TrainingEngine

if TYPE_CHECKING:
    from gui.views.training_views import TrainingViews

RECORD_FRAMES = 60
REPLAY_MS = 80  # per recorded step when replaying
VIEWS_SHARE = 0.36  # of the window's width, for the curves dock when it first appears
VIEWS_MIN_WIDTH = 420
VIEWS_SIZE_HINT = QSize(600, 480)  # what the curves ask for (a pyqtgraph view; a test checks)


class _Holder(QWidget):
    """Where the curves go once made; until then it asks for the room they would, so their dock
    opens alike (View → Training: curves gets the curves' width, not an empty widget's)."""

    def sizeHint(self) -> QSize:
        return VIEWS_SIZE_HINT


def _import_views() -> None:
    import gui.views.training_views  # noqa: F401


class TrainingController(QObject):
    presented = Signal(object)  # the TrainFrame just shown

    def __init__(self, win, state, presenter):
        super().__init__(win)
        self.win, self.state, self.presenter = win, state, presenter
        self.dock = TrainingDock()
        # the curves are made when their dock first shows (see `views`): hidden at launch, they
        # took 80-90 ms of it; the holder keeps their minimum width, so layouts restore alike.
        # Made a group of plots per event-loop turn (`_making`), from when the Training dock
        # or the curves dock first shows: made in one go, they held the first start 90-100 ms
        self._views: TrainingViews | None = None
        self._making: TrainingViews | None = None
        self._make_timer = Later(self._make_part, self)
        # their module (and what it imports) in an idle turn after launch: imported when the
        # dock first showed, it was 20-60 ms of that turn (issue 17's item 6, the training tab)
        self._preload = Later(_import_views, self)
        self._preload.start()
        # a frame reaches the curves a turn after the window's own views: their present and
        # paints (two, as their axes fit new labels) made one run of 100+ ms with the rest
        self._views_due = False
        self._views_timer = Later(self._present_views, self)
        self._repaint = Later(self._repaint_central, self)  # see _open_curves
        self._reveal = Later(self._show_views, self)
        # the worker waits while the window lays out and paints a start (engine.hold): released
        # once the event loop has caught up with that paint
        self._release = Later(self._release_worker, self)
        self.holder = _Holder()
        self.holder.setMinimumWidth(VIEWS_MIN_WIDTH)
        QVBoxLayout(self.holder).setContentsMargins(0, 0, 0, 0)
        self.engine = TrainingEngine(self)
        self.showing = False  # the window's grid/profile/table show training records
        self.scrub: int | None = None  # index into the history, or None: live
        self.frame: TrainFrame | None = None
        self._connect()
        state.changed.connect(self._state_changed)

    def place(self) -> None:
        """Its docks are made (the window's table): the curves' runs the window's full height
        (six plots need it at 720 px) and appears when training starts."""
        self.win.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        curves = self.win.docks["training_views"]
        curves.hide()
        curves.visibilityChanged.connect(self._views_visible)
        self.win.docks["training"].visibilityChanged.connect(self._dock_visible)

    def _connect(self) -> None:
        d, e = self.dock, self.engine
        e.frame_ready.connect(self.take_frame)
        e.failed.connect(self._on_failed)
        e.running_changed.connect(d.set_playing)
        d.changed.connect(self._rebuild)
        d.retuned.connect(self._retune)
        d.play_toggled.connect(self.play)
        d.step_clicked.connect(self.step)
        d.reset_clicked.connect(self.reset)
        d.scrubbed.connect(self._scrubbed)
        d.live_toggled.connect(self._live_toggled)
        d.layer_changed.connect(self._set_layer)
        d.replay_clicked.connect(self.replay)
        self._replay = QTimer(self)
        self._replay.setInterval(REPLAY_MS)
        self._replay.timeout.connect(self._replay_tick)

    @property
    def views(self) -> TrainingViews:
        """The curves dock's plots, made on first use (their dock shows, or a test asks): what
        is left of them is made now."""
        if self._views is None:
            self._start_views()
            while not self._making.made:
                self._making.make_part()
            self._attach_views()
        self._present_views()  # what they are about to show, they show now
        paint_later.flush()
        return self._views

    @property
    def views_made(self) -> bool:
        return self._views is not None

    def _start_views(self) -> None:
        from gui.views.training_views import TrainingViews

        if self._views is None and self._making is None:
            layers, sides = self.state.config.depth + 1, "A" if self.state.compare is None else "AB"
            self._making = TrainingViews(later=True, layers=layers, sides=sides)
        if self._views is None:
            self._make_timer.start()

    def _make_part(self) -> None:
        if self._making is None:
            return
        self._making.make_part()
        if self._making.made:
            self._attach_views()
        else:
            self._make_timer.start()

    def _attach_views(self) -> None:
        views, self._making = self._making, None
        self._make_timer.stop()
        self._views = views
        views.setMinimumWidth(VIEWS_MIN_WIDTH)
        views.painted.connect(self._views_painted)
        views.set_layer(self.dock.layer.value(), self.dock.time_side.currentText())
        self.holder.layout().addWidget(views)
        views.show()  # now, with its dock (a layout shows a new child only a turn later)
        rec = self.record_shown()
        if rec is not None:  # a run trained while nobody watched: the frame holds its history
            views.present(self.frame, None if self.scrub is None else rec.step)

    def _dock_visible(self, visible: bool) -> None:
        """The Training dock is in front: the curves its ▶ will show are made meanwhile."""
        if visible:
            self._start_views()

    def _views_visible(self, visible: bool) -> None:
        if visible:
            self._start_views()
        self._keep_in_lecture(visible)

    def _set_layer(self, layer: int, side: str) -> None:
        if self._views is not None:  # else made with the dock's layer and side
            self._views.set_layer(layer, side)

    # ------------------------------------------------------------ commands
    def setup(self) -> Setup:
        s = self.state
        return Setup(s.config, s.compare, self.dock.train_config(), self.dock.path)

    def _state_changed(self, what: frozenset[str]) -> None:
        if what & {"config", "compare"}:
            self.config_changed()

    def config_changed(self) -> None:
        """The window's network/init (or B side) changed: back to step 0, picture to the window."""
        self._show(False)
        watched = self.engine.built and self.win.docks["training_views"].isVisible()
        self.engine.setup(self.setup(), rebuild=watched)

    def play(self, on: bool = True) -> None:
        if on:
            self._engage()
            self.engine.play()
        else:
            self.engine.pause()

    def step(self) -> None:
        self._engage()
        self.engine.step(self.dock.spf.value())

    def reset(self) -> None:
        self.dock.message.setText("")
        self.engine.reset()

    def stop(self) -> None:
        self._replay.stop()
        self.engine.stop()

    def _engage(self) -> None:
        dock = self.win.docks["training_views"]
        if not dock.isVisible():
            self._open_curves(dock)
        self.dock.message.setText("")
        self._show(True)
        self._live_toggled(True)

    def _open_curves(self, dock) -> None:
        """The curves' dock opens over three turns of the event loop, a click answered between
        any two: the window's new layout, its paint (the central views narrower), the curves'
        first paint; the worker builds and trains once the last is done (engine.hold). In one
        turn they were 70-80 ms of CPU, and with the worker's build and first steps taking both
        cores and the GIL meanwhile, 137 ms on a quiet machine (issue 17)."""
        self.engine.hold()
        self.win.centralWidget().setUpdatesEnabled(False)  # painted a turn later: _repaint
        if self._views is not None:
            self._views.hide()
        dock.show()
        width = min(max(int(VIEWS_SHARE * self.win.width()), 420), 640)
        self.win.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        # the window and the curves take their new layout now, before the first paint
        # (left to the event loop, each layout that settled later repainted them)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._repaint.start()

    def _repaint_central(self) -> None:
        self.engine.hold()  # anew: on a loaded machine a stage can take long
        self.win.centralWidget().setUpdatesEnabled(True)  # which repaints it
        (self._reveal if self._views is not None else self._release).start()

    def _show(self, on: bool) -> None:
        """Training records take over the window's views (no blending: training is motion)."""
        self.presenter.source = "training" if on else "engine"
        self.showing = on

    def _show_views(self) -> None:
        self.engine.hold()
        self._views.show()  # the worker is released after its first paint (_views_painted)

    def _views_painted(self) -> None:
        if self.engine.held:
            self._release.start()

    def _release_worker(self) -> None:
        self.engine.hold(False)

    def _keep_in_lecture(self, visible: bool) -> None:
        """The lecture view hides every dock; a race being watched keeps its curves."""
        if not visible and self.showing and self.state.presentation:
            QTimer.singleShot(0, self.win.docks["training_views"].show)

    def _rebuild(self) -> None:
        self.dock.message.setText("")
        self.engine.setup(self.setup(), rebuild=True)

    def _retune(self, changes: dict) -> None:
        if "record_every" in changes:
            self.engine.steps_per_frame = changes["record_every"]
        self.engine.retune(**changes)

    def replay(self) -> None:
        """Walk the scrubber through the recorded steps (from the start if it is at the end)."""
        scrub = self.dock.scrub
        if scrub.value() >= scrub.maximum():
            scrub.setValue(0)
        self._replay.start()

    def _replay_tick(self) -> None:
        scrub = self.dock.scrub
        if scrub.value() >= scrub.maximum():
            self._replay.stop()
            self._live_toggled(True)
        else:
            scrub.setValue(scrub.value() + 1)

    def _scrubbed(self, i: int) -> None:
        self._show(True)
        self.scrub = None if self.dock.live.isChecked() else i
        self._present_record()

    def _live_toggled(self, on: bool) -> None:
        self.dock.set_live(on)
        if on:
            self.scrub = None
            if self.frame is not None:
                self._present_record()

    # ------------------------------------------------------------ frames
    def take_frame(self) -> None:
        """The newest frame the worker published, if any, presented (the worker steps on)."""
        frame = self.engine.take(hold=True)
        if frame is None:
            self.engine.hold(False)
            return
        if self._views is None or frame.run == self._views.run or not self._views.isVisible():
            self.engine.hold(False)  # only a run's first frame, which lays the curves out anew
        else:
            self._release.stop()  # released after the curves' present and paint
        if self.frame is None or frame.run != self.frame.run:
            self.scrub = None  # a new run: follow it
            self.dock.set_live(True)
            if self.showing:
                self.win.clear_message()
                # its views lay out anew: painted in the next turn, not 5 paints in one pass
                paint_later.hold(self.win.centralWidget())
        self.frame = frame
        self.dock.set_depth(len(frame.a.latest.act_hists))
        self._present_record()
        self._report(frame)
        self.presented.emit(frame)

    def record_shown(self) -> TrainRecord | None:
        """The record the scrubber points at (the newest while live)."""
        if self.frame is None:
            return None
        recs = self.frame.a.history.records
        return recs[-1] if self.scrub is None else recs[min(self.scrub, len(recs) - 1)]

    def _present_record(self) -> None:
        f = self.frame
        rec = self.record_shown()
        if rec is None:
            return
        self.dock.set_history(len(f.a.history.records), rec.step, f.a.step)
        if self._views is not None:  # not yet made: it shows the frame when it is
            self._views_due = True
            self._views_timer.start()
        if not self.showing:
            return
        b = f.b.history.at(rec.step) if f.b is not None else None
        a, b = shared_bins(rec.snapshot, b.snapshot) if b is not None else (rec.snapshot, None)
        # no init-time mean-field curves over a trained net: the presenter's frames say so
        self.presenter.show(a, b, source="training", step=rec.step)

    def _present_views(self) -> None:
        """The curves take the frame now and paint in a later turn (gui/paint_later.py): a run's
        first present (25 ms) and their first paint (35-45 ms) were one stall of 72-108 ms
        with nothing between (issue 17)."""
        self._views_timer.stop()
        rec = self.record_shown()
        if self._views_due and self._views is not None and rec is not None:
            paint_later.hold(self._views)
            self._views.present(self.frame, None if self.scrub is None else rec.step)
        self._views_due = False
        if self.engine.held and not (self._views is not None and self._views.isVisible()):
            self._release.start()  # else after their paint (_views_painted)

    def _report(self, f: TrainFrame) -> None:
        if f.diverged:
            bad = [s for s, snap in (("A", f.a), ("B", f.b)) if snap and snap.latest.nonfinite]
            self.dock.message.setText(
                f"{' and '.join(bad)} blew up (non-finite loss or activations) by step "
                f"{f.a.step}: training paused. Lower the learning rate or the init's scale."
            )
        elif f.a.done and not f.running:
            self.dock.message.setText("")

    def _on_failed(self, message: str) -> None:
        self.dock.message.setText(message)
        self.dock.set_playing(False)
        self.win.show_message(message)

    # ------------------------------------------------------------ export
    def record_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.win, "Record training", "initscope-training.gif", "GIF (*.gif);;MP4 (*.mp4)"
        )
        if path:
            self.record(path, RECORD_FRAMES)

    def record(self, path: str, frames: int) -> int:
        """One frame of the window per `Steps / frame` steps, each grabbed once it is shown."""
        self.engine.pause()
        self._engage()
        advance = lambda _i: self.engine.step(self.dock.spf.value())  # noqa: E731
        return recording.record(self.win, path, frames, advance, self.presented, self._grab)

    def _grab(self):
        self._present_views()  # the curves show the frame the window does
        return export.frame_array(self.win)
