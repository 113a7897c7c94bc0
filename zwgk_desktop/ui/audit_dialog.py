"""操作记录: who changed what and when, newest first, straight from the audit table."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ..core.ledger import Ledger

ENTITY_NAMES = {"task": "任务", "plan": "分解表", "progress": "进展", "evidence": "佐证材料",
                "unit": "单位", "units": "单位名录"}


def _describe(value: object) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "……"


class AuditDialog(QDialog):
    def __init__(self, ledger: Ledger, parent: QWidget | None = None, limit: int = 1000) -> None:
        super().__init__(parent)
        self.setWindowTitle("操作记录")
        self.resize(980, 560)
        entries = ledger.audit_log(limit)
        self.table = QTableWidget(len(entries), 6)
        self.table.setHorizontalHeaderLabels(["时间", "用户", "操作", "对象", "修改前", "修改后"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, entry in enumerate(entries):
            target = ENTITY_NAMES.get(entry.entity, entry.entity)
            if entry.entity_id is not None:
                target += f" {entry.entity_id}"
            values = [entry.at[:19].replace("T", " "), entry.user, entry.action, target,
                      _describe(entry.before), _describe(entry.after)]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
