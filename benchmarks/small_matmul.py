"""The drag frame's small-batch matmuls (core/_fused.c) against this machine's memory floor.

    .venv/bin/python benchmarks/small_matmul.py [--json] [--repeat N]

A drag frame of a big net runs 8 examples through weights too big for any cache, so its matmuls
are bound by reading W: forward x @ W and backward δ @ Wᵀ each read every weight once. The floor
is one thread's read rate (the window's drag computes on one core): a pass of the C sums kernel
over 256 MB, and NumPy's sum of the same array. For each of issue 23's layer shapes, enough
distinct matrices that none stays cached: the rate each direction reads W at (best of N), and
the drag frame's W-read floor (2 × the net's weights ÷ the read rate).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import fused

NETS = ((200, 500), (50, 1024), (50, 2048))
ROWS = 8
FLOOR_BYTES = 256 * 2**20


def best(f, repeat: int) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        out.append(time.perf_counter() - t0)
    return min(out)


def floor(repeat: int) -> dict:
    a = np.ones(FLOOR_BYTES // 4, np.float32)
    rows = a.reshape(1024, -1)
    c = best(lambda: fused._fused.sums(rows, *rows.shape), repeat)
    n = best(a.sum, repeat)
    return {
        "c_sums_gb_s": round(a.nbytes / c / 1e9, 1),
        "numpy_sum_gb_s": round(a.nbytes / n / 1e9, 1),
    }


def rates(depth: int, width: int, repeat: int) -> dict:
    """W-read rates over min(depth, enough to leave every cache) distinct layers."""
    layers = max(4, min(depth, (256 * 2**20) // (width * width * 4)))
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((width, width), np.float32) for _ in range(layers)]
    x = rng.standard_normal((ROWS, width), np.float32)
    out = np.empty_like(x)
    gb = layers * width * width * 4 / 1e9

    def run(t: int) -> None:
        for W in Ws:
            fused._fused.matmul(t, x, W, out, ROWS, width, width)

    return {
        name: round(gb / best(functools.partial(run, t), repeat), 1)
        for name, t in (("forward", 0), ("backward", 1))
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    if not fused.AVAILABLE:
        print("small_matmul: the C kernels are not built (core/_fused.c)", file=sys.stderr)
        return 2
    fl = floor(a.repeat)
    nets = []
    for depth, width in NETS:
        r = rates(depth, width, a.repeat)
        w_bytes = depth * width * width * 4
        nets.append(
            {
                "net": f"{depth}x{width}",
                "w_mb": round(w_bytes / 1e6),
                "read_gb_s": r,
                "floor_ms": round(2 * w_bytes / (fl["c_sums_gb_s"] * 1e9) * 1e3, 1),
                "kernels_ms": round(
                    (w_bytes / (r["forward"] * 1e9) + w_bytes / (r["backward"] * 1e9)) * 1e3, 1
                ),
            }
        )
    doc = {"load": os.getloadavg()[0], "floor": fl, "nets": nets}
    if a.json:
        print(json.dumps(doc))
        return 0
    print(f"read floor: C sums {fl['c_sums_gb_s']} GB/s, NumPy sum {fl['numpy_sum_gb_s']} GB/s")
    for n in nets:
        r = n["read_gb_s"]
        print(
            f"{n['net']:>9}  W {n['w_mb']} MB  forward {r['forward']} GB/s  backward "
            f"{r['backward']} GB/s  matmuls {n['kernels_ms']} ms, floor {n['floor_ms']} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
