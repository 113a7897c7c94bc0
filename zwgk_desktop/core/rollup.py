"""汇总本级: the superior task's answer composed from the county tasks derived from it.

The county's departments report on the derived tasks (fill-in workbooks, merge, the
window). To answer the city, each superior task takes a status and a quarterly note
composed from its derived tasks; ``zwgk export --format xlsx`` of the superior plan
(io/xlsx_export.py, the superior's own layout) then carries the county's answer.

The status rule (already-cancelled 已取消 derived tasks are ignored throughout, and a
superior task withdrawn by a revised table is not answered at all):

* no derived task left: nothing to say, the superior task is not touched;
* all 不适用 -> 不适用; otherwise 不适用 ones are left out of the rest:
* all 已完成 -> 已完成, dated the day the last of them was completed;
* any 推进中 or 已完成 -> 推进中, dated the latest day among those;
* otherwise -> 未启动.

For a quarter that has ended, the derived tasks count as they stood on its last day
(``task_query.statuses_on``, the 季度报告's own reading): the city's third-quarter table
filled in on 8 October says what was true on 30 September, as the county's own Q3 report
does, not what was ticked since.

The note is the derived tasks' notes of the quarter, each labelled with its unit,
``【县发改局】……`` one a line: the same labelled parts as core/exchange.join_note /
split_note, so a derived note that already holds several units' parts keeps them
apart. The clerk may edit it in the preview.

Nothing is overwritten without the preview (:func:`preview_rollup`). Where the
superior task already holds a different status or note that is not the rollup's own
earlier answer (the clerk wrote it, edited it in an earlier preview, or a reply merged
into the superior plan), the row *competes*: both are shown and the clerk chooses (:func:`decide`, or the dialog).
:func:`apply_rollup` writes the choices in one transaction, after an automatic backup,
through the ledger's own writers (audited with the origin 汇总本级), and refuses a row
whose superior task changed after the preview.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from .derive import derived_plans, refusal, superior_of
from .errors import UserError
from .exchange.keys import squash_text
from .exchange.unit_notes import join_note, split_note
from .ledger import Ledger
from .model import Plan, Status, Task
from .quarters import Quarter
from .task_query import statuses_on
from .unit_mapping import LOCAL_NAME, get_settings, level_of

__all__ = [
    "ROLLUP_ACTION",
    "Decision",
    "RollupOutcome",
    "RollupPreview",
    "RollupRow",
    "apply_rollup",
    "decide",
    "preview_rollup",
    "rolled_note",
    "rolled_status",
]

ROLLUP_ACTION = "汇总本级"


def rolled_status(items: Iterable[tuple[Status, date | None]]) -> tuple[Status | None, date | None]:
    """The superior task's status from its derived tasks' (status, day): see the
    module text. (None, None) when no derived task counts."""
    live = [(s, d) for s, d in items if s != Status.CANCELLED]
    if not live:
        return None, None
    if all(s == Status.NOT_APPLICABLE for s, _ in live):
        days = [d for _, d in live if d]
        return Status.NOT_APPLICABLE, max(days) if days else None
    counted = [(s, d) for s, d in live if s != Status.NOT_APPLICABLE]
    if all(s == Status.DONE for s, _ in counted):
        days = [d for _, d in counted if d]
        return Status.DONE, max(days) if days else None
    moving = [(s, d) for s, d in counted if s in (Status.DONE, Status.IN_PROGRESS)]
    if moving:
        days = [d for _, d in moving if d]
        return Status.IN_PROGRESS, max(days) if days else None
    return Status.NOT_STARTED, None


def _label(task: Task) -> str:
    return task.lead_unit or "本级"


def rolled_note(derived: list[Task], quarter: Quarter) -> str:
    """The derived tasks' notes of the quarter as labelled parts, 【单位】text."""
    parts: dict[str, str] = {}
    for task in derived:
        if task.status == Status.CANCELLED:
            continue
        note = task.progress_for(quarter)
        text = note.text.strip() if note else ""
        if not text:
            continue
        head, labelled = split_note(text)
        pieces = ([(_label(task), head)] if head else []) + list(labelled.items())
        for unit, body in pieces:
            body = body.strip()
            if body:
                parts[unit] = f"{parts[unit]}\n{body}" if parts.get(unit) else body
    return join_note("", parts)


