"""更新本级分解表: a city plan derived, then revised by the city (a task added, one
withdrawn, some reworded or given a new deadline or new units), and the county plan
brought up to date: what is added, cancelled, followed and left alone (the county's own
words are never overwritten), the audit rows, the refusals, and a stale preview.

Pins core/derive/update_preview.py and update_apply.py (--update); tests/core/test_derive.py
pins the rest of the package. Other test files import its builders, so it keeps this name."""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import audit_count, dump, parsed_plan
from zwgk_desktop.core import derive as V
from zwgk_desktop.core import ledger as ledger_module
from zwgk_desktop.core import unit_mapping as M
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import build_report
from zwgk_desktop.core.revision import apply_revision, preview_revision

LOCAL, LEAD = "某某县", "县政府办公室"
S1, S2, S3 = "一、推进决策公开", "二、夯实平台", "三、强化保障"
CITY = [
    ([S1], "公开重大决策事项目录。", "各县区政府", "6月底前"),  # 1 reworded, units changed: follows
    ([S1], "动态调整决策事项目录。", "各县区政府、市司法局", "9月底前"),  # 2 withdrawn
    ([S2], "规范政府网站集约化建设。", "各县区政府", "长期坚持"),  # 3 reworded, the county edited it: left
    ([S2], "市级平台自行维护。", "市发改委", "12月底前"),  # 4 not the county's
    ([S3], "开展政务公开业务培训。", "各县区政府", "11月底前"),  # 5 new deadline: follows
    ([S3], "做好年度报告编制发布。", "各县区政府", "12月底前"),  # 6 new deadline, the county set its own date: left
]
REVISED = [
    ([S1], "公开重大决策事项目录并动态更新。", "各县区政府、市财政局", "6月底前"),
    ([S1], "做好政策解读与回应关切工作。", "各县区政府", "8月底前"),  # new, the county's
    ([S2], "规范政府网站集约化建设,统一平台。", "各县区政府", "长期坚持"),
    ([S2], "市级平台自行维护。", "市发改委", "12月底前"),
    ([S2], "市级新增的自办任务。", "国网某市供电公司", "10月底前"),  # new, not the county's
    ([S3], "开展政务公开业务培训。", "各县区政府", "10月底前"),
    ([S3], "做好年度报告编制发布。", "各县区政府", "1月底前"),
]
COUNTY_WORDS = "规范政府网站集约化建设,本县同步规范政务新媒体。"


def _derived_from(ledger: Ledger, task_id: int) -> int | None:
    return ledger.db.execute("SELECT derived_from FROM tasks WHERE id = ?", [task_id]).fetchone()[0]


def _county_revises_task_3(ledger: Ledger, county_id: int) -> None:
    """The county edits its own table (task 3's wording) and imports it as a revision
    of its plan, as a clerk would."""
    rows = []
    for task in ledger.tasks(county_id):
        words = COUNTY_WORDS if task.requirement == CITY[2][1] else task.requirement
        rows.append((task.section, words, "、".join(u.name for u in task.units), task.deadline_text))
    parsed = parsed_plan(rows, title=ledger.plan(county_id).title, source="本级分解表(改).xlsx")
    apply_revision(ledger, preview_revision(ledger, county_id, parsed, "e" * 64))


@pytest.fixture
def linked(ledger: Ledger) -> tuple[int, int]:
    return build_linked(ledger)


def build_linked(ledger: Ledger) -> tuple[int, int]:
    """The city plan, its county plan (tasks 1, 2, 3, 5, 6), the county's own edits
    (task 3's wording, task 6's date), then the city's revision."""
    city_id = write_plan(ledger, parsed_plan(CITY, title="2023年某市政务公开工作任务分解表"), "a" * 64).plan_id
    preview = V.prepare_derive(ledger, city_id, local_name=LOCAL, lead_office=LEAD)
    county_id = V.create_derived_plan(ledger, preview).plan_id
    _county_revises_task_3(ledger, county_id)
    sixth = next(t for t in ledger.tasks(county_id) if t.requirement == CITY[5][1])
    ledger.set_due_date(sixth.id, date(2023, 12, 20))
    ledger.set_status(next(t.id for t in ledger.tasks(county_id) if t.requirement == CITY[1][1]),
                      Status.IN_PROGRESS, date(2023, 5, 4))
    revised = parsed_plan(REVISED, title="2023年某市政务公开工作任务分解表", source="修订.xlsx")
    apply_revision(ledger, preview_revision(ledger, city_id, revised, "b" * 64), on=date(2023, 7, 1))
    return city_id, county_id


def _by_req(ledger: Ledger, plan_id: int) -> dict[str, object]:
    return {t.requirement: t for t in ledger.tasks(plan_id)}


