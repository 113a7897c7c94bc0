"""What a 季度报告 says, as plain data: the numbers, the tables and the task rows, all as
they stood on the quarter's last day. No Qt and no reportlab: the PDF writer
(io/pdf_report.py), the CLI and the dialog all read this.

Choices worth knowing (the tests pin them):

* Statuses come from the status history as of the quarter's last day
  (``Ledger.status_as_of``): printing 2023Q2 in December gives the July report.
  The progress note printed is the one written for that quarter.
* A task is *overdue at quarter end* when, on that day, it was 未启动 or 推进中 and its
  due date was on or before that day (the report is read after the day is over).
* The completion rate is 已完成 / (tasks in scope − 不适用), as in the app's summary.
* Scope: whole plan, or the tasks of one unit (牵头 or 配合, or a group it belongs to,
  as the app's 责任单位 filter finds them), and/or one section with everything under it;
  ``due_only`` keeps the tasks due on or before the quarter's last day.
* The table by section groups by top-level section; the table by unit groups by
  牵头单位 (each task counted once) and is given only for a report not limited to
  one unit, when its tasks have more than one lead unit.
* Evidence: items of this quarter or earlier, not in the 回收站.
* A recurring task (每月 / 每季度 / 每半年 / 每年 / 定期) is counted by its periods that fall
  due in the quarter (core/period_counts.py), one item (项次) each, done or not; its
  detail row prints those periods' statuses. One with no period due in the quarter
  (每半年 in the first quarter) is listed but not counted (``ReportData.uncounted_rows``:
  the sentences say so, so the tasks listed and the items counted add up). Non-recurring
  tasks are counted one task at a time, as before.
* 应完成 means due on or before the quarter's last day. Without ``due_only`` the counts
  take every task in scope, due or not, so ``ReportData.due_counts`` counts the items
  due by then apart (and ``undated`` the tasks with no date): "本季度应完成" is said only
  of those (a task due 12月底前 is not 应完成 in the third quarter).
* A revised table applied after the report's day does not reach back into it: the
  tasks it added are not in the report, and the tasks it renumbered or gave another
  完成时限 print the 序号 and 完成时限 they had on the day (read from the revision's
  audit rows, once per report: :func:`revisions_after`). Its new wording, units and
  sections print as they are now. A due date the clerk corrected by hand is a
  correction and holds for every quarter, as a corrected status day does.
* ``ReportScope.with_follow_ups`` adds the 催办单 sent for the quarter (core/follow_up.py):
  when, to which unit, which tasks, what was missing, the reply date. A report for one
  unit lists those sent to it; one for a section, those naming its tasks.

The numbers and rows are built here (:func:`build_report`); the printed sentences are in
core/report_text.py, part 三's rows in core/report_follow_ups.py, and the later
revisions read back in core/report_revisions.py. Their names are importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .errors import NotFoundError, UserError
from .ledger import Ledger
from .model import Evidence, Plan, Status, Task
from .period_counts import INHERITED_NOTE, PeriodItem, period_items, period_lines
from .quarters import Quarter
from .report_follow_ups import FollowUpRow, follow_up_table, quarter_follow_up_count
from .report_revisions import RevisionsAfter, revisions_after
from .report_text import (
    LEAD_MARK,
    NO_SECTION,
    NO_UNIT,
    OVERDUE_LISTED,
    cn_date,
    count_summary,
    due_sentence,
    follow_up_intro,
    format_rate,
    overdue_by_unit,
    overdue_intro,
    summary_sentences,
    zh,
)
from .task_periods import plan_recurrences
from .task_query import Summary, TaskFilter, statuses_on, task_ids
from .units import Role, unit_key

_OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which tasks a report covers. ``section_id`` wins over ``section``
    (a label, resolved with :func:`resolve_section`)."""

    unit: str | None = None
    section_id: int | None = None
    section: str | None = None
    due_only: bool = False
    with_follow_ups: bool = False  # list the 催办单 sent for the quarter (三、本季度催办情况)


@dataclass(slots=True)
class SignOff:
    preparer: str = ""
    reviewer: str = ""
    phone: str = ""
    date: date | None = None  # 填报日期; the printed date when not given


