"""Send down (下发): what one unit's fill-in workbook carries, and the ledger's record
of what each workbook was issued with.

:func:`fill_in_for` gathers one unit's tasks for a quarter (tasks it leads or cooperates
on, and tasks given to a group it belongs to), each with its key (``keys.task_key``)
and the values as they stand. The writer, io/fill_in.py, has :func:`record_issues` store
what each workbook was issued with (unit, plan, quarter, per task status, date and note,
the time) under the issue id (下发编号) written into the workbook: the merge judges a
reply against that record, never against the workbook's own key sheet, which anyone
can edit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from ..ledger import Ledger, now_text
from ..model import Plan, Status, Task
from ..quarters import Quarter, default_quarter, plan_quarters
from ..unit_directory import unit_tasks
from ..units import Role
from .keys import printable_text, status_text, task_key, text_checksum
from .unit_notes import shared_tasks, unit_part

__all__ = ["REPORTABLE_STATUSES", "FillIn", "FillInRow", "IssueRecord", "IssuedTask", "default_quarter",
           "fill_in_file_name", "fill_in_for", "issue_records", "plan_quarters", "record_issues",
           "units_text_by_task"]

ROLE_NAMES = {Role.LEAD: "牵头", Role.COOPERATE: "配合"}
#: What a unit may answer in 完成状态: not 已取消 (a unit cannot withdraw a task).
REPORTABLE_STATUSES = tuple(s for s in Status if s != Status.CANCELLED)


def units_text_by_task(ledger: Ledger, plan_id: int) -> dict[int, str]:
    """The 责任单位 cell of each task exactly as printed."""
    return dict(ledger.db.execute("SELECT id, units_text FROM tasks WHERE plan_id = ?", [plan_id]).fetchall())


@dataclass(slots=True)
class FillInRow:
    task_id: int
    key: str
    seq: int
    section: str
    title: str | None
    requirement: str
    units_text: str
    role: str
    deadline_text: str
    status: Status
    status_date: date | None
    progress: str  # what the unit is shown: the whole note, or its own part of a shared one
    checksum: str
    progress_checksum: str
    progress_full: str = ""  # the whole note as it stood when issued


@dataclass(slots=True)
class FillIn:
    """Everything one unit's fill-in workbook says. ``issue_id`` is written into the
    workbook and names the issue record (see :func:`record_issues`)."""

    plan: Plan
    unit: str
    quarter: Quarter
    generated_at: str
    rows: list[FillInRow]
    sender: str = ""
    issue_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def file_name(self) -> str:
        return fill_in_file_name(self.unit, self.quarter)


def fill_in_file_name(unit: str, quarter: Quarter) -> str:
    """区发改局-2023年第三季度填报表.xlsx"""
    from ..evidence.names import safe_file_part  # the evidence package: only when a name is made

    # Control characters are dropped, not replaced: the clerk is told the name lost them.
    return f"{safe_file_part(printable_text(unit))}-{quarter.label}填报表.xlsx"


def fill_in_for(ledger: Ledger, plan_id: int, unit: str, quarter: Quarter, *,
                tasks: dict[int, Task] | None = None, units_text: dict[int, str] | None = None,
                sender: str = "") -> FillIn:
    """One unit's part of the plan. ``tasks``/``units_text`` may be passed in when
    writing many workbooks from one reading of the plan."""
    plan = ledger.plan(plan_id)
    mine = unit_tasks(ledger, plan_id, unit)
    if tasks is None:
        tasks = {t.id: t for t in ledger.tasks(plan_id, only=list(mine))} if mine else {}
    if units_text is None:
        units_text = units_text_by_task(ledger, plan_id)
    shared = shared_tasks(ledger, plan_id, list(mine))
    rows: list[FillInRow] = []
    for task_id, (role, via) in mine.items():
        task = tasks.get(task_id)
        if task is None:
            continue
        note = task.progress_for(quarter)
        full = note.text if note else ""
        progress = unit_part(full, printable_text(unit)) if task_id in shared else full
        role_text = ROLE_NAMES[role] + (f"(作为{'、'.join(via)}成员)" if via else "")
        rows.append(FillInRow(
            task_id=task.id, key=task_key(plan.source_sha256, task.id), seq=task.seq,
            section=task.section[-1] if task.section else "", title=task.title, requirement=task.requirement,
            units_text="、".join(u.name for u in task.units) or units_text.get(task.id, ""),
            role=role_text, deadline_text=task.deadline_text, status=task.status,
            status_date=task.status_date if task.status == Status.DONE else None,
            progress=progress, checksum=text_checksum(task.requirement),
            progress_checksum=text_checksum(progress), progress_full=full))
    rows.sort(key=lambda r: r.seq)
    return FillIn(plan=plan, unit=unit, quarter=quarter, generated_at=now_text(), rows=rows,
                  sender=sender)


# -- the issue record: what each fill-in was sent with -------------------------------------


@dataclass(slots=True)
class IssuedTask:
    task_id: int
    status: str
    status_date: str | None
    progress_sent: str
    progress_full: str

    @property
    def status_text(self) -> str:
        return status_text(self.status, self.status_date)


@dataclass(slots=True)
class IssueRecord:
    """What the ledger recorded when a fill-in workbook was written."""

    id: int
    token: str
    plan_id: int
    unit: str
    quarter: Quarter
    issued_at: str
    tasks: dict[int, IssuedTask]


def record_issues(ledger: Ledger, fills: list[tuple[FillIn, str]]) -> None:
    """Store what each fill-in (with the name of the file it was written to) was issued
    with: one transaction, one audit row."""
    if not fills:
        return
    plan_ids = sorted({f.plan.id for f, _ in fills})
    with ledger.change("下发填报表", "plan", plan_ids[0] if len(plan_ids) == 1 else None,
                       after={"quarter": str(fills[0][0].quarter),
                              "units": [f.unit for f, _ in fills],
                              "files": [name for _, name in fills]}):
        for fill, name in fills:
            cursor = ledger.db.execute(
                "INSERT INTO fill_in_issues (token, plan_id, unit, quarter, issued_at, issued_by, file_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [fill.issue_id, fill.plan.id, fill.unit, str(fill.quarter), fill.generated_at, ledger.user, name])
            ledger.db.conn.executemany(
                "INSERT INTO fill_in_issue_tasks (issue_id, task_id, status, status_date, progress_sent,"
                " progress_full) VALUES (?, ?, ?, ?, ?, ?)",
                [[cursor.lastrowid, r.task_id, r.status.value,
                  r.status_date.isoformat() if r.status_date else None, r.progress, r.progress_full]
                 for r in fill.rows])


def issue_records(ledger: Ledger, tokens: list[str]) -> dict[str, IssueRecord]:
    """The issue records of these issue ids (unknown ids are left out)."""
    wanted = sorted({t for t in tokens if t})
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    result: dict[str, IssueRecord] = {}
    by_id: dict[int, IssueRecord] = {}
    for rid, token, plan_id, unit, quarter, at in ledger.db.execute(
            f"SELECT id, token, plan_id, unit, quarter, issued_at FROM fill_in_issues WHERE token IN ({marks})",
            wanted):
        record = IssueRecord(rid, token, plan_id, unit, Quarter.stored(quarter), at, {})
        result[token] = by_id[rid] = record
    if by_id:
        marks = ",".join("?" * len(by_id))
        for rid, tid, status, on, sent, full in ledger.db.execute(
                "SELECT issue_id, task_id, status, status_date, progress_sent, progress_full"
                f" FROM fill_in_issue_tasks WHERE issue_id IN ({marks})", list(by_id)):
            by_id[rid].tasks[tid] = IssuedTask(tid, status, on, sent, full)
    return result
