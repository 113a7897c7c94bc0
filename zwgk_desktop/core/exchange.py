"""Excel 交换 without Excel: what a fill-in workbook carries, and how replies merge back.

Send down (下发): :func:`fill_in_for` gathers one unit's tasks for a quarter (tasks it
leads or cooperates on, and tasks given to a group it belongs to). Each row carries a
stable key, ``zwgk:<plan sha prefix>:<task id>``; the workbook keeps an issue id
(下发编号) and, per key, the values as sent. The writer is io/fill_in.py; it also has
:func:`record_issues` store in the ledger what each workbook was issued with (unit,
plan, quarter, per task status, date and note, the time).

Gather up (汇总): io/reply_reader.py turns a reply into a :class:`Reply`;
:func:`preview_merge` matches its rows to tasks (by key; by the task text, white space
ignored, when the key is gone or contradicts the text) and lists every change with the
value as issued, the ledger's value now and the reply's, the conflicts, the rows it
refuses and the rows it could not match. Nothing is written until :func:`apply_merge`,
which applies the changes the clerk chose in one transaction through the ledger's own
writers, and records each value before and after so :func:`undo_merge` can take the
merge back.

What a reply may change: only the tasks its fill-in was issued with, in that plan and
quarter, as the ledger's issue record says (the key sheet inside the workbook can be
edited, so its unit, quarter and plan must agree with the record, or the whole reply is
refused). A reply with no issue record in this ledger (an older version's workbook, a
deleted key sheet, another ledger) is held to its unit's current tasks in one plan of
its quarter's year, and every change it brings is a conflict.

What counts as a change, per task field:

* a blank cell never clears anything;
* a value equal to the ledger's is no change;
* a value equal to what was issued is no change either: the unit left it as it was,
  and the ledger may have moved on since (the clerk's later edit is not reverted);
* otherwise it is a change, and a **conflict** when the ledger's value changed after
  the fill-in was issued (by the clerk, by another unit's merged reply: whatever the
  reply's save time), or when another reply gives the same slot a different value.
  Conflicts are applied only when the clerk says so (``force``).

A task whose fill-ins go to several units keeps its quarterly note as labelled parts,
one a line (``【区发改局】……``, ``【区财政局】……``) after any text of the clerk's own:
each unit is sent, and writes, only its own part, so no unit's note replaces another's.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import NotFoundError, UserError
from .evidence.names import safe_file_part
from .ledger import Ledger, now_text
from .model import Plan, Status, Task
from .quarters import Quarter
from .unit_directory import expand_recipients, unit_tasks
from .units import Role

__all__ = [
    "ApplyResult",
    "Change",
    "ChangeField",
    "FillIn",
    "FillInRow",
    "MergePreview",
    "Reply",
    "ReplyRow",
    "SentState",
    "Unmatched",
    "apply_merge",
    "default_quarter",
    "describe_reply",
    "fill_in_for",
    "parse_key",
    "parse_reply_date",
    "preview_merge",
    "squash_text",
    "task_key",
    "text_checksum",
    "units_text_by_task",
]

# -- the shared vocabulary of the workbooks --------------------------------------------

FORMAT_NAME = "zwgk-fill-in"
FORMAT_VERSION = "2"  # 2: the key sheet carries the issue id (下发编号)
KEY_SHEET = "zwgk_keys"  # very hidden: the key list and what was sent
DATA_SHEET = "任务填报"
GUIDE_SHEET = "填报说明"
KEY_HEADER = "系统编码(请勿修改)"
META_PLAN_SHA = "分解表校验码"
META_PLAN_ID = "分解表编号"
META_PLAN_TITLE = "分解表"
META_UNIT = "填报单位"
META_QUARTER = "季度"
META_GENERATED = "下发时间"
META_ISSUE = "下发编号"
KEY_TABLE_HEADER = ["编码", "任务编号", "序号", "内容校验", "下发状态", "下发完成时间", "下发进展校验"]

#: Column labels of the fill-in sheet; the reader finds columns by these (and a few
#: synonyms a colleague might type), never by position.
COL_SEQ = "序号"
COL_SECTION = "所属章节"
COL_TITLE = "任务名称"
COL_TASK = "任务内容"
COL_UNITS = "责任单位"
COL_ROLE = "本单位职责"
COL_DEADLINE = "完成时限"
COL_PROGRESS = "进展情况"
COL_STATUS = "完成状态"
COL_DONE_ON = "完成时间"
COL_EVIDENCE = "佐证材料说明"
EDITABLE_COLUMNS = (COL_PROGRESS, COL_STATUS, COL_DONE_ON, COL_EVIDENCE)

STATUS_CHOICES = [s.value for s in Status if s != Status.CANCELLED]  # a unit cannot withdraw a task

_KEY_RE = re.compile(r"^\s*zwgk:([0-9a-fA-F]{4,64}):(\d{1,12})\s*$")
_SPACE_RE = re.compile(r"\s+")
_SHA_LEN = 12


def squash_text(text: str | None) -> str:
    """Text for matching: compatibility forms folded (NFKC) and all white space gone,
    so a line break Excel added or a full-width space does not stop a match."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text or ""))


def text_checksum(text: str | None) -> str:
    return hashlib.sha1(squash_text(text).encode("utf-8")).hexdigest()[:12]


def task_key(plan_sha: str, task_id: int) -> str:
    return f"zwgk:{plan_sha[:_SHA_LEN]}:{task_id}"


def parse_key(text: str | None) -> tuple[str, int] | None:
    match = _KEY_RE.match(text or "")
    return (match.group(1).lower(), int(match.group(2))) if match else None


# -- read once for many workbooks ------------------------------------------------------


def units_text_by_task(ledger: Ledger, plan_id: int) -> dict[int, str]:
    """The 责任单位 cell of each task exactly as printed."""
    return dict(ledger.db.execute("SELECT id, units_text FROM tasks WHERE plan_id = ?", [plan_id]).fetchall())


