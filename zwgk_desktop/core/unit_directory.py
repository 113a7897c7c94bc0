"""单位名录: the ledger's units, and the groups a table names collectively.

A task table often names a whole group of units in one cell: "各镇(街道)",
"区政府各部门单位", "各县区政府(管委会)". The ledger keeps such a name as one unit
(``units``), and the directory records which units belong to it (``unit_members``,
migration m003). A task assigned to a group is then each member's task: the fill-in
workbook for 唐口街道 lists it, and sending to the group sends one workbook per member.

Every change is one ``ledger.change()`` with an audit row. Names are matched with
:func:`units.unit_key`, so "区 发改局" finds "区发改局".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import NotFoundError, UserError
from .ledger import Ledger
from .units import Role, is_group_name, normalise_unit_name, unit_key

__all__ = [
    "DirectoryImport",
    "DirectoryUnit",
    "Recipient",
    "add_member",
    "add_unit",
    "directory",
    "expand_recipients",
    "group_without_members_text",
    "groups_of",
    "import_pairs",
    "looks_collective",
    "members_of",
    "plan_recipients",
    "remove_member",
    "rename_unit",
    "set_contact",
    "unit_tasks",
    "unlisted_groups",
]

def looks_collective(name: str) -> bool:
    """True for a name that reads like a group of units rather than one unit (the
    rule is :func:`units.is_group_name`; this name is kept for its callers)."""
    return is_group_name(name)


def group_without_members_text(group: str) -> str:
    """What to do about a group the plan names that has nobody listed under it."""
    return f"“{group}”是群组,请在 单位名录 中添加其成员单位后再下发"


@dataclass(slots=True)
class DirectoryUnit:
    """One row of the 单位名录."""

    id: int
    name: str
    contact: str | None
    members: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    task_count: int = 0

    @property
    def is_group(self) -> bool:
        """A group: it has members, or its name reads collectively (各镇(街道))."""
        return bool(self.members) or looks_collective(self.name)


@dataclass(slots=True)
class Recipient:
    """Who gets a fill-in workbook, and why: the unit itself, or a group it belongs to."""

    name: str
    task_count: int
    via: list[str] = field(default_factory=list)  # groups through which it has tasks


@dataclass(slots=True)
class DirectoryImport:
    pairs: int = 0
    added: int = 0  # memberships that were new
    already: int = 0  # memberships the directory had
    new_units: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows that said nothing usable


# -- reading ------------------------------------------------------------------------------


def directory(ledger: Ledger) -> list[DirectoryUnit]:
    """Every unit, groups first (in the order they were added), then the rest by name
    order of first appearance (id)."""
    db = ledger.db
    rows = db.execute("SELECT id, name, contact FROM units ORDER BY id").fetchall()
    units = {uid: DirectoryUnit(uid, name, contact) for uid, name, contact in rows}
    for group_id, member_id in db.execute(
            "SELECT group_id, member_id FROM unit_members ORDER BY group_id, position, member_id"):
        if group_id in units and member_id in units:
            units[group_id].members.append(units[member_id].name)
            units[member_id].groups.append(units[group_id].name)
    for uid, count in db.execute("SELECT unit_id, COUNT(DISTINCT task_id) FROM task_units GROUP BY unit_id"):
        if uid in units:
            units[uid].task_count = count
    everything = list(units.values())
    return [u for u in everything if u.is_group] + [u for u in everything if not u.is_group]


def _find(ledger: Ledger, name: str) -> tuple[int, str] | None:
    row = ledger.db.execute("SELECT id, name FROM units WHERE key = ?", [unit_key(name)]).fetchone()
    return (row[0], row[1]) if row else None


def _require(ledger: Ledger, name: str) -> tuple[int, str]:
    found = _find(ledger, name)
    if found is None:
        raise NotFoundError(f"单位名录中没有“{name}”。可用 zwgk units 查看名录中的单位和群组。")
    return found


def members_of(ledger: Ledger, group: str) -> list[str]:
    """Direct members of a group, in the order they were added ([] for a plain unit)."""
    found = _find(ledger, group)
    if found is None:
        return []
    return [r[0] for r in ledger.db.execute(
        "SELECT u.name FROM unit_members m JOIN units u ON u.id = m.member_id WHERE m.group_id = ?"
        " ORDER BY m.position, m.member_id", [found[0]])]


def groups_of(ledger: Ledger, unit: str) -> list[str]:
    """Groups a unit belongs to, directly or through a group that is itself a member."""
    found = _find(ledger, unit)
    if found is None:
        return []
    parents = _parents(ledger)
    result: list[str] = []
    seen = {found[0]}
    todo = [found[0]]
    names = _names(ledger)
    while todo:
        current = todo.pop(0)
        for parent in parents.get(current, []):
            if parent not in seen:
                seen.add(parent)
                result.append(names[parent])
                todo.append(parent)
    return result


def _parents(ledger: Ledger) -> dict[int, list[int]]:
    parents: dict[int, list[int]] = {}
    for group_id, member_id in ledger.db.execute(
            "SELECT group_id, member_id FROM unit_members ORDER BY position, group_id"):
        parents.setdefault(member_id, []).append(group_id)
    return parents


def _children(ledger: Ledger) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for group_id, member_id in ledger.db.execute(
            "SELECT group_id, member_id FROM unit_members ORDER BY group_id, position, member_id"):
        children.setdefault(group_id, []).append(member_id)
    return children


def _names(ledger: Ledger) -> dict[int, str]:
    return dict(ledger.db.execute("SELECT id, name FROM units").fetchall())


def expand_recipients(ledger: Ledger, names: list[str]) -> list[str]:
    """The units a fill-in goes to: a group with members becomes its members (groups
    inside groups too); a plain unit, or a group nobody has listed members for, stays
    itself. Order kept, duplicates dropped. A name the ledger does not know is an error."""
    children = _children(ledger)
    unit_names = _names(ledger)
    result: dict[str, None] = {}

    def walk(uid: int, seen: set[int]) -> None:
        kids = [k for k in children.get(uid, []) if k not in seen]
        if not kids:
            result.setdefault(unit_names[uid], None)
            return
        for kid in kids:
            walk(kid, seen | {kid})

    for name in names:
        uid, _ = _require(ledger, name)
        walk(uid, {uid})
    return list(result)


def unit_tasks(ledger: Ledger, plan_id: int, unit: str) -> dict[int, tuple[Role, list[str]]]:
    """The tasks of a plan that are this unit's: named in the task itself, or given to a
    group it belongs to. Task id -> (role, groups it came through). Lead wins over
    cooperate when the unit is named both ways."""
    found = _find(ledger, unit)
    if found is None:
        return {}
    uid = found[0]
    ancestry = {uid: None}
    parents = _parents(ledger)
    names = _names(ledger)
    todo = [uid]
    while todo:
        current = todo.pop(0)
        for parent in parents.get(current, []):
            if parent not in ancestry:
                ancestry[parent] = None
                todo.append(parent)
    ids = list(ancestry)
    marks = ",".join("?" * len(ids))
    result: dict[int, tuple[Role, list[str]]] = {}
    for task_id, unit_id, role in ledger.db.execute(
            f"SELECT tu.task_id, tu.unit_id, tu.role FROM task_units tu JOIN tasks t ON t.id = tu.task_id"
            f" WHERE t.plan_id = ? AND tu.unit_id IN ({marks}) AND t.status <> '已取消'"
            " ORDER BY t.seq, tu.position", [plan_id, *ids]):
        old_role, via = result.get(task_id, (Role.COOPERATE, []))
        new_role = Role.LEAD if Role(role) == Role.LEAD or old_role == Role.LEAD else Role.COOPERATE
        if unit_id != uid:
            via = via + [names[unit_id]]
        result[task_id] = (new_role, via)
    return result


def _plan_leaves(ledger: Ledger, plan_id: int) -> list[str]:
    """The units the plan's (not withdrawn) tasks name, groups replaced by their members."""
    named = [r[0] for r in ledger.db.execute(
        "SELECT u.name FROM units u JOIN task_units tu ON tu.unit_id = u.id JOIN tasks t ON t.id = tu.task_id"
        " WHERE t.plan_id = ? AND t.status <> '已取消' GROUP BY u.id ORDER BY MIN(t.seq * 1000 + tu.position)",
        [plan_id])]
    return expand_recipients(ledger, named) if named else []


