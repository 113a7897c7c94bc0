"""导出佐证材料包: choose unit and quarter, write a .zip inspectors open without us."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMessageBox,
    QWidget,
)

from ..core import task_query
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from ..io.evidence_package import PackageResult, write_evidence_package
from .background import BackgroundTask
from .failure_text import failure_text


class EvidencePackageDialog(QDialog):
    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self.result: PackageResult | None = None
        self._task: BackgroundTask | None = None
        self.setWindowTitle("导出佐证材料包")
        self.unit = QComboBox()
        self.unit.addItem("全部责任单位", None)
        for name in task_query.plan_units(ledger, plan_id):
            self.unit.addItem(name, name)
        self.quarter = QComboBox()
        self.quarter.addItem("全部季度", None)
        for number in range(1, 5):
            quarter = Quarter(self.plan.year, number)
            self.quarter.addItem(quarter.label, str(quarter))
        buttons = QDialogButtonBox()
        buttons.addButton("导出…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("责任单位:", self.unit)
        form.addRow("季度:", self.quarter)
        form.addRow(buttons)

    def choose_and_export(self) -> None:
        suggested = Path.home() / f"{self.plan.year}年佐证材料包.zip"
        path, _ = QFileDialog.getSaveFileName(self, "保存佐证材料包", str(suggested), "压缩包 (*.zip)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        folder, plan_id = self.ledger.folder, self.plan.id
        unit, quarter = self.unit.currentData(), self.quarter.currentData()

        def work() -> PackageResult:
            with Ledger.open(folder) as ledger:  # this thread's own connection
                return write_evidence_package(ledger, path, plan_id=plan_id, unit=unit, quarter=quarter)

        self._task = BackgroundTask(self, "正在打包佐证材料……")
        self._task.start(work, self._done, self._failed)

    def _done(self, result: PackageResult) -> None:
        self.result = result
        QMessageBox.information(self, "已导出", f"佐证材料包已保存到:\n{result.path}\n"
                                              f"共 {result.tasks} 项任务、{len(result.items)} 份材料。")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        message = failure_text(exc, "导出", unchanged="")
        QMessageBox.warning(self, "无法导出", message)
