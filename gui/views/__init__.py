"""The window's views. Every pyqtgraph view here calls `unindexed` on itself first."""

from PySide6.QtWidgets import QGraphicsScene, QGraphicsView


def unindexed(view) -> None:
    """Give up the scene's BSP index: these scenes change every frame (curves, titles, whole
    grids rebuilt on a depth change), the case Qt's docs give NoIndex for. With the index, a
    window whose depth went 4 → 6 → 4 faster than it painted segfaulted in QGraphicsView's paint,
    inside a recursive walk of the tree, in 6 of 8 runs (three such changes each); 0 of 8
    without it.

    And no background pixmap (pyqtgraph's CacheBackground): the background is one flat colour,
    as quick to fill as to copy, and the pixmap, the size of the view (2-4 MiB at 1080p), stayed
    with a view once painted, hidden or not (issue 17's soak: the overview and the detail grid
    kept 2.8 MiB after a single deep net)."""
    view.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
    view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)


def unindexed_within(widget) -> None:
    """`unindexed` for `widget` if it is a view and for every view inside it: the lecture
    canvas's views, which the canvas makes from its registry. Left indexed, its ladder
    segfaulted on the paint after F5 (the random-actions test at seed 10, 2026-12-06): it had
    dropped a line (∂W's) while the presentation view was hidden."""
    views = [widget] if isinstance(widget, QGraphicsView) else []
    for view in views + widget.findChildren(QGraphicsView):
        unindexed(view)
