"""The main window's filter wiring: the section tree and the filter bar decide what the
table shows, the counts under it, the "nothing matches" row, and the selection kept
across a re-filter (as row ranges: one signal however many rows).

A mixin of ``MainWindow`` (it uses the window's table, model, sections, filters and
panel), kept apart so the window's own module stays about building and starting up.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class FilterWiring:
    def _fill_sections(self) -> None:
        assert self.plan is not None
        self._sections.fill(self.ledger, self.plan.id)

    def _refresh_section_counts(self) -> None:
        if self.plan is not None and not self._sections_due:
            self._sections.refresh_counts(self.ledger, self.plan.id)

    def current_section_id(self) -> int | None:
        return self._sections.current_section_id()

    def apply_filters(self) -> None:
        if self.plan is None:
            self.model.set_filter(None)
            return
        selected = self.selected_task_ids()
        self._reselecting = True
        try:
            self.model.set_filter(self.filters.build(self.plan.id, self.current_section_id(), self.model.quarter))
            self._reselect(selected)
        finally:
            self._reselecting = False
        self._selection_changed()

    def _no_match_row(self) -> QWidget:
        """Said under an empty table: nothing matches, and the way back in one click."""
        self.no_match = QWidget()
        row = QHBoxLayout(self.no_match)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("没有符合筛选条件的任务。"))
        clear = QPushButton("清除筛选")
        clear.clicked.connect(self.clear_filters)
        row.addWidget(clear)
        row.addStretch(1)
        self.no_match.setVisible(False)
        return self.no_match

    def clear_filters(self) -> None:
        self.sections.setCurrentItem(self.sections.topLevelItem(0))
        self.filters.clear()

    def _update_summary(self) -> None:
        self.no_match.setVisible(self.model.current_filter is not None and self.model.rowCount() == 0
                                 and (self.filters.is_filtering() or self.current_section_id() is not None))
        s = self.model.summary
        if self.model.current_filter is None or s is None:
            self._summary.setText("")
            return
        self._summary.setText(
            f"共 {s.total} 项    已完成 {s.done}    推进中 {s.in_progress}    未启动 {s.not_started}"
            f"    不适用 {s.not_applicable}    逾期 {s.overdue}    完成率 {s.completion:.0%}"
            + (f"    (另有已取消 {s.cancelled} 项,不计入)" if s.cancelled else ""))

    # -- selection and editing --------------------------------------------------------

    def selected_task_ids(self) -> list[int]:
        """From the selection's row ranges: no index object per selected row, so
        reading 20,000 selected rows costs what reading a list does."""
        rows: set[int] = set()
        for selected in self.table.selectionModel().selection():
            rows.update(range(selected.top(), selected.bottom() + 1))
        ids = self.model.ids
        return [ids[row] for row in sorted(rows) if row < len(ids)]

    def _reselect(self, task_ids: list[int]) -> None:
        """Select the rows of these tasks again, as one selection of row ranges (one
        signal, however many rows)."""
        rows = self.model.rows_of(task_ids)
        selection = QItemSelection()
        last_col = self.model.columnCount() - 1
        start = previous = None
        for row in [*rows, None]:
            if start is not None and (row is None or row != previous + 1):
                selection.select(self.model.index(start, 0), self.model.index(previous, last_col))
                start = None
            if row is not None and start is None:
                start = row
            previous = row
        if not selection.isEmpty():
            self.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.Select)

    def _selection_changed(self) -> None:
        """The panel shows the one selected task, or nothing: a task filtered out of
        view, or one of several, is not open for typing."""
        if self._reselecting:
            return
        ids = self.selected_task_ids()
        if self._panel is None and len(ids) != 1:
            return  # nothing to show yet: the panel is built after the first paint
        self.panel.show_task(ids[0] if len(ids) == 1 else None)
        QTimer.singleShot(0, self, self._keep_text_readable)  # the panel may need more width now
