"""Backups: a full backup restores to the same ledger on another folder (or
PC); a tampered or hostile backup is refused before anything is written; automatic
backups before import/--replace/restore, the last 20 kept; the reminder."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from zwgk_desktop.core import backup as bk
from zwgk_desktop.core.backup import automatic
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.errors import LedgerReadOnlyError, UserError
from zwgk_desktop.core.ledger import LEDGER_FILE, Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io.json_export import plan_to_json
from tests.core.test_evidence import PNG_BYTES, evidence_plan

Q3 = Quarter(2023, 3)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A ledger with a plan, a status, a note and two evidence files (one in the 回收站)."""
    folder = tmp_path / "台账"
    files = tmp_path / "材料"
    files.mkdir()
    (files / "截图.png").write_bytes(PNG_BYTES)
    (files / "通知.txt").write_text("关于做好政务公开工作的通知", encoding="utf-8")
    with Ledger.open(folder) as ledger:
        ids = evidence_plan(ledger)
        ledger.set_status(ids[0], Status.DONE)
        ledger.set_progress(ids[0], Q3, "已公开目录。")
        added = ev.attach_files(ledger, ids[0], [files / "截图.png", files / "通知.txt"], Q3).added
        ev.remove(ledger, added[1].id)
    return folder


def export_all(folder: Path) -> list[dict]:
    with Ledger.open(folder, create=False) as ledger:
        return [plan_to_json(ledger, p.id) for p in ledger.plans()]


def test_backup_then_restore_elsewhere_gives_the_same_ledger(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "新电脑" / "台账"
    with Ledger.open(filled) as ledger:  # taken while "the window" has it open
        result = bk.write_backup(ledger, tmp_path / "备份.zip")
    assert result.files == 2 and not result.missing
    restored = bk.restore_backup(tmp_path / "备份.zip", target)
    assert restored.files == 2
    assert export_all(target) == export_all(filled)
    with Ledger.open(target, create=False) as ledger:
        assert ev.check_store(ledger).ok
    with zipfile.ZipFile(tmp_path / "备份.zip") as zf:
        manifest = json.loads(zf.read(bk.MANIFEST))
        for entry in manifest["files"]:
            assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
    assert bk.last_full_backup(filled) is not None


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy a zip entry by entry, letting ``change(name, data)`` return new (name, data)
    pairs (or None to drop the entry)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            out = change(info.filename, zin.read(info))
            for name, data in (out or []):
                zout.writestr(name, data)


@pytest.fixture
def good_zip(filled: Path, tmp_path: Path) -> Path:
    with Ledger.open(filled) as ledger:
        bk.write_backup(ledger, tmp_path / "好.zip")
    return tmp_path / "好.zip"


def _flip(data: bytes) -> bytes:
    return data[:100] + bytes([data[100] ^ 1]) + data[101:]


@pytest.mark.parametrize("change,word", [
    (lambda n, d: [(n, _flip(d) if n == LEDGER_FILE else d)], "SHA-256 不符"),
    (lambda n, d: [(n, d + b"x" if n.startswith("evidence/") else d)], "与清单不符"),
    (lambda n, d: [(n, d)] + ([("../逃出.txt", b"x")] if n == LEDGER_FILE else []), "以外的位置"),
    (lambda n, d: [(n, d)] + ([("/etc/逃出.txt", b"x")] if n == LEDGER_FILE else []), "绝对路径"),
    (lambda n, d: [(n, d)] + ([("evidence/ab/../../x", b"x")] if n == LEDGER_FILE else []), "以外的位置"),
    (lambda n, d: [(n, d)] + ([("evidence\\..\\x", b"x")] if n == LEDGER_FILE else []), "名称不合法"),
    (lambda n, d: [(n, d)] + ([("其他.txt", b"x")] if n == LEDGER_FILE else []), "不是台账中的文件"),
    (lambda n, d: None if n == bk.MANIFEST else [(n, d)], "没有清单"),
    (lambda n, d: None if n.startswith("evidence/") else [(n, d)], "与其清单不符"),
])
def test_a_bad_backup_is_refused_before_anything_is_written(good_zip: Path, tmp_path: Path, change, word) -> None:
    bad = tmp_path / "坏.zip"
    _rewrite(good_zip, bad, change)
    target = tmp_path / "恢复到"
    with pytest.raises(UserError) as caught:
        bk.restore_backup(bad, target)
    assert word in caught.value.message and "没有写入任何文件" in caught.value.message
    assert not target.exists()
    assert not (tmp_path / "逃出.txt").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".zwgk-restore")] == []


