"""导出Excel: the plan in the layout it was imported in, ready to send up and to print.

The columns are the imported table's own, in its order, with its header labels as
printed; the task rows carry what the import read (章节 in the heading columns,
具体要求, 责任单位 as printed, 完成时限, the other columns' printed values) and four
added columns: 完成状态, 完成时间, 本季度进展 (the chosen quarter) and 佐证材料.
Section rows (一、…) are merged across the table; sub-section cells in a heading
column (（一）…) are merged down over their tasks, as the source printed them.

The quarter's standing, as the 季度报告 for that quarter prints it, is read by
io/export_standings.py (:func:`standings`): a quarter that is over is exported as it
stood on its last day, with evidence of that quarter or earlier; one not over yet as
of today.

A recurring task (每月 / 每季度 …) shows in 完成状态 its periods due in the chosen quarter
(core/period_counts.py): "本季度:已完成", or by month "4月√ 5月√ 6月未报" (a month a
line: the column is narrow); a line under the legend says so. Its colour: green when
every period is done, red when one is overdue and open, yellow when some are reported.

Printing: title rows, A4 landscape, fit to one page wide (as many pages long as it
takes), the header row repeated on every page, frozen header, wrapped text, borders,
fonts every Chinese Office/WPS has (宋体, 黑体), page numbers in the footer. The cell
writing shared with the other workbooks is io/xlsx_cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..core.exchange.send_down import units_text_by_task
from ..core.ledger import Ledger
from ..core.model import Evidence, Plan, Status, Task
from ..core.period_counts import PeriodItem
from ..core.quarters import Quarter
from ..core.report_data import evidence_text
from . import headers as H
from .export_standings import as_of_day, standings
from .xlsx_cells import (
    BODY_FONT,
    BODY_SIZE,
    FILL_HEADER,
    FILL_SECTION,
    HEAD_FONT,
    LINE_HEIGHT,
    Styles,
    lines_needed,
    merge,
    print_setup,
    put,
    save_workbook,
    text_width,
)

ADDED_COLUMNS = ["完成状态", "完成时间", "本季度进展", "佐证材料"]
DEFAULT_COLUMNS = ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]

# Fills for the 完成状态 cell (what the task table's row colours mean, light for print).
FILL_DONE = "C6EFCE"
FILL_IN_PROGRESS = "FFEB9C"
FILL_OVERDUE = "FFC7CE"
FILL_NOT_APPLICABLE = "D9D9D9"
LEGEND = ("说明:“完成状态”一列的底色,绿色为已完成,黄色为推进中,红色为已过完成时限尚未完成,"
          "灰色为不适用。")
# Added to the legend when the export shows recurring tasks by period.
RECURRING_LEGEND = ("定期任务(每月、每季度、每半年、每年、定期)的“完成状态”为所选季度内到期各期的状态:"
                    "一期的写作“本季度:已完成”,按月的每月一行,如“4月√”“6月未报”(√为已完成,未报为该期尚未登记)。")

# Column widths in Excel's units (about one Latin character; a Chinese one is two).
WIDTHS = {H.SEQ: 6, H.HEADING: 16, H.TITLE: 16, H.REQUIREMENT: 48, H.UNITS: 16, H.COOPERATE: 14,
          H.DEADLINE: 11}
ADDED_WIDTHS = [9, 11, 36, 22]


# -- the workbook ----------------------------------------------------------------------------


@dataclass(slots=True)
class ExportSummary:
    path: Path
    tasks: int
    section_rows: int
    columns: list[str]


@dataclass(slots=True)
class _Column:
    label: str
    meaning: str | None  # a headers.* meaning, "extra", or "added:<n>"
    index: int


def _columns(plan: Plan) -> list[_Column]:
    """The printed columns with their meaning (a heading column's rank among the
    heading columns is its level)."""
    labels = list(plan.columns) or list(DEFAULT_COLUMNS)
    mapping = plan.mapping
    if not mapping or "requirement" not in mapping:
        mapping = _guess_mapping(labels)
    meaning_of: dict[int, str] = {}
    for meaning, cols in mapping.items():
        for col in cols:
            if 0 <= col < len(labels):
                meaning_of[col] = meaning
    return [_Column(label, meaning_of.get(i, "extra"), i) for i, label in enumerate(labels)]


def _guess_mapping(labels: list[str]) -> dict[str, list[int]]:
    mapping: dict[str, list[int]] = {}
    for col, label in enumerate(labels):
        meaning = H.header_meaning(label)
        if meaning is None:
            continue
        if meaning == H.UNITS and H.UNITS in mapping and H.COOPERATE not in mapping:
            meaning = H.COOPERATE
        if meaning != H.HEADING and meaning in mapping:
            continue
        mapping.setdefault(meaning, []).append(col)
    if H.REQUIREMENT not in mapping:
        if mapping.get(H.HEADING):
            mapping[H.REQUIREMENT] = [mapping[H.HEADING].pop()]
        else:
            free = [c for c in range(len(labels)) if all(c not in v for v in mapping.values())]
            mapping[H.REQUIREMENT] = free[:1] or [0]
    return {k: v for k, v in mapping.items() if v}


def _split_path(task: Task, heading_count: int, title_in_heading: bool) -> tuple[list[str], list[str]]:
    """(labels printed as section rows, labels printed in the heading columns)."""
    slots = heading_count - (1 if title_in_heading else 0)
    in_columns = min(len(task.section), max(slots, 0))
    cut = len(task.section) - in_columns
    return list(task.section[:cut]), list(task.section[cut:])


def export_plan_xlsx(ledger: Ledger, plan_id: int, quarter: Quarter, path: str | Path,
                     *, today: date | None = None) -> ExportSummary:
    """Write the plan to ``path`` (.xlsx); the file appears only when complete."""
    book, summary = build_export(ledger, plan_id, quarter, today=today)
    summary.path = save_workbook(book, path)
    return summary


def build_export(ledger: Ledger, plan_id: int, quarter: Quarter, *,
                 today: date | None = None) -> tuple[Workbook, ExportSummary]:
    today = today or date.today()
    plan = ledger.plan(plan_id)
    listed = standings(ledger, plan_id, quarter, today)
    day = as_of_day(quarter, today)
    printed_units = units_text_by_task(ledger, plan_id)
    columns = _columns(plan)
    title_col = next((c for c in columns if c.meaning == H.TITLE), None)
    heading_cols = [c for c in columns if c.meaning == H.HEADING]
    # A task's own name read from the heading column (重点任务 lists) goes back there.
    titles_in_heading = title_col is None and bool(heading_cols)
    added = [_Column(label, f"added:{n}", len(columns) + n) for n, label in enumerate(ADDED_COLUMNS)]
    all_columns = columns + added
    width = len(all_columns)

    book = Workbook()
    sheet = book.active
    sheet.title = "落实情况"
    book.properties.title = f"{plan.title}落实情况"
    book.properties.subject = quarter.label
    book.properties.creator = "政务公开任务台账"
    book.properties.keywords = "zwgk-export"

    st = Styles(sheet)
    body = Font(name=BODY_FONT, size=BODY_SIZE)
    st.make("title", font=Font(name=HEAD_FONT, size=16), border=False, horizontal="center", wrap=True)
    st.make("subtitle", font=Font(name=BODY_FONT, size=11), border=False, horizontal="center")
    st.make("header", font=Font(name=HEAD_FONT, size=BODY_SIZE, bold=True), fill=FILL_HEADER,
            horizontal="center")
    st.make("section1", font=Font(name=HEAD_FONT, size=BODY_SIZE, bold=True), fill=FILL_SECTION)
    st.make("section2", font=Font(name=BODY_FONT, size=BODY_SIZE, bold=True))
    st.make("left", font=body)
    st.make("center", font=body, horizontal="center")
    st.make("heading", font=body, horizontal="center")
    st.make("date", font=body, horizontal="center", number_format="yyyy-mm-dd")
    for name, fill in (("st_done", FILL_DONE), ("st_progress", FILL_IN_PROGRESS), ("st_overdue", FILL_OVERDUE),
                       ("st_na", FILL_NOT_APPLICABLE)):
        st.make(name, font=body, fill=fill, horizontal="center")
    st.make("legend", font=Font(name=BODY_FONT, size=9), border=False)

    # Title rows.
    put(sheet, 1, 1, plan.title, st["title"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.row_dimensions[1].height = 30
    subtitle = f"\uff08{quarter.label}落实情况,截至 {day.year}年{day.month}月{day.day}日\uff09"
    put(sheet, 2, 1, subtitle, st["subtitle"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.row_dimensions[2].height = 20
    header_row = 3
    for col in all_columns:
        put(sheet, header_row, col.index + 1, col.label, st["header"])

    short_meanings = {H.SEQ, H.UNITS, H.COOPERATE, H.DEADLINE}
    style_for = [st["heading"] if c.meaning in (H.HEADING, H.TITLE) else
                 st["center"] if c.meaning in short_meanings else st["left"] for c in columns]
    status_style = {Status.DONE: st["st_done"], Status.IN_PROGRESS: st["st_progress"],
                    Status.NOT_APPLICABLE: st["st_na"], Status.NOT_STARTED: st["center"]}

    # First pass: what each row says (widths depend on the content).
    entries: list[tuple[str, Any, Any, Any]] = []  # ("section", depth, label, None) | ("task", task, values, key)
    printed_rows: list[str] = []  # section labels currently printed as rows
    widths_seen: dict[int, int] = {}
    for task, standing in listed:
        title_in_heading = titles_in_heading and bool(task.title)
        row_labels, col_labels = _split_path(task, len(heading_cols), title_in_heading)
        common = 0
        while (common < len(row_labels) and common < len(printed_rows)
               and row_labels[common] == printed_rows[common]):
            common += 1
        for depth in range(common, len(row_labels)):
            entries.append(("section", depth, row_labels[depth], None))
        if common < len(row_labels) or len(printed_rows) > len(row_labels):
            entries.append(("break", None, None, None))
        printed_rows = row_labels
        values = _task_values(task, columns, heading_cols, col_labels, title_in_heading,
                              printed_units.get(task.id, ""))
        note = next((p.text for p in task.progress if p.quarter == str(quarter)), "")
        evidence = [item for item in task.evidence if item.quarter <= quarter]  # as the report lists it
        values += [standing.text, "", note, evidence_cell(evidence)]
        for col, value in zip(columns, values):
            if value and col.meaning != H.HEADING:
                widths_seen[col.index] = max(widths_seen.get(col.index, 0), min(text_width(value), 60))
        # Cells of a heading column merge down while they show the same section;
        # a task's own name there never merges (None).
        keys: list[tuple[str, ...] | None] = [tuple(row_labels) + tuple(col_labels[: level + 1])
                                              for level in range(len(heading_cols))]
        if title_in_heading:
            keys[-1] = None
        entries.append(("task", (task, standing), values, keys))

    col_widths = [_width(col, widths_seen) for col in columns] + [float(w) for w in ADDED_WIDTHS]
    for n, w in enumerate(col_widths):
        sheet.column_dimensions[get_column_letter(n + 1)].width = w

    # Second pass: write.
    row = header_row + 1
    runs: dict[int, tuple[tuple[str, ...], int, str]] = {}  # heading col -> (path key, first row, label)
    merges: list[tuple[int, int, int, str]] = []  # (col, first row, last row, label)
    heights: dict[int, float] = {}
    task_rows: dict[int, list[str]] = {}
    section_rows = 0
    heading_levels = list(enumerate(heading_cols))
    merged_heading = {col.index for col in heading_cols}

    def close_runs(last_row: int) -> None:
        for col, (_, first, label) in runs.items():
            if last_row > first:
                merges.append((col, first, last_row, label))
        runs.clear()

    for kind, a, b, c in entries:
        if kind == "break":
            close_runs(row - 1)
            continue
        if kind == "section":
            depth, label = a, b
            close_runs(row - 1)
            style = st["section1" if depth == 0 else "section2"]
            put(sheet, row, 1, label, style)
            merge(sheet, row, 1, row, width, style)
            heights[row] = LINE_HEIGHT * lines_needed(label, sum(col_widths)) + 6
            row += 1
            section_rows += 1
            continue
        (task, standing), values, keys = a, b, c
        lines = 1
        for col, value in zip(columns, values):
            put(sheet, row, col.index + 1, value, style_for[col.index])
            if col.index not in merged_heading:
                lines = max(lines, lines_needed(value, col_widths[col.index]))
        for level, col in heading_levels:
            value = values[col.index] if keys[level] is not None else ""
            run = runs.get(col.index)
            if run is not None and run[0] == keys[level] and value:
                continue
            if run is not None and row - 1 > run[1]:
                merges.append((col.index, run[1], row - 1, run[2]))
            if value:
                runs[col.index] = (keys[level], row, value)
            else:
                runs.pop(col.index, None)
        base = len(columns) + 1
        if standing.periods:
            status_cell = _period_style(standing.periods, standing.overdue, st)
        else:
            status_cell = st["st_overdue"] if standing.overdue else status_style[standing.status]
        put(sheet, row, base, values[len(columns)], status_cell)
        put(sheet, row, base + 1, standing.done_on, st["date"])
        put(sheet, row, base + 2, values[len(columns) + 2], st["left"])
        put(sheet, row, base + 3, values[len(columns) + 3], st["left"])
        for offset in (0, 2, 3):  # 完成状态 too: a month per line when the periods do not fit
            lines = max(lines, lines_needed(values[len(columns) + offset], col_widths[len(columns) + offset]))
        heights[row] = LINE_HEIGHT * lines + 4
        task_rows[row] = values
        row += 1
    close_runs(row - 1)
    # A heading merged down keeps its text in the top-left cell only (openpyxl turns
    # the others into MergedCell); the rows under it must be tall enough together.
    for col, first, last, label in merges:
        merge(sheet, first, col + 1, last, col + 1, st["heading"])
    merged_rows = {(col, r) for col, first, last, _ in merges for r in range(first, last + 1)}
    for r, values in task_rows.items():
        for _, col in heading_levels:
            if values[col.index] and (col.index, r) not in merged_rows:
                heights[r] = max(heights[r], LINE_HEIGHT * lines_needed(values[col.index], col_widths[col.index]) + 4)
    for col, first, last, label in merges:
        need = LINE_HEIGHT * lines_needed(label, col_widths[col]) + 4
        have = sum(heights.get(r, LINE_HEIGHT + 4) for r in range(first, last + 1))
        if have < need:
            heights[last] = heights.get(last, LINE_HEIGHT + 4) + (need - have)
    for r, height in heights.items():
        sheet.row_dimensions[r].height = min(height, 409)  # Excel's maximum row height
    header_lines = max(lines_needed(c.label, col_widths[c.index]) for c in all_columns)
    sheet.row_dimensions[header_row].height = LINE_HEIGHT * header_lines + 8

    # Legend under the table (not repeated, not part of the print titles).
    legend = LEGEND + (RECURRING_LEGEND if any(standing.periods for _, standing in listed) else "")
    put(sheet, row + 1, 1, legend, st["legend"])
    sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=width)
    # 9 pt text over the whole width: a little more per line than the body's width units
    sheet.row_dimensions[row + 1].height = 18 if legend == LEGEND else \
        12.0 * lines_needed(legend, sum(col_widths) * BODY_SIZE / 9) + 6

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    print_setup(sheet, header_row, width)
    summary = ExportSummary(path=Path(), tasks=len(listed), section_rows=section_rows,
                            columns=[c.label for c in all_columns])
    return book, summary


def _period_style(items: list[PeriodItem], overdue: bool, st: Styles) -> Any:
    """The 完成状态 colour of a recurring task from its periods in the quarter
    (``overdue``: one of them is open past its day, as :func:`standings` judged it)."""
    if all(item.status == Status.NOT_APPLICABLE for item in items):
        return st["st_na"]
    if all(item.settled for item in items):
        return st["st_done"]
    if overdue:
        return st["st_overdue"]
    if any(item.status is not None and item.status != Status.NOT_STARTED for item in items):
        return st["st_progress"]
    return st["center"]


def _width(col: _Column, seen: dict[int, int]) -> float:
    if col.meaning in WIDTHS:
        base = WIDTHS[col.meaning]
        if col.meaning in (H.UNITS, H.COOPERATE, H.DEADLINE, H.SEQ):
            # as wide as the longest entry needs, within reason
            return float(max(min(seen.get(col.index, base) + 2, base + 6), max(text_width(col.label) + 2, 6)))
        return float(base)
    content = seen.get(col.index, 0)
    return float(max(8, min(max(content // 2 + 2, text_width(col.label) + 2), 30)))


def _task_values(task: Task, columns: list[_Column], heading_cols: list[_Column], col_labels: list[str],
                 title_in_heading: bool, units_text: str) -> list[str]:
    values: list[str] = []
    heading_level = {c.index: n for n, c in enumerate(heading_cols)}
    for col in columns:
        meaning = col.meaning
        if meaning == H.HEADING:
            level = heading_level[col.index]
            if title_in_heading and level == len(heading_cols) - 1:
                values.append(task.title or "")
            else:
                values.append(col_labels[level] if level < len(col_labels) else "")
        elif meaning == H.REQUIREMENT:
            values.append(task.requirement)
        elif meaning == H.UNITS:
            values.append(units_text or "、".join(u.name for u in task.units))
        elif meaning == H.DEADLINE:
            values.append(task.deadline_text)
        elif meaning == H.TITLE:
            values.append(task.title or "")
        elif meaning == H.SEQ:
            values.append(task.extra.get(col.label) or str(task.seq))
        else:  # cooperate and every other column: as printed
            values.append(task.extra.get(col.label, ""))
    return values


def evidence_cell(items: list[Evidence]) -> str:
    """The 佐证材料 cell: every item once, one a line, by quarter and in the order added."""
    lines: list[str] = []
    for item in sorted(items, key=lambda e: (e.quarter, e.id)):
        line = evidence_text(item)
        if line and line not in lines:
            lines.append(line)
    return "\n".join(lines)


def default_export_name(plan_title: str, quarter: Quarter) -> str:
    from ..core.evidence.names import safe_file_part

    return f"{safe_file_part(plan_title, 50)}-{quarter.label}落实情况.xlsx"