def default_quarter(plan_year: int, today: date | None = None) -> Quarter:
    """The quarter a plan's workbooks are about unless the clerk says otherwise: the
    current one during the plan's year, else the plan year's last (as the main window)."""
    current = Quarter.of(today or date.today())
    return current if current.year == plan_year else Quarter(plan_year, 4)


def plan_quarters(plan_year: int, today: date | None = None) -> list[Quarter]:
    """The quarters to offer in a chooser, latest first."""
    current = Quarter.of(today or date.today())
    quarters = {Quarter(plan_year, n) for n in range(1, 5)}
    if current.year == plan_year:
        quarters.add(current)
    return sorted(quarters, reverse=True)


# -- send down ----------------------------------------------------------------------------

ROLE_NAMES = {Role.LEAD: "牵头", Role.COOPERATE: "配合"}


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


def printable_text(text: str) -> str:
    """Text without control characters (\\x1b, \\x7f…) and without the invisible
    direction marks (bidi overrides) that make 报送表.exe look like 报送表.xlsx."""
    return "".join(ch for ch in (text or "") if unicodedata.category(ch) not in ("Cc", "Cf")
                   or ch in "\t\n")


def fill_in_file_name(unit: str, quarter: Quarter) -> str:
    """区发改局-2023年第三季度填报表.xlsx"""
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
        full = next((p.text for p in task.progress if p.quarter == str(quarter)), "")
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


def shared_tasks(ledger: Ledger, plan_id: int, task_ids: list[int] | None = None) -> set[int]:
    """Tasks whose fill-ins go to more than one unit (several units named, or a group
    with several members). Their quarterly note keeps each unit's report as its own
    labelled part, 【单位】……, so one unit's reply never replaces another's."""
    params: list[Any] = [plan_id]
    sql = ("SELECT tu.task_id, u.name FROM task_units tu JOIN units u ON u.id = tu.unit_id"
           " JOIN tasks t ON t.id = tu.task_id WHERE t.plan_id = ?")
    if task_ids is not None:
        if not task_ids:
            return set()
        sql += f" AND tu.task_id IN ({','.join('?' * len(task_ids))})"
        params += task_ids
    names: dict[int, list[str]] = defaultdict(list)
    for tid, name in ledger.db.execute(sql, params):
        names[tid].append(name)
    reach: dict[str, set[str]] = {}
    result: set[int] = set()
    for tid, units in names.items():
        recipients: set[str] = set()
        for name in units:
            if name not in reach:
                try:
                    reach[name] = set(expand_recipients(ledger, [name]))
                except NotFoundError:
                    reach[name] = {name}
            recipients |= reach[name]
        if len(recipients) > 1:
            result.add(tid)
    return result


# -- a shared note: one labelled part per unit -------------------------------------------------

_PART_RE = re.compile(r"^【([^】\n]{1,80})】", re.MULTILINE)


def split_note(text: str | None) -> tuple[str, dict[str, str]]:
    """(text before any label, {unit: its part}) of a note like
    "已部署。\\n【区发改局】……\\n【区财政局】……"."""
    text = text or ""
    matches = list(_PART_RE.finditer(text))
    if not matches:
        return text.strip(), {}
    head = text[:matches[0].start()].strip()
    parts: dict[str, str] = {}
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        body = text[match.end():end].strip()
        unit = match.group(1).strip()
        parts[unit] = f"{parts[unit]}\n{body}" if unit in parts else body
    return head, parts


def join_note(head: str, parts: dict[str, str]) -> str:
    lines = [head] if head else []
    lines += [f"【{unit}】{body}" for unit, body in parts.items() if body]
    return "\n".join(lines)


def unit_part(text: str | None, unit: str) -> str:
    """What a unit reported in a shared note ("" if nothing yet)."""
    return split_note(text)[1].get(unit, "")


def own_view(text: str | None, unit: str) -> str:
    """The part of a shared note a unit's reply is based on: the clerk's own text and
    the unit's part; the other units' parts are theirs, not a change to this one."""
    head, parts = split_note(text)
    return squash_text(head) + "\u0000" + squash_text(parts.get(unit, ""))


def with_unit_part(text: str | None, unit: str, body: str) -> str:
    """The note with ``unit``'s part replaced by ``body`` (added at the end if new)."""
    head, parts = split_note(text)
    parts[unit] = _unlabelled(body, unit)
    return join_note(head, parts)


def _unlabelled(body: str, unit: str) -> str:
    """A unit's text as its part: its own label dropped if it typed one, and a line
    that starts like another unit's label kept as text (it cannot open a part)."""
    body = body.strip()
    if body.startswith(f"【{unit}】"):
        body = body[len(unit) + 2:].strip()
    return _PART_RE.sub(lambda m: "\u3000" + m.group(0), body)


# -- the issue record: what each fill-in was sent with ------------------------------------------


@dataclass(slots=True)
class IssuedTask:
    task_id: int
    status: str
    status_date: str | None
    progress_sent: str
    progress_full: str

    @property
    def status_text(self) -> str:
        return _status_text(self.status, self.status_date)


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
        record = IssueRecord(rid, token, plan_id, unit, Quarter.parse(quarter), at, {})
        result[token] = by_id[rid] = record
    if by_id:
        marks = ",".join("?" * len(by_id))
        for rid, tid, status, on, sent, full in ledger.db.execute(
                "SELECT issue_id, task_id, status, status_date, progress_sent, progress_full"
                f" FROM fill_in_issue_tasks WHERE issue_id IN ({marks})", list(by_id)):
            by_id[rid].tasks[tid] = IssuedTask(tid, status, on, sent, full)
    return result


def _status_text(status: str, on: str | None) -> str:
    return status + (f"({on})" if status == Status.DONE.value and on else "")


# -- gather up: what a reply says ----------------------------------------------------------


