"""Reading 完成时限 cells: every rule in zwgk_desktop.core.deadlines, plus properties that
must hold for any text (an import must never stop on one odd cell)."""

from __future__ import annotations

import ast
import calendar
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop.core import deadlines
from zwgk_desktop.core.deadlines import Deadline, DeadlineKind, parse_deadline, quarter_end

FIXED = DeadlineKind.FIXED
YEAR_ROUND = DeadlineKind.YEAR_ROUND
RECURRING = DeadlineKind.RECURRING
ONGOING = DeadlineKind.ONGOING
UNKNOWN = DeadlineKind.UNKNOWN

# No example database: tests must not leave files in the working tree.
props = settings(database=None, max_examples=300, deadline=None)


def d(iso: str) -> date:
    return date.fromisoformat(iso)


# (text, due date or None, kind); plan year 2023, needs_review False unless UNKNOWN.
CASES_2023: list[tuple[str, str | None, DeadlineKind]] = [
    # the real samples
    ("12月底前", "2023-12-31", FIXED),
    ("11月底前", "2023-11-30", FIXED),
    ("全年", "2023-12-31", YEAR_ROUND),
    ("2023年6月底前", "2023-06-30", FIXED),
    ("长期坚持", None, ONGOING),
    # N月底前 and friends: the end of month N
    ("6月底前", "2023-06-30", FIXED),
    ("6月底", "2023-06-30", FIXED),
    ("6月末", "2023-06-30", FIXED),
    ("6月前", "2023-06-30", FIXED),
    ("6月份前", "2023-06-30", FIXED),
    ("6月", "2023-06-30", FIXED),
    ("于9月底前完成", "2023-09-30", FIXED),
    ("9月底前完成", "2023-09-30", FIXED),
    ("4月底之前", "2023-04-30", FIXED),
    ("2月底前", "2023-02-28", FIXED),
    ("六月底前", "2023-06-30", FIXED),
    ("十月底前", "2023-10-31", FIXED),
    ("十一月底前", "2023-11-30", FIXED),
    ("十二月底前", "2023-12-31", FIXED),
    ("元月底前", "2023-01-31", FIXED),
    # explicit years
    ("2023年12月底前", "2023-12-31", FIXED),
    ("2024年3月", "2024-03-31", FIXED),
    ("2022年11月底前", "2022-11-30", FIXED),
    ("2023年底前", "2023-12-31", FIXED),
    ("2023年年底前", "2023-12-31", FIXED),
    ("2023年内", "2023-12-31", FIXED),
    ("2023年", "2023-12-31", FIXED),
    ("二〇二三年十二月底前", "2023-12-31", FIXED),
    ("23年6月底前", "2023-06-30", FIXED),
    ("次年3月底前", "2024-03-31", FIXED),
    ("今年内", "2023-12-31", FIXED),
    # exact days, Chinese and spreadsheet forms
    ("6月30日前", "2023-06-30", FIXED),
    ("6月30日", "2023-06-30", FIXED),
    ("6月15号前", "2023-06-15", FIXED),
    ("6月30前", "2023-06-30", FIXED),
    ("三月十五日前", "2023-03-15", FIXED),
    ("2023年9月30日前", "2023-09-30", FIXED),
    ("2023年9月30日", "2023-09-30", FIXED),
    ("2023-06-30", "2023-06-30", FIXED),
    ("2023/6/30", "2023-06-30", FIXED),
    ("2023.6.30", "2023-06-30", FIXED),
    ("2023-06-30 00:00:00", "2023-06-30", FIXED),
    ("2023-06-30T00:00:00", "2023-06-30", FIXED),
    ("20230630", "2023-06-30", FIXED),
    ("2023.6", "2023-06-30", FIXED),
    # parts of a month
    ("6月上旬", "2023-06-10", FIXED),
    ("6月中旬前", "2023-06-20", FIXED),
    ("6月下旬", "2023-06-30", FIXED),
    ("2月下旬", "2023-02-28", FIXED),
    ("7月初", "2023-07-10", FIXED),
    # the year's end
    ("年底前", "2023-12-31", FIXED),
    ("年底", "2023-12-31", FIXED),
    ("年末", "2023-12-31", FIXED),
    ("年内", "2023-12-31", FIXED),
    ("本年度内", "2023-12-31", FIXED),
    ("年底前完成", "2023-12-31", FIXED),
    ("12月底", "2023-12-31", FIXED),
    # all year
    ("全年持续", "2023-12-31", YEAR_ROUND),
    ("全年推进", "2023-12-31", YEAR_ROUND),
    ("2024年全年", "2024-12-31", YEAR_ROUND),
    # halves
    ("上半年", "2023-06-30", FIXED),
    ("上半年前", "2023-06-30", FIXED),
    ("下半年", "2023-12-31", FIXED),
    ("2024年上半年", "2024-06-30", FIXED),
    # quarters: X季度前 is by the end of quarter X
    ("一季度", "2023-03-31", FIXED),
    ("第一季度", "2023-03-31", FIXED),
    ("一季度前", "2023-03-31", FIXED),
    ("一季度末", "2023-03-31", FIXED),
    ("一季度底", "2023-03-31", FIXED),
    ("1季度", "2023-03-31", FIXED),
    ("Q1", "2023-03-31", FIXED),
    ("二季度", "2023-06-30", FIXED),
    ("三季度前", "2023-09-30", FIXED),
    ("第三季度", "2023-09-30", FIXED),
    ("q3", "2023-09-30", FIXED),
    ("四季度", "2023-12-31", FIXED),
    ("第四季度末", "2023-12-31", FIXED),
    ("前三季度", "2023-09-30", FIXED),
    ("2023Q3", "2023-09-30", FIXED),
    ("2024年第一季度", "2024-03-31", FIXED),
    # recurring: due at the last occurrence
    ("每季度", "2023-12-31", RECURRING),
    ("每月", "2023-12-31", RECURRING),
    ("每年", "2023-12-31", RECURRING),
    ("每半年", "2023-12-31", RECURRING),
    ("按季度", "2023-12-31", RECURRING),
    ("按月", "2023-12-31", RECURRING),
    ("定期", "2023-12-31", RECURRING),
    ("每季度末", "2023-12-31", RECURRING),
    ("每月10日前", "2023-12-31", RECURRING),
    ("每季度报送,12月底前完成", "2023-12-31", RECURRING),
    ("每年6月底前", "2023-06-30", RECURRING),
    ("2024年起每季度", "2024-12-31", RECURRING),
    ("2022年起每季度", "2023-12-31", RECURRING),
    ("2024年每月", "2024-12-31", RECURRING),
    # ongoing: no date, nothing to check
    ("长期", None, ONGOING),
    ("持续推进", None, ONGOING),
    ("持续开展", None, ONGOING),
    ("常态化", None, ONGOING),
    ("常态化推进", None, ONGOING),
    ("持续", None, ONGOING),
    ("2020年起长期坚持", None, ONGOING),
    # several dates: the latest
    ("6月底前、12月底前", "2023-12-31", FIXED),
    ("6月底前启动,12月底前完成", "2023-12-31", FIXED),
    ("6月底前启动，12月底前完成", "2023-12-31", FIXED),
    ("3-6月", "2023-06-30", FIXED),
    ("一至三季度", "2023-09-30", FIXED),
    ("2024年3月底启动，6月底前完成", "2024-06-30", FIXED),
    ("12月底前启动,次年3月底前完成", "2024-03-31", FIXED),
    # a date with 长期坚持 / 全年: the date (FIXED)
    ("12月底前并长期坚持", "2023-12-31", FIXED),
    ("年底前完成,长期坚持", "2023-12-31", FIXED),
    ("6月底前完成，并持续推进", "2023-06-30", FIXED),
    ("全年推进，6月底前完成", "2023-06-30", FIXED),
    # full-width digits, spaces and punctuation
    ("１２月底前", "2023-12-31", FIXED),
    ("１２月\u3000底前", "2023-12-31", FIXED),
    ("12月底前。", "2023-12-31", FIXED),
    ("“12月底前”", "2023-12-31", FIXED),
    ("Ｑ２", "2023-06-30", FIXED),
    ("２０２３年６月３０日", "2023-06-30", FIXED),
    # a cell split over lines
    ("12月\n底前", "2023-12-31", FIXED),
    ("12\n月底前", "2023-12-31", FIXED),
    ("6月底前、\n12月底前", "2023-12-31", FIXED),
    ("2023-06-30\n00:00:00", "2023-06-30", FIXED),
    # cannot be read: UNKNOWN, never a guess
    ("按规定时限", None, UNKNOWN),
    ("及时", None, UNKNOWN),
    ("根据工作安排", None, UNKNOWN),
    ("另行通知", None, UNKNOWN),
    ("3年内完成", None, UNKNOWN),
    ("收到通知后10个工作日内", None, UNKNOWN),
    ("月底前", None, UNKNOWN),
    ("季度末", None, UNKNOWN),
    ("2023年7月起实施", None, UNKNOWN),
    ("13月底前", None, UNKNOWN),
    ("0月底前", None, UNKNOWN),
    ("2月30日前", None, UNKNOWN),
    ("2023-02-30", None, UNKNOWN),
    ("2023-13-01", None, UNKNOWN),
    ("五季度", None, UNKNOWN),
    ("Q5", None, UNKNOWN),
    ("2月30日前、12月底前", None, UNKNOWN),
    ("。", None, UNKNOWN),
]


