"""The audit trail read aloud: one plain sentence per change, as a clerk would say it.

"2023-09-28 10:12 张三 将序号 24 的状态由“推进中”改为“已完成”(2023-09-20)". Tasks
are named by their 序号 in the plan (internal ids mean nothing to a clerk), with the
plan's title in front when the ledger holds several plans; values by their text; and
nothing prints as JSON, key:value or null.

Every action a ``ledger.change()`` in core writes has its own sentence in
:data:`SENTENCES` (tests/core/test_audit_actions.py walks core for the names and fails
on one without). An action missing there still reads without braces, as
"action:value、value", but that is a gap to fill, not a form to rely on.

Why one module of ~630 lines: it is one table, an action's name to its sentence, with
the few helpers every sentence shares (序号 lists, plan titles, values); split by area,
a new action's sentence would have to be looked for in several places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .errors import UserError
from .ledger import AuditEntry, Ledger
from .quarters import Quarter

#: How many 序号 a sentence lists before it says "等 N 项".
LIST_LIMIT = 5
#: A plan's title in a sentence is cut after this many characters.
PLAN_TITLE_LIMIT = 24


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: str  # 2023-09-28 10:12
    user: str
    action: str
    sentence: str
    task_seqs: tuple[int, ...]  # the 序号 of the tasks it names (for filtering)


def _short(text: Any, limit: int = 60) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= limit else value[:limit] + "……"


def _plain(value: Any) -> str:
    """A value with no sentence of its own, without braces, keys or null: its values, 、-joined."""
    if value is None or value == "" or value == [] or value == {}:
        return "(空)"
    if isinstance(value, dict):
        parts = [_plain(v) for v in value.values() if v not in (None, "", [], {})]
        return "、".join(parts) if parts else "(空)"
    if isinstance(value, list):
        shown = [_plain(v) for v in value[:LIST_LIMIT]]
        more = f" 等 {len(value)} 项" if len(value) > LIST_LIMIT else ""
        return "、".join(shown) + more
    return _short(value)


def _joined(values: Iterable[Any], unit: str = "项") -> str:
    items = [str(v) for v in values if v not in (None, "")]
    shown = "、".join(items[:LIST_LIMIT])
    return shown + (f" 等 {len(items)} {unit}" if len(items) > LIST_LIMIT else "")


def _quarter_label(text: Any) -> str:
    try:
        return Quarter.parse(str(text)).label
    except (UserError, ValueError):
        return str(text or "")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _ints(values: Iterable[Any]) -> list[int]:
    """Task ids as stored: ints, or the str keys of a JSON object."""
    found = []
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            found.append(value)
        elif isinstance(value, str) and value.isdigit():
            found.append(int(value))
    return found


def _task_ids_in(value: Any) -> list[int]:
    """Every task id an audit value mentions, under whatever key the writer used."""
    found: list[int] = []
    if isinstance(value, dict):
        for key in ("task", "from_task", "matched_task_id"):
            found += _ints([value.get(key)])
        for key in ("tasks", "cancelled"):
            found += _ints(_list(value.get(key)))
        for key in ("statuses", "notes", "edited_notes", "followed", "seqs"):
            found += _ints(_dict(value.get(key)))
        for key in ("added", "sent"):
            found += [t for item in _list(value.get(key)) for t in _task_ids_in(item)]
    elif isinstance(value, list):
        found += [t for item in value for t in _task_ids_in(item)]
    return found


class _Names:
    """Task id -> 序号 (and plan), plan id -> title, looked up once for all the entries shown."""

    def __init__(self, ledger: Ledger, entries: list[AuditEntry]) -> None:
        ids: set[int] = set()
        carried: set[int] = set()
        for entry in entries:
            if entry.entity in ("task", "progress", "evidence") and entry.entity_id is not None:
                ids.add(entry.entity_id)
            for side in (entry.before, entry.after):
                ids.update(_task_ids_in(side))
            if entry.entity == "carryover":
                carried.update(_ints(_dict(i).get("item") for i in _list(entry.before) + _list(entry.after)))
        self.task: dict[int, tuple[int, int]] = {}  # id -> (seq, plan id)
        if ids:
            marks = ",".join("?" * len(ids))
            self.task = {tid: (seq, pid) for tid, seq, pid in ledger.db.execute(
                f"SELECT id, seq, plan_id FROM tasks WHERE id IN ({marks})", list(ids))}
        self.titles: dict[int, str] = dict(ledger.db.execute("SELECT id, title FROM plans"))
        self.several = len(self.titles) > 1
        self.carried: dict[int, tuple[int, Any]] = {}  # carryover item -> (from_year, seq)
        if carried:
            marks = ",".join("?" * len(carried))
            self.carried = {i: (year, seq) for i, year, seq in ledger.db.execute(
                f"SELECT id, from_year, seq FROM carryover WHERE id IN ({marks})", list(carried))}

    def seqs(self, task_ids: Iterable[Any]) -> tuple[int, ...]:
        return tuple(self.task[t][0] for t in _ints(task_ids) if t in self.task)

    def plan(self, plan_id: Any, title: Any = None) -> str:
        """《title》 of a plan (its title now; else the one the audit row kept)."""
        name = self.titles.get(plan_id) if isinstance(plan_id, int) else None
        name = name or title
        return f"《{_short(name, PLAN_TITLE_LIMIT)}》" if name else "一个已删除的分解表"

    def _prefix(self, plan_id: int) -> str:
        return self.plan(plan_id) if self.several else ""

    def name(self, task_id: Any, shown_plan: Any = None) -> str:
        """序号 24 (with the space Chinese text puts after a number), for a sentence;
        《plan》序号 24 when the ledger holds several plans and the sentence has not
        named the task's plan already (``shown_plan``)."""
        if task_id is None:
            return "任务"
        found = self.task.get(task_id) if isinstance(task_id, int) else None
        if found is None:
            return "一项已删除的任务"
        prefix = self._prefix(found[1]) if found[1] != shown_plan else ""
        return f"{prefix}序号 {found[0]} "

    def many(self, task_ids: Iterable[Any], shown_plan: Any = None) -> str:
        """序号 16、26、28 等 7 项 (per plan when the ledger holds several plans)."""
        ids = list(dict.fromkeys(_ints(task_ids)))
        if len(ids) == 1:
            return self.name(ids[0], shown_plan).strip()
        by_plan: dict[int | None, list[int]] = {}
        for tid in ids:
            seq, pid = self.task.get(tid, (None, None))
            by_plan.setdefault(pid, []).append(seq)
        parts = []
        for pid, seqs in by_plan.items():
            if pid is None:
                parts.append(f"{len(seqs)} 项已删除的任务")
                continue
            listed = sorted(seqs)
            text = "序号 " + "、".join(str(s) for s in listed[:LIST_LIMIT])
            if len(listed) > LIST_LIMIT:
                text += f" 等 {len(listed)} 项"
            parts.append((self._prefix(pid) if pid != shown_plan else "") + text)
        return ";".join(parts)

    def counted(self, task_ids: Iterable[Any]) -> str:
        """7 项任务(序号 16、26、28、45、47 等 7 项), or 序号 16 for one."""
        ids = list(dict.fromkeys(_ints(task_ids)))
        if len(ids) == 1:
            return self.name(ids[0]).strip()
        return f" {len(ids)} 项任务({self.many(ids)})"

    def carried_item(self, item: Any) -> str:
        found = self.carried.get(item) if isinstance(item, int) else None
        if found is None:
            return "一项上年事项"
        year, seq = found
        return f"{year}年序号 {seq} 的事项" if seq is not None else f"{year}年的一项事项"


