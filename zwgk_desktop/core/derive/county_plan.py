"""The county plan itself: what it would be (:func:`prepare_derive`, nothing written) and
writing it, linked task by task to the superior's (:func:`create_derived_plan`, one
change with the mapping used and the county's name and lead office)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ..deadlines import Deadline
from ..errors import UserError
from ..ledger import Ledger, now_text
from ..model import ParsedPlan, ParsedTask, Plan, Status
from ..unit_mapping import (
    LEAD_OFFICE,
    LOCAL_NAME,
    How,
    Suggestion,
    store_mapping_rows,
    write_settings,
)
from ..units import UnitRef, unit_key
from .audit_trail import DERIVE_ACTION
from .mapped_units import derived_units, suggest_mapping
from .selection import (
    default_selection,
    derived_plans,
    refusal,
    require_local_facts,
    seq_list,
)

#: The official layout's columns and what each means (io/headers meanings).
DERIVED_COLUMNS = ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
DERIVED_MAPPING = {"seq": [0], "heading": [1], "requirement": [2], "units": [3], "deadline": [4]}


@dataclass(slots=True)
class DerivedTask:
    """One task of the county's plan as it will be written."""

    source_id: int | None  # the superior task (None: the county's own task)
    source_seq: int | None
    section: list[str]
    title: str | None
    requirement: str
    units: list[UnitRef]
    deadline: Deadline
    unmapped: list[str] = field(default_factory=list)  # superior units without a 本级单位

    @property
    def units_text(self) -> str:
        return "、".join(u.name for u in self.units)


@dataclass(slots=True)
class DerivePreview:
    plan: Plan
    title: str
    year: int
    local_name: str
    lead_office: str
    mapping: list[Suggestion]  # every superior unit of the chosen tasks, in order of appearance
    tasks: list[DerivedTask]

    @property
    def unmapped(self) -> list[str]:
        return [s.superior for s in self.mapping if not s.locals]

    @property
    def blocked_seqs(self) -> list[int]:
        """Superior 序号 of chosen tasks with a unit still unmapped."""
        return [t.source_seq for t in self.tasks if t.unmapped and t.source_seq is not None]

    @property
    def derived_count(self) -> int:
        return sum(1 for t in self.tasks if t.source_id is not None)

    @property
    def own_count(self) -> int:
        return sum(1 for t in self.tasks if t.source_id is None)


@dataclass(slots=True)
class DeriveOutcome:
    plan_id: int
    title: str
    task_count: int
    derived: int
    own: int
    mapping_saved: int


def derived_title(superior_title: str, year: int, local_name: str) -> str:
    """2023年济宁市政务公开重点工作任务分解表 -> 2023年任城区政务公开重点工作任务分解表."""
    text = (superior_title or "").strip()
    rest = text[text.index("政务公开"):] if "政务公开" in text else "政务公开工作任务分解表"
    if not rest.endswith(("分解表", "清单", "台账")):
        rest += "任务分解表"
    return f"{year}年{local_name}{rest}"


