"""Matching a corrected table against the plan it corrects: which new task continues which
ledger task, what changed, and what the clerk should know before applying it
(:func:`preview_revision`; nothing is written). See the package's docstring for the
three matching steps and why a pair below the threshold is only suggested."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from difflib import SequenceMatcher

from ..errors import DuplicateImportError, UserError
from ..ledger import Ledger
from ..model import ParsedPlan, ParsedTask, Plan, Status
from ..units import unit_key
from .changes import KIND_ORDER, ChangeKind, RevisionChange, RevisionPreview, Suggestion
from .old_tasks import OldTask, old_tasks, plan_fingerprint
from .wording import (
    deadline_display,
    match_key,
    path_display,
    similarity,
    squash,
    task_text,
    units_display,
)

#: Similarity (difflib ratio of the texts without spaces) from which a changed text is
#: the same task reworded. Measured on real revisions: a clause added or a phrase
#: changed stays well above 0.6; two different tasks of one section rarely reach 0.5.
REWORD_THRESHOLD = 0.6
#: Below the threshold, pairs at least this similar (same section, or same place in a
#: renamed section) are offered to the clerk as a suggestion only. Two unrelated tasks
#: of one plan share words like 政务公开 and often reach 0.3.
SUGGEST_FLOOR = 0.35
#: A file that matches fewer than this share of the plan's tasks is another plan.
MIN_SHARED = 0.3
#: Tasks left over on both sides are compared plan-wide (moved and reworded) only up to
#: this many pairs: 200 on each side, about half a second (a rewritten table of more
#: leftovers gets the same-section and same-place suggestions only).
MOVED_PAIRS_LIMIT = 40_000
_OPEN_STATUSES = (Status.NOT_STARTED.value, Status.IN_PROGRESS.value)


def _with_numbers(error: UserError, hint_cli: str) -> UserError:
    """The window names plans by title; zwgk, which takes plan numbers, also prints
    ``hint_cli`` under the message."""
    error.hint_cli = hint_cli  # type: ignore[attr-defined]
    return error


def _positions(paths: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Each task's place: (ordinal of its section among the sections in table order,
    index within that section). A renamed section keeps its place."""
    order: dict[tuple[str, ...], int] = {}
    within: dict[tuple[str, ...], int] = {}
    result = []
    for path in paths:
        ordinal = order.setdefault(path, len(order))
        index = within.get(path, 0)
        within[path] = index + 1
        result.append((ordinal, index))
    return result


def _new_units(task: ParsedTask, known: dict[str, int]) -> tuple[tuple[object, str], ...]:
    return tuple((known.get(unit_key(u.name), "new:" + unit_key(u.name)), u.role.value) for u in task.units)


