"""Which row of a table is its header, chosen by distinctness.

A header names several *different* things: 序号, 具体要求, 责任单位, 完成时限. A row
that is one merged value repeated across the table ("一、重点任务" over every
column), or that starts with section numbering, or that names the same meaning in
several places (two 完成时限, two 序号) is not a header, however many header words it
contains. Of the rows that qualify in the first rows of a table, the one naming the
most distinct meanings wins; the earlier one on a tie.

Task-text meanings (工作任务 / 具体要求 / 一级要点 ...) may appear more than once:
real headers print ``工作要求 | 工作任务 | 具体要求``, and column_roles.py sorts them
out by what the columns hold. A second 责任单位 column is the 配合 column.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from . import headers as H
from .grid import Grid
from .sections import clean_label, numbering_rank

HEADER_SCAN_ROWS = 40
HEADER_CELL_MAX = 40  # a header cell, however spaced out, is shorter than this
# Meanings a header names once; a row naming one of them twice is data, not a header.
_ONCE = (H.SEQ, H.DEADLINE, H.COOPERATE, H.TITLE)


@dataclass(slots=True)
class Header:
    row: int  # index of the last header row
    labels: list[str]
    signatures: set[tuple[str, ...]]
    score: int


def header_spans(row: list[str]) -> list[str]:
    """The row's distinct cells from left to right: a value merged (or repeated) over
    neighbouring columns counts once."""
    spans: list[str] = []
    previous = None
    for cell in row:
        text = H.squash(cell)
        if text and text != previous:
            spans.append(text)
        previous = text
    return spans


def row_score(row: list[str]) -> int:
    """How many distinct meanings the row names as a header; 0 when it is no header."""
    spans = header_spans(row)
    if len(spans) < 2:
        return 0  # empty, or one merged value repeated across the row
    if any(len(span) > HEADER_CELL_MAX or numbering_rank(span) in (0, 1, 2) for span in spans):
        return 0  # a title, a section row or a task
    meanings = [m for m in map(H.header_meaning, spans) if m]
    counts = Counter(meanings)
    if any(counts[m] > 1 for m in _ONCE) or counts[H.UNITS] > 2:
        return 0
    distinct = len(counts)
    return distinct if distinct >= 2 else 0


def find_header(grid: Grid) -> Header | None:
    best: tuple[int, int] | None = None  # (score, row)
    for r, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        score = row_score(row)
        if score and (best is None or score > best[0]):
            best = (score, r)
    if best is None:
        return None
    score, r = best
    labels = list(grid.rows[r])
    signatures = {tuple(H.squash(c) for c in grid.rows[r])}
    last = r
    # A two-row header: group labels (责任单位) over sub-headers (牵头单位 / 配合单位).
    if r + 1 < grid.height:
        below = grid.rows[r + 1]
        if looks_like_subheader(below, labels):
            labels = [b if b.strip() and b != a else a for a, b in zip(labels, below)]
            signatures.add(tuple(H.squash(c) for c in below))
            last = r + 1
    return Header(row=last, labels=[clean_label(c) for c in labels], signatures=signatures, score=score)


def looks_like_subheader(row: list[str], above: list[str]) -> bool:
    """牵头单位 / 配合单位 under a merged 责任单位. Never a section row: "一、重点任务"
    merged across is one value repeated and starts with numbering."""
    cells = [c for c in row if c.strip()]
    if not cells or any(len(H.squash(c)) > 12 for c in cells):
        return False
    spans = header_spans(row)
    if any(numbering_rank(span) is not None for span in spans):
        return False
    if len(spans) == 1 and len(cells) > 1:
        return False  # one merged value repeated across the row
    new = [b for a, b in zip(above, row) if b.strip() and b != a]
    return bool(new) and all(H.header_meaning(b) or H.hierarchy_level(b) for b in new)


def fallback_header(grid: Grid) -> Header:
    """With a column map but no header we know: the first row with two or more cells."""
    for r, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        if sum(1 for c in row if c.strip()) >= 2 and len(set(c for c in row if c.strip())) >= 2:
            return Header(r, [clean_label(c) for c in row], {tuple(H.squash(c) for c in row)}, 0)
    return Header(-1, [H.column_letter(i) for i in range(grid.width)], set(), 0)
