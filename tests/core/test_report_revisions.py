"""A quarter's report printed again after a revised table was applied says what it said
before: the tasks the revision added later are not in it, the renumbered tasks print
the 序号 of the day, a 完成时限 the revision changed later does not make a task overdue
in an earlier quarter, and withdrawn tasks stay in the quarters before they were
withdrawn.

Pins core/report_revisions.py (revisions_after) through build_report, as a reprint reads it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import parsed_plan
from zwgk_desktop.core import ledger as ledger_module
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import build_report, revisions_after, summary_sentences
from zwgk_desktop.core.revision import apply_revision, preview_revision

S1, S2, S3 = "一、推进决策公开", "二、夯实基础", "三、依申请公开"
OLD = [
    ([S1], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),
    ([S1], "动态调整目录。", "县司法局", "按上级要求"),
    ([S2], "规范政府网站。", "县大数据中心", "12月底前"),
    ([S2], "加强政务新媒体管理。", "县委网信办", "长期坚持"),
    ([S3], "做好依申请公开工作。", "县政府办", "12月底前"),
]
# December's revision: a new task at 2 (everything after it moves down), task 3 due
# 9月底前 now (it was 12月底前), task 5 withdrawn, a new task due 10月底前 at the end.
NEW = [
    ([S1], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),
    ([S1], "在区政务服务中心设立政务公开专区。", "县政务服务中心", "10月底前"),
    ([S1], "动态调整目录。", "县司法局", "按上级要求"),
    ([S2], "规范政府网站。", "县大数据中心", "9月底前"),
    ([S2], "加强政务新媒体管理。", "县委网信办", "长期坚持"),
    ([S2], "开展政务公开业务培训。", "县政府办", "10月底前"),
]


def _at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """The audit's clock (the revision is applied on a day of the test's choosing)."""
    monkeypatch.setattr(ledger_module, "now_text", lambda: moment)


def _revised_in_december(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[int]]:
    plan_id = write_plan(ledger, parsed_plan(OLD), "a" * 64).plan_id
    ids = ledger.task_ids(plan_id)
    ledger.set_status(ids[0], Status.DONE, date(2023, 6, 20))
    ledger.set_status(ids[2], Status.IN_PROGRESS, date(2023, 8, 1))
    return plan_id, ids


def _apply(ledger: Ledger, plan_id: int, monkeypatch: pytest.MonkeyPatch, moment: str, on: date):
    _at(monkeypatch, moment)
    preview = preview_revision(ledger, plan_id, parsed_plan(NEW, source="修订版.xlsx"), "b" * 64)
    return apply_revision(ledger, preview, on=on)


def _printed(report) -> tuple:
    """What a reader compares between two prints of one report."""
    t = report.totals
    return ((t.total, t.done, t.in_progress, t.not_started, t.overdue, t.cancelled),
            [(r.task_id, r.seq, r.status, r.deadline_text, r.due_date, r.overdue) for r in report.rows],
            summary_sentences(report))


def test_reprinting_q3_after_a_december_revision_gives_the_october_report(ledger, monkeypatch) -> None:
    plan_id, ids = _revised_in_december(ledger, monkeypatch)
    october = _printed(build_report(ledger, plan_id, Quarter(2023, 3)))
    result = _apply(ledger, plan_id, monkeypatch, "2023-12-07T10:00:00+08:00", date(2023, 12, 7))
    assert len(result.added_task_ids) == 2 and result.cancelled_task_ids == [ids[4]]

    again = build_report(ledger, plan_id, Quarter(2023, 3))
    assert _printed(again) == october
    assert not set(result.added_task_ids) & {r.task_id for r in again.rows}
    # The withdrawn task was still in force at the end of September: listed, counted.
    assert ids[4] in {r.task_id for r in again.rows}
    assert [r.seq for r in again.rows] == [1, 2, 3, 4, 5]
    # Task 3 was due 12月底前 in September: not overdue then, whatever December says.
    third = next(r for r in again.rows if r.task_id == ids[2])
    assert (third.deadline_text, third.overdue) == ("12月底前", False)

    # The fourth quarter's report is of a day after the revision: it has the new table.
    q4 = build_report(ledger, plan_id, Quarter(2023, 4))
    assert set(result.added_task_ids) <= {r.task_id for r in q4.rows}
    assert ids[4] not in {r.task_id for r in q4.rows}
    assert [(r.seq, r.task_id) for r in q4.rows][:4] == [
        (1, ids[0]), (2, result.added_task_ids[0]), (3, ids[1]), (4, ids[2])]
    assert next(r for r in q4.rows if r.task_id == ids[2]).deadline_text == "9月底前"


def test_a_revision_within_the_quarter_is_in_its_report(ledger, monkeypatch) -> None:
    plan_id, ids = _revised_in_december(ledger, monkeypatch)
    result = _apply(ledger, plan_id, monkeypatch, "2023-09-30T18:00:00+08:00", date(2023, 9, 30))
    q3 = build_report(ledger, plan_id, Quarter(2023, 3))
    assert set(result.added_task_ids) <= {r.task_id for r in q3.rows}
    assert next(r for r in q3.rows if r.task_id == ids[2]).seq == 4
    assert not revisions_after(ledger, plan_id, date(2023, 9, 30))


def test_two_revisions_after_the_day_give_the_numbers_before_the_first(ledger, monkeypatch) -> None:
    plan_id, ids = _revised_in_december(ledger, monkeypatch)
    _apply(ledger, plan_id, monkeypatch, "2023-11-01T09:00:00+08:00", date(2023, 11, 1))
    _at(monkeypatch, "2023-12-07T10:00:00+08:00")
    third = [([S1], "新增的第三版任务。", "县政府办", "12月底前")] + NEW
    apply_revision(ledger, preview_revision(ledger, plan_id, parsed_plan(third, source="第三版.xlsx"), "c" * 64),
                   on=date(2023, 12, 7))
    assert ledger.task(ids[2]).seq == 5
    found = revisions_after(ledger, plan_id, date(2023, 9, 30))
    assert found.seq[ids[2]] == 3 and len(found.added) == 3
    q3 = build_report(ledger, plan_id, Quarter(2023, 3))
    assert [(r.seq, r.task_id) for r in q3.rows] == list(zip([1, 2, 3, 4, 5], ids, strict=True))
    # Between the two revisions: the first one's table.
    between = revisions_after(ledger, plan_id, date(2023, 11, 15))
    assert between.seq[ids[2]] == 4 and len(between.added) == 1


def test_the_revision_row_keeps_the_old_numbers(ledger, monkeypatch) -> None:
    plan_id, ids = _revised_in_december(ledger, monkeypatch)
    _apply(ledger, plan_id, monkeypatch, "2023-12-07T10:00:00+08:00", date(2023, 12, 7))
    row = next(e for e in ledger.audit_log(30) if e.action == "修订分解表")
    # 2..4 moved down by the new task; 5, withdrawn, follows the new table's 6 tasks.
    assert row.before["seqs"] == {str(ids[1]): 2, str(ids[2]): 3, str(ids[3]): 4, str(ids[4]): 5}
    assert {t.id: t.seq for t in ledger.tasks(plan_id)}[ids[4]] == 7
