"""Excel 交换 without Excel: what a fill-in workbook carries, and how replies merge back.

Send down (下发): :func:`fill_in_for` gathers one unit's tasks for a quarter (tasks it
leads or cooperates on, and tasks given to a group it belongs to). Each row carries a
stable key, ``zwgk:<plan sha prefix>:<task id>``, and the workbook keeps, for every
key, a checksum of the task text and the values as sent (状态, 完成时间, 进展). The
writer is io/fill_in.py; this module decides what goes in.

Gather up (汇总): io/reply_reader.py turns a reply into a :class:`Reply`;
:func:`preview_merge` matches its rows to tasks (by key; by the task text, white space
ignored, when the key is gone or contradicts the text) and lists every change with the
old and the new value, the conflicts, and the rows it could not match. Nothing is
written until :func:`apply_merge`, which applies the changes the clerk chose in one
transaction, with an audit row for each change and one for the whole merge.

What counts as a change, per task field (the three-way rule):

* a blank cell never clears anything;
* a value equal to the ledger's is no change;
* a value equal to what was sent is no change either: the unit left it as it was,
  and the ledger may have moved on since (the clerk's later edit is not reverted);
* otherwise it is a change, and a **conflict** when the ledger's value was changed
  after the reply was saved (the reply is older than what the ledger holds), or when
  another reply gives the same task a different value. Conflicts are applied only
  when the clerk says so (``force``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import UserError
from .ledger import Ledger, now_text
from .model import Evidence, Plan, Status, Task
from .quarters import Quarter
from .unit_directory import unit_tasks
from .units import Role

__all__ = [
    "ApplyResult",
    "Change",
    "ChangeField",
    "FillIn",
    "FillInRow",
    "MergePreview",
    "PlanLayout",
    "Reply",
    "ReplyRow",
    "SentState",
    "Unmatched",
    "apply_merge",
    "default_quarter",
    "describe_reply",
    "evidence_text",
    "fill_in_for",
    "parse_key",
    "parse_reply_date",
    "plan_layout",
    "preview_merge",
    "squash_text",
    "task_key",
    "text_checksum",
    "units_text_by_task",
]

# -- the shared vocabulary of the workbooks --------------------------------------------

FORMAT_NAME = "zwgk-fill-in"
FORMAT_VERSION = "1"
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

STATUS_CHOICES = [s.value for s in Status]

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


# -- the plan's own layout ----------------------------------------------------------------


@dataclass(slots=True)
class PlanLayout:
    """The columns of the imported table as printed, and which meant what
    (heading/requirement/units/cooperate/deadline/seq/title -> column indexes)."""

    columns: list[str]
    mapping: dict[str, list[int]]


def plan_layout(ledger: Ledger, plan_id: int) -> PlanLayout:
    import json

    row = ledger.db.execute("SELECT columns, mapping FROM plans WHERE id = ?", [plan_id]).fetchone()
    if row is None:
        ledger.plan(plan_id)  # raises the usual NotFoundError
    columns = json.loads(row[0] or "[]")
    mapping = {k: [int(c) for c in v] for k, v in json.loads(row[1] or "{}").items()}
    return PlanLayout(columns=[str(c) for c in columns], mapping=mapping)


def units_text_by_task(ledger: Ledger, plan_id: int) -> dict[int, str]:
    """The 责任单位 cell of each task exactly as printed."""
    return dict(ledger.db.execute("SELECT id, units_text FROM tasks WHERE plan_id = ?", [plan_id]).fetchall())


def evidence_text(items: list[Evidence], quarter: Quarter | None = None) -> str:
    """Evidence for a printed table: file names, page titles with their address, notes;
    one per line, up to the given quarter (a report for 三季度 leaves out 四季度)."""
    lines: list[str] = []
    for item in sorted(items, key=lambda e: (e.quarter, e.id)):
        if quarter is not None and _quarter_key(item.quarter) > (quarter.year, quarter.number):
            continue
        if item.kind == "url" and item.url:
            line = item.url if item.name in ("", item.url) else f"{item.name} {item.url}"
        else:
            line = item.name
        if line and line not in lines:
            lines.append(line)
    return "\n".join(lines)


def _quarter_key(text: str) -> tuple[int, int]:
    try:
        q = Quarter.parse(text)
    except UserError:
        return (0, 0)
    return (q.year, q.number)


def _default_quarter(plan_year: int, today: date | None = None) -> Quarter:
    return default_quarter(plan_year, today)


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
    progress: str
    checksum: str
    progress_checksum: str


@dataclass(slots=True)
class FillIn:
    """Everything one unit's fill-in workbook says."""

    plan: Plan
    unit: str
    quarter: Quarter
    generated_at: str
    rows: list[FillInRow]
    sender: str = ""

    @property
    def file_name(self) -> str:
        return fill_in_file_name(self.unit, self.quarter)


