"""The draft's tasks as an editable table (ui/draft_dialog.py shows it): 章节, 任务简称,
具体要求, 责任单位 and 完成时限 edited in place, the rows that need a look tinted, and
the clerk's corrections of the reading: merge a task with the next, split one in two,
take rows out and put them back where their source line stands.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ..core.work_points import FLAG_NO_UNIT, DraftTask
from .import_preview import TaskRowsModel

FLAG_COLOUR = QColor("#fff1c9")
SECTION_SEPARATOR = " › "
SHORT_FLAGS = {FLAG_NO_UNIT: "未写责任单位"}


class DraftModel(TaskRowsModel):
    """The draft's tasks, editable in place (章节, 任务简称, 具体要求, 责任单位, 完成时限)."""

    HEADERS = ["序号", "章节", "任务简称", "具体要求", "责任单位", "完成时限", "需核对"]
    SECTION, TITLE, REQUIREMENT, UNITS, DEADLINE, FLAGS = range(1, 7)
    edited = Signal()

    def __init__(self, tasks: list[DraftTask], parent: Any = None) -> None:
        super().__init__(parent)
        self.tasks = tasks

    @staticmethod
    def flags_text(task: DraftTask) -> str:
        flags = [f for f in task.flags if f != FLAG_NO_UNIT]
        if not task.units:
            flags.append(FLAG_NO_UNIT)
        return ";".join(flags)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self.SECTION <= index.column() <= self.DEADLINE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.tasks)):
            return None
        task = self.tasks[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return str(index.row() + 1)
            if col == self.SECTION:
                return SECTION_SEPARATOR.join(task.section)
            if col == self.TITLE:
                return task.title or ""
            if col == self.REQUIREMENT:
                return task.requirement
            if col == self.UNITS:
                return task.units_text
            if col == self.DEADLINE:
                return task.deadline_text
            if col == self.FLAGS:
                text = self.flags_text(task)
                if role == Qt.ItemDataRole.DisplayRole:
                    return ";".join(SHORT_FLAGS.get(f, f) for f in text.split(";")) if text else ""
                return text
        if role == Qt.ItemDataRole.BackgroundRole and self.flags_text(task):
            return QBrush(FLAG_COLOUR)
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        task = self.tasks[index.row()]
        text = str(value or "").strip()
        col = index.column()
        if col == self.SECTION:
            task.section = [part.strip() for part in text.replace(">", "›").split("›") if part.strip()]
        elif col == self.TITLE:
            task.title = text or None
        elif col == self.REQUIREMENT:
            if not text:
                return False
            task.requirement = text
        elif col == self.UNITS:
            task.units_text = text
            task.all_lead = False  # re-read from the words (分别负责落实 still makes each lead)
        elif col == self.DEADLINE:
            task.deadline_text = text
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.FLAGS))
        self.edited.emit()
        return True

    # -- the clerk's corrections ----------------------------------------------------------

    def merge_with_next(self, row: int) -> bool:
        """Task ``row`` takes the next task's sentences (and its units, deadline if it has
        none); the next task goes. Both keep their source lines."""
        if not (0 <= row < len(self.tasks) - 1):
            return False
        first, second = self.tasks[row], self.tasks[row + 1]
        first.requirement = first.requirement.rstrip() + second.requirement.lstrip()
        if not first.units_text:
            first.units_text, first.all_lead = second.units_text, second.all_lead
        elif second.units_text and second.units_text != first.units_text:
            first.units_text = f"{first.units_text}、{second.units_text}"
            first.all_lead = first.all_lead and second.all_lead
        first.deadline_text = first.deadline_text or second.deadline_text
        first.title = first.title or second.title
        if second.source and second.source != first.source:
            first.source = f"{first.source}\n{second.source}" if first.source else second.source
        first.flags = list(dict.fromkeys(first.flags + [f for f in second.flags if f != FLAG_NO_UNIT]))
        self.beginRemoveRows(QModelIndex(), row + 1, row + 1)
        del self.tasks[row + 1]
        self.endRemoveRows()
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.FLAGS))
        self.edited.emit()
        return True

    def split(self, row: int, position: int) -> bool:
        """Task ``row`` cut in two at ``position`` of its requirement: both keep the
        section, units and deadline (the clerk corrects the one that differs)."""
        if not (0 <= row < len(self.tasks)):
            return False
        task = self.tasks[row]
        head, tail = task.requirement[:position].strip(), task.requirement[position:].strip()
        if not head or not tail:
            return False
        task.requirement = head
        second = dataclasses.replace(task, requirement=tail, title=None, section=list(task.section),
                                     flags=list(task.flags))
        self.beginInsertRows(QModelIndex(), row + 1, row + 1)
        self.tasks.insert(row + 1, second)
        self.endInsertRows()
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.FLAGS))
        self.edited.emit()
        return True

    def take(self, rows: list[int]) -> list[DraftTask]:
        taken: list[DraftTask] = []
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self.tasks):
                self.beginRemoveRows(QModelIndex(), row, row)
                taken.append(self.tasks.pop(row))
                self.endRemoveRows()
        if taken:
            self.edited.emit()
        return list(reversed(taken))

    def put_back(self, task: DraftTask) -> int:
        """Insert a task where its source line puts it; returns its row."""
        row = next((i for i, t in enumerate(self.tasks) if t.line > task.line), len(self.tasks))
        self.beginInsertRows(QModelIndex(), row, row)
        self.tasks.insert(row, task)
        self.endInsertRows()
        self.edited.emit()
        return row
