"""Quarters as clerks name them ("2023Q3", 三季度) and the arithmetic reports need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import UserError
from .patterns import lazy_compile

_QUARTER_RE = lazy_compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]\s*([1-4])\s*$")
_CHINESE_RE = lazy_compile(r"^\s*(\d{4})\s*年?\s*第?\s*([一二三四1-4])\s*季度\s*$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """Accept 2023Q3, 2023-Q3, 2023年第三季度; anything else is the clerk's typo."""
        match = _QUARTER_RE.match(text or "")
        if match:
            return cls(int(match.group(1)), int(match.group(2)))
        match = _CHINESE_RE.match(text or "")
        if match:
            digit = match.group(2)
            return cls(int(match.group(1)), _CN_DIGITS.get(digit) or int(digit))
        raise UserError(f"无法识别的季度“{text}”。请写成 2023Q3 这样的格式(年份 + Q + 1~4)。")

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> "Quarter":
        return cls.of(date.today())

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        month = 3 * self.number
        day = 31 if month in (3, 12) else 30
        return date(self.year, month, day)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def label(self) -> str:
        """The way a report title says it: 2023年第三季度."""
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"
