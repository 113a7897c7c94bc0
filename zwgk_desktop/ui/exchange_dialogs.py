"""Excel 交换 in the app: 导出Excel, 下发填报表, 汇总报送表, 单位名录.

Slow work (writing workbooks, reading replies, applying a merge) runs off the GUI
thread in a ``BackgroundTask``; the worker opens its own ``Ledger(folder)``. Widgets
only call core and io functions: no SQL here (tests/test_layers.py checks).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import exchange as X
from ..core import unit_directory as D
from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from . import operations
from .background import BackgroundTask
from .failure_text import failure_text
from .open_result import OpenResult

CONFLICT_BRUSH = QBrush(QColor("#ffd7d5"))
OK_COLOR = "color: #2e7d32;"
ERROR_COLOR = "color: #b3261e;"


def _error_text(exc: BaseException, what: str) -> str:
    if isinstance(exc, UserError):
        return exc.message
    return failure_text(exc, what, unchanged="")


def _quarter_combo(plan_year: int) -> QComboBox:
    combo = QComboBox()
    for quarter in X.plan_quarters(plan_year):
        combo.addItem(quarter.label, str(quarter))
    combo.setCurrentIndex(max(combo.findData(str(X.default_quarter(plan_year))), 0))
    return combo


def _path_row(placeholder: str, browse: Callable[[], None]) -> tuple[QLineEdit, QHBoxLayout]:
    """A path box with its 浏览… button, as a form row."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    button = QPushButton("浏览…")
    button.clicked.connect(browse)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return edit, row


class _JobsMixin:
    """Keep background jobs alive until they finish."""

    def _start_job(self, job: BackgroundTask, work: Callable[[], Any], done: Callable[[Any], None],
                   failed: Callable[[BaseException], None]) -> None:
        jobs: list[BackgroundTask] = self.__dict__.setdefault("_jobs", [])
        jobs.append(job)

        def finished() -> None:
            if job in jobs:
                jobs.remove(job)
            job.deleteLater()

        job.finished.connect(finished)
        job.start(work, done, failed)

    @property
    def busy(self) -> bool:
        return any(job.running for job in self.__dict__.get("_jobs", []))


# -- 导出Excel ---------------------------------------------------------------------------------


class ExportExcelDialog(_JobsMixin, QDialog):
    """Choose the quarter and where to save; ``exported(path)`` when the file is written."""

    exported = Signal(str)

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self.result_path: Path | None = None
        self.setWindowTitle("导出Excel")
        self.resize(560, 200)
        explain = QLabel(f"把《{self.plan.title}》按导入时的表格样式导出,增加完成状态、完成时间、"
                         "本季度进展和佐证材料四列,可直接打印或报送上级。")
        explain.setWordWrap(True)
        self.quarter = _quarter_combo(self.plan.year)
        self.path, where = _path_row("选择保存位置……", self.choose_path)
        form = QFormLayout()
        form.addRow("进展季度:", self.quarter)
        form.addRow("保存到:", where)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("导出", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.export)
        self.open_result = OpenResult()
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.open_result)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.quarter.currentIndexChanged.connect(self._suggest_name)
        self._suggest_name()

    def selected_quarter(self) -> Quarter:
        return Quarter.parse(self.quarter.currentData())

    def _suggest_name(self) -> None:
        from ..io.xlsx_export import default_export_name

        current = Path(self.path.text()) if self.path.text() else Path.home()
        folder = current.parent if self.path.text() else current
        self.path.setText(str(folder / default_export_name(self.plan.title, self.selected_quarter())))

    def choose_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出Excel", self.path.text(), "Excel 工作簿 (*.xlsx)")
        if path:
            self.path.setText(path if path.lower().endswith(".xlsx") else path + ".xlsx")

    def export(self) -> None:
        from ..io.xlsx_export import export_plan_xlsx

        target = self.path.text().strip()
        if not target:
            self.choose_path()
            target = self.path.text().strip()
            if not target:
                return
        folder, plan_id, quarter = self.ledger.folder, self.plan.id, self.selected_quarter()

        def work() -> Path:
            with Ledger.open(folder) as own:
                return export_plan_xlsx(own, plan_id, quarter, target).path

        self.export_button.setEnabled(False)
        self.status.setText("正在导出……")
        self._start_job(BackgroundTask(self, "正在导出Excel……"), work, self._done, self._failed)

    def _done(self, path: Path) -> None:
        self.result_path = path
        self.export_button.setEnabled(True)
        self.status.setStyleSheet(OK_COLOR)
        self.status.setText(f"已导出到 {path}")
        self.open_result.show_for(path)
        self.exported.emit(str(path))

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.status.setStyleSheet(ERROR_COLOR)
        self.status.setText(_error_text(exc, "导出"))


