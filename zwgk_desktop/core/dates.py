"""Days as clerks type them, and the days that deserve a second look before saving.

A status's date decides which quarter's report counts it, so a date typed into the
window must mean exactly what was typed (2023-09-20 is never "this year's 09-20"),
and a date that is probably a slip (another year, the future) is confirmed first.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from .errors import UserError
from .patterns import lazy_compile

_FULL_DATE = (
    lazy_compile(r"^(\d{4})\s*[-/.\u5e74]\s*(\d{1,2})\s*[-/.\u6708]\s*(\d{1,2})\s*[\u65e5\u53f7]?$"),
    lazy_compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_DAY = lazy_compile(r"^(\d{1,2})\s*[\u6708/.\-]\s*(\d{1,2})\s*[\u65e5\u53f7]?$")


def parse_day(text: str, year: int | None = None) -> date:
    """2023-09-20, 2023/9/20, 2023.9.20, 2023年9月20日, 20230920; 9月20日 or 9-20 only
    when ``year`` says which year. Anything else is refused with a plain message."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    match = next((m for m in (p.match(value) for p in _FULL_DATE) if m), None)
    parts: tuple[int, int, int] | None = None
    if match:
        parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif year is not None and (short := _MONTH_DAY.match(value)):
        parts = (year, int(short.group(1)), int(short.group(2)))
    if parts is not None:
        try:
            return date(*parts)
        except ValueError:
            raise UserError(f"日期“{text}”不存在(请检查月份和日期)。") from None
    raise UserError(f"无法识别日期“{text}”。请写成 2023-09-20 这样的格式(年-月-日)。")


def status_date_doubt(day: date, plan_year: int | None, today: date | None = None) -> str | None:
    """Why a status date may be a slip, in words for a confirmation question; None when
    it looks right. A completion recorded in another year than the plan's, or in the
    future, changes what a quarter's report says, so the clerk confirms it."""
    today = today or date.today()
    if day > today:
        return f"日期 {day.isoformat()} 晚于今天({today.isoformat()})。"
    if plan_year is not None and day.year != plan_year:
        return f"日期 {day.isoformat()} 不在本分解表的年度({plan_year} 年)内。"
    return None
