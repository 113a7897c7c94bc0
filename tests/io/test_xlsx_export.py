"""导出Excel: the plan in its own layout (columns, order, section rows, merged
sub-sections), four added columns, ready to print, and text that stays text."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import SAMPLES
from zwgk_desktop.core.evidence import attach_note
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Evidence, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io.plan_file import read_plan_file
from zwgk_desktop.io.xlsx_export import (
    ADDED_COLUMNS,
    FILL_DONE,
    FILL_IN_PROGRESS,
    FILL_NOT_APPLICABLE,
    FILL_OVERDUE,
    evidence_cell,
    export_plan_xlsx,
)
from zwgk_desktop.io.xlsx_cells import lines_needed, text_width

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "sample" / "sample_plan.xlsx"
Q3 = Quarter(2023, 3)
TODAY = date(2023, 10, 9)


def import_file(ledger: Ledger, path: Path) -> int:
    parsed, digest = read_plan_file(path)
    return write_plan(ledger, parsed, digest).plan_id


def export(ledger: Ledger, plan_id: int, tmp_path: Path, quarter: Quarter = Q3):
    out = export_plan_xlsx(ledger, plan_id, quarter, tmp_path / "out.xlsx", today=TODAY).path
    return openpyxl.load_workbook(out).active


@pytest.mark.parametrize("source", [SAMPLE, SAMPLES / "linyi_2023.xlsx"], ids=["sample", "linyi"])
def test_same_columns_order_and_merged_sections_as_the_source(ledger: Ledger, tmp_path: Path, source: Path) -> None:
    plan_id = import_file(ledger, source)
    sheet = export(ledger, plan_id, tmp_path)
    original = openpyxl.load_workbook(source).active
    labels = [c.value for c in original[3]]
    assert [c.value for c in sheet[3]] == labels + ADDED_COLUMNS
    # The source has 附件 / title / header in rows 1-3, the export title / subtitle / header:
    # every task row lands on the same row number, so merges can be compared one to one.
    src_down = sorted(str(m) for m in original.merged_cells.ranges if m.min_row != m.max_row)
    out_down = sorted(str(m) for m in sheet.merged_cells.ranges if m.min_row != m.max_row)
    assert out_down == src_down
    last = openpyxl.utils.get_column_letter(len(labels) + 4)
    src_across = sorted(m.min_row for m in original.merged_cells.ranges if m.min_row == m.max_row and m.min_row > 3)
    out_across = {str(m) for m in sheet.merged_cells.ranges if m.min_row == m.max_row}
    assert {f"A{r}:{last}{r}" for r in src_across} < out_across
    for row in src_across:
        assert sheet.cell(row=row, column=1).value == original.cell(row=row, column=1).value
    # Every task text where the source had it.
    req_col = labels.index("具体要求" if "具体要求" in labels else "工作要求") + 1
    for row in range(4, original.max_row + 1):
        assert sheet.cell(row=row, column=req_col).value == original.cell(row=row, column=req_col).value


def test_added_columns_status_colours_and_the_quarter(ledger: Ledger, tmp_path: Path) -> None:
    plan_id = import_file(ledger, SAMPLE)
    ids = ledger.task_ids(plan_id)
    ledger.set_status(ids[0], Status.DONE, date(2023, 9, 20))
    ledger.set_status(ids[1], Status.IN_PROGRESS, date(2023, 9, 1))
    ledger.set_status(ids[2], Status.NOT_APPLICABLE, date(2023, 9, 1))
    ledger.set_progress(ids[0], Q3, "已发布公报 4 期。")
    ledger.set_progress(ids[0], Quarter(2023, 2), "二季度的进展。")
    attach_note(ledger, ids[1], "见区政府网站专栏", Q3)
    sheet = export(ledger, plan_id, tmp_path)
    assert sheet["A1"].value == "2023年济宁市任城区政务公开重点工作任务分解表"
    # The third quarter is over on 10-09: the export speaks for its last day, as its report.
    assert sheet["A2"].value == "\uff082023年第三季度落实情况,截至 2023年9月30日\uff09"
    # Row 5 is the first task (row 4 is 一、…), columns E-H are the added ones.
    rows = [[sheet.cell(row=r, column=c).value for c in range(5, 9)] for r in (5, 6, 7, 8)]
    assert rows == [["已完成", datetime(2023, 9, 20), "已发布公报 4 期。", None],
                    ["推进中", None, None, "见区政府网站专栏"],
                    ["不适用", None, None, None],
                    ["未启动", None, None, None]]
    assert sheet["F5"].is_date and sheet["F5"].number_format == "yyyy-mm-dd"
    fills = [sheet.cell(row=r, column=5).fill.fgColor.rgb[-6:] for r in (5, 6, 7)]
    assert fills == [FILL_DONE, FILL_IN_PROGRESS, FILL_NOT_APPLICABLE]
    ledger.set_status(ids[1], Status.NOT_STARTED, date(2023, 9, 2))  # 12月底前: not yet overdue on 10-09
    q4 = openpyxl.load_workbook(export_plan_xlsx(ledger, plan_id, Quarter(2023, 4), tmp_path / "q4.xlsx",
                                                 today=TODAY).path).active
    assert q4["A2"].value == "\uff082023年第四季度落实情况,截至 2023年10月9日\uff09"  # not over: today
    assert q4["E6"].value == "未启动" and q4["E6"].fill.fill_type is None  # not overdue yet: no colour
    late = export_plan_xlsx(ledger, plan_id, Quarter(2023, 4), tmp_path / "late.xlsx", today=date(2024, 1, 5)).path
    assert openpyxl.load_workbook(late).active["E6"].fill.fgColor.rgb[-6:] == FILL_OVERDUE
    # The third quarter's export made in January: on 9-30 the task was not overdue yet.
    q3_late = export_plan_xlsx(ledger, plan_id, Q3, tmp_path / "q3late.xlsx", today=date(2024, 1, 5)).path
    assert openpyxl.load_workbook(q3_late).active["E6"].fill.fill_type is None
    assert sheet["E8"].fill.fill_type is None  # 未启动, not overdue yet: no colour


def test_ready_to_print(ledger: Ledger, tmp_path: Path) -> None:
    plan_id = import_file(ledger, SAMPLE)
    sheet = export(ledger, plan_id, tmp_path)
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.freeze_panes == "A4"
    assert sheet.print_area == "'落实情况'!$A$1:$H$68"
    assert sheet.oddFooter.center.text == "第 &P 页,共 &N 页"
    assert [round(sheet.column_dimensions[c].width) for c in "ABCDEFGH"] == [16, 22, 48, 10, 9, 11, 36, 22]
    assert (sheet["A1"].font.name, sheet["C5"].font.name, sheet["C3"].font.name) == ("黑体", "宋体", "黑体")
    assert sheet["C5"].alignment.wrap_text is True
    assert sheet["C5"].border.left.style == "thin" and sheet["H5"].border.bottom.style == "thin"
    # Row heights are set from the text (no program grows them on opening).
    expected = 14.0 * max(lines_needed(sheet["B9"].value, 22), lines_needed(sheet["C9"].value, 48)) + 4
    assert sheet.row_dimensions[9].height == expected
    assert sheet["A69"].value is None and sheet["A68"].value.startswith("说明:“完成状态”一列的底色")


def test_text_stays_text(ledger: Ledger, tmp_path: Path) -> None:
    plan_id = import_file(ledger, SAMPLE)
    first = ledger.task_ids(plan_id)[0]
    for text in ("=SUM(A1:A3) 看起来像公式", "+86 0537", "-1 项", "@某单位"):
        ledger.set_progress(first, Q3, text)
        sheet = export(ledger, plan_id, tmp_path)
        assert (sheet["G5"].value, sheet["G5"].data_type) == (text, "s")
    ledger.db.execute("UPDATE tasks SET requirement = ? WHERE id = ?", ["=1+1 公开预算。", first])
    sheet = export(ledger, plan_id, tmp_path)
    assert (sheet["C5"].value, sheet["C5"].data_type) == ("=1+1 公开预算。", "s")


def test_a_table_with_numbers_cooperating_units_and_other_columns(ledger: Ledger, tmp_path: Path) -> None:
    source = tmp_path / "2023年任务表.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年某区政务公开工作任务台账"])
    sheet.append(["序号", "工作任务", "具体要求", "牵头单位", "配合单位", "完成时限", "备注"])
    sheet.append(["一、决策公开"])
    sheet.append(["1", "目录管理", "公开决策事项目录。", "区司法局", "区政府办", "6月底前", "重点"])
    sheet.append(["2", "目录管理", "动态调整目录。", "区司法局", "", "长期坚持", ""])
    sheet.append(["3", "网站建设", "规范政府网站。", "区大数据中心", "各镇(街道)", "12月底前", "每月检查"])
    sheet.merge_cells("A3:G3")
    book.save(source)
    plan_id = import_file(ledger, source)
    out = export(ledger, plan_id, tmp_path)
    assert [[c.value for c in row] for row in out.iter_rows(min_row=3, max_row=7, max_col=7)] == [
        ["序号", "工作任务", "具体要求", "牵头单位", "配合单位", "完成时限", "备注"],
        ["一、决策公开"] + [None] * 6,
        ["1", "目录管理", "公开决策事项目录。", "区司法局", "区政府办", "6月底前", "重点"],
        ["2", None, "动态调整目录。", "区司法局", None, "长期坚持", None],
        ["3", "网站建设", "规范政府网站。", "区大数据中心", "各镇(街道)", "12月底前", "每月检查"]]
    assert "B5:B6" in {str(m) for m in out.merged_cells.ranges}


def test_a_plan_without_a_recorded_layout(ledger: Ledger, tmp_path: Path) -> None:
    from benchmarks.synthetic import synthetic_plan

    parsed = synthetic_plan(45, year=2023)
    plan_id = write_plan(ledger, parsed, "f" * 64).plan_id
    sheet = export(ledger, plan_id, tmp_path)
    assert [c.value for c in sheet[3]] == ["工作任务", "具体要求", "责任单位", "完成时限"] + ADDED_COLUMNS
    assert sheet["A4"].value == "一、第1部分重点工作"
    assert sheet["A5"].value == "(1)第1组任务" and "A5:A44" in {str(m) for m in sheet.merged_cells.ranges}


def test_the_evidence_cell_lists_each_item_once_by_quarter() -> None:
    def item(n: int, quarter: str, kind: str, name: str, url: str | None = None) -> Evidence:
        return Evidence(id=n, task_id=1, kind=kind, name=name, sha256=None, url=url, quarter=quarter,
                        size=None, added_at="t", added_by="u")

    items = [item(4, "2023Q4", "file", "通知.pdf"), item(3, "2023Q3", "url", "目录公开", "http://x.gov.cn/a"),
             item(1, "2023Q2", "note", "已在公开栏张贴"), item(5, "2023Q4", "file", "通知.pdf"),
             item(2, "2023Q3", "url", "", "http://x.gov.cn/b")]
    assert evidence_cell(items) == "已在公开栏张贴\nhttp://x.gov.cn/b\n目录公开 http://x.gov.cn/a\n通知.pdf"


def test_width_and_lines() -> None:
    assert text_width("ab中文") == 6
    assert text_width("一行\n更长的一行") == 10
    assert lines_needed("", 10) == 1
    assert lines_needed("中" * 20, 11.5) == 4  # 40 units in lines of 10
    assert lines_needed("甲\n乙\n丙", 30) == 3


def test_write_errors_are_plain(ledger: Ledger, tmp_path: Path) -> None:
    from zwgk_desktop.core.errors import UserError

    plan_id = import_file(ledger, SAMPLE)
    with pytest.raises(UserError, match="无法写入"):
        export_plan_xlsx(ledger, plan_id, Q3, tmp_path / "没有的文件夹" / "x.xlsx")
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_formula_like_text_as_text(ledger: Ledger, tmp_path: Path) -> None:
    plan_id = import_file(ledger, SAMPLE)
    first = ledger.task_ids(plan_id)[0]
    ledger.set_progress(first, Q3, "=1+1")
    export_plan_xlsx(ledger, plan_id, Q3, tmp_path / "out.xlsx", today=TODAY)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(tmp_path / "out.xlsx")],
                   check=True, capture_output=True, timeout=180)
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[2][6] == "本季度进展"
    assert rows[4][6] == "=1+1"  # the text, not 2


def test_recurring_tasks_show_the_quarters_periods(ledger: Ledger, tmp_path: Path) -> None:
    from tests.core.test_report_periods import recurring_plan
    from zwgk_desktop.core import task_periods as tp
    from zwgk_desktop.io.xlsx_export import LEGEND, RECURRING_LEGEND

    plan_id = write_plan(ledger, recurring_plan(), "c" * 64).plan_id
    t = dict(enumerate(ledger.task_ids(plan_id), start=1))
    tp.set_period_status(ledger, t[1], "2023-04", Status.DONE, date(2023, 4, 8))
    tp.set_period_status(ledger, t[1], "2023-05", Status.DONE, date(2023, 5, 9))
    tp.set_period_status(ledger, t[2], "2023Q2", Status.DONE, date(2023, 6, 20))
    tp.set_period_status(ledger, t[3], "2023H1", Status.IN_PROGRESS, date(2023, 5, 2))
    ledger.set_status(t[5], Status.DONE, date(2023, 6, 20))
    out = export_plan_xlsx(ledger, plan_id, Quarter(2023, 2), tmp_path / "q2.xlsx", today=date(2023, 7, 10))
    assert out.tasks == 6
    sheet = openpyxl.load_workbook(out.path).active
    status_col = [c.value for c in sheet[3]].index("完成状态") + 1
    requirement_col = [c.value for c in sheet[3]].index("具体要求") + 1
    by_task = {sheet.cell(row=r, column=requirement_col).value: sheet.cell(row=r, column=status_col)
               for r in range(4, sheet.max_row + 1)}
    shown = {req: (cell.value, cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else None)
             for req, cell in by_task.items() if req}
    assert shown == {
        "更新政策文件库。": ("4月√\n5月√\n6月未报", FILL_OVERDUE),  # June open, due 06-10
        "公开财政资金直达基层情况。": ("本季度\uff1a\n已完成", FILL_DONE),
        "公开重点项目进展。": ("上半年\uff1a\n推进中", FILL_OVERDUE),
        "报送年度报告。": ("未启动", FILL_OVERDUE),  # due in the first quarter: its status, as before
        "公开决策事项目录。": ("已完成", FILL_DONE),
        "发布工作动态。": ("本季度\uff1a\n未报", FILL_OVERDUE),
    }
    # The month list wraps in the narrow column: its row is tall enough for three lines.
    monthly_row = by_task["更新政策文件库。"].row
    assert sheet.row_dimensions[monthly_row].height >= 14.0 * 3 + 4
    # Same rows as before: title, subtitle, header, 6 tasks (sections in the 工作任务 column),
    # a blank row and the one legend row.
    assert sheet.max_row == 3 + 6 + 2
    legend = sheet.cell(row=sheet.max_row, column=1).value
    assert legend == LEGEND + RECURRING_LEGEND
    # June reported on 7-3: after the quarter, so not in its export (nor in its report).
    tp.set_period_status(ledger, t[1], "2023-06", Status.DONE, date(2023, 7, 3))
    sheet = openpyxl.load_workbook(export_plan_xlsx(ledger, plan_id, Quarter(2023, 2), tmp_path / "b.xlsx",
                                                    today=date(2023, 7, 10)).path).active
    cell = sheet.cell(row=monthly_row, column=status_col)
    assert (cell.value, cell.fill.fgColor.rgb[-6:]) == ("4月√\n5月√\n6月未报", FILL_OVERDUE)
    # Reported on 6-28 (the day corrected): green.
    tp.set_period_status(ledger, t[1], "2023-06", Status.DONE, date(2023, 6, 28))
    sheet = openpyxl.load_workbook(export_plan_xlsx(ledger, plan_id, Quarter(2023, 2), tmp_path / "c.xlsx",
                                                    today=date(2023, 7, 10)).path).active
    cell = sheet.cell(row=monthly_row, column=status_col)
    assert (cell.value, cell.fill.fgColor.rgb[-6:]) == ("4月√\n5月√\n6月√", FILL_DONE)


def test_no_recurring_legend_without_recurring_periods(ledger: Ledger, tmp_path: Path) -> None:
    from zwgk_desktop.io.xlsx_export import LEGEND

    plan_id = import_file(ledger, SAMPLE)  # its one yearly task falls due in the fourth quarter
    assert export(ledger, plan_id, tmp_path)["A68"].value == LEGEND
    q4 = openpyxl.load_workbook(export_plan_xlsx(ledger, plan_id, Quarter(2023, 4), tmp_path / "q4.xlsx",
                                                 today=TODAY).path).active
    assert q4["A68"].value != LEGEND and "定期任务" in q4["A68"].value
    assert "本年度\uff1a\n未报" in [q4.cell(row=r, column=5).value for r in range(4, 68)]
