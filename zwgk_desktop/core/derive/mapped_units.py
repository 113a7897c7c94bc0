"""The unit mapping as a derive uses it: the county's 本级单位 for each superior unit (the
clerk's pairs, then the ledger's, then a suggestion), and a superior task's units turned
into the county's. The mapping itself (stored pairs, suggestions, the file) is
core/unit_mapping.py."""

from __future__ import annotations

from ..ledger import Ledger
from ..model import Task
from ..unit_directory import groups_of
from ..unit_mapping import How, Suggestion, stored_mapping, suggest
from ..units import Role, UnitRef, normalise_unit_name, unit_key


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


def derived_units(task: Task, mapping: dict[str, list[str]]) -> tuple[list[UnitRef], list[str]]:
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
