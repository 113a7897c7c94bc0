"""Read a 完成时限 cell of a 任务分解表 ("12月底前", "三季度前", "全年", "长期坚持") as a
due date and a kind.

The ledger needs a date to sort by and to say 逾期/临期, but the cell is free text typed
by many offices. So this module reads what it can, keeps the text exactly as printed
(only whitespace tidied), and says plainly when the clerk should look: it never guesses
silently. Stdlib only, no Qt; results are cached because an import runs it for every row
(20,000 rows, mostly the same few dozen texts).

Readings chosen here (a clerk would read them the same way):

* ``N月前`` / ``N月份前`` / ``N月`` mean *by the end of* month N, like ``N月底前``;
  ``N月上旬/初`` is the 10th, ``中旬/中`` the 20th, ``下旬/底/末`` the last day.
* ``X季度前`` means by the end of quarter X (``三季度前`` -> 30 Sep), like ``三季度末``.
* ``上半年``/``年中`` -> 30 Jun, ``下半年`` -> 31 Dec; ``年底/年末/年内/本年度内`` -> 31 Dec.
* A text without a year uses the plan's year; once a year is printed (``2024年3月``,
  ``次年3月``) the dates after it in the same text use that year.
* Several dates ("6月底前启动,12月底前完成") -> the latest one: the task is due when its
  last step is.
* A date plus 长期坚持/持续推进 ("年底前完成,长期坚持") -> FIXED with the date: the clerk
  has a date to check against; the text still says the work goes on.
* 每季度/每月/定期/… -> RECURRING due 31 Dec (the last occurrence in the year). For a
  yearly recurrence with a printed date ("每年6月底前") that date is the occurrence.
* A date followed by 起/开始/以来 ("2023年7月起") is when work starts, not a due date:
  it is not read as one.
* A printed year more than one year away from the plan's year is used but flagged
  (``needs_review``); an impossible date (13月, 2月30日, 五季度) makes the whole cell
  UNKNOWN rather than half-read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from .patterns import lazy_compile

__all__ = ["Deadline", "DeadlineKind", "parse_deadline", "quarter_end"]


class DeadlineKind(StrEnum):
    """How the due date was obtained; the value is what SQLite stores."""

    FIXED = "fixed"
    YEAR_ROUND = "year_round"
    RECURRING = "recurring"
    ONGOING = "ongoing"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Deadline:
    """A 完成时限 cell as read: ``text`` as printed (whitespace tidied), the date the
    ledger checks against (None for ONGOING/UNKNOWN), and whether a person should look."""

    text: str
    due_date: date | None
    kind: DeadlineKind
    needs_review: bool


def quarter_end(year: int, quarter: int) -> date:
    """Last day of ``quarter`` (1..4) of ``year``: 31 Mar, 30 Jun, 30 Sep, 31 Dec."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1..4, not {quarter!r}")
    return _month_end(year, quarter * 3)


def parse_deadline(text: str | None, year: int) -> Deadline:
    """Read a 完成时限 cell; ``year`` is the plan's year, used where the text has none.

    Never raises for any text. A non-string cell value (a ``date``/``datetime`` a
    spreadsheet reader handed over) is read through ``str()``.
    """
    if not 1 <= year <= 9999:
        raise ValueError(f"plan year out of range: {year!r}")
    if text is None:
        text = ""
    elif not isinstance(text, str):
        text = str(text)
    return _parse(text, year)


# --- tidying the printed text -------------------------------------------------------

#: A task due within this many days is 即将到期 (yellow in the table, in 督办 and in reports).
DUE_SOON_DAYS = 15

_INVISIBLE = lazy_compile("[\u200b-\u200d\u2060\ufeff]")


def _is_cjk(ch: str) -> bool:
    """Han characters, CJK punctuation and full-width forms: no space is needed
    between two of these, so a line break there is only the cell wrapping."""
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x3FFFF
    )


def _is_cjk_punct(ch: str) -> bool:
    """、,。() and the like carry their own spacing, so a break next to them needs none."""
    return _is_cjk(ch) and unicodedata.category(ch).startswith("P")


def _tidy(text: str) -> str:
    """Collapse whitespace as a clerk would retype the cell: "12月\\n底前" -> "12月底前",
    "2023年 6月" keeps one space, "6月底前、\\n12月底前" loses the break after 、."""
    parts = _INVISIBLE.sub("", text).split()
    if not parts:
        return ""
    out = [parts[0]]
    for part in parts[1:]:
        left, right = out[-1][-1], part[0]
        joined = (_is_cjk(left) and _is_cjk(right)) or _is_cjk_punct(left) or _is_cjk_punct(right)
        out.append(part if joined else " " + part)
    return "".join(out)


