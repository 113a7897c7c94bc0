"""core/exchange (keys, send_down, unit_notes, replies, changes, merge, merge_apply) without
Excel: keys, what a fill-in carries, and the merge rules (three-way change detection,
conflicts, text fallback, one audited transaction, undo).

One file for the package: nearly every test issues a fill-in, builds a reply and
previews it with the helpers below, then checks one rule; split by module, each file
would need the same helpers."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from zwgk_desktop.core import exchange as X
from zwgk_desktop.core import unit_directory as D
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.evidence import attach_note
from zwgk_desktop.core.exchange import merge_apply
from zwgk_desktop.core.exchange.merge import NOT_LISTED_WHEN_ISSUED
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import assign_roles

SHA = "0123456789abcdef" * 4
Q3 = Quarter(2023, 3)
SENT = datetime(2023, 10, 1, 9, 0, tzinfo=UTC)
SAVED = datetime(2023, 10, 8, 9, 0, tzinfo=UTC)
TODAY = date(2023, 10, 9)
ROWS = [
    ("甲:公开决策目录。", "区发改局、区财政局"),  # shared: each unit reports its own part
    ("乙:规范政府网站。", "各镇(街道)"),
    ("丙:=SUM(A1) 公开预算。", "区财政局"),
    ("丁:公开发展规划。", "区发改局"),
    ("戊:公开价格监管信息。", "区发改局"),
]


@pytest.fixture
def plan(ledger: Ledger) -> int:
    tasks = [ParsedTask(seq=i + 1, section=["一、公开", "(一)决策"], title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline("12月底前", 2023), source_row=i + 3)
             for i, (req, units) in enumerate(ROWS)]
    parsed = ParsedPlan(title="2023年分解表", year=2023, columns=["工作任务", "具体要求", "责任单位", "完成时限"],
                        mapping={"heading": [0], "requirement": [1], "units": [2], "deadline": [3]},
                        tasks=tasks, sheet="Sheet1", source_name="t.xlsx")
    return write_plan(ledger, parsed, SHA).plan_id


def ids(ledger: Ledger, plan: int) -> list[int]:
    return ledger.task_ids(plan)


def issue(ledger: Ledger, plan: int, unit: str = "区发改局", quarter: Quarter = Q3) -> X.FillIn:
    """A fill-in as `zwgk fill-in` issues it: written down in the ledger."""
    fill = X.fill_in_for(ledger, plan, unit, quarter)
    X.record_issues(ledger, [(fill, fill.file_name)])
    return fill


def sent_of(fill: X.FillIn) -> dict[str, X.SentState]:
    """The workbook's own key sheet (what it says was sent)."""
    return {r.key: X.SentState(task_id=r.task_id, checksum=r.checksum, status=r.status.value,
                               status_date=r.status_date.isoformat() if r.status_date else "",
                               progress_checksum=r.progress_checksum) for r in fill.rows}


def reply(rows: list[X.ReplyRow], fill: X.FillIn | None = None, *, unit: str | None = None,
          saved: datetime = SAVED, name: str | None = None, quarter: Quarter | None = None,
          sent: dict[str, X.SentState] | None = None) -> X.Reply:
    """A reply to ``fill`` (None: a workbook this ledger has no record of)."""
    unit = unit if unit is not None else (fill.unit if fill else "区发改局")
    return X.Reply(path=Path(name or f"{unit}-2023年第三季度填报表.xlsx"), saved_at=saved, rows=rows, unit=unit,
                   quarter=quarter or Q3, plan_sha=SHA[:12], generated_at=SENT,
                   sent=sent if sent is not None else (sent_of(fill) if fill else {}),
                   issue_id=fill.issue_id if fill else None)


def key(task_id: int) -> str:
    return X.task_key(SHA, task_id)


def preview(ledger: Ledger, *replies: X.Reply) -> X.MergePreview:
    return X.preview_merge(ledger, list(replies), today=TODAY)


def describe(p: X.MergePreview) -> list[tuple]:
    return [(c.seq, c.field.value, c.old, c.new, c.conflict) for c in p.changes]


# -- keys and text --------------------------------------------------------------------------


def test_keys_round_trip_and_reject_junk() -> None:
    assert X.task_key(SHA, 17) == "zwgk:0123456789ab:17"
    assert X.parse_key(" zwgk:0123456789AB:17 ") == ("0123456789ab", 17)
    for junk in ("", None, "zwgk::17", "zwgk:xyz:17", "17", "zwgk:0123:abc"):
        assert X.parse_key(junk) is None


def test_text_checksum_ignores_white_space_and_width() -> None:
    assert X.squash_text(" 公开\n决策 目录\u3000(一) ") == "公开决策目录(一)"
    assert X.text_checksum("公开 决策\n目录") == X.text_checksum("公开决策目录")
    assert X.text_checksum("公开决策目录") != X.text_checksum("公开决策目录。")
    assert len(X.text_checksum("x")) == 12


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-09-20", date(2023, 9, 20)), ("2023/9/2", date(2023, 9, 2)), ("2023.09.20", date(2023, 9, 20)),
    ("2023年9月20日", date(2023, 9, 20)), ("20230920", date(2023, 9, 20)), ("9月20日", date(2023, 9, 20)),
    ("45189", date(2023, 9, 20)), ("", None), ("  ", None), ("２０２３－０９－２０", date(2023, 9, 20)),
])
def test_reply_dates(text: str, expected: date | None) -> None:
    assert X.parse_reply_date(text, 2023) == expected


