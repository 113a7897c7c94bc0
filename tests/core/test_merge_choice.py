"""Two replies that give one task different values are one choice for the clerk, never
two writes where the last file wins; the role of each replying unit (牵头/配合) is
shown beside its value; an undated status of an ended quarter is dated within it.

(QA: 区国金局 牵头 said 已完成 2023-09-18, 区发改局 配合 said 推进中 with no date; both
were ticked, the later file silently won and was dated the day of the merge.)"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.core import test_exchange as base
from tests.core.test_exchange import (
    Q3,
    SAVED,
    TODAY,
    dump,
    ids,
    issue,
    key,
    preview,
    reply,
)
from zwgk_desktop.core import exchange as X
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import assign_roles

# Task 1 is "区发改局、区财政局": 区发改局 leads (牵头), 区财政局 cooperates (配合).


@pytest.fixture(name="plan")
def plan_fixture(ledger: Ledger) -> int:
    """test_exchange's plan of five tasks (its fixture, not imported: one name per module)."""
    tasks = [ParsedTask(seq=i + 1, section=["一、公开"], title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline("12月底前", 2023), source_row=i + 3)
             for i, (req, units) in enumerate(base.ROWS)]
    parsed = ParsedPlan(title="2023年分解表", year=2023, columns=["具体要求", "责任单位", "完成时限"],
                        mapping={"requirement": [0], "units": [1], "deadline": [2]},
                        tasks=tasks, sheet="Sheet1", source_name="t.xlsx")
    return write_plan(ledger, parsed, base.SHA).plan_id


def rival_replies(ledger: Ledger, plan: int) -> tuple[X.Reply, X.Reply]:
    t1 = ids(ledger, plan)[0]
    lead, helper = issue(ledger, plan, "区发改局"), issue(ledger, plan, "区财政局")
    a = reply([X.ReplyRow(row=4, key=key(t1), status="已完成", done_on="2023-09-18")], lead, name="a.xlsx")
    b = reply([X.ReplyRow(row=4, key=key(t1), status="推进中")], helper, name="b.xlsx",
              saved=SAVED + timedelta(hours=1))  # saved later: it used to win
    return a, b


def test_two_replies_differing_on_one_status_are_one_choice(ledger: Ledger, plan: int) -> None:
    a, b = rival_replies(ledger, plan)
    p = preview(ledger, a, b)
    assert [(c.unit, c.role, c.new) for c in p.changes] == [
        ("区发改局", "牵头", "已完成(2023-09-18)"), ("区财政局", "配合", "推进中")]
    assert [[c.unit for c in group] for group in p.competing()] == [["区发改局", "区财政局"]]
    lead, helper = p.changes
    # Each note says who the other one is and what role it has; the lead is named.
    assert lead.conflict == "与其他报送表不一致:区财政局(配合) 第 4 行填“推进中(日期 2023-09-30)”,只能选其一(牵头单位:区发改局)"
    assert helper.conflict == "与其他报送表不一致:区发改局(牵头) 第 4 行填“已完成(2023-09-18)”,只能选其一(牵头单位:区发改局)"
    assert lead.who == "区发改局(牵头)" and helper.who == "区财政局(配合)"
    before = dump(ledger)
    with pytest.raises(UserError) as refused:
        X.apply_merge(ledger, p.changes, force=True)
    message = refused.value.message
    assert "序号 1" in message and "区发改局(牵头) 第 4 行" in message and "区财政局(配合) 第 4 行" in message
    assert "只能选其一" in message and "台账没有任何改变" in message
    assert dump(ledger) == before
    # Without force the two conflicts are skipped, as every conflict is: nothing competes.
    assert X.apply_merge(ledger, p.changes).applied == [c for c in p.clean]
    # The clerk's choice: the lead's answer, and only it.
    result = X.apply_merge(ledger, [lead], force=True)
    assert result.applied == [lead] and result.superseded == []
    task = ledger.task(ids(ledger, plan)[0])
    assert (task.status, task.status_date) == (Status.DONE, date(2023, 9, 18))


def test_prefer_names_the_reply_whose_value_is_meant(ledger: Ledger, plan: int) -> None:
    a, b = rival_replies(ledger, plan)
    p = preview(ledger, a, b)
    chosen = p.preferring(["区发改局"])
    assert [(c.unit, c.conflict) for c in chosen.changes] == [("区发改局", None)]  # its only conflict was the rival
    assert "未采用:区财政局(配合) 第 4 行填“推进中(日期 2023-09-30)”" in chosen.changes[0].note
    assert chosen.competing() == []
    by_file = p.preferring(["b.xlsx"])
    assert [(c.unit, c.new) for c in by_file.changes] == [("区财政局", "推进中")]
    assert [c.unit for c in p.preferring(["区发改局", "区财政局"]).changes] == ["区发改局"]  # the first name decides
    with pytest.raises(UserError, match="“区政府办公室”不是这次汇总的任何一份报送表的单位或文件名"):
        p.preferring(["区政府办公室"])
    X.apply_merge(ledger, chosen.changes)  # no force needed: the clerk named it
    assert ledger.task(ids(ledger, plan)[0]).status == Status.DONE


