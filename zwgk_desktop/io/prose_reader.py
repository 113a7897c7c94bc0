"""Notices without a task table: the paragraphs of a Word .docx or a .txt, read as
工作要点 by :mod:`core.work_points`.

``read_plan_or_prose`` is the one door the command line and the import wizard use:
a file with a task table reads as a table (io/table_reader.py); a .docx or .txt without
one is read as prose; ``prose=True`` skips the table and reads the prose. A file that
is neither says so plainly (FileReadError, exit 2 on the command line).

.docx files go through the same package checks as tables (CRC of every part, zip
bombs, XML entities) before python-docx opens them; text is decoded as UTF-8 or
GB18030 (what Chinese Windows Notepad saves) by the CSV reader's decoder.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import FileReadError
from ..core.model import ParsedPlan
from ..core.plan_import import reading_doubts, sha256_of
from ..core.work_points import Draft, draft_to_plan, read_work_points
from .grid import Workbook
from .read_support import MSG_DAMAGED_WORD, MSG_NO_CONTENT, MSG_NO_TABLE_DOCX, fail, read_file_bytes
from .readers import check_zip_parts, read_workbook
from .table_reader import ReadOptions, read_plan

__all__ = ["NOT_WORK_POINTS", "PlanReading", "prose_doubts", "read_paragraphs", "read_plan_or_prose",
           "read_prose_draft", "workbook_or_draft"]

log = logging.getLogger(__name__)

PROSE_EXTS = frozenset({".docx", ".txt", ".text", ".htm", ".html", ""})
NOT_WORK_POINTS = (
    "文件中既没有任务分解表,也没有认出工作要点(没有“一、”“(一)”“1.”这样的标题,也没有“(责任单位:……)”)",
    "请选择任务分解表(.xlsx/.xls/.docx/.csv),或印发工作要点的通知原文(.docx/.txt)",
)
# Problems of the table reader that mean "there is no task table here" (so prose may be).
_NO_TASK_COLUMN = "无法确定哪一列是任务的具体要求"  # a table, but not a task table (a contact list)
_NO_TABLE_PROBLEMS = ("没有找到表头", "找到了表头,但表头下面没有任何任务", "文件里没有任何表格内容",
                      MSG_NO_TABLE_DOCX[0], MSG_NO_CONTENT[0], _NO_TASK_COLUMN)


@dataclass(slots=True)
class PlanReading:
    """What a file gave: the plan, the file's SHA-256, and the draft when it was prose."""

    plan: ParsedPlan
    digest: str
    draft: Draft | None = None

    @property
    def is_prose(self) -> bool:
        return self.draft is not None


def read_paragraphs(path: str | Path) -> list[str]:
    """The text of a .docx (its body paragraphs, tables left out) or a .txt, one
    paragraph per item. Raises FileReadError for files that are neither."""
    path = Path(path)
    data = read_file_bytes(path)  # the shared size limit and plain messages
    if not data:
        raise fail(path, ("文件是空的(0 字节)", "文件可能没有下载或拷贝完整,请重新获取后再导入"))
    if data[:4] == b"PK\x03\x04":
        check_zip_parts(path, data)
        return _docx_paragraphs(path, data)
    from .csv_reader import decode_text, looks_binary

    text = decode_text(data)
    if text is None or looks_binary(text):
        raise fail(path, NOT_WORK_POINTS)
    if _HTML_RE.search(text[:4096]):
        return _html_paragraphs(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


_HTML_RE = re.compile(r"<\s*(html|body|p|div|br)\b", re.IGNORECASE)
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                         "section", "article", "ul", "ol", "dd", "dt", "title", "header", "footer"})


