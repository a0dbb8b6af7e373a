"""Training steps per second on the canonical net: 10 layers × 500 tanh, Xavier, batch 128, on the
gaussians task with 500 inputs. Prints JSON; run from the repository root:

    .venv/bin/python benchmarks/train_speed.py [--steps 200]

Figures per optimizer, with no records and with the default record every 10 steps (a record runs
the probe batch, the app's statistics and two 512-sample evaluations), so the GUI can pick a rate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from core import Config
from core.training import TrainConfig, Trainer

CANONICAL = Config(depth=10, width=500, activation="tanh", init="xavier-normal")


def steps_per_second(optimizer: str, record_every: int, steps: int) -> float:
    tc = TrainConfig(task="gaussians", optimizer=optimizer, batch=128, record_every=record_every)
    tr = Trainer(CANONICAL, tc)
    tr.step(5)  # warm-up: first-touch of buffers and BLAS threads
    t0 = time.perf_counter()
    tr.step(steps)
    return steps / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args()
    results = {}
    for opt in ("sgd", "adam"):
        results[opt] = {
            "no_records": round(steps_per_second(opt, 10**9, args.steps), 1),
            "record_every_10": round(steps_per_second(opt, 10, args.steps), 1),
        }
    print(
        json.dumps(
            {
                "net": "10 x 500 tanh, xavier-normal, float32, batch 128, gaussians (500 inputs)",
                "steps_per_second": results,
                "steps": args.steps,
                "cpus": os.cpu_count(),
                "numpy": np.__version__,
                "machine": platform.machine(),
                "load_average_1min": round(os.getloadavg()[0], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
