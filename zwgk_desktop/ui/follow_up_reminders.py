"""The 催办单 side of 督办 (ui/follow_up_view.py): the choices on screen made into a
``ReminderJob``, where to write (a file, or a folder for one file per unit), the
writing and recording in a worker (operations.follow_up.write_reminders, on its own
connection), and what the clerk reads when it is done or fails. The office signed
with is remembered for the next 催办单 and the next 季度报告.

A mixin of ``FollowUpDialog`` (it uses the dialog's choices, status line and list).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from ..core.errors import UserError
from ..core.follow_up import UnitLag
from ..core.follow_up_summary import default_office
from . import settings as app_settings
from .background import BackgroundTask
from .failure_text import failure_text
from .file_dialogs import choose_folder, save_file
from .operations.follow_up import PDF, ReminderJob, ReminderResult, write_reminders
from .operations.run import run_on_ledger

OFFICE_KEY = "follow_up/office"
#: The office the clerk last signed with anywhere: a 季度报告's 填报单位 or a 催办单's 落款.
SIGNED_OFFICE_KEY = "sign/office"
REPORT_UNIT_KEY = "report/title_unit"
CONTACT_KEY = "follow_up/contact"


def remember_signed_office(name: str) -> None:
    """The office just signed with (report or 催办单): the next 催办单 starts from it."""
    if name.strip():
        app_settings.settings().setValue(SIGNED_OFFICE_KEY, name.strip())


def last_signed_office() -> str:
    return str(app_settings.settings().value(SIGNED_OFFICE_KEY, "") or "")


class ReminderWriting:
    def _show_error(self, message: str) -> None:
        self.error = message
        self.status.setStyleSheet("color: #b3261e;")
        self.status.setText(message)

    def job(self, output: Path, lags: list[UnitLag]) -> ReminderJob:
        """The choices on screen, for these units, written to ``output``."""
        return ReminderJob(plan_id=self.plan_id, lags=lags, output=output, kind=self.kind.currentData(),
                           one_file=len(lags) == 1 or self.one_file.isChecked(),
                           reply_by=self.reply_by.date(), office=self.office.text().strip() or default_office(self.plan),
                           contact=self.contact.text().strip(), today=self.today,
                           with_fill_in=self.with_fill_in.isChecked(), quarter=self.quarter)

    def ask_output(self, lags: list[UnitLag]) -> Path | None:
        """Where to write: a file (one unit, or all in one file), or a folder."""
        from ..core.evidence.names import safe_file_part

        kind = self.kind.currentData()
        if len(lags) > 1 and self.per_unit.isChecked():
            return choose_folder(self, "选择保存催办单的文件夹", "follow_up")
        name = f"催办单-{safe_file_part(lags[0].unit)}" if len(lags) == 1 else "催办单"
        pattern = "PDF 文件 (*.pdf)" if kind == PDF else "Word 文档 (*.docx)"
        return save_file(self, "保存催办单", f"{name}.{kind}", pattern, "follow_up")

    def generate(self) -> bool:
        """生成催办单 for the selected units: ask where, then write and record in a
        worker. True when the writing started."""
        if self.running:
            return False
        lags = [lag for lag in (self.lag_of(u) for u in self.selected_units()) if lag is not None and lag.tasks]
        if not lags:
            self._show_error("请先在上表中选择要催办的单位(可按住 Ctrl 或 Shift 选择多个,或点“全选”)。")
            return False
        if self.reply_by.date() < self.today:
            self._show_error(f"回复期限 {self.reply_by.date().isoformat()} 早于今天 {self.today.isoformat()},"
                             "请改一个日期。")
            return False
        output = self.ask_output(lags)
        if output is None:
            return False
        job = self.job(output, lags)
        stored = app_settings.settings()
        stored.setValue(OFFICE_KEY, job.office)
        remember_signed_office(job.office)
        stored.setValue(CONTACT_KEY, job.contact)
        self.error = None
        self.result = None
        self.generate_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(f"正在生成 {len(lags)} 个单位的催办单……")
        self._task = BackgroundTask(self, "正在生成催办单……")
        run_on_ledger(self._task, self.ledger.folder, lambda own: write_reminders(own, job), self._written,
                      what="生成催办单", parent=self, failed=self._failed, unchanged="台账没有改动。")
        return True

    def _written(self, result: ReminderResult) -> None:
        if self._closed:
            return
        self.result = result
        self.refresh()  # 已催办 shows the record
        where = result.files[0] if len(result.files) == 1 else result.files[0].parent
        recorded = ",已记入台账" if result.recorded else ""
        lines = [(f"已生成催办单:{len(result.sent)} 个单位,写入 {where}"
                  f"(回复期限 {self.reply_by.date().isoformat()}{recorded})。")]
        if result.fill_ins:
            lines.append(f"填报表 {len(result.fill_ins)} 份,在同一文件夹中(已记下发记录)。")
        if result.missing:
            lines.append("注意:" + result.missing)
        lines.extend(result.notes)
        self.status.setStyleSheet("color: #9a5b00;" if result.missing or result.notes else "")
        self.status.setText("\n".join(lines))
        if result.shown_path is not None:
            self.open_result.show_for(result.shown_path)

    def _failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._selection_changed()
        message = exc.message if isinstance(exc, UserError) else failure_text(exc, "生成催办单", unchanged="台账没有改动。")
        self._show_error(message)
        QMessageBox.warning(self, "生成催办单", message)