# -- 下发填报表 ---------------------------------------------------------------------------------


class FillInDialog(_JobsMixin, QDialog):
    """Tick units (groups are shown as their members), choose quarter and folder, and
    write one workbook per unit off the GUI thread. ``written(result)`` at the end."""

    written = Signal(object)

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self.result: Any = None
        self.setWindowTitle("下发填报表")
        self.resize(640, 560)
        explain = QLabel("为勾选的每个单位生成一份填报表(只含该单位牵头或配合的任务,及其所属群组的任务)。"
                         "群组(如 各镇(街道))按单位名录中的成员分别生成;可在“单位名录”中维护成员。")
        explain.setWordWrap(True)
        self.units = QListWidget()
        self.units.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        all_button = QPushButton("全选")
        none_button = QPushButton("全不选")
        all_button.clicked.connect(lambda: self.set_all_checked(True))
        none_button.clicked.connect(lambda: self.set_all_checked(False))
        pick = QHBoxLayout()
        pick.addWidget(all_button)
        pick.addWidget(none_button)
        pick.addStretch(1)
        self.count = QLabel()
        pick.addWidget(self.count)
        self.quarter = _quarter_combo(self.plan.year)
        self.sender = QLineEdit()
        self.sender.setPlaceholderText("例如:区政府办公室(写在填报说明中,可不填)")
        self.folder, where = _path_row("选择保存填报表的文件夹……", self.choose_folder)
        form = QFormLayout()
        form.addRow("填报季度:", self.quarter)
        form.addRow("下发单位:", self.sender)
        form.addRow("保存到:", where)
        self.status = QPlainTextEdit()
        self.status.setReadOnly(True)
        self.status.setMaximumHeight(120)
        self.buttons = QDialogButtonBox()
        self.write_button = self.buttons.addButton("生成填报表", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.write_button.clicked.connect(self.write)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.units, 1)
        layout.addLayout(pick)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.units.itemChanged.connect(self._update_count)
        self.reload()

    def reload(self) -> None:
        self.units.blockSignals(True)
        self.units.clear()
        for recipient in D.plan_recipients(self.ledger, self.plan.id):
            text = f"{recipient.name}({recipient.task_count} 项)"
            if recipient.via:
                text += f"  作为{'、'.join(recipient.via)}成员"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, recipient.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.units.addItem(item)
        self.units.blockSignals(False)
        self._update_count()

    def set_all_checked(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        self.units.blockSignals(True)
        for row in range(self.units.count()):
            self.units.item(row).setCheckState(state)
        self.units.blockSignals(False)
        self._update_count()

    def checked_units(self) -> list[str]:
        return [self.units.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.units.count())
                if self.units.item(r).checkState() == Qt.CheckState.Checked]

    def _update_count(self) -> None:
        self.count.setText(f"已选 {len(self.checked_units())} / {self.units.count()} 个单位")

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "保存填报表的文件夹", self.folder.text() or str(Path.home()))
        if folder:
            self.folder.setText(folder)

    def write(self) -> None:
        from ..io.fill_in import write_fill_ins

        units = self.checked_units()
        if not units:
            QMessageBox.information(self, "下发填报表", "请至少勾选一个单位。")
            return
        target = self.folder.text().strip()
        if not target:
            self.choose_folder()
            target = self.folder.text().strip()
            if not target:
                return
        folder, plan_id = self.ledger.folder, self.plan.id
        quarter, sender = Quarter.parse(self.quarter.currentData()), self.sender.text().strip()
        job = BackgroundTask(self, "正在生成填报表……")

        def work() -> Any:
            with Ledger.open(folder) as own:
                return write_fill_ins(own, plan_id, quarter, target, units=units, sender=sender,
                                      progress=job.report)

        self.write_button.setEnabled(False)
        self.status.setPlainText("正在生成……")
        self._start_job(job, work, self._done, self._failed)

    def _done(self, result: Any) -> None:
        self.result = result
        self.write_button.setEnabled(True)
        lines = [f"已生成 {len(result.written)} 份填报表,保存在 {self.folder.text()}:"]
        lines += [f"  {w.path.name}({w.tasks} 项)" for w in result.written]
        lines += [f"提示:{s}" for s in result.notes]
        lines += [f"提示:{s}" for s in result.skipped]
        self.status.setPlainText("\n".join(lines))
        self.written.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.write_button.setEnabled(True)
        self.status.setPlainText(_error_text(exc, "生成填报表"))


