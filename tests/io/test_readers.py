"""File readers: every kind of file a clerk receives becomes grids of text, or a
FileReadError in plain Chinese that names the file. Odd files are built here."""

from __future__ import annotations

import base64
import datetime as dt
import io
import random
import re
import struct
import tempfile
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.io.grid import Workbook
from zwgk_desktop.io.read_support import clean_text, finish_grid
from zwgk_desktop.io.readers import read_workbook
from zwgk_desktop.io.spreadsheet_reader import format_float

from ..conftest import SAMPLES

RENCHENG_XLSX = SAMPLES / "rencheng_2023.xlsx"
LINYI_XLSX = SAMPLES / "linyi_2023.xlsx"
RENCHENG_DOCX = SAMPLES / "rencheng_2023.docx"


def read_error(path: Path) -> FileReadError:
    with pytest.raises(FileReadError) as info:
        read_workbook(path)
    err = info.value
    assert path.name in str(err), "the message must name the file"
    assert err.problem and err.advice
    return err


def save_xlsx(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


# ---------------------------------------------------------------------------
# The real samples


def test_rencheng_xlsx_merges_filled() -> None:
    book = read_workbook(RENCHENG_XLSX)
    assert book.source_name == "rencheng_2023.xlsx"
    assert book.kind == "spreadsheet"
    [grid] = book.grids
    assert grid.name == "Sheet1" and not grid.hidden and grid.hidden_columns == frozenset()
    assert grid.width == 4 and grid.height == 66
    assert grid.rows[0] == ["附件", "", "", ""]
    # the title is merged across: every cell reads it
    assert grid.rows[1] == ["2023年济宁市任城区政务公开重点工作任务分解表"] * 4
    assert grid.rows[2] == ["工作任务", "责任单位", "具体要求", "完成时限"]
    # section row merged across the table
    assert grid.rows[3] == ["一、推进绿色低碳高质量发展信息公开"] * 4
    assert (3, 0, 3, 3) in grid.merged
    # sub-section merged down: repeated on each of its rows
    assert (4, 0, 8, 0) in grid.merged
    assert {grid.rows[r][0] for r in range(4, 9)} == {"(一)围绕稳经济、促活力强化公开"}
    assert grid.rows[6][1] == "区国金局\n区发改局\n区工信局"
    assert all(len(row) == 4 for row in grid.rows)
    assert all(isinstance(cell, str) for row in grid.rows for cell in row)


def test_linyi_xlsx_merges_filled() -> None:
    [grid] = read_workbook(LINYI_XLSX).grids
    assert grid.rows[2] == ["要点任务", "工作要求", "责任单位", "完成时限"]
    assert grid.rows[3] == ["一、聚焦绿色低碳高质量发展深化公开"] * 4
    assert {grid.rows[r][0] for r in range(4, 9)} == {"(一)加强高质量发展信息公开。"}
    assert grid.rows[4][2].startswith("各县区政府(管委会)\n")
    assert grid.rows[4][3] == "全年"
    assert all(r0 <= r1 < grid.height and c0 <= c1 < grid.width for r0, c0, r1, c1 in grid.merged)


def test_rencheng_docx_table_preamble_and_merges() -> None:
    book = read_workbook(RENCHENG_DOCX)
    assert book.kind == "document"
    [grid] = book.grids
    assert grid.name == "表格1"
    assert grid.preamble == ["附件", "2023年济宁市任城区政务公开重点工作任务分解表"]
    assert grid.rows[0] == ["工作任务", "责任单位", "具体要求", "完成时限"]
    assert grid.rows[1] == ["一、推进绿色低碳高质量发展信息公开"] * 4
    assert (1, 0, 1, 3) in grid.merged and (2, 0, 6, 0) in grid.merged
    assert {grid.rows[r][0] for r in range(2, 7)} == {"(一)围绕稳经济、促活力强化公开"}
    # same filled view as python-docx's row.cells
    table = docx.Document(str(RENCHENG_DOCX)).tables[0]
    assert grid.rows == [[clean_text(c.text) for c in row.cells] for row in table.rows]


def test_docx_and_xlsx_samples_agree_on_the_table() -> None:
    xlsx = read_workbook(RENCHENG_XLSX).grids[0].rows[2:]
    word = read_workbook(RENCHENG_DOCX).grids[0].rows

    def squash(rows: list[list[str]]) -> list[list[str]]:
        return [["".join(c.split()) for c in row] for row in rows]

    assert squash(xlsx)[:10] == squash(word)[:10]


# ---------------------------------------------------------------------------
# Spreadsheet details


def test_hidden_columns_and_hidden_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务"
    ws.append(["序号", "备注", "工作任务", "责任单位", "内部", "完成时限"])
    ws.append([1, "x", "任务一", "区发改局", "y", "12月底前"])
    ws.column_dimensions["B"].hidden = True
    ws.column_dimensions.group("E", "E", hidden=True)
    secret = wb.create_sheet("说明")
    secret["A1"] = "隐藏的说明"
    secret.sheet_state = "hidden"
    wb.create_sheet("空表")
    book = read_workbook(save_xlsx(wb, tmp_path / "hidden.xlsx"))
    assert [g.name for g in book.grids] == ["任务", "说明", "空表"]
    main, hidden, empty = book.grids
    assert main.hidden_columns == frozenset({1, 4})
    assert not main.hidden and hidden.hidden
    assert hidden.rows == [["隐藏的说明"]]
    assert empty.rows == [] and empty.width == 0


def test_hidden_columns_ranges_clipped_to_grid(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b", "c"])
    ws.column_dimensions.group("C", "XFD", hidden=True)  # "hide all the rest"
    [grid] = read_workbook(save_xlsx(wb, tmp_path / "rest.xlsx")).grids
    assert grid.hidden_columns == frozenset({2})


def test_values_converted_to_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([2023, 2023.0, 0.5, 0.1 + 0.2, -0.0, True, False])
    ws.append([dt.datetime(2023, 12, 31), dt.date(2023, 6, 30), dt.datetime(2023, 5, 1, 13, 45), dt.time(9, 30)])
    ws.append(["  两端空格  ", "行一\r\n行二\r行三", "内部  空格", "\u3000全角空格\u3000", "\n"])
    book = read_workbook(save_xlsx(wb, tmp_path / "values.xlsx"))
    rows = book.grids[0].rows
    assert rows[0] == ["2023", "2023", "0.5", "0.3", "0", "是", "否"]
    assert rows[1][:4] == ["2023-12-31", "2023-06-30", "2023-05-01 13:45", "09:30"]
    assert rows[2][:4] == ["两端空格", "行一\n行二\n行三", "内部  空格", "全角空格"]
    assert rows[2][4] == ""


def test_format_float() -> None:
    assert format_float(2023.0) == "2023"
    assert format_float(12.75) == "12.75"
    assert format_float(0.1 + 0.2) == "0.3"
    assert format_float(1e-05) == "1e-05"
    assert format_float(1e20) == "1e+20"
    assert format_float(float("nan")) == ""


def test_sheet_not_starting_at_a1_keeps_sheet_coordinates(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["D3"] = "标题"
    ws.merge_cells("D3:E4")
    ws["E6"] = 7
    [grid] = read_workbook(save_xlsx(wb, tmp_path / "offset.xlsx")).grids
    assert grid.height == 6 and grid.width == 5
    assert grid.rows[2] == ["", "", "", "标题", "标题"]
    assert grid.rows[3] == ["", "", "", "标题", "标题"]
    assert grid.rows[5] == ["", "", "", "", "7"]
    assert grid.merged == [(2, 3, 3, 4)]


def test_merged_range_clipped_to_trimmed_grid(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "标题跨到第 H 列"
    ws.merge_cells("A1:H1")
    ws["A2"] = "任务"
    ws["B2"] = "单位"
    ws["A3"] = "纵向"
    ws.merge_cells("A3:A9")
    ws["B3"] = "x"
    [grid] = read_workbook(save_xlsx(wb, tmp_path / "clip.xlsx")).grids
    # the title merge reaches column H but the table is two columns wide; the vertical
    # merge reaches row 9 but nothing is below row 3
    assert grid.height == 3 and grid.width == 2
    assert grid.rows[0] == ["标题跨到第 H 列"] * 2
    assert grid.merged == [(0, 0, 0, 1)]  # A3:A9 clipped to one cell: no longer a merge


def test_formatting_only_cells_far_below_cost_nothing(tmp_path: Path) -> None:
    """Measured: calamine leaves cells that carry only a style out of the range."""
    from openpyxl.styles import Font, PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in range(1, 6):
        ws.append([f"任务{row}", "单位"])
    ws.cell(row=200_000, column=2).fill = PatternFill("solid", fgColor="FFFF00")
    ws.cell(row=200_000, column=9).font = Font(bold=True)
    ws.row_dimensions[1_000_000].height = 30
    path = save_xlsx(wb, tmp_path / "styled.xlsx")
    with zipfile.ZipFile(path) as zf:
        assert b'r="B200000"' in zf.read("xl/worksheets/sheet1.xml")  # the styled cell is there
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    assert sheet.end == (4, 1)  # ...but calamine's range stops at the last value
    tracemalloc.start()  # the cost is memory: a 200,000-row grid would be tens of MB
    try:
        [grid] = read_workbook(path).grids
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert grid.height == 5 and grid.width == 2
    # measured 0.5 MB; 200,000 rows of 9 cells as lists would be about 25 MB
    assert peak < 5 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB: styled empty rows were materialised"


def test_blank_value_a_million_rows_down_is_streamed(tmp_path: Path) -> None:
    """A real value (here a space) at row 1,000,000 stretches calamine's range; the
    reader must not build a million-row list for it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in range(100):
        ws.append([f"任务{row}", "区发改局", "12月底前"])
    ws.cell(row=1_000_000, column=2).value = " "
    path = save_xlsx(wb, tmp_path / "far.xlsx")
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    assert sheet.end == (999_999, 2)
    tracemalloc.start()
    try:
        [grid] = read_workbook(path).grids
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert grid.height == 100 and grid.width == 3
    assert peak < 30 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB: a million rows were materialised"


def rewrite_sheet_xml(path: Path, edit) -> Path:
    out = path.with_name("edited_" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = edit(data)
            dst.writestr(name, data)
    return out


@pytest.mark.parametrize("keep_dimension", [True, False])
def test_stray_value_in_the_far_corner_is_refused_not_fatal(tmp_path: Path, keep_dimension: bool) -> None:
    """calamine would allocate A1:XFD1048576 densely (550 GB) and abort the process."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "任务"
    ws["XFD1048576"] = "误输入"
    path = save_xlsx(wb, tmp_path / "远角.xlsx")
    if not keep_dimension:
        path = rewrite_sheet_xml(path, lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))
        with zipfile.ZipFile(path) as zf:
            assert b"<dimension" not in zf.read("xl/worksheets/sheet1.xml")
    err = read_error(path)
    assert "范围过大" in err.problem and "删除" in err.advice


def test_sheet_without_dimension_is_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工作任务", "责任单位"])
    ws["AB3"] = "远一点"
    path = rewrite_sheet_xml(save_xlsx(wb, tmp_path / "nodim.xlsx"), lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))
    [grid] = read_workbook(path).grids
    assert grid.height == 3 and grid.width == 28 and grid.rows[2][27] == "远一点"


def test_formatting_stretched_dimension_is_not_refused(tmp_path: Path) -> None:
    """<dimension> beyond the limit is checked against the values before refusing."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工作任务", "责任单位"])
    path = rewrite_sheet_xml(
        save_xlsx(wb, tmp_path / "wide.xlsx"),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)
        .replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'),
    )
    [grid] = read_workbook(path).grids
    assert grid.rows == [["工作任务", "责任单位"]]


def test_huge_html_span_grid_is_refused(tmp_path: Path) -> None:
    row = "<tr>" + '<td colspan="1000">x</td>' * 17 + "</tr>"
    path = tmp_path / "spans.xls"
    path.write_text("<table>" + row * 2000 + "</table>", encoding="utf-8")
    assert "范围过大" in read_error(path).problem


def test_ragged_csv_blowup_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("," * 16000 + "x\n" + "y\n" * 2000, encoding="utf-8")
    assert "范围过大" in read_error(path).problem


@pytest.mark.slow
def test_twenty_thousand_rows_read_about_as_fast_as_calamine(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("任务")
    for i in range(20_000):
        ws.append([i + 1, f"(一)任务{i}", "区发改局\n区工信局", "加强改善生态环境质量信息公开,及时发布解读。" * 2,
                   "12月底前", dt.date(2023, 12, 31)])
    path = tmp_path / "big.xlsx"
    wb.save(path)

    def best(fn) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    bare = best(lambda: python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())
    ours = best(lambda: read_workbook(path))
    grid = read_workbook(path).grids[0]
    assert grid.height == 20_000 and grid.rows[0][0] == "1" and grid.rows[0][5] == "2023-12-31"
    assert ours < bare * 2 + 0.1, f"reader {ours:.3f}s vs calamine {bare:.3f}s"


# ---------------------------------------------------------------------------
# A real .xls (BIFF8). LibreOffice is not installed here, so this one was written
# once with xlwt 1.3 and is embedded (zlib + base64):
#   sheet 任务表: A1:D1 merged title; header; A3:A4 merged "(一)围绕稳经济";
#   C3 "第一行\n第二行"; D3 2023; C4 1.5; D4 2023-12-31 (date format); A5 True
#   sheet 隐藏: hidden, A1 "secret"
REAL_XLS = """
eNrtWFtIlEEU/ub/d91VvKymgQYmRqamUPpSga4J6UuuuosVuWVeFgyvbEKoYJotKCgYgWCEsGAPvVi9dKGSopce
iu1CBEGgiU89BRaBl+3M2f/3loFCScb//cyZmTNzzsycc+ay+zoQO+m/mzSFNciHisVgOMJW8ASlcL1iA7UHg7Ko
51ZKQQPbCuFWcmSYGY+iXlqkD6W/p6DgjukZUeAzJTda4Whp9qRsIQp5DtVCziFPmCj2FNygFI1Enlcc01qmO5je
5r6PmRYwZ5BpHvWdFKcRsDsyD2lxfEpJ5bZoogL3WeYjcw4iAS9kHF8aEqG+Zhz1nq9u3GYNyaZIjIFcWuxp9nhl
PQY3EQG0E7KbmrLr6iYRT+4ew7dgCjCr7+unKQZ/a/kCxP+xmm/5Dd9KTlzLv6aYgG4EzwkZzD4K6hGTbFHFnMPv
rO/zIRKxFhkbihgaDvjmMSoDgVMcRA4OIAe5aDtr9/idjeWoenX1YevMGXepFA9zTvfX99H+0xlU3DM456hwlZRS
8WK5q7Snv7CRigOVtprvnrJhK0Q64MjA7In3XbkdgS5HE7Uecb1xHfYUuC0QWZ1wHO+LQFbnAOXcVlThdxa46ey5
4Kn1etrkzEIHk23VwRTF2zWSaB1iuBzLm9ZGdpm/9fVtSU2ZvYo53XwZha6svdI+CKJHSpBwNLeYmcqWTJbYz/Qy
a93F5SSm8dST8rSyBK1Q1Mt9rnBrGo2Ty3hn37einE5l35fyB8m+aXsGlceLpzrixz/Y/UilK7SO5OXXiyyRJa6P
SDy067nQDrdPTBN/Oeisik2be1C7l2OwwN4E2UNigmwEto78VJYQ60gIlpA0VNPtGaopLKvXVKqZtNGVdXQprMus
9Q/5JmypJnVJN3YpsiZ1je4O6VLX6Joga6naSqSsypqkN5+QXVTWVKnIyB1/rmhrM/Fql3WYFSvz5Npm2JoK69Sh
Il+Jwz05ZboqlrEVcSeW6HaNO7Fu3MmHIVsV61nVgAEDBgwYMPAPQT5EFH4ShR7DZu3JY9H+11mgtGj8TfLfwokW
+troJ+UxNFPuRfum4mcnzELXJTYoo/9fKHGSRveiATU8j4ZNxy89WcXK9WxY0PbnttBmx1/czDz/8vg/AWlGN/8=
"""


def real_xls_bytes() -> bytes:
    return zlib.decompress(base64.b64decode("".join(REAL_XLS.split())))


def test_real_xls(tmp_path: Path) -> None:
    path = tmp_path / "任务.xls"
    path.write_bytes(real_xls_bytes())
    book = read_workbook(path)
    assert book.kind == "spreadsheet"
    main, hidden = book.grids
    assert main.name == "任务表" and not main.hidden
    assert main.rows == [
        ["2023年政务公开重点工作任务分解表"] * 4,
        ["工作任务", "责任单位", "具体要求", "完成时限"],
        ["(一)围绕稳经济", "区发改局", "第一行\n第二行", "2023"],
        ["(一)围绕稳经济", "区商务局", "1.5", "2023-12-31"],
        ["是", "", "", ""],
    ]
    assert main.merged == [(0, 0, 0, 3), (2, 0, 3, 0)]
    assert hidden.hidden and hidden.rows == [["secret"]]


def test_xls_content_under_xlsx_name_is_read_by_content(tmp_path: Path) -> None:
    path = tmp_path / "其实是xls.xlsx"
    path.write_bytes(real_xls_bytes())
    assert read_workbook(path).grids[0].rows[1][0] == "工作任务"


def test_xlsx_content_under_xls_name_is_read_by_content(tmp_path: Path) -> None:
    path = tmp_path / "renamed.xls"
    path.write_bytes(RENCHENG_XLSX.read_bytes())
    assert read_workbook(path).grids[0].rows[2][0] == "工作任务"


# No white space between table elements: calamine's ODS parser rejects it (and
# LibreOffice never writes it).
ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="任务">'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>标题</text:p></table:table-cell>'
    "</table:table-row>"
    '<table:table-row><table:table-cell office:value-type="float" office:value="2023"><text:p>2023</text:p>'
    '</table:table-cell><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
)


def test_ods_read_by_calamine(tmp_path: Path) -> None:
    path = tmp_path / "任务.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", ODS_CONTENT)
        zf.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'))
    [grid] = read_workbook(path).grids
    assert grid.name == "任务" and grid.rows == [["标题", ""], ["2023", "x"]]


# ---------------------------------------------------------------------------
# Word details


def build_docx(path: Path) -> Path:
    doc = docx.Document()
    doc.add_paragraph("附件")
    doc.add_paragraph("   ")
    doc.add_paragraph("测试任务分解表")
    table = doc.add_table(rows=4, cols=3)
    for col, text in enumerate(["工作任务", "具体要求", "完成时限"]):
        table.cell(0, col).text = text
    down = table.cell(1, 0).merge(table.cell(3, 0))
    down.text = "(一)纵向合并"
    across = table.cell(1, 1).merge(table.cell(1, 2))
    across.text = "横向合并"
    units = table.cell(2, 1)
    units.text = "区发改局"
    units.add_paragraph("区工信局")
    outer = table.cell(3, 1)
    outer.text = "外层文字"
    outer.add_table(rows=1, cols=1).cell(0, 0).text = "内嵌表格"
    table.cell(3, 2).text = "  12月底前  "
    doc.add_paragraph("第二张表之前")
    second = doc.add_table(rows=1, cols=2)
    second.cell(0, 0).text = "x"
    doc.add_table(rows=2, cols=2)  # an empty table
    doc.save(path)
    return path


def test_docx_merges_nested_tables_and_preamble(tmp_path: Path) -> None:
    book = read_workbook(build_docx(tmp_path / "附件.docx"))
    first, second, empty = book.grids
    assert [g.name for g in book.grids] == ["表格1", "表格2", "表格3"]
    assert first.preamble == ["附件", "测试任务分解表"]
    assert first.rows == [
        ["工作任务", "具体要求", "完成时限"],
        ["(一)纵向合并", "横向合并", "横向合并"],
        ["(一)纵向合并", "区发改局\n区工信局", ""],
        ["(一)纵向合并", "外层文字", "12月底前"],
    ]
    assert first.merged == [(1, 0, 3, 0), (1, 1, 1, 2)]
    assert second.preamble == ["第二张表之前"] and second.rows == [["x"]]
    assert empty.rows == [] and empty.preamble == []


def test_docx_without_table(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("只有文字,没有表格")
    path = tmp_path / "通知.docx"
    doc.save(path)
    assert "没有表格" in read_error(path).problem


def test_docx_with_only_empty_tables(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_table(rows=2, cols=2)
    path = tmp_path / "空表.docx"
    doc.save(path)
    assert "没有任何内容" in read_error(path).problem


# ---------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("gbk.csv", "工作任务,责任单位,完成时限\n任务一,区发改局,12月底前\n".encode("gbk")),
        ("bom.csv", "\ufeff工作任务,责任单位,完成时限\r\n任务一,区发改局,12月底前\r\n".encode()),
        ("plain.csv", "工作任务,责任单位,完成时限\n任务一,区发改局,12月底前\n".encode()),
        ("tab.txt", "工作任务\t责任单位\t完成时限\n任务一\t区发改局\t12月底前\n".encode("gb18030")),
        ("utf16.csv", "工作任务\t责任单位\t完成时限\r\n任务一\t区发改局\t12月底前\r\n".encode("utf-16")),
        ("semi.csv", "工作任务;责任单位;完成时限\n任务一;区发改局;12月底前\n".encode()),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    book = read_workbook(path)
    assert book.kind == "text"
    [grid] = book.grids
    assert grid.name == Path(name).stem
    assert grid.rows == [["工作任务", "责任单位", "完成时限"], ["任务一", "区发改局", "12月底前"]]


def test_csv_multiline_cells_and_ragged_rows(tmp_path: Path) -> None:
    text = (
        '工作任务,责任单位,具体要求,完成时限\r\n'
        '"(一)任务","区发改局\r\n区工信局","要求,带逗号",12月底前\r\n'
        '只有一格\r\n'
        '\r\n'
        '"  前后空格  ",b\x00c\r\n'
        ',,,\r\n'
    )
    path = tmp_path / "multi.csv"
    path.write_bytes(text.encode("gbk"))
    [grid] = read_workbook(path).grids
    assert grid.rows == [
        ["工作任务", "责任单位", "具体要求", "完成时限"],
        ["(一)任务", "区发改局\n区工信局", "要求,带逗号", "12月底前"],
        ["只有一格", "", "", ""],
        ["", "", "", ""],
        ["前后空格", "bc", "", ""],
    ]


def test_csv_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "导出.xls"
    path.write_bytes("工作任务\t责任单位\n任务一\t区发改局\n".encode("gbk"))
    assert read_workbook(path).grids[0].rows[1] == ["任务一", "区发改局"]


def test_csv_with_unmatched_quote(tmp_path: Path) -> None:
    small = tmp_path / "quote.csv"
    small.write_bytes('a,b\n"unclosed,rest\nmore\n'.encode())
    assert read_workbook(small).grids[0].rows == [["a", "b"], ["unclosed,rest\nmore", ""]]
    # swallowing the rest of a big file passes the csv module's field limit: the
    # reader retries without quoting rather than failing
    big = tmp_path / "quote_big.csv"
    big.write_bytes(('a,b\n"unclosed\n' + "x,y\n" * 40_000).encode())
    rows = read_workbook(big).grids[0].rows
    assert rows[1] == ['"unclosed', ""] and rows[2] == ["x", "y"] and len(rows) == 40_002
    # one giant field even without quotes: a plain error, nothing else
    giant = tmp_path / "giant.csv"
    giant.write_bytes(("a,b\n" + "x" * 200_000 + "\n").encode())
    assert "CSV" in read_error(giant).problem


# ---------------------------------------------------------------------------
# HTML and XML spreadsheet files named .xls


HTML_XLS = """<html xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<style>td {{ mso-number-format:"\\@"; }}</style><title>导出</title></head>
<body>
<p>附件</p>
<h3>2023年某县政务公开重点工作任务分解表</h3>
<table border="1">
 <tr><th>工作任务</th><th>责任单位</th><th>完成时限</th></tr>
 <tr><td colspan="3">一、第一部分&nbsp;</td></tr>
 <tr><td rowspan="2">(一)小节
     标题</td><td>县发改局<br style="mso-data-placement:same-cell">县工信局</td><td>12月底前</td></tr>
 <tr><td>县商务局 &amp; 县统计局</td><td>全年</td></tr>
 <tr><td>{outer}<table><tr><td>内嵌</td></tr></table></td><td></td><td>长期坚持</td></tr>
</table>
<p>制表:办公室</p>
</body></html>
"""


def test_html_table_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "系统导出.xls"
    path.write_bytes(HTML_XLS.format(outer="外层").encode("gb2312"))
    book = read_workbook(path)
    assert book.kind == "document"
    main, nested = book.grids
    assert main.name == "表格1" and nested.name == "表格2"
    assert main.preamble == ["附件", "2023年某县政务公开重点工作任务分解表"]
    assert main.rows == [
        ["工作任务", "责任单位", "完成时限"],
        ["一、第一部分", "一、第一部分", "一、第一部分"],
        ["(一)小节 标题", "县发改局\n县工信局", "12月底前"],
        ["(一)小节 标题", "县商务局 & 县统计局", "全年"],
        ["外层", "", "长期坚持"],
    ]
    assert main.merged == [(1, 0, 1, 2), (2, 0, 3, 0)]
    assert nested.rows == [["内嵌"]]


def test_html_rowspan_beyond_table_is_clipped(tmp_path: Path) -> None:
    html = "<table><tr><td rowspan=99999 colspan=2>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
    path = tmp_path / "span.xls"
    path.write_text(html, encoding="utf-8")
    [grid] = read_workbook(path).grids
    assert grid.rows == [["a", "a", "b"], ["a", "a", "c"]]
    assert grid.merged == [(0, 0, 1, 1)]


SPREADSHEET_ML = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:x="urn:schemas-microsoft-com:office:excel">
 <Worksheet ss:Name="任务">
  <Table>
   <Column ss:Index="2" ss:Hidden="1"/>
   <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">标题</Data></Cell></Row>
   <Row><Cell ss:MergeDown="1"><Data ss:Type="String">(一)小节</Data></Cell>
        <Cell><Data ss:Type="Number">2023</Data></Cell>
        <Cell><Data ss:Type="DateTime">2023-12-31T00:00:00.000</Data></Cell></Row>
   <Row><Cell ss:Index="3"><Data ss:Type="Boolean">1</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="隐藏">
  <Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
</Workbook>
"""


def test_xml_spreadsheet_2003_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "xml2003.xls"
    path.write_text(SPREADSHEET_ML, encoding="utf-8")
    main, hidden = read_workbook(path).grids
    assert main.rows == [["标题", "标题", "标题"], ["(一)小节", "2023", "2023-12-31"], ["(一)小节", "", "是"]]
    assert main.merged == [(0, 0, 0, 2), (1, 0, 2, 0)]
    assert main.hidden_columns == frozenset({1})
    assert hidden.hidden


# ---------------------------------------------------------------------------
# Files that cannot be read


def make_cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (v3, 512-byte sectors). Streams are padded to
    4096 bytes so none lives in the mini stream."""
    endchain, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = {0: fatsect, 1: endchain}
    body, entries, sector = [], [], 2
    for name, data in streams.items():
        data = data.ljust(4096, b"\0")
        count = (len(data) + 511) // 512
        for i in range(count):
            fat[sector + i] = sector + i + 1 if i < count - 1 else endchain
        body.append(data.ljust(count * 512, b"\0"))
        entries.append((name, sector, len(data)))
        sector += count
    assert sector <= 128 and len(entries) <= 3

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", nostream, right, child) + b"\0" * 36 + struct.pack("<IQ", start, size))

    order = sorted(range(len(entries)), key=lambda i: (len(entries[i][0]), entries[i][0].upper()))
    right = {order[k]: order[k + 1] + 1 if k + 1 < len(order) else nostream for k in range(len(order))}
    directory = [entry("Root Entry", 5, order[0] + 1 if order else nostream, nostream, endchain, 0)]
    directory += [entry(name, 2, nostream, right[i], start, size) for i, (name, start, size) in enumerate(entries)]
    while len(directory) < 4:
        directory.append(entry("", 0, nostream, nostream, 0, 0))
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, endchain, 0, endchain, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat_sector = b"".join(struct.pack("<I", fat.get(i, free)) for i in range(128))
    return header + fat_sector + b"".join(directory) + b"".join(body)


def encrypted_ooxml() -> bytes:
    return make_cfb({
        "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"<encryption/>",
        "EncryptedPackage": struct.pack("<Q", 5000) + random.Random(7).randbytes(5000),
    })


def test_make_cfb_is_a_compound_file_calamine_understands(tmp_path: Path) -> None:
    # the helper itself: calamine recognises the package as password protected
    path = tmp_path / "enc.xlsx"
    path.write_bytes(encrypted_ooxml())
    with pytest.raises(python_calamine.PasswordError):
        python_calamine.CalamineWorkbook.from_path(str(path))


@pytest.mark.parametrize("name", ["加密.xlsx", "加密.xls", "加密"])
def test_encrypted_workbook(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(encrypted_ooxml())
    err = read_error(path)
    assert err.problem == "文件已加密(设有打开密码)"
    assert err.advice == "请在 Excel/WPS 中取消密码后另存为 .xlsx 再导入"


def test_encrypted_word_document(tmp_path: Path) -> None:
    path = tmp_path / "加密.docx"
    path.write_bytes(encrypted_ooxml())
    err = read_error(path)
    assert "加密" in err.problem and ".docx" in err.advice


@pytest.mark.parametrize("name", ["通知.doc", "通知.wps"])
def test_old_word_document(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(make_cfb({"WordDocument": b"\xec\xa5" + b"\0" * 600, "1Table": b"\0" * 100}))
    err = read_error(path)
    assert ".doc" in err.problem and "另存为 .docx" in err.advice


def test_doc_named_file_that_is_not_a_document(tmp_path: Path) -> None:
    path = tmp_path / "附件.doc"
    path.write_bytes(random.Random(3).randbytes(3000))
    assert "损坏" in read_error(path).problem


def test_ole_file_that_is_neither(tmp_path: Path) -> None:
    path = tmp_path / "odd.xls"
    path.write_bytes(make_cfb({"Something": b"x" * 10}))
    assert "损坏" in read_error(path).problem


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    err = read_error(path)
    assert "0 字节" in err.problem


def test_whitespace_only_csv(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(" \n\n , \n", encoding="utf-8")
    assert "没有任何内容" in read_error(path).problem


def test_random_bytes(tmp_path: Path) -> None:
    data = random.Random(1).randbytes(4096)
    named_xlsx = tmp_path / "乱码.xlsx"
    named_xlsx.write_bytes(data)
    assert "损坏" in read_error(named_xlsx).problem
    unknown = tmp_path / "乱码.bin"
    unknown.write_bytes(data)
    err = read_error(unknown)
    assert ".xlsx .xlsm .xls .csv .docx" in err.problem


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = RENCHENG_XLSX.read_bytes()
    path = tmp_path / "下载一半.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "损坏" in read_error(path).problem


def test_truncated_docx(tmp_path: Path) -> None:
    data = RENCHENG_DOCX.read_bytes()
    path = tmp_path / "下载一半.docx"
    path.write_bytes(data[: len(data) // 2])
    err = read_error(path)
    assert "损坏" in err.problem and "Word" in err.advice


def test_zip_that_is_not_a_spreadsheet(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "hello")
        zf.writestr("photos/1.jpg", b"\xff\xd8\xff")
    named_xlsx = tmp_path / "假的.xlsx"
    named_xlsx.write_bytes(buffer.getvalue())
    assert "损坏" in read_error(named_xlsx).problem
    archive = tmp_path / "材料.zip"
    archive.write_bytes(buffer.getvalue())
    err = read_error(archive)
    assert "压缩包" in err.problem and "解压" in err.advice


def xlsx_with_shared_strings(tmp_path: Path, shared_strings: str) -> Path:
    """An openpyxl workbook rewritten to use xl/sharedStrings.xml for A1."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    path = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="A1" t="inlineStr"><is><t>hello</t></is></c>', b'<c r="A1" t="s"><v>0</v></c>')
                assert b't="s"' in data
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            dst.writestr(name, data)
        dst.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def test_xlsx_with_shared_strings_control(tmp_path: Path) -> None:
    sst = ('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="1" uniqueCount="1"><si><t>共享字符串</t></si></sst>')
    assert read_workbook(xlsx_with_shared_strings(tmp_path, sst)).grids[0].rows == [["共享字符串"]]


def test_xml_bomb_in_shared_strings(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            "<si><t>&lol9;</t></si></sst>")
    path = xlsx_with_shared_strings(tmp_path, bomb)
    start = time.perf_counter()
    err = read_error(path)
    assert "不安全" in err.problem
    assert time.perf_counter() - start < 2


def test_zip_member_claiming_gigabytes(tmp_path: Path) -> None:
    data = bytearray(RENCHENG_XLSX.read_bytes())
    # patch the uncompressed size of the first central-directory entry to 3 GB
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 3_000_000_000)
    path = tmp_path / "巨大.xlsx"
    path.write_bytes(bytes(data))
    assert "不安全" in read_error(path).problem


def test_missing_file(tmp_path: Path) -> None:
    err = read_error(tmp_path / "不存在的表.xlsx")
    assert "不存在" in err.problem


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "文件夹.xlsx"
    folder.mkdir()
    assert "文件夹" in read_error(folder).problem


def _raise_on_open(winerror: int | None):
    def fake_open(self: Path, *args, **kwargs):
        exc = PermissionError(13, "Permission denied", str(self))
        if winerror is not None:
            exc.winerror = winerror  # what Windows sets while Excel holds the file
        raise exc

    return fake_open


def test_file_locked_by_excel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "打开着.xlsx"
    path.write_bytes(RENCHENG_XLSX.read_bytes())
    monkeypatch.setattr(Path, "open", _raise_on_open(32))
    err = read_error(path)
    assert "占用" in err.problem
    assert "请先在 Excel/WPS 中关闭该文件" in err.advice


def test_no_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "无权限.xlsx"
    path.write_bytes(RENCHENG_XLSX.read_bytes())
    monkeypatch.setattr(Path, "open", _raise_on_open(None))
    err = read_error(path)
    assert "权限" in err.problem and "关闭" in err.advice


def test_office_owner_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "~$任务表.xlsx"
    path.write_bytes(b"\x0bzhangsan" + b"\0" * 150)
    assert "~$" in read_error(path).problem


@pytest.mark.parametrize(
    ("name", "data", "word"),
    [
        ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "图片"),
        ("old.doc", b"{\\rtf1\\ansi hello}", "RTF"),
    ],
)
def test_other_formats_named(tmp_path: Path, name: str, data: bytes, word: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert word in read_error(path).problem


def test_unsupported_text_type(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# 标题\n正文", encoding="utf-8")
    assert "支持的类型" in read_error(path).problem


def test_finish_grid_trims_pads_and_clips() -> None:
    grid = finish_grid("g", [["a", "", ""], ["b"], ["", "", ""], []], merged=[(0, 0, 5, 5), (1, 0, 1, 0), (9, 9, 9, 9)])
    assert grid.rows == [["a"], ["a"]]
    assert grid.merged == [(0, 0, 1, 0)]


# ---------------------------------------------------------------------------
# Property: any bytes give a Workbook or a FileReadError, never anything else

EXTENSIONS = [".xlsx", ".xls", ".xlsm", ".csv", ".docx", ".doc", ".txt", ".bin", ""]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_any(data: bytes, ext: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{ext}"
        path.write_bytes(data)
        try:
            book = read_workbook(path)
        except FileReadError as err:
            assert path.name in str(err)
            return
        assert isinstance(book, Workbook)
        for grid in book.grids:
            assert all(len(row) == grid.width for row in grid.rows)
            assert all(type(cell) is str for row in grid.rows for cell in row)
            assert all(0 <= r0 <= r1 < grid.height and 0 <= c0 <= c1 < grid.width for r0, c0, r1, c1 in grid.merged)


@FUZZ
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1"), b"<html><table><tr><td>",
                            b"\xef\xbb\xbf", b"\xff\xfe", b"<?xml version='1.0'?><Workbook xmlns="
                            b"'urn:schemas-microsoft-com:office:spreadsheet'>"]),
    body=st.binary(max_size=1500),
    ext=st.sampled_from(EXTENSIONS),
)
def test_arbitrary_bytes(prefix: bytes, body: bytes, ext: str) -> None:
    check_any(prefix + body, ext)


