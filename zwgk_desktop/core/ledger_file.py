"""Opening the ledger file safely: connecting (WAL, foreign keys, migrations), falling
back to read-only on write-protected media, refusing other programs' databases and newer
ledgers, and the messages a clerk reads when a file cannot be opened. Kept apart from
core/ledger.py, whose ``Ledger`` is the one reader and writer of the tables once open."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import threading
import urllib.parse
from pathlib import Path

from .connection import LedgerDatabase
from .errors import LedgerDamagedError, LedgerError, LedgerReadOnlyError
from .schema import KNOWN_MIGRATIONS, MIGRATION_SET, migrations

LEDGER_FILE = "ledger.sqlite"
_SQLITE_MAGIC = b"SQLite format 3\x00"

# -- opening safely ---------------------------------------------------------------------
#
# Closing *any* descriptor of a file drops all of this process's POSIX locks on it. If
# the ledger file were read with a plain open() while a connection of this process is
# open, another process's SQLite would believe it is alone and delete -wal/-shm from
# under that connection. So nothing outside SQLite opens the ledger file
# while this process has a connection to it: every connection is counted here, and the
# file's header is read only to explain a failed open, and only when no other
# connection of this process is open on it.

_OPEN_LOCK = threading.Lock()
_OPEN_FILES: dict[str, int] = {}
_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_NOTADB, _SQLITE_CORRUPT = 8, 14, 26, 11


def is_within(folder: Path, base: Path) -> bool:
    try:
        return Path(os.path.abspath(folder)).is_relative_to(os.path.abspath(base))
    except (OSError, ValueError):
        return False


def sqlite_uri(path: str | Path, query: str = "mode=ro") -> str:
    """An SQLite ``file:`` URI for a path, including a Windows share (``\\\\server\\share``,
    which ``Path.as_uri()`` turns into an authority SQLite refuses) and names with
    ``?``, ``#`` or ``%``."""
    text = os.path.abspath(path).replace(os.sep, "/")
    if re.match(r"^[A-Za-z]:", text):
        text = "/" + text
    prefix = "file://" if text.startswith("//") else "file:"  # file:////server/share/…
    return f"{prefix}{urllib.parse.quote(text, safe='/:')}?{query}"


