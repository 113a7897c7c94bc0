"""检查佐证材料: read every stored file against its hash, off the GUI thread, and show
what is missing or altered, by task. Changes nothing."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ..core import evidence as ev
from ..core import integrity
from ..core.errors import UserError
from ..core.ledger import Ledger
from .evidence_dialogs import ProgressTask
from .failure_text import failure_text


class CheckCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("检查已取消,台账没有任何改变。")


class CheckDialog(QDialog):
    """Starts checking when shown (``start()``); ``finished_check(report)`` at the end."""

    finished_check = Signal(object)

    def __init__(self, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.report: ev.CheckReport | None = None
        self.setWindowTitle("检查佐证材料")
        self.resize(720, 480)
        self.summary = QLabel("正在检查台账中的每一个佐证材料文件……")
        self.summary.setWordWrap(True)
        bold = QFont(self.summary.font())
        bold.setBold(True)
        self.summary.setFont(bold)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self._task: ProgressTask | None = None
        self.database: integrity.DatabaseCheck | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and self._task.running

    def start(self) -> None:
        folder = self.ledger.folder
        task = ProgressTask(self, "正在检查佐证材料……", verb="正在检查佐证材料", cancel_error=CheckCancelled)
        self._task = task

        def work() -> ev.CheckReport:
            with Ledger.open(folder, create=False) as own:
                self.database = integrity.check_database(own)  # SQLite's own check first: quick
                return ev.check_store(own, progress=task.report)

        task.start(work, self._done, self._failed)

    def _done(self, report: ev.CheckReport) -> None:
        self.report = report
        database = self.database
        prefix = ""
        if database is not None and (not database.ok or database.temps):
            prefix = integrity.format_database_check(database, self.ledger.folder) + "\n\n"
        if database is not None and not database.ok:
            self.summary.setText("台账数据库已损坏,详见下方。请先把整个台账文件夹复制一份留存。")
            self.summary.setStyleSheet("color: #b3261e;")
        elif report.ok:
            self.summary.setText(f"全部 {report.files_total} 个文件完好,与添加时一致。")
            self.summary.setStyleSheet("color: #2e7d32;")
        else:
            self.summary.setText(f"发现 {len(report.problems)} 条材料的文件有问题,详见下方(按任务列出)。")
            self.summary.setStyleSheet("color: #b3261e;")
        self.text.setPlainText(prefix + ev.format_check_report(report))
        self.finished_check.emit(report)

    def _failed(self, exc: BaseException) -> None:
        message = failure_text(exc, "检查", unchanged="")
        self.summary.setText("检查没有完成。")
        self.text.setPlainText(message)
        self.finished_check.emit(None)

    def exec(self) -> int:  # type: ignore[override]
        if self._task is None:
            self.start()
        return super().exec()
