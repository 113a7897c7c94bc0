"""督办 (follow-up): which units are behind, with what, and the record of each 催办单 sent.

For every unit that receives tasks (groups such as 各镇(街道) replaced by their members,
as for the fill-in workbooks; see :func:`unit_directory.plan_recipients`), the open tasks
(未启动/推进中) that are

* 已逾期 — past their due date;
* 即将到期 — due within ``days`` days (15 by default, as the window's yellow rows);
* 本季度无进展 — no progress note for the current quarter (in a note shared by several
  units, the unit's own 【单位】 part counts, or the office's unlabelled text);
* 本季度无佐证材料 — no evidence filed under the current quarter (回收站 not counted).

A recurring task (core/recurrence.py) is judged by its current period: done for this
period means nothing is missing; the period's end is its deadline.

Colours as in 督办 practice: red (an overdue task), orange (one due soon), yellow (only
notes or evidence missing). Each 催办单 sent is recorded in ``follow_ups`` and
``follow_up_tasks`` (migration m005) by :func:`record_follow_ups`: one ``ledger.change``
(one transaction, one audit row) for all units sent at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .errors import UserError
from .exchange.unit_notes import split_note
from .ledger import Ledger, now_text
from .model import Status
from .quarters import Quarter, default_quarter
from .task_query import DUE_SOON_DAYS
from .unit_directory import expand_recipients, plan_recipients, unit_tasks
from .units import Role, unit_key

__all__ = [
    "SORTS",
    "FollowUp",
    "Lag",
    "Level",
    "TaskLag",
    "UnitLag",
    "follow_ups",
    "follow_ups_by_task",
    "lagging_units",
    "record_follow_up",
    "record_follow_ups",
]

_OPEN = (Status.NOT_STARTED.value, Status.IN_PROGRESS.value)


class Lag(StrEnum):
    OVERDUE = "已逾期"
    DUE_SOON = "即将到期"
    NO_PROGRESS = "本季度无进展"
    NO_EVIDENCE = "本季度无佐证材料"


class Level(StrEnum):
    RED = "red"  # an overdue task
    ORANGE = "orange"  # a task due soon
    YELLOW = "yellow"  # only a note or evidence missing

    @property
    def label(self) -> str:
        return {"red": "红色(有逾期)", "orange": "橙色(即将到期)", "yellow": "黄色(缺进展或材料)"}[self.value]


@dataclass(slots=True)
class TaskLag:
    """One of a unit's tasks and what is missing."""

    task_id: int
    seq: int
    title: str | None
    requirement: str
    deadline_text: str
    due_date: date | None
    status: Status
    role: Role
    via: list[str]
    lags: list[Lag]
    days_overdue: int = 0
    period: str | None = None  # the current period of a recurring task (2023Q3, 2023-09…)

    @property
    def missing_text(self) -> str:
        parts = []
        for lag in self.lags:
            if lag is Lag.OVERDUE:
                parts.append(f"已逾期 {self.days_overdue} 天")
            elif lag is Lag.DUE_SOON and self.due_date is not None:
                parts.append(f"{self.due_date.month}月{self.due_date.day}日到期")
            else:
                parts.append(lag.value)
        return "、".join(parts)

    @property
    def label(self) -> str:
        text = " ".join(((f"【{self.title}】" if self.title else "") + self.requirement).split())
        return text


@dataclass(slots=True)
class UnitLag:
    unit: str
    tasks: list[TaskLag] = field(default_factory=list)

    def _count(self, lag: Lag) -> int:
        return sum(1 for t in self.tasks if lag in t.lags)

    @property
    def overdue(self) -> int:
        return self._count(Lag.OVERDUE)

    @property
    def due_soon(self) -> int:
        return self._count(Lag.DUE_SOON)

    @property
    def no_progress(self) -> int:
        return self._count(Lag.NO_PROGRESS)

    @property
    def no_evidence(self) -> int:
        return self._count(Lag.NO_EVIDENCE)

    @property
    def level(self) -> Level:
        if self.overdue:
            return Level.RED
        if self.due_soon:
            return Level.ORANGE
        return Level.YELLOW


SORTS = {
    "level": lambda u: (list(Level).index(u.level), -u.overdue, -u.due_soon, -u.no_progress, -u.no_evidence),
    "overdue": lambda u: (-u.overdue,),
    "due_soon": lambda u: (-u.due_soon,),
    "no_progress": lambda u: (-u.no_progress,),
    "no_evidence": lambda u: (-u.no_evidence,),
    "tasks": lambda u: (-len(u.tasks),),
}


