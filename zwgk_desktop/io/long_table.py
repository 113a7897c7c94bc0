"""The long tables of the report (the detail table, the overdue list) as one flowable.

The detail table of a 5,000-task plan runs to hundreds of pages. reportlab's Table with a
Paragraph in every cell took 35 s for it here (row heights and spans are recomputed for
the rest of the table at every page break, and each of 35,000 Paragraphs is parsed,
measured with stringWidth per character, wrapped several times and drawn). :class:`Grid`
lays every cell out once, with the fonts' width tables and the Chinese line-breaking
rules of :mod:`.cjk_text`, and paginates by the computed heights (:func:`page_break`):
the header row is repeated on every page; a row that does not fit is split between lines
when two lines at least stay on each side (it repeats its 序号 on the next page), else
it moves whole; a row taller than a page always splits (no text is lost); a section row
never ends a page, it goes over with its first task. Column widths can be set from the
measured text (:func:`fit_widths`).
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from ..core.limits import fit_text
from .cjk_text import Line, Prepared, Segment, TextLayout
from .column_fit import fit_widths
from .pdf_document import TABLE_LEADING, TABLE_SIZE
from .pdf_fonts import FontSet

_CELL_PAD_LEFT, _CELL_PAD_TOP, _CELL_PAD_BOTTOM = 2.5, 1.25, 1.25
_HANG = 0.4  # of the font size: room on the right for a closer hanging at a line end (its ink is on the left)
_BAR_GAP = 0.5  # of the font size: between a bar and the widest number beside it ("100%" touched its bar)
_HEADER_FILL = colors.HexColor("#e8e8e8")
_BAR_FILL, _BAR_TRACK = colors.HexColor("#3b6ea5"), colors.HexColor("#e4e4e4")
_SECTION_FILLS = (colors.HexColor("#ececec"), colors.HexColor("#f6f6f6"))
# A PDF string's escapes, as reportlab writes them (octal outside printable ASCII), for
# str.translate: reportlab's pure-Python escapePDF loops over every character.
_PDF_ESCAPES = {c: f"\\{c:03o}" for c in (*range(32), *range(127, 256))}
_PDF_ESCAPES.update({ord(c): "\\" + c for c in "\\()"})
__all__ = ["MIN_SPLIT_LINES", "Grid", "GridBuilder", "Row", "fit_widths", "page_break", "seq_ranges"]

MIN_SPLIT_LINES = 2  # a row split at a page end leaves at least this many lines on each side


def seq_ranges(seqs: list[int]) -> str:
    """序号 for a list of tasks: three or more in a row as a range ("103—106、110"). Part 二
    of a report with thousands of overdue tasks listed every number (seven pages at
    5,000 tasks); tasks of a section fall due together, so most come in runs."""
    parts: list[str] = []
    i = 0
    while i < len(seqs):
        j = i
        while j + 1 < len(seqs) and seqs[j + 1] == seqs[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{seqs[i]}\u2014{seqs[j]}")
        else:
            parts.extend(str(seq) for seq in seqs[i:j + 1])
        i = j + 1
    return "\u3001".join(parts)


class Row:
    __slots__ = ("bar", "cells", "height", "section", "top")

    def __init__(self, cells: list[tuple[list[Line], str]], height: float, section: int = -1,
                 top: bool = False, bar: float | None = None) -> None:
        self.cells = cells  # per column (one for a section row): lines, alignment
        self.height = height
        self.section = section  # -1 for a task row, else the section level
        self.top = top  # a piece of a split row: set from the top, not centred
        self.bar = bar  # a share (0–1) drawn as a bar in the grid's bar column, or None

    @property
    def lines(self) -> int:
        return max((len(lines) for lines, _ in self.cells), default=0)

    def split_at(self, keep: int, leading: float) -> tuple["Row", "Row"] | None:
        """The first ``keep`` lines of every cell, and the rest."""
        if keep < 1 or keep >= self.lines:
            return None
        first = [(lines[:keep], align) for lines, align in self.cells]
        rest = [(lines[keep:], align) for lines, align in self.cells]
        if self.section < 0 and len(rest) > 1 and not rest[0][0]:
            rest[0] = first[0]  # the continued row shows its 序号 (or unit) again on the next page
        pads = _CELL_PAD_TOP + _CELL_PAD_BOTTOM
        rest_lines = max(len(lines) for lines, _ in rest)
        return (Row(first, keep * leading + pads, self.section, True, self.bar),
                Row(rest, rest_lines * leading + pads, self.section, True))

    def lines_in(self, space: float, leading: float) -> int:
        return int((space - _CELL_PAD_TOP - _CELL_PAD_BOTTOM + 0.01) // leading)


def page_break(rows: list[Row], space: float, leading: float, page_space: float) -> tuple[int, int]:
    """Where a page that has ``space`` points below the header ends: ``(k, keep)``, the
    first ``k`` rows whole and then ``keep`` lines of row ``k`` (0: none).

    * Rows go whole while they fit.
    * The row that does not fit is split between lines when at least
      ``MIN_SPLIT_LINES`` of it fit here and as many are left for the next page (a tall
      row fills the page instead of leaving it half empty); a row taller than a page
      always splits.
    * A section row never ends a page: it goes over with its first task. So a page
      starts with a section row only when that row and the first lines of its task
      did not fit on the page before.
    * At the top of a page (``space`` is ``page_space``, a whole page below the header)
      something is always placed, splitting whatever row must be split, so no plan can
      fail to lay out.
    """
    fresh = space >= page_space - 1
    used, k = 0.0, 0
    for row in rows:
        if used + row.height > space + 0.01:
            break
        used += row.height
        k += 1
    if k == len(rows):
        return k, 0
    row = rows[k]
    here = row.lines_in(space - used, leading)
    taller_than_page = row.height > page_space + 0.01
    if here >= 1 and (taller_than_page or (here >= MIN_SPLIT_LINES and row.lines - here >= MIN_SPLIT_LINES)):
        if row.section < 0 or taller_than_page:
            return k, here
    j = k
    while j > 0 and rows[j - 1].section >= 0:
        j -= 1
    if j > 0:
        return j, 0
    if fresh:  # only section rows, or a row that will not split sensibly: place what fits
        if k > 0:
            return k, 0
        return 0, max(1, here)
    return 0, 0


class Grid(Flowable):
    """A table drawn from laid-out rows; ``split`` hands out one page at a time."""

    def __init__(self, widths: list[float], header: Row, rows: list[Row], frame_height: float,
                 size: float, leading: float, body_height: float | None = None,
                 bars: tuple[int, float] | None = None) -> None:
        super().__init__()
        self.widths = widths
        # Where a row's ``bar`` is drawn: a column, and the width its right-aligned text
        # keeps (the widest text, the room a closer hangs in, and a gap before the bar).
        self.bars = bars
        self.header = header
        self.rows = rows
        self.frame_height = frame_height
        self.size = size
        self.leading = leading
        self.width = sum(widths)
        # The rest of a long table is handed its height (summing it again at every page
        # break made 5,000 rows quadratic).
        self.body_height = sum(r.height for r in rows) if body_height is None else body_height
        self.height = header.height + self.body_height

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def _part(self, rows: list[Row], body_height: float | None = None) -> "Grid":
        return Grid(self.widths, self.header, rows, self.frame_height, self.size, self.leading, body_height,
                    self.bars)

    def split(self, availWidth, availHeight):
        k, keep = page_break(self.rows, availHeight - self.header.height, self.leading,
                             self.frame_height - self.header.height)
        if keep:
            pieces = self.rows[k].split_at(keep, self.leading)
            if pieces:
                first = self._part([*self.rows[:k], pieces[0]])
                rest = self.body_height - sum(r.height for r in self.rows[:k + 1]) + pieces[1].height
                return [first, self._part([pieces[1], *self.rows[k + 1:]], rest)]
        if k >= len(self.rows):
            return [self]
        if k > 0:
            first = self._part(self.rows[:k])
            return [first, self._part(self.rows[k:], self.body_height - first.body_height)]
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
            elif row.bar is not None and self.bars is not None:
                self._bar(row, y)
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

    def _bar(self, row: Row, bottom: float) -> None:
        """A share as a bar: a grey track of the cell's free width (100%) and the share
        of it filled, left of the cell's text, centred on the row's first line."""
        c, room = self.bars
        x = sum(self.widths[:c]) + _CELL_PAD_LEFT
        track = self.widths[c] - room - 2 * _CELL_PAD_LEFT
        if track < 4:
            return
        height = min(self.size * 0.8, row.height - 4)
        y = bottom + (row.height - height) / 2
        canvas = self.canv
        canvas.setFillColor(_BAR_TRACK)
        canvas.rect(x, y, track, height, stroke=0, fill=1)
        share = min(1.0, max(0.0, row.bar))
        if share:
            canvas.setFillColor(_BAR_FILL)
            canvas.rect(x, y, track * share, height, stroke=0, fill=1)

    def _row_text(self, text, state, row: Row, top: float) -> None:
        """Each cell's lines, each placed where its alignment puts it (``Tm``), written
        straight into the text object: reportlab's ``textOut`` measures every string
        again and formats every number through its pure-Python ``fp_str``, which was
        half the time of a 5,000-task report."""
        size, leading = self.size, self.leading
        canvas = self.canv
        doc = canvas._doc
        code = text._code
        append = code.append
        fonts = state.setdefault("fonts", {})
        names = state.setdefault("names", {})
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
            for line_width, runs in lines:
                if align == "right":
                    x = x0 + width - line_width - _CELL_PAD_LEFT - _HANG * size
                else:
                    x = x0 + (width - line_width) / 2 if centred else x0 + _CELL_PAD_LEFT
                append(f"1 0 0 1 {x:.2f} {baseline:.2f} Tm")
                for name, piece in runs:
                    font = fonts.get(name)
                    if font is None:
                        font = fonts[name] = pdfmetrics.getFont(name)
                    for subset, chunk in font.splitString(piece, doc):
                        if state["font"] != (name, subset):
                            internal = names.get((name, subset))
                            if internal is None:
                                internal = names[name, subset] = font.getSubsetInternalName(subset, doc)
                            append(f"{internal} {size:g} Tf")
                            state["font"] = (name, subset)
                        append(f"({chunk.decode('latin-1').translate(_PDF_ESCAPES)}) Tj")
                baseline -= leading
            x0 += width


class GridBuilder:
    """Rows of a grid. With ``widths`` every cell is laid out as it is added; without,
    the cells are measured as they are added and :meth:`build` sets the column widths
    from the measured text (:func:`fit_widths`) within ``total`` before laying them out."""

    def __init__(self, fonts: FontSet, widths: list[float] | None, size: float = TABLE_SIZE,
                 leading: float = TABLE_LEADING, *, total: float | None = None,
                 nowrap: tuple[int, ...] = (), floors: dict[int, float] | None = None,
                 stretch: int | None = None) -> None:
        self.layout = TextLayout(fonts, size)
        self.widths = widths
        self.total = total if total is not None else sum(widths or ())
        self.nowrap = nowrap
        self.floors = floors  # fitted widths: column -> readable minimum in characters (column_fit)
        self.stretch = stretch  # fitted widths: the column that takes what is left
        self.size = size
        self.leading = leading
        self.pad = _CELL_PAD_LEFT + _HANG * size
        self.rows: list[Row] = []
        self._pending: list[tuple[int, list[tuple[Prepared, str]]]] = []
        self._bars: list[float | None] = []  # of the pending task rows

    def _prepare(self, segments: list[Segment], where: str, inline: bool = False) -> Prepared:
        # A note over Excel's cell limit (one written before the limit existed) is cut with
        # a visible remark: a 10 MB note took 380 s and 1.8 GB to lay out.
        segments = [(fit_text(t), r) for t, r in segments if t]
        return self.layout.prepare(segments, where, inline) if segments else ([], [], [])

    def _lay(self, prepared: Prepared, width: float) -> list[Line]:
        return self.layout.break_prepared(prepared, width - self.pad) if prepared[0] else []

    def _row(self, cells: list[tuple[Prepared, str]], widths: list[float], section: int = -1) -> Row:
        laid = [(self._lay(prepared, w), align) for (prepared, align), w in zip(cells, widths)]
        lines = max(1, *(len(lines) for lines, _ in laid))
        return Row(laid, lines * self.leading + _CELL_PAD_TOP + _CELL_PAD_BOTTOM, section)

    def header(self, labels: list[str]) -> Row:
        return self._row([(self._prepare([(label, "heading")], "表头"), "center") for label in labels],
                         self.widths or [])

    def add(self, cells: list[tuple[list[Segment], str]], where: str = "", bar: float | None = None,
            run_in: tuple[int, list[Segment]] | None = None) -> None:
        """A row; ``bar`` (a share, 0–1) is drawn in the column :meth:`build` names;
        ``run_in`` (column, segments) starts that cell's first line, run on (a
        sub-section's name before its first task, instead of a row of its own)."""
        prepared = [(self._prepare(segments, where), align) for segments, align in cells]
        if run_in is not None:
            column, lead = run_in
            head = self._prepare(lead, "章节", inline=True)
            (chars, fonts, widths), align = prepared[column]
            prepared[column] = ((head[0] + chars, head[1] + fonts, head[2] + widths), align)
        if self.widths is not None:
            self.rows.append(self._row(prepared, self.widths))
            self.rows[-1].bar = bar
        else:
            self._pending.append((-1, prepared))
            self._bars.append(bar)

    def add_section(self, label: str, level: int) -> None:
        self.add_sections([(label, level)])

    def add_sections(self, labels: list[tuple[str, int]]) -> None:
        """One section row for sections that start together ("一、…" and its first
        "(一)…"): run on, a full-width space apart, each level in its face (黑体, then
        楷体), instead of a row each."""
        segments = [(("\u3000" if number else "") + label, "heading" if level == 0 else "kai")
                    for number, (label, level) in enumerate(labels) if label]
        level = labels[0][1] if labels else 0
        prepared = [(self._prepare(segments, "章节", inline=True), "left")]
        if self.widths is not None:
            self.rows.append(self._row(prepared, [sum(self.widths)], level))
        else:
            self._pending.append((level, prepared))

    def build(self, header: list[str], frame_height: float, bar_column: int | None = None) -> Grid:
        """The grid; rows added with a ``bar`` show it in ``bar_column``, left of the
        cell's text (which should be aligned "right")."""
        if self.widths is None:
            heads = [self._prepare([(label, "heading")], "表头") for label in header]
            rows = [[prepared for prepared, _ in cells] for level, cells in self._pending if level < 0]
            # A cell counts as at most a page of lines: a row taller than a page splits
            # however the width is shared, and its column would take every other row's.
            self.widths = fit_widths(heads, rows, self.total, self.size, self.pad, self.nowrap,
                                     count_lines=self.layout.count_lines, floors=self.floors,
                                     stretch=self.stretch, cap_lines=max(1, int(frame_height // self.leading)))
            bars = iter(self._bars)
            for level, cells in self._pending:
                self.rows.append(self._row(cells, self.widths if level < 0 else [self.total], level))
                if level < 0:
                    self.rows[-1].bar = next(bars)
            self._pending.clear()
            self._bars.clear()
        bars = None
        if bar_column is not None:
            room = max((lines[0][0] for row in self.rows if row.section < 0 and len(row.cells) > bar_column
                        for lines, _ in [row.cells[bar_column]] if lines), default=0.0)
            bars = (bar_column, room + (_HANG + _BAR_GAP) * self.size)
        return Grid(self.widths, self.header(header), self.rows, frame_height, self.size, self.leading,
                    bars=bars)
