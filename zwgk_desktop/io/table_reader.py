"""From a grid of cells to a plan: find the header, map columns, read the hierarchy.

No layout is assumed. The header row is the row naming the most distinct meanings
(header_detection.py); each column's meaning comes from its header and its content
together, with a reason the clerk can read (column_roles.py); sections come from rows
that carry a single value (一、… merged across) and from heading columns (（一）… merged
down or repeated); the rest are tasks. When the reader cannot tell which column holds
the requirement it says which columns it found, and the caller may pass a column map.

Why one module a little over 450 lines: it is the one pass from grid to plan; finding the
header, the column meanings and the section words already live in header_detection.py,
column_roles.py and sections.py, and what remains is the walk that uses them together.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ..core.deadlines import Deadline, DeadlineKind, parse_deadline
from ..core.errors import FileReadError, UserError
from ..core.model import ParsedPlan, ParsedTask
from ..core.patterns import lazy_compile
from ..core.perf import paused_gc
from ..core.units import UnitRef, assign_roles
from . import headers as H
from .column_roles import MEANING_NAMES, map_columns
from .grid import Grid, Workbook
from .header_detection import HEADER_CELL_MAX, Header, fallback_header, find_header
from .sections import clean_label, is_note, numbering_rank, section_number_rank

__all__ = ["MEANING_NAMES", "ReadOptions", "parse_column_map", "read_plan"]

#: Messages here are read in the window and by ``zwgk`` alike, so they name no
#: command-line option. What only the command line needs is on the error as
#: ``hint_cli``, printed by the CLI under the message.
CLI_MAP_HINT = "命令行:用 --map 指定各列,例如 --map requirement=C,units=D,deadline=E。"
CLI_SHEET_HINT = "命令行:用 --sheet 指定工作表。"
#: The start of the warning given when neither title nor file name has a year (front
#: ends that ask for the year themselves recognise it by this).
NO_YEAR_WARNING = "标题和文件名中都没有年份"

_YEAR_RE = lazy_compile(r"(20\d{2})\s*年")
_BARE_YEAR_RE = lazy_compile(r"(?<!\d)(20\d{2})(?!\d)")
_DOC_NUMBER_RE = lazy_compile(r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d+\s*号")
_ANNEX_RE = lazy_compile(r"^附\s*件\s*\d*\s*[:\uff1a]?$")
_MAP_KEYS = {
    "seq": H.SEQ, "heading": H.HEADING, "section": H.HEADING, "title": H.TITLE,
    "requirement": H.REQUIREMENT, "units": H.UNITS, "lead": H.UNITS,
    "cooperate": H.COOPERATE, "deadline": H.DEADLINE,
}
_NO_DEADLINE = Deadline("", None, DeadlineKind.UNKNOWN, False)


@dataclass(slots=True)
class ReadOptions:
    """What the clerk may tell the reader when the file alone is not enough."""

    year: int | None = None
    sheet: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)  # meaning -> column ref
    # True: the column map is the whole mapping (the wizard, where the clerk set every
    # column); False: it corrects the automatic mapping (the CLI's --map).
    only_map: bool = False
    today: date | None = None
    # One 完成时限 for every task of a table that has no deadline column (and for the
    # empty cells of one that has): "12月底前".
    default_deadline: str | None = None


def parse_column_map(text: str) -> dict[str, str]:
    """``requirement=C,units=B`` -> {"requirement": "C", "units": "B"}.

    ``heading`` may name several columns from the top level down: ``heading=A+B``.
    """
    result: dict[str, str] = {}
    for part in re.split(r"[,\uff0c;\uff1b]", text or ""):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or not value.strip():
            raise UserError(f"列对应“{part.strip()}”的写法不对,应写成 名称=列,例如 requirement=C,units=B。")
        if key not in _MAP_KEYS:
            names = "、".join(sorted(_MAP_KEYS))
            raise UserError(f"不认识的列名称“{key}”。可用的有:{names}。")
        result[_MAP_KEYS[key]] = value.strip()
    return result


@dataclass(slots=True)
class _Section:
    rank: float
    label: str


def read_plan(workbook: Workbook, options: ReadOptions | None = None) -> ParsedPlan:
    """Understand one file's task table. Raises FileReadError with the reason."""
    options = options or ReadOptions()
    with paused_gc():
        return _read_plan(workbook, options)