def plan_recipients(ledger: Ledger, plan_id: int) -> list[Recipient]:
    """Everyone who gets a fill-in workbook for a plan (the 批量下发 list): each unit the
    plan names, with groups replaced by their members, in order of first appearance.
    A group nobody has listed members for (各镇(街道) with an empty 单位名录) gets no
    workbook: no office answers for it; :func:`unlisted_groups` names them."""
    result: list[Recipient] = []
    for name in _plan_leaves(ledger, plan_id):
        if is_group_name(name):
            continue
        tasks = unit_tasks(ledger, plan_id, name)
        via = sorted({g for _, groups in tasks.values() for g in groups})
        result.append(Recipient(name, len(tasks), via))
    return result


def unlisted_groups(ledger: Ledger, plan_id: int) -> list[str]:
    """Groups the plan gives tasks to that have no members in the 单位名录 (directly or
    below a group that has members): :func:`plan_recipients` leaves them out."""
    return [name for name in _plan_leaves(ledger, plan_id) if is_group_name(name)]


# -- changing -----------------------------------------------------------------------------


def _clean(name: str, what: str = "单位名称") -> str:
    cleaned = normalise_unit_name(name or "")
    if not cleaned:
        raise UserError(f"{what}是空的,请写上单位名称。")
    return cleaned


