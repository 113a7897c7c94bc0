"""Writing a previewed update into the county plan (:func:`apply_update`): new tasks in
the superior's order, withdrawn ones 已取消, wording and deadlines followed where the
county kept the derived words; one change, with the audit trail a revision leaves."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from ..errors import UserError
from ..ledger import Ledger
from ..model import Status, Task
from ..unit_mapping import store_mapping_rows
from .audit_trail import ADDED_ACTION, UPDATE_ACTION, UPDATE_ORIGIN, Aspect, task_line
from .county_plan import insert_tasks
from .selection import refusal, seq_list
from .update_preview import UpdateItem, UpdateKind, UpdatePreview, prepare_update


@dataclass(slots=True)
class UpdateOutcome:
    plan_id: int  # the county plan
    added: list[int]  # new county task ids
    cancelled: list[int]
    followed: list[int]  # county tasks that took the superior's new wording or deadline
    mapping_saved: int
    audit_rows: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.cancelled or self.followed)


def _placed(county_tasks: list[Task], link: dict[int, int | None], live_seq: dict[int, int],
            new: list[UpdateItem]) -> list[Task | UpdateItem]:
    """The county plan's order with the new tasks in the superior's order: each after
    the last county task from an earlier superior task, so that a section is not split
    when the table is written again (the county's own tasks stay last)."""
    order: list[tuple[int | None, Task | UpdateItem]] = [
        (live_seq.get(link.get(t.id)), t) for t in county_tasks]  # (superior 序号 or None, entry)
    for item in sorted(new, key=lambda i: i.source.seq):
        seq = item.source.seq
        after = max((n for n, (anchor, _) in enumerate(order) if anchor is not None and anchor < seq), default=None)
        if after is None:
            first = next((n for n, (anchor, _) in enumerate(order) if anchor is not None), len(order))
            order.insert(first, (seq, item))
        else:
            order.insert(after + 1, (seq, item))
    return [entry for _, entry in order]


def _follow(ledger: Ledger, item: UpdateItem) -> list[Aspect]:
    """The county task takes the superior's new wording and/or deadline (one audit row each)."""
    task, source = item.county, item.source
    done = []
    for change in item.aspects:
        if not change.follows:
            continue
        if change.aspect == Aspect.WORDING:
            with ledger.change("修订:改写任务", "task", task.id,
                               before={"title": task.title, "requirement": task.requirement},
                               after={"title": source.title, "requirement": source.requirement,
                                      "from_task": source.id}, origin=UPDATE_ORIGIN):
                ledger.db.execute("UPDATE tasks SET title = ?, requirement = ? WHERE id = ?",
                                  [source.title, source.requirement, task.id])
        elif change.aspect == Aspect.DEADLINE:
            due = source.due_date.isoformat() if source.due_date else None
            with ledger.change("修订:完成时限", "task", task.id,
                               before={"deadline_text": task.deadline_text,
                                       "due_date": task.due_date.isoformat() if task.due_date else None},
                               after={"deadline_text": source.deadline_text, "due_date": due,
                                      "from_task": source.id}, origin=UPDATE_ORIGIN):
                ledger.db.execute("UPDATE tasks SET deadline_text = ?, due_date = ?, deadline_kind = ?,"
                                  " needs_review = ? WHERE id = ?",
                                  [source.deadline_text, due, source.deadline_kind.value,
                                   int(source.needs_review), task.id])
        done.append(change.aspect)
    return done


def _add_tasks(ledger: Ledger, county_id: int,
               new: list[UpdateItem]) -> tuple[list[tuple[int, UpdateItem]], dict[str, int]]:
    """Insert the new county tasks in the superior's order; the plan's 序号 run 1..n again.

    Each new task gets the audit row a revision gives the tasks it adds (修订:新增任务,
    with its 序号), and the county tasks that moved down are returned with the 序号 they
    had (task id -> 序号), for the update's own row: so that a county report of a day
    before the update prints what it printed then (report_data.revisions_after)."""
    from ..plan_import import _place_sections

    db = ledger.db
    county_tasks = ledger.tasks(county_id)
    link = dict(db.execute("SELECT id, derived_from FROM tasks WHERE plan_id = ?", [county_id]).fetchall())
    sources = [s for s in link.values() if s is not None]
    live_seq = dict(db.execute(
        "SELECT id, seq FROM tasks WHERE id IN (SELECT value FROM json_each(?)) AND status != ?",
        [json.dumps(sources), Status.CANCELLED.value]).fetchall()) if sources else {}
    order = _placed(county_tasks, link, live_seq, new)

    old_paths: dict[int, tuple[str, ...]] = {}
    for sid, path in ledger.section_paths(county_id).items():
        if path not in old_paths.values():
            old_paths[sid] = path
    paths: dict[tuple[str, ...], None] = {}
    for entry in order:
        section = entry.section if isinstance(entry, Task) else entry.derived.section
        for depth in range(1, len(section) + 1):
            paths.setdefault(tuple(section[:depth]), None)
    for path in old_paths.values():  # sections left without tasks keep their place at the end
        paths.setdefault(path, None)
    section_ids, _ = _place_sections(ledger, county_id, list(paths), old_paths)

    moves, placed, items = [], [], []
    renumbered: dict[str, int] = {}
    for seq, entry in enumerate(order, start=1):
        if isinstance(entry, Task):
            if entry.seq != seq:
                moves.append([seq, entry.id])
                renumbered[str(entry.id)] = entry.seq
        else:
            placed.append((seq, entry.derived))
            items.append(entry)
    db.conn.executemany("UPDATE tasks SET seq = ? WHERE id = ?", moves)
    added = list(zip(insert_tasks(ledger, county_id, placed, section_ids), items))
    for (task_id, item), (seq, draft) in zip(added, placed):
        with ledger.change(ADDED_ACTION, "task", task_id, origin=UPDATE_ORIGIN,
                           after={"seq": seq, "requirement": task_line(draft.title, draft.requirement),
                                  "units": draft.units_text, "deadline_text": draft.deadline.text,
                                  "from_task": item.source.id}):
            pass  # (written above, all at once)
    return added, renumbered


def apply_update(ledger: Ledger, preview: UpdatePreview, chosen: Iterable[str] | None = None, *,
                 on: date | None = None, also: Callable[[Ledger, int], object] | None = None) -> UpdateOutcome:
    """Write the ticked lines of a previewed update in one change: one audit row on the
    county plan (listing the tasks added and keeping the 序号 of the tasks that moved
    down, as a revision's row does), one per task added (修订:新增任务, as a revision
    writes it), one per county task that follows the superior's wording or deadline,
    and one for the county tasks marked 已取消 (their history kept). An automatic
    backup first. A county report of a day before the update therefore prints what it
    printed then (core/report_data.revisions_after).

    ``chosen``: keys of :class:`UpdateItem` (None: :attr:`UpdatePreview.default_keys`).
    The preview is made again inside the transaction; if either plan changed since it
    was shown, nothing is written. ``on``: the day the 已取消 takes effect (today).
    ``also(ledger, county_plan_id)`` runs inside the transaction (the .xlsx written
    again), so that the file and the ledger never disagree."""
    from ..backup import auto_backup

    keys = list(dict.fromkeys(preview.default_keys if chosen is None else chosen))
    unknown = [k for k in keys if preview.item(k) is None]
    if unknown:
        raise UserError("所选的更新内容不在预览中(预览可能已过时),台账没有改动。请重新预览后再应用。")
    picked = [preview.item(k) for k in keys if preview.item(k).writes]
    blocked = preview.blocked(k for k in keys)
    if blocked:
        units = "、".join(dict.fromkeys(n for i in blocked for n in i.unmapped))
        seqs = seq_list([i.source.seq for i in blocked])
        raise refusal(f"下列上级单位还没有对应的本级单位:{units}(涉及上级分解表序号 {seqs})。本级分解表没有更新。"
                      "请补上它们的本级单位,或不选这些任务。",
                      "命令行:加 --map 单位对应.xlsx(两列 上级单位 | 本级单位),或用 --tasks 不选这些任务。")
    county_id = preview.county.id
    if not picked:
        return UpdateOutcome(plan_id=county_id, added=[], cancelled=[], followed=[], mapping_saved=0, audit_rows=0)
    auto_backup(ledger, UPDATE_ACTION)
    db = ledger.db
    first_audit = db.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]
    with ledger.change(UPDATE_ACTION, "plan", county_id,
                       before={"from_plan": preview.plan.id, "from_title": preview.plan.title}) as record:
        fresh = prepare_update(ledger, preview.plan.id, local_name=preview.local_name,
                               lead_office=preview.lead_office, mapping=preview.given,
                               mapping_how=preview.given_how, include=preview.include)
        if fresh.fingerprint != preview.fingerprint:
            raise UserError(f"《{preview.plan.title}》或本级分解表《{preview.county.title}》在预览之后有改动,"
                            "本级分解表没有更新,台账没有改动。请重新预览后再应用。")
        picked = [fresh.item(k) for k in keys if fresh.item(k).writes]
        followed: dict[int, list[str]] = {}
        for item in (i for i in picked if i.kind == UpdateKind.CHANGED):
            followed[item.county.id] = [a.value for a in _follow(ledger, item)]
        cancelled = [i.county.id for i in picked if i.kind == UpdateKind.WITHDRAWN]
        if cancelled:
            ledger.set_statuses(cancelled, Status.CANCELLED, on, origin=UPDATE_ORIGIN)
        new = [i for i in picked if i.kind == UpdateKind.ADDED]
        added, renumbered = _add_tasks(ledger, county_id, new) if new else ([], {})
        units = {u.name for i in new for u in i.source.units}
        used = {s.superior: s.locals for s in fresh.mapping if s.locals and s.superior in units}
        mapping_before = store_mapping_rows(ledger, used) if used else {}
        if also is not None:
            also(ledger, county_id)
        record["before"] = {"from_plan": preview.plan.id, "from_title": preview.plan.title,
                            "mapping": mapping_before or None}
        if renumbered:  # as a revision's row keeps them: a report of an earlier day prints these
            record["before"]["seqs"] = renumbered
        record["after"] = {
            "tasks": [tid for tid, _ in added] + cancelled + list(followed),
            "added": [{"task": tid, "from_task": i.source.id, "from_seq": i.source.seq} for tid, i in added],
            "cancelled": cancelled, "followed": {str(k): v for k, v in followed.items()},
            "mapping": used or None}
    rows = db.execute("SELECT COUNT(*) FROM audit WHERE id > ?", [first_audit]).fetchone()[0]
    return UpdateOutcome(plan_id=county_id, added=[tid for tid, _ in added], cancelled=cancelled,
                         followed=list(followed), mapping_saved=len(used), audit_rows=rows)
