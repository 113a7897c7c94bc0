"""What a merge would write: each :class:`Change` a reply brings (the value as issued, the
ledger's now and the reply's, and why it is a conflict), the rows not merged and why,
and the :class:`MergePreview` the clerk chooses from. merge.py builds them;
merge_apply.py writes the chosen ones."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ..model import Status
from ..quarters import Quarter
from .replies import Reply

__all__ = ["FIELD_NAMES", "NO_RECORD", "Change", "ChangeField", "MergePreview", "Unmatched", "summary_counts"]


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


def summary_counts(preview: MergePreview) -> dict[str, Any]:
    return {"changes": len(preview.clean), "conflicts": len(preview.conflicts),
            "unmatched": len(preview.unmatched), "refused": len(preview.refused),
            "problems": len(preview.problems)}
