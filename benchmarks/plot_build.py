"""What one plot costs to make: UI-thread time and C heap, by kind (issue 17's gaps and RSS).

    .venv/bin/python benchmarks/plot_build.py [--n 40] [--json]

Kinds: pyqtgraph's PlotItem as GraphicsLayout.addPlot makes it (with its menus), the same with
enableMenu=False (the view box's menu left out; the plot's own "Plot Options" is built anyway),
gui/views/bare_plot.py's BarePlot (neither), and a whole layer-grid panel (_Panel: a BarePlot with
its curve and styling). Each kind: one made first (class-level caches), then --n made and kept,
parented to one layout; the median time of a make and glibc's bytes in use (mallinfo2) grown,
divided by n. Offscreen; not a test: compare only runs on one machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gui  # noqa: F401, I001  (before numpy and Qt, as the app loads them)

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from core_step import code_state, machine_info
from gui.views.bare_plot import BarePlot
from gui.views.grid_items import _Panel
from rss_parts import malloc_use


def measure(make, n: int) -> dict[str, float]:
    held = [make()]
    gc.collect()
    before = malloc_use().get("in_use", 0.0)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        held.append(make())
        times.append((time.perf_counter() - t0) * 1e3)
    gc.collect()
    grown = malloc_use().get("in_use", 0.0) - before
    return {"ms_median": round(statistics.median(times), 2), "kib_each": round(grown * 1024 / n)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    QApplication([sys.argv[0]])
    layout = pg.GraphicsLayout()
    cells = iter(range(10**6))

    def placed(plot):
        plot.setParentItem(layout)
        return plot

    kinds = {
        "addPlot (menus)": lambda: layout.addPlot(row=next(cells), col=0),
        "PlotItem(enableMenu=False)": lambda: placed(pg.PlotItem(enableMenu=False)),
        "BarePlot": lambda: placed(BarePlot()),
        "grid panel (_Panel)": lambda: _Panel(layout),
    }
    r = {"n": args.n, "kinds": {name: measure(make, args.n) for name, make in kinds.items()}}
    r.update(machine_info())
    r.update(code_state())
    if args.json:
        print(json.dumps(r, indent=2))
        return
    for name, m in r["kinds"].items():
        print(f"{name:28s} {m['ms_median']:6.2f} ms {m['kib_each']:6d} KiB")


if __name__ == "__main__":
    main()