@FUZZ
@given(text=st.text(max_size=400), ext=st.sampled_from([".csv", ".xls", ".txt"]),
       encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_arbitrary_text(text: str, ext: str, encoding: str) -> None:
    check_any(text.encode(encoding, "replace"), ext)


SAMPLE_FILES = [RENCHENG_XLSX, RENCHENG_DOCX]


@FUZZ
@given(which=st.sampled_from(SAMPLE_FILES), data=st.data())
def test_truncated_samples(which: Path, data: st.DataObject) -> None:
    raw = which.read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    check_any(raw[:cut], which.suffix)


@FUZZ
@given(which=st.sampled_from(SAMPLE_FILES), data=st.data())
def test_bit_flipped_samples(which: Path, data: st.DataObject) -> None:
    raw = bytearray(which.read_bytes())
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(1, 255)), min_size=1, max_size=8))
    for position, mask in flips:
        raw[position] ^= mask
    check_any(bytes(raw), which.suffix)


@FUZZ
@given(which=st.sampled_from(SAMPLE_FILES), data=st.data())
def test_damaged_xml_inside_valid_zip(which: Path, data: st.DataObject) -> None:
    """Bit flips in compressed data mostly break the zip; this damages the XML itself
    so calamine's and python-docx's parsers see garbage."""
    with zipfile.ZipFile(which) as src:
        names = [n for n in src.namelist() if n.endswith((".xml", ".rels"))]
        target = data.draw(st.sampled_from(names))
        members = {n: src.read(n) for n in src.namelist()}
    content = bytearray(members[target])
    mode = data.draw(st.sampled_from(["flip", "cut", "insert"]))
    position = data.draw(st.integers(0, max(len(content) - 1, 0)))
    if mode == "flip" and content:
        content[position] ^= data.draw(st.integers(1, 255))
    elif mode == "cut":
        del content[position:]
    else:
        content[position:position] = data.draw(st.sampled_from([b"<", b"&", b"\x00", b"<!DOCTYPE x>", b"]]>", b"\xff"]))
    members[target] = bytes(content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, member in members.items():
            dst.writestr(name, member)
    check_any(buffer.getvalue(), which.suffix)
