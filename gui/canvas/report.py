"""The layout report: every visible text and plot of a window, in window pixels (`--layout-report`).

Tests read it to check what a screenshot cannot: that no text overlaps another, that no title or
tick lies on the data, that type is large enough for the back row (tests/gui/canvas_checks.py).
What it reads is what the views declare (gui/canvas/registry.py): QLabels with the Qt property
"role", graphics items with an attribute `report_role` (pg.LabelItem, pg.TextItem, or any item
with `report_text`), plots with `report_name`; and, of every shown pg.AxisItem, its tick labels
(where its own paint puts them) and its label.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsTextItem, QGraphicsView, QLabel

from gui import paint_later

Rect = list[float]  # x, y, w, h in window pixels


def layout_report(win) -> dict:
    """{"size": [w, h], "texts": [{text, rect, px, role}], "plots": [{name, rect, data_rect}]}"""
    if paint_later.holding():  # the views as painted, and the layouts their paint asks for
        paint_later.flush(now=True)
        QApplication.processEvents()
    texts: list[dict] = []
    plots: list[dict] = []
    for label in win.findChildren(QLabel):
        role = label.property("role")
        if role and label.isVisible() and label.text():
            top_left = label.mapTo(win, label.rect().topLeft())
            rect = [top_left.x(), top_left.y(), label.width(), _label_height(label)]
            texts.append(_text(label.text(), rect, font_px(label.font()), str(role)))
    for view in win.findChildren(QGraphicsView):
        if view.isVisible():
            _read_scene(win, view, texts, plots)
    return {"size": [win.width(), win.height()], "texts": texts, "plots": plots}


def _label_height(label: QLabel) -> int:
    """The height its text takes: a label squeezed below it clips the text, which then
    reaches (as a reader would see it cut) into what lies below."""
    w = label.width()
    needed = label.heightForWidth(w) if label.wordWrap() else label.sizeHint().height()
    return max(label.height(), needed)


def write(win, path: str | Path) -> None:
    Path(path).write_text(json.dumps(layout_report(win), indent=1), encoding="utf-8")


def font_px(font: QFont) -> float:
    """A font's size in pixels, whether it was set in pixels or in points."""
    if font.pixelSize() > 0:
        return float(font.pixelSize())
    return font.pointSizeF() * dpi() / 72


def dpi() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.logicalDotsPerInchY() if screen is not None else 96.0


def _text(text: str, rect: Rect, px: float, role: str) -> dict:
    return {"text": text, "rect": [round(v, 1) for v in rect], "px": round(px, 2), "role": role}


def _read_scene(win, view: QGraphicsView, texts: list, plots: list) -> None:
    shown = QRectF(view.viewport().rect())
    for item in view.scene().items():
        if not item.isVisible():
            continue
        if isinstance(item, pg.AxisItem):
            texts.extend(_axis_texts(win, view, item, shown))
        elif isinstance(item, pg.PlotItem):
            rect = _to_window(win, view, item.sceneBoundingRect())
            data = _to_window(win, view, item.vb.sceneBoundingRect())
            name = str(getattr(item, "report_name", ""))
            plots.append({"name": name, "rect": rect, "data_rect": data})
        role = getattr(item, "report_role", None)
        if role and not isinstance(item.parentItem(), pg.AxisItem):  # its axis reports it
            found = _item_text(item)
            if found is not None and found[0]:
                text, scene_rect, px = found
                if scene_rect.intersects(_from_view(view, shown)):
                    texts.append(_text(text, _to_window(win, view, scene_rect), px, role))


def _item_text(item: QGraphicsItem) -> tuple[str, QRectF, float] | None:
    """(plain text, its rectangle in scene coordinates, font pixels) of a reported item."""
    if isinstance(item, pg.LabelItem):
        return _plain(item.text), _glyphs(item.item), _label_px(item)
    if isinstance(item, pg.TextItem):
        inner = item.textItem
        return inner.toPlainText(), _glyphs(inner), font_px(inner.font())
    if isinstance(item, QGraphicsTextItem):
        return item.toPlainText(), _glyphs(item), font_px(item.font())
    text = getattr(item, "report_text", None)
    text = text() if callable(text) else text
    if text is None:
        return None
    px = getattr(item, "report_px", None)
    rect = item.report_rect() if hasattr(item, "report_rect") else item.sceneBoundingRect()
    return str(text), rect, float(px() if callable(px) else px or 0)


def _glyphs(item: QGraphicsTextItem) -> QRectF:
    """A text item's text, in scene coordinates: its bounds less the document's margin (4 px of
    blank around the text, which would make neighbours that do not touch collide)."""
    m = item.document().documentMargin()
    return item.mapRectToScene(item.boundingRect().adjusted(m, m, -m, -m))


def _label_px(item: pg.LabelItem) -> float:
    """A LabelItem's size is its html's ("12pt", "16px"), else its text item's font."""
    return _css_px(item.opts.get("size"), item.item.font())


def _css_px(size, font: QFont) -> float:
    """A size written in an html style ("12pt", "16px"), else the font's."""
    m = re.fullmatch(r"\s*([\d.]+)\s*(pt|px)\s*", str(size or ""))
    if m:
        value = float(m.group(1))
        return value if m.group(2) == "px" else value * dpi() / 72
    return font_px(font)


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<br\s*/?>", "\n", re.sub(r"<(?!br)[^>]*>", "", str(text))))


def _axis_texts(win, view, axis: pg.AxisItem, shown: QRectF) -> list[dict]:
    """The tick labels where the axis's paint puts them (its own generateDrawSpecs, measured
    with its tick font), and its label when shown."""
    out = []
    if axis.label.isVisible() and axis.labelText:
        rect = _to_window(win, view, _glyphs(axis.label))
        px = _css_px(axis.labelStyle.get("font-size"), axis.label.font())  # setLabel's style
        out.append(_text(_plain(axis.labelText), rect, px, "axis-label"))
    if not axis.style.get("showValues", True):
        return out
    font = axis.style.get("tickFont") or QApplication.font()
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        painter.setFont(font)
        specs = axis.generateDrawSpecs(painter)
        for rect, flags, text in specs[2] if specs is not None else ():
            drawn = painter.boundingRect(rect, int(flags), text)
            scene_rect = axis.mapRectToScene(drawn)
            if scene_rect.intersects(_from_view(view, shown)):
                out.append(_text(text, _to_window(win, view, scene_rect), font_px(font), "tick"))
    finally:
        painter.end()
    return out


def _from_view(view: QGraphicsView, rect: QRectF) -> QRectF:
    return view.mapToScene(rect.toRect()).boundingRect()


def _to_window(win, view: QGraphicsView, scene_rect: QRectF) -> Rect:
    poly = view.mapFromScene(scene_rect)
    r = poly.boundingRect()
    top_left = view.viewport().mapTo(win, QPointF(r.topLeft()))
    return [top_left.x(), top_left.y(), float(r.width()), float(r.height())]
