"""A revised table from the same office: each kind of change found and
applied, the threshold between 改写 and 取消+新增, pairing a suggestion, the clerk's
work kept, 已取消 out of the counts, one audit row per change, and the refusals."""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import SUB, audit_count, dump, parsed_plan
from zwgk_desktop.core import task_query
from zwgk_desktop.core.errors import DuplicateImportError, UserError
from zwgk_desktop.core.evidence import attach_note
from zwgk_desktop.core import ledger as ledger_module
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import build_report
from zwgk_desktop.core.revision import (
    REWORD_THRESHOLD,
    SUGGEST_FLOOR,
    ChangeKind,
    apply_revision,
    plans_matching,
    preview_revision,
    similarity,
    task_text,
)

S1, S2, S3 = "一、推进决策公开", "二、夯实基础", "三、依申请公开"
OLD = [
    ([S1, SUB], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),
    ([S1, SUB], "动态调整目录。", "县司法局", "按上级要求"),
    ([S2], "规范政府网站。", "县大数据中心", "长期坚持"),
    ([S2], "加强政务新媒体管理。", "县委网信办", "长期坚持"),
    ([S3], "做好依申请公开工作。", "县政府办", "12月底前"),
]
# The corrected table: 1 reworded (above the threshold), 2 rewritten (below: a
# suggestion), 3 new units and a new deadline, 4 moved to another section, 5 withdrawn,
# one task new.
NEW = [
    ([S1, SUB], "公开重大决策事项目录。", "县司法局、县政府办", "6月底前"),
    ([S1, SUB], "建立健全目录动态调整机制并按季度更新。", "县司法局", "按上级要求"),
    ([S2], "规范政府网站。", "县大数据中心、县政务服务中心", "9月底前"),
    ([S1], "加强政务新媒体管理。", "县委网信办", "长期坚持"),
    ([S2], "开展政务公开业务培训。", "县政府办", "11月底前"),
]
REVISED = "2023年任务分解表(修订).xlsx"


@pytest.fixture
def plan(ledger: Ledger) -> tuple[int, list[int]]:
    plan_id = write_plan(ledger, parsed_plan(OLD), "a" * 64).plan_id
    return plan_id, ledger.task_ids(plan_id)


def revised(rows=NEW, **kwargs):
    kwargs.setdefault("source", REVISED)
    return parsed_plan(rows, **kwargs)


def kinds(preview) -> list[tuple[str, int | None, int | None]]:
    return [(c.kind.value, c.old_seq, c.new_seq) for c in preview.changes]


def test_preview_finds_each_kind_of_change_and_writes_nothing(ledger, plan) -> None:
    plan_id, ids = plan
    before = dump(ledger)
    preview = preview_revision(ledger, plan_id, revised(), "b" * 64)
    assert dump(ledger) == before
    assert kinds(preview) == [
        ("改写任务", 1, 1),
        ("新增任务", None, 2),
        ("新增任务", None, 5),
        ("取消任务", 2, None),
        ("取消任务", 5, None),
        ("责任单位", 3, 3),
        ("完成时限", 3, 3),
        ("章节", 4, 4),
    ]
    by_kind = {c.kind: c for c in preview.changes}
    assert (by_kind[ChangeKind.REWORDED].old, by_kind[ChangeKind.REWORDED].new) == (
        "公开决策事项目录。", "公开重大决策事项目录。")
    assert (by_kind[ChangeKind.UNITS].old, by_kind[ChangeKind.UNITS].new) == (
        "县大数据中心", "县大数据中心(牵头)、县政务服务中心")
    assert (by_kind[ChangeKind.DEADLINE].old, by_kind[ChangeKind.DEADLINE].new) == (
        "长期坚持", "9月底前(到期 2023-09-30)")
    assert (by_kind[ChangeKind.SECTION].old, by_kind[ChangeKind.SECTION].new) == (f"{S2}", f"{S1}")
    assert preview.matches == {0: ids[0], 2: ids[2], 3: ids[3]}
    assert preview.removed == [ids[1], ids[4]]
    assert preview.unchanged == 0
    assert preview.counts() == {ChangeKind.REWORDED: 1, ChangeKind.ADDED: 2, ChangeKind.REMOVED: 2,
                                ChangeKind.UNITS: 1, ChangeKind.DEADLINE: 1, ChangeKind.SECTION: 1}
    # Task 2 was rewritten below the threshold: offered as a pairing, not taken.
    [suggestion] = preview.suggestions
    assert (suggestion.old_seq, suggestion.new_seq, suggestion.task_id) == (2, 2, ids[1])
    assert SUGGEST_FLOOR <= suggestion.similarity < REWORD_THRESHOLD


