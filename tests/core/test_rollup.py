"""汇总本级: the superior task's status and note composed from its derived tasks,
previewed first, competing values chosen by the clerk, written in one audited change."""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import audit_count, dump, parsed_plan
from zwgk_desktop.core import derive as V
from zwgk_desktop.core import rollup as R
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.exchange.unit_notes import split_note
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter

Q3 = Quarter(2023, 3)
S = Status
D1, D2, D3 = date(2023, 7, 5), date(2023, 8, 9), date(2023, 9, 1)


@pytest.mark.parametrize("items,expected", [
    ([(S.DONE, D1), (S.DONE, D3), (S.DONE, D2)], (S.DONE, D3)),  # the last one's day
    ([(S.DONE, D1), (S.NOT_STARTED, None)], (S.IN_PROGRESS, D1)),
    ([(S.IN_PROGRESS, D2), (S.NOT_STARTED, None)], (S.IN_PROGRESS, D2)),
    ([(S.NOT_STARTED, None), (S.NOT_STARTED, None)], (S.NOT_STARTED, None)),
    ([(S.NOT_APPLICABLE, D1), (S.NOT_APPLICABLE, D2)], (S.NOT_APPLICABLE, D2)),
    ([(S.NOT_APPLICABLE, D1), (S.DONE, D2)], (S.DONE, D2)),  # 不适用 left out of the rest
    ([(S.NOT_APPLICABLE, D1), (S.NOT_STARTED, None)], (S.NOT_STARTED, None)),
    ([(S.CANCELLED, D1), (S.DONE, D2)], (S.DONE, D2)),  # withdrawn ones ignored
    ([(S.CANCELLED, D1)], (None, None)),
    ([], (None, None)),
])
def test_rolled_status(items, expected) -> None:
    assert R.rolled_status(items) == expected


def _linked(ledger: Ledger, rows=None, sha: str = "a" * 64) -> tuple[int, int]:
    """A city plan and the county plan derived from it (every task chosen)."""
    rows = rows or [(["一、公开"], "公开目录。", "各县区政府、市发改委", "6月底前"),
                    (["一、公开"], "规范网站。", "各县区政府", "12月底前"),
                    (["二、基础"], "市级自办。", "市财政局", "12月底前")]
    plan_id = write_plan(ledger, parsed_plan(rows, title="2023年某市政务公开工作任务分解表"), sha).plan_id
    preview = V.prepare_derive(ledger, plan_id, local_name="某某县", lead_office="县政府办公室",
                               task_ids=ledger.task_ids(plan_id)[:2])
    return plan_id, V.create_derived_plan(ledger, preview).plan_id


def _report(ledger: Ledger, county: int, seq: int, status: Status, on: date | None, note: str = "") -> None:
    task = next(t for t in ledger.tasks(county) if t.seq == seq)
    ledger.set_status(task.id, status, on)
    if note:
        ledger.set_progress(task.id, Q3, note)


