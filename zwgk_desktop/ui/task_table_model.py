"""The task table's model: ids from a filtered query, rows fetched a page at a time.

With 20,000 tasks, building every row up front would cost seconds and memory; Qt
asks only for visible cells, so a small page cache over core.task_query is enough.
The model never writes: status edits from the delegate go to the operations object.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ..core import task_query
from ..core.ledger import Ledger
from ..core.model import Status
from ..core.quarters import Quarter
from ..core.recurrence import Period
from ..core.task_query import Light, TaskFilter, TaskRow

COLUMNS = ["序号", "任务 / 具体要求", "责任单位", "完成时限", "到期日", "状态", "本季度进展", "佐证"]
SORT_KEYS = ["seq", "requirement", "units", "deadline", "due_date", "status", None, None]
COL_SEQ, COL_TEXT, COL_UNITS, COL_DEADLINE, COL_DUE, COL_STATUS, COL_PROGRESS, COL_EVIDENCE = range(8)
#: Rows read at a time. A screen shows 10–30 rows; each row read also works out a
#: recurring task's current period, so the first paint reads no more than it shows.
PAGE = 50

LIGHT_COLOURS = {
    Light.OVERDUE: QColor("#fde0dc"),
    Light.DUE_SOON: QColor("#fff1c9"),
    Light.DONE: QColor("#e2f3df"),
    Light.ONGOING: QColor("#eeeeee"),
}
CANCELLED_TEXT = QColor("#8a8a8a")
LIGHT_NAMES = {Light.OVERDUE: "已逾期", Light.DUE_SOON: "15天内到期", Light.DONE: "已完成",
               Light.ONGOING: "长期/常态化"}
TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
LIGHT_ROLE = Qt.ItemDataRole.UserRole + 2


class TaskTableModel(QAbstractTableModel):
    countsChanged = Signal()

    def __init__(self, ledger: Ledger, parent: Any = None) -> None:
        super().__init__(parent)
        self._ledger = ledger
        self._ids: list[int] = []
        self._rows_by_id: dict[int, int] | None = None
        self._rows: dict[int, TaskRow] = {}
        self._filter: TaskFilter | None = None
        #: The counts of the tasks shown; None while they are left for later (start-up).
        self.summary: task_query.Summary | None = task_query.Summary()
        self._counting = True
        self._sort: tuple[str, bool] = ("seq", False)
        self.quarter = Quarter.current()
        self.today = date.today()

    # -- loading ----------------------------------------------------------------------

    def set_filter(self, flt: TaskFilter | None) -> None:
        self._filter = flt
        self.reload()

    @property
    def current_filter(self) -> TaskFilter | None:
        return self._filter

    def set_quarter(self, quarter: Quarter) -> None:
        self.quarter = quarter
        self._rows.clear()
        self._emit_all_changed()

    def defer_counts(self) -> None:
        """Show the rows now, count them later (:meth:`complete_counts`): the first
        paint need not wait for each recurring task's period to be worked out."""
        self._counting = False
        self.summary = None

    def complete_counts(self) -> None:
        if self._counting:
            return
        self._counting = True
        self.summary = task_query.summary(self._ledger, self._filter) if self._filter else task_query.Summary()
        self.countsChanged.emit()

    def reload(self) -> None:
        """Query ids again (after a filter, a sort or an import)."""
        self.beginResetModel()
        if self._filter is None:
            self._ids = []
            self.summary = task_query.Summary() if self._counting else None
        elif self._counting:
            self._ids, self.summary = task_query.filtered(self._ledger, self._filter, *self._sort)
        else:
            self._ids = task_query.task_ids(self._ledger, self._filter, *self._sort)
        self._rows_by_id = None
        self._rows.clear()
        self.endResetModel()
        self.countsChanged.emit()

    def refresh_tasks(self, task_ids: list[int]) -> None:
        """After an edit: drop cached rows so the next paint reads fresh values, and
        recount (the rows stay where they are until the filter is applied again)."""
        for tid in task_ids:
            self._rows.pop(tid, None)
        if self._filter is not None and self._counting:
            self.summary = task_query.summary(self._ledger, self._filter)
        self._emit_all_changed()
        self.countsChanged.emit()

    def _emit_all_changed(self) -> None:
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def task_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def shown_statuses(self, task_ids: list[int]) -> dict[int, Status]:
        """The statuses on screen for these tasks (rows read so far): what a change the
        clerk makes from here is checked against, so a newer one is never overwritten
        unseen."""
        return {tid: self._rows[tid].status for tid in task_ids if tid in self._rows}

    def row_of(self, task_id: int) -> int | None:
        return self._row_index().get(task_id)

    def rows_of(self, task_ids: list[int]) -> list[int]:
        """Rows of the tasks shown among these, in row order (one pass, any number)."""
        if not task_ids:
            return []
        index = self._row_index()
        return sorted(row for row in map(index.get, task_ids) if row is not None)

    def _row_index(self) -> dict[int, int]:
        """Task id -> row, built once per set of ids (a list search per task made
        re-selecting thousands of rows quadratic)."""
        if self._rows_by_id is None:
            self._rows_by_id = {tid: row for row, tid in enumerate(self._ids)}
        return self._rows_by_id

    @property
    def ids(self) -> list[int]:
        return list(self._ids)

    def row_data(self, row: int) -> TaskRow | None:
        tid = self.task_id(row)
        if tid is None:
            return None
        cached = self._rows.get(tid)
        if cached is None:
            start = (row // PAGE) * PAGE
            page_ids = [i for i in self._ids[start:start + PAGE] if i not in self._rows]
            self._rows.update(task_query.task_rows(self._ledger, page_ids, self.quarter, self.today))
            cached = self._rows.get(tid)
        return cached

    # -- Qt model API -----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole and section == COL_PROGRESS:
            return f"{self.quarter.label}的进展"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_STATUS:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.EditRole:
            return row.status.value if col == COL_STATUS else self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        if role == Qt.ItemDataRole.ForegroundRole and row.status == Status.CANCELLED:
            return QBrush(CANCELLED_TEXT)  # withdrawn: kept and readable, visibly out of play
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = LIGHT_COLOURS.get(row.light(self.today))
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_SEQ, COL_DUE, COL_STATUS, COL_EVIDENCE):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == TASK_ID_ROLE:
            return row.id
        if role == LIGHT_ROLE:
            return row.light(self.today).value
        return None

    def _display(self, row: TaskRow, col: int) -> str:
        if col == COL_SEQ:
            return str(row.seq)
        if col == COL_TEXT:
            return f"【{row.title}】{row.requirement}" if row.title else row.requirement
        if col == COL_UNITS:
            return row.units_display
        if col == COL_DEADLINE:
            return row.deadline_text
        if col == COL_DUE:
            if row.due_date is None:
                return "需核对" if row.needs_review else "—"
            return row.due_date.isoformat() + (" ?" if row.needs_review else "")
        if col == COL_STATUS:
            if row.status == Status.DONE and row.status_date:
                return f"{row.status.value}\n{row.status_date.month}月{row.status_date.day}日"
            return row.status.value
        if col == COL_PROGRESS:
            return row.progress
        if col == COL_EVIDENCE:
            return str(row.evidence_count) if row.evidence_count else ""
        return ""

    def _tooltip(self, row: TaskRow, col: int) -> str | None:
        light = LIGHT_NAMES.get(row.light(self.today))
        if col == COL_TEXT:
            parts = [row.section] if row.section else []
            parts.append(self._display(row, COL_TEXT))
            return "\n".join(parts)
        if col == COL_DUE and row.needs_review:
            return "导入时无法确定到期日,请在右侧详情中核对并填写。"
        if col == COL_PROGRESS and row.progress:
            return row.progress
        if col == COL_UNITS:
            return "\n".join(f"{name}({'牵头' if role.value == 'lead' else '配合'})" for name, role in row.units)
        if row.judged_by_period and light is not None:
            return f"{light}({self._period_words(row)})"
        return light

    def _period_words(self, row: TaskRow) -> str:
        """Which period a recurring task's colour speaks of: the clerk sees why it is red."""
        label = Period.parse(row.period).label if row.period else ""
        if row.period_done:
            return f"定期任务,截至{label}各期已完成"
        due = f",{row.period_due.month}月{row.period_due.day}日到期" if row.period_due else ""
        return f"定期任务,{label}尚未完成{due}"

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS[column] if 0 <= column < len(SORT_KEYS) else None
        if key is None:
            return
        self._sort = (key, order == Qt.SortOrder.DescendingOrder)
        self.reload()
