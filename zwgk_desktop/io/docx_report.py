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
``cell.text`` take seconds for 5,000 rows; io/docx_xml.py); the rest goes through
python-docx.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from ..core.report_data import (OVERDUE_LISTED, GroupRow, ReportData, cn_date, follow_up_intro, overdue_by_unit,
                                overdue_intro, summary_sentences, zh)
from .docx_xml import (
    BODY_LINE_PT,
    BODY_PT,
    DETAIL_LINE_PT,
    DETAIL_PT,
    FONTS,
    LATIN,
    NUMBER_PT,
    TABLE_LINE_PT,
    TABLE_PT,
    TITLE_PT,
    W_NS,
    Table,
    fit_detail_widths,
    mm,
    paragraph,
    run_props,
    runs,
)
from .output_files import write_via_temp

__all__ = ["DocxResult", "FONTS", "render_docx"]


@dataclass(slots=True)
class DocxResult:
    path: Path | None
    rows: int  # task rows in the detail table


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
        self._append(paragraph(runs(text, run_props(role, size)), align, line_pt, indent, keep_next, size))

    def build(self) -> None:
        d = self.data
        self._setup()
        for line in self._title_lines(d.title_unit, d.quarter.label, "政务公开重点工作任务落实情况", 20):
            self._append(paragraph(runs(line, run_props("title", TITLE_PT)), "center", TITLE_PT * 1.5))
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
            self._append(paragraph(runs(line, run_props("title", 18)), "center", 27))
        self._append(self.detail_table())

    @staticmethod
    def _title_lines(unit: str, period: str, rest: str, per_line: int) -> list[str]:
        for lines in ([unit + period + rest], [unit + period, rest], [unit, period + rest], [unit, period, rest]):
            lines = [line for line in lines if line]
            if all(len(line) <= per_line for line in lines):
                return lines
        return [line for line in (unit, period, rest) if line]

    def caption(self, text: str) -> None:
        self._append(paragraph(runs(text, run_props("heading", 12)), "center", 18, keep_next=True))

    def group_table(self, rows: list[GroupRow], label: str) -> str:
        numbers = [mm(14.8)] * 7
        widths = [mm(156) - sum(numbers), *numbers]
        table = Table(widths, TABLE_LINE_PT, TABLE_PT)
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
        widths = [mm(w) for w in (11, 52, 27, 20, 17)]
        widths.append(mm(156) - sum(widths))
        table = Table(widths, TABLE_LINE_PT, TABLE_PT)
        table.header(["序号", "工作任务", "责任单位", "完成时限", "状态", "本季度进展"])
        for row in self.data.overdue:
            table.add([([(str(row.seq), "body")], "center"), (_task_paragraphs(row), "left"),
                       ([(row.units, "body")], "left"), ([(row.deadline_text, "body")], "center"),
                       ([(row.short_status, "body")], "center"), ([(row.progress or "未填写", "body")], "left")])
        table.keep_last_with_next()
        return table.xml()

    def overdue_units_table(self) -> str:
        from .long_table import seq_ranges

        widths = [mm(39), mm(17)]
        widths.append(mm(156) - sum(widths))
        table = Table(widths, TABLE_LINE_PT, TABLE_PT)
        table.header(["牵头单位", "逾期项数", "任务序号(见附件明细表)"])
        for unit, seqs in overdue_by_unit(self.data):
            table.add([([(unit, "body")], "left"), ([(str(len(seqs)), "body")], "center"),
                       ([(seq_ranges(seqs), "body")], "left")])
        table.keep_last_with_next()
        return table.xml()

    def follow_up_table(self) -> str:
        """日期 | 单位 | 任务(序号) | 催办事项 | 回复期限: one row per 催办单 sent."""
        widths = [mm(w) for w in (22, 36, 0, 48, 22)]
        widths[2] = mm(156) - sum(widths)
        table = Table(widths, TABLE_LINE_PT, TABLE_PT)
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
        rpr = run_props("body", BODY_PT)
        half = mm(78)
        pairs = [(zh("填报人:") + (sign.preparer or blank), zh("审核人:") + (sign.reviewer or blank)),
                 (zh("联系电话:") + (sign.phone or blank), zh("填报日期:") + cn_date(sign.date or d.printed_on))]
        rows = "".join("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{half}" w:type="dxa"/></w:tcPr>'
            + paragraph(runs(text, rpr), "left", BODY_LINE_PT, keep_next=n == 0) + "</w:tc>" for text in pair)
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
        widths = fit_detail_widths(head, texts, mm(267), DETAIL_PT, (0,))
        table = Table(widths, DETAIL_LINE_PT, DETAIL_PT)
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
        rpr = run_props("number", NUMBER_PT)
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
