"""Last year's carried items in the new year: the list (:func:`carryover_items`), the new
plan's tasks suggested for each (:func:`suggest_matches`), and the clerk's matches
(:func:`set_matches`). Matching never changes the new plan's tasks: it only records
which new task continues which item (``matched_task_id``), and
:func:`carried_note_for` lets the task panel show the item's last note beside it."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

from .errors import NotFoundError, UserError
from .ledger import Ledger
from .model import Status

#: How alike (0..1, difflib's ratio of the two requirement texts) a new task must be
#: to be suggested for an item, and applied by ``zwgk carryover --match --apply``.
MATCH_THRESHOLD = 0.6


@dataclass(slots=True)
class CarryItem:
    """A row of the carry-over list, with the new task it was matched to (if any)."""

    id: int
    from_task_id: int | None
    from_plan_title: str
    from_year: int
    to_year: int
    seq: int | None
    section: str
    requirement: str
    units_text: str
    deadline_text: str
    status: str
    last_progress: str
    matched_task_id: int | None
    matched_seq: int | None = None
    matched_text: str | None = None


@dataclass(slots=True)
class MatchSuggestion:
    """The new task most like an item (None when no task comes near), and how alike."""

    item: CarryItem
    task_id: int | None
    task_seq: int | None
    task_text: str
    score: float
    alternatives: list[tuple[int, int, float]] = field(default_factory=list)  # (task id, seq, score)

    @property
    def above_threshold(self) -> bool:
        return self.task_id is not None and self.score >= MATCH_THRESHOLD


def carryover_items(ledger: Ledger, year: int | None = None) -> list[CarryItem]:
    """The carry-over list (of one year, or all), oldest rollover first, in table order."""
    where, params = ("WHERE c.to_year = ?", [year]) if year is not None else ("", [])
    rows = ledger.db.execute(
        "SELECT c.id, c.from_task_id, c.from_plan_title, c.from_year, c.to_year, c.seq, c.section, c.requirement,"
        " c.units_text, c.deadline_text, c.status, c.last_progress, c.matched_task_id, t.seq, t.requirement"
        f" FROM carryover c LEFT JOIN tasks t ON t.id = c.matched_task_id {where}"
        " ORDER BY c.to_year, c.from_year, c.from_plan_title, c.seq, c.id", params).fetchall()
    return [CarryItem(*row) for row in rows]


def _squash(text: str) -> str:
    """Only the words count: punctuation, numbering and spaces differ between years."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if ch.isalnum())


#: Up to this many (item, task) pairs every task is compared with every item; beyond
#: it (a plan of thousands of tasks) only the tasks sharing the item's rarer two-character
#: words are: comparing 200 items with 20,000 tasks one by one took minutes.
FULL_SCAN_PAIRS = 50_000
_NEAR_TASKS = 60  # tasks compared per item in a large plan
_NEAR_BUDGET = 6_000  # postings read per item to find them


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def _near_tasks(texts: dict[int, tuple[int, str, str]]):
    """For a large plan: task ids sharing most of an item's rarer bigrams, the rarest
    read first, a bounded number of postings per item."""
    postings: dict[str, list[int]] = {}
    for tid, (_, _, squashed) in texts.items():
        for gram in _bigrams(squashed):
            postings.setdefault(gram, []).append(tid)

    def near(text: str) -> list[int]:
        counts: dict[int, int] = {}
        read = 0
        for gram in sorted(_bigrams(text), key=lambda g: len(postings.get(g, ()))):
            found = postings.get(gram, ())
            if read and read + len(found) > _NEAR_BUDGET:
                break
            read += len(found)
            for tid in found:
                counts[tid] = counts.get(tid, 0) + 1
        return sorted(counts, key=lambda tid: (-counts[tid], texts[tid][0]))[:_NEAR_TASKS]
    return near


