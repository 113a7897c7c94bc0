"""The one writer of a recurring task's per-period status and of its recurrence marked
by hand (tables ``task_periods`` and ``task_recurrence``, migration m005).

A recurring task keeps its own status for the year (未启动/推进中/已完成, set by
``Ledger.set_status``); each period (2023Q2, 2023-05, 2023H1, 2023) has a status of its
own here. Every change is one ``ledger.change`` (one transaction, one audit row), for
the CLI, the window and any later merge alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import NotFoundError, UserError
from .ledger import Ledger, now_text
from .model import Status
from .recurrence import Frequency, Period, Recurrence, detect_recurrence

__all__ = ["PeriodRow", "clear_recurrence", "current_periods", "period_rows", "recurrence_of",
           "set_period_status", "set_recurrence"]

NOT_RECURRING = "none"  # task_recurrence.frequency of a task marked "not recurring" by hand
_SETTLED = (Status.DONE, Status.NOT_APPLICABLE, Status.CANCELLED)


def _task_row(ledger: Ledger, task_id: int) -> tuple[int, str, str, int]:
    row = ledger.db.execute(
        "SELECT t.plan_id, t.deadline_text, t.requirement, p.year FROM tasks t JOIN plans p ON p.id = t.plan_id"
        " WHERE t.id = ?", [task_id]).fetchone()
    if row is None:
        raise NotFoundError(f"台账中没有编号为 {task_id} 的任务。任务编号可在导出的 JSON(id)或任务列表中查到。")
    return row


def _recurrence(marked: str | None, deadline_text: str, requirement: str) -> Recurrence | None:
    if marked == NOT_RECURRING:
        return None
    if marked:
        found = detect_recurrence(deadline_text, requirement)
        if found is not None and found.frequency.value == marked:
            return Recurrence(found.frequency, found.phrase, "manual", found.month, found.day)
        return Recurrence(Frequency(marked), Frequency(marked).label, "manual")
    return detect_recurrence(deadline_text, requirement)


def recurrence_of(ledger: Ledger, task_id: int) -> Recurrence | None:
    """The task's rhythm: as marked by hand, else as its deadline or requirement says."""
    _, deadline_text, requirement, _ = _task_row(ledger, task_id)
    marked = ledger.db.execute("SELECT frequency FROM task_recurrence WHERE task_id = ?", [task_id]).fetchone()
    return _recurrence(marked[0] if marked else None, deadline_text, requirement)


def set_recurrence(ledger: Ledger, task_id: int, frequency: Frequency | None) -> None:
    """Mark a task recurring with ``frequency``, or not recurring (None), whatever its
    text says. Recorded in the audit."""
    _task_row(ledger, task_id)
    before = ledger.db.execute("SELECT frequency FROM task_recurrence WHERE task_id = ?", [task_id]).fetchone()
    value = frequency.value if frequency is not None else NOT_RECURRING
    with ledger.change("设置定期任务", "task", task_id, before={"frequency": before[0] if before else None},
                       after={"frequency": value}):
        ledger.db.execute(
            "INSERT INTO task_recurrence (task_id, frequency, set_at, set_by) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(task_id) DO UPDATE SET frequency = excluded.frequency, set_at = excluded.set_at,"
            " set_by = excluded.set_by", [task_id, value, now_text(), ledger.user])


def clear_recurrence(ledger: Ledger, task_id: int) -> None:
    """Forget the hand marking: the deadline text and requirement decide again."""
    _task_row(ledger, task_id)
    before = ledger.db.execute("SELECT frequency FROM task_recurrence WHERE task_id = ?", [task_id]).fetchone()
    if before is None:
        return
    with ledger.change("取消手工设置的定期任务", "task", task_id, before={"frequency": before[0]},
                       after={"frequency": None}):
        ledger.db.execute("DELETE FROM task_recurrence WHERE task_id = ?", [task_id])


def _check_period(recurrence: Recurrence, period: Period, year: int, task_id: int) -> None:
    kind = recurrence.frequency.period_kind
    if period.kind != kind:
        example = str(Period.all_of(year, recurrence.frequency)[0])
        raise UserError(f"任务 {task_id} 是{recurrence.label}的定期任务,期次要写成 {example} 这样的格式"
                        f"(不是“{period}”),台账没有改动。")
    if period.year != year:
        raise UserError(f"任务 {task_id} 属于 {year} 年的分解表,没有“{period.label}”这一期,台账没有改动。"
                        f"请写 {year} 年的期次,例如 {Period.all_of(year, recurrence.frequency)[0]}。")


def set_period_status(ledger: Ledger, task_id: int, period: Period | str, status: Status,
                      on: date | None = None) -> Period:
    """One period's status of a recurring task (e.g. 2023Q2 已完成 on 2023-06-28)."""
    _, deadline_text, _, year = _task_row(ledger, task_id)
    period = Period.parse(period) if isinstance(period, str) else period
    recurrence = recurrence_of(ledger, task_id)
    if recurrence is None:
        raise UserError(f"任务 {task_id} 不是定期任务(完成时限“{deadline_text or '—'}”和具体要求中没有每月、"
                        f"每季度等字样),不能按期登记,台账没有改动。不按期登记时去掉 --period;"
                        f"确是定期任务时先用 zwgk recurring {task_id} 每季度 标记。")
    _check_period(recurrence, period, year, task_id)
    on = on or date.today()
    before = ledger.db.execute("SELECT status, status_date FROM task_periods WHERE task_id = ? AND period = ?",
                               [task_id, str(period)]).fetchone()
    with ledger.change("设置本期状态", "task", task_id,
                       before={"period": str(period), "status": before[0] if before else None,
                               "status_date": before[1] if before else None},
                       after={"period": str(period), "status": status.value, "status_date": on.isoformat()}):
        ledger.db.execute(
            "INSERT INTO task_periods (task_id, period, status, status_date, recorded_at, by)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(task_id, period) DO UPDATE SET status = excluded.status,"
            " status_date = excluded.status_date, recorded_at = excluded.recorded_at, by = excluded.by",
            [task_id, str(period), status.value, on.isoformat(), now_text(), ledger.user])
    return period


