"""Recurring tasks in the 季度报告: counted by their periods due in the quarter (a
month each for 每月, the quarter for 每季度/定期, 每半年/每年 where their period falls due),
one-off tasks as before; the summary sentence; the detail row's period statuses; and
the 催办单 of the quarter (only that quarter's) as an optional section.

Pins core/period_counts.py as the report uses it, and core/report_follow_ups.py; io, ui and cli
tests import its builders, so it keeps this name."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_desktop.core import follow_up as fu
from zwgk_desktop.core import task_periods as tp
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.period_counts import compact_text, period_items, periods_due_in
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.recurrence import Frequency, detect_recurrence
from zwgk_desktop.core.report_data import (Counts, ReportScope, build_report, count_summary, follow_up_intro,
                                           quarter_follow_up_count, summary_sentences, zh)
from zwgk_desktop.core.units import assign_roles

Q1, Q2, Q3, Q4 = (Quarter(2023, n) for n in range(1, 5))
PRINTED = date(2023, 12, 20)


def counts(c: Counts) -> tuple[int, ...]:
    return (c.total, c.done, c.in_progress, c.not_started, c.not_applicable, c.overdue)

ROWS = [  # section, requirement, units, deadline
    (["一、主动公开"], "更新政策文件库。", "县政府办", "每月10日前"),  # 1 monthly
    (["一、主动公开"], "公开财政资金直达基层情况。", "县财政局", "每季度"),  # 2 quarterly
    (["一、主动公开"], "公开重点项目进展。", "县发改局", "每半年"),  # 3 half-yearly
    (["二、平台建设"], "报送年度报告。", "县政府办", "每年3月底前"),  # 4 yearly, due in Q1
    (["二、平台建设"], "公开决策事项目录。", "县司法局", "6月底前"),  # 5 one-off
    (["二、平台建设"], "发布工作动态。", "县政府办", "每周"),  # 6 periodic: by quarter (定期 alone is no rhythm)
]


def recurring_plan() -> ParsedPlan:
    tasks = [ParsedTask(seq=i + 1, section=list(section), title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(deadline, 2023), source_row=i + 3)
             for i, (section, req, units, deadline) in enumerate(ROWS)]
    return ParsedPlan(title="2023年定期任务测试表", year=2023, columns=["工作任务", "具体要求", "责任单位", "完成时限"],
                      mapping={}, tasks=tasks, sheet="Sheet1", source_name="t.xlsx")


def make_periodic_ledger(ledger: Ledger) -> tuple[int, dict[int, int]]:
    """The plan above with its periods as they stood in July 2023; seq -> task id."""
    write_plan(ledger, recurring_plan(), "c" * 64)
    plan_id = ledger.plans()[0].id
    t = dict(enumerate(ledger.task_ids(plan_id), start=1))
    tp.set_period_status(ledger, t[1], "2023-04", Status.DONE, date(2023, 4, 8))
    tp.set_period_status(ledger, t[1], "2023-05", Status.DONE, date(2023, 5, 9))
    # June's report came in July: the second quarter's report does not know it.
    tp.set_period_status(ledger, t[1], "2023-06", Status.DONE, date(2023, 7, 3))
    tp.set_period_status(ledger, t[2], "2023Q2", Status.DONE, date(2023, 6, 20))
    tp.set_period_status(ledger, t[3], "2023H1", Status.IN_PROGRESS, date(2023, 5, 2))
    ledger.set_status(t[5], Status.DONE, date(2023, 6, 20))
    return plan_id, t


@pytest.fixture
def periodic(ledger: Ledger) -> tuple[Ledger, int, dict[int, int]]:
    plan_id, t = make_periodic_ledger(ledger)
    return ledger, plan_id, t


def test_the_sample_rows_are_read_as_meant() -> None:
    found = [detect_recurrence(deadline, req) for _, req, _, deadline in ROWS]
    assert [f.frequency if f else None for f in found] == [
        Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.HALF_YEARLY, Frequency.YEARLY, None, Frequency.PERIODIC]


def test_periods_due_in_each_quarter() -> None:
    monthly, quarterly, half, yearly = (detect_recurrence(d) for d in ("每月", "每季度", "每半年", "每年3月底前"))
    assert [str(p) for p in periods_due_in(monthly, 2023, Q2)] == ["2023-04", "2023-05", "2023-06"]
    assert [str(p) for p in periods_due_in(quarterly, 2023, Q3)] == ["2023Q3"]
    assert [[str(p) for p in periods_due_in(half, 2023, q)] for q in (Q1, Q2, Q3, Q4)] == [[], ["2023H1"], [],
                                                                                         ["2023H2"]]
    assert [[str(p) for p in periods_due_in(yearly, 2023, q)] for q in (Q1, Q2, Q3, Q4)] == [["2023"], [], [], []]
    assert periods_due_in(monthly, 2023, Quarter(2024, 1)) == []  # the plan's year only


def test_second_quarter_counts_periods(periodic) -> None:
    ledger, plan_id, t = periodic
    data = build_report(ledger, plan_id, Q2, printed_on=PRINTED)
    rows = {row.seq: row for row in data.rows}
    assert len(data.rows) == 6  # every task listed, the yearly one too
    assert [(i.label, i.status_word) for i in rows[1].periods] == [("4月", "已完成"), ("5月", "已完成"), ("6月", "未报")]
    assert [(i.label, i.status_word) for i in rows[2].periods] == [("本季度", "已完成")]
    assert [(i.label, i.status_word) for i in rows[3].periods] == [("上半年", "推进中")]
    assert rows[4].recurrence == "每年" and rows[4].periods == []  # due in Q1: not counted in Q2
    assert [(i.label, i.status_word) for i in rows[6].periods] == [("本季度", "未报")]
    assert rows[5].recurrence is None and rows[5].periods == []
    # items: 3 months + quarter + half + one-off + periodic = 7; done: 4月, 5月, Q2, one-off
    t_ = data.totals
    assert (t_.total, t_.done, t_.in_progress, t_.not_started, t_.overdue) == (7, 4, 1, 2, 3)
    assert data.period_count == 6 and len(data.recurring_rows) == 5
    assert [r.seq for r in data.overdue] == [1, 3, 6]
    assert rows[1].overdue and not rows[2].overdue and not rows[4].overdue
    by_section = {g.label: (g.counts.total, g.counts.done) for g in data.by_section}
    assert by_section == {"一、主动公开": (5, 3), "二、平台建设": (2, 1)}


def test_a_done_period_and_a_missing_one_in_the_detail_row(periodic) -> None:
    ledger, plan_id, _ = periodic
    rows = {row.seq: row for row in build_report(ledger, plan_id, Q2, printed_on=PRINTED).rows}
    assert rows[1].period_text == "4月 已完成\uff1b5月 已完成\uff1b6月 未报"
    assert rows[1].status_text == "4月 已完成\uff1b\n5月 已完成\uff1b\n6月 未报\n\uff08逾期\uff09"
    assert rows[2].status_text == "本季度 已完成"
    assert rows[4].status_text == "未启动\n\uff08每年\uff0c本季度不计\uff09"
    assert rows[5].status_text.startswith("已完成\n")  # one-off: as before


def test_third_quarter_knows_junes_late_report_and_first_quarter_the_yearly_task(periodic) -> None:
    ledger, plan_id, t = periodic
    q3 = build_report(ledger, plan_id, Q3, printed_on=PRINTED)
    monthly = next(r for r in q3.rows if r.seq == 1)
    assert [i.text for i in monthly.periods] == ["7月 未报", "8月 未报", "9月 未报"]
    assert next(r for r in q3.rows if r.seq == 3).periods == []  # 上半年 is Q2's
    q1 = build_report(ledger, plan_id, Q1, printed_on=PRINTED)
    yearly = next(r for r in q1.rows if r.seq == 4)
    assert [i.text for i in yearly.periods] == ["本年度 未报"]
    # The one-off task counts in every quarter, as before (its status as of that day).
    assert sum(1 for r in q1.rows if r.recurrence is None) == 1 and q1.totals.total == 3 + 1 + 1 + 1 + 1


def test_a_task_marked_done_as_a_whole_counts_its_unreported_periods_done(periodic) -> None:
    ledger, plan_id, t = periodic
    ledger.set_status(t[6], Status.DONE, date(2023, 6, 1))
    row = next(r for r in build_report(ledger, plan_id, Q2, printed_on=PRINTED).rows if r.seq == 6)
    assert [(i.status, i.inherited) for i in row.periods] == [(Status.DONE, True)]
    assert "按任务状态计" in row.status_text and not row.overdue
    # Marked done after the quarter: the Q2 report still says 未报.
    ledger.set_status(t[6], Status.NOT_STARTED, date(2023, 6, 1))
    ledger.set_status(t[6], Status.DONE, date(2023, 7, 5))
    row = next(r for r in build_report(ledger, plan_id, Q2, printed_on=PRINTED).rows if r.seq == 6)
    assert [(i.status, i.inherited) for i in row.periods] == [(None, False)]


def test_the_summary_sentence(periodic) -> None:
    ledger, plan_id, _ = periodic
    data = build_report(ledger, plan_id, Q2, printed_on=PRINTED)
    text = "".join(summary_sentences(data))
    # The yearly task (due in Q1) is listed, not counted, and the sentence says so.
    assert zh("共 6 项任务,其中定期任务 5 项:4 项按本季度到期的期次计 6 项次;"
              "1 项本季度没有到期的期次,不计入统计。") in text
    assert [r.seq for r in data.uncounted_rows] == [4]
    # Every counted item is due by 06-30: all of it is 应完成.
    assert counts(data.due_counts) == counts(data.totals)
    assert "本季度应完成 7 项\uff08其中定期任务 6 项次\uff09\uff0c已完成 4 项" in text
    assert "未启动 2 项\uff08含定期任务未报 2 项次\uff09" in text
    assert "完成率 57.1%" in text
    assert "已过完成时限仍未完成的任务 3 项\uff08序号 1、3、6\uff09" in text


def test_one_off_plans_keep_their_sentence(ledger: Ledger) -> None:
    from tests.core.test_report_data import make_report_ledger

    plan_id, _ = make_report_ledger(ledger)
    data = build_report(ledger, plan_id, Q3, printed_on=PRINTED)
    sentences = summary_sentences(data)
    assert "项次" not in "".join(sentences) and sentences[0].endswith("共 7 项。")
    # 应完成 is said once, of the four tasks due by 09-30 (1 2 5 6), not of all seven.
    assert [s for s in sentences if "应完成" in s] == [sentences[2]]
    assert zh("含当日)的 4 项,已完成 2 项") in sentences[2]
    assert data.follow_ups is None  # not asked for


def test_counted_items_not_all_due_are_not_called_due(periodic) -> None:
    """First quarter: the 6月底前 task is counted (every task in scope is) but is not due;
    the 每半年 task has no period due and is named as not counted."""
    ledger, plan_id, _ = periodic
    data = build_report(ledger, plan_id, Q1, printed_on=PRINTED)
    sentences = summary_sentences(data)
    assert (data.totals.total, data.due_counts.total, data.period_count) == (7, 6, 6)
    assert [r.seq for r in data.uncounted_rows] == [3]
    assert "本季度应完成 7" not in "".join(sentences)
    assert sentences[1].startswith(zh("截至2023年3月31日,计入统计的 7 项(其中定期任务 6 项次)中,已完成 0 项"))
    assert sentences[2] == zh("其中本季度应完成(完成时限在3月31日以前,含当日)的 6 项,已完成 0 项;"
                              "完成时限在本季度以后的 1 项。")
    assert count_summary(data) == ("全部任务 6 项,计入统计 7 项(定期任务按本季度到期的期次计 6 项次;"
                                   "定期任务 1 项本季度没有到期的期次,不计入),其中本季度应完成 6 项")


def test_no_period_of_a_recurring_task_counted_in_the_quarter(ledger: Ledger) -> None:
    """A plan whose only recurring task is yearly, due 12月底前 (the 任城 table's shape): in the
    third quarter it is listed and named as not counted, and no "0 项次" is printed."""
    rows = [(["一、主动公开"], "公开政策文件。", "县政府办", "11月底前"),
            (["一、主动公开"], "开展政策评价。", "县发改局", "每年12月底前")]
    tasks = [ParsedTask(seq=i + 1, section=list(section), title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(deadline, 2023), source_row=i + 3)
             for i, (section, req, units, deadline) in enumerate(rows)]
    write_plan(ledger, ParsedPlan(title="2023年年度任务表", year=2023, columns=["工作任务", "责任单位", "完成时限"],
                                  mapping={}, tasks=tasks, sheet="Sheet1", source_name="t.xlsx"), "d" * 64)
    plan_id = ledger.plans()[0].id
    data = build_report(ledger, plan_id, Q3, printed_on=PRINTED)
    text = "".join(summary_sentences(data))
    assert (len(data.rows), data.totals.total, data.due_counts.total) == (2, 1, 0)
    assert zh("共 2 项任务,其中定期任务 1 项本季度没有到期的期次,不计入统计。") in text
    assert zh("计入统计的 1 项中,已完成 0 项") in text and "项次" not in text
    assert zh("其中没有本季度应完成的任务,1 项的完成时限都在本季度以后。") in text
    assert count_summary(data) == "全部任务 2 项,计入统计 1 项(定期任务 1 项本季度没有到期的期次,不计入),其中本季度应完成 0 项"


def test_cancelled_recurring_task_is_left_out(periodic) -> None:
    ledger, plan_id, t = periodic
    ledger.set_status(t[1], Status.CANCELLED, date(2023, 5, 20))
    data = build_report(ledger, plan_id, Q2, printed_on=PRINTED)
    assert 1 not in [r.seq for r in data.rows]
    assert (data.totals.total, data.totals.done, data.totals.cancelled) == (4, 2, 1)


def test_due_only_keeps_recurring_tasks_due_in_the_quarter(periodic) -> None:
    ledger, plan_id, _ = periodic
    data = build_report(ledger, plan_id, Q2, ReportScope(due_only=True), printed_on=PRINTED)
    assert [r.seq for r in data.rows] == [1, 2, 3, 5, 6]


def test_compact_text_for_a_narrow_cell(periodic) -> None:
    ledger, plan_id, t = periodic
    statuses = {tid: Status.NOT_STARTED for tid in t.values()}
    items = period_items(ledger, plan_id, Q2, statuses)  # as now: June's July report counts
    assert compact_text(items[t[1]]) == "4月√ 5月√ 6月√"
    assert compact_text(items[t[2]]) == "本季度\uff1a已完成"
    assert compact_text(items[t[6]]) == "本季度\uff1a未报"
    assert compact_text(items[t[4]]) == "" and t[5] not in items
    as_of = period_items(ledger, plan_id, Q2, statuses, as_of=Q2.end)
    assert compact_text(as_of[t[1]]) == "4月√ 5月√ 6月未报"


def record(ledger: Ledger, plan_id: int, unit: str, today: date, quarter: Quarter, reply_by: date | None) -> None:
    lag = next(u for u in fu.lagging_units(ledger, plan_id, today=today, quarter=quarter) if u.unit == unit)
    fu.record_follow_up(ledger, plan_id, lag, reply_by=reply_by, quarter=quarter)


def test_follow_ups_of_the_quarter_only(periodic) -> None:
    ledger, plan_id, t = periodic
    record(ledger, plan_id, "县政府办", date(2023, 6, 25), Q2, date(2023, 7, 5))
    record(ledger, plan_id, "县发改局", date(2023, 6, 25), Q2, None)
    record(ledger, plan_id, "县政府办", date(2023, 8, 25), Q3, date(2023, 9, 5))
    assert quarter_follow_up_count(ledger, plan_id, Q2) == 2 and quarter_follow_up_count(ledger, plan_id, Q4) == 0
    data = build_report(ledger, plan_id, Q2, ReportScope(with_follow_ups=True), printed_on=PRINTED)
    assert [(r.unit, r.reply_text) for r in data.follow_ups] == [("县政府办", "7月5日"), ("县发改局", "未规定")]
    office = data.follow_ups[0]
    sent = [f for f in fu.follow_ups(ledger, plan_id, Q2) if f.unit == "县政府办"][0]
    seq_of = {tid: seq for seq, tid in t.items()}
    assert office.seqs == sorted(seq_of[tid] for tid in sent.task_ids) and office.seqs
    assert office.sent_on == date.fromisoformat(sent.sent_at[:10])
    assert "无进展 {} 项".format(len(office.seqs)) in office.matters and "逾期" in office.matters
    assert follow_up_intro(data).startswith("2023年第二季度共发出催办单 2 份\uff0c涉及 2 个单位")
    q3 = build_report(ledger, plan_id, Q3, ReportScope(with_follow_ups=True), printed_on=PRINTED)
    assert [(r.unit, r.reply_text) for r in q3.follow_ups] == [("县政府办", "9月5日")]
    # A report for one unit lists the follow-ups sent to it.
    one = build_report(ledger, plan_id, Q2, ReportScope(unit="县发改局", with_follow_ups=True), printed_on=PRINTED)
    assert [r.unit for r in one.follow_ups] == ["县发改局"]
    none = build_report(ledger, plan_id, Q4, ReportScope(with_follow_ups=True), printed_on=PRINTED)
    assert none.follow_ups == [] and follow_up_intro(none) == "2023年第四季度没有发出催办单。"
