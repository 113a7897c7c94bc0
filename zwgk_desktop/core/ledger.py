"""The ledger folder: one SQLite file (plus evidence beside it) the clerk can carry.

Every change goes through ``Ledger.change()``: one transaction, one audit row.
If anything inside raises, SQLite rolls the whole change back, so a failed
operation leaves the ledger's content exactly as it was.

Why one module of ~530 lines: ``Ledger`` is the one writer of each task table and the
reader that builds ``Task`` objects from them; every writer shares ``change()``'s
transaction and audit row and the stale-text checks, so they are read together. Opening
the file safely (connecting, read-only media, refusing other databases, the messages)
lives in core/ledger_file.py.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .connection import LedgerDatabase
from .deadlines import DeadlineKind
from .errors import (
    LedgerError,
    LedgerMissingError,
    LedgerReadOnlyError,
    NotFoundError,
    StaleTextError,
    UserError,
)
from .limits import check_note
from .locations import user_data_dir
from .model import Evidence, Plan, Progress, Status, StatusChange, Task, UnitRef
from .quarters import Quarter
from .ledger_file import open_connections as open_connections  # re-exported: the ledger's public face
from .ledger_file import sqlite_uri as sqlite_uri
from .ledger_file import (
    LEDGER_FILE,
    CannotWrite,
    connect,
    connect_read_only,
    file_key,
    is_within,
    plain_database_error,
    read_only_reason,
    read_only_text,
    register,
    unregister,
)
from .units import Role

EVIDENCE_DIR = "evidence"


class _Unchecked:
    """Marks a write that replaces whatever is stored (an explicit CLI command)."""

    def __repr__(self) -> str:
        return "UNCHECKED"


UNCHECKED: Any = _Unchecked()


def now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some locked-down machines
        return "未知用户"


@dataclass(slots=True)
class AuditEntry:
    id: int
    at: str
    user: str
    action: str
    entity: str
    entity_id: int | None
    before: Any
    after: Any


def folder_gone_text(folder: Path, outcome: str = "这次的修改没有写入台账。") -> str:
    """What the clerk reads when the ledger's folder is not where it was, and ``outcome``:
    what became of what they were doing."""
    return (f"找不到台账文件夹“{folder}”:U 盘或网络文件夹是否已断开,或者文件夹被改名、移动了?"
            f"请重新连接(或把文件夹放回原处)后再试;{outcome}")


class Ledger:
    """An open ledger folder. Not thread-safe: give each thread its own ``Ledger``."""

    def __init__(self, folder: Path, db: LedgerDatabase, read_only: str | None = None) -> None:
        self.folder = folder
        self.db = db
        self.user = current_user()
        # Why changes are refused (plain Chinese), or None for a writable ledger.
        self.read_only: str | None = read_only
        self._registered: str | None = None

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(cls, folder: str | Path, *, create: bool = True, read_only: bool = False) -> "Ledger":
        """Open (and with ``create`` make) the ledger in ``folder``. A ledger on a
        write-protected stick or share, a read-only file, or ``read_only=True`` opens
        for viewing only: ``read_only`` then says why, and every change is refused."""
        folder = Path(folder)
        path = folder / LEDGER_FILE
        if folder.exists() and not folder.is_dir():
            raise LedgerError(f"“{folder}”是一个文件,不是台账文件夹。请指定一个文件夹作为台账位置。")
        if not path.exists():
            if not create:
                if not folder.exists():  # a U 盘 pulled out, a network folder gone, a folder renamed
                    error = LedgerMissingError(folder_gone_text(folder, "这次的操作没有进行,没有新建任何台账。"))
                else:
                    error = LedgerMissingError(
                        f"“{folder}”中没有台账(找不到 {LEDGER_FILE})。如果台账在别的位置,请检查路径;"
                        "如果台账文件被移走了,请放回原处后再试。")
                error.hint_cli = f"如果要在这里新建一个空台账,请执行:zwgk init “{folder}”。"  # type: ignore[attr-defined]
                raise error
            if not folder.parent.is_dir() and not is_within(folder, user_data_dir()):
                # A vanished U 盘 or network folder: never rebuild its path on this disk.
                raise LedgerMissingError(
                    f"找不到文件夹“{folder.parent}”,无法打开台账“{folder}”。请检查 U 盘或网络文件夹是否还连接着;"
                    "如果要在新位置建立台账,请先建立上一级文件夹。")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LedgerError(f"无法创建台账文件夹“{folder}”:{exc.strerror or exc}。"
                                  "请选择一个有写入权限的位置。") from exc
        reason = read_only_reason(folder, path) or ("按要求以只读方式打开" if read_only else None)
        key = file_key(path)
        # Registered before anything else touches the file: while this process has a
        # connection, nothing may open the file outside SQLite (see core/ledger_file.py).
        register(key)
        try:
            if reason is None:
                try:
                    db = connect(path, folder)
                except CannotWrite as exc:
                    reason = exc.reason
            if reason is not None:
                db = connect_read_only(path, folder)
        except BaseException:
            unregister(key)
            raise
        ledger = cls(folder, db, read_only=read_only_text(folder, reason) if reason else None)
        ledger._registered = key
        return ledger

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            if self._registered is not None:
                unregister(self._registered)
                self._registered = None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def evidence_dir(self) -> Path:
        return self.folder / EVIDENCE_DIR

    # -- changing ---------------------------------------------------------------------

    @contextmanager
    def change(self, action: str, entity: str, entity_id: int | None = None,
               before: Any = None, after: Any = None, origin: str | None = None) -> Iterator[dict[str, Any]]:
        """One transaction and one audit row. The body may fill in the yielded record
        (entity_id, before, after) once it knows them. ``origin`` says where a change
        came from when it was not typed here (a merged reply names its unit and file)."""
        if self.read_only:
            raise LedgerReadOnlyError(self.read_only)
        if not self.folder.is_dir():
            # A U 盘 pulled out or the folder renamed while open: SQLite would still write
            # through its open file, to a place the clerk no longer knows. Refused, said.
            raise LedgerMissingError(folder_gone_text(self.folder))
        record: dict[str, Any] = {"entity_id": entity_id, "before": before, "after": after}
        if origin:
            action = f"{action}({origin})"
        try:
            with self.db.atomic():
                yield record
                self.db.execute(
                    "INSERT INTO audit (at, user, action, entity, entity_id, before, after)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [now_text(), self.user, action, entity, record["entity_id"],
                     _json_or_none(record["before"]), _json_or_none(record["after"])],
                )
        except sqlite3.DatabaseError as exc:  # rolled back; say what it means (CLI, window, workers)
            plain = plain_database_error(self.folder, exc)
            if plain is None:
                raise
            raise plain from exc

    def set_status(self, task_id: int, status: Status, on: date | None = None, *,
                   origin: str | None = None) -> int:
        """Record a status and the day it took effect (reports read history as of a day).
        Returns the history entry's id, which undo hands back to ``remove_status_entries``."""
        return self.set_statuses([task_id], status, on, origin=origin)[0]

    def set_statuses(self, task_ids: list[int], status: Status, on: date | None = None, *,
                     origin: str | None = None) -> list[int]:
        """Several tasks ticked at once: one transaction, one audit row. Set-based, so
        ticking 20,000 selected rows takes a fraction of a second."""
        on = on or date.today()
        current = {tid: (st, day) for tid, st, day in self.db.execute(
            "SELECT id, status, status_date FROM tasks WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(task_ids)])}
        missing = [tid for tid in task_ids if tid not in current]
        if missing:
            raise NotFoundError(f"台账中没有编号为 {missing[0]} 的任务。任务编号可在导出的 JSON(id)或任务列表中查到。")
        with self.change("设置状态", "task", task_ids[0] if len(task_ids) == 1 else None,
                         before=[{"task": tid, "status": current[tid][0], "status_date": current[tid][1]}
                                 for tid in task_ids],
                         after={"tasks": task_ids, "status": status.value, "status_date": on.isoformat()},
                         origin=origin):
            # Inside the write transaction nobody else inserts: the new rows take the
            # ids after the current largest, in order.
            last = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM status_history").fetchone()[0]
            recorded = now_text()
            self.db.conn.executemany(
                "INSERT INTO status_history (id, task_id, status, effective_on, recorded_at, by)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(last + n, tid, status.value, on.isoformat(), recorded, self.user)
                 for n, tid in enumerate(task_ids, start=1)])
            self._refresh_current_status(task_ids)
        return list(range(last + 1, last + 1 + len(task_ids)))

    def remove_status_entries(self, entry_ids: list[int]) -> None:
        """Undo of a status change: the entries go, the audit keeps what they said."""
        marks = ",".join("?" * len(entry_ids))
        rows = self.db.execute(f"SELECT id, task_id, status, effective_on FROM status_history"
                               f" WHERE id IN ({marks})", entry_ids).fetchall()
        if not rows:
            return
        with self.change("撤销设置状态", "task", rows[0][1] if len(rows) == 1 else None,
                         before=[{"task": tid, "status": st, "status_date": on} for _, tid, st, on in rows]):
            self.db.execute(f"DELETE FROM status_history WHERE id IN ({marks})", entry_ids)
            self._refresh_current_status(sorted({r[1] for r in rows}))

    def set_status_date(self, task_id: int, on: date, *, origin: str | None = None) -> date | None:
        """Correct the day the current status took effect (a completion back-filled
        in November happened in September). Status and its date are one fact: the
        history entry that set the current status is what changes, so the report for
        any quarter reads the corrected day. Returns the day it replaces (for undo)."""
        row = self.db.execute(
            "SELECT id, status, effective_on FROM status_history WHERE task_id = ?"
            " ORDER BY effective_on DESC, id DESC LIMIT 1", [task_id]).fetchone()
        if row is None:
            self.task(task_id)  # a clear message when the task does not exist
            raise UserError("这项任务还没有登记过状态,没有可修改的日期。请先选择状态。")
        entry_id, status, old = row
        if old == on.isoformat():
            return date.fromisoformat(old)
        later = self.db.execute(
            "SELECT status, effective_on FROM status_history WHERE task_id = ? AND id != ?"
            " AND effective_on > ? ORDER BY effective_on LIMIT 1", [task_id, entry_id, on.isoformat()]).fetchone()
        if later is not None:
            raise UserError(f"日期 {on.isoformat()} 早于这项任务之前的状态记录({later[1]} {later[0]}),"
                            f"改后“{status}”就不再是当前状态。请核对日期;如确需更正更早的记录,"
                            "请先撤销之后的状态变化。")
        with self.change("修改状态日期", "task", task_id,
                         before={"status": status, "status_date": old},
                         after={"status": status, "status_date": on.isoformat()}, origin=origin):
            self.db.execute("UPDATE status_history SET effective_on = ? WHERE id = ?",
                            [on.isoformat(), entry_id])
            self._refresh_current_status([task_id])
        return date.fromisoformat(old)

    def _tasks_by_id(self, task_ids: list[int]) -> list[Task]:
        if not task_ids:
            return []
        marks = ",".join("?" * len(task_ids))
        plans = [r[0] for r in self.db.execute(
            f"SELECT DISTINCT plan_id FROM tasks WHERE id IN ({marks})", task_ids)]
        return [t for pid in plans for t in self.tasks(pid, only=list(task_ids))]

    def _refresh_current_status(self, task_ids: list[int]) -> None:
        """The task rows cache the latest status by effective date (history decides)."""
        latest = ("(SELECT {col} FROM status_history h WHERE h.task_id = tasks.id"
                  " ORDER BY h.effective_on DESC, h.id DESC LIMIT 1)")
        self.db.execute(
            f"UPDATE tasks SET status = COALESCE({latest.format(col='status')}, ?),"
            f" status_date = {latest.format(col='effective_on')}"
            " WHERE id IN (SELECT value FROM json_each(?))",
            [Status.NOT_STARTED.value, json.dumps(task_ids)])

    def set_progress(self, task_id: int, quarter: Quarter, text: str, *,
                     expected: str | None = UNCHECKED, origin: str | None = None) -> bool:
        """Write the quarter's note; the one it replaces stays in the audit trail.
        An empty text removes the note. Returns False when nothing changed.

        ``expected`` is the text the editor started from ("" for none). If the stored
        note is no longer that text, someone else wrote meanwhile: raises
        :class:`StaleTextError` with both texts instead of overwriting the newer one.
        Leave it out only where the clerk explicitly replaces the note (``zwgk progress``)."""
        task = self.task(task_id)
        text = check_note(text, f"序号 {task.seq} {quarter.label}的进展")  # Excel's cell limit, before anything
        old = task.progress_for(quarter)
        stored = old.text if old is not None else ""
        if stored == text:
            return False
        if expected is not UNCHECKED and (expected or "").strip() != stored.strip():
            raise StaleTextError(task_id, str(quarter), stored, text)
        with self.change("填写进展", "progress", task_id,
                         before=None if old is None else {"quarter": str(old.quarter), "text": old.text},
                         after={"quarter": str(quarter), "text": text} if text else None,
                         origin=origin):
            if text:
                self.db.execute(
                    "INSERT INTO progress (task_id, quarter, text, status, at, by)"
                    " VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (task_id, quarter) DO UPDATE SET text = excluded.text,"
                    " status = excluded.status, at = excluded.at, by = excluded.by",
                    [task_id, str(quarter), text, task.status.value, now_text(), self.user])
            else:
                self.db.execute("DELETE FROM progress WHERE task_id = ? AND quarter = ?",
                                [task_id, str(quarter)])
        return True

    def delete_plan(self, plan_id: int) -> Plan:
        """Remove a plan imported by mistake, with everything recorded on its tasks.
        The audit keeps what it was; callers take an automatic backup first (that
        backup is the way back, through 恢复到之前的状态)."""
        plan = self.plan(plan_id)
        with self.change("删除分解表", "plan", plan_id,
                         before={"title": plan.title, "year": plan.year, "source_name": plan.source_name,
                                 "task_count": plan.task_count}):
            self.db.execute("DELETE FROM plans WHERE id = ?", [plan_id])
        return plan

    def set_due_date(self, task_id: int, due: date | None) -> None:
        """The clerk corrects a date the import could not read (or read wrongly)."""
        task = self.task(task_id)
        with self.change("修改到期日", "task", task_id,
                         before={"due_date": _iso(task.due_date), "needs_review": task.needs_review},
                         after={"due_date": _iso(due), "needs_review": False}):
            kind = task.deadline_kind
            if due is not None and kind in (DeadlineKind.UNKNOWN, DeadlineKind.ONGOING):
                kind = DeadlineKind.FIXED
            self.db.execute("UPDATE tasks SET due_date = ?, needs_review = 0, deadline_kind = ?"
                            " WHERE id = ?", [_iso(due), kind.value, task_id])

    # -- reading ----------------------------------------------------------------------

    def plans(self) -> list[Plan]:
        rows = self.db.query(
            "SELECT p.*, (SELECT COUNT(*) FROM tasks t WHERE t.plan_id = p.id) AS task_count"
            " FROM plans p ORDER BY p.year DESC, p.id DESC")
        return [_plan_from_row(row) for row in rows]

    def plan(self, plan_id: int) -> Plan:
        for plan in self.plans():
            if plan.id == plan_id:
                return plan
        raise NotFoundError(f"台账中没有编号为 {plan_id} 的分解表。可用 `zwgk plans` 查看已有的分解表。")

    def resolve_plan(self, plan_id: int | None) -> Plan:
        """The plan the clerk meant: the one named, or the only one there is."""
        if plan_id is not None:
            return self.plan(plan_id)
        plans = self.plans()
        if not plans:
            raise NotFoundError("台账中还没有任何分解表。请先导入任务分解表(zwgk import 文件)。")
        if len(plans) > 1:
            listing = ";".join(f"{p.id}:{p.year}年 {p.title}" for p in plans)
            raise UserError(f"台账中有 {len(plans)} 个分解表,请用 --plan 指定其中一个:{listing}。")
        return plans[0]

    def plan_by_sha256(self, sha256: str) -> Plan | None:
        row = self.db.execute("SELECT id FROM plans WHERE source_sha256 = ? ORDER BY id LIMIT 1",
                              [sha256]).fetchone()
        return self.plan(row[0]) if row else None

    def task_ids(self, plan_id: int) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT id FROM tasks WHERE plan_id = ? ORDER BY seq", [plan_id])]

    def task(self, task_id: int) -> Task:
        found = self._tasks_by_id([task_id])
        if not found:
            raise NotFoundError(f"台账中没有编号为 {task_id} 的任务。任务编号可在导出的 JSON(id)或任务列表中查到。")
        return found[0]

    def tasks(self, plan_id: int, only: list[int] | None = None) -> list[Task]:
        """Tasks of a plan in table order, with units, progress and section path."""
        where, params = "t.plan_id = ?", [plan_id]
        if only is not None:
            where += f" AND t.id IN ({','.join('?' * len(only))})"
            params += only
        rows = self.db.execute(
            "SELECT t.id, t.plan_id, t.seq, t.section_id, t.title, t.requirement, t.deadline_text,"
            " t.due_date, t.deadline_kind, t.needs_review, t.status, t.status_date, t.extra"
            f" FROM tasks t WHERE {where} ORDER BY t.seq", params).fetchall()
        ids = [r[0] for r in rows]
        paths = self.section_paths(plan_id)
        units = self._units_by_task(plan_id, ids if only is not None else None)
        progress = self._progress_by_task(plan_id, ids if only is not None else None)
        evidence = self._evidence_by_task(plan_id, ids if only is not None else None)
        tasks = []
        for (tid, pid, seq, section_id, title, requirement, deadline_text, due, kind,
             review, status, status_date, extra) in rows:
            tasks.append(Task(
                id=tid, plan_id=pid, seq=seq,
                section=list(paths.get(section_id, ())) if section_id else [],
                title=title, requirement=requirement, units=units.get(tid, []),
                deadline_text=deadline_text, due_date=_date(due),
                deadline_kind=DeadlineKind(kind), needs_review=bool(review),
                status=Status(status), status_date=_date(status_date),
                progress=progress.get(tid, []), evidence=evidence.get(tid, []),
                extra=json.loads(extra or "{}"),
            ))
        return tasks

    def section_paths(self, plan_id: int) -> dict[int, tuple[str, ...]]:
        rows = self.db.execute("SELECT id, parent_id, label FROM sections WHERE plan_id = ?"
                               " ORDER BY position", [plan_id]).fetchall()
        paths: dict[int, tuple[str, ...]] = {}
        for sid, parent, label in rows:  # parents come before children by position
            paths[sid] = (paths.get(parent, ()) if parent else ()) + (label,)
        return paths

    def _rows_of_tasks(self, sql: str, task_col: str, plan_id: int, ids: list[int] | None,
                       order: str) -> list[tuple]:
        """Rows of a per-task table (``sql`` ends in ``WHERE t.plan_id = ?``) for a
        plan's tasks, or only the given ones."""
        params: list[Any] = [plan_id]
        if ids is not None:
            sql += f" AND {task_col} IN ({','.join('?' * len(ids))})"
            params += ids
        return self.db.execute(f"{sql} ORDER BY {order}", params).fetchall()

    def _units_by_task(self, plan_id: int, ids: list[int] | None) -> dict[int, list[UnitRef]]:
        result: dict[int, list[UnitRef]] = defaultdict(list)
        for tid, name, role in self._rows_of_tasks(
                "SELECT tu.task_id, u.name, tu.role FROM task_units tu JOIN units u ON u.id = tu.unit_id"
                " JOIN tasks t ON t.id = tu.task_id WHERE t.plan_id = ?",
                "tu.task_id", plan_id, ids, "tu.task_id, tu.position"):
            result[tid].append(UnitRef(name, Role(role)))
        return result

    def _progress_by_task(self, plan_id: int, ids: list[int] | None) -> dict[int, list[Progress]]:
        result: dict[int, list[Progress]] = defaultdict(list)
        for tid, quarter, text, status, at, by in self._rows_of_tasks(
                "SELECT p.task_id, p.quarter, p.text, p.status, p.at, p.by FROM progress p"
                " JOIN tasks t ON t.id = p.task_id WHERE t.plan_id = ?",
                "p.task_id", plan_id, ids, "p.quarter DESC"):
            result[tid].append(Progress(Quarter.stored(quarter), text, status, at, by))
        return result

    def _evidence_by_task(self, plan_id: int, ids: list[int] | None) -> dict[int, list[Evidence]]:
        """Evidence not in the 回收站, newest quarter first, in the order added."""
        result: dict[int, list[Evidence]] = defaultdict(list)
        for row in self._rows_of_tasks(
                "SELECT e.id, e.task_id, e.kind, e.name, e.sha256, e.url, e.quarter, e.size, e.added_at,"
                " e.added_by, e.note, e.mime, e.published_on, e.removed_at FROM evidence e"
                " JOIN tasks t ON t.id = e.task_id WHERE e.removed_at IS NULL AND t.plan_id = ?",
                "e.task_id", plan_id, ids, "e.quarter DESC, e.id"):
            result[row[1]].append(Evidence(*row[:6], Quarter.stored(row[6]), *row[7:]))
        return result

    def change_counter(self) -> int | None:
        """A number that moves whenever another connection (``zwgk``, a worker, another
        program) commits to the ledger; this connection's own commits leave it alone.
        The window polls it to show what was written elsewhere. None when the ledger
        cannot be asked (closed, or its folder gone): there is nothing new to show."""
        try:
            return int(self.db.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return None

    def status_history(self, task_id: int) -> list[StatusChange]:
        rows = self.db.execute(
            "SELECT status, effective_on, recorded_at, by FROM status_history WHERE task_id = ?"
            " ORDER BY effective_on, id", [task_id]).fetchall()
        return [StatusChange(Status(s), date.fromisoformat(on), at, by) for s, on, at, by in rows]

    def status_as_of(self, plan_id: int, day: date) -> dict[int, Status]:
        """Each task's status on a given day, from the history: a report for a past
        quarter prints what was true then, not what is true now."""
        return {tid: status for tid, (status, _) in self.status_entries_as_of(plan_id, day).items()}

    def status_entries_as_of(self, plan_id: int, day: date) -> dict[int, tuple[Status, date | None]]:
        """Each task's status on a given day and the day it took effect (None: never set,
        so 未启动), in one reading of the history."""
        result: dict[int, tuple[Status, date | None]] = {
            tid: (Status.NOT_STARTED, None) for tid in self.task_ids(plan_id)}
        rows = self.db.execute(
            "SELECT h.task_id, h.status, h.effective_on FROM status_history h JOIN tasks t ON t.id = h.task_id"
            " WHERE t.plan_id = ? AND h.effective_on <= ? ORDER BY h.effective_on, h.id",
            [plan_id, day.isoformat()])
        for tid, status, on in rows:
            result[tid] = (Status(status), date.fromisoformat(on))
        return result

    def audit_log(self, limit: int = 500) -> list[AuditEntry]:
        rows = self.db.execute(
            "SELECT id, at, user, action, entity, entity_id, before, after FROM audit"
            " ORDER BY id DESC LIMIT ?", [limit]).fetchall()
        return [AuditEntry(i, at, u, a, e, eid, _json_load(b), _json_load(af))
                for i, at, u, a, e, eid, b, af in rows]


def _plan_from_row(row: dict[str, Any]) -> Plan:
    return Plan(
        id=row["id"], year=row["year"], title=row["title"], source_name=row["source_name"],
        source_sha256=row["source_sha256"], imported_at=row["imported_at"],
        columns=[str(c) for c in json.loads(row["columns"] or "[]")], issuer=row["issuer"],
        doc_number=row["doc_number"], sheet=row["sheet"], task_count=row["task_count"],
        mapping={k: [int(c) for c in v] for k, v in json.loads(row["mapping"] or "{}").items()},
    )


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _json_load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
