"""Full frames of the canonical scene against the BLAS floor and the matplotlib baseline (issue 4).

    .venv/bin/python benchmarks/frame_rate.py [--json] [--repeat N] [--changes N]

Scene: 10 layers × 500 tanh, batch 1000, xavier-normal, float32; a LayerGrid of 1920×1080 on the
offscreen platform (QT_QPA_PLATFORM is set to "offscreen" before the QApplication is created).

A frame = core step (one reused core.Simulator, the gain alternating between two values as a sweep
does, asked for the grid's rows as the window asks) + LayerGrid.present(snap, blend=False) +
LayerGrid.grab(). grab() renders the whole widget
synchronously into a pixmap: every panel is repainted on every frame, which is the worst case (a
live window repaints only what changed, and coalesces paints).

- floor_ms: the step's float32 matmuls, bare (benchmarks/core_step.py's Floor), timed interleaved
  with the frames.
- frame_ms: activations and gradient rows (20 panels); frame_vs_floor (target ≤ 1.25).
- fwd_only_ms: the same frame with the activation row only (10 panels), as the baseline draws:
  the window's "gradient row" unticked, so the core runs the forward pass only (as the baseline
  does) but still every forward statistic (moments of h and φ(h), saturation, dead units).
- baseline_ms: /work/shared/baseline_matplotlib.py loaded with runpy in this process (argv set so
  its own loop runs once, its print captured), then its update() timed here with the same σ
  alternation it uses. baseline_ratio = baseline_ms / fwd_only_ms (target ≥ 12).
- blas_threads: the BLAS thread count, chosen as the window's engine chooses it (gui/engine.py,
  BlasTuner: all cores but one or all cores, whichever computes faster here, measured on 8 warm-up
  frames); the floor and every timed frame then run with it.
- window_frame_ms: the real MainWindow running its own gain sweep (compute on the engine thread,
  presenting and painting on the UI thread, overlapping where the cores allow): what a room sees.
- latency_ms: in a real MainWindow (1920×1080, its own Engine thread, a throwaway QSettings file),
  from init_dock.gain.spin.setValue(v) (the spin box's real signal path) to the first frame_shown
  whose snapshot carries gain v. Each change waits for its frame and for the grid's blend to end.
  frame_shown is emitted after the views got the snapshot, before Qt paints it.
- drag_fps: in a real MainWindow, the gain slider held down (setSliderDown) and moved 4 steps
  every 1/60 s: frames shown per second while the hand moves (target ≥ 30), with drag_batch, the
  batch those frames had (the window computes on a smaller batch while a slider is held).
Every figure is a median; the p10/p90 spread is included because the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import math
import os
import runpy
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gui  # noqa: F401, I001  (before numpy: OpenBLAS's thread timeout, as the app sets it)

import numpy as np
from core_step import CANONICAL, Floor, code_state, machine_info, timed
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication
from threadpoolctl import ThreadpoolController

from core import Simulator
from gui import theme
from gui.engine import BlasTuner, blas_counts, matmul_work

BASELINE = Path(os.environ.get("INITSCOPE_BASELINE", "/work/shared/baseline_matplotlib.py"))
SIZE = (1920, 1080)
TARGET_FRAME_VS_FLOOR = 1.25
TARGET_BASELINE_RATIO = 12.0
TARGET_DRAG_FPS = 30.0


def app() -> QApplication:
    """The QApplication, on the offscreen platform (set before it is created)."""
    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    a = QApplication.instance() or QApplication([sys.argv[0]])
    theme.apply(theme.THEMES["light"], a)
    return a


def spread(xs) -> list[float]:
    return [round(float(np.percentile(xs, q)), 3) for q in (10, 90)]


def med(xs) -> float:
    return round(statistics.median(xs), 3)


class FrameBench:
    """Core step + present + synchronous render of one LayerGrid, with the per-part times."""

    def __init__(self, rows: tuple[str, ...]):
        from gui.views.layer_grid import LayerGrid

        self.grid = LayerGrid()
        self.grid.rows = rows
        self.grid.resize(*SIZE)
        self.grid.show()
        self.sim = Simulator()
        self.configs = [CANONICAL.replace(gain=1.0), CANONICAL.replace(gain=1.1)]
        self.k = 0
        self.parts = {"step": [], "present": [], "paint": []}

    def frame(self) -> None:
        for k, v in zip(self.parts, self.timed(), strict=True):
            self.parts[k].append(v)

    def timed(self, clock=time.perf_counter) -> tuple[float, float, float]:
        """ms of the step, the present and the grab of one frame, by `clock` (benchmarks/
        cpu_frame.py passes process_time)."""
        t0 = clock()
        snap = self.sim.run(self.configs[self.k % 2], rows=self.grid.rows)
        t1 = clock()
        self.grid.present(snap, blend=False)
        t2 = clock()
        self.grid.grab()
        t3 = clock()
        self.k += 1
        return (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3

    def part_medians(self) -> dict:
        return {k: med(v) for k, v in self.parts.items()}

    def close(self) -> None:
        self.grid.close()
        self.grid.deleteLater()


def settle_blas(full: FrameBench, frames: int = 8) -> int:
    """Choose the BLAS thread count as the window's engine does (gui.engine.BlasTuner, timing
    each count on these frames), then hold it: the floor and every timed frame run with it."""
    controller = ThreadpoolController()
    tuner = BlasTuner(blas_counts())
    work = matmul_work([CANONICAL], backward=True)
    for _ in range(frames):
        n = tuner.choose()
        controller.limit(limits=n, user_api="blas")
        t0 = time.perf_counter()
        full.sim.run(full.configs[full.k % 2], rows=full.grid.rows)
        full.k += 1
        tuner.record(n, time.perf_counter() - t0, work)
    n = tuner.best()
    controller.limit(limits=n, user_api="blas")
    return n


def frames(repeat: int, warmup: int = 3) -> dict:
    a = app()
    floor = Floor()
    full, fwd = FrameBench(("act", "grad")), FrameBench(("act",))
    a.processEvents()
    blas = settle_blas(full)  # the window's engine policy, for the floor and the frames alike
    for sim in (full.sim, fwd.sim):
        sim.prefetch = blas < (os.cpu_count() or 1)
    for _ in range(warmup):
        floor.run()
        full.frame()
        fwd.frame()
    for b in (full, fwd):
        for v in b.parts.values():
            v.clear()
    floors, fulls, fwds = [], [], []
    for _ in range(repeat):  # interleaved, so that outside load hits all three alike
        floors.append(timed(floor.run))
        fulls.append(timed(full.frame))
        fwds.append(timed(fwd.frame))
    out = {
        "floor_ms": med(floors),
        "frame_ms": med(fulls),
        "fwd_only_ms": med(fwds),
        "frame_parts_ms": full.part_medians(),
        "fwd_only_parts_ms": fwd.part_medians(),
        "spread_p10_p90_ms": {"floor": spread(floors), "frame": spread(fulls), "fwd": spread(fwds)},
        "blas_threads": blas,
    }
    full.close()
    fwd.close()
    a.processEvents()
    return out


def baseline(repeat: int) -> dict:
    """Load the notebook script (its module code runs update() twice: warm-up and one timed
    iteration), then time its update() here."""
    argv = sys.argv
    sys.argv = [str(BASELINE), "1"]
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            g = runpy.run_path(str(BASELINE), run_name="baseline_matplotlib")
    finally:
        sys.argv = argv
    update = g["update"]
    times = [timed(lambda i=i: update(0.01 * (1 + i % 3))) for i in range(repeat)]
    g["plt"].close("all")
    return {
        "baseline_ms": med(times),
        "baseline_spread_p10_p90_ms": spread(times),
        "baseline_self_report": buf.getvalue().strip(),
    }


@contextlib.contextmanager
def bench_window(config):
    """A real MainWindow at SIZE with a throwaway settings file, closed and deleted after."""
    from gui.main_window import MainWindow

    a = app()
    tmp = tempfile.TemporaryDirectory(prefix="initscope-bench-")
    settings = QSettings(str(Path(tmp.name) / "bench.ini"), QSettings.Format.IniFormat)
    win = MainWindow(config, settings=settings)
    win.resize(*SIZE)
    win.show()
    try:
        yield win
    finally:
        win.close()
        win.deleteLater()
        a.processEvents()
        tmp.cleanup()


def window_rate(frames: int, timeout_s: float = 120.0) -> dict:
    """The real MainWindow at 1920×1080 running the playback dock's gain sweep, as in a lecture:
    the engine computes on its thread while the UI presents and paints; every frame_shown counts.
    This is the frame period a room sees (compute and paint overlap where the cores allow)."""
    with bench_window(CANONICAL) as win:
        loop = QEventLoop()
        stamps: list[float] = []

        def on_frame(_snap):
            stamps.append(time.perf_counter())
            if len(stamps) > frames:
                loop.quit()

        QTimer.singleShot(int(timeout_s * 1e3), loop.quit)
        win.frame_shown.connect(on_frame)
        win.playback_dock.animation.setCurrentText("sweep")
        loop.exec()
        win.playback_dock.animation.setCurrentText("off")
        gaps = [(b - a_) * 1e3 for a_, b in itertools.pairwise(stamps[1:])]  # [0]: warm-up
    if not gaps:
        raise RuntimeError(f"the window showed {len(stamps)} frames in {timeout_s} s")
    return {
        "window_frame_ms": med(gaps),
        "window_fps": round(1e3 / med(gaps), 2),
        "window_spread_p10_p90_ms": spread(gaps),
        "window_frames": len(gaps),
    }


def latency(changes: int, timeout_s: float = 60.0) -> dict:
    a = app()
    with bench_window(CANONICAL.replace(gain=1.0)) as win:
        loop = QEventLoop()
        want = {"gain": None, "t": None}

        def on_frame(snap):
            if want["gain"] is not None and snap.config.gain == want["gain"] and want["t"] is None:
                want["t"] = time.perf_counter()
                loop.quit()

        def settle():
            """Until the engine is idle and the grid's blend is over (what a person waits for)."""
            deadline = time.perf_counter() + timeout_s
            while (not win.engine.idle or win.grid.animating or win.compute.awaiting) and (
                time.perf_counter() < deadline
            ):
                a.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
                time.sleep(0.002)
            a.processEvents()

        win.frame_shown.connect(on_frame)
        want["gain"] = 1.0
        QTimer.singleShot(int(timeout_s * 1e3), loop.quit)
        if win.latest is None or win.latest.config.gain != 1.0:
            loop.exec()  # the first frame
        settle()
        lat = []
        values = [1.05 + 0.01 * (k % 20) for k in range(changes)]  # every change is a new value
        for k, v in enumerate(values):
            if abs(win.config.gain - v) < 1e-9:
                v += 0.005
            want["gain"], want["t"] = round(v, 3), None
            guard = QTimer()
            guard.setSingleShot(True)
            guard.timeout.connect(loop.quit)
            guard.start(int(timeout_s * 1e3))
            t0 = time.perf_counter()
            win.init_dock.gain.spin.setValue(want["gain"])
            if want["t"] is None:
                loop.exec()
            guard.stop()
            if want["t"] is None:
                raise RuntimeError(
                    f"change {k}: no frame with gain {want['gain']} in {timeout_s} s"
                )
            lat.append((want["t"] - t0) * 1e3)
            settle()
        compute = win.latest.compute_ms
    return {
        "latency_ms": med(lat),
        "latency_spread_p10_p90_ms": spread(lat),
        "latency_changes": changes,
        "latency_last_compute_ms": round(compute, 1),
    }


