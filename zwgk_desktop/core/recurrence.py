"""Recurring tasks: 每季度 / 按季度 / 每月 / 每半年 / 每年X月 / 定期 … and their periods.

Many tasks are not done once: ``每季度公开一次``, ``每月10日前更新``, ``按季度报送``.
:func:`detect_recurrence` reads the recurrence from the 完成时限 cell, or from the
requirement text (``每季度在政府网站公开……``) when the deadline does not make the task a
one-off (a task due 6月底前 whose text mentions 每月例会 is done once: set up the system).
What is not recurrence: a date (12月底前, 三季度前, 上半年), 全年, 长期坚持, 不定期,
规定期限/法定期限, 每个部门 / 每件 (每 with a counting word), 季度报告 (no 每/按), and
定期 on its own (定期梳理更新, 定期听取汇报): it names no rhythm, so there is no period
to report on or to chase, and a 全年 task that says it would be overdue each quarter
for a report nobody asked for. With a rhythm beside it (定期(每季度)公开) the rhythm
counts. A clerk who knows the rhythm marks the task by hand (每季度, or 定期: followed
by quarter).

A period is one turn of a recurring task: ``2023Q2`` (quarter), ``2023-05`` (month),
``2023H1`` (half year), ``2023`` (year). 每周/每旬/每两个月 tasks (a rhythm shorter or
odder than the reports') and tasks marked 定期 by hand are followed by quarter, as the
reports are.

core/deadlines.py (another module's reading of the same cell: the due date and kind)
is used, not changed: this module only adds the rhythm.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .deadlines import DeadlineKind, parse_deadline
from .errors import UserError
from .patterns import LazyPattern, lazy_compile
from .quarters import Quarter

__all__ = ["Frequency", "Period", "Recurrence", "detect_recurrence"]


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    PERIODIC = "periodic"  # 每周, 每旬, or marked 定期 by hand: followed by quarter

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def period_kind(self) -> str:
        return {"monthly": "M", "quarterly": "Q", "half_yearly": "H", "yearly": "Y", "periodic": "Q"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Frequency:
        cleaned = "".join((text or "").split())
        for freq in cls:
            if cleaned in (freq.value, freq.label) or cleaned in _ALIASES.get(freq, ()):
                return freq
        raise UserError(f"无法识别的周期“{text}”。可写:每月、每季度、每半年、每年、定期。")


_LABELS = {Frequency.MONTHLY: "每月", Frequency.QUARTERLY: "每季度", Frequency.HALF_YEARLY: "每半年",
           Frequency.YEARLY: "每年", Frequency.PERIODIC: "定期"}
_ALIASES = {Frequency.MONTHLY: ("按月", "月"), Frequency.QUARTERLY: ("按季度", "季度", "季"),
            Frequency.HALF_YEARLY: ("半年", "按半年"), Frequency.YEARLY: ("按年", "年", "每年度"),
            Frequency.PERIODIC: ("不定期",)}

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十一": 11, "十二": 12, "元": 1}
_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九元])"
_ONE = r"(?:一|1)?个?"
_BEFORE = r"(?:之?前|以前)?"

# (pattern, frequency). Matches are taken leftmost first; at one position, the first pattern.
_PATTERNS: list[tuple[LazyPattern, Frequency]] = [
    (lazy_compile(rf"每{_ONE}半年度?|按半年度?|半年一次|上[、,]?下半年各"), Frequency.HALF_YEARLY),
    (lazy_compile(rf"每{_ONE}季度?|按季度?|逐季度?|分季度|各季度"), Frequency.QUARTERLY),
    (lazy_compile(rf"每{_ONE}月度?(?:(?P<day>\d{{1,2}})[日号]{_BEFORE}|初|中旬|上旬|下旬|底|末)?|按月度?|逐月"),
     Frequency.MONTHLY),
    (lazy_compile(rf"每{_ONE}年度?(?:(?P<month>{_MONTH})月份?(?:(?P<mday>\d{{1,2}})[日号]|底|末|上旬|中旬|下旬|初)?{_BEFORE})?"
                  r"|按年度?(?=$|[,。;、]|报|公开|更新|发布|开展|召开|编制)"), Frequency.YEARLY),
    # (定期 alone is no rhythm: see the module's docstring)
    (lazy_compile(r"每(?:一|1)?个?(?:周|星期|旬)|每(?:两|2|三|3)个月|每双月"), Frequency.PERIODIC),
]


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


@dataclass(frozen=True, slots=True)
class Recurrence:
    frequency: Frequency
    phrase: str  # the words that said so, as printed (normalised)
    source: str  # deadline | requirement | manual
    month: int | None = None  # 每年3月底前
    day: int | None = None  # 每月10日前 (or the day of 每年1月31日前)

    @property
    def label(self) -> str:
        return self.frequency.label

    def due_in(self, period: Period) -> date:
        """When one period's work is due: the period's end, or the day the phrase names."""
        if self.frequency is Frequency.MONTHLY and self.day and period.kind == "M":
            last = calendar.monthrange(period.year, period.index)[1]
            return date(period.year, period.index, min(self.day, last))
        if self.frequency is Frequency.YEARLY and self.month and period.kind == "Y":
            last = calendar.monthrange(period.year, self.month)[1]
            return date(period.year, self.month, min(self.day or last, last))
        return period.end


def _find(text: str, source: str) -> Recurrence | None:
    key = _key(text)
    best: tuple[int, int, re.Match[str], Frequency] | None = None
    for order, (pattern, freq) in enumerate(_PATTERNS):
        match = pattern.search(key)
        if match and (best is None or (match.start(), order) < best[:2]):
            best = (match.start(), order, match, freq)
    if best is None:
        return None
    _, _, match, freq = best
    groups = match.groupdict()
    month = day = None
    if groups.get("month"):
        raw = groups["month"]
        month = int(raw) if raw.isdigit() else _CN_NUM.get(raw)
        if month is not None and not 1 <= month <= 12:
            month = None
        day = int(groups["mday"]) if groups.get("mday") else None
    elif groups.get("day"):
        day = int(groups["day"])
        if not 1 <= day <= 31:
            day = None
    return Recurrence(freq, match.group(0), source, month, day)


def _one_off(deadline_text: str) -> bool:
    """The deadline makes a task a one-off: a date before the year's end (6月底前)."""
    reading = parse_deadline(deadline_text, 2023)  # any year: only the month and day count here
    if reading.kind is not DeadlineKind.FIXED or reading.due_date is None:
        return False
    return (reading.due_date.month, reading.due_date.day) != (12, 31)


