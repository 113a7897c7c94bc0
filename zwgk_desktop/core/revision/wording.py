"""How a revision puts a task's words side by side: one line for a task's text, its units
and its deadline as the preview and the audit show them, and how alike two texts are.
core/derive's update shows the superior's changes in the same words."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from ..units import Role


def squash(text: str | None) -> str:
    return "".join((text or "").split())


def task_text(title: str | None, requirement: str) -> str:
    """A task's words as one line: 【标题】具体要求."""
    text = f"【{title}】{requirement}" if title else requirement
    return " ".join(text.split())


def match_key(title: str | None, requirement: str) -> str:
    return squash(requirement or title or "")


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0..1, spaces ignored (difflib's ratio)."""
    a, b = squash(a), squash(b)
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def units_display(units: Sequence[tuple[str, str]]) -> str:
    return "、".join(name + ("(牵头)" if role == Role.LEAD.value and len(units) > 1 else "")
                    for name, role in units) or "(无)"


def deadline_display(text: str, due: str | None) -> str:
    shown = text or "(无)"
    return f"{shown}(到期 {due})" if due else shown


def path_display(path: Sequence[str]) -> str:
    return " › ".join(path) or "(无章节)"