def preview_revision(ledger: Ledger, plan_id: int, parsed: ParsedPlan, sha256: str, *,
                     pairs: Iterable[tuple[int, int]] = (), today: date | None = None) -> RevisionPreview:
    """Compare ``parsed`` (a corrected table) with plan ``plan_id``. Writes nothing.

    A new task (or a new 完成时限 of an open task) already past its due date on
    ``today`` (default: today) is said in ``notes``: applied, it is overdue at once,
    which the clerk should know before, not discover in the list. The date is not
    changed: it is the superior's.

    ``pairs``: (old 序号, new 序号) the clerk paired after all (accepted suggestions);
    each must name a task that would otherwise be withdrawn and one that would
    otherwise be new. Raises :class:`UserError` for a file that is not a revision of
    this plan (another year, almost nothing in common) or one already applied."""
    plan = ledger.plan(plan_id)
    name = parsed.source_name
    other = ledger.plan_by_sha256(sha256)
    if other is not None:
        if other.id == plan_id:
            raise DuplicateImportError(
                f"文件“{name}”已经是《{plan.title}》现在的内容(导入或修订时用的就是这个文件),"
                "不需要再修订,台账没有改动。")
        raise _with_numbers(DuplicateImportError(
            f"文件“{name}”已导入为另一个分解表《{other.title}》,不能再作为《{plan.title}》的修订版导入,"
            f"台账没有改动。如确实要用它修订《{plan.title}》,请先删除《{other.title}》。"),
            f"命令行中《{other.title}》是分解表 {other.id},《{plan.title}》是分解表 {plan_id}。")
    if not parsed.tasks:
        raise UserError(f"文件“{name}”中没有读到任何任务,不能用它修订《{plan.title}》,台账没有改动。")
    if parsed.year != plan.year:
        where = "" if parsed.year_found else "(文件中没有写年份,按今年读取)"
        raise UserError(
            f"文件“{name}”是 {parsed.year} 年的分解表{where},《{plan.title}》是 {plan.year} 年的,"
            "不能作为它的修订版导入,台账没有改动。\n"
            "处理办法:请核对要修订的是哪一个分解表;如果这是新一年的分解表,请作为新的分解表导入。")

    old_all = old_tasks(ledger, plan_id)
    plan_row = tuple(ledger.db.execute(
        "SELECT title, doc_number, source_name, source_sha256, sheet, columns, mapping FROM plans WHERE id = ?",
        [plan_id]).fetchone())
    fingerprint = plan_fingerprint(plan_row, old_all)
    old = [t for t in old_all if t.status != Status.CANCELLED.value]  # withdrawn earlier: left alone
    if not old:
        raise UserError(f"《{plan.title}》中没有可修订的任务(都已取消),台账没有改动。"
                        "请把文件作为新的分解表导入。")
    new = parsed.tasks
    new_text = [task_text(t.title, t.requirement) for t in new]
    old_text = {t.id: task_text(t.title, t.requirement) for t in old}
    new_paths = [tuple(t.section) for t in new]
    new_pos = _positions(new_paths)
    old_pos = dict(zip((t.id for t in old), _positions([t.path for t in old])))
    by_id = {t.id: t for t in old}

    matches: dict[int, int] = {}  # new index -> old id
    taken: set[int] = set()
    known = {key: uid for uid, key in ledger.db.execute("SELECT id, key FROM units")}

    # 1. The same words, anywhere (a task moved to another section is still itself).
    # The same words twice (做好本部门政务公开工作 for two units): the one in the same
    # section with the same units first, so that dropping one never carries its work
    # over to the other.
    by_key: dict[str, list[OldTask]] = {}
    for task in old:
        by_key.setdefault(match_key(task.title, task.requirement), []).append(task)
    for index, task in enumerate(new):
        candidates = [c for c in by_key.get(match_key(task.title, task.requirement), []) if c.id not in taken]
        if candidates:
            units = _new_units(task, known)
            chosen = min(candidates, key=lambda c: (c.path != new_paths[index], c.units != units,
                                                    squash(c.deadline_text) != squash(task.deadline.text)))
            matches[index] = chosen.id
            taken.add(chosen.id)

    def greedy(scored: list[tuple[float, int, int, int]], floor: float) -> list[tuple[int, int, float]]:
        """Best pairs first; ties go to the nearer position."""
        chosen = []
        used_new: set[int] = set()
        for ratio, _, index, tid in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
            if ratio < floor or index in used_new or index in matches or tid in taken:
                continue
            used_new.add(index)
            taken.add(tid)
            chosen.append((index, tid, ratio))
        return chosen

    def neighbours(free: list[OldTask]):
        """The free old tasks by section and by place, so that each new task is compared
        only with its neighbours (a revision of thousands of tasks stays quick)."""
        by_path: dict[tuple[str, ...], list[OldTask]] = {}
        by_place: dict[tuple[str, object], list[OldTask]] = {}
        for cand in free:
            by_path.setdefault(cand.path, []).append(cand)
            by_place.setdefault(("seq", cand.seq), []).append(cand)
            by_place.setdefault(("pos", old_pos[cand.id]), []).append(cand)

        def near(index: int, same_section: bool, same_place: bool) -> list[OldTask]:
            found: dict[int, OldTask] = {}
            if same_section:
                found.update((c.id, c) for c in by_path.get(new_paths[index], []))
            if same_place:
                for key in (("seq", new[index].seq), ("pos", new_pos[index])):
                    found.update((c.id, c) for c in by_place.get(key, []))
            return list(found.values())
        return near

    def candidates(same_place: bool) -> list[tuple[float, int, int, int]]:
        scored = []
        near = neighbours([t for t in old if t.id not in taken])
        for index, task in enumerate(new):
            if index in matches:
                continue
            for cand in near(index, not same_place, same_place):
                distance = abs(cand.seq - task.seq)
                scored.append((similarity(old_text[cand.id], new_text[index]), distance, index, cand.id))
        return scored

    # 2. Similar words in the same section; 3. at the same place (a renamed section).
    for same_place in (False, True):
        for index, tid, _ in greedy(candidates(same_place), REWORD_THRESHOLD):
            matches[index] = tid
    automatic = len(matches)

    # Pairs the clerk accepted (suggestions or their own).
    seq_to_old = {t.seq: t for t in old}
    seq_to_new = {t.seq: i for i, t in enumerate(new)}
    accepted: list[tuple[int, int]] = []
    for old_seq, new_seq in pairs:
        if (old_seq, new_seq) in accepted:
            continue
        old_task = seq_to_old.get(old_seq)
        if old_task is None:
            raise UserError(f"《{plan.title}》中没有序号为 {old_seq} 的任务(或它已取消),无法与新表序号 {new_seq} 配对,"
                            "台账没有改动。请对照修订预览中列出的序号。")
        if new_seq not in seq_to_new:
            raise UserError(f"文件“{name}”中没有序号为 {new_seq} 的任务,无法与原序号 {old_seq} 配对,台账没有改动。"
                            "请对照修订预览中列出的序号。")
        index = seq_to_new[new_seq]
        if old_task.id in taken:
            raise UserError(f"原序号 {old_seq} 的任务已与新表中的任务对应上了,不能再与新表序号 {new_seq} 配对,"
                            "台账没有改动。请只配对预览中列为“取消任务”和“新增任务”的两项。")
        if index in matches:
            raise UserError(f"新表序号 {new_seq} 的任务已与原有任务对应上了,不能再与原序号 {old_seq} 配对,"
                            "台账没有改动。请只配对预览中列为“取消任务”和“新增任务”的两项。")
        matches[index] = old_task.id
        taken.add(old_task.id)
        accepted.append((old_seq, new_seq))

    shared = automatic + len(accepted)
    if shared < max(1, MIN_SHARED * min(len(old), len(new))):
        raise UserError(
            f"文件“{name}”与《{plan.title}》几乎没有相同的任务(原有 {len(old)} 项,新表 "
            f"{len(new)} 项,能对应上的只有 {shared} 项),不像是它的修订版,台账没有改动。\n"
            "处理办法:请核对要修订的是哪一个分解表;如果这是另一份分解表,请作为新的分解表导入。")

    # Suggestions: below the threshold, in the same section, or at the same place when
    # the old task's section is gone from the new table (renamed).
    suggestions: list[Suggestion] = []
    free_new = [i for i in range(len(new)) if i not in matches]
    free_old = [t for t in old if t.id not in taken]
    new_sections = set(new_paths)
    scored = []
    near = neighbours(free_old)
    for index in free_new:
        for cand in near(index, True, True):
            if cand.path == new_paths[index] or cand.path not in new_sections:
                scored.append((similarity(old_text[cand.id], new_text[index]), abs(cand.seq - new[index].seq),
                               index, cand.id))
    offered_new: set[int] = set()
    offered_old: set[int] = set()
    for ratio, _, index, tid in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if ratio < SUGGEST_FLOOR or index in offered_new or tid in offered_old:
            continue
        offered_new.add(index)
        offered_old.add(tid)
        suggestions.append(Suggestion(by_id[tid].seq, new[index].seq, tid, old_text[tid], new_text[index],
                                      round(ratio, 2)))
    # A task moved to another section *and* reworded is neither in its section nor at
    # its place: still offered when its words are as alike as a rewording's. Only the
    # few left over are compared plan-wide (bounded, so a file of another plan stays quick).
    rest_new = [i for i in free_new if i not in offered_new]
    rest_old = [t for t in free_old if t.id not in offered_old]
    if rest_new and rest_old and len(rest_new) * len(rest_old) <= MOVED_PAIRS_LIMIT:
        matcher = SequenceMatcher(autojunk=False)
        wide = []
        for index in rest_new:
            matcher.set_seq2(squash(new_text[index]))
            for cand in rest_old:
                matcher.set_seq1(squash(old_text[cand.id]))
                if matcher.real_quick_ratio() >= REWORD_THRESHOLD and matcher.quick_ratio() >= REWORD_THRESHOLD:
                    ratio = matcher.ratio()
                    if ratio >= REWORD_THRESHOLD:
                        wide.append((ratio, abs(cand.seq - new[index].seq), index, cand.id))
        for ratio, _, index, tid in sorted(wide, key=lambda s: (-s[0], s[1], s[2])):
            if index in offered_new or tid in offered_old:
                continue
            offered_new.add(index)
            offered_old.add(tid)
            suggestions.append(Suggestion(by_id[tid].seq, new[index].seq, tid, old_text[tid], new_text[index],
                                          round(ratio, 2)))
    suggestions.sort(key=lambda s: s.old_seq)

    changes: list[RevisionChange] = []
    if squash(parsed.title) != squash(plan.title):
        changes.append(RevisionChange(ChangeKind.TITLE, None, None, None, plan.title, parsed.title))
    unchanged = 0
    for index, tid in sorted(matches.items()):
        before, task = by_id[tid], new[index]
        own: list[RevisionChange] = []
        if squash(before.title) != squash(task.title) or squash(before.requirement) != squash(task.requirement):
            own.append(RevisionChange(ChangeKind.REWORDED, before.seq, task.seq, tid, old_text[tid], new_text[index]))
        if before.units != _new_units(task, known):
            own.append(RevisionChange(ChangeKind.UNITS, before.seq, task.seq, tid, units_display(before.unit_names),
                                      units_display([(u.name, u.role.value) for u in task.units])))
        if squash(before.deadline_text) != squash(task.deadline.text):
            due = task.deadline.due_date.isoformat() if task.deadline.due_date else None
            own.append(RevisionChange(ChangeKind.DEADLINE, before.seq, task.seq, tid,
                                      deadline_display(before.deadline_text, before.due_date),
                                      deadline_display(task.deadline.text, due)))
        if before.path != new_paths[index]:
            own.append(RevisionChange(ChangeKind.SECTION, before.seq, task.seq, tid, path_display(before.path),
                                      path_display(new_paths[index])))
        changes += own
        unchanged += not own
    added = [i for i in range(len(new)) if i not in matches]
    for index in added:
        task = new[index]
        changes.append(RevisionChange(ChangeKind.ADDED, None, task.seq, None, "", new_text[index]))
    removed = [t.id for t in old if t.id not in taken]
    for tid in removed:
        changes.append(RevisionChange(ChangeKind.REMOVED, by_id[tid].seq, None, tid, old_text[tid], ""))
    changes.sort(key=lambda c: (KIND_ORDER.index(c.kind), c.new_seq or 0, c.old_seq or 0))

    notes = []
    today = today or date.today()
    past_due = [new[i].seq for i in added if new[i].deadline.due_date is not None and new[i].deadline.due_date < today]
    for index in added:
        task = new[index]
        if task.seq in past_due:
            notes.append(f"新增的序号 {task.seq} 完成时限({task.deadline.text})已过(到期日 {task.deadline.due_date}),"
                         "写入后即列为逾期。")
    for change in changes:
        if change.kind != ChangeKind.DEADLINE or by_id[change.task_id].status not in _OPEN_STATUSES:
            continue
        task = new[next(i for i, tid in matches.items() if tid == change.task_id)]
        if task.deadline.due_date is not None and task.deadline.due_date < today:
            notes.append(f"序号 {change.new_seq} 的完成时限改为“{task.deadline.text}”,已过(到期日 "
                         f"{task.deadline.due_date}),任务还没有完成,写入后即列为逾期。")
    cancelled_before = len(old_all) - len(old)
    if cancelled_before:
        notes.append(f"分解表中另有 {cancelled_before} 项已取消的任务,不参加比对,保持原样。")
    notes += _derived_notes(ledger, [by_id[tid] for tid in removed])
    return RevisionPreview(
        plan_id=plan_id, plan_title=plan.title, year=plan.year, sha256=sha256, parsed=parsed, changes=changes,
        suggestions=suggestions, matches={i: tid for i, tid in matches.items()}, added=added, removed=removed,
        unchanged=unchanged, pairs=tuple(accepted), fingerprint=fingerprint, notes=notes, past_due=past_due)


