"""The 季度报告 as a PDF (reportlab), from a :class:`~zwgk_desktop.core.report_data.ReportData`.

The page geometry and styles are in :mod:`.pdf_document`, Chinese line breaking in
:mod:`.cjk_text`, the long tables (detail table, overdue list) in :mod:`.long_table`.
This module writes the story: title, 一、总体情况 with the table by section (its
完成率 drawn as a bar in the cell: no separate chart repeating it) and the table by
unit, 二、逾期未完成任务, 三、本季度催办情况 when asked for, the 附件 note and the sign-off
(kept with the text above it) on portrait pages, then the detail table on landscape
pages. The same report as Word is :mod:`.docx_report`, from the same data.

Nothing in a plan may stop it: the count tables split across pages (hundreds of
sections), every long cell splits between lines. Paper is not wasted: a part starts
on a new page only when its heading, sentences and first table lines do not fit
(measured), the 附件 pages use the narrower margins of an attachment table, and a
sub-section that starts alone is named 【in brackets】 at the start of its first task
instead of on a row of its own.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (CondPageBreak, Flowable, KeepTogether, NextPageTemplate, PageBreak, Paragraph,
                                Spacer, Table, TableStyle)

from ..core.report_data import (OVERDUE_LISTED, GroupRow, ReportData, cn_date, follow_up_intro,
                                overdue_by_unit, overdue_intro, summary_sentences, zh)
from .cjk_text import CANNOT_START_EXTRA, Segment, TextLayout, patch_line_breaking
from .column_fit import detail_floors
from .long_table import MIN_SPLIT_LINES, Grid, GridBuilder, seq_ranges
from .output_files import write_via_temp
from .pdf_document import (BODY_LEADING, DETAIL_LEADING, DETAIL_SIZE, L_HEIGHT, L_WIDTH, P_HEIGHT, P_WIDTH, RenderResult,
                           ReportDocument, Styles, TABLE_START)
from .pdf_fonts import FontSet, load_font_set

__all__ = ["CANNOT_START_EXTRA", "RenderResult", "patch_line_breaking", "render_report", "report_bytes"]

# Older names, kept for callers and tests that import them from here.
_TextLayout = TextLayout
_GridBuilder = GridBuilder

class _Writer:
    def __init__(self, data: ReportData, fonts: FontSet) -> None:
        self.data = data
        self.fonts = fonts
        self.s = Styles(fonts)

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
            story.append(CondPageBreak(TABLE_START))
            story.append(self.p(f"表{table_no}\u3000各部分任务完成情况" + _per_period_note(d), s.caption))
            story.append(self.group_table(d.by_section, "章节"))
            table_no += 1
        if d.by_unit:
            story.append(CondPageBreak(TABLE_START))
            story.append(self.p(f"表{table_no}\u3000各牵头单位任务完成情况"
                                + (_per_period_note(d) or zh("(按牵头单位统计,每项任务计一次)")), s.caption))
            story.append(self.group_table(d.by_unit, "牵头单位"))

        overdue = d.overdue
        part = [self.p("二、逾期未完成任务", s.heading), self.p(overdue_intro(d), s.body)]
        if overdue and len(overdue) <= OVERDUE_LISTED:
            part.append(self.overdue_table(overdue))
        elif overdue:
            part.append(self.overdue_units_table())
        story += _with_first_rows(part)

        if d.follow_ups is not None:  # asked for: the 催办单 of the quarter, or a line saying none
            part = [self.p("三、本季度催办情况", s.heading), self.p(follow_up_intro(d), s.body)]
            if d.follow_ups:
                part.append(self.follow_up_table())
            story += _with_first_rows(part)

        # The 附件 line and the sign-off stay together, never alone on a page.
        story.append(KeepTogether([
            Spacer(0, BODY_LEADING * 0.5),
            self.p(zh("附件:{}政务公开重点工作任务落实情况明细表").format(d.quarter.label), s.body),
            Spacer(0, BODY_LEADING * 0.5),
            self.sign_off()]))

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

    def group_table(self, rows: list[GroupRow], label: str) -> Flowable:
        """A count table (by section, by lead unit) as a :class:`~.long_table.Grid`: laid
        out once and split between rows like the other long tables (250 sections run
        over pages), in rows a little tighter than a Table of Paragraphs. Its 完成率
        column draws the rate as a bar beside the number: what the separate chart by
        section showed (one bar per row of 表1, the same numbers) without its page."""
        numbers = [39.0] * 5 + [31.0]  # 任务数 … 逾期: a three-character header on one line
        rate = 82.0  # the bar and "100%"
        grid = GridBuilder(self.fonts, [P_WIDTH - sum(numbers) - rate, *numbers, rate])
        total = self.data.totals
        for row in [*rows, GroupRow("合计", total)]:
            c = row.counts
            is_total = row.label == "合计" and c is total
            cells = [c.total, c.done, c.in_progress, c.not_started, c.not_applicable, c.overdue]
            grid.add([([(row.label, "heading" if is_total else "body")], "center" if is_total else "left"),
                      *(([(str(v), "body")], "center") for v in cells), ([(c.completion_text, "body")], "right")],
                     row.label, bar=c.completion if c.base else None)
        return grid.build([label, "任务数", "已完成", "推进中", "未启动", "不适用", "逾期", "完成率"], P_HEIGHT,
                          bar_column=7)

    def overdue_table(self, rows) -> Flowable:
        widths = [32.0, 148.0, 78.0, 56.0, 48.0]
        widths.append(P_WIDTH - sum(widths))
        grid = GridBuilder(self.fonts, widths)
        for row in rows:
            where = f"序号 {row.seq}"
            grid.add([([(str(row.seq), "body")], "center"), (_task_segments(row), "left"),
                      ([(row.units, "body")], "left"), ([(row.deadline_text, "body")], "center"),
                      ([(row.short_status, "body")], "center"), ([(row.progress or "未填写", "body")], "left")],
                     where)
        return grid.build(["序号", "工作任务", "责任单位", "完成时限", "状态", "本季度进展"], P_HEIGHT)

    def overdue_units_table(self) -> Flowable:
        """Many overdue tasks: 序号 by lead unit (the rows themselves are in the detail table)."""
        widths = [108.0, 54.0]
        widths.append(P_WIDTH - sum(widths))
        grid = GridBuilder(self.fonts, widths)
        for unit, seqs in overdue_by_unit(self.data):
            grid.add([([(unit, "body")], "left"), ([(str(len(seqs)), "body")], "center"),
                      ([(seq_ranges(seqs), "body")], "left")], unit)
        return grid.build(["牵头单位", "逾期项数", "任务序号(见附件明细表)"], P_HEIGHT)

    def follow_up_table(self) -> Flowable:
        """日期 | 单位 | 任务(序号) | 催办事项 | 回复期限: one row per 催办单 sent."""
        widths = [52.0, 112.0, 0.0, 136.0, 56.0]
        widths[2] = P_WIDTH - sum(widths)
        grid = GridBuilder(self.fonts, widths)
        for row in self.data.follow_ups or []:
            grid.add([([(row.sent_text, "body")], "center"), ([(row.unit, "body")], "left"),
                      ([(row.seqs_text, "body")], "left"), ([(row.matters, "body")], "left"),
                      ([(row.reply_text, "body")], "center")], row.unit)
        return grid.build(["日期", "单位", zh("任务(序号)"), "催办事项", "回复期限"], P_HEIGHT)

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
        return table

    # -- the detail table (landscape) -----------------------------------------------------------

    def detail_table(self) -> Flowable:
        d = self.data
        head = ["序号", "工作任务/具体要求", "责任单位", "完成时限", "完成状态", "本季度进展"]
        with_evidence = d.with_evidence and any(row.evidence for row in d.rows)  # no empty column
        if with_evidence:
            head.append("佐证材料")
        # Widths from the measured text (column_fit.fit_widths): the width that saves the
        # most lines, above each column's readable floor (进展 and 佐证材料 were starved
        # for 责任单位) and within its widest line; 工作任务 takes what is left over.
        grid = GridBuilder(self.fonts, None, DETAIL_SIZE, DETAIL_LEADING, total=L_WIDTH, nowrap=(0,),
                           floors=detail_floors(head), stretch=1)
        previous: list[str] = []
        for row in d.rows:
            depth = 0
            while depth < min(len(previous), len(row.section)) and previous[depth] == row.section[depth]:
                depth += 1
            run_in = None
            if depth == 0 and row.section:  # a part starts: one row for it and the sub-sections starting with it
                grid.add_sections([(row.section[level], level) for level in range(len(row.section))])
            elif depth < len(row.section):  # a sub-section starts: its name runs in before its first task
                names = "\u3000".join(name for name in row.section[depth:] if name)
                run_in = (1, [("\u3010" + names + "\u3011", "kai")]) if names else None
            previous = row.section
            where = f"序号 {row.seq}"
            cells = [([(str(row.seq), "body")], "center"), (_task_segments(row), "left"),
                     ([(row.units, "body")], "left"), ([(row.deadline_text, "body")], "center"),
                     ([(row.status_text, "heading" if row.overdue else "body")], "center"),
                     ([(row.progress, "body")], "left")]
            if with_evidence:
                cells.append(([(text, "body") for text in row.evidence], "left"))
            grid.add(cells, where, run_in=run_in)
        if not d.rows:
            grid.add_section("统计范围内没有任务。", 1)
        return grid.build(head, L_HEIGHT)


class _StartTogether(CondPageBreak):
    """A page break unless the heading, its sentences and the table's header with its
    first rows fit in what is left of the page: measured (a fixed allowance broke pages
    that had room, a page more per report)."""

    def __init__(self, lead: list[Flowable], grid: Grid | None, rows: int = 2, extra: float = 0.0) -> None:
        super().__init__(0)
        self.lead = lead
        self.grid = grid
        self.rows = rows
        self.extra = extra

    def wrap(self, availWidth, availHeight):
        need = self.extra
        for flowable in self.lead:
            need += flowable.wrap(availWidth, availHeight)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
        if self.grid is not None:
            need += self.grid.header.height
            for row in self.grid.rows[:self.rows]:
                if row.lines >= 2 * MIN_SPLIT_LINES:  # it may split: the lines it would leave here
                    need += MIN_SPLIT_LINES * self.grid.leading + row.height - row.lines * self.grid.leading
                    break
                need += row.height
        self.height = need
        return super().wrap(availWidth, availHeight)


def _with_first_rows(part: list[Flowable]) -> list[Flowable]:
    """A part (heading, sentences, perhaps a table) that starts on a new page only when
    its start does not fit on this one."""
    grid = part[-1] if isinstance(part[-1], Grid) else None
    lead = part[:-1] if grid is not None else part
    return [_StartTogether(lead, grid), *part]


def _per_period_note(data: ReportData) -> str:
    """Under a count table's caption when recurring tasks are counted by period."""
    return zh("(定期任务按本季度应完成的期次计,每期计一项)") if data.period_count else ""


