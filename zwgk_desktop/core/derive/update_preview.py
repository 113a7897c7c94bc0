"""What bringing a county plan up to date after its superior's revision would do
(:func:`prepare_update`; nothing written): the superior's new tasks that concern the
county, its withdrawn tasks whose county tasks are still live, and its tasks reworded
or given other units or deadlines since the derive, each a line the clerk ticks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ..deadlines import Deadline
from ..errors import UserError
from ..ledger import Ledger
from ..model import Plan, Status, Task
from ..unit_mapping import How, Suggestion
from .audit_trail import (
    Aspect,
    baselines,
    same_words,
    shown,
    superior_rows,
    task_line,
    words_now,
    words_then,
)
from .county_plan import DerivedTask
from .mapped_units import derived_units, suggest_mapping
from .selection import (
    default_selection,
    derived_plans,
    refusal,
    require_local_facts,
    superior_of,
)


class UpdateKind(StrEnum):
    ADDED = "上级新增的任务"
    WITHDRAWN = "上级已取消的任务"
    CHANGED = "上级改动的任务"


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
        return task_line(self.source.title, self.source.requirement)


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


def _county_plan(ledger: Ledger, plan_id: int) -> tuple[Plan, Plan]:
    """The superior plan and its county plan, or a plain refusal: a county plan given
    in place of its superior, a plan never derived."""
    plan = ledger.plan(plan_id)
    superior = superior_of(ledger, plan_id)
    if superior is not None:
        above = ledger.plan(superior).title
        raise refusal(f"《{plan.title}》是由上级分解表《{above}》生成的本级分解表,本身不能更新。"
                      f"请选上级分解表《{above}》,由它更新本级分解表。",
                      f"命令行:zwgk derive {superior} --update")
    existing = derived_plans(ledger, plan_id)
    if not existing:
        raise refusal(f"《{plan.title}》还没有生成过本级分解表,没有可更新的。"
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

    derived_at, since = baselines(ledger, county.id, [c.id for c, _ in following])
    oldest = min([derived_at, *since.values()]) if following else derived_at
    history = superior_rows(ledger, sorted({s.id for _, s in following}), oldest)
    changed: list[tuple[Task, Task, dict, dict[Aspect, dict]]] = []
    for county_task, source in following:
        now = words_now(source)
        then = {aspect: words_then(now, history.get(source.id, []), since.get((county_task.id, aspect), derived_at))
                for aspect in Aspect}
        moved = {aspect: words for aspect, words in then.items() if not same_words(aspect, words, now)}
        if moved:
            changed.append((county_task, source, now, moved))

    names = [u.name for t in new_tasks for u in t.units]
    names += [u.name for _, s, _, moved in changed if Aspect.UNITS in moved for u in s.units]
    suggestions = suggest_mapping(ledger, plan_id, names, local_name=local, lead_office=lead,
                                  given=mapping, given_how=mapping_how)
    table = {s.superior: s.locals for s in suggestions}

    items: list[UpdateItem] = []
    for source in sorted(new_tasks, key=lambda t: t.seq):
        units, unmapped = derived_units(source, table)
        draft = DerivedTask(source_id=source.id, source_seq=source.seq, section=list(source.section),
                            title=source.title, requirement=source.requirement, units=units,
                            deadline=Deadline(source.deadline_text, source.due_date, source.deadline_kind,
                                              source.needs_review), unmapped=unmapped)
        items.append(UpdateItem(UpdateKind.ADDED, source, derived=draft,
                                concerns=source.id in concerning or source.id in include))
    for county_task, source in sorted(withdrawn, key=lambda p: p[0].seq):
        items.append(UpdateItem(UpdateKind.WITHDRAWN, source, county_task))
    for county_task, source, now, moved in sorted(changed, key=lambda c: c[0].seq):
        mine = words_now(county_task)
        aspects = []
        for aspect, then in moved.items():
            if aspect == Aspect.UNITS:
                units, unmapped = derived_units(source, table)
                proposed = [u.name for u in units] + [f"{n}(未对应)" for n in unmapped]
                if [u.name for u in county_task.units] == proposed:
                    continue  # the county's units already are what the new ones map to
                aspects.append(AspectChange(aspect, shown(aspect, then), shown(aspect, now),
                                            shown(aspect, mine), edited=False, follows=False,
                                            proposed="、".join(proposed)))
                continue
            if same_words(aspect, mine, now):
                continue  # the county already has the superior's new words
            edited = not same_words(aspect, mine, then)
            aspects.append(AspectChange(aspect, shown(aspect, then), shown(aspect, now), shown(aspect, mine),
                                        edited=edited, follows=not edited))
        if aspects:
            items.append(UpdateItem(UpdateKind.CHANGED, source, county_task, aspects=aspects))

    digest = hashlib.sha256(repr((plan.title, county.title, local, lead)).encode("utf-8"))
    for task in [*sources, *county_tasks]:
        digest.update(repr((task.id, task.seq, task.section, task.status.value, link.get(task.id),
                            words_now(task))).encode("utf-8"))
    for item in items:
        digest.update(repr((item.key, item.writes, item.concerns, words_now(item.source), item.aspects,
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
