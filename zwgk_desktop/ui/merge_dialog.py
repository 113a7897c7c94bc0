"""汇总各单位报送表: read the replies, preview every change next to the value as
issued and as the ledger has it now, write the ticked ones in one step, undo it.

Two replies giving one task and field different values are one choice: ticking one
unticks the others, 全选 never ticks two of them, and each row says which unit sent
it in which role (牵头/配合). After writing or undoing, the replies are compared with
the ledger again, so every row shows what the ledger holds then."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import exchange as X
from ..core.errors import UserError
from ..core.ledger import Ledger
from . import operations
from .background import BackgroundTask
from .exchange_common import CONFLICT_BRUSH, ERROR_COLOR, OK_COLOR, JobsMixin, error_text
from .file_dialogs import open_files
from .screen_fit import fit_to_screen
from .tables import wrapped_table
from .wheel_guard import guard_wheel

MERGE_COLUMNS = ["应用", "序号", "任务", "项目", "下发时", "台账现值", "报送值", "来源", "说明"]
#: 项目 and 来源 are short and wrap within a set width; the texts to compare stretch.
FIXED_WIDTHS = {3: 130, 7: 150}
WRAPPED = (2, 4, 5, 6, 8)
MAX_ROW_LINES = 6
KIND = "replies"  # the folder remembered for replies (file_dialogs)


class MergeDialog(JobsMixin, QDialog):
    """Choose replies; read them and preview off the GUI thread; tick changes (conflicts
    are highlighted and unticked; each shows the value as issued, the ledger's value
    now and the reply's; rival values of one task are one choice); 应用所选 writes them
    in one transaction, after which 撤销本次汇总 takes that merge back.
    ``applied(task_ids)`` after writing or undoing (once the rows show the ledger
    again), so the main window refreshes those rows."""

    applied = Signal(list)

    def __init__(self, ledger: Ledger, plan_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan_id = plan_id
        self.preview: X.MergePreview | None = None
        self.last_result: X.ApplyResult | None = None
        self.last_undo: X.UndoResult | None = None
        self.merge_ids: list[int] = []  # applied from this dialog, not yet taken back
        self._read_problems: list[str] = []  # what reading the files said, kept for each new preview
        self._rivals: dict[int, list[int]] = {}  # row -> the rows that give its task/field another value
        self._window_steps: dict[int, Any] = {}  # merge id -> its step in the window's undo
        self.setWindowTitle("汇总报送表")
        fit_to_screen(self, (1100, 680))
        self.choose_button = QPushButton("选择报送表…")
        self.choose_button.clicked.connect(self.choose_files)
        self.summary = QLabel("选择各单位报送回来的填报表(可多选)。先显示将要修改的内容,确认后才写入台账。")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.summary, 1)
        self.table = wrapped_table(MERGE_COLUMNS)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(36)
        # The texts to compare (任务, 下发时, 台账现值, 报送值, 说明) share the width and
        # wrap; a long conflict note can no longer squeeze them to a sliver.
        for col, width in FIXED_WIDTHS.items():
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        for col in (0, 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        for col in WRAPPED:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self._fit_rows_later = QTimer(self)
        self._fit_rows_later.setSingleShot(True)
        self._fit_rows_later.setInterval(0)
        self._fit_rows_later.timeout.connect(self.fit_rows)
        header.sectionResized.connect(lambda *_: self._fit_rows_later.start())
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
        self.table.itemChanged.connect(self._item_changed)
        guard_wheel(self)

    # reading
    def choose_files(self) -> None:
        paths = open_files(self, "选择报送表", "表格文件 (*.xlsx *.xlsm *.xls *.et *.csv);;所有文件 (*)", KIND)
        if paths:
            self.load([str(p) for p in paths])

    def load(self, paths: list[str]) -> None:
        from ..io.reply_reader import read_replies

        folder, plan_id = self.ledger.folder, self.plan_id

        def work() -> tuple[X.MergePreview, list[str]]:
            replies, problems = read_replies(list(paths))
            if not replies:
                raise UserError("没有可以汇总的报送表:\n" + "\n".join(problems))
            with Ledger.open(folder, create=False) as own:
                return X.preview_merge(own, replies, plan_id=plan_id, problems=problems), problems

        self.choose_button.setEnabled(False)
        self.summary.setText(f"正在读取 {len(paths)} 份报送表……")
        self._start_job(BackgroundTask(self, "正在读取报送表……"), work, self._loaded, self._read_failed)

    def _loaded(self, found: tuple[X.MergePreview, list[str]]) -> None:
        preview, self._read_problems = found
        self.show_preview(preview)

    def _compare_again(self, then: Callable[[str], None]) -> None:
        """The same replies against the ledger as it is now (after a write or an undo),
        so no row shows a 台账现值 that is no longer true; ``then(extra)`` once shown,
        ``extra`` saying what went wrong if the comparison could not be made."""
        if self.preview is None:
            then("")
            return
        folder, plan_id = self.ledger.folder, self.plan_id
        replies, problems = list(self.preview.replies), list(self._read_problems)

        def work() -> X.MergePreview:
            with Ledger.open(folder, create=False) as own:
                return X.preview_merge(own, replies, plan_id=plan_id, problems=problems)

        def shown(preview: X.MergePreview) -> None:
            self.show_preview(preview)
            then("")

        def failed(exc: BaseException) -> None:
            self.table.setRowCount(0)  # the rows would show values that are no longer true
            self.preview.changes = []
            self._rivals = {}
            self._update_apply()
            then("\n" + error_text(exc, "重新比对报送表") + "\n请重新选择报送表核对。")

        self._start_job(BackgroundTask(self, "正在与台账重新比对……"), work, shown, failed)

    def _read_failed(self, exc: BaseException) -> None:
        self.choose_button.setEnabled(True)
        self.summary.setStyleSheet(ERROR_COLOR)
        self.summary.setText(error_text(exc, "读取报送表"))

    def show_preview(self, preview: X.MergePreview) -> None:
        self.choose_button.setEnabled(True)
        self.preview = preview
        self.summary.setStyleSheet("")
        groups = preview.competing()
        self.summary.setText(
            f"报送表 {len(preview.replies)} 份;修改 {len(preview.clean)} 处,"
            f"冲突 {len(preview.conflicts)} 处(红色,默认不勾选),无法对应的行 {len(preview.unmatched)} 行"
            + (f",拒绝汇总 {len(preview.refused)} 处" if preview.refused else "") + "。"
            + (f"其中 {len(groups)} 项各报送表填得不一样,每项只能勾选一个。" if groups else ""))
        row_of = {id(c): r for r, c in enumerate(preview.changes)}
        self._rivals = {}
        for group in groups:
            rows = [row_of[id(c)] for c in group]
            for row in rows:
                self._rivals[row] = [other for other in rows if other != row]
        self.table.blockSignals(True)
        self.table.setRowCount(len(preview.changes))
        full_texts = self._task_texts(preview.changes)
        for r, change in enumerate(preview.changes):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Unchecked if change.conflict else Qt.CheckState.Checked)
            self.table.setItem(r, 0, check)
            note = "; ".join(t for t in (change.conflict and f"冲突:{change.conflict}", change.note,
                                         change.day_note) if t)
            issued = "(无下发记录)" if change.issued is None else (change.issued or "(空)")
            saved = f"保存于 {change.saved_at.astimezone():%Y-%m-%d %H:%M:%S}"
            values = [str(change.seq), change.task_text, change.field_name, issued, change.old or "(空)",
                      change.shown_new, f"{change.who} 第 {change.row} 行\n{saved}", note]
            tips = dict(enumerate(values, start=1))
            tips[2] = full_texts.get(change.task_id) or change.task_text  # the cell shows its start
            role = f",在这项任务中为{change.role}单位" if change.role else ""
            tips[7] = f"{change.source} 第 {change.row} 行({change.unit or '未注明单位'}{role})\n报送表{saved}"
            for c, value in enumerate(values, start=1):
                item = QTableWidgetItem(value)
                item.setToolTip(tips[c])
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if change.conflict:
                    item.setBackground(CONFLICT_BRUSH)
                self.table.setItem(r, c, item)
            if change.conflict:
                check.setBackground(CONFLICT_BRUSH)
        self.table.blockSignals(False)
        self.fit_rows()
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

    def _task_texts(self, changes: list[X.Change]) -> dict[int, str]:
        """Each task's whole text for the 任务 tooltip (the cell shows its beginning)."""
        texts: dict[int, str] = {}
        for change in changes:
            if change.task_id not in texts:
                try:
                    task = self.ledger.task(change.task_id)
                except UserError:
                    continue
                texts[change.task_id] = "\n".join(t for t in (task.title, task.requirement) if t)
        return texts

    def fit_rows(self) -> None:
        """Rows as tall as their wrapped text, up to MAX_ROW_LINES lines (the tooltip
        has the rest), so a long note does not push the other rows off the screen."""
        self.table.resizeRowsToContents()
        cap = self.table.fontMetrics().lineSpacing() * MAX_ROW_LINES + 8
        for row in range(self.table.rowCount()):
            if self.table.rowHeight(row) > cap:
                self.table.setRowHeight(row, cap)

    # choosing
    def check_rows(self, wanted: Callable[[X.Change], bool]) -> None:
        """Tick the rows ``wanted`` says, but never two rivals: of a group of different
        values for one task, the one the clerk ticked stays if wanted, else none is."""
        if self.preview is None:
            return
        before = {r for r in range(self.table.rowCount()) if self._checked(r)}
        ticks = {r for r, change in enumerate(self.preview.changes) if wanted(change)}
        for row, rivals in self._rivals.items():
            if row in ticks and any(other in ticks for other in rivals):
                group = [row, *rivals]
                keep = [r for r in group if r in before and r in ticks][:1]
                ticks.difference_update(r for r in group if r not in keep)
        self.table.blockSignals(True)
        for r in range(len(self.preview.changes)):
            self.table.item(r, 0).setCheckState(Qt.CheckState.Checked if r in ticks else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_apply()

    def _checked(self, row: int) -> bool:
        item = self.table.item(row, 0)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def _item_changed(self, item: QTableWidgetItem) -> None:
        """Ticking one of rival values unticks the others: one choice, like radio buttons."""
        if item.column() == 0 and item.checkState() == Qt.CheckState.Checked:
            self.table.blockSignals(True)
            for other in self._rivals.get(item.row(), []):
                self.table.item(other, 0).setCheckState(Qt.CheckState.Unchecked)
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
        undecided = {min(row, *rivals) for row, rivals in self._rivals.items()
                     if not any(self._checked(r) for r in (row, *rivals))}
        if undecided:
            text += f";另有 {len(undecided)} 项各报送表填得不一样,尚未选定(每项勾选一个)"
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
            with Ledger.open(folder, create=False) as own:
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
            listing = "、".join(f"序号 {c.seq} {c.field_name}" for c in result.outdated[:5])
            text += (f"未写入 {len(result.outdated)} 处({listing}{'等' if len(result.outdated) > 5 else ''}):"
                     "预览之后台账中又有修改,请对照下方更新后的台账现值重新选择。")
        if result.superseded:
            text += f"有 {len(result.superseded)} 处与另一份报送表填得相同,只写入一次。"
        chosen = {id(c) for c in (*result.applied, *result.outdated, *result.superseded)}
        unticked = sum(1 for c in (self.preview.changes if self.preview else []) if id(c) not in chosen)
        if unticked:
            text += f"未勾选的 {unticked} 处未写入,仍列在下方(已按台账现值更新)。"

        def shown(extra: str) -> None:
            self.status.setStyleSheet(OK_COLOR)
            self.status.setText(text + extra)
            self.applied.emit(result.task_ids)

        self._compare_again(shown)

    def _apply_failed(self, exc: BaseException) -> None:
        self._update_apply()
        self.status.setStyleSheet(ERROR_COLOR)
        self.status.setText(error_text(exc, "写入") + "\n台账没有任何改变。")

    # taking it back
    def undo_last(self, *, force: bool = False) -> None:
        """撤销本次汇总: restore what the latest merge of this dialog wrote. Values
        changed since are left alone, then the clerk is asked about them."""
        if not self.merge_ids or self.busy:
            return
        folder, merge_id = self.ledger.folder, self.merge_ids[-1]

        def work() -> X.UndoResult:
            with Ledger.open(folder, create=False) as own:
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

        def shown(extra: str) -> None:
            self.status.setStyleSheet(OK_COLOR)
            self.status.setText(text + extra)
            self.undo_button.setEnabled(bool(self.merge_ids))
            self.applied.emit(result.task_ids)

        self._compare_again(shown)

    def _undo_failed(self, exc: BaseException) -> None:
        self.undo_button.setEnabled(bool(self.merge_ids))
        self._update_apply()
        self.status.setStyleSheet(ERROR_COLOR)
        self.status.setText(error_text(exc, "撤销汇总") + "\n台账没有任何改变。")
