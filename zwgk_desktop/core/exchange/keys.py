"""Keys, checksums and the text forms a fill-in and its reply are compared and shown by.

A fill-in row carries ``zwgk:<plan sha prefix>:<task id>`` in a hidden column; the merge
finds the task by it (and by the task text when the key is gone). Texts are compared
squashed (NFKC, no white space), so a line break Excel added or a full-width space is
no change.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime

from ..model import Status
from ..patterns import lazy_compile

__all__ = ["moment_text", "parse_key", "printable_text", "short_text", "squash_text", "status_text",
           "task_key", "text_checksum"]

_KEY_RE = lazy_compile(r"^\s*zwgk:([0-9a-fA-F]{4,64}):(\d{1,12})\s*$")
_SPACE_RE = lazy_compile(r"\s+")
_SHA_LEN = 12


def squash_text(text: str | None) -> str:
    """Text for matching: compatibility forms folded (NFKC) and all white space gone,
    so a line break Excel added or a full-width space does not stop a match."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text or ""))


def text_checksum(text: str | None) -> str:
    return hashlib.sha1(squash_text(text).encode("utf-8")).hexdigest()[:12]


def task_key(plan_sha: str, task_id: int) -> str:
    return f"zwgk:{plan_sha[:_SHA_LEN]}:{task_id}"


def parse_key(text: str | None) -> tuple[str, int] | None:
    match = _KEY_RE.match(text or "")
    return (match.group(1).lower(), int(match.group(2))) if match else None


def status_text(status: str, on: str | None) -> str:
    """A status as one comparable text: 已完成 with its day, "已完成(2023-09-20)"."""
    return status + (f"({on})" if status == Status.DONE.value and on else "")


def printable_text(text: str) -> str:
    """Text without control characters (\\x1b, \\x7f…) and without the invisible
    direction marks (bidi overrides) that make 报送表.exe look like 报送表.xlsx."""
    return "".join(ch for ch in (text or "") if unicodedata.category(ch) not in ("Cc", "Cf")
                   or ch in "\t\n")


def short_text(text: str, limit: int = 30) -> str:
    """One line of at most ``limit`` characters, for a preview's row or message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def moment_text(moment: datetime) -> str:
    """A moment in local time to the second, as previews show when a reply was saved."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")