@dataclass(slots=True)
class Counts(Summary):
    """The screens' summary numbers, counted one task at a time as of a day."""

    @property
    def completion_text(self) -> str:
        return format_rate(self.completion) if self.base else "—"

    def add(self, status: Status, overdue: bool) -> None:
        if status == Status.CANCELLED:  # withdrawn by a revised table: kept, never counted
            self.cancelled += 1
            return
        self.total += 1
        if status == Status.DONE:
            self.done += 1
        elif status == Status.IN_PROGRESS:
            self.in_progress += 1
        elif status == Status.NOT_STARTED:
            self.not_started += 1
        else:
            self.not_applicable += 1
        self.overdue += overdue


@dataclass(slots=True)
class GroupRow:
    label: str
    counts: Counts


@dataclass(slots=True)
class DetailRow:
    task_id: int
    seq: int
    section: list[str]
    title: str | None
    requirement: str
    units: str  # as printed: lead first, "(牵头)" marked when there are several
    deadline_text: str
    due_date: date | None
    status: Status  # as of the quarter's last day
    status_since: date | None  # the day that status took effect
    overdue: bool
    progress: str  # this quarter's note
    evidence: list[str]
    recurrence: str | None = None  # 每月, 每季度 … for a recurring task
    periods: list[PeriodItem] = field(default_factory=list)  # its periods due in the quarter

    @property
    def period_text(self) -> str:
        """The periods' statuses in one line: "4月 已完成;5月 已完成;6月 未报"."""
        return "".join(period_lines(self.periods, zh(";")))

    @property
    def short_status(self) -> str:
        """The status as the 逾期 list prints it: for a recurring task, the periods still
        open, a line each ("6月 未报")."""
        open_ = [item.text for item in self.periods if not item.settled]
        return "\n".join(open_) if open_ else self.status.value

    @property
    def status_text(self) -> str:
        """As the detail table prints it: the status, then the day it was completed
        and whether it is overdue, each on a line of its own. A recurring task: each
        period due in the quarter on a line ("4月 已完成;" / "5月 已完成;" / "6月 未报")."""
        if self.recurrence is not None:
            if self.periods:
                text = "\n".join(period_lines(self.periods, zh(";")))
                if any(item.inherited for item in self.periods):
                    text += "\n" + zh(INHERITED_NOTE)
            else:
                text = self.status.value + "\n" + zh("({},本季度不计)").format(self.recurrence)
            if self.overdue:
                text += "\n" + zh("(逾期)")
            return text
        text = self.status.value
        if self.status == Status.DONE and self.status_since:
            text += "\n" + zh("({}月{}日)").format(self.status_since.month, self.status_since.day)
        if self.overdue:
            text += "\n" + zh("(逾期)")
        return text


@dataclass(slots=True)
class ReportData:
    plan: Plan
    quarter: Quarter
    scope: ReportScope
    scope_text: str  # e.g. "县财政局牵头或配合的任务"
    section_label: str | None
    title_unit: str
    printed_on: date
    totals: Counts
    by_section: list[GroupRow]
    by_unit: list[GroupRow]
    rows: list[DetailRow]
    sign_off: SignOff = field(default_factory=SignOff)
    with_evidence: bool = True
    follow_ups: list[FollowUpRow] | None = None  # None: not asked for (ReportScope.with_follow_ups)
    due_counts: Counts = field(default_factory=Counts)  # the items of ``totals`` due by the quarter's last day
    undated: int = 0  # the items of ``totals`` with no due date (长期坚持, 常态化)

    @property
    def as_of(self) -> date:
        return self.quarter.end

    @property
    def recurring_rows(self) -> list[DetailRow]:
        return [row for row in self.rows if row.recurrence is not None]

    @property
    def uncounted_rows(self) -> list[DetailRow]:
        """Recurring tasks listed with no period due in the quarter: in the detail table,
        not in the counts (a 每年 task due 12月底前 in the third quarter)."""
        return [row for row in self.rows if row.recurrence is not None and not row.periods]

    @property
    def period_count(self) -> int:
        """项次: the periods of recurring tasks counted in ``totals`` (已取消 ones are not)."""
        return sum(1 for row in self.rows for item in row.periods if item.status != Status.CANCELLED)

    @property
    def title(self) -> str:
        return f"{self.title_unit}{self.quarter.label}政务公开重点工作任务落实情况"

    @property
    def overdue(self) -> list[DetailRow]:
        return [row for row in self.rows if row.overdue]

    @property
    def period_text(self) -> str:
        start, end = self.quarter.start, self.quarter.end
        return f"{start.year}年{start.month}月{start.day}日至{end.month}月{end.day}日"


