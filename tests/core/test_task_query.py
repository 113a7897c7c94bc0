"""Filters, summary and section counts the screens show, on a small crafted plan."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_desktop.core import task_query as q
from zwgk_desktop.core.deadlines import DeadlineKind, parse_deadline
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import Role, assign_roles

TODAY = date(2023, 9, 20)
ROWS = [  # section, requirement, units, deadline
    (["一、决策公开", "(一)目录"], "公开重大行政决策事项目录。", "县司法局、县政府办", "6月底前"),
    (["一、决策公开", "(一)目录"], "动态调整目录并公开。", "县政府办", "9月30日前"),
    (["一、决策公开", "(二)参与"], "开展决策公众参与,征集意见。", "县发改局、各镇(街道)", "10月底前"),
    (["二、政策解读"], "做好政策解读,发布图解。", "县政府办、县发改局", "12月底前"),
    (["二、政策解读"], "常态化回应社会关切。", "县融媒体中心", "长期坚持"),
]


@pytest.fixture
def plan(ledger: Ledger) -> tuple[Ledger, int, list[int]]:
    tasks = [ParsedTask(seq=i + 1, section=sec, title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(dl, 2023), source_row=i + 2)
             for i, (sec, req, units, dl) in enumerate(ROWS)]
    parsed = ParsedPlan(title="2023年测试表", year=2023, columns=[], mapping={}, tasks=tasks,
                        sheet="Sheet1", source_name="t.xlsx")
    outcome = write_plan(ledger, parsed, "a" * 64)
    return ledger, outcome.plan_id, ledger.task_ids(outcome.plan_id)


def ids_for(ledger: Ledger, **kwargs) -> list[int]:
    return q.task_ids(ledger, q.TaskFilter(today=TODAY, **kwargs))


def test_no_filter_lists_every_task_in_table_order(plan) -> None:
    ledger, pid, ids = plan
    assert ids_for(ledger, plan_id=pid) == ids


@pytest.mark.parametrize("word,expected", [
    ("目", [0, 1]), ("公开", [0, 1]), ("政策解读", [3]), ("镇", [2]),
    ("县政府办", [0, 1, 3]), ("长期坚持", [4]), ("不存在", []), ("决策 意见", [2]),
])
def test_search_finds_chinese_substrings_of_any_length(plan, word: str, expected: list[int]) -> None:
    ledger, pid, ids = plan
    assert ids_for(ledger, plan_id=pid, search=word) == [ids[i] for i in expected]


def test_search_finds_progress_notes(plan) -> None:
    ledger, pid, ids = plan
    ledger.set_progress(ids[4], Quarter(2023, 3), "已在融媒体平台开设专栏。")
    assert ids_for(ledger, plan_id=pid, search="专栏") == [ids[4]]


def test_filters_combine(plan) -> None:
    ledger, pid, ids = plan
    ledger.set_statuses([ids[0], ids[3]], Status.DONE, date(2023, 9, 1))
    assert ids_for(ledger, plan_id=pid, unit="县政府办") == [ids[0], ids[1], ids[3]]
    assert ids_for(ledger, plan_id=pid, unit="县政府办", statuses=frozenset({Status.DONE})) == [ids[0], ids[3]]
    assert ids_for(ledger, plan_id=pid, unit="县政府办", unit_role=Role.LEAD) == [ids[1], ids[3]]
    assert ids_for(ledger, plan_id=pid, unit="县政府办", search="目录") == [ids[0], ids[1]]
    assert ids_for(ledger, plan_id=pid, unit="县政府办", search="目录",
                   statuses=frozenset({Status.NOT_STARTED})) == [ids[1]]


def test_section_filter_includes_everything_below(plan) -> None:
    ledger, pid, ids = plan
    tree = q.section_tree(ledger, pid)
    top = next(n for n in tree if n.label == "一、决策公开")
    assert ids_for(ledger, plan_id=pid, section_id=top.id) == ids[:3]
    sub = next(n for n in top.children if n.label == "(二)参与")
    assert ids_for(ledger, plan_id=pid, section_id=sub.id) == [ids[2]]


def test_overdue_and_due_soon_as_of_today(plan) -> None:
    ledger, pid, ids = plan
    # 6-30 and 9-30 ... today is 9-20: task 0 overdue, task 1 due in 10 days
    assert ids_for(ledger, plan_id=pid, timing=q.Timing.OVERDUE) == [ids[0]]
    assert ids_for(ledger, plan_id=pid, timing=q.Timing.DUE_SOON) == [ids[1]]
    ledger.set_status(ids[0], Status.DONE, date(2023, 9, 10))
    assert ids_for(ledger, plan_id=pid, timing=q.Timing.OVERDUE) == []


def test_needs_review_lists_tasks_whose_deadline_was_not_read(plan, ledger) -> None:
    ledger_, pid, ids = plan
    assert ids_for(ledger_, plan_id=pid, timing=q.Timing.NEEDS_REVIEW) == []
    ledger_.db.execute("UPDATE tasks SET needs_review = 1, due_date = NULL WHERE id = ?", [ids[2]])
    assert ids_for(ledger_, plan_id=pid, timing=q.Timing.NEEDS_REVIEW) == [ids[2]]
    ledger_.set_due_date(ids[2], date(2023, 10, 31))
    assert ids_for(ledger_, plan_id=pid, timing=q.Timing.NEEDS_REVIEW) == []


def test_due_in_quarter(plan) -> None:
    ledger, pid, ids = plan
    assert ids_for(ledger, plan_id=pid, due_in=Quarter(2023, 3)) == [ids[1]]
    assert ids_for(ledger, plan_id=pid, due_in=Quarter(2023, 4)) == [ids[2], ids[3]]


def test_group_members_see_the_groups_tasks(plan) -> None:
    ledger, pid, ids = plan
    db = ledger.db
    db.execute("INSERT INTO units (name, key) VALUES ('城关镇', '城关镇')")
    group = db.execute("SELECT id FROM units WHERE name = '各镇(街道)'").fetchone()[0]
    member = db.execute("SELECT id FROM units WHERE name = '城关镇'").fetchone()[0]
    db.execute("INSERT INTO unit_members (group_id, member_id, position) VALUES (?, ?, 0)", [group, member])
    assert ids_for(ledger, plan_id=pid, unit="城关镇") == [ids[2]]


def test_summary_and_filtered_agree(plan) -> None:
    ledger, pid, ids = plan
    ledger.set_statuses([ids[0]], Status.DONE, date(2023, 9, 1))
    ledger.set_statuses([ids[1]], Status.IN_PROGRESS, date(2023, 9, 1))
    ledger.set_statuses([ids[4]], Status.NOT_APPLICABLE, date(2023, 9, 1))
    flt = q.TaskFilter(plan_id=pid, today=date(2023, 11, 15))
    found, summary = q.filtered(ledger, flt)
    assert found == ids
    assert summary == q.summary(ledger, flt)
    assert (summary.total, summary.done, summary.in_progress, summary.not_started,
            summary.not_applicable, summary.overdue) == (5, 1, 1, 2, 1, 2)
    assert summary.completion == pytest.approx(1 / 4)


def test_section_tree_counts_roll_up(plan) -> None:
    ledger, pid, ids = plan
    ledger.set_statuses([ids[0], ids[2]], Status.DONE, date(2023, 9, 1))
    tree = q.section_tree(ledger, pid)
    assert [(n.label, n.total, n.done) for n in tree] == [("一、决策公开", 3, 2), ("二、政策解读", 2, 0)]
    assert [(n.label, n.total, n.done) for n in tree[0].children] == [("(一)目录", 2, 1), ("(二)参与", 1, 1)]


def test_sorting(plan) -> None:
    ledger, pid, ids = plan
    by_due = q.task_ids(ledger, q.TaskFilter(plan_id=pid), sort="due_date")
    assert by_due == [ids[0], ids[1], ids[2], ids[3], ids[4]]  # 长期坚持 (no date) last
    assert q.task_ids(ledger, q.TaskFilter(plan_id=pid), sort="seq", descending=True) == ids[::-1]


def test_task_rows_carry_what_the_table_shows(plan) -> None:
    ledger, pid, ids = plan
    ledger.set_progress(ids[3], Quarter(2023, 3), "已发布图解2篇。")
    rows = q.task_rows(ledger, [ids[3]], Quarter(2023, 3))
    row = rows[ids[3]]
    assert row.units_display == "县政府办(牵头)、县发改局"
    assert row.progress == "已发布图解2篇。"
    assert row.section == "二、政策解读"
    assert q.task_rows(ledger, [ids[3]], Quarter(2023, 4))[ids[3]].progress == ""


@pytest.mark.parametrize("status,due,kind,expected", [
    (Status.DONE, date(2023, 1, 1), DeadlineKind.FIXED, q.Light.DONE),
    (Status.NOT_STARTED, date(2023, 9, 19), DeadlineKind.FIXED, q.Light.OVERDUE),
    (Status.IN_PROGRESS, date(2023, 10, 5), DeadlineKind.FIXED, q.Light.DUE_SOON),
    (Status.IN_PROGRESS, date(2023, 10, 6), DeadlineKind.FIXED, q.Light.NONE),
    (Status.NOT_STARTED, None, DeadlineKind.ONGOING, q.Light.ONGOING),
    (Status.NOT_STARTED, date(2023, 12, 31), DeadlineKind.YEAR_ROUND, q.Light.ONGOING),
    (Status.NOT_APPLICABLE, date(2023, 1, 1), DeadlineKind.FIXED, q.Light.NONE),
])
def test_lights(status, due, kind, expected) -> None:
    assert q.light_for(status, due, kind, TODAY) == expected


def test_plan_units_in_order_of_first_appearance(plan) -> None:
    ledger, pid, _ = plan
    assert q.plan_units(ledger, pid) == ["县司法局", "县政府办", "县发改局", "各镇(街道)", "县融媒体中心"]


def test_without_evidence_for_a_quarter(plan) -> None:
    from zwgk_desktop.core.evidence import attach_note, remove

    ledger, pid, ids = plan
    q3 = Quarter(2023, 3)
    assert ids_for(ledger, plan_id=pid, without_evidence_in=q3) == ids
    note = attach_note(ledger, ids[1], "已在公开栏张贴。", q3)
    attach_note(ledger, ids[2], "四季度的材料。", Quarter(2023, 4))
    assert ids_for(ledger, plan_id=pid, without_evidence_in=q3) == [ids[0], ids[2], ids[3], ids[4]]
    remove(ledger, note.id)  # in the 回收站 it no longer counts
    assert ids_for(ledger, plan_id=pid, without_evidence_in=q3) == ids


# -- recurring tasks: judged by their period, not by the year's end -------------------------------

RECURRING = [  # requirement, units, deadline
    ("每季度在网站公开财政资金使用情况。", "县财政局", "每季度"),
    ("每月10日前更新政策文件库。", "县司法局", "每月10日前"),
    ("做好政策解读,发布图解。", "县政府办", "12月底前"),
]


@pytest.fixture
def recurring(ledger: Ledger) -> tuple[Ledger, list[int]]:
    tasks = [ParsedTask(seq=i + 1, section=["一、公开"], title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(dl, 2023), source_row=i + 2)
             for i, (req, units, dl) in enumerate(RECURRING)]
    parsed = ParsedPlan(title="2023年测试表", year=2023, columns=[], mapping={}, tasks=tasks,
                        sheet="Sheet1", source_name="t.xlsx")
    pid = write_plan(ledger, parsed, "e" * 64).plan_id
    return ledger, ledger.task_ids(pid)


def light_of(ledger: Ledger, task_id: int, today: date) -> q.Light:
    return q.task_rows(ledger, [task_id], Quarter(2023, 3), today)[task_id].light(today)


def test_a_recurring_task_is_red_while_an_earlier_period_is_missing(recurring) -> None:
    from zwgk_desktop.core.task_periods import set_period_status

    ledger, (quarterly, _, _) = recurring
    row = q.task_rows(ledger, [quarterly], Quarter(2023, 3), TODAY)[quarterly]
    assert row.due_date == date(2023, 12, 31)  # by the year's end alone it would not be red
    assert (row.period, row.period_due, row.period_done) == ("2023Q1", date(2023, 3, 31), False)
    assert row.light(TODAY) == q.Light.OVERDUE
    set_period_status(ledger, quarterly, "2023Q1", Status.DONE, date(2023, 3, 30))
    assert light_of(ledger, quarterly, TODAY) == q.Light.OVERDUE  # Q2 still missing
    set_period_status(ledger, quarterly, "2023Q2", Status.DONE, date(2023, 6, 30))
    # Q3 ends on 30 September, within DUE_SOON_DAYS of 20 September
    assert light_of(ledger, quarterly, TODAY) == q.Light.DUE_SOON
    assert light_of(ledger, quarterly, date(2023, 8, 1)) == q.Light.ONGOING  # Q3 running, its end far off
    set_period_status(ledger, quarterly, "2023Q3", Status.DONE, date(2023, 9, 18))
    assert light_of(ledger, quarterly, TODAY) == q.Light.DONE  # the current period is done
    assert light_of(ledger, quarterly, date(2023, 10, 2)) == q.Light.ONGOING  # Q4 has begun, not done


def test_a_monthly_task_is_due_on_its_day_of_the_month(recurring) -> None:
    from zwgk_desktop.core.task_periods import set_period_status

    ledger, (_, monthly, _) = recurring
    for month in range(1, 9):
        set_period_status(ledger, monthly, f"2023-{month:02d}", Status.DONE, date(2023, month, 5))
    row = q.task_rows(ledger, [monthly], Quarter(2023, 3), TODAY)[monthly]
    assert (row.period, row.period_due) == ("2023-09", date(2023, 9, 10))
    assert row.light(TODAY) == q.Light.OVERDUE  # September's update was due on the 10th
    assert light_of(ledger, monthly, date(2023, 9, 1)) == q.Light.DUE_SOON


def test_the_years_status_still_decides_for_a_task_done_or_withdrawn(recurring) -> None:
    ledger, (quarterly, monthly, _) = recurring
    ledger.set_statuses([quarterly], Status.DONE, date(2023, 9, 1))
    ledger.set_statuses([monthly], Status.NOT_APPLICABLE, date(2023, 9, 1))
    assert light_of(ledger, quarterly, TODAY) == q.Light.DONE
    assert light_of(ledger, monthly, TODAY) == q.Light.NONE
    ledger.set_statuses([monthly], Status.CANCELLED, date(2023, 9, 2))
    assert light_of(ledger, monthly, TODAY) == q.Light.NONE


def test_a_one_off_task_keeps_its_own_light_and_a_task_marked_by_hand_gets_periods(recurring) -> None:
    from zwgk_desktop.core.recurrence import Frequency
    from zwgk_desktop.core.task_periods import set_recurrence

    ledger, (quarterly, _, once) = recurring
    row = q.task_rows(ledger, [once], Quarter(2023, 3), TODAY)[once]
    assert row.period is None and not row.judged_by_period
    assert row.light(TODAY) == q.light_for(row.status, row.due_date, row.deadline_kind, TODAY) == q.Light.NONE
    set_recurrence(ledger, once, Frequency.HALF_YEARLY)  # H1 ended unreported
    assert light_of(ledger, once, TODAY) == q.Light.OVERDUE
    set_recurrence(ledger, quarterly, None)  # not recurring, by hand: the year's due date again
    assert q.task_rows(ledger, [quarterly], Quarter(2023, 3), TODAY)[quarterly].period is None
    assert light_of(ledger, quarterly, TODAY) == q.Light.ONGOING


def test_periods_are_read_for_a_page_at_once(ledger: Ledger) -> None:
    """The number of statements a page costs does not grow with its rows."""
    def statements(count: int) -> int:
        rows = [RECURRING[n % len(RECURRING)] for n in range(count)]
        tasks = [ParsedTask(seq=i + 1, section=[], title=None, requirement=req, units_text=units,
                            units=assign_roles(units), deadline=parse_deadline(dl, 2023), source_row=i + 2)
                 for i, (req, units, dl) in enumerate(rows)]
        parsed = ParsedPlan(title=f"2023年{count}项", year=2023, columns=[], mapping={}, tasks=tasks,
                            sheet="Sheet1", source_name=f"{count}.xlsx")
        ids = ledger.task_ids(write_plan(ledger, parsed, f"{count:064d}").plan_id)
        seen: list[str] = []
        ledger.db.conn.set_trace_callback(seen.append)
        try:
            found = q.task_rows(ledger, ids, Quarter(2023, 3), TODAY)
        finally:
            ledger.db.conn.set_trace_callback(None)
        assert sum(row.period is not None for row in found.values()) == 2 * count // 3
        return len(seen)

    assert statements(3) == statements(60)


def test_the_overdue_count_and_filters_judge_a_recurring_task_as_its_colour_does(recurring) -> None:
    """A quarterly task with Q1 missing is red: it is counted 逾期 and listed under 已逾期,
    though its due date for the year is months away. The count, both filters and the
    colour follow the current period, for every task, on any day."""
    from zwgk_desktop.core.task_periods import set_period_status

    ledger, (quarterly, monthly, once) = recurring
    plan_id = ledger.task(quarterly).plan_id

    def seen(today: date) -> tuple[list[int], list[int], int]:
        flt = q.TaskFilter(plan_id=plan_id, today=today)
        ids, summary = q.filtered(ledger, flt)
        assert summary == q.summary(ledger, flt)
        rows = q.task_rows(ledger, ids, Quarter(2023, 2), today)
        red = [tid for tid in ids if rows[tid].light(today) is q.Light.OVERDUE]
        yellow = [tid for tid in ids if rows[tid].light(today) is q.Light.DUE_SOON]
        assert q.task_ids(ledger, q.TaskFilter(plan_id=plan_id, today=today, timing=q.Timing.OVERDUE)) == red
        assert q.task_ids(ledger, q.TaskFilter(plan_id=plan_id, today=today, timing=q.Timing.DUE_SOON)) == yellow
        assert summary.overdue == len(red)
        return red, yellow, summary.overdue

    may, june = date(2023, 5, 10), date(2023, 6, 20)
    assert ledger.task(quarterly).due_date == date(2023, 12, 31)  # by its date alone: not overdue
    # 10 May: the quarterly task's Q1 and the monthly task's January are missing.
    assert seen(may) == ([quarterly, monthly], [], 2)
    set_period_status(ledger, quarterly, "2023Q1", Status.DONE, date(2023, 3, 28))
    for month in range(1, 6):
        set_period_status(ledger, monthly, f"2023-{month:02d}", Status.DONE, date(2023, month, 8))
    # 20 June: Q2 ends within 15 days (yellow); June's update was due on the 10th (red).
    assert seen(june) == ([monthly], [quarterly], 1)
    set_period_status(ledger, monthly, "2023-06", Status.DONE, date(2023, 6, 20))  # the same day, a change
    assert seen(june) == ([], [quarterly], 0)
    # A recurring task done for the year is judged by that, a one-off one by its date.
    ledger.set_statuses([quarterly], Status.DONE, date(2023, 6, 20))
    assert seen(june) == ([], [], 0)
    assert seen(date(2024, 1, 5)) == ([monthly, once], [], 2)
