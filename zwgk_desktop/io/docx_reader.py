"""Word documents (.docx): every top-level table, in document order.

python-docx opens the package (its lxml parser does not resolve entities) and hands
over the body; the tables are walked here directly on the XML rather than through
``row.cells``. ``row.cells`` gives the right "filled" view (a merged cell repeated in
every grid position) but finds the top of a vertical merge by recursing row by row
(deep recursion and quadratic time on long merges, ``ValueError`` on a malformed
``vMerge``). The walk below does the same in one pass: ``gridSpan`` repeats a cell
across, ``vMerge="continue"`` takes the owner of the cell above, ``gridBefore`` skips
leading grid columns, and the legacy ``hMerge`` is honoured. Merged ranges are the
bounding boxes of cells that share one ``<w:tc>`` owner.

Tables nested in a cell are ignored (the outer cell keeps its own paragraphs). The
non-empty paragraphs before each table (since the previous one, the nearest 10) go to
``Grid.preamble``: e.g. ["附件", "2023年济宁市任城区政务公开重点工作任务分解表"].
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.io.grid import Grid, MergedRange
from zwgk_desktop.io.read_support import (
    MSG_DAMAGED_WORD,
    MSG_MACRO_WORD,
    MSG_NO_TABLE_DOCX,
    GridTooLarge,
    check_size,
    clean_text,
    fail,
    finish_grid,
    read_file_bytes,
)

log = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
W_P = _W + "p"
W_TBL = _W + "tbl"
W_TR = _W + "tr"
W_TC = _W + "tc"
W_T = _W + "t"
W_TAB = _W + "tab"
W_PTAB = _W + "ptab"
W_BR = _W + "br"
W_CR = _W + "cr"
W_NOBREAKHYPHEN = _W + "noBreakHyphen"
W_SDT = _W + "sdt"
W_SDTCONTENT = _W + "sdtContent"
W_CUSTOMXML = _W + "customXml"
W_SMARTTAG = _W + "smartTag"
W_TCPR = _W + "tcPr"
W_TRPR = _W + "trPr"
W_GRIDSPAN = _W + "gridSpan"
W_GRIDBEFORE = _W + "gridBefore"
W_VMERGE = _W + "vMerge"
W_HMERGE = _W + "hMerge"
W_VAL = _W + "val"

# Subtrees of a paragraph whose text is not what Word prints in the cell: deleted
# revisions, moved-away text, drawings/text boxes (mc:AlternateContent duplicates
# them in a VML fallback), properties.
_SKIP_IN_PARAGRAPH = frozenset(
    {
        _W + "del",
        _W + "moveFrom",
        _W + "rPr",
        _W + "pPr",
        _W + "drawing",
        _W + "pict",
        _W + "object",
        _MC + "AlternateContent",
        _W + "footnoteReference",
        _W + "endnoteReference",
    }
)

_MAX_COLUMNS = 16384
_PREAMBLE_MAX = 10


def read_docx(path: str | Path, data: bytes | None = None) -> list[Grid]:
    """The document's top-level tables as grids "表格1", "表格2"…"""
    import docx

    path = Path(path)
    if data is None:
        data = read_file_bytes(path)
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except ValueError as exc:
        # python-docx refuses a package whose main part is not a plain document.
        if "macroEnabled" in str(exc):
            raise fail(path, MSG_MACRO_WORD) from exc
        raise fail(path, MSG_DAMAGED_WORD) from exc
    except Exception as exc:  # noqa: BLE001 - PackageNotFoundError, KeyError, XMLSyntaxError…
        log.debug("python-docx could not open %s", path, exc_info=True)
        raise fail(path, MSG_DAMAGED_WORD) from exc
    if body is None:
        raise fail(path, MSG_DAMAGED_WORD)

    try:
        grids = _read_body(body)
    except (FileReadError, GridTooLarge):
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML the walk did not expect
        log.debug("cannot walk the body of %s", path, exc_info=True)
        raise fail(path, MSG_DAMAGED_WORD) from exc
    if not grids:
        raise fail(path, MSG_NO_TABLE_DOCX)
    return grids


def _read_body(body: Any) -> list[Grid]:
    grids: list[Grid] = []
    preamble: list[str] = []
    for block in _blocks(body):
        if block.tag == W_P:
            text = paragraph_text(block)
            if text:
                preamble.append(text)
                del preamble[:-_PREAMBLE_MAX]
            continue
        rows, merged = table_rows(block)
        grids.append(finish_grid(f"表格{len(grids) + 1}", rows, merged=merged, preamble=preamble))
        preamble = []
    return grids


