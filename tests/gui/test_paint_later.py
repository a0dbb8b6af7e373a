"""Held views paint in the event loop's next turn (gui/paint_later.py, issue 17's item 6), and
nothing grabs them blank meanwhile (a training run's first frame: tests/gui/test_training_gui.py)."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QGraphicsView

from gui import export, paint_later


def _plot(qtbot):
    w = pg.PlotWidget()
    curve = w.plot(np.arange(10.0), np.arange(10.0), pen=pg.mkPen("r", width=4))
    w.resize(320, 240)
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    w.viewport().repaint()  # its first paint done, none left queued
    QApplication.processEvents()
    return w, curve


def test_a_held_view_paints_again_at_the_next_idle_turn(qtbot):
    w, _ = _plot(qtbot)
    mode = w.viewportUpdateMode()
    paint_later.hold(w)
    assert w.viewportUpdateMode() == QGraphicsView.ViewportUpdateMode.NoViewportUpdate
    assert paint_later.holding()
    qtbot.waitUntil(lambda: not paint_later.holding())
    assert w.viewportUpdateMode() == mode


def test_a_change_while_held_is_painted_after_it(qtbot):
    """The view asks for no paint while held; the thaw repaints it whole, the change in it."""
    w, curve = _plot(qtbot)
    paints = []

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                paints.append(paint_later.holding())
            return False

    watch = Watch()
    w.viewport().installEventFilter(watch)
    paint_later.hold(w)
    curve.setData(np.arange(10.0), np.arange(10.0)[::-1])
    qtbot.waitUntil(lambda: not paint_later.holding() and bool(paints))
    qtbot.wait(50)
    assert paints and not any(paints)  # painted, and only once let go


def test_an_export_while_held_shows_the_new_picture_not_a_blank(qtbot):
    """Only the asking is held, not the drawing: a grab meanwhile renders the new picture."""
    w, curve = _plot(qtbot)
    old = export.frame_array(w)
    paint_later.hold(w)
    curve.setData(np.arange(10.0), np.arange(10.0)[::-1])
    QApplication.processEvents()  # the plot's own queued updates (its range), not the thaw
    assert paint_later.holding()
    a = export.frame_array(w)
    qtbot.waitUntil(lambda: not paint_later.holding())
    b = export.frame_array(w)
    assert a.std() > 0 and not np.array_equal(a, old)  # not blank, not the old picture
    np.testing.assert_array_equal(a, b)
