"""The plan's tasks as a revision compares them (ids, places, words, units, deadline,
status), and the fingerprint that tells a stale preview from a fresh one: the matching
reads them to compare, the applying to compare again inside its transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..ledger import Ledger


@dataclass(slots=True)
class OldTask:
    id: int
    seq: int
    path: tuple[str, ...]
    title: str | None
    requirement: str
    units_text: str
    units: tuple[tuple[object, str], ...]  # (unit id, role) in order
    unit_names: tuple[tuple[str, str], ...]  # (name, role) in order
    deadline_text: str
    due_date: str | None
    deadline_kind: str
    needs_review: bool
    status: str


def old_tasks(ledger: Ledger, plan_id: int) -> list[OldTask]:
    db = ledger.db
    paths = ledger.section_paths(plan_id)
    units: dict[int, list[tuple[int, str, str]]] = {}
    for tid, uid, name, role in db.execute(
            "SELECT tu.task_id, tu.unit_id, u.name, tu.role FROM task_units tu JOIN units u ON u.id = tu.unit_id"
            " JOIN tasks t ON t.id = tu.task_id WHERE t.plan_id = ? ORDER BY tu.task_id, tu.position",
            [plan_id]):
        units.setdefault(tid, []).append((uid, name, role))
    result = []
    for (tid, seq, section_id, title, requirement, units_text, deadline_text, due, kind, review,
         status) in db.execute(
            "SELECT id, seq, section_id, title, requirement, units_text, deadline_text, due_date,"
            " deadline_kind, needs_review, status FROM tasks WHERE plan_id = ? ORDER BY seq, id", [plan_id]):
        own = units.get(tid, [])
        result.append(OldTask(
            id=tid, seq=seq, path=paths.get(section_id, ()) if section_id else (), title=title,
            requirement=requirement or "", units_text=units_text or "",
            units=tuple((uid, role) for uid, _, role in own),
            unit_names=tuple((name, role) for _, name, role in own),
            deadline_text=deadline_text or "", due_date=due, deadline_kind=kind, needs_review=bool(review),
            status=status))
    return result


def plan_fingerprint(plan_row: tuple, old: list[OldTask]) -> str:
    digest = hashlib.sha256(repr(plan_row).encode("utf-8"))
    for task in old:
        digest.update(repr((task.id, task.seq, task.path, task.title, task.requirement, task.units_text,
                            task.units, task.deadline_text, task.due_date, task.status)).encode("utf-8"))
    return digest.hexdigest()
