"""The ledger's writers keep what the clerk meant: a note edited from a stale copy never
overwrites a newer one, and a status's date can be corrected as one fact with it."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_desktop.core.errors import StaleTextError, UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter

from tests.builders import audit_count, dump, parsed_plan

Q3 = Quarter(2023, 3)


@pytest.fixture
def imported(ledger: Ledger) -> tuple[Ledger, list[int]]:
    outcome = write_plan(ledger, parsed_plan(), "b" * 64)
    return ledger, ledger.task_ids(outcome.plan_id)


def note(ledger: Ledger, task_id: int) -> str | None:
    found = [p.text for p in ledger.task(task_id).progress if p.quarter == str(Q3)]
    return found[0] if found else None


# -- progress: the text an editor started from -------------------------------------------

def test_a_save_from_a_stale_copy_is_refused_with_both_texts(imported) -> None:
    ledger, ids = imported
    ledger.set_progress(ids[0], Q3, "窗口打开时的文字", expected="")
    ledger.set_progress(ids[0], Q3, "zwgk 命令后来写的文字")  # another writer, explicit
    before = dump(ledger)
    with pytest.raises(StaleTextError) as caught:
        ledger.set_progress(ids[0], Q3, "窗口里接着写的文字", expected="窗口打开时的文字")
    assert caught.value.stored == "zwgk 命令后来写的文字"
    assert caught.value.mine == "窗口里接着写的文字"
    assert "尚未保存" in caught.value.message
    assert dump(ledger) == before  # nothing written, not even an audit row


def test_a_save_from_the_current_text_goes_through(imported) -> None:
    ledger, ids = imported
    assert ledger.set_progress(ids[0], Q3, "第一稿", expected="") is True
    assert ledger.set_progress(ids[0], Q3, "第二稿", expected=" 第一稿\n") is True  # white space aside
    assert note(ledger, ids[0]) == "第二稿"


def test_a_new_note_where_someone_else_already_wrote_one_is_a_conflict(imported) -> None:
    ledger, ids = imported
    ledger.set_progress(ids[0], Q3, "汇总写入的进展")
    with pytest.raises(StaleTextError):
        ledger.set_progress(ids[0], Q3, "我的进展", expected="")


def test_saving_the_stored_text_again_is_no_change_even_from_a_stale_copy(imported) -> None:
    ledger, ids = imported
    ledger.set_progress(ids[0], Q3, "相同的文字")
    count = audit_count(ledger)
    assert ledger.set_progress(ids[0], Q3, "相同的文字", expected="旧文字") is False
    assert audit_count(ledger) == count


def test_the_origin_of_a_change_is_in_the_audit_row(imported) -> None:
    ledger, ids = imported
    ledger.set_progress(ids[0], Q3, "报送的进展", origin="汇总:县发改局")
    ledger.set_statuses([ids[1]], Status.DONE, date(2023, 9, 1), origin="汇总:县发改局")
    actions = [entry.action for entry in ledger.audit_log(2)]
    assert actions == ["设置状态(汇总:县发改局)", "填写进展(汇总:县发改局)"]


# -- status and its date are one fact -----------------------------------------------------

def test_correcting_the_date_of_a_completion_moves_it_into_the_right_quarter(imported) -> None:
    ledger, ids = imported
    plan_id = ledger.task(ids[0]).plan_id
    ledger.set_status(ids[0], Status.IN_PROGRESS, date(2023, 5, 1))
    ledger.set_status(ids[0], Status.DONE, date(2023, 11, 29))  # ticked in November
    old = ledger.set_status_date(ids[0], date(2023, 9, 20))  # it was done in September
    assert old == date(2023, 11, 29)
    task = ledger.task(ids[0])
    assert (task.status, task.status_date) == (Status.DONE, date(2023, 9, 20))
    assert ledger.status_as_of(plan_id, Q3.end)[ids[0]] == Status.DONE
    assert [h.effective_on for h in ledger.status_history(ids[0])] == [date(2023, 5, 1), date(2023, 9, 20)]
    entry = ledger.audit_log(1)[0]
    assert entry.action == "修改状态日期"
    assert (entry.before["status_date"], entry.after["status_date"]) == ("2023-11-29", "2023-09-20")


def test_a_date_before_an_earlier_status_is_refused_not_reordered(imported) -> None:
    ledger, ids = imported
    ledger.set_status(ids[0], Status.IN_PROGRESS, date(2023, 5, 1))
    ledger.set_status(ids[0], Status.DONE, date(2023, 9, 1))
    before = dump(ledger)
    with pytest.raises(UserError) as caught:
        ledger.set_status_date(ids[0], date(2023, 4, 1))
    assert "2023-05-01" in caught.value.message
    assert dump(ledger) == before


def test_a_task_without_a_status_has_no_date_to_correct(imported) -> None:
    ledger, ids = imported
    with pytest.raises(UserError) as caught:
        ledger.set_status_date(ids[0], date(2023, 9, 1))
    assert "请先选择状态" in caught.value.message


def test_a_note_longer_than_an_excel_cell_is_refused_before_anything_is_written(imported) -> None:
    ledger, ids = imported
    before = dump(ledger)
    with pytest.raises(UserError) as caught:
        ledger.set_progress(ids[0], Q3, "进" * 40_000, expected="")
    assert "32,767" in caught.value.message or "32767" in caught.value.message
    assert dump(ledger) == before