def _city_seq(ledger: Ledger, city_id: int, requirement: str) -> int:
    return next(t.seq for t in ledger.tasks(city_id) if t.requirement == requirement)


def test_the_preview_lists_new_withdrawn_and_changed_and_writes_nothing(ledger: Ledger, linked) -> None:
    city_id, county_id = linked
    state = dump(ledger)
    preview = V.prepare_update(ledger, city_id)
    assert dump(ledger) == state
    assert preview.county.id == county_id
    added = preview.of(V.UpdateKind.ADDED)
    assert [(i.source.requirement, i.concerns) for i in added] == [
        ("做好政策解读与回应关切工作。", True), ("市级新增的自办任务。", False)]
    assert [u.name for u in added[0].derived.units] == [LEAD]
    assert [i.county.requirement for i in preview.of(V.UpdateKind.WITHDRAWN)] == [CITY[1][1]]

    changed = {i.source.requirement: {a.aspect: a for a in i.aspects} for i in preview.of(V.UpdateKind.CHANGED)}
    assert set(changed) == {REVISED[0][1], REVISED[2][1], CITY[4][1], CITY[5][1]}
    first = changed[REVISED[0][1]]
    assert first[V.Aspect.WORDING].old == CITY[0][1] and first[V.Aspect.WORDING].new == REVISED[0][1]
    assert first[V.Aspect.WORDING].follows and not first[V.Aspect.WORDING].edited
    units = first[V.Aspect.UNITS]
    assert (units.old, units.new, units.follows) == ("各县区政府", "各县区政府(牵头)、市财政局", False)
    assert units.proposed == f"{LEAD}、县财政局" and units.county == LEAD
    edited = changed[REVISED[2][1]][V.Aspect.WORDING]
    assert edited.edited and not edited.follows
    assert (edited.old, edited.new, edited.county) == (CITY[2][1], REVISED[2][1], COUNTY_WORDS)
    training = changed[CITY[4][1]]
    assert list(training) == [V.Aspect.DEADLINE] and training[V.Aspect.DEADLINE].follows
    assert training[V.Aspect.DEADLINE].old.startswith("11月底前") and training[V.Aspect.DEADLINE].new.startswith("10月底前")
    report = changed[CITY[5][1]][V.Aspect.DEADLINE]
    assert report.edited and not report.follows and "2023-12-20" in report.county

    # Ticked at first: the county's new task, the withdrawal, the changes it can follow.
    items = {i.key: i for i in preview.items}
    assert {items[k].source.requirement for k in preview.default_keys} == {
        "做好政策解读与回应关切工作。", CITY[1][1], REVISED[0][1], CITY[4][1]}
    assert not next(i for i in preview.items if i.source.requirement == REVISED[2][1]).writes


def test_applying_adds_cancels_follows_and_leaves_the_countys_words(ledger: Ledger, linked) -> None:
    city_id, county_id = linked
    preview = V.prepare_update(ledger, city_id)
    withdrawn_id = preview.of(V.UpdateKind.WITHDRAWN)[0].county.id
    before = audit_count(ledger)
    outcome = V.apply_update(ledger, preview, on=date(2023, 7, 3))

    tasks = ledger.tasks(county_id)
    words = [t.requirement for t in tasks]
    # The new task sits after the city's task before it (the section is not split).
    assert words == [REVISED[0][1], "做好政策解读与回应关切工作。", CITY[1][1], COUNTY_WORDS, CITY[4][1], CITY[5][1]]
    assert [t.seq for t in tasks] == [1, 2, 3, 4, 5, 6]
    new = tasks[1]
    assert outcome.added == [new.id]
    assert _derived_from(ledger, new.id) == next(t.id for t in ledger.tasks(city_id)
                                                 if t.requirement == "做好政策解读与回应关切工作。")
    assert new.section == [S1] and [u.name for u in new.units] == [LEAD] and new.deadline_text == "8月底前"
    assert "市级新增的自办任务。" not in words

    cancelled = ledger.task(withdrawn_id)
    assert outcome.cancelled == [withdrawn_id] and cancelled.status == Status.CANCELLED
    assert [h.status for h in ledger.status_history(withdrawn_id)] == [Status.IN_PROGRESS, Status.CANCELLED]

    by_req = _by_req(ledger, county_id)
    assert [u.name for u in by_req[REVISED[0][1]].units] == [LEAD]  # units are shown, never written
    assert by_req[CITY[4][1]].deadline_text == "10月底前" and by_req[CITY[4][1]].due_date == date(2023, 10, 31)
    assert by_req[COUNTY_WORDS].requirement == COUNTY_WORDS  # the county's own words stay
    assert by_req[CITY[5][1]].deadline_text == "12月底前" and by_req[CITY[5][1]].due_date == date(2023, 12, 20)
    assert sorted(outcome.followed) == sorted([by_req[REVISED[0][1]].id, by_req[CITY[4][1]].id])

    # One row for the update, one per task added (with its 序号, as a revision writes
    # it), one per county task that followed, one for the 已取消.
    log = ledger.audit_log(outcome.audit_rows)
    assert audit_count(ledger) == before + 5 == before + outcome.audit_rows
    assert sorted(e.action for e in log) == sorted([
        "更新本级分解表", "修订:新增任务(上级修订)", "修订:改写任务(上级修订)", "修订:完成时限(上级修订)",
        "设置状态(上级修订)"])
    top = log[0]
    assert (top.action, top.entity, top.entity_id) == ("更新本级分解表", "plan", county_id)
    assert top.after["added"][0]["task"] == new.id and top.after["cancelled"] == [withdrawn_id]
    # The county tasks that moved down keep their 序号 of before in the update's row.
    assert top.before["seqs"] == {str(t.id): t.seq - 1 for t in tasks[2:]}
    added_row = next(e for e in log if e.action.startswith("修订:新增任务"))
    assert (added_row.entity, added_row.entity_id, added_row.after["seq"]) == ("task", new.id, 2)
    reword = next(e for e in log if e.action.startswith("修订:改写任务"))
    assert reword.entity_id == by_req[REVISED[0][1]].id
    assert (reword.before["requirement"], reword.after["requirement"]) == (CITY[0][1], REVISED[0][1])


