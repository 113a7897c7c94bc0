"""An adversary's look at the clerk in the middle: revisions of
revisions, tasks that look alike, a superior plan revised under its county plan,
roll-ups that must never overwrite the clerk's own words, rollover folders that are
not new, and carry-over matching against a very large plan.

Each test names the way it tries to break the feature; where a fix was needed, the
test pins the fixed behaviour.

Pins core/revision, core/derive, core/rollup, core/rollover and core/carryover together: named for the
attack on the linked plans, not for one module."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest

from tests.builders import SUB, audit_count, dump, parsed_plan
from zwgk_desktop.core import derive as V
from zwgk_desktop.core import rollover as RO
from zwgk_desktop.core import rollup as R
from zwgk_desktop.core import unit_mapping as M
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.revision import ChangeKind, apply_revision, preview_revision

S1, S2, S3 = "一、推进决策公开", "二、夯实基础", "三、依申请公开"
Q3 = Quarter(2023, 3)
OLD = [
    ([S1, SUB], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),
    ([S1, SUB], "动态调整目录。", "县司法局", "按上级要求"),
    ([S2], "规范政府网站。", "县大数据中心", "长期坚持"),
    ([S2], "加强政务新媒体管理。", "县委网信办", "长期坚持"),
    ([S3], "做好依申请公开工作。", "县政府办", "12月底前"),
]


def _plan(ledger: Ledger, rows=OLD, sha: str = "a" * 64, **kwargs) -> tuple[int, list[int]]:
    plan_id = write_plan(ledger, parsed_plan(rows, **kwargs), sha).plan_id
    return plan_id, ledger.task_ids(plan_id)


def _revise(ledger: Ledger, plan_id: int, rows, sha: str, **kwargs):
    preview = preview_revision(ledger, plan_id, parsed_plan(rows, source=f"修订{sha[0]}.xlsx", **kwargs), sha)
    return preview, apply_revision(ledger, preview, on=date(2023, 7, 1))


def _seqs(ledger: Ledger, plan_id: int) -> list[int]:
    return [r[0] for r in ledger.db.execute("SELECT seq FROM tasks WHERE plan_id = ? ORDER BY seq", [plan_id])]


# -- revised tables ---------------------------------------------------------------------------------


def test_a_revision_of_a_revision_keeps_ids_and_leaves_the_first_withdrawals_alone(ledger: Ledger) -> None:
    plan_id, ids = _plan(ledger)
    ledger.set_progress(ids[0], Q3, "第一季度已公开目录。")
    first = OLD[:4] + [([S3], "做好依申请公开答复工作。", "县政府办", "12月底前")]
    _, one = _revise(ledger, plan_id, [r for i, r in enumerate(first) if i != 1], "b" * 64)
    assert one.cancelled_task_ids == [ids[1]]
    # The second revision drops 规范政府网站 and brings back 动态调整目录 (withdrawn in the first).
    second = [first[0], first[3], first[4], OLD[1]]
    preview, two = _revise(ledger, plan_id, second, "c" * 64)
    assert two.cancelled_task_ids == [ids[2]]
    assert "1 项已取消的任务" in preview.notes[0]
    # Withdrawn in the first: not compared, stays withdrawn; the returning task is new.
    assert ledger.task(ids[1]).status == Status.CANCELLED
    assert len(two.added_task_ids) == 1 and two.added_task_ids[0] not in ids
    tasks = {t.id: t for t in ledger.tasks(plan_id)}
    assert tasks[ids[0]].progress[0].text == "第一季度已公开目录。"
    assert tasks[ids[4]].requirement == "做好依申请公开答复工作。"
    seqs = _seqs(ledger, plan_id)
    assert seqs == list(range(1, len(seqs) + 1)), "序号 must stay unique after two revisions"


def test_the_same_file_twice_in_a_row_is_refused_without_a_write(ledger: Ledger) -> None:
    plan_id, _ = _plan(ledger)
    _revise(ledger, plan_id, OLD[:4], "b" * 64)
    before = dump(ledger)
    with pytest.raises(UserError, match="不需要再修订"):
        preview_revision(ledger, plan_id, parsed_plan(OLD[:4], source="修订b.xlsx"), "b" * 64)
    assert dump(ledger) == before


def test_a_new_file_that_reorders_every_section_loses_nothing(ledger: Ledger) -> None:
    plan_id, ids = _plan(ledger)
    reordered = [OLD[4], OLD[2], OLD[3], OLD[0], OLD[1]]  # 三、 then 二、 then 一、
    preview, result = _revise(ledger, plan_id, reordered, "b" * 64)
    assert preview.changes == [] and result.cancelled_task_ids == [] and result.added_task_ids == []
    tasks = ledger.tasks(plan_id)
    assert [t.id for t in tasks] == [ids[4], ids[2], ids[3], ids[0], ids[1]]
    assert [t.seq for t in tasks] == [1, 2, 3, 4, 5]
    assert [t.section[0] for t in tasks] == [S3, S2, S2, S1, S1]


def test_two_tasks_with_the_same_text_keep_their_own_unit_when_one_is_dropped(ledger: Ledger) -> None:
    """The same words for two units (做好本部门政务公开工作 for 县发改局 and for 县财政局):
    when the new table drops the first, the second's work must not end up cancelled
    while the first's carries on under the second's unit."""
    rows = [([S1], "做好本部门政务公开工作。", "县发改局", "12月底前"),
            ([S1], "做好本部门政务公开工作。", "县财政局", "12月底前"),
            ([S2], "规范政府网站。", "县大数据中心", "长期坚持")]
    plan_id, ids = _plan(ledger, rows)
    ledger.set_progress(ids[1], Q3, "县财政局已公开预决算。")
    preview, result = _revise(ledger, plan_id, rows[1:], "b" * 64)
    assert result.cancelled_task_ids == [ids[0]]
    assert preview.changes == [c for c in preview.changes if c.kind == ChangeKind.REMOVED]
    kept = ledger.task(ids[1])
    assert kept.status != Status.CANCELLED and [u.name for u in kept.units] == ["县财政局"]
    assert kept.progress[0].text == "县财政局已公开预决算。"


def test_two_tasks_with_the_same_text_in_two_sections_stay_apart(ledger: Ledger) -> None:
    rows = [([S1], "及时更新专栏。", "县发改局", "6月底前"),
            ([S2], "及时更新专栏。", "县财政局", "9月底前")]
    plan_id, ids = _plan(ledger, rows)
    preview, _ = _revise(ledger, plan_id, [rows[1], rows[0]], "b" * 64)
    assert preview.changes == []
    assert [t.id for t in ledger.tasks(plan_id)] == [ids[1], ids[0]]


def test_a_task_moved_to_another_section_and_reworded_is_offered_as_a_pair(ledger: Ledger) -> None:
    """Moved from 二、 to 三、 with a clause added: too far for the automatic match (another
    section, another place), but alike enough that the clerk must at least be asked."""
    plan_id, ids = _plan(ledger)
    moved = OLD[:3] + [OLD[4], ([S3], "加强政务新媒体管理和监督。", "县委网信办", "长期坚持")]
    preview = preview_revision(ledger, plan_id, parsed_plan(moved, source="修订.xlsx"), "b" * 64)
    assert ids[3] in preview.removed
    assert [(s.old_seq, s.new_seq) for s in preview.suggestions] == [(4, 5)]
    # The clerk accepts it: the task keeps its id, one 改写 and one 章节 change.
    paired = preview_revision(ledger, plan_id, parsed_plan(moved, source="修订.xlsx"), "b" * 64, pairs=[(4, 5)])
    result = apply_revision(ledger, paired)
    assert result.cancelled_task_ids == [] and result.added_task_ids == []
    task = ledger.task(ids[3])
    assert (task.requirement, task.section, task.seq) == ("加强政务新媒体管理和监督。", [S3], 5)


@pytest.mark.parametrize("pairs,words", [
    ([(9, 1)], "没有序号为 9 的任务"),
    ([(1, 9)], "没有序号为 9 的任务"),
    ([(2, 2), (2, 3)], "已与新表中的任务对应上了"),
    ([(1, 1)], "已与新表中的任务对应上了"),
])
def test_pairs_that_name_nothing_or_the_same_task_twice_are_refused(ledger: Ledger, pairs, words) -> None:
    plan_id, _ = _plan(ledger)
    new = [OLD[0], ([S1, SUB], "建立健全目录动态调整机制并按季度更新。", "县司法局", "按上级要求"),
           ([S1, SUB], "另一项完全不同的新任务内容。", "县司法局", "按上级要求")] + OLD[2:]
    before = dump(ledger)
    with pytest.raises(UserError, match=words):
        preview_revision(ledger, plan_id, parsed_plan(new, source="修订.xlsx"), "b" * 64, pairs=pairs)
    assert dump(ledger) == before


def test_a_revision_applied_after_another_writer_changed_the_plan_is_refused(ledger: Ledger,
                                                                                ledger_dir: Path) -> None:
    """The preview is shown in the window; meanwhile zwgk (another connection) sets a
    status. Applying the stale preview writes nothing."""
    plan_id, ids = _plan(ledger)
    preview = preview_revision(ledger, plan_id, parsed_plan(OLD[:4], source="修订.xlsx"), "b" * 64)
    with Ledger.open(ledger_dir) as other:
        other.set_status(ids[4], Status.DONE, date(2023, 6, 1))
    before = dump(ledger)
    with pytest.raises(UserError, match="重新预览"):
        apply_revision(ledger, preview)
    assert dump(ledger) == before


def test_two_windows_applying_the_same_revision_write_it_once(ledger: Ledger, ledger_dir: Path) -> None:
    plan_id, _ = _plan(ledger)
    parsed = parsed_plan(OLD[:4], source="修订.xlsx")
    preview = preview_revision(ledger, plan_id, parsed, "b" * 64)
    with Ledger.open(ledger_dir) as other:
        apply_revision(other, preview_revision(other, plan_id, parsed, "b" * 64))
    before = dump(ledger)
    with pytest.raises(UserError):
        apply_revision(ledger, preview)
    assert dump(ledger) == before


# -- derive ---------------------------------------------------------------------------------------

CITY = [
    ([S1], "公开决策事项目录。", "各县区政府、市发改委", "6月底前"),
    ([S1], "规范政府网站。", "各县区政府", "12月底前"),
    ([S2], "市级自办。", "市财政局", "12月底前"),
    ([S2], "加强政务新媒体管理。", "各县区政府、市委网信办", "长期坚持"),
]
LOCAL, LEAD = "某某县", "县政府办公室"


def _linked(ledger: Ledger, rows=CITY, mapping=None, sha: str = "c" * 64) -> tuple[int, int]:
    city = write_plan(ledger, parsed_plan(rows, title="2023年某市政务公开工作任务分解表"), sha).plan_id
    preview = V.prepare_derive(ledger, city, local_name=LOCAL, lead_office=LEAD, mapping=mapping)
    return city, V.create_derived_plan(ledger, preview).plan_id


def _county_task(ledger: Ledger, county: int, seq: int):
    return next(t for t in ledger.tasks(county) if t.seq == seq)


def test_deriving_twice_is_refused_and_writes_nothing(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    preview = V.prepare_derive(ledger, city, local_name=LOCAL, lead_office=LEAD)
    before = dump(ledger)
    with pytest.raises(UserError, match=f"已经生成过本级分解表《{ledger.plan(county).title}》") as caught:
        V.create_derived_plan(ledger, preview)
    assert f"分解表 {county}" in caught.value.hint_cli  # the number only where zwgk needs it
    assert dump(ledger) == before


def test_a_mapping_that_maps_a_unit_to_itself_or_lists_a_unit_twice(ledger: Ledger) -> None:
    mapping = {"市发改委": ["县发改局", "县发改局"], "市委网信办": ["市委网信办"], "各县区政府": [LEAD, LEAD]}
    city, county = _linked(ledger, mapping=mapping)
    assert M.stored_mapping(ledger)["市发改委"] == ["县发改局"]
    units = {t.seq: [(u.name, u.role.value) for u in t.units] for t in ledger.tasks(county)}
    assert units[1] == [(LEAD, "lead"), ("县发改局", "cooperate")]
    assert units[3] == [(LEAD, "lead"), ("市委网信办", "cooperate")]  # the clerk's choice, kept as given


def test_an_empty_mapping_cell_is_not_a_mapping(ledger: Ledger) -> None:
    city = write_plan(ledger, parsed_plan(CITY, title="2023年某市政务公开工作任务分解表"), "c" * 64).plan_id
    preview = V.prepare_derive(ledger, city, local_name=LOCAL, lead_office=LEAD, task_ids=ledger.task_ids(city),
                               mapping={"市财政局": [""], "市发改委": ["  "]})
    how = {s.superior: s.how for s in preview.mapping}
    assert how["市财政局"] != M.How.FILE and how["市发改委"] != M.How.FILE


def test_deriving_from_a_derived_plan_links_to_the_county_plan_not_the_city(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    preview = V.prepare_derive(ledger, county, local_name=LOCAL, lead_office=LEAD,
                               task_ids=ledger.task_ids(county), mapping={LEAD: ["某镇政府"], "县发改局": ["某镇"]})
    town = V.create_derived_plan(ledger, preview).plan_id
    assert V.superior_of(ledger, town) == county and V.superior_of(ledger, county) == city
    # The city's roll-up reads its own county plan only.
    rollup = R.preview_rollup(ledger, city, Q3)
    assert {t.plan_id for row in rollup.rows for t in row.derived} == {county}


def test_the_city_revised_after_the_derive_cancels_nothing_in_the_county_plan_silently(ledger: Ledger) -> None:
    """The city withdraws task 2 after the county issued it: the county's task stays
    (its departments may have reported), linked to the withdrawn city task, and the
    revision's preview says that a county task hangs on it."""
    city, county = _linked(ledger)
    preview = preview_revision(ledger, city, parsed_plan([CITY[0], CITY[2], CITY[3]], source="市修订.xlsx",
                                                         title="2023年某市政务公开工作任务分解表"), "d" * 64)
    assert any("本级分解表" in note and "序号 2" in note for note in preview.notes), preview.notes
    apply_revision(ledger, preview)
    derived = _county_task(ledger, county, 2)
    assert derived.status != Status.CANCELLED
    link = ledger.db.execute("SELECT derived_from FROM tasks WHERE id = ?", [derived.id]).fetchone()[0]
    assert ledger.task(link).status == Status.CANCELLED


