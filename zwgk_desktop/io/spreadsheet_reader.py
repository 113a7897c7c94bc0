"""Spreadsheets (.xlsx .xlsm .xls .xlsb .ods) via python-calamine, plus the XML
Spreadsheet 2003 format some old systems export under an .xls name.

One ``Grid`` per worksheet, in workbook order. Values become text the way the clerk
sees them: whole numbers without '.0', dates as 'YYYY-MM-DD', booleans 是/否.
Merged ranges come from calamine (0-based, inclusive) and are filled with their
top-left value. Hidden sheets are flagged from calamine's sheet metadata; hidden
columns (xlsx/xlsm only: calamine does not report them) are read from the sheet's
``<cols>`` element, parsing only the part of the sheet XML before ``<sheetData>``.

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
  not an exception). ``_xlsx_sheet_heads`` therefore works out each sheet's extent
  first and the reader refuses more than ``MAX_CELLS`` with a FileReadError.
  (xlsx/xlsm only: for .xls and .ods there is no cheap way to see the extent first.)
* For 20,000 rows × 6 columns (text, numbers, dates) the reader takes ~0.18 s where
  bare ``get_sheet_by_index(0).to_python()`` takes ~0.145 s; parsing the sheet in
  calamine dominates, the per-cell conversion here is ~20 ms.
"""

from __future__ import annotations

import datetime as _dt
import io
import logging
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.core.patterns import lazy_compile
from zwgk_desktop.io.grid import Grid, MergedRange
from zwgk_desktop.io.read_support import (
    MAX_CELLS,
    MSG_UNSAFE,
    GridTooLarge,
    check_size,
    clean_text,
    damaged,
    encrypted,
    fail,
    finish_grid,
    read_file_bytes,
)

log = logging.getLogger(__name__)

_MAX_COLUMNS = 16384  # Excel's limit; <col max="16384"> hides "all the rest"
# Sheet XML up to this size is always scanned for its real extent (~2 ms per MB
# including unzipping; an Excel-written 20,000 × 6 task sheet is ~4 MB).
_ALWAYS_SCAN_BYTES = 4 * 1024 * 1024


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

    heads: dict[str, _SheetHead] = {}
    if data[:4] == b"PK\x03\x04":
        heads = _xlsx_sheet_heads(path, data)

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


# ---------------------------------------------------------------------------
# What calamine does not tell: hidden columns and a safe size (xlsx/xlsm)


@dataclass(slots=True)
class _SheetHead:
    hidden_columns: frozenset[int] = frozenset()
    # (rows, columns) calamine will allocate for, from A1; None if unknown
    extent: tuple[int, int] | None = None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_REF = lazy_compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _cell_ref(ref: str) -> tuple[int, int] | None:
    """'XFD1048576' -> (1048576, 16384), 1-based; None if not a cell reference."""
    match = _REF.match(ref.strip())
    if not match:
        return None
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


