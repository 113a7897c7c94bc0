"""The task panel's 到期日 row: the day, and correcting it. A day the import could not
work out is shown in orange with its editor open and 确认到期日; a confirmed or printed
day can be corrected again (修改, then 保存到期日)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ..core.errors import UserError
from ..core.model import Task
from .date_field import DateField
from .operations import LedgerOperations


class DueDateRow(QWidget):
    errorRaised = Signal(str)

    def __init__(self, ops: LedgerOperations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.task: Task | None = None
        self.editing = False  # 修改 was clicked: the editor is open
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.due = QLabel()
        self.due_edit = DateField()
        self.due_confirm = QPushButton("确认到期日")
        self.due_confirm.setToolTip("导入时无法确定到期日,请核对后确认")
        self.due_change = QPushButton("修改")
        self.due_edit.setVisible(False)  # shown for a task whose due date is being corrected
        self.due_confirm.setVisible(False)
        self.due_change.setToolTip("到期日有误时可以修改(例如上级调整了时限)")
        for widget in (self.due, self.due_edit, self.due_confirm, self.due_change):
            row.addWidget(widget)
        row.addStretch(1)
        self.due_confirm.clicked.connect(self._confirm)
        self.due_change.clicked.connect(self._change)
        self.due_edit.invalid.connect(self.errorRaised)

    def show_task(self, task: Task) -> None:
        self.task = task
        if task.due_date:
            self.due.setText(task.due_date.isoformat())
            self.due_edit.set_date(task.due_date)
        else:
            self.due.setText("无具体日期" if not task.needs_review else "未能识别")
            self.due_edit.set_date(date.today())
        self.due.setStyleSheet("color: #b26a00; font-weight: bold;" if task.needs_review else "")
        editing = task.needs_review or self.editing
        self.due_edit.setVisible(editing)
        self.due_confirm.setVisible(editing)
        self.due_confirm.setText("确认到期日" if task.needs_review else "保存到期日")
        self.due_change.setVisible(not editing)

    def set_read_only(self, reason: str) -> None:
        for widget in (self.due_change, self.due_confirm):
            widget.setEnabled(False)
            widget.setToolTip(f"只读:{reason}")

    def _change(self) -> None:
        """A confirmed or printed due date can be corrected again."""
        self.editing = True
        if self.task is not None:
            self.show_task(self.task)
        self.due_edit.line.setFocus()

    def _confirm(self) -> None:
        if self.task is None:
            return
        self.editing = False
        self.due_edit.line.editingFinished.emit()  # a day typed but not yet left counts
        try:
            self.ops.set_due_date(self.task.id, self.due_edit.date())
        except UserError as exc:
            self.errorRaised.emit(exc.message)
