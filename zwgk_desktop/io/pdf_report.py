"""The 季度报告 as a PDF (reportlab), from a :class:`~zwgk_desktop.core.report_data.ReportData`.

Layout (GB/T 9704 proportions): A4, top margin 37 mm, left 28 mm, text block 156×225 mm;
title 22 pt in the 小标宋/宋体 face, body 16 pt 仿宋 on a 22-line grid, headings 黑体,
page numbers "— 1 —" 14 pt, 7 mm below the text block, odd pages right, even pages left,
one character in. The main part (title, 总体情况 with the table by section, the chart and
the table by unit, 逾期未完成任务, 附件 note, sign-off) is portrait; the detail table (附件)
is on landscape pages whose margins are the portrait ones turned (text block 225×156 mm).

Text: the small tables are reportlab ``Table``s (``repeatRows=1, splitInRow=1``) with a
``Paragraph(wordWrap='CJK')`` in every cell. reportlab's CJK wrapping keeps the characters
of ``ALL_CANNOT_START`` off the start of a line (it lets one hang into the margin), but its
list lacks the full-width ,;:?! and closing quotes, and it starts the next line with a
second closer (“（牵头）、” breaks before “、”): :func:`patch_line_breaking` adds the
characters in both modules that read the list and replaces its two splitters with
versions that move the break back instead. The long tables (the detail table and the
overdue list) are drawn by :class:`_Grid`, which lays every cell out once with the same
rules and paginates by the computed heights; see the note above it for why.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from reportlab.graphics.shapes import Drawing, String
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether,
                                NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer, Table,
                                TableStyle)

from ..core.limits import fit_text
from ..core.report_data import GroupRow, ReportData, cn_date, format_rate, summary_sentences, zh
from .output_files import write_error
from .pdf_fonts import FontSet, load_font_set

__all__ = ["CANNOT_START_EXTRA", "RenderResult", "patch_line_breaking", "render_report", "report_bytes"]

# Full-width punctuation that must not start a line (written as escapes on purpose:
# tools turn the literal characters into ASCII). reportlab already has 、。）」』】〕.
CANNOT_START_EXTRA = (
    "\uff0c"  # ，
    "\uff1b"  # ；
    "\uff1a"  # ：
    "\uff1f"  # ？
    "\uff01"  # ！
    "\uff0e"  # ．
    "\u300b"  # 》
    "\u3009"  # 〉
    "\u201d"  # ”
    "\u2019"  # ’
    "\u2026"  # …
    "\uff5d"  # ｝
    "\uff3d"  # ］
    "\u3017"  # 〗
    "\u3011"  # 】
)
# Opening brackets and quotes that must not end a line (reportlab's own list has most).
CANNOT_END_EXTRA = "\uff08\u300a\u201c\u2018\u3008\u3010\u3014\u3016\u300c\u300e"
_patch_lock = threading.Lock()


def patch_line_breaking() -> None:
    """Teach reportlab's CJK wrapping the Chinese line-start rules (idempotent).

    * The full-width closers join ``ALL_CANNOT_START``, in both modules that read it
      (``reportlab.platypus.paragraph`` imported the string by name).
    * reportlab lets one closer hang into the margin but then starts the next line with
      a second one ("（牵头）、" breaks before "、"); and it ends lines with an opening
      bracket. Its splitter is replaced by :func:`_cjk_frag_split`, which moves the break
      back instead. Only when that reportlab's helpers are where we expect them.
    """
    import reportlab.lib.textsplit as textsplit
    import reportlab.platypus.paragraph as paragraph

    with _patch_lock:
        current = textsplit.ALL_CANNOT_START
        extra = "".join(ch for ch in CANNOT_START_EXTRA if ch not in current)
        if extra:
            textsplit.ALL_CANNOT_START = current + extra
        if paragraph.ALL_CANNOT_START != textsplit.ALL_CANNOT_START:
            paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START
        if paragraph.cjkFragSplit is not _cjk_frag_split and all(
                hasattr(paragraph, name) for name in ("cjkU", "makeCJKParaLine", "ParaLines", "_FUZZ")):
            paragraph.cjkFragSplit = _cjk_frag_split
        # A paragraph of one run of text takes another road: wordSplit -> dumbSplit.
        if textsplit.dumbSplit is not _dumb_split and hasattr(textsplit, "_FUZZ"):
            textsplit.dumbSplit = _dumb_split


def _kinsoku(chars, i: int, line_start: int, cannot_start: str, cannot_end: str) -> int:
    """Move a line break at ``i`` (the next line's first character) back so the next
    line starts with no closer and this one ends with no opener, keeping at least one
    character on this line."""
    j = i
    n = len(chars)
    while line_start + 1 < j < n and chars[j] and chars[j] in cannot_start:
        j -= 1
    while line_start + 1 < j and chars[j - 1] and chars[j - 1] in cannot_end:
        j -= 1
    return j


def _dumb_split(word, widths, maxWidths):
    """reportlab's ``textsplit.dumbSplit`` (BSD licence, ReportLab Inc.) with the same
    line-start rules as :func:`_cjk_frag_split`."""
    import reportlab.lib.textsplit as T
    from unicodedata import category

    cannot_start = T.ALL_CANNOT_START
    cannot_end = T.ALL_CANNOT_END + CANNOT_END_EXTRA
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    lines = []
    i = widthUsed = lineStartPos = 0
    maxWidth = maxWidths[0]
    nW = len(word)
    while i < nW:
        w = widths[i]
        c = word[i]
        widthUsed += w
        i += 1
        if widthUsed > maxWidth + T._FUZZ and widthUsed > 0:
            extraSpace = maxWidth - widthUsed
            if ord(c) < 0x3000:
                limitCheck = (lineStartPos + i) >> 1
                for j in range(i - 1, limitCheck, -1):
                    cj = word[j]
                    if category(cj) == "Zs" or ord(cj) >= 0x3000:
                        k = j + 1
                        if k < i:
                            j = k + 1
                            extraSpace += sum(widths[j:i])
                            w = widths[k]
                            c = word[k]
                            i = j
                            break
            if c not in cannot_start and i > lineStartPos + 1:
                i -= 1
                extraSpace += w
            j = _kinsoku(word, i, lineStartPos, cannot_start, cannot_end)
            if lineStartPos < j < i:
                extraSpace += sum(widths[j:i])
                i = j
            lines.append([extraSpace, word[lineStartPos:i].strip()])
            try:
                maxWidth = maxWidths[len(lines)]
            except IndexError:
                maxWidth = maxWidths[-1]
            lineStartPos = i
            widthUsed = 0
    if widthUsed > 0:
        lines.append([maxWidth - widthUsed, word[lineStartPos:]])
    return lines


def _cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):
    """reportlab's ``cjkFragSplit`` (BSD licence, ReportLab Inc.) with the break
    moved back so that no line starts with a closer or ends with an opener."""
    import reportlab.platypus.paragraph as P
    from unicodedata import category

    cannot_start = P.ALL_CANNOT_START
    cannot_end = P.ALL_CANNOT_END if hasattr(P, "ALL_CANNOT_END") else ""
    cannot_end = cannot_end + CANNOT_END_EXTRA
    U = []
    for f in frags:
        text = f.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if text:
            U.extend([P.cjkU(t, f, encoding) for t in text])
        else:
            U.append(P.cjkU(text, f, encoding))
    lines = []
    i = widthUsed = lineStartPos = 0
    maxWidth = maxWidths[0]
    nU = len(U)
    while i < nU:
        u = U[i]
        i += 1
        w = u.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = maxWidth
            w = w.normalizedValue(maxWidth)
        widthUsed += w
        lineBreak = hasattr(u.frag, "lineBreak")
        endLine = (widthUsed > maxWidth + P._FUZZ and widthUsed > 0) or lineBreak
        if endLine:
            extraSpace = maxWidth - widthUsed
            if not lineBreak:
                if ord(u) < 0x3000 if u else False:
                    # inside a run of Latin text: go back to a space or a CJK character
                    limitCheck = (lineStartPos + i) >> 1
                    for j in range(i - 1, limitCheck, -1):
                        uj = U[j]
                        if uj and category(uj) == "Zs" or (uj and ord(uj) >= 0x3000):
                            k = j + 1
                            if k < i:
                                j = k + 1
                                extraSpace += sum(U[ii].width for ii in range(j, i))
                                w = U[k].width
                                u = U[k]
                                i = j
                                break
                if not (u and u in cannot_start) and i > lineStartPos + 1:
                    i -= 1  # push the character to the next line
                    extraSpace += w
                # i is where the next line starts: never with a closer (one closer may
                # hang, as above), never after an opener.
                j = _kinsoku(U, i, lineStartPos, cannot_start, cannot_end)
                if lineStartPos < j < i:
                    moved = sum(U[k].width for k in range(j, i))
                    extraSpace += moved
                    widthUsed -= moved
                    i = j
                if i < nU and hasattr(U[i].frag, "lineBreak"):
                    i += 1  # the line was full anyway: its <br/> must not make an empty line
                    lineBreak = True
            lines.append(P.makeCJKParaLine(U[lineStartPos:i], maxWidth, widthUsed, extraSpace, lineBreak,
                                           calcBounds))
            try:
                maxWidth = maxWidths[len(lines)]
            except IndexError:
                maxWidth = maxWidths[-1]
            lineStartPos = i
            widthUsed = 0
    if widthUsed > 0:
        lines.append(P.makeCJKParaLine(U[lineStartPos:], maxWidth, widthUsed, maxWidth - widthUsed, False,
                                       calcBounds))
    return P.ParaLines(kind=1, lines=lines)


# -- geometry (GB/T 9704) ---------------------------------------------------------------------

PORTRAIT = A4
LANDSCAPE = landscape(A4)
P_LEFT, P_TOP, P_WIDTH, P_HEIGHT = 28 * mm, 37 * mm, 156 * mm, 225 * mm
P_BOTTOM = PORTRAIT[1] - P_TOP - P_HEIGHT  # 35 mm
# Landscape: the portrait page turned clockwise, so its margins turn with it.
L_LEFT, L_BOTTOM, L_WIDTH, L_HEIGHT = 35 * mm, 26 * mm, 225 * mm, 156 * mm

TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE = 22, 16, 14
BODY_LEADING = P_HEIGHT / 22  # 22 lines on a page, as the standard sets
TABLE_SIZE, TABLE_LEADING = 10.5, 14.5
PAD = 3
EM_DASH = "\u2014"
_TABLE_START = 100  # a table's caption goes to the next page unless its header and a few rows fit


@dataclass(slots=True)
class RenderResult:
    pages: int
    missing: str  # a sentence for the clerk about characters no font has ("" if none)
    missing_chars: list[str]
    fonts: dict[str, str]
    path: Path | None = None


class _Doc(BaseDocTemplate):
    def __init__(self, target: BinaryIO, data: ReportData, fonts: FontSet) -> None:
        super().__init__(target, pagesize=PORTRAIT, leftMargin=P_LEFT, rightMargin=PORTRAIT[0] - P_LEFT - P_WIDTH,
                         topMargin=P_TOP, bottomMargin=P_BOTTOM, title=data.title,
                         author=data.title_unit or "", subject=f"{data.quarter.label}政务公开重点工作任务落实情况",
                         creator="政务公开任务台账 zwgk-desktop", invariant=1,
                         initialFontName=fonts.font("body"), initialFontSize=BODY_SIZE)
        self.fonts = fonts
        portrait = Frame(P_LEFT, P_BOTTOM, P_WIDTH, P_HEIGHT, 0, 0, 0, 0, id="portrait")
        wide = Frame(L_LEFT, L_BOTTOM, L_WIDTH, L_HEIGHT, 0, 0, 0, 0, id="landscape")
        self.addPageTemplates([
            PageTemplate("portrait", [portrait], onPage=self._page_number, pagesize=PORTRAIT),
            PageTemplate("landscape", [wide], onPage=self._page_number, pagesize=LANDSCAPE),
        ])

    def _page_number(self, canvas, doc) -> None:
        number = f"{EM_DASH} {doc.page} {EM_DASH}"
        font = self.fonts.font("title")
        wide = canvas._pagesize[0] > canvas._pagesize[1]
        left, width, bottom = (L_LEFT, L_WIDTH, L_BOTTOM) if wide else (P_LEFT, P_WIDTH, P_BOTTOM)
        y = bottom - 7 * mm - PAGE_NUMBER_SIZE * 0.8
        canvas.saveState()
        canvas.setFont(font, PAGE_NUMBER_SIZE)
        if doc.page % 2:
            canvas.drawRightString(left + width - PAGE_NUMBER_SIZE, y, number)
        else:
            canvas.drawString(left + PAGE_NUMBER_SIZE, y, number)
        canvas.restoreState()


class _Styles:
    def __init__(self, fonts: FontSet) -> None:
        title, body, heading, kai = (fonts.font(r) for r in ("title", "body", "heading", "kai"))
        base = dict(wordWrap="CJK", allowWidows=1, allowOrphans=1)
        self.title = ParagraphStyle("title", fontName=title, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.5,
                                    alignment=TA_CENTER, spaceAfter=BODY_LEADING * 0.4, **base)
        self.subtitle = ParagraphStyle("subtitle", fontName=kai, fontSize=14, leading=BODY_LEADING * 0.8,
                                       alignment=TA_CENTER, **base)
        self.heading = ParagraphStyle("heading", fontName=heading, fontSize=BODY_SIZE, leading=BODY_LEADING,
                                      firstLineIndent=2 * BODY_SIZE, spaceBefore=BODY_LEADING * 0.3,
                                      keepWithNext=1, **base)
        self.body = ParagraphStyle("body", fontName=body, fontSize=BODY_SIZE, leading=BODY_LEADING,
                                   firstLineIndent=2 * BODY_SIZE, alignment=TA_JUSTIFY, **base)
        self.caption = ParagraphStyle("caption", fontName=heading, fontSize=12, leading=18, alignment=TA_CENTER,
                                      spaceBefore=6, spaceAfter=4, **base)
        self.cell = ParagraphStyle("cell", fontName=body, fontSize=TABLE_SIZE, leading=TABLE_LEADING,
                                   alignment=TA_LEFT, **base)
        self.cell_center = ParagraphStyle("cell_center", parent=self.cell, alignment=TA_CENTER)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=heading, alignment=TA_CENTER)
        self.cell_section = ParagraphStyle("cell_section", parent=self.cell, fontName=heading)
        self.cell_subsection = ParagraphStyle("cell_subsection", parent=self.cell, fontName=kai)
        self.attachment = ParagraphStyle("attachment", fontName=heading, fontSize=BODY_SIZE, leading=BODY_LEADING,
                                         **base)
        self.attachment_title = ParagraphStyle("attachment_title", parent=self.title, fontSize=18, leading=27)
        self.sign = ParagraphStyle("sign", fontName=body, fontSize=BODY_SIZE, leading=BODY_LEADING, **base)


_GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LEFTPADDING", (0, 0), (-1, -1), PAD),
    ("RIGHTPADDING", (0, 0), (-1, -1), PAD + 2),  # room for punctuation hanging at a line end
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
]


# -- the long tables ---------------------------------------------------------------------------
#
# The detail table of a 5,000-task plan runs to ~1,000 pages. reportlab's Table with a
# Paragraph in every cell took 35 s for it here (row heights and spans are recomputed
# for the rest of the table at every page break, and each of 35,000 Paragraphs is
# parsed, measured with stringWidth per character, wrapped several times and drawn):
# ten times the LibreOffice conversion this report is measured against. _Grid lays
# every cell out once, with the fonts' width tables and the same line-breaking rules
# (no ,;:?!、。）》” at a line start, no （《“ at a line end, one closer may hang), and
# paginates by the computed heights: the header row is repeated on every page, a row
# that does not fit moves to the next page whole, and a row taller than a page is
# split between lines, so no text is lost.

_CELL_PAD_LEFT, _CELL_PAD_RIGHT, _CELL_PAD_TOP, _CELL_PAD_BOTTOM = 3.0, 6.5, 2.5, 3.0
_HEADER_FILL = colors.HexColor("#e8e8e8")
_SECTION_FILLS = (colors.HexColor("#ececec"), colors.HexColor("#f6f6f6"))

Segment = tuple[str, str]  # (text, font role)
Line = tuple[float, list[tuple[str, str]]]  # (width, [(font name, text)])


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


class _TextLayout:
    """Breaks text into lines of a given width, Chinese rules included."""

    def __init__(self, fonts: FontSet, size: float) -> None:
        self.fonts = fonts
        self.size = size
        self._metrics: dict[str, tuple[dict[int, float], float]] = {}
        import reportlab.lib.textsplit as textsplit

        patch_line_breaking()
        self.cannot_start = frozenset(textsplit.ALL_CANNOT_START)
        self.cannot_end = frozenset(textsplit.ALL_CANNOT_END + CANNOT_END_EXTRA)

    def _widths(self, font: str) -> tuple[dict[int, float], float]:
        if font not in self._metrics:
            face = pdfmetrics.getFont(font).face
            scale = self.size / 1000.0
            self._metrics[font] = ({code: w * scale for code, w in face.charWidths.items()},
                                   face.defaultWidth * scale)
        return self._metrics[font]

    def lines(self, segments: list[Segment], width: float, where: str = "") -> list[Line]:
        chars: list[str] = []
        fonts: list[str] = []
        widths: list[float] = []
        for number, (text, role) in enumerate(segments):
            if number and chars:
                chars.append("\n")
                fonts.append("")
                widths.append(0.0)
            for font, piece in self.fonts.runs(text.replace("\r\n", "\n").replace("\r", "\n")
                                               .replace("\t", " "), role, where):
                table, default = self._widths(font)
                get = table.get
                chars.extend(piece)
                fonts.extend([font] * len(piece))
                widths.extend([get(ord(ch), default) for ch in piece])
        return self._break(chars, fonts, widths, width)

    def _break(self, chars: list[str], fonts: list[str], widths: list[float], width: float) -> list[Line]:
        n = len(chars)
        spans: list[tuple[int, int]] = []
        cannot_start, cannot_end = self.cannot_start, self.cannot_end
        start = i = 0
        used = 0.0
        limit = width + 0.01
        while i < n:
            ch = chars[i]
            if ch == "\n":
                spans.append((start, i))
                i += 1
                start, used = i, 0.0
                continue
            w = widths[i]
            if used + w <= limit or i == start:
                used += w
                i += 1
                continue
            brk = i
            if ch in cannot_start:
                brk = i + 1  # one closer hangs into the padding
            elif _is_word_char(ch) and _is_word_char(chars[i - 1]):
                k, half = i - 1, (start + i) // 2  # inside a Latin word: go back to its start
                while k > half and _is_word_char(chars[k - 1]):
                    k -= 1
                if k > half:
                    brk = k
            while start + 1 < brk < n and chars[brk] in cannot_start:
                brk -= 1
            while start + 1 < brk and chars[brk - 1] in cannot_end:
                brk -= 1
            spans.append((start, brk))
            start = brk
            while start < n and chars[start] == " ":
                start += 1
            if start < n and chars[start] == "\n":  # the line was full anyway: no empty line
                start += 1
            i, used = start, 0.0
        if start < n or not spans:
            spans.append((start, n))
        result: list[Line] = []
        for a, b in spans:
            while b > a and chars[b - 1] == " ":
                b -= 1
            runs: list[tuple[str, str]] = []
            j = a
            while j < b:
                font = fonts[j]
                k = j + 1
                while k < b and fonts[k] == font:
                    k += 1
                runs.append((font, "".join(chars[j:k])))
                j = k
            result.append((sum(widths[a:b]), runs))
        return result


class _Row:
    __slots__ = ("cells", "height", "section", "top")

    def __init__(self, cells: list[tuple[list[Line], str]], height: float, section: int = -1,
                 top: bool = False) -> None:
        self.cells = cells  # per column (one for a section row): lines, alignment
        self.height = height
        self.section = section  # -1 for a task row, else the section level
        self.top = top  # a piece of a split row: set from the top, not centred

    def split(self, avail: float, leading: float) -> tuple["_Row", "_Row"] | None:
        keep = int((avail - _CELL_PAD_TOP - _CELL_PAD_BOTTOM) // leading)
        if keep < 1:
            return None
        first = [(lines[:keep], align) for lines, align in self.cells]
        rest = [(lines[keep:], align) for lines, align in self.cells]
        tall = max(len(lines) for lines, _ in rest)
        if tall == 0:
            return None
        pads = _CELL_PAD_TOP + _CELL_PAD_BOTTOM
        return (_Row(first, keep * leading + pads, self.section, True),
                _Row(rest, tall * leading + pads, self.section, True))


class _Grid(Flowable):
    """A table drawn from laid-out rows; ``split`` hands out one page at a time."""

    def __init__(self, widths: list[float], header: _Row, rows: list[_Row], frame_height: float,
                 size: float, leading: float) -> None:
        super().__init__()
        self.widths = widths
        self.header = header
        self.rows = rows
        self.frame_height = frame_height
        self.size = size
        self.leading = leading
        self.width = sum(widths)
        self.height = header.height + sum(r.height for r in rows)

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def _part(self, rows: list[_Row]) -> "_Grid":
        return _Grid(self.widths, self.header, rows, self.frame_height, self.size, self.leading)

    def split(self, availWidth, availHeight):
        avail = availHeight - self.header.height
        used, k = 0.0, 0
        for row in self.rows:
            if used + row.height > avail + 0.01:
                break
            used += row.height
            k += 1
        if k == len(self.rows):
            return [self]
        row = self.rows[k]
        if self.header.height + row.height > self.frame_height:
            # taller than a page: it starts here and runs on (not after a blank page end)
            pieces = row.split(avail - used, self.leading)
            if pieces:
                return [self._part([*self.rows[:k], pieces[0]]), self._part([pieces[1], *self.rows[k + 1:]])]
        while k > 0 and self.rows[k - 1].section >= 0:  # no section label alone at a page end
            k -= 1
        if k > 0:
            return [self._part(self.rows[:k]), self._part(self.rows[k:])]
        return []

    def draw(self) -> None:
        canvas = self.canv
        text = canvas.beginText()
        state = {"font": None}
        y = self.height
        lines_at: list[float] = [y]
        for row in [self.header, *self.rows]:
            top = y
            y -= row.height
            if row is self.header:
                canvas.setFillColor(_HEADER_FILL)
                canvas.rect(0, y, self.width, row.height, stroke=0, fill=1)
            elif row.section >= 0:
                canvas.setFillColor(_SECTION_FILLS[min(row.section, 1)])
                canvas.rect(0, y, self.width, row.height, stroke=0, fill=1)
            self._row_text(text, state, row, top)
            lines_at.append(y)
        canvas.setFillColor(colors.black)
        canvas.drawText(text)
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.5)
        path = canvas.beginPath()
        for at in lines_at:
            path.moveTo(0, at)
            path.lineTo(self.width, at)
        xs = [0.0]
        for w in self.widths:
            xs.append(xs[-1] + w)
        # Column rules run down each stretch of task rows (not across section rows).
        y = self.height
        stretch_top = None
        for row in [self.header, *self.rows, None]:
            if row is None or row.section >= 0:
                if stretch_top is not None and stretch_top > y:
                    for x in xs[1:-1]:
                        path.moveTo(x, stretch_top)
                        path.lineTo(x, y)
                stretch_top = None
            elif stretch_top is None:
                stretch_top = y
            if row is not None:
                y -= row.height
        for x in (xs[0], xs[-1]):
            path.moveTo(x, self.height)
            path.lineTo(x, 0)
        canvas.drawPath(path, stroke=1, fill=0)

    def _row_text(self, text, state, row: _Row, top: float) -> None:
        """Each cell's lines: a left-aligned cell is placed once and steps down by the
        leading (T*); centred lines are each placed where their width puts them."""
        size, leading = self.size, self.leading
        x0 = 0.0
        widths = self.widths if row.section < 0 else [self.width]
        for (lines, align), width in zip(row.cells, widths):
            if not lines:
                x0 += width
                continue
            block = len(lines) * leading
            offset = _CELL_PAD_TOP if row.top else max(_CELL_PAD_TOP, (row.height - block) / 2)
            baseline = top - offset - (leading - size) / 2 - size * 0.86
            centred = align == "center"
            if not centred:
                text.setTextOrigin(x0 + _CELL_PAD_LEFT, baseline)
            last = len(lines) - 1
            for number, (line_width, runs) in enumerate(lines):
                if centred:
                    text.setTextOrigin(x0 + (width - line_width) / 2, baseline)
                for font, piece in runs:
                    if state["font"] != font:
                        text.setFont(font, size, leading)
                        state["font"] = font
                    text.textOut(piece)
                if not centred and number < last:
                    text.textLine("")  # T*: to the start of the next line
                baseline -= leading
            x0 += width


class _GridBuilder:
    def __init__(self, fonts: FontSet, widths: list[float], size: float = TABLE_SIZE,
                 leading: float = TABLE_LEADING) -> None:
        self.layout = _TextLayout(fonts, size)
        self.widths = widths
        self.size = size
        self.leading = leading
        self.rows: list[_Row] = []

    def _cell(self, segments: list[Segment], width: float, align: str, where: str) -> tuple[list[Line], str]:
        # A note over Excel's cell limit (one written before the limit existed) is cut with
        # a visible remark: a 10 MB note took 380 s and 1.8 GB to lay out.
        segments = [(fit_text(t), r) for t, r in segments if t]
        lines = self.layout.lines(segments, width - _CELL_PAD_LEFT - _CELL_PAD_RIGHT, where) if segments else []
        return lines, align

    def _height(self, cells: list[tuple[list[Line], str]]) -> float:
        return max(1, *(len(lines) for lines, _ in cells)) * self.leading + _CELL_PAD_TOP + _CELL_PAD_BOTTOM

    def header(self, labels: list[str]) -> _Row:
        cells = [self._cell([(label, "heading")], w, "center", "表头") for label, w in zip(labels, self.widths)]
        return _Row(cells, self._height(cells))

    def add(self, cells: list[tuple[list[Segment], str]], where: str = "") -> None:
        laid = [self._cell(segments, w, align, where) for (segments, align), w in zip(cells, self.widths)]
        self.rows.append(_Row(laid, self._height(laid)))

    def add_section(self, label: str, level: int) -> None:
        cell = self._cell([(label, "heading" if level == 0 else "kai")], sum(self.widths), "left", "章节")
        self.rows.append(_Row([cell], self._height([cell]), section=level))

    def build(self, header: list[str], frame_height: float) -> _Grid:
        return _Grid(self.widths, self.header(header), self.rows, frame_height, self.size, self.leading)


class _Writer:
    def __init__(self, data: ReportData, fonts: FontSet) -> None:
        self.data = data
        self.fonts = fonts
        self.s = _Styles(fonts)

    def p(self, text: str, style: ParagraphStyle, where: str = "") -> Paragraph:
        role = next((r for r in ("body", "title", "heading", "kai") if self.fonts.font(r) == style.fontName), "body")
        return Paragraph(self.fonts.markup(text, role, where), style)

    # -- the main part -------------------------------------------------------------------------

    def story(self) -> list[Flowable]:
        d, s = self.data, self.s
        story: list[Flowable] = [self.title(d.title_unit, d.quarter.label, "政务公开重点工作任务落实情况",
                                            s.title, P_WIDTH)]
        if d.title_unit:
            story.append(self.p(zh("填报单位:") + d.title_unit, s.subtitle))
        story.append(self.p(zh("报告期:{}\u3000\u3000生成日期:{}").format(d.period_text, cn_date(d.printed_on)),
                            s.subtitle))
        story.append(Spacer(0, BODY_LEADING * 0.5))

        story.append(self.p("一、总体情况", s.heading))
        story.append(self.p("".join(summary_sentences(d)), s.body))
        table_no = 1
        if d.by_section:
            story.append(CondPageBreak(_TABLE_START))
            story.append(self.p(f"表{table_no}\u3000各部分任务完成情况", s.caption))
            story.append(self.group_table(d.by_section, "章节"))
            table_no += 1
        if d.by_section and d.totals.base:
            chart = self.chart()
            story.append(CondPageBreak(chart.height + 30))
            story.append(self.p("图1\u3000各部分任务完成率", s.caption))
            story.append(chart)
        if d.by_unit:
            story.append(CondPageBreak(_TABLE_START))
            story.append(self.p(f"表{table_no}\u3000各牵头单位任务完成情况" + zh("(按牵头单位统计,每项任务计一次)"),
                                s.caption))
            story.append(self.group_table(d.by_unit, "牵头单位"))

        overdue = d.overdue
        if overdue:  # the heading, its sentence and the table's first rows together
            story.append(CondPageBreak(BODY_LEADING * 4 + _TABLE_START))
        story.append(self.p("二、逾期未完成任务", s.heading))
        if overdue:
            story.append(self.p(zh("截至{},以下 {} 项任务已过完成时限仍未完成,本季度进展如下:").format(
                cn_date(d.as_of), len(overdue)), s.body))
            story.append(self.overdue_table(overdue))
        else:
            story.append(self.p(zh("截至{},统计范围内没有已过完成时限仍未完成的任务。").format(cn_date(d.as_of)), s.body))

        story.append(Spacer(0, BODY_LEADING * 0.5))
        story.append(self.p(zh("附件:{}政务公开重点工作任务落实情况明细表").format(d.quarter.label), s.body))
        story.append(Spacer(0, BODY_LEADING))
        story.append(self.sign_off())

        story.append(NextPageTemplate("landscape"))
        story.append(PageBreak())
        story.append(self.p("附件", s.attachment))
        story.append(self.title(d.title_unit, d.quarter.label, "政务公开重点工作任务落实情况明细表",
                                s.attachment_title, L_WIDTH))
        story.append(self.detail_table())
        return story

    def title(self, unit: str, period: str, rest: str, style: ParagraphStyle, width: float) -> Paragraph:
        """A title broken where it means something (after the unit, after the period),
        not wherever the line happens to fill: "XX县政府办公室2023年第三季度" /
        "政务公开重点工作任务落实情况"."""
        def fits(text: str) -> bool:
            return stringWidth(text, style.fontName, style.fontSize) <= width

        for lines in ([unit + period + rest], [unit + period, rest], [unit, period + rest], [unit, period, rest]):
            lines = [line for line in lines if line]
            if all(fits(line) for line in lines):
                break
        return Paragraph("<br/>".join(self.fonts.markup(line, "title", "标题") for line in lines), style)

    def _cell_font(self) -> tuple:
        # Table sets each cell's font before drawing it, Paragraph or not: without this it
        # would name Helvetica, a font the PDF then lists but does not embed.
        return ("FONTNAME", (0, 0), (-1, -1), self.fonts.font("body"))

    def group_table(self, rows: list[GroupRow], label: str) -> Table:
        s = self.s
        head = [label, "任务数", "已完成", "推进中", "未启动", "不适用", "逾期", "完成率"]
        numbers = [42.0] * 7
        widths = [P_WIDTH - sum(numbers), *numbers]
        data = [[self.p(h, s.cell_head) for h in head]]
        total = self.data.totals
        for row in [*rows, GroupRow("合计", total)]:
            c = row.counts
            cells = [c.total, c.done, c.in_progress, c.not_started, c.not_applicable, c.overdue]
            style = s.cell_head if row.label == "合计" and row.counts is total else s.cell
            data.append([self.p(row.label, style if style is s.cell_head else s.cell),
                         *(self.p(str(v), s.cell_center) for v in cells), self.p(c.completion_text, s.cell_center)])
        table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="CENTER")
        table.setStyle(TableStyle([*_GRID, self._cell_font()]))
        return table

    def chart(self) -> Drawing:
        from reportlab.graphics.charts.barcharts import HorizontalBarChart  # 60 ms to import: only when drawn

        rows = self.data.by_section
        font = self.fonts.font("body")
        labels = [self.fonts.plain(_short(r.label, 14), font, "图1") for r in rows]
        label_width = max(stringWidth(label, font, 10) for label in labels) + 8
        bar_pitch = 22
        height = bar_pitch * len(rows) + 44
        drawing = Drawing(P_WIDTH, height)
        drawing.initialFontName = font  # else the renderer starts in Helvetica (not embedded)
        drawing.initialFontSize = 10
        chart = HorizontalBarChart()
        chart.x = min(label_width, P_WIDTH * 0.45)
        chart.y = 34
        chart.width = P_WIDTH - chart.x - 40
        chart.height = bar_pitch * len(rows)
        chart.data = [[r.counts.completion * 100 if r.counts.base else 0 for r in reversed(rows)]]
        chart.categoryAxis.categoryNames = list(reversed(labels))
        chart.categoryAxis.labels.fontName = font
        chart.categoryAxis.labels.fontSize = 10
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -4
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = 100
        chart.valueAxis.valueStep = 20
        chart.valueAxis.labels.fontName = font
        chart.valueAxis.labels.fontSize = 9
        chart.valueAxis.labelTextFormat = "%d%%"
        chart.valueAxis.visibleGrid = 1
        chart.valueAxis.gridStrokeColor = colors.HexColor("#cccccc")
        chart.valueAxis.gridStrokeWidth = 0.3
        chart.bars[0].fillColor = colors.HexColor("#3b6ea5")
        chart.bars[0].strokeColor = None
        chart.barWidth = 14
        chart.groupSpacing = 8
        chart.barLabelFormat = lambda value: format_rate(value / 100)
        chart.barLabels.fontName = font
        chart.barLabels.fontSize = 9
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
        drawing.add(chart)
        drawing.add(String(chart.x + chart.width / 2, 2, zh("完成率(已完成 / 应完成,不适用不计入)"), fontName=font, fontSize=9,
                           textAnchor="middle"))
        return drawing

    def overdue_table(self, rows) -> Flowable:
        widths = [32.0, 148.0, 78.0, 56.0, 48.0]
        widths.append(P_WIDTH - sum(widths))
        grid = _GridBuilder(self.fonts, widths)
        for row in rows:
            where = f"序号 {row.seq}"
            grid.add([([(str(row.seq), "body")], "center"), (_task_segments(row), "left"),
                      ([(row.units, "body")], "left"), ([(row.deadline_text, "body")], "center"),
                      ([(row.status.value, "body")], "center"), ([(row.progress or "未填写", "body")], "left")],
                     where)
        return grid.build(["序号", "工作任务", "责任单位", "完成时限", "状态", "本季度进展"], P_HEIGHT)

    def sign_off(self) -> Flowable:
        d, s = self.data, self.s
        sign = d.sign_off
        blank = "\u3000" * 6
        day = sign.date or d.printed_on
        cells = [
            [self.p(zh("填报人:") + (sign.preparer or blank), s.sign),
             self.p(zh("审核人:") + (sign.reviewer or blank), s.sign)],
            [self.p(zh("联系电话:") + (sign.phone or blank), s.sign),
             self.p(zh("填报日期:") + cn_date(day), s.sign)],
        ]
        table = Table(cells, colWidths=[P_WIDTH * 0.5, P_WIDTH * 0.5], hAlign="CENTER")
        table.setStyle(TableStyle([self._cell_font(), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        return KeepTogether([table])

    # -- the detail table (landscape) -----------------------------------------------------------

    def detail_table(self) -> Flowable:
        d = self.data
        if d.with_evidence:
            head = ["序号", "工作任务/具体要求", "责任单位", "完成时限", "完成状态", "本季度进展", "佐证材料"]
            widths = [32.0, 190.0, 84.0, 60.0, 72.0, 116.0]
        else:
            head = ["序号", "工作任务/具体要求", "责任单位", "完成时限", "完成状态", "本季度进展"]
            widths = [32.0, 234.0, 96.0, 62.0, 72.0]
        widths.append(L_WIDTH - sum(widths))
        grid = _GridBuilder(self.fonts, widths)
        previous: list[str] = []
        for row in d.rows:
            depth = 0
            while depth < min(len(previous), len(row.section)) and previous[depth] == row.section[depth]:
                depth += 1
            for level in range(depth, len(row.section)):
                grid.add_section(row.section[level], level)
            previous = row.section
            where = f"序号 {row.seq}"
            cells = [([(str(row.seq), "body")], "center"), (_task_segments(row), "left"),
                     ([(row.units, "body")], "left"), ([(row.deadline_text, "body")], "center"),
                     ([(row.status_text, "heading" if row.overdue else "body")], "center"),
                     ([(row.progress, "body")], "left")]
            if d.with_evidence:
                cells.append(([(text, "body") for text in row.evidence], "left"))
            grid.add(cells, where)
        if not d.rows:
            grid.add_section("统计范围内没有任务。", 1)
        return grid.build(head, L_HEIGHT)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _task_segments(row) -> list[Segment]:
    """工作任务/具体要求: the task's short title (黑体) above its requirement, if it has one."""
    return [(row.title, "heading"), (row.requirement, "body")] if row.title else [(row.requirement, "body")]


def _build(data: ReportData, target: BinaryIO, fonts: FontSet) -> int:
    patch_line_breaking()
    # Binary (Flate only) streams: ASCII85 on top costs a third of the time of a
    # 1,000-page report in reportlab's pure-Python encoder and makes the file bigger.
    rl_config.useA85 = 0
    doc = _Doc(target, data, fonts)
    doc.build(_Writer(data, fonts).story())
    return doc.page


def render_report(data: ReportData, out: str | Path | BinaryIO, fonts: FontSet | None = None) -> RenderResult:
    """Write the report to ``out`` (a path, written to a temporary name first and then
    renamed, so a failure never leaves half a PDF; or a binary file object)."""
    fonts = fonts or load_font_set()
    fonts.missing.clear()
    result_path = None
    if isinstance(out, (str, Path)):
        target = Path(out)
        folder = target.parent if str(target.parent) else Path(".")
        temp = str(folder / f".{target.name}.{uuid.uuid4().hex[:8]}.part")
        try:  # open() (not mkstemp) so the file gets the usual permissions, not 0600
            stream = open(temp, "xb")
        except OSError as exc:
            raise write_error(target, exc) from exc
        try:
            with stream:
                pages = _build(data, stream, fonts)
                stream.flush()
                os.fsync(stream.fileno())  # a full disk often shows only here
            os.replace(temp, target)
        except OSError as exc:
            _unlink(temp)
            raise write_error(target, exc) from exc
        except BaseException:
            _unlink(temp)
            raise
        result_path = target
    else:
        pages = _build(data, out, fonts)
    return RenderResult(pages=pages, missing=fonts.missing_report(), missing_chars=sorted(fonts.missing),
                        fonts=fonts.describe(), path=result_path)


def report_bytes(data: ReportData, fonts: FontSet | None = None) -> tuple[bytes, RenderResult]:
    buffer = BytesIO()
    result = render_report(data, buffer, fonts)
    return buffer.getvalue(), result


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