@pytest.mark.parametrize("text", ["九月底", "2023-13-01", "下周", "9月20日x"])
def test_unreadable_reply_dates(text: str) -> None:
    with pytest.raises(ValueError):
        X.parse_reply_date(text, 2023)


def test_file_names_are_safe_on_windows() -> None:
    assert X.fill_in_file_name("区发改局", Q3) == "区发改局-2023年第三季度填报表.xlsx"
    # control characters, line breaks and direction overrides never reach a file name
    assert X.fill_in_file_name("城关\x1b镇", Q3) == "城关镇-2023年第三季度填报表.xlsx"
    assert X.fill_in_file_name("城关\n镇\x7f", Q3) == "城关 镇-2023年第三季度填报表.xlsx"
    assert X.fill_in_file_name("报送\u202eslx.exe", Q3) == "报送slx.exe-2023年第三季度填报表.xlsx"
    assert X.fill_in_file_name('a/b:c*?"<>|.', Q3) == "a_b_c______-2023年第三季度填报表.xlsx"
    assert X.fill_in_file_name("CON", Q3) == "_CON-2023年第三季度填报表.xlsx"
    assert X.fill_in_file_name("   ", Q3) == "未命名单位-2023年第三季度填报表.xlsx"


def test_default_quarter_follows_the_plan_year() -> None:
    assert X.default_quarter(2023, date(2023, 5, 1)) == Quarter(2023, 2)
    assert X.default_quarter(2023, date(2026, 5, 1)) == Quarter(2023, 4)
    assert X.plan_quarters(2023, date(2026, 1, 1)) == [Quarter(2023, n) for n in (4, 3, 2, 1)]


# -- send down ----------------------------------------------------------------------------------


def test_fill_in_lists_the_units_tasks_with_what_the_ledger_holds(ledger: Ledger, plan: int) -> None:
    t1, _, t3 = ids(ledger, plan)[:3]
    D.add_member(ledger, "各镇(街道)", "唐口街道")
    ledger.set_status(t3, Status.DONE, date(2023, 9, 20))
    ledger.set_progress(t3, Q3, "已公开。")
    finance = X.fill_in_for(ledger, plan, "区财政局", Q3, sender="区政府办")
    assert [(r.seq, r.role, r.status, r.status_date, r.progress, r.key, r.section) for r in finance.rows] == [
        (1, "配合", Status.NOT_STARTED, None, "", key(t1), "(一)决策"),
        (3, "牵头", Status.DONE, date(2023, 9, 20), "已公开。", key(t3), "(一)决策")]
    assert finance.rows[1].checksum == X.text_checksum(ROWS[2][0])
    assert finance.rows[1].progress_checksum == X.text_checksum("已公开。")
    assert finance.rows[0].units_text == "区发改局、区财政局"
    assert (finance.unit, finance.quarter, finance.sender, finance.file_name) == (
        "区财政局", Q3, "区政府办", "区财政局-2023年第三季度填报表.xlsx")
    town = X.fill_in_for(ledger, plan, "唐口街道", Q3)
    assert [(r.seq, r.role) for r in town.rows] == [(2, "牵头(作为各镇(街道)成员)")]


# -- gather up: changes ------------------------------------------------------------------------------


def test_changes_by_key_old_to_new(ledger: Ledger, plan: int) -> None:
    t4, t5 = ids(ledger, plan)[3:]
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), requirement=ROWS[3][0], status="已完成", done_on="2023年9月28日",
                       progress="规划已公开。", evidence="政府网站 9 月 28 日发布"),
            X.ReplyRow(row=5, key=key(t5), requirement=ROWS[4][0], status="未启动")]  # as sent: no change
    p = preview(ledger, reply(rows, fill))
    assert describe(p) == [
        (4, "status", "未启动", "已完成(2023-09-28)", None),
        (4, "progress", "", "规划已公开。", None),
        (4, "evidence", "", "政府网站 9 月 28 日发布", None)]
    assert [c.field_name for c in p.changes] == ["完成状态", "2023年第三季度进展", "佐证材料说明"]
    # The issue record has no evidence column: "not listed when issued", not "no issue record".
    assert [c.issued for c in p.changes] == ["未启动", "", NOT_LISTED_WHEN_ISSUED]
    assert p.changes[0].where == "区发改局 第 4 行"
    assert (p.unmatched, p.refused, p.problems, p.plan_ids) == ([], [], [], [plan])


def test_a_value_left_as_issued_does_not_undo_a_later_ledger_edit(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)  # issued as 未启动, no progress
    ledger.set_status(t4, Status.IN_PROGRESS, date(2023, 10, 2))
    ledger.set_progress(t4, Q3, "台账中的新进展。")
    rows = [X.ReplyRow(row=4, key=key(t4), status="未启动", progress="")]
    assert describe(preview(ledger, reply(rows, fill))) == []


