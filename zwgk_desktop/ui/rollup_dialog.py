"""汇总本级: the county's answers composed into the superior plan's tasks, previewed.

For a quarter, each superior task whose county tasks give something new is a row:
上级任务 | 区级/县级任务完成情况 | 汇总后的状态 | 汇总后的进展 (editable) | 现有内容 | 采用. Where
the superior task already holds a different status or note of its own (core/rollup.py
says when), the two stand side by side and the clerk must choose in 采用 (汇总结果 or
保留现有) before 应用 is possible. Nothing is written before 应用, which runs
core/rollup.apply_rollup in a worker (one transaction, automatic backup, audited).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import rollup as R
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from ..core.unit_mapping import LOCAL_NAME, get_settings, level_of
from .background import BackgroundTask
from .failure_text import failure_text
from .operations import linked
from .operations.run import run_on_ledger
from .quarter_combo import QuarterCombo
from .screen_fit import fit_to_screen
from .wheel_guard import guard_wheel, guard_widget

COMPETING = QColor("#fff1c9")
CHOOSE = "请选择"
TAKE = "采用汇总结果"
KEEP = "保留现有内容"


class _NoteDelegate(QStyledItemDelegate):
    """A note is several lines (one per unit): edited in a text box, not a line edit."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802 (Qt's name)
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QPlainTextEdit(parent)
        editor.setTabChangesFocus(True)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QPlainTextEdit)
        editor.setPlainText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QPlainTextEdit)
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)


