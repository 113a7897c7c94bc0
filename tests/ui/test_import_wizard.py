"""The import wizard: the preview of what was read, changing what a column means,
files whose headers mean nothing to the reader, broken files, importing twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.io import headers as H
from zwgk_desktop.ui.import_wizard import NOT_USED, ImportWizard

from .conftest import ROWS, SAMPLE_TASKS, write_xlsx

TITLE = "2024年某区政务公开工作任务分解表"


def preview_rows(wizard: ImportWizard) -> list[list[str]]:
    model = wizard.preview
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def due_column(wizard: ImportWizard) -> list[str]:
    return [row[5] for row in preview_rows(wizard)]


def meanings(wizard: ImportWizard) -> list[str | None]:
    return [combo.currentData() for combo in wizard.mapping_combos]


@pytest.fixture
def open_wizard(qtbot, tmp_path):
    """Start a wizard on a file and wait until it has read it and shown itself."""
    wizards: list[ImportWizard] = []

    def start(path: Path, folder: Path | None = None, parent=None) -> ImportWizard:
        folder = folder or tmp_path / "ledger"
        Ledger.open(folder).close()  # the window's ledger exists: the wizard never creates one
        wizard = ImportWizard(folder, path, parent)
        if parent is None:
            qtbot.addWidget(wizard)
        wizards.append(wizard)
        wizard.start()
        qtbot.waitUntil(wizard.isVisible, timeout=5000)
        return wizard

    yield start
    for wizard in wizards:
        wizard.close()


def test_preview_shows_what_was_read(open_wizard, plan_xlsx):
    wizard = open_wizard(plan_xlsx)
    assert wizard.windowTitle() == f"导入分解表 — {plan_xlsx.name}"
    assert preview_rows(wizard) == [
        ["1", "公开平台建设", "完善政府网站信息公开专栏。", "区政务服务中心", "12月底前", "2024-12-31"],
        ["2", "公开平台建设", "规范政务新媒体管理。", "区委网信办(牵头)、区政务服务中心", "长期坚持", "无具体日期"],
        ["3", "重点领域公开", "做好财政预决算公开。", "区财政局", "三季度前", "2024-09-30"],
        ["4", "重点领域公开", "公开重大建设项目批准和实施信息。", "区发改局", "11月底前", "2024-11-30"],
    ]
    assert meanings(wizard) == [H.HEADING, H.REQUIREMENT, H.UNITS, H.DEADLINE, None]
    assert [c.currentText() for c in wizard.mapping_combos][-1] == NOT_USED
    assert wizard.year.value() == 2024
    assert wizard.summary.text() == f"《{TITLE}》:读到 4 项任务、2 个章节、4 个责任单位。"
    tree = wizard.sections
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == ["公开平台建设", "重点领域公开"]
    assert wizard.import_button.isEnabled()
    assert not wizard.sheet.isEnabled()  # a single sheet: nothing to choose


def test_mapping_change_then_import_into_the_window(sample_window, sample_ledger, plan_xlsx, qtbot):
    window, ledger = sample_window, sample_ledger
    window.start_import(plan_xlsx)
    wizard = window._import
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    assert due_column(wizard) == ["2024-12-31", "无具体日期", "2024-09-30", "2024-11-30"]

    wizard.set_column_meaning(3, None)  # D 完成时限: 不导入
    wizard.set_column_meaning(4, H.DEADLINE)  # E 备注 holds the real deadline
    assert meanings(wizard) == [H.HEADING, H.REQUIREMENT, H.UNITS, None, H.DEADLINE]
    assert due_column(wizard) == ["2024-06-30", "2024-09-30", "2024-03-31", "2024-05-31"]
    assert [row[4] for row in preview_rows(wizard)] == [r[4] for r in ROWS]

    with qtbot.waitSignal(wizard.imported, timeout=5000) as imported:
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    plan_id = imported.args[0]
    assert not wizard.isVisible()
    assert wizard.outcome is not None and wizard.outcome.task_count == 4

    plan = ledger.plan(plan_id)
    assert (plan.title, plan.year, plan.source_name) == (TITLE, 2024, plan_xlsx.name)
    tasks = ledger.tasks(plan_id)
    assert [t.due_date for t in tasks] == [date(2024, 6, 30), date(2024, 9, 30), date(2024, 3, 31),
                                          date(2024, 5, 31)]
    assert [t.deadline_text for t in tasks] == [r[4] for r in ROWS]
    # the window switched to the new plan; the sample is still listed
    assert window.plan_combo.count() == 2
    assert window.plan_combo.currentData() == plan_id
    assert window.plan_combo.currentText() == TITLE
    assert window.plan.id == plan_id
    assert window.model.rowCount() == 4
    assert [window.model.index(r, 1).data() for r in range(4)] == [r[1] for r in ROWS]
    assert window.sections.topLevelItem(0).text(0) == "全部任务(4)"
    window.plan_combo.setCurrentIndex(window.plan_combo.findData(ledger.plans()[-1].id))
    assert window.model.rowCount() == SAMPLE_TASKS


def test_choosing_a_new_deadline_column_replaces_the_old_one(open_wizard, plan_xlsx):
    wizard = open_wizard(plan_xlsx)
    wizard.set_column_meaning(4, H.DEADLINE)  # what a clerk does first: pick the right column
    assert due_column(wizard) == ["2024-06-30", "2024-09-30", "2024-03-31", "2024-05-31"]
    assert meanings(wizard) == [H.HEADING, H.REQUIREMENT, H.UNITS, None, H.DEADLINE]


def test_changing_the_year_moves_the_due_dates(open_wizard, plan_xlsx):
    wizard = open_wizard(plan_xlsx)
    wizard.year.setValue(2025)
    assert due_column(wizard) == ["2025-12-31", "无具体日期", "2025-09-30", "2025-11-30"]
    wizard.set_column_meaning(0, None)  # the year survives a mapping change
    assert due_column(wizard) == ["2025-12-31", "无具体日期", "2025-09-30", "2025-11-30"]
    assert [row[1] for row in preview_rows(wizard)] == ["", "", "", ""]


def test_unrecognised_headers_wait_for_the_clerk(open_wizard, tmp_path, qtbot):
    rows = [[r[0], r[1], r[2], r[3]] for r in ROWS]
    # (the year in the file's name: a file printing no year at all waits for the year too)
    path = write_xlsx(tmp_path / "2024年表一.xlsx", rows, header=["栏一", "栏二", "栏三", "栏四"], title=None)
    wizard = open_wizard(path)
    text = wizard.summary.text()
    assert "没有找到表头" in text
    assert "表一.xlsx" in text
    assert "请在上面为各列选择含义,至少指定“具体要求”一列。" in text
    assert not wizard.import_button.isEnabled()
    assert wizard.preview.rowCount() == 0
    assert len(wizard.mapping_combos) == 4
    assert meanings(wizard) == [None, None, None, None]

    wizard.set_column_meaning(2, H.UNITS)  # still no requirement column: still blocked
    assert not wizard.import_button.isEnabled()
    assert "具体要求" in wizard.summary.text()

    wizard.set_column_meaning(1, H.REQUIREMENT)
    assert wizard.import_button.isEnabled()
    assert [row[2] for row in preview_rows(wizard)] == [r[1] for r in ROWS]
    assert preview_rows(wizard)[0][3] == "区政务服务中心"
    wizard.set_column_meaning(3, H.DEADLINE)
    assert [row[4] for row in preview_rows(wizard)] == [r[3] for r in ROWS]
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.confirm()
    assert wizard.outcome.task_count == 4


def test_a_broken_file_is_reported_and_nothing_is_imported(make_window, open_ledger, tmp_path, qtbot, no_dialogs):
    ledger = open_ledger(tmp_path / "ledger")
    window = make_window(ledger)
    broken = tmp_path / "乱码.xlsx"
    broken.write_bytes(b"\x00\x01 not a workbook " * 64)
    window.start_import(broken)
    qtbot.waitUntil(lambda: len(no_dialogs) == 1, timeout=5000)
    kind, title, text = no_dialogs[0]
    assert (kind, title) == ("warning", "无法导入")
    assert text.startswith("无法读取文件“乱码.xlsx”:")
    assert "处理办法" in text
    assert not window._import.isVisible()
    assert ledger.plans() == []
    assert window.stack.currentWidget() is window.welcome


def test_choose_import_file_with_cancel_does_nothing(sample_window, monkeypatch):

    asked: list[str] = []

    def cancel(parent, caption, folder, filters, *_options):
        asked.append(filters)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", cancel)
    sample_window.choose_import_file()
    assert len(asked) == 1 and "*.xlsx" in asked[0] and "*.docx" in asked[0]
    assert sample_window._import is None


def test_choose_import_file_imports_the_chosen_file(make_window, open_ledger, tmp_path, plan_xlsx, qtbot,
                                                    monkeypatch):

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args: (str(plan_xlsx), "任务分解表"))
    window = make_window(open_ledger(tmp_path / "ledger"))
    qtbot.mouseClick(window.welcome.import_button, Qt.MouseButton.LeftButton)
    wizard = window._import
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    assert wizard.path == plan_xlsx
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.confirm()
    assert window.model.rowCount() == 4


def _import(window, path: Path, qtbot) -> ImportWizard:
    window.start_import(path)
    wizard = window._import
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    return wizard


def test_importing_the_same_file_twice_asks_and_replaces(make_window, open_ledger, tmp_path, plan_xlsx,
                                                         qtbot, no_dialogs):
    ledger = open_ledger(tmp_path / "ledger")
    window = make_window(ledger)
    first = _import(window, plan_xlsx, qtbot)
    with qtbot.waitSignal(first.imported, timeout=5000) as imported:
        first.confirm()
    plan_id = imported.args[0]
    task_ids = ledger.task_ids(plan_id)
    ledger.set_status(task_ids[0], Status.DONE, date(2024, 3, 1))
    assert no_dialogs == []

    second = _import(window, plan_xlsx, qtbot)
    second.set_column_meaning(3, None)
    second.set_column_meaning(4, H.DEADLINE)
    with qtbot.waitSignal(second.imported, timeout=5000) as again:
        second.confirm()
    assert [(kind, title) for kind, title, _ in no_dialogs] == [("question", "文件已导入过")]
    assert "是否重新导入?" in no_dialogs[0][2]
    assert plan_xlsx.name in no_dialogs[0][2]
    assert again.args[0] == plan_id
    assert second.outcome.replaced is True
    assert [p.id for p in ledger.plans()] == [plan_id]
    assert ledger.task_ids(plan_id) == task_ids  # same tasks, matched by their text
    assert ledger.task(task_ids[0]).status == Status.DONE  # the clerk's work is kept
    assert ledger.task(task_ids[0]).due_date == date(2024, 6, 30)  # the new reading
    assert window.plan_combo.count() == 1
    assert window.model.rowCount() == 4
    assert [e.action for e in ledger.audit_log(3)][:2] == ["重新导入分解表", "设置状态"]


def test_importing_twice_and_answering_no_changes_nothing(make_window, open_ledger, tmp_path, plan_xlsx,
                                                          qtbot, monkeypatch):
    ledger = open_ledger(tmp_path / "ledger")
    window = make_window(ledger)
    first = _import(window, plan_xlsx, qtbot)
    with qtbot.waitSignal(first.imported, timeout=5000):
        first.confirm()
    audit_before = ledger.audit_log(1)[0].id

    asked: list[str] = []

    def no(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    second = _import(window, plan_xlsx, qtbot)
    second.confirm()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    assert second.isVisible()  # the clerk may still change the mapping or cancel
    assert second.outcome is None
    assert ledger.audit_log(1)[0].id == audit_before
    assert len(ledger.plans()) == 1


def test_preview_model_passes_the_model_tester(open_wizard, plan_xlsx, qtmodeltester):
    wizard = open_wizard(plan_xlsx)
    qtmodeltester.check(wizard.preview)
    wizard.set_column_meaning(3, None)
    qtmodeltester.check(wizard.preview)
    wizard.preview.set_tasks([])
    qtmodeltester.check(wizard.preview)
