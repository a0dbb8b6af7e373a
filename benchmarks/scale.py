"""Big nets in the real window (issue 23): time to the first frame of a new net, to its whole-batch
frame, the longest event-loop gap meanwhile, and frames a second while the gain slider is dragged.

    .venv/bin/python benchmarks/scale.py [--json] [--nets 200x500,50x1024,50x2048] [--drag-seconds S]

A real MainWindow of 1920×1080 on the offscreen platform (benchmarks/ui_gaps.py's set-up) settles on
the canonical scene (10 × 500 tanh, batch 1000). For each net, from the settled canonical window,
the Network dock's width box (typed, Enter) and depth spin box are set in one slot (each change
goes through the widget's own signal), and the clock starts. first_frame_ms: until a
frame of the new net (its depth and width) is shown, on part of the batch or all of it;
first_frame_layers: the layers it had (a big plain net's first layers are shown while the rest
are drawn, core/preview.py). full_frame_ms: until its whole-batch frame is shown (None if the
window refused the net: its message is kept). gap_ms: the longest time between two ticks of a 5 ms timer over that span.
Then the gain slider is held and moved at 60 Hz for --drag-seconds: drag_fps, the frames shown a
second after a 0.5 s warm-up, and the batch they had. The window goes back to the canonical net
and settles before the next. Targets: first frame ≤ 250 ms, gap ≤ 50 ms, drag ≥ 15 frames/s.
Not a test; on a shared machine compare only interleaved runs (the load is printed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

import ui_gaps  # (first: the offscreen 1920×1080 screen, then Qt)
from core_step import CANONICAL, code_state, machine_info
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from gui import theme

TICK_MS = 5
TIMEOUT_S = 120.0
NETS = "200x500,50x1024,50x2048"


class Ticks:
    """A 5 ms timer's ticks: the longest gap between two is how long a click would wait."""

    def __init__(self):
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))
        self.stamps: list[float] = []

    def start(self) -> None:
        self.stamps = [time.perf_counter()]
        self.timer.start()

    def longest_ms(self, until: float) -> float:
        self.timer.stop()
        got = [t for t in self.stamps if t <= until] + [until]
        return round(max(b - a for a, b in itertools.pairwise(got)) * 1e3, 1)


def change(win, depth: int, width: int) -> dict:
    """The net typed in the Network dock; timed to its first and its whole-batch frame."""
    shown: list[tuple[float, object]] = []
    messages: list[str] = []
    on_frame = lambda snap: shown.append((time.perf_counter(), snap))  # noqa: E731
    win.frame_shown.connect(on_frame)
    bar = win.statusBar()
    bar.messageChanged.connect(lambda text: messages.append(text) if text else None)
    ticks = Ticks()

    def new(snap) -> bool:
        return snap.config.depth == depth and snap.config.width == width

    def whole(snap) -> bool:
        examples = getattr(snap, "examples", None)
        return new(snap) and (examples is None or examples >= snap.config.batch)

    def act():
        type_width(win, width)
        win.network_dock.depth.setValue(depth)

    ticks.start()
    t0 = time.perf_counter()
    QTimer.singleShot(0, act)
    refused = lambda: any("memory" in m for m in messages)  # noqa: E731
    ui_gaps.pump(TIMEOUT_S, lambda: any(whole(s) for _, s in shown) or refused())
    end = time.perf_counter()
    win.frame_shown.disconnect(on_frame)
    app = QApplication.instance()
    slow = [f"+{(t - t0) * 1e3:.0f}: {ms} {what}" for t, ms, what in getattr(app, "slow", [])]
    if slow:
        app.slow.clear()
    first = next((t for t, s in shown if new(s)), None)
    full = next((t for t, s in shown if whole(s)), None)
    return {
        "net": f"{depth}x{width}",
        "first_frame_ms": round((first - t0) * 1e3, 1) if first else None,
        "first_frame_examples": next(
            (getattr(s, "examples", None) or s.config.batch for _, s in shown if new(s)), None
        ),
        # a plain net's first frame may show its first layers only (core/preview.py)
        "first_frame_layers": next((len(s.layers) for _, s in shown if new(s)), None),
        "full_frame_ms": round((full - t0) * 1e3, 1) if full else None,
        "frames_shown": sum(new(s) for _, s in shown),
        "gap_ms": ticks.longest_ms(full or end),
        "refused": next((m for m in messages if "memory" in m), None),
    } | ({"slow_events": [e for e in slow if not e.startswith("+-")]} if slow else {})


def drag(win, seconds: float, hz: float = 60.0) -> dict:
    """The gain slider held and moved at `hz` (frame_rate.py's drag)."""
    slider = win.init_dock.gain.slider
    stamps, batches = [], []

    def on_frame(snap):
        stamps.append(time.perf_counter())
        batches.append(snap.config.batch)

    win.frame_shown.connect(on_frame)
    positions = iter([*range(300, 700, 4), *range(700, 300, -4)] * 100)
    mover = QTimer()
    mover.setInterval(round(1e3 / hz))
    mover.timeout.connect(lambda: slider.setValue(next(positions)))
    slider.setSliderDown(True)
    t0 = time.perf_counter()
    mover.start()
    ui_gaps.pump(seconds)
    mover.stop()
    t1 = time.perf_counter()
    slider.setSliderDown(False)
    win.frame_shown.disconnect(on_frame)
    inside = [k for k, t in enumerate(stamps) if t0 + 0.5 <= t <= t1]
    span = stamps[inside[-1]] - stamps[inside[0]] if len(inside) > 1 else math.nan
    return {
        "drag_fps": round((len(inside) - 1) / span, 2) if len(inside) > 1 else 0.0,
        "drag_batch": statistics.mode(batches[k] for k in inside) if inside else None,
    }


def type_width(win, width: int) -> None:
    """The width box is a line edit (it takes a comma list too): typed, then Enter."""
    win.network_dock.width_edit.setText(str(width))
    win.network_dock.width_edit.editingFinished.emit()


def back(win) -> None:
    win.network_dock.depth.setValue(CANONICAL.depth)
    type_width(win, CANONICAL.width)
    win.init_dock.gain.spin.setValue(1.0)
    ui_gaps.settle(win)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--nets", default=NETS, help="depth x width, comma-separated")
    ap.add_argument("--drag-seconds", type=float, default=3.0)
    ap.add_argument("--trace", action="store_true", help="list the slow events of each change")
    args = ap.parse_args()
    app = (ui_gaps.TracingApp if args.trace else QApplication)([__file__])
    theme.apply(theme.THEMES["light"], app)
    load0 = round(os.getloadavg()[0], 2)
    nets = [tuple(int(v) for v in n.split("x")) for n in args.nets.split(",")]
    runs = []
    with tempfile.TemporaryDirectory(prefix="initscope-scale-") as name:
        win = ui_gaps.make_window(Path(name))
        try:
            for depth, width in nets:
                r = change(win, depth, width)
                if r["full_frame_ms"] is not None:
                    r |= drag(win, args.drag_seconds)
                runs.append(r)
                back(win)
        finally:
            win.close()
    out = {
        "window": "1920x1080 offscreen, from the settled canonical 10 x 500 tanh, batch 1000",
        "targets": {"first_frame_ms": 250, "gap_ms": 50, "drag_fps": 15},
        "runs": runs,
        "load_average_1min_start": load0,
    }
    out.update(machine_info())
    out.update(code_state())
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for r in runs:
        print(r)
    print(f"load {load0} → {out['load_average_1min']}, head {out['git_head']}")


if __name__ == "__main__":
    main()
