"""Config soak: hundreds of random config changes in the real window; memory must not grow.

    .venv/bin/python benchmarks/config_soak.py [--changes 500] [--every 50] [--seed 0]
        [--warmup N] [--json]

Issue 17 saw the window reach 2.9 GiB and its compute process 3.9 GiB under an impatient
lecturer: the noise bank kept the draws of every layer shape seen under one seed, and each side
kept two networks, B's staying after A/B was turned off. Here the real MainWindow (offscreen,
1600×950, a throwaway QSettings file) takes seeded random changes through `apply_changes` (depth,
width up to 1280, activation, init, seed from a few, A/B on and off), waiting for each frame.
Every --every changes it goes back to one reference config (A/B off) and, once that frame is
shown and the window has been idle for IDLE_MS (what it leaves for later turns done: views freed,
the heap's free pages given back), samples the RSS of both processes: the same picture each
time, so any rise is growth, not a bigger net. Reports the samples and the growth in MiB and %,
from the start (before any change: `growth`) and from the first sample after it
(`growth_after_first`, which leaves out what the first changes make once). --warmup N makes N
changes of another seed before the start sample: the measured changes then start from a window
that has already made what it makes once (OpenBLAS's per-thread buffers, bounded caches, the
heap's first spread), so growth over them is what accumulates; `growth_from_cold` keeps the rest.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import json
import os
import random
import signal
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gui  # noqa: F401, I001  (before numpy: OpenBLAS's thread timeout, as the app sets it)

import psutil
import rss_parts
from core_step import code_state, machine_info
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication

from core import Config

MIB = 1024 * 1024
IDLE_MS = 300
SETTLE_TURNS = 200  # at most 10 s of 50 ms waits for the window's idle-turn work
REFERENCE = Config(depth=10, width=256, batch=200, activation="tanh", init="xavier-normal")


def random_changes(rng: random.Random) -> dict:
    return rng.choice(
        [
            lambda: {"depth": rng.choice([2, 4, 8, 12, 16])},
            lambda: {"width": rng.choice([32, 128, 256, 512, 768, 1024, 1280])},
            lambda: {"activation": rng.choice(["tanh", "relu", "sigmoid", "gelu", "selu"])},
            lambda: {
                "init": rng.choice(
                    ["normal", "truncated-normal", "xavier-uniform", "he-normal", "orthogonal"]
                )
            },
            lambda: {"seed": rng.randrange(4)},
            lambda: {"gain": rng.choice([0.5, 1.0, 2.0])},
        ]
    )()


def idle(ms: int) -> None:
    """A real event loop for `ms` (it waits when there is nothing to do, as the app's does)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def growth(first: dict, last: dict) -> dict:
    return {
        side: {
            "mib": round(last[key] - first[key], 1),
            "percent": round(100 * (last[key] - first[key]) / first[key], 1),
        }
        for side, key in (("window", "window_mib"), ("compute", "compute_mib"))
    }


def rss(pid: int | None) -> float:
    return psutil.Process(pid).memory_info().rss / MIB if pid else float("nan")


def trimmed_rss() -> float:
    """This process's RSS once glibc has handed its free heap pages back (malloc_trim): what is
    left is memory in use; the difference, freed memory the allocator kept (fragmentation)."""
    libc = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    if trim is None:
        return float("nan")
    trim(0)
    return rss(os.getpid())


def scene_items(win) -> int:
    """Graphics items in the window's scenes: C++ objects tracemalloc does not see."""
    from PySide6.QtWidgets import QGraphicsView

    return sum(len(v.scene().items()) for v in win.findChildren(QGraphicsView) if v.scene())


def item_types(win) -> dict[str, int]:
    """How many items of each type, and how many of them hidden (a pool's spares)."""
    from collections import Counter

    from PySide6.QtWidgets import QGraphicsView

    items = [i for v in win.findChildren(QGraphicsView) if v.scene() for i in v.scene().items()]
    count = Counter(f"{type(i).__name__}{'' if i.isVisible() else ' (hidden)'}" for i in items)
    return dict(count.most_common(12))


def object_types() -> dict[str, int]:
    """Live Python objects by type, for the types of Qt, pyqtgraph, NumPy and the app: a widget
    or plot item made and never freed shows here even once it has left every scene."""
    from collections import Counter

    gc.collect()
    roots = ("PySide6", "pyqtgraph", "numpy", "gui", "core")
    count: Counter = Counter()
    for o in gc.get_objects():
        module = type(o).__module__
        if isinstance(module, str) and module.split(".")[0] in roots:
            count[f"{module}.{type(o).__qualname__}"] += 1
    return dict(count)


def object_growth(before: dict, after: dict, n: int = 20) -> list[str]:
    """The types whose live count grew most between two samples."""
    diff = {k: after.get(k, 0) - before.get(k, 0) for k in before.keys() | after.keys()}
    top = sorted((d, k) for k, d in diff.items() if d)[::-1][:n]
    return [f"{d:+d} {k} ({after.get(k, 0)})" for d, k in top]


def traced_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, n: int = 15) -> list:
    """The Python allocations (NumPy's included) that grew most between two snapshots."""
    stats = after.compare_to(before, "lineno")
    return [f"{s.size_diff / 1024:+.0f} KiB ({s.count_diff:+d}) {s.traceback}" for s in stats[:n]]