def _read_plan(workbook: Workbook, options: ReadOptions) -> ParsedPlan:
    grid, header = _choose_grid(workbook, options)
    mapping, reasons = map_columns(grid, header, options.column_map, workbook.source_name,
                                   automatic=not options.only_map)
    return _read_rows(workbook, grid, header, mapping, reasons, options)


# -- choosing the table and its header ------------------------------------------------


def _visible(grid: Grid) -> Grid:
    """The grid without its hidden columns: helper columns are not the clerk's table."""
    if not grid.hidden_columns:
        return grid
    keep = [c for c in range(grid.width) if c not in grid.hidden_columns]
    remap = {old: new for new, old in enumerate(keep)}
    merged = []
    for r0, c0, r1, c1 in grid.merged:
        cols = [remap[c] for c in range(c0, c1 + 1) if c in remap]
        if cols:
            merged.append((r0, min(cols), r1, max(cols)))
    return Grid(
        name=grid.name,
        rows=[[row[c] for c in keep] for row in grid.rows],
        merged=merged,
        hidden=grid.hidden,
        preamble=grid.preamble,
    )


def _choose_grid(workbook: Workbook, options: ReadOptions) -> tuple[Grid, Header]:
    grids = workbook.grids
    if options.sheet:
        wanted = H.squash(options.sheet)
        chosen = [g for g in grids if H.squash(g.name) == wanted]
        if not chosen:
            names = "、".join(g.name for g in grids) or "(无)"
            raise FileReadError(workbook.source_name, f"没有名为“{options.sheet}”的工作表",
                                f"文件中的工作表有:{names}。请检查名称后重试。")
        candidates = chosen
    else:
        candidates = [g for g in grids if not g.hidden] or list(grids)
    if not candidates or all(g.height == 0 for g in candidates):
        raise FileReadError(workbook.source_name, "文件里没有任何表格内容",
                            "请确认选择的是任务分解表文件本身,而不是空白模板。")

    scored: list[tuple[int, int, int, Grid, Header]] = []
    visible = [_visible(raw) for raw in candidates]
    for index, grid in enumerate(visible):
        header = find_header(grid)
        if header is not None:
            # Rank a Word table by the whole table it starts (continuations included):
            # otherwise a longer second half, which repeats the header, beats the first.
            grid = _append_continuations(visible, index, grid, workbook.kind)
            scored.append((header.score, grid.height - header.row, -index, grid, header))
    if not scored:
        if options.column_map:
            grid = _visible(max(candidates, key=lambda g: g.height))
            return grid, fallback_header(grid)
        error = FileReadError(
            workbook.source_name,
            "没有找到表头(如“工作任务”“具体要求”“责任单位”“完成时限”)",
            "请确认表格有表头行;如果表头写法特殊,请在导入时为各列指定含义(至少指定“具体要求”一列)。"
            + _describe_first_rows(candidates[0]),
        )
        error.hint_cli = CLI_MAP_HINT  # type: ignore[attr-defined]
        raise error
    scored.sort(key=lambda item: item[:3], reverse=True)
    _, _, _, grid, header = scored[0]
    return grid, header


def _append_continuations(candidates: list[Grid], index: int, grid: Grid,
                          workbook_kind: str) -> Grid:
    """A Word attachment often splits one table into several at page breaks; later
    tables of the same width continue the first (their repeated headers are dropped
    with the other repeated headers)."""
    following = [_visible(g) for g in candidates[index + 1:]]
    if not following or workbook_kind != "document":
        return grid
    rows = list(grid.rows)
    merged = list(grid.merged)
    for nxt in following:
        if nxt.width != grid.width:
            break
        offset = len(rows)  # keep the continuation's merges (a heading merged down)
        merged.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in nxt.merged)
        rows.extend(nxt.rows)
    if len(rows) == grid.height:
        return grid
    return Grid(name=grid.name, rows=rows, merged=merged, preamble=grid.preamble)


