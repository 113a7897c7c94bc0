"""What each column of a task table means, from its header *and* its content.

Header words are evidence, not the verdict: offices print 工作要求 over a column of
"一、…" headings, 工作任务 over a column of 1, 2, 3, and 目标 / 事项 over columns no
word list knows. So every column is described by what its cells hold (``ColumnFacts``)
and given a meaning by these rules, in order:

1. a running sequence (1, 2, 3…, numbers or text, restarting at 1 is allowed) is 序号,
   whatever its header says;
2. headings numbered 一、 / (一) / 第一部分, merged or repeated down, are a heading level,
   whatever the header says;
3. a header naming 责任单位 / 配合单位 / 完成时限 / 序号 is believed;
4. of the remaining text columns the one with the longest sentences is the
   requirement (a 具体要求-like header weighs in its favour); the others are heading
   levels when their header says so or their cells are merged or repeated down;
5. a column with an unknown header whose cells read as unit names or deadlines takes
   that meaning when no column has it yet (never a 备注-like column).

Heading levels are ordered by how coarse they are (fewer groups = higher level),
then by numbering style, so column order never changes the hierarchy. Each column
gets a one-line reason in plain Chinese, which the wizard and ``--dry-run`` show.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..core.deadlines import DeadlineKind, parse_deadline
from ..core.errors import FileReadError
from ..core.patterns import lazy_compile
from ..core.units import split_units
from . import headers as H
from .grid import Grid
from .header_detection import HEADER_CELL_MAX, Header
from .sections import is_note, numbering_rank, section_number_rank

MEANING_NAMES = {
    H.SEQ: "序号", H.HEADING: "工作任务(标题)", H.TITLE: "任务简称", H.REQUIREMENT: "具体要求",
    H.UNITS: "责任单位", H.COOPERATE: "配合单位", H.DEADLINE: "完成时限",
}
_SAMPLE_ROWS = 300  # the first task rows tell what a column holds; a 20,000-row table needs no more
# First characters of 第一部分 / 一、 / (一): cells starting otherwise skip the numbering regexes.
_HEADING_START = frozenset("第一二三四五六七八九十百零〇(\uff08")
_NUMBER_RE = lazy_compile(r"^\d{1,4}(?:\.0+)?[.、.]?$")
_ORG_RE = lazy_compile(
    r"(局|委|办|院|厅|部|中心|政府|公司|单位|部门|镇|乡|街道|街|所|站|队|会|处|室|科|馆|社|团|行|司|组|"
    r"集团|学校|医院|县区|区县|机关|社区|村|办事处)(\([^)]*\))?$")
_LONG_TEXT = 10  # average characters from which a column reads as sentences


@dataclass(slots=True)
class ColumnFacts:
    """What one column's header and cells say about it."""

    col: int
    label: str
    header: str | None  # the meaning its header names, if any
    level: int | None  # 一级 / 二级 from the header
    rows: int = 0  # task rows looked at
    filled: int = 0
    runs: int = 0  # groups of equal values down the column (an empty cell continues one)
    seq: bool = False
    numbered: int | None = None  # numbering rank (0 第一部分, 1 一、, 2 (一)) most cells start with
    avg_len: float = 0.0
    unit_share: float = 0.0
    deadline_share: float = 0.0
    example: str = ""

    @property
    def spans(self) -> bool:
        """Values merged or repeated down: fewer groups than rows."""
        return self.filled > 0 and self.runs * 4 <= self.rows * 3

    @property
    def aside(self) -> bool:
        return H.is_aside(self.label)


def sample_rows(grid: Grid, header: Header) -> list[list[str]]:
    """Task-like rows under the header: two or more different values, not a repeated
    header, not a note. Section rows (one value across) say nothing about columns."""
    result: list[list[str]] = []
    for row in grid.rows[header.row + 1:]:
        values = {v for v in row if v.strip()}
        if len(values) < 2:
            continue
        if max(map(len, values)) <= HEADER_CELL_MAX and tuple(H.squash(c) for c in row) in header.signatures:
            continue
        if is_note(next(v for v in row if v.strip())):
            continue
        result.append(row)
        if len(result) >= _SAMPLE_ROWS:
            break
    return result


