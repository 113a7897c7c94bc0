"""下发填报表: one workbook per unit, to fill in with Excel or WPS and send back.

Sheets:

* 填报说明 (first): what to fill in and how, in plain Chinese.
* 任务填报: the unit's tasks; task texts locked (sheet protection without a password,
  so a colleague can still unprotect it in an emergency; the merge copes), the four
  columns to fill unlocked and tinted: 进展情况, 完成状态 (drop-down list), 完成时间,
  佐证材料说明. They come pre-filled with what the ledger holds, so a unit only
  changes what changed. The last column, hidden, holds each row's stable key
  ``zwgk:<plan sha prefix>:<task id>``: sorting, filtering, deleting rows or adding
  columns in Excel/WPS keeps the way back.
* zwgk_keys (very hidden): plan, unit, quarter, when it was sent, the issue id
  (下发编号), and per key a checksum of the task text and the values as sent.

Writing a workbook through :func:`issue_fill_in` / :func:`write_fill_ins` also
stores in the ledger what it was issued with (``exchange.send_down.record_issues``): the merge
judges a reply against that record, never against the workbook's own key sheet,
which anyone can edit.

The unit and the quarter are printed on the sheet and set in the workbook's
properties (title, subject, keywords, custom properties).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..core import exchange as X
from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from ..core.unit_directory import (
    expand_recipients,
    group_without_members_text,
    plan_recipients,
    unlisted_groups,
)
from ..core.units import is_group_name
from . import fill_in_format as F
from .xlsx_cells import (
    BODY_FONT,
    BODY_SIZE,
    HEAD_FONT,
    LINE_HEIGHT,
    Styles,
    clean_cell_text,
    lines_needed,
    print_setup,
    put,
    save_workbook,
)

FILL_EDITABLE = "FFF9E5"  # a pale yellow: "write here"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1

ProgressCallback = Callable[[int, int, str], None]


def _columns(with_title: bool) -> list[tuple[str, float]]:
    columns = [(F.COL_SEQ, 6.0), (F.COL_SECTION, 16.0)]
    if with_title:
        columns.append((F.COL_TITLE, 14.0))
    columns += [(F.COL_TASK, 44.0), (F.COL_UNITS, 16.0), (F.COL_ROLE, 10.0), (F.COL_DEADLINE, 10.0),
                (F.COL_PROGRESS, 40.0), (F.COL_STATUS, 10.0), (F.COL_DONE_ON, 12.0), (F.COL_EVIDENCE, 26.0),
                (F.KEY_HEADER, 24.0)]
    return columns


def guide_lines(fill: X.FillIn) -> list[str]:
    """The 填报说明, one paragraph per line."""
    sender = fill.sender or "上级政务公开工作机构"
    return [
        f"{fill.unit}:",
        (f"本表由{sender}通过“政务公开任务台账”生成,列出《{fill.plan.title}》中由贵单位牵头或配合落实的"
         f"任务共 {len(fill.rows)} 项,请填报{fill.quarter.label}的落实情况。"),
        "一、请在“任务填报”工作表中填写浅黄色的四列,其他列是任务原文,已锁定,不能修改:",
        ("    1. 进展情况:写本季度做了哪些工作、取得了什么成效,可写多行。表中已有的文字是此前报送的内容,"
         "有新进展请直接修改。"),
        "    2. 完成状态:点击单元格右侧的小箭头,从“未启动、推进中、已完成、不适用”中选择一项。",
        "    3. 完成时间:任务已完成的,填写完成日期,例如 2023-09-20;未完成的不填。",
        ("    4. 佐证材料说明:写明佐证材料的名称和发布位置,例如“9月20日在区政府网站发布《……》,网址 ……”。"
         "材料原件请按要求另行报送。"),
        ("二、可以排序、筛选、调整行高和列宽,也可以在右侧增加备注列;请不要删除或修改隐藏的“系统编码”列,"
         "不要删除工作表,不要把多项任务合并成一行。"),
        "三、任务不属于贵单位或内容有误的,请在“进展情况”中说明,不要删除该行。",
        "四、填好后直接保存(Excel 或 WPS 均可,请保持 .xlsx 格式),把文件发回即可,文件名可以不改。",
        "五、工作表“任务填报”第 2 行请填写填报人和联系电话,以便核实。",
    ]


@dataclass(slots=True)
class WrittenFillIn:
    unit: str
    path: Path
    tasks: int


@dataclass(slots=True)
class BatchResult:
    written: list[WrittenFillIn] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "单位:why", one per unit not written
    notes: list[str] = field(default_factory=list)  # written, with something to say
    #: Groups asked for (or named by the plan) with nobody listed under them: no workbook.
    groups_without_members: list[str] = field(default_factory=list)


def build_fill_in(fill: X.FillIn) -> Workbook:
    book = Workbook()
    guide = book.active
    guide.title = F.GUIDE_SHEET
    sheet = book.create_sheet(F.DATA_SHEET)
    keys = book.create_sheet(F.KEY_SHEET)
    _write_guide(guide, fill)
    _write_tasks(sheet, fill)
    _write_keys(keys, fill)
    props = book.properties
    unit, title = clean_cell_text(fill.unit), clean_cell_text(fill.plan.title)  # XML refuses \x1b and the like
    props.title = f"{unit} {fill.quarter.label} 政务公开任务填报表"
    props.subject = title
    props.creator = "政务公开任务台账"
    props.keywords = F.FORMAT_NAME
    props.description = f"填报单位:{unit};季度:{fill.quarter.label}"
    props.category = unit
    for name, value in (("zwgk_unit", unit), ("zwgk_quarter", str(fill.quarter)),
                        ("zwgk_plan", fill.plan.source_sha256[:12]), ("zwgk_generated", fill.generated_at),
                        ("zwgk_issue", fill.issue_id)):
        book.custom_doc_props.append(StringProperty(name=name, value=value))
    book.active = 0
    return book


def _write_guide(sheet, fill: X.FillIn) -> None:
    st = Styles(sheet)
    st.make("title", font=Font(name=HEAD_FONT, size=16), border=False, horizontal="center")
    st.make("text", font=Font(name=BODY_FONT, size=12), border=False, vertical="top")
    # Two columns, not one: LibreOffice does not shrink a one-column sheet to the page.
    sheet.column_dimensions["A"].width = 2
    sheet.column_dimensions["B"].width = 84
    put(sheet, 1, 2, "填 报 说 明", st["title"])
    sheet.row_dimensions[1].height = 36
    for n, line in enumerate(guide_lines(fill), start=3):
        put(sheet, n, 2, line, st["text"])
        sheet.row_dimensions[n].height = 17.0 * lines_needed(line, 80) + 6
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = f"A1:B{len(guide_lines(fill)) + 2}"
    sheet.protection.sheet = True


def _write_tasks(sheet, fill: X.FillIn) -> None:
    with_title = any(r.title for r in fill.rows)
    columns = _columns(with_title)
    labels = [label for label, _ in columns]
    col = {label: n + 1 for n, label in enumerate(labels)}
    width = len(columns)
    st = Styles(sheet)
    body = Font(name=BODY_FONT, size=BODY_SIZE)
    st.make("title", font=Font(name=HEAD_FONT, size=15), border=False, horizontal="center")
    st.make("info", font=Font(name=BODY_FONT, size=11), border=False, wrap=False)
    st.make("info_input", font=Font(name=BODY_FONT, size=11), border=False, wrap=False, locked=False,
            fill=FILL_EDITABLE)
    st.make("header", font=Font(name=HEAD_FONT, size=BODY_SIZE, bold=True), fill="DDEBF7", horizontal="center")
    st.make("header_edit", font=Font(name=HEAD_FONT, size=BODY_SIZE, bold=True), fill="FFE699",
            horizontal="center")
    st.make("text", font=body)
    st.make("center", font=body, horizontal="center")
    st.make("edit", font=body, fill=FILL_EDITABLE, locked=False)
    st.make("edit_center", font=body, fill=FILL_EDITABLE, horizontal="center", locked=False)
    st.make("edit_date", font=body, fill=FILL_EDITABLE, horizontal="center", locked=False,
            number_format="yyyy-mm-dd")
    st.make("key", font=Font(name=BODY_FONT, size=8, color="808080"))

    put(sheet, 1, 1, f"{fill.plan.title}\n{fill.quarter.label}落实情况填报表", st["title"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width - 1)
    sheet.row_dimensions[1].height = 44
    task_col = col[F.COL_TASK]
    put(sheet, 2, 1, f"{F.META_UNIT}:{fill.unit}    填报季度:{fill.quarter.label}", st["info"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=task_col)
    progress_col = col[F.COL_PROGRESS]
    put(sheet, 2, task_col + 1, "填报人:", st["info"])
    sheet.merge_cells(start_row=2, start_column=task_col + 1, end_row=2, end_column=progress_col - 1)
    put(sheet, 2, progress_col, "", st["info_input"])
    put(sheet, 2, progress_col + 1, "联系电话:", st["info"])
    put(sheet, 2, progress_col + 2, "", st["info_input"])
    sheet.merge_cells(start_row=2, start_column=progress_col + 2, end_row=2, end_column=progress_col + 3)
    sheet.row_dimensions[2].height = 22

    editable = set(F.EDITABLE_COLUMNS)
    for label, w in columns:
        put(sheet, HEADER_ROW, col[label], label, st["header_edit" if label in editable else "header"])
        sheet.column_dimensions[get_column_letter(col[label])].width = w
    sheet.row_dimensions[HEADER_ROW].height = 30

    row = FIRST_ROW
    for item in fill.rows:
        values = {
            F.COL_SEQ: (str(item.seq), st["center"]),
            F.COL_SECTION: (item.section, st["text"]),
            F.COL_TITLE: (item.title or "", st["text"]),
            F.COL_TASK: (item.requirement, st["text"]),
            F.COL_UNITS: (item.units_text, st["center"]),
            F.COL_ROLE: (item.role, st["center"]),
            F.COL_DEADLINE: (item.deadline_text, st["center"]),
            F.COL_PROGRESS: (item.progress, st["edit"]),
            F.COL_STATUS: (item.status.value, st["edit_center"]),
            F.COL_DONE_ON: (item.status_date, st["edit_date"]),
            F.COL_EVIDENCE: ("", st["edit"]),
            F.KEY_HEADER: (item.key, st["key"]),
        }
        lines = 1
        for label, w in columns:
            value, style = values[label]
            put(sheet, row, col[label], value, style)
            if isinstance(value, str) and label != F.KEY_HEADER:
                lines = max(lines, lines_needed(value, w))
        sheet.row_dimensions[row].height = min(LINE_HEIGHT * max(lines, 2) + 4, 409)
        row += 1
    last = max(row - 1, FIRST_ROW)

    key_letter = get_column_letter(col[F.KEY_HEADER])
    sheet.column_dimensions[key_letter].hidden = True
    status_letter = get_column_letter(col[F.COL_STATUS])
    choices = DataValidation(type="list", formula1='"' + ",".join(F.STATUS_CHOICES) + '"', allow_blank=True,
                             showDropDown=False, showErrorMessage=True, errorStyle="stop",
                             errorTitle="完成状态", error="请从下拉列表中选择:" + "、".join(F.STATUS_CHOICES) + "。",
                             showInputMessage=True, promptTitle="完成状态", prompt="请从下拉列表中选择")
    choices.add(f"{status_letter}{FIRST_ROW}:{status_letter}{last + 200}")
    sheet.add_data_validation(choices)
    date_letter = get_column_letter(col[F.COL_DONE_ON])
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                           showErrorMessage=True, errorStyle="warning", errorTitle="完成时间",
                           error="请填写日期,例如 2023-09-20。", showInputMessage=True, promptTitle="完成时间",
                           prompt="已完成的任务填写完成日期,例如 2023-09-20")
    dates.add(f"{date_letter}{FIRST_ROW}:{date_letter}{last + 200}")
    sheet.add_data_validation(dates)

    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width - 1)}{last}"
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=1)
    print_setup(sheet, HEADER_ROW, width - 1)
    sheet.print_area = f"A1:{get_column_letter(width - 1)}{last}"
    protection = sheet.protection
    protection.sheet = True
    # False = allowed while protected (OOXML's "this feature is locked" flags).
    protection.autoFilter = False
    protection.sort = False
    protection.formatColumns = False
    protection.formatRows = False
    protection.formatCells = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def _write_keys(sheet, fill: X.FillIn) -> None:
    sheet.sheet_state = "veryHidden"
    rows: list[list[str]] = [
        [F.FORMAT_NAME, F.FORMAT_VERSION],
        [F.META_PLAN_SHA, fill.plan.source_sha256],
        [F.META_PLAN_ID, str(fill.plan.id)],
        [F.META_PLAN_TITLE, fill.plan.title],
        [F.META_UNIT, fill.unit],
        [F.META_QUARTER, str(fill.quarter)],
        [F.META_GENERATED, fill.generated_at],
        [F.META_ISSUE, fill.issue_id],
        [],
        list(F.KEY_TABLE_HEADER),
    ]
    for item in fill.rows:
        rows.append([item.key, str(item.task_id), str(item.seq), item.checksum, item.status.value,
                     item.status_date.isoformat() if item.status_date else "", item.progress_checksum])
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            put(sheet, r, c, value)
    sheet.protection.sheet = True


def write_fill_in(fill: X.FillIn, path: str | Path) -> Path:
    """The workbook only; :func:`issue_fill_in` also records the issue in the ledger."""
    return save_workbook(build_fill_in(fill), path)


def issue_fill_in(ledger: Ledger, fill: X.FillIn, path: str | Path) -> Path:
    """Write one fill-in and record in the ledger what it was issued with. If the
    record cannot be stored, the workbook is removed again: a workbook the ledger
    does not know would come back as a reply that cannot be checked."""
    written = write_fill_in(fill, path)
    _record_or_remove(ledger, [(fill, written)])
    return written


NOT_RECORDED = ("台账是只读打开的,没有保存下发记录:这些填报表报送回来时,每一处修改都会列为冲突,需逐项核对。"
                "如需正常汇总,请在可写的台账中重新下发。")


def _record_or_remove(ledger: Ledger, issued: list[tuple[X.FillIn, Path]]) -> None:
    if ledger.read_only:  # viewing only (a write-protected stick): the workbooks are still useful
        return
    try:
        X.record_issues(ledger, [(fill, path.name) for fill, path in issued])
    except BaseException:
        for _, path in issued:
            path.unlink(missing_ok=True)
        raise


def write_fill_ins(ledger: Ledger, plan_id: int, quarter: Quarter, folder: str | Path, *,
                   units: list[str] | None = None, sender: str = "",
                   progress: ProgressCallback | None = None) -> BatchResult:
    """One workbook per unit into ``folder``: the named units (a group gives one per
    member), or everyone the plan names. Existing files of the same name are replaced
    (they are this program's own output: 下发 again after a correction)."""
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建文件夹“{target}”:{exc.strerror or exc}。请选择一个有写入权限的位置。") from exc
    result = BatchResult()
    # A group nobody is listed under (各镇(街道) with no towns in the 单位名录) cannot
    # fill anything in: it gets no workbook, and the clerk is told what to add.
    if units is None:
        recipients = [r.name for r in plan_recipients(ledger, plan_id)]
        unlisted = unlisted_groups(ledger, plan_id)
    else:
        expanded = expand_recipients(ledger, units)
        unlisted = [name for name in expanded if is_group_name(name)]
        recipients = [name for name in expanded if name not in unlisted]
    result.groups_without_members = unlisted
    if not recipients:
        if unlisted:
            raise UserError("、".join(group_without_members_text(g) for g in unlisted) + ",没有生成填报表。")
        raise UserError("这个分解表中没有任何责任单位,无法生成填报表。")
    tasks = {t.id: t for t in ledger.tasks(plan_id)}
    printed = X.units_text_by_task(ledger, plan_id)
    used_names: set[str] = set()
    issued: list[tuple[X.FillIn, Path]] = []
    for n, unit in enumerate(recipients):
        if progress is not None:
            progress(n, len(recipients), unit)
        shown = X.printable_text(unit) or "(名称为空的单位)"
        fill = X.fill_in_for(ledger, plan_id, unit, quarter, tasks=tasks, units_text=printed, sender=sender)
        if not fill.rows:
            result.skipped.append(f"{shown}:在这个分解表中没有任务,未生成填报表。")
            continue
        name = fill.file_name
        stem = name[: -len(".xlsx")]
        k = 2
        while name.casefold() in used_names:  # two names that differ only in unsafe characters
            name = f"{stem}({k}).xlsx"
            k += 1
        try:
            path = write_fill_in(fill, target / name)
        except UserError as exc:  # one unit's problem does not stop the others
            result.skipped.append(f"{shown}:{exc.message}")
            continue
        except (ValueError, OSError) as exc:
            result.skipped.append(f"{shown}:无法生成填报表({type(exc).__name__}: {exc})。"
                                  "请在单位名录中检查这个单位的名称后重新下发。")
            continue
        used_names.add(name.casefold())
        issued.append((fill, path))
        result.written.append(WrittenFillIn(unit, path, len(fill.rows)))
        if unit != shown:
            result.notes.append(f"{shown}:单位名称中有看不见的控制字符,文件名和表中已去掉这些字符;"
                                  "建议在单位名录中改正名称。")
    _record_or_remove(ledger, issued)
    if issued and ledger.read_only:
        result.notes.append(NOT_RECORDED)
    if progress is not None:
        progress(len(recipients), len(recipients), "")
    return result