_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_part(name: str, limit: int = 60) -> str:
    """A name usable in a Windows file name: no <>:"/\\|?*, no trailing dot or space."""
    text = _UNSAFE_CHARS.sub("_", name).strip().rstrip(". ")
    text = text[:limit].rstrip(". ") or "未命名单位"
    return f"_{text}" if text.upper() in _RESERVED else text


def fill_in_file_name(unit: str, quarter: Quarter) -> str:
    """区发改局-2023年第三季度填报表.xlsx"""
    return f"{safe_file_part(unit)}-{quarter.label}填报表.xlsx"


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
    rows: list[FillInRow] = []
    for task_id, (role, via) in mine.items():
        task = tasks.get(task_id)
        if task is None:
            continue
        progress = next((p.text for p in task.progress if p.quarter == str(quarter)), "")
        role_text = ROLE_NAMES[role] + (f"(作为{'、'.join(via)}成员)" if via else "")
        rows.append(FillInRow(
            task_id=task.id, key=task_key(plan.source_sha256, task.id), seq=task.seq,
            section=task.section[-1] if task.section else "", title=task.title, requirement=task.requirement,
            units_text="、".join(u.name for u in task.units) or units_text.get(task.id, ""),
            role=role_text, deadline_text=task.deadline_text, status=task.status,
            status_date=task.status_date if task.status == Status.DONE else None,
            progress=progress, checksum=text_checksum(task.requirement),
            progress_checksum=text_checksum(progress)))
    rows.sort(key=lambda r: r.seq)
    return FillIn(plan=plan, unit=unit, quarter=quarter, generated_at=now_text(), rows=rows,
                  sender=sender)


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


@dataclass(slots=True)
class Change:
    """One value a reply would write into the ledger."""

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

    @property
    def field_name(self) -> str:
        if self.field == ChangeField.PROGRESS:
            return f"{self.quarter.label}进展"
        return FIELD_NAMES[self.field]

    @property
    def where(self) -> str:
        return f"{self.unit or self.source} 第 {self.row} 行"

    def slot(self) -> tuple[int, str, str]:
        """What the change writes to: two changes with one slot compete."""
        return (self.task_id, self.field.value, str(self.quarter) if self.field != ChangeField.STATUS else "")


@dataclass(slots=True)
class Unmatched:
    source: str
    row: int
    text: str
    reason: str


@dataclass(slots=True)
class MergePreview:
    replies: list[Reply]
    changes: list[Change]
    unmatched: list[Unmatched]
    problems: list[str]
    plan_ids: list[int]
    unchanged_rows: int = 0

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
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _PlanIndex:
    """Tasks of the candidate plans, by id and by squashed requirement."""

    def __init__(self, ledger: Ledger, plans: list[Plan]) -> None:
        self.plans = {p.id: p for p in plans}
        self.tasks: dict[int, Task] = {}
        self.by_text: dict[str, list[int]] = defaultdict(list)
        self.plan_of_task: dict[int, int] = {}
        for plan in plans:
            for task in ledger.tasks(plan.id):
                self.tasks[task.id] = task
                self.plan_of_task[task.id] = plan.id
                self.by_text[squash_text(task.requirement)].append(task.id)


def _status_times(ledger: Ledger, task_ids: list[int]) -> dict[int, datetime]:
    result: dict[int, datetime] = {}
    for start in range(0, len(task_ids), 900):
        chunk = task_ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for tid, at in ledger.db.execute(
                f"SELECT task_id, MAX(recorded_at) FROM status_history WHERE task_id IN ({marks})"
                " GROUP BY task_id", chunk):
            moment = _parse_time(at)
            if moment is not None:
                result[tid] = moment
    return result


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