def prepare_derive(ledger: Ledger, plan_id: int, *, local_name: str | None = None, lead_office: str | None = None,
                   task_ids: list[int] | None = None, mapping: dict[str, list[str]] | None = None,
                   mapping_how: How = How.FILE, own_tasks: list[ParsedTask] | None = None,
                   title: str | None = None) -> DerivePreview:
    """What the county's plan would be; nothing is written. ``task_ids`` None: the
    default selection. ``mapping``: the clerk's pairs, over the stored and suggested."""
    plan = ledger.plan(plan_id)
    local, lead = require_local_facts(ledger, local_name, lead_office)
    tasks = ledger.tasks(plan_id)
    if not tasks:
        raise UserError(f"《{plan.title}》中没有任务,无法生成本级分解表。")
    by_id = {t.id: t for t in tasks}
    if task_ids is None:
        chosen_ids = default_selection(ledger, plan_id, local, tasks)
        if not chosen_ids and not own_tasks:
            raise refusal(f"《{plan.title}》中没有点名本级的任务(各县区、{local}或其所属群组)。"
                          "请勾选要下发的任务。", "命令行:用 --tasks 3,5,8-10 指定序号,或 --tasks all。")
    else:
        unknown = [tid for tid in task_ids if tid not in by_id]
        if unknown:
            raise UserError(f"分解表 {plan_id} 中没有编号为 {unknown[0]} 的任务。")
        cancelled = [by_id[tid].seq for tid in task_ids if by_id[tid].status == Status.CANCELLED]
        if cancelled:
            raise UserError(f"序号 {'、'.join(map(str, cancelled))} 的任务已取消,不能下发。请不选这些任务。")
        chosen_ids = list(dict.fromkeys(task_ids))
    chosen = sorted((by_id[tid] for tid in chosen_ids), key=lambda t: t.seq)
    if not chosen and not own_tasks:
        raise UserError("没有选择任何任务,没有可生成的本级分解表。请至少选择一项任务。")
    names = [u.name for t in chosen for u in t.units]
    suggestions = suggest_mapping(ledger, plan_id, names, local_name=local, lead_office=lead,
                                  given=mapping, given_how=mapping_how)
    table = {s.superior: s.locals for s in suggestions}
    derived: list[DerivedTask] = []
    for task in chosen:
        units, unmapped = derived_units(task, table)
        derived.append(DerivedTask(
            source_id=task.id, source_seq=task.seq, section=list(task.section), title=task.title,
            requirement=task.requirement, units=units,
            deadline=Deadline(task.deadline_text, task.due_date, task.deadline_kind, task.needs_review),
            unmapped=unmapped))
    for own in own_tasks or []:
        derived.append(DerivedTask(source_id=None, source_seq=None, section=list(own.section), title=own.title,
                                   requirement=own.requirement, units=list(own.units), deadline=own.deadline))
    return DerivePreview(plan=plan, title=(title or "").strip() or derived_title(plan.title, plan.year, local),
                         year=plan.year, local_name=local, lead_office=lead, mapping=suggestions, tasks=derived)


def _unmapped_message(preview: DerivePreview) -> str:
    seqs = seq_list(preview.blocked_seqs)
    units = "、".join(preview.unmapped)
    return (f"下列上级单位还没有对应的本级单位:{units}(涉及上级分解表序号 {seqs})。本级分解表没有生成。"
            "请在单位对应中补上它们的本级单位,或不选这些任务。")