def _xlsx_sheet_heads(path: Path, data: bytes) -> dict[str, _SheetHead]:
    """Sheet name -> hidden columns and extent, from each sheet's XML head.

    Best effort for hidden columns: calamine reads the values, so a part we cannot
    follow just means "no hidden columns known". The extent comes from
    ``<dimension ref>`` (Excel, WPS, openpyxl and XlsxWriter write it as the used
    range, formatting included, so it bounds the values). Sheet parts up to
    ``_ALWAYS_SCAN_BYTES`` are scanned anyway (``_scan_extent``, a few ms), so a small
    crafted file cannot lie its way past with a false ``<dimension>``; bigger parts are
    scanned only when ``<dimension>`` is missing or beyond ``MAX_CELLS``. A big file
    with a false ``<dimension>`` can still get a far cell past the check; Excel never
    writes one.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    result: dict[str, _SheetHead] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                return result
            book = fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
            targets: dict[str, str] = {}
            rels_name = "xl/_rels/workbook.xml.rels"
            if rels_name in names:
                for rel in fromstring(zf.read(rels_name), forbid_dtd=True):
                    rid, target = rel.get("Id"), rel.get("Target")
                    if rid and target:
                        targets[rid] = target
            for elem in book.iter():
                if _local(elem.tag) != "sheet":
                    continue
                name = elem.get("name")
                rid = next((v for k, v in elem.attrib.items() if _local(k) == "id"), None)
                target = targets.get(rid or "")
                if not name or not target:
                    continue
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                if part not in names:
                    continue
                try:
                    head = _read_sheet_head(zf, part)
                except DefusedXmlException as exc:
                    raise fail(path, MSG_UNSAFE) from exc
                except Exception:  # noqa: BLE001
                    log.debug("cannot read the head of %s in %s", part, path, exc_info=True)
                    head = _SheetHead()
                size = zf.getinfo(part).file_size
                if (
                    size <= _ALWAYS_SCAN_BYTES
                    or head.extent is None
                    or head.extent[0] * head.extent[1] > MAX_CELLS
                ):
                    try:
                        head.extent = _scan_extent(zf.read(part))
                    except Exception:  # noqa: BLE001 - calamine will report the damage
                        log.debug("cannot scan %s in %s", part, path, exc_info=True)
                result[name] = head
    except FileReadError:
        raise
    except Exception:  # noqa: BLE001 - see docstring
        log.debug("cannot read sheet heads of %s", path, exc_info=True)
    return result


def _read_sheet_head(zf: zipfile.ZipFile, part: str) -> _SheetHead:
    """``<dimension>`` and ``<cols>``: both come before ``<sheetData>``, where the
    parse stops, so this reads a few KB whatever the sheet's size."""
    from defusedxml.ElementTree import iterparse

    head = _SheetHead()
    hidden: set[int] = set()
    with zf.open(part) as fh:
        for _event, elem in iterparse(fh, events=("start",), forbid_dtd=True):
            tag = _local(elem.tag)
            if tag == "sheetData":
                break
            if tag == "dimension":
                last = _cell_ref((elem.get("ref") or "").split(":")[-1])
                if last is not None:
                    head.extent = last
                continue
            if tag != "col":
                continue
            is_hidden = elem.get("hidden", "").lower() in ("1", "true")
            width = elem.get("width")
            if not is_hidden and width is not None:
                try:
                    is_hidden = float(width) == 0.0
                except ValueError:
                    pass
            if not is_hidden:
                continue
            try:
                lo = int(elem.get("min", "0"))
                hi = int(elem.get("max", elem.get("min", "0")))
            except ValueError:
                continue
            lo = max(lo, 1)
            hi = min(hi, _MAX_COLUMNS)
            hidden.update(range(lo - 1, hi))
    head.hidden_columns = frozenset(hidden)
    return head


_SHEETDATA = re.compile(rb"<(\w+:)?sheetData[\s>/]")


def _scan_extent(xml: bytes) -> tuple[int, int]:
    """Rows and columns calamine will allocate for, from the raw sheet XML.

    Byte searches and one simple regex, ~1 ms per MB after unzipping: rows up to the
    row holding the last value (rows are in order in any valid sheet), columns up to
    the widest cell holding a value (26 when no cell is beyond column Z, unless
    that bound is too coarse).
    Formatting-only cells (``<c r="B9" s="1"/>``, ``<c ...></c>``) do not count:
    calamine skips them too.
    """
    match = _SHEETDATA.search(xml)
    prefix = (match.group(1) or b"") if match else b""
    last_value = max(xml.rfind(b"</" + prefix + b"v>"), xml.rfind(b"</" + prefix + b"is>"))
    if last_value < 0:
        return (0, 0)
    row_tag = re.compile(b"<" + re.escape(prefix) + rb"row[\s>/]")
    rows = 0
    row_start = xml.rfind(b"<" + prefix + b"row", 0, last_value)
    if row_start >= 0:
        number = re.compile(rb'\sr="(\d{1,9})"').search(xml, row_start, xml.find(b">", row_start) + 1)
        rows = int(number.group(1)) if number else len(row_tag.findall(xml, 0, last_value))
    wide = {letters: _column_number(letters) for letters in set(_WIDE_REF.findall(xml))}
    for letters in sorted(wide, key=wide.__getitem__, reverse=True):
        if _has_value_cell(xml, b'r="' + letters, prefix):
            return (rows, wide[letters])
    if rows * 26 <= MAX_CELLS:
        return (rows, 26)
    # A value very far down in a narrow table: count its real columns.
    narrow = set(_NARROW_REF.findall(xml))
    return (rows, max((_column_number(letter) for letter in narrow), default=1))