@pytest.mark.parametrize(("text", "due", "kind"), CASES_2023)
def test_reads_as_a_clerk_would(text: str, due: str | None, kind: DeadlineKind) -> None:
    result = parse_deadline(text, 2023)
    assert (result.due_date, result.kind) == (d(due) if due else None, kind)
    assert result.needs_review is (kind is UNKNOWN)


@pytest.mark.parametrize(
    ("text", "year", "due"),
    [
        ("2月底", 2024, "2024-02-29"),
        ("2月底前", 2100, "2100-02-28"),
        ("2月下旬", 2024, "2024-02-29"),
        ("2000年2月底", 2000, "2000-02-29"),
        ("12月底前", 2030, "2030-12-31"),
        ("三季度前", 2025, "2025-09-30"),
        ("2月29日", 2024, "2024-02-29"),
    ],
)
def test_plan_year_and_leap_years(text: str, year: int, due: str) -> None:
    assert parse_deadline(text, year).due_date == d(due)


def test_february_29th_in_a_common_year_is_unknown() -> None:
    result = parse_deadline("2月29日", 2023)
    assert (result.due_date, result.kind, result.needs_review) == (None, UNKNOWN, True)


@pytest.mark.parametrize(
    ("text", "year", "due", "review"),
    [
        ("2024年6月底前", 2023, "2024-06-30", False),  # one year off: a normal follow-up
        ("2022年12月底前", 2023, "2022-12-31", False),
        ("2020年6月底前", 2023, "2020-06-30", True),
        ("2026年底前", 2023, "2026-12-31", True),
        ("2019-06-30", 2023, "2019-06-30", True),
        ("2019年启动,2023年12月底前完成", 2023, "2023-12-31", True),
        ("2030年全年", 2023, "2030-12-31", True),
        ("2030年起每季度", 2023, "2030-12-31", True),
        ("2019年起每季度", 2023, "2023-12-31", False),  # started long ago, due this year
    ],
)
def test_a_far_year_is_used_but_flagged(text: str, year: int, due: str, review: bool) -> None:
    result = parse_deadline(text, year)
    assert (result.due_date, result.needs_review) == (d(due), review)


