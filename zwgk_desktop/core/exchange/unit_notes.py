"""A shared note: one labelled part per unit.

A task whose fill-ins go to several units (several units named, or a group with several
members) keeps its quarterly note as labelled parts, one a line (``【区发改局】……``,
``【区财政局】……``) after any text of the clerk's own. Each unit is sent, and writes, only
its own part, so no unit's reply replaces another's. The roll-up and 督办 read the parts
too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ..errors import NotFoundError
from ..ledger import Ledger
from ..patterns import lazy_compile
from ..unit_directory import expand_recipients
from .keys import squash_text

__all__ = ["join_note", "own_view", "shared_tasks", "split_note", "unit_part", "unlabelled", "with_unit_part"]

_PART_RE = lazy_compile(r"^【([^】\n]{1,80})】", re.MULTILINE)


def split_note(text: str | None) -> tuple[str, dict[str, str]]:
    """(text before any label, {unit: its part}) of a note like
    "已部署。\\n【区发改局】……\\n【区财政局】……"."""
    text = text or ""
    matches = list(_PART_RE.finditer(text))
    if not matches:
        return text.strip(), {}
    head = text[:matches[0].start()].strip()
    parts: dict[str, str] = {}
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        body = text[match.end():end].strip()
        unit = match.group(1).strip()
        parts[unit] = f"{parts[unit]}\n{body}" if unit in parts else body
    return head, parts


def join_note(head: str, parts: dict[str, str]) -> str:
    lines = [head] if head else []
    lines += [f"【{unit}】{body}" for unit, body in parts.items() if body]
    return "\n".join(lines)


def unit_part(text: str | None, unit: str) -> str:
    """What a unit reported in a shared note ("" if nothing yet)."""
    return split_note(text)[1].get(unit, "")


def own_view(text: str | None, unit: str) -> str:
    """The part of a shared note a unit's reply is based on: the clerk's own text and
    the unit's part; the other units' parts are theirs, not a change to this one."""
    head, parts = split_note(text)
    return squash_text(head) + "\u0000" + squash_text(parts.get(unit, ""))


def with_unit_part(text: str | None, unit: str, body: str) -> str:
    """The note with ``unit``'s part replaced by ``body`` (added at the end if new)."""
    head, parts = split_note(text)
    parts[unit] = unlabelled(body, unit)
    return join_note(head, parts)


def unlabelled(body: str, unit: str) -> str:
    """A unit's text as its part: its own label dropped if it typed one, and a line
    that starts like another unit's label kept as text (it cannot open a part)."""
    body = body.strip()
    if body.startswith(f"【{unit}】"):
        body = body[len(unit) + 2:].strip()
    return _PART_RE.sub(lambda m: "\u3000" + m.group(0), body)


def shared_tasks(ledger: Ledger, plan_id: int, task_ids: list[int] | None = None) -> set[int]:
    """Tasks whose fill-ins go to more than one unit (several units named, or a group
    with several members). Their quarterly note keeps each unit's report as its own
    labelled part, 【单位】……, so one unit's reply never replaces another's."""
    params: list[Any] = [plan_id]
    sql = ("SELECT tu.task_id, u.name FROM task_units tu JOIN units u ON u.id = tu.unit_id"
           " JOIN tasks t ON t.id = tu.task_id WHERE t.plan_id = ?")
    if task_ids is not None:
        if not task_ids:
            return set()
        sql += f" AND tu.task_id IN ({','.join('?' * len(task_ids))})"
        params += task_ids
    names: dict[int, list[str]] = defaultdict(list)
    for tid, name in ledger.db.execute(sql, params):
        names[tid].append(name)
    reach: dict[str, set[str]] = {}
    result: set[int] = set()
    for tid, units in names.items():
        recipients: set[str] = set()
        for name in units:
            if name not in reach:
                try:
                    reach[name] = set(expand_recipients(ledger, [name]))
                except NotFoundError:
                    reach[name] = {name}
            recipients |= reach[name]
        if len(recipients) > 1:
            result.add(tid)
    return result
