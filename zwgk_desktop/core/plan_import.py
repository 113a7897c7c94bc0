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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .deadlines import DeadlineKind
from .errors import DuplicateImportError
from .ledger import Ledger, now_text
from .model import ParsedPlan
from .patterns import lazy_compile
from .perf import paused_gc
from .units import Role, known_keys, split_with_directory, unit_key

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


_NUMBERISH_RE = lazy_compile(r"[\d.,、()()一二三四五六七八九十零〇\s]*")


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


_NUMBERISH_CHARS = frozenset(".,、()()一二三四五六七八九十零〇")


def _short_or_numeric(text: str) -> bool:
    # Most requirements start with a word: four characters of the text's start (white
    # space taken out, as below) say it is long enough, and the pattern fails at once.
    head = "".join(text[:8].split())
    if len(head) >= 4 and not (head[0].isdecimal() or head[0] in _NUMBERISH_CHARS):
        return False
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
    with paused_gc(), _large_cache(ledger):
        return _write_plan(ledger, parsed, sha256, replace=replace, issuer=issuer)


@contextmanager
def _large_cache(ledger: Ledger) -> Iterator[None]:
    """A page cache that holds a big plan's transaction: with SQLite's default 2 MB,
    pages of a 20,000-task import spill to the WAL before the commit and are written
    twice (measured: 7-14% of writing the plan). The cache only grows as pages are used."""
    db = ledger.db
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA cache_size = -65536")  # KiB: 64 MB at most
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(before)}")


# The task columns an import writes, in the order of the rows built below.
_TASK_COLUMNS = ("seq", "section_id", "title", "requirement", "units_text", "deadline_text", "due_date",
                 "deadline_kind", "needs_review", "source_row", "extra")
_DUE, _REVIEW = 6, 8  # positions of the due date and of the review flag (kind between) in a row


@dataclass(slots=True)
class _OldPlan:
    """A plan's rows as they were before a re-import, read once so that the new
    reading can be compared in memory and only what changed is written."""

    rows: dict[int, tuple]  # task id -> values in _TASK_COLUMNS order
    by_key: dict[str, list[int]]  # matching key -> task ids in seq order
    paths: dict[int, tuple[str, ...]]  # section id -> path
    links: dict[int, set[tuple[int, str, int]]]  # task id -> {(unit id, role, position)}


