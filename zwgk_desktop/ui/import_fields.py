"""The boxes the two import dialogs share: the plan's year (ui/import_wizard.py for a
table, ui/draft_dialog.py for work points in prose) and 统一完成时限, one deadline for
the tasks the file gives none.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLineEdit, QSpinBox, QWidget

NO_YEAR = 1999  # the year box's "请选择": the file printed no year and the clerk has not chosen one


def deadline_field(tooltip: str) -> QLineEdit:
    """统一完成时限: one deadline for the tasks the file gives none (the wizard's table
    without a 完成时限 column, the draft's prose)."""
    field = QLineEdit()
    field.setPlaceholderText("如 12月底前")
    field.setToolTip(tooltip)
    field.setMaximumWidth(120)
    return field


class YearBox(QSpinBox):
    """The plan's year; shows 请选择 until chosen when the file prints none, and the
    first arrow press from there goes to this year rather than to 2000."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(NO_YEAR, 2100)
        self.setSpecialValueText("请选择")
        self.setSuffix(" 年")
        self.setMinimumWidth(96)

    def stepBy(self, steps: int) -> None:
        if self.value() == self.minimum():
            self.setValue(date.today().year)
        else:
            super().stepBy(steps)
