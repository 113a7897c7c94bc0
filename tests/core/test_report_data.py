"""What the 季度报告 says: numbers for a crafted ledger, worked out by hand; scope
options; and that a past quarter's report does not change when the ledger does."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import NotFoundError, UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import (NO_SECTION, Counts, ReportScope, SignOff, build_report, format_rate,
                                           quarter_choices, resolve_section, summary_sentences, zh)
from zwgk_desktop.core.units import assign_roles

SUB = "\uff08\u4e00\uff09\u76ee\u5f55\u7ba1\u7406"  # （一）目录管理
ONE, TWO = "一、推进决策公开", "二、夯实基础"
PRINTED = date(2023, 12, 20)
Q2, Q3 = Quarter(2023, 2), Quarter(2023, 3)

ROWS = [  # section, requirement, units (first leads), deadline
    ([ONE, SUB], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),  # 1 due 06-30
    ([ONE, SUB], "动态调整目录。", "县司法局", "9月30日前"),  # 2 due 09-30
    ([ONE], "做好政策解读。", "县政府办、县司法局", "12月底前"),  # 3 due 12-31
    ([TWO], "规范政府网站。", "县大数据中心", "长期坚持"),  # 4 no due date
    ([TWO], "开展政府开放日活动。", "县政府办", "三季度前"),  # 5 due 09-30
    ([TWO], "整理历史文件。", "县档案馆", "3月底前"),  # 6 due 03-31
    ([], "配合上级检查。", "县政府办", "全年"),  # 7 due 12-31
]


def crafted_plan(rows=ROWS, year: int = 2023) -> ParsedPlan:
    tasks = [ParsedTask(seq=i + 1, section=list(section), title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(deadline, year), source_row=i + 3)
             for i, (section, req, units, deadline) in enumerate(rows)]
    return ParsedPlan(title="2023年某县政务公开重点工作任务分解表", year=year,
                      columns=["工作任务", "具体要求", "责任单位", "完成时限"], mapping={}, tasks=tasks,
                      sheet="Sheet1", source_name="任务表.xlsx")


def make_report_ledger(ledger: Ledger) -> tuple[int, list[int]]:
    """The crafted plan with its history as it stood in July 2023 (statuses backdated)."""
    write_plan(ledger, crafted_plan(), "a" * 64)
    plan_id = ledger.plans()[0].id
    ids = ledger.task_ids(plan_id)
    t = dict(enumerate(ids, start=1))
    ledger.set_status(t[1], Status.IN_PROGRESS, date(2023, 4, 10))
    ledger.set_status(t[1], Status.DONE, date(2023, 6, 20))
    ledger.set_status(t[2], Status.IN_PROGRESS, date(2023, 5, 1))
    ledger.set_status(t[4], Status.IN_PROGRESS, date(2023, 2, 1))
    ledger.set_status(t[5], Status.DONE, date(2023, 9, 30))  # effective on the quarter's last day
    ledger.set_status(t[7], Status.NOT_APPLICABLE, date(2023, 3, 15))
    ledger.set_progress(t[2], Q2, "已起草目录初稿。")
    ledger.set_progress(t[1], Q2, "目录已在政府网站公开。")
    ev.attach_url(ledger, t[1], "https://www.example.gov.cn/zwgk/ml.html", "决策事项目录", None, Q2)
    return plan_id, ids


@pytest.fixture
def crafted(ledger: Ledger) -> tuple[Ledger, int, list[int]]:
    plan_id, ids = make_report_ledger(ledger)
    return ledger, plan_id, ids


def counts(c: Counts) -> tuple[int, ...]:
    return (c.total, c.done, c.in_progress, c.not_started, c.not_applicable, c.overdue)


def test_third_quarter_numbers(crafted) -> None:
    ledger, plan_id, ids = crafted
    data = build_report(ledger, plan_id, Q3, printed_on=PRINTED)
    # 1 done, 2 in progress (due 09-30: overdue), 3 not started, 4 in progress,
    # 5 done on 09-30, 6 not started (due 03-31: overdue), 7 不适用
    assert counts(data.totals) == (7, 2, 2, 2, 1, 2)
    assert data.totals.completion == pytest.approx(2 / 6)
    assert data.totals.completion_text == "33.3%"
    assert [(g.label, counts(g.counts)) for g in data.by_section] == [
        (ONE, (3, 1, 1, 1, 0, 1)), (TWO, (3, 1, 1, 1, 0, 1)), (NO_SECTION, (1, 0, 0, 0, 1, 0))]
    assert [g.counts.completion_text for g in data.by_section] == ["33.3%", "33.3%", "—"]
    assert [(g.label, counts(g.counts)) for g in data.by_unit] == [
        ("县司法局", (2, 1, 1, 0, 0, 1)), ("县政府办", (3, 1, 0, 1, 1, 0)),
        ("县大数据中心", (1, 0, 1, 0, 0, 0)), ("县档案馆", (1, 0, 0, 1, 0, 1))]
    assert [(r.seq, r.status, r.overdue) for r in data.rows] == [
        (1, Status.DONE, False), (2, Status.IN_PROGRESS, True), (3, Status.NOT_STARTED, False),
        (4, Status.IN_PROGRESS, False), (5, Status.DONE, False), (6, Status.NOT_STARTED, True),
        (7, Status.NOT_APPLICABLE, False)]
    assert [r.seq for r in data.overdue] == [2, 6]
    assert data.rows[0].units == "县司法局" + zh("(牵头)") + "、县政府办"
    assert data.rows[4].status_since == date(2023, 9, 30)
    assert data.rows[4].status_text == "已完成\n" + zh("(9月30日)")
    assert data.rows[1].status_text == "推进中\n" + zh("(逾期)")
    assert data.rows[1].progress == ""  # no note written for Q3
    assert data.rows[0].evidence == ["决策事项目录 https://www.example.gov.cn/zwgk/ml.html"]
    assert data.title == "2023年第三季度政务公开重点工作任务落实情况"
    assert data.period_text == "2023年7月1日至9月30日"


def test_second_quarter_numbers_and_notes(crafted) -> None:
    ledger, plan_id, _ = crafted
    data = build_report(ledger, plan_id, Q2, title_unit="某县人民政府办公室", printed_on=PRINTED)
    # as of 06-30: 1 done, 2 and 4 in progress, 3 5 6 not started (6 overdue), 7 不适用
    assert counts(data.totals) == (7, 1, 2, 3, 1, 1)
    assert data.totals.completion_text == "16.7%"
    assert [r.seq for r in data.overdue] == [6]
    assert [r.progress for r in data.rows[:2]] == ["目录已在政府网站公开。", "已起草目录初稿。"]
    assert data.title == "某县人民政府办公室2023年第二季度政务公开重点工作任务落实情况"
    sentences = summary_sentences(data)
    assert sentences[0] == zh("本报告统计《2023年某县政务公开重点工作任务分解表》中全部任务,共 7 项。")
    assert sentences[1] == zh("截至2023年6月30日,已完成 1 项,推进中 2 项,未启动 3 项,不适用 1 项;"
                              "完成率 16.7%(不适用的任务不计入)。")
    # 应完成 only of what is due by 06-30 (1 and 6); 2 3 5 7 are due later, 4 has no date.
    assert sentences[2] == zh("其中本季度应完成(完成时限在6月30日以前,含当日)的 2 项,已完成 1 项;"
                              "完成时限在本季度以后的 4 项;没有具体完成时限的 1 项。")
    assert counts(data.due_counts) == (2, 1, 0, 1, 0, 1) and data.undated == 1
    assert sentences[3] == zh("已过完成时限仍未完成的任务 1 项(序号 6),具体情况见第二部分。")


def test_a_past_quarter_reads_the_same_after_later_changes(crafted) -> None:
    ledger, plan_id, ids = crafted
    before = build_report(ledger, plan_id, Q2, printed_on=PRINTED)
    t = dict(enumerate(ids, start=1))
    # Everything a clerk does from July to December:
    ledger.set_status(t[2], Status.DONE, date(2023, 10, 15))
    ledger.set_status(t[3], Status.IN_PROGRESS, date(2023, 7, 2))
    ledger.set_status(t[6], Status.DONE, date(2023, 11, 1))
    ledger.set_status(t[1], Status.IN_PROGRESS, date(2023, 8, 1))  # reopened
    ledger.set_progress(t[2], Q3, "目录已报审。")
    ledger.set_progress(t[3], Quarter(2023, 4), "已发布解读 3 篇。")
    ev.attach_note(ledger, t[1], "第四季度补充材料", Quarter(2023, 4))
    later = build_report(ledger, plan_id, Q2, printed_on=PRINTED)
    assert later == before
    assert counts(later.totals) == (7, 1, 2, 3, 1, 1)
    assert later.rows[1].progress == "已起草目录初稿。"
    # ... while the present has moved on.
    now = build_report(ledger, plan_id, Quarter(2023, 4), printed_on=PRINTED)
    # as of 12-31: 2 5 6 done; 1 (reopened, due 06-30) 3 (due 12-31) 4 in progress; 7 不适用
    assert counts(now.totals) == (7, 3, 3, 0, 1, 2)
    assert [r.seq for r in now.overdue] == [1, 3]
    assert now.rows[2].progress == "已发布解读 3 篇。"
    assert now.rows[0].evidence == ["决策事项目录 https://www.example.gov.cn/zwgk/ml.html", "第四季度补充材料"]


def test_evidence_of_later_quarters_and_the_recycle_bin_is_left_out(crafted) -> None:
    ledger, plan_id, ids = crafted
    note = ev.attach_note(ledger, ids[4], "开放日照片见纸质档案", Q3)
    ev.attach_note(ledger, ids[4], "第四季度材料", Quarter(2023, 4))
    assert build_report(ledger, plan_id, Q3).rows[4].evidence == ["开放日照片见纸质档案"]
    ev.remove(ledger, note.id)
    assert build_report(ledger, plan_id, Q3).rows[4].evidence == []
    assert build_report(ledger, plan_id, Q3, with_evidence=False).rows[0].evidence == []


def test_scope_one_unit_as_lead_or_cooperating(crafted) -> None:
    ledger, plan_id, _ = crafted
    data = build_report(ledger, plan_id, Q3, ReportScope(unit="县政府办"))
    assert [r.seq for r in data.rows] == [1, 3, 5, 7]
    assert counts(data.totals) == (4, 2, 0, 1, 1, 0)
    assert data.by_unit == []  # one unit's report has no table by unit
    assert data.title_unit == "县政府办"
    assert data.scope_text == "县政府办牵头或配合的任务"
    with pytest.raises(NotFoundError, match="县不存在局"):
        build_report(ledger, plan_id, Q3, ReportScope(unit="县不存在局"))


def test_scope_one_section_and_due_only(crafted) -> None:
    ledger, plan_id, _ = crafted
    data = build_report(ledger, plan_id, Q3, ReportScope(section="一、"))
    assert [r.seq for r in data.rows] == [1, 2, 3]
    assert data.section_label == ONE
    sub = build_report(ledger, plan_id, Q3, ReportScope(section=SUB, unit="县司法局"))
    assert [r.seq for r in sub.rows] == [1, 2]
    assert sub.scope_text == f"“{ONE} / {SUB}”部分中县司法局牵头或配合的任务"
    due = build_report(ledger, plan_id, Q2, ReportScope(due_only=True))
    assert [r.seq for r in due.rows] == [1, 6]  # due on or before 06-30
    assert counts(due.totals) == (2, 1, 0, 1, 0, 1)
    assert due.scope_text.endswith(zh("中完成时限在6月30日以前(含当日)的任务"))
    # Everything counted is due: no sentence sets the due ones apart.
    assert counts(due.due_counts) == counts(due.totals) and due.undated == 0
    assert not any("应完成" in sentence for sentence in summary_sentences(due))


def test_resolve_section_by_label(crafted) -> None:
    ledger, plan_id, _ = crafted
    paths = ledger.section_paths(plan_id)
    assert paths[resolve_section(ledger, plan_id, " 二、夯实 基础")] == (TWO,)
    with pytest.raises(NotFoundError, match="一级章节有"):
        resolve_section(ledger, plan_id, "三、")
    with pytest.raises(UserError):
        resolve_section(ledger, plan_id, "")


def test_sign_off_and_titles(crafted) -> None:
    ledger, plan_id, _ = crafted
    data = build_report(ledger, plan_id, Q3, ReportScope(unit="县政府办"), title_unit="",
                        sign_off=SignOff("张三", "李四", "0537-1234567"))
    assert data.title_unit == ""
    assert data.sign_off == SignOff("张三", "李四", "0537-1234567", None)


def test_empty_scope(crafted) -> None:
    ledger, plan_id, _ = crafted
    data = build_report(ledger, plan_id, Quarter(2023, 1), ReportScope(unit="县档案馆", due_only=True))
    assert counts(data.totals) == (1, 0, 0, 1, 0, 1)
    data = build_report(ledger, plan_id, Quarter(2022, 4), ReportScope(due_only=True))
    assert data.rows == [] and data.totals.total == 0
    assert summary_sentences(data)[-1] == "统计范围内没有任务。"


@pytest.mark.parametrize("rate,text", [(0.0, "0%"), (1.0, "100%"), (2 / 3, "66.7%"), (0.125, "12.5%"),
                                       (0.9996, "100%")])
def test_format_rate(rate: float, text: str) -> None:
    assert format_rate(rate) == text


@pytest.mark.parametrize("today,offered", [
    (date(2023, 10, 8), Quarter(2023, 3)), (date(2023, 9, 20), Quarter(2023, 3)),
    (date(2023, 1, 5), Quarter(2023, 1)), (date(2024, 1, 10), Quarter(2023, 4)),
    (date(2025, 6, 1), Quarter(2023, 4)), (date(2022, 3, 1), Quarter(2023, 1))])
def test_quarter_offered_first(today: date, offered: Quarter) -> None:
    choices, first = quarter_choices(2023, today)
    assert first == offered
    assert choices == [Quarter(2023, 1), Quarter(2023, 2), Quarter(2023, 3), Quarter(2023, 4), Quarter(2024, 1)]


def test_printed_text_uses_full_width_punctuation() -> None:
    assert ascii(zh("(牵头),;:")) == ascii("\uff08牵头\uff09\uff0c\uff1b\uff1a")
    assert ascii(NO_SECTION) == ascii("\uff08未分章节\uff09")
    assert replace(Counts(), total=2, not_applicable=2).completion_text == "—"
