"""XML Spreadsheet 2003 (``<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">``),
the format Excel 2003 called "XML 电子表格" and some old systems still export under an
.xls name: one ``Grid`` per worksheet, values as the spreadsheet reader gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zwgk_desktop.core.patterns import lazy_compile
from zwgk_desktop.io.grid import Grid, MergedRange
from zwgk_desktop.io.read_support import MSG_UNSAFE, clean_text, damaged, fail, finish_grid
from zwgk_desktop.io.sheet_heads import MAX_COLUMNS
from zwgk_desktop.io.spreadsheet_reader import format_float


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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
                    span = min(max(to_int(attr(child, "Span"), 0), 0), MAX_COLUMNS)
                    if attr(child, "Hidden") in ("1", "true"):
                        hidden_cols.update(range(col_pos, min(col_pos + span + 1, MAX_COLUMNS)))
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
                    if c < 0 or c >= MAX_COLUMNS:
                        break
                    value = ""
                    for data in cell:
                        if _local(data.tag) in ("Data", "SsData"):
                            value = _spreadsheetml_value(attr(data, "Type"), "".join(data.itertext()))
                            break
                    while len(row) <= c:
                        row.append("")
                    row[c] = value
                    across = min(max(to_int(attr(cell, "MergeAcross"), 0), 0), MAX_COLUMNS)
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
