"""Import with a look first: what was read, how columns were understood, what to check.

Reading and writing run off the GUI thread. The clerk can change any column's
meaning, the sheet or the year and sees the result again before anything is written;
when the columns cannot be recognised at all, the same controls let them say which
column is which instead of being stuck with an error. 各列的含义: ui/import_columns.py;
the preview table: ui/import_preview.py; the year and 统一完成时限 boxes it shares
with the prose draft (ui/draft_dialog.py): ui/import_fields.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import DuplicateImportError, FileReadError, UserError
from ..core.ledger import Ledger
from ..core.model import ParsedPlan, Plan
from ..core.plan_import import (
    ImportOutcome,
    apply_unit_directory,
    known_unit_names,
    reading_doubts,
    sha256_of,
)
from ..core.revision import revision_candidates
from ..io.grid import Workbook
from ..io.table_reader import NO_YEAR_WARNING, ReadOptions, read_plan
from . import operations
from .background import BackgroundTask
from .failure_text import failure_text
from .import_columns import NOT_USED, ColumnMeanings
from .import_fields import NO_YEAR, YearBox, deadline_field
from .import_preview import PreviewModel
from .screen_fit import fit_to_screen
from .wheel_guard import guard_wheel

__all__ = ["AS_NEW", "NOT_USED", "REVISE", "ImportWizard", "ask_revision_choice"]


def _known_unit_names(folder: Path) -> list[str]:
    """The unit names of the ledger the plan goes into, if it exists and can be read."""
    from ..core.ledger import LEDGER_FILE

    if not (Path(folder) / LEDGER_FILE).is_file():
        return []
    try:
        with Ledger.open(folder, create=False, read_only=True) as ledger:  # this thread's own connection
            return known_unit_names(ledger)
    except Exception:  # noqa: BLE001 - the directory only helps; the preview goes on without it
        return []


def _known_plans(folder: Path) -> list[Plan]:
    """The plans of the ledger the file goes into (none when it cannot be read)."""
    from ..core.ledger import LEDGER_FILE

    if not (Path(folder) / LEDGER_FILE).is_file():
        return []
    try:
        with Ledger.open(folder, create=False, read_only=True) as ledger:
            return ledger.plans()
    except Exception:  # noqa: BLE001 - only offers a revision; importing goes on without it
        return []


REVISE, AS_NEW = "revise", "new"


def ask_revision_choice(parent: QWidget, plan: Plan, file_name: str) -> str | None:
    """按修订导入 (REVISE), 作为新的分解表导入 (AS_NEW), or None for 取消."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("这是已导入的分解表的修订版吗?")
    box.setText(f"“{file_name}”与已导入的《{plan.title}》({plan.year} 年)标题和年份相同,但不是同一个文件,"
                "可能是上级印发的修订版。")
    box.setInformativeText("按修订导入:先列出新增、取消、改写的任务和责任单位、完成时限的变化,确认后才写入;"
                           "已填写的状态、进展和佐证材料都保留。")
    revise = box.addButton("按修订导入(保留已填写的内容)", QMessageBox.ButtonRole.AcceptRole)
    as_new = box.addButton("作为新的分解表导入", QMessageBox.ButtonRole.ActionRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(revise)
    box.exec()
    clicked = box.clickedButton()
    return REVISE if clicked is revise else AS_NEW if clicked is as_new else None


def _file_label(path: Path, metrics: QFontMetrics) -> QLabel:
    """文件:and the file's name, cut in the middle past 24 characters (a name such as
    «关于印发…的通知附件1:…分解表(定稿).xlsx» pushed the dialog past a 1366 screen in
    大字模式); the whole name is in the tooltip and the title bar."""
    shown = metrics.elidedText(path.name, Qt.TextElideMode.ElideMiddle, metrics.horizontalAdvance("文") * 24)
    label = QLabel(f"文件:{shown}")
    if shown != path.name:
        label.setToolTip(str(path))
    return label


class ImportWizard(ColumnMeanings, QDialog):
    """Call ``start()``; the dialog shows itself once the file has been read."""

    imported = Signal(int)

    def __init__(self, ledger_folder: Path, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger_folder = ledger_folder
        self.path = path
        self.workbook: Workbook | None = None
        self.digest = ""
        self.parsed: ParsedPlan | None = None
        self.outcome: ImportOutcome | None = None
        self.options = ReadOptions()
        self.known_units: list[str] = []  # the ledger's unit directory
        self.known_plans: list[Plan] = []  # a file with one's title and year may be its revision
        self.revision_dialog: Any = None
        self._task: BackgroundTask | None = None
        self.setWindowTitle(f"导入分解表 — {path.name}")
        fit_to_screen(self, (1200, 700))

        self.sheet = QComboBox()
        self.year = YearBox()
        self.default_deadline = deadline_field("表格中没有“完成时限”一列(或该列为空)时,各项任务统一使用的完成时限")
        top = QHBoxLayout()
        top.addWidget(_file_label(path, self.fontMetrics()))
        top.addStretch(1)
        top.addWidget(QLabel("工作表:"))
        top.addWidget(self.sheet)
        top.addWidget(QLabel("年份:"))
        top.addWidget(self.year)
        top.addWidget(QLabel("统一完成时限:"))
        top.addWidget(self.default_deadline)

        self.mapping_box = QWidget()
        self.mapping_grid = QGridLayout(self.mapping_box)
        mapping_scroll = QScrollArea()
        mapping_scroll.setWidgetResizable(True)
        mapping_scroll.setWidget(self.mapping_box)
        mapping_scroll.setMaximumHeight(150)
        self.mapping_combos: list[QComboBox] = []
        self.reason_labels: list[QLabel] = []  # why each column got its meaning

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.sections = QTreeWidget()
        self.sections.setHeaderLabels(["章节"])
        self.preview = PreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.preview)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() * 2 + 8)
        header = self.table.horizontalHeader()
        for col, width in enumerate([44, 200, 0, 200, 90, 110]):
            if width:
                header.resizeSection(col, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        split = QSplitter()
        split.addWidget(self.sections)
        split.addWidget(self.table)
        split.setSizes([260, 940])

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("各列的含义(可修改):"))
        layout.addWidget(mapping_scroll)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self.sheet.currentIndexChanged.connect(self._sheet_changed)
        self.year.valueChanged.connect(self._year_changed)
        self.default_deadline.editingFinished.connect(self._default_deadline_changed)

    # -- reading ----------------------------------------------------------------------

    def start(self) -> None:
        path = self.path

        folder = self.ledger_folder

        def read() -> tuple[Workbook, str]:
            self.known_units = _known_unit_names(folder)
            self.known_plans = _known_plans(folder)
            from ..io.prose_reader import (
                workbook_or_draft,  # a notice in prose: draft_dialog.py
            )

            return workbook_or_draft(path), sha256_of(path)

        self._run("正在读取文件……", read, self._file_read)

    def _run(self, label: str, fn, on_done) -> None:
        self._task = BackgroundTask(self.parentWidget() if not self.isVisible() else self, label)
        self._task.start(fn, on_done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        message = failure_text(exc, "导入")
        if self.workbook is None:
            QMessageBox.warning(self.parentWidget(), "无法导入", message)
            self.reject()
        else:
            QMessageBox.warning(self, "无法导入", message)

    def _file_read(self, result: tuple[Workbook, str]) -> None:
        if not isinstance(result[0], Workbook):  # work points in prose: edit the draft first
            self._open_draft(*result)
            return
        self.workbook, self.digest = result
        self.sheet.blockSignals(True)
        self.sheet.addItem("自动选择", None)
        for grid in self.workbook.grids:
            self.sheet.addItem(grid.name + ("(隐藏)" if grid.hidden else ""), grid.name)
        self.sheet.setEnabled(len(self.workbook.grids) > 1)
        self.sheet.blockSignals(False)
        self._reparse()
        self.show()

    def _open_draft(self, draft, digest: str) -> None:
        """The file has no task table but work points written as prose: the draft is
        edited and imported in its own dialog (ui/draft_dialog.py); this one stays hidden."""
        from .draft_dialog import DraftDialog

        self.draft_dialog = DraftDialog(self.ledger_folder, self.path, draft, digest, self.known_units,
                                        self.parentWidget())
        guard_wheel(self.draft_dialog)  # its year box and editors never change under a passing wheel
        self.draft_dialog.imported.connect(self._draft_imported)
        self.draft_dialog.rejected.connect(self.reject)
        self.draft_dialog.show()

    def _draft_imported(self, plan_id: int) -> None:
        self.outcome = self.draft_dialog.outcome
        self.imported.emit(plan_id)
        self.accept()

    def _reparse(self) -> None:
        assert self.workbook is not None
        try:
            self.parsed = read_plan(self.workbook, self.options)
            apply_unit_directory(self.parsed, self.known_units)  # names typed together, split
        except FileReadError as exc:
            self.parsed = None
            self._show_problem(exc.message)
            return
        self._show_parsed(self.parsed)

    def _show_problem(self, message: str) -> None:
        self.summary.setText(f"<b style='color:#b3261e'>{message}</b><br>请在上面为各列选择含义,至少指定“具体要求”一列。")
        self.preview.set_tasks([])
        self.sections.clear()
        self.import_button.setEnabled(False)
        if not self.mapping_combos and self.workbook is not None:
            grid = max(self.workbook.grids, key=lambda g: g.height, default=None)
            if grid is not None:
                first = next((row for row in grid.rows[:20] if sum(1 for c in row if c.strip()) >= 2), None)
                labels = first or [""] * grid.width
                self._build_mapping(labels, {})

    def _show_parsed(self, parsed: ParsedPlan) -> None:
        self._build_mapping(parsed.columns, parsed.mapping, parsed.column_reasons)
        self.year.blockSignals(True)
        self.year.setValue(parsed.year if parsed.year_found else NO_YEAR)
        self.year.blockSignals(False)
        review = parsed.review_count
        text = (f"《{parsed.title}》:读到 {len(parsed.tasks)} 项任务、{len(parsed.sections)} 个章节、"
                f"{len(parsed.unit_names)} 个责任单位。")
        if review:
            text += f"<br><span style='background:#ffe0b2'>有 {review} 项的完成时限无法确定到期日(橙色标出),导入后可在任务详情中核对。</span>"
        for warning in parsed.warnings[:5]:
            if not parsed.year_found and warning.startswith(NO_YEAR_WARNING):
                continue  # said below, with what to do here
            text += f"<br>提示:{warning}"
        if not parsed.year_found:
            text += ("<br><b style='color:#b3261e'>文件中没有写年份,到期日无法确定。"
                     "请在上方“年份”中选择这份分解表的年份,然后再导入。</b>")
        doubts = reading_doubts(parsed)
        if doubts:
            text += ("<br><b style='color:#b3261e'>读取结果可能不对:</b>"
                     + "".join(f"<br><span style='color:#b3261e'>· {d}</span>" for d in doubts)
                     + "<br>请检查上面各列的含义(每列下方写着认出的理由);确认无误仍可导入。")
        self.summary.setText(text)
        self.preview.set_tasks(parsed.tasks)
        self._fill_sections(parsed)
        self.import_button.setEnabled(parsed.year_found)

    def _fill_sections(self, parsed: ParsedPlan) -> None:
        self.sections.clear()
        items: dict[tuple[str, ...], QTreeWidgetItem] = {}
        for path in parsed.sections:
            item = QTreeWidgetItem([path[-1]])
            item.setToolTip(0, path[-1])
            parent = items.get(path[:-1])
            if parent is None:
                self.sections.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[path] = item
        self.sections.expandAll()

    def _sheet_changed(self) -> None:
        self.options = dataclasses.replace(self.options, sheet=self.sheet.currentData(), column_map={},
                                           only_map=False)
        self.mapping_combos = []
        self._reparse()

    def _year_changed(self, value: int) -> None:
        self.options = dataclasses.replace(self.options, year=None if value == NO_YEAR else value)
        self._reparse()

    def _default_deadline_changed(self) -> None:
        text = self.default_deadline.text().strip() or None
        if text != self.options.default_deadline:
            self.options = dataclasses.replace(self.options, default_deadline=text)
            if self.workbook is not None:
                self._reparse()

    # -- writing ----------------------------------------------------------------------

    def confirm(self, replace: bool = False) -> None:
        if self.parsed is None or not self.parsed.year_found:
            return
        doubts = reading_doubts(self.parsed)
        if doubts and not replace:
            answer = QMessageBox.question(
                self, "读取结果可能不对",
                f"“{self.path.name}”的读取结果看起来不对:\n\n" + "\n".join(f"· {d}" for d in doubts)
                + "\n\n可能把某些列认错了。可以先取消,在上方改正各列的含义;确认无误再导入。\n\n仍要导入吗?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        if not replace:
            candidates = revision_candidates(self.known_plans, self.parsed.title, self.parsed.year, self.digest)
            if candidates:
                choice = ask_revision_choice(self, candidates[0], self.path.name)
                if choice is None:
                    return
                if choice == REVISE:
                    self.open_revision(candidates[0].id)
                    return
        parsed, digest, folder = self.parsed, self.digest, self.ledger_folder

        def write(own: Ledger) -> ImportOutcome:
            return operations.plans.import_plan(own, parsed, digest, replace=replace)

        self._task = BackgroundTask(self, "正在写入台账……")
        operations.run_on_ledger(self._task, folder, write, self._written, what="导入", parent=self,
                                 failed=self._write_failed)

    def open_revision(self, plan_id: int) -> None:
        """The file is a revised table of plan ``plan_id``: show its changes (RevisionDialog),
        on a read-only connection of its own; writing happens in the dialog's worker."""
        from .revision_dialog import RevisionDialog

        assert self.parsed is not None
        ledger: Ledger | None = None
        try:
            ledger = Ledger.open(self.ledger_folder, create=False, read_only=True)
            dialog = RevisionDialog(ledger, plan_id, self.parsed, self, digest=self.digest)
        except UserError as exc:
            if ledger is not None:
                ledger.close()
            QMessageBox.warning(self, "不能按修订导入", exc.message)
            return
        except BaseException:
            if ledger is not None:
                ledger.close()
            raise
        dialog.finished.connect(lambda _: ledger.close())
        dialog.applied.connect(self._revised)
        self.revision_dialog = dialog
        dialog.show()

    def _revised(self, plan_id: int) -> None:
        self.imported.emit(plan_id)
        self.accept()

    def _write_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DuplicateImportError):
            answer = QMessageBox.question(
                self, "文件已导入过", exc.message + "\n\n是否重新导入?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                self.confirm(replace=True)
            return
        self._failed(exc)

    def _written(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self.imported.emit(outcome.plan_id)
        self.accept()
