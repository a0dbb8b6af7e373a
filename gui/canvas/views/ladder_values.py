"""The std written beside the ladder's markers at the layers a scene names (option `values`).

A claim that cites "0.23 at layer 10" or "std 22" must show the number, not leave the room to
read it off a log axis between two decades. The forward value is written above its marker and
the backward one below, so the two lines' numbers at one layer (they often cross) stay apart.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from gui.canvas.sizes import Sizes


def value_text(v: float) -> str:
    """Two significant digits, a plain number where it is short: 0.23, 22, 7e+04 → 7e4."""
    text = f"{v:.2g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{int(exp)}"
    return text


class LadderValues:
    """Text items on the ladder's plot, one per (line, layer); `shown` holds what they say."""

    def __init__(self, plot: pg.PlotItem, layers: list[int]):
        self.plot = plot
        self.layers = [int(k) for k in layers]
        self.items: dict[tuple[str, str, int], pg.TextItem] = {}
        self.shown: dict[tuple[str, str, int], str] = {}

    def update(self, plotted: dict, styles: dict, sizes: Sizes, bold: dict) -> None:
        """`plotted`: (side, direction) → log10 std per layer (NaN: not drawn); theory lines
        get no numbers (the grey curve is the reference, the data's numbers are the claim's)."""
        wanted = {}
        for (side, direction), y in plotted.items():
            if side == "theory":
                continue
            for k in self.layers:
                if k <= len(y) and math.isfinite(y[k - 1]):
                    wanted[side, direction, k] = float(y[k - 1])
        for key in set(self.items) - set(wanted):
            self.plot.removeItem(self.items.pop(key))
        self.shown = {}
        for key, y in wanted.items():
            side, direction, k = key
            item = self.items.get(key)
            if item is None:
                # forward numbers above the marker, backward below: crossing lines stay apart
                item = pg.TextItem(anchor=(0.5, 1.15 if direction == "forward" else -0.15))
                item.report_role = "legend"
                item.textItem.document().setDocumentMargin(1)
                self.plot.addItem(item)
                self.items[key] = item
            text = value_text(10.0**y)
            item.setFont(sizes.font("legend", bold=bold.get((side, direction), False)))
            item.setColor(styles[side, direction])
            item.setText(text)
            item.setPos(k, y)
            item.setZValue(3)
            item.show()
            self.shown[key] = text
        self._yield(bold)

    def _yield(self, bold: dict) -> None:
        """Where two numbers touch (A's and B's at one layer, close in value), the muted side's
        goes: the fix's number is the one the claim reads."""
        keys = sorted(self.items, key=lambda k: not bold.get(k[:2], False))
        kept: list = []
        for key in keys:
            item = self.items[key]
            rect = item.mapRectToScene(item.boundingRect())
            if any(rect.intersects(other) for other in kept):
                item.hide()
                self.shown.pop(key, None)
            else:
                kept.append(rect)

    def values_at(self, side: str, direction: str) -> dict[int, float]:
        """The numbers written for one line, as floats (for tests)."""
        return {
            k: float(np.float64(t))
            for (s, d, k), t in self.shown.items()
            if (s, d) == (side, direction)
        }
