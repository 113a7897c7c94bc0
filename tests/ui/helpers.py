"""Small helpers the GUI tests share: selecting rows as a clerk would, and computing
what a filter should show straight from the ledger's tasks (not through task_query)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QTreeWidgetItem, QWidget

from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status, Task
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.section_tree import SECTION_ROLE

SELECT = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
CLEAR_SELECT = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows


def type_text(widget: QWidget, text: str) -> None:
    """Type Chinese as a clerk does, through the input method: each committed phrase
    arrives as one QInputMethodEvent (QTest.keyClicks only handles Latin-1 and aborts
    the process on Chinese characters)."""
    for phrase in text.split("|"):
        event = QInputMethodEvent("", [])
        event.setCommitString(phrase)
        QApplication.sendEvent(widget, event)


def select_rows(window: MainWindow, rows: list[int]) -> None:
    selection = window.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(window.model.index(row, 0), SELECT)


def select_task(window: MainWindow, task_id: int) -> int:
    row = window.model.row_of(task_id)
    assert row is not None, f"task {task_id} is not in the table"
    window.table.selectionModel().select(window.model.index(row, 0), CLEAR_SELECT)
    assert window.panel.task is not None and window.panel.task.id == task_id
    return row


def section_item(window: MainWindow, label: str) -> QTreeWidgetItem:
    found: list[QTreeWidgetItem] = []
    todo = [window.sections.topLevelItem(i) for i in range(window.sections.topLevelItemCount())]
    while todo:
        item = todo.pop()
        if item.text(0) == label:
            found.append(item)
        todo.extend(item.child(i) for i in range(item.childCount()))
    assert len(found) == 1, f"{len(found)} section items labelled {label!r}"
    return found[0]


def section_id_of(item: QTreeWidgetItem) -> int | None:
    return item.data(0, SECTION_ROLE)


def units_text(ledger: Ledger) -> dict[int, str]:
    return dict(ledger.db.execute("SELECT id, units_text FROM tasks").fetchall())


def matches(task: Task, *, unit: str | None = None, statuses: set[Status] | None = None,
            words: list[str] | None = None, section_prefix: list[str] | None = None,
            raw_units: dict[int, str] | None = None) -> bool:
    if unit is not None and unit not in [u.name for u in task.units]:
        return False
    if statuses and task.status not in statuses:
        return False
    if section_prefix is not None and task.section[:len(section_prefix)] != section_prefix:
        return False
    for word in words or []:
        haystacks = [task.requirement, task.title or "", task.deadline_text,
                     (raw_units or {}).get(task.id, ""), *(p.text for p in task.progress)]
        if not any(word in text for text in haystacks):
            return False
    return True


def summary_text(tasks: list[Task], today: date | None = None) -> str:
    """The summary line under the table, computed from the tasks themselves."""
    today = today or date.today()
    count = {status: sum(1 for t in tasks if t.status == status) for status in Status}
    overdue = sum(1 for t in tasks if t.status in (Status.NOT_STARTED, Status.IN_PROGRESS)
                  and t.due_date is not None and t.due_date < today)
    base = len(tasks) - count[Status.NOT_APPLICABLE]
    rate = count[Status.DONE] / base if base else 0.0
    return (f"共 {len(tasks)} 项    已完成 {count[Status.DONE]}    推进中 {count[Status.IN_PROGRESS]}"
            f"    未启动 {count[Status.NOT_STARTED]}    不适用 {count[Status.NOT_APPLICABLE]}"
            f"    逾期 {overdue}    完成率 {rate:.0%}")
