"""At 1366×768 (1366×728 once the taskbar is drawn), in normal and 大字模式, the merge,
rollover, 操作记录, 设置, 单位名录 and import dialogs fit the screen with their title bar,
and no label, button or drop-down text is cut without a tooltip (the helpers of
test_screen_fit.py and test_layout.py, which check the report and exchange dialogs and
the main window the same way). Screenshots land in /tmp/zwgk-dialog-shots."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox

from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui.audit_dialog import AuditDialog
from zwgk_desktop.ui.carryover_match_dialog import CarryoverMatchDialog
from zwgk_desktop.ui.import_wizard import ImportWizard
from zwgk_desktop.ui.merge_dialog import MergeDialog
from zwgk_desktop.ui.rollover_dialog import RolloverDialog
from zwgk_desktop.ui.settings_dialog import SettingsDialog
from zwgk_desktop.ui.unit_directory_dialog import UnitDirectoryDialog

from .test_exchange_dialogs import make_reply
from .test_file_dialogs_chinese import chinese_app  # noqa: F401 (a fixture)
from .test_rollover_dialog import _with_new_plan, old  # noqa: F401 (a fixture)
from .test_screen_fit import assert_fits, small_screen  # noqa: F401 (a fixture)

REPO = Path(__file__).resolve().parents[2]
SAMPLE_PLAN = REPO / "resources" / "sample" / "sample_plan.xlsx"
SHOTS = Path("/tmp") / "zwgk-dialog-shots"

# Qt's own words (关闭, 确定) as the app shows them: their width is what must fit.
pytestmark = pytest.mark.usefixtures("chinese_app")


def cut_drop_downs(dialog) -> list[tuple[str, int, int]]:
    """Drop-downs whose chosen text is wider than their field (test_layout's check of
    the main window's boxes), unless the box has a tooltip."""
    cut = []
    for combo in dialog.findChildren(QComboBox):
        if not combo.isVisible() or combo.toolTip() or not combo.currentText():
            continue
        option = QStyleOptionComboBox()
        combo.initStyleOption(option)
        field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                             QStyle.SubControl.SC_ComboBoxEditField, combo)
        needed = combo.fontMetrics().horizontalAdvance(combo.currentText())
        if field.width() < needed:
            cut.append((combo.currentText(), field.width(), needed))
    return cut


def check(dialog, qtbot, name: str, mode: str) -> None:
    assert_fits(dialog, qtbot)
    assert cut_drop_downs(dialog) == []
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / f"{name}-{mode}.png"))


@pytest.fixture
def plan_id(sample_ledger: Ledger) -> int:
    return sample_ledger.plans()[0].id


def test_merge_dialog_fits_with_a_preview(small_screen, sample_ledger, plan_id, qtbot, tmp_path, monkeypatch,
                                          no_dialogs):
    ids = {t.seq: t.id for t in sample_ledger.tasks(plan_id)}
    reply = make_reply(sample_ledger, plan_id, tmp_path, "区发改局", {
        3: {"进展情况": "三号。", "完成状态": "推进中"}, 5: {"进展情况": "五号。"}})
    sample_ledger.set_progress(ids[5], Quarter(2023, 3), "【区发改局】台账里后写的。")
    dialog = MergeDialog(sample_ledger, plan_id)
    dialog.load([str(reply)])
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20_000)
    check(dialog, qtbot, "merge", small_screen)


def test_rollover_dialogs_fit(small_screen, old, qtbot, no_dialogs):  # noqa: F811 (old is the fixture)
    ledger, plan_id = old
    check(RolloverDialog(ledger, plan_id), qtbot, "rollover", small_screen)
    new_plan = _with_new_plan(ledger, plan_id)
    check(CarryoverMatchDialog(ledger, new_plan), qtbot, "carryover", small_screen)


def test_audit_dialog_fits(small_screen, sample_ledger, plan_id, qtbot, no_dialogs):
    sample_ledger.set_progress(sample_ledger.task_ids(plan_id)[0], Quarter(2023, 3), "进展" * 80)
    dialog = AuditDialog(sample_ledger)
    check(dialog, qtbot, "audit", small_screen)
    # The sentences wrap (up to three lines, the tooltip has the rest) instead of ending in «…».
    table, line = dialog.table, dialog.table.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: table.rowHeight(0) > 2 * line)  # the long note: capped at three lines
    assert table.rowHeight(0) <= 3 * line + 8 and table.item(0, 2).toolTip() == dialog.lines[0].sentence
    for row in range(table.rowCount()):
        text = table.item(row, 2).text()
        needed = table.fontMetrics().horizontalAdvance(text) // max(table.columnWidth(2) - 12, 1) + 1
        assert table.rowHeight(row) >= min(needed, 3) * line, (row, text)


def test_settings_dialog_fits(small_screen, qtbot, no_dialogs):
    names = ["区政府办公室", "区发展和改革局", "中共济宁市任城区委机构编制委员会办公室(区委编办)" * 2]
    dialog = SettingsDialog(names)
    dialog.unit.setCurrentText(names[-1])
    check(dialog, qtbot, "settings", small_screen)


def test_unit_directory_dialog_fits(small_screen, sample_ledger, plan_id, qtbot, no_dialogs):
    check(UnitDirectoryDialog(sample_ledger, plan_id), qtbot, "units", small_screen)


def test_import_wizard_fits_with_a_long_file_name(small_screen, qtbot, tmp_path, no_dialogs):
    path = tmp_path / ("关于印发《2023年济宁市任城区政务公开工作要点》的通知附件1:"
                       "2023年济宁市任城区政务公开重点工作任务分解表(定稿).xlsx")
    path.write_bytes(SAMPLE_PLAN.read_bytes())
    folder = tmp_path / "ledger"
    Ledger.open(folder).close()
    wizard = ImportWizard(folder, path)
    qtbot.addWidget(wizard)
    wizard.start()
    qtbot.waitUntil(wizard.isVisible, timeout=10_000)
    check(wizard, qtbot, "import", small_screen)
    wizard.close()
