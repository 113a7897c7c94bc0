"""Reads the window's 督办 view and dashboard need beside core/follow_up.py and
core/overview.py: how often each unit and task was already chased (the 已催办 column:
a clerk does not send a third 催办单 without knowing of the first two), the defaults a
催办单 starts from (the same as ``zwgk remind``), and the overdue list at the length a
screen holds rather than a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .follow_up import follow_ups, follow_ups_by_task
from .ledger import Ledger
from .model import Plan, Status
from .overview import OverdueItem
from .report_data import NO_UNIT
from .units import unit_key

__all__ = [
    "DASHBOARD_OVERDUE",
    "DEFAULT_OFFICE",
    "DEFAULT_REPLY_DAYS",
    "Sent",
    "default_office",
    "default_reply_by",
    "overdue_tasks",
    "sent_by_task",
    "sent_by_unit",
]

DEFAULT_REPLY_DAYS = 5  # as ``zwgk remind``: the reply is due five days after the notice
DEFAULT_OFFICE = "政务公开工作领导小组办公室"
DASHBOARD_OVERDUE = 10
_OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)


@dataclass(slots=True, frozen=True)
class Sent:
    """催办单 already sent: how many, and the day of the latest."""

    count: int = 0
    last: date | None = None

    @property
    def text(self) -> str:
        if not self.count:
            return "—"
        return f"{self.count} 次({self.last.isoformat()})" if self.last else f"{self.count} 次"

    def add(self, sent_at: str | None) -> Sent:
        day = _day(sent_at)
        days = [d for d in (self.last, day) if d is not None]
        return Sent(self.count + 1, max(days) if days else None)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def sent_by_unit(ledger: Ledger, plan_id: int) -> dict[str, Sent]:
    """Unit key (core.units.unit_key) -> the 催办单 sent to it for this plan, all quarters."""
    result: dict[str, Sent] = {}
    for item in follow_ups(ledger, plan_id):
        key = unit_key(item.unit)
        result[key] = result.get(key, Sent()).add(item.sent_at)
    return result


def sent_by_task(ledger: Ledger, plan_id: int, unit: str | None = None) -> dict[int, Sent]:
    """Task id -> the 催办单 that named it: sent to any unit, or only to ``unit`` (a task
    shared by two units chased in one go was chased once for each of them)."""
    key = unit_key(unit) if unit is not None else None
    result: dict[int, Sent] = {}
    for task_id, entries in follow_ups_by_task(ledger, plan_id).items():
        for entry in entries:
            if key is None or unit_key(entry["unit"]) == key:
                result[task_id] = result.get(task_id, Sent()).add(entry.get("sent_at"))
    return result


def default_reply_by(today: date | None = None) -> date:
    """Five days after the notice; a Saturday or Sunday moves to the next Monday, so the
    reply is not due on a day the office is closed. The window and ``zwgk remind``
    both start from this day."""
    day = (today or date.today()) + timedelta(days=DEFAULT_REPLY_DAYS)
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    return day


def default_office(plan: Plan, *remembered: str) -> str:
    """The name signed under the 催办单: the first of ``remembered`` given (the office
    the clerk last signed with, on a report or a 催办单), else the plan's 印发单位, else
    the usual 领导小组办公室 (as ``zwgk remind`` without --office)."""
    for name in (*remembered, plan.issuer or ""):
        if name and name.strip():
            return name.strip()
    return DEFAULT_OFFICE


def overdue_tasks(ledger: Ledger, plan_id: int, today: date | None = None,
                  limit: int = DASHBOARD_OVERDUE) -> tuple[list[OverdueItem], int]:
    """Open tasks due before ``today`` (status as of that day, as build_overview counts
    them), the longest overdue first: at most ``limit``, and how many were left out."""
    today = today or date.today()
    statuses = ledger.status_as_of(plan_id, today)
    items: list[OverdueItem] = []
    for task in ledger.tasks(plan_id):
        status = statuses.get(task.id, Status.NOT_STARTED)
        if status not in _OPEN or task.due_date is None or task.due_date >= today:
            continue
        label = " ".join(((f"【{task.title}】" if task.title else "") + task.requirement).split())
        items.append(OverdueItem(task.id, task.seq, label, task.lead_unit or NO_UNIT, task.due_date,
                                 (today - task.due_date).days))
    items.sort(key=lambda o: (-o.days, o.seq))
    return items[:limit], max(0, len(items) - limit)


def follow_up_text(ledger: Ledger, task_id: int) -> str:
    """The 催办单 that named one task, for its panel ("已催办 2 次:11月3日 县财政局;…"),
    or "" when none did. One small query: the panel asks at every task the clerk picks."""
    rows = ledger.db.execute(
        "SELECT f.sent_at, f.unit FROM follow_up_tasks ft JOIN follow_ups f ON f.id = ft.follow_up_id"
        " WHERE ft.task_id = ? ORDER BY f.sent_at", [task_id]).fetchall()
    if not rows:
        return ""
    shown = [f"{sent_at[:10]} {unit}" for sent_at, unit in rows[-3:]]
    earlier = f"等(共 {len(rows)} 次)" if len(rows) > 3 else ""
    return f"已催办 {len(rows)} 次:" + ";".join(shown) + earlier