@dataclass(slots=True)
class ReplyRow:
    """One row of a reply's table, as text (row is the sheet's 1-based row)."""

    row: int
    key: str | None = None
    requirement: str = ""
    status: str = ""
    done_on: str = ""
    progress: str = ""
    evidence: str = ""
    seq: str = ""
    # The task text came from a cell merged down from the row above (a colleague merged
    # two rows' 任务内容): it names the task above, not this one, so it is not matched on.
    merged_text: bool = False

    @property
    def filled(self) -> bool:
        return any(v.strip() for v in (self.status, self.done_on, self.progress, self.evidence))


@dataclass(slots=True)
class SentState:
    """What the fill-in said for a task when it was sent (from the hidden key sheet)."""

    task_id: int
    checksum: str = ""
    status: str = ""
    status_date: str = ""
    progress_checksum: str = ""


@dataclass(slots=True)
class Reply:
    path: Path
    saved_at: datetime
    rows: list[ReplyRow]
    unit: str | None = None
    quarter: Quarter | None = None
    plan_sha: str | None = None
    plan_title: str | None = None
    generated_at: datetime | None = None
    filled_by: str | None = None
    sheet: str = ""
    sent: dict[str, SentState] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    issue_id: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        return f"{self.unit}报送表" if self.unit else f"“{self.name}”"


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.\u5e74]\s*(\d{1,2})\s*[-/.\u6708]\s*(\d{1,2})\s*[\u65e5\u53f7]?"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[\u6708/.\-]\s*(\d{1,2})\s*[\u65e5\u53f7]?$")


def parse_reply_date(text: str | None, year: int | None = None) -> date | None:
    """A completion date as units type it: 2023-09-20, 2023/9/20, 2023.9.20,
    2023年9月20日, 20230920, 9月20日 (the quarter's year), an Excel serial number;
    ``None`` for a blank cell. Raises ValueError for anything else."""
    value = (text or "").strip()
    if not value:
        return None
    value = unicodedata.normalize("NFKC", value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _MONTH_DAY.match(value)
    if match and year:
        return date(year, int(match.group(1)), int(match.group(2)))
    if re.fullmatch(r"\d{5}(\.0+)?", value):  # a date cell read as its serial number
        serial = int(float(value))
        if 30000 <= serial <= 80000:
            return date.fromordinal(date(1899, 12, 30).toordinal() + serial)
    raise ValueError(value)


# -- gather up: the preview -------------------------------------------------------------------


class ChangeField(StrEnum):
    STATUS = "status"
    PROGRESS = "progress"
    EVIDENCE = "evidence"


FIELD_NAMES = {ChangeField.STATUS: "完成状态", ChangeField.PROGRESS: "进展情况",
               ChangeField.EVIDENCE: "佐证材料说明"}

NO_RECORD = "这份报送表在本台账中没有下发记录,无法确认对方依据的是哪一版内容,请核对后再决定是否写入"


@dataclass(slots=True)
class Change:
    """One value a reply would write into the ledger: ``issued`` is the value the
    unit's fill-in was issued with (None when the ledger has no issue record),
    ``old`` what the ledger holds now, ``new`` what the reply says."""

    task_id: int
    seq: int
    task_text: str
    field: ChangeField
    old: str
    new: str
    quarter: Quarter
    source: str
    unit: str
    row: int
    saved_at: datetime
    status: Status | None = None
    on: date | None = None
    text: str = ""  # progress or evidence text to write
    conflict: str | None = None
    note: str | None = None
    matched_by: str = "key"
    plan_id: int = 0
    issued: str | None = None
    part_of: str | None = None  # a shared note: the unit whose labelled part this writes
    base: str = ""  # what the ledger held at preview time, for the check at apply time

    @property
    def field_name(self) -> str:
        if self.field == ChangeField.PROGRESS:
            return f"{self.quarter.label}进展" + (f"(【{self.part_of}】部分)" if self.part_of else "")
        return FIELD_NAMES[self.field]

    @property
    def where(self) -> str:
        return f"{self.unit or self.source} 第 {self.row} 行"

    def slot(self) -> tuple[int, str, str, str]:
        """What the change writes to: two changes with one slot compete. Each unit's
        part of a shared note is a slot of its own."""
        if self.field == ChangeField.STATUS:
            return (self.task_id, self.field.value, "", "")
        return (self.task_id, self.field.value, str(self.quarter), self.part_of or "")


@dataclass(slots=True)
class Unmatched:
    """A row (``row`` 0: the whole reply) that is not merged, and why."""

    source: str
    row: int
    text: str
    reason: str

    @property
    def where(self) -> str:
        return f"{self.source} 第 {self.row} 行" if self.row else self.source


@dataclass(slots=True)
class MergePreview:
    replies: list[Reply]
    changes: list[Change]
    unmatched: list[Unmatched]
    problems: list[str]
    plan_ids: list[int]
    unchanged_rows: int = 0
    refused: list[Unmatched] = field(default_factory=list)  # known tasks the reply may not change

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.conflict]

    @property
    def clean(self) -> list[Change]:
        return [c for c in self.changes if not c.conflict]

    def only(self, seqs: set[int]) -> MergePreview:
        """The same preview restricted to tasks with these 序号."""
        return replace(self, changes=[c for c in self.changes if c.seq in seqs])


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.astimezone()


