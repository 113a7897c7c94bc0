"""Fixtures for the GUI tests: ledgers that close after the windows on them, windows
that close before their ledger, settings and fonts that do not leak between tests,
and small task-table files to import.

Windows are closed by ``make_window``'s teardown (which runs before the ledgers'
teardown, because it depends on ``open_ledger``): closing a window saves a pending
progress note, and that needs the ledger still open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from zwgk_desktop.app import DesktopApp
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.sample import ensure_sample_ledger
from zwgk_desktop.ui import status_date_dialog
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.qt_workarounds import protect_singletons_from_refcount_bug

# The app's own guard against PySide6 6.12.0's refcount bug on CPython 3.11 (see
# zwgk_desktop/ui/qt_workarounds.py); the GUI tests run with it, as the app does.
protect_singletons_from_refcount_bug()

SAMPLE_TASKS = 59
HEADER = ["工作任务", "具体要求", "责任单位", "完成时限", "备注"]
ROWS = [
    ["公开平台建设", "完善政府网站信息公开专栏。", "区政务服务中心", "12月底前", "6月底前完成"],
    ["公开平台建设", "规范政务新媒体管理。", "区委网信办、区政务服务中心", "长期坚持", "9月底前完成"],
    ["重点领域公开", "做好财政预决算公开。", "区财政局", "三季度前", "3月底前完成"],
    ["重点领域公开", "公开重大建设项目批准和实施信息。", "区发改局", "11月底前", "5月底前完成"],
]


def flush_deletes() -> None:
    """Run pending deleteLater() calls now, so no deleted window's timer fires later."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


@pytest.fixture(autouse=True)
def _isolated_qt_state(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Qt reads XDG_CONFIG_HOME once per process, so the per-test home of the root
    conftest does not reach QSettings after the first test: point it at a fresh folder
    here. The application font (大字模式 changes it) is put back afterwards."""
    config = tmp_path_factory.mktemp("qsettings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(config))
    font = QApplication.font()
    yield
    QApplication.setFont(font)
    flush_deletes()


@pytest.fixture
def no_dialogs() -> Iterator[list[tuple[str, str, str]]]:
    """Message boxes are recorded (kind, title, text), never shown, never blocking;
    question() answers Yes. The patches are this fixture's own, so a test's
    ``monkeypatch.undo()`` does not bring real, blocking dialogs back, and a stub that
    outlives the test (restored later by another monkeypatch) calls the real one."""
    shown: list[tuple[str, str, str]] = []
    active = True

    def record(kind: str, answer):
        original = getattr(QMessageBox, kind)

        def fake(parent, title, text, *args, **kwargs):
            if not active:
                return original(parent, title, text, *args, **kwargs)
            shown.append((kind, title, text))
            return answer
        return fake

    patch = pytest.MonkeyPatch()
    patch.setattr(QMessageBox, "warning", record("warning", QMessageBox.StandardButton.Ok))
    patch.setattr(QMessageBox, "critical", record("critical", QMessageBox.StandardButton.Ok))
    patch.setattr(QMessageBox, "information", record("information", QMessageBox.StandardButton.Ok))
    patch.setattr(QMessageBox, "question", record("question", QMessageBox.StandardButton.Yes))
    yield shown
    active = False
    patch.undo()


class StatusDays:
    """Stands in for the dialog that asks the day of a status: records each question
    (status, count, quarter) and answers ``answer`` (None = the clerk cancelled)."""

    def __init__(self) -> None:
        self.answer: date | None = date.today()
        self.asked: list[tuple[str, int, object]] = []

    def __call__(self, parent, status, count, quarter, plan_year, default=None):
        self.asked.append((status.value, count, quarter))
        return self.answer


@pytest.fixture(autouse=True)
def status_days(monkeypatch: pytest.MonkeyPatch) -> StatusDays:
    """No GUI test blocks on the day-of-status dialog; tests that care set the answer."""
    days = StatusDays()
    monkeypatch.setattr(status_date_dialog, "ask_status_date", days)
    return days


@pytest.fixture
def open_ledger() -> Iterator[Callable[[Path], Ledger]]:
    opened: list[Ledger] = []

    def factory(folder: Path) -> Ledger:
        ledger = Ledger.open(folder)
        opened.append(ledger)
        return ledger

    yield factory
    for ledger in opened:
        ledger.close()


@pytest.fixture
def make_window(qtbot, open_ledger, no_dialogs) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def factory(ledger: Ledger, *, is_sample: bool = False, show: bool = True) -> MainWindow:
        window = MainWindow(ledger, is_sample=is_sample)
        qtbot.addWidget(window)
        windows.append(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window

    yield factory
    for window in windows:
        window.close()
        window.deleteLater()
    flush_deletes()


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    return ensure_sample_ledger(tmp_path / "sample")


@pytest.fixture
def sample_ledger(sample_dir: Path, open_ledger) -> Ledger:
    return open_ledger(sample_dir)


@pytest.fixture
def sample_window(sample_ledger: Ledger, make_window) -> MainWindow:
    return make_window(sample_ledger)


def write_xlsx(path: Path, rows: list[list[str]], *, header: list[str] | None = HEADER,
               title: str | None = "2024年某区政务公开工作任务分解表") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务"
    if title:
        sheet.append([title])
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def plan_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "2024年任务分解表.xlsx", ROWS)


@pytest.fixture
def desktop(no_dialogs):
    """The app object that opens ledgers with their lock, closed after the test."""
    app = DesktopApp()
    yield app
    window = app.window
    app.close_current()
    if window is not None:
        window.deleteLater()
    flush_deletes()
