"""Gather up (汇总): what merging replies would change, written nowhere.

:func:`preview_merge` matches each reply's rows to tasks (by key; by the task text,
white space ignored, when the key is gone or contradicts the text) and lists every
change with the value as issued, the ledger's value now and the reply's, the
conflicts, the rows it refuses and the rows it could not match. Nothing is written
until ``merge_apply.apply_merge``.

Why one module a little over 450 lines: matching a reply's rows and judging each value
against the issue record and the rival replies is one pass over the rows; the values
themselves (``Change``, rivals) live in changes.py and writing in merge_apply.py.

What a reply may change: only the tasks its fill-in was issued with, in that plan and
quarter, as the ledger's issue record says (the key sheet inside the workbook can be
edited, so its unit, quarter and plan must agree with the record, or the whole reply is
refused). A reply with no issue record in this ledger (an older version's workbook, a
deleted key sheet, another ledger) is held to its unit's current tasks in one plan of
its quarter's year, and every change it brings is a conflict.

What counts as a change, per task field:

* a blank cell never clears anything;
* a value equal to the ledger's is no change;
* a value equal to what was issued is no change either: the unit left it as it was,
  and the ledger may have moved on since (the clerk's later edit is not reverted);
* otherwise it is a change, and a **conflict** when the ledger's value changed after
  the fill-in was issued (by the clerk, by another unit's merged reply: whatever the
  reply's save time), or when another reply gives the same slot a different value.
  Conflicts are applied only when the clerk says so (``force``); different values for
  one slot are one choice (``MergePreview.competing``): ``apply_merge`` refuses two of
  them, and each names the other with its unit's role (牵头/配合) and the task's lead;
* a status with no date is dated by :func:`undated_day` (within the reply's quarter,
  never the day of the merge for an ended quarter), and the preview shows that day.

On a shared task (unit_notes.py) a unit's reply writes only its own labelled part of
the quarter's note.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..errors import UserError
from ..ledger import Ledger
from ..model import Plan, Status, Task
from ..quarters import Quarter, default_quarter
from ..unit_directory import unit_tasks
from .changes import NO_RECORD, Change, ChangeField, MergePreview, Unmatched
from .keys import (
    moment_text,
    parse_key,
    printable_text,
    short_text,
    squash_text,
    status_text,
    text_checksum,
)
from .replies import Reply, ReplyRow, SentState, parse_reply_date
from .send_down import REPORTABLE_STATUSES, ROLE_NAMES, IssueRecord, issue_records
from .unit_notes import own_view, shared_tasks, unit_part, unlabelled

__all__ = ["NOT_LISTED_WHEN_ISSUED", "preview_merge", "undated_day"]

#: ``Change.issued`` of a 佐证材料说明: the issue record keeps no evidence column (the
#: fill-in's is blank, for the unit to fill), so "as issued" there is nothing listed,
#: which is not the same as having no issue record (``issued`` None).
NOT_LISTED_WHEN_ISSUED = "(下发时未列)"


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.astimezone()


def plan_digests(ledger: Ledger, plan: Plan) -> tuple[str, ...]:
    """The plan's file digest now and those it had before each revision: a fill-in
    sent before the superior's corrected table was applied names the old one, and is
    still this plan's (its task keys name tasks the revision kept)."""
    earlier = []
    for (before,) in ledger.db.execute(
            "SELECT before FROM audit WHERE entity = 'plan' AND entity_id = ? AND action LIKE '修订分解表%'"
            " ORDER BY id DESC", [plan.id]):
        try:
            sha = json.loads(before or "{}").get("sha256")
        except (ValueError, AttributeError):
            sha = None
        if isinstance(sha, str) and sha:
            earlier.append(sha.lower())
    return (plan.source_sha256.lower(), *earlier)


def _is_plan(digests: tuple[str, ...], prefix: str) -> bool:
    prefix = prefix.lower()
    return any(digest.startswith(prefix) for digest in digests)


class _PlanIndex:
    """One plan's tasks, by id and by squashed requirement; which are shared."""

    def __init__(self, ledger: Ledger, plan: Plan) -> None:
        self.plan = plan
        self.digests = plan_digests(ledger, plan)
        self.tasks: dict[int, Task] = {}
        self.by_text: dict[str, list[int]] = defaultdict(list)
        for task in ledger.tasks(plan.id):
            self.tasks[task.id] = task
            self.by_text[squash_text(task.requirement)].append(task.id)
        self.shared = shared_tasks(ledger, plan.id)
        self.notes = _notes_by_task(ledger, list(self.tasks))


