"""Automatic backups: the database alone, copied into ``backups/`` before every import,
re-import, merge and restore; the last :data:`KEEP_AUTOMATIC` kept; listing them,
restoring one, and replacing a damaged database with one."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..durable import fsync_path
from ..errors import LedgerReadOnlyError, UserError
from ..ledger import LEDGER_FILE, Ledger, sqlite_uri
from ..patterns import lazy_compile

BACKUP_DIR = "backups"
KEEP_AUTOMATIC = 20

_NAME_RE = lazy_compile(r"^(\d{8}-\d{6}-\d{6})_(.+)\.sqlite$")


@dataclass(slots=True, frozen=True)
class AutoBackup:
    path: Path
    at: datetime
    action: str
    size: int

    @property
    def label(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}前"


def backups_dir(folder: str | Path) -> Path:
    return Path(folder) / BACKUP_DIR


def _safe_action(action: str) -> str:
    text = re.sub(r'[<>:"/\\|?*\x00-\x1f\x7f\s]+', "", action)[:20]
    return text or "操作"


def copy_database(ledger: Ledger, target: Path) -> None:
    """The ledger's database, as committed now, into a new standalone file."""
    dest = sqlite3.connect(str(target))
    try:
        ledger.db.conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
        dest.commit()
    finally:
        dest.close()


def auto_backup(ledger: Ledger, action: str) -> Path | None:
    """Copy the database into ``backups/`` before ``action`` (导入, 重新导入, 汇总,
    恢复…) and keep the last 20. Returns the new file; None for a ledger that holds
    nothing yet (no plan: nothing to lose) or one opened read-only (nothing will
    change). Raises a plain :class:`UserError` when the copy cannot be written, so the
    action is not started without its safety net."""
    if ledger.read_only:
        return None
    has_data = ledger.db.execute("SELECT EXISTS (SELECT 1 FROM plans)").fetchone()[0]
    if not has_data:
        return None
    folder = backups_dir(ledger.folder)
    stamp = datetime.now()
    name = f"{stamp:%Y%m%d-%H%M%S-%f}_{_safe_action(action)}.sqlite"
    tmp = folder / f".{uuid.uuid4().hex}.tmp"
    try:
        folder.mkdir(exist_ok=True)
        copy_database(ledger, tmp)
        fsync_path(tmp)
        final = folder / name
        while final.exists():  # two actions in the same microsecond
            stamp += timedelta(microseconds=1)
            final = folder / f"{stamp:%Y%m%d-%H%M%S-%f}_{_safe_action(action)}.sqlite"
        os.replace(tmp, final)
    except (OSError, sqlite3.Error) as exc:
        remove_file(tmp)
        detail = getattr(exc, "strerror", None) or exc
        raise UserError(f"无法在“{folder}”中保存自动备份:{detail}。"
                        f"为安全起见,{action}没有进行。请检查磁盘剩余空间和写入权限后再试。") from exc
    prune_backups(ledger.folder)
    return final


def list_backups(folder: str | Path) -> list[AutoBackup]:
    """Automatic backups of the ledger in ``folder``, newest first."""
    found: list[AutoBackup] = []
    try:
        entries = list(os.scandir(backups_dir(folder)))
    except OSError:
        return []
    for entry in entries:
        match = _NAME_RE.match(entry.name)
        if not match or not entry.is_file():
            continue
        try:
            at = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S-%f")
            size = entry.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(AutoBackup(Path(entry.path), at, match.group(2), size))
    found.sort(key=lambda b: b.path.name, reverse=True)
    return found


def latest_backup(folder: str | Path) -> AutoBackup | None:
    backups = list_backups(folder)
    return backups[0] if backups else None


def prune_backups(folder: str | Path, keep: int = KEEP_AUTOMATIC) -> list[Path]:
    removed = []
    for old in list_backups(folder)[keep:]:
        if remove_file(old.path):
            removed.append(old.path)
    return removed


def restore_auto_backup(ledger: Ledger, backup: AutoBackup | str | Path) -> Path | None:
    """Put the ledger's database back to an automatic backup. The state it replaces
    is itself backed up first (action 恢复), so this can be undone the same way.
    Written through SQLite (backup API into the open ledger): other connections, the
    WAL and the evidence stay coherent. Evidence rows of the restored state refer to
    files that are all still in the store (files are never rewritten; only emptying
    the 回收站 deletes them, and ``zwgk check`` reports any that are gone)."""
    path = backup.path if isinstance(backup, AutoBackup) else Path(backup)
    if ledger.read_only:
        raise LedgerReadOnlyError(ledger.read_only)
    problem = _database_problem(path)
    if problem:
        raise UserError(f"自动备份“{path.name}”不能使用:{problem}。请选择另一个备份。")
    before = auto_backup(ledger, "恢复")
    src = sqlite3.connect(sqlite_uri(path), uri=True)
    try:
        src.backup(ledger.db.conn)
    except sqlite3.Error as exc:
        raise UserError(f"恢复自动备份“{path.name}”时出错:{exc}。台账保持原样。") from exc
    finally:
        src.close()
    with ledger.change("恢复到之前的状态", "ledger",
                       after={"backup": path.name, "saved_current_as": before.name if before else None}):
        pass
    return before


def replace_damaged_database(folder: str | Path, backup: AutoBackup) -> Path:
    """For a database SQLite cannot open any more: move the damaged file (and its
    -wal/-shm) into ``backups/`` and put the automatic backup in its place. Nothing of
    this process may have the ledger open; the window must be closed. Returns where
    the damaged file went (kept for a technician)."""
    from ..ledger import open_connections

    folder = Path(folder)
    if open_connections(folder):
        raise UserError("台账还在使用中。请先关闭台账窗口,再恢复自动备份。")
    problem = _database_problem(backup.path)
    if problem:
        raise UserError(f"自动备份“{backup.path.name}”不能使用:{problem}。请选择另一个备份。")
    live = folder / LEDGER_FILE
    aside = backups_dir(folder) / f"损坏-{datetime.now():%Y%m%d-%H%M%S}.sqlite"
    tmp = folder / f".{uuid.uuid4().hex}.tmp"
    try:
        shutil.copyfile(backup.path, tmp)
        fsync_path(tmp)
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{live}{suffix}")
            if old.exists():
                os.replace(old, Path(f"{aside}{suffix}"))
        os.replace(tmp, live)
    except OSError as exc:
        remove_file(tmp)
        raise UserError(f"无法在“{folder}”中恢复自动备份:{exc.strerror or exc}。"
                        "请检查磁盘剩余空间和写入权限。") from exc
    return aside


def _database_problem(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(sqlite_uri(path), uri=True)
    except sqlite3.Error as exc:
        return f"无法打开({exc})"
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if rows != ["ok"]:
            return "文件已损坏"
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "tasks" not in names or "_sqlite_migrations" not in names:
            return "不是本程序的台账"
    except sqlite3.Error as exc:
        return f"文件已损坏({exc})"
    finally:
        conn.close()
    return None


def remove_file(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError:
        return False
