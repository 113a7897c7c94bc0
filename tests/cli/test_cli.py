"""`zwgk` as scripts use it: what each command prints, exit codes, and that bad
input gives exit 2, a plain Chinese message naming the file, and no ledger change."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop.cli import build_parser, main
from zwgk_desktop.core.ledger import LEDGER_FILE
from tests.conftest import SAMPLES
from tests.builders import run_cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE_XLSX = SAMPLES / "rencheng_2023.xlsx"
LINYI_XLSX = SAMPLES / "linyi_2023.xlsx"
L, R = "\uff08", "\uff09"
HEADER = ["工作任务", "具体要求", "责任单位", "完成时限"]


def dump(folder: Path) -> str:
    """The committed content of a ledger folder ('' when there is none yet)."""
    path = folder / LEDGER_FILE
    if not path.exists():
        return ""
    conn = sqlite3.connect(str(path))
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


run = run_cli


def small_table(path: Path, year_title: str = "2023年某县政务公开重点工作任务分解表",
                deadline2: str = "按上级要求") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([year_title])
    ws.append(HEADER)
    ws.append(["一、推进决策公开"])
    ws.merge_cells("A3:D3")
    ws.append([f"{L}一{R}目录管理", "编制并公开决策事项目录。", "县司法局、县政府办", "6月底前"])
    ws.append([f"{L}一{R}目录管理", "动态调整目录。", "县司法局", deadline2])
    ws.append(["二、夯实基础"])
    ws.merge_cells("A6:D6")
    ws.append([f"{L}二{R}平台建设", "规范政府网站。", "县大数据中心", "长期坚持"])
    wb.save(path)
    return path


@pytest.fixture
def led(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A new, empty ledger: creating one is an explicit `zwgk init`."""
    folder = tmp_path / "台账"
    assert main(["init", str(folder)]) == 0
    capsys.readouterr()
    return folder


