"""The worker that turns configs into snapshots off the UI thread.

The UI hands over configs as fast as the hand moves; the worker computes only the newest one
(one slot, not a queue), so a burst of slider events costs one frame, never a backlog. The frame
is made in the compute process (gui/compute_process.py, core/serve.py), the worker waiting for it
with the GIL free for the UI; on the worker itself until that process is up, or if it ends.
Snapshots are immutable and cross to the UI thread through a queued signal; no widget is touched
here.
"""

from __future__ import annotations

import functools
import itertools
import sys
import threading
import traceback
from typing import NamedTuple

from PySide6.QtCore import Signal

from core import Config, ConfigError
from core.cancel import Cancelled
from core.frame import THEORY_POINTS, Frame, FrameMaker, Theory
from core.simulate import needs_backward
from core.stats import ROWS
from gui import compute_process
from gui.blas_tuner import BlasTuner, blas_counts, drag_blas
from gui.compute_process import ProcessEnded, Refused, RemoteBug
from gui.workers import WorkerEngine

# a drag frame's compute: beside the UI's ~20 ms, 30 frames a second
DRAG_BUDGET_S = 0.012
# the canonical drag runs here: 17-22 ms a frame in the compute process against 29-31 ms at
# batch 100 (23-24 frames a second there, 25-34 here), and each histogram still bins 25,000
# values; below it the batch-free work (the weights' draw, their statistics) dominates
MIN_DRAG_BATCH = 50
CANONICAL_WORK = 10 * 500 * 500 * 3  # multiply-adds a canonical example costs, with backward


def drag_batch(cost: float | None, configs: list[Config], backward: bool, cap: int) -> int:
    """Examples per frame while a hand holds a slider: as many as `cost` (measured seconds per
    multiply-add, Engine.drag_cost) fits in DRAG_BUDGET_S (issue 4: at least 30 frames a second
    at the canonical size), between MIN_DRAG_BATCH and `cap`; until the cost is known, `cap`
    for a net no bigger than the canonical one, DEFAULT_COST's batch for a bigger one."""
    per_example = matmul_work([c.replace(batch=1) for c in configs], backward)
    if per_example <= 0 or (cost is None and per_example <= CANONICAL_WORK):
        return cap
    # a big net's drag before its cost is measured: the default cost, not the cap (250
    # examples of depth 200 or width 1024 are seconds a frame)
    cost = cost or DEFAULT_COST
    # the floor is the canonical net's; a net k times its work per example has a floor k times
    # lower (depth 200: 8 examples, issue 23), whose histograms still bin every unit
    floor = max(MIN_CHUNK, min(MIN_DRAG_BATCH, MIN_DRAG_BATCH * CANONICAL_WORK / per_example))
    return int(min(cap, max(floor, DRAG_BUDGET_S / (cost * per_example))))


def matmul_work(configs: list[Config], backward: bool) -> float:
    """Multiply-adds of a frame's matmuls: what its compute time is divided by."""
    per_side = (c.batch * sum(a * b for a, b in itertools.pairwise(c.widths)) for c in configs)
    return float(sum(per_side)) * (3 if backward else 1)


def layer_work(configs: list[Config]) -> float:
    """Multiply-adds of one layer's matmul for one example, the mean over the frame's layers:
    what tells a narrow net's frame (its statistics' time, not its matmuls') apart."""
    sizes = [a * b for c in configs for a, b in itertools.pairwise(c.widths)]
    return sum(sizes) / max(len(sizes), 1)


# a change's first picture: as many examples as the measured cost fits in this, then the rest of
# the batch a chunk of that size at a time, each chunk merged into the picture (issue 23)
FRAME_BUDGET_S = 0.2
# seconds per multiply-add assumed until frames have measured it (a loaded 2-core machine's)
DEFAULT_COST = 3e-11
MIN_CHUNK = 8  # fewer, and each chunk's calls dominate
# seconds per weight a chunk costs beyond its matmuls (its ∂L/∂W written and added to the sum):
# a chunk is made big enough for its matmuls to cost 4 times that
FOLD_COST_S = 1e-9