def test_blank_cells_never_clear_and_equal_values_are_no_change(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    ledger.set_status(t4, Status.IN_PROGRESS, date(2023, 8, 1))
    ledger.set_progress(t4, Q3, "已推进。")
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), status="", progress="  "),
            X.ReplyRow(row=5, key=key(t4), status="推进中", progress="已 推进。")]
    p = preview(ledger, reply(rows, fill))
    assert describe(p) == []
    assert p.unchanged_rows == 1


def test_any_ledger_change_since_the_issue_is_a_conflict_whenever_the_reply_was_saved(
        ledger: Ledger, plan: int) -> None:
    """The reply is based on the fill-in as issued. The clerk's edit after
    issuing is a conflict even though the reply was saved later still."""
    t4, t5 = ids(ledger, plan)[3:]
    fill = issue(ledger, plan)
    ledger.set_status(t4, Status.IN_PROGRESS, date(2023, 10, 2))
    ledger.set_progress(t4, Q3, "台账里后来写的。")
    rows = [X.ReplyRow(row=4, key=key(t4), status="已完成", done_on="2023-09-30", progress="报送表里写的。"),
            X.ReplyRow(row=5, key=key(t5), status="推进中")]  # nothing changed there since: clean
    later = datetime.now(UTC) + timedelta(minutes=5)  # saved after the clerk's edit
    p = preview(ledger, reply(rows, fill, saved=later))
    assert [(c.seq, c.field.value, c.issued, c.old, c.new) for c in p.changes] == [
        (4, "status", "未启动", "推进中", "已完成(2023-09-30)"),
        (4, "progress", "", "台账里后来写的。", "报送表里写的。"),
        (5, "status", "未启动", "未启动", "推进中")]
    assert p.changes[0].conflict == "下发后台账中的完成状态已改变(下发时“未启动”,现在“推进中”)"
    assert p.changes[1].conflict.startswith("下发后台账中2023年第三季度的进展已修改")
    assert p.changes[2].conflict is None
    result = X.apply_merge(ledger, p.changes)  # not without the clerk's choice
    assert [c.seq for c in result.applied] == [5] and len(result.skipped_conflicts) == 2
    assert ledger.task(t4).status == Status.IN_PROGRESS
    assert ledger.task(t4).progress[0].text == "台账里后来写的。"


def test_another_units_merged_status_is_a_conflict(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    ndrc, finance = issue(ledger, plan, "区发改局"), issue(ledger, plan, "区财政局")
    first = preview(ledger, reply([X.ReplyRow(row=4, key=key(t1), status="推进中")], finance))
    assert X.apply_merge(ledger, first.changes).task_ids == [t1]
    late = preview(ledger, reply([X.ReplyRow(row=4, key=key(t1), status="已完成", done_on="2023-09-30")], ndrc))
    assert [(c.issued, c.old, c.new) for c in late.changes] == [("未启动", "推进中", "已完成(2023-09-30)")]
    assert late.changes[0].conflict == "下发后台账中的完成状态已改变(下发时“未启动”,现在“推进中”)"


def test_two_units_notes_for_one_task_are_both_kept(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    ledger.set_progress(t1, Q3, "已部署。")  # the clerk's own words stay in front
    ndrc, finance = issue(ledger, plan, "区发改局"), issue(ledger, plan, "区财政局")
    assert [r.progress for r in ndrc.rows if r.task_id == t1] == [""]  # a unit is shown its own part
    a = reply([X.ReplyRow(row=4, key=key(t1), progress="发改局说的。")], ndrc, name="a.xlsx")
    b = reply([X.ReplyRow(row=4, key=key(t1), progress="【区财政局】财政局说的。")], finance, name="b.xlsx",
              saved=SAVED + timedelta(hours=1))
    p = preview(ledger, a)
    assert [(c.field_name, c.old, c.new, c.conflict) for c in p.changes] == [
        ("2023年第三季度进展(【区发改局】部分)", "", "发改局说的。", None)]
    X.apply_merge(ledger, p.changes)
    p = preview(ledger, b)  # the other unit's part merged meanwhile: not a change to this one
    assert [(c.part_of, c.old, c.new, c.conflict) for c in p.changes] == [("区财政局", "", "财政局说的。", None)]
    X.apply_merge(ledger, p.changes)
    assert ledger.task(t1).progress[0].text == "已部署。\n【区发改局】发改局说的。\n【区财政局】财政局说的。"
    # Next quarter's round: each unit sees and changes only its own part.
    again = issue(ledger, plan, "区发改局")
    assert [r.progress for r in again.rows if r.task_id == t1] == ["发改局说的。"]
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t1), progress="发改局补充的。")], again))
    assert [(c.old, c.new, c.conflict) for c in p.changes] == [("发改局说的。", "发改局补充的。", None)]
    X.apply_merge(ledger, p.changes)
    assert ledger.task(t1).progress[0].text == "已部署。\n【区发改局】发改局补充的。\n【区财政局】财政局说的。"