_Sentence = Callable[[AuditEntry, _Names], "tuple[str, tuple[int, ...]]"]
SENTENCES: dict[str, _Sentence] = {}


def _says(*actions: str) -> Callable[[_Sentence], _Sentence]:
    def register(function: _Sentence) -> _Sentence:
        for action in actions:
            SENTENCES[action] = function
        return function
    return register


def _own(entry: AuditEntry, names: _Names) -> tuple[int, ...]:
    return names.seqs([entry.entity_id]) if entry.entity in ("task", "progress", "evidence") else ()


# -- status, progress, dates ------------------------------------------------------------------------


@_says("设置状态")
def _status(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after, before = _dict(entry.after), _list(entry.before)
    tasks = [b.get("task") for b in before if isinstance(b, dict)] or list(_list(after.get("tasks")))
    day = f"({after['status_date']})" if after.get("status_date") else ""
    if len(tasks) == 1:
        old = before[0].get("status") if before and isinstance(before[0], dict) else None
        change = f"由“{old}”改为“{after.get('status')}”" if old else f"设为“{after.get('status')}”"
        text = f"将{names.name(tasks[0])}的状态{change}{day}"
    else:
        text = f"将{names.counted(tasks)}的状态设为“{after.get('status')}”{day}"
    return text, names.seqs(tasks)


@_says("撤销设置状态")
def _status_undone(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before = [b for b in _list(entry.before) if isinstance(b, dict)]
    tasks = [b.get("task") for b in before]
    status = before[0].get("status") if before else ""
    return f"撤销了{names.many(tasks)} 的状态“{status}”", names.seqs(tasks)


@_says("修改状态日期")
def _status_date(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before, after = _dict(entry.before), _dict(entry.after)
    return (f"将{names.name(entry.entity_id)}“{before.get('status')}”的日期由 {before.get('status_date')} "
            f"改为 {after.get('status_date')}"), _own(entry, names)


@_says("填写进展")
def _progress(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before, after = _dict(entry.before), _dict(entry.after)
    task = names.name(entry.entity_id)
    quarter = _quarter_label((after or before).get("quarter", ""))
    if not after:
        return f"删除了{task}{quarter} 的进展(原为:{_short(before.get('text'))})", _own(entry, names)
    verb = "填写了" if not before else "修改了"
    return f"{verb}{task}{quarter} 的进展:{_short(after.get('text'))}", _own(entry, names)


@_says("修改到期日")
def _due(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    old = _dict(entry.before).get("due_date") or "未确定"
    new = _dict(entry.after).get("due_date") or "无具体日期"
    return f"将{names.name(entry.entity_id)}的到期日由 {old} 改为 {new}", _own(entry, names)


_FREQUENCIES = {"monthly": "每月", "quarterly": "每季度", "half_yearly": "每半年", "yearly": "每年",
                "periodic": "定期"}


def _frequency(value: Any) -> str:
    if value in (None, "", "none"):
        return "不是定期任务"
    return f"{_FREQUENCIES.get(value, value)}的定期任务"


@_says("设置定期任务")
def _recurrence(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    old = _dict(entry.before).get("frequency")
    change = f"(原为{_frequency(old)})" if old else ""
    return (f"将{names.name(entry.entity_id)}设为{_frequency(_dict(entry.after).get('frequency'))}{change}",
            _own(entry, names))


@_says("取消手工设置的定期任务")
def _recurrence_cleared(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    old = _frequency(_dict(entry.before).get("frequency"))
    return (f"取消了{names.name(entry.entity_id)}手工设置的“{old}”,改回按完成时限自动识别",
            _own(entry, names))


def _period_label(text: Any) -> str:
    from .recurrence import Period

    try:
        return Period.parse(str(text)).label
    except (UserError, ValueError):
        return str(text or "")


@_says("设置本期状态")
def _period_status(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before, after = _dict(entry.before), _dict(entry.after)
    period = _period_label(after.get("period") or before.get("period"))
    old = f"由“{before['status']}”改为" if before.get("status") else "设为"
    day = f"({after['status_date']})" if after.get("status_date") else ""
    return f"将{names.name(entry.entity_id)}{period}的状态{old}“{after.get('status')}”{day}", _own(entry, names)


# -- plans: import, revision, derive, rollup, rollover -----------------------------------------------


@_says("导入分解表", "重新导入分解表")
def _imported(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    verb = "导入了" if entry.action.startswith("导入") else "重新导入了"
    return (f"{verb}分解表“{after.get('title')}”({after.get('tasks')} 项任务,"
            f"文件 {after.get('source_name')})"), ()


@_says("删除分解表")
def _deleted(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before = _dict(entry.before)
    return f"删除了分解表“{before.get('title')}”({before.get('task_count')} 项任务)", ()


@_says("生成本级分解表")
def _derived(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before, after = _dict(entry.before), _dict(entry.after)
    return (f"由上级分解表“{before.get('from_title')}”生成本级分解表“{after.get('title')}”"
            f"({after.get('tasks')} 项任务,其中上级任务 {after.get('derived')} 项、本级增加 {after.get('own')} 项)"), ()


@_says("更新本级分解表")
def _derive_updated(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before, after = _dict(entry.before), _dict(entry.after)
    added = [_dict(a).get("task") for a in _list(after.get("added"))]
    parts = [f"{label}{names.many(ids, entry.entity_id)}" for label, ids in
             (("加入", added), ("取消", _list(after.get("cancelled"))),
              ("随上级修改", list(_dict(after.get("followed")))))
             if ids]
    return (f"按上级分解表“{before.get('from_title')}”更新本级分解表{names.plan(entry.entity_id)}:"
            + (";".join(parts) or "没有改动"), names.seqs(_task_ids_in(after)))


@_says("修订分解表")
def _revised(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    counts = _dict(after.get("changes"))
    parts = "、".join(f"{kind} {n} 项" for kind, n in counts.items() if n) or "没有改动"
    return f"按“{after.get('source_name')}”修订了分解表“{after.get('title')}”({parts})", ()


def _revision_change(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    """One change a revised table made, old → new, in the words of the preview."""
    kind = _base(entry.action).removeprefix("修订:")
    before, after = _dict(entry.before), _dict(entry.after)
    task = names.name(entry.entity_id)

    def was_now(key: str) -> str:
        return f"由“{_short(before.get(key)) or '(空)'}”改为“{_short(after.get(key)) or '(空)'}”"

    if kind == "改写任务":
        old = (f"【{before['title']}】" if before.get("title") else "") + str(before.get("requirement") or "")
        new = (f"【{after['title']}】" if after.get("title") else "") + str(after.get("requirement") or "")
        text = f"修订:{task}的内容由“{_short(old)}”改为“{_short(new)}”"
    elif kind == "责任单位":
        text = f"修订:{task}的责任单位{was_now('units')}"
    elif kind == "完成时限":
        text = f"修订:{task}的完成时限{was_now('deadline_text')}(到期日 {after.get('due_date') or '无具体日期'})"
    elif kind == "章节":
        text = f"修订:{task}的章节{was_now('section')}"
    elif kind == "新增任务":
        prefix = names.name(entry.entity_id) if entry.entity_id in names.task else f"序号 {after.get('seq')} "
        text = f"修订:新增{prefix}“{_short(after.get('requirement'))}”"
    elif kind == "分解表标题":
        text = f"修订:分解表标题{was_now('title')}"
    else:
        text = f"修订:{kind} {task}{_plain(after or before)}".rstrip()
    return text, _own(entry, names)


for _kind in ("分解表标题", "改写任务", "新增任务", "责任单位", "完成时限", "章节"):
    SENTENCES[f"修订:{_kind}"] = _revision_change


@_says("汇总本级")
def _rollup(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before, after = _dict(entry.before), _dict(entry.after)
    quarter = _quarter_label(after.get("quarter") or before.get("quarter"))
    county = "、".join(names.plan(p) for p in _list(before.get("plans"))) or "本级分解表"
    statuses = _dict(after.get("statuses"))
    notes = list(_dict(after.get("notes"))) + list(_dict(after.get("edited_notes")))
    parts = []
    for status in dict.fromkeys(statuses.values()):
        ids = [t for t, s in statuses.items() if s == status]
        parts.append(f"{names.many(ids, entry.entity_id)} 的状态设为“{status}”")
    if notes:
        parts.append(f"写入{names.many(notes, entry.entity_id)} 的进展")
    told = ";".join(parts) or "没有改动"
    return (f"把{county}{quarter}的完成情况汇总到上级分解表{names.plan(entry.entity_id)}:{told}",
            names.seqs(list(statuses) + notes))


@_says("结转到新年度")
def _rollover(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    if entry.entity == "carryover":  # the first row of a new year's ledger
        units = f",并带入单位名录 {after['units']} 个单位" if after.get("units") else ""
        return (f"由 {after.get('from_year')} 年的“{after.get('from_plan')}”结转 {after.get('items')} 项事项"
                f"到 {after.get('to_year')} 年的新台账{units}"), ()
    tasks = _list(after.get("tasks"))
    listed = f"({names.many(tasks, entry.entity_id)})" if tasks else ""
    replaced = _dict(entry.before).get("replaced")
    again = f",替换了原来结转的 {replaced} 项" if replaced else ""
    return (f"把{names.plan(entry.entity_id)}中 {after.get('items')} 项未完成的任务{listed}"
            f"结转到 {after.get('to_year')} 年{again}"), names.seqs(tasks)


@_says("对应结转事项")
def _carryover_matched(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    parts, tasks = [], []
    for item in (_dict(i) for i in _list(entry.after)):
        task = item.get("matched_task_id")
        what = names.carried_item(item.get("item"))
        if task is None:
            parts.append(f"取消了{what}的对应")
        else:
            parts.append(f"将{what}对应到{names.name(task).strip()}")
            tasks.append(task)
    shown = ";".join(parts[:LIST_LIMIT]) + (f" 等 {len(parts)} 项" if len(parts) > LIST_LIMIT else "")
    return f"对应结转事项:{shown or '没有改动'}", names.seqs(tasks)


# -- exchange and 督办 -------------------------------------------------------------------------------


def _in_plan(entry: AuditEntry, names: _Names) -> str:
    return names.plan(entry.entity_id) if names.several and entry.entity_id is not None else ""


@_says("汇总报送表")
def _merged(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    files = _joined(_list(after.get("files")), "个文件")
    if after.get("changes") is None:
        return f"汇总了{_in_plan(entry, names)}报送表 {files}", ()
    return (f"汇总了{_in_plan(entry, names)}报送表 {files}:写入 {after.get('changes')} 处修改"
            f"(涉及 {after.get('tasks')} 项任务)"), ()


@_says("撤销汇总")
def _merge_undone(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before, after = _dict(entry.before), _dict(entry.after)
    files = _joined(_list(before.get("files")), "个文件")
    kept = _list(after.get("kept"))
    text = f"撤销了报送表 {files} 的汇总:恢复 {len(_list(after.get('restored')))} 处"
    return text + (f",{len(kept)} 处在汇总后又改过,保留未动" if kept else ""), ()


@_says("下发填报表")
def _sent_down(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    units = _list(after.get("units"))
    return (f"下发了{_in_plan(entry, names)}{_quarter_label(after.get('quarter'))}的填报表"
            f"(给{_joined(units, '个单位')})"), ()


@_says("发出催办单")
def _followed_up(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    sent = [_dict(s) for s in _list(after.get("sent"))]
    tasks = [t for s in sent for t in _ints(_list(s.get("tasks")))]
    plan = names.plan(after.get("plan")) if names.several else ""
    reply = f",请于 {after['reply_by']} 前回复" if after.get("reply_by") else ""
    return (f"向{_joined((s.get('unit') for s in sent), '个单位')}发出{plan}催办单"
            f"({len(tasks)} 项任务:{names.many(tasks, after.get('plan'))}{reply})"), names.seqs(tasks)


# -- evidence -----------------------------------------------------------------------------------------


def _evidence_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_short(i.get("name"), 30) for i in items if isinstance(i, dict) and i.get("name")]


@_says("添加佐证材料", "移到回收站", "从回收站恢复", "清空回收站")
def _evidence(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    action = _base(entry.action)
    items = _evidence_names(entry.after if action == "添加佐证材料" else entry.before or entry.after)
    tasks = [entry.entity_id] if entry.entity_id is not None else _task_ids_in(entry.before)
    task = f"{names.many(tasks)} " if tasks else ""
    count = f" {len(items)} 份" if len(items) > 1 else ""
    verbs = {"添加佐证材料": "为{t}添加了{c}佐证材料:{n}", "移到回收站": "把{w}{c}佐证材料移到回收站:{n}",
             "从回收站恢复": "从回收站恢复了{w}{c}佐证材料:{n}", "清空回收站": "从回收站永久删除了{w}{c}佐证材料:{n}"}
    text = verbs[action].format(t=task, w=f"{task}的" if task else "", c=count, n=_joined(items, "份"))
    return text.rstrip(":"), names.seqs(tasks)


# -- units, mapping, settings, backups ---------------------------------------------------------------


@_says("添加单位")
def _unit_added(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    return f"在单位名录中添加了“{_dict(entry.after).get('name')}”", ()


@_says("添加群组成员")
def _member_added(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    return f"把“{after.get('member')}”加入单位群组“{after.get('group')}”", ()


@_says("移除群组成员")
def _member_removed(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before = _dict(entry.before)
    return f"把“{before.get('member')}”移出单位群组“{before.get('group')}”", ()


@_says("修改单位名称")
def _unit_renamed(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    return f"将单位“{_dict(entry.before).get('name')}”改名为“{_dict(entry.after).get('name')}”", ()


@_says("修改单位联系人")
def _unit_contact(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before, after = _dict(entry.before), _dict(entry.after)
    new = after.get("contact") or "(空)"
    old = f"(原为“{before['contact']}”)" if before.get("contact") else ""
    return f"将“{after.get('name') or before.get('name')}”的联系人改为“{new}”{old}", ()


@_says("导入单位名录")
def _directory_imported(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    new = _list(after.get("new_units"))
    added = f"加入 {after.get('added')} 个群组成员" if after.get("added") is not None else "导入"
    fresh = f",新增单位 {_joined(new, '个')}" if new else ""
    return f"从“{after.get('source')}”导入单位名录:{added}{fresh}", ()


def _locals(value: Any) -> str:
    return "、".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


@_says("修改单位对应")
def _mapping_set(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before = _dict(entry.before)
    parts = []
    for superior, locals_ in _dict(entry.after).items():
        old = f"(原为“{_locals(before[superior])}”)" if before.get(superior) else ""
        parts.append(f"上级单位“{superior}”对应本级“{_locals(locals_)}”{old}")
    shown = ";".join(parts[:LIST_LIMIT]) + (f" 等 {len(parts)} 个单位" if len(parts) > LIST_LIMIT else "")
    return f"设置单位对应:{shown or '没有改动'}", ()


@_says("删除单位对应")
def _mapping_removed(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    parts = [f"“{s}”(原对应“{_locals(v)}”)" for s, v in _dict(entry.before).items()]
    return f"删除了上级单位{'、'.join(parts)}的单位对应", ()


_SETTING_NAMES = {"local_name": "本级名称", "lead_office": "本级牵头单位"}


@_says("修改本级设置")
def _settings(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    before = _dict(entry.before)
    parts = []
    for key, value in _dict(entry.after).items():
        old = f"(原为“{before[key]}”)" if before.get(key) else ""
        parts.append(f"{_SETTING_NAMES.get(key, '一项设置')}设为“{value}”{old}")
    return "将" + ("、".join(parts) or "本级设置保持不变"), ()


@_says("恢复到之前的状态")
def _restored(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    after = _dict(entry.after)
    saved = f"(恢复前的台账另存为“{after['saved_current_as']}”)" if after.get("saved_current_as") else ""
    return f"把台账恢复到自动备份“{after.get('backup')}”时的状态{saved}", ()


# -- putting it together ------------------------------------------------------------------------------


def _base(action: str) -> str:
    """The action without its origin: 设置状态(汇总:区发改局) -> 设置状态."""
    return action.split("(", 1)[0]


#: Origins that read better said out (the rest read as written: 汇总:区发改局).
_ORIGIN_WORDS = {"修订": "按上级修订版", "上级修订": "随上级修订"}


def _origin(action: str, names: _Names, sentence: str) -> str:
    """Where a change came from, in words: 汇总本级:分解表 3 -> 汇总本级:《…》 (or
    汇总本级 alone where the sentence names that plan already)."""
    base = _base(action)
    if base == action:
        return ""
    origin = action[len(base) + 1:].removesuffix(")")
    head, _, rest = origin.partition(":")
    if rest.startswith("分解表 ") and rest[4:].strip().isdigit():
        plan = names.plan(int(rest[4:]))
        origin = head if plan in sentence else f"{head}:{plan}"
    elif head.startswith("撤销汇总"):
        origin = "撤销汇总"
    return _ORIGIN_WORDS.get(origin, origin)


def has_sentence(action: str) -> bool:
    """Whether 操作记录 has a sentence of its own for this action (origin aside)."""
    return _base(action) in SENTENCES


def _sentence(entry: AuditEntry, names: _Names) -> tuple[str, tuple[int, ...]]:
    describe_one = SENTENCES.get(_base(entry.action))
    if describe_one is None:  # an action this module does not know yet: still no braces or keys
        target = names.name(entry.entity_id) if entry.entity in ("task", "progress", "evidence") else ""
        detail = _plain(entry.after if entry.after is not None else entry.before)
        return f"{_base(entry.action)}:{target}{detail}", _own(entry, names)
    sentence, seqs = describe_one(entry, names)
    origin = _origin(entry.action, names, sentence)
    if origin and origin not in sentence:
        sentence += f"({origin})"
    return sentence, seqs


def describe(ledger: Ledger, entries: list[AuditEntry]) -> list[AuditLine]:
    names = _Names(ledger, entries)
    lines = []
    for entry in entries:
        sentence, task_seqs = _sentence(entry, names)
        lines.append(AuditLine(entry.at[:16].replace("T", " "), entry.user, entry.action, sentence, task_seqs))
    return lines
