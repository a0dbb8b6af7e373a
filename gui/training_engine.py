"""The worker that trains off the UI thread: one Trainer, or two for an A/B race.

Lock-step with the screen: the worker runs `steps_per_frame` steps, publishes one TrainFrame in a
single slot and waits until the UI has taken it before stepping on, so a frame always means the
same number of steps (what makes a recording reproducible) and no stale frames queue up. The UI
never waits for training: it takes whatever is newest when the `frame_ready` signal arrives.
Both sides of a race get the same Dataset object, seed and TrainConfig, hence the same batches.
Every Trainer call happens on the worker thread; only immutable results cross to the UI.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

from PySide6.QtCore import Signal

from core import Config, ConfigError, parallel
from core.tasks import DataError, Dataset, load_file
from core.training import DecisionGrid, TrainConfig, Trainer, TrainSnapshot
from gui.workers import WorkerEngine

GRID_N = 48  # decision-boundary resolution: 2304 points through the net
GRID_SHARE = 0.2  # at most this share of the worker's time goes to decision grids
HOLD_MAX_S = 2.0  # a hold the UI forgot to release ends by itself: training never stalls on it


@dataclass(frozen=True)
class Setup:
    """What a run is made from: the window's configs and the training dock's settings."""

    config: Config
    compare: Config | None
    train: TrainConfig
    path: str | None = None  # the user's data file when train.task == "file"


@dataclass(frozen=True, eq=False)
class TrainFrame:
    """One published state: A's and B's snapshots at the same step, and what the views need."""

    a: TrainSnapshot
    b: TrainSnapshot | None
    grid_a: DecisionGrid | None
    grid_b: DecisionGrid | None
    data: Dataset
    run: int  # increases with every rebuild, so views know when to start their curves afresh
    running: bool

    @property
    def diverged(self) -> bool:
        return self.a.latest.nonfinite or (self.b is not None and self.b.latest.nonfinite)


class TrainingEngine(WorkerEngine):
    """setup() stores a recipe (trainers are built lazily, on the first reset/play/step, so editing
    the network costs nothing until training is wanted); frame_ready() says take() has a frame."""

    frame_ready = Signal()
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._setup: Setup | None = None
        self._commands: list[tuple] = []
        self._running = False
        self._frame: TrainFrame | None = None  # the one slot; None once the UI took it
        self._posted = False
        self.steps_per_frame = 10
        self.want_grid = True
        self.frames = 0  # frames published, for tests and the benchmark
        self._trainers: list[Trainer] = []
        self._run = 0
        self._grid_cost = 0.0
        self._grid_at = 0.0
        self._held_until = 0.0  # time.monotonic() until which the worker waits (see hold)
        self.start()

    # ------------------------------------------------------------ UI thread
    def setup(self, setup: Setup, rebuild: bool = False) -> None:
        """A new recipe. With rebuild, the run restarts from it (paused) at once; without, the old
        run is dropped and the next play/step builds the new one (edits nobody trains cost nothing)."""
        with self._cond:
            self._setup = setup
            if not rebuild and not (self._trainers or self._commands or self._running):
                # nothing built, queued or running: nothing to drop, and no worker woken. A
                # slider's drag sends a config at every tick, and each woken worker took the GIL
                # from the UI thread (about 6 ms a tick, a third of a 60 Hz drag's UI thread)
                return
            self._commands.append(("reset",) if rebuild else ("drop",))
        self._command(None, running=False)

    @property
    def built(self) -> bool:
        return bool(self._trainers)

    @property
    def trainers(self) -> tuple[Trainer, ...]:
        """The run's trainers, A first: to read while the worker is paused (tests)."""
        return tuple(self._trainers)

    @property
    def running(self) -> bool:
        with self._cond:
            return self._running

    def play(self) -> None:
        self._command(("ensure",), running=True)  # builds the run if there is none yet

    def pause(self) -> None:
        self._command(None, running=False)

    def step(self, n: int) -> None:
        self._command(("step", n), running=False)

    def reset(self) -> None:
        self._command(("reset",), running=False)

    def retune(self, **changes) -> None:
        self._command(("retune", changes))

    def take(self, hold: bool = False) -> TrainFrame | None:
        """The newest frame, once; the worker may step on after this (with hold: once released)."""
        with self._cond:
            frame, self._frame, self._posted = self._frame, None, False
            if hold:
                self._held_until = time.monotonic() + HOLD_MAX_S
            self._cond.notify()
            return frame

    def hold(self, on: bool = True) -> None:
        """The UI thread is about to lay out and paint a lot (a run's first frame, the curves dock
        opening): the worker waits, between steps and before a command, until released (or for
        HOLD_MAX_S at most). Trained alongside, OpenBLAS's threads took both cores and the
        worker's Python the GIL, and the first start's paint waited for them: 137 ms of wall time
        for 70 ms of CPU on a quiet machine (issue 17)."""
        with self._cond:
            self._held_until = time.monotonic() + HOLD_MAX_S if on else 0.0
            self._cond.notify_all()

    @property
    def held(self) -> bool:
        with self._cond:
            return self._held()

    def _command(self, cmd: tuple | None, running: bool | None = None) -> None:
        with self._cond:
            if cmd is not None:
                self._commands.append(cmd)
            if running is not None:
                self._running = running
            self._cond.notify()
        if running is not None:
            self.running_changed.emit(running)

    # ------------------------------------------------------------ worker thread
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stop and (
                    self._held() or (not self._commands and not self._may_step())
                ):
                    self._cond.wait(self._hold_left())
                if self._stop:
                    return
                commands, self._commands = self._commands, []
                setup = self._setup
            try:
                # a net's build and its records use OpenBLAS as the steps do (core/parallel.py)
                with parallel.BLAS.shared():
                    changed = self._obey(commands, setup)
                if self._may_step():
                    self._advance(self.steps_per_frame, playing=True)
                    changed = True
                if changed and self._trainers:
                    with parallel.BLAS.shared():
                        self._publish()
            except (ConfigError, DataError, MemoryError, OSError) as e:
                self._fail(f"cannot train: {e}")
            except Exception as e:  # a bug: say so, keep the window, trace on stderr
                traceback.print_exc()
                self._fail(f"training stopped by an internal error ({type(e).__name__}: {e})")

    def _held(self) -> bool:
        return time.monotonic() < self._held_until

    def _hold_left(self) -> float | None:
        """How long to wait on the condition: until the hold ends, or (none) for a notify."""
        left = self._held_until - time.monotonic()
        return left if left > 0 else None

    def _wait_held(self) -> None:
        """Between two steps: the UI asked for the cores and the GIL for a while."""
        with self._cond:
            while not self._stop and self._held():
                self._cond.wait(self._hold_left())

    def _may_step(self) -> bool:
        """Running, something to run, and the UI has taken the last frame (lock-step)."""
        return self._running and not self._posted and bool(self._trainers)

    def _obey(self, commands: list[tuple], setup: Setup | None) -> bool:
        changed = False
        for cmd in commands:
            if cmd[0] == "drop":
                self._trainers = []
                continue
            if cmd[0] == "reset" or not self._trainers:
                if setup is None:
                    return changed
                self._build(setup)
                changed = True
            if cmd[0] == "step":
                self._advance(cmd[1])
                changed = True
            elif cmd[0] == "retune":
                for tr in self._trainers:
                    tr.retune(**cmd[1])
        return changed

    def _build(self, s: Setup) -> None:
        self._trainers = []  # a failed build leaves no half-made run behind
        data = None
        if s.train.task == "file":
            if not s.path:
                raise DataError("choose a .npz or .csv file first")
            seed = s.config.seed if s.train.data_seed is None else s.train.data_seed
            data = load_file(s.path, seed=seed, test_frac=s.train.test_frac)
        a = Trainer(s.config, s.train, data)
        trainers = [a]
        if s.compare is not None:  # the same data object, seed and batches as A
            b_train = s.train.replace(data_seed=s.config.seed)
            trainers.append(Trainer(s.compare.replace(seed=s.config.seed), b_train, a.data))
        self._trainers = trainers
        self._run += 1
        self._grid_at = 0.0

    def _advance(self, n: int, playing: bool = False) -> None:
        """n steps, A and B in turn, one at a time: closing the window (or pausing a play) never
        waits for a long frame, and the two sides of a race stay at the same step."""
        a = self._trainers[0]
        for _ in range(max(0, min(n, a.train.steps - a.step_count))):
            self._wait_held()
            if self._stop or (playing and not self._running):
                return
            for tr in self._trainers:
                tr.step(1)
        if a.done or any(r.nonfinite for r in (t.snapshot().latest for t in self._trainers)):
            with self._cond:
                was, self._running = self._running, False
            if was:
                self.running_changed.emit(False)

    def _grids(self) -> tuple[DecisionGrid | None, ...]:
        """Decision grids for 2-D data, rate-limited when the net makes them expensive."""
        a = self._trainers[0]
        none = (None,) * len(self._trainers)
        if not self.want_grid or a.data.width != 2:
            return none
        now = time.perf_counter()
        if self._running and now - self._grid_at < self._grid_cost / GRID_SHARE:
            return none
        grids = tuple(tr.decision_grid(GRID_N) for tr in self._trainers)
        self._grid_at = time.perf_counter()
        self._grid_cost = self._grid_at - now
        return grids

    def _publish(self) -> None:
        snaps = [tr.snapshot() for tr in self._trainers]
        grids = self._grids()
        frame = TrainFrame(
            a=snaps[0],
            b=snaps[1] if len(snaps) > 1 else None,
            grid_a=grids[0],
            grid_b=grids[1] if len(grids) > 1 else None,
            data=self._trainers[0].data,
            run=self._run,
            running=self._running,
        )
        with self._cond:
            self._frame = frame
            self._posted = True
            self.frames += 1
        self.frame_ready.emit()

    def _fail(self, message: str) -> None:
        with self._cond:
            was, self._running = self._running, False
        if was:
            self.running_changed.emit(False)
        self.failed.emit(message)
