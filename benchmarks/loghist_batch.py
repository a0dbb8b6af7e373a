"""A drag frame's log-magnitude histograms, one by one against binned together, in CPU time.

    .venv/bin/python benchmarks/loghist_batch.py [--json] [--repeat N]

The samples a depth-200 × width-500 drag frame bins (200 layers × 2 rows of 8 × 500 float32
values), of a tanh net (no zeros) and of a ReLU net (half zeros), binned by log_histogram one at
a time and by log_histograms at once (the same LogHist, core/loghist.py), on one thread. Reported:
the median CPU time (time.process_time) of binning them all, each way, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.loghist import log_histogram, log_histograms

LAYERS, ROWS, SHAPE = 200, 2, (8, 500)


def samples(kind: str) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    out = []
    for k in range(LAYERS * ROWS):
        x = rng.standard_normal(SHAPE).astype(np.float32) * np.float32(0.97 ** (k // ROWS))
        out.append(np.tanh(x) if kind == "tanh" else np.maximum(x, 0))
    return out


def cpu_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times) * 1e3


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--repeat", type=int, default=20)
    a = p.parse_args()
    rows = []
    for kind in ("tanh", "relu"):
        s = samples(kind)
        one = cpu_ms(lambda s=s: [log_histogram(x) for x in s], a.repeat)
        batched = cpu_ms(lambda s=s: log_histograms(s), a.repeat)
        rows.append({"net": kind, "one_by_one_ms": round(one, 2), "batched_ms": round(batched, 2)})
    out = {"load": os.getloadavg()[0], "samples": LAYERS * ROWS, "rows": rows}
    if a.json:
        print(json.dumps(out))
    else:
        for r in rows:
            ratio = r["one_by_one_ms"] / r["batched_ms"]
            print(
                f"{r['net']:>5}  one by one {r['one_by_one_ms']:6.2f} ms  "
                f"batched {r['batched_ms']:6.2f} ms  ({ratio:.1f}x)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
