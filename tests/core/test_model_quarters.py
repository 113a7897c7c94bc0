"""Quarters in the model: a task's notes and evidence carry a ``Quarter`` (not the text
the ledger stores), ``Task.progress_for`` is the one way to find a quarter's note, and a
quarter goes into the ledger and comes back the same."""

from __future__ import annotations

import json
import pickle

import pytest

from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.evidence import attach_note, attach_url, evidence_for_task
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Progress, Task
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter, default_quarter, plan_quarters

from tests.builders import parsed_plan

Q2, Q3, Q4 = Quarter(2023, 2), Quarter(2023, 3), Quarter(2023, 4)


@pytest.fixture
def imported(ledger: Ledger) -> tuple[Ledger, list[int]]:
    outcome = write_plan(ledger, parsed_plan(), "c" * 64)
    return ledger, ledger.task_ids(outcome.plan_id)


def test_progress_for_finds_the_note_of_that_quarter_only(imported) -> None:
    ledger, ids = imported
    ledger.set_progress(ids[0], Q2, "二季度的进展")
    ledger.set_progress(ids[0], Q3, "三季度的进展")
    task = ledger.task(ids[0])
    assert task.progress_for(Q3).text == "三季度的进展"
    assert task.progress_for(Q2).text == "二季度的进展"
    assert task.progress_for(Q4) is None
    assert ledger.task(ids[1]).progress_for(Q3) is None


def test_progress_for_on_a_task_built_by_hand() -> None:
    from zwgk_desktop.core.deadlines import DeadlineKind
    from zwgk_desktop.core.model import Status

    notes = [Progress(Q4, "四季度", "推进中", "2023-12-01T10:00:00", "张三"),
             Progress(Q3, "三季度", "推进中", "2023-09-01T10:00:00", "张三")]
    task = Task(id=1, plan_id=1, seq=1, section=[], title=None, requirement="x", units=[], deadline_text="",
                due_date=None, deadline_kind=DeadlineKind.UNKNOWN, needs_review=False,
                status=Status.IN_PROGRESS, status_date=None, progress=notes)
    assert task.progress_for(Q3) is notes[1]
    assert task.progress_for(Q4) is notes[0]
    assert task.progress_for(Q2) is None


def test_a_quarter_goes_through_the_ledger_and_comes_back_a_quarter(imported) -> None:
    ledger, ids = imported
    ledger.set_progress(ids[0], Q3, "已公开目录。")
    attach_note(ledger, ids[0], "已在公开栏张贴", Q2)
    attach_url(ledger, ids[0], "https://www.example.gov.cn/a.html", title="公告", quarter="2023年第四季度")
    task = ledger.task(ids[0])
    assert [(type(p.quarter), p.quarter) for p in task.progress] == [(Quarter, Q3)]
    assert sorted((type(e.quarter), e.quarter) for e in task.evidence) == [(Quarter, Q2), (Quarter, Q4)]
    assert all(type(e.quarter) is Quarter for e in evidence_for_task(ledger, ids[0]))
    # stored as the text the files and the command line use
    stored = ledger.db.execute("SELECT quarter FROM progress WHERE task_id = ?", [ids[0]]).fetchall()
    assert [(type(q), q) for (q,) in stored] == [(str, "2023Q3")]
    # the audit row's JSON carries the text
    ledger.set_progress(ids[0], Q3, "已公开目录并动态调整。")
    before = ledger.db.execute("SELECT before FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert json.loads(before)["quarter"] == "2023Q3"


def test_a_quarter_is_its_stored_text() -> None:
    assert str(Q3) == "2023Q3" and type(str(Q3)) is str
    assert Q3 == "2023Q3" and hash(Q3) == hash("2023Q3")
    assert Quarter.stored("2023Q3") == Q3 and Quarter.stored("2023Q3") is Quarter.stored("2023Q3")
    assert (Q3.year, Q3.number, Q3.label) == (2023, 3, "2023年第三季度")
    assert repr(Q3) == "Quarter(2023, 3)"
    assert sorted([Quarter(2024, 1), Q4, Q2]) == [Q2, Q4, Quarter(2024, 1)]
    assert pickle.loads(pickle.dumps(Q3)) == Q3 and type(pickle.loads(pickle.dumps(Q3))) is Quarter
    assert json.dumps({"q": Q3}) == '{"q": "2023Q3"}'
    assert Quarter.parse(Q3) is Q3
    assert Quarter.parse(" 2023-q3 ") == Q3 and Quarter.parse("2023年第三季度") == Q3


def test_no_quarter_outside_one_to_four() -> None:
    with pytest.raises(ValueError):
        Quarter(2023, 5)
    with pytest.raises(UserError, match="无法识别的季度"):
        Quarter.parse("2023Q5")
    with pytest.raises(UserError):
        Quarter.stored("三季度")


def test_the_quarters_of_a_plan() -> None:
    from datetime import date

    assert plan_quarters(2023, date(2023, 5, 1)) == [Q4, Q3, Q2, Quarter(2023, 1)]
    assert plan_quarters(2022, date(2023, 5, 1)) == [Quarter(2022, n) for n in (4, 3, 2, 1)]
    assert default_quarter(2023, date(2023, 5, 1)) == Q2
    assert default_quarter(2022, date(2023, 5, 1)) == Quarter(2022, 4)
    # still importable where the exchange code used to keep them
    from zwgk_desktop.core.exchange import send_down

    assert send_down.plan_quarters is plan_quarters and send_down.default_quarter is default_quarter
