"""The core step of the canonical scene against the BLAS floor, measured in the same run.

    .venv/bin/python benchmarks/core_step.py [--json] [--repeat N]

Scene: Config(depth=10, width=500, batch=1000, tanh, xavier-normal), float32, one reused
core.Simulator.

- step_ms: the per-frame path (what a sweep does): the gain alternates between two values, so the
  weights are rescaled from the cached noise, then forward, backward and every statistic.
- resample_ms: a new seed each frame (the "resample" animation): the noise is drawn again.
- floor_ms: the float32 matmuls a step cannot avoid, bare, into preallocated out= buffers, with the
  network's own memory layouts: forward 10 × (1000×500)@(500×500), backward to the activations
  9 × (1000×500)@(500×500)ᵀ, weight gradients 10 × (500×1000)ᵀ@(1000×500).
- step_vs_floor = step_ms / floor_ms (target ≤ 1.3).

Floor and step are timed interleaved (floor, step, floor, step, ...) so that load from other
processes hits both alike; every figure is a median. The phase breakdown times
Simulator.prepare, re-runs forward and backward on the prepared network (same weights, so the same
work) and times the statistics part (core.simulate._measure, or measure_joint) on its own;
phases_ms.init is what prepare spends besides forward and backward (weights from the cached noise,
input, output gradient). The phases run NumPy's passes (no core.fused.Recorder), so they show what
the C kernels replace; step_ms is the real path. Under load the phases need not add up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import gui  # noqa: F401, I001  (before numpy: OpenBLAS's thread timeout, as the app sets it)

import numpy as np

import core.simulate as simulate
from core import Config, Simulator

CANONICAL = Config(
    depth=10, width=500, batch=1000, activation="tanh", init="xavier-normal", dtype="float32"
)
TARGET_STEP_VS_FLOOR = 1.3


class Floor:
    """The step's matmuls alone, with the Network's shapes, layouts and preallocated outputs."""

    def __init__(self, c: Config = CANONICAL, seed: int = 0):
        rng = np.random.default_rng(seed)
        dt = np.dtype(c.dtype)
        w, b, d = c.widths, c.batch, c.depth
        self.W = [(rng.standard_normal((w[i], w[i + 1])) * 0.05).astype(dt) for i in range(d)]
        self.x = rng.standard_normal((b, w[0])).astype(dt)
        self.h = [np.empty((b, w[i + 1]), dt) for i in range(d)]
        self.delta = [rng.standard_normal((b, w[i + 1])).astype(dt) for i in range(d)]
        self.grad = [np.empty((b, w[i + 1]), dt) for i in range(d)]
        self.dW = [np.empty_like(W) for W in self.W]
        # inputs of each layer for the weight gradient: x, then the previous layer's output
        self.ins = [self.x, *self.h[:-1]]

    def run(self) -> None:
        a = self.x
        for W, h in zip(self.W, self.h, strict=True):  # forward: 10
            np.matmul(a, W, out=h)
            a = h
        for i in range(len(self.W) - 1, -1, -1):
            np.matmul(self.ins[i].T, self.delta[i], out=self.dW[i])  # weight gradient: 10
            if i:
                np.matmul(self.delta[i], self.W[i].T, out=self.grad[i - 1])  # to activations: 9

    def flops(self) -> float:
        n = 0
        for i, W in enumerate(self.W):
            n += 2 * self.x.shape[0] * W.shape[0] * W.shape[1] * (3 if i else 2)
        return float(n)


def measure_stats(sim: Simulator, net, c: Config):
    """The statistics part of Simulator.run alone (the core's internal name has changed
    before: _measure(net, c, scratch), later measure_joint(nets, configs, scratch))."""
    if hasattr(simulate, "_measure"):
        return simulate._measure(net, c, sim._scratch)
    return simulate.measure_joint([net], [c], sim._scratch)[0]


def code_state() -> dict:
    """Which code was measured: HEAD and whether core/ or gui/ had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "core", "gui"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.split()
        changed = [d for d in dirty if "/" in d]
        return {"git_head": head, "uncommitted_core_gui": changed}
    except OSError:
        return {"git_head": "unknown"}


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3


