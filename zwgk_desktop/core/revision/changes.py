"""What a revision shows the clerk and what applying it returns: each change (old → new,
by 序号), the suggested pairings below the threshold, the preview as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..model import ParsedPlan


class ChangeKind(StrEnum):
    """What changed, in the words the preview and the audit use."""

    TITLE = "分解表标题"
    REWORDED = "改写任务"
    ADDED = "新增任务"
    REMOVED = "取消任务"
    UNITS = "责任单位"
    DEADLINE = "完成时限"
    SECTION = "章节"


KIND_ORDER = list(ChangeKind)


@dataclass(frozen=True, slots=True)
class RevisionChange:
    """One difference, as the clerk reads it: 序号 in the plan and in the new table
    (None where the task exists on one side only), old and new text."""

    kind: ChangeKind
    old_seq: int | None
    new_seq: int | None
    task_id: int | None
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A withdrawn and a new task that may be one task rewritten (below the threshold)."""

    old_seq: int
    new_seq: int
    task_id: int
    old: str
    new: str
    similarity: float


@dataclass(slots=True)
class RevisionPreview:
    """Everything the clerk is shown before anything is written. ``matches`` pairs each
    new task (its index in ``parsed.tasks``) with the ledger task it continues."""

    plan_id: int
    plan_title: str
    year: int
    sha256: str
    parsed: ParsedPlan
    changes: list[RevisionChange]
    suggestions: list[Suggestion]
    matches: dict[int, int]  # new index -> task id
    added: list[int]  # new indexes
    removed: list[int]  # task ids to mark 已取消
    unchanged: int
    pairs: tuple[tuple[int, int], ...] = ()  # (old 序号, new 序号) the clerk paired
    fingerprint: str = ""  # the plan as it was read, so a stale preview is not applied
    notes: list[str] = field(default_factory=list)
    past_due: list[int] = field(default_factory=list)  # new 序号 of added tasks already past their due date

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def counts(self) -> dict[ChangeKind, int]:
        return {kind: n for kind in KIND_ORDER if (n := self.count(kind))}

    @property
    def is_empty(self) -> bool:
        return not self.changes


@dataclass(slots=True)
class RevisionResult:
    plan_id: int
    counts: dict[ChangeKind, int]
    added_task_ids: list[int]
    cancelled_task_ids: list[int]
    audit_rows: int
