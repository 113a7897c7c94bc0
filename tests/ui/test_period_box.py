"""The period box of the task panel: a recurring task's periods, each with its status and
day; the task marked recurring (or not) by hand, audited and undoable; nothing written
by a passing wheel, nor to a task other than the one the clerk edited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QWidget

from tests.builders import audit_count, dump, parsed_plan
from zwgk_desktop.core import task_periods as tp
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.recurrence import Frequency
from zwgk_desktop.ui import status_date_dialog
from zwgk_desktop.ui.operations import LedgerOperations
from zwgk_desktop.ui.period_box import CURRENT_STYLE, NOT_RECORDED, PeriodBox
from zwgk_desktop.ui.task_panel import TaskPanel
from zwgk_desktop.ui.task_table_model import COL_SEQ, COL_TEXT, LIGHT_ROLE
from zwgk_desktop.ui.theme import apply_font_size
from zwgk_desktop.ui.wheel_guard import is_guarded

from .helpers import select_task

ROWS = [  # section, requirement, units, deadline
    (["一、公开"], "每季度在网站公开财政资金使用情况。", "县财政局", "每季度"),
    (["一、公开"], "每月10日前更新政策文件库。", "县司法局", "每月10日前"),
    (["一、公开"], "编制政府信息公开工作年度报告。", "县政府办", "6月底前"),
    (["一、公开"], "每季度公开重点项目进展情况。", "县发改局", "每季度"),
]
MAY = date(2023, 5, 10)  # inside Q2 of the plan's year


@pytest.fixture
def ledger(tmp_path: Path, open_ledger) -> Ledger:
    opened = open_ledger(tmp_path / "ledger")
    write_plan(opened, parsed_plan(ROWS, year=2023), "f" * 64)
    return opened


@pytest.fixture
def ids(ledger: Ledger) -> list[int]:
    return ledger.task_ids(ledger.plans()[0].id)


@pytest.fixture
def ops(ledger: Ledger, qapp) -> LedgerOperations:
    return LedgerOperations(ledger)


@pytest.fixture
def box(ops: LedgerOperations, qtbot, no_dialogs) -> PeriodBox:
    widget = PeriodBox(ops, today=MAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def choose(combo: QComboBox, text: str) -> None:
    """What a click on an entry of the drop-down does."""
    index = combo.findText(text)
    assert index >= 0, f"{text} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def shown(box: PeriodBox) -> list[tuple[str, str, str, bool]]:
    return [(line.label.text(), line.status.currentText(), line.day.text(), line.status.isEnabled())
            for line in box._lines]


def recorded(ledger: Ledger, task_id: int) -> list[tuple[str, Status | None, date | None]]:
    return [(str(r.period), r.status, r.status_date) for r in tp.period_rows(ledger, task_id, MAY)]


def last_audit(ledger: Ledger) -> tuple[str, str, int, str]:
    return ledger.db.execute("SELECT action, entity, entity_id, after FROM audit ORDER BY id DESC").fetchone()


def wheel(widget: QWidget, steps: int) -> None:
    """Turn the wheel over the middle of a widget, as a passing pointer does."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


# -- showing -------------------------------------------------------------------------------------


def test_a_quarterly_task_shows_its_four_quarters(box, ledger, ids):
    tp.set_period_status(ledger, ids[0], "2023Q1", Status.DONE, date(2023, 3, 28))
    box.show_task(ids[0])
    assert box.title() == "各期完成情况(每季度)"
    assert box.frequency.currentText() == "每季度"
    assert box.source.text() == "根据完成时限“每季度”识别。" and box.source.isVisible()
    assert not box.restore.isVisible()  # nothing marked by hand to take back
    assert shown(box) == [
        ("一季度", "已完成", "2023-03-28", True),
        ("二季度", NOT_RECORDED, "6月30日前", True),  # the current period, open for its status
        ("三季度", NOT_RECORDED, "9月30日前", False),  # not begun: nothing to record yet
        ("四季度", NOT_RECORDED, "12月31日前", False),
    ]
    assert [line.label.styleSheet() == CURRENT_STYLE for line in box._lines] == [False, True, False, False]


def test_a_monthly_task_shows_twelve_months_and_the_missed_ones(box, ledger, ids):
    box.today_override = date(2023, 7, 20)
    box.show_task(ids[1])
    assert box.title() == "各期完成情况(每月)"
    labels = [line.label.text() for line in box._lines]
    assert labels == [f"{m}月" for m in range(1, 13)]
    days = [line.day.text() for line in box._lines]
    assert days[5] == "6月10日逾期" and days[6] == "7月10日逾期" and days[7] == "8月10日前"
    assert [line.status.isEnabled() for line in box._lines] == [True] * 7 + [False] * 5
    assert box._lines[6].label.styleSheet() == CURRENT_STYLE


