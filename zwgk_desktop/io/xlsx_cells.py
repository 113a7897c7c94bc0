"""Writing .xlsx cells the way every workbook of the app needs them: shared by the
Excel export (xlsx_export), the fill-in workbooks (fill_in), the plan and draft writers
and the 材料包's 目录.xlsx.

* Styles are built once per workbook and copied onto cells (openpyxl resolves a style
  per attribute assignment: 5,000 rows × 10 columns would spend seconds there).
* A str is always written as text: a requirement beginning with = + - @ never becomes a
  formula; control characters are dropped and a text longer than Excel's 32,767
  characters ends in a visible note (core/limits.fit_text).
* Row heights are computed here (lines_needed): Excel, WPS and LibreOffice do not grow
  rows for wrapped text written by a program.
* Print set-up (A4 landscape, one page wide, header repeated, page numbers) and a save
  that never leaves half a file under the real name.
"""

from __future__ import annotations

import io
import os
import unicodedata
import uuid
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from ..core.limits import fit_text
from .output_files import remove_quietly, write_error

BODY_FONT = "宋体"
HEAD_FONT = "黑体"
BODY_SIZE = 10.5  # 五号
FILL_HEADER = "DDEBF7"
FILL_SECTION = "F2F2F2"

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class Styles:
    """Cell styles built once per workbook and copied onto cells (openpyxl resolves a
    style per attribute assignment; 5,000 rows × 10 columns would spend seconds there)."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self._cache: dict[str, Any] = {}

    def make(self, name: str, *, font: Font | None = None, fill: str | None = None, border: bool = True,
             horizontal: str = "left", vertical: str = "center", wrap: bool = True,
             number_format: str | None = None, locked: bool = True) -> Any:
        cell = Cell(self.sheet)
        cell.font = font or Font(name=BODY_FONT, size=BODY_SIZE)
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)
        if border:
            cell.border = BORDER
        cell.alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)
        if number_format:
            cell.number_format = number_format
        if not locked:
            cell.protection = Protection(locked=False)
        self._cache[name] = copy(cell._style)
        return self._cache[name]

    def __getitem__(self, name: str) -> Any:
        return self._cache[name]


def clean_cell_text(value: str) -> str:
    """Text Excel can store: no control characters (openpyxl refuses them), and at most
    32,767 characters, a longer text ending in a visible note that the rest is left out
    (openpyxl would cut it without a word)."""
    return fit_text(ILLEGAL_CHARACTERS_RE.sub("", value))


def put(sheet: Worksheet, row: int, column: int, value: Any, style: Any = None) -> Cell:
    """Write one cell; a str is always text, whatever it starts with."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        if value:
            cell.value = clean_cell_text(value)
            cell.data_type = "s"  # "=SUM(A1)" stays the words a clerk typed
    elif value is not None:
        cell.value = value
    if style is not None:
        cell._style = copy(style)
    return cell


def merge(sheet: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int, style: Any) -> None:
    """Merge a range, giving every covered cell ``style`` (its borders draw the range's
    edges). ``Worksheet.merge_cells`` re-styles the edge cells one attribute at a time,
    which took most of a 5,000-task export."""
    ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"
    sheet.merged_cells.add(MergedCellRange(sheet, ref))
    for r in range(first_row, last_row + 1):
        for c in range(first_col, last_col + 1):
            if r == first_row and c == first_col:
                continue
            cell = MergedCell(sheet, row=r, column=c)
            cell._style = copy(style)
            sheet._cells[(r, c)] = cell


def text_width(text: str) -> int:
    """Display width of the longest line: a Chinese character counts two."""
    best = 0
    for line in (text or "").split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        best = max(best, width)
    return best


LINE_HEIGHT = 14.0  # points per line of 10.5 pt text (宋体 五号), with leading


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped column ``width`` units wide.

    Excel, WPS and LibreOffice do not grow rows for wrapped text written by a program
    (LibreOffice keeps the default height; Excel only when it recalculates), and never
    for merged cells, so the writer sets each row's height itself. A Chinese character
    is about two width units at 10.5 pt; a little is kept back for the cell padding.
    """
    if not text:
        return 1
    capacity = max(width - 1.5, 2.0)
    total = 0
    for line in text.split("\n"):
        w = text_width(line)
        total += max(1, -(-w // int(capacity)))
    return total


def print_setup(sheet: Worksheet, header_row: int, last_column: int) -> None:
    """A4 landscape, one page wide, header row on every page, page numbers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.55
    sheet.page_margins.top = 0.7
    sheet.page_margins.bottom = 0.7
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddFooter.center.text = "第 &P 页,共 &N 页"
    sheet.oddFooter.center.font = BODY_FONT
    sheet.oddFooter.center.size = 9
    sheet.print_area = f"A1:{get_column_letter(last_column)}{sheet.max_row}"


def save_workbook(book: Workbook, path: str | Path) -> Path:
    """Save under a temporary name and rename: an interrupted save never leaves half a
    file under the real name, and an existing file is replaced only when complete."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    # Built in memory first: when openpyxl's own zip file fails half-way (a full disk), its
    # clean-up writes again and Python prints a traceback at exit, whatever we catch.
    buffer = io.BytesIO()
    book.save(buffer)
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as handle:
            handle.write(buffer.getbuffer())
            handle.flush()
            os.fsync(handle.fileno())  # a full disk often shows only here
        os.replace(tmp, target)
    except OSError as exc:
        remove_quietly(tmp)
        raise write_error(target, exc) from exc
    except BaseException:
        remove_quietly(tmp)
        raise
    return target
