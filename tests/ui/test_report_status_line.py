"""The 季度报告 dialog's status line counts as the report does (QA: it said "全部任务 58
项" of the 任城 plan of 59 tasks, one of them a yearly task with nothing due in the
third quarter)."""

from __future__ import annotations

from pathlib import Path

from tests.io.report_sample import rencheng_ledger
from zwgk_desktop.ui import settings
from zwgk_desktop.ui.report_dialog import ReportDialog


def test_status_line_names_what_is_listed_counted_and_due(tmp_path: Path, open_ledger, qtbot, no_dialogs) -> None:
    ledger = open_ledger(tmp_path / "ledger")
    plan_id, _ = rencheng_ledger(ledger)
    settings.set_own_unit("")
    dialog = ReportDialog(ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.quarter.setCurrentIndex(dialog.quarter.findData("2023Q3"))
    dialog.generate_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert dialog.error is None
    text = dialog.status.text()
    assert "全部任务 59 项,计入统计 58 项(定期任务 1 项本季度没有到期的期次,不计入),其中本季度应完成 0 项" in text
    assert "全部任务 58 项" not in text and "已完成 5," in text
    dialog.reject()
