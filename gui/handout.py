"""A handout of a lecture (issue #21): one page per scene, as a PDF and as an HTML page.

Each page has the scene's title and claim (as the canvas stated them for the frame pictured),
the picture, and one line a student can type to see it again. Qt's own QPdfWriter paints the PDF,
so no new dependency; the HTML embeds the same pictures as PNG data, for a course page.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

DPI = 150


class HandoutError(OSError):
    """A handout that cannot be written: one line naming the file."""


@dataclass(frozen=True)
class Page:
    title: str
    claim: str
    image: QImage
    reproduce: str  # the line a student types: `initscope --preset NAME`, or the scene's config
    numbers: str = ""  # the numbers the claim cites, as the frame had them


def write_pdf(pages: list[Page], path: str | Path, title: str) -> None:
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("InitScope")
    writer.setResolution(DPI)
    layout = QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Landscape,
        QMarginsF(12, 12, 12, 12),
        QPageLayout.Unit.Millimeter,
    )
    writer.setPageLayout(layout)
    painter = QPainter()
    if not painter.begin(writer):
        raise HandoutError(f"handout: cannot write {path}")
    try:
        for i, page in enumerate(pages):
            if i:
                writer.newPage()
            _paint(
                painter, page, QRectF(writer.pageLayout().paintRectPixels(DPI)), i + 1, len(pages)
            )
    finally:
        painter.end()
    if not path.exists() or path.stat().st_size == 0:
        raise HandoutError(f"handout: cannot write {path}")


def _paint(painter: QPainter, page: Page, area: QRectF, number: int, total: int) -> None:
    """Title, claim, picture and the line to type, top to bottom; sizes are shares of the page."""
    h = area.height()
    y = area.top()
    flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
    for text, share, bold in ((page.title, 0.050, True), (page.claim, 0.034, False)):
        painter.setFont(_font(share * h, bold))
        box = painter.boundingRect(QRectF(area.left(), y, area.width(), h), flags, text)
        painter.drawText(box, flags, text)
        y = box.bottom() + 0.015 * h
    foot = _font(0.022 * h, False)
    foot_h = 2.6 * 0.022 * h * (2 if page.numbers else 1)
    room = QRectF(area.left(), y, area.width(), area.bottom() - y - foot_h)
    image = page.image.scaled(
        room.size().toSize(),
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    painter.drawImage(QRectF(room.left(), room.top(), image.width(), image.height()), image)
    painter.setFont(foot)
    lines = [page.numbers] if page.numbers else []
    lines.append(f"To see it again: {page.reproduce}")
    text = "\n".join(lines)
    box = QRectF(area.left(), area.bottom() - foot_h, area.width() * 0.9, foot_h)
    painter.drawText(box, flags | Qt.AlignmentFlag.AlignBottom, text)
    painter.drawText(
        box.adjusted(0, 0, area.width() * 0.1, 0),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
        f"{number}/{total}",
    )


def _font(px: float, bold: bool) -> QFont:
    f = QFont()
    f.setPixelSize(max(8, round(px)))
    f.setBold(bold)
    return f


def write_html(pages: list[Page], path: str | Path, title: str) -> None:
    parts = [
        "<!doctype html><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "section{margin:2em 0;border-bottom:1px solid #ccc}img{width:100%}"
        "code{background:#f3f3f3;padding:2px 4px}</style>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for i, page in enumerate(pages, 1):
        data = base64.b64encode(_png(page.image)).decode("ascii")
        numbers = f"<p>{html.escape(page.numbers)}</p>" if page.numbers else ""
        parts.append(
            f"<section id='scene-{i}'><h2>{i}. {html.escape(page.title)}</h2>"
            f"<p><b>{html.escape(page.claim)}</b></p>"
            f"<img alt='{html.escape(page.title)}' src='data:image/png;base64,{data}'>"
            f"{numbers}<p>To see it again: <code>{html.escape(page.reproduce)}</code></p></section>"
        )
    try:
        Path(path).write_text("\n".join(parts), encoding="utf-8")
    except OSError as e:
        raise HandoutError(f"handout: cannot write {path}: {e.strerror}") from None


def _png(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data)
