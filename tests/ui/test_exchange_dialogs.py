"""Excel 交换 dialogs as a clerk uses them: export, send fill-ins to chosen units,
preview replies and apply the chosen changes, keep the unit directory. File dialogs
are replaced; the slow work runs in the background and is waited for by signal."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from zwgk_desktop.core import exchange as X
from zwgk_desktop.core import unit_directory as D
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io.fill_in import issue_fill_in
from zwgk_desktop.ui import export_dialog, fill_in_dialog, merge_dialog, unit_directory_dialog
from zwgk_desktop.ui.export_dialog import ExportExcelDialog
from zwgk_desktop.ui.file_dialogs import last_folder
from zwgk_desktop.ui.fill_in_dialog import FillInDialog
from zwgk_desktop.ui.merge_dialog import MergeDialog
from zwgk_desktop.ui.unit_directory_dialog import UnitDirectoryDialog

Q4 = Quarter(2023, 4)  # the sample plan is of 2023: its dialogs default to its last quarter


@pytest.fixture
def plan_id(sample_ledger: Ledger) -> int:
    return sample_ledger.plans()[0].id


def test_export_dialog(qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path, monkeypatch, no_dialogs) -> None:
    dialog = ExportExcelDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    assert dialog.selected_quarter() == Q4
    assert [dialog.quarter.itemText(i) for i in range(dialog.quarter.count())] == [
        "2023年第四季度", "2023年第三季度", "2023年第二季度", "2023年第一季度"]
    assert Path(dialog.path.text()).name == "2023年济宁市任城区政务公开重点工作任务分解表-2023年第四季度落实情况.xlsx"
    dialog.quarter.setCurrentIndex(1)
    assert Path(dialog.path.text()).name.endswith("-2023年第三季度落实情况.xlsx")
    target = tmp_path / "报上级"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Excel 工作簿 (*.xlsx)"))
    dialog.choose_path()
    assert dialog.path.text() == str(target) + ".xlsx"
    first = sample_ledger.task_ids(plan_id)[0]
    sample_ledger.set_progress(first, Quarter(2023, 3), "三季度进展。")
    with qtbot.waitSignal(dialog.exported, timeout=20_000) as signal:
        dialog.export_button.click()
    assert signal.args == [str(target) + ".xlsx"]
    assert dialog.status.text() == f"已导出到 {target}.xlsx"
    assert openpyxl.load_workbook(str(target) + ".xlsx").active["G5"].value == "三季度进展。"
    assert no_dialogs == []
    # the next step, one click away: the file itself, or its folder
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    assert not dialog.open_result.isHidden()
    dialog.open_result.open_file.click()
    dialog.open_result.open_folder.click()
    assert opened == [str(target) + ".xlsx", str(tmp_path)]


def test_export_dialog_reports_a_failure(qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path) -> None:
    dialog = ExportExcelDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "没有的文件夹" / "x.xlsx"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("无法写入"), timeout=20_000)
    assert dialog.export_button.isEnabled()


def test_fill_in_dialog(qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path, monkeypatch, no_dialogs) -> None:
    D.add_member(sample_ledger, "各镇(街道)", "唐口街道")
    dialog = FillInDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    recipients = D.plan_recipients(sample_ledger, plan_id)
    assert dialog.units.count() == len(recipients)
    assert dialog.count.text() == f"已选 {len(recipients)} / {len(recipients)} 个单位"
    town = next(r for r in range(dialog.units.count()) if dialog.units.item(r).data(Qt.ItemDataRole.UserRole) == "唐口街道")
    assert dialog.units.item(town).text() == "唐口街道(37 项)  作为各镇(街道)成员"
    dialog.set_all_checked(False)
    assert dialog.count.text() == f"已选 0 / {len(recipients)} 个单位"
    dialog.write()
    assert no_dialogs == [("information", "下发填报表", "请至少勾选一个单位。")]
    dialog.units.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.units.item(town).setCheckState(Qt.CheckState.Checked)
    assert dialog.checked_units() == [recipients[0].name, "唐口街道"]
    folder = tmp_path / "下发"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    dialog.sender.setText("任城区政府办公室")
    with qtbot.waitSignal(dialog.written, timeout=30_000):
        dialog.write_button.click()
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{recipients[0].name}-2023年第四季度填报表.xlsx", "唐口街道-2023年第四季度填报表.xlsx"])
    assert dialog.status.toPlainText().splitlines()[0] == f"已生成 2 份填报表,保存在 {folder}:"
    guide = openpyxl.load_workbook(folder / "唐口街道-2023年第四季度填报表.xlsx")["填报说明"]
    assert "任城区政府办公室" in guide["B4"].value


def make_reply(ledger: Ledger, plan_id: int, folder: Path, unit: str, values: dict[int, dict[str, str]]) -> Path:
    path = issue_fill_in(ledger, X.fill_in_for(ledger, plan_id, unit, Quarter(2023, 3)), folder / f"{unit}.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["任务填报"]
    cols = {c.value: c.column for c in sheet[3]}
    for row in range(4, sheet.max_row + 1):
        for name, value in values.get(int(sheet.cell(row=row, column=1).value), {}).items():
            sheet.cell(row=row, column=cols[name]).value = value
    book.save(path)
    return path


def test_merge_dialog(qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path, monkeypatch, no_dialogs) -> None:
    ids = {t.seq: t.id for t in sample_ledger.tasks(plan_id)}
    reply = make_reply(sample_ledger, plan_id, tmp_path, "区发改局", {
        3: {"进展情况": "三号。", "完成状态": "推进中"}, 5: {"进展情况": "五号。"}})
    # written after the fill-in was issued: a conflict (task 5 is shared: 区发改局's own part)
    sample_ledger.set_progress(ids[5], Quarter(2023, 3), "【区发改局】台账里后写的。")
    applied: list[list[int]] = []
    dialog = MergeDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.applied.connect(applied.append)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(reply)], ""))
    dialog.choose_files()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20_000)
    assert dialog.summary.text() == "报送表 1 份;修改 2 处,冲突 1 处(红色,默认不勾选),无法对应的行 0 行。"
    table = dialog.table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == [
        "应用", "序号", "任务", "项目", "下发时", "台账现值", "报送值", "来源", "说明"]
    rows = [[table.item(r, c).text() for c in range(1, 7)] for r in range(table.rowCount())]
    part = "2023年第三季度进展(【区发改局】部分)"
    assert rows == [["3", X.fill_in_for(sample_ledger, plan_id, "区发改局", Q4).rows[0].requirement[:29] + "…",
                     "完成状态", "未启动", "未启动", "推进中(日期 2023-09-30)"],  # undated: the quarter's last day
                    rows[1][:2] + [part, "(空)", "(空)", "三号。"],
                    ["5", rows[2][1], part, "(空)", "台账里后写的。", "五号。"]]
    assert table.item(2, 8).text().startswith("冲突:下发后台账中2023年第三季度的进展已修改")
    checks = [table.item(r, 0).checkState() for r in range(3)]
    assert checks == [Qt.CheckState.Checked, Qt.CheckState.Checked, Qt.CheckState.Unchecked]
    assert table.item(2, 5).background().color().name() == "#ffd7d5"
    assert table.item(0, 3).background().style() == Qt.BrushStyle.NoBrush
    assert dialog.status.text() == "已选 2 处"
    assert dialog.apply_button.isEnabled() and not dialog.undo_button.isEnabled()
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.apply_button.click()
    assert applied == [[ids[3]]]
    assert dialog.undo_button.isEnabled()
    assert sample_ledger.task(ids[3]).status == Status.IN_PROGRESS
    assert dialog.status.text() == ("已写入 2 处修改(一次完成,可在“操作记录”中查看)。"
                                    "未勾选的 1 处未写入,仍列在下方(已按台账现值更新)。")
    assert dialog.table.rowCount() == 1  # the conflict is left to decide
    dialog.check_rows(lambda c: True)
    assert dialog.status.text() == "已选 1 处,其中冲突 1 处(将以所选为准)"
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.apply_button.click()
    assert no_dialogs[-1][0:2] == ("question", "应用所选")
    assert sample_ledger.task(ids[5]).progress[0].text == "【区发改局】五号。"


def test_merge_dialog_undo(qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path, no_dialogs) -> None:
    """撤销本次汇总: what the merge wrote goes back; a value edited since is asked about."""
    ids = {t.seq: t.id for t in sample_ledger.tasks(plan_id)}
    q3 = Quarter(2023, 3)
    reply = make_reply(sample_ledger, plan_id, tmp_path, "区发改局", {
        3: {"进展情况": "三号。", "完成状态": "推进中"}, 5: {"进展情况": "五号。"}})
    dialog = MergeDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    changed: list[list[int]] = []
    dialog.applied.connect(changed.append)
    dialog.load([str(reply)])
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20_000)
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.apply_button.click()
    assert sample_ledger.task(ids[3]).status == Status.IN_PROGRESS
    sample_ledger.set_progress(ids[5], q3, "【区发改局】办公室又改了。")  # edited since the merge
    no_dialogs.clear()
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.undo_button.click()  # the fixture answers the question with Yes: restore it too
    qtbot.waitUntil(lambda: dialog.status.text().startswith("已撤销本次汇总"), timeout=20_000)
    [(kind, title, text)] = no_dialogs
    assert (kind, title) == ("question", "撤销本次汇总")
    assert "以下 1 处在汇总后又被修改过,暂未恢复" in text and "是否也恢复为汇总前的内容" in text
    task3, task5 = sample_ledger.task(ids[3]), sample_ledger.task(ids[5])
    assert (task3.status, task3.progress, task5.progress) == (Status.NOT_STARTED, [], [])
    assert not dialog.undo_button.isEnabled()
    assert changed[-1] == [ids[5]]


def test_merge_dialog_with_unreadable_files(qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path) -> None:
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    dialog = MergeDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.load([str(bad)])
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("没有可以汇总的报送表"), timeout=20_000)
    assert "坏.xlsx" in dialog.summary.text() and dialog.choose_button.isEnabled()
    assert not dialog.apply_button.isEnabled()


def test_unit_directory_dialog(qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path, monkeypatch) -> None:
    dialog = UnitDirectoryDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    changed: list[None] = []
    dialog.changed.connect(lambda: changed.append(None))
    groups = [dialog.groups.item(r).data(Qt.ItemDataRole.UserRole) for r in range(dialog.groups.count())]
    assert groups == [u.name for u in D.directory(sample_ledger) if u.is_group]
    assert groups[0] == "各镇(街道)" and dialog.current_group() == "各镇(街道)"
    assert dialog.members_label.text() == "“各镇(街道)”的成员(0)"
    offered: list[list[str]] = []

    def get_item(parent, title, label, items, current, editable):
        offered.append(list(items))
        return "唐口街道", True

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    dialog.add_member()
    assert "区发改局" in offered[0] and "各镇(街道)" not in offered[0]
    assert D.members_of(sample_ledger, "各镇(街道)") == ["唐口街道"]
    assert [dialog.members.item(r).text() for r in range(dialog.members.count())] == ["唐口街道"]
    assert dialog.status.text() == "已把“唐口街道”加入“各镇(街道)”。"
    dialog.members.item(0).setSelected(True)
    dialog.members.setCurrentRow(0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("唐口街道办事处", True))
    dialog.rename_selected()
    assert D.members_of(sample_ledger, "各镇(街道)") == ["唐口街道办事处"]
    dialog.members.item(0).setSelected(True)
    dialog.remove_selected()
    assert D.members_of(sample_ledger, "各镇(街道)") == []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("各社区", True))
    dialog.new_group()
    assert dialog.current_group() == "各社区"
    listing = tmp_path / "名录.xlsx"
    book = openpyxl.Workbook()
    for row in (["群组", "成员"], ["各社区", "东城社区、西城社区"], ["各镇(街道)", "喻屯镇"]):
        book.active.append(row)
    book.save(listing)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(listing), ""))
    dialog.import_file()
    assert dialog.status.text() == "已导入“名录.xlsx”:新增成员关系 3 条,已有 0 条,新建单位 3 个。"
    assert [dialog.members.item(r).text() for r in range(dialog.members.count())] == ["东城社区", "西城社区"]
    assert len(changed) == 5
    # A mistake is explained, not raised.
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("各社区", True))
    dialog.add_member()
    assert dialog.status.text() == "“各社区”不能是它自己的成员。"


@pytest.mark.parametrize("module", [export_dialog, fill_in_dialog, merge_dialog, unit_directory_dialog])
def test_no_sql_in_the_dialogs(module) -> None:
    text = Path(module.__file__).read_text(encoding="utf-8")
    assert ".execute(" not in text and ".db." not in text


def test_a_merge_is_one_step_of_the_windows_undo(qtbot, sample_window, sample_ledger: Ledger, plan_id: int,
                                                 tmp_path: Path, no_dialogs) -> None:
    ids = {t.seq: t.id for t in sample_ledger.tasks(plan_id)}
    reply = make_reply(sample_ledger, plan_id, tmp_path, "区发改局", {
        3: {"进展情况": "三号。", "完成状态": "推进中"}, 5: {"进展情况": "五号。"}})
    stack = sample_window.ops.undo_stack

    def merge() -> MergeDialog:
        dialog = MergeDialog(sample_ledger, plan_id, sample_window)
        qtbot.addWidget(dialog)
        dialog.load([str(reply)])
        qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20_000)
        with qtbot.waitSignal(dialog.applied, timeout=20_000):
            dialog.apply_button.click()
        return dialog

    merge().close()
    assert (stack.count(), stack.undoText()) == (1, "汇总报送表")
    assert sample_ledger.task(ids[3]).status == Status.IN_PROGRESS
    sample_window.undo()  # Ctrl+Z
    task3, task5 = sample_ledger.task(ids[3]), sample_ledger.task(ids[5])
    assert (task3.status, task3.progress, task5.progress) == (Status.NOT_STARTED, [], [])
    assert stack.count() == 0 and not stack.canRedo()  # no redo: merge the replies again
    assert no_dialogs == []
    # Taken back in the dialog: the window's step goes without undoing anything else.
    dialog = merge()
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.undo_button.click()
    assert stack.count() == 1
    sample_ledger.set_progress(ids[5], Quarter(2023, 3), "其他。")
    sample_window.undo()
    assert stack.count() == 0 and sample_ledger.task(ids[5]).progress[0].text == "其他。"


def test_fill_in_dialog_names_groups_without_members_and_opens_the_folder(
        qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path, monkeypatch, no_dialogs) -> None:
    dialog = FillInDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    shown = [dialog.units.item(r).data(Qt.ItemDataRole.UserRole) for r in range(dialog.units.count())]
    assert "各镇(街道)" not in shown and "区政府各部门单位" not in shown
    assert not dialog.groups_box.isHidden()
    assert "“各镇(街道)”是群组,请在 单位名录 中添加其成员单位后再下发。" in dialog.groups_note.text().splitlines()
    # 单位名录… opens on the first such group; what is added there shows up on closing it.
    opened: list[str | None] = []

    def directory_exec(self) -> int:
        opened.append(self.current_group())
        D.add_member(sample_ledger, "各镇(街道)", "唐口街道")
        return 0

    monkeypatch.setattr(UnitDirectoryDialog, "exec", directory_exec)
    dialog.directory_button.click()
    assert opened == ["各镇(街道)"]
    assert "唐口街道" in [dialog.units.item(r).data(Qt.ItemDataRole.UserRole) for r in range(dialog.units.count())]
    assert "各镇(街道)" not in dialog.groups_note.text()
    # Written: the last step is the folder with the workbooks.
    dialog.set_all_checked(False)
    dialog.units.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.folder.setText(str(tmp_path / "下发"))
    assert dialog.open_result.isHidden()
    with qtbot.waitSignal(dialog.written, timeout=30_000):
        dialog.write_button.click()
    assert "提示:“区政府各部门单位”是群组,请在 单位名录 中添加其成员单位后再下发。" in dialog.status.toPlainText()
    from PySide6.QtGui import QDesktopServices

    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()) or True)
    assert not dialog.open_result.isHidden() and dialog.open_result.open_file.isHidden()
    dialog.open_result.open_folder.click()
    assert urls == [str(tmp_path / "下发")]
    assert last_folder("fill_in") == tmp_path / "下发"  # the next 下发 starts there


def test_fill_in_dialog_with_only_groups_says_what_to_do(qtbot, ledger: Ledger, no_dialogs) -> None:
    from tests.builders import parsed_plan
    from zwgk_desktop.core.plan_import import write_plan

    parsed = parsed_plan([(["一、公开"], "做好公开。", "各镇(街道)", "12月底前")])
    plan = write_plan(ledger, parsed, "c" * 64).plan_id
    dialog = FillInDialog(ledger, plan)
    qtbot.addWidget(dialog)
    assert dialog.units.count() == 0
    dialog.write()
    assert no_dialogs == [("information", "下发填报表", "“各镇(街道)”是群组,请在 单位名录 中添加其成员单位后再下发。")]


def test_merge_preview_stays_readable_next_to_a_conflict(qtbot, sample_ledger: Ledger, plan_id: int,
                                                        tmp_path: Path) -> None:
    ids = {t.seq: t.id for t in sample_ledger.tasks(plan_id)}
    long_text = "五号任务的进展写得很长," * 30
    reply = make_reply(sample_ledger, plan_id, tmp_path, "区发改局", {
        3: {"进展情况": "三号。", "完成状态": "推进中"}, 5: {"进展情况": long_text}})
    sample_ledger.set_progress(ids[5], Quarter(2023, 3), "【区发改局】台账里后写的。")
    dialog = MergeDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 680)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.load([str(reply)])
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20_000)
    table = dialog.table
    conflict = next(r for r, c in enumerate(dialog.preview.changes) if c.conflict)
    assert table.wordWrap()
    widths = {merge_dialog.MERGE_COLUMNS[c]: table.columnWidth(c) for c in range(table.columnCount())}
    for name in ("任务", "下发时", "台账现值", "报送值", "说明"):
        assert widths[name] >= 100, (name, widths)
    # the long value wraps onto several lines, but no row takes the whole table
    line = table.fontMetrics().lineSpacing()
    assert 2 * line < table.rowHeight(conflict) <= line * merge_dialog.MAX_ROW_LINES + 8
    assert table.item(conflict, 6).toolTip() == long_text  # the whole text, on hover
    requirement = sample_ledger.task(ids[5]).requirement
    assert table.item(conflict, 2).text().endswith("…") and requirement in table.item(conflict, 2).toolTip()
    # when the reply was saved, to the second
    import re

    assert re.search(r"保存于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", table.item(conflict, 7).text())


def test_unit_directory_suggests_the_plans_units(qtbot, sample_ledger: Ledger, plan_id: int, monkeypatch) -> None:
    D.add_unit(sample_ledger, "外市某局")  # in the directory, but not a unit of this plan
    D.add_member(sample_ledger, "各镇(街道)", "唐口街道")
    dialog = UnitDirectoryDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    choices = dialog.member_choices("各镇(街道)")
    assert "区发改局" in choices
    assert "外市某局" not in choices and "唐口街道" not in choices  # not this plan's / a member already
    assert not any(D.looks_collective(name) for name in choices)
    everywhere = UnitDirectoryDialog(sample_ledger, None)  # no plan open: the whole directory
    qtbot.addWidget(everywhere)
    assert "外市某局" in everywhere.member_choices("各镇(街道)")
