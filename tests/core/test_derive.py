"""下发本级分解表: the 任城 plan, renamed as if a city had issued it (区→市, 各镇(街道)→各县区),
derived back to the district's own units. The derived plan is linked task by task,
written in one audited change, refused (nothing written) while units stay unmapped,
and behaves as any plan afterwards (fill-in recipients)."""

from __future__ import annotations

import json

import pytest

from tests.builders import audit_count, dump, parsed_plan
from tests.conftest import SAMPLES
from zwgk_desktop.core import derive as V
from zwgk_desktop.core import unit_directory as D
from zwgk_desktop.core import unit_mapping as M
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.exchange.send_down import fill_in_for
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import Role, UnitRef, unit_key
from zwgk_desktop.io.plan_file import read_plan_file

LOCAL = "任城区"
LEAD = "区政府办公室"
#: What the city's table names where the district's named its towns.
CITY_GROUPS = {"各镇(街道)": "各县区", "各涉农镇(街道)": "各涉农县区"}


def as_city(name: str) -> str:
    """区发改局 -> 市发改局, 区政府各部门单位 -> 市政府各部门单位, 各镇(街道) -> 各县区."""
    if name in CITY_GROUPS:
        return CITY_GROUPS[name]
    name = name.replace("区政府", "市政府")
    return "市" + name[1:] if name.startswith("区") else name


def import_city_plan(ledger: Ledger) -> tuple[int, list[list[UnitRef]]]:
    """The 任城 sample as a city's plan in the ledger, and the district's own units
    registered in the unit directory (as an earlier year would have left them).
    Returns the plan id and each task's original (district) units, in table order."""
    parsed, sha = read_plan_file(SAMPLES / "rencheng_2023.xlsx")
    originals = [list(t.units) for t in parsed.tasks]
    for task in parsed.tasks:
        task.units = [UnitRef(as_city(u.name), u.role) for u in task.units]
        task.units_text = "、".join(u.name for u in task.units)
    parsed.title = parsed.title.replace("济宁市任城区", "济宁市")
    outcome = write_plan(ledger, parsed, sha)
    for name in dict.fromkeys(u.name for units in originals for u in units):
        if name.startswith("区"):
            D.add_unit(ledger, name)
    return outcome.plan_id, originals


def by_hand(preview: V.DerivePreview) -> dict[str, list[str]]:
    """The clerk maps what stays unmapped to the unit of the same name (they are the
    district's own: 运河经济开发区, 国网任城供电公司…), and corrects the one guess that
    is wrong: 市中公安分局 is a real name (市中区's police), not 区中公安分局."""
    fixed = {name: [name] for name in preview.unmapped}
    fixed.update({s.superior: [s.superior] for s in preview.mapping if s.superior == "市中公安分局"})
    return fixed


def expected_units(original: list[UnitRef]) -> list[str]:
    """The district's units of a task after the round trip: its towns' groups became
    各县区 in the city's table, which the district's lead office takes."""
    names = [LEAD if u.name in CITY_GROUPS else u.name for u in original]
    return list(dict.fromkeys(names))


@pytest.fixture
def city(ledger: Ledger) -> tuple[int, list[list[UnitRef]]]:
    return import_city_plan(ledger)


def _expected_seqs() -> list[int]:
    data = json.loads((SAMPLES / "rencheng_2023.json").read_text(encoding="utf-8"))
    return [n for n, t in enumerate(data["tasks"], start=1) if set(t["units"]) & set(CITY_GROUPS)]


def test_the_default_choice_is_the_tasks_naming_the_lower_level(ledger: Ledger, city) -> None:
    plan_id, _ = city
    chosen = V.default_selection(ledger, plan_id, LOCAL)
    seqs = [t.seq for t in ledger.tasks(plan_id) if t.id in chosen]
    assert seqs == _expected_seqs()
    assert 0 < len(seqs) < len(ledger.tasks(plan_id))


def test_the_mapping_finds_the_districts_own_units_back(ledger: Ledger, city) -> None:
    plan_id, originals = city
    preview = V.prepare_derive(ledger, plan_id, local_name=LOCAL, lead_office=LEAD, task_ids=ledger.task_ids(plan_id))
    table = {s.superior: s for s in preview.mapping}
    for units in originals:
        for unit in units:
            city_name = as_city(unit.name)
            if unit.name.startswith("区"):
                assert table[city_name].locals == [unit.name], city_name
                assert table[city_name].how == M.How.SIMILAR
            elif unit.name in CITY_GROUPS:
                assert (table[city_name].locals, table[city_name].how) == ([LEAD], M.How.LEAD)
    assert table["任城区税务局"].locals == ["任城区税务局"]  # named after the district itself
    # Every 市 unit found its 区 unit by name; the only guess is a name that merely starts with 市.
    assert [s.superior for s in preview.mapping if s.how == M.How.GUESS] == ["市中公安分局"]
    assert "国网任城供电公司" in preview.unmapped and "运河经济开发区" in preview.unmapped


