"""设置: the clerk's own unit (for 只看本单位) and larger fonts for older colleagues."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

from . import settings
from .screen_fit import fit_to_screen
from .theme import apply_font_size
from .wheel_guard import guard_wheel


class SettingsDialog(QDialog):
    def __init__(self, unit_names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("设置")
        self.unit = QComboBox()
        self.unit.setEditable(True)
        self.unit.addItem("")
        self.unit.addItems(unit_names)
        self.unit.setCurrentText(settings.own_unit())
        self.unit.setMinimumWidth(280)
        # A long name (中共…委员会办公室(区委编办)) may not fit the box: its whole text in the tooltip.
        self.unit.currentTextChanged.connect(self.unit.setToolTip)
        self.unit.setToolTip(self.unit.currentText())
        self.large = QCheckBox("大字模式(放大界面文字)")
        self.large.setChecked(settings.large_fonts())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("本单位:", self.unit)
        form.addRow("", self.large)
        form.addRow(buttons)
        fit_to_screen(self, self.sizeHint())
        guard_wheel(self)

    def accept(self) -> None:
        settings.set_own_unit(self.unit.currentText())
        settings.set_large_fonts(self.large.isChecked())
        apply_font_size(self.large.isChecked())
        super().accept()
