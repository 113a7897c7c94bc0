"""汇总报送表 when two units answer one task differently (QA: 全选 ticked both, the
later file won silently, "已写入 13 处" for 14 ticked, and the losing row kept showing
a 台账现值 no longer true): the two are one choice, each shows its unit's role, an
undated status shows the day it will get, and after writing the rows are the ledger's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui.test_exchange_dialogs import make_reply
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.ui.merge_dialog import MergeDialog

CHECKED, UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked


@pytest.fixture
def plan_id(sample_ledger: Ledger) -> int:
    return sample_ledger.plans()[0].id


def rival_dialog(qtbot, ledger: Ledger, plan_id: int, tmp_path: Path) -> MergeDialog:
    # Task 5: 区发改局 牵头, 区财政局 配合. Task 3: only 区发改局's reply, no rival.
    lead = make_reply(ledger, plan_id, tmp_path, "区发改局", {
        5: {"完成状态": "已完成", "完成时间": "2023-09-18"}, 3: {"进展情况": "三号。"}})
    helper = make_reply(ledger, plan_id, tmp_path, "区财政局", {5: {"完成状态": "推进中"}})
    dialog = MergeDialog(ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.load([str(lead), str(helper)])
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20_000)
    return dialog


def status_rows(dialog: MergeDialog) -> dict[str, int]:
    return {c.unit: r for r, c in enumerate(dialog.preview.changes) if c.seq == 5 and c.field.value == "status"}


def checks(dialog: MergeDialog) -> list[Qt.CheckState]:
    return [dialog.table.item(r, 0).checkState() for r in range(dialog.table.rowCount())]


def test_two_answers_for_one_task_are_one_choice(qtbot, sample_ledger: Ledger, plan_id: int, tmp_path: Path,
                                                 no_dialogs) -> None:
    dialog = rival_dialog(qtbot, sample_ledger, plan_id, tmp_path)
    rows = status_rows(dialog)
    lead, helper = rows["区发改局"], rows["区财政局"]
    table = dialog.table
    # who answered, and in what role; the day an undated answer will be written with
    assert table.item(lead, 7).text().startswith("区发改局(牵头) 第 ")
    assert table.item(helper, 7).text().startswith("区财政局(配合) 第 ")
    assert table.item(helper, 6).text() == "推进中(日期 2023-09-30)"
    assert "报送表未填日期,按2023年第三季度最后一天记为 2023-09-30" in table.item(helper, 8).text()
    assert "只能选其一(牵头单位:区发改局)" in table.item(lead, 8).text()
    assert "1 项各报送表填得不一样" in dialog.summary.text()
    # 全选 never ticks both
    dialog.select_all.click()
    assert (checks(dialog)[lead], checks(dialog)[helper]) == (UNCHECKED, UNCHECKED)
    assert all(s == CHECKED for r, s in enumerate(checks(dialog)) if r not in (lead, helper))
    assert "1 项各报送表填得不一样,尚未选定" in dialog.status.text()
    # ticking one unticks the other
    table.item(helper, 0).setCheckState(CHECKED)
    table.item(lead, 0).setCheckState(CHECKED)
    assert (checks(dialog)[lead], checks(dialog)[helper]) == (CHECKED, UNCHECKED)
    assert "尚未选定" not in dialog.status.text()
    dialog.select_all.click()  # keeps the one chosen
    assert (checks(dialog)[lead], checks(dialog)[helper]) == (CHECKED, UNCHECKED)
    chosen = len(dialog.selected_changes())
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.apply_button.click()
    task = sample_ledger.task(_task_id(sample_ledger, plan_id, 5))
    assert (task.status, task.status_date) == (Status.DONE, date(2023, 9, 18))
    assert dialog.status.text().startswith(f"已写入 {chosen} 处修改(一次完成,可在“操作记录”中查看)。")
    assert "未勾选的 1 处未写入,仍列在下方(已按台账现值更新)。" in dialog.status.text()
    # The row left is the cooperating unit's answer, against what the ledger holds now.
    [left] = dialog.preview.changes
    assert (left.unit, table.rowCount()) == ("区财政局", 1)
    assert table.item(0, 5).text() == "已完成(2023-09-18)"
    assert table.item(0, 0).checkState() == UNCHECKED


def _task_id(ledger: Ledger, plan_id: int, seq: int) -> int:
    return next(t.id for t in ledger.tasks(plan_id) if t.seq == seq)


def test_the_ledger_refuses_two_rivals_even_if_both_are_ticked(qtbot, sample_ledger: Ledger, plan_id: int,
                                                               tmp_path: Path, no_dialogs) -> None:
    dialog = rival_dialog(qtbot, sample_ledger, plan_id, tmp_path)
    rows = status_rows(dialog)
    dialog.table.blockSignals(True)  # past the dialog's own rule: the core check still holds
    for row in rows.values():
        dialog.table.item(row, 0).setCheckState(CHECKED)
    dialog.table.blockSignals(False)
    dialog._update_apply()
    task5 = _task_id(sample_ledger, plan_id, 5)
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: "台账没有任何改变" in dialog.status.text(), timeout=20_000)
    assert "只能选其一" in dialog.status.text() and "区发改局(牵头)" in dialog.status.text()
    assert sample_ledger.task(task5).status == Status.NOT_STARTED
    assert dialog.apply_button.isEnabled()


def test_undo_after_a_chosen_merge_lists_the_replies_again(qtbot, sample_ledger: Ledger, plan_id: int,
                                                           tmp_path: Path, no_dialogs) -> None:
    dialog = rival_dialog(qtbot, sample_ledger, plan_id, tmp_path)
    rows = status_rows(dialog)
    dialog.table.item(rows["区财政局"], 0).setCheckState(CHECKED)
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.apply_button.click()
    task5 = _task_id(sample_ledger, plan_id, 5)
    assert (sample_ledger.task(task5).status, sample_ledger.task(task5).status_date) == (
        Status.IN_PROGRESS, date(2023, 9, 30))
    with qtbot.waitSignal(dialog.applied, timeout=20_000):
        dialog.undo_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("已撤销本次汇总"), timeout=20_000)
    assert sample_ledger.task(task5).status == Status.NOT_STARTED
    assert len(status_rows(dialog)) == 2  # both answers are there to choose from again
