"""The draft of a notice written as prose, edited before anything is written.

The import wizard opens this dialog when the file has no task table but holds work
points (core/work_points.py). The clerk sees every task the text gave, with its
section, units and deadline, and can correct the reading: edit any cell, merge a
task with the next one, split one at the cursor, drop a line that is no task (it
moves to 未作为任务的文字, from where any line can be taken back as a task). Nothing
is written until 导入, which writes the whole plan in one transaction (the same
``write_plan`` as for tables). 另存为分解表 writes the county's own 分解表 (.xlsx)
from the draft as it stands, without importing. The table and its corrections (merge,
split, take, put back) are ui/draft_model.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import DuplicateImportError
from ..core.model import ParsedPlan
from ..core.plan_import import ImportOutcome, apply_unit_directory
from ..core.work_points import (
    FLAG_NO_UNIT,
    Draft,
    DraftTask,
    SkippedLine,
    draft_to_plan,
)
from ..io.table_reader import NO_YEAR_WARNING
from .background import BackgroundTask
from .draft_model import DraftModel
from .failure_text import failure_text
from .file_dialogs import save_file
from .import_fields import NO_YEAR, YearBox, deadline_field
from .operations.plans import import_plan
from .operations.run import run_on_ledger

DROPPED = "已删除"
ANNEX_SHOWN = 3  # attachment lines listed before "以下还有 N 段"


class DraftDialog(QDialog):
    """The draft of ``path``; ``imported(plan_id)`` once it is written to the ledger."""

    imported = Signal(int)

    def __init__(self, ledger_folder: Path, path: Path, draft: Draft, digest: str,
                 known_units: list[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger_folder = ledger_folder
        self.path = path
        self.draft = draft
        self.digest = digest
        self.known_units = list(known_units or [])
        self.outcome: ImportOutcome | None = None
        self.saved_to: Path | None = None
        self._task: BackgroundTask | None = None
        # Removed tasks are kept whole (by their line in 未作为任务的文字), so taking one
        # back restores it as it was.
        self._dropped: dict[int, DraftTask] = {}
        self.setWindowTitle(f"按正文生成任务表 — {path.name}")
        self.resize(1240, 760)

        self.year = YearBox()
        self.year.setValue(draft.year or NO_YEAR)
        self.default_deadline = deadline_field("正文没有写完成时限的任务统一使用的完成时限")
        top = QHBoxLayout()
        top.addWidget(QLabel(f"文件:{path.name}(没有任务表,按正文中的工作要点读取)"))
        top.addStretch(1)
        top.addWidget(QLabel("年份:"))
        top.addWidget(self.year)
        top.addWidget(QLabel("统一完成时限:"))
        top.addWidget(self.default_deadline)

        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.model = DraftModel(draft.tasks, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() * 3 + 8)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for col, width in enumerate([36, 150, 120, 0, 150, 80, 100]):
            if width:
                header.resizeSection(col, width)
        header.setSectionResizeMode(DraftModel.REQUIREMENT, QHeaderView.ResizeMode.Stretch)

        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("选中一项任务,在这里修改具体要求;把光标放在要拆开的位置,点“在光标处拆分”。")
        self.editor.setMaximumHeight(110)
        self.merge_button = QPushButton("与下一项合并")
        self.split_button = QPushButton("在光标处拆分")
        self.drop_button = QPushButton("不是任务(移出)")
        tools = QHBoxLayout()
        tools.addWidget(QLabel("具体要求:"))
        tools.addStretch(1)
        for button in (self.merge_button, self.split_button, self.drop_button):
            tools.addWidget(button)

        self.skipped = QListWidget()
        self.skipped.setWordWrap(True)
        self.restore_button = QPushButton("作为任务加入")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("未作为任务的文字(前言、结尾、网页内容、附件):"))
        side_layout.addWidget(self.skipped, 1)
        side_layout.addWidget(self.restore_button)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(tools)
        left_layout.addWidget(self.editor)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(side)
        split.setSizes([900, 320])

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("另存为分解表(.xlsx)…", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(lambda: self.save_table())

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)

        self.merge_button.clicked.connect(self.merge_current)
        self.split_button.clicked.connect(self.split_at_cursor)
        self.drop_button.clicked.connect(self.drop_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.editor.textChanged.connect(self._editor_changed)
        self.model.edited.connect(self._refresh)
        self.year.valueChanged.connect(self._refresh)
        self.default_deadline.editingFinished.connect(self._refresh)
        self._fill_skipped()
        self._refresh()
        if self.model.rowCount():
            self.table.selectRow(0)

    # -- what the clerk sees ------------------------------------------------------------

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.editor.blockSignals(True)
        row = current.row() if current.isValid() else -1
        self.editor.setPlainText(self.model.tasks[row].requirement if 0 <= row < len(self.model.tasks) else "")
        self.editor.blockSignals(False)

    def _editor_changed(self) -> None:
        row = self.current_row()
        text = self.editor.toPlainText().strip()
        if 0 <= row < len(self.model.tasks) and text and text != self.model.tasks[row].requirement:
            self.model.tasks[row].requirement = text
            self.model.dataChanged.emit(self.model.index(row, 0), self.model.index(row, DraftModel.FLAGS))
            self._refresh()

    def _ordered_skipped(self) -> list[SkippedLine]:
        return sorted(self.draft.skipped, key=lambda s: s.line)

    def _fill_skipped(self) -> None:
        """Each line that is no task, by its reason; an attachment (often a whole table
        copied from a web page) shows its first lines and how many follow."""
        self.skipped.clear()
        annex_shown = 0
        annex_total = sum(1 for line in self.draft.skipped if line.reason == "附件")
        for index, line in enumerate(self._ordered_skipped()):
            if line.reason == "附件":
                annex_shown += 1
                if annex_shown > ANNEX_SHOWN:
                    continue
            item = QListWidgetItem(f"【{line.reason}】{line.text}")
            item.setToolTip(line.text)
            item.setData(Qt.ItemDataRole.UserRole, index)
            self.skipped.addItem(item)
            if line.reason == "附件" and annex_shown == ANNEX_SHOWN and annex_total > ANNEX_SHOWN:
                rest = QListWidgetItem(f"【附件】……以下还有 {annex_total - ANNEX_SHOWN} 段附件文字")
                rest.setData(Qt.ItemDataRole.UserRole, None)
                self.skipped.addItem(rest)

    def plan(self) -> ParsedPlan:
        """The draft as it stands, as the plan the import writes."""
        year = self.year.value()
        plan = draft_to_plan(dataclasses.replace(self.draft, tasks=list(self.model.tasks)),
                             year=None if year == NO_YEAR else year, source_name=self.path.name,
                             default_deadline=self.default_deadline.text().strip() or None)
        if year == NO_YEAR:
            plan.year_found = False
        apply_unit_directory(plan, self.known_units)
        return plan

    def _refresh(self) -> None:
        plan = self.plan()
        no_unit = sum(1 for t in plan.tasks if not t.units)
        text = (f"《{plan.title}》:{len(plan.tasks)} 项任务、{len(plan.sections)} 个章节、"
                f"{len(plan.unit_names)} 个责任单位;{len(self.draft.skipped)} 段文字未作为任务(右侧)。")
        if no_unit:
            text += (f"<br><span style='background:#fff1c9'>有 {no_unit} 项原文没有写明责任单位(黄色标出),"
                     "可在表中“责任单位”一格填写,也可导入后补充。</span>")
        for warning in plan.warnings:
            if "没有写明责任单位" in warning or warning.startswith(NO_YEAR_WARNING):
                continue
            text += f"<br>提示:{warning}"
        if not plan.year_found:
            text += "<br><b style='color:#b3261e'>正文中没有写年份,请在上方“年份”中选择,然后再导入。</b>"
        self.summary.setText(text)
        self.import_button.setEnabled(plan.year_found and bool(plan.tasks))
        self.save_button.setEnabled(bool(plan.tasks))

    # -- corrections --------------------------------------------------------------------

    def merge_current(self) -> bool:
        row = self.current_row()
        done = self.model.merge_with_next(row)
        if done:
            self.table.selectRow(row)
            self._current_changed(self.model.index(row, 0), QModelIndex())
        return done

    def split_at_cursor(self) -> bool:
        row = self.current_row()
        if not (0 <= row < len(self.model.tasks)):
            return False
        self._editor_changed()
        text = self.editor.toPlainText()
        position = self.editor.textCursor().position()
        # The editor shows the requirement stripped: map the cursor onto it.
        offset = len(text) - len(text.lstrip())
        done = self.model.split(row, max(position - offset, 0))
        if done:
            self.table.selectRow(row + 1)
        return done

    def drop_selected(self) -> int:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()}
                      or ({self.current_row()} if self.current_row() >= 0 else set()))
        taken = self.model.take(rows)
        for task in taken:
            line = SkippedLine(task.line, task.requirement, DROPPED)
            self.draft.skipped.append(line)
            self._dropped[id(line)] = task
        self._fill_skipped()
        self._refresh()
        return len(taken)

    def restore_selected(self) -> int:
        """Each selected line of 未作为任务的文字 back as a task (with no unit, unless it
        was a task the clerk removed: that comes back as it was)."""
        items = self.skipped.selectedItems() or (
            [self.skipped.currentItem()] if self.skipped.currentItem() is not None else [])
        chosen = {item.data(Qt.ItemDataRole.UserRole) for item in items} - {None}
        ordered = self._ordered_skipped()
        restored = 0
        for index in sorted(chosen):
            line = ordered[index]
            task = self._dropped.pop(id(line), None)
            if task is None:
                section = self._section_at(line.line)
                task = DraftTask(section=section, requirement=line.text, line=line.line, source=line.text,
                                 flags=[FLAG_NO_UNIT])
            self.draft.skipped.remove(line)
            row = self.model.put_back(task)
            self.table.selectRow(row)
            restored += 1
        self._fill_skipped()
        self._refresh()
        return restored

    def _section_at(self, line: int) -> list[str]:
        before = [t for t in self.model.tasks if t.line <= line]
        return list(before[-1].section) if before else []

    # -- writing ------------------------------------------------------------------------

    def save_table(self, path: Path | None = None) -> None:
        """另存为分解表: the county's own table from the draft as it stands."""
        plan = self.plan()
        if path is None:
            from ..io.draft_writer import draft_title

            chosen = save_file(self, "另存为分解表", f"{draft_title(plan)}.xlsx", "Excel 表格 (*.xlsx)", "fill_in")
            if chosen is None:
                return
            path = chosen

        def write() -> Path:
            from ..io.draft_writer import write_draft

            return write_draft(plan, path)

        self._task = BackgroundTask(self, "正在写入分解表……")
        self._task.start(write, self._saved, lambda exc: QMessageBox.warning(
            self, "无法保存", failure_text(exc, "保存分解表", "原有文件没有改变。")))

    def _saved(self, written: Path) -> None:
        self.saved_to = written
        self.summary.setText(self.summary.text() + f"<br>已保存分解表:{written}")

    def confirm(self, replace: bool = False) -> None:
        plan = self.plan()
        if not plan.year_found or not plan.tasks:
            return
        digest = self.digest
        self._task = BackgroundTask(self, "正在写入台账……")
        run_on_ledger(self._task, self.ledger_folder,
                      lambda own: import_plan(own, plan, digest, replace=replace), self._written,
                      what="导入", parent=self, failed=self._write_failed)

    def _write_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DuplicateImportError):
            answer = QMessageBox.question(
                self, "文件已导入过", exc.message + "\n\n是否重新导入?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                self.confirm(replace=True)
            return
        QMessageBox.warning(self, "无法导入", failure_text(exc, "导入"))

    def _written(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self.imported.emit(outcome.plan_id)
        self.accept()
