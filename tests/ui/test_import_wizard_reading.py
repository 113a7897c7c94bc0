"""The import wizard on the tables clerks really receive: why each column
got its meaning, the year asked when the file prints none, one deadline for a table
without a deadline column, and a reading that looks wrong said plainly before importing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.ui.import_wizard import ImportWizard

from .conftest import ROWS, write_xlsx


@pytest.fixture
def open_wizard(qtbot, tmp_path):
    wizards: list[ImportWizard] = []

    def start(path: Path) -> ImportWizard:
        Ledger.open(tmp_path / "ledger").close()  # the window's ledger exists: the wizard never creates one
        wizard = ImportWizard(tmp_path / "ledger", path)
        qtbot.addWidget(wizard)
        wizards.append(wizard)
        wizard.start()
        qtbot.waitUntil(wizard.isVisible, timeout=5000)
        return wizard

    yield start
    for wizard in wizards:
        wizard.close()


def due_column(wizard: ImportWizard) -> list[str]:
    model = wizard.preview
    return [model.index(r, 5).data() for r in range(model.rowCount())]


def test_each_column_says_why_it_got_its_meaning(open_wizard, plan_xlsx):
    wizard = open_wizard(plan_xlsx)
    reasons = [label.text() for label in wizard.reason_labels]
    assert reasons[1] == "表头“具体要求”,内容多为长句"
    assert reasons[2] == "表头“责任单位”"
    assert reasons[4].startswith("备注")
    assert wizard.mapping_combos[1].toolTip() == reasons[1]


def test_a_file_without_a_year_asks_for_it(open_wizard, tmp_path, qtbot):
    path = write_xlsx(tmp_path / "任务表.xlsx", ROWS, title="某区政务公开工作任务分解表")
    wizard = open_wizard(path)
    assert wizard.year.text() == "请选择"
    assert "没有写年份" in wizard.summary.text()
    assert not wizard.import_button.isEnabled()
    wizard.year.setValue(2025)
    assert wizard.import_button.isEnabled()
    assert "没有写年份" not in wizard.summary.text()
    assert due_column(wizard) == ["2025-12-31", "无具体日期", "2025-09-30", "2025-11-30"]


def test_the_year_arrows_start_from_this_year(open_wizard, tmp_path):
    from datetime import date

    path = write_xlsx(tmp_path / "任务表.xlsx", ROWS, title="某区政务公开工作任务分解表")
    wizard = open_wizard(path)
    wizard.year.stepBy(1)
    assert wizard.year.value() == date.today().year


def test_one_deadline_for_a_table_without_a_deadline_column(open_wizard, tmp_path):
    rows = [[r[0], r[1], r[2]] for r in ROWS]
    path = write_xlsx(tmp_path / "2024年无时限.xlsx", rows, header=["工作任务", "具体要求", "责任单位"])
    wizard = open_wizard(path)
    assert "没有“完成时限”一列" in wizard.summary.text()
    assert due_column(wizard) == ["无具体日期"] * 4
    assert wizard.preview.data(wizard.preview.index(0, 0), 8) is None  # no yellow rows
    wizard.default_deadline.setText("12月底前")
    wizard.default_deadline.editingFinished.emit()
    assert due_column(wizard) == ["2024-12-31"] * 4


def test_a_reading_that_looks_wrong_is_said_before_importing(open_wizard, tmp_path, qtbot, monkeypatch):
    rows = [[r[0], r[1], "", "按上级要求"] for r in ROWS]
    path = write_xlsx(tmp_path / "2024年空单位.xlsx", rows, header=["工作任务", "具体要求", "责任单位", "完成时限"])
    wizard = open_wizard(path)
    text = wizard.summary.text()
    assert "读取结果可能不对" in text and "责任单位" in text and "完成时限" in text
    asked: list[str] = []

    def no(parent, title, message, *args):
        asked.append(message)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    wizard.confirm()
    assert len(asked) == 1 and "责任单位" in asked[0]
    assert wizard.outcome is None and wizard.isVisible()

    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.confirm()
    assert wizard.outcome.task_count == 4


def test_the_unit_directory_splits_names_typed_together(qtbot, tmp_path, open_ledger):
    from zwgk_desktop.core import unit_directory

    folder = tmp_path / "ledger"
    ledger = open_ledger(folder)
    unit_directory.add_unit(ledger, "区委网信办")
    unit_directory.add_unit(ledger, "区政务服务中心")
    rows = [[r[0], r[1], "区委网信办区政务服务中心" if i == 1 else r[2], r[3]] for i, r in enumerate(ROWS)]
    path = write_xlsx(tmp_path / "2024年连写.xlsx", rows, header=["工作任务", "具体要求", "责任单位", "完成时限"])
    wizard = ImportWizard(folder, path)
    qtbot.addWidget(wizard)
    wizard.start()
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    assert wizard.preview.index(1, 3).data() == "区委网信办(牵头)、区政务服务中心"
    wizard.close()
