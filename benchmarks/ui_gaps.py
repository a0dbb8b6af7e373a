"""The UI thread's longest stall during single actions in a quiet window (issue 17, item 6).

    .venv/bin/python benchmarks/ui_gaps.py [--json] [--repeat N] [--profile DIR]

A real MainWindow of 1920×1080 on the offscreen platform (its screen made 1920×1080 too, so the
presentation view's full screen is that size), with a throwaway QSettings file, settles on the
canonical scene (10 layers × 500 tanh, batch 1000, xavier-normal, float32). Then each action is
done through the window's own widgets, keys and menu actions:

- wgrad_on_depth12: the Network dock's depth set to 12 (untimed), then the Playback dock's
  "weight-gradient row ∂L/∂W" box clicked; wgrad_off: clicked again;
- present_enter / present_leave: F5, then Esc, as key clicks on the window;
- scene_switch: a Scenes menu action triggered (each repetition takes the next few scenes, so
  the repetitions together go through the menu);
- open_config / open_state: File → Open config… / Open state… (the file dialog answers with a
  plain TOML file of the canonical config / a state file saved from it);
- save_png: File → Save image… (the dialog answers with a path): export.save_png of the window
  at 2×; the action is over when the file is there;
- training_tab: the Training dock's tab brought to the front (what a hand does before it can
  press ▶ Train; the window makes the training curves meanwhile), until they are made;
- train_start_first: then its "▶ Train" clicked in a window that has not trained yet (each
  repetition is a new window); over when a trained frame (step > 0) is shown.

During each action a 5 ms QTimer ticks; an action lasts from the moment it is posted to the
event loop until the window is idle again (the frame it asked for shown, nothing computing or
blending) plus TAIL_MS, which takes in the paint that follows. gap_ms is the longest time
between two ticks in that span: how long a click would have waited; gap_cpu_ms, the UI thread's
CPU time in that gap (on a loaded machine the wall time also holds the time the thread waited
for a core), and max_cpu_gap_ms the most CPU time between two ticks; gap_others_cpu_ms, the CPU
time the process's other threads (the training worker and its OpenBLAS threads, the frame
engine's thread) took during that gap, which on 2 cores the UI thread waited behind. slot_ms is
the action's own synchronous call; cpu_total_ms the UI thread's CPU time over the whole action,
the work it did (steadier than a gap on a machine whose load swings). Every figure: median, min and max over the repetitions (and the scenes).
Target: gap ≤ 100 ms. Not a test; the machine's load is printed: on a shared 2-core machine,
compare only runs interleaved with each other.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SCREEN = (1920, 1080)


def _offscreen_screen() -> None:
    """The offscreen platform with one 1920×1080 screen (its default is 800×800)."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen").startswith("offscreen"):
        cfg = Path(tempfile.gettempdir()) / f"initscope-ui-gaps-{os.getpid()}.json"
        w, h = SCREEN
        screen = {"name": "bench", "x": 0, "y": 0, "width": w, "height": h, "logicalDpi": 96}
        cfg.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={cfg}"


_offscreen_screen()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gui  # noqa: F401, E402, I001  (before numpy: OpenBLAS's thread timeout, as the app sets it)

from core_step import CANONICAL, code_state, machine_info  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QGraphicsScene, QMessageBox  # noqa: E402

from gui import export, theme  # noqa: E402

TICK_MS = 5
TAIL_MS = 250  # after idle: the paint of what the action showed, and anything it deferred
SETTLE_MS = 400  # of quiet before each action
TIMEOUT_S = 90.0
TARGET_MS = 100.0
SCENES_PER_REPEAT = 3


