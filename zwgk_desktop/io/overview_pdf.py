"""一页纸概况 as a PDF: A4 portrait, one page whatever the plan's size.

Title and date; the key numbers in a row of boxes; completion by section and by lead unit
as two bar charts side by side; the overdue tasks (the longest overdue first, the number
left out said); this quarter's highlights; the 督办 line. core/overview.py has already
cut every list to what a page holds; the whole page is then set in a ``KeepInFrame`` that
shrinks it if a long plan title or unit names still overflow: condense, never a page two.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..core.follow_up import Level
from ..core.overview import Overview
from ..core.report_data import GroupRow
from .cjk_text import patch_line_breaking
from .output_files import write_via_temp
from .pdf_document import PORTRAIT, RenderResult
from .pdf_fonts import FontSet, load_font_set
from .remind_pdf import chinese_date

__all__ = ["overview_bytes", "render_overview"]

LEFT, TOP, WIDTH, HEIGHT = 20 * mm, 18 * mm, 170 * mm, 262 * mm  # a one-page brief: narrower margins
BOTTOM = PORTRAIT[1] - TOP - HEIGHT
GREEN, GREY, RED, ORANGE, YELLOW = (colors.HexColor(c) for c in ("#2e7d32", "#e0e0e0", "#c00000", "#e67e22",
                                                                   "#d4ac0d"))


class _Bars(Flowable):
    """Horizontal bars: label, the done share in green over grey, "done/total rate"."""

    ROW, SIZE = 14, 8.5

    def __init__(self, rows: list[GroupRow], width: float, fonts: FontSet, where: str) -> None:
        super().__init__()
        self.rows, self.width, self.fonts, self.where = rows, width, fonts, where
        self.font = fonts.font("body")

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.ROW * max(1, len(self.rows))

    def _fit(self, text: str, width: float) -> str:
        text = self.fonts.plain(text, self.font, self.where)
        if stringWidth(text, self.font, self.SIZE) <= width:
            return text
        while text and stringWidth(text + "…", self.font, self.SIZE) > width:
            text = text[:-1]
        return text + "…"

    def draw(self) -> None:
        c = self.canv
        label_w = self.width * 0.36
        value_w = 58
        bar_w = self.width - label_w - value_w - 6
        top = self.ROW * max(1, len(self.rows))
        for n, row in enumerate(self.rows):
            y = top - (n + 1) * self.ROW + 3
            counts = row.counts
            c.setFont(self.font, self.SIZE)
            c.setFillColor(colors.black)
            c.drawRightString(label_w - 3, y + 1, self._fit(row.label, label_w - 4))
            c.setFillColor(GREY)
            c.rect(label_w, y, bar_w, self.ROW - 5, stroke=0, fill=1)
            share = counts.completion if counts.base else 0.0
            if share:
                c.setFillColor(GREEN)
                c.rect(label_w, y, bar_w * share, self.ROW - 5, stroke=0, fill=1)
            c.setFillColor(RED if counts.overdue else colors.black)
            value = f"{counts.done}/{counts.base} {counts.completion_text}"
            c.drawString(label_w + bar_w + 4, y + 1, self.fonts.plain(value, self.font, self.where))


class _Page:
    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        title, body, heading, kai = (fonts.font(r) for r in ("title", "body", "heading", "kai"))
        base = {"wordWrap": "CJK"}
        self.title = ParagraphStyle("o_title", fontName=title, fontSize=20, leading=28, alignment=TA_CENTER, **base)
        self.sub = ParagraphStyle("o_sub", fontName=kai, fontSize=11, leading=16, alignment=TA_CENTER, **base)
        self.h = ParagraphStyle("o_h", fontName=heading, fontSize=12, leading=17, spaceBefore=6, spaceAfter=2,
                                **base)
        self.body = ParagraphStyle("o_body", fontName=body, fontSize=10, leading=14, **base)
        self.cell = ParagraphStyle("o_cell", fontName=body, fontSize=9, leading=11.5, **base)
        self.cell_c = ParagraphStyle("o_cell_c", parent=self.cell, alignment=TA_CENTER)
        self.head = ParagraphStyle("o_head", parent=self.cell, fontName=heading, alignment=TA_CENTER)
        self.big = ParagraphStyle("o_big", fontName=heading, fontSize=16, leading=20, alignment=TA_CENTER, **base)
        self.small_c = ParagraphStyle("o_small", fontName=body, fontSize=9, leading=12, alignment=TA_CENTER, **base)

    def p(self, text: str, style: ParagraphStyle, role: str = "body", colour: str | None = None) -> Paragraph:
        markup = self.fonts.markup(text, role, "一页纸概况")
        if colour:
            markup = f'<font color="{colour}">{markup}</font>'
        return Paragraph(markup, style)

    def grid(self, rows, widths, header: bool = True) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=0)
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                 ("FONTNAME", (0, 0), (-1, -1), self.fonts.font("body")),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                 ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
        table.setStyle(TableStyle(style))
        return table

    def story(self, o: Overview) -> list[Flowable]:
        t = o.totals
        story: list[Flowable] = [
            self.p(f"{o.year}年政务公开重点工作落实情况概况", self.title, "title"),
            self.p(f"《{o.plan_title}》 截至{chinese_date(o.today)}", self.sub, "kai"),
            Spacer(1, 6),
        ]
        boxes = [("任务总数", str(t.total), None), ("已完成", str(t.done), "#2e7d32"),
                 ("推进中", str(t.in_progress), None), ("未启动", str(t.not_started), None),
                 ("已逾期", str(t.overdue), "#c00000" if t.overdue else None),
                 ("完成率", t.completion_text, None)]
        numbers = self.grid([[self.p(v, self.big, "heading", c) for _, v, c in boxes],
                             [self.p(k, self.small_c) for k, _, _ in boxes]], [WIDTH / 6] * 6, header=False)
        story.append(numbers)
        half = WIDTH / 2 - 4
        left = [self.p("按章节", self.h, "heading"), _Bars(o.by_section, half - 6, self.fonts, "按章节")]
        right = [self.p("按牵头单位(完成率由低到高)", self.h, "heading"),
                 _Bars(o.by_unit, half - 6, self.fonts, "按单位")]
        charts = Table([[left, right]], colWidths=[half + 4, half + 4])
        charts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(charts)
        left_out = []
        if o.sections_left_out:
            left_out.append(f"章节较多,其余 {o.sections_left_out} 个章节合为一条")
        if o.units_left_out:
            left_out.append(f"单位较多,任务最少的 {o.units_left_out} 个单位合为一条")
        if left_out:
            story.append(self.p(";".join(left_out) + "。", self.cell))
        total_overdue = len(o.overdue) + o.overdue_left_out
        story.append(self.p(f"逾期任务({total_overdue} 项)", self.h, "heading"))
        if o.overdue:
            rows = [[self.p(h, self.head, "heading") for h in ("序号", "任务", "牵头单位", "到期日", "逾期")]]
            for item in o.overdue:
                rows.append([self.p(str(item.seq), self.cell_c), self.p(_short(item.text, 48), self.cell),
                             self.p(item.unit, self.cell), self.p(item.due_date.isoformat(), self.cell_c),
                             self.p(f"{item.days} 天", self.cell_c, colour="#c00000")])
            story.append(self.grid(rows, [12 * mm, 88 * mm, 34 * mm, 22 * mm, 14 * mm]))
            if o.overdue_left_out:
                story.append(self.p(f"另有 {o.overdue_left_out} 项逾期任务未列出(逾期时间较短),"
                                    "详见季度报告或 zwgk overdue。", self.cell))
        else:
            story.append(self.p("没有逾期任务。", self.body))
        story.append(self.p(f"{o.quarter.label}进展摘要", self.h, "heading"))
        if o.highlights:
            for h in o.highlights:
                mark = "(已完成)" if h.done else ""
                story.append(self.p(f"· {h.seq}. {h.task}{mark}:{h.note}", self.body))
        else:
            story.append(self.p("本季度还没有登记进展。", self.body))
        story.append(self.p("督办", self.h, "heading"))
        behind = sum(o.lagging.values())
        colours = ",".join(f"{name} {o.lagging.get(level, 0)} 个" for level, name in
                           ((Level.RED, "红色(有逾期)"), (Level.ORANGE, "橙色(即将到期)"),
                            (Level.YELLOW, "黄色(缺进展或材料)")))
        story.append(self.p(f"需要督办的单位 {behind} 个:{colours};本季度已发催办单 {o.follow_ups_sent} 份。",
                            self.body))
        return story


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _build(o: Overview, target: BinaryIO, fonts: FontSet) -> int:
    patch_line_breaking()
    rl_config.useA85 = 0
    doc = BaseDocTemplate(target, pagesize=PORTRAIT, leftMargin=LEFT, rightMargin=PORTRAIT[0] - LEFT - WIDTH,
                          topMargin=TOP, bottomMargin=BOTTOM, title=f"{o.year}年政务公开重点工作落实情况概况",
                          creator="政务公开任务台账 zwgk-desktop", invariant=1,
                          initialFontName=fonts.font("body"), initialFontSize=10)
    doc.addPageTemplates([PageTemplate("page", [Frame(LEFT, BOTTOM, WIDTH, HEIGHT, 0, 0, 0, 0)])])
    doc.build([KeepInFrame(WIDTH, HEIGHT, _Page(fonts).story(o), mode="shrink")])
    return doc.page


def render_overview(o: Overview, out: str | Path | BinaryIO, fonts: FontSet | None = None) -> RenderResult:
    """Write the one-page overview to ``out`` (a path: temporary name, then renamed)."""
    fonts = fonts or load_font_set()
    fonts.missing.clear()
    result_path = None
    if isinstance(out, (str, Path)):
        pages = write_via_temp(out, lambda stream: _build(o, stream, fonts))
        result_path = Path(out)
    else:
        pages = _build(o, out, fonts)
    return RenderResult(pages=pages, missing=fonts.missing_report(), missing_chars=sorted(fonts.missing),
                        fonts=fonts.describe(), path=result_path)


def overview_bytes(o: Overview, fonts: FontSet | None = None) -> tuple[bytes, RenderResult]:
    buffer = BytesIO()
    result = render_overview(o, buffer, fonts)
    return buffer.getvalue(), result

