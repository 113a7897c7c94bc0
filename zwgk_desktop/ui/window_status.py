"""The main window's status writing and undo: ticking tasks from the table (the day is
asked, a status changed elsewhere meanwhile is shown and the clerk chooses), the
table's context menu, and undo/redo that bring the task they change into view.

A mixin of ``MainWindow`` (it uses the window's table, model, operations and panel).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QMenu

from ..core.errors import StaleStatusError, UserError
from ..core.model import Status


class StatusWriting:
    def set_status_of_selected(self, status: Status, on: date | None = None) -> None:
        self.set_status_of(self.selected_task_ids(), status, on)

    def set_status_of(self, task_ids: list[int], status: Status, on: date | None = None) -> None:
        """Tick tasks from the table: the day is asked (today by default, the quarter's
        last day one click away), so back-filled work lands in its quarter."""
        if not task_ids:
            return
        if on is None:
            from . import status_date_dialog

            on = status_date_dialog.ask_status_date(self, status, len(task_ids), self.model.quarter,
                                 self.plan.year if self.plan else None)
            if on is None:
                return
        self._save_note()
        self.write_status(task_ids, status, on, self.model.shown_statuses(task_ids))

    def write_status(self, task_ids: list[int], status: Status, on: date | None,
                     seen: dict[int, Status]) -> bool:
        """Write a status chosen on a screen that showed ``seen``. If some of those were
        changed elsewhere meanwhile (``zwgk``, a merge), both are shown and the clerk
        chooses: write anyway, or keep what the ledger holds (the window then shows it)."""
        try:
            self.ops.set_status(task_ids, status, on, seen=seen)
            return True
        except StaleStatusError as stale:
            from PySide6.QtWidgets import QMessageBox

            answer = QMessageBox.question(
                self, "状态已在别处修改", f"{stale.message}\n\n仍要改为“{status.value}”吗?"
                "选“否”则保留台账中的状态,窗口随即显示它。",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                self.after_outside_change()
                return False
            try:
                self.ops.set_status(task_ids, status, on)
                return True
            except UserError as exc:
                self.show_error(exc.message)
        except UserError as exc:
            self.show_error(exc.message)
        return False

    def _table_menu(self, pos) -> None:
        ids = self.selected_task_ids()
        if not ids or self.ledger.read_only:
            return
        menu = QMenu(self)
        for status in Status:
            action = menu.addAction(f"标记为“{status.value}”" + (f"({len(ids)} 项)" if len(ids) > 1 else ""))
            action.triggered.connect(lambda _=False, s=status: self.set_status_of_selected(s))
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # -- undo ---------------------------------------------------------------------------

    def undo(self) -> None:
        self._save_note()
        stack = self.ops.undo_stack
        self._step(stack, stack.command(stack.index() - 1), stack.undo)

    def redo(self) -> None:
        self._save_note()
        stack = self.ops.undo_stack
        self._step(stack, stack.command(stack.index()), stack.redo)

    def _step(self, stack, command, do) -> None:
        """Undo only acts on what the clerk can see: the task it changes is shown."""
        task_ids = list(getattr(command, "task_ids", []) or [])
        do()
        if task_ids:
            self.show_tasks(task_ids)

    def show_tasks(self, task_ids: list[int]) -> None:
        """Bring these tasks into view: their plan, their rows selected."""
        try:
            plan_id = self.ledger.task(task_ids[0]).plan_id
        except UserError:
            return
        if self.plan is None or plan_id != self.plan.id:
            self.plan_combo.setCurrentIndex(max(self.plan_combo.findData(plan_id), 0))
        rows = self.model.rows_of(task_ids)
        if not rows:
            self.statusBar().showMessage("撤销/重做涉及的任务不在当前筛选结果中;清除筛选后可以看到。", 8000)
            return
        self.table.clearSelection()
        self._reselect(task_ids)
        self.table.scrollTo(self.model.index(rows[0], 0))