# --- the text the patterns look at --------------------------------------------------

_TIME_OF_DAY = lazy_compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?")
_WHITESPACE = lazy_compile(r"\s+")
_CN_NUMBER = lazy_compile(r"[〇零一二三四五六七八九十]+(?=[月季日号年])")
_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_value(numeral: str, before_year: bool) -> int | None:
    """一..九十九 as an int; before 年 only a digit-by-digit year (二〇二三). None when
    the numeral is not one we can read with confidence (一二月, 十十)."""
    if before_year:
        if len(numeral) == 4 and "十" not in numeral:
            return int("".join(str(_CN_DIGIT[c]) for c in numeral))
        return None
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        t = _CN_DIGIT[tens] if tens else 1
        o = _CN_DIGIT[ones] if ones else 0
        return t * 10 + o if t else None
    return _CN_DIGIT[numeral] if len(numeral) == 1 else None


def _cn_sub(m: re.Match[str]) -> str:
    value = _cn_value(m.group(), m.string[m.end()] == "年")
    return m.group() if value is None else str(value)


def _key(text: str) -> str:
    """Full-width to ASCII (NFKC), lower case, no time of day, no whitespace, Chinese
    numerals before 月/季/日/年 as digits: "十二月 底前" -> "12月底前"."""
    key = unicodedata.normalize("NFKC", text).lower()
    key = _TIME_OF_DAY.sub("", key)
    key = _WHITESPACE.sub("", key).replace("元月", "1月")
    return _CN_NUMBER.sub(_cn_sub, key)


# --- patterns -----------------------------------------------------------------------

_REL_YEAR = r"次年|明年|翌年|下一?年|本年|今年|当年"

# One match per dated phrase. An optional year prefix (2023年, 23年, 次年, 2023q…) is
# followed by a month/day, quarter, half-year or year-end phrase; numeric dates from
# spreadsheets and a bare year ("2023年底前", "今年内") come after.
_TOKEN = lazy_compile(
    rf"""
    (?:
        (?:
            (?<!\d)(?P<year>\d{{4}}|\d{{2}})(?:年度?|(?<=\d{{4}})-?(?=q\d))
          | (?P<rel>{_REL_YEAR})度?
        )?
        (?:
            (?<!\d)(?P<month>\d{{1,2}})月份?
                (?: (?P<day>\d{{1,2}})(?:[日号]|(?=之?前|以前))
                  | (?P<part>上旬|中旬|下旬|初|中|底|末) )?
          | (?<!\d)第?(?P<quarter>\d{{1,2}})季度?
          | (?<![a-z])q(?P<qnum>\d{{1,2}})(?!\d)
          | (?<![\d〇零一二三四五六七八九十两几多半])(?P<half>上半年|下半年|年中)
          | (?<![\d〇零一二三四五六七八九十两几多半])(?P<yearend>年底|年末|年终|年内|年度内)
          | (?P<fullyear>全年)
        )
    )
    | (?<!\d)(?P<nyear>\d{{4}})(?P<sep>[-/.])(?P<nmonth>\d{{1,2}})
        (?:(?P=sep)(?P<nday>\d{{1,2}}))?(?!\d)
    | (?<!\d)(?P<cyear>(?:19|20)\d{{2}})(?P<cmonth>\d{{2}})(?P<cday>\d{{2}})(?!\d)
    | (?<!\d)(?P<yonly>\d{{4}})年度?(?:底|末|内|终)?
    | (?P<relonly>{_REL_YEAR})度?(?:底|末|内|终)?
    """,
    re.VERBOSE,
)

_RECURRING = lazy_compile(
    r"每(?:\d+|[一二两三四五六])?个?(?:季度?|月|半年|年度?|周|旬|双月)"
    r"|按(?:季度?|月|半年|周)|定期|逐月|逐季|分季度"
)
_YEARLY = lazy_compile(r"每(?:1|一)?个?年度?")
_ONGOING = lazy_compile(r"长期|持续|常态|长效|常年|日常|动态更新|动态调整|实时更新|经常性")

_START_WORDS = ("起", "开始", "以来")
_PART_DAY = {"上旬": 10, "初": 10, "中旬": 20, "中": 20}  # 下旬/底/末: the last day
_HALF_END = {"上半年": (6, 30), "年中": (6, 30), "下半年": (12, 31)}


