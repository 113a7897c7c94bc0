"""Two texts for one note: the one stored meanwhile and the one the clerk typed.

Shown when a save finds the note changed since the box was filled (a ``zwgk`` command,
a merged reply). Both texts stay visible side by side until the clerk chooses; the
choice is saved, and nothing is dropped without the clerk seeing it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class TextConflictDialog(QDialog):
    def __init__(self, stored: str, mine: str, parent: QWidget | None = None, *,
                 can_defer: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("进展已在别处修改")
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        intro = QLabel("您编辑期间,这项任务本季度的进展已被修改(例如通过 zwgk 命令或汇总报送表)。"
                       "您写的文字还没有保存。请对照后选择保存哪一段,也可以在下方改好后保存。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        self.stored_box = self._text(stored, read_only=True)
        self.mine_box = self._text(mine, read_only=True)
        grid.addWidget(QLabel("台账中现在的文字:"), 0, 0)
        grid.addWidget(QLabel("您刚写的文字:"), 0, 1)
        grid.addWidget(self.stored_box, 1, 0)
        grid.addWidget(self.mine_box, 1, 1)
        layout.addLayout(grid)
        layout.addWidget(QLabel("保存为(可修改;默认两段合并):"))
        self.result_box = self._text(merge_texts(stored, mine), read_only=False)
        layout.addWidget(self.result_box)
        buttons = QHBoxLayout()
        keep = QPushButton("保留台账中的文字")
        use_mine = QPushButton("使用我写的文字")
        save_result = QPushButton("保存下方文字")
        later = QPushButton("暂不保存,继续编辑" if can_defer else "两段都保留")
        keep.clicked.connect(lambda: self._choose(stored))
        use_mine.clicked.connect(lambda: self._choose(mine))
        save_result.clicked.connect(lambda: self._choose(self.result_box.toPlainText()))
        later.clicked.connect(self.reject)  # leaving (switching task, closing): both are kept
        save_result.setDefault(True)
        for button in (keep, use_mine, save_result, later):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.resize(760, 480)

    @staticmethod
    def _text(text: str, *, read_only: bool) -> QPlainTextEdit:
        box = QPlainTextEdit(text)
        box.setReadOnly(read_only)
        return box

    def _choose(self, text: str) -> None:
        self.choice = text
        self.accept()


def merge_texts(stored: str, mine: str) -> str:
    """Both texts, the stored one first; one of them when it already holds the other."""
    stored, mine = stored.strip(), mine.strip()
    if stored in mine:
        return mine
    if mine in stored:
        return stored
    return f"{stored}\n{mine}"


def ask_which_text(parent: QWidget | None, stored: str, mine: str, *, can_defer: bool = True) -> str | None:
    """The text to save, or None: keep editing (``can_defer``) or keep both texts."""
    dialog = TextConflictDialog(stored, mine, parent, can_defer=can_defer)
    return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None