# -- roll-up ----------------------------------------------------------------------------------------


def test_a_withdrawn_city_task_is_never_brought_back_by_the_rollup(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    apply_revision(ledger, preview_revision(
        ledger, city, parsed_plan([CITY[0], CITY[2], CITY[3]], source="市修订.xlsx",
                                  title="2023年某市政务公开工作任务分解表"), "d" * 64))
    withdrawn = next(t for t in ledger.tasks(city) if t.status == Status.CANCELLED)
    ledger.set_status(_county_task(ledger, county, 2).id, Status.DONE, date(2023, 8, 1))
    preview = R.preview_rollup(ledger, city, Q3)
    assert withdrawn.id not in [r.task.id for r in preview.rows]
    R.apply_rollup(ledger, preview, R.decide(preview, use_rollup=None))
    assert ledger.task(withdrawn.id).status == Status.CANCELLED


def test_a_cancelled_county_task_is_left_out_and_all_cancelled_leaves_the_city_task_alone(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    one, two = _county_task(ledger, county, 1), _county_task(ledger, county, 2)
    ledger.set_status(one.id, Status.DONE, date(2023, 7, 3))
    ledger.set_status(two.id, Status.CANCELLED, date(2023, 7, 3))
    rows = {r.seq: r for r in R.preview_rollup(ledger, city, Q3).rows}
    assert rows[1].status == Status.DONE and 2 not in rows


def test_a_rollup_applied_twice_writes_once(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    ledger.set_status(_county_task(ledger, county, 1).id, Status.DONE, date(2023, 7, 3))
    ledger.set_progress(_county_task(ledger, county, 1).id, Q3, "已公开。")
    preview = R.preview_rollup(ledger, city, Q3)
    R.apply_rollup(ledger, preview, R.decide(preview))
    before, audits = dump(ledger), audit_count(ledger)
    again = R.preview_rollup(ledger, city, Q3)
    assert again.changing == []
    assert R.apply_rollup(ledger, again, R.decide(again)).tasks == []
    # The first preview, applied a second time, is stale only where it would write.
    with pytest.raises(UserError, match="重新预览"):
        R.apply_rollup(ledger, preview, R.decide(preview))
    assert dump(ledger) == before and audit_count(ledger) == audits


def test_a_rollup_for_another_years_quarter_is_refused(ledger: Ledger) -> None:
    city, _ = _linked(ledger)
    before = dump(ledger)
    with pytest.raises(UserError, match="2023年"):
        R.preview_rollup(ledger, city, Quarter(2024, 1))
    assert dump(ledger) == before


def test_the_clerks_hand_edit_of_the_city_note_is_shown_beside_the_rollup_and_kept(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    task = _county_task(ledger, county, 1)
    ledger.set_progress(task.id, Q3, "已公开目录。")
    preview = R.preview_rollup(ledger, city, Q3)
    R.apply_rollup(ledger, preview, R.decide(preview))
    city_task = next(t for t in ledger.tasks(city) if t.seq == 1)
    rolled = next(p.text for p in ledger.task(city_task.id).progress if p.quarter == str(Q3))
    ledger.set_progress(city_task.id, Q3, rolled + "\n市里要求补充的说明。", expected=rolled)
    ledger.set_progress(task.id, Q3, "已公开目录并更新。", expected="已公开目录。")
    again = R.preview_rollup(ledger, city, Q3)
    [row] = [r for r in again.rows if r.seq == 1]
    assert row.note_competes and "市里要求补充的说明" in row.current_note and "并更新" in row.note
    before = dump(ledger)
    with pytest.raises(UserError, match="--keep-own"):
        R.decide(again)
    assert dump(ledger) == before
    R.apply_rollup(ledger, again, R.decide(again, keep_own=[1]))
    assert "市里要求补充的说明" in next(p.text for p in ledger.task(city_task.id).progress if p.quarter == str(Q3))


def test_a_note_the_clerk_edited_in_the_preview_competes_with_the_next_rollup(ledger: Ledger) -> None:
    """The preview's note is editable; what the clerk typed there is her own words, so
    the next roll-up must ask before replacing it (not take it for its own answer)."""
    city, county = _linked(ledger)
    task = _county_task(ledger, county, 1)
    ledger.set_progress(task.id, Q3, "已公开目录。")
    preview = R.preview_rollup(ledger, city, Q3)
    row = next(r for r in preview.rows if r.seq == 1)
    R.apply_rollup(ledger, preview, [R.Decision(row.task.id, text="【县政府办公室】已公开目录,另附市里要求的说明。")])
    ledger.set_progress(task.id, Q3, "已公开目录并更新。", expected="已公开目录。")
    again = next(r for r in R.preview_rollup(ledger, city, Q3).rows if r.seq == 1)
    assert again.note_competes, "the clerk's edited note would be replaced without asking"


def test_the_rollups_own_unedited_note_is_updated_without_asking(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    task = _county_task(ledger, county, 1)
    ledger.set_progress(task.id, Q3, "已公开目录。")
    preview = R.preview_rollup(ledger, city, Q3)
    row = next(r for r in preview.rows if r.seq == 1)
    R.apply_rollup(ledger, preview, [R.Decision(row.task.id, text=row.note + "\n")])  # the same words
    ledger.set_progress(task.id, Q3, "已公开目录并更新。", expected="已公开目录。")
    again = next(r for r in R.preview_rollup(ledger, city, Q3).rows if r.seq == 1)
    assert not again.note_competes and again.changes_note


# -- rollover ---------------------------------------------------------------------------------------


def _long_term(ledger: Ledger) -> int:
    plan_id, _ = _plan(ledger)
    return plan_id


def test_rollover_into_the_ledger_a_file_or_a_subfolder_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    plan_id = _long_term(ledger)
    a_file = tmp_path / "note.txt"
    a_file.write_text("x", encoding="utf-8")
    link = tmp_path / "link-to-ledger"
    os.symlink(ledger.folder, link)
    before = dump(ledger)
    listing = sorted(p.name for p in ledger.folder.iterdir())
    for into, words in [(ledger.folder, "就是现在的台账"), (a_file, "是一个文件"),
                        (ledger.folder / "2024", "在现在的台账文件夹里面"),
                        (ledger.folder / "evidence" / "2024", "在现在的台账文件夹里面"),
                        (link / "2024", "在现在的台账文件夹里面"), (link, "就是现在的台账")]:
        with pytest.raises(UserError, match=words):
            RO.rollover(ledger, plan_id, 2024, into=into)
    assert dump(ledger) == before
    assert sorted(p.name for p in ledger.folder.iterdir()) == listing
    assert not (ledger.folder / "2024").exists()


@pytest.mark.parametrize("into", ["ledger", "ledger/2024", "link/2024"])
def test_the_dry_run_refuses_the_same_folders_as_the_rollover(ledger: Ledger, tmp_path: Path, into: str) -> None:
    os.symlink(ledger.folder, tmp_path / "link")
    with pytest.raises(UserError):
        RO.check_into(ledger.folder, tmp_path / into)


@pytest.mark.parametrize("to", [2023, 2022, 2029, 9999])
def test_rollover_to_a_year_not_just_ahead_is_refused(ledger: Ledger, to: int) -> None:
    plan_id = _long_term(ledger)
    before = dump(ledger)
    with pytest.raises(UserError, match="--to"):
        RO.rollover(ledger, plan_id, to)
    assert dump(ledger) == before


def test_rollover_nothing_of_last_year_changes(ledger: Ledger) -> None:
    plan_id = _long_term(ledger)
    tasks_before = ledger.db.execute("SELECT * FROM tasks ORDER BY id").fetchall()
    result = RO.rollover(ledger, plan_id, 2024)
    assert result.items == 2  # 规范政府网站, 加强政务新媒体管理 (长期坚持)
    assert ledger.db.execute("SELECT * FROM tasks ORDER BY id").fetchall() == tasks_before
    with pytest.raises(RO.AlreadyRolledOverError):
        RO.rollover(ledger, plan_id, 2024)


@pytest.mark.slow
def test_carry_over_matching_against_20000_tasks_is_not_quadratic(ledger: Ledger) -> None:
    """A new plan of 20,000 tasks and last year's 200 carried items: matching suggests
    each item's task in seconds, not minutes."""
    words = "政务公开信息发布解读回应平台建设规范管理目录清单标准基层决策执行服务结果预算决算采购"

    def text(n: int) -> str:
        # Distinct, Chinese, realistic length: a fixed head and a tail spelled from n.
        tail = "".join(words[(n // 7 ** k) % len(words)] for k in range(6))
        return f"推进{tail}工作,做好第{n}项{words[n % len(words)]}相关事项的公开和更新。"

    # Last year's words, slightly different from this year's.
    old = [([S2], text(n * 97).replace("公开和更新", "公开与及时更新"), "县政府办", "长期坚持") for n in range(200)]
    old_plan = write_plan(ledger, parsed_plan(old, year=2023), "a" * 64).plan_id
    RO.rollover(ledger, old_plan, 2024)
    new = [([S2], text(n), "县政府办", "长期坚持") for n in range(20000)]
    new_plan = write_plan(ledger, parsed_plan(new, year=2024, title="2024年某县政务公开工作任务分解表"),
                          "b" * 64).plan_id
    started = time.perf_counter()
    suggestions = RO.suggest_matches(ledger, new_plan)
    took = time.perf_counter() - started
    assert len(suggestions) == 200
    by_text = {t.requirement: t.seq for t in ledger.tasks(new_plan)}
    right = sum(1 for s in suggestions if s.above_threshold
                and s.task_seq == by_text[s.item.requirement.replace("公开与及时更新", "公开和更新")])
    assert right == 200
    assert took < 15, f"matching took {took:.1f} s"


# -- 已取消 and the per-period counts ------------------------------------------------------------------


def test_a_recurring_task_withdrawn_mid_year_counts_before_and_never_after(ledger: Ledger) -> None:
    from zwgk_desktop.core.follow_up import lagging_units
    from zwgk_desktop.core.report_data import build_report

    rows = [([S1], "每季度公开一次财政资金信息。", "县财政局", "每季度"),
            ([S1], "公开决策事项目录。", "县司法局", "12月底前"),
            ([S2], "每季度更新政策解读。", "县发改局", "每季度")]
    plan_id, ids = _plan(ledger, rows)
    ledger.set_status(ids[2], Status.CANCELLED, date(2023, 5, 10))
    q1 = build_report(ledger, plan_id, Quarter(2023, 1), printed_on=date(2023, 4, 1)).totals
    q3 = build_report(ledger, plan_id, Quarter(2023, 3), printed_on=date(2023, 10, 1)).totals
    assert (q1.total, q1.cancelled) == (3, 0)  # two quarters' periods and the dated task
    assert (q3.total, q3.cancelled) == (2, 1)
    lagging = {u.unit for u in lagging_units(ledger, plan_id, today=date(2023, 10, 15), include_clean=False)}
    assert "县发改局" not in lagging and "县财政局" in lagging
