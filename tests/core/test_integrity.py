"""Damage and the office's conditions: a zeroed database page is found, a
damaged evidence copy is repaired by re-attaching its original, a read-only ledger
opens for viewing, a missing ledger is not created, another program's database is
not converted."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core import integrity
from zwgk_desktop.core.backup import auto_backup
from zwgk_desktop.core.errors import LedgerError, LedgerMissingError, LedgerReadOnlyError
from zwgk_desktop.core.ledger import LEDGER_FILE, Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io.json_export import plan_to_json
from tests.core.test_evidence import PNG_BYTES, evidence_plan

Q3 = Quarter(2023, 3)


def zero_a_page(path: Path, page: int | None = None) -> int:
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    count = len(data) // size
    page = page or count // 2
    data[(page - 1) * size:page * size] = bytes(size)
    path.write_bytes(bytes(data))
    return page


@pytest.fixture
def closed_ledger(tmp_path: Path) -> Path:
    folder = tmp_path / "台账"
    with Ledger.open(folder) as ledger:
        ids = evidence_plan(ledger)
        for tid in ids:
            ledger.set_progress(tid, Q3, "进展" * 200)
    return folder


def test_a_zeroed_page_is_found(closed_ledger: Path) -> None:
    with Ledger.open(closed_ledger) as ledger:
        assert integrity.check_database(ledger).ok
    zero_a_page(closed_ledger / LEDGER_FILE)
    try:
        ledger = Ledger.open(closed_ledger)
    except LedgerError as exc:  # damage SQLite meets while opening
        check = integrity.check_database_file(closed_ledger, exc)
    else:
        with ledger:
            check = integrity.check_database(ledger)
    assert not check.ok and check.problems
    assert "数据库已损坏" in integrity.format_database_check(check, closed_ledger)


def test_damage_message_points_to_the_latest_automatic_backup(closed_ledger: Path) -> None:
    with Ledger.open(closed_ledger) as ledger:
        made = auto_backup(ledger, "汇总")
    text = integrity.damaged_message(closed_ledger, sqlite3.DatabaseError("database disk image is malformed"))
    assert str(made) in text and "汇总前" in text and "zwgk backups --restore 1" in text
    assert "程序内部错误" not in text


def test_leftover_temporary_files_are_listed_with_their_size(closed_ledger: Path) -> None:
    part = closed_ledger / "evidence" / f".incoming-{uuid.uuid4().hex}.part"
    part.parent.mkdir(exist_ok=True)
    part.write_bytes(b"x" * 3000)
    with Ledger.open(closed_ledger) as ledger:
        check = integrity.check_database(ledger)
    assert check.temps == [(part, 3000)]
    text = integrity.format_database_check(check, closed_ledger)
    assert part.name in text and "2.9 KB" in text and "--remove-temp" in text
    assert integrity.remove_temps([part]) == 0  # may still be being written
    os.utime(part, (1, 1))
    assert integrity.remove_temps([part]) == 1 and not part.exists()


def test_reattaching_the_original_repairs_a_same_size_corruption(tmp_path: Path) -> None:
    original = tmp_path / "截图.png"
    original.write_bytes(PNG_BYTES)
    with Ledger.open(tmp_path / "台账") as ledger:
        ids = evidence_plan(ledger)
        [item] = ev.attach_files(ledger, ids[0], [original], Q3).added
        stored = ev.stored_path(ledger, item.sha256)
        stored.chmod(stat.S_IWUSR | stat.S_IRUSR)
        damaged = bytearray(PNG_BYTES)
        damaged[20] ^= 0xFF  # a flipped byte: same size
        stored.write_bytes(bytes(damaged))
        assert not ev.check_store(ledger).ok
        ev.attach_files(ledger, ids[1], [original], Q3)
        assert ev.check_store(ledger).ok
        assert ev.stored_path(ledger, item.sha256).read_bytes() == PNG_BYTES


def test_a_missing_ledger_is_not_created(tmp_path: Path) -> None:
    folder = tmp_path / "写错的路径"
    with pytest.raises(LedgerMissingError) as caught:
        Ledger.open(folder, create=False)
    assert "找不到台账文件夹" in caught.value.message and str(folder) in caught.value.message
    assert "zwgk" not in caught.value.message  # the window shows it too; the command line adds its hint
    assert "zwgk init" in caught.value.hint_cli
    assert not folder.exists()
    folder.mkdir()  # a folder that is there but holds no ledger
    with pytest.raises(LedgerMissingError) as caught:
        Ledger.open(folder, create=False)
    assert "中没有台账" in caught.value.message and not (folder / LEDGER_FILE).exists()


def test_another_programs_database_with_the_same_migration_library_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "别的程序"
    folder.mkdir()
    other = Migrations("another_app")

    @other()
    def m001(db: Database) -> None:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")

    db = Database(folder / LEDGER_FILE)
    other.apply(db)
    db.close()
    before = (folder / LEDGER_FILE).read_bytes()
    with pytest.raises(LedgerError, match="其他程序的数据库"):
        Ledger.open(folder)
    assert (folder / LEDGER_FILE).read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [LEDGER_FILE]


def _assert_view_only(folder: Path, files: Path) -> None:
    with Ledger.open(folder, create=False) as ledger:
        assert ledger.read_only and "只能查看" in ledger.read_only
        plan = ledger.plans()[0]
        assert len(plan_to_json(ledger, plan.id)["tasks"]) == 3
        tid = ledger.task_ids(plan.id)[0]
        with pytest.raises(LedgerReadOnlyError, match="只能查看"):
            ledger.set_status(tid, Status.DONE)
        with pytest.raises(LedgerReadOnlyError):
            ev.attach_files(ledger, tid, [files], Q3)
        with pytest.raises(LedgerReadOnlyError):
            ledger.set_progress(tid, Q3, "新的进展")
        assert ledger.task(tid).status is Status.NOT_STARTED


def test_a_read_only_ledger_file_opens_for_viewing(closed_ledger: Path, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(PNG_BYTES)
    before = list((closed_ledger / "evidence").rglob("*")) if (closed_ledger / "evidence").exists() else []
    (closed_ledger / LEDGER_FILE).chmod(0o444)
    try:
        _assert_view_only(closed_ledger, tmp_path / "a.png")
        after = list((closed_ledger / "evidence").rglob("*")) if (closed_ledger / "evidence").exists() else []
        assert after == before  # nothing copied before the refusal
    finally:
        (closed_ledger / LEDGER_FILE).chmod(0o644)


@pytest.fixture
def read_only_mount(closed_ledger: Path, tmp_path: Path):
    """The ledger folder on a read-only file system (a write-protected stick), where
    -shm cannot be created: needs root and bind mounts, else skipped."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("a read-only mount needs root")
    mount = tmp_path / "U盘"
    mount.mkdir()
    done = subprocess.run(["mount", "--bind", str(closed_ledger), str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("bind mounts are not allowed here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], capture_output=True).returncode:
            pytest.skip("read-only remount is not allowed here")
        yield mount
    finally:
        # a lazy unmount when something still holds it: a mount left behind would stop pytest's
        # own clean-up of old temporary folders in a later run
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_write_protected_stick_opens_for_viewing(read_only_mount: Path, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(PNG_BYTES)
    _assert_view_only(read_only_mount, tmp_path / "a.png")
    with Ledger.open(read_only_mount) as ledger:
        assert "不允许写入" in ledger.read_only


def test_a_vanished_stick_is_not_rebuilt_on_this_disk(tmp_path: Path) -> None:
    """A window's worker opening the ledger after the U 盘 was pulled must not create an
    empty ledger at the stick's old path."""
    folder = tmp_path / "media" / "U盘" / "台账"
    with pytest.raises(LedgerMissingError, match="U 盘"):
        Ledger.open(folder)
    assert not (tmp_path / "media").exists()


def test_sqlite_uri_opens_odd_names_read_only(tmp_path: Path) -> None:
    from zwgk_desktop.core.ledger import sqlite_uri

    folder = tmp_path / "台账 #1?%20"
    with Ledger.open(folder) as ledger:
        evidence_plan(ledger)
    conn = sqlite3.connect(sqlite_uri(folder / LEDGER_FILE), uri=True)
    try:
        assert conn.execute("SELECT COUNT(*) FROM tasks").fetchone()[0] == 3
    finally:
        conn.close()
    assert sqlite_uri("//server/share/台账/ledger.sqlite").startswith("file:////server/share/")


def test_damage_met_while_writing_is_the_clerks_message(tmp_path: Path) -> None:
    """In the window or a worker as on the command line: a change that meets a damaged
    page is rolled back and says where the latest automatic backup is."""
    from zwgk_desktop.core.errors import LedgerDamagedError

    folder = tmp_path / "台账"
    with Ledger.open(folder) as ledger:
        ids = evidence_plan(ledger)
        made = auto_backup(ledger, "汇总")

        def damaged(*_a, **_k):
            exc = sqlite3.DatabaseError("database disk image is malformed")
            exc.sqlite_errorcode = 11
            raise exc

        with pytest.raises(LedgerDamagedError) as caught:
            with ledger.change("填写进展", "progress", ids[0]):
                damaged()
        assert str(made) in caught.value.message and "没有写入任何内容" in caught.value.message
        assert ledger.audit_log(1)[0].action != "填写进展"
