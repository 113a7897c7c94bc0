"""Exchange logic without Excel: keys, what a fill-in carries, and the merge rules
(three-way change detection, conflicts, text fallback, one audited transaction)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from zwgk_desktop.core import exchange as X
from zwgk_desktop.core import ledger as ledger_module
from zwgk_desktop.core import unit_directory as D
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.evidence import attach_note
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
    ("甲:公开决策目录。", "区发改局、区财政局"),
    ("乙:规范政府网站。", "各镇(街道)"),
    ("丙:=SUM(A1) 公开预算。", "区财政局"),
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


def sent_state(ledger: Ledger, task_id: int) -> X.SentState:
    task = ledger.task(task_id)
    progress = next((p.text for p in task.progress if p.quarter == str(Q3)), "")
    return X.SentState(task_id=task_id, checksum=X.text_checksum(task.requirement), status=task.status.value,
                       status_date=task.status_date.isoformat() if task.status == Status.DONE and task.status_date else "",
                       progress_checksum=X.text_checksum(progress))


def reply(rows: list[X.ReplyRow], *, sent: dict[str, X.SentState] | None = None, unit: str = "区发改局",
          saved: datetime = SAVED, name: str = "区发改局-2023年第三季度填报表.xlsx") -> X.Reply:
    return X.Reply(path=Path(name), saved_at=saved, rows=rows, unit=unit, quarter=Q3, plan_sha=SHA[:12],
                   sent=sent or {}, generated_at=SENT)


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
    assert X.fill_in_file_name('a/b:c*?"<>|.', Q3) == "a_b_c______-2023年第三季度填报表.xlsx"
    assert X.fill_in_file_name("CON", Q3) == "_CON-2023年第三季度填报表.xlsx"
    assert X.fill_in_file_name("   ", Q3) == "未命名单位-2023年第三季度填报表.xlsx"


def test_default_quarter_follows_the_plan_year() -> None:
    assert X.default_quarter(2023, date(2023, 5, 1)) == Quarter(2023, 2)
    assert X.default_quarter(2023, date(2026, 5, 1)) == Quarter(2023, 4)
    assert X.plan_quarters(2023, date(2026, 1, 1)) == [Quarter(2023, n) for n in (4, 3, 2, 1)]


# -- send down ----------------------------------------------------------------------------------


def test_fill_in_lists_the_units_tasks_with_what_the_ledger_holds(ledger: Ledger, plan: int) -> None:
    t1, _, t3 = ids(ledger, plan)
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


def test_evidence_text_lists_names_addresses_and_notes(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    attach_note(ledger, t1, "已在公开栏张贴", Quarter(2023, 2))
    ledger.db.execute("INSERT INTO evidence (task_id, quarter, kind, name, url, added_at, added_by)"
                      " VALUES (?, '2023Q3', 'url', '目录公开', 'http://x.gov.cn/a', 't', 'u')", [t1])
    ledger.db.execute("INSERT INTO evidence (task_id, quarter, kind, name, sha256, added_at, added_by)"
                      " VALUES (?, '2023Q4', 'file', '通知.pdf', 'ab', 't', 'u')", [t1])
    items = ledger.task(t1).evidence
    assert X.evidence_text(items) == "已在公开栏张贴\n目录公开 http://x.gov.cn/a\n通知.pdf"
    assert X.evidence_text(items, Q3) == "已在公开栏张贴\n目录公开 http://x.gov.cn/a"


# -- gather up: changes ------------------------------------------------------------------------------


def test_changes_by_key_old_to_new(ledger: Ledger, plan: int) -> None:
    t1, _, t3 = ids(ledger, plan)
    sent = {key(t1): sent_state(ledger, t1), key(t3): sent_state(ledger, t3)}
    rows = [X.ReplyRow(row=4, key=key(t1), requirement=ROWS[0][0], status="已完成", done_on="2023年9月28日",
                       progress="目录已公开。", evidence="政府网站 9 月 28 日发布"),
            X.ReplyRow(row=5, key=key(t3), requirement=ROWS[2][0], status="未启动")]  # as sent: no change
    p = preview(ledger, reply(rows, sent=sent))
    assert describe(p) == [
        (1, "status", "未启动", "已完成(2023-09-28)", None),
        (1, "progress", "", "目录已公开。", None),
        (1, "evidence", "", "政府网站 9 月 28 日发布", None)]
    assert [c.field_name for c in p.changes] == ["完成状态", "2023年第三季度进展", "佐证材料说明"]
    assert p.changes[0].where == "区发改局 第 4 行"
    assert (p.unmatched, p.problems, p.plan_ids) == ([], [], [plan])


def test_a_value_left_as_sent_does_not_undo_a_later_ledger_edit(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    sent = {key(t1): sent_state(ledger, t1)}  # sent as 未启动, no progress
    ledger.set_status(t1, Status.IN_PROGRESS, date(2023, 10, 2))
    ledger.set_progress(t1, Q3, "台账中的新进展。")
    rows = [X.ReplyRow(row=4, key=key(t1), status="未启动", progress="")]
    assert describe(preview(ledger, reply(rows, sent=sent))) == []


def test_blank_cells_never_clear_and_equal_values_are_no_change(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    ledger.set_status(t1, Status.IN_PROGRESS, date(2023, 8, 1))
    ledger.set_progress(t1, Q3, "已推进。")
    rows = [X.ReplyRow(row=4, key=key(t1), status="", progress="  "),
            X.ReplyRow(row=5, key=key(t1), status="推进中", progress="已 推进。")]
    p = preview(ledger, reply(rows))
    assert describe(p) == []
    assert p.unchanged_rows == 1


def test_without_sent_state_every_difference_is_a_change(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    ledger.set_status(t1, Status.IN_PROGRESS, date(2023, 8, 1))
    rows = [X.ReplyRow(row=4, key=key(t1), status="未启动")]
    newer = datetime.now(UTC) + timedelta(minutes=5)  # saved after the ledger's change
    p = preview(ledger, reply(rows, saved=newer))
    assert describe(p) == [(1, "status", "推进中", "未启动", None)]
    assert p.changes[0].on == TODAY  # the reply's day, but never after today
    older = preview(ledger, reply(rows, saved=SAVED))  # saved before it: the ledger is newer
    assert older.changes[0].conflict is not None and older.changes[0].conflict.startswith("台账中的完成状态于")


def test_text_fallback_when_the_key_is_gone_or_contradicts(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    rows = [X.ReplyRow(row=4, key=None, requirement="甲:公开决策\n目录。", progress="按内容对应。"),
            X.ReplyRow(row=5, key=key(t1), requirement=ROWS[1][0], progress="编码被错位。")]
    p = preview(ledger, reply(rows))
    assert [(c.seq, c.matched_by, c.note) for c in p.changes] == [
        (1, "text", "编码缺失,已按任务内容对应"), (2, "text-over-key", "编码与任务内容不一致,已按任务内容对应")]


def test_rows_that_cannot_be_matched_are_reported(ledger: Ledger, plan: int) -> None:
    rows = [X.ReplyRow(row=7, key=None, requirement="其他工作:自行增加的一行。", progress="做了别的。"),
            X.ReplyRow(row=8, key="zwgk:0123456789ab:999", progress="编码指向不存在的任务"),
            X.ReplyRow(row=9, key="乱写的编码", requirement="", progress="x"),
            X.ReplyRow(row=10)]  # an empty row says nothing
    p = preview(ledger, reply(rows))
    assert p.changes == []
    assert [(u.row, u.text, u.reason) for u in p.unmatched] == [
        (7, "其他工作:自行增加的一行。", "没有编码,任务内容在台账中找不到(可能被修改过)"),
        (8, "zwgk:0123456789ab:999", "编码对应的任务已不在台账中"),
        (9, "乱写的编码", "编码无法识别")]


def test_unreadable_status_and_date_are_reported(ledger: Ledger, plan: int) -> None:
    t1, t2 = ids(ledger, plan)[:2]
    t3 = ids(ledger, plan)[2]
    rows = [X.ReplyRow(row=4, key=key(t1), status="基本完成", progress="写了进展。"),
            X.ReplyRow(row=5, key=key(t2), status="已完成", done_on="九月底"),
            X.ReplyRow(row=6, key=key(t3), status="推进中", done_on="2023-09-01")]
    p = preview(ledger, reply(rows, name="r.xlsx"))
    assert p.problems == [
        "r.xlsx 第 4 行:无法识别的完成状态“基本完成”(应为未启动、推进中、已完成、不适用之一),该行的状态未汇总。",
        "r.xlsx 第 5 行:无法识别的完成时间“九月底”,请写成 2023-09-20 这样的日期。",
        "r.xlsx 第 6 行:填写了完成时间 2023-09-01,但完成状态不是“已完成”,完成时间未汇总。"]
    assert describe(p) == [(1, "progress", "", "写了进展。", None), (2, "status", "未启动", "已完成(2023-10-08)", None),
                           (3, "status", "未启动", "推进中", None)]


def test_a_reply_older_than_the_ledger_is_a_conflict(ledger: Ledger, plan: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    t1 = ids(ledger, plan)[0]
    sent = {key(t1): sent_state(ledger, t1)}
    later = (SAVED + timedelta(hours=2)).astimezone().isoformat(timespec="seconds")
    monkeypatch.setattr(ledger_module, "now_text", lambda: later)
    ledger.set_status(t1, Status.IN_PROGRESS, date(2023, 10, 8))
    ledger.set_progress(t1, Q3, "台账里后来写的。")
    rows = [X.ReplyRow(row=4, key=key(t1), status="已完成", done_on="2023-09-30", progress="报送表里写的。")]
    p = preview(ledger, reply(rows, sent=sent))
    stamp = (SAVED + timedelta(hours=2)).astimezone().strftime("%Y-%m-%d %H:%M")
    saved = SAVED.astimezone().strftime("%Y-%m-%d %H:%M")
    assert describe(p) == [
        (1, "status", "推进中", "已完成(2023-09-30)",
         f"台账中的完成状态于 {stamp} 修改为“推进中”,晚于报送表的保存时间 {saved}"),
        (1, "progress", "台账里后来写的。", "报送表里写的。",
         f"台账中2023年第三季度的进展于 {stamp} 已修改,晚于报送表的保存时间 {saved}")]
    assert p.clean == [] and len(p.conflicts) == 2


def test_a_completion_date_in_the_future_is_a_conflict(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    rows = [X.ReplyRow(row=4, key=key(t1), status="已完成", done_on="2023-12-31")]
    assert describe(preview(ledger, reply(rows))) == [
        (1, "status", "未启动", "已完成(2023-12-31)", "完成时间 2023-12-31 在今天之后,请核对")]


def test_two_replies_disagreeing_are_both_conflicts(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    a = reply([X.ReplyRow(row=4, key=key(t1), status="已完成", progress="甲说的。")], unit="区发改局",
              name="a.xlsx")
    b = reply([X.ReplyRow(row=6, key=key(t1), status="已完成", progress="乙说的。")], unit="区财政局",
              name="b.xlsx", saved=SAVED + timedelta(hours=1))
    p = preview(ledger, a, b)
    assert [(c.unit, c.field.value, c.conflict, c.note) for c in p.changes] == [
        ("区发改局", "status", None, "区财政局填报相同"),
        ("区发改局", "progress", "与其他报送表不一致:区财政局 第 6 行填“乙说的。”", None),
        ("区财政局", "progress", "与其他报送表不一致:区发改局 第 4 行填“甲说的。”", None)]


def test_only_keeps_the_chosen_tasks(ledger: Ledger, plan: int) -> None:
    t1, _, t3 = ids(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t1), progress="一"), X.ReplyRow(row=5, key=key(t3), progress="三")]
    p = preview(ledger, reply(rows)).only({3})
    assert [(c.seq, c.new) for c in p.changes] == [(3, "三")]


def test_notes_already_recorded_are_not_added_again(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    attach_note(ledger, t1, "政府网站发布", Q3)
    rows = [X.ReplyRow(row=4, key=key(t1), evidence="政府网站 发布")]
    assert describe(preview(ledger, reply(rows))) == []


def test_a_reply_for_another_plan_is_skipped_when_a_plan_is_named(ledger: Ledger, plan: int) -> None:
    other = X.Reply(path=Path("o.xlsx"), saved_at=SAVED, rows=[], plan_sha="ffffffffffff")
    p = X.preview_merge(ledger, [other], plan_id=plan, today=TODAY)
    assert p.problems == ["o.xlsx:这份报送表所属的分解表不在本台账中(可能来自其他台账或已删除),将按任务内容对应。"]


# -- gather up: applying -------------------------------------------------------------------------------


def test_apply_writes_clean_changes_in_one_transaction_with_audit_rows(ledger: Ledger, plan: int) -> None:
    t1, _, t3 = ids(ledger, plan)
    rows = [X.ReplyRow(row=4, key=key(t1), status="已完成", done_on="2023-09-28", progress="完成了。",
                       evidence="见网站"),
            X.ReplyRow(row=5, key=key(t3), status="已完成", done_on="2023-12-31")]  # future: conflict
    p = preview(ledger, reply(rows))
    before = len(ledger.audit_log(10_000))
    result = X.apply_merge(ledger, p.changes)
    assert [(c.seq, c.field.value) for c in result.applied] == [(1, "status"), (1, "progress"), (1, "evidence")]
    assert [(c.seq, c.field.value) for c in result.skipped_conflicts] == [(3, "status")]
    task = ledger.task(t1)
    assert (task.status, task.status_date) == (Status.DONE, date(2023, 9, 28))
    assert [(pr.quarter, pr.text, pr.status) for pr in task.progress] == [("2023Q3", "完成了。", "已完成")]
    assert [(e.kind, e.name, e.quarter) for e in task.evidence] == [("note", "见网站", "2023Q3")]
    assert ledger.task(t3).status == Status.NOT_STARTED
    log = ledger.audit_log(10_000)
    assert len(log) == before + 4
    assert [e.action for e in log[:4]] == ["汇总报送表", "添加佐证材料", "填写进展", "设置状态"]
    assert log[0].after == {"files": ["区发改局-2023年第三季度填报表.xlsx"], "changes": 3, "tasks": 1}
    assert log[3].after["source"] == "区发改局-2023年第三季度填报表.xlsx" and log[3].after["row"] == 4
    assert result.task_ids == [t1]


def test_force_applies_conflicts_and_the_latest_reply_wins(ledger: Ledger, plan: int) -> None:
    t1 = ids(ledger, plan)[0]
    a = reply([X.ReplyRow(row=4, key=key(t1), progress="早的。")], name="a.xlsx", unit="甲")
    b = reply([X.ReplyRow(row=4, key=key(t1), progress="晚的。")], name="b.xlsx", unit="乙",
              saved=SAVED + timedelta(days=1))
    p = preview(ledger, b, a)
    assert X.apply_merge(ledger, p.changes).applied == []
    result = X.apply_merge(ledger, p.changes, force=True)
    assert [c.new for c in result.applied] == ["晚的。"]
    assert [c.new for c in result.superseded] == ["早的。"]
    assert ledger.task(t1).progress[0].text == "晚的。"


def test_a_change_made_after_the_preview_is_not_overwritten(ledger: Ledger, plan: int) -> None:
    t1, t2 = ids(ledger, plan)[:2]
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t1), progress="报送的。"),
                               X.ReplyRow(row=5, key=key(t2), status="推进中")]))
    ledger.set_progress(t1, Q3, "预览之后刚写的。")
    result = X.apply_merge(ledger, p.changes)
    assert [(c.seq, c.field.value) for c in result.outdated] == [(1, "progress")]
    assert [(c.seq, c.field.value) for c in result.applied] == [(2, "status")]
    assert ledger.task(t1).progress[0].text == "预览之后刚写的。"


def test_a_failure_half_way_leaves_the_ledger_unchanged(ledger: Ledger, plan: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    t1, t2 = ids(ledger, plan)[:2]
    p = preview(ledger, reply([X.ReplyRow(row=4, key=key(t1), status="推进中"),
                               X.ReplyRow(row=5, key=key(t2), status="推进中")]))
    before = (ledger.db.execute("SELECT COUNT(*) FROM status_history").fetchone(), len(ledger.audit_log(10_000)))
    real = X._write
    calls = []

    def failing(led: Ledger, change: X.Change) -> None:
        calls.append(change.seq)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(led, change)

    monkeypatch.setattr(X, "_write", failing)
    with pytest.raises(RuntimeError):
        X.apply_merge(ledger, p.changes)
    assert calls == [1, 2]
    assert (ledger.db.execute("SELECT COUNT(*) FROM status_history").fetchone(), len(ledger.audit_log(10_000))) == before
    assert ledger.task(t1).status == Status.NOT_STARTED
