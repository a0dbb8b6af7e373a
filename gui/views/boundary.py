"""The decision boundary of a 2-D task, as the training curves' dock draws it (TF Playground's
view): class colours mixed by the net's probabilities, and the line over it."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from core.training import DecisionGrid, TrainSnapshot

# Okabe-Ito, for class colours in the boundary view
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


def boundary_rgb(grid: DecisionGrid, n_classes: int) -> np.ndarray:
    """(nx, ny, 3) uint8: class colours mixed by probability, lightened so the data points stand
    out (an undecided NaN cell is an even mix)."""
    rgb = np.array([pg.mkColor(c).getRgbF()[:3] for c in CLASS_COLORS], np.float32)
    rgb = rgb[np.arange(n_classes) % len(rgb)]
    with np.errstate(all="ignore"):
        probs = np.nan_to_num(grid.probs.astype(np.float32), nan=1.0 / n_classes)
    mix = probs @ rgb  # (ny, nx, 3)
    return (255 * (0.45 * mix + 0.55)).clip(0, 255).astype(np.uint8).transpose(1, 0, 2)


def boundary_title(side: str, snap: TrainSnapshot) -> str:
    r = snap.latest
    acc = f"{100 * r.test_acc:.0f}%" if math.isfinite(r.test_acc) else "–"
    c = snap.latest.snapshot.config
    init = f"N(0,{c.std:g}²)" if c.init == "normal" else c.init
    return f"{side} {init} · test {acc}"
