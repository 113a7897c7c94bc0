"""The read-only, row-selecting table the preview dialogs show (merge, revision):
long Chinese texts wrap in full rather than being cut with "…"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QWidget


def wrapped_table(labels: list[str] | tuple[str, ...], parent: QWidget | None = None) -> QTableWidget:
    table = QTableWidget(0, len(labels), parent)
    table.setHorizontalHeaderLabels(list(labels))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    return table