def _note_of(task: Task, quarter: Quarter) -> str:
    note = task.progress_for(quarter)
    return note.text if note else ""


@dataclass(slots=True)
class RollupRow:
    task: Task  # the superior task, as it was at the preview
    derived: list[Task]
    level: str  # 县级 / 区级 / 本级
    status: Status | None
    status_date: date | None
    note: str
    current_note: str
    status_competes: bool = False
    note_competes: bool = False

    @property
    def seq(self) -> int:
        return self.task.seq

    @property
    def live(self) -> list[Task]:
        return [t for t in self.derived if t.status != Status.CANCELLED]

    @property
    def summary(self) -> str:
        """县级 4 项中 3 项已完成,1 项推进中."""
        live = self.live
        counts: dict[Status, int] = {}
        for t in live:
            counts[t.status] = counts.get(t.status, 0) + 1
        done = counts.get(Status.DONE, 0)
        text = f"{self.level} {len(live)} 项中 {done} 项已完成"
        others = [f"{n} 项{s.value}" for s, n in counts.items() if s != Status.DONE]
        return text + ("," + ",".join(others) if others else "")

    @property
    def changes_status(self) -> bool:
        if self.status is None:
            return False
        if self.status != self.task.status:
            return True
        return self.status == Status.DONE and self.status_date is not None and self.status_date != self.task.status_date

    @property
    def changes_note(self) -> bool:
        return squash_text(self.note) != squash_text(self.current_note)

    @property
    def competes(self) -> bool:
        return (self.status_competes and self.changes_status) or (self.note_competes and self.changes_note)

    @property
    def status_text(self) -> str:
        if self.status is None:
            return ""
        return self.status.value + (f" {self.status_date.isoformat()}" if self.status == Status.DONE
                                    and self.status_date else "")

    @property
    def current_status_text(self) -> str:
        status = self.task.status
        return status.value + (f" {self.task.status_date.isoformat()}" if status == Status.DONE
                               and self.task.status_date else "")


@dataclass(slots=True)
class RollupPreview:
    plan: Plan
    quarter: Quarter
    derived_plans: list[Plan]
    rows: list[RollupRow]

    @property
    def changing(self) -> list[RollupRow]:
        return [r for r in self.rows if r.changes_status or r.changes_note]

    @property
    def competing(self) -> list[RollupRow]:
        return [r for r in self.rows if r.competes]


def _rollup_history(ledger: Ledger, plan_id: int) -> tuple[set[int], dict[tuple[int, str], set[str]]]:
    """What earlier rollups of this plan wrote: the status history entries, and per
    (task, quarter) the notes. A value the rollup wrote itself does not compete."""
    from .ledger import _json_load

    entries: set[int] = set()
    notes: dict[tuple[int, str], set[str]] = {}
    for (after,) in ledger.db.execute(
            "SELECT after FROM audit WHERE action LIKE ? AND entity = 'plan' AND entity_id = ?",
            [ROLLUP_ACTION + "%", plan_id]):
        data = _json_load(after) or {}
        entries.update(int(e) for e in data.get("status_entries", []))
        quarter = data.get("quarter", "")
        for tid, text in (data.get("notes") or {}).items():
            notes.setdefault((int(tid), quarter), set()).add(squash_text(text))
    return entries, notes


def _current_entry(ledger: Ledger, task_id: int) -> int | None:
    row = ledger.db.execute("SELECT id FROM status_history WHERE task_id = ? ORDER BY effective_on DESC, id DESC"
                            " LIMIT 1", [task_id]).fetchone()
    return row[0] if row else None


