"""WordprocessingML for the Word report (io/docx_report.py): the 公文 measures, fonts
named with their stand-ins, runs and paragraphs as XML text, and ``Table``, a bordered
table with fixed widths, a repeated header and full-width section rows. Long tables
are built here as text (python-docx's ``add_row`` and ``cell.text`` take seconds for
5,000 rows); widths are measured without font files (a Chinese character is one em).
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from ..core.limits import fit_text

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


def mm(value: float) -> int:
    return round(value * TWIPS_PER_MM)


def run_props(role: str, size: float, bold: bool = False) -> str:
    face = FONTS[role][0]
    half_points = round(size * 2)
    return (f'<w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{face}" w:cs="{LATIN}"/>'
            + ("<w:b/>" if bold else "") + f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>')


_NUMBER_LIST = re.compile("(?<=[0-9]、)(?=[0-9])")


def _text(value: str) -> str:
    # A zero-width space after each 、 in a list of numbers ("序号 104、109、111……"):
    # Word and LibreOffice do not break there by themselves and cut a number in two.
    return escape(_NUMBER_LIST.sub("\u200b", _XML_ILLEGAL.sub("", fit_text(value))))


def runs(text: str, rpr: str) -> str:
    """A run per line; lines joined by ``w:br``."""
    parts = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{_text(part)}</w:t>' for part in parts)
    return f"<w:r>{rpr}{body}</w:r>"


def paragraph(content: str, align: str = "left", line_pt: float = DETAIL_LINE_PT, indent_chars: int = 0,
          keep_next: bool = False, size_pt: float = BODY_PT) -> str:
    ppr = f'<w:jc w:val="{"center" if align == "center" else "both" if align == "both" else "left"}"/>'
    ppr = (("<w:keepNext/>" if keep_next else "")
           + f'<w:spacing w:before="0" w:after="0" w:line="{round(line_pt * 20)}" w:lineRule="exact"/>'
           + (f'<w:ind w:firstLineChars="{indent_chars * 100}" w:firstLine="{round(indent_chars * size_pt * 20)}"/>'
              if indent_chars else "") + ppr)
    return f"<w:p><w:pPr>{ppr}</w:pPr>{content}</w:p>"


class Table:
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
            self._rpr[key] = run_props(role, self.size, bold)
        return self._rpr[key]

    def cell_xml(self, paragraphs: list[tuple[str, str]], align: str, width: int, *, span: int = 1,
                 fill: str | None = None) -> str:
        tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            tcpr += f'<w:gridSpan w:val="{span}"/>'
        if fill:
            tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
        tcpr += '<w:vAlign w:val="center"/>'
        body = "".join(paragraph(runs(text, self.rpr(role)), align, self.line_pt) for text, role in paragraphs if text)
        return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{body or paragraph('', align, self.line_pt)}</w:tc>"

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


def fit_detail_widths(header: list[str], rows: list[list[str]], total_twips: int, size: float,
                       nowrap: tuple[int, ...]) -> list[int]:
    from .column_fit import detail_floors
    from .long_table import fit_widths

    sample = 240
    step = len(rows) / sample if len(rows) > sample else 1
    picked = [rows[int(i * step)] for i in range(min(sample, len(rows)))]
    total_pt = total_twips / 20
    pad = 2 * CELL_MARGIN / 20 + size * 0.3
    # The PDF's floors (a readable least width for 进展, 佐证材料…) and its stretch column, so
    # one huge note cannot squeeze the others to a character a line in Word either.
    stretch = header.index("工作任务/具体要求") if "工作任务/具体要求" in header else None
    widths = fit_widths([_measure(h, size) for h in header], [[_measure(c, size) for c in row] for row in picked],
                        total_pt, size, pad, nowrap, floors=detail_floors(header), stretch=stretch)
    twips = [round(w * 20) for w in widths]
    twips[max(range(len(twips)), key=lambda i: twips[i])] += total_twips - sum(twips)
    return twips
