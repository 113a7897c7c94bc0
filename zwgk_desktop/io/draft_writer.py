"""The county's own 任务分解表 as .xlsx, written from a plan read from prose (or any plan).

The official layout a clerk would otherwise type by hand: a title row merged across,
the header 序号 / 工作任务 / 具体要求 / 责任单位 / 完成时限, each ``一、`` section as a row
merged across, the subsection (or the task's own name) in 工作任务 merged down over its
tasks. A4 landscape, one page wide, the header on every page. The file is written to a
temporary name and renamed (io/xlsx_export.save_workbook): never half a file.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from ..core.model import ParsedPlan, ParsedTask
from ..core.units import Role
from .xlsx_cells import (
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
)

__all__ = ["HEADERS", "build_draft_workbook", "draft_title", "unit_cell", "write_draft"]

HEADERS = ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
WIDTHS = [6, 22, 60, 26, 12]


def draft_title(plan: ParsedPlan) -> str:
    title = plan.title.strip() or Path(plan.source_name).stem
    if title.endswith(("分解表", "清单", "台账")):
        return title
    return title + "任务分解表"


def unit_cell(task: ParsedTask) -> str:
    """The 责任单位 cell: the names, lead first; labelled roles or 分别负责 as printed."""
    text = task.units_text.strip()
    if not task.units:
        return ""
    if ":" in text or ":" in text or all(u.role is Role.LEAD for u in task.units) and len(task.units) > 1:
        return text.replace(";", "\n").replace(";", "\n")
    return "、".join(u.name for u in task.units)


def _task_heading(plan_task: ParsedTask) -> str:
    below = [label for label in plan_task.section[1:]]
    if plan_task.title:
        below.append(plan_task.title)
    return "\n".join(below)


def build_draft_workbook(plan: ParsedPlan) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "任务分解表"
    styles = Styles(sheet)
    styles.make("title", font=Font(name=HEAD_FONT, size=16), border=False, horizontal="center")
    styles.make("header", font=Font(name=HEAD_FONT, size=BODY_SIZE), fill=FILL_HEADER, horizontal="center")
    styles.make("section", font=Font(name=HEAD_FONT, size=BODY_SIZE), fill=FILL_SECTION)
    styles.make("body")
    styles.make("centre", horizontal="center")
    last = len(HEADERS)
    for col, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + col)].width = width

    put(sheet, 1, 1, draft_title(plan), styles["title"])
    merge(sheet, 1, 1, 1, last, styles["title"])
    sheet.row_dimensions[1].height = 36
    for col, label in enumerate(HEADERS, start=1):
        put(sheet, 2, col, label, styles["header"])
    sheet.row_dimensions[2].height = 22

    row = 3
    top: str | None = None
    run_start = row
    run_value: str | None = None

    def close_run(end: int) -> None:
        if run_value and end > run_start:
            merge(sheet, run_start, 2, end, 2, styles["body"])

    for task in plan.tasks:
        first = task.section[0] if task.section else None
        if first != top:
            close_run(row - 1)
            run_value = None
            top = first
            if first:
                put(sheet, row, 1, first, styles["section"])
                merge(sheet, row, 1, row, last, styles["section"])
                sheet.row_dimensions[row].height = LINE_HEIGHT + 8
                row += 1
        heading = _task_heading(task)
        if heading != run_value or not heading:
            close_run(row - 1)
            run_start, run_value = row, heading
            put(sheet, row, 2, heading, styles["body"])
        else:
            sheet.cell(row=row, column=2)._style = styles["body"]
        deadline = task.deadline.text or (plan.default_deadline or "")
        values = [task.seq, None, task.requirement, unit_cell(task), deadline]
        for col, value in enumerate(values, start=1):
            if col == 2:
                continue
            put(sheet, row, col, value, styles["centre"] if col in (1, 5) else styles["body"])
        height = max(lines_needed(str(v or ""), WIDTHS[c]) for c, v in enumerate(
            [str(task.seq), heading if heading != run_value or row == run_start else "", task.requirement,
             unit_cell(task), deadline]))
        sheet.row_dimensions[row].height = max(height, 1) * LINE_HEIGHT + 6
        row += 1
    close_run(row - 1)
    sheet.freeze_panes = "A3"
    print_setup(sheet, header_row=2, last_column=last)
    book.properties.title = draft_title(plan)
    return book


def write_draft(plan: ParsedPlan, path: str | Path) -> Path:
    """Write the 分解表; returns the path written (``.xlsx`` added when missing)."""
    return save_workbook(build_draft_workbook(plan), path)
