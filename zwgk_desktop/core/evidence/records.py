"""佐证材料 as rows of the ledger: attaching files, page addresses and notes to a task
for a quarter, listing them, the 回收站 (remove, restore, empty).

A multi-file attach is all-or-nothing: every file is copied into the store first
(copying.py), then the temporary files get their real names and the rows are written in
one transaction; if anything fails, the temporary files are removed and nothing is
added. Removing evidence moves it to the 回收站 (``removed_at`` set, the file kept),
from which it can be restored; emptying the bin is a separate action that deletes the
rows and then any file no row refers to any more.

Audit rows use entity ``evidence`` with the task's id (like ``progress``) and list the
evidence ids in before/after.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import LedgerReadOnlyError, NotFoundError, UserError
from ..ledger import Ledger, now_text
from ..model import Evidence
from ..quarters import Quarter
from . import copying, store
from .names import clean_name, task_label
from .store import ProgressCallback

__all__ = [
    "KIND_FILE",
    "KIND_NAMES",
    "KIND_NOTE",
    "KIND_URL",
    "AttachResult",
    "BinEntry",
    "EmptyResult",
    "attach_files",
    "attach_note",
    "attach_url",
    "empty_recycle_bin",
    "evidence_by_id",
    "evidence_for_task",
    "is_url",
    "normalise_url",
    "recycle_bin",
    "remove",
    "remove_many",
    "restore",
    "restore_many",
    "task_ids_without_evidence",
]

MAX_NOTE = 2000
KIND_FILE, KIND_URL, KIND_NOTE = "file", "url", "note"
KIND_NAMES = {KIND_FILE: "文件", KIND_URL: "网页", KIND_NOTE: "说明"}

_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_BARE_HOST_RE = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#][^\s]*)?$", re.IGNORECASE)
SELECT = ("SELECT e.id, e.task_id, e.kind, e.name, e.sha256, e.url, e.quarter, e.size, e.added_at,"
          " e.added_by, e.note, e.mime, e.published_on, e.removed_at FROM evidence e")
#: Columns of SELECT, so a query that adds its own (``row[COLUMNS:]``) can split the row.
COLUMNS = 14


def row_evidence(row: Sequence[Any]) -> Evidence:
    """An evidence row of ``SELECT`` as the model's value, its quarter a Quarter."""
    return Evidence(*row[:6], Quarter.stored(row[6]), *row[7:COLUMNS])


# -- attaching --------------------------------------------------------------------------


@dataclass(slots=True)
class AttachResult:
    added: list[Evidence] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # same content already there for the quarter


def _resolve_quarter(quarter: Quarter | str | None) -> Quarter:
    if quarter is None:
        return Quarter.current()
    return quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise UserError(f"说明太长({len(text)} 字),请控制在 {MAX_NOTE} 字以内。")
    return text or None


def attach_files(ledger: Ledger, task_id: int, paths: Iterable[str | os.PathLike[str]],
                 quarter: Quarter | str | None = None, note: str | None = None,
                 progress: ProgressCallback | None = None,
                 names: Sequence[str] | None = None) -> AttachResult:
    """Copy files into the store and attach them to a task for a quarter (default the
    current one). All or nothing. ``names`` overrides the recorded original names
    (a pasted screenshot saved under a temporary path). A file whose content the task
    already has for that quarter is not added twice (listed in ``already``)."""
    quarter = _resolve_quarter(quarter)
    note = _clean_note(note)
    if ledger.read_only:  # before any copying into a folder that cannot take it
        raise LedgerReadOnlyError(ledger.read_only)
    ledger.task(task_id)  # NotFoundError before any copying
    sources = [Path(p) for p in paths]
    if not sources:
        raise UserError("没有选择要添加的文件。")
    if names is not None and len(names) != len(sources):
        raise ValueError("names must match paths")
    given_names = [clean_name(n) for n in (names if names is not None else [path.name for path in sources])]
    seen: set[str] = set()
    twice: list[str] = []
    keep: list[int] = []
    for i, path in enumerate(sources):  # the same file chosen twice is copied once
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            twice.append(given_names[i])
        else:
            seen.add(key)
            keep.append(i)
    sources = [sources[i] for i in keep]
    given_names = [given_names[i] for i in keep]
    total = sum(copying.check_sources(sources))
    evidence_dir = ledger.evidence_dir
    staged = copying.stage(evidence_dir, sources, given_names)
    try:
        done = copying.copy_in(staged, total, progress)
        if progress is not None:
            progress(done, done, "")
        copying.settle(evidence_dir, staged)
        result = _record_files(ledger, task_id, quarter, note, staged)
        result.already.extend(twice)
        return result
    except BaseException:
        copying.discard(staged)
        _drop_unreferenced(ledger, [item for item in staged if item.created and item.final is not None])
        raise


