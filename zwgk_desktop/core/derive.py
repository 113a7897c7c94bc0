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

When the superior later revises its plan (core/revision.py), the county plan is brought
up to date without deriving again (which would lose the county's work):
:func:`prepare_update` lists the superior's new tasks that concern the county, its
withdrawn tasks whose county tasks are still live, and its tasks reworded or given
other units or deadlines since the derive; :func:`apply_update` writes what the clerk
ticks, in one change. What the county wrote itself is never overwritten: a county task
follows the superior's new wording or deadline only while it still has the words it
was derived with.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

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
    "UPDATE_ACTION",
    "UPDATE_ORIGIN",
    "Aspect",
    "AspectChange",
    "DeriveOutcome",
    "DerivePreview",
    "DerivedTask",
    "UpdateItem",
    "UpdateKind",
    "UpdateOutcome",
    "UpdatePreview",
    "apply_update",
    "create_derived_plan",
    "default_selection",
    "derived_plans",
    "derived_title",
    "keys_for_seqs",
    "local_candidates",
    "prepare_derive",
    "prepare_update",
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


# -- bringing the county plan up to date after the superior revised its own ---------------------

#: The audit row of an update (on the county plan; it lists the tasks added, as the row
#: of :func:`create_derived_plan` stands for the tasks it wrote).
UPDATE_ACTION = "更新本级分解表"
#: Where the county's own changes came from, in their audit rows and status history.
UPDATE_ORIGIN = "上级修订"
#: Each task an update adds has the row a revision writes for the tasks it adds (with
#: :data:`UPDATE_ORIGIN`), so reports and 操作记录 read both alike.
ADDED_ACTION = "修订:新增任务"
_DERIVE_ACTION = "生成本级分解表"


class UpdateKind(StrEnum):
    ADDED = "上级新增的任务"
    WITHDRAWN = "上级已取消的任务"
    CHANGED = "上级改动的任务"


class Aspect(StrEnum):
    """What of a superior task can change under a county task. Wording and deadline
    follow the superior (where the county kept them); units are the county's own
    (mapped), so a change there is shown, never written."""

    WORDING = "具体要求"
    UNITS = "责任单位"
    DEADLINE = "完成时限"


#: A county task's audit rows when it followed the superior: from then on, the
#: superior's words of that moment are what the county task was "derived with".
_FOLLOW_ACTIONS = {f"修订:改写任务({UPDATE_ORIGIN})": Aspect.WORDING,
                   f"修订:完成时限({UPDATE_ORIGIN})": Aspect.DEADLINE}
#: Keys of a superior task's audit ``before`` that say what it was (core/revision.py
#: and Ledger.set_due_date write them).
_WORD_KEYS = ("title", "requirement", "units", "deadline_text", "due_date")


@dataclass(frozen=True, slots=True)
class AspectChange:
    """One aspect of a superior task changed since the county task was derived from it.

    ``old``/``new``: the superior's, then and now; ``county``: the county task's now.
    ``edited``: the county changed it itself since, so it is left as it is and both are
    shown. ``follows``: applying writes ``new`` into the county task. For units,
    ``proposed`` is what the unit mapping makes of the new units (shown only)."""

    aspect: Aspect
    old: str
    new: str
    county: str
    edited: bool
    follows: bool
    proposed: str = ""


@dataclass(slots=True)
class UpdateItem:
    """One line of the update preview, with its own checkbox."""

    kind: UpdateKind
    source: Task  # the superior task as it is now
    county: Task | None = None  # the county task (None: a task to add)
    aspects: list[AspectChange] = field(default_factory=list)
    derived: DerivedTask | None = None  # ADDED: the county task it becomes
    concerns: bool = True  # ADDED: names the county, ticked by default

    @property
    def key(self) -> str:
        """Stable while the ledger does not change: what the clerk ticks."""
        if self.kind == UpdateKind.ADDED:
            return f"add:{self.source.id}"
        prefix = "cancel" if self.kind == UpdateKind.WITHDRAWN else "change"
        return f"{prefix}:{self.county.id}"

    @property
    def writes(self) -> bool:
        """False for a change that only shows something (the county's own words kept, units)."""
        return self.kind != UpdateKind.CHANGED or any(a.follows for a in self.aspects)

    @property
    def unmapped(self) -> list[str]:
        return list(self.derived.unmapped) if self.derived is not None else []

    @property
    def text(self) -> str:
        return _task_line(self.source.title, self.source.requirement)


@dataclass(slots=True)
class UpdatePreview:
    plan: Plan  # the superior plan
    county: Plan  # the county plan derived from it
    local_name: str
    lead_office: str
    items: list[UpdateItem]
    mapping: list[Suggestion]  # superior units of the tasks to add (and of changed units)
    fingerprint: str  # both plans as read: a stale preview is not applied
    given: dict[str, list[str]] = field(default_factory=dict)
    given_how: How = How.FILE
    include: tuple[int, ...] = ()

    def of(self, kind: UpdateKind) -> list[UpdateItem]:
        return [i for i in self.items if i.kind == kind]

    @property
    def default_keys(self) -> list[str]:
        """Ticked at first: the new tasks naming the county, every withdrawal, every
        change the county task can follow."""
        return [i.key for i in self.items if i.writes and (i.kind != UpdateKind.ADDED or i.concerns)]

    @property
    def is_empty(self) -> bool:
        return not self.items

    def item(self, key: str) -> UpdateItem | None:
        return next((i for i in self.items if i.key == key), None)

    def blocked(self, keys: Iterable[str]) -> list[UpdateItem]:
        """Chosen new tasks with a superior unit still without 本级单位."""
        chosen = set(keys)
        return [i for i in self.items if i.key in chosen and i.unmapped]


@dataclass(slots=True)
class UpdateOutcome:
    plan_id: int  # the county plan
    added: list[int]  # new county task ids
    cancelled: list[int]
    followed: list[int]  # county tasks that took the superior's new wording or deadline
    mapping_saved: int
    audit_rows: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.cancelled or self.followed)


