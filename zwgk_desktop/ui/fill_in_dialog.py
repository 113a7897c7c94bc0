"""下发填报表: one workbook per unit, for the units the clerk ticks."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import unit_directory as D
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from .background import BackgroundTask
from .exchange_common import ERROR_COLOR, JobsMixin, error_text, path_row, quarter_combo
from .file_dialogs import choose_folder, remember_folder
from .open_result import OpenResult
from .screen_fit import CappedText, fit_to_screen
from .wheel_guard import guard_wheel

KIND = "fill_in"  # the folder remembered for fill-in workbooks (file_dialogs)
GROUP_LINES = 5  # group warnings shown at once; more scroll
UNIT_ROWS = 6  # the unit list never shrinks below this many rows


class FillInDialog(JobsMixin, QDialog):
    """Tick units (groups are shown as their members), choose quarter and folder, and
    write one workbook per unit off the GUI thread. ``written(result)`` at the end.
    A group without members gets no workbook; the dialog says so and offers the
    单位名录 to list them."""

    written = Signal(object)

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None, *,
                 quarter: Quarter | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self.result: Any = None
        self.setWindowTitle("下发填报表")
        explain = QLabel("为勾选的每个单位生成一份填报表(只含该单位牵头或配合的任务,及其所属群组的任务)。"
                         "群组(如 各镇(街道))按单位名录中的成员分别生成;可在“单位名录”中维护成员。")
        explain.setWordWrap(True)
        # A plan may name a dozen groups: their warnings scroll in a few lines, so the
        # unit list below keeps its rows in 大字模式.
        self.groups_note = CappedText(GROUP_LINES, capped_hint="还有更多群组,可在此框内滚动查看。")
        self.groups_note.setStyleSheet(ERROR_COLOR)
        self.directory_button = QPushButton("单位名录…")
        self.directory_button.setToolTip("登记群组的成员单位;关闭名录后这里的单位列表随之更新")
        self.directory_button.clicked.connect(self.edit_directory)
        groups_row = QHBoxLayout()
        groups_row.addWidget(self.groups_note, 1)
        groups_row.addWidget(self.directory_button, 0, Qt.AlignmentFlag.AlignTop)
        self.groups_box = QWidget()
        self.groups_box.setLayout(groups_row)
        groups_row.setContentsMargins(0, 0, 0, 0)
        self.units = QListWidget()
        self.units.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.units.setMinimumHeight(UNIT_ROWS * self.units.fontMetrics().lineSpacing() + 8)
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
        self.quarter = quarter_combo(self.plan.year, quarter)
        self.sender = QLineEdit()
        self.sender.setPlaceholderText("例如:区政府办公室(写在填报说明中,可不填)")
        self.folder, where = path_row("选择保存填报表的文件夹……", self.choose_folder)
        form = QFormLayout()
        form.addRow("填报季度:", self.quarter)
        form.addRow("下发单位:", self.sender)
        form.addRow("保存到:", where)
        self.status = QPlainTextEdit()
        self.status.setReadOnly(True)
        if ledger.read_only:
            self.status.setPlainText(f"台账是只读打开的:生成的填报表不会记入下发记录,报送回来时需逐项核对。"
                                     f"({ledger.read_only})")
        self.status.setMaximumHeight(5 * self.status.fontMetrics().lineSpacing() + 12)
        self.open_result = OpenResult()
        self.buttons = QDialogButtonBox()
        self.write_button = self.buttons.addButton("生成填报表", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.write_button.clicked.connect(self.write)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.groups_box)
        layout.addWidget(self.units, 1)
        layout.addLayout(pick)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.open_result)
        layout.addWidget(self.buttons)
        self.units.itemChanged.connect(self._update_count)
        self.reload()
        em, line = self.fontMetrics().horizontalAdvance("中"), self.fontMetrics().lineSpacing()
        fit_to_screen(self, (max(640, 52 * em), max(560, 34 * line)))
        guard_wheel(self)

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
        self.unlisted = D.unlisted_groups(self.ledger, self.plan.id)
        self.groups_note.setText("\n".join(D.group_without_members_text(g) + "。" for g in self.unlisted))
        self.groups_box.setVisible(bool(self.unlisted))
        self._update_count()

    def edit_directory(self) -> None:
        """单位名录 on top of this dialog; the list follows what was added there."""
        from .unit_directory_dialog import UnitDirectoryDialog

        dialog = UnitDirectoryDialog(self.ledger, self.plan.id, self)
        if self.unlisted:
            dialog.reload(self.unlisted[0])
        dialog.exec()
        self.reload()

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
        folder = choose_folder(self, "保存填报表的文件夹", KIND, start=self.folder.text().strip() or None)
        if folder is not None:
            self.folder.setText(str(folder))

    def write(self) -> None:
        from ..io.fill_in import write_fill_ins

        units = self.checked_units()
        if not units:
            text = "请至少勾选一个单位。"
            if not self.units.count() and self.unlisted:
                text = "\n".join(D.group_without_members_text(g) + "。" for g in self.unlisted)
            QMessageBox.information(self, "下发填报表", text)
            return
        if self.ledger.read_only and not self.confirm_read_only():
            return
        target = self.folder.text().strip()
        if not target:
            self.choose_folder()
            target = self.folder.text().strip()
            if not target:
                return
        folder, plan_id, read_only = self.ledger.folder, self.plan.id, bool(self.ledger.read_only)
        quarter, sender = self.quarter.current_quarter(), self.sender.text().strip()
        job = BackgroundTask(self, "正在生成填报表……")

        def work() -> Any:
            with Ledger.open(folder, create=False, read_only=read_only) as own:
                return write_fill_ins(own, plan_id, quarter, target, units=units, sender=sender,
                                      progress=job.report)

        self.write_button.setEnabled(False)
        self.open_result.setVisible(False)
        self.status.setPlainText("正在生成……")
        self._start_job(job, work, self._done, self._failed)

    def confirm_read_only(self) -> bool:
        """Asked before anything is written: the workbooks are useful, but the ledger
        cannot keep what was issued, so the replies cannot be checked against it."""
        answer = QMessageBox.question(
            self, "下发填报表",
            f"台账是只读打开的({self.ledger.read_only}),不能保存下发记录:这些填报表报送回来时,"
            "每一处修改都会列为冲突,需逐项核对。\n\n填报表本身可以正常填写。仍要生成吗?\n"
            "(如需正常汇总,请取消,在可写的台账中下发。)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _done(self, result: Any) -> None:
        from ..io.fill_in import NOT_RECORDED

        self.result = result
        self.write_button.setEnabled(True)
        # What the clerk must know comes first, above the list of 37 files.
        warnings = [f"注意:{s}" for s in result.notes if s == NOT_RECORDED]
        lines = warnings + [f"已生成 {len(result.written)} 份填报表,保存在 {self.folder.text()}:"]
        lines += [f"  {w.path.name}({w.tasks} 项)" for w in result.written]
        lines += [f"提示:{s}" for s in result.notes if s != NOT_RECORDED]
        lines += [f"提示:{s}" for s in result.skipped]
        lines += [f"提示:{D.group_without_members_text(g)}。" for g in self.unlisted]
        self.status.setPlainText("\n".join(lines))
        if result.written:
            remember_folder(KIND, self.folder.text().strip())
            self.open_result.show_for(result.written[0].path)
            self.open_result.open_file.setVisible(False)  # many files: their folder is the next step
        self.written.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.write_button.setEnabled(True)
        self.status.setPlainText(error_text(exc, "生成填报表"))