def test_a_stale_value_stays_a_conflict_when_preferred(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    a, b = rival_replies(ledger, plan)
    ledger.set_status(t1, Status.IN_PROGRESS, date(2023, 9, 1))  # the clerk's edit after issuing
    chosen = preview(ledger, a, b).preferring(["区发改局"])
    assert chosen.changes[0].conflict == "下发后台账中的完成状态已改变(下发时“未启动”,现在“推进中”)"


def test_one_units_two_files_are_chosen_by_file(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    a = reply([X.ReplyRow(row=4, key=key(t4), progress="初稿。")], fill, name="a.xlsx")
    b = reply([X.ReplyRow(row=6, key=key(t4), progress="定稿。")], fill, name="b.xlsx")
    p = preview(ledger, a, b)
    with pytest.raises(UserError, match="都来自“区发改局”"):
        p.preferring(["区发改局"])
    assert [c.new for c in p.preferring(["b.xlsx"]).changes] == ["定稿。"]


def test_undated_replies_of_one_status_are_one_value(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    q4 = Quarter(2023, 4)
    lead, helper = issue(ledger, plan, "区发改局", q4), issue(ledger, plan, "区财政局", q4)
    a = reply([X.ReplyRow(row=4, key=key(t1), status="已完成")], lead, quarter=q4,
              saved=datetime(2023, 10, 3, 9, 0).astimezone())
    b = reply([X.ReplyRow(row=4, key=key(t1), status="已完成")], helper, quarter=q4,
              saved=datetime(2023, 10, 5, 9, 0).astimezone())
    p = preview(ledger, a, b)
    assert [(c.unit, c.conflict, c.note) for c in p.changes] == [("区发改局", None, "区财政局填报相同")]


@pytest.mark.parametrize(("quarter", "saved", "expected", "said"), [
    # saved after the quarter ended: the quarter's last day, as the status-date dialog offers
    (Q3, SAVED, date(2023, 9, 30), "报送表未填日期,按2023年第三季度最后一天记为 2023-09-30"),
    # saved within the quarter: that day (the unit said so then)
    (Q3, datetime(2023, 9, 15, 9, 0).astimezone(), date(2023, 9, 15), "报送表未填日期,按报送表保存日记为 2023-09-15"),
    # the current quarter: the day it was saved
    (Quarter(2023, 4), SAVED, SAVED.astimezone().date(),
     f"报送表未填日期,按报送表保存日记为 {SAVED.astimezone().date().isoformat()}"),
])
def test_an_undated_status_is_dated_within_its_quarter(ledger: Ledger, plan: int, quarter: Quarter,
                                                       saved: datetime, expected: date, said: str) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan, "区发改局", quarter)
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t4), status="推进中")], fill, quarter=quarter, saved=saved))
    [change] = p.changes
    assert change.on == expected and change.day_note == said
    assert change.shown_new == f"推进中(日期 {expected.isoformat()})"  # the day that will be written
    X.apply_merge(ledger, p.changes)
    assert ledger.task(t4).status_date == expected
    done = preview(ledger, reply([X.ReplyRow(row=4, key=key(t4), status="已完成")], fill, quarter=quarter,
                                 saved=saved)).changes[0]
    assert done.shown_new == done.new == f"已完成({expected.isoformat()})" and done.day_note == said


def test_a_typed_date_needs_no_day_note(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t4), status="已完成", done_on="2023-09-20")], fill))
    assert p.changes[0].day_note is None and p.changes[0].shown_new == "已完成(2023-09-20)"


def test_undo_after_a_chosen_merge_restores(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    a, b = rival_replies(ledger, plan)
    p = preview(ledger, a, b)
    X.apply_merge(ledger, p.preferring(["区财政局"]).changes)
    assert (ledger.task(t1).status, ledger.task(t1).status_date) == (Status.IN_PROGRESS, date(2023, 9, 30))
    X.undo_merge(ledger)
    assert (ledger.task(t1).status, ledger.task(t1).status_date) == (Status.NOT_STARTED, None)


def test_today_is_never_written_for_an_ended_quarter_even_when_merged_late(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    late = datetime(2026, 11, 30, 9, 0).astimezone()
    p = X.preview_merge(ledger, [reply([X.ReplyRow(row=4, key=key(t4), status="推进中")], fill, saved=late)],
                        today=late.date())
    assert p.changes[0].on == Q3.end == date(2023, 9, 30) and TODAY != p.changes[0].on