def _drop_unreferenced(ledger: Ledger, created: list[copying.Staged]) -> None:
    """After a failed transaction: remove files this attach created if no row uses them."""
    for item in created:
        try:
            used = ledger.db.execute("SELECT 1 FROM evidence WHERE sha256 = ? LIMIT 1", [item.sha256]).fetchone()
        except Exception:
            continue  # cannot tell: an unreferenced file is harmless, a missing one is not
        if not used and item.final is not None:
            try:
                store.remove_file(item.final)
            except OSError:
                pass


def _record_files(ledger: Ledger, task_id: int, quarter: Quarter, note: str | None,
                  staged: list[copying.Staged]) -> AttachResult:
    result = AttachResult()
    have = {row[0] for row in ledger.db.execute(
        "SELECT sha256 FROM evidence WHERE task_id = ? AND quarter = ? AND kind = ? AND removed_at IS NULL",
        [task_id, str(quarter), KIND_FILE])}
    todo: list[copying.Staged] = []
    for item in staged:
        if item.sha256 in have:
            result.already.append(item.name)
        else:
            have.add(item.sha256)
            todo.append(item)
    if not todo:
        return result
    at = now_text()
    with ledger.change("添加佐证材料", "evidence", task_id) as record:
        ids = []
        for item in todo:
            mime = mimetypes.guess_type(item.name, strict=False)[0]
            cursor = ledger.db.execute(
                "INSERT INTO evidence (task_id, quarter, kind, name, sha256, size, mime, note, added_at, added_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [task_id, str(quarter), KIND_FILE, item.name, item.sha256, item.size, mime, note, at, ledger.user])
            ids.append(cursor.lastrowid)
        record["after"] = [{"id": eid, "kind": KIND_FILE, "name": item.name, "sha256": item.sha256,
                            "size": item.size, "quarter": str(quarter)} for eid, item in zip(ids, todo)]
    result.added = [evidence_by_id(ledger, eid) for eid in ids]
    return result


def normalise_url(url: str) -> str:
    """A page address as the clerk copied it; www.example.gov.cn/… (no scheme, as
    browsers show it) gets http:// put in front."""
    text = (url or "").strip()
    if _BARE_HOST_RE.match(text):
        text = "http://" + text
    if not _URL_RE.match(text):
        raise UserError(f"“{text}”不是有效的网页地址。请填写以 http:// 或 https:// 开头的完整地址"
                        "(可从浏览器地址栏复制)。")
    return text


def is_url(text: str) -> bool:
    return bool(_URL_RE.match((text or "").strip()))


def attach_url(ledger: Ledger, task_id: int, url: str, title: str | None = None,
               published: date | str | None = None, quarter: Quarter | str | None = None,
               note: str | None = None) -> Evidence:
    """A page address (with its title and publication date, when known)."""
    quarter = _resolve_quarter(quarter)
    url = normalise_url(url)
    note = _clean_note(note)
    if isinstance(published, str):
        try:
            published = date.fromisoformat(published.strip()) if published.strip() else None
        except ValueError:
            raise UserError(f"发布日期“{published}”格式不对,请写成 2023-09-30 这样的格式。") from None
    title = " ".join((title or "").split()) or None
    ledger.task(task_id)
    with ledger.change("添加佐证材料", "evidence", task_id) as record:
        cursor = ledger.db.execute(
            "INSERT INTO evidence (task_id, quarter, kind, name, url, published_on, note, added_at, added_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [task_id, str(quarter), KIND_URL, title or url, url,
             published.isoformat() if published else None, note, now_text(), ledger.user])
        record["after"] = [{"id": cursor.lastrowid, "kind": KIND_URL, "name": title or url, "url": url,
                            "quarter": str(quarter)}]
    return evidence_by_id(ledger, cursor.lastrowid)


