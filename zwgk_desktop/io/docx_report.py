"""The 季度报告 as an editable Word document (python-docx), from the same
:class:`~zwgk_desktop.core.report_data.ReportData` as the PDF (io/pdf_report.py).

公文 layout (GB/T 9704): A4 portrait, top margin 37 mm, left 28 mm, text block
156×225 mm; title 22 pt 方正小标宋简体, headings 16 pt 黑体, body 16 pt 仿宋 at a fixed
28.95 pt line (22 lines a page), first lines indented two characters; page numbers
"— 1 —" in 14 pt 宋体 in the footer, odd pages right and even pages left, one
character in. The detail table (附件) is a landscape section with the PDF's attachment
margins (15 mm, a 267×180 mm block), a real Word table at 9 pt whose header row repeats on every page
(``w:tblHeader``), rows may break across pages, column widths set from the text.

Fonts are named, not embedded: the document's font table lists each face with the
ones Word and WPS should use where it is not installed (``w:altName``): 方正小标宋简体
→ 宋体, 仿宋 → 仿宋_GB2312 / FangSong, 黑体 → SimHei, 楷体 → 楷体_GB2312 / KaiTi.
Western text uses Times New Roman.

表1's 完成率 is a number here (the PDF draws it as a bar in the cell as well). The long
tables are written as WordprocessingML directly (python-docx's ``add_row`` and
``cell.text`` take seconds for 5,000 rows); the rest goes through python-docx.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from ..core.limits import fit_text
from ..core.report_data import (OVERDUE_LISTED, GroupRow, ReportData, cn_date, follow_up_intro, overdue_by_unit,
                                overdue_intro, summary_sentences, zh)
from .output_files import write_via_temp

__all__ = ["DocxResult", "FONTS", "render_docx"]

# role -> (face named in the document, faces to use where it is missing)
FONTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "title": ("方正小标宋简体", ("宋体", "SimSun")),
    "heading": ("黑体", ("SimHei",)),
    "body": ("仿宋", ("仿宋_GB2312", "FangSong")),
    "kai": ("楷体", ("楷体_GB2312", "KaiTi")),
    "number": ("宋体", ("SimSun",)),
}
LATIN = "Times New Roman"
TWIPS_PER_MM = 1440 / 25.4
TITLE_PT, BODY_PT, NUMBER_PT, TABLE_PT, DETAIL_PT = 22, 16, 14, 10.5, 9
BODY_LINE_PT = 225 / 22 * 72 / 25.4  # 22 lines in the 225 mm text block: 28.95 pt
DETAIL_LINE_PT, TABLE_LINE_PT = 11, 13.5
CELL_MARGIN = 57  # twips (1 mm) left and right inside a cell
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(slots=True)
class DocxResult:
    path: Path | None
    rows: int  # task rows in the detail table


def _mm(value: float) -> int:
    return round(value * TWIPS_PER_MM)


# -- WordprocessingML pieces ------------------------------------------------------------------


def _rpr(role: str, size: float, bold: bool = False) -> str:
    face = FONTS[role][0]
    half_points = round(size * 2)
    return (f'<w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{face}" w:cs="{LATIN}"/>'
            + ("<w:b/>" if bold else "") + f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>')


_NUMBER_LIST = re.compile("(?<=[0-9]、)(?=[0-9])")


def _text(value: str) -> str:
    # A zero-width space after each 、 in a list of numbers ("序号 104、109、111……"):
    # Word and LibreOffice do not break there by themselves and cut a number in two.
    return escape(_NUMBER_LIST.sub("\u200b", _XML_ILLEGAL.sub("", fit_text(value))))


def _runs(text: str, rpr: str) -> str:
    """A run per line; lines joined by ``w:br``."""
    parts = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{_text(part)}</w:t>' for part in parts)
    return f"<w:r>{rpr}{body}</w:r>"


def _para(content: str, align: str = "left", line_pt: float = DETAIL_LINE_PT, indent_chars: int = 0,
          keep_next: bool = False, size_pt: float = BODY_PT) -> str:
    ppr = f'<w:jc w:val="{"center" if align == "center" else "both" if align == "both" else "left"}"/>'
    ppr = (("<w:keepNext/>" if keep_next else "")
           + f'<w:spacing w:before="0" w:after="0" w:line="{round(line_pt * 20)}" w:lineRule="exact"/>'
           + (f'<w:ind w:firstLineChars="{indent_chars * 100}" w:firstLine="{round(indent_chars * size_pt * 20)}"/>'
              if indent_chars else "") + ppr)
    return f"<w:p><w:pPr>{ppr}</w:pPr>{content}</w:p>"


class _Table:
    """A bordered table as WordprocessingML: fixed column widths (twips), an optional
    repeated header row, cells of (paragraph XML, alignment), full-width section rows."""

    def __init__(self, widths: list[int], line_pt: float, size: float) -> None:
        self.widths = widths
        self.line_pt = line_pt
        self.size = size
        self.rows: list[str] = []
        self._rpr: dict[tuple[str, bool], str] = {}

    def rpr(self, role: str, bold: bool = False) -> str:
        key = (role, bold)
        if key not in self._rpr:
            self._rpr[key] = _rpr(role, self.size, bold)
        return self._rpr[key]

    def cell_xml(self, paragraphs: list[tuple[str, str]], align: str, width: int, *, span: int = 1,
                 fill: str | None = None) -> str:
        tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            tcpr += f'<w:gridSpan w:val="{span}"/>'
        if fill:
            tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
        tcpr += '<w:vAlign w:val="center"/>'
        body = "".join(_para(_runs(text, self.rpr(role)), align, self.line_pt) for text, role in paragraphs if text)
        return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{body or _para('', align, self.line_pt)}</w:tc>"

    def header(self, labels: list[str]) -> None:
        cells = "".join(self.cell_xml([(label, "heading")], "center", w, fill="E8E8E8")
                        for label, w in zip(labels, self.widths))
        self.rows.append(f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{cells}</w:tr>")

    def add(self, cells: list[tuple[list[tuple[str, str]], str]]) -> None:
        self.rows.append("<w:tr>" + "".join(self.cell_xml(paragraphs, align, w)
                                            for (paragraphs, align), w in zip(cells, self.widths)) + "</w:tr>")

    def keep_last_with_next(self) -> None:
        """The last row stays on the page of what follows it (the sign-off)."""
        if self.rows:
            self.rows[-1] = self.rows[-1].replace("<w:pPr>", "<w:pPr><w:keepNext/>")

    def add_section(self, label: str, level: int) -> None:
        """A full-width section row, kept on the page of its first task (keepNext)."""
        cell = self.cell_xml([(label, "heading" if level == 0 else "kai")], "left", sum(self.widths),
                             span=len(self.widths), fill="ECECEC" if level == 0 else "F6F6F6")
        cell = cell.replace("<w:pPr>", "<w:pPr><w:keepNext/>")
        self.rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cell}</w:tr>")

    def xml(self) -> str:
        border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        borders = "".join(border.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.widths)
        return (f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblW w:w="{sum(self.widths)}" w:type="dxa"/>'
                f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
                f'<w:tblCellMar><w:left w:w="{CELL_MARGIN}" w:type="dxa"/><w:right w:w="{CELL_MARGIN}" '
                f'w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
                + "".join(self.rows) + "</w:tbl>")


# -- measuring for column widths (no font files needed: a Chinese character is one em) ----------


def _measure(text: str, size: float) -> tuple[list[str], list[str], list[float]]:
    chars = list(text)
    widths = [0.0 if ch == "\n" else size if unicodedata.east_asian_width(ch) in "WF" else size * 0.55
              for ch in chars]
    return chars, [""] * len(chars), widths


def _fit_detail_widths(header: list[str], rows: list[list[str]], total_twips: int, size: float,
                       nowrap: tuple[int, ...]) -> list[int]:
    from .long_table import fit_widths

    sample = 240
    step = len(rows) / sample if len(rows) > sample else 1
    picked = [rows[int(i * step)] for i in range(min(sample, len(rows)))]
    total_pt = total_twips / 20
    pad = 2 * CELL_MARGIN / 20 + size * 0.3
    widths = fit_widths([_measure(h, size) for h in header], [[_measure(c, size) for c in row] for row in picked],
                        total_pt, size, pad, nowrap)
    twips = [round(w * 20) for w in widths]
    twips[max(range(len(twips)), key=lambda i: twips[i])] += total_twips - sum(twips)
    return twips


# -- the document -----------------------------------------------------------------------------


class _Writer:
    def __init__(self, data: ReportData) -> None:
        from docx import Document

        self.data = data
        self.doc = Document()
        self.body = self.doc.element.body

    # paragraphs go in as XML too (one parse per block is cheaper than the API's objects)
    def _append(self, xml: str) -> None:
        from docx.oxml import parse_xml

        element = parse_xml(f'<w:body xmlns:w="{W_NS}">{xml}</w:body>')
        sect = self.body.sectPr
        for child in list(element):
            if sect is not None:
                sect.addprevious(child)
            else:
                self.body.append(child)

    def para(self, text: str, role: str = "body", size: float = BODY_PT, align: str = "both", indent: int = 2,
             keep_next: bool = False, line_pt: float = BODY_LINE_PT) -> None:
        self._append(_para(_runs(text, _rpr(role, size)), align, line_pt, indent, keep_next, size))

    def build(self) -> None:
        d = self.data
        self._setup()
        for line in self._title_lines(d.title_unit, d.quarter.label, "政务公开重点工作任务落实情况", 20):
            self._append(_para(_runs(line, _rpr("title", TITLE_PT)), "center", TITLE_PT * 1.5))
        if d.title_unit:
            self.para(zh("填报单位:") + d.title_unit, "kai", 14, "center", 0, line_pt=BODY_LINE_PT * 0.8)
        self.para(zh("报告期:{}\u3000\u3000生成日期:{}").format(d.period_text, cn_date(d.printed_on)), "kai", 14,
                  "center", 0, line_pt=BODY_LINE_PT * 0.8)
        self.para("", line_pt=BODY_LINE_PT * 0.5, indent=0)
        self.para("一、总体情况", "heading", keep_next=True)
        # Left-aligned: a justified line before a long run of 序号 is stretched apart.
        self.para("".join(summary_sentences(d)), align="left")
        table_no = 1
        if d.by_section:
            self.caption(f"表{table_no}\u3000各部分任务完成情况" + _per_period_note(d))
            self._append(self.group_table(d.by_section, "章节"))
            table_no += 1
        if d.by_unit:
            self.caption(f"表{table_no}\u3000各牵头单位任务完成情况"
                         + (_per_period_note(d) or zh("(按牵头单位统计,每项任务计一次)")))
            self._append(self.group_table(d.by_unit, "牵头单位"))
        self.para("二、逾期未完成任务", "heading", keep_next=True)
        overdue = d.overdue
        self.para(overdue_intro(d), keep_next=bool(overdue))
        if overdue and len(overdue) <= OVERDUE_LISTED:
            self._append(self.overdue_table())
        elif overdue:
            self._append(self.overdue_units_table())
        if d.follow_ups is not None:  # asked for: the 催办单 of the quarter, or a line saying none
            self.para("三、本季度催办情况", "heading", keep_next=True)
            self.para(follow_up_intro(d), keep_next=bool(d.follow_ups))
            if d.follow_ups:
                self._append(self.follow_up_table())
        self.para("", line_pt=BODY_LINE_PT * 0.5, indent=0, keep_next=True)
        self.para(zh("附件:{}政务公开重点工作任务落实情况明细表").format(d.quarter.label), keep_next=True)
        self.para("", line_pt=BODY_LINE_PT * 0.5, indent=0, keep_next=True)
        self._append(self.sign_off())
        self._landscape()
        self.para("附件", "heading", align="left", indent=0)
        for line in self._title_lines(d.title_unit, d.quarter.label, "政务公开重点工作任务落实情况明细表", 35):
            self._append(_para(_runs(line, _rpr("title", 18)), "center", 27))
        self._append(self.detail_table())

    @staticmethod
    def _title_lines(unit: str, period: str, rest: str, per_line: int) -> list[str]:
        for lines in ([unit + period + rest], [unit + period, rest], [unit, period + rest], [unit, period, rest]):
            lines = [line for line in lines if line]
            if all(len(line) <= per_line for line in lines):
                return lines
        return [line for line in (unit, period, rest) if line]

    def caption(self, text: str) -> None:
        self._append(_para(_runs(text, _rpr("heading", 12)), "center", 18, keep_next=True))

    def group_table(self, rows: list[GroupRow], label: str) -> str:
        numbers = [_mm(14.8)] * 7
        widths = [_mm(156) - sum(numbers), *numbers]
        table = _Table(widths, TABLE_LINE_PT, TABLE_PT)
        table.header([label, "任务数", "已完成", "推进中", "未启动", "不适用", "逾期", "完成率"])
        total = self.data.totals
        for row in [*rows, GroupRow("合计", total)]:
            c = row.counts
            head = row.counts is total and row.label == "合计"
            values = [c.total, c.done, c.in_progress, c.not_started, c.not_applicable, c.overdue]
            table.add([([(row.label, "heading" if head else "body")], "center" if head else "left"),
                       *(([(str(v), "body")], "center") for v in values), ([(c.completion_text, "body")], "center")])
        return table.xml()

    def overdue_table(self) -> str:
        widths = [_mm(w) for w in (11, 52, 27, 20, 17)]
        widths.append(_mm(156) - sum(widths))
        table = _Table(widths, TABLE_LINE_PT, TABLE_PT)
        table.header(["序号", "工作任务", "责任单位", "完成时限", "状态", "本季度进展"])
        for row in self.data.overdue:
            table.add([([(str(row.seq), "body")], "center"), (_task_paragraphs(row), "left"),
                       ([(row.units, "body")], "left"), ([(row.deadline_text, "body")], "center"),
                       ([(row.short_status, "body")], "center"), ([(row.progress or "未填写", "body")], "left")])
        table.keep_last_with_next()
        return table.xml()

    def overdue_units_table(self) -> str:
        from .long_table import seq_ranges

        widths = [_mm(39), _mm(17)]
        widths.append(_mm(156) - sum(widths))
        table = _Table(widths, TABLE_LINE_PT, TABLE_PT)
        table.header(["牵头单位", "逾期项数", "任务序号(见附件明细表)"])
        for unit, seqs in overdue_by_unit(self.data):
            table.add([([(unit, "body")], "left"), ([(str(len(seqs)), "body")], "center"),
                       ([(seq_ranges(seqs), "body")], "left")])
        table.keep_last_with_next()
        return table.xml()

    def follow_up_table(self) -> str:
        """日期 | 单位 | 任务(序号) | 催办事项 | 回复期限: one row per 催办单 sent."""
        widths = [_mm(w) for w in (22, 36, 0, 48, 22)]
        widths[2] = _mm(156) - sum(widths)
        table = _Table(widths, TABLE_LINE_PT, TABLE_PT)
        table.header(["日期", "单位", zh("任务(序号)"), "催办事项", "回复期限"])
        for row in self.data.follow_ups or []:
            table.add([([(row.sent_text, "body")], "center"), ([(row.unit, "body")], "left"),
                       ([(row.seqs_text, "body")], "left"), ([(row.matters, "body")], "left"),
                       ([(row.reply_text, "body")], "center")])
        table.keep_last_with_next()
        return table.xml()

    def sign_off(self) -> str:
        d = self.data
        sign = d.sign_off
        blank = "\u3000" * 6
        rpr = _rpr("body", BODY_PT)
        half = _mm(78)
        pairs = [(zh("填报人:") + (sign.preparer or blank), zh("审核人:") + (sign.reviewer or blank)),
                 (zh("联系电话:") + (sign.phone or blank), zh("填报日期:") + cn_date(sign.date or d.printed_on))]
        rows = "".join("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{half}" w:type="dxa"/></w:tcPr>'
            + _para(_runs(text, rpr), "left", BODY_LINE_PT, keep_next=n == 0) + "</w:tc>" for text in pair)
            + "</w:tr>" for n, pair in enumerate(pairs))
        return (f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblW w:w="{2 * half}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
                f'<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
                f'</w:tblPr><w:tblGrid><w:gridCol w:w="{half}"/><w:gridCol w:w="{half}"/></w:tblGrid>{rows}</w:tbl>')

    def detail_table(self) -> str:
        d = self.data
        head = ["序号", "工作任务/具体要求", "责任单位", "完成时限", "完成状态", "本季度进展"]
        with_evidence = d.with_evidence and any(row.evidence for row in d.rows)  # no empty column
        if with_evidence:
            head.append("佐证材料")
        texts = []
        for row in d.rows:
            cells = [str(row.seq), (row.title + "\n" if row.title else "") + row.requirement, row.units,
                     row.deadline_text, row.status_text, row.progress]
            if with_evidence:
                cells.append("\n".join(row.evidence))
            texts.append(cells)
        widths = _fit_detail_widths(head, texts, _mm(267), DETAIL_PT, (0,))
        table = _Table(widths, DETAIL_LINE_PT, DETAIL_PT)
        table.header(head)
        previous: list[str] = []
        for row in d.rows:
            depth = 0
            while depth < min(len(previous), len(row.section)) and previous[depth] == row.section[depth]:
                depth += 1
            for level in range(depth, len(row.section)):
                table.add_section(row.section[level], level)
            previous = row.section
            cells = [([(str(row.seq), "body")], "center"), (_task_paragraphs(row), "left"),
                     ([(row.units, "body")], "left"), ([(row.deadline_text, "body")], "center"),
                     ([(row.status_text, "heading" if row.overdue else "body")], "center"),
                     ([(row.progress, "body")], "left")]
            if with_evidence:
                cells.append(([(text, "body") for text in row.evidence], "left"))
            table.add(cells)
        if not d.rows:
            table.add_section("统计范围内没有任务。", 1)
        return table.xml()

    # -- page set-up ------------------------------------------------------------------------

    def _setup(self) -> None:
        from docx.shared import Mm

        doc = self.doc
        props = doc.core_properties
        props.title = self.data.title
        props.author = self.data.title_unit or ""
        props.subject = f"{self.data.quarter.label}政务公开重点工作任务落实情况"
        props.comments = "政务公开任务台账 zwgk-desktop"
        normal = doc.styles["Normal"]
        normal.font.name = LATIN
        normal.font.size = None
        rpr = normal.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(f"{{{W_NS}}}eastAsia", FONTS["body"][0])
        normal.font.size = _pt(BODY_PT)
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.left_margin = Mm(37), Mm(28)
        section.right_margin, section.bottom_margin = Mm(210 - 28 - 156), Mm(297 - 37 - 225)
        section.header_distance, section.footer_distance = Mm(15), Mm(35 - 7 - 6)
        doc.settings.odd_and_even_pages_header_footer = True
        self._page_numbers(section)
        self._font_table()

    def _page_numbers(self, section) -> None:
        """"— 1 —" (a PAGE field between em dashes), odd pages right, even pages left,
        one character in from the text block's edge."""
        rpr = _rpr("number", NUMBER_PT)
        field = (f'<w:r>{rpr}<w:t xml:space="preserve">\u2014 </w:t></w:r>'
                 f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
                 f'<w:r>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
                 f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
                 f'<w:r>{rpr}<w:t>1</w:t></w:r>'
                 f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
                 f'<w:r>{rpr}<w:t xml:space="preserve"> \u2014</w:t></w:r>')
        from docx.oxml import parse_xml

        for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
            footer.is_linked_to_previous = False
            element = footer._element
            for child in list(element):
                element.remove(child)
            indent = f'<w:ind w:{side}="{round(NUMBER_PT * 20)}"/>'
            element.append(parse_xml(f'<w:p xmlns:w="{W_NS}"><w:pPr><w:jc w:val="{side}"/>{indent}</w:pPr>'
                                     f"{field}</w:p>"))

    def _landscape(self) -> None:
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Mm

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        # An attachment table's margins, as the PDF's landscape pages: 15 mm all round
        # (a 267×180 mm text block), the page number in the bottom margin.
        section.left_margin = section.right_margin = Mm(15)
        section.top_margin = section.bottom_margin = Mm(15)
        section.footer_distance = Mm(6)
        self._page_numbers(section)

    def _font_table(self) -> None:
        """Name each face with its stand-ins (``w:altName``) in word/fontTable.xml."""
        part = next((rel.target_part for rel in self.doc.part.rels.values() if rel.reltype.endswith("/fontTable")),
                    None)
        if part is None or not hasattr(part, "_blob"):
            return
        blob = part.blob.decode("utf-8")
        entries = "".join(
            f'<w:font w:name="{escape(name)}"><w:altName w:val="{escape(",".join(alts))}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"roman" if role in ("title", "body", "number") else "modern"}"/>'
            f'<w:pitch w:val="variable"/></w:font>'
            for role, (name, alts) in FONTS.items())
        part._blob = blob.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _per_period_note(data: ReportData) -> str:
    """Under a count table's caption when recurring tasks are counted by period."""
    return zh("(定期任务按本季度应完成的期次计,每期计一项)") if data.period_count else ""


def _pt(value: float):
    from docx.shared import Pt

    return Pt(value)


def _task_paragraphs(row) -> list[tuple[str, str]]:
    """工作任务/具体要求: the task's short title (黑体) above its requirement, if it has one."""
    return [(row.title, "heading"), (row.requirement, "body")] if row.title else [(row.requirement, "body")]


def render_docx(data: ReportData, out: str | Path | BinaryIO) -> DocxResult:
    """Write the report as .docx to ``out`` (a path, written to a temporary name in the
    same folder, made durable and then renamed, so a failure never leaves half a file
    and an existing file stays as it was; or a binary file object)."""
    writer = _Writer(data)
    writer.build()
    if not isinstance(out, (str, Path)):
        writer.doc.save(out)
        return DocxResult(None, len(data.rows))
    target = Path(out)
    write_via_temp(target, writer.doc.save)
    return DocxResult(target, len(data.rows))
