"""Asking for the day a status took effect, and confirming a day that looks like a slip.

The day decides which quarter's report counts a task as done: a clerk back-filling the
third quarter in November must not get November dates by default without being asked.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.dates import status_date_doubt
from ..core.model import Status
from ..core.quarters import Quarter
from .date_field import DateField


def confirm_status_date(parent: QWidget | None, day: date, plan_year: int | None) -> bool:
    """True when the day looks right, or the clerk confirms it after being told why not."""
    doubt = status_date_doubt(day, plan_year)
    if doubt is None:
        return True
    answer = QMessageBox.question(parent, "请确认日期", f"{doubt}\n确定按这个日期登记吗?",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


class StatusDateDialog(QDialog):
    """将 N 项任务标记为“已完成”: which day? Today, or one click for the quarter's end."""

    def __init__(self, status: Status, count: int, quarter: Quarter | None, plan_year: int | None,
                 parent: QWidget | None = None, default: date | None = None) -> None:
        super().__init__(parent)
        self.plan_year = plan_year
        self.setWindowTitle("登记状态")
        layout = QVBoxLayout(self)
        what = f"将 {count:,} 项任务标记为“{status.value}”。" if count > 1 else f"将这项任务标记为“{status.value}”。"
        layout.addWidget(QLabel(what + "\n请确认状态生效(完成)的日期:"))
        row = QHBoxLayout()
        self.field = DateField()
        self.field.set_date(default or date.today())
        self.field.invalid.connect(lambda message: QMessageBox.warning(self, "提示", message))
        row.addWidget(self.field)
        today = QPushButton("今天")
        today.clicked.connect(lambda: self.field.set_date(date.today()))
        row.addWidget(today)
        self.quarter_end: QPushButton | None = None
        if quarter is not None and quarter.end <= date.today():
            self.quarter_end = QPushButton(f"{quarter.label}最后一天({quarter.end.isoformat()})")
            self.quarter_end.clicked.connect(lambda: self.field.set_date(quarter.end))
            row.addWidget(self.quarter_end)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登记")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.field.line.editingFinished.emit()  # a day typed but not yet left counts
        if confirm_status_date(self, self.field.date(), self.plan_year):
            super().accept()

    def chosen_date(self) -> date:
        return self.field.date()


def ask_status_date(parent: QWidget | None, status: Status, count: int, quarter: Quarter | None,
                    plan_year: int | None, default: date | None = None) -> date | None:
    """The day the clerk confirmed, or None when they cancelled (nothing is written)."""
    dialog = StatusDateDialog(status, count, quarter, plan_year, parent, default)
    return dialog.chosen_date() if dialog.exec() == QDialog.DialogCode.Accepted else None
