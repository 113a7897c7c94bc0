"""导出Excel(报上级): the plan as imported, with this quarter's status and progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ..core.ledger import Ledger
from ..core.quarters import Quarter
from .background import BackgroundTask
from .exchange_common import ERROR_COLOR, OK_COLOR, JobsMixin, error_text, path_row, quarter_combo
from .file_dialogs import last_folder, remember_folder, save_file
from .open_result import OpenResult
from .screen_fit import fit_to_screen
from .wheel_guard import guard_wheel

KIND = "export"  # the folder remembered for exports (file_dialogs)


class ExportExcelDialog(JobsMixin, QDialog):
    """Choose the quarter and where to save; ``exported(path)`` when the file is written."""

    exported = Signal(str)

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None, *,
                 quarter: Quarter | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self.result_path: Path | None = None
        self.setWindowTitle("导出Excel")
        explain = QLabel(f"把《{self.plan.title}》按导入时的表格样式导出,增加完成状态、完成时间、"
                         "本季度进展和佐证材料四列,可直接打印或报送上级。已结束的季度按季度末的情况导出,"
                         "与该季度的季度报告一致。")
        explain.setWordWrap(True)
        self.quarter = quarter_combo(self.plan.year, quarter)
        self.path, where = path_row("选择保存位置……", self.choose_path)
        form = QFormLayout()
        form.addRow("进展季度:", self.quarter)
        form.addRow("保存到:", where)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("导出", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.export)
        self.open_result = OpenResult()
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.open_result)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.quarter.currentIndexChanged.connect(self._suggest_name)
        self._suggest_name()
        # As tall as the wrapped explanation needs at this width (large type wraps it into
        # more lines), never larger than the screen.
        layout.activate()
        fit_to_screen(self, (620, max(240, layout.totalHeightForWidth(620))))
        guard_wheel(self)

    def selected_quarter(self) -> Quarter:
        chosen = self.quarter.current_quarter()
        assert chosen is not None  # the box offers quarters only
        return chosen

    def _suggest_name(self) -> None:
        from ..io.xlsx_export import default_export_name

        folder = Path(self.path.text()).parent if self.path.text() else last_folder(KIND)
        self.path.setText(str(folder / default_export_name(self.plan.title, self.selected_quarter())))

    def choose_path(self) -> None:
        path = save_file(self, "导出Excel", self.path.text(), "Excel 工作簿 (*.xlsx)", KIND)
        if path is not None:
            self.path.setText(str(path))

    def export(self) -> None:
        from ..io.xlsx_export import export_plan_xlsx

        target = self.path.text().strip()
        if not target:
            self.choose_path()
            target = self.path.text().strip()
            if not target:
                return
        folder, plan_id, quarter = self.ledger.folder, self.plan.id, self.selected_quarter()

        def work() -> Path:
            with Ledger.open(folder, create=False) as own:
                return export_plan_xlsx(own, plan_id, quarter, target).path

        self.export_button.setEnabled(False)
        self.status.setText("正在导出……")
        self._start_job(BackgroundTask(self, "正在导出Excel……"), work, self._done, self._failed)

    def _done(self, path: Path) -> None:
        self.result_path = path
        self.export_button.setEnabled(True)
        self.status.setStyleSheet(OK_COLOR)
        self.status.setText(f"已导出到 {path}")
        remember_folder(KIND, Path(path).parent)
        self.open_result.show_for(path)
        self.exported.emit(str(path))

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.status.setStyleSheet(ERROR_COLOR)
        self.status.setText(error_text(exc, "导出"))