def test_after_the_update_only_what_was_left_is_shown_and_a_later_revision_follows_again(ledger: Ledger,
                                                                                          linked) -> None:
    city_id, county_id = linked
    V.apply_update(ledger, V.prepare_update(ledger, city_id))
    again = V.prepare_update(ledger, city_id)
    assert again.default_keys == []
    assert not any(i.writes for i in again.items if i.kind != V.UpdateKind.ADDED)
    assert {i.source.requirement for i in again.items} == {
        "市级新增的自办任务。", REVISED[0][1], REVISED[2][1], CITY[5][1]}  # not the county's, units, kept words
    state = dump(ledger)
    assert V.apply_update(ledger, again).changed_anything is False
    assert dump(ledger) == state

    # The city words task 1 again: the county task, which followed last time, follows again.
    rows = list(REVISED)
    rows[0] = ([S1], "公开重大决策事项目录并按季度动态更新。", "各县区政府、市财政局", "6月底前")
    revised = parsed_plan(rows, title="2023年某市政务公开工作任务分解表", source="修订2.xlsx")
    apply_revision(ledger, preview_revision(ledger, city_id, revised, "c" * 64))
    third = V.prepare_update(ledger, city_id)
    follows = [i for i in third.items if i.writes and i.kind != V.UpdateKind.ADDED]
    assert third.default_keys == [follows[0].key]
    assert [(i.county.requirement, [a.aspect for a in i.aspects if a.follows]) for i in follows] == [
        (REVISED[0][1], [V.Aspect.WORDING])]
    assert follows[0].aspects[0].old == REVISED[0][1]
    V.apply_update(ledger, third)
    assert ledger.tasks(county_id)[0].requirement == rows[0][1]