def _task_line(title: str | None, requirement: str) -> str:
    from .revision import task_text

    return task_text(title, requirement)


def _squash(text: str | None) -> str:
    return "".join((text or "").split())


def _units_line(units: Iterable[UnitRef]) -> str:
    from .revision import units_display as _units_display

    return _units_display([(u.name, u.role.value) for u in units])


def _deadline_line(text: str, due: str | None) -> str:
    from .revision import deadline_display as _deadline_display

    return _deadline_display(text, due)


def _words_now(task: Task) -> dict[str, str | None]:
    return {"title": task.title, "requirement": task.requirement, "units": _units_line(task.units),
            "deadline_text": task.deadline_text or "",
            "due_date": task.due_date.isoformat() if task.due_date else None}


def _words_then(now: dict[str, str | None], rows: list[tuple[int, dict]], since: int) -> dict[str, str | None]:
    """The superior task's words as they were at audit row ``since``: its later audit
    rows undone, newest first (each ``before`` says what it replaced)."""
    words = dict(now)
    for row_id, before in rows:  # newest first
        if row_id <= since:
            break
        for key in _WORD_KEYS:
            if key in before:
                words[key] = before[key]
    return words


def _same(aspect: Aspect, a: dict, b: dict) -> bool:
    if aspect == Aspect.WORDING:
        return _squash(a.get("title")) == _squash(b.get("title")) and \
            _squash(a.get("requirement")) == _squash(b.get("requirement"))
    if aspect == Aspect.DEADLINE:
        return _squash(a.get("deadline_text")) == _squash(b.get("deadline_text")) and \
            (a.get("due_date") or None) == (b.get("due_date") or None)
    return _squash(a.get("units")) == _squash(b.get("units"))


def _shown(aspect: Aspect, words: dict) -> str:
    if aspect == Aspect.WORDING:
        return _task_line(words.get("title"), words.get("requirement") or "")
    if aspect == Aspect.DEADLINE:
        return _deadline_line(words.get("deadline_text") or "", words.get("due_date"))
    return words.get("units") or "(无)"


