"""催办单 (督办通知) as a PDF in 公文 style: one page per unit.

Each notice: the red heading 督办通知 over a red rule, the unit addressed, a sentence
saying which plan and how many tasks, a table of its tasks (序号, 工作任务, 完成时限,
存在问题: overdue days in red, due dates, missing note or evidence), the reply deadline
and where to send it, and the office's name and date at the right. GB/T 9704 page
(A4, text block 156×225 mm); fonts from io/pdf_fonts.py with the project's Chinese line
breaking (io/cjk_text.py). A unit with many tasks continues on the next page with the
table header repeated; each unit starts on a new page.

A path is written to a temporary name in the same folder first and renamed when
complete, so a failure never leaves half a PDF (the message names the folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..core.follow_up import Lag, TaskLag, UnitLag
from ..core.ledger import Ledger
from ..core.quarters import Quarter, default_quarter
from .cjk_text import patch_line_breaking
from .output_files import write_via_temp
from .pdf_document import (
    BODY_LEADING,
    BODY_SIZE,
    P_BOTTOM,
    P_HEIGHT,
    P_LEFT,
    P_TOP,
    P_WIDTH,
    PORTRAIT,
    TITLE_SIZE,
    RenderResult,
)
from .pdf_fonts import FontSet, load_font_set

__all__ = ["RemindNotice", "chinese_date", "fit_for", "missing_pieces", "notices_for", "reminder_bytes",
           "render_reminders"]

RED = colors.HexColor("#c00000")
TABLE_SIZE, TABLE_LEADING = 10.5, 14
TASK_CHARS = 70  # a task's text in the table: its first sentence or so; the unit has the full plan
# Tried in turn until a unit's notice fits on one page: table size, leading, task characters,
# short words in 存在问题 (无进展 for 本季度无进展). A unit with very many tasks still goes on to a
# second page at the smallest size, its table header repeated.
FITS = ((TABLE_SIZE, TABLE_LEADING, TASK_CHARS, False), (9.5, 12.5, 48, True), (9, 11, 34, True),
        (8, 9.5, 24, True))
_SHORT_WORDS = {Lag.NO_PROGRESS: "无进展", Lag.NO_EVIDENCE: "无佐证材料"}


@dataclass(slots=True)
class RemindNotice:
    """What one 催办单 says."""

    unit: str
    plan_title: str
    tasks: list[TaskLag]
    reply_by: date
    office: str
    issued_on: date
    quarter: Quarter
    contact: str = ""  # 联系人及电话, printed under the request when given


def chinese_date(day: date) -> str:
    """The way a 公文 writes a date (GB/T 9704-2012: Arabic numerals): 2023年9月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


def notices_for(ledger: Ledger, plan_id: int, lags: list[UnitLag], *, reply_by: date, office: str,
                issued_on: date | None = None, contact: str = "", quarter: Quarter | None = None) -> list[RemindNotice]:
    """A notice per unit that has something missing, headed with the quarter chased (by
    default the one the plan is worked on: its year's last once that year is over)."""
    plan = ledger.plan(plan_id)
    issued_on = issued_on or date.today()
    quarter = quarter or default_quarter(plan.year, issued_on)
    return [RemindNotice(lag.unit, plan.title, list(lag.tasks), reply_by, office, issued_on,
                         quarter, contact) for lag in lags if lag.tasks]


class _Rule(Flowable):
    """The red line under a 红头."""

    def __init__(self, width: float, color=RED, thickness: float = 1.5) -> None:
        super().__init__()
        self.width, self.color, self.thickness = width, color, thickness

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.thickness + 6

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, 3, self.width, 3)


