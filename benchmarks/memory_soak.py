"""Memory soak: seeded random config changes through a FrameMaker; memory must come back.

    .venv/bin/python benchmarks/memory_soak.py [--changes 500] [--seed 0] [--max-mib 1024]
                                               [--here] [--json]

Each change is what the window sends the compute process when a lecturer changes something:
new configs for A (and, two changes in five, a B beside it: A/B on and off), first a preview frame
on at most 250 examples, then the full batch; one change in five is a slider drag (a few frames
at a drag batch with the gain moving) before the full frame. Widths, depths, batches, inits,
activations, seeds, precision, norms and skips are drawn at random, each config within the
default memory limit and --max-mib (the estimate, Config.estimated_bytes).

The frames are made in a real compute process (gui/compute_process.py, the window's client; no
Qt), so both processes are measured: the compute process (its FrameMaker holds the nets and the
noise) and this one (which receives the frames, as the window does; not the real window with its
views, which benchmarks/soak.py measures). --here makes them in this process instead, as the
window's own process does when the compute process is gone: without the compute process's
allocator settings (core/memory.py), so its RSS also holds the freed heap glibc keeps. Memory is
compared on one reference config, the canonical 10 × 500 × 1000 with A/B off, made at the start,
after 100 changes and at the end: RSS (from /proc) then, against the config's estimate, and the
largest RSS seen.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import rss_parts

from core import stats
from core.activations import ACTIVATIONS
from core.config import Config, ConfigError
from core.inits import INITS

MIB = 2**20
PREVIEW = 250  # gui/main_window.py DRAG_BATCH: the most examples a preview or drag frame has
REFERENCE = Config()  # the canonical net
ROWS = (("act", "grad"), ("preact", "act"), stats.ROWS, ("act",))


def random_config(rng: random.Random, max_bytes: int, widest: int = 1024) -> Config:
    """A config a lecturer could reach in the window, within max_bytes by its estimate."""
    while True:
        depth = rng.choice((1, 2, 3, 5, 8, 10, 12, 16, 20, 30))
        width = round(2 ** rng.uniform(4, widest.bit_length() - 1))
        kw = dict(
            depth=depth,
            width=width,
            batch=round(2 ** rng.uniform(4, 10)),
            init=rng.choice(list(INITS)),
            activation=rng.choice(list(ACTIVATIONS)),
            seed=rng.randrange(4),
            dtype="float64" if rng.random() < 0.1 else "float32",
            input=rng.choice(("normal", "uniform", "positive")),
            grad_source=rng.choice(("gaussian", "mse")),
            gain=rng.choice((None, 0.5, 1.0, 2.0)),
        )
        if rng.random() < 0.2:
            kw["norm"] = rng.choice(("batch", "layer"))
        if rng.random() < 0.1:
            kw["residual"] = True
        try:
            c = Config(**kw)
        except ConfigError:  # over the default limit
            continue
        if c.estimated_bytes() <= max_bytes:
            return c


def changes(rng: random.Random, n: int, max_bytes: int, widest: int = 1024):
    """n changes, each a list of requests (configs, rows) as the window makes them."""
    for _ in range(n):
        a = random_config(rng, max_bytes, widest)
        sides = [a]
        if rng.random() < 0.4:  # A/B on: B changes the scheme, the seed or the activation
            b = a.replace(
                init=rng.choice(list(INITS)),
                seed=rng.randrange(4),
                activation=rng.choice(list(ACTIVATIONS)),
            )
            sides.append(b)
        rows = rng.choice(ROWS)
        requests = [([c.replace(batch=min(c.batch, PREVIEW)) for c in sides], rows)]
        if rng.random() < 0.2:  # a drag of the gain, at a drag batch of its own
            drag = rng.randint(50, PREVIEW)
            for g in (0.8, 1.0, 1.2, 1.4):
                requests.append(
                    ([c.replace(batch=min(c.batch, drag), gain=g) for c in sides], rows)
                )
        requests.append((sides, rows))
        yield requests


def rss_mib(pid: int | None = None) -> float:
    with open(f"/proc/{pid or 'self'}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Here:
    """The FrameMaker in this process."""

    pid = None

    def __init__(self):
        from core.frame import FrameMaker

        self.maker = FrameMaker()

    def make(self, configs, rows):
        return self.maker.make(configs, rows, 1, False)

    def close(self):
        pass


class There:
    """The FrameMaker in a compute process, through the window's own client."""

    def __init__(self):
        from gui.compute_process import ComputeProcess

        self.proc = ComputeProcess()
        if not self.proc.ready(60):
            raise RuntimeError("the compute process did not start")
        self.pid = self.proc.pid

    def make(self, configs, rows):
        return self.proc.make(configs, rows, 1, False)

    def close(self):
        self.proc.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-mib", type=float, default=1024.0, help="largest estimate drawn")
    ap.add_argument("--here", action="store_true", help="make the frames in this process")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--parts", action="store_true", help="RSS by kind of mapping (rss_parts.py)")
    args = ap.parse_args()

    maker = Here() if args.here else There()
    rng = random.Random(args.seed)
    reference: list[dict] = []

    def measure(k: int) -> None:
        for _ in range(2):  # the preview's net, then the full one, as after any change
            maker.make([REFERENCE.replace(batch=PREVIEW)], ROWS[0])
            maker.make([REFERENCE], ROWS[0])
        entry = {"after_changes": k, "rss_mib": round(rss_mib(maker.pid), 1)}
        if maker.pid is not None:
            entry["this_process_rss_mib"] = round(rss_mib(), 1)
        if args.parts:
            entry["parts"] = rss_parts.parts(maker.pid or "self")
        reference.append(entry)
        print(f"memory_soak: {entry}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    measure(0)
    largest = {"rss_mib": 0.0}
    frames = 0
    for k, requests in enumerate(changes(rng, args.changes, int(args.max_mib * MIB)), 1):
        for configs, rows in requests:
            maker.make(configs, rows)
            frames += 1
        rss = rss_mib(maker.pid)
        if rss > largest["rss_mib"]:
            largest = {"rss_mib": round(rss, 1), "after_changes": k}
        if k == 100 or k == args.changes:
            measure(k)
    maker.close()
    first, last = reference[0]["rss_mib"], reference[-1]["rss_mib"]
    out = {
        "changes": args.changes,
        "frames": frames,
        "seed": args.seed,
        "max_mib": args.max_mib,
        "where": "here" if args.here else "compute process",
        "seconds": round(time.perf_counter() - t0, 1),
        "reference": f"{REFERENCE.depth} x {REFERENCE.width} x {REFERENCE.batch}, A/B off",
        "reference_estimate_mib": round(REFERENCE.estimated_bytes() / MIB, 1),
        "reference_rss": reference,
        "drift_percent": round(100 * (last - first) / first, 1),
        "largest_rss": largest,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