def _fmt(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _PlanIndex:
    """One plan's tasks, by id and by squashed requirement; which are shared."""

    def __init__(self, ledger: Ledger, plan: Plan) -> None:
        self.plan = plan
        self.tasks: dict[int, Task] = {}
        self.by_text: dict[str, list[int]] = defaultdict(list)
        for task in ledger.tasks(plan.id):
            self.tasks[task.id] = task
            self.by_text[squash_text(task.requirement)].append(task.id)
        self.shared = shared_tasks(ledger, plan.id)
        self.notes = _notes_by_task(ledger, list(self.tasks))


def _notes_by_task(ledger: Ledger, task_ids: list[int]) -> dict[tuple[int, str], set[str]]:
    result: dict[tuple[int, str], set[str]] = defaultdict(set)
    for start in range(0, len(task_ids), 900):
        chunk = task_ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for tid, quarter, name in ledger.db.execute(
                f"SELECT task_id, quarter, name FROM evidence WHERE kind = 'note' AND removed_at IS NULL"
                f" AND task_id IN ({marks})", chunk):
            result[(tid, quarter)].add(squash_text(name))
    return result


@dataclass(slots=True)
class _Scope:
    """What one reply may change: tasks of one plan, for one unit and quarter."""

    plan: Plan
    unit: str
    quarter: Quarter
    allowed: set[int]
    record: IssueRecord | None


def _scope(ledger: Ledger, reply: Reply, record: IssueRecord | None, plans: list[Plan],
           plan_id: int | None, default_q: Quarter | None, problems: list[str]) -> _Scope | str | None:
    """The reply's scope; a reason (str) to refuse the whole reply; or None to skip it
    (it belongs to a plan other than the one the clerk named)."""
    by_id = {p.id: p for p in plans}
    if record is not None:
        plan = by_id[record.plan_id]
        if plan_id is not None and plan.id != plan_id:
            problems.append(f"{reply.name}:这份报送表属于分解表 {plan.id}({plan.title}),"
                            f"不是指定的分解表 {plan_id},已跳过。")
            return None
        said = []
        if reply.unit and printable_text(reply.unit) != printable_text(record.unit):
            said.append(f"单位“{reply.unit}”")
        if reply.quarter and reply.quarter != record.quarter:
            said.append(f"季度“{reply.quarter.label}”")
        if reply.plan_sha and not plan.source_sha256.lower().startswith(reply.plan_sha.lower()):
            said.append("所属分解表")
        if said:
            return (f"表中注明的{'、'.join(said)}与下发记录不符(这份填报表于 {record.issued_at[:19].replace('T', ' ')}"
                    f" 下发给“{record.unit}”,填报{record.quarter.label}),表内的编码信息可能被改动过。"
                    "请让对方在下发的原填报表中填写后重新报送")
        return _Scope(plan, record.unit, record.quarter, set(record.tasks), record)

    why = ("下发编号在本台账中没有记录(可能来自其他台账,或分解表已被删除)" if reply.issue_id
           else "表中没有下发编号(可能由旧版本程序生成,或隐藏的编码工作表被删除)")
    plan: Plan | None = None
    if reply.plan_sha:
        plan = next((p for p in plans if p.source_sha256.lower().startswith(reply.plan_sha.lower())), None)
        if plan is None:
            return ("这份报送表所属的分解表不在本台账中(可能来自其他台账或已删除)。"
                    "为免写到其他分解表的同名任务上,不按任务内容对应")
        if plan_id is not None and plan.id != plan_id:
            problems.append(f"{reply.name}:这份报送表属于分解表 {plan.id}({plan.title}),"
                            f"不是指定的分解表 {plan_id},已跳过。")
            return None
    elif plan_id is not None:
        plan = by_id.get(plan_id) or ledger.plan(plan_id)
    else:
        year = (reply.quarter or default_q).year if (reply.quarter or default_q) else None
        fitting = [p for p in plans if year is None or p.year == year]
        if len(fitting) != 1:
            return "无法确定这份报送表属于哪个分解表,请指定分解表后再汇总(命令行加 --plan 编号)"
        plan = fitting[0]
    quarter = reply.quarter or default_q or default_quarter(plan.year)
    if quarter.year != plan.year:
        return (f"报送表填报的是{quarter.label},不属于{plan.year}年的分解表《{plan.title}》;"
                "往年的报送表不汇总到新一年的分解表中")
    if not reply.unit:
        return f"{why},表中也没有注明填报单位,无法确认它可以修改哪些任务"
    allowed = set(unit_tasks(ledger, plan.id, reply.unit))
    if not allowed:
        return f"{why};表中注明的填报单位“{reply.unit}”在分解表 {plan.id} 中没有任务(单位名称可能被改过)"
    problems.append(f"{reply.name}:{why}。只对应“{reply.unit}”现有的任务,每一处修改都列为冲突,"
                    "请逐项核对后再写入。")
    return _Scope(plan, reply.unit, quarter, allowed, None)


def preview_merge(ledger: Ledger, replies: list[Reply], *, plan_id: int | None = None,
                  problems: list[str] | None = None, default_quarter: Quarter | None = None,
                  today: date | None = None) -> MergePreview:
    """What merging these replies would change; writes nothing.

    Each reply is judged against the record of the fill-in it answers (its issue id):
    it may change only the tasks that fill-in was issued with, for that plan and
    quarter; a value that the ledger changed since the fill-in was issued is a
    conflict. A reply with no issue record in this ledger is held to its unit's current
    tasks in one plan, and every change it brings is a conflict for the clerk to check."""
    today = today or date.today()
    problems = list(problems or [])
    plans = ledger.plans()
    if not plans:
        raise UserError("台账中还没有任何分解表,无法汇总报送表。请先导入任务分解表。")
    if plan_id is not None:
        ledger.plan(plan_id)  # a clear message for a wrong number
    records = issue_records(ledger, [r.issue_id or "" for r in replies])
    indexes: dict[int, _PlanIndex] = {}

    changes: list[Change] = []
    unmatched: list[Unmatched] = []
    refused: list[Unmatched] = []
    unchanged = 0
    used_plans: dict[int, None] = {}
    for reply in replies:
        problems.extend(f"{reply.name}:{note}" for note in reply.notes)
        scope = _scope(ledger, reply, records.get(reply.issue_id or ""), plans, plan_id, default_quarter,
                       problems)
        if scope is None:
            continue
        if isinstance(scope, str):
            refused.append(Unmatched(reply.name, 0, f"全部 {len(reply.rows)} 行", scope))
            continue
        index = indexes.get(scope.plan.id)
        if index is None:
            index = indexes[scope.plan.id] = _PlanIndex(ledger, scope.plan)
        sent_by_task = {s.task_id: s for s in reply.sent.values()} if scope.record is None else {}
        for row in reply.rows:
            task_id, how, reason = _match(ledger, row, index)
            if task_id is None:
                if reason and (row.key or row.filled or row.requirement):
                    target = refused if how == "refused" else unmatched
                    target.append(Unmatched(reply.name, row.row, _short(row.requirement or row.key or "", 40),
                                            reason))
                continue
            task = index.tasks[task_id]
            if task_id not in scope.allowed:
                if row.filled:
                    whose = "下发给该单位的填报表中没有这一项" if scope.record else "该单位在分解表中没有这项任务"
                    refused.append(Unmatched(reply.name, row.row, _short(task.requirement, 40),
                                             f"序号 {task.seq} 不是“{scope.unit}”的任务({whose}),未汇总"))
                continue
            used_plans.setdefault(scope.plan.id, None)
            found = _row_changes(reply, row, task, scope, index, sent_by_task.get(task_id), how, today, problems)
            if not found and row.filled:
                unchanged += 1
            changes.extend(found)
    changes = _settle_competition(changes)
    changes.sort(key=lambda c: (c.seq, list(ChangeField).index(c.field), c.saved_at))
    return MergePreview(replies=replies, changes=changes, unmatched=unmatched, problems=problems,
                        plan_ids=list(used_plans), unchanged_rows=unchanged, refused=refused)


def _match(ledger: Ledger, row: ReplyRow, index: _PlanIndex) -> tuple[int | None, str, str]:
    """(task id, how, reason when None); how is "refused" for a key that names a task
    of another plan (a row edited to point outside the reply's plan)."""
    by_key: int | None = None
    key_problem = ""
    parsed = parse_key(row.key)
    if parsed is not None:
        prefix, tid = parsed
        if tid in index.tasks and index.plan.source_sha256.lower().startswith(prefix):
            by_key = tid
        else:
            elsewhere = ledger.db.execute("SELECT plan_id FROM tasks WHERE id = ?", [tid]).fetchone()
            if elsewhere is not None and elsewhere[0] != index.plan.id:
                return None, "refused", (f"编码指向分解表 {elsewhere[0]} 中的任务,"
                                         "不是这份报送表所属的分解表,未汇总")
            key_problem = "编码对应的任务已不在台账中"
    elif row.key:
        key_problem = "编码无法识别"
    text = "" if row.merged_text else squash_text(row.requirement)
    by_text = index.by_text.get(text, []) if text else []
    if by_key is not None:
        key_text = squash_text(index.tasks[by_key].requirement)
        if not text or text == key_text or not by_text:
            return by_key, "key", ""
        if len(by_text) == 1:
            return by_text[0], "text-over-key", ""
        return by_key, "key", ""
    if len(by_text) == 1:
        return by_text[0], "text", ""
    if len(by_text) > 1:
        return None, "", "任务内容在台账中对应多项任务,无法确定是哪一项"
    if key_problem:
        return None, "", key_problem + (",任务内容也找不到" if text else "")
    if row.merged_text:
        return None, "", "没有编码,任务内容单元格与上一行合并了,无法确定是哪一项任务"
    if not text:
        return None, "", "没有编码,也没有任务内容"
    return None, "", "没有编码,任务内容在台账中找不到(可能被修改过)"


_MATCH_NOTES = {
    "text": "编码缺失,已按任务内容对应",
    "text-over-key": "编码与任务内容不一致,已按任务内容对应",
}


def _join(*reasons: str | None) -> str | None:
    return ";".join(r for r in reasons if r) or None


def _row_changes(reply: Reply, row: ReplyRow, task: Task, scope: _Scope, index: _PlanIndex,
                 sent: SentState | None, how: str, today: date, problems: list[str]) -> list[Change]:
    saved = reply.saved_at
    quarter = scope.quarter
    issued = scope.record.tasks.get(task.id) if scope.record is not None else None
    no_record = NO_RECORD if scope.record is None else None
    base: dict[str, Any] = {
        "task_id": task.id, "seq": task.seq, "task_text": _short(task.requirement), "quarter": quarter,
        "source": reply.name, "unit": scope.unit, "row": row.row, "saved_at": saved,
        "matched_by": how, "note": _MATCH_NOTES.get(how), "plan_id": scope.plan.id}
    where = f"{reply.name} 第 {row.row} 行"
    result: list[Change] = []

    # 完成状态 / 完成时间
    status: Status | None = None
    if row.status.strip():
        try:
            status = Status.parse(row.status)
        except UserError:
            problems.append(f"{where}:无法识别的完成状态“{row.status.strip()}”"
                            f"(应为{'、'.join(STATUS_CHOICES)}之一),该行的状态未汇总。")
    on: date | None = None
    if row.done_on.strip():
        try:
            on = parse_reply_date(row.done_on, quarter.year)
        except ValueError:
            problems.append(f"{where}:无法识别的完成时间“{row.done_on.strip()}”,请写成 2023-09-20 这样的日期。")
    sent_date = issued.status_date if issued is not None else (sent.status_date if sent is not None else None)
    sent_status = issued.status if issued is not None else (sent.status if sent is not None else None)
    if status is None and on is not None and task.status == Status.DONE and not row.status.strip():
        status = Status.DONE  # only the date was corrected
    if on is not None and (status or task.status) != Status.DONE:
        if on.isoformat() != (sent_date or ""):  # typed by the unit, not left as sent
            problems.append(f"{where}:填写了完成时间 {on.isoformat()},但完成状态不是“已完成”,完成时间未汇总。")
        on = None
    if status is not None:
        current = _status_text(task.status.value, task.status_date.isoformat() if task.status_date else None)
        same = status == task.status and (status != Status.DONE or on is None or on == task.status_date)
        left_as_sent = sent_status is not None and status.value == sent_status and (
            status != Status.DONE or on is None or on.isoformat() == (sent_date or ""))
        if not same and not left_as_sent:
            effective = on or min(saved.astimezone().date(), today)
            moved = None
            if issued is not None and current != issued.status_text:
                moved = f"下发后台账中的完成状态已改变(下发时“{issued.status_text}”,现在“{current}”)"
            future = f"完成时间 {on.isoformat()} 在今天之后,请核对" if on is not None and on > today else None
            new = status.value + (f"({effective.isoformat()})" if status == Status.DONE else "")
            result.append(Change(**base, field=ChangeField.STATUS, old=current, new=new, status=status,
                                 on=effective, conflict=_join(moved, future, no_record),
                                 issued=issued.status_text if issued is not None else None, base=current))

    # 进展情况: the whole note, or on a shared task the unit's own labelled part
    text = row.progress.strip()
    if text:
        note = next((p for p in task.progress if p.quarter == str(quarter)), None)
        whole = note.text if note else ""
        part_of = printable_text(scope.unit) if task.id in index.shared else None
        if part_of:
            text = _unlabelled(text, part_of)
            current_text, view = unit_part(whole, part_of), own_view(whole, part_of)
        else:
            current_text, view = whole, squash_text(whole)
        if issued is not None:
            left_as_sent = squash_text(text) == squash_text(issued.progress_sent)
        else:
            left_as_sent = sent is not None and text_checksum(text) == sent.progress_checksum
        if squash_text(text) != squash_text(current_text) and not left_as_sent:
            moved = None
            if issued is not None:
                then = own_view(issued.progress_full, part_of) if part_of else squash_text(issued.progress_full)
                if then != view:
                    at = _parse_time(note.at) if note else None
                    moved = (f"下发后台账中{quarter.label}的进展已修改" + (f"({_fmt(at)})" if at else "")
                             + ",报送表是按下发时的内容填写的")
            result.append(Change(**base, field=ChangeField.PROGRESS, old=current_text, new=text, text=text,
                                 conflict=_join(moved, no_record), part_of=part_of, base=view,
                                 issued=issued.progress_sent if issued is not None else None))

    # 佐证材料说明: added as a note, never replacing anything
    described = row.evidence.strip()
    if described and squash_text(described) not in index.notes.get((task.id, str(quarter)), set()):
        result.append(Change(**base, field=ChangeField.EVIDENCE, old="", new=described, text=described,
                             conflict=no_record))
    return result


def _settle_competition(changes: list[Change]) -> list[Change]:
    """Two replies (or two rows) writing one slot: the same value is kept once; different
    values are all conflicts, for the clerk to choose. (Two units' parts of a shared
    note are different slots: both are kept.)"""
    by_slot: dict[tuple[int, str, str, str], list[Change]] = defaultdict(list)
    for change in changes:
        by_slot[change.slot()].append(change)
    result: list[Change] = []
    for slot, group in by_slot.items():
        distinct: dict[str, Change] = {}
        for change in group:
            distinct.setdefault(squash_text(change.new), change)
        if len(distinct) == 1:
            kept = next(iter(distinct.values()))
            if len(group) > 1:
                others = "、".join(sorted({c.unit or c.source for c in group if c is not kept}))
                extra = f"{others}填报相同" if others else f"另有 {len(group) - 1} 行填报相同"
                kept.note = f"{kept.note};{extra}" if kept.note else extra
                # stale if any of them is stale
                kept.conflict = kept.conflict or next((c.conflict for c in group if c.conflict), None)
            result.append(kept)
            continue
        if slot[1] == ChangeField.EVIDENCE.value:
            result.extend(distinct.values())  # different notes are all added
            continue
        for change in distinct.values():
            rivals = [c for c in distinct.values() if c is not change]
            said = ";".join(f"{c.where}填“{_short(c.new, 20)}”" for c in rivals)
            disagreement = f"与其他报送表不一致:{said}"
            change.conflict = f"{change.conflict};{disagreement}" if change.conflict else disagreement
            result.append(change)
    return result


# -- gather up: applying ---------------------------------------------------------------------


@dataclass(slots=True)
class ApplyResult:
    applied: list[Change] = field(default_factory=list)
    skipped_conflicts: list[Change] = field(default_factory=list)
    outdated: list[Change] = field(default_factory=list)  # the ledger changed after the preview
    superseded: list[Change] = field(default_factory=list)  # a later reply's value won
    merge_id: int | None = None  # the record `undo_merge` takes back

    @property
    def task_ids(self) -> list[int]:
        return sorted({c.task_id for c in self.applied})


def _auto_backup(ledger: Ledger, action: str) -> None:
    from .backup import auto_backup

    auto_backup(ledger, action)


def apply_merge(ledger: Ledger, changes: list[Change], *, force: bool = False) -> ApplyResult:
    """Write the chosen changes in ONE transaction through the ledger's own writers
    (设置状态, 填写进展, 添加佐证材料, each audited with the reply's unit as origin), one
    audit row for the whole merge, and a record of every value before and after so the
    merge can be undone (:func:`undo_merge`). The database is backed up first.

    Conflicts are written only with ``force``; of several chosen changes to one slot
    the one from the latest-saved reply wins. A change whose ledger value is no longer
    what the preview saw (someone edited the task after the preview) is not written.
    """
    result = ApplyResult()
    chosen: list[Change] = []
    for change in changes:
        (chosen if force or not change.conflict else result.skipped_conflicts).append(change)
    winners: dict[tuple, Change] = {}
    for change in sorted(chosen, key=lambda c: c.saved_at):
        slot: tuple = change.slot()
        if change.field == ChangeField.EVIDENCE:
            slot = slot + (squash_text(change.text),)
        if slot in winners:
            result.superseded.append(winners[slot])
        winners[slot] = change
    final = sorted(winners.values(), key=lambda c: (c.seq, list(ChangeField).index(c.field)))
    if not final:
        return result
    _auto_backup(ledger, "汇总")
    plan_ids = sorted({c.plan_id for c in final})
    sources = sorted({c.source for c in final})
    with ledger.change("汇总报送表", "plan", plan_ids[0] if len(plan_ids) == 1 else None,
                       after={"files": sources}) as record:
        merge_id = ledger.db.execute("INSERT INTO merges (at, by, files) VALUES (?, ?, ?)",
                                     [now_text(), ledger.user, json.dumps(sources, ensure_ascii=False)]).lastrowid
        for change in final:
            task = _still_current(ledger, change)
            if task is not None:
                _write(ledger, change, merge_id, task)
                result.applied.append(change)
            else:
                result.outdated.append(change)
        if result.applied:
            result.merge_id = merge_id
        else:
            ledger.db.execute("DELETE FROM merges WHERE id = ?", [merge_id])
        record["after"] = {"merge": result.merge_id, "files": sources, "changes": len(result.applied),
                           "tasks": len({c.task_id for c in result.applied})}
    return result


def _note_of(task: Task, quarter: Quarter | str) -> str:
    return next((p.text for p in task.progress if p.quarter == str(quarter)), "")


def _still_current(ledger: Ledger, change: Change) -> Task | None:
    """The task as it is now, if what the change is based on is still what it holds."""
    try:
        task = ledger.task(change.task_id)
    except NotFoundError:
        return None
    if change.field == ChangeField.STATUS:
        on = task.status_date.isoformat() if task.status_date else None
        current = _status_text(task.status.value, on) == change.base
    elif change.field == ChangeField.PROGRESS:
        whole = _note_of(task, change.quarter)
        current = (own_view(whole, change.part_of) if change.part_of else squash_text(whole)) == change.base
    else:
        current = True
    return task if current else None


def _write(ledger: Ledger, change: Change, merge_id: int, task: Task | None = None) -> None:
    """One change through the ledger's writers (``task``: as it is now, if at hand),
    and its record for undo."""
    from .evidence import attach_note

    origin = f"汇总:{change.unit or change.source}"
    tid = change.task_id
    task = task or ledger.task(tid)
    before: dict[str, Any]
    after: dict[str, Any]
    if change.field == ChangeField.STATUS:
        assert change.status is not None and change.on is not None
        before = {"status": task.status.value,
                  "status_date": task.status_date.isoformat() if task.status_date else None}
        after = {"status": change.status.value, "status_date": change.on.isoformat()}
        if change.status == task.status and task.status_date is not None:
            ledger.set_status_date(tid, change.on, origin=origin)  # the date corrected: one fact
            after["kind"] = "date"
        else:
            after["entry"] = ledger.set_status(tid, change.status, change.on, origin=origin)
    elif change.field == ChangeField.PROGRESS:
        whole = _note_of(task, change.quarter)
        new = (with_unit_part(whole, change.part_of, change.text) if change.part_of else change.text).strip()
        ledger.set_progress(tid, change.quarter, new, expected=whole, origin=origin)
        before = {"text": whole}
        after = {"text": new, "part_of": change.part_of}
    else:
        item = attach_note(ledger, tid, change.text, change.quarter)
        before = {}
        after = {"evidence": item.id, "name": item.name}
    ledger.db.execute(
        "INSERT INTO merge_changes (merge_id, task_id, field, quarter, before, after, source, unit, row)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [merge_id, tid, change.field.value, str(change.quarter), json.dumps(before, ensure_ascii=False),
         json.dumps(after, ensure_ascii=False), change.source, change.unit, change.row])


