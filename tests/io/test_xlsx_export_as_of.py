"""导出Excel for a past quarter says what that quarter's 季度报告 says: statuses, their
days, overdue, withdrawn tasks and evidence as of the quarter's last day, not as now."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.builders import parsed_plan
from zwgk_desktop.core.evidence import attach_note
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import build_report
from zwgk_desktop.io.plan_file import read_plan_file
from zwgk_desktop.io.xlsx_export import ADDED_COLUMNS, FILL_OVERDUE, export_plan_xlsx, standings

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "sample" / "sample_plan.xlsx"
Q2, Q3 = Quarter(2023, 2), Quarter(2023, 3)
OCTOBER = date(2023, 10, 12)


def task_rows(path: Path) -> list[dict[str, object]]:
    """The exported task rows (not section rows), top to bottom, by column label."""
    sheet = openpyxl.load_workbook(path).active
    labels = [c.value for c in sheet[3]]
    status_col = labels.index(ADDED_COLUMNS[0])
    rows = []
    for cells in sheet.iter_rows(min_row=4):
        if cells[status_col].value is None:
            continue  # a section row, the blank row, the legend
        row = {label: cell.value.date() if isinstance(cell.value, datetime) else cell.value
               for label, cell in zip(labels, cells)}
        row["fill"] = cells[status_col].fill.fgColor.rgb[-6:] if cells[status_col].fill.fill_type else None
        rows.append(row)
    return rows


def test_a_task_done_in_q3_exported_for_q2_shows_its_q2_status(ledger: Ledger, tmp_path: Path) -> None:
    plan_id = write_plan(ledger, parsed_plan(), "sha-as-of").plan_id
    first, second, third = ledger.task_ids(plan_id)
    ledger.set_status(first, Status.IN_PROGRESS, date(2023, 5, 4))
    ledger.set_status(first, Status.DONE, date(2023, 8, 15))  # done in Q3
    ledger.set_status(second, Status.DONE, date(2023, 6, 20))  # done in Q2, reopened in Q3
    ledger.set_status(second, Status.IN_PROGRESS, date(2023, 7, 6))
    ledger.set_status(third, Status.CANCELLED, date(2023, 7, 1))  # withdrawn in Q3
    attach_note(ledger, first, "二季度已起草方案", Q2)
    attach_note(ledger, first, "三季度印发", Q3)

    q2 = task_rows(export_plan_xlsx(ledger, plan_id, Q2, tmp_path / "q2.xlsx", today=OCTOBER).path)
    assert [(r["完成状态"], r["完成时间"], r["佐证材料"]) for r in q2] == [
        ("推进中", None, "二季度已起草方案"),  # now 已完成 (8-15), and Q3's evidence is not Q2's
        ("已完成", date(2023, 6, 20), None),  # now 推进中: on 6-30 it was done, on 6-20
        ("未启动", None, None)]  # withdrawn only in July: still listed for Q2
    q3 = task_rows(export_plan_xlsx(ledger, plan_id, Q3, tmp_path / "q3.xlsx", today=OCTOBER).path)
    assert [(r["完成状态"], r["完成时间"]) for r in q3] == [("已完成", date(2023, 8, 15)), ("推进中", None)]
    assert [row["完成时间"] for row in q2 if row["完成时间"]] == [date(2023, 6, 20)]


def test_overdue_is_judged_on_the_quarters_last_day_once_it_is_over(ledger: Ledger, tmp_path: Path) -> None:
    rows = [(["一、公开"], "公开决策事项目录。", "县司法局", "6月30日前"),
            (["一、公开"], "规范政府网站。", "县大数据中心", "9月底前")]
    plan_id = write_plan(ledger, parsed_plan(rows), "sha-late").plan_id
    on_time, later = ledger.task_ids(plan_id)
    ledger.set_status(on_time, Status.DONE, date(2023, 7, 3))  # three days late
    q2 = task_rows(export_plan_xlsx(ledger, plan_id, Q2, tmp_path / "q2.xlsx", today=OCTOBER).path)
    # On 6-30 it was open and due that day (the report counts it overdue); the 9月 task was not due.
    assert [(r["完成状态"], r["fill"]) for r in q2] == [("未启动", FILL_OVERDUE), ("未启动", None)]
    report = build_report(ledger, plan_id, Q2)
    assert [row.overdue for row in report.rows] == [True, False]


@pytest.mark.parametrize("quarter", [Quarter(2023, n) for n in range(1, 5)], ids=str)
def test_the_export_and_the_report_agree_for_every_task(ledger: Ledger, tmp_path: Path,
                                                        quarter: Quarter) -> None:
    """The in-app sample plan with a year of history (set, changed, reopened, corrected),
    exported for each quarter in January: every task, in the same order, with the
    report's status, completion day and overdue flag."""
    parsed, digest = read_plan_file(SAMPLE)
    plan_id = write_plan(ledger, parsed, digest).plan_id
    ids = ledger.task_ids(plan_id)
    assert len(ids) > 40
    days = [date(2023, 2, 10), date(2023, 5, 5), date(2023, 6, 30), date(2023, 8, 20), date(2023, 11, 2)]
    cycle = [Status.IN_PROGRESS, Status.DONE, Status.NOT_APPLICABLE, Status.IN_PROGRESS, Status.DONE]
    for n, tid in enumerate(ids):
        for step in range(n % 4):  # 0 to 3 changes, at days that move with the task
            ledger.set_status(tid, cycle[(n + step) % 5], days[(n + 2 * step) % 5])
        if n % 9 == 5 and n % 4:
            ledger.set_status_date(tid, date(2023, 9, 30))  # a day corrected later
    ledger.set_status(ids[7], Status.CANCELLED, date(2023, 7, 1))
    today = date(2024, 1, 10)
    report = build_report(ledger, plan_id, quarter)
    listed = standings(ledger, plan_id, quarter, today)
    expected = [(row.task_id, row.status, row.status_since if row.status == Status.DONE else None, row.overdue)
                for row in report.rows]
    assert [(task.id, s.status, s.done_on, s.overdue) for task, s in listed] == expected
    # …and the workbook says it.
    rows = task_rows(export_plan_xlsx(ledger, plan_id, quarter, tmp_path / "out.xlsx", today=today).path)
    assert len(rows) == len(report.rows)
    for row, detail in zip(rows, report.rows):
        shown = row["完成状态"]
        if detail.periods:  # recurring: its periods, as the report's detail lists them
            assert all(item.label in shown for item in detail.periods), (shown, detail.period_text)
        else:
            assert shown == detail.status.value
        assert row["完成时间"] == (detail.status_since if detail.status == Status.DONE else None)
        assert (row["fill"] == FILL_OVERDUE) == detail.overdue, (detail.seq, shown)
    # Different quarters do say different things: the history is not flat.
    assert len({s.status for _, s in listed}) >= 2