def _read_old_plan(ledger: Ledger, plan_id: int) -> _OldPlan:
    db = ledger.db
    rows: dict[int, tuple] = {}
    by_key: dict[str, list[int]] = {}
    for tid, *values in db.execute(
            f"SELECT id, {', '.join(_TASK_COLUMNS)} FROM tasks WHERE plan_id = ? ORDER BY seq", [plan_id]):
        rows[tid] = tuple(values)
        by_key.setdefault(_match_key(values[3] or values[2] or ""), []).append(tid)
    links: dict[int, set[tuple[int, str, int]]] = {}
    for tid, uid, role, position in db.execute(
            "SELECT task_id, unit_id, role, position FROM task_units"
            " WHERE task_id IN (SELECT id FROM tasks WHERE plan_id = ?)", [plan_id]):
        links.setdefault(tid, set()).add((uid, role, position))
    return _OldPlan(rows, by_key, ledger.section_paths(plan_id), links)


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
    if existing is not None or db.execute("SELECT EXISTS (SELECT 1 FROM plans)").fetchone()[0]:
        # (auto_backup takes none of a ledger without plans, nothing to lose: the first
        # import does not load the backup module at all)
        from .backup import auto_backup

        auto_backup(ledger, "重新导入" if existing else "导入")
    with ledger.change(action, "plan") as record:
        plan_values = [parsed.year, parsed.title, issuer, parsed.doc_number, parsed.source_name,
                       sha256, parsed.sheet, json.dumps(parsed.columns, ensure_ascii=False),
                       json.dumps(parsed.mapping), now_text(), ledger.user]
        if existing is not None:
            plan_id = existing.id
            db.execute(
                "UPDATE plans SET year=?, title=?, issuer=COALESCE(?, issuer), doc_number=?,"
                " source_name=?, source_sha256=?, sheet=?, columns=?, mapping=?, imported_at=?,"
                " imported_by=? WHERE id=?", plan_values + [plan_id])
            old = _read_old_plan(ledger, plan_id)
        else:
            cursor = db.execute(
                "INSERT INTO plans (year, title, issuer, doc_number, source_name, source_sha256,"
                " sheet, columns, mapping, imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                plan_values)
            plan_id = cursor.lastrowid
            old = _OldPlan({}, {}, {}, {})

        paths, task_paths, unit_names = _paths_and_names(parsed)
        section_ids, spare_sections = _place_sections(ledger, plan_id, paths, old.paths)
        unit_ids = _ensure_unit_names(ledger, unit_names)

        next_id = _next_task_id(ledger)
        inserts, updates, links = [], [], []
        relinked: list[list[int]] = []  # matched tasks whose units changed: their old links go
        dated_by_clerk: set[int] = set()  # seqs whose hand-set due date was kept
        # (a row per task: enum .value is a property call, a dict look-up is not)
        kind_values = {kind: kind.value for kind in DeadlineKind}
        role_values = {role: role.value for role in Role}
        # Each distinct UnitRef (cells that print the same units share them) once:
        # id(ref) -> (unit id, role as stored). The refs live as long as ``parsed``.
        link_of_ref: dict[int, tuple[int, str]] = {}
        # Likewise each distinct Deadline (parse_deadline shares them): its four columns.
        columns_of_deadline: dict[int, tuple[str, str | None, str, int]] = {}
        for task, path in zip(parsed.tasks, task_paths, strict=True):
            deadline = task.deadline
            deadline_columns = columns_of_deadline.get(id(deadline))
            if deadline_columns is None:
                due = deadline.due_date
                deadline_columns = columns_of_deadline[id(deadline)] = (
                    deadline.text, due.isoformat() if due else None, kind_values[deadline.kind],
                    int(deadline.needs_review))
            values = [task.seq, section_ids.get(path), task.title, task.requirement, task.units_text,
                      *deadline_columns, task.source_row,
                      json.dumps(task.extra, ensure_ascii=False) if task.extra else "{}"]
            task_links: dict[int, tuple[int, str, int]] = {}
            for position, unit in enumerate(task.units):
                link = link_of_ref.get(id(unit))
                if link is None:
                    link = link_of_ref[id(unit)] = (unit_ids[unit_key(unit.name)], role_values[unit.role])
                uid = link[0]
                if uid not in task_links:  # one link per unit: the first place it is named
                    task_links[uid] = (uid, link[1], position)
            candidates = old.by_key.get(_match_key(task.requirement or task.title or "")) if old.by_key else None
            if candidates:
                task_id = candidates.pop(0)
                before = old.rows[task_id]
                old_text, old_due, old_kind, old_review = before[5:9]
                if deadline.needs_review and not old_review and old_text == deadline.text:
                    # The same unreadable text that the clerk dated by hand: keep their date.
                    values[_DUE:_REVIEW + 1] = [old_due, old_kind, 0]
                    dated_by_clerk.add(task.seq)
                if tuple(values) != before:
                    updates.append(values + [task_id])
                if set(task_links.values()) == old.links.get(task_id, set()):
                    continue
                relinked.append([task_id])
            else:
                task_id = next_id
                next_id += 1
                inserts.append([task_id, plan_id, *values])
            for uid, role, position in task_links.values():
                links.append((task_id, uid, role, position))
        conn = db.conn
        conn.executemany(
            f"INSERT INTO tasks (id, plan_id, {', '.join(_TASK_COLUMNS)}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            inserts)
        conn.executemany(
            f"UPDATE tasks SET {', '.join(c + '=?' for c in _TASK_COLUMNS)} WHERE id=?", updates)
        # Matched tasks take the units of the new reading; an old task kept for its
        # work keeps its units (and its section, where the new reading still has it).
        conn.executemany("DELETE FROM task_units WHERE task_id = ?", relinked)
        conn.executemany("INSERT INTO task_units (task_id, unit_id, role, position) VALUES (?,?,?,?)", links)

        kept_old = _settle_unmatched(ledger, plan_id, old, len(parsed.tasks), section_ids)
        # Sections of the old reading that the new one has no use for; nothing points
        # at them any more (each delete scans the tasks, so there are as few as can be).
        conn.executemany("DELETE FROM sections WHERE id = ?", [[sid] for sid in spare_sections])
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
    ids, _ = _place_sections(ledger, plan_id, paths, {})
    return ids


def _place_sections(ledger: Ledger, plan_id: int, paths: Iterable[tuple[str, ...]],
                    old_paths: dict[int, tuple[str, ...]]) -> tuple[dict[tuple[str, ...], int], list[int]]:
    """Section ids for ``paths`` (each after its parent) and the old ids left over.

    A path the plan already has keeps its row (its id, so its tasks need no update);
    a new path takes the row of an old path that went away, or a new row. Deleting a
    section makes SQLite scan every task for it (no index on ``tasks.section_id``), so
    rows are reused rather than deleted and added again; only a plan that lost
    sections leaves some over, for the caller to delete once nothing points at them.
    """
    db = ledger.db
    old_ids: dict[tuple[str, ...], int] = {}
    for sid, path in old_paths.items():
        old_ids.setdefault(path, sid)
    paths = list(paths)
    wanted = set(paths)
    spare = [sid for sid, path in old_paths.items() if path not in wanted or old_ids[path] != sid]
    spare.reverse()  # reused from the lowest id up
    old_rows = {sid: (parent, depth, label, position) for sid, parent, depth, label, position in db.execute(
        "SELECT id, parent_id, depth, label, position FROM sections WHERE plan_id = ?", [plan_id])
    } if old_paths else {}
    next_id = None
    ids: dict[tuple[str, ...], int] = {}
    inserts, updates = [], []
    for position, path in enumerate(paths):
        values = (ids.get(path[:-1]), len(path), path[-1], position)
        sid = old_ids.get(path)
        if sid is None and spare:
            sid = spare.pop()
        if sid is not None:
            if old_rows.get(sid) != values:
                updates.append([*values, sid])
        else:
            if next_id is None:
                next_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM sections").fetchone()[0] + 1
            sid = next_id
            next_id += 1
            inserts.append([sid, plan_id, *values])
        ids[path] = sid
    # New rows first: a reused row may hang under one of them (foreign keys are checked
    # row by row); the new rows' parents are either old rows or new rows before them.
    db.conn.executemany("INSERT INTO sections (id, plan_id, parent_id, depth, label, position)"
                        " VALUES (?,?,?,?,?,?)", inserts)
    db.conn.executemany("UPDATE sections SET parent_id=?, depth=?, label=?, position=? WHERE id=?", updates)
    return ids, spare


def _paths_and_names(parsed: ParsedPlan) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]], list[str]]:
    """``parsed.sections``, each task's section path as a tuple and ``parsed.unit_names``
    in one pass over the tasks (a task under the same section as one before it adds
    no path; one naming the same units adds no name)."""
    paths: dict[tuple[str, ...], None] = {}
    names: dict[str, None] = {}
    task_paths: list[tuple[str, ...]] = []
    for task in parsed.tasks:
        path = tuple(task.section)
        task_paths.append(path)
        if path not in paths:  # else every prefix is there already
            for depth in range(1, len(path) + 1):
                paths.setdefault(path[:depth], None)
        for unit in task.units:
            if unit.name not in names:
                names[unit.name] = None
    return list(paths), task_paths, list(names)


