"""督办: per unit, the tasks overdue / due soon / without a note or evidence this quarter,
and the record of each 催办单 sent (one transaction, one audit row, shown on the task)."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core import follow_up as fu
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.unit_directory import add_member
from zwgk_desktop.core.units import assign_roles

TODAY = date(2023, 9, 20)
Q3 = Quarter(2023, 3)
ROWS = [  # requirement, units, deadline
    ("公开重大行政决策事项目录。", "县司法局、县政府办", "6月底前"),          # 0 overdue
    ("动态调整目录并公开。", "县政府办", "9月30日前"),                        # 1 due in 10 days
    ("开展决策公众参与,征集意见。", "县发改局、各镇(街道)", "10月底前"),     # 2 later
    ("做好政策解读,发布图解。", "县政府办、县发改局", "12月底前"),          # 3 later
    ("常态化回应社会关切。", "县融媒体中心", "长期坚持"),                     # 4 ongoing
    ("已完成的任务。", "县发改局", "3月底前"),                                # 5 done
]


def make_plan(ledger: Ledger) -> tuple[int, list[int]]:
    tasks = [ParsedTask(seq=i + 1, section=["一、决策公开"], title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(dl, 2023), source_row=i + 2)
             for i, (req, units, dl) in enumerate(ROWS)]
    parsed = ParsedPlan(title="2023年测试表", year=2023, columns=[], mapping={}, tasks=tasks,
                        sheet="Sheet1", source_name="t.xlsx")
    outcome = write_plan(ledger, parsed, "b" * 64)
    ids = ledger.task_ids(outcome.plan_id)
    ledger.set_status(ids[5], Status.DONE, date(2023, 3, 20))
    return outcome.plan_id, ids


@pytest.fixture
def plan(ledger: Ledger) -> tuple[Ledger, int, list[int]]:
    pid, ids = make_plan(ledger)
    return ledger, pid, ids


def by_unit(ledger: Ledger, pid: int, **kwargs) -> dict[str, fu.UnitLag]:
    return {u.unit: u for u in fu.lagging_units(ledger, pid, today=TODAY, **kwargs)}


def test_counts_per_unit(plan) -> None:
    ledger, pid, ids = plan
    units = by_unit(ledger, pid)
    office = units["县政府办"]
    assert [t.task_id for t in office.tasks] == [ids[0], ids[1], ids[3]]
    assert (office.overdue, office.due_soon, office.no_progress, office.no_evidence) == (1, 1, 3, 3)
    assert office.level == fu.Level.RED
    lagging0 = office.tasks[0]
    assert fu.Lag.OVERDUE in lagging0.lags and lagging0.days_overdue == 82
    assert fu.Lag.DUE_SOON in office.tasks[1].lags
    # the done task is nobody's business; the ongoing one lacks only its note and evidence
    assert all(ids[5] not in [t.task_id for t in u.tasks] for u in units.values())
    media = units["县融媒体中心"]
    assert (media.overdue, media.due_soon, media.no_progress, media.no_evidence) == (0, 0, 1, 1)
    assert media.level == fu.Level.YELLOW


def test_progress_and_evidence_this_quarter_clear_those_lags(plan) -> None:
    ledger, pid, ids = plan
    ledger.set_progress(ids[4], Q3, "已开设专栏。")
    ev.attach_note(ledger, ids[4], "已在网站发布", Q3)
    assert "县融媒体中心" not in by_unit(ledger, pid)
    # a note of last quarter does not count for this one
    ledger.set_progress(ids[3], Quarter(2023, 2), "已部署。")
    assert fu.Lag.NO_PROGRESS in next(t for t in by_unit(ledger, pid)["县政府办"].tasks if t.task_id == ids[3]).lags


def test_a_plan_of_a_year_gone_by_is_chased_for_its_last_quarter_not_todays(plan) -> None:
    """Finishing last year's plan in January (or years later): 本季度 is the plan year's
    fourth quarter, whose notes count, not a quarter of a later year nobody writes in."""
    ledger, pid, ids = plan
    ledger.set_progress(ids[4], Quarter(2023, 4), "已开设专栏。")
    ev.attach_note(ledger, ids[4], "已在网站发布", Quarter(2023, 4))
    later = {u.unit for u in fu.lagging_units(ledger, pid, today=date(2024, 1, 15))}
    assert "县融媒体中心" not in later
    chosen = {u.unit for u in fu.lagging_units(ledger, pid, today=date(2024, 1, 15), quarter=Q3)}
    assert "县融媒体中心" in chosen  # the clerk's quarter when given


def test_shared_note_counts_only_for_the_unit_that_wrote_its_part(plan) -> None:
    ledger, pid, ids = plan
    ledger.set_progress(ids[3], Q3, "【县发改局】已发布图解 2 篇。")
    units = by_unit(ledger, pid)
    assert fu.Lag.NO_PROGRESS not in next(t for t in units["县发改局"].tasks if t.task_id == ids[3]).lags
    assert fu.Lag.NO_PROGRESS in next(t for t in units["县政府办"].tasks if t.task_id == ids[3]).lags


def test_group_task_reaches_each_member(plan) -> None:
    ledger, pid, ids = plan
    add_member(ledger, "各镇(街道)", "城关镇")
    add_member(ledger, "各镇(街道)", "唐口街道")
    units = by_unit(ledger, pid)
    assert "各镇(街道)" not in units
    assert [t.task_id for t in units["城关镇"].tasks] == [ids[2]]
    assert units["城关镇"].tasks[0].via == ["各镇(街道)"]
    assert [t.task_id for t in units["唐口街道"].tasks] == [ids[2]]


def test_days_window_and_unit_filter(plan) -> None:
    ledger, pid, _ = plan
    office = by_unit(ledger, pid, days=5)["县政府办"]
    assert office.due_soon == 0
    only = fu.lagging_units(ledger, pid, today=TODAY, unit="县 政府办")
    assert [u.unit for u in only] == ["县政府办"]
    with pytest.raises(UserError, match="县统计局"):
        fu.lagging_units(ledger, pid, today=TODAY, unit="县统计局")


def test_sorted_worst_first(plan) -> None:
    ledger, pid, _ = plan
    order = [u.unit for u in fu.lagging_units(ledger, pid, today=TODAY)]
    assert order[0] == "县政府办"  # the only unit with an overdue task... and 县司法局
    assert set(order[:2]) == {"县政府办", "县司法局"}
    assert order[-1] == "县融媒体中心"


def test_record_follow_up_is_one_change_and_shows_on_the_task(plan) -> None:
    ledger, pid, ids = plan
    office = by_unit(ledger, pid)["县政府办"]
    audit_before = ledger.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    fid = fu.record_follow_up(ledger, pid, office, reply_by=date(2023, 9, 27), file_name="催办单.pdf",
                              quarter=Q3)
    assert ledger.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == audit_before + 1
    action, entity = ledger.db.execute("SELECT action, entity FROM audit ORDER BY id DESC").fetchone()
    assert (action, entity) == ("发出催办单", "follow_up")
    shown = fu.follow_ups_by_task(ledger, pid)
    assert set(shown) == {ids[0], ids[1], ids[3]}
    entry = shown[ids[0]][0]
    assert entry["id"] == fid and entry["unit"] == "县政府办" and entry["reply_by"] == "2023-09-27"
    assert entry["missing"] == ["已逾期", "本季度无进展", "本季度无佐证材料"]
    assert entry["file"] == "催办单.pdf"
    assert [f.unit for f in fu.follow_ups(ledger, pid)] == ["县政府办"]


def test_nothing_to_record_for_a_unit_without_lags(plan) -> None:
    ledger, pid, _ = plan
    with pytest.raises(UserError):
        fu.record_follow_up(ledger, pid, fu.UnitLag(unit="县统计局", tasks=[]), reply_by=TODAY)


def test_a_group_named_stands_for_its_members(plan) -> None:
    ledger, pid, ids = plan
    assert [u.unit for u in fu.lagging_units(ledger, pid, today=TODAY, unit="各镇(街道)")] == ["各镇(街道)"]
    add_member(ledger, "各镇(街道)", "城关镇")
    add_member(ledger, "各镇(街道)", "唐口街道")
    lags = fu.lagging_units(ledger, pid, today=TODAY, unit="各镇(街道)")
    assert sorted(u.unit for u in lags) == ["唐口街道", "城关镇"]
    assert all([t.task_id for t in u.tasks] == [ids[2]] for u in lags)
