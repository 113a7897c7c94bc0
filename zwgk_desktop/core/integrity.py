"""Is the ledger's database sound? (no Qt)

``zwgk check`` and the window's 检查 ask SQLite itself (``PRAGMA quick_check``,
``PRAGMA foreign_key_check``), compare evidence rows with what a row must hold, and
list temporary files a crash left behind. When SQLite reports damage during any
command, :func:`damaged_message` is what the clerk reads: what happened, that nothing
was written, and the latest automatic backup to go back to.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from .ledger import LEDGER_FILE, Ledger, sqlite_uri

TEMP_SUFFIXES = (".part", ".tmp")
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_CORRUPT_WORDS = ("malformed", "not a database", "disk image", "corrupt")
MAX_LISTED = 20


def is_corruption(exc: BaseException) -> bool:
    """Does this exception mean SQLite found the database damaged?"""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in _CORRUPT_CODES or any(word in str(exc) for word in _CORRUPT_WORDS)


def is_read_only_error(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == 8 or "readonly" in str(exc)


def damaged_message(folder: str | Path, exc: BaseException | None = None) -> str:
    """The clerk's message when the database is damaged: nothing was written; where
    the latest automatic backup is and how to go back to it."""
    from .backup import latest_backup

    folder = Path(folder)
    detail = f"(SQLite 报告:{exc})" if exc is not None else ""
    lines = [f"台账文件“{folder / LEDGER_FILE}”已损坏{detail}。为保护其余数据,本次操作已停止,没有写入任何内容。"]
    latest = latest_backup(folder)
    if latest is not None:
        lines.append(f"最近的自动备份是 {latest.at:%Y-%m-%d %H:%M}({latest.action}前),"
                     f"文件“{latest.path}”。")
        lines.append(f"恢复办法:先把整个台账文件夹复制一份留存,然后执行 zwgk backups --restore 1 --ledger “{folder}”"
                     "(恢复到这个自动备份,之后的修改需要重新登记);"
                     "或用完整备份恢复:zwgk restore 备份.zip --to 新文件夹。")
    else:
        lines.append("台账文件夹中没有自动备份。请用最近的完整备份恢复:zwgk restore 备份.zip --to 新文件夹;"
                     "先把整个台账文件夹复制一份留存,必要时联系技术人员。")
    return "\n".join(lines)


@dataclass(slots=True)
class DatabaseCheck:
    opened: bool = True
    problems: list[str] = field(default_factory=list)  # quick_check lines, or why it would not open
    foreign_keys: list[str] = field(default_factory=list)
    evidence_rows: list[str] = field(default_factory=list)
    temps: list[tuple[Path, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.opened and not self.problems and not self.foreign_keys and not self.evidence_rows


def _quick_check(conn: sqlite3.Connection) -> list[str]:
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def check_database(ledger: Ledger) -> DatabaseCheck:
    """SQLite's own checks, evidence rows, leftover temporary files. Changes nothing."""
    result = DatabaseCheck()
    conn = ledger.db.conn
    result.problems = _quick_check(conn)
    try:
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
            result.foreign_keys.append(f"表 {table} 第 {rowid} 行引用的 {parent} 记录不存在")
    except sqlite3.DatabaseError as exc:
        result.problems.append(str(exc))
    try:
        for eid, kind, sha, url, name in conn.execute(
                "SELECT id, kind, sha256, url, name FROM evidence WHERE"
                " (kind = 'file' AND (sha256 IS NULL OR length(sha256) != 64))"
                " OR (kind = 'url' AND (url IS NULL OR url = ''))"
                " OR kind NOT IN ('file', 'url', 'note')").fetchall():
            result.evidence_rows.append(f"材料 {eid}“{name}”的记录不完整(类型 {kind})")
    except sqlite3.DatabaseError as exc:
        result.problems.append(str(exc))
    result.temps = leftover_temps(ledger.folder)
    return result


def check_database_file(folder: str | Path, why: BaseException | None = None) -> DatabaseCheck:
    """For a ledger that would not open: what SQLite can still say, read-only."""
    path = Path(folder) / LEDGER_FILE
    result = DatabaseCheck(opened=False)
    if why is not None:
        result.problems.append(str(why))
    try:
        conn = sqlite3.connect(sqlite_uri(path), uri=True)
    except sqlite3.Error as exc:
        result.problems.append(str(exc))
    else:
        try:
            result.problems += [p for p in _quick_check(conn) if p not in result.problems]
        finally:
            conn.close()
    result.temps = leftover_temps(folder)
    return result


def leftover_temps(folder: str | Path) -> list[tuple[Path, int]]:
    """``.part``/``.tmp`` files a crash left in the ledger folder (not its backups'
    contents, which are whole files), with their sizes."""
    found: list[tuple[Path, int]] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".zwgk-restore-")]
        for name in files:
            if name.endswith(TEMP_SUFFIXES):
                path = Path(root) / name
                try:
                    found.append((path, path.stat().st_size))
                except OSError:
                    pass
    return sorted(found)


def remove_temps(paths: list[Path], min_age_seconds: float = 600) -> int:
    """Remove leftover temporary files; those younger than ``min_age_seconds`` are
    kept (another window or command may be writing them right now)."""
    removed = 0
    cutoff = time.time() - min_age_seconds
    for path in paths:
        try:
            if path.stat().st_mtime > cutoff:
                continue
            os.chmod(path, 0o644)
        except OSError:
            pass
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def format_database_check(check: DatabaseCheck, folder: str | Path) -> str:
    from .evidence import format_size

    lines: list[str] = []
    if check.ok:
        lines.append("数据库完好(SQLite 完整性检查通过,记录之间的引用完整)。")
    else:
        if not check.opened or check.problems:
            lines.append(f"数据库已损坏:SQLite 完整性检查发现 {len(check.problems)} 处问题。")
            lines += [f"  · {p}" for p in check.problems[:MAX_LISTED]]
            if len(check.problems) > MAX_LISTED:
                lines.append(f"  ……另有 {len(check.problems) - MAX_LISTED} 处")
        if check.foreign_keys:
            lines.append(f"记录之间的引用有 {len(check.foreign_keys)} 处断开:")
            lines += [f"  · {p}" for p in check.foreign_keys[:MAX_LISTED]]
        if check.evidence_rows:
            lines.append(f"佐证材料记录有 {len(check.evidence_rows)} 条不完整:")
            lines += [f"  · {p}" for p in check.evidence_rows[:MAX_LISTED]]
        lines += damaged_message(folder).split("\n")[1:]  # where the backups are, what to do
    if check.temps:
        total = sum(size for _, size in check.temps)
        lines.append(f"台账文件夹中有 {len(check.temps)} 个中断操作留下的临时文件(共 {format_size(total)}),"
                     "可以删除:")
        lines += [f"  · {path}({format_size(size)})" for path, size in check.temps[:MAX_LISTED]]
        lines.append("  删除这些临时文件:zwgk check --remove-temp")
    return "\n".join(line for line in lines if line)
