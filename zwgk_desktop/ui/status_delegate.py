"""The 状态 cell edits with a drop-down; the choice goes to the window, which asks for
the day and writes through the operations door."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ..core.model import Status
from .task_table_model import TASK_ID_ROLE
from .wheel_guard import guard_widget


class StatusDelegate(QStyledItemDelegate):
    def __init__(self, set_status: Callable[[list[int], Status], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_status = set_status

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        combo = QComboBox(parent)
        for status in Status:
            combo.addItem(status.value, status)
        combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
        guard_widget(combo)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(editor.findText(index.data(Qt.ItemDataRole.EditRole) or ""), 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        data = editor.currentData()  # Qt hands StrEnum data back as plain str
        task_id = index.data(TASK_ID_ROLE)
        if task_id is None or not data or index.data(Qt.ItemDataRole.EditRole) == data:
            return
        status = Status(data)
        # After the editor has closed: the window asks for the day in a dialog.
        QTimer.singleShot(0, lambda: self.set_status([task_id], status))
