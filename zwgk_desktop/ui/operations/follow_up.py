"""催办单 sent from the window: the files written and the sending recorded, as
``zwgk remind`` does, in a worker on its own connection (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ...core.errors import UserError
from ...core.follow_up import UnitLag, record_follow_ups
from ...core.follow_up_summary import default_reply_by
from ...core.ledger import Ledger
from ...core.quarters import Quarter

PDF, DOCX = "pdf", "docx"


@dataclass(slots=True)
class ReminderJob:
    """What the clerk chose: which units (as shown), where, in what form."""

    plan_id: int
    lags: list[UnitLag]
    output: Path  # a .pdf/.docx file, or a folder when ``one_file`` is False
    kind: str = PDF
    one_file: bool = True
    reply_by: date = field(default_factory=default_reply_by)
    office: str = ""
    contact: str = ""
    today: date = field(default_factory=date.today)
    with_fill_in: bool = False
    quarter: Quarter | None = None  # the quarter chased (the window's 进展季度); None: the plan's default


@dataclass(slots=True)
class ReminderResult:
    files: list[Path] = field(default_factory=list)
    sent: list[tuple[str, str, int]] = field(default_factory=list)  # unit, file name, tasks
    recorded: bool = False
    missing: str = ""
    fill_ins: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def shown_path(self) -> Path | None:
        """The file 打开文件 opens; 打开所在文件夹 opens its folder."""
        return self.files[0] if self.files else None


def write_reminders(own: Ledger, job: ReminderJob) -> ReminderResult:
    """As ``zwgk remind``: render the notices, record them as sent (one change), then the
    fill-in workbooks beside them if asked. Runs on the worker's own connection."""
    from ...core.evidence.names import safe_file_part
    from ...core.quarters import default_quarter
    from ...io.fill_in import write_fill_ins
    from ...io.output_files import write_error
    from ...io.remind_docx import render_reminders_docx
    from ...io.remind_pdf import notices_for, render_reminders

    lags = [lag for lag in job.lags if lag.tasks]
    if not lags:
        raise UserError("所选单位没有需要催办的任务,没有生成催办单,台账没有改动。")
    if job.reply_by < job.today:
        raise UserError(f"回复期限 {job.reply_by.isoformat()} 早于落款日期 {job.today.isoformat()},"
                        "没有生成催办单。请改一个日期。")
    quarter = job.quarter or default_quarter(own.plan(job.plan_id).year, job.today)
    notices = notices_for(own, job.plan_id, lags, reply_by=job.reply_by, office=job.office,
                          issued_on=job.today, contact=job.contact, quarter=quarter)
    result = ReminderResult()
    written: list[tuple[UnitLag, str | None]] = []
    if job.one_file:
        if job.kind == DOCX:
            render_reminders_docx(notices, job.output)
        else:
            result.missing = render_reminders(notices, job.output).missing
        result.files.append(job.output)
        written = [(lag, job.output.name) for lag in lags]
        folder = job.output.parent
    else:
        folder = job.output
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_error(folder / f"催办单.{job.kind}", exc) from exc
        for lag, notice in zip(lags, notices):
            name = f"催办单-{safe_file_part(lag.unit)}.{job.kind}"
            if job.kind == DOCX:
                render_reminders_docx([notice], folder / name)
            else:
                result.missing = result.missing or render_reminders([notice], folder / name).missing
            result.files.append(folder / name)
            written.append((lag, name))
    result.sent = [(lag.unit, name or "", len(lag.tasks)) for lag, name in written]
    if own.read_only:
        result.notes.append("台账是只读打开的(写保护的 U 盘或只读的共享文件夹),这次催办没有记入台账。")
    else:
        record_follow_ups(own, job.plan_id, written, reply_by=job.reply_by, office=job.office,
                          quarter=quarter)
        result.recorded = True
    if job.with_fill_in:
        if own.read_only:
            result.notes.append("台账是只读的,没有生成填报表(填报表要记下发记录,汇总时才能对上)。")
        else:
            batch = write_fill_ins(own, job.plan_id, quarter, folder,
                                   units=[lag.unit for lag in lags])
            result.fill_ins = [Path(item.path) for item in batch.written]
            result.notes.extend(batch.skipped)
    return result
