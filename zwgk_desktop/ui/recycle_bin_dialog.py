"""回收站: evidence moved out of tasks, to restore or (after a confirmation) delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import evidence as ev
from ..core.errors import UserError
from ..core.ledger import Ledger
from . import operations

COLUMNS = ["任务", "季度", "类型", "材料", "移入时间", "操作人"]
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class RecycleBinDialog(QDialog):
    """``changed(task_ids)`` after a restore or after emptying."""

    changed = Signal(list)

    def __init__(self, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.setWindowTitle("回收站")
        self.resize(900, 460)
        self.entries: list[ev.BinEntry] = []
        self.explain = QLabel("移到回收站的佐证材料保存在这里,可以恢复。清空回收站会永久删除,不能撤销。")
        self.explain.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.restore_button = QPushButton("恢复所选")
        self.empty_button = QPushButton("清空回收站…")
        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.restore_button)
        row.addStretch(1)
        row.addWidget(self.empty_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.restore_button.clicked.connect(self.restore_selected)
        self.empty_button.clicked.connect(self.empty)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.reload()

    def reload(self) -> None:
        self.entries = ev.recycle_bin(self.ledger)
        self.table.setRowCount(len(self.entries))
        # With several plans, 序号 3 alone is ambiguous: the task cell names its plan.
        plans = {p.id: p.title for p in self.ledger.plans()}
        several = len({entry.plan_id for entry in self.entries}) > 1
        for r, entry in enumerate(self.entries):
            item = entry.evidence
            task = f"{entry.task_seq}. {entry.task_label}"
            if several:
                task = f"《{plans.get(entry.plan_id, '')}》{task}"
            values = [task, item.quarter.label,
                      ev.KIND_NAMES.get(item.kind, item.kind), item.name,
                      (item.removed_at or "")[:16].replace("T", " "), entry.removed_by]
            for c, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                cell.setData(ID_ROLE, item.id)
                self.table.setItem(r, c, cell)
        self.empty_button.setEnabled(bool(self.entries))
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(bool(self.selected_ids()))

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.entries[r].evidence.id for r in rows if r < len(self.entries)]

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        try:
            tasks = operations.evidence.restore(self.ledger, ids)
        except UserError as exc:
            QMessageBox.warning(self, "提示", exc.message)
            return
        self.status.setText(f"已恢复 {len(ids)} 项材料。")
        self.reload()
        self.changed.emit(tasks)

    def empty(self) -> None:
        if not self.entries:
            return
        files = sum(1 for e in self.entries if e.evidence.kind == ev.KIND_FILE)
        answer = QMessageBox.question(
            self, "清空回收站",
            f"将永久删除回收站中的 {len(self.entries)} 项材料(其中文件 {files} 个),不能撤销。\n"
            "其他任务仍在使用的相同文件会保留。\n\n确定要清空回收站吗?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        tasks = sorted({e.evidence.task_id for e in self.entries})
        try:
            result = operations.evidence.empty_bin(self.ledger, [e.evidence.id for e in self.entries])
        except UserError as exc:
            QMessageBox.warning(self, "提示", exc.message)
            return
        self.status.setText(f"已清空回收站:删除 {result.rows} 项材料,释放 {ev.format_size(result.bytes)}。")
        self.reload()
        self.changed.emit(tasks)