class _Styles:
    def __init__(self, fonts: FontSet, table_size: float = TABLE_SIZE, table_leading: float = TABLE_LEADING) -> None:
        title, body, heading, kai = (fonts.font(r) for r in ("title", "body", "heading", "kai"))
        base = {"wordWrap": "CJK", "allowWidows": 1, "allowOrphans": 1}
        self.title = ParagraphStyle("r_title", fontName=title, fontSize=TITLE_SIZE + 6, leading=(TITLE_SIZE + 6) * 1.4,
                                    alignment=TA_CENTER, textColor=RED, **base)
        self.subtitle = ParagraphStyle("r_sub", fontName=kai, fontSize=14, leading=20, alignment=TA_CENTER, **base)
        self.addressee = ParagraphStyle("r_to", fontName=body, fontSize=BODY_SIZE, leading=BODY_LEADING,
                                        spaceBefore=BODY_LEADING * 0.3, **base)
        self.body = ParagraphStyle("r_body", fontName=body, fontSize=BODY_SIZE, leading=BODY_LEADING,
                                   firstLineIndent=2 * BODY_SIZE, **base)
        self.cell = ParagraphStyle("r_cell", fontName=body, fontSize=table_size, leading=table_leading, **base)
        self.cell_center = ParagraphStyle("r_cell_c", parent=self.cell, alignment=TA_CENTER)
        self.head = ParagraphStyle("r_head", parent=self.cell, fontName=heading, alignment=TA_CENTER)
        self.sign = ParagraphStyle("r_sign", fontName=body, fontSize=BODY_SIZE, leading=BODY_LEADING,
                                   alignment=TA_RIGHT, rightIndent=2 * BODY_SIZE, **base)
        self.note = ParagraphStyle("r_note", fontName=kai, fontSize=12, leading=18, **base)


def _short(text: str, limit: int = TASK_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Writer:
    def __init__(self, fonts: FontSet, fit: tuple[float, float, int, bool] = FITS[0]) -> None:
        self.fonts = fonts
        self.styles = _Styles(fonts, fit[0], fit[1])
        self.chars, self.short_words = fit[2], fit[3]

    def p(self, text: str, style: ParagraphStyle, role: str = "body", where: str = "") -> Paragraph:
        return Paragraph(self.fonts.markup(text, role, where), style)

    def missing_cell(self, task: TaskLag, where: str) -> Paragraph:
        pieces = []
        for words, overdue in missing_pieces(task, self.short_words):
            text = self.fonts.markup(words, "body", where)
            pieces.append(f'<font color="#c00000">{text}</font>' if overdue else text)
        return Paragraph(("、" if self.short_words else "<br/>").join(pieces), self.styles.cell)

    def notice(self, n: RemindNotice) -> list[Flowable]:
        s = self.styles
        where = n.unit
        overdue = sum(1 for t in n.tasks if Lag.OVERDUE in t.lags)
        story: list[Flowable] = [
            self.p("督办通知", s.title, "title", where),
            self.p(f"({n.quarter.label})", s.subtitle, "kai", where),
            Spacer(1, 4),
            _Rule(P_WIDTH),
            self.p(f"{n.unit}:", s.addressee, "body", where),
            self.p(f"根据《{n.plan_title}》的分工和台账登记情况,截至{chinese_date(n.issued_on)},"
                   f"你单位承担的以下 {len(n.tasks)} 项任务"
                   + (f"(其中已逾期 {overdue} 项)" if overdue else "")
                   + "尚未完成,或本季度尚未报送进展情况、佐证材料,现予督办。", s.body, "body", where),
            Spacer(1, 6),
        ]
        rows: list[list[Flowable]] = [[self.p(h, s.head, "heading", where)
                                       for h in ("序号", "工作任务", "完成时限", "存在问题")]]
        for task in n.tasks:
            label = task.label
            if task.via:
                label += f"(经{'、'.join(task.via)})"
            deadline = task.deadline_text or "—"
            if task.period:
                deadline += f"\n本期 {task.period}"
            rows.append([self.p(str(task.seq), s.cell_center, "body", where),
                         self.p(_short(label, self.chars), s.cell, "body", where),
                         self.p(deadline, s.cell_center, "body", where),
                         self.missing_cell(task, where)])
        table = Table(rows, colWidths=[11 * mm, 73 * mm, 27 * mm, 45 * mm] if self.short_words else [11 * mm, 82 * mm, 27 * mm, 36 * mm], repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            # Table sets each cell's font before drawing it: else Helvetica, listed and not embedded
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.font("body")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ]))
        story.append(table)
        story.append(Spacer(1, 8))
        closing = [self.p(f"请于{chinese_date(n.reply_by)}前完成上述工作,并将落实情况和佐证材料报送{n.office};"
                          "确有困难不能按期完成的,请书面说明原因及下一步措施。", s.body, "body", where)]
        if n.contact:
            closing.append(self.p(f"联系人:{n.contact}", s.body, "body", where))
        closing += [Spacer(1, BODY_LEADING * 0.6),
                    self.p(n.office, s.sign, "body", where),
                    self.p(chinese_date(n.issued_on), s.sign, "body", where)]
        story.append(KeepTogether(closing))
        return story


