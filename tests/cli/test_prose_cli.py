"""`zwgk import` of a notice written as prose, and `zwgk draft`."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from zwgk_desktop.cli import main
from tests.builders import run_cli

READING = Path(__file__).resolve().parents[1] / "data" / "reading"

NOTICE = """2024年某某县政务公开工作要点
一、聚焦发展强化公开
(一)做好项目信息公开。公开重点项目信息(责任单位:县发展改革局、各镇(街道),完成时限:2024年6月底前)。
公开征地补偿标准(县自然资源局负责落实)。
二、夯实工作基础
更新政务公开专栏。
"""


run = run_cli


@pytest.fixture
def led(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "台账"
    assert main(["init", str(folder)]) == 0
    capsys.readouterr()
    return folder


@pytest.fixture
def notice(tmp_path: Path) -> Path:
    path = tmp_path / "要点.txt"
    path.write_text(NOTICE, encoding="gb18030")
    return path


def test_import_detects_prose_and_writes_the_plan(capsys, led: Path, notice: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, "import", str(notice), "--ledger", str(led))
    assert (code, err) == (0, "")
    assert "任务 3 项" in out and "有 1 项任务原文没有写明责任单位" in out
    out_file = tmp_path / "out.json"
    assert run(capsys, "export", "--format", "json", "-o", str(out_file), "--ledger", str(led))[0] == 0
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert data["plan"]["title"] == "2024年某某县政务公开工作要点" and data["plan"]["year"] == 2024
    assert [(t["seq"], t["section"], t["requirement"], [u["name"] for u in t["units"]], t["deadline_text"],
             t["due_date"]) for t in data["tasks"]] == [
        (1, ["一、聚焦发展强化公开", "(一)做好项目信息公开"], "公开重点项目信息。", ["县发展改革局", "各镇(街道)"],
         "2024年6月底前", "2024-06-30"),
        (2, ["一、聚焦发展强化公开", "(一)做好项目信息公开"], "公开征地补偿标准。", ["县自然资源局"], "", None),
        (3, ["二、夯实工作基础"], "更新政务公开专栏。", [], "", None),
    ]


def test_dry_run_shows_the_reading_and_what_was_not_a_task(capsys, led: Path, notice: Path) -> None:
    code, out, _ = run(capsys, "import", str(notice), "--dry-run", "--prose", "--ledger", str(led))
    assert code == 0
    assert "公开征地补偿标准。\t县自然资源局" in out
    assert run(capsys, "plans", "--ledger", str(led))[1].startswith("台账中还没有分解表")


def test_linyi_work_points_import_without_units(capsys, led: Path) -> None:
    code, out, err = run(capsys, "import", str(READING / "linyi_2023_work_points_and_table.txt"), "--ledger", str(led))
    assert (code, err) == (0, "")
    assert "任务 17 项;章节 5 个;责任单位 0 个" in out


def test_prose_without_year_asks_for_it(capsys, led: Path) -> None:
    code, _, err = run(capsys, "import", str(READING / "county_standardization_plan.txt"), "--ledger", str(led))
    assert code == 2 and "--year" in err
    code, out, _ = run(capsys, "import", str(READING / "county_standardization_plan.txt"), "--year", "2022",
                       "--ledger", str(led))
    assert code == 0 and "任务 11 项" in out


def test_neither_table_nor_work_points_exit_2(capsys, led: Path, tmp_path: Path) -> None:
    path = tmp_path / "纪要.txt"
    path.write_text("会议纪要\n大家发言踊跃。\n", encoding="utf-8")
    for command in (["import", str(path)], ["draft", str(path), "-o", str(tmp_path / "x.xlsx")]):
        code, out, err = run(capsys, *command, "--ledger", str(led))
        assert code == 2 and "没有认出工作要点" in err and "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_draft_writes_the_table_without_importing(capsys, led: Path, notice: Path, tmp_path: Path) -> None:
    target = tmp_path / "分解表.xlsx"
    code, out, err = run(capsys, "draft", str(notice), "-o", str(target), "--ledger", str(led))
    assert (code, err) == (0, "")
    assert "3 项任务" in out and "1 项原文没有写明责任单位" in out
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][0] == "2024年某某县政务公开工作要点任务分解表"
    assert rows[3] == (1, "(一)做好项目信息公开", "公开重点项目信息。", "县发展改革局、各镇(街道)", "2024年6月底前")
    assert run(capsys, "plans", "--ledger", str(led))[1].startswith("台账中还没有分解表")


def test_draft_help_in_chinese(capsys) -> None:
    code, out, _ = run(capsys, "draft", "--help")
    assert code == 0 and "生成任务分解表" in out


def test_rencheng_notice_text_imports_its_table(capsys, led: Path) -> None:
    code, out, err = run(capsys, "import", str(READING / "rencheng_2023_decomposition_notice.txt"),
                         "--ledger", str(led))
    assert (code, err) == (0, "")
    assert "任务 59 项" in out and "已按所附任务分解表" in out
