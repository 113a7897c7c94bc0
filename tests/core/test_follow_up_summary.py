"""What the 督办 view and the dashboard read beside core/follow_up and core/overview:
催办单 already sent per unit and per task, the 催办单's defaults, the longer overdue list."""

from __future__ import annotations

from datetime import date, timedelta

from tests.core.test_follow_up import TODAY, make_plan
from zwgk_desktop.core import follow_up as fu
from zwgk_desktop.core import follow_up_summary as summary
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask
from zwgk_desktop.core.overview import build_overview
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import assign_roles


def test_sent_counts_per_unit_and_per_task(ledger: Ledger) -> None:
    pid, ids = make_plan(ledger)
    lags = {lag.unit: lag for lag in fu.lagging_units(ledger, pid, today=TODAY)}
    assert summary.sent_by_unit(ledger, pid) == {} and summary.sent_by_task(ledger, pid) == {}
    fu.record_follow_ups(ledger, pid, [(lags["县政府办"], "a.pdf"), (lags["县司法局"], "a.pdf")],
                         reply_by=TODAY, quarter=Quarter(2023, 3))
    fu.record_follow_up(ledger, pid, lags["县政府办"], reply_by=TODAY, quarter=Quarter(2023, 3))
    by_unit = summary.sent_by_unit(ledger, pid)
    assert by_unit["县政府办"].count == 2 and by_unit["县司法局"].count == 1
    assert by_unit["县政府办"].last == date.today()  # the day it was sent, not the day it is about
    assert by_unit["县政府办"].text == f"2 次({date.today().isoformat()})"
    # task 1 is shared: named in three notices, two of them to 县政府办, one to 县司法局
    assert summary.sent_by_task(ledger, pid)[ids[0]].count == 3
    assert summary.sent_by_task(ledger, pid, "县政府办")[ids[0]].count == 2
    assert summary.sent_by_task(ledger, pid, "县司法局")[ids[0]].count == 1
    assert ids[1] not in summary.sent_by_task(ledger, pid, "县司法局")
    assert summary.Sent().text == "—"


def test_defaults_are_zwgk_reminds(ledger: Ledger) -> None:
    pid, _ = make_plan(ledger)
    plan = ledger.plan(pid)
    assert summary.default_reply_by(TODAY) == TODAY + timedelta(days=5)
    assert summary.default_office(plan) == (plan.issuer or summary.DEFAULT_OFFICE)
    assert summary.default_office(plan, "  某县政务公开办 ") == "某县政务公开办"


def test_overdue_list_is_the_overviews_longer(ledger: Ledger) -> None:
    tasks = [ParsedTask(seq=n + 1, section=["一、公开"], title=None, requirement=f"第 {n + 1} 项。", units_text="县政府办",
                        units=assign_roles("县政府办"), deadline=parse_deadline(f"{n % 8 + 1}月底前", 2023),
                        source_row=n + 2) for n in range(14)]
    pid = write_plan(ledger, ParsedPlan(title="逾期表", year=2023, columns=[], mapping={}, tasks=tasks,
                                        sheet="Sheet1", source_name="o.xlsx"), "c" * 64).plan_id
    items, left_out = summary.overdue_tasks(ledger, pid, TODAY)
    o = build_overview(ledger, pid, TODAY)
    assert len(items) == 10 and left_out == 4
    assert len(o.overdue) + o.overdue_left_out == len(items) + left_out == o.totals.overdue
    assert [(i.seq, i.days) for i in items[:len(o.overdue)]] == [(i.seq, i.days) for i in o.overdue]
    assert [i.days for i in items] == sorted((i.days for i in items), reverse=True)


def test_a_weekend_reply_day_moves_to_the_next_monday() -> None:
    # 2023-12-05 is a Tuesday: five days later is Sunday 2023-12-10, the office is closed
    assert summary.default_reply_by(date(2023, 12, 5)) == date(2023, 12, 11)
    assert summary.default_reply_by(date(2023, 12, 4)) == date(2023, 12, 11)  # Saturday too
    assert summary.default_reply_by(date(2023, 12, 6)) == date(2023, 12, 11)  # a Monday stays
    for day in (date(2023, 12, 1) + timedelta(days=n) for n in range(60)):
        reply = summary.default_reply_by(day)
        assert reply.weekday() < 5 and timedelta(days=5) <= reply - day <= timedelta(days=7)


def test_the_office_last_signed_with_comes_before_the_generic_one(ledger: Ledger) -> None:
    pid, _ = make_plan(ledger)
    plan = ledger.plan(pid)
    last = "济宁市任城区人民政府办公室"
    assert summary.default_office(plan, "", last) == last  # no 催办单 office yet: the report's
    assert summary.default_office(plan, " 县政府办 ", last) == "县政府办"  # the first given wins
    assert summary.default_office(plan, "", "  ") == (plan.issuer or summary.DEFAULT_OFFICE)
