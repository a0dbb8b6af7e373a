"""A big net's drag frame in the core alone: what the compute process does per slider tick.

    .venv/bin/python benchmarks/drag_frame.py [--json] [--frames N] [--blas N]

For each of issue 23's nets (200 × 500, 50 × 1024, 50 × 2048), a FrameMaker on the drag batch
the window picks for it (gui/engine.py drag_batch, without a measured cost: 8 examples), the
window's default rows (activations and gradients), the gain alternating between two values as
a dragged slider moves it. The first frames (the noise drawn) are not counted. Reported per
net: the median wall-clock and CPU time (time.process_time, every thread) of a frame, and the
frames a second the compute alone would allow. Run it interleaved with the code before a change.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.config import Config
from core.frame import FrameMaker

NETS = ((200, 500), (50, 1024), (50, 2048))
ROWS = ("act", "grad")
DRAG_EXAMPLES = 8  # drag_batch's floor for these nets (MIN_CHUNK)
WARM = 3


def measure(depth: int, width: int, frames: int, blas: int) -> dict:
    maker = FrameMaker()
    base = Config(depth=depth, width=width, batch=DRAG_EXAMPLES)
    walls, cpus = [], []
    for i in range(WARM + frames):
        c = base.replace(gain=1.0 + 0.01 * (i % 2))
        w0, c0 = time.perf_counter(), time.process_time()
        maker.make([c], ROWS, blas, False)
        if i >= WARM:
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
    maker.release()
    wall = statistics.median(walls) * 1e3
    return {
        "net": f"{depth}x{width}",
        "batch": DRAG_EXAMPLES,
        "wall_ms": round(wall, 1),
        "cpu_ms": round(statistics.median(cpus) * 1e3, 1),
        "frames_per_s": round(1e3 / wall, 1),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--frames", type=int, default=15)
    p.add_argument("--blas", type=int, default=1, help="BLAS threads (the window's drag: 1)")
    a = p.parse_args()
    rows = [measure(d, w, a.frames, a.blas) for d, w in NETS]
    out = {"load": os.getloadavg()[0], "blas": a.blas, "nets": rows}
    if a.json:
        print(json.dumps(out))
    else:
        for r in rows:
            print(f"{r['net']:>9}  wall {r['wall_ms']:7.1f} ms  cpu {r['cpu_ms']:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