def _has_own_note(text: str | None, unit: str) -> bool:
    head, parts = split_note(text)
    if head:
        return True
    key = unit_key(unit)
    return any(unit_key(name) == key and body.strip() for name, body in parts.items())


def _recurrence_hook(ledger: Ledger, task_ids: list[int], today: date) -> dict[int, tuple[str, date, bool]]:
    """Recurring tasks: task id -> (current period, its end, done for it). Empty when
    the recurrence module is not there (kept separate so 督办 works without it)."""
    try:
        from .task_periods import current_periods
    except ImportError:  # pragma: no cover - the module ships with this one
        return {}
    return current_periods(ledger, task_ids, today)


def lagging_units(ledger: Ledger, plan_id: int, *, today: date | None = None, days: int = DUE_SOON_DAYS,
                  unit: str | None = None, quarter: Quarter | None = None, sort: str = "level",
                  include_clean: bool = False) -> list[UnitLag]:
    """The 督办 list: per unit, its open tasks with what is missing, worst first.

    ``unit`` limits it to one unit (as named in the plan or the 单位名录); a group whose
    members the 单位名录 lists stands for its members, one entry each. Units with nothing missing are left out unless
    ``include_clean``. Raises UserError for a unit the ledger does not know, or a
    negative ``days``."""
    today = today or date.today()
    # 本季度: the quarter the plan is worked on (the plan year's last once that year is over)
    quarter = quarter or default_quarter(ledger.plan(plan_id).year, today)
    if days < 0:
        raise UserError(f"天数“{days}”不对:请写 0 或正整数,例如 --days 15。")
    if sort not in SORTS:
        raise UserError(f"无法按“{sort}”排序。可用:{'、'.join(SORTS)}。")
    if unit is not None:
        found = ledger.db.execute("SELECT name FROM units WHERE key = ?", [unit_key(unit)]).fetchone()
        if found is None:
            raise UserError(f"台账中没有单位“{unit}”,无法督办。可用 zwgk units 查看单位名录,"
                            "或用 zwgk overdue 列出所有单位的情况。")
        # A group with members listed in the 单位名录 (各镇(街道)) is followed up member by
        # member, as its fill-in workbooks are sent; a group without members, as itself.
        names = expand_recipients(ledger, [found[0]])
    else:
        names = [r.name for r in plan_recipients(ledger, plan_id)]
    db = ledger.db
    rows = {tid: (seq, title, req, dl_text, due, status) for tid, seq, title, req, dl_text, due, status in db.execute(
        "SELECT id, seq, title, requirement, deadline_text, due_date, status FROM tasks WHERE plan_id = ?"
        " AND status IN (?, ?)", [plan_id, *_OPEN])}
    ids = list(rows)
    notes: dict[int, str] = dict(db.execute(
        "SELECT p.task_id, p.text FROM progress p JOIN tasks t ON t.id = p.task_id"
        " WHERE t.plan_id = ? AND p.quarter = ?", [plan_id, str(quarter)]).fetchall())
    with_evidence = {r[0] for r in db.execute(
        "SELECT DISTINCT e.task_id FROM evidence e JOIN tasks t ON t.id = e.task_id"
        " WHERE t.plan_id = ? AND e.quarter = ? AND e.removed_at IS NULL", [plan_id, str(quarter)])}
    periods = _recurrence_hook(ledger, ids, today)
    soon = today + timedelta(days=days)
    result: list[UnitLag] = []
    for name in names:
        entry = UnitLag(name)
        for tid, (role, via) in unit_tasks(ledger, plan_id, name).items():
            if tid not in rows:
                continue
            seq, title, req, dl_text, due_text, status = rows[tid]
            due = date.fromisoformat(due_text) if due_text else None
            period = None
            if tid in periods:
                period, period_end, done = periods[tid]
                if done:
                    continue  # this period's work is reported done
                due = min(due, period_end) if due else period_end
            lags: list[Lag] = []
            late = 0
            if due is not None and due < today:
                lags.append(Lag.OVERDUE)
                late = (today - due).days
            elif due is not None and due <= soon:
                lags.append(Lag.DUE_SOON)
            if not _has_own_note(notes.get(tid), name):
                lags.append(Lag.NO_PROGRESS)
            if tid not in with_evidence:
                lags.append(Lag.NO_EVIDENCE)
            if lags:
                entry.tasks.append(TaskLag(tid, seq, title, req, dl_text, due, Status(status), role, via, lags,
                                           late, period))
        if entry.tasks or include_clean:
            result.append(entry)
    position = {name: n for n, name in enumerate(names)}
    key = SORTS[sort]
    result.sort(key=lambda u: (*key(u), position.get(u.unit, 0)))
    return result


