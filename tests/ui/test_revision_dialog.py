"""按修订导入 in the window: RevisionDialog's preview (kind, 序号, 原内容 → 新内容),
ticking a suggested pairing, 应用修订 in a worker, refusals, and the import wizard
offering a revision for a file with an existing plan's title and year."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from tests.builders import SUB, dump, parsed_plan
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.ui import import_wizard
from zwgk_desktop.ui.revision_dialog import RevisionDialog

from .conftest import ROWS, write_xlsx

S1, S2 = "一、推进决策公开", "二、夯实基础"
OLD = [
    ([S1, SUB], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),
    ([S1, SUB], "动态调整目录。", "县司法局", "按上级要求"),
    ([S2], "规范政府网站。", "县大数据中心", "长期坚持"),
    ([S2], "做好依申请公开工作。", "县政府办", "12月底前"),
]
NEW = [
    ([S1, SUB], "公开重大决策事项目录。", "县司法局、县政府办", "6月底前"),
    ([S1, SUB], "建立健全目录动态调整机制并按季度更新。", "县司法局", "按上级要求"),
    ([S2], "规范政府网站。", "县大数据中心、县政务服务中心", "9月底前"),
    ([S2], "做好依申请公开工作。", "县政府办", "12月底前"),
    ([S2], "开展政务公开业务培训。", "县政府办", "11月底前"),
]


@pytest.fixture
def plan(open_ledger, tmp_path):
    ledger = open_ledger(tmp_path / "ledger")
    plan_id = write_plan(ledger, parsed_plan(OLD), "a" * 64).plan_id
    return ledger, plan_id


@pytest.fixture
def dialog(plan, qtbot, no_dialogs):
    ledger, plan_id = plan
    shown = RevisionDialog(ledger, plan_id, parsed_plan(NEW, source="修订版.xlsx"), digest="b" * 64)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def test_the_preview_lists_each_change(dialog) -> None:
    assert dialog.rows() == [
        ["改写任务", "1", "公开决策事项目录。", "公开重大决策事项目录。"],
        ["新增任务", "新 2", "—", "建立健全目录动态调整机制并按季度更新。"],
        ["新增任务", "新 5", "—", "开展政务公开业务培训。"],
        ["取消任务", "原 2", "动态调整目录。", "(标为“已取消”)"],
        ["责任单位", "3", "县大数据中心", "县大数据中心(牵头)、县政务服务中心"],
        ["完成时限", "3", "长期坚持", "9月底前(到期 2023-09-30)"],
    ]
    assert "改写任务 1 项、新增任务 2 项、取消任务 1 项、责任单位 1 项、完成时限 1 项" in dialog.summary.text()
    assert [box.text().startswith("原序号 2“动态调整目录。” ↔ 新序号 2") for box, _ in dialog.pair_boxes] == [True]
    assert dialog.pairs_group.isVisibleTo(dialog)
    assert dialog.apply_button.text() == "应用修订" and dialog.apply_button.isEnabled()


def test_ticking_a_suggestion_pairs_the_tasks(dialog) -> None:
    box, _ = dialog.pair_boxes[0]
    box.setChecked(True)
    assert dialog.accepted_pairs() == [(2, 2)]
    kinds = [(row[0], row[1]) for row in dialog.rows()]
    assert ("改写任务", "2") in kinds and ("取消任务", "原 2") not in kinds and ("新增任务", "新 2") not in kinds
    box.setChecked(False)
    assert ("取消任务", "原 2") in [(row[0], row[1]) for row in dialog.rows()]


def test_apply_writes_in_a_worker_and_keeps_the_clerks_work(plan, qtbot, no_dialogs) -> None:
    ledger, plan_id = plan
    first, second, *_ = ledger.task_ids(plan_id)
    ledger.set_status(first, Status.DONE, date(2023, 3, 1))
    shown = RevisionDialog(ledger, plan_id, parsed_plan(NEW, source="修订版.xlsx"), digest="b" * 64)
    qtbot.addWidget(shown)
    shown.show()
    shown.pair_boxes[0][0].setChecked(True)
    with qtbot.waitSignal(shown.applied, timeout=10000) as applied:
        qtbot.mouseClick(shown.apply_button, Qt.MouseButton.LeftButton)
    assert applied.args == [plan_id]
    assert no_dialogs == []
    assert shown.result is not None and shown.result.cancelled_task_ids == []
    assert ledger.task(first).requirement == "公开重大决策事项目录。"
    assert ledger.task(first).status == Status.DONE
    assert ledger.task(second).requirement == "建立健全目录动态调整机制并按季度更新。"
    assert len(ledger.task_ids(plan_id)) == 5
    assert ledger.plan(plan_id).source_sha256 == "b" * 64
    assert not shown.isVisible()


def test_a_file_of_another_year_is_refused_before_the_dialog_opens(plan) -> None:
    ledger, plan_id = plan
    with pytest.raises(UserError, match="是 2024 年的分解表"):
        RevisionDialog(ledger, plan_id, parsed_plan(NEW, year=2024), digest="b" * 64)


def test_a_stale_preview_is_refused_and_nothing_is_written(plan, dialog, qtbot, no_dialogs) -> None:
    ledger, plan_id = plan
    ledger.set_status(ledger.task_ids(plan_id)[1], Status.IN_PROGRESS, date(2023, 5, 1))
    before = dump(ledger)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=10000)
    assert no_dialogs[0][:2] == ("warning", "没有完成")
    assert "在预览之后有改动" in no_dialogs[0][2]
    assert dialog.apply_button.isEnabled() and dialog.isVisible()
    assert dump(ledger) == before


# -- the import wizard ----------------------------------------------------------------------

REVISED_ROWS = [
    ["公开平台建设", "完善政府网站信息公开专栏建设。", "区政务服务中心", "12月底前", ""],
    ROWS[1],
    ["重点领域公开", "做好财政预决算公开。", "区财政局、区审计局", "三季度前", ""],
    ["重点领域公开", "做好政务公开业务培训。", "区政府办", "10月底前", ""],
]


def _imported_once(make_window, open_ledger, tmp_path, plan_xlsx, qtbot):
    ledger = open_ledger(tmp_path / "ledger")
    window = make_window(ledger)
    window.start_import(plan_xlsx)
    wizard = window._import
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    with qtbot.waitSignal(wizard.imported, timeout=5000) as imported:
        wizard.confirm()
    return ledger, window, imported.args[0]


def _wizard_on(window, path, qtbot):
    window.start_import(path)
    wizard = window._import
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    return wizard


def test_wizard_offers_a_revision_and_applies_it(make_window, open_ledger, tmp_path, plan_xlsx, qtbot,
                                                 monkeypatch, no_dialogs):
    ledger, window, plan_id = _imported_once(make_window, open_ledger, tmp_path, plan_xlsx, qtbot)
    first = ledger.task_ids(plan_id)[0]
    ledger.set_status(first, Status.DONE, date(2024, 3, 1))
    asked = []
    monkeypatch.setattr(import_wizard, "ask_revision_choice",
                        lambda parent, plan, name: asked.append((plan.id, name)) or import_wizard.REVISE)
    revised = write_xlsx(tmp_path / "2024年任务分解表(修订).xlsx", REVISED_ROWS)
    wizard = _wizard_on(window, revised, qtbot)
    wizard.confirm()
    assert asked == [(plan_id, revised.name)]
    dialog = wizard.revision_dialog
    assert dialog is not None and dialog.isVisible()
    assert [row[0] for row in dialog.rows()] == ["改写任务", "新增任务", "取消任务", "责任单位"]
    with qtbot.waitSignal(wizard.imported, timeout=10000) as imported:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert imported.args == [plan_id]
    assert [p.id for p in ledger.plans()] == [plan_id]  # no second plan
    assert ledger.task(first).requirement == "完善政府网站信息公开专栏建设。"
    assert ledger.task(first).status == Status.DONE
    assert window.model.rowCount() == 5  # four from the table, one 已取消 kept
    assert not wizard.isVisible()
    assert no_dialogs == []


def test_wizard_can_still_import_it_as_a_new_plan(make_window, open_ledger, tmp_path, plan_xlsx, qtbot,
                                                  monkeypatch):
    ledger, window, plan_id = _imported_once(make_window, open_ledger, tmp_path, plan_xlsx, qtbot)
    monkeypatch.setattr(import_wizard, "ask_revision_choice", lambda *args: import_wizard.AS_NEW)
    wizard = _wizard_on(window, write_xlsx(tmp_path / "修订.xlsx", REVISED_ROWS), qtbot)
    with qtbot.waitSignal(wizard.imported, timeout=5000) as imported:
        wizard.confirm()
    assert imported.args[0] != plan_id
    assert len(ledger.plans()) == 2 and wizard.revision_dialog is None


def test_wizard_cancel_writes_nothing_and_other_titles_are_not_asked(make_window, open_ledger, tmp_path,
                                                                    plan_xlsx, qtbot, monkeypatch):
    ledger, window, plan_id = _imported_once(make_window, open_ledger, tmp_path, plan_xlsx, qtbot)
    asked = []
    monkeypatch.setattr(import_wizard, "ask_revision_choice", lambda *args: asked.append(args) or None)
    before = dump(ledger)
    wizard = _wizard_on(window, write_xlsx(tmp_path / "修订.xlsx", REVISED_ROWS), qtbot)
    wizard.confirm()
    assert len(asked) == 1 and wizard.isVisible() and dump(ledger) == before

    other = write_xlsx(tmp_path / "另一份.xlsx", REVISED_ROWS, title="2024年另一个区政务公开工作任务分解表")
    wizard = _wizard_on(window, other, qtbot)
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.confirm()
    assert len(asked) == 1  # a different title: an ordinary import
    assert len(ledger.plans()) == 2


def test_wizard_says_why_a_revision_cannot_be_made(make_window, open_ledger, tmp_path, plan_xlsx, qtbot,
                                                  monkeypatch, no_dialogs):
    ledger, window, plan_id = _imported_once(make_window, open_ledger, tmp_path, plan_xlsx, qtbot)
    monkeypatch.setattr(import_wizard, "ask_revision_choice", lambda *args: import_wizard.REVISE)
    unrelated = [["其他", f"完全不同的第{i}项工作安排。", "区政府办", "12月底前", ""] for i in range(4)]
    before = dump(ledger)
    wizard = _wizard_on(window, write_xlsx(tmp_path / "另一份.xlsx", unrelated), qtbot)
    wizard.confirm()
    assert [(kind, title) for kind, title, _ in no_dialogs] == [("warning", "不能按修订导入")]
    assert "几乎没有相同的任务" in no_dialogs[0][2]
    assert wizard.revision_dialog is None and wizard.isVisible()
    assert dump(ledger) == before
