"""Soak: animate the real MainWindow offscreen for many frames; memory must stay flat.

    .venv/bin/python benchmarks/soak.py [--frames 20000] [--mode resample|sweep] [--json]

The window (1920×1080, QT_QPA_PLATFORM=offscreen, its own Engine thread, a throwaway QSettings
file) runs the playback dock's own animation (resample: the next seed every frame, so a new
NoiseBank each time; sweep: the dock's default sweep of the gain), exactly as in a lecture; every
frame_shown counts, and Qt paints between frames as it does on screen.

The soak scene is SMALLER than the canonical one (depth 10 × width 100 × batch 200 by default): at
about 0.15 s a canonical frame, 20,000 frames would take some 50 minutes. --width/--batch change it.

RSS (psutil) is sampled every --sample frames: start = after --warmup frames, end, max, growth
(end − start, MiB) and the least-squares slope over the run after warm-up (KiB per 1000 frames).
The compute process, where the frames are made (gui/compute_process.py), is measured at the start
and the end too.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gui  # noqa: F401, I001  (before numpy: OpenBLAS's thread timeout, as the app sets it)

import psutil
from core_step import code_state, machine_info
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from core import Config

MIB = 1024 * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--sample", type=int, default=100, help="RSS sample every N frames")
    ap.add_argument("--mode", choices=("resample", "sweep"), default="resample")
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--width", type=int, default=100)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from gui import compute_process, theme
    from gui.main_window import MainWindow

    theme.apply(theme.THEMES["light"], app)
    config = Config(
        depth=args.depth,
        width=args.width,
        batch=args.batch,
        activation="tanh",
        init="xavier-normal",
        dtype="float32",
    )
    tmp = tempfile.TemporaryDirectory(prefix="initscope-soak-")
    settings = QSettings(str(Path(tmp.name) / "soak.ini"), QSettings.Format.IniFormat)
    win = MainWindow(config, settings=settings)
    win.resize(1920, 1080)
    win.show()
    proc = psutil.Process()

    loop = QEventLoop()
    samples: list[tuple[int, float]] = []
    state = {"n": 0, "target": args.warmup, "t0": 0.0}
    guard = QTimer()  # a stall (no frame for 60 s) ends the run with an error
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)

    def rss() -> float:
        return proc.memory_info().rss / MIB

    def on_frame(_snap) -> None:
        state["n"] += 1
        guard.start(60_000)
        k = state["n"] - args.warmup
        if k > 0 and (k % args.sample == 0 or k == args.frames):
            samples.append((k, rss()))
            if k % (args.sample * 20) == 0:
                el = time.perf_counter() - state["t0"]
                print(
                    f"soak: {k}/{args.frames} frames, {k / el:.1f} fps, RSS {samples[-1][1]:.1f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
        if state["n"] >= state["target"]:
            loop.quit()

    def run_until(n: int) -> None:
        state["target"] = n
        guard.start(60_000)
        loop.exec()
        guard.stop()
        if state["n"] < n:
            raise RuntimeError(f"frame {state['n']}: no frame_shown within 60 s")

    win.frame_shown.connect(on_frame)
    t_start = time.perf_counter()
    rss_before_warmup = rss()
    # the playback dock's own animation drives the window, exactly as in a lecture
    win.playback_dock.animation.setCurrentText(args.mode)
    run_until(args.warmup)
    gc.collect()
    samples.append((0, rss()))
    server = compute_process.running()  # the frames are made there: its memory counts too
    child = psutil.Process(server.pid) if server is not None else None
    child_start = child.memory_info().rss / MIB if child is not None else None
    t0 = state["t0"] = time.perf_counter()
    run_until(args.warmup + args.frames)
    win.playback_dock.animation.setCurrentText("off")
    elapsed = time.perf_counter() - t0
    end_rss = rss()
    child_end = child.memory_info().rss / MIB if child is not None else None
    where = win.engine.where
    gc.collect()
    end_rss_gc = rss()
    win.close()
    win.deleteLater()
    app.processEvents()
    tmp.cleanup()

    xs = [k for k, _ in samples]
    ys = [v for _, v in samples]
    slope = statistics.linear_regression(xs, ys).slope if len(xs) > 2 else 0.0
    half = len(samples) // 2
    r = {
        "scene": (
            f"{args.depth} x {args.width} tanh, batch {args.batch}, xavier-normal, float32 "
            "(smaller than the canonical 10 x 500 x 1000, which would take ~50 min for 20k frames)"
        ),
        "mode": args.mode,
        "window": "MainWindow 1920x1080, offscreen, act+grad rows, the dock's animation",
        "frames": args.frames,
        "warmup_frames": args.warmup,
        "fps": round(args.frames / elapsed, 1),
        "elapsed_s": round(elapsed, 1),
        "total_s": round(time.perf_counter() - t_start, 1),
        "rss_before_warmup_mib": round(rss_before_warmup, 1),
        "rss_start_mib": round(ys[0], 1),
        "rss_end_mib": round(end_rss, 1),
        "rss_end_after_gc_mib": round(end_rss_gc, 1),
        "rss_max_mib": round(max(ys), 1),
        "rss_min_mib": round(min(ys), 1),
        "growth_mib": round(end_rss - ys[0], 2),
        "growth_second_half_mib": round(ys[-1] - ys[half], 2),
        "slope_kib_per_1000_frames": round(slope * 1024 * 1000, 1),
        "rss_samples_every": args.sample,
        "frames_made_in": where,
        "compute_process_rss_start_mib": child_start and round(child_start, 1),
        "compute_process_rss_end_mib": child_end and round(child_end, 1),
        **machine_info(),
        **code_state(),
    }
    if args.json:
        print(json.dumps(r, indent=2))
    else:
        for k, v in r.items():
            print(f"{k:28s}{v}")


if __name__ == "__main__":
    main()