def test_two_units_in_one_merge_keep_both_notes(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    ndrc, finance = issue(ledger, plan, "区发改局"), issue(ledger, plan, "区财政局")
    a = reply([X.ReplyRow(row=4, key=key(t1), status="已完成", progress="甲说的。")], ndrc, name="a.xlsx")
    b = reply([X.ReplyRow(row=6, key=key(t1), status="已完成", progress="乙说的。")], finance, name="b.xlsx",
              saved=SAVED + timedelta(hours=1))
    p = preview(ledger, a, b)
    assert [(c.unit, c.field.value, c.conflict, c.note) for c in p.changes] == [
        ("区发改局", "status", None, "区财政局填报相同"),
        ("区发改局", "progress", None, None),
        ("区财政局", "progress", None, None)]
    X.apply_merge(ledger, p.changes)
    assert ledger.task(t1).progress[0].text == "【区发改局】甲说的。\n【区财政局】乙说的。"


def test_one_units_two_replies_disagreeing_are_both_conflicts(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    a = reply([X.ReplyRow(row=4, key=key(t4), progress="初稿。")], fill, name="a.xlsx")
    b = reply([X.ReplyRow(row=6, key=key(t4), progress="定稿。")], fill, name="b.xlsx")
    p = preview(ledger, a, b)
    assert [(c.source, c.conflict) for c in p.changes] == [
        ("a.xlsx", "与其他报送表不一致:区发改局(牵头) 第 6 行填“定稿。”,只能选其一(牵头单位:区发改局)"),
        ("b.xlsx", "与其他报送表不一致:区发改局(牵头) 第 4 行填“初稿。”,只能选其一(牵头单位:区发改局)")]


def test_a_reply_without_an_issue_record_is_held_back(ledger: Ledger, plan: int) -> None:
    """A workbook of an older version (or another ledger): only its unit's tasks, and
    every change waits for the clerk's choice."""
    t1, _, t3, t4, _ = ids(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), status="推进中", progress="写了。", evidence="有材料"),
            X.ReplyRow(row=5, key=key(t3), status="已完成")]  # 区财政局's task
    p = preview(ledger, reply(rows, name="旧.xlsx"))
    assert [(c.seq, c.field.value, c.issued, c.conflict) for c in p.changes] == [
        (4, "status", None, X.NO_RECORD), (4, "progress", None, X.NO_RECORD), (4, "evidence", None, X.NO_RECORD)]
    assert p.problems == ["旧.xlsx:表中没有下发编号(可能由旧版本程序生成,或隐藏的编码工作表被删除)。"
                          "只对应“区发改局”现有的任务,每一处修改都列为冲突,请逐项核对后再写入。"]
    assert [(r.row, r.reason) for r in p.refused] == [
        (5, "序号 3 不是“区发改局”的任务(该单位在分解表中没有这项任务),未汇总")]
    assert X.apply_merge(ledger, p.changes).applied == []
    nameless = preview(ledger, reply(rows, unit="", name="无名.xlsx"))
    assert nameless.changes == [] and nameless.refused[0].reason.endswith("表中也没有注明填报单位,无法确认它可以修改哪些任务")
    assert nameless.refused[0].where == "无名.xlsx"


def test_text_fallback_when_the_key_is_gone_or_contradicts(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=None, requirement="丁:公开发展\n规划。", progress="按内容对应。"),
            X.ReplyRow(row=5, key=key(t4), requirement=ROWS[4][0], progress="编码被错位。")]
    p = preview(ledger, reply(rows, fill))
    assert [(c.seq, c.matched_by, c.note) for c in p.changes] == [
        (4, "text", "编码缺失,已按任务内容对应"), (5, "text-over-key", "编码与任务内容不一致,已按任务内容对应")]


def test_rows_that_cannot_be_matched_are_reported(ledger: Ledger, plan: int) -> None:
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=7, key=None, requirement="其他工作:自行增加的一行。", progress="做了别的。"),
            X.ReplyRow(row=8, key="zwgk:0123456789ab:999", progress="编码指向不存在的任务"),
            X.ReplyRow(row=9, key="乱写的编码", requirement="", progress="x"),
            X.ReplyRow(row=10)]  # an empty row says nothing
    p = preview(ledger, reply(rows, fill))
    assert p.changes == []
    assert [(u.row, u.text, u.reason) for u in p.unmatched] == [
        (7, "其他工作:自行增加的一行。", "没有编码,任务内容在台账中找不到(可能被修改过)"),
        (8, "zwgk:0123456789ab:999", "编码对应的任务已不在台账中"),
        (9, "乱写的编码", "编码无法识别")]


