"""What came first after a frame was presented: a zero-delay timer started then, or the paint
of the window's middle (issue 17's item 6: a present and its paints in one pass of posted
events let no timer or click in between)."""

from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication


@contextmanager
def paint_order(central):
    """Yields (events, mark): connect `mark` to the signal of the present; `events` then lists
    "shown", "timer" and each "paint" of a widget inside `central`, in order."""
    events: list[str] = []

    def mark(*_):
        if "shown" not in events:
            events.append("shown")
            QTimer.singleShot(0, lambda: events.append("timer"))

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and events and central.isAncestorOf(obj):
                events.append("paint")
            return False

    watch = Watch()
    QApplication.instance().installEventFilter(watch)
    try:
        yield events, mark
    finally:
        QApplication.instance().removeEventFilter(watch)