class GapClock:
    """A 5 ms timer's ticks during an action, from its posting until idle + TAIL_MS."""

    def __init__(self):
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.loop = QEventLoop()
        self.profile_dir: Path | None = None

    def measure(self, name: str, action: Callable[[], None], done: Callable[[], bool]) -> dict:
        self.ticks = [time.perf_counter()]
        self.cpu = [time.thread_time()]
        self.proc = [time.process_time()]
        self.t0, self.slot_ms, self.done_at, self.idle = self.ticks[0], None, None, done
        prof = cProfile.Profile() if self.profile_dir is not None else None

        def run():
            t = time.perf_counter()
            action()
            self.slot_ms = (time.perf_counter() - t) * 1e3

        if prof is not None:
            prof.enable()
        self.timer.start()
        QTimer.singleShot(0, run)
        self.loop.exec()
        self.timer.stop()
        if prof is not None:
            prof.disable()
            prof.dump_stats(str(self.profile_dir / f"{name}-{len(os.listdir(self.profile_dir))}"))
        gaps = [(b - a) * 1e3 for a, b in zip(self.ticks, self.ticks[1:], strict=False)]
        k = max(range(len(gaps)), key=gaps.__getitem__)
        self.longest = (self.ticks[k], self.ticks[k + 1])
        cpu = [(b - a) * 1e3 for a, b in zip(self.cpu, self.cpu[1:], strict=False)]
        others = (self.proc[k + 1] - self.proc[k]) * 1e3 - cpu[k]
        return {
            "gap_ms": round(max(gaps), 1),
            "gap_cpu_ms": round(cpu[k], 1),
            "gap_others_cpu_ms": round(others, 1),
            "max_cpu_gap_ms": round(max(cpu), 1),
            "cpu_total_ms": round(sum(cpu), 1),
            "slot_ms": round(self.slot_ms or 0.0, 1),
            "idle_after_ms": round(((self.done_at or self.ticks[-1]) - self.t0) * 1e3, 1),
            "timed_out": self.done_at is None,
        }

    def _tick(self) -> None:
        now = time.perf_counter()
        self.ticks.append(now)
        self.cpu.append(time.thread_time())
        self.proc.append(time.process_time())
        if self.done_at is None and self.slot_ms is not None and self.idle():
            self.done_at = now
        over = self.done_at is not None and now - self.done_at >= TAIL_MS / 1e3
        if over or now - self.t0 > TIMEOUT_S:
            self.loop.quit()


class TracingApp(QApplication):
    """--trace: every outermost event handled for longer than TRACE_MS, with its receiver, so
    the longest gap can be put down to the events that made it (slot, layout, paint)."""

    TRACE_MS = 2.0

    def __init__(self, argv):
        super().__init__(argv)
        self.depth = 0
        self.slow: list[tuple[float, float, str]] = []

    def notify(self, receiver, event):
        self.depth += 1
        t, cpu = time.perf_counter(), time.thread_time()
        what = f"{event.type().name} → {_named(receiver)}"  # before: it may be deleted
        try:
            return super().notify(receiver, event)
        finally:
            self.depth -= 1
            ms = (time.perf_counter() - t) * 1e3
            if self.depth == 0 and ms > self.TRACE_MS:
                cpu_ms = (time.thread_time() - cpu) * 1e3
                self.slow.append((t, f"{ms:.0f} (cpu {cpu_ms:.0f})", what))


def _named(receiver) -> str:
    """A receiver's class; a timer's with its owners' (a Later's work: whose it is)."""
    name = type(receiver).__name__
    if isinstance(receiver, QTimer):
        owner = receiver.parent()
        if owner is not None and type(owner).__name__ == "Later":
            owner = owner.parent()
        name += f" of {type(owner).__name__}" if owner is not None else ""
    elif isinstance(receiver, QGraphicsScene) and receiver.views():
        name += f" of {type(receiver.views()[0]).__name__}"  # whose scene: which view paints
    return name


def pump(seconds: float, until: Callable[[], bool] = lambda: False) -> bool:
    """Run the event loop (a real one, which waits when idle, as the app's does) until `until()`
    or `seconds`."""
    loop = QEventLoop()
    end = time.perf_counter() + seconds

    def check():
        if until() or time.perf_counter() >= end:
            loop.quit()

    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(check)
    poll.start()
    QTimer.singleShot(0, check)
    loop.exec()
    poll.stop()
    return until()


def shown(win) -> bool:
    """The window shows its own config's frame, with the rows asked for; nothing on the way."""
    from gui.views.layer_grid import has_rows

    snap = win.latest
    return (
        win.up_to_date
        and not win.grid.animating
        and (len(snap.layers) > 12 or has_rows(snap, win.grid.rows))
    )


def settle(win) -> None:
    if not pump(TIMEOUT_S, lambda: shown(win)):
        raise RuntimeError(f"the window did not settle on {win.config}")
    pump(SETTLE_MS / 1e3)


def menu_actions(win, title: str) -> list:
    for menu in win.menuBar().actions():
        if menu.menu() is not None and menu.text().replace("&", "") == title:
            return menu.menu().actions()
    raise LookupError(title)


