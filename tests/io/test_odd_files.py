"""Odd files as clerks receive them, end to end through ``read_plan_file``.

Each test writes a real file (openpyxl, python-docx or raw bytes) in a layout seen in
the field and states exactly which tasks must come out of it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tracemalloc
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from openpyxl.styles import Border, PatternFill, Side

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.core.model import ParsedPlan
from zwgk_desktop.io.table_reader import ReadOptions
from zwgk_desktop.io.plan_file import read_plan_file

L, R = "\uff08", "\uff09"  # （ ） full-width, as printed in real tables
COMMA = "\uff0c"  # ，
SUB1 = f"{L}一{R}目录管理"
SUB2 = f"{L}二{R}公众参与"
SUB3 = f"{L}三{R}平台建设"
S1, S2 = "一、推进决策公开", "二、夯实公开基础"
HEADER = ["工作任务", "具体要求", "责任单位", "完成时限"]
TITLE = "2023年某县政务公开重点工作任务分解表"


def tasks_of(plan: ParsedPlan) -> list[tuple]:
    """(section, title, requirement, [(unit, role)], deadline_text, due_date) per task."""
    return [(t.section, t.title, t.requirement, [(u.name, u.role.value) for u in t.units],
             t.deadline.text, t.deadline.due_date) for t in plan.tasks]


def read(path: Path, **options) -> ParsedPlan:
    plan, digest = read_plan_file(path, ReadOptions(**options) if options else None)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [t.seq for t in plan.tasks] == list(range(1, len(plan.tasks) + 1))
    return plan


def xlsx(path: Path, rows, merges=(), title: str | None = TITLE, width: int = 4) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append(["附件"])
        ws.append([title])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for row in rows:
        ws.append(list(row))
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


# The four tasks most layouts below carry, as they must be read.
FOUR = [
    ([S1, SUB1], None, "编制并公开决策事项目录。", [("县司法局", "lead")], "6月底前", date(2023, 6, 30)),
    ([S1, SUB1], None, f"动态调整目录{COMMA}确保准确。", [("县政府办", "lead"), ("县司法局", "cooperate")],
     "9月底前", date(2023, 9, 30)),
    ([S1, SUB2], None, "开展重大决策意见征集。", [("县发改局", "lead")], "全年", date(2023, 12, 31)),
    ([S2, SUB3], None, "规范政府网站集约化建设。", [("县大数据中心", "lead")], "长期坚持", None),
]
BODY_MERGED = [  # rows 4.. of the sheet (after 附件, title, header)
    [S1, None, None, None],
    [SUB1, "编制并公开决策事项目录。", "县司法局", "6月底前"],
    [None, f"动态调整目录{COMMA}确保准确。", "县政府办、县司法局", "9月底前"],
    [SUB2, "开展重大决策意见征集。", "县发改局", "全年"],
    [S2, None, None, None],
    [SUB3, "规范政府网站集约化建设。", "县大数据中心", "长期坚持"],
]


# -- (a) an instructions sheet before the table ----------------------------------------


def test_instructions_sheet_first_then_the_table(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填报说明"
    for line in ["填报说明", "1. 请各责任单位按完成时限填报进展。", "2. 请勿修改表头和任务内容。",
                 "3. 完成时限以通知为准。"]:
        ws.append([line])
    table = wb.create_sheet("任务分解表")
    table.append([TITLE])
    table.append(HEADER)
    for row in BODY_MERGED:
        table.append(row)
    for ref in ("A3:D3", "A4:A5", "A7:D7"):
        table.merge_cells(ref)
    path = tmp_path / "分解表.xlsx"
    wb.save(path)

    plan = read(path)
    assert plan.sheet == "任务分解表"
    assert plan.title == TITLE and plan.year == 2023
    assert plan.columns == HEADER
    assert tasks_of(plan) == FOUR
    assert plan.warnings == []


# -- (b) two-row header: 责任单位 over 牵头单位 / 配合单位 ------------------------------


@pytest.mark.parametrize("lead,cooperate", [("牵头单位", "配合单位"), ("牵头", "配合")])
def test_two_row_header_with_lead_and_cooperate_columns(tmp_path: Path, lead: str, cooperate: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2023年政务公开重点任务清单"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "工作任务", "具体措施", "责任单位", None, "完成时限"])
    ws.append([None, None, None, lead, cooperate, None])
    for col in "ABCF":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("D2:E2")
    ws.append([None, S1, None, None, None, None])
    ws.merge_cells("B4:F4")
    ws.append([1, SUB1, "做好政策解读。", "县政府办", "县发改局、县财政局", "6月底前"])
    ws.append([2, SUB1, "规范政府网站。", "县大数据中心", None, "12月底前"])
    ws.append([3, SUB2, "办理依申请公开。", "县司法局\n县政府办", "各镇" + L + "街道" + R, "全年"])
    path = xlsx(tmp_path / "two_rows.xlsx", [], title=None)
    wb.save(path)

    plan = read(path)
    assert plan.columns == ["序号", "工作任务", "具体措施", lead, cooperate, "完成时限"]
    assert plan.mapping == {"seq": [0], "heading": [1], "requirement": [2], "units": [3], "cooperate": [4],
                            "deadline": [5]}
    assert tasks_of(plan) == [
        ([S1, SUB1], None, "做好政策解读。",
         [("县政府办", "lead"), ("县发改局", "cooperate"), ("县财政局", "cooperate")], "6月底前", date(2023, 6, 30)),
        ([S1, SUB1], None, "规范政府网站。", [("县大数据中心", "lead")], "12月底前", date(2023, 12, 31)),
        ([S1, SUB2], None, "办理依申请公开。",
         [("县司法局", "lead"), ("县政府办", "cooperate"), ("各镇(街道)", "cooperate")], "全年", date(2023, 12, 31)),
    ]


# -- (c) a hidden helper column ---------------------------------------------------------


def test_hidden_helper_column_is_ignored(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(["工作任务", "任务内容", "具体要求", "责任单位", "完成时限"])  # B looks like a requirement column
    ws.append([SUB1, "辅助:目录|司法", "编制并公开决策事项目录。", "县司法局", "6月底前"])
    ws.append([SUB1, "辅助:调整|政府办", "动态调整目录。", "县政府办", "9月底前"])
    ws.column_dimensions["B"].hidden = True
    path = tmp_path / "hidden.xlsx"
    wb.save(path)

    plan = read(path)
    assert plan.columns == ["工作任务", "具体要求", "责任单位", "完成时限"]
    assert tasks_of(plan) == [
        ([SUB1], None, "编制并公开决策事项目录。", [("县司法局", "lead")], "6月底前", date(2023, 6, 30)),
        ([SUB1], None, "动态调整目录。", [("县政府办", "lead")], "9月底前", date(2023, 9, 30)),
    ]
    assert all(t.extra == {} for t in plan.tasks)


# -- (d) a styled column that makes the sheet report 100,000 rows ---------------------


def test_formatting_down_to_row_100000_is_not_read_as_rows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(HEADER)
    ws.append([SUB1, "编制并公开决策事项目录。", "县司法局", "6月底前"])
    ws.append([SUB1, "动态调整目录。", "县政府办", "9月底前"])
    ws.append([SUB2, "开展意见征集。", "县发改局", "三季度"])
    fill = PatternFill("solid", fgColor="FFFF00")
    side = Side(style="thin")
    border = Border(left=side, right=side, top=side, bottom=side)
    for r in range(1, 100_001):
        cell = ws.cell(row=r, column=6)
        cell.fill = fill
        cell.border = border
    path = tmp_path / "styled.xlsx"
    wb.save(path)
    assert openpyxl.load_workbook(path, read_only=True).active.max_row == 100_000

    tracemalloc.start()  # 100,000 styled rows must not become 100,000 grid rows
    try:
        plan = read(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tasks_of(plan) == [
        ([SUB1], None, "编制并公开决策事项目录。", [("县司法局", "lead")], "6月底前", date(2023, 6, 30)),
        ([SUB1], None, "动态调整目录。", [("县政府办", "lead")], "9月底前", date(2023, 9, 30)),
        ([SUB2], None, "开展意见征集。", [("县发改局", "lead")], "三季度", date(2023, 9, 30)),
    ]
    assert plan.columns == HEADER
    # measured 3 MB; 100,000 rows of 6 cells as lists would be about 15 MB
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB: the styled rows were materialised"


# -- (e) header repeated mid-table ------------------------------------------------------


def test_header_repeated_mid_table_is_dropped(tmp_path: Path) -> None:
    rows = [HEADER, BODY_MERGED[0], BODY_MERGED[1], BODY_MERGED[2],
            HEADER,  # page 2 pasted from a PDF
            ["工作\n任务", "具体 要求", "责任单位", "完成时限"],
            BODY_MERGED[3], BODY_MERGED[4], BODY_MERGED[5]]
    path = xlsx(tmp_path / "repeated.xlsx", rows, merges=["A4:D4", "A5:A6", "A10:D10"])
    plan = read(path)
    assert tasks_of(plan) == FOUR


# -- (f) sub-sections: merged down, repeated, printed once ----------------------------


def test_subsections_merged_down(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "merged.xlsx", [HEADER] + BODY_MERGED, merges=["A4:D4", "A5:A6", "A8:D8"])
    assert tasks_of(read(path)) == FOUR


def test_subsections_repeated_on_every_row(tmp_path: Path) -> None:
    rows = [HEADER, [S1] * 4,
            [SUB1, "编制并公开决策事项目录。", "县司法局", "6月底前"],
            [SUB1, f"动态调整目录{COMMA}确保准确。", "县政府办、县司法局", "9月底前"],
            [SUB2, "开展重大决策意见征集。", "县发改局", "全年"],
            [S2] * 4,
            [SUB3, "规范政府网站集约化建设。", "县大数据中心", "长期坚持"]]
    assert tasks_of(read(xlsx(tmp_path / "repeated.xlsx", rows))) == FOUR


def test_subsections_printed_once(tmp_path: Path) -> None:
    # neither the section rows nor the sub-section cells are merged
    assert tasks_of(read(xlsx(tmp_path / "once.xlsx", [HEADER] + BODY_MERGED))) == FOUR


def test_unnumbered_subsections_merged_down(tmp_path: Path) -> None:
    rows = [HEADER, [S1, None, None, None],
            ["目录管理", "编制并公开决策事项目录。", "县司法局", "6月底前"],
            [None, "动态调整目录。", "县政府办", "9月底前"],
            ["公众参与", "开展意见征集。", "县发改局", "全年"],
            [None, "公开采纳情况。", "县发改局", "全年"]]
    path = xlsx(tmp_path / "unnumbered.xlsx", rows, merges=["A4:D4", "A5:A6", "A7:A8"])
    assert [(t.section, t.title) for t in read(path).tasks] == [
        ([S1, "目录管理"], None), ([S1, "目录管理"], None), ([S1, "公众参与"], None), ([S1, "公众参与"], None)]


# -- sections numbered in the 序号 column ---------------------------------------------


@pytest.mark.parametrize("merged", [True, False])
def test_sections_numbered_in_the_seq_column(tmp_path: Path, merged: bool) -> None:
    """序号 一 / 二 on section rows, 1 / 2 on task rows: a very common layout."""
    rows = [["序号", "工作任务", "具体要求", "责任单位", "完成时限"],
            ["一", "推进决策公开", None, None, None],
            [1, SUB1, "编制并公开决策事项目录。", "县司法局", "6月底前"],
            [2, SUB1, f"动态调整目录{COMMA}确保准确。", "县政府办、县司法局", "9月底前"],
            [3, SUB2, "开展重大决策意见征集。", "县发改局", "全年"],
            ["二", "夯实公开基础", None, None, None],
            [4, SUB3, "规范政府网站集约化建设。", "县大数据中心", "长期坚持"],
            [5, None, "其他工作。", None, None]]  # a task with only its text: still a task
    merges = ["B4:E4", "B8:E8"] if merged else []
    plan = read(xlsx(tmp_path / "seq_sections.xlsx", rows, width=5, merges=merges))
    expected = [(["推进决策公开", *path[1:]], *rest) for path, *rest in FOUR]
    expected[3] = (["夯实公开基础", SUB3], *FOUR[3][1:])
    # its empty heading cell carries the sub-section printed above it
    expected.append((["夯实公开基础", SUB3], None, "其他工作。", [], "", None))
    assert tasks_of(plan) == expected
    assert [t.extra.get("序号") for t in plan.tasks] == ["1", "2", "3", "4", "5"]


# -- (g) no sections at all -------------------------------------------------------------


def test_table_without_sections(tmp_path: Path) -> None:
    rows = [["序号", "具体要求", "责任单位", "完成时限"],
            [1, "公开政府信息公开年度报告。", "县政府办", "1月底前"],
            [2, "更新政府信息公开指南。", "县政府办\n各部门", "2023年3月31日前"],
            [3, "做好政策解读。", "各部门", "持续推进"]]
    plan = read(xlsx(tmp_path / "flat.xlsx", rows))
    assert tasks_of(plan) == [
        ([], None, "公开政府信息公开年度报告。", [("县政府办", "lead")], "1月底前", date(2023, 1, 31)),
        ([], None, "更新政府信息公开指南。", [("县政府办", "lead"), ("各部门", "cooperate")],
         "2023年3月31日前", date(2023, 3, 31)),
        ([], None, "做好政策解读。", [("各部门", "lead")], "持续推进", None),
    ]
    assert plan.review_count == 0


def test_deadlines_typed_as_excel_dates_and_numbers(tmp_path: Path) -> None:
    import datetime as dt

    rows = [["序号", "具体要求", "责任单位", "完成时限"],
            [1, "公开年度报告。", "县政府办", dt.datetime(2023, 1, 31)],
            [2, "更新公开指南。", "县政府办", dt.date(2023, 3, 31)],
            [3, "公开预决算。", "县财政局", 2023.6]]
    plan = read(xlsx(tmp_path / "dates.xlsx", rows))
    assert [(t.deadline.text, t.deadline.due_date, t.deadline.needs_review) for t in plan.tasks] == [
        ("2023-01-31", date(2023, 1, 31), False),
        ("2023-03-31", date(2023, 3, 31), False),
        ("2023.6", date(2023, 6, 30), False),
    ]


# -- (h) a 重点任务 list: each row's heading cell is its own title ---------------------


def test_key_task_list_keeps_per_row_titles(tmp_path: Path) -> None:
    rows = [["序号", "重点任务", "工作内容", "牵头单位", "完成时间"],
            [1, "政策解读", "重要政策文件同步解读。", "县政府办", "6月底前"],
            [2, "公开平台", "规范政府网站和政务新媒体。", "县大数据中心", "12月底前"],
            [3, "依申请公开", "规范依申请公开办理。", "县司法局、各镇" + L + "街道" + R, "全年"]]
    plan = read(xlsx(tmp_path / "key.xlsx", rows, width=5))
    assert tasks_of(plan) == [
        ([], "政策解读", "重要政策文件同步解读。", [("县政府办", "lead")], "6月底前", date(2023, 6, 30)),
        ([], "公开平台", "规范政府网站和政务新媒体。", [("县大数据中心", "lead")], "12月底前", date(2023, 12, 31)),
        ([], "依申请公开", "规范依申请公开办理。", [("县司法局", "lead"), ("各镇(街道)", "cooperate")],
         "全年", date(2023, 12, 31)),
    ]


# -- (i) Word: merged cells, and a table split in two ----------------------------------


def _docx_table(doc, rows):
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = value
    return table


def test_docx_with_merged_section_rows_and_subsection_cells(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("附件")
    doc.add_paragraph(TITLE)
    table = _docx_table(doc, [HEADER] + BODY_MERGED)
    table.cell(1, 0).merge(table.cell(1, 3))  # 一、 across the row
    table.cell(5, 0).merge(table.cell(5, 3))  # 二、 across the row
    table.cell(2, 0).merge(table.cell(3, 0))  # （一） down two rows
    path = tmp_path / "附件.docx"
    doc.save(path)

    plan = read(path)
    assert plan.title == TITLE and plan.year == 2023
    assert plan.columns == HEADER
    assert tasks_of(plan) == FOUR


def test_docx_table_split_in_two_at_a_page_break(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("附件")
    doc.add_paragraph(TITLE)
    first = _docx_table(doc, [HEADER] + BODY_MERGED[:2])
    first.cell(1, 0).merge(first.cell(1, 3))
    doc.add_paragraph("")
    # the second half repeats the header and is longer than the first
    second = _docx_table(doc, [HEADER, [SUB1] + BODY_MERGED[2][1:]] + BODY_MERGED[3:])
    second.cell(3, 0).merge(second.cell(3, 3))
    path = tmp_path / "split.docx"
    doc.save(path)

    plan = read(path)
    assert plan.title == TITLE and plan.year == 2023
    assert tasks_of(plan) == FOUR


def test_docx_table_split_without_a_repeated_header(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph(TITLE)
    first = _docx_table(doc, [HEADER] + BODY_MERGED[:3])
    first.cell(1, 0).merge(first.cell(1, 3))
    first.cell(2, 0).merge(first.cell(3, 0))
    doc.add_paragraph("")
    second = _docx_table(doc, BODY_MERGED[3:])
    second.cell(1, 0).merge(second.cell(1, 3))
    path = tmp_path / "split2.docx"
    doc.save(path)
    assert tasks_of(read(path)) == FOUR


# -- (j) CSV as Chinese Excel saves it ------------------------------------------------


CSV_ROWS = [
    [TITLE],
    ["序号", "工作任务", "具体要求", "责任单位", "完成时限"],
    ["", S1, "", "", ""],
    ["1", SUB1, "编制并公开决策事项目录。", "县司法局\n县政府办公室、各镇" + L + "街道" + R, "2023年6月底前"],
    ["2", SUB1, f"动态调整目录{COMMA}确保准确。", "县政府办", "12月底前"],
]
CSV_TASKS = [
    ([S1, SUB1], None, "编制并公开决策事项目录。",
     [("县司法局", "lead"), ("县政府办公室", "cooperate"), ("各镇(街道)", "cooperate")],
     "2023年6月底前", date(2023, 6, 30)),
    ([S1, SUB1], None, f"动态调整目录{COMMA}确保准确。", [("县政府办", "lead")], "12月底前", date(2023, 12, 31)),
]


def _csv_text(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize("encoding,bom", [("gbk", b""), ("gb18030", b""), ("utf-8", b"\xef\xbb\xbf"),
                                          ("utf-8", b"")])
def test_csv_in_chinese_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = _csv_text(CSV_ROWS)
    assert '"县司法局\n县政府办公室' in text  # a quoted cell over two lines
    path = tmp_path / f"任务表_{encoding}.csv"
    path.write_bytes(bom + text.encode(encoding))
    plan = read(path)
    assert plan.title == TITLE and plan.year == 2023
    assert plan.columns == ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
    assert tasks_of(plan) == CSV_TASKS


# -- (k) headers with full-width spaces and line breaks -------------------------------


def test_headers_with_full_width_spaces_and_line_breaks(tmp_path: Path) -> None:
    rows = [["工作\n任务", "具\u3000体\u3000要\u3000求", " 责任单位 ", "完成\r\n时限"],
            [SUB1, "编制并公开决策事项目录。", "县司法局", "6月底前"],
            [SUB1, "动态调整目录。", "县政府办", "9月底前"]]
    plan = read(xlsx(tmp_path / "spaces.xlsx", rows))
    assert plan.mapping == {"heading": [0], "requirement": [1], "units": [2], "deadline": [3]}
    assert tasks_of(plan) == [
        ([SUB1], None, "编制并公开决策事项目录。", [("县司法局", "lead")], "6月底前", date(2023, 6, 30)),
        ([SUB1], None, "动态调整目录。", [("县政府办", "lead")], "9月底前", date(2023, 9, 30)),
    ]


# -- (l) columns in another order -------------------------------------------------------


@pytest.mark.parametrize("merged", [True, False])
def test_columns_shuffled(tmp_path: Path, merged: bool) -> None:
    # section rows merged across from A, or printed in the heading column (E) only
    def section(label):
        return [label, None, None, None, None] if merged else [None, None, None, None, label]

    rows = [["完成时限", "责任单位", "具体要求", "序号", "工作任务"],
            section(S1),
            ["6月底前", "县司法局", "编制并公开决策事项目录。", 1, SUB1],
            ["9月底前", "县政府办、县司法局", f"动态调整目录{COMMA}确保准确。", 2, SUB1],
            ["全年", "县发改局", "开展重大决策意见征集。", 3, SUB2],
            section(S2),
            ["长期坚持", "县大数据中心", "规范政府网站集约化建设。", 4, SUB3]]
    path = xlsx(tmp_path / "shuffled.xlsx", rows, width=5, merges=["A4:E4", "A8:E8"] if merged else ())
    plan = read(path)
    assert plan.mapping == {"deadline": [0], "units": [1], "requirement": [2], "seq": [3], "heading": [4]}
    assert tasks_of(plan) == FOUR


# -- (m) the year only in the file name ------------------------------------------------


@pytest.mark.parametrize("name", ["2024年任务分解表.xlsx", "附件2_2024.xlsx"])
def test_year_only_in_the_file_name(tmp_path: Path, name: str) -> None:
    rows = [HEADER, [SUB1, "编制并公开决策事项目录。", "县司法局", "6月底前"],
            [SUB1, "开展意见征集。", "县发改局", "三季度末"]]
    plan = read(xlsx(tmp_path / name, rows, title="某县政务公开重点工作任务分解表"))
    assert plan.year == 2024
    assert plan.title == "某县政务公开重点工作任务分解表"
    assert [t.deadline.due_date for t in plan.tasks] == [date(2024, 6, 30), date(2024, 9, 30)]
    assert plan.warnings == []


def test_no_year_anywhere_is_said_and_year_option_wins(tmp_path: Path) -> None:
    rows = [HEADER, [SUB1, "编制并公开决策事项目录。", "县司法局", "6月底前"]]
    path = xlsx(tmp_path / "任务表.xlsx", rows, title="某县政务公开重点工作任务分解表")
    plan = read(path, today=date(2025, 2, 1))
    assert plan.year == 2025
    assert any(w.startswith("标题和文件名中都没有年份") and "--" not in w for w in plan.warnings)
    plan = read(path, year=2022)
    assert plan.year == 2022 and plan.warnings == []
    assert plan.tasks[0].deadline.due_date == date(2022, 6, 30)


# -- (n) choosing the sheet -------------------------------------------------------------


def test_sheet_option_picks_the_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "2022年"
    old.append(HEADER)
    old.append([SUB1, "旧任务。", "县司法局", "6月底前"])
    new = wb.create_sheet("2023年")
    new.append(HEADER)
    new.append([SUB1, "新任务一。", "县政府办", "6月底前"])
    new.append([SUB1, "新任务二。", "县政府办", "9月底前"])
    path = tmp_path / "两年.xlsx"
    wb.save(path)

    plan = read(path)  # automatic: the fuller table
    assert plan.sheet == "2023年"
    assert [t.requirement for t in plan.tasks] == ["新任务一。", "新任务二。"]

    plan = read(path, sheet="2022年")
    assert plan.sheet == "2022年" and plan.year == 2022
    assert tasks_of(plan) == [([SUB1], None, "旧任务。", [("县司法局", "lead")], "6月底前", date(2022, 6, 30))]

    assert read(path, sheet=" 2023 年").sheet == "2023年"  # stray spaces forgiven

    with pytest.raises(FileReadError) as err:
        read_plan_file(path, ReadOptions(sheet="2021年"))
    message = err.value.message
    assert "两年.xlsx" in message and "2021年" in message
    assert "2022年" in message and "2023年" in message