def test_threshold_both_sides(ledger, plan) -> None:
    plan_id, ids = plan
    above = "公开重大决策事项目录。"
    below = "按年度公布重大决策事项清单。"
    assert similarity("公开决策事项目录。", above) >= REWORD_THRESHOLD
    assert similarity("公开决策事项目录。", below) < REWORD_THRESHOLD

    def first_row(text):
        return [([S1, SUB], text, "县司法局、县政府办", "6月底前")] + OLD[1:]

    kept = preview_revision(ledger, plan_id, revised(first_row(above)), "b" * 64)
    assert kinds(kept) == [("改写任务", 1, 1)]
    assert kept.matches[0] == ids[0] and kept.unchanged == 4

    split = preview_revision(ledger, plan_id, revised(first_row(below)), "b" * 64)
    assert kinds(split) == [("新增任务", None, 1), ("取消任务", 1, None)]
    assert [(s.old_seq, s.new_seq) for s in split.suggestions] == [(1, 1)]


def test_similarity_ignores_spaces_and_line_breaks() -> None:
    assert similarity("公开 决策\n事项目录。", "公开决策事项目录。") == 1.0
    assert similarity("规范政府网站。", "完全不同的另一件事情") < SUGGEST_FLOOR


def test_apply_keeps_the_clerks_work_and_cancels_what_is_gone(ledger, plan) -> None:
    plan_id, ids = plan
    ledger.set_status(ids[0], Status.DONE, date(2023, 3, 1))
    ledger.set_progress(ids[0], Quarter(2023, 1), "已公开目录。")
    attach_note(ledger, ids[0], "见公开栏照片", Quarter(2023, 1))
    ledger.set_status(ids[2], Status.IN_PROGRESS, date(2023, 4, 2))
    ledger.set_progress(ids[4], Quarter(2023, 2), "已答复 12 件。")
    ledger.set_due_date(ids[3], date(2023, 8, 31))  # the clerk's own date for a 长期坚持 task
    preview = preview_revision(ledger, plan_id, revised(), "b" * 64)

    result = apply_revision(ledger, preview, on=date(2023, 7, 10))

    tasks = {t.id: t for t in ledger.tasks(plan_id)}
    first = tasks[ids[0]]
    assert (first.seq, first.requirement, first.status, first.status_date) == (
        1, "公开重大决策事项目录。", Status.DONE, date(2023, 3, 1))
    assert [p.text for p in first.progress] == ["已公开目录。"]
    assert [e.name for e in first.evidence] == ["见公开栏照片"]
    third = tasks[ids[2]]
    assert [(u.name, u.role.value) for u in third.units] == [("县大数据中心", "lead"), ("县政务服务中心", "cooperate")]
    assert (third.deadline_text, third.due_date, third.status) == ("9月底前", date(2023, 9, 30), Status.IN_PROGRESS)
    fourth = tasks[ids[3]]
    assert fourth.section == [S1] and fourth.due_date == date(2023, 8, 31)  # same 完成时限: the clerk's date stays
    # Withdrawn: kept with their history and notes, after the table's tasks, 已取消 from the day given.
    for tid in (ids[1], ids[4]):
        assert tasks[tid].status == Status.CANCELLED and tasks[tid].status_date == date(2023, 7, 10)
    assert [p.text for p in tasks[ids[4]].progress] == ["已答复 12 件。"]
    assert tasks[ids[4]].section == [S3]  # its section, gone from the table, is kept for it
    assert [t.seq for t in ledger.tasks(plan_id)] == [1, 2, 3, 4, 5, 6, 7]
    [added_2, added_5] = result.added_task_ids
    assert (tasks[added_2].seq, tasks[added_2].requirement) == (2, "建立健全目录动态调整机制并按季度更新。")
    assert (tasks[added_5].seq, tasks[added_5].status) == (5, Status.NOT_STARTED)
    assert added_2 not in ids and result.cancelled_task_ids == [ids[1], ids[4]]
    plan_row = ledger.plan(plan_id)
    assert (plan_row.source_name, plan_row.source_sha256) == (REVISED, "b" * 64)