def test_unmapped_units_refuse_the_derive_and_nothing_is_written(ledger: Ledger, city) -> None:
    plan_id, _ = city
    preview = V.prepare_derive(ledger, plan_id, local_name=LOCAL, lead_office=LEAD)
    assert preview.unmapped and preview.blocked_seqs
    state = dump(ledger)
    with pytest.raises(UserError) as caught:
        V.create_derived_plan(ledger, preview)
    assert "国网任城供电公司" in caught.value.message and "没有生成" in caught.value.message
    assert "--" not in caught.value.message and "--map" in caught.value.hint_cli
    assert dump(ledger) == state


def test_derive_round_trip_links_every_task(ledger: Ledger, city) -> None:
    plan_id, originals = city
    first = V.prepare_derive(ledger, plan_id, local_name=LOCAL, lead_office=LEAD)
    preview = V.prepare_derive(ledger, plan_id, local_name=LOCAL, lead_office=LEAD, mapping=by_hand(first))
    assert preview.unmapped == []
    before = audit_count(ledger)
    outcome = V.create_derived_plan(ledger, preview)
    assert audit_count(ledger) == before + 1
    assert ledger.audit_log(1)[0].action == "生成本级分解表"

    superior = {t.id: t for t in ledger.tasks(plan_id)}
    derived = ledger.tasks(outcome.plan_id)
    assert [superior[_source(ledger, t.id)].seq for t in derived] == _expected_seqs()
    assert [t.seq for t in derived] == list(range(1, len(derived) + 1))
    assert V.superior_of(ledger, outcome.plan_id) == plan_id
    assert [p.id for p in V.derived_plans(ledger, plan_id)] == [outcome.plan_id]
    for task in derived:
        source = superior[_source(ledger, task.id)]
        assert task.requirement == source.requirement
        assert task.section == source.section
        assert (task.deadline_text, task.due_date) == (source.deadline_text, source.due_date)
        assert [u.name for u in task.units] == expected_units(originals[source.seq - 1]), source.seq
        assert task.units[0].role == Role.LEAD
        assert all(u.role == Role.COOPERATE for u in task.units[1:])
    plan = ledger.plan(outcome.plan_id)
    assert plan.title == "2023年任城区政务公开重点工作任务分解表"
    assert plan.columns == V.DERIVED_COLUMNS
    # The mapping used and the district's facts are kept for next time.
    stored = M.stored_mapping(ledger)
    assert stored["各县区"] == [LEAD] and stored["市发改局"] == ["区发改局"]
    assert M.get_settings(ledger) == {M.LOCAL_NAME: LOCAL, M.LEAD_OFFICE: LEAD}


def _source(ledger: Ledger, task_id: int) -> int:
    return ledger.db.execute("SELECT derived_from FROM tasks WHERE id = ?", [task_id]).fetchone()[0]


def test_the_derived_plan_sends_fill_ins_as_any_plan(ledger: Ledger, city) -> None:
    plan_id, _ = city
    first = V.prepare_derive(ledger, plan_id, local_name=LOCAL, lead_office=LEAD)
    outcome = V.create_derived_plan(ledger, V.prepare_derive(ledger, plan_id, mapping=by_hand(first),
                                                             local_name=LOCAL, lead_office=LEAD))
    names = [r.name for r in D.plan_recipients(ledger, outcome.plan_id)]
    assert LEAD in names and "区发改局" in names
    assert [n for n in names if n.startswith("市")] == ["市中公安分局"]  # no city department gets one
    fill = fill_in_for(ledger, outcome.plan_id, "区发改局", Quarter(2023, 3))
    assert fill.rows and all(r.task_id in ledger.task_ids(outcome.plan_id) for r in fill.rows)


def test_stored_pairs_are_used_next_time_and_the_facts_remembered(ledger: Ledger, city) -> None:
    plan_id, _ = city
    M.replace_mapping(ledger, {"市发改局": ["区发改局", "区统计局"]})
    M.set_settings(ledger, {M.LOCAL_NAME: LOCAL, M.LEAD_OFFICE: LEAD})
    preview = V.prepare_derive(ledger, plan_id)  # the facts come from the ledger
    row = next(s for s in preview.mapping if s.superior == "市发改局")
    assert (row.locals, row.how) == (["区发改局", "区统计局"], M.How.STORED)
    task = next(t for t in preview.tasks if "区统计局" in [u.name for u in t.units])
    assert [u.name for u in task.units].index("区统计局") == [u.name for u in task.units].index("区发改局") + 1


def test_missing_local_facts_are_asked_for(ledger: Ledger, city) -> None:
    plan_id, _ = city
    with pytest.raises(UserError, match="本级名称") as caught:
        V.prepare_derive(ledger, plan_id)
    assert "--" not in caught.value.message  # the window shows it as it is
    assert "--local-name" in caught.value.hint_cli and "--lead-office" in caught.value.hint_cli
    with pytest.raises(UserError, match="本级牵头单位") as caught:
        V.prepare_derive(ledger, plan_id, local_name=LOCAL)
    assert "本级名称" not in caught.value.message and "--local-name" not in caught.value.hint_cli