def _baselines(ledger: Ledger, county_id: int, county_ids: list[int]) -> tuple[int, dict[tuple[int, Aspect], int]]:
    """For each county task and aspect, the audit row from which its words are the
    superior's as derived: the derive itself, the update that added the task, or the
    last time it followed the superior. Later rows on the superior task are changes
    the county has not taken yet."""
    db = ledger.db
    derived_at = db.execute("SELECT COALESCE(MAX(id), 0) FROM audit WHERE action = ? AND entity = 'plan'"
                            " AND entity_id = ?", [_DERIVE_ACTION, county_id]).fetchone()[0]
    since: dict[tuple[int, Aspect], int] = {}
    for row_id, after in db.execute("SELECT id, after FROM audit WHERE action = ? AND entity = 'plan'"
                                    " AND entity_id = ? ORDER BY id", [UPDATE_ACTION, county_id]):
        for entry in (json.loads(after or "null") or {}).get("added") or []:
            for aspect in Aspect:
                since[(entry["task"], aspect)] = row_id
    if county_ids:
        marks = ",".join("?" * len(_FOLLOW_ACTIONS))
        for row_id, action, task_id in db.execute(
                f"SELECT id, action, entity_id FROM audit WHERE entity = 'task' AND action IN ({marks})"
                " AND entity_id IN (SELECT value FROM json_each(?)) ORDER BY id",
                [*_FOLLOW_ACTIONS, json.dumps(county_ids)]):
            since[(task_id, _FOLLOW_ACTIONS[action])] = row_id
    return derived_at, since


def _superior_rows(ledger: Ledger, source_ids: list[int], after_id: int) -> dict[int, list[tuple[int, dict]]]:
    """Audit rows that changed the superior tasks' words, newest first, per task."""
    rows: dict[int, list[tuple[int, dict]]] = {}
    if not source_ids:
        return rows
    for row_id, task_id, before in ledger.db.execute(
            "SELECT id, entity_id, before FROM audit WHERE entity = 'task' AND id > ?"
            " AND entity_id IN (SELECT value FROM json_each(?)) AND before LIKE '{%' ORDER BY id DESC",
            [after_id, json.dumps(source_ids)]):
        value = json.loads(before)
        if isinstance(value, dict) and any(k in value for k in _WORD_KEYS):
            rows.setdefault(task_id, []).append((row_id, value))
    return rows


def _county_plan(ledger: Ledger, plan_id: int) -> tuple[Plan, Plan]:
    """The superior plan and its county plan, or a plain refusal: a county plan given
    in place of its superior, a plan never derived."""
    plan = ledger.plan(plan_id)
    superior = superior_of(ledger, plan_id)
    if superior is not None:
        raise refusal(f"分解表 {plan_id}({plan.title})是由上级分解表 {superior} 生成的本级分解表,本身不能更新。"
                      f"请选上级分解表 {superior},由它更新本级分解表。",
                      f"命令行:zwgk derive {superior} --update")
    existing = derived_plans(ledger, plan_id)
    if not existing:
        raise refusal(f"分解表 {plan_id}({plan.title})还没有生成过本级分解表,没有可更新的。"
                      "请先由它生成本级分解表。", f"命令行:zwgk derive {plan_id} --map 单位对应.xlsx")
    return plan, existing[0]