def preview_rollup(ledger: Ledger, plan_id: int, quarter: Quarter) -> RollupPreview:
    """Each superior task with derived tasks: its composed status and note beside what
    it holds now. Nothing is written. Refuses a plan that has no county plan."""
    plan = ledger.plan(plan_id)
    children = derived_plans(ledger, plan_id)
    if not children:
        parent = superior_of(ledger, plan_id)
        if parent is not None:
            above = ledger.plan(parent).title
            raise refusal(f"《{plan.title}》是本级分解表,由上级分解表《{above}》生成。"
                          f"汇总请对上级分解表《{above}》操作(在“分解表”中选它)。",
                          f"命令行:zwgk rollup {parent} --quarter {quarter}")
        raise refusal(f"《{plan.title}》还没有生成本级分解表,没有可汇总的本级任务。"
                      "请先由它生成本级分解表(下发本级分解表)。",
                      f"命令行:zwgk derive {plan_id} -o 本级分解表.xlsx")
    if quarter.year != plan.year:
        raise UserError(f"季度 {quarter}({quarter.label})不在《{plan.title}》的年份({plan.year}年)内。"
                        f"请选择 {plan.year} 年的季度,例如 {plan.year}Q{quarter.number}。")
    as_of = quarter.end if quarter.end < date.today() else None
    derived_by_source: dict[int, list[Task]] = {}
    for child in children:
        ids = [r[0] for r in ledger.db.execute(
            "SELECT id FROM tasks WHERE plan_id = ? AND derived_from IS NOT NULL", [child.id])]
        then = statuses_on(ledger, child.id, as_of) if as_of is not None and ids else {}
        for task in ledger.tasks(child.id, only=ids) if ids else []:
            if task.id in then:
                task = replace(task, status=then[task.id].status, status_date=then[task.id].since)
            source = ledger.db.execute("SELECT derived_from FROM tasks WHERE id = ?", [task.id]).fetchone()[0]
            derived_by_source.setdefault(source, []).append(task)
    local = get_settings(ledger).get(LOCAL_NAME, "")
    level = f"{level_of(local)}级" if level_of(local) else "本级"
    entries, notes = _rollup_history(ledger, plan_id)
    rows: list[RollupRow] = []
    for task in ledger.tasks(plan_id, only=list(derived_by_source)) if derived_by_source else []:
        if task.status == Status.CANCELLED:
            continue  # withdrawn by the superior's revised table: not answered, never brought back
        derived = sorted(derived_by_source[task.id], key=lambda t: (t.plan_id, t.seq))
        status, on = rolled_status((t.status, t.status_date) for t in derived)
        if status is None:
            continue  # every derived task withdrawn: nothing to say
        if status != Status.DONE and on is None and status != Status.NOT_STARTED:
            on = as_of or date.today()
        current = _note_of(task, quarter)
        row = RollupRow(task=task, derived=derived, level=level, status=status, status_date=on,
                        note=rolled_note(derived, quarter), current_note=current)
        own_status = task.status != Status.NOT_STARTED and _current_entry(ledger, task.id) not in entries
        row.status_competes = own_status and row.changes_status
        own_note = bool(current.strip()) and squash_text(current) not in notes.get((task.id, str(quarter)), set())
        row.note_competes = own_note and row.changes_note
        rows.append(row)
    return RollupPreview(plan=plan, quarter=quarter, derived_plans=children, rows=rows)


@dataclass(slots=True)
class Decision:
    """What to write for one superior task: the composed status and/or the note
    (``note``: the text to write, the composed one or the clerk's edit)."""

    task_id: int
    status: bool = True
    note: bool = True
    text: str | None = None