def _derived_notes(ledger: Ledger, removed: list[OldTask]) -> list[str]:
    """The county plan's tasks issued from tasks this revision withdraws: they stay as
    they are (the county's departments may have reported on them), so say so."""
    if not removed:
        return []
    seq_of = {t.id: t.seq for t in removed}
    marks = ",".join("?" * len(seq_of))
    hanging: dict[int, list[tuple[int, int]]] = {}
    for plan_id, seq, source in ledger.db.execute(
            f"SELECT plan_id, seq, derived_from FROM tasks WHERE derived_from IN ({marks}) AND status != ?"
            " ORDER BY plan_id, seq", [*seq_of, Status.CANCELLED.value]):
        hanging.setdefault(plan_id, []).append((seq, seq_of[source]))
    return [f"本级分解表《{ledger.plan(plan_id).title}》中序号 {'、'.join(str(s) for s, _ in pairs)} 的任务由将取消的原序号 "
            f"{'、'.join(str(o) for o in dict.fromkeys(o for _, o in pairs))} 生成,修订后保留在本级分解表中"
            "(不再汇总到已取消的任务);本级也不再做的,请在本级分解表中标为“已取消”。"
            for plan_id, pairs in hanging.items()]


def revision_candidates(plans: Iterable[Plan], title: str, year: int, sha256: str) -> list[Plan]:
    """Plans a freshly read file may revise: the same title (spaces ignored) and year,
    but another file. The import wizard offers a revision for these."""
    return [p for p in plans
            if p.year == year and squash(p.title) == squash(title) and p.source_sha256 != sha256]


def plans_matching(ledger: Ledger, title: str, year: int, sha256: str) -> list[int]:
    """The ids of :func:`revision_candidates` in this ledger."""
    return [p.id for p in revision_candidates(ledger.plans(), title, year, sha256)]
