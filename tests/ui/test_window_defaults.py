"""Defaults that follow the clerk: the 进展季度 and 只看本单位 as left, the dialogs on
the window's quarter, a window no larger than the screen, an empty result that says so."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialog

from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import settings as app_settings

Q2 = Quarter(2023, 2)


def test_the_progress_quarter_is_remembered_between_starts(sample_ledger, make_window):
    window = make_window(sample_ledger)
    window.quarter_combo.setCurrentIndex(window.quarter_combo.findData(str(Q2)))
    window.close()
    again = make_window(sample_ledger)
    assert again.model.quarter == Q2
    assert again.panel.quarter == Q2
    assert again.quarter_combo.currentData() == str(Q2)


def test_own_unit_only_is_remembered(sample_ledger, make_window):
    app_settings.set_own_unit("区教体局")
    window = make_window(sample_ledger)
    window.filters.own_unit.setChecked(True)
    shown = window.model.rowCount()
    window.close()
    again = make_window(sample_ledger)
    assert again.filters.own_unit.isChecked()
    assert again.model.rowCount() == shown


def test_the_window_is_never_larger_than_the_screen(sample_window):
    area = QApplication.primaryScreen().availableGeometry()
    assert sample_window.width() <= area.width() and sample_window.height() <= area.height()


def test_the_dialogs_open_on_the_windows_quarter(sample_window, monkeypatch):
    window = sample_window
    window.quarter_combo.setCurrentIndex(window.quarter_combo.findData(str(Q2)))
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(QDialog, "exec",
                        lambda dialog: seen.append((type(dialog).__name__, dialog.quarter.currentData())) or 0)
    for show in (window.show_report, window.show_export_excel, window.show_fill_in):
        show()
    assert seen == [("ReportDialog", str(Q2)), ("ExportExcelDialog", str(Q2)), ("FillInDialog", str(Q2))]


def test_an_empty_result_says_so_and_clears_in_one_click(sample_window):
    window = sample_window
    assert not window.no_match.isVisible()
    window.filters.search.setText("没有任务会包含这句话")
    window.filters.flush()
    assert window.model.rowCount() == 0
    assert window.no_match.isVisible()
    window.clear_filters()
    assert window.filters.search.text() == ""
    assert window.model.rowCount() > 0
    assert not window.no_match.isVisible()


def test_follow_up_and_dashboard_open_on_the_windows_quarter(sample_window, monkeypatch):
    """督办 and 概况 count 本季度 as the quarter the clerk works in, not today's."""
    window = sample_window
    window.quarter_combo.setCurrentIndex(window.quarter_combo.findData(str(Q2)))
    window.show_follow_up()
    follow_up = window.follow_up_dialog
    assert follow_up.quarter == Q2
    assert Q2.label in follow_up.summary.text()
    follow_up.close()
    seen: list[Quarter] = []
    monkeypatch.setattr(QDialog, "exec", lambda dialog: seen.append(dialog.dashboard.quarter) or 0)
    window.show_dashboard()
    assert seen == [Q2]
