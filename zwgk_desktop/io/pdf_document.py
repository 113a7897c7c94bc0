"""The report's pages (GB/T 9704 proportions): A4, top margin 37 mm, left 28 mm, text
block 156×225 mm; title 22 pt in the 小标宋/宋体 face, body 16 pt 仿宋 on a 22-line grid,
headings 黑体, page numbers "— 1 —" 14 pt, 7 mm below the text block, odd pages right,
even pages left, one character in. The main part is portrait; the detail table (附件) is
on landscape pages with the narrower margins of an attachment table (15 mm, text block
267×180 mm).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from ..core.report_data import ReportData
from .pdf_fonts import FontSet

# -- geometry (GB/T 9704) ---------------------------------------------------------------------

PORTRAIT = A4
LANDSCAPE = landscape(A4)
P_LEFT, P_TOP, P_WIDTH, P_HEIGHT = 28 * mm, 37 * mm, 156 * mm, 225 * mm
P_BOTTOM = PORTRAIT[1] - P_TOP - P_HEIGHT  # 35 mm
# Landscape (the 附件 detail table): an attachment table is printed with narrower
# margins than the 正文 in 政务 practice, 15 mm all round with the page number in the
# foot margin (5 mm below the table, 6 mm above the paper's edge), so the text block is
# 267×180 mm; the portrait margins turned would give 225×156 mm, a quarter less table
# on each page.
L_LEFT, L_BOTTOM, L_TOP = 15 * mm, 15 * mm, 15 * mm
L_WIDTH, L_HEIGHT = LANDSCAPE[0] - 2 * L_LEFT, LANDSCAPE[1] - L_TOP - L_BOTTOM
P_NUMBER_GAP, L_NUMBER_GAP = 7 * mm, 5 * mm  # from the text block down to the page number

TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE = 22, 16, 14
BODY_LEADING = P_HEIGHT / 22  # 22 lines on a page, as the standard sets
TABLE_SIZE, TABLE_LEADING = 10.5, 13.5
# The detail table (附件): 9 pt, the smallest size readable at 100% on paper.
DETAIL_SIZE, DETAIL_LEADING = 9.0, 10.4
PAD = 3
EM_DASH = "\u2014"
TABLE_START = 100  # a table's caption goes to the next page unless its header and a few rows fit


@dataclass(slots=True)
class RenderResult:
    pages: int
    missing: str  # a sentence for the clerk about characters no font has ("" if none)
    missing_chars: list[str]
    fonts: dict[str, str]
    path: Path | None = None


class ReportDocument(BaseDocTemplate):
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
        """"— 1 —" in the title face; a character it lacks (some CJK faces have no em
        dash or digits) comes from a fallback face, as everywhere else in the report."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        runs = self.fonts.runs(f"{EM_DASH} {doc.page} {EM_DASH}", "title", "页码")
        total = sum(stringWidth(piece, font, PAGE_NUMBER_SIZE) for font, piece in runs)
        wide = canvas._pagesize[0] > canvas._pagesize[1]
        left, width, bottom, gap = (L_LEFT, L_WIDTH, L_BOTTOM, L_NUMBER_GAP) if wide else \
            (P_LEFT, P_WIDTH, P_BOTTOM, P_NUMBER_GAP)
        y = bottom - gap - PAGE_NUMBER_SIZE * 0.8
        x = left + width - PAGE_NUMBER_SIZE - total if doc.page % 2 else left + PAGE_NUMBER_SIZE
        canvas.saveState()
        for font, piece in runs:
            canvas.setFont(font, PAGE_NUMBER_SIZE)
            canvas.drawString(x, y, piece)
            x += stringWidth(piece, font, PAGE_NUMBER_SIZE)
        canvas.restoreState()


class Styles:
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


GRID_STYLE = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LEFTPADDING", (0, 0), (-1, -1), PAD),
    ("RIGHTPADDING", (0, 0), (-1, -1), PAD + 2),  # room for punctuation hanging at a line end
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
]

