"""The audit trail read aloud: one plain sentence per change, as a clerk would say it.

"2023-09-28 10:12 张三 将序号 24 的状态由“推进中”改为“已完成”(2023-09-20)". Tasks
are named by their 序号 in the plan (internal ids mean nothing to a clerk), values
by their text, and nothing prints as JSON or null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import UserError
from .ledger import AuditEntry, Ledger
from .quarters import Quarter


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
    """A before/after value without braces or null: key:value pairs, 、-joined lists."""
    if value is None or value == "" or value == [] or value == {}:
        return "(空)"
    if isinstance(value, dict):
        parts = [f"{k}:{_plain(v)}" for k, v in value.items() if v not in (None, "", [], {})]
        return ",".join(parts) if parts else "(空)"
    if isinstance(value, list):
        shown = [_plain(v) for v in value[:5]]
        more = f" 等 {len(value)} 项" if len(value) > 5 else ""
        return "、".join(shown) + more
    return _short(value)


def _quarter_label(text: str) -> str:
    try:
        return Quarter.parse(text).label
    except UserError:
        return text


class _Seqs:
    """Task id -> 序号, looked up once for all the entries shown."""

    def __init__(self, ledger: Ledger, entries: list[AuditEntry]) -> None:
        ids: set[int] = set()
        for entry in entries:
            if entry.entity in ("task", "progress", "evidence") and entry.entity_id is not None:
                ids.add(entry.entity_id)
            for side in (entry.before, entry.after):
                ids.update(_task_ids_in(side))
        self.seq: dict[int, int] = {}
        if ids:
            marks = ",".join("?" * len(ids))
            self.seq = dict(ledger.db.execute(f"SELECT id, seq FROM tasks WHERE id IN ({marks})", list(ids)))

    def name(self, task_id: int | None) -> str:
        """序号 24 (with the space Chinese text puts after a number), for a sentence."""
        if task_id is None:
            return "任务"
        seq = self.seq.get(task_id)
        return f"序号 {seq} " if seq is not None else "一项已删除的任务"


def _task_ids_in(value: Any) -> list[int]:
    if isinstance(value, dict):
        found = [value["task"]] if isinstance(value.get("task"), int) else []
        tasks = value.get("tasks")
        if isinstance(tasks, list):
            found += [t for t in tasks if isinstance(t, int)]
        return found
    if isinstance(value, list):
        return [tid for item in value for tid in _task_ids_in(item)]
    return []


def _status_sentence(entry: AuditEntry, seqs: _Seqs) -> tuple[str, tuple[int, ...]]:
    after = entry.after if isinstance(entry.after, dict) else {}
    before = entry.before if isinstance(entry.before, list) else []
    tasks = [b.get("task") for b in before if isinstance(b, dict)] or list(after.get("tasks") or [])
    day = f"({after['status_date']})" if after.get("status_date") else ""
    if len(tasks) == 1:
        old = before[0].get("status") if before and isinstance(before[0], dict) else None
        change = f"由“{old}”改为“{after.get('status')}”" if old else f"设为“{after.get('status')}”"
        text = f"将{seqs.name(tasks[0])}的状态{change}{day}"
    else:
        text = f"将 {len(tasks)} 项任务的状态设为“{after.get('status')}”{day}"
    return text, tuple(seqs.seq[t] for t in tasks if t in seqs.seq)


def _sentence(entry: AuditEntry, seqs: _Seqs) -> tuple[str, tuple[int, ...]]:
    before, after = entry.before, entry.after
    task = entry.entity_id if entry.entity in ("task", "progress", "evidence") else None
    own = (seqs.seq[task],) if task in seqs.seq else ()
    action = entry.action.split("(")[0]
    if action == "设置状态":
        return _status_sentence(entry, seqs)
    if action == "撤销设置状态" and isinstance(before, list):
        tasks = [b.get("task") for b in before if isinstance(b, dict)]
        names = "、".join(seqs.name(t).strip() for t in tasks[:5]) + (f" 等 {len(tasks)} 项" if len(tasks) > 5 else "")
        return f"撤销了{names}的状态“{before[0].get('status')}”", tuple(seqs.seq[t] for t in tasks if t in seqs.seq)
    if action == "修改状态日期" and isinstance(before, dict) and isinstance(after, dict):
        return (f"将{seqs.name(task)}“{before.get('status')}”的日期由 {before.get('status_date')} "
                f"改为 {after.get('status_date')}"), own
    if action == "填写进展":
        quarter = _quarter_label((after or before or {}).get("quarter", ""))
        if not after:
            return f"删除了{seqs.name(task)}{quarter} 的进展(原为:{_short((before or {}).get('text'))})", own
        if not before:
            return f"填写了{seqs.name(task)}{quarter} 的进展:{_short(after.get('text'))}", own
        return f"修改了{seqs.name(task)}{quarter} 的进展:{_short(after.get('text'))}", own
    if action == "修改到期日" and isinstance(after, dict):
        old = (before or {}).get("due_date") or "未确定"
        return f"将{seqs.name(task)}的到期日由 {old} 改为 {after.get('due_date') or '无具体日期'}", own
    if action in ("导入分解表", "重新导入分解表") and isinstance(after, dict):
        verb = "导入了" if action == "导入分解表" else "重新导入了"
        return (f"{verb}分解表“{after.get('title')}”({after.get('tasks')} 项任务,"
                f"文件 {after.get('source_name')})"), ()
    if action == "生成本级分解表" and isinstance(after, dict) and isinstance(before, dict):
        return (f"由上级分解表“{before.get('from_title')}”生成本级分解表“{after.get('title')}”"
                f"({after.get('tasks')} 项任务,其中上级任务 {after.get('derived')} 项、本级增加 {after.get('own')} 项)"), ()
    if action == "更新本级分解表" and isinstance(after, dict) and isinstance(before, dict):
        parts = [f"{label} {len(after.get(key) or [])} 项" for key, label in
                 (("added", "加入"), ("cancelled", "取消"), ("followed", "随上级修改")) if after.get(key)]
        return (f"按上级分解表“{before.get('from_title')}”更新本级分解表:" + ("、".join(parts) or "没有改动"),
                tuple(seqs.seq[t] for t in _task_ids_in(after) if t in seqs.seq))
    if action == "修订分解表" and isinstance(after, dict):
        counts = after.get("changes") or {}
        parts = "、".join(f"{kind} {n} 项" for kind, n in counts.items() if n) or "没有改动"
        return f"按“{after.get('source_name')}”修订了分解表“{after.get('title')}”({parts})", ()
    if action.startswith("修订:"):
        return _revision_sentence(action.removeprefix("修订:"), before or {}, after or {}, seqs.name(task)), own
    if action == "删除分解表" and isinstance(before, dict):
        return f"删除了分解表“{before.get('title')}”({before.get('task_count')} 项任务)", ()
    if entry.entity == "evidence" and task is not None:
        items = after if isinstance(after, list) else [after or before]
        names = "、".join(_short(i.get("name"), 30) for i in items if isinstance(i, dict))
        return f"{entry.action}:{seqs.name(task)}{names}".rstrip(), own
    detail = _plain(after if after is not None else before)
    target = seqs.name(task) if task is not None else ""
    return f"{entry.action}:{target}{detail}".rstrip(":"), own


def _revision_sentence(kind: str, before: dict, after: dict, task: str) -> str:
    """One change a revised table made, old → new, in the words of the preview."""
    def was_now(key: str) -> str:
        return f"由“{_short(before.get(key)) or '(空)'}”改为“{_short(after.get(key)) or '(空)'}”"

    if kind == "改写任务":
        old = (f"【{before['title']}】" if before.get("title") else "") + str(before.get("requirement") or "")
        new = (f"【{after['title']}】" if after.get("title") else "") + str(after.get("requirement") or "")
        return f"修订:{task}的内容由“{_short(old)}”改为“{_short(new)}”"
    if kind == "责任单位":
        return f"修订:{task}的责任单位{was_now('units')}"
    if kind == "完成时限":
        due = f"(到期日 {after.get('due_date') or '无具体日期'})"
        return f"修订:{task}的完成时限{was_now('deadline_text')}{due}"
    if kind == "章节":
        return f"修订:{task}的章节{was_now('section')}"
    if kind == "新增任务":
        return f"修订:新增序号 {after.get('seq')} “{_short(after.get('requirement'))}”"
    if kind == "分解表标题":
        return f"修订:分解表标题{was_now('title')}"
    return f"修订:{kind} {task}{_plain(after or before)}".rstrip()


def describe(ledger: Ledger, entries: list[AuditEntry]) -> list[AuditLine]:
    seqs = _Seqs(ledger, entries)
    lines = []
    for entry in entries:
        sentence, task_seqs = _sentence(entry, seqs)
        lines.append(AuditLine(entry.at[:16].replace("T", " "), entry.user, entry.action, sentence, task_seqs))
    return lines
