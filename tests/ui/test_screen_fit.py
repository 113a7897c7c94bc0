"""At 1366×768 (1366×728 left once the taskbar is drawn), in normal and large fonts,
every dialog of the exchange, report and 督办 family fits the screen with its title bar,
and no label or button shows a cut text (as tests/ui/test_layout.py checks the window)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel, QRadioButton, QStyle, QWidget

from tests.builders import parsed_plan
from zwgk_desktop.core import derive as V
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.ui import screen_fit
from zwgk_desktop.ui.evidence_dialogs import PreviewDialog, UrlDialog
from zwgk_desktop.ui.fill_in_dialog import FillInDialog
from zwgk_desktop.ui.follow_up_view import FollowUpDialog
from zwgk_desktop.ui.report_dialog import ReportDialog
from zwgk_desktop.ui.rollup_dialog import RollupDialog
from zwgk_desktop.ui.theme import apply_font_size

AVAILABLE = QRect(0, 0, 1366, 728)


@pytest.fixture(params=["normal", "large"])
def small_screen(request, monkeypatch):
    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget=None: QRect(AVAILABLE))
    apply_font_size(request.param == "large")
    return request.param


def cut_texts(dialog: QWidget) -> list[tuple[str, str, int, int]]:
    """Labels and buttons on one line whose text is wider than the widget."""
    cut = []
    indicator = dialog.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
    for widget in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton):
        if not widget.isVisible() or widget.toolTip() or not widget.text():
            continue
        if isinstance(widget, QLabel) and (widget.wordWrap() or "\n" in widget.text()):
            continue
        needed = widget.fontMetrics().horizontalAdvance(widget.text().replace("&", ""))
        if isinstance(widget, (QCheckBox, QRadioButton)):
            needed += indicator
        if widget.width() < needed:
            cut.append((type(widget).__name__, widget.text(), widget.width(), needed))
    return cut


def assert_fits(dialog: QWidget, qtbot) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    room = QSize(AVAILABLE.width() - screen_fit.FRAME.width(), AVAILABLE.height() - screen_fit.FRAME.height())
    size = dialog.size()
    assert size.width() <= room.width() and size.height() <= room.height(), (size, room)
    minimum = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    assert minimum.width() <= room.width() and minimum.height() <= room.height(), (minimum, room)
    assert cut_texts(dialog) == []


@pytest.fixture
def linked(tmp_path: Path, open_ledger):
    """A 市 plan naming the counties, and the 区 plan derived from it with answers."""
    ledger = open_ledger(tmp_path / "台账")
    rows = [(["一、公开"], "公开决策事项目录,并按上级要求动态调整,及时在政府网站公开专栏发布。",
             "各县区政府、市发改委", "6月底前"),
            (["一、公开"], "规范政府网站和政务新媒体。", "各县区政府", "12月底前")]
    city = write_plan(ledger, parsed_plan(rows, title="2023年某市政务公开工作任务分解表"), "a" * 64).plan_id
    county = V.create_derived_plan(ledger, V.prepare_derive(ledger, city, local_name="任城区",
                                                            lead_office="区政府办公室")).plan_id
    for task in ledger.tasks(county):
        ledger.set_status(task.id, Status.DONE, date(2023, 9, 1))
    return ledger, city


def test_report_dialog_fits(small_screen, sample_ledger, qtbot, no_dialogs):
    dialog = ReportDialog(sample_ledger, sample_ledger.plans()[0].id)
    dialog.unit.setCurrentText("区发改局")
    assert_fits(dialog, qtbot)
    # the status line spans the preview's width: never a narrow strip of six lines
    assert dialog.status.width() >= dialog.preview.width() - 2
    dialog.reject()


def test_fill_in_dialog_fits_and_keeps_its_unit_rows(small_screen, sample_ledger, qtbot, no_dialogs):
    dialog = FillInDialog(sample_ledger, sample_ledger.plans()[0].id)
    assert_fits(dialog, qtbot)
    assert dialog.units.viewport().height() >= 6 * dialog.units.fontMetrics().lineSpacing()
    if dialog.groups_box.isVisible():
        note = dialog.groups_note
        assert note.height() <= (note.lines + 1) * note.label.fontMetrics().lineSpacing()
        assert note.label.height() <= note.viewport().height() or note.is_capped()


def test_follow_up_dialog_fits(small_screen, sample_ledger, qtbot, no_dialogs):
    dialog = FollowUpDialog(sample_ledger, sample_ledger.plans()[0].id, today=date(2023, 12, 5))
    assert_fits(dialog, qtbot)
    dialog.reject()


def test_rollup_dialog_fits(small_screen, linked, qtbot, no_dialogs):
    ledger, city = linked
    assert_fits(RollupDialog(ledger, city), qtbot)


def test_evidence_dialogs_fit(small_screen, sample_ledger, qtbot, tmp_path: Path, no_dialogs):
    assert_fits(UrlDialog(None, "https://www.example.gov.cn/a.html"), qtbot)
    image = QImage(3000, 2000, QImage.Format.Format_RGB32)
    image.fill(QColor("#3070c0"))
    path = tmp_path / "大图.png"
    image.save(str(path))
    task_id = sample_ledger.tasks(sample_ledger.plans()[0].id)[0].id
    item = ev.attach_files(sample_ledger, task_id, [path]).added[0]
    assert_fits(PreviewDialog(None, item, ev.stored_path(sample_ledger, item.sha256)), qtbot)


def test_fit_to_screen_keeps_a_small_dialog_as_it_asked(monkeypatch, qtbot):
    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget=None: QRect(AVAILABLE))
    widget = QWidget()
    qtbot.addWidget(widget)
    assert screen_fit.fit_to_screen(widget, (500, 300)) == QSize(500, 300)
    assert screen_fit.fit_to_screen(widget, (1400, 760)) == QSize(1366 - screen_fit.FRAME.width(),
                                                                 728 - screen_fit.FRAME.height())
    assert widget.size() == QSize(1366 - screen_fit.FRAME.width(), 728 - screen_fit.FRAME.height())
