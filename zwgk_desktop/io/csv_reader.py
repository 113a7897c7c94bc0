"""Tables that arrive as text: CSV/TSV, and HTML tables saved under an .xls name.

Old government systems often export "Excel" files that are really an HTML page with a
``<table>`` (or CSV text) and an .xls extension; Excel opens them with a warning, so
clerks do not know. Both are text, so both go through ``decode_text`` first:
UTF-8 (with or without BOM), then GB18030 (a superset of GBK/GB2312, what Chinese
Windows Excel writes), then UTF-16 (Excel's "Unicode 文本").
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.core.patterns import lazy_compile
from zwgk_desktop.io.grid import Grid, MergedRange
from zwgk_desktop.io.read_support import (
    MSG_ENCODING,
    GridTooLarge,
    check_size,
    clean_text,
    damaged,
    fail,
    finish_grid,
    read_file_bytes,
)

MSG_BAD_CSV = ("CSV 文件格式有误,无法解析", "请用 Excel/WPS 打开后另存为 .xlsx 再导入")

_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",\t;|"
_MAX_COLUMNS = 16384
_MAX_ROWS = 1_048_576

# ---------------------------------------------------------------------------
# Decoding

_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Declared charsets worth trying before GB18030. GB2312/GBK are covered by GB18030;
# Latin-1 style declarations are usually wrong for Chinese pages, so never trusted.
_TRUSTED_DECLARED = {"big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949"}


def _declared_charset(data: bytes) -> str | None:
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii", "replace")).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    return name if name in _TRUSTED_DECLARED else None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> str | None:
    """Bytes -> text, or None when no candidate encoding fits."""
    candidates: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        candidates.append("utf-8-sig")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append("utf-16")
    else:
        guess = _utf16_without_bom(data)
        if guess:
            candidates.append(guess)
    candidates.append("utf-8")
    declared = _declared_charset(data)
    if declared:
        candidates.append(declared)
    candidates += ["gb18030", "utf-16"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return text.lstrip("\ufeff")
    return None


_CONTROL = lazy_compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def looks_binary(text: str) -> bool:
    """Text with many control characters came from a binary file."""
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return False
    bad = len(_CONTROL.findall(sample))
    return bad > max(2, len(sample) // 100)


_TABLE_TAG = lazy_compile(r"<table[\s>/]", re.I)


def looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    if not head.startswith("<"):
        return False
    return _TABLE_TAG.search(text) is not None


def looks_like_spreadsheetml(head: str) -> bool:
    """``head``: the start of the text, lower-cased."""
    return head.startswith("<") and "urn:schemas-microsoft-com:office:spreadsheet" in head and "<workbook" in head


# ---------------------------------------------------------------------------
# CSV


def read_csv(path: str | Path, data: bytes | None = None) -> Grid:
    """One CSV/TSV file as a grid named after the file."""
    path = Path(path)
    if data is None:
        data = read_file_bytes(path)
    text = decode_text(data)
    if text is None:
        raise fail(path, MSG_ENCODING)
    return read_csv_text(path, text)


def sniff_delimiter(text: str) -> str:
    sample = text[:_SNIFF_BYTES]
    if len(text) > _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter in _DELIMITERS and delimiter:
        return delimiter
    first_line = sample.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_text(path: str | Path, text: str) -> Grid:
    path = Path(path)
    if "\x00" in text:
        text = text.replace("\x00", "")
    delimiter = sniff_delimiter(text)
    try:
        raw_rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error:
        # Usually an unmatched quote swallowing the rest of the file into one field
        # past the csv module's size limit: read it again without quoting.
        try:
            raw_rows = list(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=csv.QUOTE_NONE, strict=False)
            )
        except csv.Error as exc:
            raise FileReadError(path, *MSG_BAD_CSV) from exc
    rows = [[clean_text(cell) for cell in row[:_MAX_COLUMNS]] for row in raw_rows[:_MAX_ROWS]]
    return finish_grid(path.stem, rows)


# ---------------------------------------------------------------------------
# HTML tables

_WS = lazy_compile(r"[ \t\r\n\f]+")
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer",
     "blockquote", "pre", "center", "caption", "title", "dt", "dd", "address"}
)
_SKIP_TAGS = frozenset({"script", "style", "head", "noscript", "template", "xml"})


def _span(value: str | None, limit: int) -> int:
    if not value:
        return 1
    match = re.match(r"\s*(\d+)", value)
    if not match:
        return 1
    number = int(match.group(1)[:7])
    return min(max(number, 1), limit)


def _finish_text(parts: list[str]) -> str:
    text = "".join(parts).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    return clean_text("\n".join(line for line in lines if line))


class _Table:
    __slots__ = ("order", "preamble", "cells", "row", "col", "busy", "cell", "nrows")

    def __init__(self, order: int, preamble: list[str]) -> None:
        self.order = order
        self.preamble = preamble
        self.cells: list[tuple[int, int, int, int, list[str]]] = []
        self.row = -1
        self.col = 0
        self.busy: dict[int, int] = {}  # column -> last row a rowspan keeps it busy
        self.cell: list[str] | None = None
        self.nrows = 0

    def start_row(self) -> None:
        self.cell = None
        if self.row + 1 < _MAX_ROWS:
            self.row += 1
        self.nrows = self.row + 1
        self.col = 0

    def start_cell(self, rowspan: int, colspan: int) -> None:
        if self.row < 0:
            self.start_row()
        col = self.col
        busy = self.busy
        while busy.get(col, -1) >= self.row:
            col += 1
        if col >= _MAX_COLUMNS:
            self.cell = None
            return
        colspan = min(colspan, _MAX_COLUMNS - col)
        for c in range(col, col + colspan):
            busy[c] = self.row + rowspan - 1
        self.cell = []
        self.cells.append((self.row, col, rowspan, colspan, self.cell))
        self.col = col + colspan

    def to_rows(self) -> tuple[list[list[str]], list[MergedRange]]:
        width = max((c + cs for _r, c, _rs, cs, _t in self.cells), default=0)
        check_size(self.nrows, width)
        rows = [[""] * width for _ in range(self.nrows)]
        merged: list[MergedRange] = []
        for r, c, rs, cs, parts in self.cells:
            rows[r][c] = _finish_text(parts)
            if rs > 1 or cs > 1:
                merged.append((r, c, r + rs - 1, c + cs - 1))
        return rows, merged


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.done: list[_Table] = []
        self.open: list[_Table] = []
        self.started = 0
        self.skip = 0
        self.outside: list[str] = []  # text blocks outside any table since the last one
        self.buffer: list[str] = []

    # -- text outside tables (the preamble: 附件, the title…)
    def _flush_outside(self) -> None:
        text = _finish_text(self.buffer)
        self.buffer = []
        if text:
            self.outside.extend(text.split("\n"))

    def _target(self) -> list[str] | None:
        if self.open:
            return self.open[-1].cell
        return self.buffer

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if tag == "table":
            preamble: list[str] = []
            if not self.open:
                self._flush_outside()
                preamble = self.outside[-10:]
                self.outside = []
            self.open.append(_Table(self.started, preamble))
            self.started += 1
        elif not self.open:
            if tag == "br" or tag in _BLOCK_TAGS:
                self.buffer.append("\n")
        elif tag == "tr":
            self.open[-1].start_row()
        elif tag in ("td", "th"):
            values = dict(attrs)
            self.open[-1].start_cell(_span(values.get("rowspan"), 65534), _span(values.get("colspan"), 1000))
        elif tag == "br" or tag in _BLOCK_TAGS:
            target = self._target()
            if target is not None:
                target.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            return  # <script/>: nothing to skip
        self.handle_starttag(tag, attrs)
        if tag == "table":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "table":
            if self.open:
                self.done.append(self.open.pop())
        elif not self.open:
            if tag in _BLOCK_TAGS:
                self.buffer.append("\n")
        elif tag in ("td", "th", "tr"):
            self.open[-1].cell = None
        elif tag in _BLOCK_TAGS:
            target = self._target()
            if target is not None:
                target.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        target = self._target()
        if target is not None:
            target.append(_WS.sub(" ", data))

    def finish(self) -> list[_Table]:
        self.close()
        while self.open:
            self.done.append(self.open.pop())
        return sorted(self.done, key=lambda t: t.order)


def read_html_text(path: str | Path, text: str) -> list[Grid]:
    """Every non-empty ``<table>`` in the page as "表格1", "表格2"…, rowspan/colspan
    filled. A table nested in a cell is a grid of its own; the outer cell keeps
    only its own text."""
    parser = _TableParser()
    try:
        parser.feed(text)
        tables = parser.finish()
    except GridTooLarge:
        raise
    except Exception as exc:  # noqa: BLE001 - html.parser asserts on some broken markup
        raise damaged(path) from exc
    grids: list[Grid] = []
    for table in tables:
        rows, merged = table.to_rows()
        grid = finish_grid("", rows, merged=merged, preamble=table.preamble)
        if grid.rows:
            grid.name = f"表格{len(grids) + 1}"
            grids.append(grid)
    return grids
