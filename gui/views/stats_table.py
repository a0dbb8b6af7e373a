"""The per-layer numbers behind the pictures, copyable as CSV or Markdown for slides."""

from __future__ import annotations

import math

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableView

from core import fields
from core.stats import Snapshot
from gui.theme import WARN

_ROOT = QModelIndex()


def cell_text(value, fmt: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    return fields.text(value, fmt)


class StatsModel(QAbstractTableModel):
    """The newest snapshot's numbers (what data() and the exports read), but the view is told at
    most every REPAINT_MS: in an animation or a drag, a full repaint of the table each frame
    (9 ms at 1920×1080) bought digits that change too fast to read. The last frame always shows,
    at most REPAINT_MS late."""

    REPAINT_MS = 250

    def __init__(self):
        super().__init__()
        self.columns = fields.table_fields()  # core/fields.py's, as they are when it is made
        self._snap: Snapshot | None = None
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(self.REPAINT_MS)
        self._quiet.timeout.connect(self._repaint_due)
        self._due = False

    def set_snapshot(self, snap: Snapshot) -> None:
        same_shape = self._snap is not None and len(self._snap.layers) == len(snap.layers)
        if same_shape:
            self._snap = snap
            if self._quiet.isActive():
                self._due = True
            else:
                self._changed()
        else:
            self.beginResetModel()
            self._snap = snap
            self.endResetModel()

    def _changed(self) -> None:
        self._due = False
        self.dataChanged.emit(
            self.index(0, 0), self.index(self.rowCount() - 1, len(self.columns) - 1)
        )
        self._quiet.start()

    def _repaint_due(self) -> None:
        if self._due:
            self._changed()

    def rowCount(self, parent=_ROOT):
        return 0 if self._snap is None or parent.isValid() else len(self._snap.layers)

    def columnCount(self, parent=_ROOT):
        return len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if self._snap is None or not index.isValid():
            return None
        s = self._snap.layers[index.row()]
        col = self.columns[index.column()]
        value = getattr(s, col.attr)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(value, col.fmt)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col.attr == "nonfinite" and value:
            return QColor(WARN)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tooltip
        return None

    def rows_as_text(self) -> list[list[str]]:
        out = [[c.header for c in self.columns]]
        for r in range(self.rowCount()):
            out.append([self.data(self.index(r, c)) for c in range(len(self.columns))])
        return out

    def to_csv(self) -> str:
        return "\n".join(",".join(row) for row in self.rows_as_text()) + "\n"

    def to_markdown(self) -> str:
        rows = self.rows_as_text()
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines) + "\n"


class StatsTable(QTableView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.model_ = StatsModel()
        self.setModel(self.model_)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QTableView.SelectionMode.NoSelection)

    def present(self, snap: Snapshot) -> None:
        self.model_.set_snapshot(snap)