# -- undoing a merge ----------------------------------------------------------------------------


@dataclass(slots=True)
class MergeRecord:
    id: int
    at: str
    by: str
    files: list[str]
    changes: int
    pending: int  # values not yet taken back

    @property
    def undone(self) -> bool:
        return self.pending == 0


def merge_history(ledger: Ledger, limit: int = 20) -> list[MergeRecord]:
    """Applied merges, newest first."""
    rows = ledger.db.execute(
        "SELECT m.id, m.at, m.by, m.files, COUNT(c.id), SUM(c.undone_at IS NULL) FROM merges m"
        " LEFT JOIN merge_changes c ON c.merge_id = m.id GROUP BY m.id ORDER BY m.id DESC LIMIT ?",
        [limit]).fetchall()
    return [MergeRecord(i, at, by, json.loads(files or "[]"), n, pending or 0)
            for i, at, by, files, n, pending in rows]


@dataclass(slots=True)
class UndoResult:
    merge_id: int
    files: list[str]
    restored: list[str] = field(default_factory=list)  # what was put back
    edited: list[str] = field(default_factory=list)  # changed since the merge: left as they are
    task_ids: list[int] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.edited


@dataclass(slots=True)
class _Done:
    id: int
    task_id: int
    field: str
    quarter: str
    before: dict[str, Any]
    after: dict[str, Any]
    unit: str