# -- the record of 催办单 sent --------------------------------------------------------------


@dataclass(slots=True)
class FollowUp:
    id: int
    plan_id: int
    unit: str
    quarter: str
    sent_at: str
    sent_by: str
    reply_by: str | None
    office: str | None
    file_name: str | None
    task_ids: list[int]


def record_follow_ups(ledger: Ledger, plan_id: int, sent: list[tuple[UnitLag, str | None]], *,
                      reply_by: date | None, office: str | None = None,
                      quarter: Quarter | None = None) -> list[int]:
    """Record 催办单 sent to several units (unit lag, file name): one transaction, one
    audit row. Returns the new follow-up ids in order."""
    sent = [(lag, name) for lag, name in sent if lag.tasks]
    if not sent:
        raise UserError("没有需要催办的任务,没有记录催办。")
    quarter = quarter or Quarter.current()
    at = now_text()
    ids: list[int] = []
    summary = [{"unit": lag.unit, "tasks": [t.task_id for t in lag.tasks], "file": name} for lag, name in sent]
    with ledger.change("发出催办单", "follow_up", after={"plan": plan_id, "reply_by": _iso(reply_by),
                                                          "sent": summary}) as record:
        for lag, name in sent:
            cursor = ledger.db.execute(
                "INSERT INTO follow_ups (plan_id, unit, quarter, sent_at, sent_by, reply_by, office, file_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [plan_id, lag.unit, str(quarter), at, ledger.user, _iso(reply_by), office, name])
            fid = int(cursor.lastrowid)
            ids.append(fid)
            ledger.db.conn.executemany(
                "INSERT INTO follow_up_tasks (follow_up_id, task_id, missing, due_date) VALUES (?, ?, ?, ?)",
                [(fid, t.task_id, json.dumps([lag_.value for lag_ in t.lags], ensure_ascii=False),
                  _iso(t.due_date)) for t in lag.tasks])
        record["entity_id"] = ids[0] if len(ids) == 1 else None
    return ids


def record_follow_up(ledger: Ledger, plan_id: int, lag: UnitLag, *, reply_by: date | None,
                     file_name: str | None = None, office: str | None = None,
                     quarter: Quarter | None = None) -> int:
    if not lag.tasks:
        raise UserError(f"“{lag.unit}”没有需要催办的任务,没有记录催办。")
    return record_follow_ups(ledger, plan_id, [(lag, file_name)], reply_by=reply_by, office=office,
                             quarter=quarter)[0]


def follow_ups(ledger: Ledger, plan_id: int, quarter: Quarter | None = None) -> list[FollowUp]:
    """Follow-ups sent for a plan, oldest first (only those of ``quarter`` if given)."""
    sql = ("SELECT id, plan_id, unit, quarter, sent_at, sent_by, reply_by, office, file_name FROM follow_ups"
           " WHERE plan_id = ?")
    params: list[Any] = [plan_id]
    if quarter is not None:
        sql += " AND quarter = ?"
        params.append(str(quarter))
    items = [FollowUp(*row, task_ids=[]) for row in ledger.db.execute(sql + " ORDER BY id", params)]
    by_id = {f.id: f for f in items}
    if by_id:
        for fid, tid in ledger.db.execute(
                "SELECT ft.follow_up_id, ft.task_id FROM follow_up_tasks ft JOIN tasks t ON t.id = ft.task_id"
                " WHERE t.plan_id = ? ORDER BY t.seq", [plan_id]):
            if fid in by_id:
                by_id[fid].task_ids.append(tid)
    return items


def follow_ups_by_task(ledger: Ledger, plan_id: int) -> dict[int, list[dict[str, Any]]]:
    """Task id -> the 催办 that named it, oldest first, as the JSON export shows them."""
    result: dict[int, list[dict[str, Any]]] = {}
    for tid, fid, unit, quarter, sent_at, sent_by, reply_by, file_name, missing in ledger.db.execute(
            "SELECT ft.task_id, f.id, f.unit, f.quarter, f.sent_at, f.sent_by, f.reply_by, f.file_name, ft.missing"
            " FROM follow_up_tasks ft JOIN follow_ups f ON f.id = ft.follow_up_id"
            " WHERE f.plan_id = ? ORDER BY f.id", [plan_id]):
        result.setdefault(tid, []).append({
            "id": fid, "unit": unit, "quarter": quarter, "sent_at": sent_at, "sent_by": sent_by,
            "reply_by": reply_by, "missing": json.loads(missing or "[]"), "file": file_name})
    return result


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
