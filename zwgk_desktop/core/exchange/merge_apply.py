"""Applying a merge the clerk chose, and taking it back.

:func:`apply_merge` writes the chosen changes in one transaction through the same
writers as every other change (``Ledger.set_status``/``set_status_date``/
``set_progress``, audited with the reply's unit as origin; evidence ``attach_note``)
and records each value before and after, so :func:`undo_merge` can restore every value
still as the merge left it. The only rows written here directly are the merge's own
record (``merges``, ``merge_changes``). The database is backed up before either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import NotFoundError, UserError
from ..ledger import Ledger, now_text
from ..model import Status, Task
from ..quarters import Quarter
from .changes import Change, ChangeField, competing, competition_lines
from .keys import short_text, squash_text, status_text
from .unit_notes import own_view, unit_part, with_unit_part

__all__ = ["ApplyResult", "MergeRecord", "UndoResult", "apply_merge", "merge_history", "undo_merge"]


@dataclass(slots=True)
class ApplyResult:
    applied: list[Change] = field(default_factory=list)
    skipped_conflicts: list[Change] = field(default_factory=list)
    outdated: list[Change] = field(default_factory=list)  # the ledger changed after the preview
    superseded: list[Change] = field(default_factory=list)  # the same value chosen twice: written once
    merge_id: int | None = None  # the record `undo_merge` takes back

    @property
    def task_ids(self) -> list[int]:
        return sorted({c.task_id for c in self.applied})


def _auto_backup(ledger: Ledger, action: str) -> None:
    from ..backup import auto_backup

    auto_backup(ledger, action)


def apply_merge(ledger: Ledger, changes: list[Change], *, force: bool = False) -> ApplyResult:
    """Write the chosen changes in ONE transaction through the ledger's own writers
    (设置状态 and 填写进展 audited with the reply's unit as origin; 添加佐证材料), one
    audit row for the whole merge, and a record of every value before and after so the
    merge can be undone (:func:`undo_merge`). The database is backed up first.

    Conflicts are written only with ``force``. Two chosen changes giving one slot
    different values are refused as a whole (``UserError``, nothing written): which
    one is meant is the clerk's choice, and the file order or the save time cannot
    make it (a later-saved reply from a cooperating unit would override the lead's).
    The same value chosen twice is written once. A change whose ledger value is no
    longer what the preview saw (someone edited the task after the preview) is not
    written.
    """
    result = ApplyResult()
    chosen: list[Change] = []
    for change in changes:
        (chosen if force or not change.conflict else result.skipped_conflicts).append(change)
    groups = competing(chosen)
    if groups:
        raise UserError(f"所选的修改中有 {len(groups)} 项各报送表填得不一样,同一项只能选其一,台账没有任何改变:\n"
                        + "\n".join(f"  {line}" for line in competition_lines(groups))
                        + "\n请每项只选一个报送值(汇总窗口中勾选其中一行;命令行用 --prefer 单位名称或文件名)后再写入。")
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


def _note_of(task: Task, quarter: Quarter) -> str:
    note = task.progress_for(quarter)
    return note.text if note else ""


def _still_current(ledger: Ledger, change: Change) -> Task | None:
    """The task as it is now, if what the change is based on is still what it holds."""
    try:
        task = ledger.task(change.task_id)
    except NotFoundError:
        return None
    if change.field == ChangeField.STATUS:
        on = task.status_date.isoformat() if task.status_date else None
        current = status_text(task.status.value, on) == change.base
    elif change.field == ChangeField.PROGRESS:
        whole = _note_of(task, change.quarter)
        current = (own_view(whole, change.part_of) if change.part_of else squash_text(whole)) == change.base
    else:
        current = True
    return task if current else None


def _write(ledger: Ledger, change: Change, merge_id: int, task: Task | None = None) -> None:
    """One change through the ledger's writers (``task``: as it is now, if at hand),
    and its record for undo."""
    from ..evidence import attach_note

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
        item = attach_note(ledger, tid, change.text, change.quarter, origin=origin)
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
    quarter: Quarter | None  # a 进展 change's quarter
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
    pending = [_Done(i, tid, fld, Quarter.stored(q) if q else None, json.loads(b or "{}"), json.loads(a or "{}"), unit)
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
            label = f"序号 {task.seq}“{short_text(task.requirement, 20)}”"
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
        return (f"{label} 完成状态恢复为“{status_text(done.before.get('status', ''), done.before.get('status_date'))}”")
    if done.field == ChangeField.PROGRESS.value:
        return f"{label} {done.quarter.label if done.quarter else ''}进展恢复为汇总前的内容"
    return f"{label} 删除汇总添加的佐证材料说明“{short_text(done.after.get('name', ''), 20)}”(移到回收站)"


def _undo_one(ledger: Ledger, done: _Done, task: Task, origin: str, force: bool, label: str) -> str | None:
    """Restore one value if it is still as the merge left it (or ``force``). Returns
    None when it was, else a description of how it changed since."""
    from ..evidence import evidence_by_id, remove

    tid = done.task_id
    if done.field == ChangeField.STATUS.value:
        now = status_text(task.status.value, task.status_date.isoformat() if task.status_date else None)
        wrote = status_text(done.after["status"], done.after["status_date"])
        then = status_text(done.before["status"], done.before.get("status_date"))
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
        if status_text(restored.status.value, on) != then:
            day = done.before.get("status_date")
            ledger.set_status(tid, Status(done.before["status"]), date.fromisoformat(day) if day else None,
                              origin=origin)
        return edited
    if done.field == ChangeField.PROGRESS.value:
        quarter = done.quarter
        assert quarter is not None  # a 进展 change always names its quarter
        whole = _note_of(task, quarter)
        part_of = done.after.get("part_of")
        before, wrote = done.before.get("text", ""), done.after.get("text", "")
        if part_of:
            same = own_view(whole, part_of) == own_view(wrote, part_of)
            target = with_unit_part(whole, part_of, unit_part(before, part_of))
            shown = unit_part(whole, part_of) or whole
        else:
            same = squash_text(whole) == squash_text(wrote)
            target, shown = before, whole
        edited = None if same else f"{label} {quarter.label}进展:汇总后又被修改,现在是“{short_text(shown, 30) or '(空)'}”"
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