def _ensure(ledger: Ledger, name: str, created: list[str]) -> int:
    found = _find(ledger, name)
    if found is not None:
        return found[0]
    cursor = ledger.db.execute("INSERT INTO units (name, key) VALUES (?, ?)", [name, unit_key(name)])
    created.append(name)
    return cursor.lastrowid


def add_unit(ledger: Ledger, name: str) -> bool:
    """Add a unit (or group) to the directory; False when it is there already."""
    name = _clean(name)
    if _find(ledger, name) is not None:
        return False
    with ledger.change("添加单位", "unit", after={"name": name}) as record:
        record["entity_id"] = _ensure(ledger, name, [])
    return True


def _would_cycle(ledger: Ledger, group_id: int, member_id: int) -> bool:
    """Adding member to group makes a loop if group is already below member."""
    children = _children(ledger)
    todo, seen = [member_id], {member_id}
    while todo:
        current = todo.pop()
        if current == group_id:
            return True
        for kid in children.get(current, []):
            if kid not in seen:
                seen.add(kid)
                todo.append(kid)
    return False


def _link(ledger: Ledger, group_id: int, member_id: int) -> bool:
    db = ledger.db
    if db.execute("SELECT 1 FROM unit_members WHERE group_id = ? AND member_id = ?",
                  [group_id, member_id]).fetchone():
        return False
    position = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM unit_members WHERE group_id = ?",
                          [group_id]).fetchone()[0]
    db.execute("INSERT INTO unit_members (group_id, member_id, position) VALUES (?, ?, ?)",
               [group_id, member_id, position])
    return True


