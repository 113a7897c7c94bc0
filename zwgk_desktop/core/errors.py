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


class NotFoundError(UserError):
    """A plan, task or unit the clerk named does not exist in this ledger."""


class DuplicateImportError(UserError):
    """The same file (same SHA-256) was imported before."""