def column_facts(col: int, label: str, rows: list[list[str]]) -> ColumnFacts:
    meaning = H.header_meaning(label)
    facts = ColumnFacts(col=col, label=label, header=meaning,
                        level=H.hierarchy_level(label) if meaning == H.HEADING else None, rows=len(rows))
    values = [row[col].strip() for row in rows]
    filled = [v for v in values if v]
    facts.filled = len(filled)
    if not filled:
        return facts
    facts.example = filled[0][:12]
    carried = None
    for v in values:
        if v and v != carried:
            facts.runs += 1
            carried = v
    facts.avg_len = sum(map(len, filled)) / len(filled)
    head = filled[:20]  # most columns show in their first cells that they hold no numbers
    facts.seq = sum(1 for v in head if _NUMBER_RE.match(v)) * 2 >= len(head) and _running_sequence(filled)
    ranks = Counter(r for v in filled if v[:1] in _HEADING_START and (r := numbering_rank(v)) in (0, 1, 2))
    if ranks and sum(ranks.values()) * 5 >= len(filled) * 3:
        facts.numbered = ranks.most_common(1)[0][0]
    if meaning is not None:
        return facts  # unit and deadline look-alikes only matter where the header says nothing
    distinct = set(filled)
    facts.unit_share = sum(1 for v in distinct if _looks_like_units(v)) / len(distinct)
    facts.deadline_share = sum(1 for v in distinct if _looks_like_deadline(v)) / len(distinct)
    return facts


def _as_number(text: str) -> int | None:
    if not _NUMBER_RE.match(text):
        return None
    return int(float(text.rstrip(".、.")))


def _running_sequence(values: list[str]) -> bool:
    """1, 2, 3… (stored as numbers or text; "2.0" from a float cell), allowed to start
    again at 1 in each section; 一 / 二 in the same column number sections."""
    numbered = [v for v in values if section_number_rank(v) is None]
    numbers = [n for v in numbered if (n := _as_number(v)) is not None]
    others = len(numbered) - len(numbers)
    # A number merged down over its group's rows is filled into each: count it once.
    numbers = [n for i, n in enumerate(numbers) if i == 0 or n != numbers[i - 1]]
    if len(numbers) < 2 or others * 5 > len(numbers):
        return False
    steps = sum(1 for a, b in zip(numbers, numbers[1:]) if b == a + 1 or b == 1)
    return steps * 5 >= (len(numbers) - 1) * 4


def _looks_like_units(text: str) -> bool:
    if len(text) > 120 or text.endswith(("。", ";", ";")):
        return False
    names = split_units(text)
    if not names or any(len(name) > 24 for name in names):
        return False
    return sum(1 for name in names if _ORG_RE.search(name)) * 2 >= len(names)


def _looks_like_deadline(text: str) -> bool:
    return len(text) <= 30 and parse_deadline(text, 2000).kind is not DeadlineKind.UNKNOWN


# -- deciding -----------------------------------------------------------------------------


