"""The window and `zwgk` side by side: the window's connection keeps its
WAL while `zwgk` runs beside it, and every write is visible to a third process at once.

Closing any descriptor of a file drops all of the process's POSIX locks on it; a plain
``open()`` of ledger.sqlite in the window's process (the old header check, run when a
report or export opened a second connection) made `zwgk` believe it was alone, and it
deleted -wal/-shm from under the window."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from zwgk_desktop.core.ledger import LEDGER_FILE, Ledger, open_connections
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from tests.builders import parsed_plan

QUARTER = Quarter(2023, 3)
THIRD_PROCESS = (
    "import sqlite3, sys\n"
    "conn = sqlite3.connect(sys.argv[1])\n"
    "row = conn.execute('SELECT text FROM progress WHERE task_id = ? AND quarter = ?',"
    " [int(sys.argv[2]), sys.argv[3]]).fetchone()\n"
    "print(row[0] if row else '')\n"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _zwgk(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zwgk_desktop.cli", "--ledger", str(folder), *args],
                          capture_output=True, text=True, encoding="utf-8", env=_env(), timeout=120)


def _read_in_third_process(folder: Path, task_id: int) -> str:
    done = subprocess.run([sys.executable, "-c", THIRD_PROCESS, str(folder / LEDGER_FILE), str(task_id),
                           str(QUARTER)], capture_output=True, text=True, encoding="utf-8", env=_env(),
                          timeout=60, check=True)
    return done.stdout.strip()


def test_zwgk_beside_the_window_keeps_the_windows_wal(tmp_path: Path) -> None:
    folder = tmp_path / "台账"
    window = Ledger.open(folder)
    try:
        plan_id = write_plan(window, parsed_plan(), "a" * 64).plan_id
        task_id = window.task_ids(plan_id)[0]
        window.set_progress(task_id, QUARTER, "第0次")
        # The window prints a report: a second connection in the same process.
        with Ledger.open(folder) as report:
            report.plans()
        assert open_connections(folder) == 1
        for i in range(1, 4):
            done = _zwgk(folder, "export", "--format", "json")
            assert done.returncode == 0, done.stderr
            task = next(t for t in json.loads(done.stdout)["tasks"] if t["id"] == task_id)
            assert [p["text"] for p in task["progress"]] == [f"第{i - 1}次"]
            assert (folder / f"{LEDGER_FILE}-wal").exists(), "zwgk deleted the window's WAL"
            assert (folder / f"{LEDGER_FILE}-shm").exists()
            window.set_progress(task_id, QUARTER, f"第{i}次")
            assert _read_in_third_process(folder, task_id) == f"第{i}次"
    finally:
        window.close()
    assert open_connections(folder) == 0
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    try:
        assert conn.execute("SELECT text FROM progress").fetchall() == [("第3次",)]
    finally:
        conn.close()


def test_a_failed_open_does_not_stay_counted(tmp_path: Path) -> None:
    folder = tmp_path / "台账"
    folder.mkdir()
    (folder / LEDGER_FILE).write_bytes(b"not a database at all" * 100)
    try:
        Ledger.open(folder)
    except Exception as exc:
        assert "不是台账文件" in str(exc)
    else:
        raise AssertionError("a file that is not SQLite was opened")
    assert open_connections(folder) == 0
