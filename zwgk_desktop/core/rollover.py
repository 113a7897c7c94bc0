"""A new year: last year's unfinished long-term work carried forward.

The 要点 of a new year arrives weeks after the old year ends, and many of its tasks
continue last year's (长期坚持, 持续推进, 常态化, 每季度…). A rollover writes down,
before that plan arrives, which of last year's tasks were still going on and where
each stood (status, last progress note), so the clerk can match them against the new
plan when it comes. The words are copied, not only the task's id: the list may live in
a new ledger folder for the new year, where last year's ids mean nothing.

Nothing of last year is changed: in the same ledger only ``carryover`` rows (and one
audit row) are written; into a new folder the source ledger is only read. Units,
groups, ``unit_mapping`` and ``ledger_settings`` are ledger-wide, so in the same
ledger they carry themselves; a new folder gets a copy.

The list of carried items and their matches against the new plan are in
core/carryover.py (importable from here too).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .carryover import (
    MATCH_THRESHOLD,
    CarryItem,
    MatchSuggestion,
    carried_note_for,
    carryover_items,
    set_matches,
    suggest_matches,
)
from .deadlines import DeadlineKind
from .errors import UserError
from .ledger import LEDGER_FILE, Ledger, now_text
from .model import Status, Task
from .task_periods import plan_recurrences

__all__ = [
    "MATCH_THRESHOLD",
    "AlreadyRolledOverError",
    "CarryCandidate",
    "CarryItem",
    "MatchSuggestion",
    "RolloverResult",
    "carried_note_for",
    "carry_candidates",
    "carry_reason",
    "carryover_items",
    "check_into",
    "check_new_folder",
    "check_to_year",
    "rollover",
    "set_matches",
    "suggest_matches",
]


#: A --to year further ahead than this is taken for a typing slip (2205 for 2025).
MAX_YEARS_AHEAD = 5

_SETTLED = (Status.DONE, Status.NOT_APPLICABLE, Status.CANCELLED)
# 全年 is not among them: it means "during this year" (due 12月31日), the same as
# 年底前, and a plan of 全年 tasks would otherwise carry every one of them.
_LONG_TERM_KINDS = {
    DeadlineKind.ONGOING: "长期/常态化",
    DeadlineKind.RECURRING: "定期",
}
# Words that say the work goes on past the year. 长期护理保险 is an insurance and
# 可持续发展 a kind of development, not durations: they stay out.
_LONG_TERM_WORDS = re.compile(r"长期坚持|(?<!可)持续|常态化|长期(?!护理)")


class AlreadyRolledOverError(UserError):
    """The plan was rolled over to that year in this ledger before (``again`` replaces)."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


@dataclass(slots=True)
class CarryCandidate:
    """One task of last year's plan that carries over, and why (shown to the clerk)."""

    task_id: int
    seq: int
    section: str
    requirement: str
    units_text: str
    deadline_text: str
    status: Status
    last_progress: str
    reason: str


@dataclass(slots=True)
class RolloverResult:
    """What a rollover wrote: into which ledger folder, for which year, how much."""

    plan_title: str
    from_year: int
    to_year: int
    folder: Path
    new_ledger: bool
    items: int
    replaced: int = 0
    units: int = 0
    groups: int = 0
    mappings: int = 0
    settings: int = 0

    @property
    def summary(self) -> str:
        """Plain Chinese for the CLI and the dialog."""
        if not self.items and not self.new_ledger and not self.replaced:
            return (f"《{self.plan_title}》({self.from_year}年)中没有未完成的长期、常态化或定期任务,"
                    "没有需要结转的事项,台账没有改动。单位名录、上下级单位对应和台账设置本来就在本台账中,继续有效。")
        what = (f"已把《{self.plan_title}》({self.from_year}年)中 {self.items} 项未完成的长期任务"
                f"列为结转到 {self.to_year} 年的事项")
        if self.new_ledger:
            return (f"{what},写入新台账“{self.folder}”;同时带去单位名录 {self.units} 个单位"
                    f"(其中 {self.groups} 个群组)、上下级单位对应 {self.mappings} 条、台账设置 {self.settings} 项。"
                    f"原台账没有改动。新一年的分解表导入新台账后,可用“对照上年结转事项”逐项对应。")
        replaced = f"(替换了原来的 {self.replaced} 项)" if self.replaced else ""
        return (f"{what}{replaced}。单位名录、上下级单位对应和台账设置本来就在本台账中,继续有效;"
                f"上年的任务没有改动。新一年的分解表导入后,可用“对照上年结转事项”逐项对应。")


