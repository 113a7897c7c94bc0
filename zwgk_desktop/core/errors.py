"""Errors the user caused or can fix, carrying the Chinese message they will read.

Everything the CLI or GUI shows to a clerk comes from ``UserError.message``; anything
else that escapes is a bug in this program, not a mistake of the clerk.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A problem the clerk can act on. ``message`` is plain Chinese: what happened and
    what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FileReadError(UserError):
    """A file could not be read as a task table. Names the file in the message."""

    def __init__(self, path: str | Path, problem: str, advice: str = "") -> None:
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        text = f"无法读取文件“{self.path.name}”:{problem}"
        if advice:
            text += f"\n处理办法:{advice}"
        super().__init__(text)


class LedgerError(UserError):
    """The ledger folder is missing, damaged, locked or from a newer program."""


class LedgerMissingError(LedgerError):
    """The folder named holds no ledger (a mistyped path must not create one)."""


class LedgerReadOnlyError(LedgerError):
    """A change was asked of a ledger opened read-only (write-protected stick or share)."""


class LedgerDamagedError(LedgerError):
    """SQLite reports the database damaged: stop writing, point to the latest backup."""


class NotFoundError(UserError):
    """A plan, task or unit the clerk named does not exist in this ledger."""


class DuplicateImportError(UserError):
    """The same file (same SHA-256) was imported before."""


class StaleStatusError(UserError):
    """Statuses the clerk changed from what the window showed had been changed elsewhere
    meanwhile (``zwgk status``, a merge, another program). Carries, per task, what was
    shown and what is stored, so the window can show both and ask; nothing is written."""

    def __init__(self, changed: dict[int, tuple[str, str, str | None]]) -> None:
        self.changed = changed  # task id -> (序号 text, shown status, stored status with its day)
        lines = [f"{seq}:窗口中是“{shown}”,台账中已是“{stored}”" for seq, shown, stored in changed.values()]
        more = f"等 {len(lines)} 项" if len(lines) > 5 else ""
        super().__init__("下面的任务在窗口显示之后已在别处改过状态(例如 zwgk 命令或汇总报送表):\n"
                         + "\n".join(lines[:5]) + more)


class StaleTextError(UserError):
    """The text the clerk edited was changed elsewhere since it was shown (a ``zwgk``
    command, a merge, another window). Carries both texts: the caller shows them and
    lets the clerk choose; nothing is overwritten silently."""

    def __init__(self, task_id: int, quarter: str, stored: str, mine: str) -> None:
        self.task_id = task_id
        self.quarter = quarter
        self.stored = stored
        self.mine = mine
        super().__init__("这项任务本季度的进展在您编辑期间已被修改(例如通过 zwgk 命令或汇总报送表)。"
                         "您写的文字尚未保存;请对照两段文字后选择保留哪一段,或合并后保存。")
