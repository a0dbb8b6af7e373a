"""A new picture painted in the event loop's next turn, not in the pass that presented it.

Each pyqtgraph view has a scene of its own, and a scene that takes a change paints the window
there and then (QGraphicsScene's dirty-item call sends the window's pending paint at once). A
training run's first frame was therefore its present and five paints of 4-15 ms in one pass of
posted events, then the curves' present and paint in another, 70-110 ms with no timer or click
let in (issue 17's item 6). `hold` keeps the views from asking for paints
(QGraphicsView.NoViewportUpdate) until the loop is about to wait again (gui.idle.Later); then
each is repainted whole, in one paint of the window.

Only the views' own asking is held: a widget's update() (the layer grid's, after it lays panels
out) still paints in the pass, and so does a view whose scene loses an item (Qt paints the
window in the next pass whatever the view's update mode: gui/views/panel_pool.py's trim). Held
for every frame not in motion (2026-12-06), a scene switch kept most of its chain and the other
actions' gaps did not change beyond the noise, so the presenter does not hold (benchmarks/
README.md, session 12); who holds: a training run's first frame, the layer grid while it fills
a new shape a row a turn (gui/views/row_fill.py) and the depth profile after each present
(gui/views/adapters.py), its paint otherwise chained to the grid's (session 17).

Only the views' asking is held, not their drawing: a grab or an export meanwhile renders the
new picture (a widget with its updates disabled would render blank).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGraphicsView, QWidget

from gui.idle import Later

_NONE = QGraphicsView.ViewportUpdateMode.NoViewportUpdate
_held: dict[QGraphicsView, QGraphicsView.ViewportUpdateMode] = {}
_thaw: Later | None = None


def hold(widget: QWidget, last: bool = False) -> None:
    """No paint asked for by the views in `widget` (or `widget`, a view) before the loop's next
    idle turn; with `last`, before the idle work armed so far has run (work that finishes the
    picture over several turns: gui/views/layer_grid.py)."""
    global _thaw
    app = QCoreApplication.instance()
    if app is None or not widget.isVisible():
        return
    views = [widget] if isinstance(widget, QGraphicsView) else []
    views += widget.findChildren(QGraphicsView)
    for view in views:
        if view not in _held and view.isVisible():
            _held[view] = view.viewportUpdateMode()
            view.setViewportUpdateMode(_NONE)
    if _thaw is None or not shiboken6.isValid(_thaw):  # a new application since
        _thaw = Later(flush, app)
    if last:
        _thaw.start(last=True)
    elif not _thaw.isActive():  # (started again, a thaw already due would wait a turn more)
        _thaw.start()


def flush(now: bool = False) -> None:
    """Every held view repaints: in this turn's paint, or with `now` before returning (what
    reads the views' geometry wants it: pyqtgraph lays axes out as it paints)."""
    held = list(_held.items())
    _held.clear()
    if _thaw is not None and shiboken6.isValid(_thaw):
        _thaw.stop()
    for view, mode in held:
        if shiboken6.isValid(view):
            view.setViewportUpdateMode(mode)
            view.viewport().repaint() if now else view.viewport().update()


def holding() -> bool:
    """Some view waits for its paint (a test's settle)."""
    return bool(_held)
