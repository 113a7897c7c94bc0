"""季度报告 dialog: generation off the GUI thread, preview, save and print (to a PDF
printer), the defaults it offers and the errors it shows."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog

from tests.core.test_report_data import make_report_ledger
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import report_dialog, settings
from zwgk_desktop.ui.report_dialog import ALL_UNITS, ReportDialog

TIMEOUT = 30_000


@pytest.fixture
def crafted(tmp_path: Path, open_ledger):
    ledger = open_ledger(tmp_path / "ledger")
    plan_id, ids = make_report_ledger(ledger)
    return ledger, plan_id


@pytest.fixture
def make_dialog(qtbot, no_dialogs):
    dialogs: list[ReportDialog] = []

    def factory(ledger, plan_id) -> ReportDialog:
        dialog = ReportDialog(ledger, plan_id)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        return dialog

    yield factory
    for dialog in dialogs:
        if dialog.running:
            qtbot.waitUntil(lambda d=dialog: not d.running, timeout=TIMEOUT)
        dialog.reject()


def generate(qtbot, dialog: ReportDialog) -> None:
    dialog.generate_button.click()
    assert dialog.running or dialog.pdf_path is not None or dialog.error
    qtbot.waitUntil(lambda: not dialog.running, timeout=TIMEOUT)


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def test_defaults_own_unit_and_quarter(crafted, make_dialog) -> None:
    ledger, plan_id = crafted
    settings.set_own_unit("县政府办")
    dialog = make_dialog(ledger, plan_id)
    assert dialog.unit.currentText() == "县政府办"
    assert dialog.selected_scope().unit == "县政府办"
    assert dialog.title_unit.text() == "县政府办"
    assert [dialog.quarter.itemData(i) for i in range(dialog.quarter.count())] == [
        "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1"]
    assert dialog.selected_quarter() in {Quarter(2023, n) for n in range(1, 5)}
    labels = [dialog.section.itemText(i) for i in range(dialog.section.count())]
    assert labels[:3] == ["全部章节", "一、推进决策公开", "\u3000\uff08一\uff09目录管理"]
    dialog.unit.setCurrentText(ALL_UNITS)
    assert dialog.selected_scope().unit is None


def test_generates_off_the_gui_thread_and_previews(crafted, make_dialog, qtbot, monkeypatch) -> None:
    ledger, plan_id = crafted
    settings.set_own_unit("")
    threads: list[str] = []
    original = report_dialog.build_report

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(report_dialog, "build_report", spy)
    dialog = make_dialog(ledger, plan_id)
    dialog.quarter.setCurrentIndex(2)  # 2023Q3
    assert not dialog.save_button.isEnabled() and not dialog.print_button.isEnabled()
    generate(qtbot, dialog)
    assert dialog.error is None
    assert threads and threads[0] != threading.main_thread().name
    assert dialog.data.totals.total == 7 and dialog.data.totals.done == 2
    assert dialog.pdf_path.is_file() and dialog.result.pages == pdf_pages(dialog.pdf_path)
    assert f"共 {dialog.result.pages} 页" in dialog.status.text() and "完成率 33.3%" in dialog.status.text()
    assert dialog.save_button.isEnabled()
    if report_dialog.HAVE_QTPDF:
        from PySide6.QtPdf import QPdfDocument

        qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready, timeout=TIMEOUT)
        assert dialog.document.pageCount() == dialog.result.pages
        assert dialog.print_button.isEnabled()


def test_save_as_copies_the_previewed_pdf(crafted, make_dialog, qtbot, monkeypatch, tmp_path: Path) -> None:
    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    generate(qtbot, dialog)
    target = tmp_path / "out" / "二季度报告"
    target.parent.mkdir()
    asked: list[str] = []

    def fake_save(parent, caption, directory, filters, *_options):
        asked.append(directory)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    saved = dialog.save_as()
    assert saved == str(target) + ".pdf"
    assert Path(saved).read_bytes() == dialog.pdf_path.read_bytes()
    assert asked[0].endswith("政务公开重点工作任务落实情况.pdf")
    assert list(target.parent.iterdir()) == [Path(saved)]  # no temporary file left behind
    assert not dialog.open_result.isHidden() and dialog.open_result.path == Path(saved)


def test_save_as_cancelled_writes_nothing(crafted, make_dialog, qtbot, monkeypatch) -> None:
    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    generate(qtbot, dialog)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert dialog.save_as() is None


@pytest.mark.skipif(not report_dialog.HAVE_QTPDF, reason="QtPdf (PySide6-Pdf) is not installed")
@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils is not installed")
def test_print_renders_every_page(crafted, make_dialog, qtbot, monkeypatch, tmp_path: Path) -> None:
    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    generate(qtbot, dialog)
    from PySide6.QtPdf import QPdfDocument

    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready, timeout=TIMEOUT)
    printed = tmp_path / "printed.pdf"

    def fake_exec(self) -> int:  # the clerk picks a printer and presses 打印
        printer = self.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        printer.setResolution(72)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    threads: list[str] = []
    original = report_dialog._print_pages

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(report_dialog, "_print_pages", spy)
    assert dialog.print_report()
    assert dialog.running  # the pages are rendered by a worker, the window stays responsive
    qtbot.waitUntil(lambda: not dialog.running, timeout=TIMEOUT)
    assert threads and threads[0] != threading.main_thread().name
    assert pdf_pages(printed) == dialog.result.pages
    assert "已发送到打印机" in dialog.status.text()

    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    printed.unlink()
    assert not dialog.print_report()
    assert not printed.exists()


def test_an_unknown_unit_is_explained(crafted, make_dialog, qtbot) -> None:
    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    dialog.unit.setCurrentText("县不存在局")
    generate(qtbot, dialog)
    assert dialog.error is not None and "县不存在局" in dialog.error
    assert dialog.status.text() == dialog.error
    assert dialog.generate_button.isEnabled() and not dialog.save_button.isEnabled()


def test_without_qtpdf_the_pdf_opens_elsewhere(crafted, qtbot, monkeypatch, no_dialogs) -> None:
    ledger, plan_id = crafted
    monkeypatch.setattr(report_dialog, "HAVE_QTPDF", False)
    dialog = ReportDialog(ledger, plan_id)
    qtbot.addWidget(dialog)
    assert dialog.view is None and "PySide6-Pdf" in dialog.preview.text()
    generate(qtbot, dialog)
    assert dialog.pdf_path.is_file()
    assert dialog.open_button.isEnabled() and not dialog.print_button.isEnabled()
    opened: list[str] = []
    monkeypatch.setattr(report_dialog.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    dialog.open_externally()
    assert opened == [str(dialog.pdf_path)]
    dialog.reject()


def test_closing_removes_the_temporary_files(crafted, make_dialog, qtbot) -> None:
    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    generate(qtbot, dialog)
    first = dialog.pdf_path
    generate(qtbot, dialog)  # a second preview replaces the first file
    assert dialog.pdf_path != first and not first.exists()
    folder = dialog.pdf_path.parent
    dialog.reject()
    assert not folder.exists()


def test_sign_off_fields_are_remembered(crafted, make_dialog, qtbot) -> None:
    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    dialog.preparer.setText("张三")
    dialog.phone.setText("0537-1234567")
    generate(qtbot, dialog)
    assert dialog.data.sign_off.preparer == "张三"
    again = make_dialog(ledger, plan_id)
    assert again.preparer.text() == "张三" and again.phone.text() == "0537-1234567"


@pytest.mark.skipif(not report_dialog.HAVE_QTPDF, reason="QtPdf (PySide6-Pdf) is not installed")
def test_printing_can_be_cancelled(crafted, make_dialog, qtbot, monkeypatch, tmp_path: Path) -> None:
    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    generate(qtbot, dialog)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "cancelled.pdf"))
    printer.setResolution(72)
    started = threading.Event()
    release = threading.Event()
    original = report_dialog._print_pages

    def slow(path, printer, pages, report):
        def wait_then_report(done, total, name=""):
            started.set()
            release.wait(10)
            report(done, total, name)
        return original(path, printer, pages, wait_then_report)

    monkeypatch.setattr(report_dialog, "_print_pages", slow)
    dialog.print_pages(printer, range(dialog.result.pages))
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT)
    dialog._task.cancel_requested.set()  # 取消 in the progress dialog
    release.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=TIMEOUT)
    assert "已取消打印" in dialog.status.text()


def test_save_as_word(crafted, make_dialog, qtbot, monkeypatch, tmp_path: Path) -> None:
    import docx

    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    assert not dialog.word_button.isEnabled()
    generate(qtbot, dialog)
    assert dialog.word_button.isEnabled() and dialog.word_button.text() == "另存为 Word…"
    target = tmp_path / "word" / "二季度报告"
    target.parent.mkdir()
    asked: list[str] = []

    def fake_save(parent, caption, directory, filters, *_options):
        asked.append(directory)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    assert dialog.save_as_word()
    qtbot.waitUntil(lambda: not dialog.running, timeout=TIMEOUT)
    saved = Path(str(target) + ".docx")
    assert asked[0].endswith("政务公开重点工作任务落实情况.docx")
    text = "".join(p.text for p in docx.Document(str(saved)).paragraphs)
    assert "政务公开重点工作任务落实情况" in text
    assert f"已保存:{saved}" in dialog.status.text()
    assert sorted(p.name for p in target.parent.iterdir()) == [saved.name]  # no temporary file left


def test_save_as_word_to_a_missing_folder_says_so(crafted, make_dialog, qtbot, monkeypatch, tmp_path: Path,
                                                  no_dialogs) -> None:
    ledger, plan_id = crafted
    dialog = make_dialog(ledger, plan_id)
    generate(qtbot, dialog)
    target = tmp_path / "gone" / "r.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert dialog.save_as_word()
    qtbot.waitUntil(lambda: not dialog.running, timeout=TIMEOUT)
    assert [kind for kind, title, _ in no_dialogs] == ["warning"] and "无法写入" in no_dialogs[0][2]
    assert "无法写入" in dialog.status.text()


def test_follow_ups_box_on_for_a_quarter_with_follow_ups(crafted, make_dialog, qtbot) -> None:
    from datetime import date

    from tests.core.test_report_periods import record

    ledger, plan_id = crafted
    settings.set_own_unit("")
    record(ledger, plan_id, "县政府办", date(2023, 6, 25), Quarter(2023, 2), date(2023, 7, 5))
    dialog = make_dialog(ledger, plan_id)
    box = dialog.with_follow_ups
    assert box.text() == "列出本季度催办情况"
    dialog.quarter.setCurrentIndex(2)  # 2023Q3: nothing sent
    assert not box.isChecked() and "没有发出催办单" in box.toolTip()
    dialog.quarter.setCurrentIndex(1)  # 2023Q2: one sent
    assert box.isChecked() and "1 份" in box.toolTip()
    assert dialog.selected_scope().with_follow_ups
    generate(qtbot, dialog)
    assert dialog.error is None
    assert [row.unit for row in dialog.data.follow_ups] == ["县政府办"]
    assert "催办单 1 份" in dialog.status.text()
    # The clerk's choice stands when the quarter changes.
    box.click()
    assert not box.isChecked()
    dialog.quarter.setCurrentIndex(2)
    dialog.quarter.setCurrentIndex(1)
    assert not box.isChecked() and not dialog.selected_scope().with_follow_ups