def prepare_update(ledger: Ledger, plan_id: int, *, local_name: str | None = None, lead_office: str | None = None,
                   mapping: dict[str, list[str]] | None = None, mapping_how: How = How.FILE,
                   include: Iterable[int] = ()) -> UpdatePreview:
    """What bringing plan ``plan_id``'s county plan up to date would do; nothing is
    written. ``include``: superior task ids the clerk names to add although they are
    not new (tasks left out at the derive). ``mapping``: the clerk's pairs for the
    units of new tasks, over the stored and suggested ones (as for the derive)."""
    plan, county = _county_plan(ledger, plan_id)
    local, lead = require_local_facts(ledger, local_name, lead_office)
    db = ledger.db
    sources = ledger.tasks(plan_id)
    source_by_id = {t.id: t for t in sources}
    county_tasks = ledger.tasks(county.id)
    link = dict(db.execute("SELECT id, derived_from FROM tasks WHERE plan_id = ?", [county.id]).fetchall())
    issued = {link[t.id] for t in county_tasks if link.get(t.id) is not None}
    # Task ids only grow (plan_import._next_task_id): a superior task with an id above
    # the county plan's first came after the derive.
    first_county_id = min((t.id for t in county_tasks), default=0)
    include = tuple(dict.fromkeys(include))
    unknown = [tid for tid in include if tid not in source_by_id]
    if unknown:
        raise UserError(f"分解表 {plan_id} 中没有编号为 {unknown[0]} 的任务。")
    concerning = set(default_selection(ledger, plan_id, local, sources))

    new_tasks = [t for t in sources if t.status != Status.CANCELLED and t.id not in issued
                 and (t.id > first_county_id or t.id in include)]
    live_links = [(c, source_by_id[link[c.id]]) for c in county_tasks
                  if link.get(c.id) in source_by_id and c.status != Status.CANCELLED]
    withdrawn = [(c, s) for c, s in live_links if s.status == Status.CANCELLED]
    following = [(c, s) for c, s in live_links if s.status != Status.CANCELLED]

    derived_at, since = _baselines(ledger, county.id, [c.id for c, _ in following])
    oldest = min([derived_at, *since.values()]) if following else derived_at
    history = _superior_rows(ledger, sorted({s.id for _, s in following}), oldest)
    changed: list[tuple[Task, Task, dict, dict[Aspect, dict]]] = []
    for county_task, source in following:
        now = _words_now(source)
        then = {aspect: _words_then(now, history.get(source.id, []), since.get((county_task.id, aspect), derived_at))
                for aspect in Aspect}
        moved = {aspect: words for aspect, words in then.items() if not _same(aspect, words, now)}
        if moved:
            changed.append((county_task, source, now, moved))

    names = [u.name for t in new_tasks for u in t.units]
    names += [u.name for _, s, _, moved in changed if Aspect.UNITS in moved for u in s.units]
    suggestions = suggest_mapping(ledger, plan_id, names, local_name=local, lead_office=lead,
                                  given=mapping, given_how=mapping_how)
    table = {s.superior: s.locals for s in suggestions}

    items: list[UpdateItem] = []
    for source in sorted(new_tasks, key=lambda t: t.seq):
        units, unmapped = _derived_units(source, table)
        draft = DerivedTask(source_id=source.id, source_seq=source.seq, section=list(source.section),
                            title=source.title, requirement=source.requirement, units=units,
                            deadline=Deadline(source.deadline_text, source.due_date, source.deadline_kind,
                                              source.needs_review), unmapped=unmapped)
        items.append(UpdateItem(UpdateKind.ADDED, source, derived=draft,
                                concerns=source.id in concerning or source.id in include))
    for county_task, source in sorted(withdrawn, key=lambda p: p[0].seq):
        items.append(UpdateItem(UpdateKind.WITHDRAWN, source, county_task))
    for county_task, source, now, moved in sorted(changed, key=lambda c: c[0].seq):
        mine = _words_now(county_task)
        aspects = []
        for aspect, then in moved.items():
            if aspect == Aspect.UNITS:
                units, unmapped = _derived_units(source, table)
                proposed = [u.name for u in units] + [f"{n}(未对应)" for n in unmapped]
                if [u.name for u in county_task.units] == proposed:
                    continue  # the county's units already are what the new ones map to
                aspects.append(AspectChange(aspect, _shown(aspect, then), _shown(aspect, now),
                                            _shown(aspect, mine), edited=False, follows=False,
                                            proposed="、".join(proposed)))
                continue
            if _same(aspect, mine, now):
                continue  # the county already has the superior's new words
            edited = not _same(aspect, mine, then)
            aspects.append(AspectChange(aspect, _shown(aspect, then), _shown(aspect, now), _shown(aspect, mine),
                                        edited=edited, follows=not edited))
        if aspects:
            items.append(UpdateItem(UpdateKind.CHANGED, source, county_task, aspects=aspects))

    digest = hashlib.sha256(repr((plan.title, county.title, local, lead)).encode("utf-8"))
    for task in [*sources, *county_tasks]:
        digest.update(repr((task.id, task.seq, task.section, task.status.value, link.get(task.id),
                            _words_now(task))).encode("utf-8"))
    for item in items:
        digest.update(repr((item.key, item.writes, item.concerns, _words_now(item.source), item.aspects,
                            item.derived.units if item.derived else None, item.unmapped)).encode("utf-8"))
    return UpdatePreview(plan=plan, county=county, local_name=local, lead_office=lead, items=items,
                         mapping=suggestions, fingerprint=digest.hexdigest(),
                         given=dict(mapping or {}), given_how=mapping_how, include=include)