def _describe_first_rows(grid: Grid) -> str:
    for row in grid.rows[:10]:
        cells = [c for c in row if c.strip()]
        if len(cells) >= 2:
            shown = "、".join(f"{H.column_letter(i)}列“{c[:10]}”" for i, c in enumerate(row) if c.strip())
            return f"\n文件前几行中找到的列:{shown}。"
    return ""


# -- rows -----------------------------------------------------------------------------


def _read_rows(workbook: Workbook, grid: Grid, header: Header, mapping: dict[str, list[int]],
               reasons: list[str], options: ReadOptions) -> ParsedPlan:
    rows = grid.rows
    req_col = mapping[H.REQUIREMENT][0]
    units_col = _first(mapping, H.UNITS)
    coop_col = _first(mapping, H.COOPERATE)
    deadline_col = _first(mapping, H.DEADLINE)
    seq_col = _first(mapping, H.SEQ)
    title_col = _first(mapping, H.TITLE)
    heading_cols = mapping.get(H.HEADING, [])
    used = {c for cols in mapping.values() for c in cols} - ({seq_col} if seq_col is not None else set())
    # Unused columns travel with the task as extra information, under their header; a
    # sequence column printed under another header ("工作任务" merged over it) as 序号.
    extra_cols = [(c, "序号" if c == seq_col and H.header_meaning(header.labels[c]) != H.SEQ
                   else header.labels[c])
                  for c in range(len(header.labels)) if c not in used and header.labels[c].strip()]
    mapped = sorted(c for cols in mapping.values() for c in cols if c != seq_col)
    first_content_col = mapped[0] if mapped else 0
    spans_down: set[tuple[int, int]] | None = None  # worked out when first needed (rarely)

    title, doc_number = _title_and_number(workbook, grid, header.row)
    year, year_found, year_warning = _plan_year(options, title, grid, workbook, deadline_col, header.row)
    warnings: list[str] = [year_warning] if year_warning else []
    default = (options.default_deadline or "").strip()
    default_deadline = parse_deadline(default, year) if default else None
    if deadline_col is None:
        if default_deadline is not None:
            warnings.append(f"表格中没有“完成时限”一列,各项任务统一按“{default}”计算到期日。")
        else:
            warnings.append("表格中没有“完成时限”一列,各项任务都没有到期日。如需统一设置,可填写统一的完成时限"
                            "(导入窗口上方“统一完成时限”,或命令行 --deadline),例如 12月底前。")

    stack: list[_Section] = []
    carried: dict[int, str] = {}
    tasks: list[ParsedTask] = []
    # Heading cells merged down repeat on every row of their group, and unit cells repeat
    # across a table: each distinct text is worked out once.
    headings_seen: dict[str, tuple[str, int | None]] = {}
    units_seen: dict[tuple[str, str | None], list[UnitRef]] = {}
    deadlines_seen: dict[str, Deadline] = {}
    # The path of a task follows from the sections above it (``stack``, which changes
    # only at a section row) and its heading cells: rows under the same heading share it.
    stack_version = 0
    paths_seen: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    single_heading = len(heading_cols) == 1
    # A row whose requirement cell and one other mapped cell (not the 序号) hold two
    # different texts is neither empty nor a one-value row (a section or a note): most
    # rows of a table are told so without looking at each of their cells.
    probe_col = units_col if units_col is not None and units_col != req_col else next(
        (c for c in mapped if c != req_col), None)
    heading_col = heading_cols[0] if single_heading else None
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        req_cell = row[req_col]
        two_texts = (probe_col is not None and req_cell != row[probe_col]
                     and bool(req_cell.strip()) and bool(row[probe_col].strip()))
        if not two_texts:
            values = [(c, v) for c, v in enumerate(row) if v.strip()]
            if not values:
                continue
        # A header pasted again mid-table; its requirement cell is short, a task's is
        # not, so most rows skip the per-cell comparison.
        if len(req_cell) <= HEADER_CELL_MAX and tuple(H.squash(c) for c in row) in header.signatures:
            continue
        if not two_texts:
            distinct = {v for c, v in values if c != seq_col}
            if not distinct:
                continue
        if not two_texts and len(distinct) == 1:
            (value,) = distinct
            cols = [c for c, v in values if v == value]
            if is_note(value):
                continue
            seq_text = row[seq_col].strip() if seq_col is not None and seq_col not in cols else ""
            # 序号 "一" / "(一)" numbers a section; "1" numbers a task with one cell filled.
            seq_rank = section_number_rank(seq_text) if seq_text else None
            seq_printed = bool(seq_text) and seq_rank is None
            is_section = seq_rank is not None or (not seq_printed and (
                len(cols) >= 2
                or cols[0] in heading_cols
                or (cols[0] == first_content_col and cols[0] != req_col)
                or (numbering_rank(value) in (0, 1, 2) and (cols[0] == first_content_col or cols[0] != req_col))
            ))
            if is_section:
                label = clean_label(value)
                rank = numbering_rank(label)
                if rank is None:
                    rank = seq_rank if seq_rank is not None else (stack[-1].rank if stack else 0)
                while stack and stack[-1].rank >= rank:
                    stack.pop()
                stack.append(_Section(rank, label))
                carried.clear()
                stack_version += 1
                continue

        task_title: str | None = None
        if heading_col is not None:
            heading_values: tuple[str, ...] = (row[heading_col].strip() or carried.get(heading_col, ""),)
        else:
            heading_values = tuple(row[col].strip() or carried.get(col, "") for col in heading_cols)
        seen_path = paths_seen.get((stack_version, heading_values))
        if seen_path is not None:
            # Same sections above, same heading cells: the same path, and the headings
            # are carried as they were on the row that worked it out.
            path = list(seen_path)
            if heading_col is not None:
                if heading_values[0]:
                    carried[heading_col] = heading_values[0]
            else:
                for col, value in zip(heading_cols, heading_values):
                    if value:
                        carried[col] = value
        else:
            context = list(stack)
            same_for_every_row = True  # False once a heading's reading depended on this row
            for col, value in zip(heading_cols, heading_values):
                if not value:
                    continue
                known = headings_seen.get(value)
                if known is None:
                    label = clean_label(value)
                    known = headings_seen[value] = (label, numbering_rank(label))
                label, rank = known
                if single_heading and rank is None:
                    same_for_every_row = False
                    if spans_down is None:
                        spans_down = _vertical_spans(grid)
                    spans = (r, col) in spans_down or _repeated(rows, r, col, value)
                    if not spans:
                        task_title = label  # a 重点任务 list: the heading cell is this task's own name
                        continue
                if rank is None:
                    rank = (context[-1].rank if context else -1) + 1
                context = [s for s in context if s.rank < rank] + [_Section(rank, label)]
                carried[col] = value
            path = [s.label for s in context]
            if same_for_every_row:
                paths_seen[stack_version, heading_values] = path
                path = list(path)
        if title_col is not None and row[title_col].strip():
            task_title = clean_label(row[title_col])

        requirement = req_cell.strip()
        if not requirement and not task_title:
            warnings.append(f"第 {r + 1} 行没有任务内容,已跳过。")
            continue
        units_text = row[units_col].strip() if units_col is not None else ""
        coop_text = row[coop_col].strip() if coop_col is not None else None
        if deadline_col is None:
            deadline = default_deadline or _NO_DEADLINE
        elif default_deadline is not None and not row[deadline_col].strip():
            deadline = default_deadline
        else:
            deadline_cell = row[deadline_col]
            deadline = deadlines_seen.get(deadline_cell)
            if deadline is None:  # (parse_deadline gives one Deadline per text and year anyway)
                deadline = deadlines_seen[deadline_cell] = parse_deadline(deadline_cell, year)
        extra = {key: row[c].strip() for c, key in extra_cols if row[c].strip()} if extra_cols else {}
        units = units_seen.get((units_text, coop_text))
        if units is None:
            units = units_seen[units_text, coop_text] = assign_roles(units_text, coop_text)
        if coop_col is not None and coop_text:
            extra[header.labels[coop_col]] = coop_text
        tasks.append(ParsedTask(
            seq=len(tasks) + 1,
            section=path,
            title=task_title,
            requirement=requirement,
            units_text=units_text,
            units=list(units),  # (UnitRef is frozen; each task has its own list)
            deadline=deadline,
            source_row=r + 1,
            extra=extra,
        ))

    if not tasks:
        error = FileReadError(workbook.source_name, "找到了表头,但表头下面没有任何任务",
                              "请确认文件内容完整;如果任务在另一个工作表里,请选择那个工作表后重新导入。")
        error.hint_cli = CLI_SHEET_HINT  # type: ignore[attr-defined]
        raise error
    return ParsedPlan(
        title=title,
        year=year,
        columns=[label for label in header.labels],
        mapping=mapping,
        tasks=tasks,
        sheet=grid.name,
        source_name=workbook.source_name,
        doc_number=doc_number,
        warnings=warnings,
        column_reasons=reasons,
        year_found=year_found,
        has_deadline_column=deadline_col is not None,
        default_deadline=default or None,
    )