def test_cancelled_tasks_are_out_of_the_counts(ledger, plan, monkeypatch) -> None:
    plan_id, ids = plan
    # Applied on 7-10 (by the audit's clock too: a report of a day before the revision
    # would not have its new tasks, see test_report_after_revision.py).
    monkeypatch.setattr(ledger_module, "now_text", lambda: "2023-07-10T09:00:00+08:00")
    apply_revision(ledger, preview_revision(ledger, plan_id, revised(), "b" * 64), on=date(2023, 7, 10))
    flt = task_query.TaskFilter(plan_id=plan_id, today=date(2023, 7, 11))
    listed, summary = task_query.filtered(ledger, flt)
    assert len(listed) == 7
    assert (summary.total, summary.cancelled) == (5, 2)
    report = build_report(ledger, plan_id, Quarter(2023, 3))
    assert report.totals.total == 5
    # The report uses the current wording.
    assert "公开重大决策事项目录。" in {row.requirement for row in report.rows}
    assert "公开决策事项目录。" not in {row.requirement for row in report.rows}


def test_one_audit_row_per_change_under_one_for_the_revision(ledger, plan) -> None:
    plan_id, ids = plan
    before = audit_count(ledger)
    preview = preview_revision(ledger, plan_id, revised(), "b" * 64)
    result = apply_revision(ledger, preview, on=date(2023, 7, 10))
    entries = ledger.audit_log(50)[: audit_count(ledger) - before]
    actions = sorted(e.action for e in entries)
    assert actions == sorted(["修订分解表", "修订:改写任务", "修订:新增任务", "修订:新增任务", "修订:责任单位",
                              "修订:完成时限", "修订:章节", "设置状态(修订)", "设置状态(修订)"])
    assert result.audit_rows == len(entries) == len(preview.changes) + 1
    reword = next(e for e in entries if e.action == "修订:改写任务")
    assert reword.entity_id == ids[0]
    assert (reword.before["requirement"], reword.after["requirement"]) == ("公开决策事项目录。", "公开重大决策事项目录。")
    summary = entries[0]  # written last
    assert summary.action == "修订分解表"
    assert summary.after["source_name"] == REVISED and summary.after["changes"]["取消任务"] == 2


def test_accepting_a_suggested_pairing_keeps_the_task(ledger, plan) -> None:
    plan_id, ids = plan
    ledger.set_progress(ids[1], Quarter(2023, 2), "目录已调整。")
    preview = preview_revision(ledger, plan_id, revised(), "b" * 64)
    result = apply_revision(ledger, preview, accepted_pairs=[(2, 2)], on=date(2023, 7, 10))
    second = ledger.task(ids[1])
    assert (second.seq, second.requirement, second.status) == (2, "建立健全目录动态调整机制并按季度更新。",
                                                               Status.NOT_STARTED)
    assert [p.text for p in second.progress] == ["目录已调整。"]
    assert result.cancelled_task_ids == [ids[4]] and len(result.added_task_ids) == 1
    assert result.counts[ChangeKind.REWORDED] == 2


def test_pairing_in_the_preview_and_bad_pairs(ledger, plan) -> None:
    plan_id, ids = plan
    paired = preview_revision(ledger, plan_id, revised(), "b" * 64, pairs=[(2, 2)])
    assert ("改写任务", 2, 2) in kinds(paired) and paired.suggestions == []
    before = dump(ledger)
    with pytest.raises(UserError, match="原序号 1 的任务已与新表中的任务对应上了"):
        preview_revision(ledger, plan_id, revised(), "b" * 64, pairs=[(1, 2)])
    with pytest.raises(UserError, match="没有序号为 9 的任务"):
        preview_revision(ledger, plan_id, revised(), "b" * 64, pairs=[(9, 2)])
    with pytest.raises(UserError, match="新表序号 3 的任务已与原有任务对应上了"):
        apply_revision(ledger, preview_revision(ledger, plan_id, revised(), "b" * 64), accepted_pairs=[(2, 3)])
    assert dump(ledger) == before