def _plans_for(ledger: Ledger, replies: list[Reply], plan_id: int | None) -> tuple[dict[str, Plan], list[Plan]]:
    plans = ledger.plans()
    if not plans:
        raise UserError("台账中还没有任何分解表,无法汇总报送表。请先导入任务分解表。")
    by_prefix: dict[str, Plan] = {}
    for reply in replies:
        if reply.plan_sha and reply.plan_sha not in by_prefix:
            match = [p for p in plans if p.source_sha256.lower().startswith(reply.plan_sha)]
            if match:
                by_prefix[reply.plan_sha] = match[0]
    if plan_id is not None:
        candidates = [ledger.plan(plan_id)]
    else:
        candidates = plans
    return by_prefix, candidates


def preview_merge(ledger: Ledger, replies: list[Reply], *, plan_id: int | None = None,
                  problems: list[str] | None = None, default_quarter: Quarter | None = None,
                  today: date | None = None) -> MergePreview:
    """What merging these replies would change; writes nothing."""
    today = today or date.today()
    problems = list(problems or [])
    by_prefix, candidates = _plans_for(ledger, replies, plan_id)
    index = _PlanIndex(ledger, candidates + [p for p in by_prefix.values() if p not in candidates])
    all_ids = list(index.tasks)
    status_time = _status_times(ledger, all_ids)
    notes = _notes_by_task(ledger, all_ids)

    changes: list[Change] = []
    unmatched: list[Unmatched] = []
    unchanged = 0
    used_plans: dict[int, None] = {}
    for reply in replies:
        problems.extend(f"{reply.name}:{note}" for note in reply.notes)
        reply_plan = by_prefix.get(reply.plan_sha or "")
        if reply.plan_sha and reply_plan is None:
            problems.append(f"{reply.name}:这份报送表所属的分解表不在本台账中(可能来自其他台账或已删除),"
                            "将按任务内容对应。")
        if plan_id is not None and reply_plan is not None and reply_plan.id != plan_id:
            problems.append(f"{reply.name}:这份报送表属于分解表 {reply_plan.id}({reply_plan.title}),"
                            f"不是指定的分解表 {plan_id},已跳过。")
            continue
        sent_by_task = {s.task_id: s for s in reply.sent.values()}
        for row in reply.rows:
            task_id, how, reason = _match(row, reply_plan, index, plan_id)
            if task_id is None:
                if row.key or row.filled or row.requirement:
                    unmatched.append(Unmatched(reply.name, row.row, _short(row.requirement or row.key or "", 40),
                                               reason))
                continue
            task = index.tasks[task_id]
            used_plans.setdefault(index.plan_of_task[task_id], None)
            quarter = (reply.quarter or default_quarter
                       or _default_quarter(index.plans[index.plan_of_task[task_id]].year, today))
            found = _row_changes(reply, row, task, quarter, sent_by_task.get(task_id), how,
                                 status_time.get(task_id), notes, today, problems)
            for change in found:
                change.plan_id = index.plan_of_task[task_id]
            if not found and row.filled:
                unchanged += 1
            changes.extend(found)
    changes = _settle_competition(changes)
    changes.sort(key=lambda c: (c.seq, list(ChangeField).index(c.field), c.saved_at))
    return MergePreview(replies=replies, changes=changes, unmatched=unmatched, problems=problems,
                        plan_ids=list(used_plans), unchanged_rows=unchanged)


def _match(row: ReplyRow, reply_plan: Plan | None, index: _PlanIndex,
           plan_id: int | None) -> tuple[int | None, str, str]:
    """(task id, how, reason when None)."""
    by_key: int | None = None
    key_problem = ""
    parsed = parse_key(row.key)
    if parsed is not None:
        prefix, tid = parsed
        task_plan = index.plan_of_task.get(tid)
        if task_plan is not None and index.plans[task_plan].source_sha256.lower().startswith(prefix):
            by_key = tid
        else:
            key_problem = "编码对应的任务已不在台账中"
    elif row.key:
        key_problem = "编码无法识别"
    text = "" if row.merged_text else squash_text(row.requirement)
    by_text: list[int] = []
    if text:
        by_text = index.by_text.get(text, [])
        if reply_plan is not None:
            same_plan = [t for t in by_text if index.plan_of_task[t] == reply_plan.id]
            by_text = same_plan or by_text
        elif plan_id is not None:
            by_text = [t for t in by_text if index.plan_of_task[t] == plan_id]
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


