"""Undoable edits of the window (status, its day, notes, due dates, a merge as one step).

Widgets call these methods; each performs the core operation at once (so an error
reaches the caller as a UserError before anything is recorded), then pushes a command
whose undo/redo replay the change through the core, each with its own audit row.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ...core.errors import StaleStatusError, StaleTextError, UserError
from ...core.ledger import Ledger
from ...core.model import Status
from ...core.quarters import Quarter
from ...core.task_query import stored_statuses


class LedgerOperations(QObject):
    """Emits ``tasksChanged(ids)`` after any change so views refresh what they show."""

    tasksChanged = Signal(list)
    failed = Signal(str)

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.undo_stack = QUndoStack(self)

    def set_status(self, task_ids: list[int], status: Status, on: date | None = None, *,
                   seen: dict[int, Status] | None = None) -> None:
        """``seen``: the statuses the window showed when the clerk chose. If any was
        changed elsewhere since, :class:`StaleStatusError` says which and nothing is
        written; the window shows both and asks (then calls again without ``seen``)."""
        if not task_ids:
            return
        if seen:
            stored = stored_statuses(self.ledger, [tid for tid in task_ids if tid in seen])
            changed = {tid: (f"序号 {seq}", seen[tid].value,
                             status_now.value + (f"({day.isoformat()})" if day else ""))
                       for tid, (seq, status_now, day) in stored.items() if status_now != seen[tid]}
            if changed:
                raise StaleStatusError(changed)
        entries = self.ledger.set_statuses(task_ids, status, on)
        text = (f"将 {len(task_ids)} 项任务设为“{status.value}”" if len(task_ids) > 1
                else f"{self.where(task_ids)}设为“{status.value}”")
        self.undo_stack.push(_StatusCommand(self, task_ids, status, on, entries, text))
        self.tasksChanged.emit(list(task_ids))

    def set_status_date(self, task_id: int, on: date) -> None:
        """Correct the day of the task's current status (its status stays)."""
        old = self.ledger.set_status_date(task_id, on)
        if old is not None and old != on:
            self.undo_stack.push(_StatusDateCommand(self, task_id, old, on))
        self.tasksChanged.emit([task_id])

    def set_progress(self, task_id: int, quarter: Quarter, text: str, expected: str) -> bool:
        """``expected`` is the text the note box started from: if the stored note is
        no longer that (a ``zwgk`` command or a merge wrote meanwhile), StaleTextError
        comes back with both texts and nothing is written. Returns False when nothing
        changed (no undo step for a no-op save)."""
        if not self.ledger.set_progress(task_id, quarter, text, expected=expected):
            return False
        self.undo_stack.push(_ProgressCommand(self, task_id, quarter, expected, text))
        self.tasksChanged.emit([task_id])
        return True

    def set_due_date(self, task_id: int, due: date | None) -> None:
        old = self.ledger.task(task_id).due_date
        self.ledger.set_due_date(task_id, due)
        self.undo_stack.push(_DueDateCommand(self, task_id, old, due))
        self.tasksChanged.emit([task_id])

    def where(self, task_ids: list[int]) -> str:
        """How an undo step names the task it changes: 序号 12 (the clerk's number)."""
        if len(task_ids) != 1:
            return f"{len(task_ids)} 项任务"
        try:
            return f"序号 {self.ledger.task(task_ids[0]).seq} "
        except UserError:
            return ""

    def _replay(self, action, task_ids: list[int]) -> None:
        """Undo/redo run inside Qt's call: report failures instead of raising."""
        try:
            action()
        except StaleTextError:
            self.failed.emit("这项任务的进展在此之后已被修改(例如通过 zwgk 命令或汇总报送表),"
                             "为免覆盖较新的文字,本次撤销/重做没有改动进展。")
        except UserError as exc:
            self.failed.emit(exc.message)
        self.tasksChanged.emit(list(task_ids))

    def merge_applied(self, merge_id: int, task_ids: list[int]) -> QUndoCommand:
        """A merge the 汇总 dialog wrote: one step of the window's undo takes it back."""
        command = _MergeCommand(self, merge_id, task_ids)
        self.undo_stack.push(command)
        self.tasksChanged.emit(list(task_ids))
        return command

    def _undo_merge(self, merge_id: int, task_ids: list[int]) -> None:
        from PySide6.QtWidgets import QMessageBox, QWidget

        from ...core.exchange.merge_apply import undo_merge

        def action() -> None:
            result = undo_merge(self.ledger, merge_id)
            if result.edited:
                parent = self.parent() if isinstance(self.parent(), QWidget) else None
                listing = "\n".join(result.edited[:10]) + ("\n……" if len(result.edited) > 10 else "")
                yes = QMessageBox.StandardButton.Yes
                if QMessageBox.question(
                        parent, "撤销汇总", f"已撤销汇总,恢复 {len(result.restored)} 处。以下 {len(result.edited)} 处"
                        f"在汇总后又被修改过,暂未恢复:\n{listing}\n\n是否也恢复为汇总前的内容?",
                        yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No) == yes:
                    undo_merge(self.ledger, merge_id, force=True)
        self._replay(action, task_ids)


