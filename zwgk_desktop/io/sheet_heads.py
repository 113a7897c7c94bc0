"""What calamine does not tell about an xlsx/xlsm sheet: its hidden columns and the
size calamine will allocate for it, read from each sheet's XML head (the part before
``<sheetData>``) and, where ``<dimension>`` cannot be trusted, a scan of the sheet's
XML for its real extent. Used by the spreadsheet reader before calamine reads a sheet
(see the measurements at the top of io/spreadsheet_reader.py)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.core.patterns import lazy_compile
from zwgk_desktop.io.read_support import MAX_CELLS, MSG_UNSAFE, DebugLog, fail

log = DebugLog(__name__)

MAX_COLUMNS = 16384  # Excel's limit; <col max="16384"> hides "all the rest"
# Sheet XML up to this size is always scanned for its real extent (~2 ms per MB
# including unzipping; an Excel-written 20,000 × 6 task sheet is ~4 MB).
_ALWAYS_SCAN_BYTES = 4 * 1024 * 1024



@dataclass(slots=True)
class SheetHead:
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


def xlsx_sheet_heads(path: Path, data: bytes) -> dict[str, SheetHead]:
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

    result: dict[str, SheetHead] = {}
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
                    head = SheetHead()
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


def _read_sheet_head(zf: zipfile.ZipFile, part: str) -> SheetHead:
    """``<dimension>`` and ``<cols>``: both come before ``<sheetData>``, where the
    parse stops, so this reads a few KB whatever the sheet's size."""
    from defusedxml.ElementTree import iterparse

    head = SheetHead()
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
            hi = min(hi, MAX_COLUMNS)
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