def _row_changes(reply: Reply, row: ReplyRow, task: Task, quarter: Quarter, sent: SentState | None,
                 how: str, status_at: datetime | None, notes: dict[tuple[int, str], set[str]],
                 today: date, problems: list[str]) -> list[Change]:
    saved = reply.saved_at
    base: dict[str, Any] = {
        "task_id": task.id, "seq": task.seq, "task_text": _short(task.requirement), "quarter": quarter,
        "source": reply.name, "unit": reply.unit or "", "row": row.row, "saved_at": saved,
        "matched_by": how, "note": _MATCH_NOTES.get(how)}
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
    if status is None and on is not None and task.status == Status.DONE and not row.status.strip():
        status = Status.DONE  # only the date was corrected
    if on is not None and (status or task.status) != Status.DONE:
        if sent is None or on.isoformat() != sent.status_date:  # typed by the unit, not left as sent
            problems.append(f"{where}:填写了完成时间 {on.isoformat()},但完成状态不是“已完成”,完成时间未汇总。")
        on = None
    if status is not None:
        same = status == task.status and (status != Status.DONE or on is None or on == task.status_date)
        unit_changed = True
        if sent is not None:
            unit_changed = status.value != sent.status or (
                status == Status.DONE and on is not None and on.isoformat() != sent.status_date)
        if not same and unit_changed:
            effective = on or min(saved.astimezone().date(), today)
            conflict = None
            if status_at is not None and status_at > saved:
                conflict = (f"台账中的完成状态于 {_fmt(status_at)} 修改为“{task.status.value}”,"
                            f"晚于报送表的保存时间 {_fmt(saved)}")
            elif on is not None and on > today:
                conflict = f"完成时间 {on.isoformat()} 在今天之后,请核对"
            old = task.status.value + (f"({task.status_date.isoformat()})"
                                       if task.status == Status.DONE and task.status_date else "")
            new = status.value + (f"({effective.isoformat()})" if status == Status.DONE else "")
            result.append(Change(**base, field=ChangeField.STATUS, old=old, new=new, status=status,
                                 on=effective, conflict=conflict))

    # 进展情况
    text = row.progress.strip()
    if text:
        current = next((p for p in task.progress if p.quarter == str(quarter)), None)
        old_text = current.text if current else ""
        unit_changed = sent is None or text_checksum(text) != sent.progress_checksum
        if squash_text(text) != squash_text(old_text) and unit_changed:
            conflict = None
            at = _parse_time(current.at) if current else None
            if at is not None and at > saved:
                conflict = (f"台账中{quarter.label}的进展于 {_fmt(at)} 已修改,"
                            f"晚于报送表的保存时间 {_fmt(saved)}")
            result.append(Change(**base, field=ChangeField.PROGRESS, old=old_text, new=text, text=text,
                                 conflict=conflict))

    # 佐证材料说明: added as a note, never replacing anything
    described = row.evidence.strip()
    if described and squash_text(described) not in notes.get((task.id, str(quarter)), set()):
        result.append(Change(**base, field=ChangeField.EVIDENCE, old="", new=described, text=described))
    return result


def _settle_competition(changes: list[Change]) -> list[Change]:
    """Two replies (or two rows) writing one slot: the same value is kept once; different
    values are all conflicts, for the clerk to choose."""
    by_slot: dict[tuple[int, str, str], list[Change]] = defaultdict(list)
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

    @property
    def task_ids(self) -> list[int]:
        return sorted({c.task_id for c in self.applied})