def _notes_by_task(ledger: Ledger, task_ids: list[int]) -> dict[tuple[int, str], set[str]]:
    result: dict[tuple[int, str], set[str]] = defaultdict(set)
    for start in range(0, len(task_ids), 900):
        chunk = task_ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for tid, quarter, name in ledger.db.execute(
                f"SELECT task_id, quarter, name FROM evidence WHERE kind = 'note' AND removed_at IS NULL"
                f" AND task_id IN ({marks})", chunk):
            result[(tid, quarter)].add(squash_text(name))
    return result


@dataclass(slots=True)
class _Scope:
    """What one reply may change: tasks of one plan, for one unit and quarter."""

    plan: Plan
    unit: str
    quarter: Quarter
    allowed: set[int]
    record: IssueRecord | None
    roles: dict[int, str]  # task id -> 牵头 / 配合, the unit's part in it now


def _roles(ledger: Ledger, plan_id: int, unit: str) -> dict[int, str]:
    return {tid: ROLE_NAMES[role] for tid, (role, _) in unit_tasks(ledger, plan_id, unit).items()}


def _scope(ledger: Ledger, reply: Reply, record: IssueRecord | None, plans: list[Plan],
           plan_id: int | None, default_q: Quarter | None, problems: list[str]) -> _Scope | str | None:
    """The reply's scope; a reason (str) to refuse the whole reply; or None to skip it
    (it belongs to a plan other than the one the clerk named)."""
    by_id = {p.id: p for p in plans}
    if record is not None:
        plan = by_id[record.plan_id]
        if plan_id is not None and plan.id != plan_id:
            problems.append(f"{reply.name}:这份报送表属于分解表 {plan.id}({plan.title}),"
                            f"不是指定的分解表 {plan_id},已跳过。")
            return None
        said = []
        if reply.unit and printable_text(reply.unit) != printable_text(record.unit):
            said.append(f"单位“{reply.unit}”")
        if reply.quarter and reply.quarter != record.quarter:
            said.append(f"季度“{reply.quarter.label}”")
        if reply.plan_sha and not _is_plan(plan_digests(ledger, plan), reply.plan_sha):
            said.append("所属分解表")
        if said:
            return (f"表中注明的{'、'.join(said)}与下发记录不符(这份填报表于 {record.issued_at[:19].replace('T', ' ')}"
                    f" 下发给“{record.unit}”,填报{record.quarter.label}),表内的编码信息可能被改动过。"
                    "请让对方在下发的原填报表中填写后重新报送")
        return _Scope(plan, record.unit, record.quarter, set(record.tasks), record,
                      _roles(ledger, plan.id, record.unit))

    why = ("下发编号在本台账中没有记录(可能来自其他台账,或分解表已被删除)" if reply.issue_id
           else "表中没有下发编号(可能由旧版本程序生成,或隐藏的编码工作表被删除)")
    plan: Plan | None = None
    if reply.plan_sha:
        plan = next((p for p in plans if _is_plan(plan_digests(ledger, p), reply.plan_sha)), None)
        if plan is None:
            return ("这份报送表所属的分解表不在本台账中(可能来自其他台账或已删除)。"
                    "为免写到其他分解表的同名任务上,不按任务内容对应")
        if plan_id is not None and plan.id != plan_id:
            problems.append(f"{reply.name}:这份报送表属于分解表 {plan.id}({plan.title}),"
                            f"不是指定的分解表 {plan_id},已跳过。")
            return None
    elif plan_id is not None:
        plan = by_id.get(plan_id) or ledger.plan(plan_id)
    else:
        year = (reply.quarter or default_q).year if (reply.quarter or default_q) else None
        fitting = [p for p in plans if year is None or p.year == year]
        if len(fitting) != 1:
            return "无法确定这份报送表属于哪个分解表,请指定分解表后再汇总(命令行加 --plan 编号)"
        plan = fitting[0]
    quarter = reply.quarter or default_q or default_quarter(plan.year)
    if quarter.year != plan.year:
        return (f"报送表填报的是{quarter.label},不属于{plan.year}年的分解表《{plan.title}》;"
                "往年的报送表不汇总到新一年的分解表中")
    if not reply.unit:
        return f"{why},表中也没有注明填报单位,无法确认它可以修改哪些任务"
    roles = _roles(ledger, plan.id, reply.unit)
    allowed = set(roles)
    if not allowed:
        return f"{why};表中注明的填报单位“{reply.unit}”在分解表 {plan.id} 中没有任务(单位名称可能被改过)"
    problems.append(f"{reply.name}:{why}。只对应“{reply.unit}”现有的任务,每一处修改都列为冲突,"
                    "请逐项核对后再写入。")
    return _Scope(plan, reply.unit, quarter, allowed, None, roles)