def test_a_symlink_entry_is_refused(good_zip: Path, tmp_path: Path) -> None:
    bad = tmp_path / "链接.zip"
    with zipfile.ZipFile(good_zip) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("evidence/"):
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zout.writestr(info, data)
    with pytest.raises(UserError, match="链接"):
        bk.restore_backup(bad, tmp_path / "恢复到")
    assert not (tmp_path / "恢复到").exists()


def test_restore_refuses_a_folder_that_is_not_empty(good_zip: Path, tmp_path: Path) -> None:
    target = tmp_path / "已有"
    target.mkdir()
    (target / "别的文件.docx").write_bytes(b"x")
    with pytest.raises(UserError, match="不是空的"):
        bk.restore_backup(good_zip, target)
    assert [p.name for p in target.iterdir()] == ["别的文件.docx"]
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    bk.restore_backup(good_zip, empty)
    assert (empty / LEDGER_FILE).is_file()


def test_backup_is_not_written_into_the_ledger_folder_or_over_a_file(filled: Path, tmp_path: Path) -> None:
    with Ledger.open(filled) as ledger:
        with pytest.raises(UserError, match="不能保存在台账文件夹里面"):
            bk.write_backup(ledger, filled / "备份.zip")
        (tmp_path / "已有.zip").write_bytes(b"old")
        with pytest.raises(UserError, match="已经存在"):
            bk.write_backup(ledger, tmp_path / "已有.zip")
    assert (tmp_path / "已有.zip").read_bytes() == b"old"
    assert not list(tmp_path.glob("*.tmp"))


