"""佐证材料 changed from the window: one function per change, each announced."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from ...core import evidence as ev
from ...core.ledger import Ledger
from ...core.model import Evidence
from ...core.quarters import Quarter
from .events import announce


def attach_files(own: Ledger, task_id: int, files: list[Path], quarter: Quarter,
                 progress: Callable[[int, int, str], None] | None = None) -> ev.AttachResult:
    """In a worker, on the worker's own connection (see run_on_ledger)."""
    return ev.attach_files(own, task_id, files, quarter, progress=progress)


def attach_url(ledger: Ledger, task_id: int, url: str, title: str | None, published: date | None,
               quarter: Quarter, note: str | None) -> Evidence:
    item = ev.attach_url(ledger, task_id, url, title, published, quarter, note)
    announce([task_id])
    return item


def attach_note(ledger: Ledger, task_id: int, text: str, quarter: Quarter) -> Evidence:
    item = ev.attach_note(ledger, task_id, text, quarter)
    announce([task_id])
    return item


def move_to_bin(ledger: Ledger, evidence_ids: list[int]) -> list[int]:
    """Into the 回收站, all in one step (one audit row); returns the tasks touched."""
    tasks = sorted({item.task_id for item in ev.remove_many(ledger, evidence_ids)})
    announce(tasks)
    return tasks


def restore(ledger: Ledger, evidence_ids: list[int]) -> list[int]:
    """Out of the 回收站, all in one step; announced, so the window's rows, section
    counts and summary line follow (a restored item may take a task out of 本季度无佐证)."""
    tasks = sorted({item.task_id for item in ev.restore_many(ledger, evidence_ids)})
    announce(tasks)
    return tasks


def empty_bin(ledger: Ledger, evidence_ids: list[int]) -> ev.EmptyResult:
    """Deletes for good (the caller asked the clerk); any view may have shown these."""
    result = ev.empty_recycle_bin(ledger, evidence_ids)
    announce(None)
    return result