def _first(mapping: dict[str, list[int]], meaning: str) -> int | None:
    cols = mapping.get(meaning)
    return cols[0] if cols else None


def _vertical_spans(grid: Grid) -> set[tuple[int, int]]:
    cells: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in grid.merged:
        if r1 > r0:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    cells.add((r, c))
    return cells


def _repeated(rows: list[list[str]], r: int, col: int, value: str) -> bool:
    """The same heading on the row above or below: printed on every row of its group."""
    above = rows[r - 1][col].strip() if r > 0 else ""
    below = rows[r + 1][col].strip() if r + 1 < len(rows) else ""
    return value in (above, below)


# -- title and year -------------------------------------------------------------------


def _title_and_number(workbook: Workbook, grid: Grid, header_row: int) -> tuple[str, str | None]:
    texts: list[str] = list(grid.preamble)
    for row in grid.rows[:max(header_row, 0)]:
        for cell in dict.fromkeys(c.strip() for c in row if c.strip()):
            texts.append(cell)
    doc_number = None
    candidates = []
    for text in texts:
        match = _DOC_NUMBER_RE.search(text) if "号" in text else None  # (the pattern ends with 号)
        if match and doc_number is None:
            doc_number = H.squash(match.group(0))
        one_line = clean_label(text)
        if _ANNEX_RE.match(H.squash(one_line)) or len(one_line) < 4:
            continue
        candidates.append(one_line)
    preferred = [t for t in candidates if re.search(r"(表|清单|要点|台账|任务)$", t)]
    pool = preferred or candidates
    if pool:
        return max(pool, key=len), doc_number
    stem = workbook.source_name.rsplit(".", 1)[0]
    return stem, doc_number


def _plan_year(options: ReadOptions, title: str, grid: Grid, workbook: Workbook,
               deadline_col: int | None, header_row: int) -> tuple[int, bool, str | None]:
    """The plan's year, whether the clerk or the file gave it, and a warning if not."""
    if options.year:
        return options.year, True, None
    for text in (title, workbook.source_name, grid.name):
        match = _YEAR_RE.search(text) or _BARE_YEAR_RE.search(text)
        if match:
            return int(match.group(1)), True, None
    if deadline_col is not None:
        years = Counter(
            int(m.group(1))
            for row in grid.rows[header_row + 1:]
            for m in [_YEAR_RE.search(row[deadline_col])] if m
        )
        if years:
            return years.most_common(1)[0][0], True, None
    today = options.today or date.today()
    return today.year, False, (f"{NO_YEAR_WARNING},按 {today.year} 年计算完成时限;"
                        "如不对,请指定这份分解表的年份后重新导入。")
