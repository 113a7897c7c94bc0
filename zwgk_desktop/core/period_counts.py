"""A recurring task's periods that fall due in one quarter, with their statuses: what
the 季度报告 and the Excel export count for such a task instead of the task itself.

A report counts what the quarter asked for (本季度应完成): a 每月 task its three
months, a 每季度 (or 定期) task the quarter, a 每半年 or 每年 task its period only in the
quarter it falls due (每年3月底前: the first quarter; 每年: the fourth). Each period is
one item (项次), done or not.

A period's status is its own record (core/task_periods.py, written there). Two
readings are worth knowing (the tests pin them):

* As of a day (a report for a past quarter): a period recorded after that day was not
  recorded yet, so the report printed later says what it said then (未报). Only the
  latest record of a period is kept, so an earlier different status cannot come back.
* A period without a record of its own, in a task the clerk marked 已完成 or 不适用 as a
  whole, takes that status (``inherited``): ledgers kept before periods existed have
  their recurring tasks marked as one, and 督办 leaves such tasks alone too. The
  printed text says so, so nothing pretends a period was reported.

Read-only: this module never writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .ledger import Ledger
from .model import Status
from .quarters import Quarter
from .recurrence import Period, Recurrence
from .task_periods import plan_period_statuses, plan_recurrences

__all__ = ["INHERITED_NOTE", "NOT_REPORTED", "PeriodItem", "compact_text", "period_items", "period_lines",
           "periods_due_in"]

NOT_REPORTED = "未报"  # a period due with nothing recorded for it
INHERITED_NOTE = "(未按期登记,按任务状态计)"  # full-width brackets in print (report_data.zh)
_SETTLED = (Status.DONE, Status.NOT_APPLICABLE, Status.CANCELLED)
_HALVES = ("上半年", "下半年")


@dataclass(frozen=True, slots=True)
class PeriodItem:
    """One period of a recurring task due in the quarter (one 项次 in the counts)."""

    period: Period
    due: date
    status: Status | None  # None: nothing recorded for this period (未报)
    inherited: bool = False  # the status is the task's own (已完成 / 不适用), not the period's

    @property
    def label(self) -> str:
        """The period as named inside its quarter: 4月, 本季度, 上半年, 本年度."""
        kind = self.period.kind
        if kind == "M":
            return f"{self.period.index}月"
        if kind == "Q":
            return "本季度"
        if kind == "H":
            return _HALVES[self.period.index - 1]
        return "本年度"

    @property
    def status_word(self) -> str:
        return self.status.value if self.status is not None else NOT_REPORTED

    @property
    def text(self) -> str:
        return f"{self.label} {self.status_word}"

    @property
    def done(self) -> bool:
        return self.status == Status.DONE

    @property
    def settled(self) -> bool:
        """Nothing more is owed for this period (已完成, 不适用, 已取消)."""
        return self.status in _SETTLED

    @property
    def counted_status(self) -> Status:
        """The status the counts use: 未报 counts as 未启动."""
        return self.status if self.status is not None else Status.NOT_STARTED

    def overdue_on(self, day: date) -> bool:
        """Open on ``day`` and due on or before it (the report's rule for one-off tasks)."""
        return not self.settled and self.due <= day


def periods_due_in(recurrence: Recurrence, year: int, quarter: Quarter) -> list[Period]:
    """The periods of the plan's ``year`` whose work falls due in ``quarter``."""
    return [p for p in Period.all_of(year, recurrence.frequency)
            if quarter.start <= recurrence.due_in(p) <= quarter.end]


def period_items(ledger: Ledger, plan_id: int, quarter: Quarter, task_status: Mapping[int, Status], *,
                 as_of: date | None = None, only: Iterable[int] | None = None,
                 recurrences: Mapping[int, Recurrence] | None = None) -> dict[int, list[PeriodItem]]:
    """Task id -> its periods due in ``quarter``, for every recurring task of the plan
    (or of ``only``). A recurring task with no period due in the quarter maps to [];
    a task that is not recurring is not in the result. ``task_status`` is each task's
    own status (as of the report's day, or now); ``as_of`` leaves out period records
    made after that day. ``recurrences`` (from ``task_periods.plan_recurrences``) saves
    reading them again when the caller has them."""
    recurrences = dict(recurrences if recurrences is not None else plan_recurrences(ledger, plan_id))
    if only is not None:
        wanted = set(only)
        recurrences = {tid: r for tid, r in recurrences.items() if tid in wanted}
    if not recurrences:
        return {}
    year = ledger.plan(plan_id).year
    recorded: dict[int, dict[str, tuple[Status, date | None]]] = {}
    for tid, entries in plan_period_statuses(ledger, plan_id).items():
        if tid not in recurrences:
            continue
        for entry in entries:
            day = date.fromisoformat(entry["status_date"]) if entry.get("status_date") else None
            if as_of is not None and day is not None and day > as_of:
                continue  # recorded after the day the report speaks for
            recorded.setdefault(tid, {})[str(entry["period"])] = (Status(entry["status"]), day)
    result: dict[int, list[PeriodItem]] = {}
    for tid, recurrence in recurrences.items():
        own = task_status.get(tid)
        items = []
        for period in periods_due_in(recurrence, year, quarter):
            found = recorded.get(tid, {}).get(str(period))
            if found is not None:
                items.append(PeriodItem(period, recurrence.due_in(period), found[0]))
            elif own in (Status.DONE, Status.NOT_APPLICABLE):
                items.append(PeriodItem(period, recurrence.due_in(period), own, inherited=True))
            else:
                items.append(PeriodItem(period, recurrence.due_in(period), None))
        result[tid] = items
    return result


def period_lines(items: list[PeriodItem], separator: str = "\uff1b") -> list[str]:
    """Each period as a line of its own, lines but the last ending in ``separator``:
    "4月 已完成;" / "5月 已完成;" / "6月 未报" (read as one: "4月 已完成;5月 已完成;6月 未报")."""
    texts = [item.text for item in items]
    return [text + separator for text in texts[:-1]] + texts[-1:]


def compact_text(items: list[PeriodItem], *, one_line: bool = True) -> str:
    """For a narrow cell (the Excel export's 完成状态): "本季度:已完成" for one period,
    "4月√ 5月√ 6月未报" for several (√ is 已完成, as ticked on a paper form). Not
    ``one_line``: the same words broken where a reader would ("本季度:" / "已完成";
    a month a line), for a column narrower than the text."""
    if not items:
        return ""
    if len(items) == 1:
        item = items[0]
        return f"{item.label}\uff1a{'' if one_line else chr(10)}{item.status_word}"
    return (" " if one_line else "\n").join(f"{item.label}{'√' if item.done else item.status_word}"
                                            for item in items)
