"""The ledger's connection: sqlite-utils' ``Database`` as far as the ledger uses it,
without loading sqlite-utils.

Every ``zwgk`` command and the window open the ledger, and most of them only run SQL:
``execute``, ``query`` of a SELECT, ``atomic``, ``table_names``. Loading sqlite-utils
for that costs ~30 ms, a quarter of a whole ``zwgk plans``. :class:`LedgerDatabase`
does those with the same transaction rules as sqlite-utils 4 (below) on a plain
:mod:`sqlite3` connection, and hands everything else (migrations, ``db["table"]``,
``executescript``, ``enable_wal``, …) to a real ``sqlite_utils.Database`` on the same
connection, made the first time it is needed. Code written against sqlite-utils'
``Database`` keeps working unchanged; tests/core/test_connection.py runs the same
statements through both and compares.

The rules kept from sqlite-utils:

- ``execute`` of a write outside a transaction commits it at once (the driver opened
  an implicit transaction for it); inside ``atomic()`` it becomes part of that one. A
  failed statement that opened an implicit transaction rolls it back.
- ``atomic()`` is ``BEGIN`` … ``COMMIT`` (``ROLLBACK`` on any exception), and a
  savepoint when a transaction is already open.
- ``query`` returns an iterator of dicts, duplicate column names renamed ``name_2``, ….
- The connection has ``PRAGMA recursive_triggers=on``, as ``Database()`` sets it.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: Statements that end or manage a transaction themselves (sqlite-utils leaves them be).
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_savepoints = itertools.count(1)


class LedgerDatabase:
    """A sqlite3 connection with the part of sqlite-utils' ``Database`` the ledger
    uses (see the module's docstring); anything else goes to sqlite-utils."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._full: Any = None
        self.execute("PRAGMA recursive_triggers=on;")

    # -- what the ledger uses, without sqlite-utils ------------------------------------

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> sqlite3.Cursor:
        conn = self.conn
        was_in_transaction = conn.in_transaction
        try:
            cursor = conn.execute(sql) if parameters is None else conn.execute(sql, parameters)
        except Exception:
            if not was_in_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")  # the failed statement's implicit transaction
            raise
        if (not was_in_transaction and conn.in_transaction and cursor.description is None
                and first_keyword(sql) not in _TRANSACTION_CONTROL):
            conn.execute("COMMIT")  # a write outside atomic(): committed, as sqlite-utils does
        return cursor

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Rows as dicts. A SELECT runs here; anything else (a PRAGMA, ``WITH … INSERT``,
        a statement that returns no rows) is sqlite-utils' to run, guard and refuse."""
        if first_keyword(sql) != "SELECT":
            return self._sqlite_utils().query(sql, params)
        cursor = self.conn.execute(sql) if params is None else self.conn.execute(sql, params)
        keys = dedupe_keys(d[0] for d in cursor.description)
        return (dict(zip(keys, row)) for row in cursor)

    @contextmanager
    def atomic(self) -> Generator[LedgerDatabase, None, None]:
        conn = self.conn
        if conn.in_transaction:
            savepoint = f"zwgk_{next(_savepoints)}"
            conn.execute(f"SAVEPOINT {savepoint};")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:  # an error may have ended the whole transaction already
                    conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint};")
                    conn.execute(f"RELEASE SAVEPOINT {savepoint};")
                raise
            else:
                conn.execute(f"RELEASE SAVEPOINT {savepoint};")
        else:
            conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                self.rollback()
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    self.rollback()
                    raise

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()

    @property
    def journal_mode(self) -> str:
        return self.execute("PRAGMA journal_mode;").fetchone()[0]

    def table_names(self, fts4: bool = False, fts5: bool = False) -> list[str]:
        if fts4 or fts5:
            return self._sqlite_utils().table_names(fts4=fts4, fts5=fts5)
        return [r[0] for r in self.execute("select name from sqlite_master where type = 'table'").fetchall()]

    # -- everything else: sqlite-utils ------------------------------------------------

    def _sqlite_utils(self) -> Any:
        """sqlite-utils' ``Database`` on this connection, made on first use (no plugins:
        third-party code has no business on a clerk's ledger)."""
        if self._full is None:
            from sqlite_utils import Database

            self._full = Database(self.conn, execute_plugins=False)
        return self._full

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("conn", "_full"):
            raise AttributeError(name)
        return getattr(self._sqlite_utils(), name)

    def __getitem__(self, table_name: str) -> Any:
        return self._sqlite_utils()[table_name]

    def __repr__(self) -> str:
        return f"<LedgerDatabase {self.conn!r}>"


def first_keyword(sql: str) -> str:
    """The statement's first keyword, upper-cased, after whitespace, comments, bare
    ``;`` and a byte order mark (as sqlite-utils reads it); "" when there is none."""
    i, n = 0, len(sql)
    while i < n:
        if sql[i].isspace() or sql[i] in (";", "\ufeff"):
            i += 1
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            if newline == -1:
                return ""
            i = newline + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                return ""
            i = end + 2
        else:
            break
    j = i
    while j < n and (sql[j].isalpha() or sql[j] == "_"):
        j += 1
    return sql[i:j].upper()


def dedupe_keys(keys: Iterable[str]) -> list[str]:
    """Column names made unique as sqlite-utils does (``id``, ``id_2``, …), so a row
    as a dict loses no column."""
    keys = list(keys)
    taken = set(keys)
    if len(taken) == len(keys):
        return keys
    seen: set[str] = set()
    result = []
    for key in keys:
        if key in seen:
            new_key, suffix = key, 2
            while new_key in seen or new_key in taken:
                new_key = f"{key}_{suffix}"
                suffix += 1
            key = new_key
        seen.add(key)
        result.append(key)
    return result
