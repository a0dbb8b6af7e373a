"""The std written beside the ladder's markers at the layers a scene names (option `values`).

A claim that cites "0.23 at layer 10" or "std 22" must show the number, not leave the room to
read it off a log axis between two decades. The forward value is written above its marker and
the backward one below, so the two lines' numbers at one layer (they often cross) stay apart;
where one would still touch another it moves to the marker's other side, and only then yields.
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


ABOVE, BELOW = (0.5, 1.15), (0.5, -0.15)  # a number's anchor over or under its marker


class LadderValues:
    """Text items on the ladder's plot, one per (line, layer); `shown` holds what they say."""

    def __init__(self, plot: pg.PlotItem, layers: list[int]):
        self.plot = plot
        self.layers = [int(k) for k in layers]
        self.items: dict[tuple[str, str, int], pg.TextItem] = {}
        self.shown: dict[tuple[str, str, int], str] = {}  # the numbers on screen
        self._texts: dict[tuple[str, str, int], str] = {}  # every number, shown or yielded
        self._bold: dict = {}
        # the numbers sit at data coordinates: a new range or size moves them apart or together
        plot.vb.sigResized.connect(self._relayout)
        plot.vb.sigYRangeChanged.connect(self._relayout)

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
        self._texts = {}
        for key, y in wanted.items():
            side, direction, k = key
            item = self.items.get(key)
            if item is None:
                # forward numbers above the marker, backward below: crossing lines stay apart
                item = pg.TextItem(anchor=ABOVE if direction == "forward" else BELOW)
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
            self._texts[key] = text
        self._bold = bold
        self._relayout()

    def _relayout(self, *_) -> None:
        """Where two numbers touch (A's and B's at one layer, close in value), one moves to its
        marker's other side, else the muted side's goes: the fix's is the one the claim reads."""
        self.plot.vb.updateMatrix()  # a new range's transform now, not at the next paint
        keys = sorted(self.items, key=lambda k: not self._bold.get(k[:2], False))
        kept: list = []
        self.shown = {}
        for key in keys:
            item = self.items[key]
            item.show()
            for anchor in (ABOVE, BELOW) if key[1] == "forward" else (BELOW, ABOVE):
                item.setAnchor(anchor)  # its own side of the marker first, then the other
                item.updateTransform(force=True)
                rect = item.mapRectToScene(item.boundingRect())
                if not any(rect.intersects(other) for other in kept):
                    kept.append(rect)
                    self.shown[key] = self._texts[key]
                    break
            else:
                item.hide()

    def values_at(self, side: str, direction: str) -> dict[int, float]:
        """The numbers written for one line, as floats (for tests)."""
        return {
            k: float(np.float64(t))
            for (s, d, k), t in self.shown.items()
            if (s, d) == (side, direction)
        }