def menu_action(win, title: str, text: str):
    return next(a for a in menu_actions(win, title) if a.text() == text)


class Dialogs:
    """The file dialogs answer with prepared paths; message boxes are counted, not shown."""

    def __init__(self):
        self.open_path = self.save_path = ""
        self.warnings: list[str] = []
        QFileDialog.getOpenFileName = lambda *a, **k: (self.open_path, "")
        QFileDialog.getSaveFileName = lambda *a, **k: (self.save_path, "")
        QMessageBox.warning = lambda *a, **k: self.warnings.append(str(a[2] if len(a) > 2 else a))


def make_window(tmp: Path):
    """A window as on a first launch: settings of its own (the last window's saved layout
    would show the training curves, and its training would not be a first start)."""
    from gui.main_window import MainWindow

    fd, ini = tempfile.mkstemp(suffix=".ini", dir=tmp)
    os.close(fd)
    settings = QSettings(ini, QSettings.Format.IniFormat)
    win = MainWindow(CANONICAL, settings=settings)
    launched = importlib.util.find_spec("gui.gc_pause") is not None  # older code: no such
    if launched:  # as gui/app.py launches it
        importlib.import_module("gui.gc_pause").freeze_when_settled(win)
    win.resize(*SCREEN)
    win.show()
    win.activateWindow()
    settle(win)
    if launched:  # its one collection at launch: not in the first timed action
        pump(10, lambda: gc.get_freeze_count() > 0)
    return win


def one_window(
    clock: GapClock, dialogs: Dialogs, tmp: Path, rep: int, only: set[str] | None = None
) -> dict[str, list]:
    """Every action once (scene switches SCENES_PER_REPEAT times) in a new window; with `only`,
    just those (the others are not done at all)."""
    out: dict[str, list] = {}

    def timed(name, action, done=None) -> None:
        if only is not None and name not in only:
            out.setdefault(name, []).append({})
            return
        app = QApplication.instance()
        n = len(app.slow) if isinstance(app, TracingApp) else 0
        r = clock.measure(name, action, done or (lambda: shown(win)))
        if isinstance(app, TracingApp):
            a, b = clock.longest
            r["slow_events"] = [
                f"+{(t - a) * 1e3:.0f}: {ms} ms {what}"
                for t, ms, what in app.slow[n:]
                if a <= t < b
            ]
        r["rep"] = rep
        out.setdefault(name, []).append(r)
        if name != "train_start_first":  # training shows its records, not the window's frame
            settle(win)

    win = make_window(tmp)
    try:
        if only is None or "wgrad_on_depth12" in only:
            win.network_dock.depth.setValue(12)
            settle(win)
        timed("wgrad_on_depth12", win.playback_dock.wgrad.click)
        timed("wgrad_off", win.playback_dock.wgrad.click)
        pres = win.presentation
        timed("present_enter", lambda: QTest.keyClick(win, Qt.Key.Key_F5))
        timed("present_leave", lambda: QTest.keyClick(win, Qt.Key.Key_Escape))
        if pres.active:
            raise RuntimeError("Esc did not leave the presentation view")
        acts = menu_actions(win, "Scenes")
        for k in range(SCENES_PER_REPEAT):
            act = acts[(rep * SCENES_PER_REPEAT + k) % len(acts)]
            timed("scene_switch", act.trigger)
            if out["scene_switch"][-1]:
                out["scene_switch"][-1]["scene"] = act.text()
        dialogs.open_path = str(tmp / "canonical.toml")
        timed("open_config", menu_action(win, "File", "Open config…").trigger)
        dialogs.open_path = str(tmp / "state.toml")
        timed("open_state", menu_action(win, "File", "Open state…").trigger)
        png = tmp / f"window-{rep}.png"
        dialogs.save_path = str(png)
        timed("save_png", menu_action(win, "File", "Save image…").trigger, png.exists)
        if out["save_png"][-1]:
            out["save_png"][-1]["bytes"] = png.stat().st_size if png.exists() else 0
        tc = win.training
        views_made = lambda: getattr(tc, "views_made", True)  # noqa: E731  (older code: no such)
        timed("training_tab", win.docks["training"].raise_, lambda: views_made() and shown(win))
        trained = lambda: tc.frame is not None and tc.frame.a.step > 0  # noqa: E731
        timed("train_start_first", tc.dock.play.click, trained)
        tc.dock.play.click()  # pause
        pump(10, lambda: not tc.engine.running)
    finally:
        win.close()
        win.deleteLater()
        # now, not inside the next window's first timed action (a pumped deleteLater waits
        # for the next event loop: 60-70 ms of the UI thread for a whole window)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        # its objects in reference cycles collected now: left to a later full collection, they
        # made 200-280 ms stalls in the next window's actions (the app has one window)
        gc.unfreeze()
        gc.collect()
        pump(0.3)
    return out


