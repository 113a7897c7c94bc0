"""汇总本级 in the window: the preview per quarter, competing values side by side with a
choice the clerk must make, the editable note, 应用 in a worker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.builders import dump, parsed_plan
from zwgk_desktop.core import derive as V
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui.rollup_dialog import KEEP, TAKE, RollupDialog
from zwgk_desktop.ui.wheel_guard import is_guarded

Q3 = Quarter(2023, 3)


@pytest.fixture
def linked(tmp_path: Path, open_ledger) -> tuple[Ledger, int, int]:
    """A city plan with two tasks for the counties, the county plan derived from it, the
    county's reports for 三季度, and a note the city clerk wrote on task 2 herself."""
    ledger = open_ledger(tmp_path / "台账")
    city = write_plan(ledger, parsed_plan([(["一、公开"], "公开目录。", "各县区政府、市发改委", "6月底前"),
                                           (["一、公开"], "规范网站。", "各县区政府", "12月底前")],
                                          title="2023年某市政务公开工作任务分解表"), "a" * 64).plan_id
    county = V.create_derived_plan(ledger, V.prepare_derive(ledger, city, local_name="某某县",
                                                            lead_office="县政府办公室")).plan_id
    first, second = ledger.tasks(county)
    ledger.set_status(first.id, Status.DONE, date(2023, 8, 1))
    ledger.set_progress(first.id, Q3, "目录已公开。")
    ledger.set_status(second.id, Status.IN_PROGRESS, date(2023, 7, 1))
    ledger.set_progress(second.id, Q3, "改版中。")
    ledger.set_progress(ledger.tasks(city)[1].id, Q3, "市里写的说明。")
    return ledger, city, county


@pytest.fixture
def dialog(linked, qtbot, no_dialogs) -> RollupDialog:
    ledger, city, _ = linked
    opened = RollupDialog(ledger, city)
    qtbot.addWidget(opened)
    opened.quarter_box.setCurrentIndex(opened.quarter_box.findData(str(Q3)))
    opened.show()
    return opened


def test_the_preview_shows_both_values_and_asks_for_a_choice(linked, dialog: RollupDialog) -> None:
    ledger, _, _ = linked
    state = dump(ledger)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, RollupDialog.SUMMARY).text() == "县级 1 项中 1 项已完成"
    assert dialog.table.item(0, RollupDialog.STATUS).text() == "已完成 2023-08-01"
    assert dialog.note_text(0) == "【县政府办公室】目录已公开。"
    assert dialog.choice(0) == TAKE  # nothing competes on task 1
    assert "市里写的说明。" in dialog.table.item(1, RollupDialog.CURRENT).text()
    assert dialog.note_text(1) == "【县政府办公室】改版中。"
    assert dialog.undecided() == [2]
    assert not dialog.apply_button.isEnabled() and "尚未选择:序号 2" in dialog.summary.text()
    assert dump(ledger) == state  # the preview wrote nothing


def test_keep_own_then_apply(linked, dialog: RollupDialog, qtbot, no_dialogs) -> None:
    ledger, city, _ = linked
    dialog.set_choice(1, KEEP)
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.applied, timeout=10000):
        dialog.apply_button.click()
    first, second = ledger.tasks(city)
    assert (first.status, first.status_date) == (Status.DONE, date(2023, 8, 1))
    assert first.progress[0].text == "【县政府办公室】目录已公开。"
    assert second.progress[0].text == "市里写的说明。"  # kept
    assert second.status == Status.IN_PROGRESS  # its status did not compete
    assert [kind for kind, _, _ in no_dialogs] == ["information"]
    # refreshed: task 1 answered; task 2's kept note still differs from the county's, shown again to choose
    assert dialog.table.rowCount() == 1 and dialog.rows[0].seq == 2 and dialog.undecided() == [2]
    assert not dialog.rows[0].changes_status


def test_the_edited_note_is_written(linked, dialog: RollupDialog, qtbot) -> None:
    ledger, city, _ = linked
    dialog.set_choice(1, TAKE)
    dialog.table.item(1, RollupDialog.NOTE).setText("县里合并后的说明。")
    with qtbot.waitSignal(dialog.applied, timeout=10000):
        dialog.apply_button.click()
    assert ledger.tasks(city)[1].progress[0].text == "县里合并后的说明。"


def test_a_change_after_the_preview_is_refused(linked, dialog: RollupDialog, qtbot, no_dialogs) -> None:
    ledger, city, _ = linked
    dialog.set_choice(1, TAKE)
    ledger.set_progress(ledger.tasks(city)[0].id, Q3, "刚刚另写的。")
    state = dump(ledger)
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=10000)
    kind, title, text = no_dialogs[0]
    assert (kind, title) == ("warning", "没有汇总") and "重新预览" in text
    assert dump(ledger) == state
    assert "刚刚另写的。" in dialog.table.item(0, RollupDialog.CURRENT).text()  # shown afresh


def test_a_plan_without_a_county_plan_says_so(tmp_path: Path, open_ledger, qtbot, no_dialogs) -> None:
    ledger = open_ledger(tmp_path / "台账")
    plan_id = write_plan(ledger, parsed_plan(), "b" * 64).plan_id
    dialog = RollupDialog(ledger, plan_id)
    qtbot.addWidget(dialog)
    assert "还没有生成本级分解表" in dialog.summary.text()
    assert not dialog.apply_button.isEnabled() and dialog.table.rowCount() == 0


def test_another_quarter_has_nothing_to_write(dialog: RollupDialog) -> None:
    dialog.quarter_box.setCurrentIndex(dialog.quarter_box.findData("2023Q2"))
    # Q2 ended on 30 June: the county's tasks were ticked in July and August, so as they
    # stood then nothing changed, and the quarter has no notes either
    assert dialog.table.rowCount() == 0 and dialog.undecided() == []
    dialog.quarter_box.setCurrentIndex(dialog.quarter_box.findData("2023Q3"))
    assert dialog.table.rowCount() == 2


def test_combo_boxes_are_guarded_against_the_wheel(dialog: RollupDialog) -> None:
    from PySide6.QtWidgets import QComboBox

    boxes = dialog.findChildren(QComboBox)
    assert len(boxes) >= 2  # the quarter and the competing row's choice
    assert all(is_guarded(b) for b in boxes)


@pytest.mark.parametrize("local_name,level", [("任城区", "区级"), ("某某县", "县级"), ("某某旗", "旗级")])
def test_the_header_and_the_rows_name_the_countys_own_level(tmp_path: Path, open_ledger, qtbot, no_dialogs,
                                                            local_name: str, level: str) -> None:
    ledger = open_ledger(tmp_path / "台账")
    city = write_plan(ledger, parsed_plan([(["一、公开"], "公开目录。", "各县区政府", "6月底前")],
                                          title="2023年某市政务公开工作任务分解表"), "a" * 64).plan_id
    county = V.create_derived_plan(ledger, V.prepare_derive(ledger, city, local_name=local_name,
                                                            lead_office="政府办公室")).plan_id
    ledger.set_status(ledger.tasks(county)[0].id, Status.DONE, date(2023, 8, 1))
    opened = RollupDialog(ledger, city)
    qtbot.addWidget(opened)
    opened.quarter_box.setCurrentIndex(opened.quarter_box.findData(str(Q3)))
    header = opened.table.horizontalHeaderItem(RollupDialog.SUMMARY).text()
    assert header == f"{level}任务完成情况"
    assert opened.table.rowCount() == 1
    assert opened.table.item(0, RollupDialog.SUMMARY).text().startswith(f"{level} 1 项中")
