"""The window's views. Every pyqtgraph view here calls `unindexed` on its scene first."""

from PySide6.QtWidgets import QGraphicsScene


def unindexed(view) -> None:
    """Give up the scene's BSP index: these scenes change every frame (curves, titles, whole
    grids rebuilt on a depth change), the case Qt's docs give NoIndex for. With the index, an
    item whose bounds moved between two updates could be left in the tree after it was deleted:
    a window whose depth went 4 → 6 → 4 faster than it painted segfaulted in QGraphicsView's paint
    in 6 of 8 runs (three such changes each); 0 of 8 without the index."""
    view.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
