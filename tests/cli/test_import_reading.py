"""`zwgk import` on the tables clerks really receive: --dry-run shows the
reading (with each column's reason) and writes nothing; a file without a year needs
--year; a reading that looks wrong is refused unless --force; --deadline sets one
deadline for a table without a 完成时限 column; the unit directory splits names."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from zwgk_desktop.cli import main
from zwgk_desktop.core.ledger import LEDGER_FILE
from tests.builders import run_cli


run = run_cli


def dump(folder: Path) -> str:
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def table(path: Path, rows: list[list], title: str | None = "2023年某县政务公开任务分解表") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def led(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "台账"
    assert main(["init", str(folder)]) == 0
    capsys.readouterr()
    return folder


POINTS = [
    ["工作要求", "一级要点", "二级要点", "责任单位"],
    ["一、围绕稳增长做好公开", "(一)财政信息", "按时公开本级政府预决算和部门预决算。", "县财政局"],
    ["一、围绕稳增长做好公开", "(二)项目信息", "集中公开重大建设项目批准和实施信息。", "县发改局牵头落实"],
]


def export(led: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    code, out, _ = run(capsys, "--ledger", str(led), "export", "--format", "json")
    assert code == 0
    return json.loads(out)


def test_dry_run_prints_the_reading_with_reasons_and_writes_nothing(led: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = table(tmp_path / "要点.xlsx", POINTS)
    before = dump(led)
    code, out, err = run(capsys, "--ledger", str(led), "import", str(path), "--dry-run")
    assert code == 0, err
    assert dump(led) == before
    lines = out.splitlines()
    assert lines[0] == "预览“要点.xlsx”(工作表“Sheet”,没有写入台账):2023年某县政务公开任务分解表"
    assert "  A列“工作要求”→工作任务(标题):内容是“一、”开头的标题,向下合并或重复;表头写的是“工作要求”" in lines
    assert any(line.startswith("  C列“二级要点”→具体要求:内容多为长句") for line in lines)
    assert "  1\t一、围绕稳增长做好公开 › (一)财政信息\t按时公开本级政府预决算和部门预决算。\t县财政局\t—\t—" in lines
    assert "  2\t一、围绕稳增长做好公开 › (二)项目信息\t集中公开重大建设项目批准和实施信息。\t县发改局\t—\t—" in lines
    assert sum("没有“完成时限”一列" in line for line in lines) == 1


def test_dry_run_without_a_ledger_still_previews(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = table(tmp_path / "要点.xlsx", POINTS)
    code, out, _ = run(capsys, "--ledger", str(tmp_path / "没有的台账"), "import", str(path), "--dry-run")
    assert code == 0 and out.startswith("预览")
    assert not (tmp_path / "没有的台账").exists()


def test_one_deadline_for_a_table_without_a_deadline_column(led: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = table(tmp_path / "要点.xlsx", POINTS)
    code, out, err = run(capsys, "--ledger", str(led), "import", str(path), "--deadline", "12月底前")
    assert code == 0, err
    assert "  需要核对完成时限的任务:无" in out.splitlines()
    assert [(t["deadline_text"], t["due_date"]) for t in export(led, capsys)["tasks"]] == [
        ("12月底前", "2023-12-31")] * 2


def test_without_a_deadline_column_no_task_is_flagged(led: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = table(tmp_path / "要点.xlsx", POINTS)
    code, out, _ = run(capsys, "--ledger", str(led), "import", str(path))
    assert code == 0
    assert "  需要核对完成时限的任务:无" in out.splitlines()
    assert sum("没有“完成时限”一列" in line for line in out.splitlines()) == 1
    assert "--deadline" in out


def test_no_year_needs_the_year_option(led: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["工作任务", "具体要求", "责任单位", "完成时限"],
            ["(一)预算", "公开本级部门预算和三公经费预算。", "县财政局", "6月底前"]]
    path = table(tmp_path / "任务表.xlsx", rows, title="某县政务公开任务分解表")
    before = dump(led)
    code, out, err = run(capsys, "--ledger", str(led), "import", str(path))
    assert code == 2 and out == ""
    assert "任务表.xlsx" in err and "年份" in err and "--year" in err
    assert dump(led) == before
    code, _, err = run(capsys, "--ledger", str(led), "import", str(path), "--year", "2023")
    assert code == 0, err
    assert export(led, capsys)["tasks"][0]["due_date"] == "2023-06-30"


def test_a_reading_that_looks_wrong_is_refused_unless_forced(led: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["序号", "具体要求", "责任单位", "完成时限"],
            *[[i, f"做好第{i}项公开工作。", "", "按上级要求"] for i in range(1, 5)]]
    path = table(tmp_path / "2023年表.xlsx", rows)
    before = dump(led)
    code, out, err = run(capsys, "--ledger", str(led), "import", str(path))
    assert code == 2 and out == ""
    assert "2023年表.xlsx" in err and "责任单位" in err and "完成时限" in err and "--force" in err
    assert dump(led) == before
    code, out, err = run(capsys, "--ledger", str(led), "import", str(path), "--dry-run")
    assert code == 0 and "读取结果可能不对" in out
    code, out, err = run(capsys, "--ledger", str(led), "import", str(path), "--force")
    assert code == 0, err
    assert len(export(led, capsys)["tasks"]) == 4


def test_the_unit_directory_splits_names_typed_together(led: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    first = table(tmp_path / "2023年一.xlsx", [["具体要求", "责任单位", "完成时限"],
                                               ["公开收费目录清单。", "区发改局、区财政局", "6月底前"]])
    assert main(["--ledger", str(led), "import", str(first)]) == 0
    second = table(tmp_path / "2023年二.xlsx", [["具体要求", "责任单位", "完成时限"],
                                                ["公开惠企政策清单。", "区财政局区发改局", "6月底前"]])
    # The same title and year: another plan on purpose (else it is refused as a likely revision).
    assert main(["--ledger", str(led), "import", str(second), "--as-new"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--ledger", str(led), "export", "--format", "json", "--plan", "2")
    assert [(u["name"], u["role"]) for u in json.loads(out)["tasks"][0]["units"]] == [
        ("区财政局", "lead"), ("区发改局", "cooperate")]
