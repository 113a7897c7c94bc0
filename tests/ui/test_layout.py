"""At 1366×768, in normal and large fonts, nothing a clerk must read is clipped: the
task text keeps 20 characters a line, the panel never scrolls sideways, labels and
drop-downs show their whole text (or the text is in a tooltip)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QStyle, QStyleOptionComboBox

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


def test_drop_downs_and_labels_show_their_whole_text(window_at_1366):
    window = window_at_1366
    clipped = []
    for widget in window.findChildren(QLabel) + window.findChildren(QComboBox):
        if not widget.isVisible() or widget.toolTip():
            continue
        if isinstance(widget, QLabel):
            if widget.wordWrap() or not widget.text() or "\n" in widget.text():
                continue
            needed = widget.fontMetrics().horizontalAdvance(widget.text())
        else:
            if widget.currentText() == "" or widget is window.plan_combo:  # the plan's name has a tooltip
                continue
            needed = widget.fontMetrics().horizontalAdvance(widget.currentText())
            option = QStyleOptionComboBox()
            widget.initStyleOption(option)
            field = widget.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                                  QStyle.SubControl.SC_ComboBoxEditField, widget)
            if field.width() < needed:
                clipped.append(("QComboBox", widget.currentText(), field.width(), needed))
            continue
        if widget.width() < needed:
            clipped.append((type(widget).__name__, widget.text() if isinstance(widget, QLabel)
                            else widget.currentText(), widget.width(), needed))
    assert clipped == []


def test_the_toolbar_does_not_overflow(window_at_1366):
    toolbar = window_at_1366.findChildren(type(window_at_1366.addToolBar("x")))[0]
    assert toolbar.sizeHint().width() <= window_at_1366.width()