def attach_note(ledger: Ledger, task_id: int, text: str, quarter: Quarter | str | None = None, *,
                origin: str | None = None) -> Evidence:
    """A short written note (e.g. 已在公开栏张贴, 见纸质档案第 3 卷). ``origin`` names
    where it came from when the clerk did not type it here (a merged reply's unit)."""
    quarter = _resolve_quarter(quarter)
    body = _clean_note(text)
    if not body:
        raise UserError("说明内容是空的,请写下要记录的说明。")
    ledger.task(task_id)
    with ledger.change("添加佐证材料", "evidence", task_id, origin=origin) as record:
        cursor = ledger.db.execute(
            "INSERT INTO evidence (task_id, quarter, kind, name, added_at, added_by)"
            " VALUES (?, ?, ?, ?, ?, ?)", [task_id, str(quarter), KIND_NOTE, body, now_text(), ledger.user])
        record["after"] = [{"id": cursor.lastrowid, "kind": KIND_NOTE, "name": body, "quarter": str(quarter)}]
    return evidence_by_id(ledger, cursor.lastrowid)


# -- reading ----------------------------------------------------------------------------


def evidence_by_id(ledger: Ledger, evidence_id: int) -> Evidence:
    row = ledger.db.execute(SELECT + " WHERE e.id = ?", [evidence_id]).fetchone()
    if row is None:
        raise NotFoundError(f"台账中没有编号为 {evidence_id} 的佐证材料。"
                            "可用 zwgk evidence 任务编号 查看某项任务的材料及其编号。")
    return row_evidence(row)


def evidence_for_task(ledger: Ledger, task_id: int, include_removed: bool = False) -> list[Evidence]:
    """A task's evidence, newest quarter first, oldest first within a quarter."""
    sql = SELECT + " WHERE e.task_id = ?"
    if not include_removed:
        sql += " AND e.removed_at IS NULL"
    return [row_evidence(r) for r in ledger.db.execute(sql + " ORDER BY e.quarter DESC, e.id", [task_id])]


def task_ids_without_evidence(ledger: Ledger, plan_id: int, quarter: Quarter | str) -> list[int]:
    """Tasks of a plan (table order) with no evidence for the quarter (回收站 not counted)."""
    return [r[0] for r in ledger.db.execute(
        "SELECT t.id FROM tasks t WHERE t.plan_id = ? AND NOT EXISTS (SELECT 1 FROM evidence e"
        " WHERE e.task_id = t.id AND e.quarter = ? AND e.removed_at IS NULL) ORDER BY t.seq",
        [plan_id, str(quarter)])]


# -- 回收站 ------------------------------------------------------------------------------


def remove(ledger: Ledger, evidence_id: int) -> Evidence:
    """Move to the 回收站: the row stays (removed_at set) and so does the file."""
    item = evidence_by_id(ledger, evidence_id)
    if item.removed_at is not None:
        raise UserError(f"佐证材料 {evidence_id}“{item.name}”已经在回收站中。")
    with ledger.change("移到回收站", "evidence", item.task_id,
                       before={"id": item.id, "name": item.name, "removed_at": None}) as record:
        at = now_text()
        ledger.db.execute("UPDATE evidence SET removed_at = ?, removed_by = ? WHERE id = ?",
                          [at, ledger.user, evidence_id])
        record["after"] = {"id": item.id, "name": item.name, "removed_at": at}
    return evidence_by_id(ledger, evidence_id)


def restore(ledger: Ledger, evidence_id: int) -> Evidence:
    item = evidence_by_id(ledger, evidence_id)
    if item.removed_at is None:
        raise UserError(f"佐证材料 {evidence_id}“{item.name}”不在回收站中,无需恢复。")
    with ledger.change("从回收站恢复", "evidence", item.task_id,
                       before={"id": item.id, "name": item.name, "removed_at": item.removed_at},
                       after={"id": item.id, "name": item.name, "removed_at": None}):
        ledger.db.execute("UPDATE evidence SET removed_at = NULL, removed_by = NULL WHERE id = ?",
                          [evidence_id])
    return evidence_by_id(ledger, evidence_id)


