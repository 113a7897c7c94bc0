"""One drop-down of quarters (``QuarterCombo``) and one owner of the quarter the clerk
works on (``CurrentQuarter``): a choice anywhere is made once, everyone follows, and
the dialogs open on it."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QDialog, QStyle, QStyleOptionComboBox

from zwgk_desktop.core.quarters import Quarter, default_quarter
from zwgk_desktop.ui import settings as app_settings
from zwgk_desktop.ui.current_quarter import CurrentQuarter
from zwgk_desktop.ui.quarter_combo import QuarterCombo
from zwgk_desktop.ui.task_table_model import COL_PROGRESS
from zwgk_desktop.ui.theme import apply_font_size

from .helpers import select_task

Q1, Q2, Q3, Q4 = (Quarter(2023, n) for n in range(1, 5))


def _wheel(widget, steps: int = -1) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(QPoint(int(centre.x()), int(centre.y())))),
                        QPoint(), QPoint(0, 120 * steps), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


# -- the drop-down ------------------------------------------------------------------------

def test_it_fills_itself_from_a_plan_year(qtbot) -> None:
    combo = QuarterCombo()
    qtbot.addWidget(combo)
    combo.fill(2023)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "2023年第四季度", "2023年第三季度", "2023年第二季度", "2023年第一季度"]
    assert combo.quarters() == [Q4, Q3, Q2, Q1]
    assert combo.current_quarter() == default_quarter(2023)
    assert type(combo.current_quarter()) is Quarter
    combo.fill(2023, Q2)
    assert combo.current_quarter() == Q2


def test_set_and_get_and_the_signal(qtbot) -> None:
    combo = QuarterCombo()
    qtbot.addWidget(combo)
    seen: list[object] = []
    combo.quarterChanged.connect(seen.append)
    combo.fill(2023, Q4)
    assert seen == []  # filling says nothing
    assert combo.set_quarter(Q2)
    assert combo.current_quarter() == Q2 and combo.currentText() == "2023年第二季度"
    assert seen == [Q2]
    assert not combo.set_quarter(Quarter(2024, 1))  # not offered: nothing changes
    assert combo.current_quarter() == Q2 and seen == [Q2]
    combo.setCurrentIndex(0)  # as the clerk's click does
    assert seen == [Q2, Q4]


def test_any_quarter_and_a_suffix(qtbot) -> None:
    combo = QuarterCombo(any_text="全部季度", suffix="到期")
    qtbot.addWidget(combo)
    combo.set_choices([Quarter(2023, n) for n in range(1, 5)])
    assert combo.currentText() == "全部季度" and combo.current_quarter() is None
    assert combo.itemText(3) == "2023年第三季度到期"
    combo.set_quarter(Q3)
    combo.set_choices([Quarter(2023, n) for n in range(1, 5)])  # refilled: the choice is kept
    assert combo.current_quarter() == Q3
    combo.set_choices([Quarter(2024, n) for n in range(1, 5)])  # another year: back to 全部季度
    assert combo.current_quarter() is None
    assert combo.set_quarter(None) and combo.currentIndex() == 0


def test_the_wheel_does_nothing_unless_clicked_into(qtbot) -> None:
    combo = QuarterCombo()
    qtbot.addWidget(combo)
    combo.fill(2023, Q3)
    combo.show()
    qtbot.waitExposed(combo)
    combo.clearFocus()
    assert not combo.hasFocus()
    _wheel(combo, -1)
    _wheel(combo, 1)
    assert combo.current_quarter() == Q3
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus  # focus from a click or Tab, not the wheel


@pytest.mark.parametrize("large", [False, True])
def test_it_is_as_wide_as_its_longest_label(qtbot, large: bool) -> None:
    apply_font_size(large)
    combo = QuarterCombo()
    qtbot.addWidget(combo)
    combo.set_choices([Q4, Q3], Q3)
    combo.resize(10, combo.height())  # a layout short of room asks for its minimum
    combo.resize(combo.minimumSizeHint().width(), combo.height())
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    widest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
    assert field.width() >= widest


# -- the one owner -------------------------------------------------------------------------

def test_the_owner_says_a_change_once_and_remembers_only_choices(qapp) -> None:
    owner = CurrentQuarter(quarter=Q4)
    seen: list[object] = []
    owner.changed.connect(seen.append)
    assert not owner.set(Q4, chosen=False)  # already current: nobody is told
    assert owner.set(Q2, chosen=False)
    assert seen == [Q2] and owner.quarter == Q2
    assert app_settings.progress_quarter() is None  # the window's own pick is not remembered
    assert owner.set(Q3)
    assert seen == [Q2, Q3] and app_settings.progress_quarter() == Q3
    assert CurrentQuarter.for_plan(2023) == Q3
    assert CurrentQuarter.for_plan(2022) == Quarter(2022, 4)  # another year: that year's default


def test_a_settings_file_edited_by_hand_gives_the_default(qapp) -> None:
    app_settings.settings().setValue("progress_quarter", "三季度吧")
    assert app_settings.progress_quarter() is None
    assert CurrentQuarter.for_plan(2023) == default_quarter(2023)


def test_a_choice_in_the_panel_moves_the_window_and_the_table_once(sample_window, monkeypatch) -> None:
    window = sample_window
    window.finish_startup()
    select_task(window, window.model.task_id(0))
    assert window.current_quarter.quarter == Q4
    model_quarters: list[Quarter] = []
    original = window.model.set_quarter
    monkeypatch.setattr(window.model, "set_quarter", lambda q: model_quarters.append(q) or original(q))
    window_box: list[object] = []
    window.quarter_combo.currentIndexChanged.connect(window_box.append)
    owner: list[object] = []
    window.current_quarter.changed.connect(owner.append)

    window.panel.quarter_combo.set_quarter(Q2)  # the clerk picks 二季度 in the panel

    assert owner == [Q2]
    assert model_quarters == [Q2]
    assert window.model.quarter == Q2
    assert window.quarter_combo.current_quarter() == Q2
    assert window_box == []  # the window's box was set, not chosen: nothing bounced back
    assert window.panel.quarter == Q2
    assert window.model.headerData(COL_PROGRESS, Qt.Orientation.Horizontal,
                                   Qt.ItemDataRole.ToolTipRole) == "2023年第二季度的进展"
    assert app_settings.progress_quarter() == Q2  # remembered for the next start


def test_a_dialog_opened_after_a_choice_in_the_panel_opens_on_it(sample_window, monkeypatch) -> None:
    window = sample_window
    window.finish_startup()
    window.panel.quarter_combo.set_quarter(Q2)
    seen: list[tuple[str, object]] = []
    monkeypatch.setattr(QDialog, "exec",
                        lambda dialog: seen.append((type(dialog).__name__, dialog.quarter.current_quarter())) or 0)
    for show in (window.show_report, window.show_export_excel, window.show_fill_in, window.show_evidence_package):
        show()
    assert seen == [("ReportDialog", Q2), ("ExportExcelDialog", Q2), ("FillInDialog", Q2),
                    ("EvidencePackageDialog", Q2)]


def test_a_choice_in_the_window_moves_the_panel(sample_window) -> None:
    window = sample_window
    window.finish_startup()
    window.quarter_combo.set_quarter(Q1)
    assert window.current_quarter.quarter == Q1
    assert window.panel.quarter_combo.current_quarter() == Q1 and window.panel.quarter == Q1
    assert window.model.quarter == Q1


def test_a_plan_of_another_year_brings_its_own_quarters(sample_ledger, make_window, qtbot) -> None:
    from tests.builders import parsed_plan
    from zwgk_desktop.core.plan_import import write_plan

    write_plan(sample_ledger, parsed_plan(year=2022, title="2022年某县政务公开工作任务分解表"), "d" * 64)
    window = make_window(sample_ledger)
    window.finish_startup()
    window.quarter_combo.set_quarter(Q2)
    other = next(p for p in sample_ledger.plans() if p.year == 2022)
    window.plan_combo.setCurrentIndex(window.plan_combo.findData(other.id))
    assert window.quarter_combo.quarters() == [Quarter(2022, n) for n in (4, 3, 2, 1)]
    assert window.current_quarter.quarter == Quarter(2022, 4) == window.model.quarter
    assert window.panel.quarter_combo.quarters() == [Quarter(2022, n) for n in (4, 3, 2, 1)]
    assert window.panel.quarter == Quarter(2022, 4)
    assert app_settings.progress_quarter() == Q2  # the clerk's choice stays for 2023's plan
    sample_plan = next(p for p in sample_ledger.plans() if p.year == 2023)
    window.plan_combo.setCurrentIndex(window.plan_combo.findData(sample_plan.id))
    assert window.current_quarter.quarter == Q2 == window.quarter_combo.current_quarter()


def test_today_is_in_the_plan_quarters_of_this_year(qtbot) -> None:
    combo = QuarterCombo()
    qtbot.addWidget(combo)
    combo.fill(date.today().year)
    assert Quarter.current() in combo.quarters()