def test_renamed_section_matches_by_position(ledger, plan) -> None:
    plan_id, ids = plan
    renamed = "二、夯实政务公开基础"
    rows = [OLD[0], OLD[1], ([renamed], "规范政府门户网站。", "县大数据中心", "长期坚持"),
            ([renamed], "加强政务新媒体管理。", "县委网信办", "长期坚持"), OLD[4]]
    preview = preview_revision(ledger, plan_id, revised(rows), "b" * 64)
    assert kinds(preview) == [("改写任务", 3, 3), ("章节", 3, 3), ("章节", 4, 4)]
    apply_revision(ledger, preview)
    assert ledger.task(ids[2]).section == [renamed]
    assert [path for path in ledger.section_paths(plan_id).values()] == [(S1,), (S1, SUB), (renamed,), (S3,)]


def test_the_same_revised_file_twice_says_it_was_applied(ledger, plan) -> None:
    plan_id, _ = plan
    apply_revision(ledger, preview_revision(ledger, plan_id, revised(), "b" * 64))
    before = dump(ledger)
    with pytest.raises(DuplicateImportError, match="已经是《.*》现在的内容.*不需要再修订"):
        preview_revision(ledger, plan_id, revised(), "b" * 64)
    with pytest.raises(DuplicateImportError, match="已经是《"):
        preview_revision(ledger, plan_id, parsed_plan(OLD), "b" * 64)
    assert dump(ledger) == before


def test_refusals_leave_the_ledger_unchanged(ledger, plan) -> None:
    plan_id, _ = plan
    other = write_plan(ledger, parsed_plan(OLD, year=2024, title="2024年另一分解表"), "c" * 64).plan_id
    before = dump(ledger)
    with pytest.raises(UserError, match="是 2024 年的分解表.*是 2023 年的"):
        preview_revision(ledger, plan_id, revised(year=2024), "b" * 64)
    unrelated = [([S1], "推进基层政务公开标准化。", "县政府办", "12月底前"),
                 ([S2], "做好政策解读和回应关切。", "县政府办", "12月底前"),
                 ([S2], "完善政府信息公开年报。", "县政府办", "1月底前")]
    with pytest.raises(UserError, match="几乎没有相同的任务.*能对应上的只有 0 项"):
        preview_revision(ledger, plan_id, revised(unrelated), "b" * 64)
    with pytest.raises(DuplicateImportError, match=f"已导入为另一个分解表《{ledger.plan(other).title}》") as caught:
        preview_revision(ledger, plan_id, revised(), "c" * 64)
    assert f"是分解表 {other}" in caught.value.hint_cli and "分解表 " not in caught.value.message
    with pytest.raises(UserError, match="没有编号为 99 的分解表"):
        preview_revision(ledger, 99, revised(), "b" * 64)
    assert dump(ledger) == before


def test_stale_preview_is_not_applied(ledger, plan) -> None:
    plan_id, ids = plan
    preview = preview_revision(ledger, plan_id, revised(), "b" * 64)
    ledger.set_status(ids[1], Status.DONE, date(2023, 5, 1))
    before = dump(ledger)
    with pytest.raises(UserError, match="在预览之后有改动"):
        apply_revision(ledger, preview)
    assert dump(ledger) == before


def test_a_failure_midway_writes_nothing(ledger, plan, monkeypatch) -> None:
    plan_id, _ = plan
    preview = preview_revision(ledger, plan_id, revised(), "b" * 64)
    before = dump(ledger)

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(Ledger, "set_status", broken)  # the last step of the apply
    with pytest.raises(RuntimeError):
        apply_revision(ledger, preview)
    assert dump(ledger) == before
    assert list((ledger.folder / "backups").glob("*修订*.sqlite"))  # the backup came first


def test_tasks_cancelled_earlier_are_left_alone(ledger, plan) -> None:
    plan_id, ids = plan
    ledger.set_status(ids[4], Status.CANCELLED, date(2023, 5, 1))
    preview = preview_revision(ledger, plan_id, revised(), "b" * 64, today=date(2023, 6, 1))  # nothing past due
    assert ids[4] not in preview.removed and ("取消任务", 5, None) not in kinds(preview)
    assert preview.notes == ["分解表中另有 1 项已取消的任务,不参加比对,保持原样。"]
    apply_revision(ledger, preview)
    assert ledger.status_history(ids[4])[-1].effective_on == date(2023, 5, 1)