def summary(rows: list[dict]) -> dict:
    gaps = [r["gap_ms"] for r in rows]
    cpu = [r["max_cpu_gap_ms"] for r in rows]
    return {
        "gap_ms_median": round(statistics.median(gaps), 1),
        "gap_ms_min": min(gaps),
        "gap_ms_max": max(gaps),
        "cpu_gap_ms_median": round(statistics.median(cpu), 1),
        "cpu_gap_ms_max": max(cpu),
        "gap_others_cpu_ms_median": round(
            statistics.median(r["gap_others_cpu_ms"] for r in rows), 1
        ),
        "slot_ms_median": round(statistics.median(r["slot_ms"] for r in rows), 1),
        "cpu_total_ms_median": round(statistics.median(r["cpu_total_ms"] for r in rows), 1),
        "n": len(rows),
        "timed_out": sum(r["timed_out"] for r in rows),
        "meets": max(gaps) <= TARGET_MS,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--repeat", type=int, default=5, help="windows, each doing every action")
    ap.add_argument("--profile", type=Path, help="write a cProfile of each action here")
    ap.add_argument("--trace", action="store_true", help="list each action's slow events")
    ap.add_argument(
        "--only",
        help="comma-separated action names: just those (e.g. training_tab,train_start_first)",
    )
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if only and "train_start_first" in only:
        only.add("training_tab")  # what a hand does before ▶ Train: the curves are made then
    app = (TracingApp if args.trace else QApplication)([sys.argv[0]])
    theme.apply(theme.THEMES["light"], app)
    clock, dialogs = GapClock(), Dialogs()
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        clock.profile_dir = args.profile
    load0 = round(os.getloadavg()[0], 2)
    runs: dict[str, list] = {}
    with tempfile.TemporaryDirectory(prefix="initscope-gaps-") as name:
        tmp = Path(name)
        CANONICAL.save(tmp / "canonical.toml")
        view = {"preact": False, "grad": True, "wgrad": False, "per_layer_y": False}
        anim = {"mode": "off", "param": "gain", "from": 0.1, "to": 3.0, "period": 8.0}
        export.write_text(tmp / "state.toml", export.state_toml(CANONICAL, None, view, anim))
        for rep in range(max(1, args.repeat)):
            for k, v in one_window(clock, dialogs, tmp, rep, only).items():
                if only is None or k in only:
                    runs.setdefault(k, []).extend(v)
    r = {
        "scene": "10 x 500 tanh, batch 1000, xavier-normal, float32; window 1920x1080 offscreen",
        "tick_ms": TICK_MS,
        "tail_ms": TAIL_MS,
        "target_gap_ms": TARGET_MS,
        "summary": {k: summary(v) for k, v in runs.items()},
        "runs": runs,
        "warnings": dialogs.warnings,
        "load_average_1min_start": load0,
    }
    r.update(machine_info())
    r.update(code_state())
    if args.json:
        print(json.dumps(r, indent=2))
        return
    head = ("action", "median", "min", "max", "cpu", "others", "slot")
    print(f"{head[0]:20s}" + "".join(f"{h:>8s}" for h in head[1:]) + "  (gap, ms)")
    for k, s in r["summary"].items():
        print(
            f"{k:20s}{s['gap_ms_median']:8.1f}{s['gap_ms_min']:8.1f}{s['gap_ms_max']:8.1f}"
            f"{s['cpu_gap_ms_median']:8.1f}{s['gap_others_cpu_ms_median']:8.1f}"
            f"{s['slot_ms_median']:8.1f}"
            f"{'' if s['meets'] else '  > target'}"
        )
        for run in runs[k] if args.trace else ():
            scene = f" ({run['scene']})" if "scene" in run else ""
            print(f"    gap {run['gap_ms']}{scene}: " + "; ".join(run["slow_events"]))
    print(f"load {load0} → {r['load_average_1min']}, {r['cpus']} cpus, head {r['git_head']}")


if __name__ == "__main__":
    main()