class RemoteSnapshots:
    """The compute process's Python memory, asked for by a signal (--compute-python): pymalloc's
    arenas and blocks, or tracemalloc snapshots (`trace`). Set up before the process starts: it
    inherits the environment that turns this on. The snapshots stay on disk until the end:
    loaded here, they grew the window by 8 MiB a sample."""

    def __init__(self, trace: bool):
        self.dir = tempfile.mkdtemp(prefix="compute-trace-")
        here = str(Path(__file__).resolve().parent / "compute_trace")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (here, os.environ.get("PYTHONPATH")) if p
        )
        os.environ["INITSCOPE_TRACE_DIR"] = self.dir
        if trace:
            os.environ["INITSCOPE_TRACE_MALLOC"] = "1"
        self.paths: dict[int, Path] = {}  # the sample's change → its snapshot
        self._asked: dict[int, int] = {}  # pid → reports asked of it

    def take(self, pid: int, done: int) -> dict:
        n = self._asked.get(pid, 0)
        self._asked[pid] = n + 1
        path = Path(self.dir) / f"{pid}-{n}"
        os.kill(pid, signal.SIGUSR1)
        for _ in range(1200):  # up to 60 s: a snapshot of a traced heap takes a while
            if path.with_suffix(".done").exists():
                break
            time.sleep(0.05)
        else:
            raise SystemExit(f"the compute process {pid} wrote no report in 60 s ({self.dir})")
        text = path.with_suffix(".mallocstats").read_text()
        malloc = {
            f"malloc_{k}_mib": round(_stat(text, f"# malloc {k} bytes") / MIB, 1)
            for k in ("in_use", "free")
        }
        if path.with_suffix(".snap").exists():
            self.paths[done] = path.with_suffix(".snap")
            return {"traced_mib": round(_stat(text, "# traced bytes") / MIB, 1), **malloc}
        return {
            **malloc,
            "arenas": _stat(text, "# arenas allocated current"),
            "blocks_mib": round(_stat(text, "# bytes in allocated blocks") / MIB, 1),
            "free_blocks_mib": round(_stat(text, "# bytes in available blocks") / MIB, 1),
        }

    def growth(self, samples: list[dict]) -> dict:
        first = samples[0]["changes"]
        top = max(samples, key=lambda s: s["compute_mib"])["changes"]
        last = samples[-1]["changes"]
        return {
            f"compute_growth_to_{name}": [
                f"(to change {to})",
                *traced_growth(
                    *(tracemalloc.Snapshot.load(str(self.paths[k])) for k in (first, to))
                ),
            ]
            for name, to in (("highest", top), ("last", last))
        }