def _days_in_month(year: int, month: int) -> int:
    """calendar.monthrange(year, month)[1], without importing calendar (and locale)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    if not 1 <= month <= 12:
        raise ValueError(f"bad month number {month}; must be 1-12")
    return 30 if month in (4, 6, 9, 11) else 31


def _month_end(year: int, month: int) -> date:
    return date(year, month, _days_in_month(year, month))


def _safe(build: Callable[..., date], *args: int) -> date | None:
    """A date, or None when the printed numbers do not make one (13月, 2月30日)."""
    try:
        return build(*args)
    except (ValueError, OverflowError):
        return None


@dataclass(slots=True)
class _Found:
    """What the scan of one text found."""

    dates: list[date]
    full_year: list[date]
    last_year: int
    invalid: bool = False


def _scan(key: str, year: int) -> _Found:
    """Every dated phrase in ``key``, left to right, carrying a printed year forward."""
    found = _Found([], [], year)
    for m in _TOKEN.finditer(key):
        g = m.group
        y = found.last_year
        if g("year"):
            y = int(g("year")) + (2000 if len(g("year")) == 2 else 0)
        elif g("rel") or g("relonly"):
            y = year + (1 if (g("rel") or g("relonly"))[0] in "次明翌下" else 0)
        elif g("nyear") or g("cyear") or g("yonly"):
            y = int(g("nyear") or g("cyear") or g("yonly"))
        found.last_year = y
        if key.startswith(_START_WORDS, m.end()):
            continue  # "2023年7月起", "自2024年开始": when work starts, not when it is due

        d: date | None
        if g("month"):
            month = int(g("month"))
            if g("day"):
                d = _safe(date, y, month, int(g("day")))
            elif g("part") in _PART_DAY:
                d = _safe(date, y, month, _PART_DAY[g("part")])
            else:
                d = _safe(_month_end, y, month)
        elif g("quarter") or g("qnum"):
            d = _safe(quarter_end, y, int(g("quarter") or g("qnum")))
        elif g("half"):
            d = _safe(date, y, *_HALF_END[g("half")])
        elif g("nyear"):
            if g("nday"):
                d = _safe(date, y, int(g("nmonth")), int(g("nday")))
            else:
                d = _safe(_month_end, y, int(g("nmonth")))
        elif g("cyear"):
            d = _safe(date, y, int(g("cmonth")), int(g("cday")))
        else:  # yearend, fullyear, yonly, relonly: 31 Dec
            d = _safe(date, y, 12, 31)

        if d is None:
            found.invalid = True
        elif g("fullyear"):
            found.full_year.append(d)
        else:
            found.dates.append(d)
    return found


@lru_cache(maxsize=16384)
def _parse(raw: str, year: int) -> Deadline:
    """The work of :func:`parse_deadline`, cached by (text, year): a plan repeats the
    same few texts thousands of times."""
    text = _tidy(raw)
    if not text:
        return Deadline("", None, DeadlineKind.UNKNOWN, True)
    key = _key(text)
    found = _scan(key, year)

    def result(due: date | None, kind: DeadlineKind, review: bool = False) -> Deadline:
        dates = (*found.dates, *found.full_year, *([due] if due else []))
        far = any(abs(d.year - year) > 1 for d in dates)
        return Deadline(text, due, kind, review or far or kind is DeadlineKind.UNKNOWN)

    if found.invalid:
        return result(None, DeadlineKind.UNKNOWN)
    recurring = _RECURRING.findall(key)
    if recurring:
        yearly = all(_YEARLY.fullmatch(r) for r in recurring)
        if yearly and found.dates:
            return result(max(found.dates), DeadlineKind.RECURRING)
        # The last occurrence is 31 Dec of the plan's year, or of a later printed year
        # ("2024年起每季度"); an earlier start year ("2019年起") does not move it back.
        year_end = _safe(date, max(year, found.last_year), 12, 31)
        if year_end is None:
            return result(None, DeadlineKind.UNKNOWN)
        return result(max([year_end, *found.dates, *found.full_year]), DeadlineKind.RECURRING)
    if found.dates:
        return result(max(found.dates), DeadlineKind.FIXED)
    if found.full_year:
        return result(max(found.full_year), DeadlineKind.YEAR_ROUND)
    if _ONGOING.search(key):
        return result(None, DeadlineKind.ONGOING)
    return result(None, DeadlineKind.UNKNOWN)