def undo_merge(ledger: Ledger, merge_id: int | None = None, *, force: bool = False) -> UndoResult:
    """Take back what an applied merge wrote (the latest one unless ``merge_id`` is
    given): every value still as the merge left it is restored; a value edited since is
    listed in ``edited`` and left alone unless ``force``. One transaction with one
    audit row for the undo (the writers it calls add their own, marked 撤销汇总)."""
    if merge_id is None:
        row = ledger.db.execute(
            "SELECT m.id FROM merges m WHERE EXISTS (SELECT 1 FROM merge_changes c WHERE c.merge_id = m.id"
            " AND c.undone_at IS NULL) ORDER BY m.id DESC LIMIT 1").fetchone()
        if row is None:
            raise UserError("没有可以撤销的汇总:台账中没有写入过报送表,或都已撤销。")
        merge_id = row[0]
    found = ledger.db.execute("SELECT files FROM merges WHERE id = ?", [merge_id]).fetchone()
    if found is None:
        raise NotFoundError(f"台账中没有编号为 {merge_id} 的汇总。汇总编号在写入时显示,也可在“操作记录”中查到。")
    files = json.loads(found[0] or "[]")
    pending = [_Done(i, tid, fld, q, json.loads(b or "{}"), json.loads(a or "{}"), unit)
               for i, tid, fld, q, b, a, unit in ledger.db.execute(
                   "SELECT id, task_id, field, quarter, before, after, unit FROM merge_changes"
                   " WHERE merge_id = ? AND undone_at IS NULL ORDER BY id DESC", [merge_id])]
    if not pending:
        raise UserError(f"汇总 {merge_id}({'、'.join(files)})已经撤销过了。")
    result = UndoResult(merge_id, files)
    _auto_backup(ledger, "撤销汇总")
    origin = f"撤销汇总 {merge_id}"
    with ledger.change("撤销汇总", "merge", merge_id, before={"merge": merge_id, "files": files}) as record:
        for done in pending:
            task = ledger.task(done.task_id)
            label = f"序号 {task.seq}“{_short(task.requirement, 20)}”"
            changed_since = _undo_one(ledger, done, task, origin, force, label)
            if changed_since is not None and not force:
                result.edited.append(changed_since)
                continue
            result.restored.append(changed_since or _describe_done(done, label))
            result.task_ids.append(done.task_id)
            ledger.db.execute("UPDATE merge_changes SET undone_at = ? WHERE id = ?", [now_text(), done.id])
        left = ledger.db.execute("SELECT COUNT(*) FROM merge_changes WHERE merge_id = ? AND undone_at IS NULL",
                                 [merge_id]).fetchone()[0]
        if not left:
            ledger.db.execute("UPDATE merges SET undone_at = ?, undone_by = ? WHERE id = ?",
                              [now_text(), ledger.user, merge_id])
        record["after"] = {"merge": merge_id, "restored": result.restored, "kept": result.edited}
    result.task_ids = sorted(set(result.task_ids))
    return result