def decide(preview: RollupPreview, *, keep_own: Iterable[int] = (), use_rollup: Iterable[int] | None = ()) -> list[Decision]:
    """The decisions of the command line: every row takes the composed values, except
    competing ones, which must each be named: ``keep_own`` (序号) keeps what the
    superior task holds, ``use_rollup`` (序号; None = all) takes the composed values.
    An undecided competing row refuses the whole rollup, naming both values."""
    keep = set(keep_own)
    take_all = use_rollup is None
    take = set(use_rollup or ())
    seqs = {r.seq for r in preview.rows}
    unknown = sorted((keep | take) - seqs)
    if unknown:
        raise UserError(f"序号 {'、'.join(map(str, unknown))} 不是本次汇总的上级任务(没有本级任务)。"
                        "请对照预览中的序号。")
    both = sorted(keep & take)
    if both:
        raise UserError(f"序号 {'、'.join(map(str, both))} 同时写在 --keep-own 和 --use-rollup 中,请只选一种。")
    undecided = [r for r in preview.competing if r.seq not in keep and r.seq not in take and not take_all]
    if undecided:
        lines = []
        for r in undecided:
            if r.status_competes and r.changes_status:
                lines.append(f"  序号 {r.seq} 状态:现有“{r.current_status_text}”,汇总后“{r.status_text}”")
            if r.note_competes and r.changes_note:
                lines.append(f"  序号 {r.seq} 进展:现有“{_short(r.current_note)}”,汇总后“{_short(r.note)}”")
        seqs_text = "、".join(str(r.seq) for r in undecided)
        raise UserError("下列上级任务已有不同的状态或进展,没有写入任何内容:\n" + "\n".join(lines) +
                        f"\n请逐项选择:--keep-own 序号 保留现有内容,或 --use-rollup 序号 采用汇总结果"
                        f"(涉及序号 {seqs_text})。")
    result = []
    for row in preview.rows:
        if row.seq in keep:
            take_status = row.changes_status and not row.status_competes
            take_note = row.changes_note and not row.note_competes
        else:
            take_status, take_note = row.changes_status, row.changes_note
        if take_status or take_note:
            result.append(Decision(row.task.id, status=take_status, note=take_note))
    return result


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "……"


@dataclass(slots=True)
class RollupOutcome:
    statuses: int = 0
    notes: int = 0
    tasks: list[int] = field(default_factory=list)


def apply_rollup(ledger: Ledger, preview: RollupPreview, decisions: list[Decision]) -> RollupOutcome:
    """Write the decisions in one transaction (after an automatic backup), each value
    through the ledger's writers with the origin 汇总本级. A superior task changed since
    the preview refuses the whole rollup; nothing is written then."""
    from .backup import auto_backup

    rows = {r.task.id: r for r in preview.rows}
    outcome = RollupOutcome()
    chosen = [d for d in decisions if d.task_id in rows and (d.status or d.note)]
    if not chosen:
        return outcome
    auto_backup(ledger, ROLLUP_ACTION)
    origin = f"分解表 {preview.plan.id}"
    quarter = preview.quarter
    with ledger.change(ROLLUP_ACTION, "plan", preview.plan.id,
                       before={"quarter": str(quarter), "plans": [p.id for p in preview.derived_plans]}) as record:
        entries: list[int] = []
        notes: dict[str, str] = {}
        edited: dict[str, str] = {}
        statuses: dict[str, str] = {}
        for decision in chosen:
            row = rows[decision.task_id]
            now = ledger.task(decision.task_id)
            if (now.status, now.status_date) != (row.task.status, row.task.status_date) \
                    or _note_of(now, quarter).strip() != row.current_note.strip():
                raise UserError(f"上级分解表序号 {row.seq} 的任务在预览之后又被修改过,没有写入任何内容。"
                                "请重新预览后再汇总。")
            if decision.status and row.status is not None and row.changes_status:
                on = row.status_date or date.today()
                if row.status == now.status and now.status_date is not None:
                    ledger.set_status_date(now.id, on, origin=f"{ROLLUP_ACTION}:{origin}")
                    entry = _current_entry(ledger, now.id)
                else:
                    entry = ledger.set_status(now.id, row.status, on, origin=f"{ROLLUP_ACTION}:{origin}")
                if entry is not None:
                    entries.append(entry)
                statuses[str(now.id)] = row.status.value
                outcome.statuses += 1
            if decision.note:
                text = (decision.text if decision.text is not None else row.note).strip()
                if ledger.set_progress(now.id, quarter, text, expected=row.current_note,
                                       origin=f"{ROLLUP_ACTION}:{origin}"):
                    outcome.notes += 1
                if squash_text(text) == squash_text(row.note):
                    notes[str(now.id)] = text
                else:  # the clerk's own words: a later rollup asks before replacing them
                    edited[str(now.id)] = text
            outcome.tasks.append(now.id)
        record["after"] = {"quarter": str(quarter), "tasks": len(outcome.tasks), "statuses": statuses,
                           "status_entries": entries, "notes": notes, "edited_notes": edited}
    return outcome
