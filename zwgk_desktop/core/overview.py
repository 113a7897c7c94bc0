"""一页纸概况: what a leader asks for on one page, as plain data (the PDF is io/overview_pdf.py).

As of a day (today by default): the totals, completion by top-level section and by lead
unit, the overdue tasks (open, due before that day), this quarter's highlights (notes of
tasks completed this quarter first, then other notes of the quarter) and the 督办 picture
(units behind, by colour; 催办单 sent this quarter). Long lists are cut here to what one
page holds, with the number left out said, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .follow_up import Level, follow_ups, lagging_units
from .ledger import Ledger
from .model import Status
from .quarters import Quarter, default_quarter
from .report_data import NO_SECTION, NO_UNIT, Counts, GroupRow

__all__ = ["Highlight", "OverdueItem", "Overview", "build_overview"]

MAX_GROUPS = 12  # bars per chart
MAX_OVERDUE = 8
MAX_HIGHLIGHTS = 5
_OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)


@dataclass(slots=True)
class OverdueItem:
    task_id: int
    seq: int
    text: str
    unit: str
    due_date: date
    days: int


@dataclass(slots=True)
class Highlight:
    seq: int
    task: str
    note: str
    done: bool


@dataclass(slots=True)
class Overview:
    plan_title: str
    year: int
    today: date
    quarter: Quarter
    totals: Counts
    by_section: list[GroupRow]
    by_unit: list[GroupRow]
    sections_left_out: int
    units_left_out: int
    overdue: list[OverdueItem]
    overdue_left_out: int
    highlights: list[Highlight]
    lagging: dict[Level, int] = field(default_factory=dict)
    follow_ups_sent: int = 0


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _condense(groups: dict[str, Counts], keep_order: bool) -> tuple[list[GroupRow], int]:
    rows = [GroupRow(label, counts) for label, counts in groups.items()]
    if len(rows) <= MAX_GROUPS:
        return rows, 0
    # The ones a leader asks about: most tasks first; the rest summed in one bar.
    ranked = sorted(rows, key=lambda r: -r.counts.total)
    kept, rest = ranked[:MAX_GROUPS - 1], ranked[MAX_GROUPS - 1:]
    if keep_order:
        position = {r.label: n for n, r in enumerate(rows)}
        kept.sort(key=lambda r: position[r.label])
    other = Counts()
    for row in rest:
        for name in ("total", "done", "in_progress", "not_started", "not_applicable", "overdue"):
            setattr(other, name, getattr(other, name) + getattr(row.counts, name))
    return kept + [GroupRow(f"其余 {len(rest)} 个", other)], len(rest)


def build_overview(ledger: Ledger, plan_id: int, today: date | None = None,
                   quarter: Quarter | None = None) -> Overview:
    """``quarter``: whose notes are the highlights and whose 催办 are counted (the window's
    进展季度; by default the one the plan is worked on, its year's last once it is over)."""
    today = today or date.today()
    plan = ledger.plan(plan_id)
    quarter = quarter or default_quarter(plan.year, today)
    tasks = ledger.tasks(plan_id)
    statuses = ledger.status_as_of(plan_id, today)
    since = {tid: day for tid, day in ledger.db.execute(
        "SELECT id, status_date FROM tasks WHERE plan_id = ?", [plan_id])}
    totals = Counts()
    by_section: dict[str, Counts] = {}
    by_unit: dict[str, Counts] = {}
    overdue: list[OverdueItem] = []
    done_notes: list[Highlight] = []
    other_notes: list[Highlight] = []
    for task in tasks:
        status = statuses.get(task.id, Status.NOT_STARTED)
        if status == Status.CANCELLED:
            continue
        late = status in _OPEN and task.due_date is not None and task.due_date < today
        totals.add(status, late)
        by_section.setdefault(task.section[0] if task.section else NO_SECTION, Counts()).add(status, late)
        unit = task.lead_unit or NO_UNIT
        by_unit.setdefault(unit, Counts()).add(status, late)
        label = " ".join(((f"【{task.title}】" if task.title else "") + task.requirement).split())
        if late:
            overdue.append(OverdueItem(task.id, task.seq, label, unit, task.due_date, (today - task.due_date).days))
        progress = task.progress_for(quarter)
        note = progress.text if progress and progress.text.strip() else ""
        if note:
            done_here = status == Status.DONE and bool(since.get(task.id)) and since[task.id] >= quarter.start.isoformat()
            (done_notes if done_here else other_notes).append(
                Highlight(task.seq, _short(task.title or label, 24), _short(note, 70), done_here))
    overdue.sort(key=lambda o: (-o.days, o.seq))
    sections, sections_out = _condense(by_section, keep_order=True)
    units, units_out = _condense(by_unit, keep_order=False)
    units.sort(key=lambda r: (r.label.startswith("其余 "), r.counts.completion, -r.counts.total))
    lagging: dict[Level, int] = {}
    for lag in lagging_units(ledger, plan_id, today=today):
        lagging[lag.level] = lagging.get(lag.level, 0) + 1
    return Overview(
        plan_title=plan.title, year=plan.year, today=today, quarter=quarter, totals=totals,
        by_section=sections, by_unit=units, sections_left_out=sections_out, units_left_out=units_out,
        overdue=overdue[:MAX_OVERDUE], overdue_left_out=max(0, len(overdue) - MAX_OVERDUE),
        highlights=(done_notes + other_notes)[:MAX_HIGHLIGHTS], lagging=lagging,
        follow_ups_sent=len(follow_ups(ledger, plan_id, quarter)))
