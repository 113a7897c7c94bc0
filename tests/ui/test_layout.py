"""At 1366×768, in normal and large fonts, nothing a clerk must read is clipped: the
task text keeps 20 characters a line, the panel never scrolls sideways, labels and
drop-downs show their whole text (or the text is in a tooltip): the window's and the
dialogs' quarter boxes their longest quarter, the plan box its name or … and a tooltip."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QStyle, QStyleOptionComboBox

from zwgk_desktop.ui.quarter_combo import QuarterCombo
from zwgk_desktop.ui.task_table_model import COL_TEXT
from zwgk_desktop.ui.theme import apply_font_size

from .helpers import select_task


@pytest.fixture(params=["normal", "large"])
def window_at_1366(request, sample_ledger, make_window, qtbot):
    apply_font_size(request.param == "large")
    window = make_window(sample_ledger)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    select_task(window, window.model.task_id(0))
    qtbot.wait(10)  # the window re-balances its splitter once the panel shows the task
    return window


def test_the_task_text_keeps_twenty_characters_a_line(window_at_1366):
    window = window_at_1366
    char = window.table.fontMetrics().horizontalAdvance("中")
    assert window.table.columnWidth(COL_TEXT) >= 20 * char, (window.splitter.sizes(), window.width())


def test_the_panel_never_scrolls_sideways(window_at_1366):
    panel = window_at_1366.panel
    assert panel.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert panel.widget().minimumSizeHint().width() <= panel.viewport().width()
    assert panel.widget().width() <= panel.viewport().width()


def _field_width(combo: QComboBox) -> int:
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    return combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()


def _clipped(widgets) -> list[tuple[str, str, int, int]]:
    """Labels and drop-downs whose text does not fit; one cut with its whole text in
    its tooltip is fine (the plan's long name), any other tooltip is not enough."""
    clipped = []
    for widget in widgets:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel):
            if widget.wordWrap() or not widget.text() or "\n" in widget.text():
                continue
            text, room = widget.text(), widget.width()
        else:
            if widget.currentText() == "":
                continue
            text, room = widget.currentText(), _field_width(widget)
        needed = widget.fontMetrics().horizontalAdvance(text)
        if room < needed and text not in widget.toolTip():
            clipped.append((type(widget).__name__, text, room, needed))
    return clipped


def test_drop_downs_and_labels_show_their_whole_text(window_at_1366):
    window = window_at_1366
    assert _clipped(window.findChildren(QLabel) + window.findChildren(QComboBox)) == []


def test_the_plan_name_shows_whole_or_cut_with_its_tooltip(window_at_1366, qtbot):
    combo = window_at_1366.plan_combo
    title = combo.currentText()
    needed = combo.fontMetrics().horizontalAdvance(title)
    assert _field_width(combo) >= needed, "at 1366 px the sample plan's name fits, large fonts too"
    assert not combo.elided()
    assert title in combo.toolTip()
    # less room (a longer name, a smaller screen): cut with …, the whole of it in the tooltip
    combo.setMaximumWidth(combo.minimumSizeHint().width())
    qtbot.waitUntil(lambda: combo.width() < needed)
    assert combo.elided() and title in combo.toolTip()


def test_every_quarter_box_shows_its_longest_quarter(window_at_1366):
    window = window_at_1366
    boxes = [b for b in window.findChildren(QuarterCombo) if b.isVisible()]
    assert {window.quarter_combo, window.panel.quarter_combo, window.filters.due_in} <= set(boxes)
    narrow = [(b.objectName(), _field_width(b), _longest(b)) for b in boxes if _field_width(b) < _longest(b)]
    assert narrow == []


def _longest(combo: QComboBox) -> int:
    return max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))


@pytest.mark.parametrize("large", [False, True])
def test_the_dialogs_quarter_boxes_and_labels_fit(large, sample_ledger, qtbot):
    from zwgk_desktop.ui.evidence_package_dialog import EvidencePackageDialog
    from zwgk_desktop.ui.export_dialog import ExportExcelDialog
    from zwgk_desktop.ui.fill_in_dialog import FillInDialog
    from zwgk_desktop.ui.report_dialog import ReportDialog

    apply_font_size(large)
    plan_id = sample_ledger.plans()[0].id
    for dialog_class in (ReportDialog, ExportExcelDialog, FillInDialog, EvidencePackageDialog):
        dialog = dialog_class(sample_ledger, plan_id)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        box = dialog.quarter
        assert isinstance(box, QuarterCombo)
        assert _field_width(box) >= _longest(box), (dialog_class.__name__, _field_width(box), _longest(box))
        assert _clipped(dialog.findChildren(QComboBox)) == [], dialog_class.__name__
        short = [(label.text()[:20], label.height(), label.heightForWidth(label.width()))
                 for label in dialog.findChildren(QLabel) if label.isVisible() and label.wordWrap()
                 and label.text() and label.heightForWidth(label.width()) > label.height() + 1]
        assert short == [], (dialog_class.__name__, short)  # a wrapped explanation shown whole
        dialog.close()


def test_the_toolbar_does_not_overflow(window_at_1366):
    toolbar = window_at_1366.findChildren(type(window_at_1366.addToolBar("x")))[0]
    assert toolbar.sizeHint().width() <= window_at_1366.width()


def test_the_first_import_into_a_new_ledger_shows_the_section_tree(tmp_path, open_ledger, make_window, qtbot):
    """The welcome page hides the splitter: its tiny sizes there must not fold the tree
    away for the whole first session."""
    from tests.builders import parsed_plan
    from zwgk_desktop.core.plan_import import write_plan

    ledger = open_ledger(tmp_path / "新台账")
    window = make_window(ledger)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    assert window.stack.currentWidget() is not window.splitter
    qtbot.wait(20)
    write_plan(ledger, parsed_plan([(["一、公开"], "公开目录。", "区发改局", "6月底前")],
                                   title="2023年某区政务公开工作任务分解表"), "b" * 64)
    window.reload_plans()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.splitter)
    qtbot.wait(20)
    assert window.splitter.sizes()[0] > 0, window.splitter.sizes()


def test_switching_to_large_type_reaches_labels_with_colours_and_headings(sample_ledger, make_window):
    """Widgets with a style sheet (the grey chapter path, the green 上次保存) and those with
    a font of their own (the panel's heading) follow 大字模式 switched on in 设置, as the
    plain labels do (the units: the control)."""
    apply_font_size(False)  # as the app starts
    window = make_window(sample_ledger)
    select_task(window, window.model.task_id(0))
    panel = window.panel
    labels = {"section": panel.section, "saved": panel.saved_hint, "units": panel.units}
    normal = {name: label.font().pointSizeF() for name, label in labels.items()}
    heading = panel.heading.font().pointSizeF()
    apply_font_size(True)
    QApplication.processEvents()  # Qt tells the plain widgets through the event loop
    large = {name: label.font().pointSizeF() for name, label in labels.items()}
    assert all(large[name] > normal[name] for name in labels), (normal, large)
    assert panel.heading.font().pointSizeF() > heading and panel.heading.font().bold()
    apply_font_size(False)
    QApplication.processEvents()
    assert {name: label.font().pointSizeF() for name, label in labels.items()} == normal