def test_automatic_backup_before_import_and_replace(tmp_path: Path) -> None:
    folder = tmp_path / "台账"
    with Ledger.open(folder) as ledger:
        evidence_plan(ledger)  # first import: an empty ledger has nothing to lose
        assert bk.list_backups(folder) == []
        ids = ledger.task_ids(ledger.plans()[0].id)
        ledger.set_progress(ids[0], Q3, "导入前写的进展")
        evidence_plan(ledger, replace=True)
        [first] = bk.list_backups(folder)
        assert first.action == "重新导入"
        evidence_plan(ledger, 2024)
        assert [b.action for b in bk.list_backups(folder)] == ["导入", "重新导入"]
    conn = sqlite3.connect(str(first.path))
    try:
        assert conn.execute("SELECT text FROM progress").fetchall() == [("导入前写的进展",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    finally:
        conn.close()


def test_only_the_last_twenty_are_kept(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "台账") as ledger:
        evidence_plan(ledger)
        made = [bk.auto_backup(ledger, f"汇总{i}") for i in range(23)]
        kept = bk.list_backups(ledger.folder)
    assert len(kept) == bk.KEEP_AUTOMATIC
    assert [b.path for b in kept] == list(reversed(made))[:20]
    assert not any(p.exists() for p in made[:3])


def test_restore_an_automatic_backup_and_back_again(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "台账") as ledger:
        ids = evidence_plan(ledger)
        ledger.set_progress(ids[0], Q3, "旧的")
        before = bk.auto_backup(ledger, "汇总")
        ledger.set_progress(ids[0], Q3, "新的")
        with Ledger.open(ledger.folder) as other:  # another connection stays coherent
            saved = bk.restore_auto_backup(ledger, before)
            assert other.task(ids[0]).progress[0].text == "旧的"
        assert ledger.task(ids[0]).progress[0].text == "旧的"
        assert ledger.audit_log(1)[0].action == "恢复到之前的状态"
        assert saved is not None and bk.list_backups(ledger.folder)[0].action == "恢复"
        bk.restore_auto_backup(ledger, saved)
        assert ledger.task(ids[0]).progress[0].text == "新的"
    with Ledger.open(tmp_path / "台账") as again:
        assert again.db.journal_mode == "wal"


def test_a_damaged_database_is_replaced_by_an_automatic_backup(tmp_path: Path) -> None:
    folder = tmp_path / "台账"
    with Ledger.open(folder) as ledger:
        evidence_plan(ledger)
        good = bk.auto_backup(ledger, "汇总")
    (folder / LEDGER_FILE).write_bytes(b"\0" * 8192)
    [chosen] = bk.list_backups(folder)
    aside = bk.replace_damaged_database(folder, chosen)
    assert aside.read_bytes() == b"\0" * 8192
    with Ledger.open(folder, create=False) as ledger:
        assert len(ledger.plans()) == 1
    assert good.exists()


def test_reminder_after_thirty_days_and_weekly(tmp_path: Path) -> None:
    now = datetime.now()
    with Ledger.open(tmp_path / "台账") as ledger:
        evidence_plan(ledger)
        assert bk.backup_reminder(ledger, now) is None  # a new ledger: nothing to remind yet
        assert "还没有做过完整备份" in bk.backup_reminder(ledger, now + timedelta(days=31))
        bk.record_full_backup(ledger.folder, tmp_path / "b.zip", when=now)
        assert bk.backup_reminder(ledger, now + timedelta(days=29)) is None
        text = bk.backup_reminder(ledger, now + timedelta(days=31))
        assert "31 天前" in text and "zwgk backup" in text
        assert bk.weekly_reminder(ledger, now + timedelta(days=31)) == text
        assert bk.weekly_reminder(ledger, now + timedelta(days=33)) is None
        assert bk.weekly_reminder(ledger, now + timedelta(days=38)) == bk.backup_reminder(
            ledger, now + timedelta(days=38))


def test_automatic_backup_that_cannot_be_written_stops_the_action(tmp_path: Path, monkeypatch) -> None:
    with Ledger.open(tmp_path / "台账") as ledger:
        evidence_plan(ledger)

        def full(*_a, **_k):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(automatic, "copy_database", full)
        with pytest.raises(UserError, match="没有进行") as caught:
            evidence_plan(ledger, replace=True)
        assert "backups" in caught.value.message
    assert not [p for p in (tmp_path / "台账" / "backups").iterdir() if p.suffix == ".tmp"]


def test_read_only_ledger_takes_no_automatic_backup_and_refuses_restore(filled: Path) -> None:
    with Ledger.open(filled) as ledger:
        made = bk.auto_backup(ledger, "汇总")
    with Ledger.open(filled, read_only=True) as ledger:
        assert bk.auto_backup(ledger, "汇总") is None
        with pytest.raises(LedgerReadOnlyError):
            bk.restore_auto_backup(ledger, made)
    assert os.path.exists(made)


def test_the_package_names_each_public_name_of_its_modules() -> None:
    import importlib

    assert set(bk.__all__) == set(bk._MODULE_OF)
    for name, module in bk._MODULE_OF.items():
        assert getattr(bk, name) is getattr(importlib.import_module(f"zwgk_desktop.core.backup.{module}"), name)
    with pytest.raises(AttributeError):
        bk.no_such_name  # noqa: B018


def test_taking_an_automatic_backup_loads_only_its_module() -> None:
    import subprocess
    import sys

    code = ("import sys; from zwgk_desktop.core.backup import auto_backup; "
            "print(sorted(m for m in sys.modules if m.startswith('zwgk_desktop.core.backup.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['zwgk_desktop.core.backup.automatic']"