def test_a_county_report_reprinted_as_of_a_day_before_the_update_leaves_out_what_it_added(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The June report of the county plan, printed again after a July update, is the
    June report: the task the update added is not in it and the tasks it moved down
    print their June 序号 (and a 完成时限 followed later, the June one). The September
    report has the added task."""
    monkeypatch.setattr(ledger_module, "now_text", lambda: "2023-03-01T09:00:00+08:00")
    city_id, county_id = build_linked(ledger)

    def printed(quarter: Quarter) -> list[tuple]:
        report = build_report(ledger, county_id, quarter)
        return [(r.task_id, r.seq, r.deadline_text, r.due_date, r.status) for r in report.rows]

    june = printed(Quarter(2023, 2))
    monkeypatch.setattr(ledger_module, "now_text", lambda: "2023-07-03T10:00:00+08:00")
    outcome = V.apply_update(ledger, V.prepare_update(ledger, city_id), on=date(2023, 7, 3))
    added = outcome.added[0]
    assert [t.seq for t in ledger.tasks(county_id) if t.id == added] == [2]  # the others moved down

    assert printed(Quarter(2023, 2)) == june
    assert added not in {row[0] for row in june}
    september = printed(Quarter(2023, 3))
    assert (added, 2) in {(row[0], row[1]) for row in september}
    assert [row[1] for row in september] == [t.seq for t in ledger.tasks(county_id)
                                             if t.status != Status.CANCELLED]  # the withdrawn one is out


def test_chosen_lines_only_and_a_named_task(ledger: Ledger, linked) -> None:
    city_id, _ = linked
    preview = V.prepare_update(ledger, city_id)
    own = next(i for i in preview.items if i.source.requirement == "市级新增的自办任务。")
    M.replace_mapping(ledger, {"国网某市供电公司": ["国网某县供电公司"]})
    preview = V.prepare_update(ledger, city_id)
    keys = V.keys_for_seqs(preview, {own.source.seq})
    assert keys == [own.key]
    outcome = V.apply_update(ledger, preview, keys)
    assert len(outcome.added) == 1 and not outcome.cancelled and not outcome.followed
    added = ledger.task(outcome.added[0])
    assert [u.name for u in added.units] == ["国网某县供电公司"] and added.section == [S2]
    # Nothing else was touched: the withdrawal and the changes are still to do.
    rest = V.prepare_update(ledger, city_id)
    assert {i.kind for i in rest.items if i.writes} == {V.UpdateKind.ADDED, V.UpdateKind.WITHDRAWN,
                                                         V.UpdateKind.CHANGED}


def test_unmapped_units_of_a_chosen_new_task_refuse_and_write_nothing(ledger: Ledger, linked) -> None:
    city_id, _ = linked
    preview = V.prepare_update(ledger, city_id)
    own = next(i for i in preview.items if i.source.requirement == "市级新增的自办任务。")
    assert own.unmapped == ["国网某市供电公司"]
    state = dump(ledger)
    with pytest.raises(UserError, match="没有对应的本级单位") as caught:
        V.apply_update(ledger, preview, [*preview.default_keys, own.key])
    assert "国网某市供电公司" in caught.value.message and "--map" in caught.value.hint_cli
    assert dump(ledger) == state
    assert V.apply_update(ledger, preview).added  # not ticked by default: the rest goes through


def test_a_stale_preview_is_not_applied(ledger: Ledger, linked) -> None:
    city_id, _ = linked
    preview = V.prepare_update(ledger, city_id)
    target = next(i for i in preview.items if i.kind == V.UpdateKind.CHANGED and i.writes)
    ledger.set_due_date(target.county.id, date(2023, 9, 1))  # the clerk edits meanwhile
    state = dump(ledger)
    with pytest.raises(UserError, match="重新预览"):
        V.apply_update(ledger, preview)
    assert dump(ledger) == state


def test_a_failing_file_write_keeps_nothing(ledger: Ledger, linked) -> None:
    city_id, county_id = linked
    preview = V.prepare_update(ledger, city_id)
    state = dump(ledger)

    def fails(own: Ledger, plan_id: int) -> None:
        assert plan_id == county_id and len(own.tasks(plan_id)) == 6  # it sees the plan updated
        raise UserError("无法写入“x.xlsx”:磁盘已满")

    with pytest.raises(UserError, match="磁盘已满"):
        V.apply_update(ledger, preview, also=fails)
    assert dump(ledger) == state


def test_refusals_a_plan_never_derived_and_a_county_plan(ledger: Ledger, linked) -> None:
    city_id, county_id = linked
    other = write_plan(ledger, parsed_plan([([S1], "别的。", "各县区政府", "6月底前")]), "d" * 64).plan_id
    with pytest.raises(UserError, match="还没有生成过本级分解表") as caught:
        V.prepare_update(ledger, other)
    assert f"zwgk derive {other}" in caught.value.hint_cli and "--" not in caught.value.message
    with pytest.raises(UserError, match=f"请选上级分解表《{ledger.plan(city_id).title}》") as caught:
        V.prepare_update(ledger, county_id)
    assert f"zwgk derive {city_id} --update" in caught.value.hint_cli


def test_a_plan_unchanged_since_the_derive_has_nothing_to_update(ledger: Ledger) -> None:
    city_id = write_plan(ledger, parsed_plan(CITY), "f" * 64).plan_id
    V.create_derived_plan(ledger, V.prepare_derive(ledger, city_id, local_name=LOCAL, lead_office=LEAD))
    preview = V.prepare_update(ledger, city_id)
    assert preview.is_empty and preview.default_keys == []


def test_the_audit_reads_the_derive_and_the_update_as_sentences(ledger: Ledger, linked) -> None:
    from zwgk_desktop.core.audit_text import describe

    city_id, _ = linked
    V.apply_update(ledger, V.prepare_update(ledger, city_id), on=date(2023, 7, 3))
    text = "\n".join(line.sentence for line in describe(ledger, ledger.audit_log(100)))
    assert "生成本级分解表“" in text and "其中上级任务" in text
    assert "更新本级分解表《2023年某某县政务公开工作任务分解表》:加入序号 2;取消序号 3;随上级修改序号" in text
    assert not any(word in text for word in ("from_task", "followed", "added:", "{"))
