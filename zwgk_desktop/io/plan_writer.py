"""The files of a county plan derived from the superior's.

* :func:`write_plan_xlsx`: any plan of the ledger (a derived one above all) as the
  county's 任务分解表 in the official layout, ready to send down and to print on A4:
  the title merged across, 序号 / 工作任务 / 具体要求 / 责任单位 / 完成时限, each
  ``一、`` section a row merged across, the sub-section in 工作任务 merged down over its
  tasks; A4 landscape, one page wide, the header on every page, 宋体/黑体. The layout
  is io/draft_writer.py's (the same official table a draft from prose gets), so the
  two never drift apart; this module only reads the plan out of the ledger.
* :func:`read_unit_mapping` / :func:`write_unit_mapping`: the 单位对应 sheet, two
  columns 上级单位 | 本级单位, one pair a row (a 本级 cell may also list several units
  separated by 、 , ; or line breaks). Read through io/readers (xlsx, xls, csv).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from ..core.errors import FileReadError
from ..core.ledger import Ledger
from ..core.model import ParsedPlan, ParsedTask
from ..core.deadlines import Deadline
from ..core.units import normalise_unit_name
from .draft_writer import build_draft_workbook
from .readers import read_workbook
from .xlsx_cells import BODY_SIZE, FILL_HEADER, HEAD_FONT, Styles, put, save_workbook

__all__ = ["MAPPING_HEADERS", "build_plan_workbook", "plan_as_parsed", "read_unit_mapping", "write_plan_xlsx",
           "write_unit_mapping"]

MAPPING_HEADERS = ["上级单位", "本级单位"]


def plan_as_parsed(ledger: Ledger, plan_id: int) -> ParsedPlan:
    """The plan's tasks as the layout writer takes them (withdrawn 已取消 tasks left
    out: the table sent down lists only what is to be done)."""
    from ..core.model import Status

    plan = ledger.plan(plan_id)
    tasks = []
    for n, task in enumerate((t for t in ledger.tasks(plan_id) if t.status != Status.CANCELLED), start=1):
        tasks.append(ParsedTask(
            seq=n, section=list(task.section), title=task.title, requirement=task.requirement,
            units_text="、".join(u.name for u in task.units), units=list(task.units),
            deadline=Deadline(task.deadline_text, task.due_date, task.deadline_kind, task.needs_review),
            source_row=0))
    return ParsedPlan(title=plan.title, year=plan.year, columns=list(plan.columns), mapping={}, tasks=tasks,
                      sheet=plan.sheet or "任务分解表", source_name=plan.source_name)


def build_plan_workbook(ledger: Ledger, plan_id: int) -> Workbook:
    return build_draft_workbook(plan_as_parsed(ledger, plan_id))


def write_plan_xlsx(ledger: Ledger, plan_id: int, path: str | Path) -> Path:
    """Write the plan as the official 分解表; returns the path written (``.xlsx`` added
    when missing). Temporary name, then rename: never half a file."""
    return save_workbook(build_plan_workbook(ledger, plan_id), path)


# -- the 单位对应 sheet ---------------------------------------------------------------------------

_SPLIT = re.compile(r"[\u3001,\uff0c;\uff1b\n]")
_HEADER_ROWS = 10


def _header_columns(row: list[str]) -> tuple[int, int] | None:
    superior = local = None
    for index, cell in enumerate(row):
        text = "".join((cell or "").split())
        if superior is None and text.startswith(("上级", "市级", "原单位")):
            superior = index
        elif local is None and text.startswith(("本级", "县级", "区级", "对应单位")):
            local = index
    return (superior, local) if superior is not None and local is not None else None


def read_unit_mapping(path: str | Path) -> dict[str, list[str]]:
    """上级单位 -> [本级单位] from a two-column sheet with a header row (上级单位 | 本级单位).
    A file without those columns, or without any pair, is refused with a plain message."""
    path = Path(path)
    workbook = read_workbook(path)
    for grid in workbook.grids:
        for r, row in enumerate(grid.rows[:_HEADER_ROWS]):
            found = _header_columns(row)
            if found is None:
                continue
            sup_col, local_col = found
            mapping: dict[str, list[str]] = {}
            for data in grid.rows[r + 1:]:
                superior = normalise_unit_name(data[sup_col] if sup_col < len(data) else "")
                cell = data[local_col] if local_col < len(data) else ""
                locals_ = [normalise_unit_name(p) for p in _SPLIT.split(cell or "")]
                locals_ = [n for n in locals_ if n]
                if not superior or not locals_:
                    continue
                known = mapping.setdefault(superior, [])
                known.extend(n for n in locals_ if n not in known)
            if not mapping:
                raise FileReadError(path, "“上级单位”和“本级单位”两列下面没有任何一对单位",
                                    "请每行写一对:第一列上级单位(如 市发改委),第二列本级单位(如 县发改局)。")
            return mapping
    raise FileReadError(path, "找不到“上级单位”和“本级单位”两列",
                        "单位对应表应有两列,第一行写表头“上级单位”和“本级单位”,以下每行一对"
                        "(一个上级单位对应几个本级单位时写几行)。")


def write_unit_mapping(mapping: dict[str, list[str]], path: str | Path) -> Path:
    """The mapping as the sheet :func:`read_unit_mapping` reads, one pair a row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "单位对应"
    styles = Styles(sheet)
    styles.make("header", font=Font(name=HEAD_FONT, size=BODY_SIZE), fill=FILL_HEADER, horizontal="center")
    styles.make("body")
    for col, label in enumerate(MAPPING_HEADERS, start=1):
        put(sheet, 1, col, label, styles["header"])
    row = 2
    for superior, locals_ in mapping.items():
        for local in locals_:
            put(sheet, row, 1, superior, styles["body"])
            put(sheet, row, 2, local, styles["body"])
            row += 1
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 36
    sheet.freeze_panes = "A2"
    return save_workbook(book, path)
