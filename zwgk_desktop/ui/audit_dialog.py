"""操作记录: who changed what and when, newest first, one plain sentence per change.

The search box narrows the list to a task (序号 24), a unit, a day (2023-09) or any
word of the sentences.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.audit_text import AuditLine, describe
from ..core.ledger import Ledger
from .screen_fit import fit_to_screen

_SEQ = re.compile(r"序号\s*(\d+)")
#: A sentence wraps to at most this many lines; the tooltip has all of it.
MAX_ROW_LINES = 3


class AuditDialog(QDialog):
    def __init__(self, ledger: Ledger, parent: QWidget | None = None, limit: int = 2000) -> None:
        super().__init__(parent)
        self.setWindowTitle("操作记录")
        fit_to_screen(self, (980, 560))
        self.lines: list[AuditLine] = describe(ledger, ledger.audit_log(limit))
        self.search = QLineEdit()
        self.search.setPlaceholderText("筛选:序号(如 序号 24)、单位、日期(如 2023-09)或任意文字")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.count = QLabel()
        self.table = QTableWidget(len(self.lines), 3)
        self.table.setHorizontalHeaderLabels(["时间", "操作人", "做了什么"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for row, line in enumerate(self.lines):
            for col, value in enumerate((line.at, line.user, line.sentence)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # The sentence wraps (up to MAX_ROW_LINES) instead of ending in «…» at the right
        # edge; worked out again once the column's width has settled.
        self._fit_rows_later = QTimer(self)
        self._fit_rows_later.setSingleShot(True)
        self._fit_rows_later.setInterval(0)
        self._fit_rows_later.timeout.connect(self.fit_rows)
        header.sectionResized.connect(lambda *_: self._fit_rows_later.start())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self._filter()

    def fit_rows(self) -> None:
        self.table.resizeRowsToContents()  # 2,000 rows: about 0.1 s
        cap = self.table.fontMetrics().lineSpacing() * MAX_ROW_LINES + 8
        for row in range(self.table.rowCount()):
            if self.table.rowHeight(row) > cap:
                self.table.setRowHeight(row, cap)

    def _filter(self) -> None:
        text = self.search.text()
        # 序号 24 names a task: it matches the changes of that task, batch ones included.
        seqs = {int(n) for n in _SEQ.findall(text)}
        words = _SEQ.sub(" ", text).split()
        shown = 0
        for row, line in enumerate(self.lines):
            haystack = f"{line.at} {line.user} {line.sentence}"
            visible = (all(seq in line.task_seqs for seq in seqs)
                       and all(word in haystack for word in words))
            self.table.setRowHidden(row, not visible)
            shown += visible
        self.count.setText(f"共 {len(self.lines)} 条记录" + (f",显示 {shown} 条" if text.strip() else ""))

    def visible_sentences(self) -> list[str]:
        return [line.sentence for row, line in enumerate(self.lines) if not self.table.isRowHidden(row)]
