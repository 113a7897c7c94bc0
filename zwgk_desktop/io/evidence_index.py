"""目录.xlsx, the index of an evidence package (io/evidence_package): sheet 目录 with
one row per item and a link to its file in the package, and sheet 无佐证材料的任务.
Both print as the export does (A4 landscape, one page wide, the header on every page).
"""

from __future__ import annotations

import io
from copy import copy
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.evidence import KIND_FILE, KIND_NAMES
from ..core.model import Task
from ..core.quarters import Quarter
from ..core.units import Role
from .xlsx_cells import (
    BODY_FONT,
    BODY_SIZE,
    FILL_HEADER,
    HEAD_FONT,
    LINE_HEIGHT,
    Styles,
    lines_needed,
    print_setup,
    put,
)

if TYPE_CHECKING:
    from .evidence_package import PackageItem

INDEX_NAME = "目录.xlsx"
INDEX_COLUMNS = ["序号", "任务", "责任单位", "季度", "类型", "材料名称", "包内位置", "大小(字节)",
                 "添加时间", "添加人", "SHA-256", "网页地址", "发布日期", "说明", "检查结果"]
#: Widths for print: one A4 landscape page wide at a readable size; long values (the
#: 64-character SHA-256, addresses) wrap within their column instead of widening it.
INDEX_WIDTHS = [5, 30, 16, 9, 6, 22, 24, 9, 11, 8, 17, 24, 11, 24, 12]
MISSING_TEXT_SHEET = "无佐证材料的任务"


def when_added(iso: str) -> str:
    """An item's 添加时间 as the index and a note's text file print it: to the minute."""
    return iso[:16].replace("T", " ")


def _relative_link(path: str) -> str:
    """A link from 目录.xlsx to a file beside it. Excel wants the characters that mean
    something in an address escaped and takes Chinese as it is."""
    return path.replace("%", "%25").replace(" ", "%20").replace("#", "%23")


def index_rows(items: list[PackageItem]) -> list[list[object]]:
    """The index's data rows (after the header), as written to 目录.xlsx."""
    rows: list[list[object]] = []
    for item in items:
        e, task = item.evidence, item.task
        units = "、".join(f"{u.name}(牵头)" if u.role == Role.LEAD and len(task.units) > 1 else u.name
                         for u in task.units)
        rows.append([
            task.seq,
            task.title or task.requirement,
            units,
            e.quarter.label,
            KIND_NAMES.get(e.kind, e.kind),
            e.name,
            item.arcname or "",
            e.size if e.kind == KIND_FILE else None,
            when_added(e.added_at),
            e.added_by,
            e.sha256 or "",
            e.url or "",
            e.published_on or "",
            e.note or "",
            item.check,
        ])
    return rows


def _index_styles(sheet: Worksheet) -> Styles:
    """The export's look (io/xlsx_export): 宋体 五号 body, 黑体 header on blue, borders,
    wrapped text at the top of each cell, links blue and underlined."""
    st = Styles(sheet)
    body = Font(name=BODY_FONT, size=BODY_SIZE)
    st.make("header", font=Font(name=HEAD_FONT, size=BODY_SIZE, bold=True), fill=FILL_HEADER, horizontal="center")
    st.make("text", font=body, vertical="top")
    st.make("number", font=body, vertical="top", horizontal="right")
    st.make("center", font=body, vertical="top", horizontal="center")
    st.make("link", font=Font(name=BODY_FONT, size=BODY_SIZE, color="0563C1", underline="single"), vertical="top")
    st.make("title", font=Font(name=HEAD_FONT, size=12, bold=True), border=False)
    return st


def _row_height(values: list[object], widths: list[float]) -> float:
    """Rows grow with their wrapped text (no spreadsheet program does it for a file it
    did not write), so printed lines never overlap."""
    lines = max((lines_needed(str(v), w) for v, w in zip(values, widths) if v not in (None, "")), default=1)
    return lines * LINE_HEIGHT + 4


def index_workbook(plan_title: str, items: list[PackageItem], without: list[Task],
                   unit: str | None = None, quarter: Quarter | None = None) -> bytes:
    """目录.xlsx as bytes: sheet 目录 (one row per item, header in row 1, links to the
    files in the package) and sheet 无佐证材料的任务. Both print as the export does:
    A4 landscape, one page wide, the header on every page, page numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "目录"
    st = _index_styles(sheet)
    for col, (name, width) in enumerate(zip(INDEX_COLUMNS, INDEX_WIDTHS), start=1):
        put(sheet, 1, col, name, st["header"])
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[1].height = LINE_HEIGHT + 6
    link_col = INDEX_COLUMNS.index("包内位置") + 1
    url_col = INDEX_COLUMNS.index("网页地址") + 1
    centred = {INDEX_COLUMNS.index(name) + 1 for name in ("序号", "季度", "类型", "发布日期")}
    for r, values in enumerate(index_rows(items), start=2):
        item = items[r - 2]
        for c, value in enumerate(values, start=1):
            style = st["number"] if isinstance(value, int) and c not in centred else (
                st["center"] if c in centred else st["text"])
            put(sheet, r, c, value, style)
        if item.arcname:
            cell = sheet.cell(row=r, column=link_col)
            cell.hyperlink = _relative_link(item.arcname)
            cell._style = copy(st["link"])
        if item.evidence.url:
            cell = sheet.cell(row=r, column=url_col)
            cell.hyperlink = item.evidence.url
            cell._style = copy(st["link"])
        sheet.row_dimensions[r].height = _row_height(values, INDEX_WIDTHS)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(INDEX_COLUMNS))}{max(1, len(items) + 1)}"
    print_setup(sheet, 1, len(INDEX_COLUMNS))

    other = book.create_sheet(MISSING_TEXT_SHEET)
    ost = _index_styles(other)
    scope = "".join(x for x in (f"责任单位“{unit}”" if unit else "", quarter.label if quarter else "") if x)
    put(other, 1, 1, f"{plan_title}  {scope}没有佐证材料的任务(共 {len(without)} 项)", ost["title"])
    other.row_dimensions[1].height = LINE_HEIGHT + 8
    missing_widths = [6, 80, 36]
    for col, (name, width) in enumerate(zip(["序号", "任务", "责任单位"], missing_widths), start=1):
        put(other, 2, col, name, ost["header"])
        other.column_dimensions[get_column_letter(col)].width = width
    for r, task in enumerate(without, start=3):
        values: list[object] = [task.seq, task.title or task.requirement, "、".join(u.name for u in task.units)]
        put(other, r, 1, values[0], ost["center"])
        put(other, r, 2, values[1], ost["text"])
        put(other, r, 3, values[2], ost["text"])
        other.row_dimensions[r].height = _row_height(values, missing_widths)
    print_setup(other, 2, 3)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
