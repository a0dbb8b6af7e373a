"""What `initscope --self-test` checks after the first frame: the window really shows data."""

from __future__ import annotations

import numpy as np


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
    if win.stack.currentIndex() == 0:
        for row in win.grid.rows:
            for s in snap.layers:
                _, y = win.grid.curve_data(row, s.index)
                if len(y) != snap.config.bins or not np.isfinite(y).all():
                    problems.append(
                        f"panel {row} L{s.index} does not hold {snap.config.bins} finite bins"
                    )
    if blank(win.grab()):
        problems.append("the window grab is blank")
    return problems
