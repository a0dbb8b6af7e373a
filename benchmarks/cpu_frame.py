"""The canonical frame in CPU time, for a machine too loaded for wall-clock figures.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/cpu_frame.py [--json] [--repeat N]

frame_rate.py's FrameBench (core step + LayerGrid.present + grab at 1920×1080, offscreen), timed
with time.process_time, which counts every thread of the process (the helper thread's share of
the statistics too) and not the time other processes take the cores: on a shared 2-core machine
the wall-clock floor moved 3-4× between runs while these moved a few percent. With one BLAS
thread the matmuls are the same work as the floor's. Also the statistics after the passes alone
(measure_joint on a prepared net with the C kernels' sums, on one thread): what the per-layer
statistics cost beyond the matmuls. Run it in turn with the code before a change (a git worktree
with the same venv) and compare medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gui  # noqa: F401, I001  (before numpy, as the app does)

import frame_rate
from core_step import CANONICAL, Floor, code_state

from core import fused
from core.simulate import Simulator, measure_joint


def cpu_ms(fn) -> float:
    t0 = time.process_time()
    fn()
    return (time.process_time() - t0) * 1e3


def frame_parts(bench: frame_rate.FrameBench) -> tuple[float, float, float]:
    """CPU ms of the step, the present and the grab of one frame."""
    return bench.timed(time.process_time)


def statistics_ms(repeat: int) -> float:
    """measure_joint alone, one thread, on a net whose passes recorded their sums."""
    c, rows = CANONICAL, ("act", "grad")
    sim, record = Simulator(), fused.Recorder()
    net = sim.prepare(c, True, bias_grads=False, record=record)

    def run():
        measure_joint([net], [c], sim.scratch, rows, True, record, split=False)

    for _ in range(3):
        run()
    return statistics.median(cpu_ms(run) for _ in range(repeat))


def measure(repeat: int) -> dict:
    app = frame_rate.app()
    full, fwd = frame_rate.FrameBench(("act", "grad")), frame_rate.FrameBench(("act",))
    app.processEvents()
    floor = Floor()
    for _ in range(4):  # warm-up
        floor.run()
        frame_parts(full)
        frame_parts(fwd)
    floors, fulls, fwds = [], [], []
    for _ in range(repeat):  # interleaved, as frame_rate.py does
        floors.append(cpu_ms(floor.run))
        fulls.append(frame_parts(full))
        fwds.append(frame_parts(fwd))
    full.close()
    fwd.close()

    def med(xs) -> float:
        return round(statistics.median(xs), 2)

    def parts(frames) -> dict:
        return {k: med(p[i] for p in frames) for i, k in enumerate(("step", "present", "paint"))}

    f, frame = med(floors), med(sum(p) for p in fulls)
    return {
        "cpu_floor_ms": f,
        "cpu_frame_ms": frame,
        "cpu_frame_vs_floor": round(frame / f, 3),
        "cpu_frame_parts_ms": parts(fulls),
        "cpu_fwd_only_ms": med(sum(p) for p in fwds),
        "cpu_fwd_only_parts_ms": parts(fwds),
        "cpu_statistics_ms": round(statistics_ms(2 * repeat), 2),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "load_average_1min": round(os.getloadavg()[0], 2),
        **code_state(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--repeat", type=int, default=15, help="timed frames of each kind")
    args = ap.parse_args()
    r = measure(max(1, args.repeat))
    if args.json:
        print(json.dumps(r, indent=2))
        return
    for k, v in r.items():
        print(f"{k:24s} {v}")


if __name__ == "__main__":
    main()
