"""Spreadsheets (.xlsx .xlsm .xls .xlsb .ods) via python-calamine, plus the XML
Spreadsheet 2003 format some old systems export under an .xls name.

One ``Grid`` per worksheet, in workbook order. Values become text the way the clerk
sees them: whole numbers without '.0', dates as 'YYYY-MM-DD', booleans 是/否.
Merged ranges come from calamine (0-based, inclusive) and are filled with their
top-left value. Hidden sheets are flagged from calamine's sheet metadata; hidden
columns (xlsx/xlsm only: calamine does not report them) are read from the sheet's
``<cols>`` element, parsing only the part of the sheet XML before ``<sheetData>``
(io/sheet_heads.py, which also works out the size calamine will allocate). The XML
Spreadsheet 2003 format is io/spreadsheetml.py's.

Measured with python-calamine 0.9.1 (see tests/io/test_readers.py):

* Cells that only carry formatting (openpyxl writes ``<c r="B200000" s="1"/>`` for a
  filled or bold empty cell) are NOT in calamine's range: ``sheet.end`` stops at the
  last cell with a value, so a styled column or a row height set at row 1,000,000
  costs nothing. Column styles (``<cols>``) and ``<dimension ref>`` are ignored too.
* A cell that holds a value, even ``" "`` or an empty formula result, at row
  1,000,000 does stretch the range. ``to_python()`` then builds a million Python lists
  (~0.4-0.6 s and ~100 MB for 3 columns). So this reader walks ``iter_rows()``,
  skips empty rows with one C-level ``list.count`` and only materialises rows up to
  the last non-empty one: ~0.1-0.2 s and no memory growth for that case.
* ``iter_rows()`` yields ``start[0]`` empty leading rows and then the range's rows,
  whose columns are relative to ``start[1]`` (unlike ``to_python(skip_empty_area=
  False)``, which is absolute in both directions). The reader keeps sheet
  coordinates: grid row i / column j is sheet row i+1 / column j+1, so merged ranges,
  hidden columns and messages such as "第 12 行" match what Excel shows.
* calamine stores a sheet densely, 32 bytes per cell from the first to the last
  value: 1,000,000 × 10 cells took 0.66 s and 320 MB, and one stray value at
  XFD1048576 makes it ask for 550 GB and abort the whole process (a Rust OOM abort,
  not an exception). ``sheet_heads.xlsx_sheet_heads`` therefore works out each sheet's extent
  first and the reader refuses more than ``MAX_CELLS`` with a FileReadError.
  (xlsx/xlsm only: for .xls and .ods there is no cheap way to see the extent first.)
* For 20,000 rows × 6 columns (text, numbers, dates) the reader takes ~0.18 s where
  bare ``get_sheet_by_index(0).to_python()`` takes ~0.145 s; parsing the sheet in
  calamine dominates, the per-cell conversion here is ~20 ms.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.io.grid import Grid, MergedRange
from zwgk_desktop.io.read_support import (
    DebugLog,
    GridTooLarge,
    check_size,
    clean_text,
    damaged,
    encrypted,
    finish_grid,
    read_file_bytes,
)
from zwgk_desktop.io.sheet_heads import SheetHead, xlsx_sheet_heads

log = DebugLog(__name__)



# ---------------------------------------------------------------------------
# Values


def format_float(value: float) -> str:
    """2023.0 -> '2023'; 0.30000000000000004 -> '0.3' (Excel shows 15 digits)."""
    if value.is_integer() and -1e16 < value < 1e16:
        return str(int(value))
    if math.isnan(value) or math.isinf(value):
        return ""
    text = repr(value)
    if len(text) <= 16 and "e" not in text:
        return text  # at most 15 significant digits already: '0.3', '12.75'
    short = float(f"{value:.15g}")
    if short.is_integer() and -1e16 < short < 1e16:
        return str(int(short))
    return repr(short)


def format_time(value: _dt.time) -> str:
    if value.second or value.microsecond:
        return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return f"{value.hour:02d}:{value.minute:02d}"


def convert_value(value: Any) -> str:
    """Any non-str cell value from calamine as display text."""
    kind = value.__class__
    if kind is str:
        return clean_text(value)
    if kind is float:
        return format_float(value)
    if kind is bool:
        return "是" if value else "否"
    if kind is int:
        return str(value)
    if kind is _dt.datetime:
        if value.hour or value.minute or value.second or value.microsecond:
            return f"{value.date().isoformat()} {format_time(value.time())}"
        return value.date().isoformat()
    if kind is _dt.date:
        return value.isoformat()
    if kind is _dt.time:
        return format_time(value)
    if kind is _dt.timedelta:
        seconds = int(value.total_seconds())
        sign = "-" if seconds < 0 else ""
        seconds = abs(seconds)
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{sign}{hours}:{minutes:02d}" + (f":{secs:02d}" if secs else "")
    if value is None:
        return ""
    return clean_text(str(value))


def convert_row(raw: list[Any]) -> list[str]:
    """One calamine row as text. Strings are the common case: keep that path tight."""
    return [
        (v.strip() if ("\r" not in v and "\x00" not in v) else clean_text(v))
        if v.__class__ is str
        else convert_value(v)
        for v in raw
    ]


# ---------------------------------------------------------------------------
# Errors from calamine


def _is_panic(exc: BaseException) -> bool:
    # pyo3 turns a Rust panic into pyo3_runtime.PanicException, a BaseException.
    return type(exc).__name__ == "PanicException"


def _calamine_failure(path: Path, exc: BaseException) -> FileReadError:
    if isinstance(exc, PasswordError):
        return encrypted(path)
    log.debug("calamine could not read %s: %r", path, exc)
    return damaged(path)


# ---------------------------------------------------------------------------
# Reading


def read_spreadsheet(path: str | Path, data: bytes | None = None) -> list[Grid]:
    """Every worksheet of an xlsx/xlsm/xls/xlsb/ods file, in order."""
    path = Path(path)
    if data is None:
        data = read_file_bytes(path)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        raise _calamine_failure(path, exc) from exc
    except BaseException as exc:
        if _is_panic(exc):
            raise _calamine_failure(path, exc) from exc
        raise

    heads: dict[str, SheetHead] = {}
    if data[:4] == b"PK\x03\x04":
        heads = xlsx_sheet_heads(path, data)

    grids: list[Grid] = []
    try:
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart sheets, VBA modules, macro sheets: no table
            head = heads.get(meta.name)
            if head is not None and head.extent is not None:
                check_size(*head.extent)  # before calamine allocates the dense range
            sheet = book.get_sheet_by_name(meta.name)
            rows = _sheet_rows(sheet)
            merged = _merged_ranges(sheet)
            grids.append(
                finish_grid(
                    meta.name,
                    rows,
                    merged=merged,
                    hidden_columns=head.hidden_columns if head is not None else (),
                    hidden=meta.visible != SheetVisibleEnum.Visible,
                )
            )
    except (FileReadError, GridTooLarge):
        raise
    except Exception as exc:
        raise _calamine_failure(path, exc) from exc
    except BaseException as exc:
        if _is_panic(exc):
            raise _calamine_failure(path, exc) from exc
        raise
    finally:
        try:
            book.close()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass
    return grids


def _merged_ranges(sheet: Any) -> list[MergedRange]:
    ranges = sheet.merged_cell_ranges or []  # None for formats without merges
    return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges]


def _sheet_rows(sheet: Any) -> list[list[str]]:
    """The sheet's rows as text, in sheet coordinates, up to the last non-empty row.

    Rows are not padded or trimmed on the right (``finish_grid`` does that).
    """
    start = sheet.start
    if start is None:  # empty sheet; iter_rows() would unwrap None in older versions
        return []
    r0, c0 = start
    range_width = sheet.width
    rows: list[list[str]] = []
    pending = 0  # empty rows seen since the last non-empty one
    yielded = 0
    prefix: list[str] | None = None
    for raw in sheet.iter_rows():
        yielded += 1
        n = len(raw)
        if raw.count("") == n:
            pending += 1
            continue
        row = convert_row(raw)
        if row.count("") == n:  # only blanks, e.g. a lone " " far below the table
            pending += 1
            continue
        if prefix is None:
            # Columns are relative to the range start in python-calamine 0.9; be
            # ready for a version that gives absolute columns instead.
            prefix = [""] * c0 if (c0 and n == range_width) else []
        if prefix:
            row = prefix + row
        if pending:
            rows.extend([] for _ in range(pending))
            pending = 0
        rows.append(row)
    if r0 and yielded == sheet.height:
        # This version does not yield the leading empty rows: put them back.
        rows[:0] = [[] for _ in range(r0)]
    return rows