def _blocks(parent: Any) -> Iterator[Any]:
    """Paragraphs and tables in order, looking through content controls."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == W_P or tag == W_TBL:
            yield child
        elif tag == W_SDT:
            for content in child.iterchildren(W_SDTCONTENT):
                yield from _blocks(content)
        elif tag == W_CUSTOMXML:
            yield from _blocks(child)


def paragraph_text(p: Any) -> str:
    parts: list[str] = []
    _collect_text(p, parts)
    return clean_text("".join(parts))


def _collect_text(elem: Any, out: list[str]) -> None:
    for child in elem.iterchildren():
        tag = child.tag
        if tag == W_T:
            if child.text:
                out.append(child.text)
        elif tag == W_TAB or tag == W_PTAB:
            out.append("\t")
        elif tag == W_BR or tag == W_CR:
            out.append("\n")
        elif tag == W_NOBREAKHYPHEN:
            out.append("-")
        elif tag in _SKIP_IN_PARAGRAPH or not isinstance(tag, str):
            continue
        elif len(child):
            _collect_text(child, out)


def cell_text(tc: Any) -> str:
    """The cell's own paragraphs joined by '\\n' (nested tables left out)."""
    texts = [paragraph_text(block) for block in _blocks(tc) if block.tag == W_P]
    while texts and not texts[-1]:
        texts.pop()
    return clean_text("\n".join(texts))


def _int_val(elem: Any, default: int, limit: int) -> int:
    if elem is None:
        return default
    try:
        value = int(str(elem.get(W_VAL, default)).strip())
    except ValueError:
        return default
    return min(max(value, 0), limit)


def _tr_children(tbl: Any) -> Iterator[Any]:
    for child in tbl.iterchildren():
        if child.tag == W_TR:
            yield child
        elif child.tag == W_SDT:
            for content in child.iterchildren(W_SDTCONTENT):
                yield from _tr_children(content)
        elif child.tag == W_CUSTOMXML:
            yield from _tr_children(child)


def _tc_children(tr: Any) -> Iterator[Any]:
    for child in tr.iterchildren():
        if child.tag == W_TC:
            yield child
        elif child.tag == W_SDT:
            for content in child.iterchildren(W_SDTCONTENT):
                yield from _tc_children(content)
        elif child.tag == W_CUSTOMXML:
            yield from _tc_children(child)


def table_rows(tbl: Any) -> tuple[list[list[str]], list[MergedRange]]:
    """The table as a filled text matrix plus its merged ranges."""
    texts: list[str] = []
    owner_rows: list[dict[int, int]] = []
    above: dict[int, int] = {}
    for tr in _tr_children(tbl):
        trpr = tr.find(W_TRPR)
        col = _int_val(trpr.find(W_GRIDBEFORE) if trpr is not None else None, 0, _MAX_COLUMNS)
        here: dict[int, int] = {}
        for tc in _tc_children(tr):
            if col >= _MAX_COLUMNS:
                break
            tcpr = tc.find(W_TCPR)
            span = 1
            vmerge = hmerge = None
            if tcpr is not None:
                span = max(_int_val(tcpr.find(W_GRIDSPAN), 1, _MAX_COLUMNS), 1)
                vm = tcpr.find(W_VMERGE)
                if vm is not None:
                    vmerge = vm.get(W_VAL, "continue")
                hm = tcpr.find(W_HMERGE)
                if hm is not None:
                    hmerge = hm.get(W_VAL, "continue")
            owner = None
            if vmerge == "continue":
                owner = above.get(col)
            elif hmerge == "continue":
                owner = here.get(col - 1)
            if owner is None:
                owner = len(texts)
                texts.append(cell_text(tc))
            for c in range(col, min(col + span, _MAX_COLUMNS)):
                here[c] = owner
            col += span
        owner_rows.append(here)
        above = here

    width = max((max(row) + 1 for row in owner_rows if row), default=0)
    check_size(len(owner_rows), width)
    rows: list[list[str]] = []
    boxes: dict[int, list[int]] = {}  # owner -> [r0, c0, r1, c1, cells]
    for r, here in enumerate(owner_rows):
        row = [""] * width
        for c, owner in here.items():
            row[c] = texts[owner]
            box = boxes.get(owner)
            if box is None:
                boxes[owner] = [r, c, r, c, 1]
            else:
                box[0] = min(box[0], r)
                box[1] = min(box[1], c)
                box[2] = max(box[2], r)
                box[3] = max(box[3], c)
                box[4] += 1
        rows.append(row)
    merged: list[MergedRange] = []
    for r0, c0, r1, c1, cells in boxes.values():
        if cells > 1 and cells == (r1 - r0 + 1) * (c1 - c0 + 1):
            merged.append((r0, c0, r1, c1))
    return rows, merged
