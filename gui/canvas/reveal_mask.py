"""What a canvas view draws of a staged scene (issue 20): the one place that reads `frame.reveal`.

Every view asks the same questions: how much of (row, layer) to draw, 0 (not yet revealed) to 1
(shown), in between for the newest layer while it fades in (`Fading`, the canvas's short
transition); and, for a view of the whole net at once (a spectrum, a correlation map, the
formula), how much of the whole. A hidden panel keeps its place, its axes and its layer's name,
only its data go, so the layout never jumps as the reveal goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsOpacityEffect, QWidget

from core.reveal import BACKWARD_ROWS, Reveal

# the row a direction's statistic belongs to, for the views that draw both (the ladder)
ROW_OF = {"forward": "act", "backward": "grad"}


@dataclass(frozen=True)
class Fading(Reveal):
    """A reveal whose newest layer is `fade` of the way in (the canvas's transition)."""

    fade: float = 1.0


def amount(frame, row: str, layer: int) -> float:
    """How much of layer `layer`'s `row` ("act", "preact", "grad", "wgrad" or "weights") to draw."""
    r = frame.reveal
    if r is None:
        return 1.0
    if not r.shows(row, layer):
        return 0.0
    return _fade(r) if r.newest == (_way(row), layer) else 1.0


def shown(frame, row: str, layer: int) -> bool:
    return amount(frame, row, layer) > 0.0


def whole(frame) -> float:
    """How much of a view of the whole net to draw: nothing until the reveal is complete."""
    r = frame.reveal
    if r is None:
        return 1.0
    if not r.complete:
        return 0.0
    return _fade(r)


def staged(frame) -> bool:
    """Part of the net is still hidden."""
    return frame.reveal is not None and not frame.reveal.complete


def key(frame) -> tuple:
    """What a view's cache of "already drawn" must include to redraw on a reveal step."""
    r = frame.reveal
    return () if r is None else (r.depth, r.step, _fade(r))


def revealed(n: int, frame, row: str) -> np.ndarray:
    """Which of layers 1..n of `row` are shown (bool per layer)."""
    return np.array([shown(frame, row, k) for k in range(1, n + 1)], bool)


def grown(values, frame, row: str) -> np.ndarray:
    """Per-layer values (layer 1 first) as drawn on a log axis: NaN where not revealed, and the
    newest layer on its way from its neighbour in the reveal's order (the layer before it going
    forward, the one after it going backward), so its line grows out of the last point."""
    v = np.array(values, np.float64)
    out = v.copy()
    for i in range(len(v)):
        a = amount(frame, row, i + 1)
        if a <= 0.0:
            out[i] = np.nan
        elif a < 1.0:
            j = i - 1 if _way(row) == "forward" else i + 1
            start = v[j] if 0 <= j < len(v) and shown(frame, row, j + 1) else np.nan
            if np.isfinite(start) and start > 0 and np.isfinite(v[i]) and v[i] > 0:
                out[i] = start ** (1.0 - a) * v[i] ** a
    return out


def appear(view: QWidget, frame) -> None:
    """A whole-net view drawn at `whole(frame)` opacity: its place kept, its content not shown
    until the reveal is complete, then faded in."""
    opacity = whole(frame)
    if isinstance(view, pg.GraphicsLayoutWidget):
        view.ci.setOpacity(opacity)
        return
    effect = view.graphicsEffect()
    if opacity >= 1.0:
        if effect is not None:
            view.setGraphicsEffect(None)  # none at all when shown: an effect paints offscreen
        return
    if not isinstance(effect, QGraphicsOpacityEffect):
        effect = QGraphicsOpacityEffect(view)
        view.setGraphicsEffect(effect)
    effect.setOpacity(opacity)


def opacity(view: QWidget) -> float:
    """What `appear` left: 1 shown, 0 not yet (tests, the GIF's readers)."""
    if isinstance(view, pg.GraphicsLayoutWidget):
        return float(view.ci.opacity())
    effect = view.graphicsEffect()
    return float(effect.opacity()) if isinstance(effect, QGraphicsOpacityEffect) else 1.0


def _fade(r: Reveal) -> float:
    return float(min(max(getattr(r, "fade", 1.0), 0.0), 1.0))


def _way(row: str) -> str:
    return "backward" if row in BACKWARD_ROWS else "forward"