@pytest.mark.parametrize("empty", [None, "", "   ", "\n\t", "\u3000", "\u200b"])
def test_empty_cell_is_unknown_with_empty_text(empty: str | None) -> None:
    assert parse_deadline(empty, 2023) == Deadline("", None, UNKNOWN, True)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("12月\n底前", "12月底前"),
        ("  12月底前  ", "12月底前"),
        ("12月\r\n 底前", "12月底前"),
        ("１２月\u3000底前", "１２月底前"),  # printed digits are kept as printed
        ("2023年 6月", "2023年 6月"),  # not between two CJK characters: one space
        ("2023-06-30   00:00:00", "2023-06-30 00:00:00"),
        ("6月底前、\n12月底前", "6月底前、12月底前"),  # CJK punctuation needs no space
        ("Q1\n季度", "Q1 季度"),
        ("12月底前。", "12月底前。"),
    ],
)
def test_text_is_kept_as_printed_with_whitespace_tidied(raw: str, text: str) -> None:
    assert parse_deadline(raw, 2023).text == text


def test_cell_values_that_are_not_strings_are_read() -> None:
    assert parse_deadline(date(2023, 6, 30), 2023).due_date == date(2023, 6, 30)  # type: ignore[arg-type]
    assert parse_deadline(datetime(2023, 6, 30), 2023).due_date == date(2023, 6, 30)  # type: ignore[arg-type]


def test_kind_values_are_what_sqlite_stores() -> None:
    assert [k.value for k in DeadlineKind] == ["fixed", "year_round", "recurring", "ongoing", "unknown"]
    assert DeadlineKind("year_round") is YEAR_ROUND
    assert f"{FIXED}" == "fixed"


