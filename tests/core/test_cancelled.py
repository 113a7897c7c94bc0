"""已取消: a task withdrawn by a revised table stays in the ledger, visible
in the list, and is left out of every count, report, export and fill-in workbook.

Pins the 已取消 status across modules (task_query, report_data, overview, exchange.send_down,
follow_up): named for the status, which no single module owns."""

from __future__ import annotations

from datetime import date

from tests.builders import parsed_plan
from zwgk_desktop.core import task_query
from zwgk_desktop.core.exchange.send_down import fill_in_for
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.overview import build_overview
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import build_report
from zwgk_desktop.core.unit_directory import plan_recipients
from zwgk_desktop.io.fill_in_format import STATUS_CHOICES
from zwgk_desktop.io.xlsx_export import build_export


def _plan_with_one_cancelled(ledger):
    plan_id = write_plan(ledger, parsed_plan(), "sha-cancel").plan_id
    first, second, third = ledger.task_ids(plan_id)
    ledger.set_status(first, Status.DONE, date(2023, 3, 1))
    ledger.set_status(third, Status.CANCELLED, date(2023, 7, 1))  # 县大数据中心's only task
    return plan_id, first, second, third


def test_listed_but_not_counted(ledger) -> None:
    plan_id, first, second, third = _plan_with_one_cancelled(ledger)
    flt = task_query.TaskFilter(plan_id=plan_id, today=date(2023, 12, 31))
    ids, summary = task_query.filtered(ledger, flt)
    assert ids == [first, second, third]  # still in the list, with its history
    assert (summary.total, summary.done, summary.cancelled) == (2, 1, 1)
    assert summary.completion == 0.5
    assert task_query.summary(ledger, flt) == summary
    assert sum(node.total for node in task_query.section_tree(ledger, plan_id)) == 2
    assert summary.overdue == 0
    assert task_query.light_for(Status.CANCELLED, date(2023, 1, 1), ledger.task(third).deadline_kind,
                                date(2023, 12, 31)) == task_query.Light.NONE


def test_report_counts_it_only_before_it_was_withdrawn(ledger) -> None:
    plan_id, _, _, third = _plan_with_one_cancelled(ledger)
    q2 = build_report(ledger, plan_id, Quarter(2023, 2))
    q3 = build_report(ledger, plan_id, Quarter(2023, 3))
    assert q2.totals.total == 3 and third in {r.task_id for r in q2.rows}
    assert q3.totals.total == 2 and third not in {r.task_id for r in q3.rows}
    assert q3.totals.cancelled == 1


def test_overview_export_and_fill_in_leave_it_out(ledger) -> None:
    plan_id, _, _, third = _plan_with_one_cancelled(ledger)
    assert build_overview(ledger, plan_id, date(2023, 12, 1)).totals.total == 2
    _, summary = build_export(ledger, plan_id, Quarter(2023, 4), today=date(2023, 12, 1))
    assert summary.tasks == 2
    assert "县大数据中心" not in {r.name for r in plan_recipients(ledger, plan_id)}
    assert fill_in_for(ledger, plan_id, "县大数据中心", Quarter(2023, 4)).rows == []
    assert Status.CANCELLED.value not in STATUS_CHOICES  # a unit's reply cannot withdraw a task
