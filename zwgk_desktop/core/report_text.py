"""The 季度报告's own sentences and marks: full-width punctuation for our templates
(:func:`zh`), dates and rates as printed, the summary paragraph, and the sentences that
open part 二 (overdue tasks) and part 三 (催办单). The PDF and Word writers print them
as they are; the numbers come from :class:`~.report_data.ReportData`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .units import unit_key

if TYPE_CHECKING:  # (report_data imports this module)
    from .report_data import ReportData

# Printed text uses full-width punctuation. The templates below are written with ASCII
# , ; : ( ) and go through zh() (editors and tools turn full-width forms into ASCII
# silently); data from the ledger (unit names, task texts) is never translated.
_FULL_WIDTH = str.maketrans({",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "(": "\uff08",
                             ")": "\uff09", "?": "\uff1f", "!": "\uff01"})


def zh(template: str) -> str:
    """Full-width punctuation for a template of our own (never for ledger data)."""
    return template.translate(_FULL_WIDTH)


NO_SECTION = zh("(未分章节)")
NO_UNIT = zh("(未写明责任单位)")
LEAD_MARK = zh("(牵头)")


def format_rate(rate: float) -> str:
    """62.5% as printed in the report: one decimal, none when whole."""
    text = f"{rate * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def follow_up_intro(data: ReportData) -> str:
    """The sentence that opens 三、本季度催办情况 (its table follows it)."""
    rows = data.follow_ups or []
    if not rows:
        return zh("{}没有发出催办单。").format(data.quarter.label)
    units = len({unit_key(r.unit) for r in rows})
    tasks = len({seq for r in rows for seq in r.seqs})
    return zh("{}共发出催办单 {} 份,涉及 {} 个单位、{} 项任务,情况如下:").format(
        data.quarter.label, len(rows), units, tasks)


def summary_sentences(data: ReportData) -> list[str]:
    """The summary paragraph, sentence by sentence (the PDF prints them as one paragraph).

    The words say what the numbers count. 应完成 is said only of what is due by the
    quarter's last day: of every counted item when all are ("本季度应完成 N 项(其中定期任务
    M 项次),已完成 K 项……"), else apart, after the counts of all the tasks in scope
    ("其中完成时限在9月30日以前(含当日)、本季度应完成的 …"; the rest are not due yet).
    The tasks listed and the items counted add up: a recurring task is counted by the
    periods due in the quarter, and one with none is named as listed but not counted."""
    t = data.totals
    as_of = cn_date(data.as_of)
    where = f"《{data.plan.title}》" if data.plan.title else "本年度任务分解表"
    recurring = data.recurring_rows
    if recurring:
        uncounted = len(data.uncounted_rows)
        counted = len(recurring) - uncounted
        by_period = zh("按本季度到期的期次计 {} 项次").format(data.period_count)
        not_counted = zh("本季度没有到期的期次,不计入统计")  # listed all the same
        if counted and uncounted:
            ways = zh(" {} 项:{} 项{};{} 项{}").format(len(recurring), counted, by_period, uncounted, not_counted)
        else:
            ways = f" {len(recurring)} 项" + (by_period if counted else not_counted)
        lines = [zh("本报告统计{}中{},共 {} 项任务,其中定期任务{}。").format(
            where, data.scope_text, len(data.rows), ways)]
    else:
        lines = [zh("本报告统计{}中{},共 {} 项。").format(where, data.scope_text, t.total)]
    if not t.total:
        lines.append("统计范围内没有任务。" if not data.rows else "本季度没有应完成的任务。")
        return lines
    all_due = data.due_counts.total == t.total
    head = ""
    if recurring:
        items = zh("(其中定期任务 {} 项次)").format(data.period_count) if data.period_count else ""
        head = (zh("本季度应完成 {} 项{},") if all_due else zh("计入统计的 {} 项{}中,")).format(t.total, items)
    parts = [f"已完成 {t.done} 项", f"推进中 {t.in_progress} 项", f"未启动 {t.not_started} 项"]
    if recurring:
        missing = sum(1 for row in recurring for item in row.periods if item.status is None)
        if missing:
            parts[-1] += zh("(含定期任务未报 {} 项次)").format(missing)
    if t.not_applicable:
        parts.append(f"不适用 {t.not_applicable} 项")
    rate = f"完成率 {t.completion_text}" + (zh("(不适用的任务不计入)") if t.not_applicable else "")
    lines.append(zh("截至{},{}{};{}。").format(as_of, head, zh(",").join(parts), rate))
    if not all_due:
        lines.append(due_sentence(data))
    overdue = data.overdue
    if overdue:
        seqs = "、".join(str(row.seq) for row in overdue[:30]) + ("等" if len(overdue) > 30 else "")
        lines.append(zh("已过完成时限仍未完成的任务 {} 项(序号 {}),具体情况见第二部分。").format(len(overdue), seqs))
    else:
        lines.append("没有已过完成时限仍未完成的任务。")
    return lines


def due_sentence(data: ReportData) -> str:
    """What of the counted items the quarter asked for (due by its last day), and what
    is not due yet or has no date: for a report that counts every task in scope."""
    due, t = data.due_counts, data.totals
    later = t.total - due.total - data.undated
    if not due.total and not data.undated:
        return zh("其中没有本季度应完成的任务,{} 项的完成时限都在本季度以后。").format(later)
    end = f"{data.as_of.month}月{data.as_of.day}日"
    if due.total:
        text = zh("其中本季度应完成(完成时限在{}以前,含当日)的 {} 项,已完成 {} 项").format(end, due.total, due.done)
    else:
        text = zh("其中没有本季度应完成(完成时限在{}以前,含当日)的任务").format(end)
    if later:
        text += zh(";完成时限在本季度以后的 {} 项").format(later)
    if data.undated:
        text += zh(";没有具体完成时限的 {} 项").format(data.undated)
    return text + "。"


def count_summary(data: ReportData) -> str:
    """The scope and what was counted in a few words, for the dialog's status line and the
    command line (screen text: ASCII punctuation, as theirs): "全部任务 59 项,计入统计 58 项
    (定期任务 1 项本季度没有到期的期次,不计入),其中本季度应完成 0 项"."""
    text = f"{data.scope_text} {len(data.rows)} 项"
    notes = []
    if data.period_count:
        notes.append(f"定期任务按本季度到期的期次计 {data.period_count} 项次")
    if data.uncounted_rows:
        notes.append(f"定期任务 {len(data.uncounted_rows)} 项本季度没有到期的期次,不计入")
    if notes or data.totals.total != len(data.rows):
        text += f",计入统计 {data.totals.total} 项" + (f"({';'.join(notes)})" if notes else "")
    if data.due_counts.total != data.totals.total:
        text += f",其中本季度应完成 {data.due_counts.total} 项"
    return text


