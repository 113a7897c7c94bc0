"""Section numbering as printed in government documents: 一、 / (一) / 1. / (1) / ①.

The rank of a numbering style is what places a heading in the hierarchy: a table may
start its sections at (一) without any 一、 row, or mix 第一部分 with 一、, so the
level cannot simply be counted from the top.
"""

from __future__ import annotations

from ..core.patterns import LazyPattern, lazy_compile

_CN_NUM = "一二三四五六七八九十百零〇"

# (rank, pattern); lower rank = higher level. Matched against the stripped label.
_RANKED_PATTERNS: tuple[tuple[int, LazyPattern], ...] = (
    (0, lazy_compile(rf"^第[{_CN_NUM}\d]+(部分|篇|章|编)")),
    (1, lazy_compile(rf"^[{_CN_NUM}]+\s*[、.．]")),
    (2, lazy_compile(rf"^[(\uff08]\s*[{_CN_NUM}]+\s*[)\uff09]")),
    (3, lazy_compile(r"^\d{1,3}\s*[、.．](?!\d)")),
    (4, lazy_compile(r"^[(\uff08]\s*\d{1,3}\s*[)\uff09]")),
    (5, lazy_compile(r"^[①-⑳]")),
)

_NOTE_RE = lazy_compile(r"^(注|备注|说明|填表说明|填报说明|填报人|联系人|审核人|联系电话|制表)\s*[:\uff1a1-9]")


def numbering_rank(label: str) -> int | None:
    """The rank of the numbering a heading starts with, or None if it has none."""
    text = label.strip()
    for rank, pattern in _RANKED_PATTERNS:
        if pattern.match(text):
            return rank
    return None


_BARE_CN_NUMBER_RE = lazy_compile(rf"^[{_CN_NUM}]+\s*[、.．]?$")


def section_number_rank(text: str) -> int | None:
    """The rank a 序号 cell gives its row when it numbers a section rather than a task.

    Many tables number sections 一 / 二 (or 一、, (一), 第一部分) in the 序号 column
    and tasks 1 / 2: the row "一 | 推进决策公开" is a section. Arabic numbers
    (tasks) and empty cells give None.
    """
    stripped = text.strip()
    if not stripped or len(stripped) > 8:
        return None
    if _BARE_CN_NUMBER_RE.match(stripped):
        return 1
    rank = numbering_rank(stripped)
    return rank if rank in (0, 1, 2) else None


def is_note(text: str) -> bool:
    """True for the 注:/填报人: lines printed under a table; they are not tasks."""
    return bool(_NOTE_RE.match(text.strip()))


def clean_label(text: str) -> str:
    """A heading as one line: a cell wrapped over lines is still one heading."""
    lines = [line.strip() for line in text.splitlines()]
    joined = ""
    for line in lines:
        if not line:
            continue
        if joined and (joined[-1].isascii() and line[0].isascii()):
            joined += " "
        joined += line
    return joined.strip()