def keys_for_seqs(preview: UpdatePreview, seqs: Iterable[int] | None) -> list[str]:
    """What ``--tasks`` chooses: every line of the superior tasks with these 序号 that
    can be applied (None: the lines ticked by default)."""
    if seqs is None:
        return preview.default_keys
    wanted = set(seqs)
    return [i.key for i in preview.items if i.writes and i.source.seq in wanted]


def _placed(county_tasks: list[Task], link: dict[int, int | None], live_seq: dict[int, int],
            new: list[UpdateItem]) -> list[Task | UpdateItem]:
    """The county plan's order with the new tasks in the superior's order: each after
    the last county task from an earlier superior task, so that a section is not split
    when the table is written again (the county's own tasks stay last)."""
    order: list[tuple[int | None, Task | UpdateItem]] = [
        (live_seq.get(link.get(t.id)), t) for t in county_tasks]  # (superior 序号 or None, entry)
    for item in sorted(new, key=lambda i: i.source.seq):
        seq = item.source.seq
        after = max((n for n, (anchor, _) in enumerate(order) if anchor is not None and anchor < seq), default=None)
        if after is None:
            first = next((n for n, (anchor, _) in enumerate(order) if anchor is not None), len(order))
            order.insert(first, (seq, item))
        else:
            order.insert(after + 1, (seq, item))
    return [entry for _, entry in order]


def _follow(ledger: Ledger, item: UpdateItem) -> list[Aspect]:
    """The county task takes the superior's new wording and/or deadline (one audit row each)."""
    task, source = item.county, item.source
    done = []
    for change in item.aspects:
        if not change.follows:
            continue
        if change.aspect == Aspect.WORDING:
            with ledger.change("修订:改写任务", "task", task.id,
                               before={"title": task.title, "requirement": task.requirement},
                               after={"title": source.title, "requirement": source.requirement,
                                      "from_task": source.id}, origin=UPDATE_ORIGIN):
                ledger.db.execute("UPDATE tasks SET title = ?, requirement = ? WHERE id = ?",
                                  [source.title, source.requirement, task.id])
        elif change.aspect == Aspect.DEADLINE:
            due = source.due_date.isoformat() if source.due_date else None
            with ledger.change("修订:完成时限", "task", task.id,
                               before={"deadline_text": task.deadline_text,
                                       "due_date": task.due_date.isoformat() if task.due_date else None},
                               after={"deadline_text": source.deadline_text, "due_date": due,
                                      "from_task": source.id}, origin=UPDATE_ORIGIN):
                ledger.db.execute("UPDATE tasks SET deadline_text = ?, due_date = ?, deadline_kind = ?,"
                                  " needs_review = ? WHERE id = ?",
                                  [source.deadline_text, due, source.deadline_kind.value,
                                   int(source.needs_review), task.id])
        done.append(change.aspect)
    return done