def test_a_one_off_task_is_one_line(box, ids):
    box.show_task(ids[2])
    assert box.frequency.currentText() == "不是定期任务"
    assert box._lines == [] and not box.periods.isVisible()
    assert not box.source.isVisible() and not box.restore.isVisible()
    assert box.title() == "" and "没有每月、每季度" in box.frequency.toolTip()


# -- a period's status -----------------------------------------------------------------------------


def test_back_filling_q2_asks_the_day_and_records_it(box, ledger, ids, status_days):
    box.today_override = date(2023, 7, 5)  # Q2 is over: its day is asked
    box.show_task(ids[0])
    status_days.answer = date(2023, 6, 28)
    before = audit_count(ledger)
    choose(box._lines[1].status, "已完成")
    assert status_days.asked == [("已完成", 1, Quarter(2023, 2))]
    assert recorded(ledger, ids[0])[1] == ("2023Q2", Status.DONE, date(2023, 6, 28))
    assert audit_count(ledger) == before + 1
    action, entity, entity_id, _ = last_audit(ledger)
    assert (action, entity, entity_id) == ("设置本期状态", "task", ids[0])
    assert shown(box)[1] == ("二季度", "已完成", "2023-06-28", True)
    assert ledger.task(ids[0]).status == Status.NOT_STARTED  # the year's status is its own


def test_the_current_period_is_recorded_today_without_a_question(box, ledger, ids, status_days):
    box.show_task(ids[0])
    choose(box._lines[1].status, "推进中")
    assert status_days.asked == []
    assert recorded(ledger, ids[0])[1] == ("2023Q2", Status.IN_PROGRESS, MAY)


def test_cancelling_the_day_writes_nothing(box, ledger, ids, status_days):
    box.show_task(ids[0])
    status_days.answer = None
    before = dump(ledger)
    choose(box._lines[0].status, "已完成")
    assert status_days.asked == [("已完成", 1, Quarter(2023, 1))]
    assert dump(ledger) == before
    assert box._lines[0].status.currentText() == NOT_RECORDED  # shows what is recorded


def test_a_period_change_is_announced_to_the_table(ledger, ids, make_window, status_days):
    """The window's table repaints the row's colour from the period statuses."""
    window = make_window(ledger)
    select_task(window, ids[0])
    periods = window.panel.periods
    row = window.model.row_of(ids[0])
    assert window.model.index(row, COL_SEQ).data(LIGHT_ROLE) == "overdue"  # 2023's quarters all missing
    tip = window.model.index(row, COL_SEQ).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "已逾期(定期任务,2023年第一季度尚未完成,3月31日到期)"
    for n, day in enumerate((date(2023, 3, 30), date(2023, 6, 30), date(2023, 9, 29), date(2023, 12, 28))):
        status_days.answer = day
        choose(periods._lines[n].status, "已完成")
    assert [r[1] for r in recorded(ledger, ids[0])] == [Status.DONE] * 4
    assert window.model.index(row, COL_SEQ).data(LIGHT_ROLE) == "done"
    assert window.model.index(row, COL_SEQ).data(Qt.ItemDataRole.ToolTipRole) == \
        "已完成(定期任务,截至2023年第四季度各期已完成)"


# -- marking by hand -------------------------------------------------------------------------------


def test_marking_a_one_off_task_recurring_is_audited_and_undoable(box, ops, ledger, ids):
    box.show_task(ids[2])
    choose(box.frequency, "每半年")
    found = tp.recurrence_of(ledger, ids[2])
    assert (found.frequency, found.source) == (Frequency.HALF_YEARLY, "manual")
    action, entity, entity_id, after = last_audit(ledger)
    assert (action, entity, entity_id) == ("设置定期任务", "task", ids[2]) and "half_yearly" in after
    assert [line.label.text() for line in box._lines] == ["上半年", "下半年"]
    assert box.restore.isVisible()
    assert box.source.text() == "手工设为每半年(文字中没有每月、每季度等字样)。"
    assert ops.undo_stack.undoText() == "序号 3 设为每半年的定期任务"
    ops.undo_stack.undo()
    assert tp.recurrence_of(ledger, ids[2]) is None
    assert last_audit(ledger)[0] == "取消手工设置的定期任务"
    ops.undo_stack.redo()
    assert tp.recurrence_of(ledger, ids[2]).frequency == Frequency.HALF_YEARLY