def file_key(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def register(key: str) -> None:
    with _OPEN_LOCK:
        _OPEN_FILES[key] = _OPEN_FILES.get(key, 0) + 1


def unregister(key: str) -> None:
    with _OPEN_LOCK:
        left = _OPEN_FILES.get(key, 0) - 1
        if left > 0:
            _OPEN_FILES[key] = left
        else:
            _OPEN_FILES.pop(key, None)


def open_connections(path: str | Path) -> int:
    """How many ``Ledger`` connections of this process are open on the ledger file
    (``path`` is the file or its folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / LEDGER_FILE
    with _OPEN_LOCK:
        return _OPEN_FILES.get(file_key(path), 0)


def _error_code(exc: BaseException) -> int:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF


class CannotWrite(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_only_reason(folder: Path, path: Path) -> str | None:
    """Why this ledger cannot be written, or None. A file without write permission
    counts even for an administrator: someone marked it read-only on purpose."""
    if folder.exists() and not os.access(folder, os.W_OK):
        return f"台账文件夹“{folder}”不允许写入(例如 U 盘开了写保护,或是只读的共享文件夹)"
    try:
        if path.exists() and (not path.stat().st_mode & stat.S_IWUSR or not os.access(path, os.W_OK)):
            return f"台账文件“{path}”被设为只读"
    except OSError:
        pass
    return None


def read_only_text(folder: Path, reason: str) -> str:
    return (f"台账“{folder}”只能查看,不能修改:{reason}。可以查看、搜索、打印和导出;"
            "如需修改,请取消写保护,或把整个台账文件夹复制到本机有写入权限的位置后再打开。")


def connect(path: Path, folder: Path) -> LedgerDatabase:
    conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    try:
        # sqlite-utils (without plugins) loads only for a migration: see core/connection.py.
        db = LedgerDatabase(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        current = _check_version(db, path)  # before anything writes: a refused file stays untouched
        if db.journal_mode != "wal":
            db.enable_wal()
        if not current:
            migrations.apply(db)
        return db
    except LedgerError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        code = _error_code(exc)
        if path.exists() and (code == _SQLITE_READONLY or code == _SQLITE_CANTOPEN
                              or "readonly" in str(exc)):
            raise CannotWrite(f"无法写入台账文件夹“{folder}”({exc})") from exc
        raise _open_failure(path, exc) from exc


def connect_read_only(path: Path, folder: Path) -> LedgerDatabase:
    if not path.exists():
        raise LedgerError(f"无法在“{folder}”中新建台账:这个文件夹不允许写入。请选择一个有写入权限的文件夹。")
    # mode=ro needs a -shm it can create or read; a write-protected stick has none after a
    # clean close, and there nobody else can change the file: immutable is then true.
    for query in ("mode=ro", "immutable=1"):
        conn = sqlite3.connect(sqlite_uri(path, query), uri=True, timeout=10, check_same_thread=False)
        try:
            db = LedgerDatabase(conn)
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA query_only = ON")
            if not _check_version(db, path):  # migrations pending
                raise LedgerError(f"台账“{folder}”由旧版本的程序保存,需要先升级台账格式才能打开,"
                                  "但它不允许写入。请把整个台账文件夹复制到有写入权限的位置后再打开。")
            return db
        except LedgerError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            if query == "mode=ro" and _error_code(exc) == _SQLITE_CANTOPEN:
                continue
            raise _open_failure(path, exc) from exc
    raise AssertionError("unreachable")


def plain_database_error(folder: Path, exc: sqlite3.DatabaseError) -> LedgerError | None:
    """A damaged or unwritable database met while changing it, as the clerk's message;
    None for anything else (a bug of ours)."""
    from .integrity import damaged_message, is_corruption, is_read_only_error

    if is_corruption(exc):
        return LedgerDamagedError(damaged_message(folder, exc))
    if is_read_only_error(exc):
        return LedgerReadOnlyError(read_only_text(folder, f"无法写入台账文件({exc})"))
    return None


def _open_failure(path: Path, exc: sqlite3.DatabaseError) -> LedgerError:
    """The message for a ledger SQLite could not open."""
    code = _error_code(exc)
    if code == _SQLITE_CANTOPEN:
        return LedgerError(f"无法打开台账文件“{path}”({exc})。请检查文件权限,或台账所在的 U 盘、"
                           "网络文件夹是否还连接着。")
    if code == 5 or "locked" in str(exc):  # SQLITE_BUSY
        return LedgerError(f"台账“{path.parent}”正被另一个程序占用,暂时无法打开。请稍后再试,"
                           "或关闭正在使用这个台账的其他程序。")
    if code == _SQLITE_NOTADB and _check_is_sqlite(path) is False:
        return LedgerError(f"“{path}”不是台账文件(不是本程序保存的数据库)。"
                           "请选择正确的台账文件夹,不要把其他文件改名为 ledger.sqlite。")
    from .integrity import damaged_message

    return LedgerDamagedError(damaged_message(path.parent, exc))


def _check_is_sqlite(path: Path) -> bool | None:
    """Does the file start like an SQLite database? None when it cannot be told
    safely: the header is read outside SQLite only when no connection of this process
    is open on the file (closing the descriptor would drop that connection's locks)."""
    key = file_key(path)
    with _OPEN_LOCK:
        if _OPEN_FILES.get(key, 0) > 1:  # the one opening now has no connection yet
            return None
        try:
            with path.open("rb") as handle:
                head = handle.read(16)
        except OSError:
            return None
    # A zeroed start is damage (a crash or a failing disk), not another program's file.
    return not head or head == _SQLITE_MAGIC or not any(head)


def _check_version(db: LedgerDatabase, path: Path) -> bool:
    """Refuses another program's database and a newer version's ledger; True when
    every migration this version knows is applied (nothing to migrate)."""
    tables = set(db.table_names())
    if tables and "_sqlite_migrations" not in tables:
        raise LedgerError(f"“{path}”是一个数据库,但不是本程序的台账。请选择正确的台账文件夹。")
    if "_sqlite_migrations" in tables:
        sets = {r[0]: r[1] for r in db.execute(
            "SELECT migration_set, COUNT(*) FROM _sqlite_migrations GROUP BY migration_set")}
        if MIGRATION_SET not in sets and (sets or tables - {"_sqlite_migrations"}):
            # Another program using the same migration library: never convert it.
            raise LedgerError(f"“{path}”是其他程序的数据库,不是本程序的台账,不会打开或改动它。"
                              "请选择正确的台账文件夹。")
        applied = [r[0] for r in db.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])]
        unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
        if unknown:
            raise LedgerError(f"台账“{path.parent}”由更新版本的政务公开任务台账程序保存,"
                              "本版本无法安全打开。请升级程序后再打开。")
        return set(KNOWN_MIGRATIONS) <= set(applied)
    return False
