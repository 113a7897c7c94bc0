"""各列的含义 in the import wizard: one drop-down per column of the table with the
meaning it was read with and, under it, why; the clerk's change reads the file again
with the columns as chosen (one column per meaning, the one just set wins; several
columns may be headings).

A mixin of ``ImportWizard`` (it uses the wizard's grid, options and ``_reparse``).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QLabel

from ..io import headers as H
from ..io.table_reader import MEANING_NAMES
from .wheel_guard import guard_widget

NOT_USED = "(不导入)"
MEANING_CHOICES = [H.SEQ, H.HEADING, H.TITLE, H.REQUIREMENT, H.UNITS, H.COOPERATE, H.DEADLINE]


class ColumnMeanings:
    def _build_mapping(self, labels: list[str], mapping: dict[str, list[int]],
                       reasons: list[str] | None = None) -> None:
        while self.mapping_grid.count():
            widget = self.mapping_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.mapping_combos = []
        self.reason_labels = []
        meaning_of = {col: meaning for meaning, cols in mapping.items() for col in cols}
        for col, label in enumerate(labels):
            caption = QLabel(f"{H.column_letter(col)}列 {label[:12]}")
            caption.setToolTip(label)
            combo = QComboBox()
            combo.addItem(NOT_USED, None)
            for meaning in MEANING_CHOICES:
                combo.addItem(MEANING_NAMES[meaning], meaning)
            combo.setCurrentIndex(max(combo.findData(meaning_of.get(col)), 0))
            combo.currentIndexChanged.connect(self._mapping_changed)
            guard_widget(combo)  # a column's meaning never changes under a passing wheel
            reason = reasons[col] if reasons and col < len(reasons) else ""
            why = QLabel(reason)
            why.setWordWrap(True)
            why.setMaximumWidth(180)
            why.setStyleSheet("color: #555; font-size: small")
            why.setToolTip(reason)
            combo.setToolTip(reason)
            self.mapping_grid.addWidget(caption, 0, col)
            self.mapping_grid.addWidget(combo, 1, col)
            self.mapping_grid.addWidget(why, 2, col)
            self.mapping_combos.append(combo)
            self.reason_labels.append(why)

    def set_column_meaning(self, col: int, meaning: str | None) -> None:
        """Change one column's meaning (what the clerk does with the drop-down)."""
        combo = self.mapping_combos[col]
        combo.setCurrentIndex(max(combo.findData(meaning), 0))

    def _mapping_changed(self) -> None:
        changed = self.sender()
        meaning = changed.currentData() if isinstance(changed, QComboBox) else None
        if meaning and meaning != H.HEADING:
            # One column per meaning: the column the clerk just set wins.
            for combo in self.mapping_combos:
                if combo is not changed and combo.currentData() == meaning:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
        chosen: dict[str, list[str]] = {}
        for col, combo in enumerate(self.mapping_combos):
            meaning = combo.currentData()
            if meaning:
                chosen.setdefault(meaning, []).append(H.column_letter(col))
        column_map = {meaning: "+".join(cols) for meaning, cols in chosen.items()}
        self.options = dataclasses.replace(self.options, column_map=column_map, only_map=True)
        self._reparse()