def _add_tasks(ledger: Ledger, county_id: int,
               new: list[UpdateItem]) -> tuple[list[tuple[int, UpdateItem]], dict[str, int]]:
    """Insert the new county tasks in the superior's order; the plan's 序号 run 1..n again.

    Each new task gets the audit row a revision gives the tasks it adds (修订:新增任务,
    with its 序号), and the county tasks that moved down are returned with the 序号 they
    had (task id -> 序号), for the update's own row: so that a county report of a day
    before the update prints what it printed then (report_data.revisions_after)."""
    from .plan_import import _ensure_units, _next_task_id, _place_sections

    db = ledger.db
    county_tasks = ledger.tasks(county_id)
    link = dict(db.execute("SELECT id, derived_from FROM tasks WHERE plan_id = ?", [county_id]).fetchall())
    sources = [s for s in link.values() if s is not None]
    live_seq = dict(db.execute(
        "SELECT id, seq FROM tasks WHERE id IN (SELECT value FROM json_each(?)) AND status != ?",
        [json.dumps(sources), Status.CANCELLED.value]).fetchall()) if sources else {}
    order = _placed(county_tasks, link, live_seq, new)

    old_paths: dict[int, tuple[str, ...]] = {}
    for sid, path in ledger.section_paths(county_id).items():
        if path not in old_paths.values():
            old_paths[sid] = path
    paths: dict[tuple[str, ...], None] = {}
    for entry in order:
        section = entry.section if isinstance(entry, Task) else entry.derived.section
        for depth in range(1, len(section) + 1):
            paths.setdefault(tuple(section[:depth]), None)
    for path in old_paths.values():  # sections left without tasks keep their place at the end
        paths.setdefault(path, None)
    section_ids, _ = _place_sections(ledger, county_id, list(paths), old_paths)

    parsed = ParsedPlan(title="", year=0, columns=[], mapping={}, sheet="", source_name="", tasks=[
        ParsedTask(seq=0, section=i.derived.section, title=i.derived.title, requirement=i.derived.requirement,
                   units_text=i.derived.units_text, units=i.derived.units, deadline=i.derived.deadline,
                   source_row=0) for i in new])
    unit_ids = _ensure_units(ledger, parsed)
    next_id = _next_task_id(ledger)
    rows, links, moves, added = [], [], [], []
    renumbered: dict[str, int] = {}
    for seq, entry in enumerate(order, start=1):
        if isinstance(entry, Task):
            if entry.seq != seq:
                moves.append([seq, entry.id])
                renumbered[str(entry.id)] = entry.seq
            continue
        draft = entry.derived
        task_id, next_id = next_id, next_id + 1
        due = draft.deadline.due_date.isoformat() if draft.deadline.due_date else None
        rows.append([task_id, county_id, seq, section_ids.get(tuple(draft.section)), draft.title,
                     draft.requirement, draft.units_text, draft.deadline.text, due, draft.deadline.kind.value,
                     int(draft.deadline.needs_review), None, "{}", draft.source_id])
        for position, unit in enumerate(draft.units):
            links.append([task_id, unit_ids[unit_key(unit.name)], unit.role.value, position])
        added.append((task_id, entry))
    db.conn.executemany("UPDATE tasks SET seq = ? WHERE id = ?", moves)
    db.conn.executemany(
        "INSERT INTO tasks (id, plan_id, seq, section_id, title, requirement, units_text, deadline_text,"
        " due_date, deadline_kind, needs_review, source_row, extra, derived_from)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.conn.executemany(
        "INSERT OR IGNORE INTO task_units (task_id, unit_id, role, position) VALUES (?,?,?,?)", links)
    seq_of = {row[0]: row[2] for row in rows}
    for task_id, item in added:
        draft = item.derived
        with ledger.change(ADDED_ACTION, "task", task_id, origin=UPDATE_ORIGIN,
                           after={"seq": seq_of[task_id], "requirement": _task_line(draft.title, draft.requirement),
                                  "units": draft.units_text, "deadline_text": draft.deadline.text,
                                  "from_task": item.source.id}):
            pass  # (written above, all at once)
    return added, renumbered