# A literal start keeps this at regex-search speed (~0.4 ms per MB); ``\sr=`` is 8x slower.
_WIDE_REF = re.compile(rb'r="([A-Z]{2,3})\d')
_NARROW_REF = re.compile(rb'r="([A-Z])\d')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _has_value_cell(xml: bytes, needle: bytes, prefix: bytes) -> bool:
    """Whether some ``<c ...{needle}...>`` is followed by content, not ``/>`` or ``</c>``."""
    cell_open = b"<" + prefix + b"c"
    pos = xml.find(needle)
    while pos >= 0:
        start = xml.rfind(b"<", 0, pos)
        end = xml.find(b">", pos)
        if end < 0:
            return False
        if (
            xml.startswith(cell_open, start)
            and xml[start + len(cell_open) : start + len(cell_open) + 1].isspace()
            and xml[end - 1 : end] != b"/"
            and not xml.startswith(b"</", end + 1)
        ):
            return True
        pos = xml.find(needle, end)
    return False


# ---------------------------------------------------------------------------
# XML Spreadsheet 2003 (<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">)

_SS = "urn:schemas-microsoft-com:office:spreadsheet"
_XML_DECL = lazy_compile(r"^\s*<\?xml[^>]*\?>")


def read_spreadsheetml_2003(path: str | Path, text: str) -> list[Grid]:
    """The XML format Excel 2003 called "XML 电子表格", often saved as .xls."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    path = Path(path)
    try:
        root = fromstring(_XML_DECL.sub("", text.lstrip("\ufeff"), count=1), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise fail(path, MSG_UNSAFE) from exc
    except Exception as exc:  # noqa: BLE001 - ParseError and friends
        raise damaged(path) from exc

    def attr(elem: Any, name: str) -> str | None:
        return elem.get(f"{{{_SS}}}{name}", elem.get(name))

    def to_int(value: str | None, default: int) -> int:
        try:
            return int(value) if value is not None else default
        except ValueError:
            return default

    grids: list[Grid] = []
    for ws in root:
        if _local(ws.tag) != "Worksheet":
            continue
        name = attr(ws, "Name") or f"Sheet{len(grids) + 1}"
        hidden_sheet = False
        for elem in ws.iter():
            if _local(elem.tag) == "Visible" and (elem.text or "").strip() in ("SheetHidden", "SheetVeryHidden"):
                hidden_sheet = True
        rows: list[list[str]] = []
        merged: list[MergedRange] = []
        hidden_cols: set[int] = set()
        table = next((e for e in ws if _local(e.tag) == "Table"), None)
        if table is not None:
            r = -1
            col_pos = -1
            for child in table:
                tag = _local(child.tag)
                if tag == "Column":
                    col_pos = to_int(attr(child, "Index"), col_pos + 2) - 1
                    span = min(max(to_int(attr(child, "Span"), 0), 0), _MAX_COLUMNS)
                    if attr(child, "Hidden") in ("1", "true"):
                        hidden_cols.update(range(col_pos, min(col_pos + span + 1, _MAX_COLUMNS)))
                    col_pos += span
                    continue
                if tag != "Row":
                    continue
                r = to_int(attr(child, "Index"), r + 2) - 1
                if r < 0 or r > 1_048_575:
                    continue
                while len(rows) <= r:
                    rows.append([])
                row = rows[r]
                c = -1
                for cell in child:
                    if _local(cell.tag) != "Cell":
                        continue
                    c = to_int(attr(cell, "Index"), c + 2) - 1
                    if c < 0 or c >= _MAX_COLUMNS:
                        break
                    value = ""
                    for data in cell:
                        if _local(data.tag) in ("Data", "SsData"):
                            value = _spreadsheetml_value(attr(data, "Type"), "".join(data.itertext()))
                            break
                    while len(row) <= c:
                        row.append("")
                    row[c] = value
                    across = min(max(to_int(attr(cell, "MergeAcross"), 0), 0), _MAX_COLUMNS)
                    down = min(max(to_int(attr(cell, "MergeDown"), 0), 0), 1_048_575)
                    if across or down:
                        merged.append((r, c, r + down, c + across))
                    c += across
        grids.append(finish_grid(name, rows, merged=merged, hidden_columns=hidden_cols, hidden=hidden_sheet))
    return grids


def _spreadsheetml_value(kind: str | None, text: str) -> str:
    if kind == "Number":
        try:
            return format_float(float(text))
        except ValueError:
            return clean_text(text)
    if kind == "DateTime":
        text = text.strip()
        date_part, _, time_part = text.partition("T")
        if not time_part or time_part.strip("0:.") == "":
            return date_part
        return f"{date_part} {time_part[:5]}"
    if kind == "Boolean":
        return "是" if text.strip() in ("1", "true") else "否"
    return clean_text(text)
