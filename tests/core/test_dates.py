"""Days as clerks type them, and the days a status should not get without a second look."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_desktop.core.dates import parse_day, status_date_doubt
from zwgk_desktop.core.errors import UserError


@pytest.mark.parametrize("typed", ["2023-09-20", "2023/9/20", "2023.09.20", "2023年9月20日", "20230920",
                                   " 2023-9-20 ", "２０２３－０９－２０", "2023年9月20号"])
def test_a_full_date_means_what_was_typed(typed: str) -> None:
    assert parse_day(typed) == date(2023, 9, 20)


def test_a_month_and_day_needs_the_year_to_be_said() -> None:
    assert parse_day("9月20日", year=2023) == date(2023, 9, 20)
    with pytest.raises(UserError):
        parse_day("9月20日")


@pytest.mark.parametrize("typed", ["", "明天", "2023-13-01", "2023-02-30", "23-09-20", "2023-09"])
def test_anything_else_is_refused_plainly(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_day(typed)
    assert "日期" in caught.value.message


def test_doubts_about_a_status_date() -> None:
    today = date(2026, 11, 29)
    assert status_date_doubt(date(2026, 9, 30), 2026, today) is None
    assert "晚于今天" in status_date_doubt(date(2026, 12, 1), 2026, today)
    assert "2023 年" in status_date_doubt(date(2020, 11, 29), 2023, today)
    assert status_date_doubt(date(2023, 9, 30), None, today) is None
