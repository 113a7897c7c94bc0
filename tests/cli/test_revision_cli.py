"""`zwgk import 修订版.xlsx --revises PLAN`: the preview (each change old → new, grouped
and counted), --apply, --pair, and the refusals (exit 2, plain message, ledger unchanged)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.builders import dump_from_disk, run_cli
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.quarters import Quarter

TITLE = "2023年某县政务公开工作任务分解表"
HEADER = ["工作任务", "具体要求", "责任单位", "完成时限"]
OLD = [
    ["一、推进决策公开", "公开决策事项目录。", "县司法局、县政府办", "6月底前"],
    ["一、推进决策公开", "动态调整目录。", "县司法局", "按上级要求"],
    ["二、夯实基础", "规范政府网站。", "县大数据中心", "长期坚持"],
    ["二、夯实基础", "加强政务新媒体管理。", "县委网信办", "长期坚持"],
    ["三、依申请公开", "做好依申请公开工作。", "县政府办", "12月底前"],
]
NEW = [
    ["一、推进决策公开", "公开重大决策事项目录。", "县司法局、县政府办", "6月底前"],
    ["一、推进决策公开", "建立健全目录动态调整机制并按季度更新。", "县司法局", "按上级要求"],
    ["二、夯实基础", "规范政府网站。", "县大数据中心、县政务服务中心", "9月底前"],
    ["二、夯实基础", "加强政务新媒体管理。", "县委网信办", "长期坚持"],
    ["二、夯实基础", "开展政务公开业务培训。", "县政府办", "11月底前"],
]


def write_table(path: Path, rows, title: str = TITLE) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务"
    sheet.append([title])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def imported(tmp_path, capsys) -> Path:
    folder = tmp_path / "ledger"
    assert run_cli(capsys, "init", str(folder))[0] == 0
    original = write_table(tmp_path / "2023年任务分解表.xlsx", OLD)
    code, _, err = run_cli(capsys, "--ledger", str(folder), "import", str(original))
    assert code == 0, err
    with Ledger.open(folder) as ledger:
        first = ledger.task_ids(1)[0]
        ledger.set_progress(first, Quarter(2023, 1), "已公开。")
    return folder


def test_preview_lists_each_change_grouped_and_writes_nothing(imported, tmp_path, capsys) -> None:
    revised = write_table(tmp_path / "修订版.xlsx", NEW)
    before = dump_from_disk(imported)
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised), "--revises", "1")
    assert code == 0, err
    assert dump_from_disk(imported) == before
    lines = out.splitlines()
    assert lines[0] == f"修订预览:“修订版.xlsx”(工作表“任务”)→ 分解表 1《{TITLE}》(2023 年),没有写入台账"
    assert "  共 改写 1 项、新增 2 项、取消 2 项、责任单位变化 1 项、完成时限变化 1 项。" in lines
    assert "改写的任务(1 项):" in lines
    assert "  序号 1:公开决策事项目录。 → 公开重大决策事项目录。" in lines
    assert "  新序号 5:开展政务公开业务培训。(完成时限已过)" in lines  # 11月底前 2023
    assert "  原序号 5:做好依申请公开工作。" in lines
    assert "取消的任务(2 项,将标为“已取消”:保留已填写的内容,不再计入统计):" in lines
    assert "  序号 3:县大数据中心 → 县大数据中心(牵头)、县政务服务中心" in lines
    assert "  序号 3:长期坚持 → 9月底前(到期 2023-09-30)" in lines
    assert any(line.startswith("  原序号 2“动态调整目录。” ↔ 新序号 2") and line.endswith("--pair 2=2")
               for line in lines)
    assert lines[-1] == "加 --apply 写入台账"


def test_apply_writes_it_and_the_same_file_again_is_refused(imported, tmp_path, capsys) -> None:
    revised = write_table(tmp_path / "修订版.xlsx", NEW)
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised), "--revises", "1",
                             "--apply", "--pair", "2=2")
    assert code == 0, err
    assert "加 --apply 写入台账" not in out
    assert out.splitlines()[-1].startswith("已按“修订版.xlsx”修订分解表 1:改写 2 项;新增 1 项;取消 1 项;")
    code, out, err = run_cli(capsys, "--ledger", str(imported), "export", "--format", "json")
    data = json.loads(out)
    requirements = [t["requirement"] for t in data["tasks"]]
    assert requirements[:2] == ["公开重大决策事项目录。", "建立健全目录动态调整机制并按季度更新。"]
    assert "公开决策事项目录。" not in requirements  # the export uses the current wording
    assert [p["text"] for p in data["tasks"][0]["progress"]] == ["已公开。"]  # the clerk's note stays
    code, out, _ = run_cli(capsys, "--ledger", str(imported), "log", "--limit", "20")
    assert "修订:改写任务" in out and "修订分解表" in out and "设置状态(修订)" in out
    code, out, err = run_cli(capsys, "--ledger", str(imported), "tasks")
    assert "另有已取消 1 项,不计入" in err

    before = dump_from_disk(imported)
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised), "--revises", "1", "--apply")
    assert code == 2 and out == ""
    assert "已经是《" in err and "不需要再修订" in err
    assert dump_from_disk(imported) == before


@pytest.mark.parametrize("argv, message", [
    (["--revises", "1", "--year", "2024"], "是 2024 年的分解表"),
    (["--revises", "7"], "没有编号为 7 的分解表"),
    (["--revises", "1", "--pair", "2-2"], "--pair 2-2 的写法不对"),
    (["--revises", "1", "--pair", "1=2"], "原序号 1 的任务已与新表中的任务对应上了"),
    (["--revises", "1", "--replace"], "--revises 与 --replace 不能同时使用"),
    (["--apply"], "只能与 --revises 一起使用"),
])
def test_mismatches_exit_2_with_a_plain_message(imported, tmp_path, capsys, argv, message) -> None:
    revised = write_table(tmp_path / "修订版.xlsx", NEW)
    before = dump_from_disk(imported)
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised), *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert dump_from_disk(imported) == before


def test_a_file_sharing_almost_nothing_is_refused(imported, tmp_path, capsys) -> None:
    other = write_table(tmp_path / "另一份.xlsx", [
        ["一、标准化", "推进基层政务公开标准化规范化。", "县政府办", "12月底前"],
        ["二、解读", "做好政策解读和回应关切。", "县政府办", "12月底前"],
        ["二、解读", "完善政府信息公开年度报告。", "县政府办", "1月底前"],
    ])
    before = dump_from_disk(imported)
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(other), "--revises", "1", "--apply")
    assert code == 2 and out == ""
    assert "几乎没有相同的任务" in err and "请核对要修订的是哪一个分解表" in err
    assert dump_from_disk(imported) == before


def test_a_bad_file_is_refused(imported, tmp_path, capsys) -> None:
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"not a workbook")
    before = dump_from_disk(imported)
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(broken), "--revises", "1")
    assert code == 2 and "坏文件.xlsx" in err
    assert dump_from_disk(imported) == before


def test_a_file_without_a_year_is_read_in_the_plans_year(imported, tmp_path, capsys) -> None:
    revised = write_table(tmp_path / "修订版.xlsx", NEW, title="某县政务公开工作任务分解表(修订)")
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised), "--revises", "1")
    assert code == 0, err
    assert "  序号 3:长期坚持 → 9月底前(到期 2023-09-30)" in out.splitlines()
    assert f"  {TITLE} → 某县政务公开工作任务分解表(修订)" in out.splitlines()


def test_the_same_title_and_year_is_refused_as_a_new_plan(imported, tmp_path, capsys) -> None:
    """A revised table imported without --revises would silently become a second plan."""
    revised = write_table(tmp_path / "修订版.xlsx", NEW)
    before = dump_from_disk(imported)
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised))
    assert code == 2 and out == ""
    assert (f"文件“修订版.xlsx”的标题和年份与分解表 1(《{TITLE}》,2023 年,导入自“2023年任务分解表.xlsx”)相同:"
            f"如果是上级印发的修订版,请用 zwgk import {revised} --revises 1;确实要作为另一个分解表导入,请加 --as-new。") in err
    assert "Traceback" not in err
    assert dump_from_disk(imported) == before

    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised), "--as-new")
    assert code == 0, err
    assert "为分解表 2" in out
    with Ledger.open(imported) as ledger:
        assert [p.id for p in ledger.plans()] == [2, 1]


def test_the_same_file_again_is_still_replace(imported, tmp_path, capsys) -> None:
    original = tmp_path / "2023年任务分解表.xlsx"
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(original))
    assert code == 2 and "已于" in err and "--as-new" not in err  # the duplicate import's own message
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(original), "--replace")
    assert code == 0, err
    assert out.startswith("重新导入")


def test_another_title_is_imported_as_before(imported, tmp_path, capsys) -> None:
    other = write_table(tmp_path / "另一份.xlsx", NEW, title="2023年某县政务服务工作任务分解表")
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(other))
    assert code == 0, err


def test_as_new_with_revises_is_refused(imported, tmp_path, capsys) -> None:
    revised = write_table(tmp_path / "修订版.xlsx", NEW)
    code, _, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised), "--revises", "1", "--as-new")
    assert code == 2 and "--revises 与 --as-new 不能同时使用" in err


def test_the_preview_says_when_a_new_task_is_already_past_due(imported, tmp_path, capsys) -> None:
    # 开展政务公开业务培训 is due 11月底前 2023: long past on any day these tests run.
    revised = write_table(tmp_path / "修订版.xlsx", NEW)
    code, out, err = run_cli(capsys, "--ledger", str(imported), "import", str(revised), "--revises", "1")
    assert code == 0, err
    lines = out.splitlines()
    assert "  新序号 5:开展政务公开业务培训。(完成时限已过)" in lines
    assert "提示:新增的序号 5 完成时限(11月底前)已过(到期日 2023-11-30),写入后即列为逾期。" in lines
    assert "  新序号 2:建立健全目录动态调整机制并按季度更新。(完成时限已过)" not in lines  # 按上级要求: no date