def preview_merge(ledger: Ledger, replies: list[Reply], *, plan_id: int | None = None,
                  problems: list[str] | None = None, default_quarter: Quarter | None = None,
                  today: date | None = None) -> MergePreview:
    """What merging these replies would change; writes nothing.

    Each reply is judged against the record of the fill-in it answers (its issue id):
    it may change only the tasks that fill-in was issued with, for that plan and
    quarter; a value that the ledger changed since the fill-in was issued is a
    conflict. A reply with no issue record in this ledger is held to its unit's current
    tasks in one plan, and every change it brings is a conflict for the clerk to check."""
    today = today or date.today()
    problems = list(problems or [])
    plans = ledger.plans()
    if not plans:
        raise UserError("台账中还没有任何分解表,无法汇总报送表。请先导入任务分解表。")
    if plan_id is not None:
        ledger.plan(plan_id)  # a clear message for a wrong number
    records = issue_records(ledger, [r.issue_id or "" for r in replies])
    indexes: dict[int, _PlanIndex] = {}

    changes: list[Change] = []
    unmatched: list[Unmatched] = []
    refused: list[Unmatched] = []
    unchanged = 0
    used_plans: dict[int, None] = {}
    for reply in replies:
        problems.extend(f"{reply.name}:{note}" for note in reply.notes)
        scope = _scope(ledger, reply, records.get(reply.issue_id or ""), plans, plan_id, default_quarter,
                       problems)
        if scope is None:
            continue
        if isinstance(scope, str):
            refused.append(Unmatched(reply.name, 0, f"全部 {len(reply.rows)} 行", scope))
            continue
        index = indexes.get(scope.plan.id)
        if index is None:
            index = indexes[scope.plan.id] = _PlanIndex(ledger, scope.plan)
        sent_by_task = {s.task_id: s for s in reply.sent.values()} if scope.record is None else {}
        for row in reply.rows:
            task_id, how, reason = _match(ledger, row, index)
            if task_id is None:
                if reason and (row.key or row.filled or row.requirement):
                    target = refused if how == "refused" else unmatched
                    target.append(Unmatched(reply.name, row.row, short_text(row.requirement or row.key or "", 40),
                                            reason))
                continue
            task = index.tasks[task_id]
            if task_id not in scope.allowed:
                if row.filled:
                    whose = "下发给该单位的填报表中没有这一项" if scope.record else "该单位在分解表中没有这项任务"
                    refused.append(Unmatched(reply.name, row.row, short_text(task.requirement, 40),
                                             f"序号 {task.seq} 不是“{scope.unit}”的任务({whose}),未汇总"))
                continue
            if task.status == Status.CANCELLED:  # withdrawn by the superior's revised table
                if row.filled:
                    refused.append(Unmatched(reply.name, row.row, short_text(task.requirement, 40),
                                             f"序号 {task.seq} 已被上级修订取消,未汇总(内容仍保留在台账中)"))
                continue
            used_plans.setdefault(scope.plan.id, None)
            found = _row_changes(reply, row, task, scope, index, sent_by_task.get(task_id), how, today, problems)
            if not found and row.filled:
                unchanged += 1
            changes.extend(found)
    changes = _settle_competition(changes)
    changes.sort(key=lambda c: (c.seq, list(ChangeField).index(c.field), c.saved_at))
    return MergePreview(replies=replies, changes=changes, unmatched=unmatched, problems=problems,
                        plan_ids=list(used_plans), unchanged_rows=unchanged, refused=refused)


