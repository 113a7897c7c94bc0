"""Writing a plan read from a file into the ledger, all or nothing.

Importing the same file again (same SHA-256) is refused unless the clerk asks to
replace it, typically after correcting the year or the column mapping. Replacing
never loses the clerk's work: tasks are matched by their requirement text and keep
their id, status, progress notes and evidence; an old task that no longer matches
but carries such work is kept (and reported), one without is dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DuplicateImportError
from .ledger import Ledger, now_text
from .model import ParsedPlan
from .perf import paused_gc
from .units import known_keys, split_with_directory, unit_key

_CHUNK = 1 << 20


@dataclass(slots=True)
class ImportOutcome:
    plan_id: int
    task_count: int
    section_count: int
    unit_count: int
    review_seqs: list[int]
    replaced: bool = False
    kept_old: list[str] = field(default_factory=list)


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_NUMBERISH_RE = re.compile(r"[\d.,、()()一二三四五六七八九十零〇\s]*")


def reading_doubts(parsed: ParsedPlan) -> list[str]:
    """Signs that the file was read wrongly, in plain Chinese; ``[]`` when none.

    Most tasks without a unit, most deadlines that give no date, or a requirement
    column that is mostly numbers or a few characters: the columns were probably
    taken for the wrong meanings. The wizard shows these before importing and the
    command line refuses them unless told ``--force``.
    """
    tasks = parsed.tasks
    total = len(tasks)
    if not total:
        return []
    doubts: list[str] = []
    without_units = sum(1 for t in tasks if not t.units)
    if without_units * 2 > total:
        where = "表格中没有认出“责任单位”一列" if "units" not in parsed.mapping else "责任单位一列大多是空的"
        doubts.append(f"{total} 项任务中有 {without_units} 项没有读到责任单位({where})。")
    if parsed.has_deadline_column:
        unread = sum(1 for t in tasks if t.deadline.needs_review)
        if unread * 2 > total:
            doubts.append(f"{total} 项任务中有 {unread} 项的完成时限读不出到期日。")
    short = sum(1 for t in tasks if _short_or_numeric(t.requirement or t.title or ""))
    if short * 2 > total:
        doubts.append(f"“具体要求”一列大多是数字或只有几个字({short} 项),可能把别的列当成了具体要求。")
    return doubts


def _short_or_numeric(text: str) -> bool:
    squashed = "".join(text.split())
    return len(squashed) <= 3 or bool(_NUMBERISH_RE.fullmatch(squashed))


def known_unit_names(ledger: Ledger) -> list[str]:
    """Every unit name the ledger knows (its unit directory)."""
    return [name for (name,) in ledger.db.execute("SELECT name FROM units ORDER BY id")]


def apply_unit_directory(parsed: ParsedPlan, names: Iterable[str]) -> int:
    """Split run-together unit names with the names the ledger already knows
    (:func:`units.split_with_directory`); returns how many tasks changed."""
    known = known_keys(names)
    if not known:
        return 0
    changed = 0
    for task in parsed.tasks:
        units = split_with_directory(task.units, known)
        if units != task.units:
            task.units = units
            changed += 1
    return changed


def _match_key(text: str) -> str:
    return "".join(text.split())


def write_plan(ledger: Ledger, parsed: ParsedPlan, sha256: str, *, replace: bool = False,
               issuer: str | None = None) -> ImportOutcome:
    with paused_gc():
        return _write_plan(ledger, parsed, sha256, replace=replace, issuer=issuer)


def _write_plan(ledger: Ledger, parsed: ParsedPlan, sha256: str, *, replace: bool,
                issuer: str | None) -> ImportOutcome:
    existing = ledger.plan_by_sha256(sha256)
    if existing is not None and not replace:
        error = DuplicateImportError(
            f"文件“{parsed.source_name}”已于 {existing.imported_at[:16].replace('T', ' ')} 导入过"
            f"(分解表编号 {existing.id}:{existing.title})。\n"
            "如需按新的设置重新读取,可以重新导入(替换这份分解表的读取结果),已填写的状态、进展和佐证材料都会保留。")
        error.hint_cli = "命令行:加 --replace 重新导入。"  # type: ignore[attr-defined]  # printed by the CLI only
        raise error
    db = ledger.db
    action = "重新导入分解表" if existing else "导入分解表"
    from .backup import auto_backup  # (backup imports the ledger; keep import order simple)

    auto_backup(ledger, "重新导入" if existing else "导入")
    with ledger.change(action, "plan") as record:
        plan_values = [parsed.year, parsed.title, issuer, parsed.doc_number, parsed.source_name,
                       sha256, parsed.sheet, json.dumps(parsed.columns, ensure_ascii=False),
                       json.dumps(parsed.mapping), now_text(), ledger.user]
        old_by_key: dict[str, list[int]] = {}
        old_paths: dict[int, tuple[str, ...]] = {}
        old_dates: dict[int, tuple[str, str | None, str, int]] = {}
        keep_ids: set[int] = set()
        if existing is not None:
            plan_id = existing.id
            db.execute(
                "UPDATE plans SET year=?, title=?, issuer=COALESCE(?, issuer), doc_number=?,"
                " source_name=?, source_sha256=?, sheet=?, columns=?, mapping=?, imported_at=?,"
                " imported_by=? WHERE id=?", plan_values + [plan_id])
            paths = ledger.section_paths(plan_id)
            for tid, requirement, title, section_id, *dates in db.execute(
                    "SELECT id, requirement, title, section_id, deadline_text, due_date, deadline_kind,"
                    " needs_review FROM tasks WHERE plan_id = ? ORDER BY seq", [plan_id]).fetchall():
                old_by_key.setdefault(_match_key(requirement or title or ""), []).append(tid)
                old_paths[tid] = paths.get(section_id, ()) if section_id else ()
                old_dates[tid] = tuple(dates)
            db.execute("UPDATE tasks SET section_id = NULL WHERE plan_id = ?", [plan_id])
            db.execute("DELETE FROM sections WHERE plan_id = ?", [plan_id])
        else:
            cursor = db.execute(
                "INSERT INTO plans (year, title, issuer, doc_number, source_name, source_sha256,"
                " sheet, columns, mapping, imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                plan_values)
            plan_id = cursor.lastrowid

        section_ids = _insert_sections(ledger, plan_id, parsed)
        unit_ids = _ensure_units(ledger, parsed)

        next_id = _next_task_id(ledger)
        inserts, updates, links = [], [], []
        dated_by_clerk: set[int] = set()  # seqs whose hand-set due date was kept
        for task in parsed.tasks:
            candidates = old_by_key.get(_match_key(task.requirement or task.title or ""))
            values = [task.seq, section_ids.get(tuple(task.section)), task.title, task.requirement,
                      task.units_text, task.deadline.text,
                      task.deadline.due_date.isoformat() if task.deadline.due_date else None,
                      task.deadline.kind.value, int(task.deadline.needs_review), task.source_row,
                      json.dumps(task.extra, ensure_ascii=False) if task.extra else "{}"]
            if candidates:
                task_id = candidates.pop(0)
                keep_ids.add(task_id)
                old_text, old_due, old_kind, old_review = old_dates[task_id]
                if task.deadline.needs_review and not old_review and old_text == task.deadline.text:
                    # The same unreadable text that the clerk dated by hand: keep their date.
                    values[6:9] = [old_due, old_kind, 0]
                    dated_by_clerk.add(task.seq)
                updates.append(values + [task_id])
            else:
                task_id = next_id
                next_id += 1
                inserts.append([task_id, plan_id] + values)
            for position, unit in enumerate(task.units):
                links.append([task_id, unit_ids[unit_key(unit.name)], unit.role.value, position])
        db.conn.executemany(
            "INSERT INTO tasks (id, plan_id, seq, section_id, title, requirement, units_text,"
            " deadline_text, due_date, deadline_kind, needs_review, source_row, extra)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", inserts)
        db.conn.executemany(
            "UPDATE tasks SET seq=?, section_id=?, title=?, requirement=?, units_text=?,"
            " deadline_text=?, due_date=?, deadline_kind=?, needs_review=?, source_row=?, extra=?"
            " WHERE id=?", updates)
        # Matched tasks take the units of the new reading; an old task kept for its
        # work keeps its units (and its section, where the new reading still has it).
        db.conn.executemany("DELETE FROM task_units WHERE task_id = ?", [[tid] for tid in keep_ids])
        db.conn.executemany(
            "INSERT OR IGNORE INTO task_units (task_id, unit_id, role, position) VALUES (?,?,?,?)", links)

        kept_old = _settle_unmatched(ledger, old_by_key, len(parsed.tasks),
                                     {tid: section_ids.get(path) for tid, path in old_paths.items() if path})
        outcome = ImportOutcome(
            plan_id=plan_id, task_count=len(parsed.tasks), section_count=len(section_ids),
            unit_count=len(unit_ids), review_seqs=[t.seq for t in parsed.tasks
                         if t.deadline.needs_review and t.seq not in dated_by_clerk],
            replaced=existing is not None, kept_old=kept_old)
        record["entity_id"] = plan_id
        record["after"] = {"title": parsed.title, "year": parsed.year, "source_name": parsed.source_name,
                           "sha256": sha256, "tasks": len(parsed.tasks), "sections": len(section_ids)}
    return outcome


def _next_task_id(ledger: Ledger) -> int:
    """Never hand out an id a task once had: audit rows name tasks by id, and an old
    row must not come to point at a different task after a replace dropped one."""
    row = ledger.db.execute(
        "SELECT MAX(m) FROM (SELECT COALESCE(MAX(id), 0) AS m FROM tasks"
        " UNION ALL SELECT COALESCE(MAX(entity_id), 0) FROM audit WHERE entity IN ('task', 'progress', 'evidence')"
        " UNION ALL SELECT COALESCE(MAX(task_id), 0) FROM evidence)").fetchone()
    return (row[0] or 0) + 1


def _insert_sections(ledger: Ledger, plan_id: int, parsed: ParsedPlan) -> dict[tuple[str, ...], int]:
    return insert_section_paths(ledger, plan_id, parsed.sections)


def insert_section_paths(ledger: Ledger, plan_id: int,
                         paths: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Write a plan's sections (each path after its parent, as ``ParsedPlan.sections``
    lists them); a revision adds the paths its withdrawn tasks keep."""
    db = ledger.db
    next_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM sections").fetchone()[0] + 1
    ids: dict[tuple[str, ...], int] = {}
    rows = []
    for position, path in enumerate(paths):
        ids[path] = next_id
        rows.append([next_id, plan_id, ids.get(path[:-1]), len(path), path[-1], position])
        next_id += 1
    db.conn.executemany("INSERT INTO sections (id, plan_id, parent_id, depth, label, position)"
                        " VALUES (?,?,?,?,?,?)", rows)
    return ids