OVERDUE_LISTED = 15  # up to this many overdue tasks are listed in full in part 二; more go by lead unit


def overdue_by_unit(data: ReportData) -> list[tuple[str, list[int]]]:
    """The overdue tasks by lead unit (序号 in table order), units with most first: part 二
    of a report with many overdue tasks (the full rows are in the detail table)."""
    groups: dict[str, list[int]] = {}
    for row in data.overdue:
        lead = row.units.split("、")[0].replace(LEAD_MARK, "") if row.units else NO_UNIT
        groups.setdefault(lead or NO_UNIT, []).append(row.seq)
    return sorted(groups.items(), key=lambda item: -len(item[1]))


def overdue_intro(data: ReportData) -> str:
    """The sentence that opens part 二 (its table follows it)."""
    overdue = data.overdue
    day = cn_date(data.as_of)
    if not overdue:
        return zh("截至{},统计范围内没有已过完成时限仍未完成的任务。").format(day)
    if len(overdue) <= OVERDUE_LISTED:
        return zh("截至{},以下 {} 项任务已过完成时限仍未完成,本季度进展如下:").format(day, len(overdue))
    return zh("截至{},{} 项任务已过完成时限仍未完成,按牵头单位列出如下;各项任务的具体要求、责任单位和"
              "本季度进展见附件明细表(“完成状态”一栏注明“逾期”)。").format(day, len(overdue))
