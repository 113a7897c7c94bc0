"""季度报告: choose the quarter and the scope, generate the PDF off the GUI thread, look
at it inside the app (QPdfView), print it, save it.

The report is written to a temporary file first; 另存为PDF copies that file, 打印 renders
its pages (QPdfDocument.render) onto the printer at the paper's true size, so what is
printed is exactly what was previewed; it runs in a worker with progress and 取消.
另存为 Word writes the same report data as an editable .docx (io/docx_report.py), also in
a worker. Without QtPdf (the PySide6-Pdf wheel) there is
no preview or printing from here: the dialog says so and opens the PDF in the system's
PDF reader instead. The choices of scope and sign-off: ui/report_options.py; the
printing worker: ui/report_printing.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from ..core.report_data import ReportData, SignOff, build_report, count_summary, format_rate
from .background import BackgroundTask
from .failure_text import failure_text
from .file_dialogs import save_file
from .open_result import OpenResult
from .report_options import ALL_UNITS, ReportOptions
from .report_printing import PrintCancelled
from .report_printing import print_pdf_pages as _print_pages  # the tests spy on it here
from .screen_fit import fit_to_screen

try:  # QtPdf ships in the PySide6-Pdf wheel; the dialog works without it, less well
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    HAVE_QTPDF = True
except ImportError:  # pragma: no cover - exercised by monkeypatching HAVE_QTPDF
    QPdfDocument = QPdfView = None  # type: ignore[assignment,misc]
    HAVE_QTPDF = False

__all__ = ["ALL_UNITS", "HAVE_QTPDF", "ReportDialog"]


class ReportDialog(ReportOptions, QDialog):
    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None, *,
                 quarter: Quarter | None = None) -> None:
        """``quarter``: the one to open on (the window's 进展季度), when it can be reported."""
        super().__init__(parent)
        self.ledger = ledger
        self.plan_id = plan_id
        self.plan = ledger.plan(plan_id)
        self.data: ReportData | None = None
        self.result = None  # RenderResult of the report shown
        self.pdf_path: Path | None = None
        self.error: str | None = None
        self._task: BackgroundTask | None = None
        self._printer = None
        self._temp = Path(tempfile.mkdtemp(prefix="zwgk-report-"))
        self._generation = 0
        self._closed = False
        self.setWindowTitle(f"季度报告 — {self.plan.title}")

        scope, sign = self._build_options(ledger, plan_id, quarter)

        self.generate_button = QPushButton("生成预览")
        self.generate_button.setDefault(True)
        self.print_button = QPushButton("打印…")
        self.save_button = QPushButton("另存为PDF…")
        self.word_button = QPushButton("另存为 Word…")
        self.word_button.setToolTip("同一份报告存为可编辑的 Word 文档(.docx,公文版式),便于上级汇总时修改引用")
        self.open_button = QPushButton("用其他程序打开")
        close_button = QPushButton("关闭")
        for button in (self.print_button, self.save_button, self.word_button, self.open_button):
            button.setEnabled(False)
        self.generate_button.clicked.connect(self.generate)
        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_as)
        self.word_button.clicked.connect(self.save_as_word)
        self.open_button.clicked.connect(self.open_externally)
        close_button.clicked.connect(self.reject)

        self.status = QLabel("选择季度和统计范围后,点“生成预览”。")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        if HAVE_QTPDF:
            self.document = QPdfDocument(self)
            self.view = QPdfView(self)
            self.view.setDocument(self.document)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            preview: QWidget = self.view
        else:
            self.document = None
            self.view = None
            self.print_button.setToolTip("在本程序中打印需要 PySide6-Pdf 组件;可用其他程序打开后打印。")
            preview = QLabel("本机的程序缺少 PDF 预览组件(PySide6-Pdf),无法在此预览和打印。\n"
                             "生成后可点“用其他程序打开”,在系统的 PDF 阅读器中查看和打印。")
            preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
            preview.setWordWrap(True)
        self.preview = preview

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(scope)
        left.addWidget(sign)
        left.addWidget(self.generate_button)
        left.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.print_button, self.save_button, self.word_button, self.open_button, close_button):
            buttons.addWidget(button)
        self.open_result = OpenResult()  # 打开文件 / 打开所在文件夹 once saved
        right = QVBoxLayout()
        right.addWidget(preview, 1)
        right.addWidget(self.status)  # its own line above the buttons: never a narrow strip
        right.addWidget(self.open_result)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        layout.addWidget(left_widget)
        layout.addLayout(right, 1)

        for combo in (self.quarter, self.section):
            combo.currentIndexChanged.connect(self._options_changed)
        self.unit.currentTextChanged.connect(self._options_changed)
        self.quarter.currentIndexChanged.connect(self._offer_follow_ups)
        self._offer_follow_ups()
        for box in (self.due_only, self.with_evidence, self.with_follow_ups):
            box.toggled.connect(self._options_changed)
        for edit in (self.title_unit, self.preparer, self.reviewer, self.phone):
            edit.textChanged.connect(self._options_changed)
        fit_to_screen(self, (max(1000, left_widget.sizeHint().width() + 640), 760))

    # -- options ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and self._task.running

    def _options_changed(self, *_: object) -> None:
        if self.pdf_path is not None and not self.running:
            self.status.setText("选项已改变:点“生成预览”按新选项重新生成。"
                                "(打印和另存为仍针对下方显示的报告。)")

    # -- generating -------------------------------------------------------------------------

    def generate(self) -> None:
        if self.running:
            return
        quarter, scope = self.selected_quarter(), self.selected_scope()
        title_unit = self.title_unit.text().strip()
        sign_off = SignOff(self.preparer.text().strip(), self.reviewer.text().strip(), self.phone.text().strip())
        with_evidence = self.with_evidence.isChecked()
        self._remember()
        self._generation += 1
        target = self._temp / f"report-{self._generation}.pdf"
        folder, plan_id = self.ledger.folder, self.plan_id

        def work():
            from ..io.pdf_report import (
                render_report,  # reportlab loads in the worker, not at start-up
            )

            with Ledger.open(folder, create=False) as own:  # the worker's own connection
                data = build_report(own, plan_id, quarter, scope, title_unit=title_unit, sign_off=sign_off,
                                    with_evidence=with_evidence)
            return data, render_report(data, target)

        self.error = None
        self.generate_button.setEnabled(False)
        self.status.setText(f"正在生成{quarter.label}报告……")
        self._task = BackgroundTask(self, "正在生成季度报告……")
        self._task.start(work, self._generated, self._failed)

    def _generated(self, outcome) -> None:
        if self._closed:
            return
        data, result = outcome
        old = self.pdf_path
        self.data, self.result, self.pdf_path = data, result, result.path
        self.generate_button.setEnabled(True)
        if self.document is not None:
            self.document.close()
            self.document.load(str(self.pdf_path))
        if old is not None and old != self.pdf_path:
            _remove(old)
        self.save_button.setEnabled(True)
        self.word_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self.print_button.setEnabled(self.document is not None)
        t = data.totals
        rate = format_rate(t.completion) if t.base else "—"
        text = (f"{data.quarter.label}报告,共 {result.pages} 页:{count_summary(data)};已完成 {t.done},"
                f"推进中 {t.in_progress},未启动 {t.not_started},逾期 {t.overdue},完成率 {rate}。")
        if data.follow_ups:
            text += f"列出本季度催办单 {len(data.follow_ups)} 份。"
        if result.missing:
            text += "\n注意:" + result.missing
            self.status.setStyleSheet("color: #9a5b00;")
        else:
            self.status.setStyleSheet("")
        self.status.setText(text)

    def _failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self.generate_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.error = exc.message
        else:
            self.error = failure_text(exc, "生成报告", unchanged="")
        self.status.setStyleSheet("color: #b3261e;")
        self.status.setText(self.error)

    # -- using the PDF ----------------------------------------------------------------------

    def default_file_name(self) -> str:
        data = self.data
        name = data.title if data is not None else "季度报告"
        return "".join(ch for ch in name if ch not in '\\/:*?"<>|') + ".pdf"

    def save_as(self) -> str | None:
        if self.pdf_path is None:
            return None
        target = save_file(self, "另存为PDF", self.default_file_name(), "PDF 文件 (*.pdf)", "report")
        if target is None:
            return None
        temp = target.with_name(f".{target.name}.part")
        try:
            shutil.copyfile(self.pdf_path, temp)
            os.replace(temp, target)
        except OSError as exc:
            _remove(temp)
            message = (f"无法保存到“{target}”:{exc.strerror or exc}。"
                       "如果该文件正在 PDF 阅读器中打开,请先关闭它,或换一个文件名。")
            self.status.setStyleSheet("color: #b3261e;")
            self.status.setText(message)
            QMessageBox.warning(self, "另存为PDF", message)
            return None
        self.status.setStyleSheet("")
        self.status.setText(f"已保存:{target}")
        self.open_result.show_for(target)
        return str(target)

    def save_as_word(self) -> bool:
        """The report shown, as an editable Word document, written by a worker from the
        same report data as the PDF. True when the writing started."""
        if self.data is None or self.running:
            return False
        name = self.default_file_name()[:-4] + ".docx"
        target = save_file(self, "另存为 Word", name, "Word 文档 (*.docx)", "report")
        if target is None:
            return False
        data = self.data

        def work():
            from ..io.docx_report import render_docx  # python-docx loads in the worker

            return render_docx(data, target)

        def saved(_result) -> None:
            if self._closed:
                return
            self.status.setStyleSheet("")
            self.status.setText(f"已保存:{target}")
            self.open_result.show_for(target)

        def failed(exc: BaseException) -> None:
            if self._closed:
                return
            message = exc.message if isinstance(exc, UserError) else failure_text(exc, "保存 Word 文档", unchanged="")
            self.status.setStyleSheet("color: #b3261e;")
            self.status.setText(message)
            QMessageBox.warning(self, "另存为 Word", message)

        self.status.setText("正在保存 Word 文档……")
        self._task = BackgroundTask(self, "正在保存 Word 文档……")
        self._task.start(work, saved, failed)
        return True

    def open_externally(self) -> None:
        if self.pdf_path is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.pdf_path))):
            QMessageBox.warning(self, "打开报告", "没有找到可以打开 PDF 文件的程序。可先“另存为PDF”,再用 PDF 阅读器打开。")

    def print_report(self) -> bool:
        """Ask for the printer and pages, then print them in the background (True when
        printing started)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        if self.document is None or self.pdf_path is None or self.running:
            return False
        pages = self.document.pageCount()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.default_file_name()[:-4])
        printer.setFullPage(True)  # the PDF's pages carry their own margins
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印季度报告")
        dialog.setMinMax(1, max(1, pages))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        first, last = printer.fromPage() or 1, printer.toPage() or pages
        return self.print_pages(printer, range(first - 1, min(last, pages)))

    def print_pages(self, printer, pages: range) -> bool:
        """Render and send the pages in a worker (QPainter may paint on a QPrinter off
        the GUI thread), with progress and 取消; the window stays responsive."""
        if self.pdf_path is None or self.running:
            return False
        path = self.pdf_path
        self._printer = printer  # kept alive until the worker is done with it
        task = BackgroundTask(self, "正在打印……", cancel_error=PrintCancelled)

        def work():
            return _print_pages(path, printer, pages, task.report)

        def printed(count: int) -> None:
            self._printer = None
            if self._closed:
                return
            self.status.setStyleSheet("")
            self.status.setText(f"已发送到打印机:{printer.printerName() or printer.outputFileName()}"
                                f"(共 {count} 页)")

        def failed(exc: BaseException) -> None:
            self._printer = None
            if self._closed:
                return
            if isinstance(exc, PrintCancelled):
                self.status.setStyleSheet("")
                self.status.setText("已取消打印(已送出的页仍可能打印出来)。")
                return
            message = exc.message if isinstance(exc, UserError) else failure_text(exc, "打印", unchanged="")
            self.status.setStyleSheet("color: #b3261e;")
            self.status.setText(message)
            QMessageBox.warning(self, "打印", message)

        self.status.setText("正在打印……")
        self._task = task
        task.start(work, printed, failed)
        return True

    # -- closing ----------------------------------------------------------------------------

    def done(self, result: int) -> None:
        if self.running:
            return  # the report is still being written; the progress dialog says so
        self._closed = True
        if self.document is not None:
            self.document.close()
        shutil.rmtree(self._temp, ignore_errors=True)
        super().done(result)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