def drag(seconds: float, hz: float = 60.0, timeout_s: float = 60.0) -> dict:
    """A hand on the gain slider: setSliderDown(True), then a new position every 1/hz s (the
    slider's real valueChanged path, which marks the change as a drag), for `seconds`; frames
    shown per second while it moves, and the batch they had (the window computes on DRAG_BATCH
    examples while the hand is down). Issue 4: at least 30 frames per second."""
    with bench_window(CANONICAL.replace(gain=1.0)) as win:
        loop = QEventLoop()
        QTimer.singleShot(int(timeout_s * 1e3), loop.quit)
        win.frame_shown.connect(loop.quit)
        loop.exec()  # the first frame
        win.frame_shown.disconnect(loop.quit)
        slider = win.init_dock.gain.slider
        stamps, batches, computes = [], [], []

        def on_frame(snap):
            stamps.append(time.perf_counter())
            batches.append(snap.config.batch)
            computes.append(snap.compute_ms)

        win.frame_shown.connect(on_frame)
        positions = itertools.cycle([*range(300, 700, 4), *range(700, 300, -4)])
        mover = QTimer()
        mover.setInterval(round(1e3 / hz))
        mover.timeout.connect(lambda: slider.setValue(next(positions)))
        slider.setSliderDown(True)
        t0 = time.perf_counter()
        mover.start()
        QTimer.singleShot(int(seconds * 1e3), loop.quit)
        loop.exec()
        mover.stop()
        t1 = time.perf_counter()
        slider.setSliderDown(False)
        win.frame_shown.disconnect(on_frame)
        inside = [k for k, t in enumerate(stamps) if t0 + 0.5 <= t <= t1]  # after a 0.5 s warm-up
        span = stamps[inside[-1]] - stamps[inside[0]] if len(inside) > 1 else math.nan
    return {
        "drag_fps": round((len(inside) - 1) / span, 1) if len(inside) > 1 else 0.0,
        "drag_batch": statistics.mode(batches[k] for k in inside) if inside else None,
        "drag_compute_ms": med([computes[k] for k in inside]) if inside else None,
        "drag_seconds": seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--repeat", type=int, default=20, help="timed frames per figure")
    ap.add_argument("--baseline-repeat", type=int, default=10, help="timed baseline updates")
    ap.add_argument("--changes", type=int, default=20, help="control changes for latency_ms")
    ap.add_argument("--window-frames", type=int, default=20, help="frames of the window's sweep")
    ap.add_argument("--drag-seconds", type=float, default=4.0, help="seconds of slider drag")
    args = ap.parse_args()
    r = {
        "scene": "10 x 500 tanh, batch 1000, xavier-normal, float32; act+grad rows; 1920x1080",
        "paint": "LayerGrid.grab() (synchronous full render into a pixmap) after present()",
        "repeat": args.repeat,
    }
    r.update(frames(max(1, args.repeat)))
    r["qpa"] = QApplication.platformName()
    r["frame_vs_floor"] = round(r["frame_ms"] / r["floor_ms"], 3)
    r.update(baseline(max(1, args.baseline_repeat)))
    r["baseline_ratio"] = round(r["baseline_ms"] / r["fwd_only_ms"], 2)
    r.update(latency(max(1, args.changes)))
    r.update(window_rate(max(2, args.window_frames)))
    r.update(drag(max(1.0, args.drag_seconds)))
    r["targets"] = {
        "frame_vs_floor": f"<= {TARGET_FRAME_VS_FLOOR}",
        "baseline_ratio": f">= {TARGET_BASELINE_RATIO}",
        "drag_fps": f">= {TARGET_DRAG_FPS}",
    }
    r["meets"] = {
        "frame_vs_floor": r["frame_vs_floor"] <= TARGET_FRAME_VS_FLOOR,
        "baseline_ratio": r["baseline_ratio"] >= TARGET_BASELINE_RATIO,
        "drag_fps": r["drag_fps"] >= TARGET_DRAG_FPS,
    }
    r.update(machine_info())
    r.update(code_state())
    import matplotlib
    import pyqtgraph
    import PySide6

    r["versions"] = {
        "PySide6": PySide6.__version__,
        "pyqtgraph": pyqtgraph.__version__,
        "matplotlib": matplotlib.__version__,
    }
    if args.json:
        print(json.dumps(r, indent=2))
        return
    keys = ("floor_ms", "frame_ms", "frame_vs_floor", "fwd_only_ms", "baseline_ms")
    for k in (*keys, "baseline_ratio", "latency_ms", "window_frame_ms", "drag_fps", "blas_threads"):
        print(f"{k:16s}{r[k]}")
    print(f"frame parts (ms): {r['frame_parts_ms']}")
    print(f"fwd-only parts (ms): {r['fwd_only_parts_ms']}")
    print(f"targets: {r['targets']}; met: {r['meets']}")
    print(f"numpy {r['numpy']}, BLAS {r['blas']}, {r['cpus']} cpus, load {r['load_average_1min']}")


if __name__ == "__main__":
    main()