def _match(ledger: Ledger, row: ReplyRow, index: _PlanIndex) -> tuple[int | None, str, str]:
    """(task id, how, reason when None); how is "refused" for a key that names a task
    of another plan (a row edited to point outside the reply's plan)."""
    by_key: int | None = None
    key_problem = ""
    parsed = parse_key(row.key)
    if parsed is not None:
        prefix, tid = parsed
        if tid in index.tasks and _is_plan(index.digests, prefix):
            by_key = tid
        else:
            elsewhere = ledger.db.execute("SELECT plan_id FROM tasks WHERE id = ?", [tid]).fetchone()
            if elsewhere is not None and elsewhere[0] != index.plan.id:
                return None, "refused", (f"编码指向分解表 {elsewhere[0]} 中的任务,"
                                         "不是这份报送表所属的分解表,未汇总")
            key_problem = "编码对应的任务已不在台账中"
    elif row.key:
        key_problem = "编码无法识别"
    text = "" if row.merged_text else squash_text(row.requirement)
    by_text = index.by_text.get(text, []) if text else []
    if by_key is not None:
        key_text = squash_text(index.tasks[by_key].requirement)
        if not text or text == key_text or not by_text:
            return by_key, "key", ""
        if len(by_text) == 1:
            return by_text[0], "text-over-key", ""
        return by_key, "key", ""
    if len(by_text) == 1:
        return by_text[0], "text", ""
    if len(by_text) > 1:
        return None, "", "任务内容在台账中对应多项任务,无法确定是哪一项"
    if key_problem:
        return None, "", key_problem + (",任务内容也找不到" if text else "")
    if row.merged_text:
        return None, "", "没有编码,任务内容单元格与上一行合并了,无法确定是哪一项任务"
    if not text:
        return None, "", "没有编码,也没有任务内容"
    return None, "", "没有编码,任务内容在台账中找不到(可能被修改过)"


_MATCH_NOTES = {
    "text": "编码缺失,已按任务内容对应",
    "text-over-key": "编码与任务内容不一致,已按任务内容对应",
}


def _join(*reasons: str | None) -> str | None:
    return ";".join(r for r in reasons if r) or None


def _row_changes(reply: Reply, row: ReplyRow, task: Task, scope: _Scope, index: _PlanIndex,
                 sent: SentState | None, how: str, today: date, problems: list[str]) -> list[Change]:
    saved = reply.saved_at
    quarter = scope.quarter
    issued = scope.record.tasks.get(task.id) if scope.record is not None else None
    no_record = NO_RECORD if scope.record is None else None
    base: dict[str, Any] = {
        "task_id": task.id, "seq": task.seq, "task_text": short_text(task.requirement), "quarter": quarter,
        "source": reply.name, "unit": scope.unit, "row": row.row, "saved_at": saved,
        "matched_by": how, "note": _MATCH_NOTES.get(how), "plan_id": scope.plan.id,
        "role": scope.roles.get(task.id, ""), "lead": printable_text(task.lead_unit or "")}
    where = f"{reply.name} 第 {row.row} 行"
    result: list[Change] = []

    # 完成状态 / 完成时间
    status: Status | None = None
    if row.status.strip():
        try:
            status = Status.parse(row.status)
            if status not in REPORTABLE_STATUSES:  # 已取消 is the superior's to say, not a unit's
                raise UserError(row.status)
        except UserError:
            status = None
            problems.append(f"{where}:无法识别的完成状态“{row.status.strip()}”"
                            f"(应为{'、'.join(s.value for s in REPORTABLE_STATUSES)}之一),该行的状态未汇总。")
    on: date | None = None
    if row.done_on.strip():
        try:
            on = parse_reply_date(row.done_on, quarter.year)
        except ValueError:
            problems.append(f"{where}:无法识别的完成时间“{row.done_on.strip()}”,请写成 2023-09-20 这样的日期。")
    sent_date = issued.status_date if issued is not None else (sent.status_date if sent is not None else None)
    sent_status = issued.status if issued is not None else (sent.status if sent is not None else None)
    if status is None and on is not None and task.status == Status.DONE and not row.status.strip():
        status = Status.DONE  # only the date was corrected
    if on is not None and (status or task.status) != Status.DONE:
        if on.isoformat() != (sent_date or ""):  # typed by the unit, not left as sent
            problems.append(f"{where}:填写了完成时间 {on.isoformat()},但完成状态不是“已完成”,完成时间未汇总。")
        on = None
    if status is not None:
        current = status_text(task.status.value, task.status_date.isoformat() if task.status_date else None)
        same = status == task.status and (status != Status.DONE or on is None or on == task.status_date)
        left_as_sent = sent_status is not None and status.value == sent_status and (
            status != Status.DONE or on is None or on.isoformat() == (sent_date or ""))
        if not same and not left_as_sent:
            effective, day_note = (on, None) if on is not None else undated_day(saved, quarter, today)
            moved = None
            if issued is not None and current != issued.status_text:
                moved = f"下发后台账中的完成状态已改变(下发时“{issued.status_text}”,现在“{current}”)"
            future = f"完成时间 {on.isoformat()} 在今天之后,请核对" if on is not None and on > today else None
            new = status.value + (f"({effective.isoformat()})" if status == Status.DONE else "")
            result.append(Change(**base, field=ChangeField.STATUS, old=current, new=new, status=status,
                                 on=effective, conflict=_join(moved, future, no_record), day_note=day_note,
                                 issued=issued.status_text if issued is not None else None, base=current))

    # 进展情况: the whole note, or on a shared task the unit's own labelled part
    text = row.progress.strip()
    if text:
        note = task.progress_for(quarter)
        whole = note.text if note else ""
        part_of = printable_text(scope.unit) if task.id in index.shared else None
        if part_of:
            text = unlabelled(text, part_of)
            current_text, view = unit_part(whole, part_of), own_view(whole, part_of)
        else:
            current_text, view = whole, squash_text(whole)
        if issued is not None:
            left_as_sent = squash_text(text) == squash_text(issued.progress_sent)
        else:
            left_as_sent = sent is not None and text_checksum(text) == sent.progress_checksum
        if squash_text(text) != squash_text(current_text) and not left_as_sent:
            moved = None
            if issued is not None:
                then = own_view(issued.progress_full, part_of) if part_of else squash_text(issued.progress_full)
                if then != view:
                    at = _parse_time(note.at) if note else None
                    moved = (f"下发后台账中{quarter.label}的进展已修改" + (f"({moment_text(at)})" if at else "")
                             + ",报送表是按下发时的内容填写的")
            result.append(Change(**base, field=ChangeField.PROGRESS, old=current_text, new=text, text=text,
                                 conflict=_join(moved, no_record), part_of=part_of, base=view,
                                 issued=issued.progress_sent if issued is not None else None))

    # 佐证材料说明: added as a note, never replacing anything
    described = row.evidence.strip()
    if described and squash_text(described) not in index.notes.get((task.id, str(quarter)), set()):
        result.append(Change(**base, field=ChangeField.EVIDENCE, old="", new=described, text=described,
                             conflict=no_record, issued=None if scope.record is None else NOT_LISTED_WHEN_ISSUED))
    return result