def create_derived_plan(ledger: Ledger, preview: DerivePreview, *,
                        also: Callable[[Ledger, int], object] | None = None) -> DeriveOutcome:
    """Write the county's plan, linked to the superior's, in one change (with the
    mapping used and the county's name and lead office). Refused, with nothing
    written, while a chosen task has a unit without 本级单位, or when the superior
    plan already has a county plan (a second one would count every report twice).

    ``also(ledger, new_plan_id)`` runs inside the transaction (writing the .xlsx to
    send down): if it fails, the plan is not kept either, so the clerk never has a plan
    in the ledger whose table was not written, or the other way round."""
    from ..plan_import import _insert_sections

    if preview.unmapped:
        raise refusal(_unmapped_message(preview),
                      "命令行:加 --map 单位对应.xlsx(两列 上级单位 | 本级单位,每行一对)。")
    if not preview.tasks:
        raise UserError("没有选择任何任务,没有可生成的本级分解表。请至少选择一项任务。")
    plan = preview.plan
    existing = derived_plans(ledger, plan.id)
    if existing:
        first = existing[0]
        raise refusal(f"《{plan.title}》已经生成过本级分解表《{first.title}》。"
                      f"如需重新生成,请先在窗口中删除本级分解表《{first.title}》(删除前会自动备份);"
                      "上级修订后要让本级分解表跟上,请用“更新本级分解表”。",
                      f"命令行中本级分解表是分解表 {first.id};更新可执行:zwgk derive {plan.id} --update")
    ledger.plan(plan.id)  # still there
    now = now_text()
    sha = hashlib.sha256(f"zwgk-derived:{plan.source_sha256}:{now}:{uuid.uuid4().hex}".encode()).hexdigest()
    parsed = ParsedPlan(
        title=preview.title, year=preview.year, columns=list(DERIVED_COLUMNS), mapping=dict(DERIVED_MAPPING),
        tasks=[ParsedTask(seq=n, section=t.section, title=t.title, requirement=t.requirement,
                          units_text=t.units_text, units=t.units, deadline=t.deadline, source_row=0)
               for n, t in enumerate(preview.tasks, start=1)],
        sheet="任务分解表", source_name=f"由上级分解表《{plan.title}》生成")
    used = {s.superior: s.locals for s in preview.mapping if s.locals}
    db = ledger.db
    with ledger.change(DERIVE_ACTION, "plan", before={"from_plan": plan.id, "from_title": plan.title}) as record:
        cursor = db.execute(
            "INSERT INTO plans (year, title, issuer, doc_number, source_name, source_sha256, sheet, columns,"
            " mapping, imported_at, imported_by, derived_from_plan) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [parsed.year, parsed.title, preview.local_name, None, parsed.source_name, sha, parsed.sheet,
             json.dumps(parsed.columns, ensure_ascii=False), json.dumps(parsed.mapping), now, ledger.user,
             plan.id])
        plan_id = cursor.lastrowid
        section_ids = _insert_sections(ledger, plan_id, parsed)
        task_ids = insert_tasks(ledger, plan_id, list(enumerate(preview.tasks, start=1)), section_ids)
        mapping_before = store_mapping_rows(ledger, used)
        settings_before = write_settings(ledger, {LOCAL_NAME: preview.local_name, LEAD_OFFICE: preview.lead_office})
        if also is not None:
            also(ledger, plan_id)
        record["entity_id"] = plan_id
        record["before"] = {"from_plan": plan.id, "from_title": plan.title,
                            "mapping": mapping_before or None, "settings": settings_before or None}
        record["after"] = {"title": parsed.title, "year": parsed.year, "tasks": len(task_ids),
                           "derived": preview.derived_count, "own": preview.own_count,
                           "mapping": used, "local_name": preview.local_name, "lead_office": preview.lead_office}
    return DeriveOutcome(plan_id=plan_id, title=parsed.title, task_count=len(task_ids), derived=preview.derived_count,
                         own=preview.own_count, mapping_saved=len(used))


def insert_tasks(ledger: Ledger, plan_id: int, placed: list[tuple[int, DerivedTask]],
                 section_ids: dict[tuple[str, ...], int]) -> list[int]:
    """Write county tasks at the 序号 given, each linked to its superior task, with their
    units (the derive and the update share it; the caller's change holds the audit).
    Returns the new task ids in the order given."""
    from ..plan_import import _ensure_units, _next_task_id

    parsed = ParsedPlan(title="", year=0, columns=[], mapping={}, sheet="", source_name="", tasks=[
        ParsedTask(seq=seq, section=t.section, title=t.title, requirement=t.requirement, units_text=t.units_text,
                   units=t.units, deadline=t.deadline, source_row=0) for seq, t in placed])
    unit_ids = _ensure_units(ledger, parsed)
    ids, rows, links = [], [], []
    for task_id, (seq, draft) in enumerate(placed, start=_next_task_id(ledger)):
        due = draft.deadline.due_date.isoformat() if draft.deadline.due_date else None
        rows.append([task_id, plan_id, seq, section_ids.get(tuple(draft.section)), draft.title, draft.requirement,
                     draft.units_text, draft.deadline.text, due, draft.deadline.kind.value,
                     int(draft.deadline.needs_review), None, "{}", draft.source_id])
        links += [[task_id, unit_ids[unit_key(unit.name)], unit.role.value, position]
                  for position, unit in enumerate(draft.units)]
        ids.append(task_id)
    db = ledger.db
    db.conn.executemany(
        "INSERT INTO tasks (id, plan_id, seq, section_id, title, requirement, units_text, deadline_text,"
        " due_date, deadline_kind, needs_review, source_row, extra, derived_from)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.conn.executemany(
        "INSERT OR IGNORE INTO task_units (task_id, unit_id, role, position) VALUES (?,?,?,?)", links)
    return ids
