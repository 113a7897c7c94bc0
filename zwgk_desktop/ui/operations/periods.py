"""Recurring tasks changed from the window: one period's status, the rhythm marked by hand.

Each change writes through core/task_periods (one transaction, one audit row) and is
announced, so the table's colours and the panel follow. Marking a task recurring (or
not) is undoable on the window's stack. A period's status is not: the core has no way
to take a period back to "nothing recorded", and an undo that could only sometimes
undo would surprise the clerk more than none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final

from ...core import task_periods
from ...core.ledger import Ledger
from ...core.model import Status
from ...core.recurrence import Frequency, Period, Recurrence, detect_recurrence
from .edits import LedgerOperations, _FirstRedoSkipped
from .events import announce


class _Auto(Enum):
    AUTO = "auto"


#: No hand marking: the deadline text and the requirement decide.
AUTO: Final = _Auto.AUTO
#: What a task is marked as: AUTO, None (not recurring, by hand) or a Frequency (by hand).
Marking = Frequency | None | _Auto


@dataclass(frozen=True, slots=True)
class RecurrenceState:
    """What the period box shows on its first line."""

    found: Recurrence | None  # what counts: as marked by hand, else as the text says
    detected: Recurrence | None  # what the 完成时限 and 具体要求 say on their own
    marking: Marking


def recurrence_state(ledger: Ledger, task_id: int) -> RecurrenceState:
    """How the task's rhythm is decided now, read through core: by hand (a frequency,
    or None for "not recurring") or AUTO. A task marked "not recurring" by hand whose
    text says nothing of a rhythm either reads as AUTO: the two mean the same."""
    found = task_periods.recurrence_of(ledger, task_id)
    task = ledger.task(task_id)
    detected = detect_recurrence(task.deadline_text, task.requirement)
    if found is not None:
        value: Marking = found.frequency if found.source == "manual" else AUTO
    else:
        value = None if detected is not None else AUTO
    return RecurrenceState(found, detected, value)


def marking(ledger: Ledger, task_id: int) -> Marking:
    return recurrence_state(ledger, task_id).marking


def _apply(ledger: Ledger, task_id: int, value: Marking) -> None:
    if value is AUTO:
        task_periods.clear_recurrence(ledger, task_id)
    else:
        task_periods.set_recurrence(ledger, task_id, value)  # type: ignore[arg-type]


def _words(value: Marking) -> str:
    if value is AUTO:
        return "恢复自动识别周期"
    if value is None:
        return "设为不是定期任务"
    assert isinstance(value, Frequency)
    return f"设为{value.label}的定期任务"


class PeriodOperations:
    """The period box's door: it names the task in every call (never "the task shown"),
    so a change lands on the task the clerk edited even if the panel moved on."""

    def __init__(self, ops: LedgerOperations) -> None:
        self.ops = ops

    @property
    def ledger(self) -> Ledger:
        return self.ops.ledger

    def set_period_status(self, task_id: int, period: Period, status: Status, on: date) -> Period:
        """One period's status and its day (e.g. 2023Q2 已完成 on 2023-06-28)."""
        done = task_periods.set_period_status(self.ledger, task_id, period, status, on)
        announce([task_id])
        return done

    def set_recurrence(self, task_id: int, value: Marking) -> None:
        """Mark the task recurring with a frequency, not recurring (None), or back to
        what its text says (AUTO). Audited by core; one step of the window's undo."""
        old = marking(self.ledger, task_id)
        if old == value:
            return
        _apply(self.ledger, task_id, value)
        self.ops.undo_stack.push(_RecurrenceCommand(self, task_id, old, value))
        announce([task_id])

    def restore_recurrence(self, task_id: int) -> None:
        self.set_recurrence(task_id, AUTO)


class _RecurrenceCommand(_FirstRedoSkipped):
    def __init__(self, owner: PeriodOperations, task_id: int, old: Marking, new: Marking) -> None:
        super().__init__(f"{owner.ops.where([task_id])}{_words(new)}", [task_id])
        self.owner, self.task_id, self.old, self.new = owner, task_id, old, new

    def do(self) -> None:
        self.owner.ops._replay(lambda: _apply(self.owner.ledger, self.task_id, self.new), [self.task_id])

    def undo(self) -> None:
        self.owner.ops._replay(lambda: _apply(self.owner.ledger, self.task_id, self.old), [self.task_id])
