"""The words of the domain as plain data: what a plan, a task and their parts are.

These are value objects handed between the ledger, the readers/writers and the GUI.
They carry no behaviour that touches storage, so any layer may use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from .deadlines import Deadline, DeadlineKind
from .quarters import Quarter
from .units import Role, UnitRef

__all__ = [
    "Deadline",
    "DeadlineKind",
    "Evidence",
    "ParsedPlan",
    "ParsedTask",
    "Plan",
    "Progress",
    "Role",
    "Status",
    "StatusChange",
    "Task",
    "UnitRef",
]


class Status(StrEnum):
    """A task's state as the clerk sets it. Stored and shown in Chinese, because the
    CLI takes these words and the exchange workbooks carry them."""

    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"
    NOT_APPLICABLE = "不适用"
    #: Withdrawn by a revised table (or by hand): kept with its history and notes, left
    #: out of every count, report and fill-in workbook.
    CANCELLED = "已取消"

    @classmethod
    def parse(cls, text: str) -> "Status":
        from .errors import UserError

        cleaned = (text or "").strip()
        for status in cls:
            if cleaned == status.value:
                return status
        aliases = {"完成": cls.DONE, "已办结": cls.DONE, "进行中": cls.IN_PROGRESS,
                   "正在推进": cls.IN_PROGRESS, "未开始": cls.NOT_STARTED}
        if cleaned in aliases:
            return aliases[cleaned]
        choices = "、".join(s.value for s in cls)
        raise UserError(f"无法识别的状态“{cleaned}”。可用的状态:{choices}。")


@dataclass(slots=True)
class ParsedTask:
    """One task as read from a table, before the ledger gives it an id."""

    seq: int
    section: list[str]
    title: str | None
    requirement: str
    units_text: str
    units: list[UnitRef]
    deadline: Deadline
    source_row: int  # 1-based row in the sheet, so messages can point at it
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ParsedPlan:
    """What the table reader (io/table_reader.py) understood of one file: enough to show a preview and
    to write the plan into the ledger in one transaction."""

    title: str
    year: int
    columns: list[str]
    mapping: dict[str, list[int]]
    tasks: list[ParsedTask]
    sheet: str
    source_name: str
    doc_number: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Why each column got its meaning, in plain Chinese (same order as ``columns``).
    column_reasons: list[str] = field(default_factory=list)
    # False when neither the clerk nor the file gave the year (``year`` is then this
    # year, a guess the import must not take silently).
    year_found: bool = True
    has_deadline_column: bool = True
    default_deadline: str | None = None  # the one 完成时限 the clerk set for the whole table

    @property
    def sections(self) -> list[tuple[str, ...]]:
        """Every distinct section path in table order (each prefix included)."""
        seen: dict[tuple[str, ...], None] = {}
        for task in self.tasks:
            for depth in range(1, len(task.section) + 1):
                seen.setdefault(tuple(task.section[:depth]), None)
        return list(seen)

    @property
    def review_count(self) -> int:
        return sum(1 for task in self.tasks if task.deadline.needs_review)

    @property
    def unit_names(self) -> list[str]:
        seen: dict[str, None] = {}
        for task in self.tasks:
            for unit in task.units:
                seen.setdefault(unit.name, None)
        return list(seen)


@dataclass(slots=True)
class Plan:
    id: int
    year: int
    title: str
    source_name: str
    source_sha256: str
    imported_at: str
    columns: list[str]  # the imported table's header labels, as printed, in order
    issuer: str | None = None
    doc_number: str | None = None
    sheet: str | None = None
    task_count: int = 0
    #: Which column meant what (heading/requirement/units/cooperate/deadline/seq/title ->
    #: column indexes), as the import read it: exports print the plan in its own layout.
    mapping: dict[str, list[int]] = field(default_factory=dict)


@dataclass(slots=True)
class Progress:
    quarter: Quarter
    text: str
    status: str
    at: str
    by: str


@dataclass(slots=True)
class StatusChange:
    status: Status
    effective_on: date
    recorded_at: str
    by: str


@dataclass(slots=True)
class Evidence:
    id: int
    task_id: int
    kind: str  # file | url | note
    name: str
    sha256: str | None
    url: str | None
    quarter: Quarter
    size: int | None
    added_at: str
    added_by: str
    note: str | None = None
    mime: str | None = None
    published_on: str | None = None
    removed_at: str | None = None


@dataclass(slots=True)
class Task:
    id: int
    plan_id: int
    seq: int
    section: list[str]
    title: str | None
    requirement: str
    units: list[UnitRef]
    deadline_text: str
    due_date: date | None
    deadline_kind: DeadlineKind
    needs_review: bool
    status: Status
    status_date: date | None
    progress: list[Progress] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def progress_for(self, quarter: Quarter) -> Progress | None:
        """The note of that quarter, if one was written: the one way to look it up."""
        for note in self.progress:
            if note.quarter == quarter:
                return note
        return None

    @property
    def lead_unit(self) -> str | None:
        for unit in self.units:
            if unit.role == Role.LEAD:
                return unit.name
        return self.units[0].name if self.units else None
