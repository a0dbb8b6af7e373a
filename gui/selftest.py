"""What `initscope --self-test` checks after the first frame: the window really shows data."""

from __future__ import annotations

import numpy as np

READY_S = 60.0  # a cold frozen bundle on a loaded machine


def blank(image) -> bool:
    """True when a grabbed QImage/QPixmap is one flat colour."""
    img = image.toImage() if hasattr(image, "toImage") else image
    small = img.scaled(64, 64)
    colours = {small.pixel(x, y) for x in range(0, 64, 2) for y in range(0, 64, 2)}
    return len(colours) < 3


def check(win) -> list[str]:
    problems = []
    snap = win.latest
    if snap is None:
        return ["no snapshot was shown"]
    if snap.config != win.config:
        problems.append(
            f"the window shows a frame of another config (depth {snap.config.depth}, "
            f"config depth {win.config.depth})"
        )
    if win.stack.currentIndex() == 0:
        for row in win.grid.rows:
            for s in snap.layers:
                _, y = win.grid.curve_data(row, s.index)
                span = win.grid.log_span(row)  # a log₁₀|x| row has its own bins
                bins = snap.config.bins if span is None else span[1]
                if len(y) != bins or not np.isfinite(y).all():
                    problems.append(f"panel {row} L{s.index} does not hold {bins} finite bins")
    if blank(win.grab()):
        problems.append("the window grab is blank")
    return problems + compute_process_problems(snap.config)


def compute_process_problems(config) -> list[str]:
    """The compute process (the app starts it before Qt loads) answers, with this process's
    numbers: in the frozen bundle, the check that the executable also runs as its own server."""
    from core.frame import FrameMaker
    from gui import compute_process

    if not compute_process.enabled():
        return []
    proc = compute_process.shared()
    if proc is None:
        return ["the compute process did not start"]
    if not proc.ready(READY_S):
        return [f"the compute process was not ready within {READY_S:.0f} s"]
    small = config.replace(batch=min(config.batch, 64))
    rows = ("act", "grad")
    try:
        there = proc.make([small], rows, 1, False).snaps[0]
    except (RuntimeError, ValueError) as e:
        return [f"the compute process failed: {e}"]
    here = FrameMaker().make([small], rows, 1, False).snaps[0]
    for a, b in zip(there.layers, here.layers, strict=True):
        # not bit for bit: a float32 sum's last bit follows BLAS's thread count (1e-11 of a std
        # in the frozen app, whose own process had other limits in force). A net that overflows
        # (σ = 1000, linear) gives NaN and ∞ on both sides: the same numbers, not a failure.
        there_stds, here_stds = (a.act_std, a.grad_std), (b.act_std, b.grad_std)
        if not np.allclose(there_stds, here_stds, rtol=1e-6, atol=0, equal_nan=True):
            return [
                f"the compute process's numbers differ from the window's: layer {a.index} "
                f"act std {a.act_std!r} vs {b.act_std!r}, grad std {a.grad_std!r} vs {b.grad_std!r}"
            ]
    return []
