"""The long tables of the report (the detail table, the overdue list) as one flowable.

The detail table of a 5,000-task plan runs to hundreds of pages. reportlab's Table with a
Paragraph in every cell took 35 s for it here (row heights and spans are recomputed for
the rest of the table at every page break, and each of 35,000 Paragraphs is parsed,
measured with stringWidth per character, wrapped several times and drawn). :class:`Grid`
lays every cell out once, with the fonts' width tables and the Chinese line-breaking
rules of :mod:`.cjk_text`, and paginates by the computed heights: the header row is
repeated on every page, a row that does not fit moves to the next page whole, a row
taller than a page is split between lines (so no text is lost), and a section row never
ends a page: it goes over with its first task.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Flowable

from ..core.limits import fit_text
from .cjk_text import Line, Segment, TextLayout
from .pdf_document import TABLE_LEADING, TABLE_SIZE
from .pdf_fonts import FontSet

_CELL_PAD_LEFT, _CELL_PAD_RIGHT, _CELL_PAD_TOP, _CELL_PAD_BOTTOM = 3.0, 6.5, 2.5, 3.0
_HEADER_FILL = colors.HexColor("#e8e8e8")
_SECTION_FILLS = (colors.HexColor("#ececec"), colors.HexColor("#f6f6f6"))

class Row:
    __slots__ = ("cells", "height", "section", "top")

    def __init__(self, cells: list[tuple[list[Line], str]], height: float, section: int = -1,
                 top: bool = False) -> None:
        self.cells = cells  # per column (one for a section row): lines, alignment
        self.height = height
        self.section = section  # -1 for a task row, else the section level
        self.top = top  # a piece of a split row: set from the top, not centred

    def split(self, avail: float, leading: float) -> tuple["Row", "Row"] | None:
        keep = int((avail - _CELL_PAD_TOP - _CELL_PAD_BOTTOM) // leading)
        if keep < 1:
            return None
        first = [(lines[:keep], align) for lines, align in self.cells]
        rest = [(lines[keep:], align) for lines, align in self.cells]
        tall = max(len(lines) for lines, _ in rest)
        if tall == 0:
            return None
        pads = _CELL_PAD_TOP + _CELL_PAD_BOTTOM
        return (Row(first, keep * leading + pads, self.section, True),
                Row(rest, tall * leading + pads, self.section, True))


class Grid(Flowable):
    """A table drawn from laid-out rows; ``split`` hands out one page at a time."""

    def __init__(self, widths: list[float], header: Row, rows: list[Row], frame_height: float,
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

    def _part(self, rows: list[Row]) -> "Grid":
        return Grid(self.widths, self.header, rows, self.frame_height, self.size, self.leading)

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

    def _row_text(self, text, state, row: Row, top: float) -> None:
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


class GridBuilder:
    def __init__(self, fonts: FontSet, widths: list[float], size: float = TABLE_SIZE,
                 leading: float = TABLE_LEADING) -> None:
        self.layout = TextLayout(fonts, size)
        self.widths = widths
        self.size = size
        self.leading = leading
        self.rows: list[Row] = []

    def _cell(self, segments: list[Segment], width: float, align: str, where: str) -> tuple[list[Line], str]:
        # A note over Excel's cell limit (one written before the limit existed) is cut with
        # a visible remark: a 10 MB note took 380 s and 1.8 GB to lay out.
        segments = [(fit_text(t), r) for t, r in segments if t]
        lines = self.layout.lines(segments, width - _CELL_PAD_LEFT - _CELL_PAD_RIGHT, where) if segments else []
        return lines, align

    def _height(self, cells: list[tuple[list[Line], str]]) -> float:
        return max(1, *(len(lines) for lines, _ in cells)) * self.leading + _CELL_PAD_TOP + _CELL_PAD_BOTTOM

    def header(self, labels: list[str]) -> Row:
        cells = [self._cell([(label, "heading")], w, "center", "表头") for label, w in zip(labels, self.widths)]
        return Row(cells, self._height(cells))

    def add(self, cells: list[tuple[list[Segment], str]], where: str = "") -> None:
        laid = [self._cell(segments, w, align, where) for (segments, align), w in zip(cells, self.widths)]
        self.rows.append(Row(laid, self._height(laid)))

    def add_section(self, label: str, level: int) -> None:
        cell = self._cell([(label, "heading" if level == 0 else "kai")], sum(self.widths), "left", "章节")
        self.rows.append(Row([cell], self._height([cell]), section=level))

    def build(self, header: list[str], frame_height: float) -> Grid:
        return Grid(self.widths, self.header(header), self.rows, frame_height, self.size, self.leading)

