"""Part 三 of the 季度报告, 本季度催办情况: the 催办单 recorded for the quarter
(core/follow_up.py), one row each (when, to which unit, which tasks, what was missing,
the reply date), kept to the report's unit or section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .ledger import Ledger
from .quarters import Quarter
from .units import unit_key


@dataclass(slots=True)
class FollowUpRow:
    """One 催办单 sent for the quarter, as the report's short table prints it."""

    sent_on: date | None
    unit: str
    seqs: list[int]  # the tasks it named (序号, table order)
    matters: str  # what was missing: "逾期 2 项、无进展 1 项"
    reply_by: date | None

    @property
    def sent_text(self) -> str:
        return f"{self.sent_on.month}月{self.sent_on.day}日" if self.sent_on else "—"

    @property
    def seqs_text(self) -> str:
        return "、".join(map(str, self.seqs)) or "—"

    @property
    def reply_text(self) -> str:
        return f"{self.reply_by.month}月{self.reply_by.day}日" if self.reply_by else "未规定"


# What a 催办单 named as missing (core/follow_up.Lag values), in order, as the table words it.
_LAGS = {"已逾期": "逾期", "即将到期": "即将到期", "本季度无进展": "无进展", "本季度无佐证材料": "无佐证材料"}
_LAG_ORDER = tuple(_LAGS)


def follow_up_table(ledger: Ledger, plan_id: int, quarter: Quarter, unit: str | None,
                    task_scope: set[int] | None) -> list[FollowUpRow]:
    """The 催办单 recorded for ``quarter``: to ``unit`` only when given; naming tasks in
    ``task_scope`` only when given (a report for one section)."""
    from .follow_up import follow_ups, follow_ups_by_task

    sent = follow_ups(ledger, plan_id, quarter)
    if not sent:
        return []
    seq_of = dict(ledger.db.execute("SELECT id, seq FROM tasks WHERE plan_id = ?", [plan_id]).fetchall())
    missing: dict[tuple[int, int], list[str]] = {}
    for tid, entries in follow_ups_by_task(ledger, plan_id).items():
        for entry in entries:
            missing[(entry["id"], tid)] = list(entry.get("missing") or [])
    rows: list[FollowUpRow] = []
    for item in sent:
        if unit is not None and unit_key(item.unit) != unit_key(unit):
            continue
        tids = [tid for tid in item.task_ids if task_scope is None or tid in task_scope]
        if not tids:
            continue
        tally: dict[str, int] = {}
        for tid in tids:
            for lag in missing.get((item.id, tid), []):
                tally[lag] = tally.get(lag, 0) + 1
        ordered = sorted(tally, key=lambda lag: (_LAG_ORDER.index(lag) if lag in _LAG_ORDER else len(_LAG_ORDER)))
        matters = "、".join(f"{_LAGS.get(lag, lag)} {tally[lag]} 项" for lag in ordered) or "—"
        rows.append(FollowUpRow(sent_on=_day(item.sent_at), unit=item.unit,
                                seqs=sorted(seq_of[tid] for tid in tids if tid in seq_of),
                                matters=matters, reply_by=_day(item.reply_by)))
    return rows


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def quarter_follow_up_count(ledger: Ledger, plan_id: int, quarter: Quarter) -> int:
    """How many 催办单 were recorded for the plan and quarter (the dialog offers the
    follow-up section when there are any)."""
    from .follow_up import follow_ups

    return len(follow_ups(ledger, plan_id, quarter))
