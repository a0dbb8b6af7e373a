"""Training inside the window: steps per second and the UI frame rate while it trains (issue 7).

    .venv/bin/python benchmarks/train_ui.py [--seconds 20] [--spf 10]

The canonical net (10 layers × 500 tanh, Xavier, float32) trains at batch 128 on the gaussians
task (500 inputs, so the layer grid shows every layer) with Adam, recording every `spf` steps, in
a real MainWindow of 1600×950 on the offscreen platform with the training views shown and the
layer grid, depth profile and table following every frame. Measured over `--seconds` of play:

- steps_per_second: optimizer steps the worker made per wall-clock second, in the window;
- core_steps_per_second: the same Trainer alone (no window), same record rate, for reference;
- ui_fps: training frames the window presented per second (a frame = spf steps + one record);
- present_ms: median main-thread time to take and present one frame (all views);
- event_loop_gap_ms: p50/p95/max gap between ticks of a 10 ms QTimer while training, i.e. how long
  the UI can be unresponsive (what a click would wait for).
Prints JSON. Not a test; on a shared 2-core machine, read `load_average_1min` first.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import gui  # noqa: F401, I001  (before numpy: OpenBLAS's thread timeout, as the app sets it)

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from core import Config
from core.training import TrainConfig, Trainer

CANONICAL = Config(depth=10, width=500, activation="tanh", init="xavier-normal", batch=128)
SIZE = (1600, 950)


def pump(app: QApplication, seconds: float, until=lambda: False) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not until():
        app.processEvents()
        time.sleep(0.002)


def in_window(app: QApplication, seconds: float, spf: int) -> dict:
    from gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        win = MainWindow(CANONICAL, settings=settings)
        win.resize(*SIZE)
        win.show()
        pump(app, 60, lambda: win.latest is not None)
        tc = win.training
        tc.dock.task.setCurrentText("gaussians")
        tc.dock.batch.setValue(128)
        tc.dock.steps.setValue(10**6)
        tc.dock.spf.setValue(spf)
        present_ms: list[float] = []
        original = tc.take_frame

        def timed_frame():
            t = time.perf_counter()
            original()
            present_ms.append(1e3 * (time.perf_counter() - t))

        tc.engine.frame_ready.disconnect(original)
        tc.engine.frame_ready.connect(timed_frame)
        tc.step()  # build and show step 0 (and the curves dock) before the clock starts
        pump(app, 60, lambda: tc.frame is not None and tc.frame.a.step == spf)
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        step0, n0 = tc.frame.a.step, len(present_ms)
        timer.start()
        t0 = time.perf_counter()
        tc.play(True)
        pump(app, seconds)
        elapsed = time.perf_counter() - t0
        steps = tc.frame.a.step - step0
        frames = len(present_ms) - n0
        tc.play(False)
        timer.stop()
        gaps = [1e3 * (b - a) for a, b in itertools.pairwise(ticks)]
        win.close()
    return {
        "steps_per_second": round(steps / elapsed, 1),
        "ui_fps": round(frames / elapsed, 2),
        "present_ms_median": round(statistics.median(present_ms[n0:]), 1),
        "event_loop_gap_ms": {
            "p50": round(statistics.median(gaps), 1),
            "p95": round(statistics.quantiles(gaps, n=20)[-1], 1),
            "max": round(max(gaps), 1),
        },
        "seconds": round(elapsed, 1),
        "steps": steps,
        "frames": frames,
    }


def core_alone(spf: int, steps: int) -> float:
    tr = Trainer(CANONICAL, TrainConfig(task="gaussians", batch=128, record_every=spf))
    tr.step(spf)  # warm-up
    t = time.perf_counter()
    tr.step(steps)
    return steps / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--spf", type=int, default=10)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = in_window(app, args.seconds, args.spf)
    core = core_alone(args.spf, max(window["steps"], 5 * args.spf))
    print(
        json.dumps(
            {
                "net": "10 x 500 tanh, xavier-normal, float32, adam, batch 128, gaussians",
                "steps_per_frame": args.spf,
                "window": window,
                "core_steps_per_second": round(core, 1),
                "window_vs_core": round(window["steps_per_second"] / core, 2),
                "window_size": SIZE,
                "cpus": os.cpu_count(),
                "machine": platform.machine(),
                "load_average_1min": round(os.getloadavg()[0], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
