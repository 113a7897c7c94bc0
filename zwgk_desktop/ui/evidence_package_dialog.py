"""导出佐证材料包: choose unit and quarter, write a .zip inspectors open without us."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..core import task_query
from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from ..io.evidence_package import PackageResult, write_evidence_package
from .background import BackgroundTask
from .failure_text import failure_text
from .file_dialogs import save_file
from .open_result import OpenResult
from .quarter_combo import QuarterCombo
from .wheel_guard import guard_wheel

KIND = "evidence"  # the folder remembered for evidence packages (file_dialogs)
OK_COLOR = "color: #2e7d32;"
ERROR_COLOR = "color: #b3261e;"


class EvidencePackageDialog(QDialog):
    """Stays open after writing: the package's place, and 打开文件 / 打开所在文件夹 to
    send it on (the next step is nearly always that)."""

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None, *,
                 quarter: Quarter | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self.result: PackageResult | None = None
        self._task: BackgroundTask | None = None
        self.setWindowTitle("导出佐证材料包")
        self.resize(520, 220)
        self.unit = QComboBox()
        self.unit.addItem("全部责任单位", None)
        for name in task_query.plan_units(ledger, plan_id):
            self.unit.addItem(name, name)
        self.quarter = QuarterCombo(any_text="全部季度")
        # The year's quarters in order, on 全部季度 unless the window's 进展季度 is given.
        self.quarter.set_choices([Quarter(self.plan.year, n) for n in range(1, 5)], quarter)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.open_result = OpenResult()
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("导出…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("责任单位:", self.unit)
        form.addRow("季度:", self.quarter)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.open_result)
        layout.addStretch(1)
        layout.addWidget(buttons)
        guard_wheel(self)

    def suggested_name(self) -> str:
        parts = [f"{self.plan.year}年"]
        if self.unit.currentData():
            parts.append(str(self.unit.currentData()))
        quarter = self.quarter.current_quarter()
        if quarter is not None:
            parts.append(quarter.label.removeprefix(f"{self.plan.year}年"))
        return "".join(parts) + "佐证材料包.zip"

    def choose_and_export(self) -> None:
        path = save_file(self, "保存佐证材料包", self.suggested_name(), "压缩包 (*.zip)", KIND)
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> None:
        folder, plan_id = self.ledger.folder, self.plan.id
        unit, quarter = self.unit.currentData(), self.quarter.current_quarter()

        def work() -> PackageResult:
            with Ledger.open(folder, create=False) as ledger:  # this thread's own connection
                return write_evidence_package(ledger, path, plan_id=plan_id, unit=unit, quarter=quarter)

        self.export_button.setEnabled(False)
        self.open_result.setVisible(False)
        self.status.setStyleSheet("")
        self.status.setText("正在打包……")
        self._task = BackgroundTask(self, "正在打包佐证材料……")
        self._task.start(work, self._done, self._failed)

    def _done(self, result: PackageResult) -> None:
        self.result = result
        self.export_button.setEnabled(True)
        self.status.setStyleSheet(OK_COLOR)
        text = f"佐证材料包已保存到 {result.path}\n共 {result.tasks} 项任务、{len(result.items)} 份材料。"
        if result.problems:
            text += "\n" + "\n".join(f"提示:{p}" for p in result.problems[:5])
            if len(result.problems) > 5:
                text += f"\n……另有 {len(result.problems) - 5} 条提示。"
        self.status.setText(text)
        self.open_result.show_for(result.path)

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.status.setStyleSheet(ERROR_COLOR)
        self.status.setText(exc.message if isinstance(exc, UserError) else failure_text(exc, "导出", unchanged=""))
