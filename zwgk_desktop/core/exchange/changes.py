"""What a merge would write: each :class:`Change` a reply brings (the value as issued, the
ledger's now and the reply's, and why it is a conflict), the rows not merged and why,
and the :class:`MergePreview` the clerk chooses from. merge.py builds them;
merge_apply.py writes the chosen ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..model import Status
from ..quarters import Quarter
from .keys import printable_text, short_text, squash_text
from .replies import Reply

__all__ = ["FIELD_NAMES", "NO_RECORD", "Change", "ChangeField", "MergePreview", "Unmatched", "competing",
           "competition_lines", "summary_counts"]


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
    role: str = ""  # the replying unit's part in the task: 牵头 / 配合 ("" when unknown)
    lead: str = ""  # the task's 牵头 unit, so a disagreement can say whose answer leads
    day_note: str | None = None  # a status the reply left undated: which day is written, and why
    competes: str | None = None  # the other replies' different values for this slot (also in ``conflict``)

    @property
    def field_name(self) -> str:
        if self.field == ChangeField.PROGRESS:
            return f"{self.quarter.label}进展" + (f"(【{self.part_of}】部分)" if self.part_of else "")
        return FIELD_NAMES[self.field]

    @property
    def where(self) -> str:
        return f"{self.unit or self.source} 第 {self.row} 行"

    @property
    def who(self) -> str:
        """The replying unit with its part in the task, "区发改局(配合)": next to a
        rival value, the clerk sees which answer is the lead's."""
        name = self.unit or self.source
        return f"{name}({self.role})" if self.role else name

    @property
    def shown_new(self) -> str:
        """The value as it will be written: a status other than 已完成 shows its day
        too (已完成 carries it already), so an undated reply's day is never a surprise."""
        if self.field == ChangeField.STATUS and self.status != Status.DONE and self.on is not None:
            return f"{self.new}(日期 {self.on.isoformat()})"
        return self.new

    def value_key(self) -> str:
        """What two replies must agree on to say the same thing. A status's day counts
        only when a reply typed it: two units both saying 已完成 without a date agree,
        though their save days (the day each would be written with) differ."""
        if self.field == ChangeField.STATUS:
            typed = "" if self.day_note else (self.on.isoformat() if self.on else "")
            return f"{self.status.value if self.status else self.new}|{typed}"
        return squash_text(self.text or self.new)

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

    def competing(self) -> list[list[Change]]:
        """Groups of changes that give one task and field different values: each is one
        choice for the clerk, never several writes."""
        return competing(self.changes)

    def preferring(self, names: list[str]) -> MergePreview:
        """The same preview with each disagreement settled for the reply these name (a
        unit, or a file when one unit sent two): the first name that picks out exactly
        one value of a group keeps it, the others of that group are dropped. The kept
        value is no longer a conflict for the disagreement, since the clerk chose it; a
        conflict of its own (the ledger changed since issuing) stays.

        A name that is no reply's unit or file is refused, so a typo never silently
        leaves a choice unmade; a group no name decides is left as it is (and
        ``apply_merge`` refuses it with ``force``)."""
        known = {_name_key(r.unit or "") for r in self.replies} | {_name_key(r.name) for r in self.replies}
        known |= {_name_key(c.unit) for c in self.changes} | {_name_key(c.source) for c in self.changes}
        for name in names:
            if _name_key(name) not in known:
                raise UserError(f"“{name}”不是这次汇总的任何一份报送表的单位或文件名。"
                                "请写报送单位的名称(如 区发改局),或报送表的文件名(如 区发改局-2023年第三季度填报表.xlsx)。")
        dropped: set[int] = set()
        kept: dict[int, Change] = {}
        for group in self.competing():
            ambiguous: tuple[str, list[Change]] | None = None
            for name in names:
                matches = [c for c in group if _matches(c, name)]
                if len(matches) == 1:
                    chosen = matches[0]
                    others = [c for c in group if c is not chosen]
                    left = ";".join(f"{c.who} 第 {c.row} 行填“{short_text(c.shown_new, 20)}”" for c in others)
                    kept[id(chosen)] = replace(
                        chosen, conflict=_without(chosen.conflict, chosen.competes), competes=None,
                        note=";".join(t for t in (chosen.note, f"按所选以此为准(未采用:{left})") if t))
                    dropped.update(id(c) for c in others)
                    ambiguous = None
                    break
                if len(matches) > 1 and ambiguous is None:
                    ambiguous = (name, matches)
            if ambiguous is not None:
                name, matches = ambiguous
                files = "、".join(c.source for c in matches)
                raise UserError(f"序号 {group[0].seq} {group[0].field_name}的不同填报都来自“{name}”({files}),"
                                f"按单位无法选定。请写文件名选定其中一份,例如 --prefer {matches[-1].source}。")
        changes = [kept.get(id(c), c) for c in self.changes if id(c) not in dropped]
        return replace(self, changes=changes)


def _name_key(name: str) -> str:
    return squash_text(printable_text(name))


def _matches(change: Change, name: str) -> bool:
    wanted = _name_key(name)
    return wanted in (_name_key(change.unit), _name_key(change.source), _name_key(Path(change.source).name))


def _without(conflict: str | None, part: str | None) -> str | None:
    if not conflict or not part:
        return conflict
    if conflict == part:
        return None
    return conflict[: -len(part) - 1] if conflict.endswith(";" + part) else conflict


def competing(changes: list[Change]) -> list[list[Change]]:
    """Changes to one slot with different values (different 佐证材料说明 are not: each
    is added), in the order given: two of them can never both be meant."""
    by_slot: dict[tuple, list[Change]] = defaultdict(list)
    for change in changes:
        if change.field != ChangeField.EVIDENCE:
            by_slot[change.slot()].append(change)
    return [group for group in by_slot.values() if len({c.value_key() for c in group}) > 1]


def competition_lines(groups: list[list[Change]]) -> list[str]:
    """One line per disagreement: the task, the field, and each reply's value with its
    unit's role and file, so the clerk can say which one is meant."""
    lines = []
    for group in groups:
        values = ";".join(f"{c.who} 第 {c.row} 行填“{short_text(c.shown_new, 30)}”〔{c.source}〕" for c in group)
        lead = f"(牵头单位:{group[0].lead})" if group[0].lead else ""
        lines.append(f"序号 {group[0].seq}“{short_text(group[0].task_text, 20)}” {group[0].field_name}:{values}{lead}")
    return lines


def summary_counts(preview: MergePreview) -> dict[str, Any]:
    return {"changes": len(preview.clean), "conflicts": len(preview.conflicts),
            "unmatched": len(preview.unmatched), "refused": len(preview.refused),
            "problems": len(preview.problems)}