def decide(facts: list[ColumnFacts]) -> tuple[dict[str, list[int]], dict[int, str]]:
    """Meaning -> columns (heading columns top level first), and a reason per column."""
    roles: dict[int, str] = {}
    reasons: dict[int, str] = {}

    def give(f: ColumnFacts, meaning: str, why: str) -> None:
        roles[f.col] = meaning
        reasons[f.col] = why

    def header_said(f: ColumnFacts) -> str:
        return f"表头“{f.label}”" if f.label.strip() else "没有表头"

    text_columns: list[ColumnFacts] = []
    for f in facts:
        if f.filled == 0:
            if f.header in (H.UNITS, H.COOPERATE, H.DEADLINE, H.SEQ):
                give(f, f.header, f"{header_said(f)}(本列没有内容)")
            elif f.header in (H.REQUIREMENT, H.HEADING):
                text_columns.append(f)  # the header is all there is to go on
            continue
        if f.seq and f.header not in (H.UNITS, H.COOPERATE, H.DEADLINE):
            said = "" if f.header == H.SEQ else f";表头写的是“{f.label}”" if f.label.strip() else ""
            give(f, H.SEQ, f"内容是连续的序号(1、2、3……){said}")
        elif f.numbered is not None and f.header not in (H.UNITS, H.COOPERATE, H.DEADLINE) and (
                f.spans or f.filled < f.rows or f.header != H.REQUIREMENT):
            style = {0: "第一部分", 1: "一、", 2: "(一)"}[f.numbered]
            said = f";表头写的是“{f.label}”" if f.header not in (H.HEADING, None) else ""
            give(f, H.HEADING, f"内容是“{style}”开头的标题,向下合并或重复{said}")
        elif f.header in (H.UNITS, H.COOPERATE, H.DEADLINE, H.SEQ, H.TITLE):
            give(f, f.header, header_said(f))
        elif not f.aside:
            text_columns.append(f)

    requirement = _choose_requirement(text_columns)
    if requirement is not None:
        if requirement.header == H.REQUIREMENT:
            why = f"{header_said(requirement)},内容多为长句"
        else:
            said = f";表头写的是“{requirement.label}”" if requirement.label.strip() else ""
            why = f"内容多为长句(平均 {requirement.avg_len:.0f} 字),看作具体要求{said}"
        give(requirement, H.REQUIREMENT, why)
    taken = set(roles.values())
    for f in text_columns:
        if f is requirement:
            continue
        if f.header == H.HEADING or (f.header == H.REQUIREMENT and f.spans):
            give(f, H.HEADING, header_said(f) + (",内容向下合并或重复" if f.spans else ""))
        elif f.header is None and f.spans and f.unit_share < 0.5 and f.deadline_share < 0.5:
            give(f, H.HEADING, "内容向下合并或逐行重复,看作标题")
        elif f.header is None and f.unit_share >= 0.6 and H.UNITS not in taken:
            give(f, H.UNITS, f"内容多为单位名称(如“{f.example}”)")
            taken.add(H.UNITS)
        elif f.header is None and f.deadline_share >= 0.6 and H.DEADLINE not in taken:
            give(f, H.DEADLINE, f"内容多为时限(如“{f.example}”)")
            taken.add(H.DEADLINE)
        elif f.header == H.REQUIREMENT:
            reasons[f.col] = f"{header_said(f)},但另一列的句子更长,看作附加信息"

    for f in facts:
        if f.col not in reasons and f.filled:
            reasons[f.col] = "备注等附加信息,不导入(保留在任务的附加信息中)" if f.aside else "没有认出含义,不导入"
    return _assemble(facts, roles, reasons), reasons


def _choose_requirement(columns: list[ColumnFacts]) -> ColumnFacts | None:
    """The column of requirement sentences. A 具体要求-like header holding one text per
    row is believed unless another column's sentences are far longer (2.5 times, and
    20 characters or more): then the headers were shifted or misnamed."""
    def weight(f: ColumnFacts) -> float:
        w = f.avg_len
        if f.spans:
            w *= 0.4  # a merged column holds headings, not one requirement per row
        if f.header is None and (f.unit_share >= 0.5 or f.deadline_share >= 0.5):
            w *= 0.2
        return w

    named = [f for f in columns if f.header == H.REQUIREMENT and not f.spans]
    others = [f for f in columns if f not in named and (f.header in (H.REQUIREMENT, H.HEADING)
                                                        or f.avg_len >= _LONG_TEXT)]
    best_named = max(named, key=lambda f: (f.avg_len, -f.col)) if named else None
    best_other = max(others, key=lambda f: (weight(f), f.header == H.REQUIREMENT, -f.col)) if others else None
    if best_other is not None and best_other.header is None and best_other.avg_len < _LONG_TEXT:
        best_other = None
    if best_named is None:
        return best_other
    if best_other is not None and weight(best_other) >= max(20.0, 2.5 * best_named.avg_len):
        return best_other
    return best_named