def _ensure_units(ledger: Ledger, parsed: ParsedPlan) -> dict[str, int]:
    """Unit ids by matching key; units are shared across plans (the directory)."""
    return _ensure_unit_names(ledger, parsed.unit_names)


def _ensure_unit_names(ledger: Ledger, unit_names: Iterable[str]) -> dict[str, int]:
    """:func:`_ensure_units` for names already gathered (see ``_paths_and_names``)."""
    db = ledger.db
    known = {key: uid for uid, key in db.execute("SELECT id, key FROM units")}
    result: dict[str, int] = {}
    new_rows = []
    next_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM units").fetchone()[0] + 1
    for name in unit_names:
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


def _settle_unmatched(ledger: Ledger, plan_id: int, old: _OldPlan, new_count: int,
                      section_ids: dict[tuple[str, ...], int]) -> list[str]:
    """Old tasks the new reading did not match: kept after the new ones when the clerk
    has recorded anything on them (in the section of the same name, if the new reading
    still has it), otherwise deleted. Returns the kept tasks' requirements."""
    leftovers = sorted(tid for ids in old.by_key.values() for tid in ids)
    if not leftovers:
        return []
    db = ledger.db
    of_plan = "task_id IN (SELECT id FROM tasks WHERE plan_id = ?)"
    worked = {tid for (tid,) in db.execute(  # one query, not three per task
        f"SELECT task_id FROM status_history WHERE {of_plan} UNION SELECT task_id FROM progress"
        f" WHERE {of_plan} UNION SELECT task_id FROM evidence WHERE {of_plan}", [plan_id] * 3)}
    kept: list[str] = []
    moves, drops = [], []
    seq = new_count
    for tid in leftovers:
        if tid in worked:
            seq += 1
            path = old.paths.get(old.rows[tid][1]) if old.rows[tid][1] else None
            moves.append([seq, section_ids.get(path) if path else None, tid])
            kept.append(old.rows[tid][3])
        else:
            drops.append([tid])
    db.conn.executemany("UPDATE tasks SET seq = ?, section_id = ? WHERE id = ?", moves)
    db.conn.executemany("DELETE FROM tasks WHERE id = ?", drops)
    return kept