def _stat(text: str, name: str) -> int:
    """A number of sys._debugmallocstats()'s report ("name = 1,234")."""
    line = next(x for x in text.splitlines() if x.startswith(name))
    return int(line.split("=")[1].replace(",", "").strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=500)
    ap.add_argument("--every", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="random changes (another seed's) before the start sample: what they make once "
        "(BLAS buffers, caches, the heap's first spread) is then not counted as growth",
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--trace",
        metavar="A,B",
        help="tracemalloc the window's process; list what grew between samples A and B",
    )
    ap.add_argument(
        "--compute-python",
        choices=("arenas", "trace"),
        help="the compute process's Python memory at each sample (compute_trace/): pymalloc's "
        "arenas and blocks, or tracemalloc's total and what grew from the start to its highest "
        "RSS and to the last sample",
    )
    ap.add_argument("--items", action="store_true", help="the scenes' items by type")
    ap.add_argument("--objects", action="store_true", help="live Python objects by type: what grew")
    ap.add_argument("--trim", action="store_true", help="also the window's RSS after malloc_trim")
    ap.add_argument(
        "--parts", action="store_true", help="both processes' RSS by kind of mapping (rss_parts.py)"
    )
    ap.add_argument(
        "--pixmaps",
        action="store_true",
        help="then also after QPixmapCache.clear() (it changes the run)",
    )
    args = ap.parse_args()
    trace = tuple(int(x) for x in args.trace.split(",")) if args.trace else ()
    if trace:
        tracemalloc.start()
    snaps: dict[int, tracemalloc.Snapshot] = {}
    objects: dict[int, dict[str, int]] = {}
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from gui import compute_process, gc_pause
    from gui.idle import pending
    from gui.main_window import MainWindow

    # the compute process up first: the window's first frames are made on its own thread until
    # it is, and that frame's arrays (freed later) made the first sample 20 MiB high
    remote_snaps = RemoteSnapshots(args.compute_python == "trace") if args.compute_python else None
    process = compute_process.shared()
    if process is not None:
        process.ready(wait=120)

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "soak.ini"), QSettings.Format.IniFormat)
    win = MainWindow(REFERENCE, settings=settings)
    gc_pause.freeze_when_settled(win)  # as gui/app.py launches it
    win.resize(1600, 950)
    win.show()
    rng = random.Random(args.seed)

    def settle() -> None:
        while not win.up_to_date or win.grid.animating:
            app.processEvents()

    def sample(done: int) -> dict:
        if win.compare is not None:
            win.state.set_comparing(False)
        win.set_config(REFERENCE)
        settle()
        idle(IDLE_MS)
        # and what it leaves for idle turns (views made ahead, a panel a turn): the start
        # sampled before the canvas's and the deep view's prebuild counted them as growth
        for _ in range(SETTLE_TURNS):
            if not pending() and not win.quiet_trim.isActive():  # (its give_back, a Later)
                break
            idle(50)
        remote = win.engine.remote
        out = {
            "changes": done,
            "window_mib": round(rss(os.getpid()), 1),
            "compute_mib": round(rss(remote.pid if remote else None), 1),
        }
        out["scene_items"] = scene_items(win)
        if args.parts:
            out["window_parts"] = rss_parts.parts()
            out["window_malloc"] = rss_parts.malloc_use()
            out["compute_parts"] = rss_parts.parts(remote.pid) if remote else {}
        if args.items:
            out["item_types"] = item_types(win)
        if args.objects:
            objects[done] = object_types()
            out["objects"] = sum(objects[done].values())
        if args.trim:
            out["window_trimmed_mib"] = round(trimmed_rss(), 1)
        if args.pixmaps:  # how much of the window's RSS is QPixmapCache (the axes' pixmaps)
            QPixmapCache.clear()
            out["window_without_pixmaps_mib"] = round(trimmed_rss(), 1)
        if remote_snaps is not None and remote:
            out["compute_python"] = remote_snaps.take(remote.pid, done)
        if done in trace:
            snaps[done] = tracemalloc.take_snapshot()
            out["traced_mib"] = round(tracemalloc.get_traced_memory()[0] / MIB, 1)
        return out

    def change(rng: random.Random) -> None:
        if rng.random() < 0.15:
            win.state.set_comparing(win.compare is None)
        else:
            win.apply_changes(random_changes(rng))
        settle()

    settle()
    if args.warmup:
        cold = sample(0)
        warm = random.Random(args.seed + 1)  # another sequence than the measured one
        for _ in range(args.warmup):
            change(warm)
    samples = [sample(0)]
    if not args.json:
        print(samples[-1], flush=True)
    for i in range(1, args.changes + 1):
        change(rng)
        if i % args.every == 0:
            samples.append(sample(i))
            if not args.json:
                print(samples[-1], flush=True)
    first, last = samples[1] if len(samples) > 1 else samples[0], samples[-1]
    out = {
        "benchmark": "config_soak",
        **code_state(),
        **machine_info(),
        "changes": args.changes,
        "reference": REFERENCE.to_dict(),
        "warmup": args.warmup,
        "samples": samples,
        "growth": growth(samples[0], last),
        "growth_after_first": growth(first, last),
    }
    if args.warmup:  # what the warm-up's changes made once, from the cold start
        out["cold_start"] = cold
        out["growth_from_cold"] = growth(cold, last)
    if len(objects) >= 2:  # from the start, as `growth`
        out["object_growth"] = object_growth(objects[0], objects[last["changes"]])
    if len(snaps) == 2:
        out["traced_growth"] = traced_growth(snaps[trace[0]], snaps[trace[1]])
    if remote_snaps is not None and len(remote_snaps.paths) >= 2:
        out.update(remote_snaps.growth(samples))
    win.close()
    print(
        json.dumps(out, indent=1)
        if args.json
        else {k: out[k] for k in ("growth", "growth_after_first", "growth_from_cold") if k in out}
    )
    lines = out.get("object_growth", []) + out.get("traced_growth", [])
    lines += out.get("compute_growth_to_highest", []) + out.get("compute_growth_to_last", [])
    for line in lines if not args.json else ():
        print(line)


if __name__ == "__main__":
    main()