def add_member(ledger: Ledger, group: str, member: str) -> bool:
    """Put ``member`` into ``group`` (both are created in the directory if new).
    False when it was a member already (nothing is written then)."""
    group, member = _clean(group, "群组名称"), _clean(member, "成员单位名称")
    if unit_key(group) == unit_key(member):
        raise UserError(f"“{group}”不能是它自己的成员。")
    known_group, known_member = _find(ledger, group), _find(ledger, member)
    if known_group and known_member and ledger.db.execute(
            "SELECT 1 FROM unit_members WHERE group_id = ? AND member_id = ?",
            [known_group[0], known_member[0]]).fetchone():
        return False
    created: list[str] = []
    with ledger.change("添加群组成员", "unit", after={"group": group, "member": member}) as record:
        group_id = _ensure(ledger, group, created)
        member_id = _ensure(ledger, member, created)
        if _would_cycle(ledger, group_id, member_id):
            raise UserError(f"“{member}”已包含“{group}”,不能再把它加为“{group}”的成员(会循环)。")
        _link(ledger, group_id, member_id)
        record["entity_id"] = group_id
        record["after"] = {"group": group, "member": member, "created": created}
    return True


def remove_member(ledger: Ledger, group: str, member: str) -> bool:
    """Take ``member`` out of ``group``; the unit itself stays in the directory."""
    group_id, group_name = _require(ledger, group)
    member_id, member_name = _require(ledger, member)
    if not ledger.db.execute("SELECT 1 FROM unit_members WHERE group_id = ? AND member_id = ?",
                             [group_id, member_id]).fetchone():
        raise NotFoundError(f"“{member_name}”不是“{group_name}”的成员。")
    with ledger.change("移除群组成员", "unit", group_id, before={"group": group_name, "member": member_name}):
        ledger.db.execute("DELETE FROM unit_members WHERE group_id = ? AND member_id = ?", [group_id, member_id])
    return True


def rename_unit(ledger: Ledger, old: str, new: str) -> None:
    """Correct a unit's name (机构改革: 区文化和旅游局 -> 区文化旅游局). The tasks keep
    their link to it; the 责任单位 text as printed in the plan is not changed."""
    uid, old_name = _require(ledger, old)
    new = _clean(new, "新名称")
    other = _find(ledger, new)
    if other is not None and other[0] != uid:
        raise UserError(f"单位名录中已有“{other[1]}”,不能把“{old_name}”改成同一个名称。")
    if new == old_name:
        return
    with ledger.change("修改单位名称", "unit", uid, before={"name": old_name}, after={"name": new}):
        ledger.db.execute("UPDATE units SET name = ?, key = ? WHERE id = ?", [new, unit_key(new), uid])


def set_contact(ledger: Ledger, name: str, contact: str | None) -> None:
    """联系人/电话 of a unit, shown in the directory (free text)."""
    uid, unit_name = _require(ledger, name)
    contact = (contact or "").strip() or None
    old = ledger.db.execute("SELECT contact FROM units WHERE id = ?", [uid]).fetchone()[0]
    if old == contact:
        return
    with ledger.change("修改单位联系人", "unit", uid, before={"name": unit_name, "contact": old},
                       after={"name": unit_name, "contact": contact}):
        ledger.db.execute("UPDATE units SET contact = ? WHERE id = ?", [contact, uid])


def import_pairs(ledger: Ledger, pairs: list[tuple[str, str]], source: str = "") -> DirectoryImport:
    """Add (group, member) pairs read from a directory list, all in one change."""
    result = DirectoryImport(pairs=len(pairs))
    cleaned: list[tuple[str, str]] = []
    for group, member in pairs:
        g, m = normalise_unit_name(group or ""), normalise_unit_name(member or "")
        if not g or not m or unit_key(g) == unit_key(m):
            result.skipped.append(f"{group or '(空)'} | {member or '(空)'}")
            continue
        cleaned.append((g, m))
    if not cleaned:
        return result
    with ledger.change("导入单位名录", "unit", after={"source": source}) as record:
        for group, member in cleaned:
            group_id = _ensure(ledger, group, result.new_units)
            member_id = _ensure(ledger, member, result.new_units)
            if _would_cycle(ledger, group_id, member_id):
                result.skipped.append(f"{group} | {member}(会形成循环)")
                continue
            if _link(ledger, group_id, member_id):
                result.added += 1
            else:
                result.already += 1
        record["after"] = {"source": source, "added": result.added, "new_units": result.new_units}
    return result