def test_a_second_derive_of_the_same_plan_is_refused(ledger: Ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan([(["一、公开"], "公开目录。", "各县区政府", "6月底前")]), "b" * 64).plan_id
    V.create_derived_plan(ledger, V.prepare_derive(ledger, plan_id, local_name="某某县", lead_office="县政府办公室"))
    state = dump(ledger)
    with pytest.raises(UserError, match="已经生成过本级分解表"):
        V.create_derived_plan(ledger, V.prepare_derive(ledger, plan_id, local_name="某某县",
                                                       lead_office="县政府办公室"))
    assert dump(ledger) == state


def test_own_tasks_are_added_after_unlinked(ledger: Ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan([(["一、公开"], "公开目录。", "各县区政府、市司法局", "6月底前"),
                                              (["一、公开"], "市级自办。", "市发改委", "6月底前")]), "c" * 64).plan_id
    own = parsed_plan([(["二、本级任务"], "县里自己的任务。", "县发改局", "9月底前")]).tasks
    preview = V.prepare_derive(ledger, plan_id, local_name="某某县", lead_office="县政府办公室", own_tasks=own)
    outcome = V.create_derived_plan(ledger, preview)
    tasks = ledger.tasks(outcome.plan_id)
    assert [t.requirement for t in tasks] == ["公开目录。", "县里自己的任务。"]
    assert [u.name for u in tasks[0].units] == ["县政府办公室", "县司法局"]  # the group leads via the lead office
    assert _source(ledger, tasks[0].id) is not None and _source(ledger, tasks[1].id) is None
    assert tasks[1].section == ["二、本级任务"] and (outcome.derived, outcome.own) == (1, 1)


def test_a_failing_file_write_keeps_nothing(ledger: Ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan([(["一、公开"], "公开目录。", "各县区政府", "6月底前")]), "d" * 64).plan_id
    preview = V.prepare_derive(ledger, plan_id, local_name="某某县", lead_office="县政府办公室")
    state = dump(ledger)

    def fails(own: Ledger, new_id: int) -> None:
        assert own.plan(new_id).title.startswith("2023年某某县")  # it sees the plan being written
        raise UserError("无法写入“x.xlsx”:磁盘已满")

    with pytest.raises(UserError, match="磁盘已满"):
        V.create_derived_plan(ledger, preview, also=fails)
    assert dump(ledger) == state


def test_cancelled_tasks_are_never_chosen_and_refused_when_named(ledger: Ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan([(["一、公开"], "甲。", "各县区政府", "6月底前"),
                                              (["一、公开"], "乙。", "各县区政府", "6月底前")]), "e" * 64).plan_id
    first, second = ledger.task_ids(plan_id)
    ledger.set_status(second, Status.CANCELLED)
    assert V.default_selection(ledger, plan_id, "某某县") == [first]
    with pytest.raises(UserError, match="已取消"):
        V.prepare_derive(ledger, plan_id, local_name="某某县", lead_office="县政府办公室", task_ids=[second])


def test_a_plan_naming_nothing_of_the_county_asks_for_the_tasks(ledger: Ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan([(["一、公开"], "甲。", "市发改委", "6月底前")]), "f" * 64).plan_id
    with pytest.raises(UserError, match="没有点名本级的任务") as caught:
        V.prepare_derive(ledger, plan_id, local_name="某某县", lead_office="县政府办公室")
    assert "--tasks" in caught.value.hint_cli


@pytest.mark.parametrize("title,expected", [
    ("2023年济宁市政务公开重点工作任务分解表", "2023年任城区政务公开重点工作任务分解表"),
    ("济宁市2023年政务公开工作要点", "2023年任城区政务公开工作要点任务分解表"),
    ("任务表", "2023年任城区政务公开工作任务分解表"),
])
def test_derived_title(title: str, expected: str) -> None:
    assert V.derived_title(title, 2023, LOCAL) == expected


def test_units_are_deduplicated_and_the_lead_kept_first() -> None:
    from zwgk_desktop.core.model import Task
    from zwgk_desktop.core.deadlines import DeadlineKind

    task = Task(id=1, plan_id=1, seq=1, section=[], title=None, requirement="x",
                units=[UnitRef("市教育局", Role.LEAD), UnitRef("市体育局", Role.COOPERATE), UnitRef("市财政局", Role.COOPERATE)],
                deadline_text="", due_date=None, deadline_kind=DeadlineKind.UNKNOWN, needs_review=False,
                status=Status.NOT_STARTED, status_date=None)
    units, unmapped = V.derived_units(task, {"市教育局": ["县教体局"], "市体育局": ["县教体局"]})
    assert units == [UnitRef("县教体局", Role.LEAD)]
    assert unmapped == ["市财政局"]
    assert unit_key("县教体局") == unit_key(units[0].name)
