"""What issue 19's views cost at the canonical size, beside the core step in the same run.

    .venv/bin/python benchmarks/signal_probes.py [--json] [--repeat N]

Scene: core_step.py's CANONICAL (depth 10, width 500, batch 1000, tanh, Xavier-normal, float32),
one prepared network. Timed interleaved (step, c-map, circle, Jacobian, step, …) so that load from
other processes hits each alike; every figure is a median.

- step_ms: the per-frame core step (Simulator.run, gain alternating), the frame's own cost.
- cmap_ms: correlation.profile, 64 pairs: their forward pass on the net's weights and mean field's
  per-layer c-map (cmap_measured_ms and cmap_theory_ms are its two halves).
- circle_ms: correlation.circle, 64 points: Gram matrices, lengths and mean field's.
- jacobian_ms: jacobian.spectrum at K = 4 examples: products, SVDs, mean field's Π χ_l.
- seeds_ms: seeds.spread at K = 8: eight whole runs (seven when the shown seed's run is reused).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gui  # noqa: F401, I001  (before numpy: OpenBLAS's thread timeout, as the app sets it)

from core_step import CANONICAL, code_state, machine_info, timed
from core import Simulator, correlation, jacobian, seeds
from core import prediction


def measure(repeat: int = 15, warmup: int = 2) -> dict:
    sim = Simulator()
    configs = [CANONICAL.replace(gain=1.0), CANONICAL.replace(gain=1.1)]
    c = CANONICAL
    sim.run(c)
    layers = sim.network(c).layers
    x = sim.network(c).x[:4].copy()
    pair = correlation.pair(c, 0.5)
    jobs = {
        "step_ms": lambda k: sim.run(configs[k % 2]),
        "cmap_ms": lambda k: correlation.profile(c, layers, 0.5),
        "cmap_measured_ms": lambda k: correlation.measured(layers, *pair),
        "cmap_theory_ms": lambda k: correlation.predicted(c, 0.5),
        "circle_ms": lambda k: correlation.circle(c, layers, 64),
        "jacobian_ms": lambda k: jacobian.spectrum(c, layers, x),
        "predict_ms": lambda k: prediction.predict(c),
    }
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for k in range(warmup + repeat):
        for name, job in jobs.items():
            if name != "step_ms":  # the probes read the canonical net's weights
                sim.run(c)
            t = timed(lambda job=job, k=k: job(k))
            if k >= warmup:
                times[name].append(t)
    seed_runs = [timed(lambda: seeds.spread(c, 8, sim=sim)) for _ in range(max(3, repeat // 5))]
    out = {name: round(statistics.median(ts), 1) for name, ts in times.items()}
    spread = {f"{name}_p10_p90": _p10_p90(ts) for name, ts in times.items()}
    return {
        "scene": "depth 10 x width 500, batch 1000, tanh, xavier-normal, float32",
        "repeat": repeat,
        **out,
        "seeds_ms": round(statistics.median(seed_runs), 1),
        **spread,
        "machine": machine_info(),
        **code_state(),
    }


def _p10_p90(ts: list[float]) -> list[float]:
    q = statistics.quantiles(ts, n=10)
    return [round(q[0], 1), round(q[-1], 1)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--repeat", type=int, default=15)
    args = p.parse_args()
    result = measure(args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in result.items():
            if k != "machine":
                print(f"{k:28} {v}")
        print(f"{'load_average_1min':28} {result['machine']['load_average_1min']}")


if __name__ == "__main__":
    main()
