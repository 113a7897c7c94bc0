"""Column widths for a table from its measured text (:func:`fit_widths`): the detail
table of the PDF report (io/long_table.py, lines counted by the PDF's own line
breaking) and of the Word report (io/docx_report.py, lines estimated: Word lays it out).
"""

from __future__ import annotations

from collections.abc import Callable

from .cjk_text import Prepared, TextLayout, running_widths

__all__ = ["fit_widths"]


def fit_widths(header: list[Prepared], rows: list[list[Prepared]], total: float, size: float, pad: float,
               nowrap: tuple[int, ...] = (), sample: int = 240, rows_per_page: float = 16,
               count_lines: Callable[[Prepared, float, list[float]], int] | None = None) -> list[float]:
    """Column widths that add up to ``total`` and make the table short.

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
    mins = []
    for c in range(n):
        need = max(2 * size, widest_char[c])
        if c in nowrap:
            need = max([need, *(w for cell in paras[c] for w in cell)])
        mins.append(need + pad)
    if sum(mins) >= total:  # more columns than room: shrink evenly (text still wraps per character)
        scale = total / sum(mins)
        return [m * scale for m in mins]
    fudge = 1.04  # line breaking rules (no closer at a line start) lose a little of each line

    def count(cell: list[float], width: float) -> int:
        """Lines of a cell: exact for a paragraph that fits on one line, else estimated."""
        text = width - pad
        return sum(1 if w <= text + 0.01 else max(2, -int(-(w * fudge) // text)) for w in cell) if cell else 1

    cums: dict[int, list[float]] = {}  # the cells outlive this call: their ids stay theirs

    def exact(prepared: Prepared, cell: list[float], width: float) -> int:
        text = width - pad
        if all(w <= text + 0.01 for w in cell):  # every paragraph on one line: no need to break
            return len(cell) or 1
        cum = cums.get(id(prepared))
        if cum is None:
            cum = cums[id(prepared)] = running_widths(prepared)
        return max(1, count_lines(prepared, text, cum))

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
                body, head = lines(c, widths[c] + k * size)
                gain = sum(t - (b if b > o else o) for t, b, o in zip(tops, body, others))
                gain += header_weight * (max(heads) - max(head, head_others))
                if gain / k > best_rate:
                    best, best_rate = (c, k), gain / k
        if best is None:
            break
        c, k = best
        widths[c] += k * size
        left -= k * size
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
                    trial = list(widths)
                    trial[source] -= k * size
                    trial[target] += k * size
                    shorter = length(trial)
                    if shorter < current - 1e-9:
                        widths, current, improved = trial, shorter, True
        if not improved:
            break
    if left > 0:  # nothing saves a line any more: the widest text gets the rest
        totals = [sum(sum(cell) for cell in paras[c]) for c in range(n)]
        widths[max(free, key=lambda c: totals[c])] += left
    return widths