def test_plans_matching_by_title_and_year(ledger, plan) -> None:
    plan_id, _ = plan
    assert plans_matching(ledger, "2023年某县政务公开 工作任务分解表", 2023, "b" * 64) == [plan_id]
    assert plans_matching(ledger, "2023年某县政务公开工作任务分解表", 2023, "a" * 64) == []  # the same file
    assert plans_matching(ledger, "2023年某县政务公开工作任务分解表", 2024, "b" * 64) == []


def test_a_revision_of_the_real_rencheng_table(ledger) -> None:
    """The sample table as the superior office might correct it: one task dropped, one
    reworded by a clause, one's units and another's deadline changed, one added. On
    59 real tasks nothing else may be reported."""
    import copy

    from tests.conftest import SAMPLES
    from zwgk_desktop.core.deadlines import parse_deadline
    from zwgk_desktop.core.units import assign_roles
    from zwgk_desktop.io.plan_file import read_plan_file

    original, digest = read_plan_file(SAMPLES / "rencheng_2023.xlsx")
    plan_id = write_plan(ledger, original, digest).plan_id
    ids = ledger.task_ids(plan_id)
    ledger.set_status(ids[1], Status.IN_PROGRESS, date(2023, 4, 1))
    tasks = copy.deepcopy(original.tasks)
    dropped = tasks.pop(8)  # 序号 9, 困难群众救助标准
    tasks[1].requirement = tasks[1].requirement.replace("加大解读力度", "加大政策解读和宣传力度")
    tasks[2].units_text = "区国金局\n区发改局"
    tasks[2].units = assign_roles(tasks[2].units_text)
    tasks[5].deadline = parse_deadline("9月底前", 2023)
    added = copy.deepcopy(tasks[6])
    added.requirement = "建立健全政务公开工作考核评价机制,按季度通报各部门政务公开工作情况。"
    tasks.insert(7, added)
    for seq, task in enumerate(tasks, start=1):
        task.seq = seq
    revised_plan = copy.copy(original)
    revised_plan.tasks = tasks
    revised_plan.source_name = "任城区分解表(修订).xlsx"

    preview = preview_revision(ledger, plan_id, revised_plan, "f" * 64)
    assert kinds(preview) == [("改写任务", 2, 2), ("新增任务", None, 8), ("取消任务", 9, None),
                              ("责任单位", 3, 3), ("完成时限", 6, 6)]
    assert preview.unchanged == 58 - 3 and preview.suggestions == []
    assert preview.changes[2].old == task_text(dropped.title, dropped.requirement)
    apply_revision(ledger, preview, on=date(2023, 7, 1))
    assert ledger.task(ids[1]).status == Status.IN_PROGRESS
    assert "加大政策解读和宣传力度" in ledger.task(ids[1]).requirement
    assert ledger.task(ids[8]).status == Status.CANCELLED
    assert len(ledger.task_ids(plan_id)) == 60


def test_the_preview_notes_new_tasks_and_new_deadlines_already_past(ledger, plan) -> None:
    plan_id, ids = plan
    ledger.set_status(ids[0], Status.DONE, date(2023, 3, 1))
    on_the_seventh = preview_revision(ledger, plan_id, revised(), "b" * 64, today=date(2023, 12, 7))
    # New 序号 5 is due 11月底前; 3 (not done) is due 9月底前 now. The dates stay the superior's.
    assert on_the_seventh.past_due == [5]
    assert on_the_seventh.notes == [
        "新增的序号 5 完成时限(11月底前)已过(到期日 2023-11-30),写入后即列为逾期。",
        "序号 3 的完成时限改为“9月底前”,已过(到期日 2023-09-30),任务还没有完成,写入后即列为逾期。"]
    in_june = preview_revision(ledger, plan_id, revised(), "b" * 64, today=date(2023, 6, 1))
    assert in_june.past_due == [] and in_june.notes == []
    result = apply_revision(ledger, on_the_seventh, on=date(2023, 12, 7))
    [_, added_5] = result.added_task_ids
    assert ledger.task(added_5).due_date == date(2023, 11, 30)
