"""What each task says for the quarter in 导出Excel (io/xlsx_export.py): its 完成状态 and
完成时间 as the 季度报告 for that quarter prints them.

A quarter that is over speaks for its last day: statuses and their days as of then
(core/task_query.statuses_on), the tasks as they stood that day (a later revision's
additions left out, its 序号 and 完成时限 as they were: report_data.revisions_after),
已取消 only when withdrawn by then, the periods of recurring tasks recorded by then.
So 2023Q2 exported in October says what the Q2 report says, not what is true now. A
quarter not over yet is as of today: what is recorded now, overdue by today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..core.ledger import Ledger
from ..core.model import Status, Task
from ..core.period_counts import PeriodItem, compact_text, period_items
from ..core.quarters import Quarter
from ..core.report_data import revisions_after
from ..core.task_query import Light, light_for, statuses_on

_OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)


@dataclass(slots=True)
class Standing:
    """One task's 完成状态 and 完成时间 for the quarter, as the report for it prints them."""

    status: Status
    done_on: date | None  # 完成时间: the day it was completed, when 已完成 on the day
    periods: list[PeriodItem] | None  # a recurring task's periods due in the quarter; None: not recurring
    overdue: bool

    @property
    def text(self) -> str:
        return compact_text(self.periods or [], one_line=False) or self.status.value


def as_of_day(quarter: Quarter, today: date) -> date:
    """The day the export speaks for: the quarter's last day once it is over, else today."""
    return min(today, quarter.end)


def standings(ledger: Ledger, plan_id: int, quarter: Quarter, today: date,
              tasks: list[Task] | None = None) -> list[tuple[Task, Standing]]:
    """The tasks the quarter's export lists, in table order, with their standing (this
    module's docstring). ``tasks``: the plan's tasks when the caller has them."""
    day = quarter.end
    over = quarter.end < today
    tasks = revisions_after(ledger, plan_id, day).as_of(tasks if tasks is not None else ledger.tasks(plan_id))
    on_day = statuses_on(ledger, plan_id, day)
    statuses = {tid: entry.status for tid, entry in on_day.items()}
    periods = period_items(ledger, plan_id, quarter, statuses, as_of=day, only=[t.id for t in tasks])

    def late(due: date | None) -> bool:  # the report's rule once the quarter is over
        return due is not None and (due <= day if over else due < today)

    result: list[tuple[Task, Standing]] = []
    for task in tasks:
        entry = on_day.get(task.id)
        status = entry.status if entry is not None else Status.NOT_STARTED
        if status == Status.CANCELLED:  # withdrawn by the superior's revised table: not sent back up
            continue
        items = periods.get(task.id)
        if items:
            overdue = any(not item.settled and late(item.due) for item in items)
        elif over:
            overdue = status in _OPEN and late(task.due_date)
        else:
            overdue = light_for(status, task.due_date, task.deadline_kind, today) == Light.OVERDUE
        done_on = entry.since if entry is not None and status == Status.DONE else None
        result.append((task, Standing(status, done_on, items if task.id in periods else None, overdue)))
    return result
