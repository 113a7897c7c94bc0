"""What a reply (报送表) says, as io/reply_reader reads it: its rows as text, and what the
hidden key sheet says the fill-in was sent with. The merge (merge.py) judges it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..patterns import lazy_compile
from ..quarters import Quarter
from .keys import moment_text

__all__ = ["Reply", "ReplyRow", "SentState", "describe_reply", "parse_reply_date"]


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
    lazy_compile(r"^(\d{4})\s*[-/.\u5e74]\s*(\d{1,2})\s*[-/.\u6708]\s*(\d{1,2})\s*[\u65e5\u53f7]?"),
    lazy_compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_DAY = lazy_compile(r"^(\d{1,2})\s*[\u6708/.\-]\s*(\d{1,2})\s*[\u65e5\u53f7]?$")
_SERIAL = lazy_compile(r"\d{5}(\.0+)?")


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
    if _SERIAL.fullmatch(value):  # a date cell read as its serial number
        serial = int(float(value))
        if 30000 <= serial <= 80000:
            return date.fromordinal(date(1899, 12, 30).toordinal() + serial)
    raise ValueError(value)


def describe_reply(reply: Reply) -> str:
    """One line about a reply for previews: whose, which quarter, when saved."""
    parts = [reply.unit or "(未注明单位)"]
    if reply.quarter:
        parts.append(reply.quarter.label)
    parts.append(f"保存于 {moment_text(reply.saved_at)}")
    parts.append(f"{len(reply.rows)} 行")
    return f"{reply.name}({','.join(parts)})"
