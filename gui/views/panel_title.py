"""A layer-grid panel's title: runs of text painted over the panel's (hidden) LabelItem, and
the theme colours the grid's items paint with."""

from __future__ import annotations

import functools

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsObject

Run = tuple[str, bool, str | None]  # text, bold, colour (None: the theme's foreground)


def title_html(lines: tuple[tuple[Run, ...], ...]) -> str:
    def run(text: str, bold: bool, color: str | None) -> str:
        text = f"<b>{text}</b>" if bold else text
        return f"<span style='color:{color}'>{text}</span>" if color else text

    return "<br>".join("".join(run(*r) for r in line) for line in lines)


@functools.lru_cache(maxsize=64)
def _color(spec, alpha: int | None = None) -> QColor:
    """The theme's colour as a QColor, made once: pg.mkColor in every paint was 0.4 ms of a
    20-panel frame (measured). Callers must not change it."""
    color = pg.mkColor(spec)
    if alpha is not None:
        color.setAlpha(alpha)
    return color


class PanelTitle(QGraphicsObject):
    """A panel's title, painted as runs of text centred over its (hidden) LabelItem."""

    report_role = "panel-title"  # what the lecture canvas's layout report calls it

    def __init__(self, label: pg.LabelItem, font: QFont):
        super().__init__(label)
        self._label = label
        self._runs: list[tuple] = []
        self._placed: list[tuple] = []
        self._size = (0.0, 0)
        self._rect = QRectF()
        self._laid_out = False
        self._lines: tuple = ()
        self.set_font(font)
        label.geometryChanged.connect(self._relayout)

    def set_font(self, font: QFont) -> None:
        """The type (the presentation view's scale or the canvas's height sets it); the lines are
        laid out again in it."""
        self._fonts = {}
        for bold in (False, True):
            f = QFont(font)
            f.setBold(bold)
            self._fonts[bold] = (f, QFontMetricsF(f))
        self._widths: dict[tuple[str, bool], float] = {}
        self.set_lines(self._lines)

    def set_lines(self, lines: tuple[tuple[Run, ...], ...]) -> None:
        """Lay the runs out once here (x from the centre, one line after another); paint only
        draws them."""
        runs, widest = [], 0.0
        for k, line in enumerate(lines):
            widths = [self._advance(text, bold) for text, bold, _ in line]
            x = -sum(widths) / 2
            for (text, bold, color), w in zip(line, widths, strict=True):
                runs.append((x, k, text, bold, QColor(color) if color else None))
                x += w
            widest = max(widest, sum(widths))
        self._runs = runs
        self._lines = lines
        size = (widest, len(lines))
        if size != self._size:
            self._size = size
            self.prepareGeometryChange()
        self._laid_out = False
        self.update()

    def line_width(self, line: tuple[Run, ...]) -> float:
        return sum(self._advance(text, bold) for text, bold, _ in line)

    def _advance(self, text: str, bold: bool) -> float:
        """A run's width, measured once (the layer's run never changes, σ's rarely repeats)."""
        key = (text, bold)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) > 64:
                self._widths.clear()
            width = self._widths[key] = self._fonts[bold][1].horizontalAdvance(text)
        return width

    def _relayout(self) -> None:
        self.prepareGeometryChange()
        self._laid_out = False

    def _lay_out(self) -> None:
        """The bounds and the runs' places, kept until the text or the label's geometry changes
        (Qt asks for the bounds twice a paint)."""
        rect = QRectF(self._label.rect())
        width, lines = self._size
        normal = self._fonts[False][1]
        height = lines * normal.lineSpacing()
        grow_x, grow_y = max(0.0, width - rect.width()) / 2, max(0.0, height - rect.height())
        self._rect = rect.adjusted(-grow_x - 1, -1, grow_x + 1, grow_y + 1)
        centre = rect.center().x()
        top = rect.top() + normal.ascent()  # from the top: every panel's first line is level
        step = normal.lineSpacing()
        self._placed = [
            (QPointF(centre + x, top + k * step), text, self._fonts[bold][0], color)
            for x, k, text, bold, color in self._runs
        ]
        self._laid_out = True

    def report_rect(self) -> QRectF:
        """The lines as painted, in scene coordinates (the layout report's): the label's own
        rectangle is taller than its text and reached into the plot below by 2 px."""
        if not self._laid_out:
            self._lay_out()
        width, lines = self._size
        metrics = self._fonts[False][1]
        rect = QRectF(self._label.rect())
        text = QRectF(rect.center().x() - width / 2, rect.top(), width, lines * metrics.height())
        return self.mapRectToScene(text)

    def boundingRect(self) -> QRectF:
        """The label's rectangle, grown to the text where it is wider or (downwards) taller."""
        if not self._laid_out:
            self._lay_out()
        return self._rect

    def paint(self, painter, *args) -> None:
        if not self._laid_out:
            self._lay_out()
        fg = _color(self._label.opts["color"] or pg.getConfigOption("foreground"))
        for point, text, font, color in self._placed:
            painter.setFont(font)
            painter.setPen(color or fg)
            painter.drawText(point, text)
