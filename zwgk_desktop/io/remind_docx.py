"""催办单 (督办通知) as a Word document, for the office that wants to edit it or print it
on its own letterhead: the same content as io/remind_pdf.py, one unit a page.

Word cannot be asked where its pages end, so each unit's table takes the size, task length
and short words at which the PDF fits that unit on one page (same page, same type); the
closing paragraphs keep with the signature and table rows do not split, so if a word
processor's fonts still push the end over, the whole closing moves, never the signature alone.

GB/T 9704 page (A4; top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); title 22 pt
方正小标宋简体 in red over a red rule, body 16 pt 仿宋, table 10.5 pt. Fonts are named
(Word/WPS use them where installed; the East Asian name is set on every run so Chinese
text takes it), not embedded. Written to a temporary file beside the target and renamed.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import BinaryIO

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..core.errors import UserError
from ..core.follow_up import Lag
from .output_files import write_via_temp
from .remind_pdf import RemindNotice, _short, chinese_date, fit_for, missing_pieces

__all__ = ["render_reminders_docx"]

TITLE_FONT, BODY_FONT, HEADING_FONT = "方正小标宋简体", "仿宋", "黑体"
RED = RGBColor(0xC0, 0x00, 0x00)


def _run(paragraph, text: str, font: str = BODY_FONT, size: float = 16, colour: RGBColor | None = None,
         bold: bool = False):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = font
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _para(document, text: str = "", *, font: str = BODY_FONT, size: float = 16, align=None,
          indent: bool = False, colour: RGBColor | None = None, space_after: float = 0, keep_with_next: bool = False):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    fmt.keep_with_next = keep_with_next
    fmt.line_spacing = Pt(28) if size >= 16 else Pt(size * 1.35)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    if text:
        _run(paragraph, text, font, size, colour)
    return paragraph


def _red_rule(paragraph) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)


def _cell(cell, text: str | list[tuple[str, bool]], *, center: bool = False, heading: bool = False,
          size: float = 10.5, leading: float | None = None, joiner: str = "\n") -> None:
    """One cell's text: a str (lines split at \\n) or (words, red?) pieces joined by ``joiner``."""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if leading is not None:
        paragraph.paragraph_format.line_spacing = Pt(leading)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pieces = [(line, False) for line in text.split("\n")] if isinstance(text, str) else text
    for n, (words, red) in enumerate(pieces):
        font = HEADING_FONT if heading else BODY_FONT
        if n and joiner != "\n":
            _run(paragraph, joiner, font, size)
        run = _run(paragraph, words, font, size, RED if red else None)
        if n and joiner == "\n":
            run._element.addprevious(OxmlElement("w:br"))


def _no_row_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _notice(document, n: RemindNotice) -> None:
    size, leading, chars, short_words = fit_for(n)
    overdue = sum(1 for t in n.tasks if Lag.OVERDUE in t.lags)
    _para(document, "督办通知", font=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, colour=RED)
    rule = _para(document, f"({n.quarter.label})", font="楷体", size=14, align=WD_ALIGN_PARAGRAPH.CENTER,
                 space_after=6)
    _red_rule(rule)
    _para(document, f"{n.unit}:")
    _para(document, f"根据《{n.plan_title}》的分工和台账登记情况,截至{chinese_date(n.issued_on)},"
                    f"你单位承担的以下 {len(n.tasks)} 项任务" + (f"(其中已逾期 {overdue} 项)" if overdue else "")
                    + "尚未完成,或本季度尚未报送进展情况、佐证材料,现予督办。", indent=True, space_after=4)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(11), Mm(73), Mm(27), Mm(45)) if short_words else (Mm(11), Mm(82), Mm(27), Mm(36))
    table.autofit = False  # the grid's widths, not equal columns (LibreOffice reads w:tblGrid)
    for column, width in zip(table.columns, widths):
        column.width = width
    for cell, head, width in zip(table.rows[0].cells, ("序号", "工作任务", "完成时限", "存在问题"), widths):
        _cell(cell, head, center=True, heading=True, size=size, leading=leading)
        cell.width = width
    _no_row_split(table.rows[0])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on a next page
    for task in n.tasks:
        row = table.add_row()
        _no_row_split(row)
        cells = row.cells
        label = task.label + (f"(经{'、'.join(task.via)})" if task.via else "")
        deadline = (task.deadline_text or "—") + (f"\n本期 {task.period}" if task.period else "")
        _cell(cells[0], str(task.seq), center=True, size=size, leading=leading)
        _cell(cells[1], _short(label, chars), size=size, leading=leading)
        _cell(cells[2], deadline, center=True, size=size, leading=leading)
        _cell(cells[3], missing_pieces(task, short_words), size=size, leading=leading,
              joiner="、" if short_words else "\n")
        for cell, width in zip(cells, widths):
            cell.width = width
    _para(document, size=8, space_after=0)  # a small gap under the table, as the PDF's
    _para(document, f"请于{chinese_date(n.reply_by)}前完成上述工作,并将落实情况和佐证材料报送{n.office};"
                    "确有困难不能按期完成的,请书面说明原因及下一步措施。", indent=True, keep_with_next=True)
    if n.contact:
        _para(document, f"联系人:{n.contact}", indent=True, keep_with_next=True)
    _para(document, size=10, keep_with_next=True)
    for number, line in enumerate((n.office, chinese_date(n.issued_on))):
        paragraph = _para(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT, keep_with_next=number == 0)
        paragraph.paragraph_format.right_indent = Pt(32)


def _document(notices: list[RemindNotice]) -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    document.core_properties.title = "督办通知"
    document.core_properties.author = notices[0].office
    for n, notice in enumerate(notices):
        if n:
            document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        _notice(document, notice)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_reminders_docx(notices: list[RemindNotice], out: str | Path | BinaryIO) -> None:
    """Write the notices as one .docx (each unit from a new page). Raises UserError when
    it cannot be written; the target is then as it was."""
    if not notices:
        raise UserError("没有需要催办的单位,没有生成催办单。")
    data = _document(notices)
    if not isinstance(out, (str, Path)):
        out.write(data)
        return
    write_via_temp(out, lambda stream: stream.write(data))