def _move_many(ledger: Ledger, evidence_ids: Sequence[int], *, to_bin: bool) -> list[Evidence]:
    """Several items into (or out of) the 回收站: one transaction, one audit row."""
    items = [evidence_by_id(ledger, evidence_id) for evidence_id in evidence_ids]
    wrong = [i for i in items if (i.removed_at is not None) == to_bin]
    if wrong:
        where = "已经在回收站中" if to_bin else "不在回收站中"
        raise UserError(f"佐证材料“{wrong[0].name}”{where}。请刷新后再试。")
    tasks = sorted({i.task_id for i in items})
    at = now_text() if to_bin else None
    with ledger.change("移到回收站" if to_bin else "从回收站恢复", "evidence",
                       tasks[0] if len(tasks) == 1 else None,
                       before=[{"id": i.id, "name": i.name, "removed_at": i.removed_at} for i in items],
                       after=[{"id": i.id, "name": i.name, "removed_at": at} for i in items]):
        ledger.db.conn.executemany("UPDATE evidence SET removed_at = ?, removed_by = ? WHERE id = ?",
                                   [(at, ledger.user if to_bin else None, i.id) for i in items])
    return [evidence_by_id(ledger, i.id) for i in items]


def remove_many(ledger: Ledger, evidence_ids: Sequence[int]) -> list[Evidence]:
    return _move_many(ledger, evidence_ids, to_bin=True)


def restore_many(ledger: Ledger, evidence_ids: Sequence[int]) -> list[Evidence]:
    return _move_many(ledger, evidence_ids, to_bin=False)


@dataclass(slots=True)
class BinEntry:
    evidence: Evidence
    removed_by: str
    plan_id: int
    task_seq: int
    task_label: str


def recycle_bin(ledger: Ledger) -> list[BinEntry]:
    """Everything in the 回收站, most recently removed first."""
    rows = ledger.db.execute(
        SELECT.replace(" FROM evidence e", ", e.removed_by, t.plan_id, t.seq, t.title, t.requirement"
                       " FROM evidence e JOIN tasks t ON t.id = e.task_id")
        + " WHERE e.removed_at IS NOT NULL ORDER BY e.removed_at DESC, e.id DESC").fetchall()
    return [BinEntry(row_evidence(r), r[COLUMNS] or "", r[COLUMNS + 1], r[COLUMNS + 2],
                     task_label(r[COLUMNS + 3], r[COLUMNS + 4])) for r in rows]


@dataclass(slots=True)
class EmptyResult:
    rows: int = 0
    files: int = 0
    bytes: int = 0


def empty_recycle_bin(ledger: Ledger, evidence_ids: Sequence[int] | None = None) -> EmptyResult:
    """Delete the rows in the 回收站 (all, or the given ones), then every file of theirs
    that no remaining row refers to. The caller asks the clerk first: this cannot be
    undone. Files go after the transaction commits: a crash in between leaves an
    unreferenced file, never a row without its file."""
    entries = recycle_bin(ledger)
    if evidence_ids is not None:
        wanted = set(evidence_ids)
        entries = [e for e in entries if e.evidence.id in wanted]
    result = EmptyResult()
    if not entries:
        return result
    ids = [e.evidence.id for e in entries]
    with ledger.change("清空回收站", "evidence", entries[0].evidence.task_id
                       if len({e.evidence.task_id for e in entries}) == 1 else None,
                       before=[{"id": e.evidence.id, "task": e.evidence.task_id, "kind": e.evidence.kind,
                                "name": e.evidence.name, "sha256": e.evidence.sha256, "url": e.evidence.url,
                                "quarter": str(e.evidence.quarter), "removed_at": e.evidence.removed_at}
                               for e in entries]):
        marks = ",".join("?" * len(ids))
        ledger.db.execute(f"DELETE FROM evidence WHERE id IN ({marks}) AND removed_at IS NOT NULL", ids)
    result.rows = len(ids)
    for sha in sorted({e.evidence.sha256 for e in entries if e.evidence.sha256}):
        if ledger.db.execute("SELECT 1 FROM evidence WHERE sha256 = ? LIMIT 1", [sha]).fetchone():
            continue
        path = store.stored_path(ledger, sha)
        if path is None:
            continue
        try:
            size = path.stat().st_size
            if store.remove_file(path):
                result.files += 1
                result.bytes += size
        except OSError:
            pass  # left behind: harmless, and `check` does not mind unreferenced files
    return result