def apply_merge(ledger: Ledger, changes: list[Change], *, force: bool = False) -> ApplyResult:
    """Write the chosen changes in ONE transaction: an audit row per change (the same
    actions as editing by hand: 设置状态, 填写进展, 添加佐证材料) and one for the merge.

    Conflicts are written only with ``force``; of several chosen changes to one slot
    the one from the latest-saved reply wins. A change whose old value is no longer
    what the ledger holds (someone edited the task after the preview) is not written.
    """
    result = ApplyResult()
    chosen: list[Change] = []
    for change in changes:
        (chosen if force or not change.conflict else result.skipped_conflicts).append(change)
    winners: dict[tuple[int, str, str], Change] = {}
    for change in sorted(chosen, key=lambda c: c.saved_at):
        slot = change.slot()
        if change.field == ChangeField.EVIDENCE:
            slot = slot + (squash_text(change.text),)  # type: ignore[assignment]
        if slot in winners:
            result.superseded.append(winners[slot])
        winners[slot] = change
    final = sorted(winners.values(), key=lambda c: (c.seq, list(ChangeField).index(c.field)))
    if not final:
        return result
    plan_ids = sorted({c.plan_id for c in final})
    sources = sorted({c.source for c in final})
    with ledger.change("汇总报送表", "plan", plan_ids[0] if len(plan_ids) == 1 else None,
                       after={"files": sources}) as record:
        for change in final:
            if _still_current(ledger, change):
                _write(ledger, change)
                result.applied.append(change)
            else:
                result.outdated.append(change)
        record["after"] = {"files": sources, "changes": len(result.applied),
                           "tasks": len({c.task_id for c in result.applied})}
    return result


def _still_current(ledger: Ledger, change: Change) -> bool:
    db = ledger.db
    if change.field == ChangeField.STATUS:
        row = db.execute("SELECT status, status_date FROM tasks WHERE id = ?", [change.task_id]).fetchone()
        if row is None:
            return False
        old = row[0] + (f"({row[1]})" if row[0] == Status.DONE.value and row[1] else "")
        return old == change.old
    if change.field == ChangeField.PROGRESS:
        row = db.execute("SELECT text FROM progress WHERE task_id = ? AND quarter = ?",
                         [change.task_id, str(change.quarter)]).fetchone()
        return (row[0] if row else "") == change.old
    return db.execute("SELECT 1 FROM tasks WHERE id = ?", [change.task_id]).fetchone() is not None


def _write(ledger: Ledger, change: Change) -> None:
    db = ledger.db
    origin = {"source": change.source, "unit": change.unit, "row": change.row}
    tid = change.task_id
    if change.field == ChangeField.STATUS:
        assert change.status is not None and change.on is not None
        before = db.execute("SELECT status, status_date FROM tasks WHERE id = ?", [tid]).fetchone()
        with ledger.change("设置状态", "task", tid,
                           before=[{"task": tid, "status": before[0], "status_date": before[1]}],
                           after={"tasks": [tid], "status": change.status.value,
                                  "status_date": change.on.isoformat(), **origin}):
            db.execute("INSERT INTO status_history (task_id, status, effective_on, recorded_at, by)"
                       " VALUES (?, ?, ?, ?, ?)", [tid, change.status.value, change.on.isoformat(),
                                                   now_text(), ledger.user])
            ledger._refresh_current_status(tid)
    elif change.field == ChangeField.PROGRESS:
        quarter = str(change.quarter)
        old = db.execute("SELECT text FROM progress WHERE task_id = ? AND quarter = ?", [tid, quarter]).fetchone()
        status = db.execute("SELECT status FROM tasks WHERE id = ?", [tid]).fetchone()[0]
        with ledger.change("填写进展", "progress", tid,
                           before=None if old is None else {"quarter": quarter, "text": old[0]},
                           after={"quarter": quarter, "text": change.text, **origin}):
            db.execute("INSERT INTO progress (task_id, quarter, text, status, at, by) VALUES (?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (task_id, quarter) DO UPDATE SET text = excluded.text,"
                       " status = excluded.status, at = excluded.at, by = excluded.by",
                       [tid, quarter, change.text, status, now_text(), ledger.user])
    else:
        with ledger.change("添加佐证材料", "evidence", tid) as record:
            cursor = db.execute(
                "INSERT INTO evidence (task_id, quarter, kind, name, added_at, added_by)"
                " VALUES (?, ?, 'note', ?, ?, ?)", [tid, str(change.quarter), change.text, now_text(), ledger.user])
            record["after"] = [{"id": cursor.lastrowid, "kind": "note", "name": change.text,
                                "quarter": str(change.quarter), **origin}]


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
            "unmatched": len(preview.unmatched), "problems": len(preview.problems)}
