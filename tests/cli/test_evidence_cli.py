"""`zwgk attach / evidence / evidence-remove / evidence-restore / recycle-bin / check /
evidence-package` as scripts use them: output, exit codes (check: 0 good, 1 problems;
errors: 2 with a Chinese message and no change)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.cli.test_cli import dump
from tests.core.test_evidence import evidence_plan
from zwgk_desktop.cli import build_parser
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.io.evidence_package import INDEX_NAME
from tests.builders import run_cli


run = run_cli


@pytest.fixture
def led(tmp_path: Path) -> Path:
    folder = tmp_path / "台账"
    with Ledger.open(folder) as ledger:
        evidence_plan(ledger)
    return folder


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "材料 文件夹"
    folder.mkdir()
    (folder / "通知.pdf").write_bytes(b"%PDF notice")
    (folder / "截图 1.png").write_bytes(b"png bytes")
    return folder


def ids(led: Path) -> list[tuple]:
    with Ledger.open(led) as ledger:
        return ledger.db.execute("SELECT id, task_id, quarter, kind, name, removed_at IS NOT NULL"
                                 " FROM evidence ORDER BY id").fetchall()


def test_attach_files_list_and_json(capsys, led, files):
    code, out, err = run(capsys, "--ledger", str(led), "attach", "1", str(files / "通知.pdf"),
                         str(files / "截图 1.png"), "--quarter", "2023Q3", "--note", "报送")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["已添加 材料 1:通知.pdf(11 字节)", "已添加 材料 2:截图 1.png(9 字节)",
                                "任务 1 2023年第三季度:新增 2 个文件。"]
    code, out, _ = run(capsys, "--ledger", str(led), "attach", "1", str(files / "通知.pdf"), "--quarter", "2023Q3")
    assert out.splitlines() == ["未重复添加:通知.pdf(该任务2023年第三季度已有内容相同的文件)",
                                "任务 1 2023年第三季度:新增 0 个文件。"]
    code, out, _ = run(capsys, "--ledger", str(led), "evidence", "1")
    lines = out.splitlines()
    assert lines[0] == "任务 1(序号 1):决策目录"
    assert lines[1] == "编号\t季度\t类型\t材料\t添加时间\t添加人"
    assert [line.split("\t")[:4] + line.split("\t")[6:] for line in lines[2:]] == [
        ["1", "2023Q3", "文件", "通知.pdf(11 字节)", "备注:报送"],
        ["2", "2023Q3", "文件", "截图 1.png(9 字节)", "备注:报送"]]
    code, out, _ = run(capsys, "--ledger", str(led), "export", "--format", "json")
    evidence = json.loads(out)["tasks"][0]["evidence"]
    assert [(e["kind"], e["name"], e["sha256"]) for e in evidence] == [
        ("file", "通知.pdf", hashlib.sha256(b"%PDF notice").hexdigest()),
        ("file", "截图 1.png", hashlib.sha256(b"png bytes").hexdigest())]


def test_attach_url_and_note(capsys, led):
    code, out, _ = run(capsys, "--ledger", str(led), "attach", "2", "https://www.example.gov.cn/a.html",
                       "--title", "政策解读", "--published", "2023-08-01", "--quarter", "2023Q3")
    assert (code, out) == (0, "已为任务 2 添加2023年第三季度的网页地址(材料 1):政策解读\n")
    code, out, _ = run(capsys, "--ledger", str(led), "attach", "2", "--note", "已张贴公告", "--quarter", "2023Q2")
    assert (code, out) == (0, "已为任务 2 添加2023年第二季度的说明(材料 2)。\n")
    code, out, _ = run(capsys, "--ledger", str(led), "evidence", "2")
    assert [line.split("\t")[:4] for line in out.splitlines()[2:]] == [
        ["1", "2023Q3", "网页", "政策解读 https://www.example.gov.cn/a.html,发布于 2023-08-01"],
        ["2", "2023Q2", "说明", "已张贴公告"]]


@pytest.mark.parametrize("argv, message", [
    (["attach", "1"], "请写出要添加的文件或网页地址,或用 --note 添加一段说明。"),
    (["attach", "1", "https://a.cn", "https://b.cn"], "一次只能添加一个网页地址"),
    (["attach", "1", "x.pdf", "--title", "t"], "--title 和 --published 只用于网页地址。"),
    (["attach", "1", "不存在.pdf"], "找不到文件“不存在.pdf”"),
    (["attach", "99", "--note", "x"], "台账中没有编号为 99 的任务。"),
    (["attach", "1", "--note", "x", "--quarter", "三季度"], "无法识别的季度“三季度”"),
    (["attach", "1", "https://a b"], "不是有效的网页地址"),
    (["evidence-remove", "7"], "台账中没有编号为 7 的佐证材料。"),
    (["evidence-restore", "7"], "台账中没有编号为 7 的佐证材料。"),
    (["recycle-bin", "--yes"], "--yes 需要与 --empty 一起使用"),
    (["evidence-package", "--unit", "县教体局", "-o", "x.zip"], "没有责任单位为“县教体局”的任务"),
])
def test_errors_exit_2_with_message_and_no_change(capsys, led, argv, message, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    before = dump(led)
    code, out, err = run(capsys, "--ledger", str(led), *argv)
    assert code == 2
    assert message in err
    assert dump(led) == before
    assert not (tmp_path / "x.zip").exists()


def test_bad_date_is_an_argument_error(capsys, led):
    code, _, err = run(capsys, "--ledger", str(led), "attach", "1", "https://a.cn", "--published", "8月1日")
    assert code == 2
    assert "日期“8月1日”格式不对" in err


def test_remove_restore_and_recycle_bin(capsys, led, files):
    run(capsys, "--ledger", str(led), "attach", "1", str(files / "通知.pdf"), "--quarter", "2023Q3")
    code, out, _ = run(capsys, "--ledger", str(led), "evidence-remove", "1")
    assert (code, out) == (0, "已把材料 1“通知.pdf”移到回收站。需要时可用 zwgk evidence-restore 1 恢复。\n")
    code, out, _ = run(capsys, "--ledger", str(led), "evidence", "1")
    assert out.splitlines()[1] == "还没有佐证材料。用 zwgk attach 任务编号 文件 添加。"
    code, out, _ = run(capsys, "--ledger", str(led), "evidence", "1", "--all")
    assert out.splitlines()[2].endswith("\t(在回收站中)")
    code, out, _ = run(capsys, "--ledger", str(led), "recycle-bin")
    lines = out.splitlines()
    assert lines[0] == "编号\t任务\t季度\t类型\t材料\t移入时间\t操作人"
    assert lines[1].split("\t")[:5] == ["1", "1-决策目录", "2023Q3", "文件", "通知.pdf(11 字节)"]
    assert lines[2] == "共 1 项。恢复:zwgk evidence-restore 编号;清空:zwgk recycle-bin --empty --yes"
    code, out, _ = run(capsys, "--ledger", str(led), "evidence-restore", "1")
    assert (code, out) == (0, "已恢复材料 1“通知.pdf”(任务 1,2023年第三季度)。\n")
    code, out, _ = run(capsys, "--ledger", str(led), "recycle-bin")
    assert out == "回收站是空的。\n"
    code, _, err = run(capsys, "--ledger", str(led), "evidence-restore", "1")
    assert code == 2 and "不在回收站中" in err


def test_empty_needs_yes(capsys, led, files):
    run(capsys, "--ledger", str(led), "attach", "1", str(files / "通知.pdf"), "--quarter", "2023Q3")
    run(capsys, "--ledger", str(led), "evidence-remove", "1")
    before = dump(led)
    code, _, err = run(capsys, "--ledger", str(led), "recycle-bin", "--empty")
    assert code == 2
    assert err == ("清空回收站会永久删除其中的 1 项材料,不能撤销。确认要清空,请执行:zwgk recycle-bin --empty --yes\n")
    assert dump(led) == before
    code, out, _ = run(capsys, "--ledger", str(led), "recycle-bin", "--empty", "--yes")
    assert (code, out) == (0, "已清空回收站:删除 1 项材料,1 个不再使用的文件(11 字节)。\n")
    assert ids(led) == []
    assert [p for p in (led / "evidence").rglob("*") if p.is_file()] == []
    assert (files / "通知.pdf").read_bytes() == b"%PDF notice"  # the original is the clerk's


def test_check_exit_codes(capsys, led, files):
    code, out, _ = run(capsys, "--ledger", str(led), "check")
    assert code == 0
    run(capsys, "--ledger", str(led), "attach", "1", str(files / "通知.pdf"), str(files / "截图 1.png"),
        "--quarter", "2023Q3")
    code, out, _ = run(capsys, "--ledger", str(led), "check")
    assert (code, out.splitlines()[-1]) == (0, "全部文件完好,与添加时一致。")
    with Ledger.open(led) as ledger:
        path = ev.stored_path(ledger, hashlib.sha256(b"png bytes").hexdigest())
    path.chmod(0o644)
    path.write_bytes(b"changed")
    before = dump(led)
    code, out, _ = run(capsys, "--ledger", str(led), "check")
    assert code == 1
    assert "序号 1:决策目录" in out and "(任务 " not in out
    assert "· “截图 1.png”(2023年第三季度):文件内容已改变(与添加时不一致)" in out
    assert dump(led) == before
    assert path.read_bytes() == b"changed"


def test_check_help_states_exit_codes(capsys):
    out = build_parser()._subparsers._group_actions[0].choices["check"].format_help()
    assert "0 全部完好" in out and "1 发现" in out


def test_evidence_package(capsys, led, files, tmp_path):
    run(capsys, "--ledger", str(led), "attach", "1", str(files / "通知.pdf"), "--quarter", "2023Q3")
    run(capsys, "--ledger", str(led), "attach", "3", "https://x.cn/p", "--title", "预决算公开", "--quarter", "2023Q2")
    out_zip = tmp_path / "包.zip"
    code, out, err = run(capsys, "--ledger", str(led), "evidence-package", "-o", str(out_zip))
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"已导出佐证材料包(压缩包):{out_zip}",
                                "  任务 2 项;文件 1 个(11 字节);网页地址 1 个;说明 0 条;目录见 目录.xlsx"]
    with zipfile.ZipFile(out_zip) as zf:
        assert zf.namelist() == ["01-决策目录/", "01-决策目录/通知.pdf", "03-做好财政预决算公开。/",
                                 "03-做好财政预决算公开。/预决算公开.url", INDEX_NAME]
    folder = tmp_path / "文件夹"
    code, out, _ = run(capsys, "--ledger", str(led), "evidence-package", "--quarter", "2023Q3",
                       "--unit", "县政府办", "-o", str(folder) + "/")
    assert code == 0 and out.startswith(f"已导出佐证材料包(文件夹):{folder}\n")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "01-决策目录", "01-决策目录/通知.pdf", INDEX_NAME]


def test_package_warns_about_missing_files(capsys, led, files, tmp_path):
    run(capsys, "--ledger", str(led), "attach", "1", str(files / "通知.pdf"), "--quarter", "2023Q3")
    with Ledger.open(led) as ledger:
        path = ev.stored_path(ledger, hashlib.sha256(b"%PDF notice").hexdigest())
    path.chmod(0o644)
    path.unlink()
    code, out, err = run(capsys, "--ledger", str(led), "evidence-package", "-o", str(tmp_path / "p.zip"))
    assert code == 0
    assert err.splitlines()[0] == "  注意:序号 1“通知.pdf”:文件缺失,未能放入材料包"


def test_commands_are_registered():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("attach", "evidence", "evidence-remove", "evidence-restore", "recycle-bin", "check",
                 "evidence-package"):
        assert name in sub.choices
