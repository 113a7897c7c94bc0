"""Quarters as clerks name them ("2023Q3", 三季度) and the arithmetic reports need.

A :class:`Quarter` is its own canonical text, "2023Q3": that is how the ledger stores
it, how the exchange workbooks, JSON and audit rows carry it, and that text sorts in
time order. So it is a ``str`` (it crosses those edges unchanged and compares equal to
its stored text) that knows its year, number, label and days. Text from outside (the
command line, a workbook, QSettings) becomes a Quarter once, with :meth:`Quarter.parse`;
text the ledger wrote becomes one with :meth:`Quarter.stored`.
"""

from __future__ import annotations

from datetime import date

from .errors import UserError
from .patterns import lazy_compile

__all__ = ["Quarter", "default_quarter", "plan_quarters"]

_QUARTER_RE = lazy_compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]\s*([1-4])\s*$")
_CHINESE_RE = lazy_compile(r"^\s*(\d{4})\s*年?\s*第?\s*([一二三四1-4])\s*季度\s*$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
#: The ledger holds a handful of distinct quarters: each stored text is read once.
_STORED: dict[str, Quarter] = {}


class Quarter(str):
    """One quarter of one year. ``Quarter(2023, 3)`` is the text "2023Q3"."""

    __slots__ = ()

    def __new__(cls, year: int, number: int) -> Quarter:
        if not 1 <= number <= 4 or not 1000 <= year <= 9999:
            raise ValueError(f"no such quarter: {year}Q{number}")
        return super().__new__(cls, f"{year}Q{number}")

    def __getnewargs__(self) -> tuple[int, int]:  # type: ignore[override]  # copy and pickle
        return self.year, self.number

    def __repr__(self) -> str:
        return f"Quarter({self.year}, {self.number})"

    def __str__(self) -> str:
        return str.__str__(self)  # plain text for the edges (SQL, files, settings)

    @property
    def year(self) -> int:
        return int(self[:4])

    @property
    def number(self) -> int:  # 1..4
        return int(self[5])

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Accept 2023Q3, 2023-Q3, 2023年第三季度; anything else is the clerk's typo."""
        if isinstance(text, Quarter):
            return text
        match = _QUARTER_RE.match(text or "")
        if match:
            return cls(int(match.group(1)), int(match.group(2)))
        match = _CHINESE_RE.match(text or "")
        if match:
            digit = match.group(2)
            return cls(int(match.group(1)), _CN_DIGITS.get(digit) or int(digit))
        raise UserError(f"无法识别的季度“{text}”。请写成 2023Q3 这样的格式(年份 + Q + 1~4)。")

    @classmethod
    def stored(cls, text: str) -> Quarter:
        """The quarter of a ledger column (written as ``str(quarter)``): read once per
        distinct text, so opening a plan of thousands of notes parses a few strings."""
        quarter = _STORED.get(text)
        if quarter is None:
            quarter = _STORED[text] = cls.parse(text)
        return quarter

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(date.today())

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        month = 3 * self.number
        day = 31 if month in (3, 12) else 30
        return date(self.year, month, day)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def label(self) -> str:
        """The way a report title says it: 2023年第三季度."""
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"


def default_quarter(plan_year: int, today: date | None = None) -> Quarter:
    """The quarter a plan is worked on unless the clerk says otherwise: the current one
    during the plan's year, else the plan year's last."""
    current = Quarter.of(today or date.today())
    return current if current.year == plan_year else Quarter(plan_year, 4)


def plan_quarters(plan_year: int, today: date | None = None) -> list[Quarter]:
    """The quarters to offer in a chooser, latest first: the plan year's four (and
    today's, should the plan year be this one)."""
    current = Quarter.of(today or date.today())
    quarters = {Quarter(plan_year, n) for n in range(1, 5)}
    if current.year == plan_year:
        quarters.add(current)
    return sorted(quarters, reverse=True)