def test_unreadable_status_and_date_are_reported(ledger: Ledger, plan: int) -> None:
    t1, _, _, t4, t5 = ids(ledger, plan)
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), status="基本完成", progress="写了进展。"),
            X.ReplyRow(row=5, key=key(t5), status="已完成", done_on="九月底"),
            X.ReplyRow(row=6, key=key(t1), status="推进中", done_on="2023-09-01")]
    p = preview(ledger, reply(rows, fill, name="r.xlsx"))
    assert p.problems == [
        "r.xlsx 第 4 行:无法识别的完成状态“基本完成”(应为未启动、推进中、已完成、不适用之一),该行的状态未汇总。",
        "r.xlsx 第 5 行:无法识别的完成时间“九月底”,请写成 2023-09-20 这样的日期。",
        "r.xlsx 第 6 行:填写了完成时间 2023-09-01,但完成状态不是“已完成”,完成时间未汇总。"]
    assert describe(p) == [(1, "status", "未启动", "推进中", None), (4, "progress", "", "写了进展。", None),
                           (5, "status", "未启动", "已完成(2023-09-30)", None)]  # undated: the quarter's last day


def test_a_completion_date_in_the_future_is_a_conflict(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), status="已完成", done_on="2023-12-31")]
    assert describe(preview(ledger, reply(rows, fill))) == [
        (4, "status", "未启动", "已完成(2023-12-31)", "完成时间 2023-12-31 在今天之后,请核对")]


def test_only_keeps_the_chosen_tasks(ledger: Ledger, plan: int) -> None:
    t4, t5 = ids(ledger, plan)[3:]
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), progress="四"), X.ReplyRow(row=5, key=key(t5), progress="五")]
    p = preview(ledger, reply(rows, fill)).only({5})
    assert [(c.seq, c.new) for c in p.changes] == [(5, "五")]


def test_notes_already_recorded_are_not_added_again(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    attach_note(ledger, t4, "政府网站发布", Q3)
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), evidence="政府网站 发布")]
    assert describe(preview(ledger, reply(rows, fill))) == []


# -- gather up: what a reply may change ----------------------------------------------------


def test_keys_pointing_at_another_units_task_are_refused(ledger: Ledger, plan: int) -> None:
    t3, t4 = ids(ledger, plan)[2:4]
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t3), requirement=ROWS[2][0], status="已完成", progress="改到财政局的任务上"),
            X.ReplyRow(row=5, key=None, requirement=ROWS[2][0], progress="按内容也对应到财政局的任务"),
            X.ReplyRow(row=6, key=key(t4), progress="自己的任务。")]
    p = preview(ledger, reply(rows, fill))
    assert [(c.seq, c.new) for c in p.changes] == [(4, "自己的任务。")]
    assert [(r.row, r.reason) for r in p.refused] == [
        (4, "序号 3 不是“区发改局”的任务(下发给该单位的填报表中没有这一项),未汇总"),
        (5, "序号 3 不是“区发改局”的任务(下发给该单位的填报表中没有这一项),未汇总")]
    X.apply_merge(ledger, p.changes, force=True)
    assert ledger.task(t3).status == Status.NOT_STARTED and ledger.task(t3).progress == []


def test_a_task_given_to_the_unit_after_the_issue_is_refused(ledger: Ledger, plan: int) -> None:
    """The record decides, not today's assignment: a group joined later was not issued."""
    t2 = ids(ledger, plan)[1]
    fill = issue(ledger, plan)
    D.add_member(ledger, "各镇(街道)", "区发改局")
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t2), progress="后来加的。")], fill))
    assert p.changes == [] and [r.row for r in p.refused] == [4]


def test_a_key_sheet_edited_to_another_quarter_or_unit_is_refused(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), status="已完成", progress="写到 2030 年去。")]
    p = preview(ledger, reply(rows, fill, quarter=Quarter(2030, 4), name="改过.xlsx"))
    assert p.changes == []
    [refused] = p.refused
    assert (refused.where, refused.text) == ("改过.xlsx", "全部 1 行")
    assert refused.reason.startswith("表中注明的季度“2030年第四季度”与下发记录不符(这份填报表于 ")
    assert "下发给“区发改局”,填报2023年第三季度" in refused.reason
    p = preview(ledger, reply(rows, fill, unit="区财政局"))
    assert p.changes == [] and p.refused[0].reason.startswith("表中注明的单位“区财政局”与下发记录不符")