def suggest_matches(ledger: Ledger, plan_id: int) -> list[MatchSuggestion]:
    """For each item carried to the plan's year, the plan's task most like it.

    Each new task is suggested for at most one item (the most alike pair first), so
    applying never links two items to one task by accident; an item already matched
    keeps its task. Nothing is written."""
    plan = ledger.plan(plan_id)
    items = carryover_items(ledger, plan.year)
    tasks = ledger.db.execute("SELECT id, seq, requirement, COALESCE(title, '') FROM tasks WHERE plan_id = ?"
                              " AND status != ? ORDER BY seq", [plan_id, Status.CANCELLED.value]).fetchall()
    texts = {tid: (seq, req, _squash(title + req)) for tid, seq, req, title in tasks}
    scored: dict[int, list[tuple[float, int]]] = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    floor = MATCH_THRESHOLD / 2  # alternatives worth showing; much less is noise
    near = _near_tasks(texts) if len(items) * len(texts) > FULL_SCAN_PAIRS else None
    for item in items:
        matcher.set_seq2(_squash(item.requirement))
        found = []
        for tid in (near(_squash(item.requirement)) if near is not None else texts):
            squashed = texts[tid][2]
            matcher.set_seq1(squashed)
            if matcher.real_quick_ratio() >= floor and matcher.quick_ratio() >= floor:
                score = matcher.ratio()
                if score >= floor:
                    found.append((score, tid))
        found.sort(key=lambda pair: (-pair[0], texts[pair[1]][0]))
        scored[item.id] = found
    taken = {item.matched_task_id for item in items if item.matched_task_id is not None}
    chosen: dict[int, tuple[float, int]] = {}
    pairs = sorted(((score, item.id, tid) for item in items if item.matched_task_id is None
                    for score, tid in scored[item.id]), key=lambda p: (-p[0], p[1], texts[p[2]][0]))
    for score, item_id, tid in pairs:
        if item_id not in chosen and tid not in taken:
            chosen[item_id] = (score, tid)
            taken.add(tid)
    result = []
    for item in items:
        alternatives = [(tid, texts[tid][0], round(score, 3)) for score, tid in scored[item.id][:5]]
        if item.matched_task_id is not None:
            tid = item.matched_task_id
            score = next((s for s, t in scored[item.id] if t == tid), 0.0)
        else:
            score, tid = chosen.get(item.id, (0.0, None))
        seq, text = (texts[tid][0], texts[tid][1]) if tid in texts else (item.matched_seq, item.matched_text or "")
        result.append(MatchSuggestion(item, tid, seq, text, round(score, 3), alternatives))
    return result


def set_matches(ledger: Ledger, pairs: dict[int, int | None], *, origin: str | None = None) -> int:
    """Record which new task continues each item (None unlinks). One transaction, one
    audit row; the new plan's tasks are not touched. Returns how many links changed.

    A task must belong to a plan of the item's year: an item carried to 2025 is never
    linked to a task of 2023."""
    if not pairs:
        return 0
    marks = ",".join("?" * len(pairs))
    items = {row[0]: row for row in ledger.db.execute(
        f"SELECT id, to_year, matched_task_id, seq, requirement FROM carryover WHERE id IN ({marks})", list(pairs))}
    for item_id, task_id in pairs.items():
        if item_id not in items:
            raise NotFoundError(f"没有编号为 {item_id} 的结转事项。可用 zwgk carryover 查看结转事项及其编号。")
        if task_id is None:
            continue
        row = ledger.db.execute("SELECT p.year, p.title FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = ?",
                                [task_id]).fetchone()
        if row is None:
            raise NotFoundError(f"台账中没有编号为 {task_id} 的任务。任务编号可用 zwgk carryover --match 分解表编号 查看。")
        if row[0] != items[item_id][1]:
            raise UserError(f"编号为 {task_id} 的任务属于 {row[0]} 年的《{row[1]}》,而结转事项 {item_id} 是结转到"
                            f" {items[item_id][1]} 年的,不能对应。请选择 {items[item_id][1]} 年分解表中的任务。")
    changed = {i: t for i, t in pairs.items() if items[i][2] != t}
    if not changed:
        return 0
    with ledger.change("对应结转事项", "carryover", next(iter(changed)) if len(changed) == 1 else None,
                       before=[{"item": i, "matched_task_id": items[i][2]} for i in changed],
                       after=[{"item": i, "matched_task_id": t} for i, t in changed.items()], origin=origin):
        ledger.db.conn.executemany("UPDATE carryover SET matched_task_id = ? WHERE id = ?",
                                   [(t, i) for i, t in changed.items()])
    return len(changed)


def carried_note_for(ledger: Ledger, task_id: int) -> str | None:
    """What last year's matched item said, for the new task's panel: the year, its 序号,
    its status then and its last progress note. None when no item is linked to the task."""
    rows = ledger.db.execute(
        "SELECT from_year, from_plan_title, seq, status, last_progress FROM carryover WHERE matched_task_id = ?"
        " ORDER BY from_year DESC, id", [task_id]).fetchall()
    if not rows:
        return None
    parts = []
    for year, title, seq, status, note in rows:
        where = f"{year}年《{title}》" + (f"序号 {seq}" if seq is not None else "")
        said = f"最后进展:{note}" if note.strip() else "没有填写过进展"
        parts.append(f"上年结转:{where},当时{status};{said}")
    return "\n".join(parts)