def _describe_done(done: _Done, label: str) -> str:
    if done.field == ChangeField.STATUS.value:
        return (f"{label} 完成状态恢复为“{_status_text(done.before.get('status', ''), done.before.get('status_date'))}”")
    if done.field == ChangeField.PROGRESS.value:
        return f"{label} {Quarter.parse(done.quarter).label}进展恢复为汇总前的内容"
    return f"{label} 删除汇总添加的佐证材料说明“{_short(done.after.get('name', ''), 20)}”(移到回收站)"


def _undo_one(ledger: Ledger, done: _Done, task: Task, origin: str, force: bool, label: str) -> str | None:
    """Restore one value if it is still as the merge left it (or ``force``). Returns
    None when it was, else a description of how it changed since."""
    from .evidence import evidence_by_id, remove

    tid = done.task_id
    if done.field == ChangeField.STATUS.value:
        now = _status_text(task.status.value, task.status_date.isoformat() if task.status_date else None)
        wrote = _status_text(done.after["status"], done.after["status_date"])
        then = _status_text(done.before["status"], done.before.get("status_date"))
        entry = done.after.get("entry")
        exists = entry is not None and ledger.db.execute(
            "SELECT 1 FROM status_history WHERE id = ?", [entry]).fetchone() is not None
        edited = None if now == wrote and (exists or done.after.get("kind") == "date") else \
            f"{label} 完成状态:汇总写入“{wrote}”,现在是“{now}”"
        if edited is not None and not force:
            return edited
        if done.after.get("kind") == "date":
            if task.status.value == done.before["status"] and done.before.get("status_date"):
                ledger.set_status_date(tid, date.fromisoformat(done.before["status_date"]), origin=origin)
            return edited
        if exists:
            ledger.remove_status_entries([entry])
        restored = ledger.task(tid)
        on = restored.status_date.isoformat() if restored.status_date else None
        if _status_text(restored.status.value, on) != then:
            day = done.before.get("status_date")
            ledger.set_status(tid, Status(done.before["status"]), date.fromisoformat(day) if day else None,
                              origin=origin)
        return edited
    if done.field == ChangeField.PROGRESS.value:
        quarter = Quarter.parse(done.quarter)
        whole = next((p.text for p in task.progress if p.quarter == done.quarter), "")
        part_of = done.after.get("part_of")
        before, wrote = done.before.get("text", ""), done.after.get("text", "")
        if part_of:
            same = own_view(whole, part_of) == own_view(wrote, part_of)
            target = with_unit_part(whole, part_of, unit_part(before, part_of))
            shown = unit_part(whole, part_of) or whole
        else:
            same = squash_text(whole) == squash_text(wrote)
            target, shown = before, whole
        edited = None if same else f"{label} {quarter.label}进展:汇总后又被修改,现在是“{_short(shown, 30) or '(空)'}”"
        if edited is not None and not force:
            return edited
        ledger.set_progress(tid, quarter, target, origin=origin)
        return edited
    evidence_id = done.after.get("evidence")
    if evidence_id is not None:
        try:
            item = evidence_by_id(ledger, evidence_id)
        except NotFoundError:
            return None
        if item.removed_at is None:
            remove(ledger, evidence_id)
    return None


def describe_reply(reply: Reply) -> str:
    """One line about a reply for previews: whose, which quarter, when saved."""
    parts = [reply.unit or "(未注明单位)"]
    if reply.quarter:
        parts.append(reply.quarter.label)
    parts.append(f"保存于 {_fmt(reply.saved_at)}")
    parts.append(f"{len(reply.rows)} 行")
    return f"{reply.name}({','.join(parts)})"


def summary_counts(preview: MergePreview) -> dict[str, Any]:
    return {"changes": len(preview.clean), "conflicts": len(preview.conflicts),
            "unmatched": len(preview.unmatched), "refused": len(preview.refused),
            "problems": len(preview.problems)}
