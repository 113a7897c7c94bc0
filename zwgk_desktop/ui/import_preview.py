"""The import wizard's preview table (ui/import_wizard.py): each task as it would be
written, with its section, units (the lead marked when there are several) and due
date; a deadline that gives no sure date is tinted orange and says 需核对.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ..core.model import ParsedTask
from ..core.units import Role

REVIEW_COLOUR = QColor("#ffe0b2")  # orange: 需核对 (yellow means 15天内到期 in the window)


class TaskRowsModel(QAbstractTableModel):
    """A flat table of ``tasks``, one a row, under the fixed ``HEADERS`` (the wizard's
    preview and the prose draft's table, ui/draft_model.py)."""

    HEADERS: ClassVar[list[str]] = []
    tasks: list[Any]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.tasks)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


class PreviewModel(TaskRowsModel):
    HEADERS = ["序号", "章节", "任务 / 具体要求", "责任单位", "完成时限", "到期日"]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tasks: list[ParsedTask] = []

    def set_tasks(self, tasks: list[ParsedTask]) -> None:
        self.beginResetModel()
        self.tasks = list(tasks)
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.tasks)):
            return None
        task = self.tasks[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == 0:
                return str(task.seq)
            if col == 1:
                return " › ".join(task.section)
            if col == 2:
                return f"【{task.title}】{task.requirement}" if task.title else task.requirement
            if col == 3:
                return "、".join(u.name + ("(牵头)" if u.role == Role.LEAD and len(task.units) > 1 else "")
                                for u in task.units)
            if col == 4:
                return task.deadline.text
            if col == 5:
                if task.deadline.due_date is None:
                    return "需核对" if task.deadline.needs_review else "无具体日期"
                return task.deadline.due_date.isoformat() + (" 需核对" if task.deadline.needs_review else "")
        if role == Qt.ItemDataRole.BackgroundRole and task.deadline.needs_review:
            return QBrush(REVIEW_COLOUR)
        return None