def test_a_2023_reply_is_not_merged_into_a_2024_plan(ledger: Ledger, plan: int) -> None:
    """The same tasks re-issued for 2024: a 2023 reply finds them by text, but is refused."""
    tasks = [ParsedTask(seq=i + 1, section=[], title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline("12月底前", 2024), source_row=i + 3)
             for i, (req, units) in enumerate(ROWS)]
    parsed = ParsedPlan(title="2024年分解表", year=2024, columns=["具体要求", "责任单位"],
                        mapping={"requirement": [0], "units": [1]}, tasks=tasks, sheet="Sheet1",
                        source_name="2024.xlsx")
    plan_2024 = write_plan(ledger, parsed, "f" * 64).plan_id
    t4_2024 = ledger.task_ids(plan_2024)[3]
    rows = [X.ReplyRow(row=4, key=None, requirement=ROWS[3][0], status="已完成", progress="2023 年做的。")]
    # its key sheet gone (no plan, no issue id); the 2023 quarter printed on the sheet
    old = X.Reply(path=Path("2023.xlsx"), saved_at=SAVED, rows=rows, unit="区发改局", quarter=Q3)
    p = X.preview_merge(ledger, [old], plan_id=plan_2024, today=TODAY)
    assert p.changes == []
    assert p.refused[0].reason == ("报送表填报的是2023年第三季度,不属于2024年的分解表《2024年分解表》;"
                                   "往年的报送表不汇总到新一年的分解表中")
    # its key sheet names the 2023 plan, which this ledger no longer holds
    gone = X.Reply(path=Path("2023.xlsx"), saved_at=SAVED, rows=rows, unit="区发改局", quarter=Q3,
                   plan_sha="abcdefabcdef")
    p = X.preview_merge(ledger, [gone], plan_id=plan_2024, today=TODAY)
    assert p.changes == [] and p.refused[0].reason.startswith("这份报送表所属的分解表不在本台账中")
    # issued from the 2023 plan: it stays there, whatever its texts match
    fill = issue(ledger, plan)
    p = X.preview_merge(ledger, [reply(rows, fill)], today=TODAY)
    assert {c.plan_id for c in p.changes} == {plan}
    p = X.preview_merge(ledger, [reply(rows, fill)], plan_id=plan_2024, today=TODAY)
    assert p.changes == [] and "不是指定的分解表" in p.problems[-1]
    assert ledger.task(t4_2024).progress == []


def test_a_key_naming_a_task_of_another_plan_is_refused(ledger: Ledger, plan: int) -> None:
    fill = issue(ledger, plan)
    other = ParsedPlan(title="另一表", year=2023, columns=["具体要求", "责任单位"],
                       mapping={"requirement": [0], "units": [1]}, sheet="Sheet1", source_name="o.xlsx",
                       tasks=[ParsedTask(seq=1, section=[], title=None, requirement="其他。", units_text="区发改局",
                                         units=assign_roles("区发改局"), deadline=parse_deadline("年底前", 2023),
                                         source_row=2)])
    other_id = write_plan(ledger, other, "e" * 64).plan_id
    foreign = ledger.task_ids(other_id)[0]
    p = preview(ledger, reply([X.ReplyRow(row=4, key=X.task_key("e" * 64, foreign), progress="串到别的表")], fill))
    assert p.changes == [] and p.refused[0].reason == f"编码指向分解表 {other_id} 中的任务,不是这份报送表所属的分解表,未汇总"


# -- gather up: applying -------------------------------------------------------------------------------


def test_the_merge_writes_tasks_only_through_the_shared_writers() -> None:
    """Statuses, notes and evidence change through the writers every other change uses
    (their checks, their audit); the merge's own SQL writes only its undo record."""
    source = inspect.getsource(merge_apply) + inspect.getsource(X.merge)
    written = set(re.findall(r"(?:INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)", source))
    assert written == {"merges", "merge_changes"}


def test_apply_writes_clean_changes_in_one_transaction_with_audit_rows(ledger: Ledger, plan: int) -> None:
    t4, t5 = ids(ledger, plan)[3:]
    fill = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), status="已完成", done_on="2023-09-28", progress="完成了。",
                       evidence="见网站"),
            X.ReplyRow(row=5, key=key(t5), status="已完成", done_on="2023-12-31")]  # future: conflict
    p = preview(ledger, reply(rows, fill))
    before = len(ledger.audit_log(10_000))
    result = X.apply_merge(ledger, p.changes)
    assert [(c.seq, c.field.value) for c in result.applied] == [(4, "status"), (4, "progress"), (4, "evidence")]
    assert [(c.seq, c.field.value) for c in result.skipped_conflicts] == [(5, "status")]
    task = ledger.task(t4)
    assert (task.status, task.status_date) == (Status.DONE, date(2023, 9, 28))
    assert [(pr.quarter, pr.text, pr.status) for pr in task.progress] == [("2023Q3", "完成了。", "已完成")]
    assert [(e.kind, e.name, e.quarter) for e in task.evidence] == [("note", "见网站", "2023Q3")]
    assert ledger.task(t5).status == Status.NOT_STARTED
    log = ledger.audit_log(10_000)
    assert len(log) == before + 4
    assert [e.action for e in log[:4]] == ["汇总报送表", "添加佐证材料(汇总:区发改局)", "填写进展(汇总:区发改局)",
                                           "设置状态(汇总:区发改局)"]
    assert log[0].after == {"merge": result.merge_id, "files": ["区发改局-2023年第三季度填报表.xlsx"],
                            "changes": 3, "tasks": 1}
    assert result.task_ids == [t4]
    assert [(m.id, m.files, m.changes, m.undone) for m in X.merge_history(ledger)] == [
        (result.merge_id, ["区发改局-2023年第三季度填报表.xlsx"], 3, False)]


