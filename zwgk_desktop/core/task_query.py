"""Finding, counting and listing tasks for the screens: filters, summary, section tree.

The task table shows up to tens of thousands of rows and refilters on each
keystroke, so filtering happens in SQL and returns ids only; rows are fetched in
pages when they scroll into view (TaskRow is what one table row shows).

A recurring task still open for the year is judged by its current period (a quarter
missed is overdue, whatever the year's end says): its row colour, the 逾期 count and
the 已逾期 / 15天内到期 filters all follow that one rule (:func:`period_lights`).
"""

from __future__ import annotations

import json
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .deadlines import DeadlineKind
from .ledger import Ledger
from .model import Status
from .quarters import Quarter
from .task_periods import current_periods
from .units import Role, unit_key

DUE_SOON_DAYS = 15
_OPEN = (Status.NOT_STARTED.value, Status.IN_PROGRESS.value)
_UNDATED = (DeadlineKind.ONGOING.value, DeadlineKind.UNKNOWN.value)


class Timing(StrEnum):
    OVERDUE = "逾期"
    DUE_SOON = "临期"
    NEEDS_REVIEW = "需核对"  # the import could not read a date from the deadline text


class Light(StrEnum):
    """The colour a row gets: what needs the clerk's attention first."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    DONE = "done"
    ONGOING = "ongoing"
    NONE = "none"


@dataclass(slots=True)
class TaskFilter:
    """Every filter combines with the others (AND). Empty means no restriction."""

    plan_id: int
    section_id: int | None = None  # this section and everything below it
    unit: str | None = None
    unit_role: Role | None = None
    statuses: frozenset[Status] = frozenset()
    timing: Timing | None = None
    due_in: Quarter | None = None
    without_evidence_in: Quarter | None = None  # no 佐证材料 yet for that quarter
    search: str = ""
    today: date = field(default_factory=date.today)


SORT_COLUMNS = {
    "seq": "t.seq",
    "requirement": "COALESCE(t.title, '') || t.requirement",
    "units": "t.units_text",
    "deadline": "t.deadline_text",
    "due_date": "COALESCE(t.due_date, '9999-12-31')",
    "status": "CASE t.status WHEN '未启动' THEN 0 WHEN '推进中' THEN 1 WHEN '已完成' THEN 2 WHEN '不适用' THEN 3 ELSE 4 END",
}


def _where(ledger: Ledger, flt: TaskFilter) -> tuple[str, list[Any]]:
    clauses = ["t.plan_id = ?"]
    params: list[Any] = [flt.plan_id]
    if flt.section_id is not None:
        ids = _section_and_descendants(ledger, flt.plan_id, flt.section_id)
        clauses.append(f"t.section_id IN ({','.join('?' * len(ids))})")
        params += ids
    if flt.unit:
        # The unit itself, or a group it belongs to (各镇(街道) for a town): a task
        # sent to the group is the member's task too.
        role_sql = " AND tu.role = ?" if flt.unit_role is not None else ""
        clauses.append(
            "EXISTS (SELECT 1 FROM task_units tu JOIN units u ON u.id = tu.unit_id"
            " WHERE tu.task_id = t.id AND (u.key = ? OR u.id IN (SELECT m.group_id FROM unit_members m"
            f" JOIN units mu ON mu.id = m.member_id WHERE mu.key = ?)){role_sql})")
        key = unit_key(flt.unit)
        params += [key, key]
        if flt.unit_role is not None:
            params.append(flt.unit_role.value)
    if flt.statuses:
        clauses.append(f"t.status IN ({','.join('?' * len(flt.statuses))})")
        params += [s.value for s in flt.statuses]
    today = flt.today.isoformat()
    if flt.timing in (Timing.OVERDUE, Timing.DUE_SOON):
        # A recurring task open for the year by its period's light, any other by its due date.
        lights = period_lights(ledger, flt.plan_id, flt.today)
        wanted = Light.OVERDUE if flt.timing == Timing.OVERDUE else Light.DUE_SOON
        by_date = ("t.due_date IS NOT NULL AND t.due_date < ?" if flt.timing == Timing.OVERDUE
                   else "t.due_date BETWEEN ? AND ?")
        clauses.append(f"t.status IN (?, ?) AND (t.id IN (SELECT value FROM json_each(?))"
                       f" OR (t.id NOT IN (SELECT value FROM json_each(?)) AND {by_date}))")
        params += [*_OPEN, json.dumps([tid for tid, light in lights.items() if light is wanted]),
                   json.dumps(list(lights))]
        params += [today] if flt.timing == Timing.OVERDUE else \
            [today, (flt.today + timedelta(days=DUE_SOON_DAYS)).isoformat()]
    elif flt.timing == Timing.NEEDS_REVIEW:
        clauses.append("t.needs_review = 1")
    if flt.due_in is not None:
        clauses.append("t.due_date BETWEEN ? AND ?")
        params += [flt.due_in.start.isoformat(), flt.due_in.end.isoformat()]
    if flt.without_evidence_in is not None:
        clauses.append("NOT EXISTS (SELECT 1 FROM evidence e WHERE e.task_id = t.id AND e.quarter = ?"
                       " AND e.removed_at IS NULL)")
        params.append(str(flt.without_evidence_in))
    for word in flt.search.split():
        clauses.append(
            "(instr(t.requirement, ?) > 0 OR instr(COALESCE(t.title, ''), ?) > 0"
            " OR instr(t.units_text, ?) > 0 OR instr(t.deadline_text, ?) > 0"
            " OR t.id IN (SELECT p.task_id FROM progress p WHERE instr(p.text, ?) > 0))")
        params += [word] * 5
    return " AND ".join(clauses), params


def _section_and_descendants(ledger: Ledger, plan_id: int, section_id: int) -> list[int]:
    rows = ledger.db.execute("SELECT id, parent_id FROM sections WHERE plan_id = ?", [plan_id]).fetchall()
    children: dict[int | None, list[int]] = {}
    for sid, parent in rows:
        children.setdefault(parent, []).append(sid)
    result, todo = [], [section_id]
    while todo:
        current = todo.pop()
        result.append(current)
        todo.extend(children.get(current, []))
    return result


def task_ids(ledger: Ledger, flt: TaskFilter, sort: str = "seq", descending: bool = False) -> list[int]:
    """The ids alone (no counts: nothing is worked out for the 逾期 count)."""
    where, params = _where(ledger, flt)
    order = SORT_COLUMNS.get(sort, "t.seq")
    direction = "DESC" if descending else "ASC"
    return [tid for (tid,) in ledger.db.execute(
        f"SELECT t.id FROM tasks t WHERE {where} ORDER BY {order} {direction}, t.seq {direction}", params)]


def filtered(ledger: Ledger, flt: TaskFilter, sort: str = "seq",
             descending: bool = False) -> tuple[list[int], "Summary"]:
    """The ids the filter shows, in order, and their summary, from one scan: a
    keystroke in the search box should cost one pass over the tasks, not two."""
    where, params = _where(ledger, flt)
    order = SORT_COLUMNS.get(sort, "t.seq")
    direction = "DESC" if descending else "ASC"
    rows = ledger.db.execute(
        f"SELECT t.id, t.status, t.due_date < ? FROM tasks t WHERE {where}"
        f" ORDER BY {order} {direction}, t.seq {direction}", [flt.today.isoformat(), *params]).fetchall()
    counts = Counter(status for _, status, _ in rows)
    lights = period_lights(ledger, flt.plan_id, flt.today)
    overdue = sum(1 for tid, status, late in rows if status in _OPEN
                  and (lights[tid] is Light.OVERDUE if tid in lights else late))
    cancelled = counts[Status.CANCELLED.value]  # listed (greyed), never counted
    result = Summary(total=len(rows) - cancelled, done=counts[Status.DONE.value],
                     in_progress=counts[Status.IN_PROGRESS.value],
                     not_started=counts[Status.NOT_STARTED.value],
                     not_applicable=counts[Status.NOT_APPLICABLE.value], overdue=overdue,
                     cancelled=cancelled)
    return [r[0] for r in rows], result


@dataclass(slots=True)
class Summary:
    total: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    not_applicable: int = 0
    overdue: int = 0
    #: 已取消 (withdrawn by a revised table): outside ``total`` and every other count.
    cancelled: int = 0

    @property
    def base(self) -> int:
        """The tasks that apply: 不适用 is left out of the completion rate."""
        return self.total - self.not_applicable

    @property
    def completion(self) -> float:
        return self.done / self.base if self.base else 0.0


def summary(ledger: Ledger, flt: TaskFilter) -> Summary:
    """The counts of :func:`filtered` without the ids (one aggregate query)."""
    where, params = _where(ledger, flt)
    lights = period_lights(ledger, flt.plan_id, flt.today)
    row = ledger.db.execute(
        "SELECT SUM(t.status <> '已取消'),"
        " SUM(t.status = '已完成'), SUM(t.status = '推进中'), SUM(t.status = '未启动'),"
        " SUM(t.status = '不适用'),"
        " SUM(t.status IN ('未启动', '推进中') AND (t.id IN (SELECT value FROM json_each(?))"
        "     OR (t.id NOT IN (SELECT value FROM json_each(?)) AND t.due_date IS NOT NULL AND t.due_date < ?))),"
        " SUM(t.status = '已取消')"
        f" FROM tasks t WHERE {where}",
        [json.dumps([tid for tid, light in lights.items() if light is Light.OVERDUE]), json.dumps(list(lights)),
         flt.today.isoformat(), *params]).fetchone()
    return Summary(*(int(v or 0) for v in row))


#: Per open ledger: plan id -> (what the lights were worked out from, the lights).
_PERIOD_LIGHTS: weakref.WeakKeyDictionary[Ledger, dict[int, tuple[tuple[Any, ...], dict[int, Light]]]] = \
    weakref.WeakKeyDictionary()


def period_lights(ledger: Ledger, plan_id: int, today: date) -> dict[int, Light]:
    """The plan's recurring tasks still open for the year -> the light their current
    period gives them (``task_periods.current_periods``, as their rows are coloured).

    Working out every task's rhythm costs a few microseconds a task, too much for each
    keystroke over 20,000 tasks, so the answer is kept until the ledger next changes:
    every change adds an audit row (``Ledger.change``), whichever connection made it,
    so the newest audit id says whether it still holds (one query); this connection's
    own change counter covers anything written here without one."""
    stamp = (ledger.db.execute("SELECT MAX(id) FROM audit").fetchone()[0], ledger.db.conn.total_changes, today)
    plans = _PERIOD_LIGHTS.setdefault(ledger, {})
    kept = plans.get(plan_id)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    open_ids = [tid for (tid,) in ledger.db.execute(
        "SELECT id FROM tasks WHERE plan_id = ? AND status IN (?, ?)", [plan_id, *_OPEN])]
    lights = {tid: period_light(due, done, today)
              for tid, (_, due, done) in current_periods(ledger, open_ids, today).items()}
    plans[plan_id] = (stamp, lights)
    return lights


@dataclass(slots=True)
class SectionNode:
    id: int
    label: str
    depth: int
    total: int = 0
    done: int = 0
    children: list["SectionNode"] = field(default_factory=list)
    parent: "SectionNode | None" = None


def section_tree(ledger: Ledger, plan_id: int) -> list[SectionNode]:
    """Top-level sections with their children, each counting the tasks below it."""
    counts = {sid: (total, done) for sid, total, done in ledger.db.execute(
        "SELECT section_id, SUM(status <> '已取消'), SUM(status = '已完成') FROM tasks WHERE plan_id = ?"
        " GROUP BY section_id", [plan_id])}
    rows = [(sid, parent, label, depth, *counts.get(sid, (0, 0))) for sid, parent, label, depth in
            ledger.db.execute("SELECT id, parent_id, label, depth FROM sections WHERE plan_id = ?"
                              " ORDER BY position", [plan_id])]
    nodes: dict[int, SectionNode] = {}
    roots: list[SectionNode] = []
    for sid, parent, label, depth, total, done in rows:
        node = SectionNode(sid, label, depth, total, done)
        nodes[sid] = node
        if parent in nodes:
            node.parent = nodes[parent]
            nodes[parent].children.append(node)
        else:
            roots.append(node)
    for node in reversed(list(nodes.values())):  # children after parents: add upwards
        if node.parent is not None:
            node.parent.total += node.total
            node.parent.done += node.done
    return roots


@dataclass(slots=True)
class TaskRow:
    """What one row of the task table shows."""

    id: int
    seq: int
    section: str
    title: str | None
    requirement: str
    units: list[tuple[str, Role]]
    deadline_text: str
    due_date: date | None
    deadline_kind: DeadlineKind
    needs_review: bool
    status: Status
    status_date: date | None
    progress: str
    evidence_count: int
    #: A recurring task's period to judge it by (``2023Q2``, from
    #: ``task_periods.current_periods``): its due day, and whether every period begun
    #: so far is reported done. None for a one-off task.
    period: str | None = None
    period_due: date | None = None
    period_done: bool = False

    @property
    def judged_by_period(self) -> bool:
        """Recurring and still open for the year: its period decides its colour (a task
        done, 不适用 or 已取消 for the whole year is that, whatever its periods say)."""
        return self.period is not None and self.status.value in _OPEN

    def light(self, today: date) -> Light:
        if self.judged_by_period:
            return period_light(self.period_due, self.period_done, today)
        return light_for(self.status, self.due_date, self.deadline_kind, today)

    @property
    def units_display(self) -> str:
        return "、".join(f"{name}(牵头)" if role == Role.LEAD and len(self.units) > 1 else name
                        for name, role in self.units)


def light_for(status: Status, due: date | None, kind: DeadlineKind, today: date) -> Light:
    if status == Status.DONE:
        return Light.DONE
    if status in (Status.NOT_APPLICABLE, Status.CANCELLED):
        return Light.NONE
    if due is not None and due < today:
        return Light.OVERDUE
    if due is not None and due <= today + timedelta(days=DUE_SOON_DAYS):
        return Light.DUE_SOON
    if kind in (DeadlineKind.ONGOING, DeadlineKind.RECURRING, DeadlineKind.YEAR_ROUND) or due is None:
        return Light.ONGOING
    return Light.NONE


def period_light(due: date | None, done: bool, today: date) -> Light:
    """A recurring task open for the year is judged by its period, not by the year's end:
    green once the periods so far are reported done, red while an earlier period (or
    this one, past its day) is missing, yellow when this period's day is near."""
    if done:
        return Light.DONE
    if due is not None and due < today:
        return Light.OVERDUE
    if due is not None and due <= today + timedelta(days=DUE_SOON_DAYS):
        return Light.DUE_SOON
    return Light.ONGOING