def median(xs) -> float:
    return round(statistics.median(xs), 3)


def machine_info() -> dict:
    info = {
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "blas": blas_name(),
    }
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: p.get(k) for k in ("internal_api", "version", "num_threads", "threading_layer")}
            for p in threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var):
            info[var] = os.environ[var]
    return info


def blas_name() -> str:
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} ({blas.get('openblas configuration', '')})".strip()
    except Exception as e:  # old numpy without mode="dicts"
        return f"unknown ({type(e).__name__})"


def measure(repeat: int = 30, warmup: int = 5) -> dict:
    floor = Floor()
    sim = Simulator()
    configs = [CANONICAL.replace(gain=1.0), CANONICAL.replace(gain=1.1)]
    # resample: a fresh seed per frame, configs built outside the timed region
    seeds = [CANONICAL.replace(seed=s) for s in range(1, repeat + warmup + 1)]

    for k in range(warmup):
        floor.run()
        sim.run(configs[k % 2])
    floors, steps = [], []
    for k in range(repeat):
        floors.append(timed(floor.run))
        c = configs[k % 2]
        steps.append(timed(lambda c=c: sim.run(c)))

    # phases of the per-frame path
    phases = {"prepare": [], "forward": [], "backward": [], "measure": []}
    for k in range(repeat):
        c = configs[k % 2]
        t0 = time.perf_counter()
        net = sim.prepare(c)
        phases["prepare"].append((time.perf_counter() - t0) * 1e3)
        phases["measure"].append(timed(lambda net=net, c=c: measure_stats(sim, net, c)))
        phases["forward"].append(timed(net.forward))
        phases["backward"].append(timed(net.backward))

    # resample path: a new seed (new NoiseBank) per frame
    rsim = Simulator()
    for c in seeds[:warmup]:
        rsim.run(c)
    resamples = [timed(lambda c=c: rsim.run(c)) for c in seeds[warmup:]]

    floor_ms, step_ms = statistics.median(floors), statistics.median(steps)
    fwd, bwd = statistics.median(phases["forward"]), statistics.median(phases["backward"])
    prep = statistics.median(phases["prepare"])
    return {
        "scene": "depth 10 x width 500, batch 1000, tanh, xavier-normal, float32",
        "repeat": repeat,
        "floor_ms": round(floor_ms, 3),
        "floor_gflops": round(floor.flops() / floor_ms / 1e6, 1),
        "step_ms": round(step_ms, 3),
        "step_vs_floor": round(step_ms / floor_ms, 3),
        "target_step_vs_floor": TARGET_STEP_VS_FLOOR,
        "meets_target": step_ms / floor_ms <= TARGET_STEP_VS_FLOOR,
        "resample_ms": median(resamples),
        "resample_vs_floor": round(statistics.median(resamples) / floor_ms, 3),
        "phases_ms": {
            "prepare": round(prep, 3),
            "forward": round(fwd, 3),
            "backward": round(bwd, 3),
            "init": round(prep - fwd - bwd, 3),
            "measure": median(phases["measure"]),
        },
        "spread_ms": {
            "floor_p10_p90": [round(float(np.percentile(floors, q)), 3) for q in (10, 90)],
            "step_p10_p90": [round(float(np.percentile(steps, q)), 3) for q in (10, 90)],
        },
        **machine_info(),
        **code_state(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--repeat", type=int, default=30, help="timed iterations per figure")
    args = ap.parse_args()
    r = measure(max(1, args.repeat))
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(r["scene"])
    print(f"floor    {r['floor_ms']:8.2f} ms  ({r['floor_gflops']} GFLOP/s)")
    print(
        f"step     {r['step_ms']:8.2f} ms  = {r['step_vs_floor']:.2f} x floor "
        f"(target <= {TARGET_STEP_VS_FLOOR})"
    )
    print(f"resample {r['resample_ms']:8.2f} ms  = {r['resample_vs_floor']:.2f} x floor")
    for k, v in r["phases_ms"].items():
        print(f"  {k:9s}{v:8.2f} ms")
    print(f"numpy {r['numpy']}, BLAS {r['blas']}, {r['cpus']} cpus, load {r['load_average_1min']}")


if __name__ == "__main__":
    main()
