"""The main window's status writing and undo: ticking tasks from the table (the day is
asked, a status changed elsewhere meanwhile is shown and the clerk chooses), the
table's context menu, and undo/redo that bring the task they change into view.

已取消 stays a choice (menu, 状态 cell, panel): a revision sets it for the tasks a new
table drops, but some withdrawals reach the clerk otherwise: the county task of a
superior task a revision withdrew (the revision preview asks the clerk to mark it by
hand), a task withdrawn by a notice rather than a new table, a row imported twice.
Tasks are never deleted one by one, and 不适用 is a different fact (it stays in the
counts). Because 已取消 drops a task from every count, it is asked first
(:meth:`StatusWriting.confirm_cancelling`).

A mixin of ``MainWindow`` (it uses the window's table, model, operations and panel).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QMenu

from ..core.errors import StaleStatusError, UserError
from ..core.model import Status

#: What 已取消 does, said before the clerk sets it by hand.
CANCELLED_MEANS = ("“已取消”用于上级撤回、不再要做的任务(导入上级修订版时会自动标记)。标为已取消后,任务仍留在表中"
                   "(文字变灰),状态记录、进展和佐证材料都保留,但不再计入任何统计、完成率、季度报告和填报表。\n"
                   "如果只是本单位不承担这项任务,请改用“不适用”。标错了可按 Ctrl+Z 撤销,或改回原来的状态。")


class StatusWriting:
    def set_status_of_selected(self, status: Status, on: date | None = None) -> None:
        self.set_status_of(self.selected_task_ids(), status, on)

    def set_status_of(self, task_ids: list[int], status: Status, on: date | None = None) -> None:
        """Tick tasks from the table: the day is asked (today by default, the quarter's
        last day one click away), so back-filled work lands in its quarter."""
        if not task_ids:
            return
        if status == Status.CANCELLED and not self.confirm_cancelling(len(task_ids)):
            panel = getattr(self, "_panel", None)
            if panel is not None:
                panel.refresh()  # the panel's drop-down goes back to what the ledger holds
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

    def confirm_cancelling(self, count: int) -> bool:
        """Say what 已取消 does before it is written: the task leaves every count."""
        from PySide6.QtWidgets import QMessageBox

        which = "这项任务" if count == 1 else f"这 {count} 项任务"
        answer = QMessageBox.question(
            self, "标为“已取消”", f"把{which}标为“已取消”吗?\n\n{CANCELLED_MEANS}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _table_menu(self, pos) -> None:
        ids = self.selected_task_ids()
        if not ids or self.ledger.read_only:
            return
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for status in Status:
            if status == Status.CANCELLED:
                menu.addSeparator()  # apart from the everyday four: it takes tasks out of the counts
            action = menu.addAction(f"标记为“{status.value}”" + (f"({len(ids)} 项)" if len(ids) > 1 else ""))
            if status == Status.CANCELLED:
                action.setToolTip(CANCELLED_MEANS)
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