def resolve_section(ledger: Ledger, plan_id: int, label: str) -> int:
    """A section named by its label as printed ("一、深化政务公开" or just "一、"); spaces
    do not matter. Exact matches win; otherwise the label must start exactly one."""
    wanted = "".join(label.split())
    if not wanted:
        raise UserError("章节名称不能为空。")
    paths = ledger.section_paths(plan_id)
    squashed = {sid: "".join(path[-1].split()) for sid, path in paths.items()}
    exact = [sid for sid, text in squashed.items() if text == wanted]
    if len(exact) == 1:
        return exact[0]
    found = exact or [sid for sid, text in squashed.items() if text.startswith(wanted)]
    if len(found) == 1:
        return found[0]
    if not found:
        tops = [path[-1] for path in paths.values() if len(path) == 1][:12]
        listing = ";".join(tops) if tops else "(该分解表没有章节)"
        raise NotFoundError(f"分解表中没有名为“{label}”的章节。一级章节有:{listing}。")
    listing = ";".join(" / ".join(paths[sid]) for sid in found[:8])
    raise UserError(f"有 {len(found)} 个章节与“{label}”相符,请写出完整的章节名称:{listing}。")


def _check_unit(ledger: Ledger, name: str) -> None:
    row = ledger.db.execute("SELECT 1 FROM units WHERE key = ?", [unit_key(name)]).fetchone()
    if row is None:
        raise NotFoundError(f"台账中没有名为“{name}”的责任单位。请检查单位名称(应与分解表中写的一致)。")


def _units_text(task: Task) -> str:
    several = len(task.units) > 1
    return "、".join(u.name + LEAD_MARK if several and u.role == Role.LEAD else u.name for u in task.units)


def evidence_text(item: Evidence) -> str:
    """One item as a printed table lists it (this report, the Excel export): a file or
    note by its name, a page by its title and address (the address alone when it has no
    title of its own)."""
    if item.kind == "url" and item.url:
        return item.url if item.name in ("", item.url) else f"{item.name} {item.url}"
    return item.name