def task_rows(ledger: Ledger, ids: list[int], quarter: Quarter, today: date | None = None) -> dict[int, TaskRow]:
    """Rows for the given ids (one page of the table), with that quarter's note and,
    for recurring tasks, the period ``today`` judges them by (read for the whole page
    at once)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    db = ledger.db
    units: dict[int, list[tuple[str, Role]]] = {}
    for tid, name, role in db.execute(
            "SELECT tu.task_id, u.name, tu.role FROM task_units tu JOIN units u ON u.id = tu.unit_id"
            f" WHERE tu.task_id IN ({marks}) ORDER BY tu.task_id, tu.position", ids):
        units.setdefault(tid, []).append((name, Role(role)))
    notes = dict(db.execute(f"SELECT task_id, text FROM progress WHERE quarter = ? AND task_id IN ({marks})",
                            [str(quarter), *ids]).fetchall())
    evidence = evidence_counts(ledger, ids)
    labels = {sid: label for sid, label in db.execute(
        f"SELECT id, label FROM sections WHERE id IN (SELECT section_id FROM tasks WHERE id IN ({marks}))", ids)}
    rows = {}
    for (tid, seq, section_id, title, requirement, deadline_text, due, kind, review, status,
         status_date) in db.execute(
            "SELECT id, seq, section_id, title, requirement, deadline_text, due_date, deadline_kind,"
            f" needs_review, status, status_date FROM tasks WHERE id IN ({marks})", ids):
        rows[tid] = TaskRow(
            id=tid, seq=seq, section=labels.get(section_id, ""), title=title, requirement=requirement,
            units=units.get(tid, []), deadline_text=deadline_text,
            due_date=date.fromisoformat(due) if due else None, deadline_kind=DeadlineKind(kind),
            needs_review=bool(review), status=Status(status),
            status_date=date.fromisoformat(status_date) if status_date else None,
            progress=notes.get(tid, ""), evidence_count=evidence.get(tid, 0))
    for tid, (period, due, done) in current_periods(ledger, ids, today or date.today()).items():
        row = rows.get(tid)
        if row is not None:
            row.period, row.period_due, row.period_done = period, due, done
    return rows


def evidence_counts(ledger: Ledger, ids: list[int]) -> dict[int, int]:
    """Evidence items per task, not counting the 回收站."""
    marks = ",".join("?" * len(ids))
    return dict(ledger.db.execute(
        f"SELECT task_id, COUNT(*) FROM evidence WHERE task_id IN ({marks}) AND removed_at IS NULL"
        " GROUP BY task_id", ids).fetchall())


def plan_units(ledger: Ledger, plan_id: int) -> list[str]:
    """Units named in a plan, in order of first appearance (for the unit filter)."""
    return [r[0] for r in ledger.db.execute(
        "SELECT u.name FROM units u JOIN task_units tu ON tu.unit_id = u.id JOIN tasks t ON t.id = tu.task_id"
        " WHERE t.plan_id = ? GROUP BY u.id ORDER BY MIN(t.seq * 1000 + tu.position)", [plan_id])]


def stored_statuses(ledger: Ledger, task_ids: list[int]) -> dict[int, tuple[int, Status, date | None]]:
    """Task id -> (序号, status, its day) as the ledger holds them now: what a change made
    from an older screen is checked against before it writes."""
    result: dict[int, tuple[int, Status, date | None]] = {}
    for start in range(0, len(task_ids), 900):
        chunk = task_ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for tid, seq, status, day in ledger.db.execute(
                f"SELECT id, seq, status, status_date FROM tasks WHERE id IN ({marks})", chunk):
            result[tid] = (seq, Status(status), date.fromisoformat(day) if day else None)
    return result


@dataclass(frozen=True, slots=True)
class StatusOn:
    """A task's status on a given day, and the day that status took effect (None: never
    set since the import, so 未启动)."""

    status: Status
    since: date | None


def statuses_on(ledger: Ledger, plan_id: int, day: date) -> dict[int, StatusOn]:
    """Each task of the plan as it stood on ``day``, with the day that status took effect:
    the one reading the 季度报告, the Excel export and the roll-up share, so a 2023Q2 export
    made in October says what the Q2 report says."""
    return {tid: StatusOn(status, since) for tid, (status, since) in ledger.status_entries_as_of(plan_id, day).items()}
