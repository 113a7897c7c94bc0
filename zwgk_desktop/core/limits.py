"""How much text one field may hold, and what happens at the limit.

Excel stores at most 32,767 characters in a cell; openpyxl cuts anything longer without
a word, and a 10 MB progress note made the quarterly report take 380 s and 1.8 GB. So:

* at the write boundary (``zwgk progress``, the task panel, ``Ledger.set_progress``) a
  longer note is refused with a plain message: ``check_note``;
* where a writer meets a longer text anyway (a ledger written before this limit, a
  requirement read from a table), it writes the first part and says so in the cell
  itself: ``fit_text``. Nothing is cut silently.
"""

from __future__ import annotations

from .errors import UserError

#: Excel's (and WPS's) limit for the characters in one cell.
MAX_CELL_CHARS = 32_767
#: A quarter's progress note (and any other free text the clerk writes) fits one cell.
MAX_NOTE_CHARS = MAX_CELL_CHARS

__all__ = ["MAX_CELL_CHARS", "MAX_NOTE_CHARS", "NoteTooLongError", "check_note", "cut_marker", "fit_text"]


class NoteTooLongError(UserError):
    """A note longer than ``MAX_NOTE_CHARS``: nothing was saved."""

    def __init__(self, what: str, length: int, limit: int) -> None:
        self.length = length
        self.limit = limit
        super().__init__(
            f"{what}太长(共 {length:,} 字),最多只能写 {limit:,} 字(Excel 一个单元格的容量),没有保存。"
            "请精简后再保存;较长的材料(如工作总结、通知原文)请作为佐证材料文件添加。")


def check_note(text: str, what: str = "进展") -> str:
    """``text`` without outer white space (as it will be stored); raises
    ``NoteTooLongError`` if it is longer than ``MAX_NOTE_CHARS``.

    ``what`` names the field in the message (进展, 说明, 备注…)."""
    text = (text or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise NoteTooLongError(what, len(text), MAX_NOTE_CHARS)
    return text


def cut_marker(left_out: int) -> str:
    """What replaces the end of a text that was cut; ``left_out`` characters are missing."""
    return f"……【其余 {left_out:,} 字超过一格 {MAX_CELL_CHARS:,} 字的上限,未列出;完整内容请在台账中查看】"


def fit_text(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` if it fits ``limit`` characters; otherwise its beginning followed by a
    visible ``cut_marker``, the whole at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    # The marker's own length depends on the count it prints; one step settles it.
    keep = limit - len(cut_marker(len(text)))
    keep = max(keep, 0)
    return text[:keep] + cut_marker(len(text) - keep)
