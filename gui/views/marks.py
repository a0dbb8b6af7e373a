"""Pens and brushes for pyqtgraph's scatter markers: one object per look, made once.

pyqtgraph's ScatterPlotItem keeps a rendered image of every marker style it has drawn, in an atlas
keyed by a number it stores on the QPen and QBrush objects it was given (pyqtgraph 0.14,
SymbolAtlas._keys): a new object is a new key. A colour, a tuple or None handed over on each
update is made into a new pen or brush, so the depth profile's markers added an image a curve
every frame, up to 1,000 a curve before pyqtgraph rebuilds its atlas, and the window's memory
crept up with them over a lecture's config changes (issue 17's soak). The same look here is the
same object, so the same atlas entry. Callers must not change what they are given."""

from __future__ import annotations

import functools

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

DEFAULT_OUTLINE = (200, 200, 200)  # PlotDataItem's own marker outline, as a colour to pen()


def _key(color):
    """Something hashable for any colour pyqtgraph takes (a QColor or an array is not)."""
    if isinstance(color, QColor):
        return color.getRgb()
    if isinstance(color, str | int | float) or color is None:
        return color
    return tuple(color.tolist() if hasattr(color, "tolist") else color)


def pen(color, width: float = 1.0) -> QPen:
    """A cosmetic pen (pg.mkPen's); None: no outline. A QPen is already one object."""
    return color if isinstance(color, QPen) else _pen(_key(color), float(width))


def brush(color) -> QBrush:
    return color if isinstance(color, QBrush) else _brush(_key(color))


# typed: 1 and 1.0 are different colours to pyqtgraph (an index into its hues, and white)
@functools.lru_cache(maxsize=256, typed=True)
def _pen(color, width: float) -> QPen:
    if color is None:
        return QPen(Qt.PenStyle.NoPen)
    return pg.mkPen(color, width=width)


@functools.lru_cache(maxsize=256, typed=True)
def _brush(color) -> QBrush:
    return pg.mkBrush(color)