def _doc(target: BinaryIO, notices: list[RemindNotice], fonts: FontSet) -> BaseDocTemplate:
    title = "督办通知" + (f"({notices[0].unit})" if len(notices) == 1 else f"({len(notices)} 个单位)")
    doc = BaseDocTemplate(target, pagesize=PORTRAIT, leftMargin=P_LEFT, rightMargin=PORTRAIT[0] - P_LEFT - P_WIDTH,
                          topMargin=P_TOP, bottomMargin=P_BOTTOM, title=title,
                          author=notices[0].office if notices else "", creator="政务公开任务台账 zwgk-desktop",
                          invariant=1, initialFontName=fonts.font("body"), initialFontSize=BODY_SIZE)
    doc.addPageTemplates([PageTemplate("portrait", [Frame(P_LEFT, P_BOTTOM, P_WIDTH, P_HEIGHT, 0, 0, 0, 0)])])
    return doc


def fit_for(notice: RemindNotice, fonts: FontSet | None = None) -> tuple[float, float, int, bool]:
    """The table size, leading, task characters and short words at which the notice fits on
    one page (the smallest if none). The Word 催办单 takes the same fit: its page and type
    are the PDF's, and Word cannot be asked where its pages end."""
    return _fit(notice, fonts or load_font_set())


def missing_pieces(task: TaskLag, short_words: bool) -> list[tuple[str, bool]]:
    """What is missing for one task, as (words, overdue?) pieces: the PDF and Word cells."""
    pieces = []
    for lag in task.lags:
        if lag is Lag.OVERDUE:
            pieces.append((f"逾期{task.days_overdue}天" if short_words else f"已逾期 {task.days_overdue} 天", True))
        elif lag is Lag.DUE_SOON and task.due_date is not None:
            pieces.append((f"{task.due_date.month}月{task.due_date.day}日到期", False))
        else:
            pieces.append((_SHORT_WORDS.get(lag, lag.value) if short_words else lag.value, False))
    return pieces


def _fit(notice: RemindNotice, fonts: FontSet) -> tuple[float, float, int, bool]:
    """The largest table size at which the notice fits on one page (the smallest if none)."""
    if len(notice.tasks) <= 3:
        return FITS[0]
    for fit in FITS:
        doc = _doc(BytesIO(), [notice], fonts)
        doc.build(_Writer(fonts, fit).notice(notice))
        if doc.page == 1:
            return fit
    return FITS[-1]


def _build(notices: list[RemindNotice], target: BinaryIO, fonts: FontSet) -> int:
    patch_line_breaking()
    rl_config.useA85 = 0
    doc = _doc(target, notices, fonts)
    story: list[Flowable] = []
    for n, notice in enumerate(notices):
        if n:
            story.append(PageBreak())
        story += _Writer(fonts, _fit(notice, fonts)).notice(notice)
    doc.build(story)
    return doc.page


def render_reminders(notices: list[RemindNotice], out: str | Path | BinaryIO,
                     fonts: FontSet | None = None) -> RenderResult:
    """Write the notices (each unit on its own page) to ``out``: a path (temporary name,
    then renamed) or a binary file object. Raises UserError when it cannot be written."""
    if not notices:
        from ..core.errors import UserError

        raise UserError("没有需要催办的单位,没有生成催办单。")
    fonts = fonts or load_font_set()
    fonts.missing.clear()
    result_path = None
    if isinstance(out, (str, Path)):
        pages = write_via_temp(out, lambda stream: _build(notices, stream, fonts))
        result_path = Path(out)
    else:
        pages = _build(notices, out, fonts)
    return RenderResult(pages=pages, missing=fonts.missing_report(), missing_chars=sorted(fonts.missing),
                        fonts=fonts.describe(), path=result_path)


def reminder_bytes(notices: list[RemindNotice], fonts: FontSet | None = None) -> tuple[bytes, RenderResult]:
    buffer = BytesIO()
    result = render_reminders(notices, buffer, fonts)
    return buffer.getvalue(), result