class RollupDialog(QDialog):
    """Quarter, preview, choices, 应用. ``applied(plan_id)`` fires after a write."""

    applied = Signal(int)
    TASK, SUMMARY, STATUS, NOTE, CURRENT, CHOICE = range(6)
    HEADERS = ["上级任务", "本级任务完成情况", "汇总后的状态", "汇总后的进展(可修改)", "现有内容", "采用"]

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None, *,
                 quarter: Quarter | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self.preview: R.RollupPreview | None = None
        self.rows: list[R.RollupRow] = []
        self._task: BackgroundTask | None = None
        self.setWindowTitle("汇总本级完成情况")

        self.quarter_box = QuarterCombo()
        self.quarter_box.fill(self.plan.year)
        if quarter is not None:
            self.quarter_box.set_quarter(quarter)  # the window's 进展季度, when of this plan's year
        self.quarter_box.quarterChanged.connect(lambda _q: self.refresh())
        top = QHBoxLayout()
        top.addWidget(QLabel(f"上级分解表:{self.plan.title}"), 1)
        top.addWidget(QLabel("季度:"))
        top.addWidget(self.quarter_box)

        # 区级/县级/旗级…: the county's own level, as core/rollup words each row.
        local = get_settings(ledger).get(LOCAL_NAME, "")
        self.level = f"{level_of(local)}级" if level_of(local) else "本级"
        self.headers = [f"{self.level}任务完成情况" if col == self.SUMMARY else text
                        for col, text in enumerate(self.HEADERS)]
        self.table = QTableWidget(0, len(self.headers))
        self.table.setHorizontalHeaderLabels(self.headers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setItemDelegateForColumn(self.NOTE, _NoteDelegate(self.table))
        header = self.table.horizontalHeader()
        for col, width in ((self.TASK, 260), (self.SUMMARY, 170), (self.STATUS, 130), (self.NOTE, 280),
                           (self.CURRENT, 220), (self.CHOICE, 130)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(self.NOTE, QHeaderView.ResizeMode.Stretch)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("应用", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.refresh()
        fit_to_screen(self, (1240, 680))
        guard_wheel(self)

    def quarter(self) -> Quarter:
        chosen = self.quarter_box.current_quarter()
        assert chosen is not None  # the box offers quarters only
        return chosen

    # -- preview ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compose the preview for the chosen quarter (reading only)."""
        try:
            self.preview = R.preview_rollup(self.ledger, self.plan.id, self.quarter())
        except Exception as exc:  # a plan with no county plan: say so in the dialog itself
            self.preview, self.rows = None, []
            self.table.setRowCount(0)
            self.summary.setText(failure_text(exc, "汇总预览"))
            self.apply_button.setEnabled(False)
            return
        self.rows = self.preview.changing
        self.table.setRowCount(0)  # drops the choice boxes of the rows shown before
        self.table.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            self._fill(n, row)
        self.table.resizeRowsToContents()
        self._update_summary()

    def _item(self, text: str, editable: bool = False, colour: QColor | None = None) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags)
        item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if colour is not None:
            item.setBackground(QBrush(colour))
        return item

    def _fill(self, n: int, row: R.RollupRow) -> None:
        requirement = " ".join(row.task.requirement.split())
        short = requirement if len(requirement) <= 60 else requirement[:60] + "……"
        task = self._item(f"{row.seq}. {short}")
        task.setToolTip(requirement)
        self.table.setItem(n, self.TASK, task)
        self.table.setItem(n, self.SUMMARY, self._item(row.summary))
        status = row.status_text if row.changes_status else f"{row.status_text}(不变)"
        status_colour = COMPETING if row.status_competes else None
        self.table.setItem(n, self.STATUS, self._item(status, colour=status_colour))
        note_colour = COMPETING if row.note_competes else None
        self.table.setItem(n, self.NOTE, self._item(row.note, editable=True, colour=note_colour))
        current = f"状态:{row.current_status_text}\n进展:{row.current_note or '(无)'}"
        self.table.setItem(n, self.CURRENT, self._item(current, colour=COMPETING if row.competes else None))
        if row.competes:
            box = QComboBox()
            box.addItems([CHOOSE, TAKE, KEEP])
            box.currentIndexChanged.connect(lambda _i: self._update_summary())
            guard_widget(box)  # made after the dialog's guard_wheel: a passing wheel must not choose
            self.table.setCellWidget(n, self.CHOICE, box)
        else:
            self.table.setItem(n, self.CHOICE, self._item(TAKE))

    def choice(self, n: int) -> str:
        widget = self.table.cellWidget(n, self.CHOICE)
        return widget.currentText() if isinstance(widget, QComboBox) else TAKE

    def set_choice(self, n: int, choice: str) -> None:
        widget = self.table.cellWidget(n, self.CHOICE)
        if isinstance(widget, QComboBox):
            widget.setCurrentText(choice)

    def note_text(self, n: int) -> str:
        return self.table.item(n, self.NOTE).text()

    def undecided(self) -> list[int]:
        return [row.seq for n, row in enumerate(self.rows) if self.choice(n) == CHOOSE]

    def _update_summary(self) -> None:
        if self.preview is None:
            return
        total, changing = len(self.preview.rows), len(self.rows)
        text = (f"{self.quarter().label}:{total} 项上级任务有本级任务,{changing} 项将修改,"
                f"{total - changing} 项与汇总结果相同。")
        competing = [r.seq for r in self.rows if r.competes]
        if competing:
            text += f" 黄色的 {len(competing)} 项上级任务已有不同的内容,请在“采用”一栏逐项选择。"
        undecided = self.undecided()
        if undecided:
            text += f" 尚未选择:序号 {'、'.join(map(str, undecided))}。"
        self.summary.setText(text)
        self.apply_button.setEnabled(bool(self.rows) and not undecided and self._idle())

    def _idle(self) -> bool:
        return self._task is None or not getattr(self._task, "running", False)

    # -- writing ----------------------------------------------------------------------------

    def decisions(self) -> list[R.Decision]:
        result = []
        for n, row in enumerate(self.rows):
            keep = self.choice(n) == KEEP
            text = self.note_text(n)
            edited = text.strip() != row.note.strip()
            take_status = row.changes_status and not (keep and row.status_competes)
            take_note = (row.changes_note or edited) and not (keep and row.note_competes)
            if take_status or take_note:
                result.append(R.Decision(row.task.id, status=take_status, note=take_note, text=text))
        return result

    def apply(self) -> None:
        if self.preview is None or self.undecided():
            return
        preview, decisions = self.preview, self.decisions()
        if not decisions:
            return
        self.apply_button.setEnabled(False)
        self._task = BackgroundTask(self, "正在汇总到上级分解表……")
        run_on_ledger(self._task, self.ledger.folder, lambda own: linked.roll_up(own, preview, decisions),
                      self._applied, what="汇总本级完成情况", parent=self, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        QMessageBox.warning(self, "没有汇总", failure_text(exc, "汇总本级完成情况"))
        self.refresh()

    def _applied(self, outcome: Any) -> None:
        QMessageBox.information(self, "已汇总", f"已写入 {len(outcome.tasks)} 项上级任务(状态 {outcome.statuses} 项,"
                                               f"进展 {outcome.notes} 项)。导出Excel即带有本级的汇总结果。")
        self.applied.emit(self.plan.id)
        self.refresh()