def test_marking_a_recurring_task_done_once_and_restoring_the_reading(box, ops, ledger, ids):
    box.show_task(ids[0])
    before = audit_count(ledger)
    choose(box.frequency, "不是定期任务")
    assert tp.recurrence_of(ledger, ids[0]) is None
    assert audit_count(ledger) == before + 1
    assert box._lines == [] and box.restore.isVisible()
    assert box.source.text() == "手工设为不是定期任务(自动识别为每季度)。"
    with pytest.raises(Exception, match="不是定期任务"):
        tp.set_period_status(ledger, ids[0], "2023Q1", Status.DONE)

    choose(box.frequency, "每月")  # marked by hand again, another rhythm
    assert tp.recurrence_of(ledger, ids[0]).frequency == Frequency.MONTHLY and len(box._lines) == 12
    box.restore.click()  # 恢复自动识别
    found = tp.recurrence_of(ledger, ids[0])
    assert (found.frequency, found.source) == (Frequency.QUARTERLY, "deadline")
    assert last_audit(ledger)[0] == "取消手工设置的定期任务"
    assert len(box._lines) == 4 and not box.restore.isVisible()
    assert box.source.text() == "根据完成时限“每季度”识别。"
    ops.undo_stack.undo()  # back to 每月, by hand
    assert tp.recurrence_of(ledger, ids[0]).frequency == Frequency.MONTHLY


def test_re_choosing_what_counts_writes_nothing(box, ledger, ids):
    box.show_task(ids[0])
    before = dump(ledger)
    choose(box.frequency, "每季度")  # what the text says already
    assert dump(ledger) == before and not box.restore.isVisible()


# -- what the clerk did not mean -------------------------------------------------------------------


def test_the_wheel_over_the_combos_changes_nothing(ops, ledger, ids, qtbot, no_dialogs):
    area = QScrollArea()
    qtbot.addWidget(area)
    box = PeriodBox(ops, today=MAY)
    area.setWidget(box)
    area.setWidgetResizable(True)
    area.show()
    box.show_task(ids[0])
    combos = [box.frequency, *(line.status for line in box._lines)]
    assert len(combos) == 5
    assert all(is_guarded(c) and c.focusPolicy() == Qt.FocusPolicy.StrongFocus for c in combos)
    before = dump(ledger)
    texts = [c.currentText() for c in combos]
    for combo in combos:
        wheel(combo, -3)
        wheel(combo, 2)
    assert [c.currentText() for c in combos] == texts
    assert dump(ledger) == before


def test_switching_task_mid_edit_writes_to_the_task_edited(ops, ledger, ids, qtbot, no_dialogs, monkeypatch):
    panel = TaskPanel(ops)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_task(ids[0])
    quarterly, other = ids[0], ids[3]

    def switch_then_answer(parent, status, count, quarter, plan_year, default=None):
        panel.show_task(other)  # the panel moved on while the day was being asked
        return date(2023, 6, 28)

    monkeypatch.setattr(status_date_dialog, "ask_status_date", switch_then_answer)
    choose(panel.periods._lines[1].status, "已完成")
    assert recorded(ledger, quarterly)[1] == ("2023Q2", Status.DONE, date(2023, 6, 28))
    assert all(status is None for _, status, _ in recorded(ledger, other))
    assert panel.periods.task_id == other  # and it shows the other task's own periods
    assert [line.status.currentText() for line in panel.periods._lines] == [NOT_RECORDED] * 4

    # the same for the rhythm: a switch between choosing and writing changes nothing else
    panel.show_task(quarterly)
    monkeypatch.setattr(panel.periods.period_ops, "set_recurrence",
                        lambda task_id, value, real=panel.periods.period_ops.set_recurrence:
                        (panel.show_task(other), real(task_id, value)))
    choose(panel.periods.frequency, "每月")
    assert tp.recurrence_of(ledger, quarterly).frequency == Frequency.MONTHLY
    assert tp.recurrence_of(ledger, other).frequency == Frequency.QUARTERLY
    assert panel.periods.frequency.currentText() == "每季度" and len(panel.periods._lines) == 4


def test_a_read_only_ledger_offers_no_change(box, ids):
    box.show_task(ids[0])
    box.set_read_only("台账在只读的U盘上")
    box.show_task(ids[1])
    assert not box.frequency.isEnabled()
    assert not any(line.status.isEnabled() for line in box._lines)


# -- the narrow panel --------------------------------------------------------------------------------


@pytest.mark.parametrize("large", [False, True])
def test_a_monthly_task_fits_the_panel_at_1366(ledger, ids, make_window, qtbot, large):
    apply_font_size(large)
    window = make_window(ledger)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    select_task(window, ids[1])
    qtbot.wait(10)
    panel = window.panel
    assert len(panel.periods._lines) == 12
    assert panel.widget().minimumSizeHint().width() <= panel.viewport().width()
    char = window.table.fontMetrics().horizontalAdvance("中")
    assert window.table.columnWidth(COL_TEXT) >= 20 * char
    for line in panel.periods._lines:
        for label in (line.label, line.day):
            assert label.width() >= label.fontMetrics().horizontalAdvance(label.text()), label.text()