def build_report(ledger: Ledger, plan_id: int, quarter: Quarter, scope: ReportScope = ReportScope(), *,
                 title_unit: str | None = None, sign_off: SignOff | None = None,
                 with_evidence: bool = True, printed_on: date | None = None) -> ReportData:
    """Everything the report prints, as of ``quarter``'s last day."""
    plan = ledger.plan(plan_id)
    day = quarter.end
    unit = (scope.unit or "").strip() or None
    section_id = scope.section_id
    if section_id is None and scope.section:
        section_id = resolve_section(ledger, plan_id, scope.section)
    paths = ledger.section_paths(plan_id)
    if section_id is not None and section_id not in paths:
        raise NotFoundError(f"分解表 {plan_id} 中没有编号为 {section_id} 的章节。")
    if unit:
        _check_unit(ledger, unit)

    if unit or section_id is not None:
        ids = task_ids(ledger, TaskFilter(plan_id=plan_id, unit=unit, section_id=section_id))
        tasks = ledger.tasks(plan_id, only=ids) if ids else []
    else:
        tasks = ledger.tasks(plan_id)
    tasks = revisions_after(ledger, plan_id, day).as_of(tasks)  # a later revision does not reach back
    in_scope = {t.id for t in tasks}  # before due_only: the follow-ups' tasks are kept to these

    standing = statuses_on(ledger, plan_id, day)
    statuses = {tid: s.status for tid, s in standing.items()}
    rhythms = plan_recurrences(ledger, plan_id)
    periods = period_items(ledger, plan_id, quarter, statuses, as_of=day, only=in_scope, recurrences=rhythms)
    if scope.due_only:  # a recurring task is due in the quarter when one of its periods is
        tasks = [t for t in tasks if (bool(periods[t.id]) if t.id in periods
                                      else t.due_date is not None and t.due_date <= day)]
    recurrences = {tid: rhythms[tid].label for tid in periods}
    since = {tid: s.since for tid, s in standing.items() if s.since is not None}
    totals = Counts()
    due_counts = Counts()
    undated = 0
    by_section: dict[str, Counts] = {}
    by_unit: dict[str, Counts] = {}
    rows: list[DetailRow] = []
    for task in tasks:
        status = statuses.get(task.id, Status.NOT_STARTED)
        if status == Status.CANCELLED:  # withdrawn as of the report's day: not in the report
            totals.cancelled += 1
            continue
        section_counts = by_section.setdefault(task.section[0] if task.section else NO_SECTION, Counts())
        unit_counts = by_unit.setdefault(task.lead_unit or NO_UNIT, Counts())
        items = periods.get(task.id)
        if items is not None:  # recurring: one item per period due in the quarter
            overdue = False
            for item in items:  # each falls due in the quarter
                late = item.overdue_on(day)
                overdue = overdue or late
                for counts in (totals, section_counts, unit_counts, due_counts):
                    counts.add(item.counted_status, late)
        else:
            overdue = status in _OPEN and task.due_date is not None and task.due_date <= day
            due = task.due_date is not None and task.due_date <= day
            for counts in (totals, section_counts, unit_counts, *([due_counts] if due else [])):
                counts.add(status, overdue)
            undated += task.due_date is None
        progress = task.progress_for(quarter)
        note = progress.text if progress else ""
        evidence = [evidence_text(e) for e in sorted(task.evidence, key=lambda e: (e.quarter, e.id))
                    if e.quarter <= quarter and e.removed_at is None] if with_evidence else []
        rows.append(DetailRow(
            task_id=task.id, seq=task.seq, section=list(task.section), title=task.title,
            requirement=task.requirement, units=_units_text(task), deadline_text=task.deadline_text,
            due_date=task.due_date, status=status,
            status_since=since.get(task.id),
            overdue=overdue, progress=note, evidence=evidence,
            recurrence=recurrences.get(task.id), periods=list(items or [])))

    follow_up_rows = (follow_up_table(ledger, plan_id, quarter, unit,
                                      in_scope if unit or section_id is not None else None)
                      if scope.with_follow_ups else None)
    section_label = " / ".join(paths[section_id]) if section_id is not None else None
    if section_label and unit:
        scope_text = f"“{section_label}”部分中{unit}牵头或配合的任务"
    elif section_label:
        scope_text = f"“{section_label}”部分的任务"
    elif unit:
        scope_text = f"{unit}牵头或配合的任务"
    else:
        scope_text = "全部任务"
    if scope.due_only:
        scope_text += zh("中完成时限在{}月{}日以前(含当日)的任务").format(day.month, day.day)
    unit_rows = [GroupRow(label, counts) for label, counts in by_unit.items()]
    return ReportData(
        plan=plan, quarter=quarter,
        scope=ReportScope(unit, section_id, scope.section, scope.due_only, scope.with_follow_ups),
        scope_text=scope_text, section_label=section_label,
        title_unit=(title_unit if title_unit is not None else unit or "").strip(),
        printed_on=printed_on or date.today(), totals=totals,
        by_section=[GroupRow(label, counts) for label, counts in by_section.items()],
        by_unit=unit_rows if len(unit_rows) > 1 and not unit else [],
        rows=rows, sign_off=sign_off or SignOff(), with_evidence=with_evidence, follow_ups=follow_up_rows,
        due_counts=due_counts, undated=undated)


def quarter_choices(year: int, today: date | None = None) -> tuple[list[Quarter], Quarter]:
    """Quarters a report can be asked for (the plan's year and the first quarter of the
    next, when follow-up is reported), and the one to offer first: the quarter just
    ended during the first month of a quarter, else the current one, kept in the year."""
    today = today or date.today()
    choices = [Quarter(year, n) for n in range(1, 5)] + [Quarter(year + 1, 1)]
    current = Quarter.of(today)
    if today.month in (1, 4, 7, 10):
        current = current.previous()
    if current < choices[0]:
        current = choices[0]
    elif current > choices[3]:
        current = choices[3]
    return choices, current


__all__ = ["Counts", "DetailRow", "FollowUpRow", "GroupRow", "NO_SECTION", "NO_UNIT", "OVERDUE_LISTED", "ReportData", "ReportScope",
           "RevisionsAfter", "SignOff", "build_report", "count_summary", "due_sentence", "revisions_after", "follow_up_intro", "overdue_by_unit", "overdue_intro", "quarter_follow_up_count", "zh", "cn_date", "evidence_text", "format_rate", "quarter_choices",
           "resolve_section", "summary_sentences"]
