"""task_query.statuses_on: each task's status on a day and the day it took effect, as
the 季度报告 reads them (Ledger.status_as_of), whatever happened after the day."""

from __future__ import annotations

from datetime import date

from tests.builders import parsed_plan
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.task_query import StatusOn, statuses_on


def test_status_and_its_day_as_of_a_day(ledger: Ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan(), "sha-on").plan_id
    first, second, third = ledger.task_ids(plan_id)
    ledger.set_status(first, Status.IN_PROGRESS, date(2023, 4, 2))
    ledger.set_status(first, Status.DONE, date(2023, 8, 15))
    ledger.set_status(second, Status.DONE, date(2023, 6, 20))
    ledger.set_status(second, Status.IN_PROGRESS, date(2023, 7, 6))
    ledger.set_status_date(second, date(2023, 7, 9))  # the reopening's day corrected
    june = date(2023, 6, 30)
    assert statuses_on(ledger, plan_id, june) == {
        first: StatusOn(Status.IN_PROGRESS, date(2023, 4, 2)),
        second: StatusOn(Status.DONE, date(2023, 6, 20)),
        third: StatusOn(Status.NOT_STARTED, None)}
    assert statuses_on(ledger, plan_id, date(2023, 3, 31))[first] == StatusOn(Status.NOT_STARTED, None)
    assert statuses_on(ledger, plan_id, date(2023, 12, 31)) == {
        first: StatusOn(Status.DONE, date(2023, 8, 15)),
        second: StatusOn(Status.IN_PROGRESS, date(2023, 7, 9)),
        third: StatusOn(Status.NOT_STARTED, None)}
    # The status is the report's own reading, for every task and day.
    for day in (date(2023, 4, 1), june, date(2023, 7, 8), date(2023, 9, 30)):
        assert {tid: on.status for tid, on in statuses_on(ledger, plan_id, day).items()} == \
            ledger.status_as_of(plan_id, day)


def test_two_entries_on_one_day_the_later_one_holds(ledger: Ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan(), "sha-same-day").plan_id
    tid = ledger.task_ids(plan_id)[0]
    ledger.set_status(tid, Status.DONE, date(2023, 5, 5))
    ledger.set_status(tid, Status.IN_PROGRESS, date(2023, 5, 5))  # a slip put right the same day
    ledger.set_status(tid, Status.NOT_APPLICABLE, date(2023, 10, 1))
    assert statuses_on(ledger, plan_id, date(2023, 6, 30))[tid] == StatusOn(Status.IN_PROGRESS, date(2023, 5, 5))
