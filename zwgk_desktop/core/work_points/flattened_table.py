"""A 分解表 attached as text copied from a web page: one cell a line (the header words,
then 一、/(一) rows, each row closed by its 完成时限 cell). Read as a table when the
cover letter's own headings name no unit and number no item."""

from __future__ import annotations

import re

from ..deadlines import DeadlineKind, parse_deadline
from .body import L1_RE, L2_RE, Body
from .draft import FLAG_NO_UNIT, DraftTask, SkippedLine
from .duties import DEADLINE_WORD_RE, text_key

_TABLE_WORDS = ("工作任务", "要点任务", "重点任务", "责任单位", "牵头单位", "具体要求", "工作要求",
                "完成时限", "序号")


def looks_like_flattened_table(block: list[tuple[int, str]]) -> bool:
    """A table copied from a web page: its header words stand on lines of their own."""
    words = {text_key(text) for _, text in block[:60]}
    return sum(1 for w in _TABLE_WORDS if w in words) >= 2


_HEADER_MEANINGS = {
    "工作任务": "heading", "要点任务": "heading", "重点任务": "heading", "任务名称": "heading",
    "责任单位": "units", "牵头单位": "units", "责任部门": "units",
    "具体要求": "requirement", "工作要求": "requirement", "工作内容": "requirement", "具体任务": "requirement",
    "完成时限": "deadline", "完成时间": "deadline", "时间要求": "deadline",
}


def _is_deadline_cell(text: str) -> bool:
    squashed = "".join(text.split())
    if not squashed or len(squashed) > 16 or squashed[-1] in "。;;":
        return False
    if squashed in ("全年", "长期坚持", "持续推进", "长期", "常态化"):
        return True
    return bool(DEADLINE_WORD_RE.search(squashed) or re.fullmatch(r"20\d{2}年", squashed)) and \
        parse_deadline(squashed, 2000).kind is not DeadlineKind.UNKNOWN


def read_flattened(block: list[tuple[int, str]]) -> tuple[Body, int] | None:
    """A 分解表 copied from a web page as text, one cell a line: the header words
    name the columns, 一、/(一) lines are sections, a 完成时限 cell ends each row;
    in a row, the sentence is the requirement and the other lines are its units."""
    start = None
    for i, (_, text) in enumerate(block[:60]):
        if _HEADER_MEANINGS.get(text_key(text)) is not None:
            start = i
            while start + 1 < len(block) and _HEADER_MEANINGS.get(text_key(block[start + 1][1])):
                start += 1
            break
    if start is None:
        return None
    body = Body()
    l1: str | None = None
    l2: str | None = None
    row: list[tuple[int, str]] = []
    just_closed = False  # the line before was the 完成时限 cell that closed a row
    for line, text in block[start + 1:]:
        m1, m2 = L1_RE.match(text), L2_RE.match(text)
        if (m1 or m2) and not row:
            just_closed = False
            label = text.strip()  # a table's section cell, as printed
            body.headings += 1
            if m1:
                l1, l2 = label, None
            else:
                l2 = label
            continue
        if _is_deadline_cell(text):
            if not row and body.tasks and just_closed:
                body.tasks[-1].deadline_text += text.strip()  # "2023年" / "6月底前": one cell, wrapped
                continue
            sentences = [(n, t) for n, t in row if t.rstrip()[-1:] in "。;;"]
            if not sentences and row:
                sentences = [max(row, key=lambda item: len(item[1]))]
            units = [t for n, t in row if (n, t) not in sentences]
            if sentences:
                requirement = "".join(t for _, t in sentences)
                task = DraftTask(section=[p for p in (l1, l2) if p], requirement=requirement,
                                 units_text="、".join(units), deadline_text=text.strip(),
                                 line=sentences[0][0], source="\n".join(t for _, t in row))
                if not task.units:
                    task.flags.append(FLAG_NO_UNIT)
                else:
                    body.duties += 1
                body.tasks.append(task)
            row = []
            just_closed = True
            continue
        just_closed = False
        row.append((line, text))
    body.skipped.extend(SkippedLine(line, text, "网页内容或落款") for line, text in row)
    return (body, start + 1) if body.tasks else None