def test_rolled_note_labels_each_unit_and_keeps_shared_parts(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    _report(ledger, county, 1, S.IN_PROGRESS, D1, "县政府办:已部署。\n【县发改局】目录已编制。")
    preview = R.preview_rollup(ledger, city, Q3)
    row = next(r for r in preview.rows if r.seq == 1)
    head, parts = split_note(row.note)
    assert head == ""
    assert parts == {"县政府办公室": "县政府办:已部署。", "县发改局": "目录已编制。"}


def test_preview_writes_nothing_and_apply_writes_once(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    _report(ledger, county, 1, S.DONE, D2, "已公开目录。")
    _report(ledger, county, 2, S.IN_PROGRESS, D1, "网站改版中。")
    state = dump(ledger)
    preview = R.preview_rollup(ledger, city, Q3)
    assert dump(ledger) == state
    assert [r.seq for r in preview.rows] == [1, 2]  # 序号 3 has no county task
    first, second = preview.rows
    assert first.summary == "县级 1 项中 1 项已完成"
    assert (first.status, first.status_date) == (S.DONE, D2)
    assert second.summary == "县级 1 项中 0 项已完成,1 项推进中"
    assert preview.competing == []

    before = audit_count(ledger)
    outcome = R.apply_rollup(ledger, preview, R.decide(preview))
    assert (outcome.statuses, outcome.notes) == (2, 2)
    tasks = {t.seq: t for t in ledger.tasks(city)}
    assert (tasks[1].status, tasks[1].status_date) == (S.DONE, D2)
    assert tasks[2].status == S.IN_PROGRESS
    assert tasks[1].progress[0].text == "【县政府办公室】已公开目录。"
    assert tasks[3].status == S.NOT_STARTED and tasks[3].progress == []
    # one rollup row plus the writers' own rows (2 statuses, 2 notes), in one transaction
    assert audit_count(ledger) == before + 5
    actions = [e.action for e in ledger.audit_log(5)]
    assert actions[0] == "汇总本级" and all("汇总本级" in a for a in actions)
    assert (ledger.folder / "backups").is_dir()


def test_the_clerks_own_note_competes_and_is_kept_or_replaced_only_by_choice(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    superior = next(t for t in ledger.tasks(city) if t.seq == 1)
    ledger.set_progress(superior.id, Q3, "市里写的说明。")
    _report(ledger, county, 1, S.IN_PROGRESS, D1, "已部署。")
    preview = R.preview_rollup(ledger, city, Q3)
    row = next(r for r in preview.rows if r.seq == 1)
    assert row.note_competes and not row.status_competes and row.competes
    assert row.current_note == "市里写的说明。"
    state = dump(ledger)
    with pytest.raises(UserError) as caught:
        R.decide(preview)
    assert "市里写的说明。" in caught.value.message and "--keep-own" in caught.value.message
    assert dump(ledger) == state

    R.apply_rollup(ledger, preview, R.decide(preview, keep_own=[1]))
    task = ledger.task(superior.id)
    assert task.progress[0].text == "市里写的说明。"  # kept
    assert task.status == S.IN_PROGRESS  # the status did not compete: taken

    preview = R.preview_rollup(ledger, city, Q3)
    R.apply_rollup(ledger, preview, R.decide(preview, use_rollup=[1]))
    assert ledger.task(superior.id).progress[0].text == "【县政府办公室】已部署。"


def test_a_later_rollup_updates_its_own_earlier_answer_without_asking(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    _report(ledger, county, 1, S.IN_PROGRESS, D1, "已部署。")
    preview = R.preview_rollup(ledger, city, Q3)
    R.apply_rollup(ledger, preview, R.decide(preview))
    _report(ledger, county, 1, S.DONE, D3, "已完成。")
    preview = R.preview_rollup(ledger, city, Q3)
    assert preview.competing == []
    R.apply_rollup(ledger, preview, R.decide(preview))
    task = next(t for t in ledger.tasks(city) if t.seq == 1)
    assert (task.status, task.status_date) == (S.DONE, D3)
    assert task.progress[0].text == "【县政府办公室】已完成。"


def test_a_status_set_by_the_clerk_competes(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    superior = next(t for t in ledger.tasks(city) if t.seq == 2)
    ledger.set_status(superior.id, S.DONE, D1)
    _report(ledger, county, 2, S.IN_PROGRESS, D2)
    preview = R.preview_rollup(ledger, city, Q3)
    row = next(r for r in preview.rows if r.seq == 2)
    assert row.status_competes and row.current_status_text == "已完成 2023-07-05" and row.status_text == "推进中"
    R.apply_rollup(ledger, preview, R.decide(preview, keep_own=[2]))
    assert ledger.task(superior.id).status == S.DONE


def test_the_editable_note_is_what_gets_written(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    _report(ledger, county, 1, S.IN_PROGRESS, D1, "已部署。")
    preview = R.preview_rollup(ledger, city, Q3)
    row = next(r for r in preview.rows if r.seq == 1)
    R.apply_rollup(ledger, preview, [R.Decision(row.task.id, status=False, note=True, text="县里改写后的进展。")])
    task = ledger.task(row.task.id)
    assert task.progress[0].text == "县里改写后的进展。" and task.status == S.NOT_STARTED


def test_a_task_changed_after_the_preview_refuses_the_whole_rollup(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    _report(ledger, county, 1, S.DONE, D2, "已公开。")
    _report(ledger, county, 2, S.DONE, D2, "已改版。")
    preview = R.preview_rollup(ledger, city, Q3)
    decisions = R.decide(preview)
    superior = next(t for t in ledger.tasks(city) if t.seq == 2)
    ledger.set_progress(superior.id, Q3, "刚刚另写的。")
    state = dump(ledger)
    with pytest.raises(UserError, match="序号 2.*重新预览"):
        R.apply_rollup(ledger, preview, decisions)
    assert dump(ledger) == state


def test_cancelled_derived_tasks_are_not_counted(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    _report(ledger, county, 1, S.CANCELLED, D1)
    _report(ledger, county, 2, S.DONE, D2)
    preview = R.preview_rollup(ledger, city, Q3)
    assert [r.seq for r in preview.rows] == [2]


def test_mismatched_plans_and_quarters_are_refused_plainly(ledger: Ledger) -> None:
    city, county = _linked(ledger)
    with pytest.raises(UserError, match=f"本级分解表,由上级分解表《{ledger.plan(city).title}》生成") as caught:
        R.preview_rollup(ledger, county, Q3)
    assert f"zwgk rollup {city} " in caught.value.hint_cli and "分解表 " not in caught.value.message
    lone = write_plan(ledger, parsed_plan(), "9" * 64).plan_id
    with pytest.raises(UserError, match="还没有生成本级分解表"):
        R.preview_rollup(ledger, lone, Q3)
    with pytest.raises(UserError, match="不在《"):
        R.preview_rollup(ledger, city, Quarter(2024, 1))
    preview = R.preview_rollup(ledger, city, Q3)
    with pytest.raises(UserError, match="不是本次汇总的上级任务"):
        R.decide(preview, keep_own=[3])


def test_an_ended_quarter_counts_the_derived_tasks_as_they_stood_on_its_last_day(ledger: Ledger) -> None:
    """The city's Q3 table filled in in October says what was true on 30 September, as the
    county's own Q3 report does; a task ticked since counts in Q4, not in Q3."""
    city, county = _linked(ledger)
    _report(ledger, county, 1, S.IN_PROGRESS, D1, "目录编制中。")
    _report(ledger, county, 1, S.DONE, date(2023, 10, 8))  # after the quarter ended
    _report(ledger, county, 2, S.IN_PROGRESS, date(2023, 10, 9))
    rows = {r.seq: r for r in R.preview_rollup(ledger, city, Q3).rows}
    assert (rows[1].status, rows[1].status_date) == (S.IN_PROGRESS, D1)
    assert rows[1].summary == "县级 1 项中 0 项已完成,1 项推进中"
    assert (rows[2].status, rows[2].status_date) == (S.NOT_STARTED, None)
    q4 = {r.seq: r for r in R.preview_rollup(ledger, city, Quarter(2023, 4)).rows}
    assert (q4[1].status, q4[1].status_date) == (S.DONE, date(2023, 10, 8))
    assert (q4[2].status, q4[2].status_date) == (S.IN_PROGRESS, date(2023, 10, 9))