def test_deadline_is_frozen() -> None:
    result = parse_deadline("12月底前", 2023)
    with pytest.raises(AttributeError):
        result.due_date = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("year", "quarter", "end"),
    [(2023, 1, "2023-03-31"), (2023, 2, "2023-06-30"), (2023, 3, "2023-09-30"), (2023, 4, "2023-12-31")],
)
def test_quarter_end(year: int, quarter: int, end: str) -> None:
    assert quarter_end(year, quarter) == d(end)


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_quarter_end_rejects_other_quarters(quarter: int) -> None:
    with pytest.raises(ValueError):
        quarter_end(2023, quarter)


@pytest.mark.parametrize("year", [0, 10000])
def test_impossible_plan_year_is_a_programming_error(year: int) -> None:
    with pytest.raises(ValueError):
        parse_deadline("12月底前", year)


def test_same_text_is_served_from_the_cache() -> None:
    first = parse_deadline("缓存测试 12月底前", 2023)
    assert parse_deadline("缓存测试 12月底前", 2023) is first
    assert parse_deadline("缓存测试 12月底前", 2024).due_date == date(2024, 12, 31)


def test_uses_the_standard_library_only() -> None:
    """Also through the package's own modules it imports (core/patterns compiles its
    regular expressions when first used)."""
    imported: set[str] = set()
    todo, seen = [Path(deadlines.__file__)], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                todo.append(path.parent / f"{node.module}.py")
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "calendar", "re", "unicodedata", "dataclasses", "datetime", "enum", "functools",
                        "collections", "typing"}


# --- properties ---------------------------------------------------------------------

# Texts built from the pieces deadline cells are made of, so the odd combinations
# (2月30日, 13月, 五季度, a year run into a month) get explored, not only random Unicode.
deadline_like = st.lists(
    st.sampled_from(
        list("0123456789０１２３４５６７８９年月日号底前末上中下旬季度第全半每按长期持续常态化起内QqT-/.:、,，。 \n\u3000")
        + ["一", "二", "三", "四", "五", "六", "十", "〇", "次年", "本年度", "年中", "2023", "2024年"]
    ),
    max_size=16,
).map("".join)


def _check_invariants(result: Deadline) -> None:
    assert (result.due_date is None) == (result.kind in (ONGOING, UNKNOWN))
    if result.kind is UNKNOWN:
        assert result.needs_review
    if result.kind is ONGOING:
        assert not result.needs_review
    assert "\n" not in result.text
    assert result.text == result.text.strip()
    assert isinstance(result.kind, DeadlineKind)


@props
@given(text=st.one_of(st.none(), st.text()), year=st.integers(2000, 2100))
def test_never_raises_for_any_text(text: str | None, year: int) -> None:
    _check_invariants(parse_deadline(text, year))


@props
@given(text=deadline_like, year=st.integers(2000, 2100))
def test_never_raises_for_deadline_like_text(text: str, year: int) -> None:
    _check_invariants(parse_deadline(text, year))


@props
@given(text=deadline_like, year=st.integers(2000, 2100))
def test_whitespace_and_line_breaks_between_chinese_do_not_matter(text: str, year: int) -> None:
    squeezed = "".join(text.split())
    if all(deadlines._is_cjk(c) for c in squeezed):  # noqa: SLF001
        assert parse_deadline(text, year) == parse_deadline(squeezed, year)


@props
@given(month=st.integers(1, 12), year=st.integers(2000, 2100), suffix=st.sampled_from(["底前", "底", "末", "前", "份前", ""]))
def test_any_month_end(month: int, year: int, suffix: str) -> None:
    result = parse_deadline(f"{month}月{suffix}", year)
    assert result.kind is FIXED and not result.needs_review
    assert result.due_date is not None
    assert (result.due_date.year, result.due_date.month) == (year, month)
    assert result.due_date.day == calendar.monthrange(year, month)[1]


@props
@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_any_printed_date_round_trips(day: date) -> None:
    for text in (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日前",
        f"{day:%Y-%m-%d} 00:00:00",
    ):
        result = parse_deadline(text, day.year)
        assert (result.due_date, result.kind, result.needs_review) == (day, FIXED, False), text


@props
@given(months=st.lists(st.integers(1, 12), min_size=1, max_size=4), year=st.integers(2000, 2100))
def test_several_dates_give_the_latest(months: list[int], year: int) -> None:
    text = "、".join(f"{m}月底前" for m in months)
    result = parse_deadline(text, year)
    assert result.due_date is not None and result.due_date.month == max(months)
