"""Column widths for a table from its measured text (:func:`fit_widths`): the detail
table of the PDF report (io/long_table.py, lines counted by the PDF's own line
breaking) and of the Word report (io/docx_report.py, lines estimated: Word lays it out).

Fewest lines is not the only aim: a clerk reads the 进展 and 佐证材料 columns, and
the line count alone starved them (a 进展 of seven characters wrapping a note into
eight lines, file names and addresses broken a character at a time) while 责任单位 took
the width, because few rows have notes and many have units. So a column has a floor
(:data:`DETAIL_FLOORS`, in characters, never above its widest line), no column is
wider than its widest line unless it is the one that takes what is left over, and
one cell taller than a page does not count as more than a page: widening its column
for it would narrow every other row, and the row runs over pages anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .cjk_text import Prepared, TextLayout, running_widths

__all__ = ["CAP_LINES", "DETAIL_FLOORS", "detail_floors", "fit_widths"]

# Readable minimum widths of the detail table's columns, in characters of the table's
# size, by header. A column whose widest line is narrower gets that line's width instead.
# 完成时限 and 完成状态: "12月底前", "(9月20日)" on one line (squeezed to 2.5 characters
# by a long note they wrapped a character a line).
DETAIL_FLOORS: dict[str, float] = {"工作任务/具体要求": 16, "责任单位": 6, "完成时限": 4, "完成状态": 5.5,
                                   "本季度进展": 12, "佐证材料": 10}
# A cell's lines count up to this many (about a page of the landscape detail table at
# 9 pt on 10.4 pt lines): an outlier of 3,000 characters may not take a column's width.
CAP_LINES = 48


def detail_floors(header: Sequence[str]) -> dict[int, float]:
    """:data:`DETAIL_FLOORS` by column index for a detail table with this header (the
    PDF and the Word report name their columns the same)."""
    return {c: DETAIL_FLOORS[label] for c, label in enumerate(header) if label in DETAIL_FLOORS}


def fit_widths(header: list[Prepared], rows: list[list[Prepared]], total: float, size: float, pad: float,
               nowrap: tuple[int, ...] = (), sample: int = 240, rows_per_page: float = 16,
               count_lines: Callable[[Prepared, float, list[float]], int] | None = None, *,
               floors: Mapping[int, float] | None = None, stretch: int | None = None,
               cap_lines: int | None = CAP_LINES) -> list[float]:
    """Column widths that add up to ``total`` and make the table short.

    ``floors``: column -> the fewest characters (of ``size``) it is given, or its widest
    line if that is narrower. A column is never wider than its widest line (more saves
    no line), except ``stretch`` (or, without it, the column with the most text), which
    takes what is left when every other column has its widest line. ``cap_lines``: a
    cell counts as at most this many lines (None: no cap).

    A row is as tall as its tallest cell, so a column's extra width only pays where that
    column is the tallest; and it often pays only after several characters at once
    ("已完成(9月1日)" on one line instead of two, a header "完成时限" on one line). So:
    each column starts as narrow as its content allows (two characters; a ``nowrap``
    column such as 序号 its widest line); then, while width is left, the column and the
    number of characters (up to ten) that save the most lines per character get them;
    then width is moved between columns, a few characters at a time, while that
    shortens the table. Lines are counted over (a sample of) the rows, the header once
    per ``rows_per_page`` rows: with ``count_lines`` (the PDF's own line breaking,
    :meth:`.TextLayout.count_lines`) exactly as they will be laid out, else estimated
    from each cell's measured width (the Word report, which Word lays out). Counting
    exactly found 3% fewer lines on the 300-task benchmark plan than the estimate (which
    misjudges where the rules move a line end); sampled, it costs ~0.1 s at any size."""
    n = len(header)
    step = len(rows) / sample if len(rows) > sample else 1
    picked = [rows[int(i * step)] for i in range(min(sample, len(rows)))]
    paras = [[TextLayout.paragraph_widths(row[c]) for row in picked] for c in range(n)]
    head_paras = [TextLayout.paragraph_widths(h) for h in header]
    widest_char = [max((max(p[2], default=0.0) for p in (h, *[r[c] for r in picked])), default=size)
                   for c, h in enumerate(header)]
    # The widest line of each column (its header's too: an empty column shows its header).
    widest_line = [max([*head_paras[c], *(w for cell in paras[c] for w in cell)], default=0.0) for c in range(n)]
    floors = floors or {}
    mins = []
    for c in range(n):
        need = max(2 * size, widest_char[c])
        if c in nowrap:
            need = max([need, *(w for cell in paras[c] for w in cell)])
        if c in floors:
            need = max(need, min(floors[c] * size, widest_line[c]))
        mins.append(need + pad)
    if stretch is None:
        text_of = [sum(sum(cell) for cell in paras[c]) for c in range(n)]
        stretch = max((c for c in range(n) if c not in nowrap), key=text_of.__getitem__, default=0)
    caps = [float("inf") if c == stretch else max(mins[c], widest_line[c] + pad) for c in range(n)]
    if sum(mins) >= total:  # more columns than room: shrink evenly (text still wraps per character)
        scale = total / sum(mins)
        return [m * scale for m in mins]
    fudge = 1.04  # line breaking rules (no closer at a line start) lose a little of each line

    def count(cell: list[float], width: float) -> int:
        """Lines of a cell: exact for a paragraph that fits on one line, else estimated."""
        text = width - pad
        found = sum(1 if w <= text + 0.01 else max(2, -int(-(w * fudge) // text)) for w in cell) if cell else 1
        return min(found, cap) if cap else found

    cap = cap_lines or 0
    cums: dict[int, list[float]] = {}  # the cells outlive this call: their ids stay theirs

    def exact(prepared: Prepared, cell: list[float], width: float) -> int:
        text = width - pad
        if all(w <= text + 0.01 for w in cell):  # every paragraph on one line: no need to break
            return len(cell) or 1
        if cap and sum(cell) > cap * text * 1.2:  # far over the cap at this width: no need to break it
            return cap
        cum = cums.get(id(prepared))
        if cum is None:
            cum = cums[id(prepared)] = running_widths(prepared)
        found = max(1, count_lines(prepared, text, cum))
        return min(found, cap) if cap else found

    known: dict[tuple[int, float, bool], tuple[list[int], int]] = {}

    def lines(c: int, width: float, measured: bool = False) -> tuple[list[int], int]:
        """Per sampled row the lines of column ``c`` at ``width``, and the header's;
        ``measured``: counted by ``count_lines`` if there is one, else estimated."""
        key = (c, round(width, 3), measured)
        found = known.get(key)
        if found is None:
            if count_lines is None or not measured:
                found = ([count(cell, width) for cell in paras[c]], count(head_paras[c], width))
            else:
                found = ([exact(row[c], cell, width) for row, cell in zip(picked, paras[c])],
                         exact(header[c], head_paras[c], width))
            known[key] = found
        return found

    header_weight = max(1.0, len(picked) / rows_per_page)

    def length(ws: list[float]) -> float:
        columns = [lines(c, ws[c], True) for c in range(n)]
        body = sum(map(max, *(col[0] for col in columns))) if n > 1 else sum(columns[0][0])
        return body + header_weight * max(col[1] for col in columns)

    widths = list(mins)
    free = [c for c in range(n) if c not in nowrap] or list(range(n))
    left = total - sum(widths)
    while left >= size:
        now = [lines(c, widths[c]) for c in range(n)]
        tops, seconds, tallest = [], [], []
        for r in range(len(picked)):
            values = [now[c][0][r] for c in range(n)]
            at = max(range(n), key=values.__getitem__)
            tops.append(values[at])
            values[at] = 0
            seconds.append(max(values))
            tallest.append(at)
        heads = [now[c][1] for c in range(n)]
        best, best_rate = None, 1e-9
        for c in free:
            others = [s if at == c else t for t, s, at in zip(tops, seconds, tallest)]
            head_others = max([0, *(heads[o] for o in range(n) if o != c)])
            for k in range(1, 11):
                if k * size > left + 1e-9:
                    break
                add = min(k * size, caps[c] - widths[c])
                if add <= 1e-9:
                    break
                body, head = lines(c, widths[c] + add)
                gain = sum(t - (b if b > o else o) for t, b, o in zip(tops, body, others))
                gain += header_weight * (max(heads) - max(head, head_others))
                if gain / (add / size) > best_rate:
                    best, best_rate = (c, add), gain / (add / size)
                if add < k * size:  # at its widest line: wider saves nothing
                    break
        if best is None:
            break
        c, add = best
        widths[c] += add
        left -= add
    current = length(widths)
    for _ in range(20):  # move width between columns while that shortens the table
        improved = False
        for source in free:
            for target in free:
                if source == target:
                    continue
                for k in (0.5, 1, 1.5, 2, 3, 4, 6, 8):
                    if widths[source] - k * size < mins[source] - 1e-9:
                        break
                    if widths[target] + k * size > caps[target] + 1e-9:
                        break
                    trial = list(widths)
                    trial[source] -= k * size
                    trial[target] += k * size
                    shorter = length(trial)
                    if shorter < current - 1e-9:
                        widths, current, improved = trial, shorter, True
        if not improved:
            break
    if left > 0:  # nothing saves a line any more: the most text gets the rest, up to its widest line
        totals = [sum(sum(cell) for cell in paras[c]) for c in range(n)]
        for c in sorted(free, key=lambda c: -totals[c]):
            give = min(left, caps[c] - widths[c])
            if give > 0:
                widths[c] += give
                left -= give
        if left > 1e-9:
            widths[stretch] += left
    return widths
