"""Recurring tasks: recurrence read from the 完成时限 cell or the requirement (real
phrasings from county 分解表), phrases that are not recurrence, periods, and the
per-period status written through one ledger change with one audit row."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_desktop.core import task_periods as tp
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.recurrence import Frequency, Period, detect_recurrence
from zwgk_desktop.core.units import assign_roles

M, Q, H, Y, P = (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.HALF_YEARLY, Frequency.YEARLY,
                 Frequency.PERIODIC)


@pytest.mark.parametrize("deadline,requirement,frequency", [
    ("每季度", "", Q),
    ("按季度", "", Q),
    ("每季度公开一次", "", Q),
    ("按季度报送", "", Q),
    ("每个季度末", "", Q),
    ("每一季度结束后10日内", "", Q),
    ("分季度推进", "", Q),
    ("按季", "", Q),
    ("2023年起每季度", "", Q),
    ("每季度第一个月15日前报送上季度情况", "", Q),
    ("每月10日前更新", "", M),
    ("每月", "", M),
    ("按月", "", M),
    ("逐月更新", "", M),
    ("按月度报送", "", M),
    ("每月初", "", M),
    ("每半年", "", H),
    ("半年一次", "", H),
    ("按半年", "", H),
    ("每年3月底前", "", Y),
    ("每年1月31日前", "", Y),
    ("按年度", "", Y),
    ("每周", "", P),
    ("每旬报送", "", P),
    ("每两个月", "", P),
    # 定期 beside a stated rhythm: the rhythm counts
    ("全年", "定期(每季度)在政府网站公开财政资金情况。", Q),
    ("全年", "定期开展自查,每半年报送一次自查报告。", H),
    ("", "每季度在政府网站公开一次财政资金直达基层情况。", Q),
    ("12月底前", "按季度公开重点项目进展情况。", Q),
    ("长期坚持", "每月更新政策文件库。", M),
    ("", "每年至少召开1次会议研究政务公开工作。", Y),
])
def test_recurrence_is_recognised(deadline: str, requirement: str, frequency: Frequency) -> None:
    found = detect_recurrence(deadline, requirement)
    assert found is not None, (deadline, requirement)
    assert found.frequency == frequency
    assert found.source == ("deadline" if deadline and frequency_in(deadline) else "requirement")


def frequency_in(text: str) -> bool:
    return detect_recurrence(text, "") is not None


def test_details_of_the_phrase() -> None:
    monthly = detect_recurrence("每月10日前更新", "")
    assert monthly.day == 10 and monthly.phrase == "每月10日前"
    yearly = detect_recurrence("每年3月底前", "")
    assert yearly.month == 3
    assert yearly.due_in(Period.parse("2023")) == date(2023, 3, 31)
    assert monthly.due_in(Period.parse("2023-02")) == date(2023, 2, 10)
    assert detect_recurrence("每季度", "").due_in(Period.parse("2023Q2")) == date(2023, 6, 30)
    assert detect_recurrence("每季度", "").label == "每季度"


@pytest.mark.parametrize("deadline,requirement", [
    ("12月底前", ""), ("6月30日前", ""), ("三季度前", ""), ("第一季度", ""), ("上半年", ""),
    ("年底前", ""), ("全年", ""), ("长期坚持", ""), ("持续推进", ""), ("2023年9月底前", ""),
    ("", "在规定期限内答复依申请公开。"), ("", "法定期限内办结。"), ("不定期", ""),
    ("", "每个部门明确1名工作人员。"), ("", "每件建议提案都要公开答复。"), ("", "编制季度报告。"),
    ("按时完成", ""), ("", "按要求公开年度报告。"), ("", "发布上半年工作总结。"),
    # a task due by a date before year end is done once, whatever its requirement mentions
    ("6月底前", "建立每月例会制度。"),
    # 定期 alone names no rhythm: nothing to report or chase per quarter (it used to be
    # taken for 定期 "followed by quarter", and a 全年 task was overdue from 3月31日)
    ("定期", ""),
    ("定期更新", ""),
    ("全年", "定期发布政府信息公开工作动态。"),
    ("全年", "提高政策咨询类留言的答复质量,定期梳理更新常见问题问答库,对集中反映的问题,"
             "通过二次解读等方式进行回应。"),  # 临沂 序号36
    ("全年", "主要负责同志要亲自过问、定期听取汇报,研究解决重大问题。"),
    ("长期坚持", "定期对公共企事业单位信息公开开展专项评估。"),
    ("", ""),
])
def test_not_recurrence(deadline: str, requirement: str) -> None:
    assert detect_recurrence(deadline, requirement) is None


@pytest.mark.parametrize("text,expected,label", [
    ("2023Q2", "2023Q2", "2023年第二季度"), ("2023年第三季度", "2023Q3", "2023年第三季度"),
    ("2023-05", "2023-05", "2023年5月"), ("2023M5", "2023-05", "2023年5月"), ("2023年5月", "2023-05", "2023年5月"),
    ("2023H1", "2023H1", "2023年上半年"), ("2023年下半年", "2023H2", "2023年下半年"),
    ("2023", "2023", "2023年"), ("2023年", "2023", "2023年"),
])
def test_periods_parse(text: str, expected: str, label: str) -> None:
    period = Period.parse(text)
    assert str(period) == expected and period.label == label


@pytest.mark.parametrize("text", ["2023Q5", "2023-13", "23Q1", "上季度", "", "2023H3"])
def test_bad_period_is_the_clerks_typo(text: str) -> None:
    with pytest.raises(UserError, match="期"):
        Period.parse(text)


def test_periods_of_a_year() -> None:
    assert [str(p) for p in Period.all_of(2023, Q)] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert len(Period.all_of(2023, M)) == 12
    assert [str(p) for p in Period.all_of(2023, P)] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert str(Period.of(date(2023, 8, 1), H)) == "2023H2"
    assert Period.parse("2023H1").end == date(2023, 6, 30)


ROWS = [("每季度在网站公开财政资金情况。", "区财政局", "每季度"),
        ("每月10日前更新政策文件库。", "区司法局", "每月10日前"),
        ("编制年度报告。", "区政府办", "1月31日前")]


@pytest.fixture
def plan(ledger: Ledger) -> tuple[Ledger, list[int]]:
    tasks = [ParsedTask(seq=i + 1, section=[], title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(dl, 2023), source_row=i + 2)
             for i, (req, units, dl) in enumerate(ROWS)]
    parsed = ParsedPlan(title="2023年测试表", year=2023, columns=[], mapping={}, tasks=tasks,
                        sheet="Sheet1", source_name="t.xlsx")
    pid = write_plan(ledger, parsed, "c" * 64).plan_id
    return ledger, ledger.task_ids(pid)


def audit_count(ledger: Ledger) -> int:
    return ledger.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]


def test_period_status_one_change_one_audit_row(plan) -> None:
    ledger, ids = plan
    before = audit_count(ledger)
    tp.set_period_status(ledger, ids[0], "2023Q2", Status.DONE, date(2023, 6, 28))
    assert audit_count(ledger) == before + 1
    action, entity, entity_id = ledger.db.execute(
        "SELECT action, entity, entity_id FROM audit ORDER BY id DESC").fetchone()
    assert (action, entity, entity_id) == ("设置本期状态", "task", ids[0])
    rows = tp.period_rows(ledger, ids[0], today=date(2023, 9, 20))
    assert [(str(r.period), r.status) for r in rows] == [
        ("2023Q1", None), ("2023Q2", Status.DONE), ("2023Q3", None), ("2023Q4", None)]
    assert rows[1].status_date == date(2023, 6, 28)
    assert rows[0].overdue and not rows[2].overdue  # Q1 ended unreported; Q3 is still running
    # the task's own status is untouched
    assert ledger.task(ids[0]).status == Status.NOT_STARTED


def test_period_must_fit_the_task(plan) -> None:
    ledger, ids = plan
    before = audit_count(ledger)
    with pytest.raises(UserError, match="每季度"):
        tp.set_period_status(ledger, ids[0], "2023-05", Status.DONE)
    with pytest.raises(UserError, match="不是定期任务"):
        tp.set_period_status(ledger, ids[2], "2023Q1", Status.DONE)
    with pytest.raises(UserError, match="2023"):
        tp.set_period_status(ledger, ids[0], "2024Q1", Status.DONE)
    with pytest.raises(UserError, match="没有编号"):
        tp.set_period_status(ledger, 999, "2023Q1", Status.DONE)
    assert audit_count(ledger) == before
    tp.set_period_status(ledger, ids[1], "2023-05", Status.DONE)


def test_marked_by_hand_overrides_the_text_and_is_audited(plan) -> None:
    ledger, ids = plan
    assert tp.recurrence_of(ledger, ids[2]) is None
    tp.set_recurrence(ledger, ids[2], Frequency.YEARLY)
    assert tp.recurrence_of(ledger, ids[2]).frequency == Frequency.YEARLY
    assert tp.recurrence_of(ledger, ids[2]).source == "manual"
    tp.set_recurrence(ledger, ids[0], None)  # marked not recurring
    assert tp.recurrence_of(ledger, ids[0]) is None
    tp.clear_recurrence(ledger, ids[0])  # back to what the text says
    assert tp.recurrence_of(ledger, ids[0]).frequency == Frequency.QUARTERLY
    actions = [r[0] for r in ledger.db.execute("SELECT action FROM audit WHERE action LIKE '%定期任务%'")]
    assert len(actions) == 3


def test_follow_up_judges_a_recurring_task_by_its_period(plan) -> None:
    from zwgk_desktop.core import follow_up as fu

    ledger, ids = plan
    pid = ledger.task(ids[0]).plan_id
    today = date(2023, 9, 20)
    finance = {u.unit: u for u in fu.lagging_units(ledger, pid, today=today)}["区财政局"]
    task = finance.tasks[0]
    assert fu.Lag.OVERDUE in task.lags and task.period == "2023Q1"  # Q1 never reported
    for q in ("2023Q1", "2023Q2"):
        tp.set_period_status(ledger, ids[0], q, Status.DONE)
    task = {u.unit: u for u in fu.lagging_units(ledger, pid, today=today)}["区财政局"].tasks[0]
    assert fu.Lag.OVERDUE not in task.lags and task.period == "2023Q3"
    assert task.due_date == date(2023, 9, 30) and fu.Lag.DUE_SOON in task.lags
    tp.set_period_status(ledger, ids[0], "2023Q3", Status.DONE)
    assert "区财政局" not in {u.unit for u in fu.lagging_units(ledger, pid, today=today)}


def test_a_rhythm_read_from_the_requirement_is_judged_by_the_current_period_only(ledger: Ledger) -> None:
    from zwgk_desktop.core import follow_up as fu

    tasks = [ParsedTask(seq=1, section=[], title=None, requirement="每季度更新常见问题问答库。", units_text="区政府办",
                        units=assign_roles("区政府办"), deadline=parse_deadline("全年", 2023), source_row=2)]
    parsed = ParsedPlan(title="2023年测试表", year=2023, columns=[], mapping={}, tasks=tasks,
                        sheet="Sheet1", source_name="t.xlsx")
    pid = write_plan(ledger, parsed, "d" * 64).plan_id
    [tid] = ledger.task_ids(pid)
    task = fu.lagging_units(ledger, pid, today=date(2023, 8, 1))[0].tasks[0]
    assert task.period == "2023Q3" and fu.Lag.OVERDUE not in task.lags  # Q1, Q2 were never asked for
    tp.set_period_status(ledger, tid, "2023Q3", Status.DONE)
    assert fu.lagging_units(ledger, pid, today=date(2023, 8, 1)) == []


def test_a_year_round_task_that_says_dingqi_is_not_chased_per_quarter(ledger: Ledger) -> None:
    """临沂 序号36 (全年, "定期梳理更新常见问题问答库") was 一季度 未登记 3月31日逾期 in April,
    and 督办 counted it: 定期 alone names no period to report on."""
    from zwgk_desktop.core import follow_up as fu

    texts = ["提高政策咨询类留言的答复质量,定期梳理更新常见问题问答库。", "主要负责同志要亲自过问、定期听取汇报。"]
    tasks = [ParsedTask(seq=i + 1, section=[], title=None, requirement=text, units_text="区政府办",
                        units=assign_roles("区政府办"), deadline=parse_deadline("全年", 2023), source_row=i + 2)
             for i, text in enumerate(texts)]
    parsed = ParsedPlan(title="2023年测试表", year=2023, columns=[], mapping={}, tasks=tasks,
                        sheet="Sheet1", source_name="t.xlsx")
    pid = write_plan(ledger, parsed, "e" * 64).plan_id
    ids = ledger.task_ids(pid)
    for tid in ids:
        assert tp.recurrence_of(ledger, tid) is None
        assert tp.period_rows(ledger, tid, today=date(2023, 4, 15)) == []
    assert tp.current_periods(ledger, ids, date(2023, 4, 15)) == {}
    lagging = fu.lagging_units(ledger, pid, today=date(2023, 4, 15))
    assert all(fu.Lag.OVERDUE not in task.lags for unit in lagging for task in unit.tasks)
    # The clerk who knows the rhythm can still say so.
    tp.set_recurrence(ledger, ids[0], Frequency.PERIODIC)
    assert [str(r.period) for r in tp.period_rows(ledger, ids[0], today=date(2023, 4, 15))][:1] == ["2023Q1"]