@pytest.fixture
def one_plan(led: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A ledger holding the small table; returns its folder."""
    assert main(["--ledger", str(led), "import", str(small_table(tmp_path / "任务表.xlsx"))]) == 0
    capsys.readouterr()
    return led


def export(led: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    code, out, _ = run(capsys, "--ledger", str(led), "export", "--format", "json", *extra)
    assert code == 0
    return json.loads(out)


# -- the happy paths ------------------------------------------------------------------


def test_import_prints_what_it_read(led: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = small_table(tmp_path / "任务表.xlsx")
    code, out, err = run(capsys, "--ledger", str(led), "import", str(path))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "已导入“任务表.xlsx”(工作表“Sheet”)为分解表 1:2023年某县政务公开重点工作任务分解表"
    assert lines[1] == "  年份 2023;任务 3 项;章节 4 个;责任单位 3 个"
    assert lines[2] == ("  列对应:A列“工作任务”→工作任务(标题);B列“具体要求”→具体要求;"
                        "C列“责任单位”→责任单位;D列“完成时限”→完成时限")
    assert lines[3] == "  需要核对完成时限的任务:1 项(序号 2)"
    assert len(lines) == 4
    assert err == ""
    assert (led / LEDGER_FILE).is_file()


def test_import_with_nothing_to_review_and_a_year_option(led: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = small_table(tmp_path / "任务表.xlsx", year_title="某县政务公开重点工作任务分解表", deadline2="9月底前")
    code, out, _ = run(capsys, "--ledger", str(led), "import", str(path), "--year", "2024")
    assert code == 0
    assert "  年份 2024;任务 3 项;章节 4 个;责任单位 3 个" in out.splitlines()
    assert "  需要核对完成时限的任务:无" in out.splitlines()
    data = export(led, capsys)
    assert [t["due_date"] for t in data["tasks"]] == ["2024-06-30", "2024-09-30", None]


def test_the_same_file_twice_needs_replace(one_plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "任务表.xlsx"
    before = dump(one_plan)
    code, out, err = run(capsys, "--ledger", str(one_plan), "import", str(path))
    assert code == 2 and out == ""
    assert "任务表.xlsx" in err and "--replace" in err
    assert dump(one_plan) == before
    code, out, _ = run(capsys, "--ledger", str(one_plan), "import", str(path), "--replace")
    assert code == 0
    assert out.startswith("重新导入“任务表.xlsx”")
    assert len(export(one_plan, capsys)["tasks"]) == 3


def test_plans_lists_the_plans(led: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--ledger", str(led), "plans")
    assert code == 0 and "还没有分解表" in out
    main(["--ledger", str(led), "import", str(small_table(tmp_path / "a.xlsx"))])
    main(["--ledger", str(led), "import", str(LINYI_XLSX)])
    capsys.readouterr()
    code, out, _ = run(capsys, "--ledger", str(led), "plans")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t") == ["编号", "年份", "任务数", "标题", "来源文件", "导入时间"]
    rows = [line.split("\t")[:5] for line in lines[1:]]
    assert rows == [["2", "2023", "65", "2023年临沂市政务公开工作要点任务分解表", "linyi_2023.xlsx"],
                    ["1", "2023", "3", "2023年某县政务公开重点工作任务分解表", "a.xlsx"]]


def test_status_with_on_and_history(one_plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [t["id"] for t in export(one_plan, capsys)["tasks"]]
    code, out, _ = run(capsys, "--ledger", str(one_plan), "status", str(ids[1]), "推进中", "--on", "2023-05-01")
    assert code == 0
    assert out.strip() == f"任务 {ids[1]}(序号 2)状态已设为“推进中”,自 2023-05-01 起生效。"
    code, out, _ = run(capsys, "--ledger", str(one_plan), "status", str(ids[1]), "已完成", "--on", "2023-08-15")
    assert code == 0
    code, out, _ = run(capsys, "--ledger", str(one_plan), "status", str(ids[0]), "已完成")
    assert code == 0 and date.today().isoformat() in out
    tasks = export(one_plan, capsys)["tasks"]
    assert [(t["status"], t["status_date"]) for t in tasks] == [
        ("已完成", date.today().isoformat()), ("已完成", "2023-08-15"), ("未启动", None)]


def test_progress_from_argument_and_stdin(one_plan: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    tid = export(one_plan, capsys)["tasks"][0]["id"]
    code, out, _ = run(capsys, "--ledger", str(one_plan), "progress", str(tid), "--quarter", "2023Q3", "已公开目录。")
    assert code == 0 and out.strip() == f"已保存任务 {tid} 2023年第三季度的进展。"

    monkeypatch.setattr(sys, "stdin", io.StringIO("第一项已完成;\n第二项推进中。\n"))
    code, out, _ = run(capsys, "--ledger", str(one_plan), "progress", str(tid), "--quarter", "2023Q3", "-")
    assert code == 0
    progress = export(one_plan, capsys)["tasks"][0]["progress"]
    assert [(p["quarter"], p["text"], p["status"]) for p in progress] == [
        ("2023Q3", "第一项已完成;\n第二项推进中。", "未启动")]

    code, out, _ = run(capsys, "--ledger", str(one_plan), "progress", str(tid), "--quarter", "2023年第三季度", "")
    assert code == 0 and out.strip() == f"已删除任务 {tid} 2023年第三季度的进展。"
    assert export(one_plan, capsys)["tasks"][0]["progress"] == []


def test_export_to_stdout_and_to_a_file(one_plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = export(one_plan, capsys)
    assert data["plan"]["title"] == "2023年某县政务公开重点工作任务分解表"
    assert data["plan"]["year"] == 2023 and data["plan"]["source_name"] == "任务表.xlsx"
    assert [(t["seq"], t["section"], t["requirement"], [u["name"] for u in t["units"]], t["deadline_text"],
             t["due_date"]) for t in data["tasks"]] == [
        (1, ["一、推进决策公开", f"{L}一{R}目录管理"], "编制并公开决策事项目录。", ["县司法局", "县政府办"], "6月底前",
         "2023-06-30"),
        (2, ["一、推进决策公开", f"{L}一{R}目录管理"], "动态调整目录。", ["县司法局"], "按上级要求", None),
        (3, ["二、夯实基础", f"{L}二{R}平台建设"], "规范政府网站。", ["县大数据中心"], "长期坚持", None),
    ]
    assert [u["role"] for u in data["tasks"][0]["units"]] == ["lead", "cooperate"]
    out_file = tmp_path / "导出" / "plan.json"
    out_file.parent.mkdir()
    code, out, err = run(capsys, "--ledger", str(one_plan), "export", "--plan", str(data["plan"]["id"]),
                         "--format", "json", "-o", str(out_file))
    assert code == 0 and out == ""
    assert "已导出分解表 1(3 项任务)" in err
    assert json.loads(out_file.read_text(encoding="utf-8")) == data
    assert not list(out_file.parent.glob("*.tmp"))


def test_log_lists_the_changes(one_plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tid = export(one_plan, capsys)["tasks"][0]["id"]
    main(["--ledger", str(one_plan), "status", str(tid), "推进中", "--on", "2023-05-01"])
    capsys.readouterr()
    code, out, _ = run(capsys, "--ledger", str(one_plan), "log")
    assert code == 0
    assert [line.split("\t")[2:] for line in out.splitlines()] == [
        ["设置状态", "将序号 1 的状态由“未启动”改为“推进中”(2023-05-01)"],
        ["导入分解表", "导入了分解表“2023年某县政务公开重点工作任务分解表”(3 项任务,文件 任务表.xlsx)"]]


def test_log_names_the_tasks_of_a_bulk_change_by_seq(one_plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A change of several tasks at once says which (序号), not "task" with no number."""
    from datetime import date

    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.model import Status

    ids = [t["id"] for t in export(one_plan, capsys)["tasks"]]
    with Ledger.open(one_plan) as ledger:  # as the window's 右键 → 标记多项任务 does
        ledger.set_statuses(ids, Status.DONE, date(2023, 9, 1))
    code, out, _ = run(capsys, "--ledger", str(one_plan), "log", "--limit", "1")
    assert code == 0
    assert out.split("\t")[2:] == ["设置状态", "将 3 项任务(序号 1、2、3)的状态设为“已完成”(2023-09-01)\n"]


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 2 and "import" in out and "export" in out


def test_every_subcommand_has_help_text() -> None:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    names = set(sub.choices)
    assert {"import", "plans", "status", "progress", "export"} <= names
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, subparser in sub.choices.items():
        assert helps.get(name), f"{name} has no help in the command list"
        assert subparser.description, f"{name} has no description"
        for action in subparser._actions:
            if action.dest not in ("help",):
                assert action.help, f"{name} {action.dest} has no help"


def test_ledger_option_after_the_command_works_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    led = tmp_path / "后置"
    assert main(["init", str(led)]) == 0
    code, _, _ = run(capsys, "import", str(small_table(tmp_path / "t.xlsx")), "--ledger", str(led))
    assert code == 0
    assert (led / LEDGER_FILE).is_file()


# -- bad input: exit 2, a message naming the file, no change ---------------------------


def _xlsx_with_bomb(bomb: bool = True) -> bytes:
    """A workbook whose sharedStrings part declares nested entities (billion laughs);
    with ``bomb=False`` the same workbook with plain text in their place."""
    wb = openpyxl.Workbook()
    wb.active.append(["x"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    entities = '<!ENTITY a "具体要求具体要求">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8))
    cells = [("A1", 0), ("B1", 1), ("C1", 2), ("A2", 3), ("B2", 4), ("C2", 5)]
    sheet_data = ('<sheetData><row r="1">' + "".join(f'<c r="{ref}" t="s"><v>{i}</v></c>' for ref, i in cells[:3])
                  + '</row><row r="2">' + "".join(f'<c r="{ref}" t="s"><v>{i}</v></c>' for ref, i in cells[3:])
                  + "</row></sheetData>")
    strings = ["&i;" if bomb else "具体要求", "责任单位", "完成时限", "公开A。", "甲局", "6月底前"]
    doctype = f"<!DOCTYPE sst [{entities}]>" if bomb else ""
    sst = (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">'
           + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            text = src.read(info).decode("utf-8")
            if info.filename == "xl/worksheets/sheet1.xml":
                start, end = text.index("<sheetData>"), text.index("</sheetData>") + len("</sheetData>")
                text = text[:start] + sheet_data + text[end:]
            elif info.filename == "[Content_Types].xml":
                text = text.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                text = text.replace("</Relationships>", '<Relationship Type="http://schemas.openxmlformats.org/'
                                    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"'
                                    ' Id="rId99"/></Relationships>')
            z.writestr(info.filename, text)
        z.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


def _ole(stream: str) -> bytes:
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + (stream + "\x00").encode("utf-16-le") + b"\x00" * 2000


BAD_FILES = {
    "random": ("乱码.xlsx", lambda: bytes(range(256)) * 20, "损坏"),
    "empty": ("空文件.xlsx", lambda: b"", "空的"),
    "truncated": ("半截下载.xlsx", lambda: SAMPLE_XLSX.read_bytes()[: SAMPLE_XLSX.stat().st_size // 2], "损坏"),
    "encrypted": ("加密.xlsx", lambda: _ole("EncryptedPackage") + _ole("EncryptionInfo"), "加密"),
    "bomb": ("炸弹.xlsx", _xlsx_with_bomb, "不安全"),
    "old word": ("通知附件.doc", lambda: _ole("WordDocument"), ".docx"),
    "no header": ("无表头.csv", lambda: "名称,说明,备注\n甲,乙,丙\n".encode("utf-8"), "表头"),
    "pdf": ("扫描件.xlsx", lambda: b"%PDF-1.7\n" + b"x" * 100, "PDF"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_exit_2_with_a_plain_message_and_no_change(
        case: str, one_plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name, make, word = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(make())
    before = dump(one_plan)
    code, out, err = run(capsys, "--ledger", str(one_plan), "import", str(path))
    assert code == 2
    assert out == ""
    assert name in err, err
    assert word in err, err
    assert "处理办法" in err or "--map" in err
    assert "Traceback" not in err and "Error" not in err
    assert dump(one_plan) == before


def test_the_same_workbook_without_the_bomb_imports(led: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """So the bomb case above is refused for its entities, not for being malformed."""
    with zipfile.ZipFile(io.BytesIO(_xlsx_with_bomb())) as z:
        assert "<!ENTITY" in z.read("xl/sharedStrings.xml").decode("utf-8")
    path = tmp_path / "2023年无炸弹.xlsx"
    path.write_bytes(_xlsx_with_bomb(bomb=False))
    code, _, err = run(capsys, "--ledger", str(led), "import", str(path))
    assert code == 0, err
    [task] = export(led, capsys)["tasks"]
    assert (task["requirement"], task["units"][0]["name"], task["due_date"]) == ("公开A。", "甲局", "2023-06-30")


def test_a_missing_file(one_plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = dump(one_plan)
    code, out, err = run(capsys, "--ledger", str(one_plan), "import", str(tmp_path / "不存在.xlsx"))
    assert code == 2 and "不存在.xlsx" in err and "文件不存在" in err
    assert dump(one_plan) == before


def test_a_missing_file_does_not_even_create_the_ledger(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    led = tmp_path / "新台账"
    code, _, _ = run(capsys, "--ledger", str(led), "import", str(tmp_path / "不存在.xlsx"))
    assert code == 2
    assert not led.exists()


@pytest.mark.parametrize("column_map,word", [("requirement", "写法不对"), ("foo=C", "不认识的列名称"),
                                             ("requirement=Z", "Z")])
def test_a_bad_column_map(column_map: str, word: str, one_plan: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    path = small_table(tmp_path / "另一个表.xlsx", year_title="2024年另一个任务分解表")
    before = dump(one_plan)
    code, out, err = run(capsys, "--ledger", str(one_plan), "import", str(path), "--map", column_map)
    assert code == 2 and out == ""
    assert word in err and "Traceback" not in err
    assert dump(one_plan) == before


def test_a_column_map_reads_a_table_with_unknown_headers(led: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "2023年自定义表头.csv"
    path.write_text("名称,内容,部门,时间\n政策解读,做好政策解读。,县政府办,6月底前\n", encoding="utf-8")
    before = dump(led)
    code, _, err = run(capsys, "--ledger", str(led), "import", str(path))
    assert code == 2 and "--map" in err and "B列“内容”" in err
    assert dump(led) == before
    code, out, err = run(capsys, "--ledger", str(led), "import", str(path),
                         "--map", "title=A,requirement=B,units=C,deadline=D")
    assert code == 0, err
    [task] = export(led, capsys)["tasks"]
    assert (task["title"], task["requirement"], task["units"][0]["name"], task["due_date"]) == (
        "政策解读", "做好政策解读。", "县政府办", "2023-06-30")


@pytest.mark.parametrize("argv_tail,word", [
    (["status", "{tid}", "差不多了"], "无法识别的状态"),
    (["progress", "{tid}", "--quarter", "2023Q5", "写点什么"], "无法识别的季度"),
    (["progress", "{tid}", "--quarter", "三季度", "写点什么"], "无法识别的季度"),
    (["status", "99999", "已完成"], "99999"),
    (["progress", "99999", "--quarter", "2023Q3", "写点什么"], "99999"),
    (["export", "--plan", "99", "--format", "json"], "99"),
])
def test_bad_words_and_ids_exit_2_without_change(argv_tail, word: str, one_plan: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    tid = export(one_plan, capsys)["tasks"][0]["id"]
    before = dump(one_plan)
    argv = ["--ledger", str(one_plan)] + [a.replace("{tid}", str(tid)) for a in argv_tail]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert word in err and "Traceback" not in err
    assert dump(one_plan) == before


def test_a_bad_date_is_an_argument_error(one_plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = dump(one_plan)
    assert main(["--ledger", str(one_plan), "status", "1", "已完成", "--on", "2023-13-01"]) == 2
    assert "2023-13-01" in capsys.readouterr().err
    assert dump(one_plan) == before


def test_export_with_two_plans_needs_plan(one_plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--ledger", str(one_plan), "import", str(LINYI_XLSX)]) == 0
    capsys.readouterr()
    before = dump(one_plan)
    code, out, err = run(capsys, "--ledger", str(one_plan), "export", "--format", "json")
    assert code == 2 and out == ""
    assert "--plan" in err and "2 个分解表" in err
    assert dump(one_plan) == before
    assert export(one_plan, capsys, "--plan", "2")["plan"]["source_name"] == "linyi_2023.xlsx"


def test_export_to_a_folder_that_does_not_exist(one_plan: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--ledger", str(one_plan), "export", "--format", "json",
                       "-o", str(tmp_path / "没有" / "x.json"))
    assert code == 2 and "无法写入" in err


def test_a_ledger_that_is_not_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "坏台账"
    folder.mkdir()
    (folder / LEDGER_FILE).write_bytes(b"not a database at all" * 10)
    code, out, err = run(capsys, "--ledger", str(folder), "plans")
    assert code == 2 and "不是台账文件" in err


# -- a real process ---------------------------------------------------------------------


def _zwgk(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "zwgk_desktop.cli", *args], capture_output=True,
                          cwd=REPO, env=env, timeout=120, encoding="utf-8")


def test_a_real_process_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "乱码.xlsx"
    bad.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    led = tmp_path / "ledger"
    assert _zwgk("init", str(led)).returncode == 0
    done = _zwgk("--ledger", str(led), "import", str(bad))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "乱码.xlsx" in done.stderr and "损坏" in done.stderr
    assert done.stdout == ""
    done = _zwgk("--ledger", str(led), "import", str(SAMPLE_XLSX))
    assert done.returncode == 0, done.stderr
    assert "任务 59 项" in done.stdout
    done = _zwgk("--ledger", str(led), "status", "1", "乱写")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "无法识别的状态" in done.stderr


# -- hypothesis: nothing but exit 0 or 2, and 2 leaves the ledger as it was ----------


_TEMPLATE: dict[str, Path] = {}


def _template_ledger() -> Path:
    """One ledger with a plan in it, made once and copied for every example."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="zwgk-template-")) / "ledger"
        with open(os.devnull, "w", encoding="utf-8") as sink:
            stdout, sys.stdout = sys.stdout, sink
            try:
                assert main(["init", str(folder)]) == 0
                assert main(["--ledger", str(folder), "import", str(LINYI_XLSX)]) == 0
            finally:
                sys.stdout = stdout
        _TEMPLATE["path"] = folder
    return _TEMPLATE["path"]


@pytest.fixture(scope="module", autouse=True)
def _remove_template():
    yield
    if "path" in _TEMPLATE:
        shutil.rmtree(_TEMPLATE.pop("path").parent, ignore_errors=True)


def check_import_never_fails_badly(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        led = Path(folder) / "ledger"
        shutil.copytree(_template_ledger(), led)
        path = Path(folder) / name
        path.write_bytes(data)
        before = dump(led)
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            code = main(["--ledger", str(led), "import", str(path)])
        finally:
            sys.stdout, sys.stderr = saved
        assert code in (0, 2), err.getvalue()
        if code == 2:
            assert dump(led) == before
            assert name in err.getvalue() or "导入过" in err.getvalue(), err.getvalue()
            assert "Traceback" not in err.getvalue()
        else:
            assert dump(led) != before


FUZZ = settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(data=st.binary(max_size=2048), ext=st.sampled_from([".xlsx", ".csv", ".docx", ".xls"]))
def test_arbitrary_bytes_never_fail_badly(data: bytes, ext: str) -> None:
    check_import_never_fails_badly("任意" + ext, data)


@FUZZ
@given(text=st.text(max_size=300), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_arbitrary_text_as_csv_never_fails_badly(text: str, encoding: str) -> None:
    check_import_never_fails_badly("任意.csv", text.encode(encoding))


_SAMPLE_BYTES = SAMPLE_XLSX.read_bytes()


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(_SAMPLE_BYTES)))
def test_truncated_sample_never_fails_badly(cut: int) -> None:
    check_import_never_fails_badly("截断.xlsx", _SAMPLE_BYTES[:cut])


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, len(_SAMPLE_BYTES) - 1), st.integers(0, 7)),
                      min_size=1, max_size=4))
def test_bit_flipped_sample_never_fails_badly(flips: list[tuple[int, int]]) -> None:
    data = bytearray(_SAMPLE_BYTES)
    for offset, bit in flips:
        data[offset] ^= 1 << bit
    check_import_never_fails_badly("翻转.xlsx", bytes(data))


def _sample_parts() -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(SAMPLE_XLSX) as z:
        return [(info, z.read(info)) for info in z.infolist()]


_PARTS = _sample_parts()


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(part=st.integers(0, len(_PARTS) - 1), data=st.data())
def test_damaged_parts_inside_a_valid_zip_never_fail_badly(part: int, data: st.DataObject) -> None:
    """Bit flips and cuts in the XML itself (the zip stays valid, CRCs match), which
    reach the XML and spreadsheet parsers instead of stopping at the zip layer."""
    info, content = _PARTS[part]
    mutated = bytearray(content)
    if data.draw(st.booleans(), label="cut"):
        mutated = mutated[:data.draw(st.integers(0, len(mutated)), label="cut at")]
    else:
        for _ in range(data.draw(st.integers(1, 6), label="flips")):
            offset = data.draw(st.integers(0, len(mutated) - 1), label="offset")
            mutated[offset] ^= 1 << data.draw(st.integers(0, 7), label="bit")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for other, other_content in _PARTS:
            z.writestr(other.filename, bytes(mutated) if other is info else other_content)
    check_import_never_fails_badly("内部损坏.xlsx", buf.getvalue())


def test_tasks_lists_ids_with_the_windows_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger"
    assert main(["init", str(ledger)]) == 0
    assert main(["--ledger", str(ledger), "import", str(SAMPLES / "rencheng_2023.xlsx")]) == 0
    capsys.readouterr()
    assert main(["--ledger", str(ledger), "tasks", "--unit", "区审计局"]) == 0
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert lines[0].startswith("编号")
    assert len(lines) == 2 and "\t4\t未启动\t2023-12-31\t区审计局\t" in lines[1]
    assert "共 1 项" in err
    task_id = int(lines[1].split("\t")[0])
    assert main(["--ledger", str(ledger), "status", str(task_id), "已完成", "--on", "2023-10-01"]) == 0
    capsys.readouterr()
    assert main(["--ledger", str(ledger), "tasks", "--status", "已完成"]) == 0
    out, _ = capsys.readouterr()
    assert [line.split("\t")[0] for line in out.strip().splitlines()[1:]] == [str(task_id)]
    assert main(["--ledger", str(ledger), "tasks", "--status", "完成了"]) == 2


def test_an_error_with_a_command_line_hint_prints_it_under_the_message() -> None:
    """Messages shared with the window name no option; the CLI adds its own line."""
    import contextlib
    import io
    from unittest import mock

    from zwgk_desktop import cli
    from zwgk_desktop.core.errors import UserError

    error = UserError("文件已导入过。")
    error.hint_cli = "命令行:加 --replace 重新导入。"
    err = io.StringIO()
    with mock.patch.object(cli, "build_parser") as build, contextlib.redirect_stderr(err):
        build.return_value.parse_args.return_value.handler = mock.Mock(side_effect=error)
        assert cli.main(["import", "x"]) == 2
    assert err.getvalue() == "文件已导入过。\n命令行:加 --replace 重新导入。\n"