def test_a_corrected_completion_date_changes_the_date(ledger: Ledger, plan: int) -> None:
    t4 = ids(ledger, plan)[3]
    ledger.set_status(t4, Status.DONE, date(2023, 9, 28))
    fill = issue(ledger, plan)
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t4), status="已完成", done_on="2023-09-20")], fill))
    X.apply_merge(ledger, p.changes)
    assert ledger.task(t4).status_date == date(2023, 9, 20)
    X.undo_merge(ledger)
    assert ledger.task(t4).status_date == date(2023, 9, 28)


def test_force_never_lets_the_latest_reply_win_silently(ledger: Ledger, plan: int) -> None:
    """Two different values for one slot are the clerk's choice: ``force`` writes the
    chosen conflicts, but refuses two rivals rather than keep the later-saved one."""
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    a = reply([X.ReplyRow(row=4, key=key(t4), progress="早的。")], fill, name="a.xlsx")
    b = reply([X.ReplyRow(row=4, key=key(t4), progress="晚的。")], fill, name="b.xlsx",
              saved=SAVED + timedelta(days=1))
    p = preview(ledger, b, a)
    assert X.apply_merge(ledger, p.changes).applied == []
    before = dump(ledger)
    with pytest.raises(UserError, match="同一项只能选其一"):
        X.apply_merge(ledger, p.changes, force=True)
    assert dump(ledger) == before
    early = next(c for c in p.changes if c.new == "早的。")
    result = X.apply_merge(ledger, [early], force=True)  # the clerk chose the earlier one
    assert [c.new for c in result.applied] == ["早的。"] and result.superseded == []
    assert ledger.task(t4).progress[0].text == "早的。"


def test_a_change_made_after_the_preview_is_not_overwritten(ledger: Ledger, plan: int) -> None:
    t4, t5 = ids(ledger, plan)[3:]
    fill = issue(ledger, plan)
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t4), progress="报送的。"),
                               X.ReplyRow(row=5, key=key(t5), status="推进中")], fill))
    ledger.set_progress(t4, Q3, "预览之后刚写的。")
    result = X.apply_merge(ledger, p.changes)
    assert [(c.seq, c.field.value) for c in result.outdated] == [(4, "progress")]
    assert [(c.seq, c.field.value) for c in result.applied] == [(5, "status")]
    assert ledger.task(t4).progress[0].text == "预览之后刚写的。"


def test_a_failure_half_way_leaves_the_ledger_unchanged(ledger: Ledger, plan: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    t4, t5 = ids(ledger, plan)[3:]
    fill = issue(ledger, plan)
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t4), status="推进中"),
                               X.ReplyRow(row=5, key=key(t5), status="推进中")], fill))
    before = dump(ledger)
    real = merge_apply._write
    calls = []

    def failing(led: Ledger, change: X.Change, merge_id: int, task=None) -> None:
        calls.append(change.seq)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(led, change, merge_id, task)

    monkeypatch.setattr(merge_apply, "_write", failing)
    with pytest.raises(RuntimeError):
        X.apply_merge(ledger, p.changes)
    assert calls == [4, 5]
    assert dump(ledger) == before
    assert ledger.task(t4).status == Status.NOT_STARTED


def dump(ledger: Ledger) -> list[str]:
    """Every row that matters (the automatic backups live outside the database)."""
    return [line for line in ledger.db.conn.iterdump()]


# -- undoing a merge --------------------------------------------------------------------------


def merged(ledger: Ledger, plan: int) -> X.ApplyResult:
    t1, t4 = ids(ledger, plan)[0], ids(ledger, plan)[3]
    ndrc = issue(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t4), status="已完成", done_on="2023-09-28", progress="完成了。",
                       evidence="见网站"),
            X.ReplyRow(row=5, key=key(t1), progress="发改局的部分。")]
    result = X.apply_merge(ledger, preview(ledger, reply(rows, ndrc)).changes)
    assert len(result.applied) == 4
    return result


def state(ledger: Ledger, plan: int) -> list[tuple]:
    return [(t.seq, t.status.value, t.status_date, [(p.quarter, p.text) for p in t.progress],
             [e.name for e in t.evidence]) for t in ledger.tasks(plan)]


def test_undo_restores_every_value_the_merge_changed(ledger: Ledger, plan: int) -> None:
    t1, t4 = ids(ledger, plan)[0], ids(ledger, plan)[3]
    ledger.set_status(t4, Status.IN_PROGRESS, date(2023, 8, 1))
    ledger.set_progress(t1, Q3, "已部署。")
    original = state(ledger, plan)
    result = merged(ledger, plan)
    assert ledger.task(t1).progress[0].text == "已部署。\n【区发改局】发改局的部分。"
    undo = X.undo_merge(ledger)
    assert (undo.merge_id, undo.complete, undo.edited, undo.task_ids) == (result.merge_id, True, [], [t1, t4])
    assert len(undo.restored) == 4
    assert state(ledger, plan) == original
    assert ledger.status_history(t4)[-1].status == Status.IN_PROGRESS  # the merge's entry is gone
    log = ledger.audit_log(20)
    assert log[0].action == "撤销汇总" and log[0].entity_id == result.merge_id
    assert sum(1 for e in log if e.action == "撤销汇总") == 1
    assert X.merge_history(ledger)[0].undone
    with pytest.raises(UserError, match="没有可以撤销的汇总"):
        X.undo_merge(ledger)
    with pytest.raises(UserError, match="已经撤销过了"):
        X.undo_merge(ledger, result.merge_id)
    with pytest.raises(UserError, match="没有编号为 99 的汇总"):
        X.undo_merge(ledger, 99)


