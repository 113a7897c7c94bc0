"""What the audit says about a county plan and its superior: the rows a derive and an
update write, and from them the words (wording, units, deadline) each county task was
derived with, so that an update can tell the superior's later changes from the
county's own edits."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum

from ..ledger import Ledger
from ..model import Task
from ..revision import deadline_display, task_text, units_display
from ..units import UnitRef

#: The audit row of an update (on the county plan; it lists the tasks added, as the row
#: of :func:`create_derived_plan` stands for the tasks it wrote).
UPDATE_ACTION = "更新本级分解表"
#: Where the county's own changes came from, in their audit rows and status history.
UPDATE_ORIGIN = "上级修订"
#: Each task an update adds has the row a revision writes for the tasks it adds (with
#: :data:`UPDATE_ORIGIN`), so reports and 操作记录 read both alike.
ADDED_ACTION = "修订:新增任务"
DERIVE_ACTION = "生成本级分解表"


class Aspect(StrEnum):
    """What of a superior task can change under a county task. Wording and deadline
    follow the superior (where the county kept them); units are the county's own
    (mapped), so a change there is shown, never written."""

    WORDING = "具体要求"
    UNITS = "责任单位"
    DEADLINE = "完成时限"


#: A county task's audit rows when it followed the superior: from then on, the
#: superior's words of that moment are what the county task was "derived with".
_FOLLOW_ACTIONS = {f"修订:改写任务({UPDATE_ORIGIN})": Aspect.WORDING,
                   f"修订:完成时限({UPDATE_ORIGIN})": Aspect.DEADLINE}
#: Keys of a superior task's audit ``before`` that say what it was (core/revision.py
#: and Ledger.set_due_date write them).
_WORD_KEYS = ("title", "requirement", "units", "deadline_text", "due_date")


def task_line(title: str | None, requirement: str) -> str:
    return task_text(title, requirement)


def _squash(text: str | None) -> str:
    return "".join((text or "").split())


def _units_line(units: Iterable[UnitRef]) -> str:
    return units_display([(u.name, u.role.value) for u in units])


def words_now(task: Task) -> dict[str, str | None]:
    return {"title": task.title, "requirement": task.requirement, "units": _units_line(task.units),
            "deadline_text": task.deadline_text or "",
            "due_date": task.due_date.isoformat() if task.due_date else None}


def words_then(now: dict[str, str | None], rows: list[tuple[int, dict]], since: int) -> dict[str, str | None]:
    """The superior task's words as they were at audit row ``since``: its later audit
    rows undone, newest first (each ``before`` says what it replaced)."""
    words = dict(now)
    for row_id, before in rows:  # newest first
        if row_id <= since:
            break
        for key in _WORD_KEYS:
            if key in before:
                words[key] = before[key]
    return words


def same_words(aspect: Aspect, a: dict, b: dict) -> bool:
    if aspect == Aspect.WORDING:
        return _squash(a.get("title")) == _squash(b.get("title")) and \
            _squash(a.get("requirement")) == _squash(b.get("requirement"))
    if aspect == Aspect.DEADLINE:
        return _squash(a.get("deadline_text")) == _squash(b.get("deadline_text")) and \
            (a.get("due_date") or None) == (b.get("due_date") or None)
    return _squash(a.get("units")) == _squash(b.get("units"))


def shown(aspect: Aspect, words: dict) -> str:
    if aspect == Aspect.WORDING:
        return task_line(words.get("title"), words.get("requirement") or "")
    if aspect == Aspect.DEADLINE:
        return deadline_display(words.get("deadline_text") or "", words.get("due_date"))
    return words.get("units") or "(无)"


def baselines(ledger: Ledger, county_id: int, county_ids: list[int]) -> tuple[int, dict[tuple[int, Aspect], int]]:
    """For each county task and aspect, the audit row from which its words are the
    superior's as derived: the derive itself, the update that added the task, or the
    last time it followed the superior. Later rows on the superior task are changes
    the county has not taken yet."""
    db = ledger.db
    derived_at = db.execute("SELECT COALESCE(MAX(id), 0) FROM audit WHERE action = ? AND entity = 'plan'"
                            " AND entity_id = ?", [DERIVE_ACTION, county_id]).fetchone()[0]
    since: dict[tuple[int, Aspect], int] = {}
    for row_id, after in db.execute("SELECT id, after FROM audit WHERE action = ? AND entity = 'plan'"
                                    " AND entity_id = ? ORDER BY id", [UPDATE_ACTION, county_id]):
        for entry in (json.loads(after or "null") or {}).get("added") or []:
            for aspect in Aspect:
                since[(entry["task"], aspect)] = row_id
    if county_ids:
        marks = ",".join("?" * len(_FOLLOW_ACTIONS))
        for row_id, action, task_id in db.execute(
                f"SELECT id, action, entity_id FROM audit WHERE entity = 'task' AND action IN ({marks})"
                " AND entity_id IN (SELECT value FROM json_each(?)) ORDER BY id",
                [*_FOLLOW_ACTIONS, json.dumps(county_ids)]):
            since[(task_id, _FOLLOW_ACTIONS[action])] = row_id
    return derived_at, since


def superior_rows(ledger: Ledger, source_ids: list[int], after_id: int) -> dict[int, list[tuple[int, dict]]]:
    """Audit rows that changed the superior tasks' words, newest first, per task."""
    rows: dict[int, list[tuple[int, dict]]] = {}
    if not source_ids:
        return rows
    for row_id, task_id, before in ledger.db.execute(
            "SELECT id, entity_id, before FROM audit WHERE entity = 'task' AND id > ?"
            " AND entity_id IN (SELECT value FROM json_each(?)) AND before LIKE '{%' ORDER BY id DESC",
            [after_id, json.dumps(source_ids)]):
        value = json.loads(before)
        if isinstance(value, dict) and any(k in value for k in _WORD_KEYS):
            rows.setdefault(task_id, []).append((row_id, value))
    return rows