def _ensure_units(ledger: Ledger, parsed: ParsedPlan) -> dict[str, int]:
    """Unit ids by matching key; units are shared across plans (the directory)."""
    db = ledger.db
    known = {key: uid for uid, key in db.execute("SELECT id, key FROM units")}
    result: dict[str, int] = {}
    new_rows = []
    next_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM units").fetchone()[0] + 1
    for name in parsed.unit_names:
        key = unit_key(name)
        if key in result:
            continue
        if key in known:
            result[key] = known[key]
        else:
            result[key] = next_id
            new_rows.append([next_id, name, key])
            next_id += 1
    db.conn.executemany("INSERT INTO units (id, name, key) VALUES (?,?,?)", new_rows)
    return result


def _settle_unmatched(ledger: Ledger, old_by_key: dict[str, list[int]], new_count: int,
                      old_sections: dict[int, int | None]) -> list[str]:
    db = ledger.db
    leftovers = [tid for ids in old_by_key.values() for tid in ids]
    kept: list[str] = []
    seq = new_count
    for tid in sorted(leftovers):
        has_work = db.execute(
            "SELECT EXISTS(SELECT 1 FROM status_history WHERE task_id = ?)"
            " OR EXISTS(SELECT 1 FROM progress WHERE task_id = ?)"
            " OR EXISTS(SELECT 1 FROM evidence WHERE task_id = ?)", [tid, tid, tid]).fetchone()[0]
        if has_work:
            seq += 1
            db.execute("UPDATE tasks SET seq = ?, section_id = ? WHERE id = ?",
                       [seq, old_sections.get(tid), tid])
            text = db.execute("SELECT requirement FROM tasks WHERE id = ?", [tid]).fetchone()[0]
            kept.append(text)
        else:
            db.execute("DELETE FROM tasks WHERE id = ?", [tid])
    return kept
