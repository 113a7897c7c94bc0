"""打开文件 / 打开所在文件夹 after an export: the clerk's next step is nearly always to
look at what was written, or to find it to send on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget


class OpenResult(QWidget):
    """Hidden until ``show_for(path)``; then two buttons for that file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.open_file = QPushButton("打开文件")
        self.open_folder = QPushButton("打开所在文件夹")
        self.open_file.clicked.connect(lambda: self._open(self.path))
        self.open_folder.clicked.connect(lambda: self._open(self.path.parent if self.path else None))
        row.addWidget(self.open_file)
        row.addWidget(self.open_folder)
        row.addStretch(1)
        self.setVisible(False)

    def show_for(self, path: str | Path) -> None:
        self.path = Path(path)
        self.open_file.setVisible(self.path.is_file())
        self.setVisible(True)

    @staticmethod
    def _open(path: Path | None) -> None:
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