def carry_reason(task: Task, *, recurring: bool = False) -> str | None:
    """Why ``task`` carries into next year, or None when it does not. The one place
    the rule lives: not settled (已完成/不适用/已取消), and long-term by its deadline
    kind (ongoing, recurring, or marked recurring by hand) or by the words of its
    deadline or requirement (长期坚持/持续/常态化/长期). A dated task (12月底前, and
    全年, which is "within the year") that is merely late does not carry: it belongs to
    last year's account."""
    if task.status in _SETTLED:
        return None
    if task.deadline_kind in _LONG_TERM_KINDS:
        return f"完成时限为{_LONG_TERM_KINDS[task.deadline_kind]}({task.deadline_text or '未写'})"
    if recurring:
        return "定期任务"
    for label, text in (("完成时限", task.deadline_text), ("任务内容", task.requirement)):
        found = _LONG_TERM_WORDS.search(text or "")
        if found:
            return f"{label}写有“{found.group(0)}”"
    return None


def carry_candidates(ledger: Ledger, plan_id: int) -> list[CarryCandidate]:
    """The tasks of ``plan_id`` that a rollover would list, in table order."""
    ledger.plan(plan_id)  # a clear message for a plan that is not there
    recurring = plan_recurrences(ledger, plan_id)
    units_text = dict(ledger.db.execute("SELECT id, units_text FROM tasks WHERE plan_id = ?", [plan_id]).fetchall())
    result = []
    for task in ledger.tasks(plan_id):
        reason = carry_reason(task, recurring=task.id in recurring)
        if reason is None:
            continue
        notes = [p for p in task.progress if p.text.strip()]  # newest quarter first
        result.append(CarryCandidate(
            task_id=task.id, seq=task.seq, section=" › ".join(task.section), requirement=task.requirement,
            units_text=units_text.get(task.id) or ", ".join(u.name for u in task.units),
            deadline_text=task.deadline_text, status=task.status,
            last_progress=notes[0].text if notes else "", reason=reason))
    return result


def check_to_year(from_year: int, to_year: int, title: str) -> None:
    """Refuse a year that is not after the plan's (or is far off: a typing slip)."""
    if to_year <= from_year:
        raise UserError(f"《{title}》是 {from_year} 年的分解表,只能结转到之后的年份,不能结转到 {to_year} 年。"
                        f"请写 --to {from_year + 1} 这样更晚的年份。")
    if to_year > from_year + MAX_YEARS_AHEAD:
        raise UserError(f"结转年份 {to_year} 比分解表的年份 {from_year} 晚了 {to_year - from_year} 年,"
                        f"看起来写错了。请检查 --to(通常是 {from_year + 1})。")


