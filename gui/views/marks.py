"""Pens and brushes for pyqtgraph's scatter markers: one object per look, made once.

pyqtgraph's ScatterPlotItem keeps a rendered image of every marker style it has drawn, in an atlas
keyed by the identity of the QPen and QBrush it was given (pyqtgraph 0.14, SymbolAtlas._keys). A
colour, a tuple or None handed over on each update is made into a new pen or brush, a new key:
the depth profile's markers added an image a curve every frame, up to 1,000 a curve before
pyqtgraph rebuilds its atlas, and the window's memory crept up with them over a lecture's config
changes (issue 17's soak). The same look here is the same object, so the same atlas entry.
Callers must not change what they are given."""

from __future__ import annotations

import functools

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen


def _key(color):
    """Something hashable for any colour pyqtgraph takes (a QColor is not)."""
    if isinstance(color, QColor):
        return color.getRgb()
    return tuple(color) if isinstance(color, list) else color


def pen(color, width: float = 1.0) -> QPen:
    """A cosmetic pen (pg.mkPen's); None: no outline."""
    return _pen(_key(color), float(width))


def brush(color) -> QBrush:
    return _brush(_key(color))


@functools.lru_cache(maxsize=256)
def _pen(color, width: float) -> QPen:
    if color is None:
        return QPen(Qt.PenStyle.NoPen)
    return pg.mkPen(color, width=width)


@functools.lru_cache(maxsize=256)
def _brush(color) -> QBrush:
    return pg.mkBrush(color)


# PlotDataItem's own default marker outline, as one object
DEFAULT_OUTLINE = (200, 200, 200)
