"""The window's views. Every pyqtgraph view here calls `unindexed` on its scene first."""

from PySide6.QtWidgets import QGraphicsScene


def unindexed(view) -> None:
    """Give up the scene's BSP index: these scenes change every frame (curves, titles, whole
    grids rebuilt on a depth change), the case Qt's docs give NoIndex for. With the index, a
    window whose depth went 4 → 6 → 4 faster than it painted segfaulted in QGraphicsView's paint,
    inside a recursive walk of the tree, in 6 of 8 runs (three such changes each); 0 of 8
    without it."""
    view.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
