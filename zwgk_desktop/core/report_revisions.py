"""A report of an earlier day printed after a revised table (or a county plan's update
after its superior's revision): what those changes did, read back from their audit
rows, so the tasks added since are left out and the 序号 and 完成时限 are the day's."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date

from .derive import UPDATE_ACTION
from .ledger import Ledger
from .model import Task


@dataclass(slots=True)
class RevisionsAfter:
    """What the revisions applied after a day changed in one plan, as the audit keeps it:
    the tasks they added, and each renumbered or re-dated task's 序号 and 完成时限 from
    before the first of them (so, as they stood on the day)."""

    added: set[int] = field(default_factory=set)
    seq: dict[int, int] = field(default_factory=dict)
    deadline: dict[int, tuple[str, date | None]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.seq or self.deadline)

    def as_of(self, tasks: list[Task]) -> list[Task]:
        """``tasks`` as they stood on the day, in that day's table order."""
        if not self:
            return tasks
        result = []
        for task in tasks:
            if task.id in self.added:
                continue
            if task.id in self.seq or task.id in self.deadline:
                text, due = self.deadline.get(task.id, (task.deadline_text, task.due_date))
                task = dataclasses.replace(task, seq=self.seq.get(task.id, task.seq), deadline_text=text,
                                           due_date=due)
            result.append(task)
        result.sort(key=lambda t: (t.seq, t.id))
        return result


def _loads(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _iso_day(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


def revisions_after(ledger: Ledger, plan_id: int, day: date) -> RevisionsAfter:
    """The changes of the revised tables applied to ``plan_id`` after ``day`` (by the
    audit's local date: one applied on the day itself counts as in force that day),
    and, for a county plan, of the updates that followed its superior's revisions
    (they write the same rows). One query for the whole report."""
    found = RevisionsAfter()
    rows = ledger.db.execute(
        "SELECT action, entity, entity_id, before FROM audit WHERE (action LIKE '修订%' OR action = ?)"
        " AND substr(at, 1, 10) > ?"
        " AND ((entity = 'plan' AND entity_id = ?)"
        " OR (entity = 'task' AND entity_id IN (SELECT id FROM tasks WHERE plan_id = ?))) ORDER BY id",
        [UPDATE_ACTION, day.isoformat(), plan_id, plan_id]).fetchall()
    for action, entity, entity_id, before in rows:
        if entity == "task" and action.startswith("修订:新增任务"):
            found.added.add(entity_id)
        elif entity == "task" and action.startswith("修订:完成时限"):
            old = _loads(before)
            found.deadline.setdefault(entity_id, (str(old.get("deadline_text") or ""), _iso_day(old.get("due_date"))))
        elif entity == "plan" and (action.startswith("修订分解表") or action == UPDATE_ACTION):
            for tid, seq in (_loads(before).get("seqs") or {}).items():
                if str(tid).isdigit() and isinstance(seq, int):
                    found.seq.setdefault(int(tid), seq)
    # Oldest first: setdefault keeps what the first revision after the day found.
    return found