@dataclass(slots=True)
class PeriodRow:
    period: Period
    due: date
    status: Status | None  # None: nothing recorded for this period
    status_date: date | None
    overdue: bool


def period_rows(ledger: Ledger, task_id: int, today: date | None = None) -> list[PeriodRow]:
    """Every period of the plan's year for a recurring task ([] if not recurring)."""
    today = today or date.today()
    _, _, _, year = _task_row(ledger, task_id)
    recurrence = recurrence_of(ledger, task_id)
    if recurrence is None:
        return []
    stored = {p: (Status(s), date.fromisoformat(d) if d else None) for p, s, d in ledger.db.execute(
        "SELECT period, status, status_date FROM task_periods WHERE task_id = ?", [task_id])}
    rows = []
    for period in Period.all_of(year, recurrence.frequency):
        status, day = stored.get(str(period), (None, None))
        due = recurrence.due_in(period)
        rows.append(PeriodRow(period, due, status, day, status not in _SETTLED and due < today))
    return rows


def current_periods(ledger: Ledger, task_ids: list[int], today: date) -> dict[int, tuple[str, date, bool]]:
    """For the recurring ones among ``task_ids``: the period to judge the task by — the
    earliest period begun by ``today`` that is not reported done (or 不适用) — with its
    due date; ``done`` when every period begun so far is settled. A 定期 task, or one whose
    rhythm comes from its requirement text, is judged by the current period only."""
    if not task_ids:
        return {}
    marks = ",".join("?" * len(task_ids))
    marked = dict(ledger.db.execute(f"SELECT task_id, frequency FROM task_recurrence WHERE task_id IN ({marks})",
                                    task_ids).fetchall())
    settled: dict[int, set[str]] = {}
    for tid, period in ledger.db.execute(
            f"SELECT task_id, period FROM task_periods WHERE task_id IN ({marks})"
            f" AND status IN ({','.join('?' * len(_SETTLED))})",
            [*task_ids, *(s.value for s in _SETTLED)]):
        settled.setdefault(tid, set()).add(period)
    result: dict[int, tuple[str, date, bool]] = {}
    for tid, deadline_text, requirement, year in ledger.db.execute(
            f"SELECT t.id, t.deadline_text, t.requirement, p.year FROM tasks t JOIN plans p ON p.id = t.plan_id"
            f" WHERE t.id IN ({marks})", task_ids):
        recurrence = _recurrence(marked.get(tid), deadline_text, requirement)
        if recurrence is None:
            continue
        periods = [p for p in Period.all_of(year, recurrence.frequency) if p.start <= today] or \
            Period.all_of(year, recurrence.frequency)[:1]
        if recurrence.frequency is Frequency.PERIODIC or recurrence.source == "requirement":
            # 定期, or a rhythm read from the requirement's wording: judged by the current
            # period only (an earlier quarter nobody was asked to report is not "overdue")
            periods = periods[-1:]
        open_ = [p for p in periods if str(p) not in settled.get(tid, set())]
        if open_:
            result[tid] = (str(open_[0]), recurrence.due_in(open_[0]), False)
        else:
            last = periods[-1]
            result[tid] = (str(last), recurrence.due_in(last), True)
    return result


def plan_recurrences(ledger: Ledger, plan_id: int) -> dict[int, Recurrence]:
    """Task id -> rhythm, for the recurring tasks of a plan (for exports and lists)."""
    marked = dict(ledger.db.execute(
        "SELECT r.task_id, r.frequency FROM task_recurrence r JOIN tasks t ON t.id = r.task_id WHERE t.plan_id = ?",
        [plan_id]).fetchall())
    result = {}
    for tid, deadline_text, requirement in ledger.db.execute(
            "SELECT id, deadline_text, requirement FROM tasks WHERE plan_id = ?", [plan_id]):
        found = _recurrence(marked.get(tid), deadline_text, requirement)
        if found is not None:
            result[tid] = found
    return result


def plan_period_statuses(ledger: Ledger, plan_id: int) -> dict[int, list[dict[str, str | None]]]:
    """Task id -> the periods recorded, in order, as the JSON export shows them."""
    result: dict[int, list[dict[str, str | None]]] = {}
    rows = ledger.db.execute(
        "SELECT tp.task_id, tp.period, tp.status, tp.status_date FROM task_periods tp JOIN tasks t ON t.id = tp.task_id"
        " WHERE t.plan_id = ?", [plan_id]).fetchall()
    for tid, period, status, day in sorted(rows, key=lambda r: (r[0], Period.parse(r[1]).start)):
        result.setdefault(tid, []).append({"period": period, "status": status, "status_date": day})
    return result