def first_chunk(cost: float | None, configs: list[Config], backward: bool) -> int | None:
    """Examples a change's first frame computes, the chunk its refinement then goes on with;
    None when the whole batch fits in twice the budget (one frame, no chunk's overheads: the
    canonical net's). Chunks are evened out so the last one repeats few examples."""
    whole = max(c.batch for c in configs)
    per_example = matmul_work([c.replace(batch=1) for c in configs], backward)
    cost = cost or DEFAULT_COST
    n = int(FRAME_BUDGET_S / (cost * max(per_example, 1.0)))
    if 2 * n >= whole:
        return None
    floor = max(MIN_CHUNK, int(4 * FOLD_COST_S / (3 * cost)))
    k = -(-whole // max(floor, n))
    return -(-whole // k)


# how long the first frame waits for a compute process that is starting (the app starts it
# before it loads Qt; from source it is up 0.2-0.3 s later, well before the window is built)
FIRST_WAIT_S = 1.5
# how long a frame waits for a process started in place of one that ended (from source it is up
# in 0.6-0.9 s on a loaded 2-core machine, 2026-12-05; the frame waits rather than compute beside
# the UI, issue 17)
RESTART_WAIT_S = 10.0


class Job(NamedTuple):
    """One frame asked for: the A config (and B), the rows the views show, whether a hand drags
    a slider (drag_blas, not abandoned) and whether the phase dock is shown (its grid is made)."""

    config: Config
    compare: Config | None = None
    rows: tuple[str, ...] = ROWS
    drag: bool = False
    phase: bool = False


class Engine(WorkerEngine):
    """submit(config[, compare]) from the UI thread; snapshot_ready(a, b) comes back on it, b being
    None unless a comparison config was given (then both share histogram ranges).

    Frames are made in the compute process (gui/compute_process.py) once it is up, before that
    and if it ends on this worker thread; the worker only waits for the answer there, which
    leaves the GIL to the UI thread."""

    snapshot_ready = Signal(object, object)
    theory_ready = Signal(object)  # a Theory for the A snapshot, emitted just before it
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pending: Job | None = None
        self._busy = False
        self._job: Job | None = None  # the job being computed while _busy
        self.tuner = BlasTuner(blas_counts())
        # a drag's frames: one count, its own costs (the dragged net's, every frame: blas_tuner)
        self.drag_tuner = BlasTuner((drag_blas(),), every_frame=True)
        self.blas_threads = self.tuner.counts[0]  # the count the newest frame ran with
        self._local = FrameMaker()
        self._shape: tuple = ()  # the newest frame's shapes: the tuner skips a new shape's first
        self.remote = compute_process.shared()  # the app started it already; else now
        self._restarted = False  # the remote replaces one that ended: wait for it to be up
        self._cancel = threading.Event()  # the job in progress is to be abandoned
        self.where = "thread"  # where the newest frame was made: "thread" or "process"
        self.frames = 0  # snapshots delivered, for tests and the fps counter
        self._theory_sent = False  # a refinement's first frame brought its theory
        self._follow_last = compute_process.Follow(None, None)  # the newest drag's
        self.start()

    def submit(
        self,
        config: Config,
        compare: Config | None = None,
        rows: tuple[str, ...] = ROWS,
        drag: bool = False,
        phase: bool = False,
        abandon: bool = True,
    ) -> None:
        """Replace whatever is waiting: the newest config wins. `rows`: the histograms the
        views show (without a gradient row the backward pass is skipped). `drag`: a hand holds
        a slider, and the UI's paint, not the compute, sets the frame rate (drag_blas). `phase`:
        the theory's phase diagram is wanted too (made once per activation, 35-290 ms).

        Any other change (typed, picked, a scene, the slider's release) also abandons the frame
        in progress at its next layer (core/cancel.py): a deep net's frame takes seconds, and
        nobody wants to wait for the picture of a config already left. A drag's frames are not
        abandoned: each would be, by the next, and none would ever be shown; nor, with `abandon`
        False, is the launch's preview, the same picture as the full batch that follows it."""
        with self._cond:
            self._pending = Job(config, compare, tuple(rows), drag, phase)
            if self._busy and not drag and abandon:
                self._cancel.set()
                remote = self.remote
                if remote is not None:
                    remote.cancel()
            self._cond.notify()

    def drag_cost(self) -> float | None:
        """Seconds per multiply-add of a drag frame: measured on drag frames once there are
        enough, else the full frames' (lower: small matmuls run less efficiently)."""
        return self.drag_tuner.cost() or self.tuner.cost()

    @property
    def computing(self) -> Config | None:
        """The A config of the frame being made, None between frames."""
        with self._cond:
            return self._job.config if self._busy and self._job is not None else None

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and not self._busy

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                job = self._job = self._pending
                self._pending, self._busy = None, True
                self._cancel.clear()
            try:
                frame = self.compute(job)
            finally:
                with self._cond:
                    self._busy = False
            if frame is not None:
                self._deliver(frame)

    def _deliver(self, frame: Frame, refining: bool = False) -> None:
        """A frame to the UI thread; of a refinement's frames, the first with a theory brings
        it."""
        self.frames += 1
        # theory first: emitted after the frame, it crashed the interpreter at exit
        # now and then (a self-test quitting at its first frame, 3 runs in 12)
        if not self._theory_sent:
            self.theory_ready.emit(frame.theory)
        # (a refinement's first frame comes before its theory: the next brings it)
        self._theory_sent = refining and frame.theory.prediction is not None
        snaps = frame.snaps
        self.snapshot_ready.emit(snaps[0], snaps[1] if len(snaps) > 1 else None)

    def compute(self, job: Job) -> Frame | None:
        """The job's frame, made on the calling thread (the worker's; a test's), its cost taught
        to the BLAS tuner; None (and `failed`) if it cannot be made or was abandoned. A drag's
        frames go on back to back while the hand moves (compute_process.Follow): each but the
        last is delivered here, the last returned."""
        configs = [c for c in (job.config, job.compare) if c is not None]
        rows = job.rows
        self._theory_sent = False
        try:
            tuner = self.drag_tuner if job.drag else self.tuner
            chunk = None if job.drag else first_chunk(tuner.cost(), configs, needs_backward(rows))
            # a refinement runs while the UI paints its frames: like a drag, it leaves the UI a
            # core (and small matmuls gain little from a second thread, which stalls under load)
            n = self.blas_threads = min(tuner.counts) if chunk else tuner.choose()
            more = (chunk,) if chunk else ()  # (a frame made at once takes make()'s four)
            follow = self._follow(job, n) if job.drag else None
            frame = self.make(configs, rows, n, job.phase, *more, follow=follow)
            self.blas_threads = frame.blas_threads  # (made here beside a training step: its own)
            self._learn(tuner, n, follow.jobs[0] if follow else job, frame)
            return frame
        except Exception as e:
            self._failure(e)
        return None

    def _learn(self, tuner: BlasTuner, n: int, job: Job, frame: Frame) -> None:
        # a new shape's first frame builds the net and draws its input (up to twice the
        # cost): recorded, one such cost once kept a window's sweep on 1 thread
        configs = [c for c in (job.config, job.compare) if c is not None]
        shape = tuple((c.widths, c.batch, c.dtype) for c in configs)
        # (made here while a training step held OpenBLAS, a frame keeps the count it had)
        if shape == self._shape and frame.blas_threads == n:
            work = matmul_work(configs, needs_backward(job.rows))
            tuner.record(n, frame.seconds, work, layer_work(configs))
        self._shape = shape

    def _failure(self, e: Exception) -> None:
        if isinstance(e, Cancelled):  # a newer job waits
            return
        if isinstance(e, (ConfigError, MemoryError, Refused)):
            self.failed.emit(f"cannot compute this configuration: {e}")
            return
        if not isinstance(e, RemoteBug):  # a bug: shown, the window kept alive, the trace on stderr
            traceback.print_exception(e)
        self.failed.emit(f"internal error ({type(e).__name__}: {e}); the last frame is kept")

    def _follow(self, job: Job, n: int) -> compute_process.Follow:
        """The next drag frame, asked for while this one is made (compute_process.Follow);
        follow.jobs: the jobs sent and not yet answered, the oldest first."""

        def ahead():
            with self._cond:
                nxt = self._pending
                if nxt is None or not nxt.drag or self._stop:
                    return None
                self._pending = None
                self._cancel.clear()  # (set for a job nxt replaced, not for nxt)
                follow.jobs.append(nxt)
            configs = [c for c in (nxt.config, nxt.compare) if c is not None]
            return configs, nxt.rows, n, nxt.phase, None

        def done(answer):
            answered = follow.jobs.pop(0)
            try:
                frame = compute_process.result(answer)
                self._learn(self.drag_tuner, n, answered, frame)
                self._deliver(frame)
            except Exception as e:
                self._failure(e)
            with self._cond:
                self._job = follow.jobs[0]  # the one being made now

        # paced by the drag before: this drag's first frame also has its next sent ahead
        due = self._follow_last.due
        follow = self._follow_last = compute_process.Follow(ahead, done, due, self._cancel.is_set)
        follow.jobs = [job]
        return follow

    def _newest(self, follow: compute_process.Follow) -> tuple:
        """The newest job a drag's chain sent, now the only one (its process ended): configs,
        rows and phase to make it with."""
        job = follow.jobs[-1]
        follow.jobs[:] = [job]
        with self._cond:
            self._job = job
        return [c for c in (job.config, job.compare) if c is not None], job.rows, job.phase

    def _up(self) -> compute_process.ComputeProcess | None:
        """The compute process once it says it is up (the first frame and one after a restart
        wait for that); None: this frame is made here. One that ended before it was up (killed
        as it started) is replaced as one that ended in a frame is: left in place, every frame
        after it was made here, beside the UI, for the rest of the session."""
        for _ in range(compute_process.MAX_STARTS + 1):
            if self.remote is None and not self._replace(None):
                return None
            remote = self.remote
            wait = RESTART_WAIT_S if self._restarted else FIRST_WAIT_S if self.frames == 0 else 0
            ready = remote.ready(wait)
            self._restarted = False  # waited for once: one that hangs as it starts is not again
            if ready:
                return remote
            if remote.alive:  # still starting: this frame is made here
                return None
            self._replace(ProcessEnded("the compute process ended before it was up"))
        return None

    def _replace(self, e: Exception | None) -> bool:
        """A new process in place of the one that ended (`e`), or of none: False while
        processes keep ending (compute_process.replace); frames are made here until then."""
        ended, self.remote = self.remote, compute_process.replace(self.remote)
        self._restarted = self.remote is not None and self.remote is not ended
        if e is not None:
            then = "a new one takes over" if self.remote else "computing in the window for now"
            print(f"warning: {e}; {then}", file=sys.stderr)
        return self.remote is not None

    def make(
        self,
        configs: list[Config],
        rows,
        n: int,
        phase: bool = False,
        chunk: int | None = None,
        follow: compute_process.Follow | None = None,
    ) -> Frame:
        """In the compute process; in a new one if it has ended (the frame it was making is
        made again there, once: a config that ends two processes is refused, not tried on
        this thread, where it would end the window too). With `chunk`, the frames of the
        refinement before the last are delivered as they come."""
        partial = functools.partial(self._deliver, refining=True)
        for attempt in range(2):
            remote = self._up()
            if remote is None:
                break
            try:
                frame = remote.make(configs, rows, n, phase, chunk, partial, follow)
            except ProcessEnded as e:
                if follow is not None:  # a drag's: its newest job is the one to make again
                    configs, rows, phase = self._newest(follow)
                    follow = None
                if not self._replace(e):
                    break
                if attempt:
                    raise Refused(f"the compute process ended twice on it ({e})") from None
                continue
            self.where = "process"
            self._local.release()  # what frames made here before the process was up held
            return frame
        self.where = "thread"
        return self._local.make(
            configs, rows, n, phase, self._cancel.is_set, chunk=chunk, partial=partial
        )


# kept here for the views and tests that name them
__all__ = [
    "THEORY_POINTS",
    "BlasTuner",
    "Engine",
    "Job",
    "Theory",
    "blas_counts",
    "drag_batch",
    "drag_blas",
    "first_chunk",
    "matmul_work",
]
