"""What a clerk sees in an empty ledger: two clear ways to begin."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from .theme import scale_font


class WelcomePage(QWidget):
    importRequested = Signal()
    sampleRequested = Signal()

    def __init__(self, is_sample: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel("政务公开任务台账")
        scale_font(title, 2, bold=True)
        text = QLabel(
            "把上级印发的任务分解表(Excel、WPS、Word 附件或 CSV)导入台账,\n"
            "全年逐项登记完成状态和季度进展,按季度出具落实情况报告。\n\n"
            "也可以把文件直接拖到这个窗口上导入。")
        text.setStyleSheet("color: #444;")
        self.import_button = QPushButton("导入分解表…")
        self.sample_button = QPushButton("打开示例")
        self.sample_button.setToolTip("在单独的示例台账中打开一份真实的分解表,不会和您的数据混在一起")
        self.sample_button.setVisible(not is_sample)
        for widget in (self.import_button, self.sample_button):
            widget.setMinimumSize(220, 44)
        for widget in (title, text, self.import_button, self.sample_button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)
        self.import_button.clicked.connect(self.importRequested)
        self.sample_button.clicked.connect(self.sampleRequested)
