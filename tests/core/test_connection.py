"""core/connection.LedgerDatabase does what sqlite-utils' Database does for the calls
the ledger makes (same statements through both, same results and same transactions),
and an up-to-date ledger opens without loading sqlite-utils."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlite_utils import Database

from zwgk_desktop.core.connection import LedgerDatabase, dedupe_keys, first_keyword
from zwgk_desktop.core.ledger import LEDGER_FILE, Ledger


def both(tmp_path: Path) -> list[tuple[object, Path]]:
    made = []
    for kind, name in ((LedgerDatabase, "light.db"), (lambda c: Database(c, execute_plugins=False), "full.db")):
        path = tmp_path / name
        db = kind(sqlite3.connect(str(path)))
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE)")
        made.append((db, path))
    return made


def seen_elsewhere(path: Path) -> list[tuple]:
    other = sqlite3.connect(str(path))
    try:
        return other.execute("SELECT id, a FROM t ORDER BY id").fetchall()
    finally:
        other.close()


def story(db, path: Path) -> list[object]:
    """Writes outside and inside transactions, failures, savepoints: what another
    connection sees after each step."""
    seen: list[object] = []
    db.execute("INSERT INTO t (a) VALUES (?)", ["one"])  # outside a transaction: committed at once
    seen.append(seen_elsewhere(path))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO t (a) VALUES ('one')")
    seen.append(db.conn.in_transaction)
    with pytest.raises(ZeroDivisionError):
        with db.atomic():
            db.execute("INSERT INTO t (a) VALUES ('two')")
            1 / 0
    seen.append(seen_elsewhere(path))
    with db.atomic():
        db.execute("INSERT INTO t (a) VALUES ('three')")
        seen.append(seen_elsewhere(path))  # not yet committed
        with pytest.raises(KeyError):
            with db.atomic():  # a savepoint: only its part goes
                db.execute("INSERT INTO t (a) VALUES ('four')")
                raise KeyError("x")
        with db.atomic():
            db.execute("INSERT INTO t (a) VALUES ('five')")
    seen.append(seen_elsewhere(path))
    seen.append(list(db.query("SELECT t.id, t.a, u.id, u.a FROM t JOIN t u ON u.id = t.id ORDER BY t.id")))
    seen.append(list(db.query("PRAGMA table_info(t)")))
    with pytest.raises(ValueError):
        db.query("INSERT INTO t (a) VALUES ('six')")
    seen.append(seen_elsewhere(path))
    seen.append(db.journal_mode)
    seen.append(sorted(db.table_names()))
    seen.append(db.execute("PRAGMA recursive_triggers").fetchone()[0])
    seen.append(db.conn.in_transaction)
    return seen


def test_the_same_story_through_sqlite_utils_and_the_light_connection(tmp_path: Path) -> None:
    (light, light_path), (full, full_path) = both(tmp_path)
    told = story(light, light_path)
    assert told == story(full, full_path)
    assert told[0] == [(1, "one")] and told[2] == [(1, "one")] and told[3] == [(1, "one")]
    assert told[4] == [(1, "one"), (2, "three"), (3, "five")]
    assert told[5][1] == {"id": 2, "a": "three", "id_2": 2, "a_2": "three"}


def test_what_it_does_not_do_itself_goes_to_sqlite_utils(tmp_path: Path) -> None:
    db = LedgerDatabase(sqlite3.connect(str(tmp_path / "x.db")))
    db["people"].insert({"id": 1, "name": "张三"}, pk="id")
    assert db["people"].count == 1
    db.enable_wal()
    assert db.journal_mode == "wal"
    db.executescript("CREATE TABLE extra (x); INSERT INTO extra VALUES (1);")
    assert db.execute("SELECT x FROM extra").fetchall() == [(1,)]


def test_keyword_and_keys_helpers() -> None:
    assert first_keyword("  -- note\n/* c */ ;select 1") == "SELECT"
    assert first_keyword("\ufeffWITH x AS (SELECT 1) SELECT * FROM x") == "WITH"
    assert first_keyword("-- only a comment") == ""
    assert dedupe_keys(["id", "id", "id_2"]) == ["id", "id_3", "id_2"]


OPEN_AND_TELL = textwrap.dedent("""
    import sys
    from zwgk_desktop.core.ledger import Ledger
    with Ledger.open(sys.argv[1], read_only=sys.argv[2] == "ro") as ledger:
        ledger.plans()
        ledger.db.execute("SELECT COUNT(*) FROM tasks").fetchone()
    print("sqlite_utils" in sys.modules)
""")


def loads_sqlite_utils(folder: Path, mode: str = "rw") -> bool:
    out = subprocess.run([sys.executable, "-c", OPEN_AND_TELL, str(folder), mode], capture_output=True,
                         text=True, timeout=120, check=True)
    return out.stdout.strip() == "True"


def test_an_up_to_date_ledger_opens_without_sqlite_utils(tmp_path: Path) -> None:
    folder = tmp_path / "台账"
    assert loads_sqlite_utils(folder)  # a new ledger: the migrations need it
    assert (folder / LEDGER_FILE).exists()
    assert not loads_sqlite_utils(folder)
    assert not loads_sqlite_utils(folder, "ro")


def test_a_ledger_missing_a_migration_is_migrated(tmp_path: Path) -> None:
    folder = tmp_path / "台账"
    Ledger.open(folder).close()
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    with conn:
        conn.execute("DROP TABLE carryover")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_carryover'")
    conn.close()
    with Ledger.open(folder) as ledger:
        assert "carryover" in ledger.db.table_names()
        names = [r[0] for r in ledger.db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names[-1] == "m007_carryover"