class _MergeCommand(QUndoCommand):
    """撤销汇总 as one undo step. No redo: once undone the step leaves the stack (merge
    the replies again instead); the 汇总 dialog marks it obsolete if it undid it itself."""

    def __init__(self, ops: LedgerOperations, merge_id: int, task_ids: list[int]) -> None:
        super().__init__("汇总报送表")
        self.ops, self.merge_id, self.task_ids = ops, merge_id, task_ids

    def redo(self) -> None:  # pushed after the merge was written
        pass

    def undo(self) -> None:
        self.ops._undo_merge(self.merge_id, self.task_ids)
        self.setObsolete(True)


class _FirstRedoSkipped(QUndoCommand):
    """The change already happened when the command is pushed; Qt calls redo() at
    push time, which must not do it twice. ``task_ids`` say what an undo changes, so
    the window can show those tasks."""

    def __init__(self, text: str, task_ids: list[int]) -> None:
        super().__init__(text)
        self.task_ids = list(task_ids)
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self.do()

    def do(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class _StatusCommand(_FirstRedoSkipped):
    def __init__(self, ops: LedgerOperations, ids: list[int], status: Status, on: date | None,
                 entries: list[int], text: str) -> None:
        super().__init__(text, ids)
        self.ops, self.ids, self.status, self.on, self.entries = ops, ids, status, on, entries

    def do(self) -> None:
        def action() -> None:
            self.entries = self.ops.ledger.set_statuses(self.ids, self.status, self.on)
        self.ops._replay(action, self.ids)

    def undo(self) -> None:
        self.ops._replay(lambda: self.ops.ledger.remove_status_entries(self.entries), self.ids)


class _ProgressCommand(_FirstRedoSkipped):
    def __init__(self, ops: LedgerOperations, task_id: int, quarter: Quarter, old: str, new: str) -> None:
        super().__init__(f"{ops.where([task_id])}填写{quarter.label}进展", [task_id])
        self.ops, self.task_id, self.quarter, self.old, self.new = ops, task_id, quarter, old, new

    # Undo and redo replace only the text they left: a note written since (by a
    # command or a merge) is not overwritten; the clerk is told instead.
    def do(self) -> None:
        self.ops._replay(lambda: self.ops.ledger.set_progress(
            self.task_id, self.quarter, self.new, expected=self.old), [self.task_id])

    def undo(self) -> None:
        self.ops._replay(lambda: self.ops.ledger.set_progress(
            self.task_id, self.quarter, self.old, expected=self.new), [self.task_id])


class _StatusDateCommand(_FirstRedoSkipped):
    def __init__(self, ops: LedgerOperations, task_id: int, old: date, new: date) -> None:
        super().__init__(f"{ops.where([task_id])}修改状态日期", [task_id])
        self.ops, self.task_id, self.old, self.new = ops, task_id, old, new

    def do(self) -> None:
        self.ops._replay(lambda: self.ops.ledger.set_status_date(self.task_id, self.new), [self.task_id])

    def undo(self) -> None:
        self.ops._replay(lambda: self.ops.ledger.set_status_date(self.task_id, self.old), [self.task_id])


class _DueDateCommand(_FirstRedoSkipped):
    def __init__(self, ops: LedgerOperations, task_id: int, old: date | None, new: date | None) -> None:
        super().__init__(f"{ops.where([task_id])}修改到期日", [task_id])
        self.ops, self.task_id, self.old, self.new = ops, task_id, old, new

    def do(self) -> None:
        self.ops._replay(lambda: self.ops.ledger.set_due_date(self.task_id, self.new), [self.task_id])

    def undo(self) -> None:
        self.ops._replay(lambda: self.ops.ledger.set_due_date(self.task_id, self.old), [self.task_id])
