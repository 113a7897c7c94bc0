"""The import wizard on a notice written as prose: the draft is shown as an
editable table (merge, split at the cursor, units and deadline, lines that are no
task moved out and back) and imported in one go; 另存为分解表 writes the .xlsx."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.work_points import FLAG_NO_UNIT
from zwgk_desktop.ui.draft_dialog import DraftDialog, DraftModel
from zwgk_desktop.ui.import_wizard import ImportWizard

NOTICE = """某某区人民政府办公室关于印发2024年某某区政务公开工作要点的通知
各街道办事处,区政府各部门:
现将工作要点印发给你们。
一、深化重点领域公开
(一)做好财政信息公开。公开预算决算信息(区财政局负责落实)。公开专项资金分配结果(区财政局、区审计局分别负责落实)。
公开政府债务信息。
二、加强平台建设
规范政府网站栏目(责任单位:区政府办公室,完成时限:6月底前)。
"""


@pytest.fixture
def notice(tmp_path: Path) -> Path:
    path = tmp_path / "要点.txt"
    path.write_text(NOTICE, encoding="utf-8")
    return path


@pytest.fixture
def open_draft(qtbot, tmp_path, no_dialogs):
    wizards: list[ImportWizard] = []

    Ledger.open(tmp_path / "ledger").close()  # the window's ledger: the import writes into it

    def start(path: Path) -> tuple[ImportWizard, DraftDialog]:
        wizard = ImportWizard(tmp_path / "ledger", path)
        qtbot.addWidget(wizard)
        wizards.append(wizard)
        wizard.start()
        qtbot.waitUntil(lambda: getattr(wizard, "draft_dialog", None) is not None
                        and wizard.draft_dialog.isVisible(), timeout=5000)
        qtbot.addWidget(wizard.draft_dialog)
        return wizard, wizard.draft_dialog

    yield start
    for wizard in wizards:
        wizard.close()


def rows(dialog: DraftDialog) -> list[list[str]]:
    model = dialog.model
    return [[model.index(r, c).data() for c in (1, 3, 4, 5, 6)] for r in range(model.rowCount())]


def model_tip(dialog: DraftDialog, row: int) -> str:
    from PySide6.QtCore import Qt

    return dialog.model.index(row, DraftModel.FLAGS).data(Qt.ItemDataRole.ToolTipRole)


SECTION_1 = "一、深化重点领域公开 › (一)做好财政信息公开"


def test_prose_opens_the_draft_instead_of_the_column_preview(open_draft, notice, qtmodeltester):
    wizard, dialog = open_draft(notice)
    assert not wizard.isVisible()
    qtmodeltester.check(dialog.model)
    assert rows(dialog) == [
        [SECTION_1, "公开预算决算信息。", "区财政局负责落实", "", ""],
        [SECTION_1, "公开专项资金分配结果。", "区财政局、区审计局分别负责落实", "", ""],
        [SECTION_1, "公开政府债务信息。", "", "", "未写责任单位"],
        ["二、加强平台建设", "规范政府网站栏目。", "区政府办公室", "6月底前", ""],
    ]
    assert model_tip(dialog, 2) == FLAG_NO_UNIT
    assert dialog.year.value() == 2024 and dialog.import_button.isEnabled()
    assert "未作为任务" in dialog.summary.text()
    assert [dialog.skipped.item(i).text() for i in range(dialog.skipped.count())][:2] == [
        "【前言】某某区人民政府办公室关于印发2024年某某区政务公开工作要点的通知", "【前言】各街道办事处,区政府各部门:"]


def test_edit_merge_split_drop_restore_then_import(open_draft, notice, qtbot, tmp_path):
    wizard, dialog = open_draft(notice)
    model = dialog.model
    # Units typed in the table.
    assert model.setData(model.index(2, DraftModel.UNITS), "区发改局")
    assert model.index(2, DraftModel.FLAGS).data() == ""
    # Merge the second task with the third.
    dialog.table.selectRow(1)
    assert dialog.merge_current()
    assert rows(dialog)[1] == [SECTION_1, "公开专项资金分配结果。公开政府债务信息。",
                               "区财政局、区审计局分别负责落实、区发改局", "", ""]
    # Split it again where the cursor stands (after the first full stop).
    cursor = dialog.editor.textCursor()
    cursor.setPosition(len("公开专项资金分配结果。"))
    dialog.editor.setTextCursor(cursor)
    assert dialog.split_at_cursor()
    assert [r[1] for r in rows(dialog)][1:3] == ["公开专项资金分配结果。", "公开政府债务信息。"]
    assert model.setData(model.index(2, DraftModel.UNITS), "区发改局")
    # A line that is no task goes to the list; taken back, it is the task it was.
    dialog.table.selectRow(2)
    assert dialog.drop_selected() == 1
    assert len(rows(dialog)) == 3
    dropped = [i for i in range(dialog.skipped.count()) if dialog.skipped.item(i).text().startswith("【已删除】")]
    assert [dialog.skipped.item(i).text() for i in dropped] == ["【已删除】公开政府债务信息。"]
    dialog.skipped.setCurrentRow(dropped[0])
    assert dialog.restore_selected() == 1
    assert [r[1] for r in rows(dialog)][1:3] == ["公开专项资金分配结果。", "公开政府债务信息。"]
    # A preamble line taken back as a task, then removed again for good.
    dialog.skipped.setCurrentRow(2)
    assert dialog.restore_selected() == 1
    assert rows(dialog)[0][1] == "现将工作要点印发给你们。"
    dialog.table.selectRow(0)
    dialog.drop_selected()
    # Deadline changed, then import: one plan with the edited tasks.
    assert model.setData(model.index(0, DraftModel.DEADLINE), "9月底前")
    with qtbot.waitSignal(wizard.imported, timeout=5000) as imported:
        dialog.confirm()
    assert wizard.outcome is not None and wizard.outcome.task_count == 4
    with Ledger.open(tmp_path / "ledger") as ledger:
        tasks = ledger.tasks(imported.args[0])
        assert [(t.seq, t.requirement, [u.name for u in t.units], t.deadline_text, str(t.due_date))
                for t in tasks] == [
            (1, "公开预算决算信息。", ["区财政局"], "9月底前", "2024-09-30"),
            (2, "公开专项资金分配结果。", ["区财政局", "区审计局", "区发改局"], "", "None"),
            (3, "公开政府债务信息。", ["区发改局"], "", "None"),
            (4, "规范政府网站栏目。", ["区政府办公室"], "6月底前", "2024-06-30"),
        ]
        assert [u.role.value for u in tasks[1].units] == ["lead", "lead", "lead"]  # 分别负责落实
        assert tasks[0].extra["原文"].startswith("(一)做好财政信息公开。")


def test_save_the_draft_as_the_countys_table(open_draft, notice, qtbot, tmp_path):
    _, dialog = open_draft(notice)
    target = tmp_path / "分解表.xlsx"
    dialog.save_table(target)
    qtbot.waitUntil(lambda: dialog.saved_to is not None, timeout=5000)
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A1"].value == "2024年某某区政务公开工作要点任务分解表"
    assert [c.value for c in sheet[2]] == ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
    with Ledger.open(tmp_path / "ledger") as ledger:
        assert ledger.plans() == []  # nothing imported


def test_no_year_in_the_text_asks_for_one(open_draft, tmp_path):
    path = tmp_path / "无年份.txt"
    path.write_text("一、做好公开\n公开财政信息(区财政局负责落实)。\n", encoding="utf-8")
    _, dialog = open_draft(path)
    assert not dialog.import_button.isEnabled() and "请在上方“年份”中选择" in dialog.summary.text()
    dialog.year.setValue(2024)
    assert dialog.import_button.isEnabled()


def test_cancel_closes_the_wizard_too(open_draft, notice, qtbot):
    wizard, dialog = open_draft(notice)
    with qtbot.waitSignal(wizard.rejected, timeout=5000):
        dialog.reject()


def test_attachment_lines_are_summarised(open_draft, tmp_path):
    path = tmp_path / "带附件.txt"
    path.write_text("一、做好公开\n公开财政信息(区财政局负责落实)。\n附件:2024年任务表\n"
                    + "\n".join(f"附件文字第{i}段。" for i in range(10)), encoding="utf-8")
    _, dialog = open_draft(path)
    texts = [dialog.skipped.item(i).text() for i in range(dialog.skipped.count())]
    assert texts == ["【附件】附件:2024年任务表", "【附件】附件文字第0段。", "【附件】附件文字第1段。",
                     "【附件】……以下还有 8 段附件文字"]
    dialog.skipped.setCurrentRow(3)
    assert dialog.restore_selected() == 0
    dialog.skipped.setCurrentRow(1)
    assert dialog.restore_selected() == 1
    assert dialog.model.tasks[-1].requirement == "附件文字第0段。"


def test_window_imports_a_prose_notice(make_window, open_ledger, tmp_path, notice, qtbot):
    ledger = open_ledger(tmp_path / "窗口台账")
    window = make_window(ledger)
    window.start_import(notice)
    wizard = window._import
    qtbot.waitUntil(lambda: getattr(wizard, "draft_dialog", None) is not None
                    and wizard.draft_dialog.isVisible(), timeout=5000)
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.draft_dialog.confirm()
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=5000)


def test_the_same_notice_again_asks_and_replaces(open_draft, notice, qtbot, no_dialogs):
    wizard, dialog = open_draft(notice)
    with qtbot.waitSignal(wizard.imported, timeout=5000) as first:
        dialog.confirm()
    again, second = open_draft(notice)
    second.model.setData(second.model.index(2, DraftModel.UNITS), "区发改局")
    with qtbot.waitSignal(again.imported, timeout=5000) as replaced:
        second.confirm()
    assert [(kind, title) for kind, title, _ in no_dialogs] == [("question", "文件已导入过")]
    assert replaced.args[0] == first.args[0] and second.outcome.replaced


def test_the_draft_dialog_is_guarded_against_the_wheel(open_draft, notice):
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

    from zwgk_desktop.ui.wheel_guard import is_guarded

    _wizard, dialog = open_draft(notice)
    boxes = [w for w in dialog.findChildren(QWidget) if isinstance(w, (QComboBox, QAbstractSpinBox))]
    assert boxes and all(is_guarded(w) for w in boxes)