def _assemble(facts: list[ColumnFacts], roles: dict[int, str], reasons: dict[int, str]) -> dict[str, list[int]]:
    by_col = {f.col: f for f in facts}
    mapping: dict[str, list[int]] = {}
    for col in sorted(roles):
        meaning = roles[col]
        if meaning == H.UNITS and H.UNITS in mapping and H.COOPERATE not in mapping:
            meaning = H.COOPERATE  # a second units column: the first leads
            reasons[col] += ",看作配合单位"
        mapping.setdefault(meaning, []).append(col)
    for meaning in list(mapping):
        if meaning == H.HEADING:
            continue
        if meaning == H.SEQ and len(mapping[meaning]) > 1:
            # the column headed 序号 wins over another running number column
            mapping[meaning].sort(key=lambda c: (by_col[c].header != H.SEQ, c))
        for extra in mapping[meaning][1:]:
            reasons[extra] = f"已有一列是{MEANING_NAMES[meaning]},本列不导入"
        mapping[meaning] = mapping[meaning][:1]
    headings = mapping.get(H.HEADING, [])
    headings.sort(key=lambda c: _level_key(by_col[c]))
    if len(headings) > 1:
        # A heading column that differs on every row while others group the rows is
        # each task's own name: 任务简称.
        for col in list(headings):
            f = by_col[col]
            if (not f.spans and f.numbered is None and f.level is None and f.runs == f.filled
                    and H.TITLE not in mapping and f.filled == f.rows and len(headings) > 1):
                headings.remove(col)
                mapping[H.TITLE] = [col]
                reasons[col] = reasons[col] + ";每行各不相同,看作任务简称"
    if H.REQUIREMENT not in mapping and headings:
        # No separate requirement column: the last heading column is the task text.
        col = headings.pop()
        mapping[H.REQUIREMENT] = [col]
        reasons[col] = reasons.get(col, "") + ";没有别的具体要求列,看作具体要求"
    return {k: v for k, v in mapping.items() if v}


def _level_key(f: ColumnFacts) -> tuple[int, int, int, int]:
    """Top level first: fewer groups, then 第一部分 before 一、 before (一), then the
    header's 一级/二级, then position."""
    runs = f.runs if f.filled else 10**9
    return (runs, f.numbered if f.numbered is not None else 9, f.level if f.level is not None else 9, f.col)


def map_columns(grid: Grid, header: Header, overrides: dict[str, str], source: str,
                automatic: bool = True) -> tuple[dict[str, list[int]], list[str]]:
    """The column map of a table and one reason per column (``''`` for unused blanks)."""
    labels = header.labels
    if automatic:
        rows = sample_rows(grid, header)
        facts = [column_facts(col, label, rows) for col, label in enumerate(labels)]
        mapping, reasons = decide(facts)
    else:
        mapping, reasons = {}, {}
    auto_used = {c for cols in mapping.values() for c in cols}

    for meaning, ref in overrides.items():
        refs = [part for part in re.split(r"[+&]", ref) if part.strip()]
        cols = [H.column_index(part, labels) for part in refs]
        if not cols or any(c is None for c in cols):
            raise FileReadError(source, f"指定的列“{ref}”在表格中不存在",
                                f"表格共有 {len(labels)} 列(A 到 {H.column_letter(len(labels) - 1)}),"
                                "可用列字母、列号或表头文字指定。")
        chosen = [c for c in cols if c is not None]
        for other in mapping.values():
            for c in chosen:
                if c in other:
                    other.remove(c)
        mapping[meaning] = chosen
        for c in chosen:
            reasons[c] = f"按指定:{MEANING_NAMES.get(meaning, meaning)}"
    mapping = {k: v for k, v in mapping.items() if v}
    for c in range(len(labels)):
        if meaning_of(c, mapping) is None and (not automatic or c in auto_used):
            reasons[c] = "不导入"

    if H.REQUIREMENT not in mapping:
        found = "、".join(
            f"{H.column_letter(i)}列“{label}”" + (f"(看作{MEANING_NAMES[m]})" if (m := meaning_of(i, mapping)) else "")
            for i, label in enumerate(labels) if label.strip()
        ) or "(无)"
        error = FileReadError(source, "无法确定哪一列是任务的具体要求(工作内容)",
                              f"找到的列:{found}。请指定各列的含义后重试(导入窗口中在每列下方选择)。")
        error.hint_cli = "命令行:用 --map 指定各列,例如 --map requirement=C,units=B。"  # type: ignore[attr-defined]
        raise error
    return mapping, [reasons.get(c, "") for c in range(len(labels))]


def meaning_of(col: int, mapping: dict[str, list[int]]) -> str | None:
    for meaning, cols in mapping.items():
        if col in cols:
            return meaning
    return None