def check_new_folder(folder: Path) -> None:
    """A new ledger goes only into an empty or new folder: nothing there is overwritten
    or mixed with the new year's ledger."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"“{folder}”是一个文件,不是文件夹。请为新一年的台账指定一个新的或空的文件夹。")
    if folder.is_dir() and any(folder.iterdir()):
        what = "一个台账" if (folder / LEDGER_FILE).exists() else "其他文件"
        raise UserError(f"文件夹“{folder}”里已经有{what},不能在这里新建新一年的台账。"
                        "请指定一个新的或空的文件夹。")
    if not folder.parent.is_dir():
        raise UserError(f"找不到文件夹“{folder.parent}”,无法在其中新建台账“{folder.name}”。请先建立上一级文件夹,"
                        "或检查 U 盘、网络文件夹是否还连接着。")


def _previous_rows(ledger: Ledger, plan_id: int, to_year: int) -> int:
    return ledger.db.execute(
        "SELECT COUNT(*) FROM carryover WHERE to_year = ? AND from_task_id IN (SELECT id FROM tasks WHERE plan_id = ?)",
        [to_year, plan_id]).fetchone()[0]


def _chosen(candidates: list[CarryCandidate], task_ids: list[int] | None, title: str) -> list[CarryCandidate]:
    if task_ids is None:
        return candidates
    by_id = {c.task_id: c for c in candidates}
    stray = [tid for tid in task_ids if tid not in by_id]
    if stray:
        raise UserError(f"编号为 {stray[0]} 的任务不在《{title}》可结转的任务中(只有未完成的长期、常态化、"
                        "定期任务可以结转)。请从可结转的任务中选择。")
    wanted = set(task_ids)
    return [c for c in candidates if c.task_id in wanted]


def _row(c: CarryCandidate, title: str, from_year: int, to_year: int, *, keep_id: bool, at: str,
         by: str) -> dict[str, object]:
    return {"from_task_id": c.task_id if keep_id else None, "from_plan_title": title, "from_year": from_year,
            "to_year": to_year, "seq": c.seq, "section": c.section, "requirement": c.requirement,
            "units_text": c.units_text, "deadline_text": c.deadline_text, "status": c.status.value,
            "last_progress": c.last_progress, "matched_task_id": None, "created_at": at, "created_by": by}


def _insert_items(ledger: Ledger, rows: list[dict[str, object]]) -> None:
    if rows:
        columns = list(rows[0])
        ledger.db.conn.executemany(
            f"INSERT INTO carryover ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [[r[c] for c in columns] for r in rows])


def rollover(ledger: Ledger, plan_id: int, to_year: int, *, into: str | Path | None = None,
             task_ids: list[int] | None = None, again: bool = False) -> RolloverResult:
    """Start ``to_year``'s work from ``plan_id``: list its unfinished long-term tasks
    (all candidates, or only ``task_ids``) in this ledger, or in a new ledger folder
    ``into`` together with the unit directory, unit mapping and settings.

    One transaction with one audit row in the ledger that is written; the source is
    never changed beyond that (with ``into`` it is only read). A second rollover of the
    same plan to the same year in the same ledger is refused unless ``again``, which
    replaces the earlier list (and its matches) in the same transaction."""
    plan = ledger.plan(plan_id)
    check_to_year(plan.year, to_year, plan.title)
    chosen = _chosen(carry_candidates(ledger, plan_id), task_ids, plan.title)
    if into is not None:
        return _rollover_into(ledger, plan.title, plan.year, to_year, chosen, Path(into))
    previous = _previous_rows(ledger, plan_id, to_year)
    if previous and not again:
        raise AlreadyRolledOverError(
            f"《{plan.title}》已经结转到 {to_year} 年({previous} 项),没有重复结转。"
            "如要按现在的情况重新列出(原来的结转事项及其对应关系会被替换),请加 --again。", previous)
    at, by = now_text(), ledger.user
    rows = [_row(c, plan.title, plan.year, to_year, keep_id=True, at=at, by=by) for c in chosen]
    if not rows and not previous:  # nothing to list: nothing written, not even an audit row
        return RolloverResult(plan.title, plan.year, to_year, ledger.folder, new_ledger=False, items=0)
    with ledger.change("结转到新年度", "plan", plan_id,
                       before={"replaced": previous} if previous else None,
                       after={"to_year": to_year, "items": len(rows), "tasks": [c.task_id for c in chosen]}):
        if previous:
            ledger.db.execute(
                "DELETE FROM carryover WHERE to_year = ? AND from_task_id IN (SELECT id FROM tasks WHERE plan_id = ?)",
                [to_year, plan_id])
        _insert_items(ledger, rows)
    return RolloverResult(plan.title, plan.year, to_year, ledger.folder, new_ledger=False, items=len(rows),
                          replaced=previous)


def _ledger_wide(ledger: Ledger) -> dict[str, list[tuple]]:
    """What the new year's ledger takes along: the 单位名录 (ids kept, so groups keep
    their members), 上下级单位对应 and the office's settings."""
    db = ledger.db
    return {
        "units": db.execute("SELECT id, name, key, contact FROM units ORDER BY id").fetchall(),
        "unit_members": db.execute("SELECT group_id, member_id, position FROM unit_members").fetchall(),
        "unit_mapping": db.execute("SELECT superior, local, position, set_at, set_by FROM unit_mapping").fetchall(),
        "ledger_settings": db.execute("SELECT key, value FROM ledger_settings").fetchall(),
    }