# -- 汇总报送表 ---------------------------------------------------------------------------------

MERGE_COLUMNS = ["应用", "序号", "任务", "项目", "下发时", "台账现值", "报送值", "来源", "说明"]


class MergeDialog(_JobsMixin, QDialog):
    """Choose replies; read them and preview off the GUI thread; tick changes (conflicts
    are highlighted and unticked; each shows the value as issued, the ledger's value
    now and the reply's); 应用所选 writes them in one transaction, after which
    撤销本次汇总 takes that merge back. ``applied(task_ids)`` after writing or undoing,
    so the main window refreshes those rows."""

    applied = Signal(list)

    def __init__(self, ledger: Ledger, plan_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan_id = plan_id
        self.preview: X.MergePreview | None = None
        self.last_result: X.ApplyResult | None = None
        self.last_undo: X.UndoResult | None = None
        self.merge_ids: list[int] = []  # applied from this dialog, not yet taken back
        self._window_steps: dict[int, Any] = {}  # merge id -> its step in the window's undo
        self.setWindowTitle("汇总报送表")
        self.resize(1100, 680)
        self.choose_button = QPushButton("选择报送表…")
        self.choose_button.clicked.connect(self.choose_files)
        self.summary = QLabel("选择各单位报送回来的填报表(可多选)。先显示将要修改的内容,确认后才写入台账。")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.summary, 1)
        self.table = QTableWidget(0, len(MERGE_COLUMNS))
        self.table.setHorizontalHeaderLabels(MERGE_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col in (2, 4, 5, 6):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.notes)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        self.select_all = QPushButton("全选")
        self.select_clean = QPushButton("只选无冲突的")
        self.select_none = QPushButton("全不选")
        self.select_all.clicked.connect(lambda: self.check_rows(lambda c: True))
        self.select_clean.clicked.connect(lambda: self.check_rows(lambda c: not c.conflict))
        self.select_none.clicked.connect(lambda: self.check_rows(lambda c: False))
        self.apply_button = QPushButton("应用所选")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_selected)
        self.undo_button = QPushButton("撤销本次汇总")
        self.undo_button.setToolTip("把刚才写入的修改恢复为汇总前的内容(写入后又被修改过的会先询问)")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_last)
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom = QHBoxLayout()
        for button in (self.select_all, self.select_clean, self.select_none):
            bottom.addWidget(button)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.undo_button)
        bottom.addWidget(self.apply_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        layout.addWidget(close)
        self.table.itemChanged.connect(self._update_apply)

    # reading
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择报送表", str(Path.home()),
                                                "表格文件 (*.xlsx *.xlsm *.xls *.et *.csv);;所有文件 (*)")
        if paths:
            self.load(paths)

    def load(self, paths: list[str]) -> None:
        from ..io.reply_reader import read_replies

        folder, plan_id = self.ledger.folder, self.plan_id

        def work() -> X.MergePreview:
            replies, problems = read_replies(list(paths))
            if not replies:
                raise UserError("没有可以汇总的报送表:\n" + "\n".join(problems))
            with Ledger.open(folder) as own:
                return X.preview_merge(own, replies, plan_id=plan_id, problems=problems)

        self.choose_button.setEnabled(False)
        self.summary.setText(f"正在读取 {len(paths)} 份报送表……")
        self._start_job(BackgroundTask(self, "正在读取报送表……"), work, self.show_preview, self._read_failed)

    def _read_failed(self, exc: BaseException) -> None:
        self.choose_button.setEnabled(True)
        self.summary.setStyleSheet(ERROR_COLOR)
        self.summary.setText(_error_text(exc, "读取报送表"))

    def show_preview(self, preview: X.MergePreview) -> None:
        self.choose_button.setEnabled(True)
        self.preview = preview
        self.summary.setStyleSheet("")
        self.summary.setText(
            f"报送表 {len(preview.replies)} 份;修改 {len(preview.clean)} 处,"
            f"冲突 {len(preview.conflicts)} 处(红色,默认不勾选),无法对应的行 {len(preview.unmatched)} 行"
            + (f",拒绝汇总 {len(preview.refused)} 处" if preview.refused else "") + "。")
        self.table.blockSignals(True)
        self.table.setRowCount(len(preview.changes))
        for r, change in enumerate(preview.changes):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Unchecked if change.conflict else Qt.CheckState.Checked)
            self.table.setItem(r, 0, check)
            note = "; ".join(t for t in (change.conflict and f"冲突:{change.conflict}", change.note) if t)
            issued = "(无下发记录)" if change.issued is None else (change.issued or "(空)")
            values = [str(change.seq), change.task_text, change.field_name, issued, change.old or "(空)",
                      change.new, change.where, note]
            for c, value in enumerate(values, start=1):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if change.conflict:
                    item.setBackground(CONFLICT_BRUSH)
                self.table.setItem(r, c, item)
            if change.conflict:
                check.setBackground(CONFLICT_BRUSH)
        self.table.blockSignals(False)
        lines = [X.describe_reply(reply) for reply in preview.replies]
        if preview.refused:
            lines.append("")
            lines.append(f"拒绝汇总({len(preview.refused)},不会写入台账):")
            lines += [f"  {u.where}“{u.text}”:{u.reason}" for u in preview.refused]
        if preview.unmatched:
            lines.append("")
            lines.append(f"无法对应的行({len(preview.unmatched)}):")
            lines += [f"  {u.source} 第 {u.row} 行“{u.text}”:{u.reason}" for u in preview.unmatched]
        if preview.problems:
            lines.append("")
            lines.append("提示:")
            lines += [f"  {p}" for p in preview.problems]
        self.notes.setPlainText("\n".join(lines))
        self._update_apply()

    # choosing
    def check_rows(self, wanted: Callable[[X.Change], bool]) -> None:
        if self.preview is None:
            return
        self.table.blockSignals(True)
        for r, change in enumerate(self.preview.changes):
            self.table.item(r, 0).setCheckState(Qt.CheckState.Checked if wanted(change) else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_apply()

    def selected_changes(self) -> list[X.Change]:
        if self.preview is None:
            return []
        return [c for r, c in enumerate(self.preview.changes)
                if self.table.item(r, 0) is not None and self.table.item(r, 0).checkState() == Qt.CheckState.Checked]

    def _update_apply(self, *_: object) -> None:
        chosen = self.selected_changes()
        conflicts = sum(1 for c in chosen if c.conflict)
        self.apply_button.setEnabled(bool(chosen) and not self.busy)
        text = f"已选 {len(chosen)} 处"
        if conflicts:
            text += f",其中冲突 {conflicts} 处(将以所选为准)"
        self.status.setText(text)

    # applying
    def apply_selected(self) -> None:
        chosen = self.selected_changes()
        if not chosen:
            return
        conflicts = sum(1 for c in chosen if c.conflict)
        if conflicts:
            answer = QMessageBox.question(
                self, "应用所选", f"所选的 {len(chosen)} 处修改中有 {conflicts} 处冲突,写入后以报送表为准。\n确定写入吗?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        folder = self.ledger.folder

        def work() -> X.ApplyResult:
            with Ledger.open(folder) as own:
                return operations.exchange.apply_merge(own, chosen, force=True)

        self.apply_button.setEnabled(False)
        self._start_job(BackgroundTask(self, "正在写入台账……"), work, self._applied, self._apply_failed)

    def _applied(self, result: X.ApplyResult) -> None:
        self.last_result = result
        if result.merge_id is not None:
            self.merge_ids.append(result.merge_id)
            # The main window's undo (its LedgerOperations) gets the merge as one step too.
            ops = getattr(self.parent(), "ops", None)
            if ops is not None and hasattr(ops, "merge_applied"):
                self._window_steps[result.merge_id] = ops.merge_applied(result.merge_id, result.task_ids)
        self.undo_button.setEnabled(bool(self.merge_ids))
        text = f"已写入 {len(result.applied)} 处修改(一次完成,可在“操作记录”中查看)。"
        if result.outdated:
            text += f"有 {len(result.outdated)} 处在预览后台账又有变化,未写入,请重新汇总。"
        self.status.setStyleSheet(OK_COLOR)
        self.status.setText(text)
        applied = {id(c) for c in result.applied}
        if self.preview is not None:
            remaining = [c for c in self.preview.changes if id(c) not in applied]
            self.preview.changes = remaining
            self.show_preview(self.preview)
            self.status.setText(text)
        self.applied.emit(result.task_ids)

    def _apply_failed(self, exc: BaseException) -> None:
        self._update_apply()
        self.status.setStyleSheet(ERROR_COLOR)
        self.status.setText(_error_text(exc, "写入") + "\n台账没有任何改变。")

    # taking it back
    def undo_last(self, *, force: bool = False) -> None:
        """撤销本次汇总: restore what the latest merge of this dialog wrote. Values
        changed since are left alone, then the clerk is asked about them."""
        if not self.merge_ids or self.busy:
            return
        folder, merge_id = self.ledger.folder, self.merge_ids[-1]

        def work() -> X.UndoResult:
            with Ledger.open(folder) as own:
                return operations.exchange.undo_merge(own, merge_id, force=force)

        self.undo_button.setEnabled(False)
        self.apply_button.setEnabled(False)
        self._start_job(BackgroundTask(self, "正在撤销汇总……"), work, self._undone, self._undo_failed)

    def _undone(self, result: X.UndoResult) -> None:
        self.last_undo = result
        text = f"已撤销本次汇总,恢复 {len(result.restored)} 处。"
        if result.edited:
            listing = "\n".join(result.edited[:10]) + ("\n……" if len(result.edited) > 10 else "")
            answer = QMessageBox.question(
                self, "撤销本次汇总",
                f"{text}\n\n以下 {len(result.edited)} 处在汇总后又被修改过,暂未恢复:\n{listing}\n\n"
                "是否也恢复为汇总前的内容?(之后的修改仍保留在操作记录中)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                if result.task_ids:
                    self.applied.emit(result.task_ids)
                self.undo_last(force=True)
                return
            text += f"{len(result.edited)} 处在汇总后又被修改过,保持现状。"
        else:
            step = self._window_steps.pop(self.merge_ids.pop(), None)
            if step is not None:
                step.setObsolete(True)  # already taken back: the window's undo skips it
        self._update_apply()
        self.status.setStyleSheet(OK_COLOR)
        self.status.setText(text)
        self.undo_button.setEnabled(bool(self.merge_ids))
        self.applied.emit(result.task_ids)

    def _undo_failed(self, exc: BaseException) -> None:
        self.undo_button.setEnabled(bool(self.merge_ids))
        self._update_apply()
        self.status.setStyleSheet(ERROR_COLOR)
        self.status.setText(_error_text(exc, "撤销汇总") + "\n台账没有任何改变。")


# -- 单位名录 -----------------------------------------------------------------------------------


class UnitDirectoryDialog(QDialog):
    """Groups on the left, the selected group's members on the right; add, remove,
    rename, and import a two-column list. ``changed()`` after every change."""

    changed = Signal()

    def __init__(self, ledger: Ledger, plan_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan_id = plan_id
        self.units: list[D.DirectoryUnit] = []
        self.setWindowTitle("单位名录")
        self.resize(820, 560)
        explain = QLabel("分解表中统称的单位(如 各镇(街道)、区政府各部门单位)是群组。登记群组的成员后,"
                         "下发填报表时按成员分别生成,成员的填报表中也包含群组的任务。")
        explain.setWordWrap(True)
        self.groups = QListWidget()
        self.members = QListWidget()
        self.members.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        left = QVBoxLayout()
        left.addWidget(QLabel("群组"))
        left.addWidget(self.groups, 1)
        group_buttons = QHBoxLayout()
        self.new_group_button = QPushButton("新建群组…")
        self.rename_button = QPushButton("改名…")
        group_buttons.addWidget(self.new_group_button)
        group_buttons.addWidget(self.rename_button)
        left.addLayout(group_buttons)
        right = QVBoxLayout()
        self.members_label = QLabel("成员")
        right.addWidget(self.members_label)
        right.addWidget(self.members, 1)
        member_buttons = QHBoxLayout()
        self.add_button = QPushButton("添加成员…")
        self.remove_button = QPushButton("移除所选成员")
        member_buttons.addWidget(self.add_button)
        member_buttons.addWidget(self.remove_button)
        right.addLayout(member_buttons)
        panes = QHBoxLayout()
        left_widget, right_widget = QWidget(), QWidget()
        left_widget.setLayout(left)
        right_widget.setLayout(right)
        panes.addWidget(left_widget, 1)
        panes.addWidget(right_widget, 1)
        self.import_button = QPushButton("从表格导入…")
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.status, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(panes, 1)
        layout.addLayout(bottom)
        layout.addWidget(close)
        self.groups.currentRowChanged.connect(self._show_members)
        self.new_group_button.clicked.connect(self.new_group)
        self.rename_button.clicked.connect(self.rename_selected)
        self.add_button.clicked.connect(self.add_member)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self.import_file)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        current = select or self.current_group()
        self.units = D.directory(self.ledger)
        self.groups.blockSignals(True)
        self.groups.clear()
        for unit in self.units:
            if unit.is_group:
                item = QListWidgetItem(f"{unit.name}({len(unit.members)} 个成员)")
                item.setData(Qt.ItemDataRole.UserRole, unit.name)
                self.groups.addItem(item)
        self.groups.blockSignals(False)
        names = [self.groups.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.groups.count())]
        self.groups.setCurrentRow(names.index(current) if current in names else (0 if names else -1))
        self._show_members()

    def current_group(self) -> str | None:
        item = self.groups.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show_members(self, *_: object) -> None:
        group = self.current_group()
        self.members.clear()
        unit = next((u for u in self.units if u.name == group), None)
        if unit is None:
            self.members_label.setText("成员")
        else:
            self.members_label.setText(f"“{unit.name}”的成员({len(unit.members)})")
            self.members.addItems(unit.members)
        self.add_button.setEnabled(group is not None)
        self.remove_button.setEnabled(group is not None)
        self.rename_button.setEnabled(group is not None)

    def _run(self, action: Callable[[], Any], done_text: str, select: str | None = None) -> bool:
        try:
            action()
        except UserError as exc:
            self.status.setStyleSheet(ERROR_COLOR)
            self.status.setText(exc.message)
            return False
        self.status.setStyleSheet(OK_COLOR)
        self.status.setText(done_text)
        self.reload(select)
        self.changed.emit()
        return True

    def new_group(self) -> None:
        name, ok = QInputDialog.getText(self, "新建群组", "群组名称(例如 各镇(街道)):")
        if ok and name.strip():
            self._run(lambda: operations.exchange.add_unit(self.ledger, name), f"已新建群组“{name.strip()}”,请添加成员。",
                      select=name.strip())

    def add_member(self) -> None:
        group = self.current_group()
        if group is None:
            return
        taken = set(next((u.members for u in self.units if u.name == group), []))
        choices = [u.name for u in self.units if not u.is_group and u.name not in taken and u.name != group]
        name, ok = QInputDialog.getItem(self, "添加成员", f"加入“{group}”的单位(可直接输入新单位):", choices, 0, True)
        if ok and name.strip():
            self._run(lambda: operations.exchange.add_member(self.ledger, group, name), f"已把“{name.strip()}”加入“{group}”。", group)

    def remove_selected(self) -> None:
        group = self.current_group()
        names = [item.text() for item in self.members.selectedItems()]
        if group is None or not names:
            return

        def remove() -> None:
            for name in names:
                operations.exchange.remove_member(self.ledger, group, name)

        self._run(remove, f"已把 {len(names)} 个单位移出“{group}”。", group)

    def rename_selected(self) -> None:
        member = self.members.currentItem()
        old = member.text() if member is not None and member.isSelected() else self.current_group()
        if old is None:
            return
        new, ok = QInputDialog.getText(self, "改名", f"“{old}”的新名称:", text=old)
        if ok and new.strip() and new.strip() != old:
            group = self.current_group()
            select = new.strip() if old == group else group
            self._run(lambda: operations.exchange.rename_unit(self.ledger, old, new), f"已把“{old}”改名为“{new.strip()}”。", select)

    def import_file(self) -> None:
        from ..io.reply_reader import read_directory_pairs

        path, _ = QFileDialog.getOpenFileName(self, "导入单位名录", str(Path.home()),
                                              "表格文件 (*.xlsx *.xls *.et *.csv);;所有文件 (*)")
        if not path:
            return
        result: list[Any] = []

        def run() -> None:
            pairs = read_directory_pairs(path)
            result.append(operations.exchange.import_pairs(self.ledger, pairs, Path(path).name))

        if self._run(run, ""):
            outcome = result[0]
            text = (f"已导入“{Path(path).name}”:新增成员关系 {outcome.added} 条,已有 {outcome.already} 条,"
                    f"新建单位 {len(outcome.new_units)} 个。")
            if outcome.skipped:
                text += f"跳过 {len(outcome.skipped)} 行。"
            self.status.setText(text)
