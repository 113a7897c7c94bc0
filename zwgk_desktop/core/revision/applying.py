"""Applying a previewed revision: one transaction, an audit row per change under one row
for the whole revision, an automatic backup first; matched tasks keep their id (and so
their history, notes and evidence), dropped ones become 已取消."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from ..errors import UserError
from ..ledger import Ledger
from ..model import ParsedTask, Status
from ..units import unit_key
from .changes import ChangeKind, RevisionChange, RevisionPreview, RevisionResult
from .matching import preview_revision
from .old_tasks import old_tasks
from .wording import task_text


def apply_revision(ledger: Ledger, preview: RevisionPreview,
                   accepted_pairs: Iterable[tuple[int, int]] = (), *, on: date | None = None) -> RevisionResult:
    """Apply a previewed revision in one transaction: an audit row per change (under
    one row for the whole revision), an automatic backup first.

    ``accepted_pairs``: suggestions the clerk accepted, as (old 序号, new 序号). The
    comparison is made again inside the transaction; if the plan changed since the
    preview was shown, nothing is written and the clerk is asked to look again.
    ``on``: the day the withdrawn tasks' 已取消 takes effect (default today).

    The tasks take the new table's 序号 without an audit row each; the revision's own
    row keeps the old ones (``before["seqs"]``, task id -> 序号), so that a report of a
    day before the revision prints the numbers it printed then (report_data)."""
    from ..backup import auto_backup  # (backup imports the ledger; as plan_import does)
    from ..plan_import import _ensure_units, _next_task_id, insert_section_paths

    pairs = tuple(dict.fromkeys(tuple(preview.pairs) + tuple(tuple(p) for p in accepted_pairs)))
    on = on or date.today()
    parsed = preview.parsed
    auto_backup(ledger, "修订")
    db = ledger.db
    first_audit = db.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]
    old_plan = ledger.plan(preview.plan_id)
    with ledger.change("修订分解表", "plan", preview.plan_id,
                       before={"title": old_plan.title, "source_name": old_plan.source_name,
                               "sha256": old_plan.source_sha256}) as record:
        fresh = preview_revision(ledger, preview.plan_id, parsed, preview.sha256, pairs=pairs)
        if fresh.fingerprint != preview.fingerprint:
            raise UserError(f"《{old_plan.title}》在预览之后有改动(例如在别处修改了任务),修订没有写入,"
                            "台账没有改动。请重新预览后再应用。")
        plan_id = fresh.plan_id
        old = {t.id: t for t in old_tasks(ledger, plan_id)}
        by_kind: dict[tuple[int | None, ChangeKind], RevisionChange] = {
            (c.task_id, c.kind): c for c in fresh.changes}

        if (None, ChangeKind.TITLE) in by_kind:
            change = by_kind[(None, ChangeKind.TITLE)]
            with ledger.change(f"修订:{ChangeKind.TITLE}", "plan", plan_id,
                               before={"title": change.old}, after={"title": change.new}):
                db.execute("UPDATE plans SET title = ? WHERE id = ?", [parsed.title, plan_id])
        db.execute(
            "UPDATE plans SET doc_number = COALESCE(?, doc_number), source_name = ?, source_sha256 = ?, sheet = ?,"
            " columns = ?, mapping = ? WHERE id = ?",
            [parsed.doc_number, parsed.source_name, fresh.sha256, parsed.sheet,
             json.dumps(parsed.columns, ensure_ascii=False), json.dumps(parsed.mapping), plan_id])

        # Sections are made again, as a replace does; withdrawn tasks keep theirs.
        left = sorted((t for t in old.values() if t.id not in set(fresh.matches.values())),
                      key=lambda t: (t.seq, t.id))
        paths = list(parsed.sections)
        seen = set(paths)
        for task in left:
            for depth in range(1, len(task.path) + 1):
                if task.path[:depth] not in seen:
                    seen.add(task.path[:depth])
                    paths.append(task.path[:depth])
        db.execute("UPDATE tasks SET section_id = NULL WHERE plan_id = ?", [plan_id])
        db.execute("DELETE FROM sections WHERE plan_id = ?", [plan_id])
        section_ids = insert_section_paths(ledger, plan_id, paths)
        unit_ids = _ensure_units(ledger, parsed)

        def links(task_id: int, task: ParsedTask) -> None:
            db.execute("DELETE FROM task_units WHERE task_id = ?", [task_id])
            db.conn.executemany(
                "INSERT OR IGNORE INTO task_units (task_id, unit_id, role, position) VALUES (?,?,?,?)",
                [[task_id, unit_ids[unit_key(u.name)], u.role.value, pos] for pos, u in enumerate(task.units)])

        renumbered: dict[str, int] = {}  # task id -> its 序号 before (a report of an earlier day prints it)
        for index, tid in sorted(fresh.matches.items()):
            task, before = parsed.tasks[index], old[tid]
            if task.seq != before.seq:
                renumbered[str(tid)] = before.seq
            # What the table says without being a change the clerk weighs: its place and row.
            db.execute("UPDATE tasks SET seq = ?, section_id = ?, source_row = ?, extra = ? WHERE id = ?",
                       [task.seq, section_ids.get(tuple(task.section)), task.source_row,
                        json.dumps(task.extra, ensure_ascii=False) if task.extra else "{}", tid])
            if (tid, ChangeKind.REWORDED) in by_kind:
                with ledger.change(f"修订:{ChangeKind.REWORDED}", "task", tid,
                                   before={"title": before.title, "requirement": before.requirement},
                                   after={"title": task.title, "requirement": task.requirement}):
                    db.execute("UPDATE tasks SET title = ?, requirement = ? WHERE id = ?",
                               [task.title, task.requirement, tid])
            if (tid, ChangeKind.UNITS) in by_kind:
                with ledger.change(f"修订:{ChangeKind.UNITS}", "task", tid,
                                   before={"units": by_kind[(tid, ChangeKind.UNITS)].old,
                                           "units_text": before.units_text},
                                   after={"units": by_kind[(tid, ChangeKind.UNITS)].new,
                                          "units_text": task.units_text}):
                    db.execute("UPDATE tasks SET units_text = ? WHERE id = ?", [task.units_text, tid])
                    links(tid, task)
            elif before.units_text != task.units_text:  # the same units, written differently
                db.execute("UPDATE tasks SET units_text = ? WHERE id = ?", [task.units_text, tid])
            if (tid, ChangeKind.DEADLINE) in by_kind:
                due = task.deadline.due_date.isoformat() if task.deadline.due_date else None
                with ledger.change(f"修订:{ChangeKind.DEADLINE}", "task", tid,
                                   before={"deadline_text": before.deadline_text, "due_date": before.due_date},
                                   after={"deadline_text": task.deadline.text, "due_date": due}):
                    db.execute("UPDATE tasks SET deadline_text = ?, due_date = ?, deadline_kind = ?,"
                               " needs_review = ? WHERE id = ?",
                               [task.deadline.text, due, task.deadline.kind.value,
                                int(task.deadline.needs_review), tid])
            # (the same 完成时限: a date the clerk set by hand stays)
            if (tid, ChangeKind.SECTION) in by_kind:
                change = by_kind[(tid, ChangeKind.SECTION)]
                with ledger.change(f"修订:{ChangeKind.SECTION}", "task", tid,
                                   before={"section": change.old}, after={"section": change.new}):
                    pass  # (section_id was set with the task's place above)

        added_ids = []
        next_id = _next_task_id(ledger)
        for index in fresh.added:
            task = parsed.tasks[index]
            due = task.deadline.due_date.isoformat() if task.deadline.due_date else None
            with ledger.change(f"修订:{ChangeKind.ADDED}", "task", next_id,
                               after={"seq": task.seq, "requirement": task_text(task.title, task.requirement),
                                      "units": task.units_text, "deadline_text": task.deadline.text}):
                db.execute(
                    "INSERT INTO tasks (id, plan_id, seq, section_id, title, requirement, units_text,"
                    " deadline_text, due_date, deadline_kind, needs_review, source_row, extra)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [next_id, plan_id, task.seq, section_ids.get(tuple(task.section)), task.title, task.requirement,
                     task.units_text, task.deadline.text, due, task.deadline.kind.value,
                     int(task.deadline.needs_review), task.source_row,
                     json.dumps(task.extra, ensure_ascii=False) if task.extra else "{}"])
                links(next_id, task)
            added_ids.append(next_id)
            next_id += 1

        # Tasks the table no longer has (and those withdrawn earlier) follow the new ones,
        # under the section they had; the ones withdrawn now are marked 已取消.
        for seq, task in enumerate(left, start=len(parsed.tasks) + 1):
            if seq != task.seq:
                renumbered[str(task.id)] = task.seq
            db.execute("UPDATE tasks SET seq = ?, section_id = ? WHERE id = ?",
                       [seq, section_ids.get(task.path) if task.path else None, task.id])
        for tid in fresh.removed:
            ledger.set_status(tid, Status.CANCELLED, on, origin="修订")

        counts = fresh.counts()
        if renumbered:
            record["before"] = {**record["before"], "seqs": renumbered}
        record["after"] = {"title": parsed.title, "source_name": parsed.source_name, "sha256": fresh.sha256,
                           "changes": {kind.value: n for kind, n in counts.items()},
                           "tasks": len(parsed.tasks), "pairs": [list(p) for p in fresh.pairs]}
    rows = db.execute("SELECT COUNT(*) FROM audit WHERE id > ?", [first_audit]).fetchone()[0]
    return RevisionResult(plan_id=plan_id, counts=counts, added_task_ids=added_ids,
                          cancelled_task_ids=list(fresh.removed), audit_rows=rows)