_COPY_SQL = {
    "units": "INSERT INTO units (id, name, key, contact) VALUES (?, ?, ?, ?)",
    "unit_members": "INSERT INTO unit_members (group_id, member_id, position) VALUES (?, ?, ?)",
    "unit_mapping": "INSERT INTO unit_mapping (superior, local, position, set_at, set_by) VALUES (?, ?, ?, ?, ?)",
    "ledger_settings": "INSERT INTO ledger_settings (key, value) VALUES (?, ?)",
}


def check_into(source_folder: str | Path, folder: str | Path) -> None:
    """Refuse a new year's folder that is the ledger itself, inside it (also through a
    link), a file, or not empty; the dry run asks the same as the rollover."""
    shown = Path(os.path.abspath(folder))
    real, here = Path(os.path.realpath(folder)), Path(os.path.realpath(source_folder))
    if real == here:
        raise UserError(f"“{shown}”就是现在的台账。新一年的台账请指定一个新的或空的文件夹;"
                        "要在本台账中结转,请不写 --into。")
    if real.is_relative_to(here):
        raise UserError(f"“{shown}”在现在的台账文件夹里面。新一年的台账请放在台账文件夹之外的新的或空的文件夹。")
    check_new_folder(shown)


def _rollover_into(source: Ledger, title: str, from_year: int, to_year: int, chosen: list[CarryCandidate],
                   folder: Path) -> RolloverResult:
    folder = Path(os.path.abspath(folder))
    check_into(source.folder, folder)
    existed = folder.exists()
    copied = _ledger_wide(source)
    at, by = now_text(), source.user
    rows = [_row(c, title, from_year, to_year, keep_id=False, at=at, by=by) for c in chosen]
    try:
        with Ledger.open(folder, create=True) as new, new.change(
                "结转到新年度", "carryover", None,
                after={"from_plan": title, "from_year": from_year, "to_year": to_year,
                       "from_ledger": str(source.folder), "items": len(rows), "units": len(copied["units"]),
                       "unit_mapping": len(copied["unit_mapping"]),
                       "ledger_settings": len(copied["ledger_settings"])}):
            for table, values in copied.items():
                new.db.conn.executemany(_COPY_SQL[table], values)
            _insert_items(new, rows)
    except BaseException:
        _remove_new_ledger(folder, existed)
        raise
    groups = len({group for group, _, _ in copied["unit_members"]})
    return RolloverResult(title, from_year, to_year, folder, new_ledger=True, items=len(rows),
                          units=len(copied["units"]), groups=groups, mappings=len(copied["unit_mapping"]),
                          settings=len(copied["ledger_settings"]))


def _remove_new_ledger(folder: Path, existed: bool) -> None:
    """A rollover that failed leaves no half-made ledger behind: the folder was new or
    empty, so everything in it is ours."""
    try:
        if existed:
            for child in folder.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        else:
            shutil.rmtree(folder)
    except OSError:
        pass