def undated_day(saved: datetime, quarter: Quarter, today: date) -> tuple[date, str]:
    """The day a status is written with when the reply gives none, and the words that
    say so in the preview.

    A reply speaks for its quarter: the day it was saved, unless that is after the
    quarter ended, then the quarter's last day (what the window's status-date dialog
    offers for an ended quarter), never a day after today. Refusing the reply instead
    would lose what the unit plainly said (推进中 needs no date on the form), and the
    merge day (a Q3 reply merged in November) would put the status in a quarter the
    reply is not about, changing that quarter's counts."""
    day = min(saved.astimezone().date(), today)
    if day > quarter.end:
        return quarter.end, f"报送表未填日期,按{quarter.label}最后一天记为 {quarter.end.isoformat()}"
    return day, f"报送表未填日期,按报送表保存日记为 {day.isoformat()}"


def _settle_competition(changes: list[Change]) -> list[Change]:
    """Two replies (or two rows) writing one slot: the same value is kept once; different
    values are all conflicts and one choice for the clerk (``competing``): each says the
    others' values with their units' roles and who leads the task. (Two units' parts of
    a shared note are different slots: both are kept.)"""
    by_slot: dict[tuple[int, str, str, str], list[Change]] = defaultdict(list)
    for change in changes:
        by_slot[change.slot()].append(change)
    result: list[Change] = []
    for slot, group in by_slot.items():
        distinct: dict[str, Change] = {}
        for change in group:
            distinct.setdefault(change.value_key(), change)
        if len(distinct) == 1:
            kept = next(iter(distinct.values()))
            if len(group) > 1:
                others = "、".join(sorted({c.unit or c.source for c in group if c is not kept}))
                extra = f"{others}填报相同" if others else f"另有 {len(group) - 1} 行填报相同"
                kept.note = f"{kept.note};{extra}" if kept.note else extra
                # stale if any of them is stale
                kept.conflict = kept.conflict or next((c.conflict for c in group if c.conflict), None)
            result.append(kept)
            continue
        if slot[1] == ChangeField.EVIDENCE.value:
            result.extend(distinct.values())  # different notes are all added
            continue
        for change in distinct.values():
            rivals = [c for c in distinct.values() if c is not change]
            said = ";".join(f"{c.who} 第 {c.row} 行填“{short_text(c.shown_new, 20)}”" for c in rivals)
            lead = f"(牵头单位:{change.lead})" if change.lead else ""
            disagreement = f"与其他报送表不一致:{said},只能选其一{lead}"
            change.competes = disagreement
            change.conflict = f"{change.conflict};{disagreement}" if change.conflict else disagreement
            result.append(change)
    return result
