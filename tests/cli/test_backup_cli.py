"""`zwgk init / backup / restore / backups / check`, and what every command
says about a missing, damaged or read-only ledger."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from zwgk_desktop.cli import main
from zwgk_desktop.core.backup import list_backups
from zwgk_desktop.core.ledger import LEDGER_FILE
from zwgk_desktop.core.locations import default_ledger_dir, read_settings
from tests.conftest import SAMPLES
from tests.core.test_integrity import zero_a_page
from tests.builders import run_cli

SAMPLE = SAMPLES / "rencheng_2023.xlsx"


run = run_cli


@pytest.fixture
def led(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "台账"
    assert main(["init", str(folder)]) == 0
    assert main(["--ledger", str(folder), "import", str(SAMPLE)]) == 0
    (tmp_path / "通知.txt").write_text("通知全文", encoding="utf-8")
    assert main(["--ledger", str(folder), "attach", "1", str(tmp_path / "通知.txt"), "--quarter", "2023Q3"]) == 0
    assert main(["--ledger", str(folder), "progress", "1", "--quarter", "2023Q3", "已完成目录编制。"]) == 0
    capsys.readouterr()
    return folder


def export(capsys, folder: Path) -> dict:
    code, out, err = run(capsys, "--ledger", str(folder), "export", "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_a_mistyped_ledger_is_neither_created_nor_remembered(led: Path, tmp_path: Path, capsys) -> None:
    typo = tmp_path / "台帐"
    remembered = read_settings().get("last_ledger")
    for argv in (["plans"], ["status", "1", "已完成"], ["import", str(SAMPLE)], ["check"], ["backups"]):
        code, out, err = run(capsys, "--ledger", str(typo), *argv)
        assert code == 2 and out == ""
        assert str(typo) in err and "zwgk init" in err and "Traceback" not in err
    assert not typo.exists()
    assert read_settings().get("last_ledger") == remembered


def test_init_creates_explicitly_and_refuses_what_is_there(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "新台账"
    code, out, _ = run(capsys, "init", str(folder))
    assert code == 0 and "已新建空台账" in out and (folder / LEDGER_FILE).is_file()
    code, _, err = run(capsys, "init", str(folder))
    assert code == 2 and "已经有台账" in err
    other = tmp_path / "杂物"
    other.mkdir()
    (other / "a.docx").write_bytes(b"x")
    code, _, err = run(capsys, "init", str(other))
    assert code == 2 and "不是空的" in err and not (other / LEDGER_FILE).exists()


def test_the_default_ledger_is_created_by_the_first_import(capsys) -> None:
    code, _, err = run(capsys, "plans")
    assert code == 2 and "zwgk init" in err
    code, out, err = run(capsys, "import", str(SAMPLE))
    assert code == 0 and "已新建台账" in err
    assert (default_ledger_dir() / LEDGER_FILE).is_file()


def test_backup_restore_round_trip(led: Path, tmp_path: Path, capsys) -> None:
    zip_path = tmp_path / "台账备份-2024-06-30.zip"
    code, out, err = run(capsys, "--ledger", str(led), "backup", "-o", str(zip_path))
    assert code == 0, err
    assert "佐证材料文件 1 个" in out
    target = tmp_path / "新电脑" / "台账"
    code, out, err = run(capsys, "restore", str(zip_path), "--to", str(target))
    assert code == 0, err
    assert "SHA-256 全部核对无误" in out
    assert export(capsys, target) == export(capsys, led)
    code, out, _ = run(capsys, "--ledger", str(target), "check")
    assert code == 0 and "数据库完好" in out and "全部文件完好" in out


def test_a_tampered_backup_writes_nothing(led: Path, tmp_path: Path, capsys) -> None:
    good = tmp_path / "好.zip"
    assert main(["--ledger", str(led), "backup", "-o", str(good)]) == 0
    bad = tmp_path / "被改过.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("evidence/"):
                data = data.replace("通知".encode(), "通告".encode())
            zout.writestr(info, data)
    capsys.readouterr()
    target = tmp_path / "恢复"
    code, out, err = run(capsys, "restore", str(bad), "--to", str(target))
    assert code == 2 and out == "" and "SHA-256 不符" in err and "没有写入任何文件" in err
    assert not target.exists()


def test_backups_list_and_restore(led: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "--ledger", str(led), "backups")
    assert code == 0 and "还没有自动备份" in out
    assert main(["--ledger", str(led), "import", str(SAMPLE), "--replace"]) == 0
    assert main(["--ledger", str(led), "status", "1", "已完成"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--ledger", str(led), "backups")
    assert code == 0 and "重新导入之前" in out
    code, _, err = run(capsys, "--ledger", str(led), "backups", "--restore", "1")
    assert code == 2 and "--yes" in err
    assert export(capsys, led)["tasks"][0]["status"] == "已完成"
    code, out, err = run(capsys, "--ledger", str(led), "backups", "--restore", "1", "--yes")
    assert code == 0, err
    assert export(capsys, led)["tasks"][0]["status"] == "未启动"
    assert [b.action for b in list_backups(led)] == ["恢复", "重新导入"]


def a_tasks_page(path: Path) -> int:
    """The root page of the tasks table, which every command here reads (the file's
    middle page, zero_a_page's default, moves whenever a migration adds tables)."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(str(path))) as conn:
        return conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tasks'").fetchone()[0]


def test_check_exits_1_on_a_zeroed_page_and_points_to_the_backup(led: Path, capsys) -> None:
    assert main(["--ledger", str(led), "import", str(SAMPLE), "--replace"]) == 0  # an automatic backup
    capsys.readouterr()
    zero_a_page(led / LEDGER_FILE, a_tasks_page(led / LEDGER_FILE))
    code, out, err = run(capsys, "--ledger", str(led), "check")
    assert code == 1, out + err
    assert "数据库已损坏" in out and "全部文件完好" not in out
    assert "重新导入前" in out and "zwgk backups --restore 1" in out


@pytest.mark.parametrize("argv", [["tasks"], ["status", "30", "已完成"], ["export", "--format", "json"],
                                  ["progress", "40", "--quarter", "2023Q3", "新进展"]])
def test_corruption_during_a_command_is_a_plain_message(led: Path, capsys, argv) -> None:
    assert main(["--ledger", str(led), "import", str(SAMPLE), "--replace"]) == 0
    capsys.readouterr()
    zero_a_page(led / LEDGER_FILE, a_tasks_page(led / LEDGER_FILE))
    code, out, err = run(capsys, "--ledger", str(led), *argv)
    assert code == 2, err
    assert "程序内部错误" not in err and "Traceback" not in err
    assert "已损坏" in err and str(list_backups(led)[0].path) in err


def test_a_damaged_ledger_goes_back_to_its_automatic_backup(led: Path, capsys) -> None:
    assert main(["--ledger", str(led), "import", str(SAMPLE), "--replace"]) == 0
    capsys.readouterr()
    (led / LEDGER_FILE).write_bytes(b"\0" * 40960)  # every page zeroed
    code, out, err = run(capsys, "--ledger", str(led), "backups", "--restore", "1", "--yes")
    assert code == 0, err
    assert "已损坏" in out
    assert len(export(capsys, led)["tasks"]) == 59


def test_a_read_only_ledger_views_but_does_not_change(led: Path, tmp_path: Path, capsys) -> None:
    (led / LEDGER_FILE).chmod(0o444)
    try:
        code, out, _ = run(capsys, "--ledger", str(led), "tasks", "--search", "生态")
        assert code == 0 and "生态" in out
        code, _, _ = run(capsys, "--ledger", str(led), "export", "--format", "json", "-o", str(tmp_path / "a.json"))
        assert code == 0
        code, out, err = run(capsys, "--ledger", str(led), "status", "1", "已完成")
        assert code == 2 and "只能查看" in err and "被设为只读" in err and "损坏" not in err
    finally:
        (led / LEDGER_FILE).chmod(0o644)


def test_check_lists_and_removes_leftover_temporary_files(led: Path, capsys) -> None:
    part = led / "evidence" / ".incoming-0123.part"
    part.write_bytes(b"\0" * 2048)
    os.utime(part, (1, 1))
    code, out, _ = run(capsys, "--ledger", str(led), "check")
    assert code == 0 and ".incoming-0123.part" in out and "2.0 KB" in out
    code, out, _ = run(capsys, "--ledger", str(led), "check", "--remove-temp")
    assert code == 0 and "已删除 1 个临时文件" in out and not part.exists()


@pytest.mark.parametrize("code,words", [(13, "磁盘已满"), (5, "另一个程序"), (8, "不能写入"), (10, "U 盘")])
def test_sqlite_trouble_is_a_plain_message(led: Path, capsys, monkeypatch, code: int, words: str) -> None:
    import sqlite3

    from zwgk_desktop.core.ledger import Ledger

    def trouble(*_a, **_k):
        exc = sqlite3.OperationalError("simulated")
        exc.sqlite_errorcode = code
        raise exc

    monkeypatch.setattr(Ledger, "set_status", trouble)
    code_, out, err = run(capsys, "--ledger", str(led), "status", "1", "已完成")
    assert code_ == 2 and out == ""
    assert words in err and str(led) in err and "程序内部错误" not in err


def test_a_remembered_ledger_that_is_missing_is_not_replaced_by_an_empty_one(tmp_path, capsys):
    """The ledger on a U 盘 not plugged in: a plain message, exit 2, nothing created."""
    from zwgk_desktop.cli import main
    from zwgk_desktop.core.locations import default_ledger_dir, remember_ledger

    stick = tmp_path / "U盘" / "台账"
    assert main(["init", str(stick)]) == 0
    remember_ledger(stick)
    shutil.rmtree(tmp_path / "U盘")  # the stick is pulled out
    capsys.readouterr()
    assert main(["plans"]) == 2
    err = capsys.readouterr().err
    assert "上次使用的台账" in err and "U 盘" in err
    assert not default_ledger_dir().exists()