def _task_segments(row) -> list[Segment]:
    """工作任务/具体要求: the task's short title (黑体) above its requirement, if it has one."""
    return [(row.title, "heading"), (row.requirement, "body")] if row.title else [(row.requirement, "body")]


def _build(data: ReportData, target: BinaryIO, fonts: FontSet) -> int:
    patch_line_breaking()
    # Binary (Flate only) streams: ASCII85 on top costs a third of the time of a
    # 1,000-page report in reportlab's pure-Python encoder and makes the file bigger.
    rl_config.useA85 = 0
    doc = ReportDocument(target, data, fonts)
    doc.build(_Writer(data, fonts).story())
    return doc.page


def render_report(data: ReportData, out: str | Path | BinaryIO, fonts: FontSet | None = None) -> RenderResult:
    """Write the report to ``out`` (a path, written to a temporary name first and then
    renamed, so a failure never leaves half a PDF; or a binary file object)."""
    fonts = fonts or load_font_set()
    fonts.missing.clear()
    result_path = None
    if isinstance(out, (str, Path)):
        pages = write_via_temp(out, lambda stream: _build(data, stream, fonts))
        result_path = Path(out)
    else:
        pages = _build(data, out, fonts)
    return RenderResult(pages=pages, missing=fonts.missing_report(), missing_chars=sorted(fonts.missing),
                        fonts=fonts.describe(), path=result_path)


def report_bytes(data: ReportData, fonts: FontSet | None = None) -> tuple[bytes, RenderResult]:
    buffer = BytesIO()
    result = render_report(data, buffer, fonts)
    return buffer.getvalue(), result