def _html_paragraphs(text: str) -> list[str]:
    """A web page saved as a file: its text, a paragraph per block (scripts and styles left out)."""
    from html.parser import HTMLParser

    paragraphs: list[str] = []
    current: list[str] = []
    skipping = [0]

    def flush() -> None:
        joined = "".join(current).strip()
        if joined:
            paragraphs.append(" ".join(joined.split()))
        current.clear()

    class _Text(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in ("script", "style"):
                skipping[0] += 1
            elif tag in _BLOCK_TAGS:
                flush()

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style"):
                skipping[0] = max(skipping[0] - 1, 0)
            elif tag in _BLOCK_TAGS:
                flush()

        def handle_data(self, data: str) -> None:
            if not skipping[0]:
                current.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(text)
    parser.close()
    flush()
    return paragraphs


def _docx_paragraphs(path: Path, data: bytes) -> list[str]:
    import docx

    from .docx_reader import W_P, W_SDT, W_SDTCONTENT, W_TBL, paragraph_text

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in zf.namelist():
                raise fail(path, NOT_WORK_POINTS)
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except FileReadError:
        raise
    except Exception as exc:
        log.debug("python-docx could not open %s", path, exc_info=True)
        raise fail(path, MSG_DAMAGED_WORD) from exc

    paragraphs: list[str] = []
    try:
        numbers = _Numbering(document)
    except Exception:
        log.debug("numbering of %s not read", path, exc_info=True)
        numbers = None

    def walk(parent: Any) -> None:
        for child in parent.iterchildren():
            if child.tag == W_P:
                text = paragraph_text(child)
                if numbers is not None and text:
                    text = numbers.label(child) + text
                paragraphs.append(text)
            elif child.tag == W_SDT:
                for content in child.iterchildren(W_SDTCONTENT):
                    walk(content)
            elif child.tag == W_TBL:
                paragraphs.append("")  # a table ends the paragraph before it

    try:
        walk(body)
    except Exception as exc:
        raise fail(path, MSG_DAMAGED_WORD) from exc
    return paragraphs


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(elem: Any, tag: str, default: str | None = None) -> str | None:
    found = elem.find(_W + tag) if elem is not None else None
    return found.get(_W + "val", default) if found is not None else default


class _Numbering:
    """Word's automatic numbering (一、 (一) 1. ① generated by Word, not typed): the
    label each numbered paragraph shows, counted in document order."""

    _CN = "零一二三四五六七八九"

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstract id -> ilvl -> (fmt, text, start)
        self.nums: dict[str, str] = {}  # numId -> abstract id
        self.styles: dict[str, tuple[str, int]] = {}  # styleId -> (numId, ilvl)
        root = document.part.numbering_part.element
        for abstract in root.iterchildren(_W + "abstractNum"):
            levels = {}
            for lvl in abstract.iterchildren(_W + "lvl"):
                start = _val(lvl, "start", "1") or "1"
                levels[int(lvl.get(_W + "ilvl", "0"))] = (
                    _val(lvl, "numFmt", "decimal") or "decimal", _val(lvl, "lvlText", "") or "",
                    int(start) if start.isdigit() else 1)
            self.levels[abstract.get(_W + "abstractNumId", "")] = levels
        for num in root.iterchildren(_W + "num"):
            self.nums[num.get(_W + "numId", "")] = _val(num, "abstractNumId", "") or ""
        for style in document.styles.element.iterchildren(_W + "style"):
            ppr = style.find(_W + "pPr")
            numpr = ppr.find(_W + "numPr") if ppr is not None else None
            if numpr is not None:
                self.styles[style.get(_W + "styleId", "")] = (_val(numpr, "numId", "0") or "0",
                                                              int(_val(numpr, "ilvl", "0") or 0))
        self.counts: dict[str, dict[int, int]] = {}

    def label(self, p: Any) -> str:
        ppr = p.find(_W + "pPr")
        numpr = ppr.find(_W + "numPr") if ppr is not None else None
        if numpr is not None:
            num_id, ilvl = _val(numpr, "numId", "0") or "0", int(_val(numpr, "ilvl", "0") or 0)
        else:
            style = _val(ppr, "pStyle") if ppr is not None else None
            if style not in self.styles:
                return ""
            num_id, ilvl = self.styles[style]
        abstract = self.nums.get(num_id)
        levels = self.levels.get(abstract or "")
        if not levels or ilvl not in levels:
            return ""
        counts = self.counts.setdefault(abstract or "", {})
        counts[ilvl] = counts.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        fmt, text, _ = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""
        for level in range(9):
            if f"%{level + 1}" in text:
                lfmt, _, lstart = levels.get(level, ("decimal", "", 1))
                text = text.replace(f"%{level + 1}", self._format(counts.get(level, lstart), lfmt))
        return text.strip()

    @classmethod
    def _format(cls, n: int, fmt: str) -> str:
        if fmt.startswith(("chineseCounting", "ideographTraditional", "taiwaneseCounting", "japaneseCounting")):
            if n < 10:
                return cls._CN[n]
            tens, ones = divmod(n, 10)
            return (cls._CN[tens] if tens > 1 else "") + "十" + (cls._CN[ones] if ones else "")
        if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
            return chr(0x2460 + n - 1)
        if fmt == "decimalFullWidth":
            return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
        if fmt in ("lowerLetter", "upperLetter") and 1 <= n <= 26:
            return chr((0x61 if fmt == "lowerLetter" else 0x41) + n - 1)
        return str(n)


def read_prose_draft(path: str | Path) -> Draft:
    """The draft of a notice's work points; FileReadError when it holds none."""
    path = Path(path)
    draft = read_work_points(read_paragraphs(path), path.name)
    if not draft.recognised:
        raise fail(path, NOT_WORK_POINTS)
    return draft


def read_plan_or_prose(path: str | Path, options: ReadOptions | None = None, *,
                       prose: bool | None = None) -> PlanReading:
    """A table if the file has one, else the work points as prose (``prose=True``:
    prose only; ``prose=False``: table only)."""
    path = Path(path)
    options = options or ReadOptions()
    table_error: FileReadError | None = None
    workbook: Workbook | None = None
    if not prose:
        try:
            workbook = read_workbook(path)
            plan = read_plan(workbook, options)
            return PlanReading(plan, _digest(path))
        except FileReadError as exc:
            if prose is False or path.suffix.lower() not in PROSE_EXTS or not exc.problem.startswith(_NO_TABLE_PROBLEMS):
                raise
            table_error = exc
    try:
        draft = read_prose_draft(path)
    except FileReadError as exc:
        # No work points either: a table whose columns were not recognised says how to
        # name them (--map); a file with no table at all says it is neither.
        if table_error is not None and (table_error.problem.startswith(_NO_TASK_COLUMN)
                                        or _has_big_table(workbook)):
            raise table_error from exc
        raise
    if table_error is not None and not _prose_beats_table(draft, workbook):
        raise table_error
    plan = draft_to_plan(draft, year=options.year, source_name=path.name,
                         default_deadline=options.default_deadline, today=options.today)
    return PlanReading(plan, _digest(path), draft)


def _digest(path: Path) -> str:
    try:
        return sha256_of(path)
    except OSError as exc:
        raise FileReadError(path, f"读取文件时出错({exc.strerror or exc})",
                            "请确认文件没有被移动或删除,然后重试。") from exc


def prose_doubts(plan: ParsedPlan) -> list[str]:
    """:func:`plan_import.reading_doubts` for a plan read from prose. Tasks without a
    unit are what the text says (each is flagged and counted in the warnings), not a
    sign of columns taken for the wrong meaning, so they do not stop the import."""
    return [d for d in reading_doubts(plan) if "没有读到责任单位" not in d]


def workbook_or_draft(path: str | Path) -> Workbook | Draft:
    """For the import wizard: the file's tables, or the draft of its work points when
    it is a .docx/.txt with no task table but with work points. Errors as the table
    reader gives them (a file that is neither: the table reader's message)."""
    path = Path(path)
    prose_ok = path.suffix.lower() in PROSE_EXTS
    try:
        workbook = read_workbook(path)
    except FileReadError as exc:
        if prose_ok and exc.problem.startswith(_NO_TABLE_PROBLEMS):
            draft = _draft_or_none(path)
            if draft is not None:
                return draft
        raise
    if prose_ok and workbook.kind != "spreadsheet":
        try:
            read_plan(workbook, ReadOptions())
        except FileReadError as exc:
            if exc.problem.startswith(_NO_TABLE_PROBLEMS):
                draft = _draft_or_none(path)
                if draft is not None and _prose_beats_table(draft, workbook):
                    return draft
    return workbook


def _has_big_table(workbook: Workbook | None) -> bool:
    """A Word table of some size: a task table whose header was not recognised, more
    likely than a contact list (the clerk names its columns)."""
    return workbook is not None and workbook.kind == "document" and any(
        grid.height >= 6 and grid.width >= 3 for grid in workbook.grids)


def _prose_beats_table(draft: Draft, workbook: Workbook | None) -> bool:
    """Read the prose rather than a table the reader could not place: unless the file
    has a sizable table and its text is only a cover letter (no duty, few tasks)."""
    return not _has_big_table(workbook) or draft.duty_count > 0 or len(draft.tasks) >= 5


def _draft_or_none(path: Path) -> Draft | None:
    try:
        return read_prose_draft(path)
    except FileReadError:
        return None
