"""Training: what to learn, how, and the transport (play/pause/step/reset, scrubber).

Settings that change the run (task, file, optimizer, batch) emit `changed`; ones a running
trainer can absorb (learning rate, steps, steps per frame) emit `retuned`, so moving the lr slider
mid-run keeps the run. The dock only reads widgets; the controller owns what happens.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from core.tasks import TASKS
from core.training import OPTIMIZERS, TrainConfig
from gui.docks.controls import ParamSlider
from gui.theme import WARN

FILE_ITEM = "file…"
LR_RANGE = (1e-5, 10.0)  # 10: high enough to watch a blow-up


class TrainingDock(QWidget):
    changed = Signal()  # the run must be rebuilt
    retuned = Signal(dict)  # TrainConfig fields a running trainer can take
    play_toggled = Signal(bool)
    step_clicked = Signal()
    reset_clicked = Signal()
    scrubbed = Signal(int)  # index into the recorded steps
    live_toggled = Signal(bool)
    layer_changed = Signal(int, str)  # 1-based hidden layer and side of the time view
    replay_clicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.path: str | None = None
        form = QFormLayout(self)
        form.addRow(self._transport())
        self.task = QComboBox()
        self.task.addItems([*TASKS, FILE_ITEM])
        self.task.setToolTip(
            "What the network learns. 2-D toys show a decision boundary; gaussians is as wide as "
            "the first layer; digits are 16×16 glyphs; file… loads your .npz (X, y) or .csv."
        )
        self.file_label = QLabel("")
        self.file_label.setToolTip("The data file in use (task file…).")
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(OPTIMIZERS))
        self.optimizer.setCurrentText(TrainConfig().optimizer)
        self.optimizer.setToolTip(
            "\n".join(f"{o.name}: {o.formula}  ({o.source})" for o in OPTIMIZERS.values())
        )
        self.lr = ParamSlider(*LR_RANGE, log=True, decimals=5)
        self.lr.setToolTip("Learning rate η (log scale). Changes apply to the running run.")
        self.batch = self._spin(1, 4096, 64, "Minibatch size: examples per optimizer step.")
        self.spf = self._spin(
            1, 1000, 10, "Optimizer steps between frames; each frame is one recorded step."
        )
        self.steps = self._spin(10, 1_000_000, 2000, "The run stops after this many steps.")
        self.steps.setSingleStep(100)
        self.layer = self._spin(1, 1, 1, "Hidden layer whose activations the time view shows.")
        form.addRow("Task", self.task)
        form.addRow("", self.file_label)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.lr)
        form.addRow("Batch", self.batch)
        form.addRow("Steps / frame", self.spf)
        form.addRow("Steps total", self.steps)
        form.addRow("Time view layer", self._time_row())
        form.addRow(self._scrubber())
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color:{WARN}; font-weight:bold;")
        self.message.setToolTip("Errors and blow-ups of the run.")
        form.addRow(self.message)
        self.lr.setValue(OPTIMIZERS[self.optimizer.currentText()].default_lr)
        self._connect()

    def _connect(self) -> None:
        self.task.currentTextChanged.connect(self._task_changed)
        self.optimizer.currentTextChanged.connect(self._optimizer_changed)
        self.batch.valueChanged.connect(self.changed)
        self.lr.valueChanged.connect(lambda v, _drag: self.retuned.emit({"lr": v}))
        self.spf.valueChanged.connect(lambda v: self.retuned.emit({"record_every": v}))
        self.steps.valueChanged.connect(lambda v: self.retuned.emit({"steps": v}))
        self.layer.valueChanged.connect(self._time_view_changed)
        self.time_side.currentTextChanged.connect(self._time_view_changed)

    # ------------------------------------------------------------ building
    def _time_row(self) -> QWidget:
        """The time view's layer, and in an A/B race its side."""
        self.time_side = QComboBox()
        self.time_side.addItems(["A", "B"])
        self.time_side.setToolTip("Whose activations the time view shows in an A/B race.")
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.layer, 1)
        lay.addWidget(self.time_side)
        return row

    def _spin(self, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setKeyboardTracking(False)
        spin.setToolTip(tip)
        return spin

    def _transport(self) -> QWidget:
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        self.play = QPushButton("▶ Train")
        self.play.setCheckable(True)
        self.play.setToolTip("Train continuously / pause. Editing the network restarts at step 0.")
        self.step_btn = QPushButton("Step")
        self.step_btn.setToolTip("One frame's worth of steps (Steps / frame), then pause.")
        self.reset_btn = QPushButton("Reset")
        self.reset_btn.setToolTip("Back to step 0: the initial weights you were looking at.")
        for b in (self.play, self.step_btn, self.reset_btn):
            lay.addWidget(b)
        self.play.toggled.connect(self._play_toggled)
        self.step_btn.clicked.connect(self.step_clicked)
        self.reset_btn.clicked.connect(self.reset_clicked)
        return row

    def _scrubber(self) -> QWidget:
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        self.scrub = QSlider(Qt.Orientation.Horizontal)
        self.scrub.setRange(0, 0)
        self.scrub.setToolTip(
            "Go back to any recorded step: the layer grid, depth profile and table show it."
        )
        self.live = QCheckBox("live")
        self.live.setChecked(True)
        self.live.setToolTip("Follow the newest step (untick by moving the scrubber).")
        self.step_label = QLabel("step 0")
        self.step_label.setMinimumWidth(110)
        self.step_label.setToolTip("Shown step / steps done.")
        self.replay = QPushButton("Replay")
        self.replay.setToolTip("Play the recorded steps back from the scrubber's position.")
        lay.addWidget(self.replay)
        lay.addWidget(self.scrub, 1)
        lay.addWidget(self.live)
        lay.addWidget(self.step_label)
        self.scrub.valueChanged.connect(self._scrubbed)
        self.live.toggled.connect(self.live_toggled)
        self.replay.clicked.connect(self.replay_clicked)
        return row

    # ------------------------------------------------------------ reading
    def train_config(self) -> TrainConfig:
        task = self.task.currentText()
        return TrainConfig(
            task="file" if task == FILE_ITEM else task,
            optimizer=self.optimizer.currentText(),
            lr=self.lr.value(),
            batch=self.batch.value(),
            steps=self.steps.value(),
            record_every=self.spf.value(),
        )

    def settings(self) -> dict:
        """What a lecturer set up before class, for the next launch (the window's QSettings)."""
        return {
            "task": self.task.currentText(),
            "file": self.path,
            "optimizer": self.optimizer.currentText(),
            "lr": self.lr.value(),
            "batch": self.batch.value(),
            "steps_per_frame": self.spf.value(),
            "steps": self.steps.value(),
        }

    def restore(self, saved: dict) -> None:
        """The last launch's settings, before any run exists (silently: the first run reads the
        dock). A value that no longer fits (a task or optimizer this version lacks, a data file
        gone, a number out of range) keeps the default; no dialog."""
        with QSignalBlocker(self):
            name = saved.get("optimizer")
            if name in OPTIMIZERS:
                self.optimizer.setCurrentText(name)  # sets its default lr, then:
            _restore_number(self.lr, saved.get("lr"), *LR_RANGE)
            for spin, key in ((self.batch, "batch"), (self.spf, "steps_per_frame")):
                _restore_number(spin, saved.get(key), spin.minimum(), spin.maximum())
            _restore_number(
                self.steps, saved.get("steps"), self.steps.minimum(), self.steps.maximum()
            )
            task, path = saved.get("task"), saved.get("file")
            if task == FILE_ITEM and isinstance(path, str) and Path(path).is_file():
                self.path = path
                self.file_label.setText(Path(path).name)
            if task in TASKS or (task == FILE_ITEM and self.path is not None):
                with QSignalBlocker(self.task):
                    self.task.setCurrentText(task)

    # ------------------------------------------------------------ syncing from the run
    def set_playing(self, on: bool) -> None:
        with QSignalBlocker(self.play):
            self.play.setChecked(on)
            self.play.setText("⏸ Pause" if on else "▶ Train")

    def set_depth(self, depth: int) -> None:
        with QSignalBlocker(self.layer):
            self.layer.setMaximum(max(depth, 1))

    def set_history(self, n: int, shown_step: int, step: int) -> None:
        """n recorded steps; the slider follows the newest while live."""
        with QSignalBlocker(self.scrub):
            self.scrub.setRange(0, max(n - 1, 0))
            if self.live.isChecked():
                self.scrub.setValue(n - 1)
        self.step_label.setText(
            f"step {step}" if shown_step == step else f"step {shown_step} / {step}"
        )

    def set_live(self, on: bool) -> None:
        with QSignalBlocker(self.live):
            self.live.setChecked(on)

    def set_file(self, path: str) -> None:
        """Use a data file (what the file dialog does; tests call it directly)."""
        self.path = path
        self.file_label.setText(Path(path).name)
        with QSignalBlocker(self.task):
            self.task.setCurrentText(FILE_ITEM)
        self.changed.emit()

    # ------------------------------------------------------------ reacting
    def _time_view_changed(self, *_) -> None:
        self.layer_changed.emit(self.layer.value(), self.time_side.currentText())

    def _play_toggled(self, on: bool) -> None:
        self.set_playing(on)
        self.play_toggled.emit(on)

    def _scrubbed(self, i: int) -> None:
        self.set_live(i == self.scrub.maximum())
        self.scrubbed.emit(i)

    def _task_changed(self, task: str) -> None:
        if task == FILE_ITEM:
            path, _ = QFileDialog.getOpenFileName(
                self, "Training data", "", "Data (*.npz *.csv);;All files (*)"
            )
            if path:
                self.set_file(path)
                return
            if self.path is None:  # cancelled with no file yet: back to a generated task
                with QSignalBlocker(self.task):
                    self.task.setCurrentIndex(0)
                return
        else:
            self.file_label.setText("")
        self.changed.emit()

    def _optimizer_changed(self, name: str) -> None:
        self.lr.setValue(OPTIMIZERS[name].default_lr)  # each optimizer's sensible default
        self.changed.emit()


def _restore_number(widget, value, lo: float, hi: float) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and lo <= value <= hi:
        widget.setValue(type(widget.value())(value))
