"""The plan as JSON, in the shape ARCHITECTURE.md promises to scripts and checks.

Keys may be added over time; the ones written here keep their meaning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.ledger import Ledger
from ..core.model import Task
from .output_files import write_via_temp


def task_to_json(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "seq": task.seq,
        "section": list(task.section),
        "title": task.title,
        "requirement": task.requirement,
        "units": [{"name": u.name, "role": u.role.value} for u in task.units],
        "deadline_text": task.deadline_text,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "deadline_kind": task.deadline_kind.value,
        "needs_review": task.needs_review,
        "status": task.status.value,
        "status_date": task.status_date.isoformat() if task.status_date else None,
        "progress": [{"quarter": p.quarter, "text": p.text, "status": p.status, "at": p.at, "by": p.by}
                     for p in task.progress],
        "evidence": [{"kind": e.kind, "name": e.name, "sha256": e.sha256, "url": e.url,
                      "quarter": e.quarter} for e in task.evidence],
    }


def plan_to_json(ledger: Ledger, plan_id: int) -> dict[str, Any]:
    from ..core.follow_up import follow_ups_by_task

    plan = ledger.plan(plan_id)
    from ..core.task_periods import plan_period_statuses, plan_recurrences

    sent = follow_ups_by_task(ledger, plan_id)  # 催办单 that named each task (zwgk remind)
    rhythms = plan_recurrences(ledger, plan_id)  # recurring tasks: 每季度 … (null if not recurring)
    periods = plan_period_statuses(ledger, plan_id)  # their status per period
    return {
        "plan": {
            "id": plan.id,
            "year": plan.year,
            "title": plan.title,
            "source_name": plan.source_name,
            "source_sha256": plan.source_sha256,
            "issuer": plan.issuer,
            "doc_number": plan.doc_number,
            "sheet": plan.sheet,
            "columns": plan.columns,
            "imported_at": plan.imported_at,
        },
        "tasks": [{**task_to_json(task), "follow_ups": sent.get(task.id, []),
                   "recurrence": _recurrence_json(rhythms.get(task.id)), "periods": periods.get(task.id, [])}
                  for task in ledger.tasks(plan_id)],
    }


def _recurrence_json(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"frequency": found.frequency.value, "label": found.label, "source": found.source, "phrase": found.phrase}


def write_json(data: dict[str, Any], path: str | Path | None) -> str:
    """The JSON text; written to ``path`` too when given (a temporary file beside it,
    synced and renamed: all or nothing). Raises UserError if it cannot be written."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if path is not None:
        write_via_temp(path, lambda stream: stream.write((text + "\n").encode("utf-8")))
    return text
