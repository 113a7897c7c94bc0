"""The 状态 cell edits with a drop-down; the choice goes through the operations door."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ..core.errors import UserError
from ..core.model import Status
from .operations import LedgerOperations
from .task_table_model import TASK_ID_ROLE


class StatusDelegate(QStyledItemDelegate):
    def __init__(self, ops: LedgerOperations, on_error, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.on_error = on_error

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        combo = QComboBox(parent)
        for status in Status:
            combo.addItem(status.value, status)
        combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
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
        try:
            self.ops.set_status([task_id], status)
        except UserError as exc:
            self.on_error(exc.message)