def apply_update(ledger: Ledger, preview: UpdatePreview, chosen: Iterable[str] | None = None, *,
                 on: date | None = None, also: Callable[[Ledger, int], object] | None = None) -> UpdateOutcome:
    """Write the ticked lines of a previewed update in one change: one audit row on the
    county plan (listing the tasks added and keeping the 序号 of the tasks that moved
    down, as a revision's row does), one per task added (修订:新增任务, as a revision
    writes it), one per county task that follows the superior's wording or deadline,
    and one for the county tasks marked 已取消 (their history kept). An automatic
    backup first. A county report of a day before the update therefore prints what it
    printed then (core/report_data.revisions_after).

    ``chosen``: keys of :class:`UpdateItem` (None: :attr:`UpdatePreview.default_keys`).
    The preview is made again inside the transaction; if either plan changed since it
    was shown, nothing is written. ``on``: the day the 已取消 takes effect (today).
    ``also(ledger, county_plan_id)`` runs inside the transaction (the .xlsx written
    again), so that the file and the ledger never disagree."""
    from .backup import auto_backup

    keys = list(dict.fromkeys(preview.default_keys if chosen is None else chosen))
    unknown = [k for k in keys if preview.item(k) is None]
    if unknown:
        raise UserError("所选的更新内容不在预览中(预览可能已过时),台账没有改动。请重新预览后再应用。")
    picked = [preview.item(k) for k in keys if preview.item(k).writes]
    blocked = preview.blocked(k for k in keys)
    if blocked:
        units = "、".join(dict.fromkeys(n for i in blocked for n in i.unmapped))
        seqs = seq_list([i.source.seq for i in blocked])
        raise refusal(f"下列上级单位还没有对应的本级单位:{units}(涉及上级分解表序号 {seqs})。本级分解表没有更新。"
                      "请补上它们的本级单位,或不选这些任务。",
                      "命令行:加 --map 单位对应.xlsx(两列 上级单位 | 本级单位),或用 --tasks 不选这些任务。")
    county_id = preview.county.id
    if not picked:
        return UpdateOutcome(plan_id=county_id, added=[], cancelled=[], followed=[], mapping_saved=0, audit_rows=0)
    auto_backup(ledger, UPDATE_ACTION)
    db = ledger.db
    first_audit = db.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]
    with ledger.change(UPDATE_ACTION, "plan", county_id,
                       before={"from_plan": preview.plan.id, "from_title": preview.plan.title}) as record:
        fresh = prepare_update(ledger, preview.plan.id, local_name=preview.local_name,
                               lead_office=preview.lead_office, mapping=preview.given,
                               mapping_how=preview.given_how, include=preview.include)
        if fresh.fingerprint != preview.fingerprint:
            raise UserError(f"分解表 {preview.plan.id} 或本级分解表 {county_id} 在预览之后有改动,"
                            "本级分解表没有更新,台账没有改动。请重新预览后再应用。")
        picked = [fresh.item(k) for k in keys if fresh.item(k).writes]
        followed: dict[int, list[str]] = {}
        for item in (i for i in picked if i.kind == UpdateKind.CHANGED):
            followed[item.county.id] = [a.value for a in _follow(ledger, item)]
        cancelled = [i.county.id for i in picked if i.kind == UpdateKind.WITHDRAWN]
        if cancelled:
            ledger.set_statuses(cancelled, Status.CANCELLED, on, origin=UPDATE_ORIGIN)
        new = [i for i in picked if i.kind == UpdateKind.ADDED]
        added, renumbered = _add_tasks(ledger, county_id, new) if new else ([], {})
        units = {u.name for i in new for u in i.source.units}
        used = {s.superior: s.locals for s in fresh.mapping if s.locals and s.superior in units}
        mapping_before = store_mapping_rows(ledger, used) if used else {}
        if also is not None:
            also(ledger, county_id)
        record["before"] = {"from_plan": preview.plan.id, "from_title": preview.plan.title,
                            "mapping": mapping_before or None}
        if renumbered:  # as a revision's row keeps them: a report of an earlier day prints these
            record["before"]["seqs"] = renumbered
        record["after"] = {
            "tasks": [tid for tid, _ in added] + cancelled + list(followed),
            "added": [{"task": tid, "from_task": i.source.id, "from_seq": i.source.seq} for tid, i in added],
            "cancelled": cancelled, "followed": {str(k): v for k, v in followed.items()},
            "mapping": used or None}
    rows = db.execute("SELECT COUNT(*) FROM audit WHERE id > ?", [first_audit]).fetchone()[0]
    return UpdateOutcome(plan_id=county_id, added=[tid for tid, _ in added], cancelled=cancelled,
                         followed=list(followed), mapping_saved=len(used), audit_rows=rows)