def detect_recurrence(deadline_text: str | None, requirement: str | None = "") -> Recurrence | None:
    """The rhythm of a task, from its 完成时限 cell first, then its requirement."""
    found = _find(deadline_text or "", "deadline")
    if found is not None:
        return found
    if (requirement or "").strip() and not _one_off(deadline_text or ""):
        return _find(requirement or "", "requirement")
    return None


# -- periods ---------------------------------------------------------------------------------

_Q_RE = lazy_compile(r"^(\d{4})[-_]?[Qq]([1-4])$")
_M_RE = lazy_compile(r"^(\d{4})(?:-|[Mm]|年)(\d{1,2})月?$")
_H_RE = lazy_compile(r"^(\d{4})[-_]?[Hh]([12])$")
_H_CN_RE = lazy_compile(r"^(\d{4})年?(上|下)半年$")
_Y_RE = lazy_compile(r"^(\d{4})年?度?$")
_HALF_NAMES = ("上半年", "下半年")


@dataclass(frozen=True, slots=True)
class Period:
    year: int
    kind: str  # M | Q | H | Y
    index: int  # month 1..12, quarter 1..4, half 1..2, 1 for the year

    @classmethod
    def parse(cls, text: str) -> Period:
        key = _key(text)
        if m := _Q_RE.match(key):
            return cls(int(m.group(1)), "Q", int(m.group(2)))
        if m := _M_RE.match(key):
            month = int(m.group(2))
            if 1 <= month <= 12:
                return cls(int(m.group(1)), "M", month)
        if m := _H_RE.match(key):
            return cls(int(m.group(1)), "H", int(m.group(2)))
        if m := _H_CN_RE.match(key):
            return cls(int(m.group(1)), "H", 1 if m.group(2) == "上" else 2)
        if m := _Y_RE.match(key):
            return cls(int(m.group(1)), "Y", 1)
        try:
            quarter = Quarter.parse(key)
        except UserError:
            pass
        else:
            return cls(quarter.year, "Q", quarter.number)
        raise UserError(f"无法识别的期次“{text}”。请写成 2023Q2(季度)、2023-05(月)、2023H1(半年)或 2023(年)。")

    @classmethod
    def of(cls, day: date, frequency: Frequency) -> Period:
        kind = frequency.period_kind
        index = {"M": day.month, "Q": (day.month - 1) // 3 + 1, "H": 1 if day.month <= 6 else 2, "Y": 1}[kind]
        return cls(day.year, kind, index)

    @classmethod
    def all_of(cls, year: int, frequency: Frequency) -> list[Period]:
        kind = frequency.period_kind
        return [cls(year, kind, i) for i in range(1, {"M": 12, "Q": 4, "H": 2, "Y": 1}[kind] + 1)]

    @property
    def start(self) -> date:
        if self.kind == "M":
            return date(self.year, self.index, 1)
        if self.kind == "Q":
            return Quarter(self.year, self.index).start
        if self.kind == "H":
            return date(self.year, 1 if self.index == 1 else 7, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        if self.kind == "M":
            return date(self.year, self.index, calendar.monthrange(self.year, self.index)[1])
        if self.kind == "Q":
            return Quarter(self.year, self.index).end
        if self.kind == "H":
            return date(self.year, 6, 30) if self.index == 1 else date(self.year, 12, 31)
        return date(self.year, 12, 31)

    @property
    def label(self) -> str:
        if self.kind == "M":
            return f"{self.year}年{self.index}月"
        if self.kind == "Q":
            return Quarter(self.year, self.index).label
        if self.kind == "H":
            return f"{self.year}年{_HALF_NAMES[self.index - 1]}"
        return f"{self.year}年"

    def __str__(self) -> str:
        if self.kind == "M":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "Q":
            return f"{self.year}Q{self.index}"
        if self.kind == "H":
            return f"{self.year}H{self.index}"
        return f"{self.year}"
