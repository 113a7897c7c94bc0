"""A new year: which of last year's tasks carry over, the rollover in the
same ledger and into a new folder (last year untouched), and matching the list against
the new plan (the new plan's tasks untouched)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.builders import audit_count, dump, parsed_plan
from zwgk_desktop.core import rollover as ro
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger, now_text
from zwgk_desktop.core.model import Status, Task
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.unit_directory import add_member, set_contact

ROWS_2023 = [
    (["一、决策公开"], "公开重大行政决策事项目录。", "县司法局、县政府办", "6月底前"),            # 1 dated: no
    (["一、决策公开"], "持续推进政策解读工作,做好政策解读材料同步发布。", "县政府办", "12月底前"),  # 2 words: yes
    (["二、平台建设"], "规范政府网站和政务新媒体管理。", "县大数据中心", "长期坚持"),           # 3 ongoing: yes
    (["二、平台建设"], "每季度开展政府网站自查。", "县大数据中心", "每季度"),                  # 4 recurring: yes
    (["二、平台建设"], "全年做好依申请公开办理。", "县政府办", "全年"),                         # 5 全年: within the year, no
    (["三、重点领域"], "公开长期护理保险政策。", "县医保局", "9月底前"),                         # 6 护理: no
    (["三、重点领域"], "推进财政预决算公开常态化。", "县财政局", "长期坚持"),                    # 7 done below: no
    (["三、重点领域"], "做好政务公开培训。", "县政府办", "年底前完成,长期坚持"),               # 8 words in deadline: yes
]
CARRIED_2023 = [2, 3, 4, 8]

ROWS_2024 = [
    (["一、决策公开"], "公开2024年度重大行政决策事项目录。", "县司法局", "6月底前"),
    (["一、决策公开"], "持续推进政策解读,做好政策解读材料与政策文件同步发布。", "县政府办", "12月底前"),
    (["二、平台建设"], "规范政府网站、政务新媒体管理。", "县大数据中心", "长期坚持"),
    (["二、平台建设"], "开展基层政务公开标准化规范化建设。", "各乡镇", "11月底前"),
]


def _task(deadline: str, requirement: str = "做好相关工作。", status: Status = Status.IN_PROGRESS) -> Task:
    read = parse_deadline(deadline, 2023)
    return Task(id=1, plan_id=1, seq=1, section=[], title=None, requirement=requirement, units=[],
                deadline_text=read.text, due_date=read.due_date, deadline_kind=read.kind, needs_review=False,
                status=status, status_date=None)


@pytest.mark.parametrize(("deadline", "requirement"), [
    ("长期坚持", "做好相关工作。"),
    ("持续推进", "做好相关工作。"),
    ("常态化", "做好相关工作。"),
    ("全年", "持续深化政务公开标准化建设。"),  # 全年, but its words say it goes on
    ("每季度", "做好相关工作。"),
    ("年底前完成,长期坚持", "做好相关工作。"),
    ("12月底前", "持续推进政务公开标准化建设。"),
    ("12月底前", "建立常态化审查机制。"),
    ("6月底前", "长期保存公开档案。"),
])
def test_long_term_unfinished_tasks_carry(deadline: str, requirement: str) -> None:
    assert ro.carry_reason(_task(deadline, requirement)) is not None
    assert ro.carry_reason(_task(deadline, requirement, Status.NOT_STARTED)) is not None


@pytest.mark.parametrize(("deadline", "requirement"), [
    ("12月底前", "做好相关工作。"),
    ("三季度前", "公开财政预决算。"),
    ("6月底前", "公开长期护理保险政策。"),  # an insurance's name, not a duration
    ("按上级要求", "做好相关工作。"),
    # 全年 means "during this year": the whole of a 全年 plan carried before
    ("全年", "做好相关工作。"),
    ("全年", "提高政策咨询类留言的答复质量,定期梳理更新常见问题问答库。"),  # 定期 alone: no rhythm
    ("12月底前", "推动经济社会可持续发展。"),
    ("", "做好相关工作。"),
])
def test_dated_tasks_do_not_carry(deadline: str, requirement: str) -> None:
    assert ro.carry_reason(_task(deadline, requirement)) is None


@pytest.mark.parametrize("status", [Status.DONE, Status.NOT_APPLICABLE, Status.CANCELLED])
def test_settled_tasks_do_not_carry_however_long_term(status: Status) -> None:
    assert ro.carry_reason(_task("长期坚持", "持续推进常态化工作。", status)) is None


def test_a_task_marked_recurring_by_hand_carries() -> None:
    task = _task("12月底前")
    assert ro.carry_reason(task) is None
    assert ro.carry_reason(task, recurring=True) == "定期任务"


def _last_year(ledger: Ledger) -> int:
    plan_id = write_plan(ledger, parsed_plan(ROWS_2023), "sha-2023").plan_id
    ids = ledger.task_ids(plan_id)
    ledger.set_status(ids[6], Status.DONE, date(2023, 10, 1))
    ledger.set_status(ids[2], Status.IN_PROGRESS, date(2023, 4, 1))
    ledger.set_progress(ids[2], Quarter(2023, 2), "已完成网站普查。")
    ledger.set_progress(ids[2], Quarter(2023, 4), "新媒体账号已清理12个。")
    ledger.set_progress(ids[2], Quarter(2024, 1), "")  # an emptied note is no note
    return plan_id


def _directory(ledger: Ledger) -> None:
    add_member(ledger, "各乡镇", "城关镇")
    add_member(ledger, "各乡镇", "新集镇")
    set_contact(ledger, "县政府办", "王芳 0537-1234567")
    with ledger.change("测试准备", "unit_mapping"):
        ledger.db.execute("INSERT INTO unit_mapping (superior, local, position, set_at, set_by)"
                          " VALUES ('市政府办', '县政府办', 0, ?, 'test')", [now_text()])
        ledger.db.execute("INSERT INTO ledger_settings (key, value) VALUES ('local_name', '某县')")


def test_candidates_follow_the_rule_and_keep_the_last_note(ledger: Ledger) -> None:
    plan_id = _last_year(ledger)
    candidates = ro.carry_candidates(ledger, plan_id)
    assert [c.seq for c in candidates] == CARRIED_2023
    third = next(c for c in candidates if c.seq == 3)
    assert third.last_progress == "新媒体账号已清理12个。"
    assert third.status == Status.IN_PROGRESS
    assert third.section == "二、平台建设"
    assert third.units_text == "县大数据中心"


def _without(ledger: Ledger, *tables: str) -> str:
    """The ledger's dump without the rows of ``tables`` (the ones a same-ledger rollover
    writes). Statement by statement: a cell may hold a line break."""
    pattern = re.compile(rf'^INSERT INTO "({"|".join(tables)})"')
    return "\n".join(s for s in ledger.db.conn.iterdump() if not pattern.match(s))


def test_rollover_in_the_same_ledger_changes_nothing_of_last_year(ledger: Ledger) -> None:
    plan_id = _last_year(ledger)
    _directory(ledger)
    before, audits = _without(ledger, "carryover", "audit"), audit_count(ledger)
    result = ro.rollover(ledger, plan_id, 2024)
    assert (result.items, result.new_ledger, result.to_year) == (4, False, 2024)
    assert audit_count(ledger) == audits + 1
    assert _without(ledger, "carryover", "audit") == before
    items = ro.carryover_items(ledger, 2024)
    assert [i.seq for i in items] == CARRIED_2023
    tasks = {t.seq: t.id for t in ledger.tasks(plan_id)}
    assert [i.from_task_id for i in items] == [tasks[s] for s in CARRIED_2023]
    third = next(i for i in items if i.seq == 3)
    assert (third.status, third.last_progress, third.from_year, third.units_text) == (
        "推进中", "新媒体账号已清理12个。", 2023, "县大数据中心")
    assert ro.carryover_items(ledger, 2025) == []
    assert ledger.audit_log(1)[0].action == "结转到新年度"


def test_the_year_must_come_after_the_plans(ledger: Ledger) -> None:
    plan_id = _last_year(ledger)
    before = dump(ledger)
    for year in (2023, 2022, 2040):
        with pytest.raises(UserError) as raised:
            ro.rollover(ledger, plan_id, year)
        assert "2023" in raised.value.message
    assert dump(ledger) == before


def test_a_second_rollover_is_refused_unless_again(ledger: Ledger) -> None:
    plan_id = _last_year(ledger)
    ro.rollover(ledger, plan_id, 2024)
    first = ro.carryover_items(ledger, 2024)
    before = dump(ledger)
    with pytest.raises(ro.AlreadyRolledOverError) as raised:
        ro.rollover(ledger, plan_id, 2024)
    assert raised.value.count == 4 and "--again" in raised.value.message
    assert dump(ledger) == before
    # The clerk finished one meanwhile: --again lists what stands now, in one change.
    ledger.set_status(ledger.task_ids(plan_id)[1], Status.DONE, date(2023, 12, 30))
    audits = audit_count(ledger)
    result = ro.rollover(ledger, plan_id, 2024, again=True)
    assert (result.items, result.replaced) == (3, 4)
    assert audit_count(ledger) == audits + 1
    assert [i.seq for i in ro.carryover_items(ledger, 2024)] == [3, 4, 8]
    assert len(first) == 4
    # Another year is another list, not a repeat.
    assert ro.rollover(ledger, plan_id, 2025).items == 3


def test_only_the_chosen_candidates_are_listed(ledger: Ledger) -> None:
    plan_id = _last_year(ledger)
    ids = {t.seq: t.id for t in ledger.tasks(plan_id)}
    assert ro.rollover(ledger, plan_id, 2024, task_ids=[ids[3], ids[8]]).items == 2
    assert [i.seq for i in ro.carryover_items(ledger, 2024)] == [3, 8]
    before = dump(ledger)
    with pytest.raises(UserError):  # seq 1 is dated: not a candidate
        ro.rollover(ledger, plan_id, 2025, task_ids=[ids[1]])
    assert dump(ledger) == before


def test_nothing_to_carry_writes_nothing(ledger: Ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan([(["一"], "公开目录。", "县政府办", "6月底前")]), "sha-x").plan_id
    before = dump(ledger)
    result = ro.rollover(ledger, plan_id, 2024)
    assert result.items == 0 and "没有改动" in result.summary
    assert dump(ledger) == before


def test_rollover_into_a_new_folder(ledger: Ledger, tmp_path: Path) -> None:
    plan_id = _last_year(ledger)
    _directory(ledger)
    before = dump(ledger)
    result = ro.rollover(ledger, plan_id, 2024, into=tmp_path / "2024年台账")
    assert dump(ledger) == before  # only read
    assert (result.new_ledger, result.items, result.groups, result.mappings, result.settings) == (True, 4, 1, 1, 1)
    with Ledger.open(tmp_path / "2024年台账", create=False) as new:
        assert new.plans() == []
        items = ro.carryover_items(new, 2024)
        assert [i.seq for i in items] == CARRIED_2023
        assert {i.from_task_id for i in items} == {None}
        assert next(i for i in items if i.seq == 3).last_progress == "新媒体账号已清理12个。"
        assert items[0].from_plan_title == "2023年某县政务公开工作任务分解表"
        units = dict(new.db.execute("SELECT name, contact FROM units").fetchall())
        assert units == dict(ledger.db.execute("SELECT name, contact FROM units").fetchall())
        assert units["县政府办"] == "王芳 0537-1234567"
        from zwgk_desktop.core.unit_directory import members_of
        assert members_of(new, "各乡镇") == ["城关镇", "新集镇"]
        assert new.db.execute("SELECT superior, local FROM unit_mapping").fetchall() == [("市政府办", "县政府办")]
        assert new.db.execute("SELECT key, value FROM ledger_settings").fetchall() == [("local_name", "某县")]
        assert audit_count(new) == 1


def test_a_new_folder_must_be_new_or_empty(ledger: Ledger, tmp_path: Path) -> None:
    plan_id = _last_year(ledger)
    before = dump(ledger)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("x", encoding="utf-8")
    a_file = tmp_path / "a.txt"
    a_file.write_text("x", encoding="utf-8")
    for folder in (busy, a_file, ledger.folder, ledger.folder / "inside", tmp_path / "no" / "such"):
        with pytest.raises(UserError):
            ro.rollover(ledger, plan_id, 2024, into=folder)
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    assert not (ledger.folder / "inside").exists() and not (tmp_path / "no").exists()
    assert dump(ledger) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert ro.rollover(ledger, plan_id, 2024, into=empty).items == 4


def test_a_failed_rollover_into_a_folder_leaves_no_ledger_there(ledger: Ledger, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    plan_id = _last_year(ledger)

    def broken(new, rows):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(ro, "_insert_items", broken)
    with pytest.raises(RuntimeError):
        ro.rollover(ledger, plan_id, 2024, into=tmp_path / "new")
    assert not (tmp_path / "new").exists()


def _new_year(ledger: Ledger) -> tuple[int, int]:
    old = _last_year(ledger)
    ro.rollover(ledger, old, 2024)
    new = write_plan(ledger, parsed_plan(ROWS_2024, year=2024, title="2024年某县政务公开工作任务分解表"),
                     "sha-2024").plan_id
    return old, new


def test_suggestions_pair_alike_texts_once(ledger: Ledger) -> None:
    _, new = _new_year(ledger)
    tasks = {t.seq: t.id for t in ledger.tasks(new)}
    before = dump(ledger)
    suggestions = {s.item.seq: s for s in ro.suggest_matches(ledger, new)}
    assert dump(ledger) == before  # suggesting writes nothing
    assert suggestions[2].task_id == tasks[2] and suggestions[2].above_threshold
    assert suggestions[3].task_id == tasks[3] and suggestions[3].above_threshold
    for seq in (4, 8):  # nothing alike in the new plan
        assert not suggestions[seq].above_threshold
    suggested = [s.task_id for s in suggestions.values() if s.task_id is not None]
    assert len(suggested) == len(set(suggested))


def test_matching_records_links_only(ledger: Ledger) -> None:
    _, new = _new_year(ledger)
    tasks = {t.seq: t.id for t in ledger.tasks(new)}
    plan_tables = _without(ledger, "carryover", "audit")
    items = {i.seq: i.id for i in ro.carryover_items(ledger, 2024)}
    audits = audit_count(ledger)
    assert ro.set_matches(ledger, {items[3]: tasks[3], items[2]: tasks[2]}) == 2
    assert audit_count(ledger) == audits + 1
    assert ro.set_matches(ledger, {items[3]: tasks[3]}) == 0  # already so: nothing written
    assert audit_count(ledger) == audits + 1
    assert _without(ledger, "carryover", "audit") == plan_tables
    listed = {i.seq: i for i in ro.carryover_items(ledger, 2024)}
    assert (listed[3].matched_task_id, listed[3].matched_seq) == (tasks[3], 3)
    # A matched item keeps its task; the others are suggested around it.
    suggestion = next(s for s in ro.suggest_matches(ledger, new) if s.item.seq == 3)
    assert suggestion.task_id == tasks[3]
    assert ro.set_matches(ledger, {items[3]: None}) == 1
    assert ro.carryover_items(ledger, 2024)[1].matched_task_id is None


def test_matching_refuses_wrong_items_and_tasks(ledger: Ledger) -> None:
    old, new = _new_year(ledger)
    items = {i.seq: i.id for i in ro.carryover_items(ledger, 2024)}
    before = dump(ledger)
    with pytest.raises(UserError):
        ro.set_matches(ledger, {9999: ledger.task_ids(new)[0]})
    with pytest.raises(UserError):
        ro.set_matches(ledger, {items[3]: 9999})
    with pytest.raises(UserError) as raised:  # last year's own task is not next year's
        ro.set_matches(ledger, {items[3]: ledger.task_ids(old)[2]})
    assert "2023" in raised.value.message and "2024" in raised.value.message
    assert dump(ledger) == before


def test_the_carried_note_shows_beside_the_matched_task(ledger: Ledger) -> None:
    _, new = _new_year(ledger)
    tasks = {t.seq: t.id for t in ledger.tasks(new)}
    items = {i.seq: i.id for i in ro.carryover_items(ledger, 2024)}
    assert ro.carried_note_for(ledger, tasks[3]) is None
    ro.set_matches(ledger, {items[3]: tasks[3], items[2]: tasks[2]})
    note = ro.carried_note_for(ledger, tasks[3])
    assert "新媒体账号已清理12个。" in note and "2023" in note and "序号 3" in note and "推进中" in note
    assert "没有填写过进展" in ro.carried_note_for(ledger, tasks[2])
    assert ro.carried_note_for(ledger, tasks[4]) is None