def test_undo_leaves_values_edited_since_unless_forced(ledger: Ledger, plan: int) -> None:
    t1, t4 = ids(ledger, plan)[0], ids(ledger, plan)[3]
    merged(ledger, plan)
    ledger.set_progress(t4, Q3, "汇总后台账里又改了。")
    finance = issue(ledger, plan, "区财政局")  # another unit's part added later is not an edit of this one
    X.apply_merge(ledger, preview(ledger, reply([X.ReplyRow(row=4, key=key(t1), progress="财政局的。")],
                                                finance)).changes)
    undo = X.undo_merge(ledger, X.merge_history(ledger)[1].id)
    assert undo.edited == ["序号 4“丁:公开发展规划。” 2023年第三季度进展:汇总后又被修改,现在是“汇总后台账里又改了。”"]
    assert not undo.complete
    task = ledger.task(t4)
    assert (task.status, task.evidence, task.progress[0].text) == (Status.NOT_STARTED, [], "汇总后台账里又改了。")
    assert ledger.task(t1).progress[0].text == "【区财政局】财政局的。"  # the other unit's part stays
    assert not X.merge_history(ledger)[1].undone
    again = X.undo_merge(ledger, X.merge_history(ledger)[1].id, force=True)
    assert (again.edited, len(again.restored)) == ([], 1)
    assert ledger.task(t4).progress == []
    assert X.merge_history(ledger)[1].undone and not X.merge_history(ledger)[0].undone


def test_undo_that_fails_half_way_changes_nothing(ledger: Ledger, plan: int, monkeypatch: pytest.MonkeyPatch) -> None:
    merged(ledger, plan)
    before = dump(ledger)
    real, calls = merge_apply._undo_one, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(merge_apply, "_undo_one", failing)
    with pytest.raises(RuntimeError):
        X.undo_merge(ledger)
    assert dump(ledger) == before


def test_issue_records_store_what_was_sent(ledger: Ledger, plan: int) -> None:
    t1, t4 = ids(ledger, plan)[0], ids(ledger, plan)[3]
    ledger.set_status(t4, Status.DONE, date(2023, 9, 20))
    ledger.set_progress(t4, Q3, "已公开。")
    fill = issue(ledger, plan)
    [record] = X.issue_records(ledger, [fill.issue_id, "unknown"]).values()
    assert (record.unit, record.quarter, record.plan_id, record.issued_at) == ("区发改局", Q3, plan, fill.generated_at)
    assert sorted(record.tasks) == [t1, ids(ledger, plan)[3], ids(ledger, plan)[4]]
    sent = record.tasks[t4]
    assert (sent.status, sent.status_date, sent.progress_sent, sent.status_text) == (
        "已完成", "2023-09-20", "已公开。", "已完成(2023-09-20)")
    assert ledger.audit_log(1)[0].action == "下发填报表"


def test_a_reply_for_a_task_withdrawn_since_it_was_sent_is_refused(ledger: Ledger, plan: int) -> None:
    """The superior's revised table withdrew a task after the fill-in went out: the
    unit's answer for it is refused with the reason, never written to the 已取消 task."""
    t4, t5 = ids(ledger, plan)[3:]
    fill = issue(ledger, plan)
    ledger.set_status(t5, Status.CANCELLED, date(2023, 8, 1), origin="修订")
    rows = [X.ReplyRow(row=4, key=key(t4), requirement=ROWS[3][0], progress="规划已公开。"),
            X.ReplyRow(row=5, key=key(t5), requirement=ROWS[4][0], status="已完成", done_on="2023-09-01")]
    p = preview(ledger, reply(rows, fill))
    assert describe(p) == [(4, "progress", "", "规划已公开。", None)]
    assert [(u.row, u.reason) for u in p.refused] == [(5, "序号 5 已被上级修订取消,未汇总(内容仍保留在台账中)")]


def test_a_merged_evidence_note_names_its_unit_in_the_audit(ledger: Ledger, plan: int) -> None:
    """Every change a merge writes says where it came from, the 佐证材料说明 too."""
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t4), requirement=ROWS[3][0], evidence="公开栏照片")], fill))
    X.apply_merge(ledger, p.changes)
    actions = [e.action for e in ledger.audit_log(20)]
    assert "添加佐证材料(汇总:区发改局)" in actions


def test_a_unit_cannot_withdraw_a_task_by_typing_its_status(ledger: Ledger, plan: int) -> None:
    """已取消 is not among a fill-in's choices; typed in anyway, it is reported, not written."""
    t4 = ids(ledger, plan)[3]
    fill = issue(ledger, plan)
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t4), requirement=ROWS[3][0], status="已取消")], fill))
    assert describe(p) == []
    assert any("无法识别的完成状态“已取消”" in problem for problem in p.problems)
