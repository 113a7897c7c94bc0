"""下发本级分解表: the county's own plan derived from the superior's, linked task by task.

The clerk in the middle chooses the superior tasks that concern her county (by default
those naming the lower level as a whole, 各县区; the county itself; or a group it
belongs to), maps each superior unit to her own units (core/unit_mapping.py), may add
tasks of her own, and gets a new plan in the ledger: ``plans.derived_from_plan`` names
the superior plan and each task's ``tasks.derived_from`` the superior task it came
from (NULL for her own). That link is what core/rollup.py reads to answer upward.

:func:`prepare_derive` builds the preview (nothing written); :func:`create_derived_plan`
writes it in one ``ledger.change``: plan, sections, tasks, units, the mapping used and
the county's name and lead office. A task whose superior units are not all mapped is
never trimmed silently: the write is refused and names them.

The derived plan is an ordinary plan afterwards: fill-in workbooks, merge, reports and
exports run on it as on any imported one (its columns are the official layout's,
序号 / 工作任务 / 具体要求 / 责任单位 / 完成时限).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from .deadlines import Deadline
from .errors import UserError
from .ledger import Ledger, now_text
from .model import ParsedPlan, ParsedTask, Plan, Status, Task
from .patterns import lazy_compile
from .unit_directory import groups_of
from .unit_mapping import (LEAD_OFFICE, LOCAL_NAME, How, Suggestion, get_settings, names_lower_level,
                           stored_mapping, store_mapping_rows, suggest, write_settings)
from .units import Role, UnitRef, normalise_unit_name, unit_key

__all__ = [
    "DERIVED_COLUMNS",
    "DeriveOutcome",
    "DerivePreview",
    "DerivedTask",
    "create_derived_plan",
    "default_selection",
    "derived_plans",
    "derived_title",
    "local_candidates",
    "prepare_derive",
    "refusal",
    "require_local_facts",
    "seq_list",
    "suggest_mapping",
    "superior_of",
]

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


# -- reading -------------------------------------------------------------------------------------


def require_local_facts(ledger: Ledger, local_name: str | None, lead_office: str | None) -> tuple[str, str]:
    """The county's name and lead office: as given, else as the ledger remembers them.
    Asked for (a plain refusal naming the options) when neither has them."""
    settings = get_settings(ledger)
    name = normalise_unit_name(local_name or settings.get(LOCAL_NAME, ""))
    lead = normalise_unit_name(lead_office or settings.get(LEAD_OFFICE, ""))
    missing, options = [], []
    if not name:
        missing.append("本级名称(如 任城区、某某县)")
        options.append("--local-name 任城区")
    if not lead:
        missing.append("本级牵头单位(如 区政府办公室)")
        options.append("--lead-office 区政府办公室")
    if missing:
        raise refusal("台账中还没有记下" + "和".join(missing) + "。请填写后再生成本级分解表;"
                      "填写过一次后台账会记住。", "命令行:加 " + " ".join(options) + "。")
    return name, lead


def refusal(message: str, hint_cli: str) -> UserError:
    """A refusal the window and zwgk share: the message names no command-line option;
    ``hint_cli`` (printed by zwgk under it) says which option to add."""
    error = UserError(message)
    error.hint_cli = hint_cli  # type: ignore[attr-defined]
    return error


def derived_plans(ledger: Ledger, plan_id: int) -> list[Plan]:
    """Plans derived from ``plan_id`` (the county's tables issued from it)."""
    ids = [r[0] for r in ledger.db.execute(
        "SELECT id FROM plans WHERE derived_from_plan = ? ORDER BY id", [plan_id])]
    return [ledger.plan(i) for i in ids]


def superior_of(ledger: Ledger, plan_id: int) -> int | None:
    """The plan ``plan_id`` was derived from, or None for an ordinary plan."""
    row = ledger.db.execute("SELECT derived_from_plan FROM plans WHERE id = ?", [plan_id]).fetchone()
    if row is None:
        ledger.plan(plan_id)  # the usual NotFoundError
    return row[0]


def default_selection(ledger: Ledger, plan_id: int, local_name: str, tasks: list[Task] | None = None) -> list[int]:
    """Tasks that concern the county: naming the lower level as a whole (各县区…), the
    county itself, or a group the county belongs to. Withdrawn (已取消) ones never."""
    groups = groups_of(ledger, local_name) if local_name else []
    tasks = tasks if tasks is not None else ledger.tasks(plan_id)
    return [t.id for t in tasks if t.status != Status.CANCELLED
            and any(names_lower_level(u.name, local_name, groups) for u in t.units)]


def local_candidates(ledger: Ledger, plan_id: int) -> list[str]:
    """The county's own unit names to look among: units no task of the superior plan
    names (the directory, earlier county plans), and the 本级单位 already mapped."""
    superior_units = {r[0] for r in ledger.db.execute(
        "SELECT DISTINCT tu.unit_id FROM task_units tu JOIN tasks t ON t.id = tu.task_id WHERE t.plan_id = ?",
        [plan_id])}
    names = [name for uid, name in ledger.db.execute("SELECT id, name FROM units ORDER BY id")
             if uid not in superior_units]
    names += [local for locals_ in stored_mapping(ledger).values() for local in locals_]
    return list(dict.fromkeys(names))


def suggest_mapping(ledger: Ledger, plan_id: int, unit_names: list[str], *, local_name: str, lead_office: str,
                    given: dict[str, list[str]] | None = None, given_how: How = How.FILE) -> list[Suggestion]:
    """本级单位 for each superior unit named: the clerk's (``given``: a file or the
    dialog's table) first, then the ledger's stored pairs, then a suggestion."""
    given = {normalise_unit_name(k): [normalise_unit_name(n) for n in v if normalise_unit_name(n)]
             for k, v in (given or {}).items()}
    stored = stored_mapping(ledger)
    candidates = local_candidates(ledger, plan_id)
    groups = groups_of(ledger, local_name) if local_name else []
    result: list[Suggestion] = []
    for name in dict.fromkeys(unit_names):
        if given.get(name):
            result.append(Suggestion(name, list(dict.fromkeys(given[name])), given_how))
        elif stored.get(name):
            result.append(Suggestion(name, stored[name], How.STORED))
        else:
            result.append(suggest(name, candidates, local_name=local_name, lead_office=lead_office, groups=groups))
    return result


_YEAR_RE = lazy_compile(r"^\s*(\d{4})\s*年")


def derived_title(superior_title: str, year: int, local_name: str) -> str:
    """2023年济宁市政务公开重点工作任务分解表 -> 2023年任城区政务公开重点工作任务分解表."""
    text = (superior_title or "").strip()
    rest = text[text.index("政务公开"):] if "政务公开" in text else "政务公开工作任务分解表"
    if not rest.endswith(("分解表", "清单", "台账")):
        rest += "任务分解表"
    return f"{year}年{local_name}{rest}"


def _derived_units(task: Task, mapping: dict[str, list[str]]) -> tuple[list[UnitRef], list[str]]:
    """The county's units of a superior task: each superior unit's 本级单位 in order, the
    first of the superior lead's leading; duplicates dropped (first role wins)."""
    units: list[UnitRef] = []
    seen: set[str] = set()
    unmapped: list[str] = []
    lead_given = False
    for ref in task.units:
        locals_ = mapping.get(ref.name, [])
        if not locals_:
            unmapped.append(ref.name)
            continue
        for n, name in enumerate(locals_):
            key = unit_key(name)
            if key in seen:
                continue
            seen.add(key)
            lead = ref.role == Role.LEAD and n == 0 and not lead_given
            lead_given = lead_given or lead
            units.append(UnitRef(name, Role.LEAD if lead else Role.COOPERATE))
    if units and not lead_given:
        units[0] = UnitRef(units[0].name, Role.LEAD)
    return units, unmapped


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
        raise UserError(f"分解表 {plan_id}({plan.title})中没有任务,无法生成本级分解表。")
    by_id = {t.id: t for t in tasks}
    if task_ids is None:
        chosen_ids = default_selection(ledger, plan_id, local, tasks)
        if not chosen_ids and not own_tasks:
            raise refusal(f"分解表 {plan_id}({plan.title})中没有点名本级的任务(各县区、{local}或其所属群组)。"
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
        units, unmapped = _derived_units(task, table)
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


# -- writing -------------------------------------------------------------------------------------


def seq_list(seqs: list[int], limit: int = 12) -> str:
    shown = "、".join(str(s) for s in seqs[:limit])
    return shown + (f" 等 {len(seqs)} 项" if len(seqs) > limit else "")


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
    from .plan_import import _ensure_units, _insert_sections, _next_task_id

    if preview.unmapped:
        raise refusal(_unmapped_message(preview),
                      "命令行:加 --map 单位对应.xlsx(两列 上级单位 | 本级单位,每行一对)。")
    if not preview.tasks:
        raise UserError("没有选择任何任务,没有可生成的本级分解表。请至少选择一项任务。")
    plan = preview.plan
    existing = derived_plans(ledger, plan.id)
    if existing:
        first = existing[0]
        raise UserError(f"分解表 {plan.id}({plan.title})已经生成过本级分解表 {first.id}({first.title})。"
                        f"如需重新生成,请先在窗口中删除分解表 {first.id}(删除前会自动备份)。")
    ledger.plan(plan.id)  # still there
    now = now_text()
    sha = hashlib.sha256(f"zwgk-derived:{plan.source_sha256}:{now}:{uuid.uuid4().hex}".encode()).hexdigest()
    parsed = ParsedPlan(
        title=preview.title, year=preview.year, columns=list(DERIVED_COLUMNS), mapping=dict(DERIVED_MAPPING),
        tasks=[ParsedTask(seq=n, section=t.section, title=t.title, requirement=t.requirement,
                          units_text=t.units_text, units=t.units, deadline=t.deadline, source_row=0)
               for n, t in enumerate(preview.tasks, start=1)],
        sheet="任务分解表", source_name=f"由分解表 {plan.id}“{plan.title}”生成")
    used = {s.superior: s.locals for s in preview.mapping if s.locals}
    db = ledger.db
    with ledger.change("生成本级分解表", "plan", before={"from_plan": plan.id, "from_title": plan.title}) as record:
        cursor = db.execute(
            "INSERT INTO plans (year, title, issuer, doc_number, source_name, source_sha256, sheet, columns,"
            " mapping, imported_at, imported_by, derived_from_plan) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [parsed.year, parsed.title, preview.local_name, None, parsed.source_name, sha, parsed.sheet,
             json.dumps(parsed.columns, ensure_ascii=False), json.dumps(parsed.mapping), now, ledger.user,
             plan.id])
        plan_id = cursor.lastrowid
        section_ids = _insert_sections(ledger, plan_id, parsed)
        unit_ids = _ensure_units(ledger, parsed)
        next_id = _next_task_id(ledger)
        rows, links = [], []
        for (task, draft) in zip(parsed.tasks, preview.tasks):
            task_id = next_id
            next_id += 1
            due = task.deadline.due_date.isoformat() if task.deadline.due_date else None
            rows.append([task_id, plan_id, task.seq, section_ids.get(tuple(task.section)), task.title,
                         task.requirement, task.units_text, task.deadline.text, due, task.deadline.kind.value,
                         int(task.deadline.needs_review), None, "{}", draft.source_id])
            for position, unit in enumerate(task.units):
                links.append([task_id, unit_ids[unit_key(unit.name)], unit.role.value, position])
        db.conn.executemany(
            "INSERT INTO tasks (id, plan_id, seq, section_id, title, requirement, units_text, deadline_text,"
            " due_date, deadline_kind, needs_review, source_row, extra, derived_from)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.conn.executemany(
            "INSERT OR IGNORE INTO task_units (task_id, unit_id, role, position) VALUES (?,?,?,?)", links)
        mapping_before = store_mapping_rows(ledger, used)
        settings_before = write_settings(ledger, {LOCAL_NAME: preview.local_name, LEAD_OFFICE: preview.lead_office})
        if also is not None:
            also(ledger, plan_id)
        record["entity_id"] = plan_id
        record["before"] = {"from_plan": plan.id, "from_title": plan.title,
                            "mapping": mapping_before or None, "settings": settings_before or None}
        record["after"] = {"title": parsed.title, "year": parsed.year, "tasks": len(rows),
                           "derived": preview.derived_count, "own": preview.own_count,
                           "mapping": used, "local_name": preview.local_name, "lead_office": preview.lead_office}
    return DeriveOutcome(plan_id=plan_id, title=parsed.title, task_count=len(rows), derived=preview.derived_count,
                         own=preview.own_count, mapping_saved=len(used))
