"""The panel beside the table: one task in full, its status and its quarterly notes.

A progress note is saved when the clerk leaves the field, switches task or quarter,
pauses typing for a few seconds, or closes the window: there is no save button to
forget, and nothing typed is lost.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import UserError
from ..core.model import Status, Task
from ..core.quarters import Quarter
from ..core.units import Role
from .operations import LedgerOperations

AUTOSAVE_MS = 3000
HINT = "请在左侧表格中选择一项任务。\n选中多项时,可右键一次标记它们的状态。"


class NoteEdit(QPlainTextEdit):
    left = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.left.emit()


def _wrapped(text: str = "", selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class TaskPanel(QScrollArea):
    errorRaised = Signal(str)
    quarterChosen = Signal(str)  # the clerk picked another quarter here

    def __init__(self, ops: LedgerOperations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.task: Task | None = None
        self.quarter = Quarter.current()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)

        self.heading = QLabel(HINT)
        heading_font = self.heading.font()
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.15)
        self.heading.setFont(heading_font)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        # Everything below the heading shows only once a task is chosen: before that
        # the panel is just the hint, not a form of placeholder values.
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        self.section = _wrapped()
        self.section.setStyleSheet("color: #555;")
        self.requirement = _wrapped()
        details.addWidget(self.section)
        details.addWidget(self.requirement)

        facts = QFormLayout()
        self.units = _wrapped()
        self.deadline = _wrapped()
        due_row = QHBoxLayout()
        self.due = QLabel()
        self.due_edit = QDateEdit()
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_confirm = QPushButton("确认到期日")
        self.due_confirm.setToolTip("导入时无法确定到期日,请核对后确认")
        due_row.addWidget(self.due)
        due_row.addWidget(self.due_edit)
        due_row.addWidget(self.due_confirm)
        due_row.addStretch(1)
        facts.addRow("责任单位:", self.units)
        facts.addRow("完成时限:", self.deadline)
        facts.addRow("到期日:", due_row)
        details.addLayout(facts)

        status_box = QGroupBox("完成状态")
        status_layout = QHBoxLayout(status_box)
        self.status = QComboBox()
        for status in Status:
            self.status.addItem(status.value, status)
        self.status_date = QDateEdit()
        self.status_date.setCalendarPopup(True)
        self.status_date.setDisplayFormat("yyyy-MM-dd")
        self.status_date.setToolTip("状态生效(完成)的日期,默认今天")
        status_layout.addWidget(self.status)
        status_layout.addWidget(QLabel("日期:"))
        status_layout.addWidget(self.status_date)
        status_layout.addStretch(1)
        details.addWidget(status_box)

        progress_box = QGroupBox("季度进展")
        progress_layout = QVBoxLayout(progress_box)
        quarter_row = QHBoxLayout()
        self.quarter_combo = QComboBox()
        self.quarter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.quarter_combo.setMinimumContentsLength(9)
        self.saved_hint = QLabel()
        self.saved_hint.setStyleSheet("color: #2e7d32;")
        quarter_row.addWidget(self.quarter_combo)
        quarter_row.addWidget(self.saved_hint, 1)
        self.note = NoteEdit()
        self.note.setPlaceholderText("写下本季度的进展情况,离开此框时自动保存。")
        self.note.setMinimumHeight(110)
        self.earlier = _wrapped()
        self.earlier.setStyleSheet("color: #444;")
        progress_layout.addLayout(quarter_row)
        progress_layout.addWidget(self.note)
        progress_layout.addWidget(self.earlier)
        details.addWidget(progress_box)

        from .evidence_view import EvidenceView

        self.evidence = EvidenceView(ops.ledger)
        details.addWidget(self.evidence)

        history_box = QGroupBox("状态记录")
        history_layout = QVBoxLayout(history_box)
        self.history = _wrapped()
        history_layout.addWidget(self.history)
        details.addWidget(history_box)

        layout.addWidget(self.details)
        layout.addStretch(1)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_note)
        self.note.textChanged.connect(self._note_edited)
        self.note.left.connect(self.save_note)
        self.status.activated.connect(self._status_chosen)
        self.quarter_combo.currentIndexChanged.connect(self._quarter_chosen)
        self.due_confirm.clicked.connect(self._confirm_due)
        self._loading = False
        self._dirty = False
        self.details.setVisible(False)

    # -- showing ----------------------------------------------------------------------

    def set_quarters(self, year: int, current: Quarter) -> None:
        self._loading = True
        self.quarter_combo.clear()
        quarters = sorted({Quarter(year, n) for n in range(1, 5)} | {current}, reverse=True)
        for quarter in quarters:
            self.quarter_combo.addItem(quarter.label, str(quarter))
        self.quarter = current
        self.quarter_combo.setCurrentIndex(max(self.quarter_combo.findData(str(current)), 0))
        self._loading = False

    def show_task(self, task_id: int | None) -> None:
        self.save_note()
        self._dirty = False
        if self.task is not None and task_id != self.task.id:
            self._set_note_text("")
        if task_id is None:
            self.task = None
            self.heading.setText(HINT)
            self.details.setVisible(False)
            self.evidence.show_task(None)
            return
        try:
            self.task = self.ops.ledger.task(task_id)
        except UserError as exc:
            self.errorRaised.emit(exc.message)
            self.task = None
            self.setEnabled(False)
            return
        self.setEnabled(True)
        self.details.setVisible(True)
        self._fill()
        self.evidence.show_task(task_id, self.quarter)

    def _fill(self) -> None:
        task = self.task
        assert task is not None
        self._loading = True
        self.heading.setText(f"序号 {task.seq}" + (f"  【{task.title}】" if task.title else ""))
        self.section.setText(" › ".join(task.section))
        self.section.setVisible(bool(task.section))
        self.requirement.setText(task.requirement)
        self.units.setText("\n".join(
            f"{u.name}({'牵头' if u.role == Role.LEAD else '配合'})" for u in task.units) or "(未列出)")
        self.deadline.setText(task.deadline_text or "(未写明)")
        if task.due_date:
            self.due.setText(task.due_date.isoformat())
            self.due_edit.setDate(_qdate(task.due_date))
        else:
            self.due.setText("无具体日期" if not task.needs_review else "未能识别")
            self.due_edit.setDate(_qdate(date.today()))
        self.due.setStyleSheet("color: #b26a00; font-weight: bold;" if task.needs_review else "")
        self.due_edit.setVisible(task.needs_review)
        self.due_confirm.setVisible(task.needs_review)
        self.status.setCurrentIndex(self.status.findData(task.status))
        self.status_date.setDate(_qdate(task.status_date if task.status == Status.DONE and task.status_date
                                        else date.today()))
        note = next((p for p in task.progress if p.quarter == str(self.quarter)), None)
        stored = note.text if note else ""
        # Unsaved typing stays; a note equal to what is stored is left alone too, so
        # an autosave does not move the cursor.
        if not self._dirty and self.note.toPlainText().strip() != stored.strip():
            self._set_note_text(stored)
        if not self._dirty:
            self.saved_hint.setText(f"上次保存 {note.at[:16].replace('T', ' ')}" if note else "")
        others = [p for p in task.progress if p.quarter != str(self.quarter)]
        self.earlier.setText("\n\n".join(f"{Quarter.parse(p.quarter).label}:{p.text}" for p in others))
        self.earlier.setVisible(bool(others))
        history = self.ops.ledger.status_history(task.id)
        self.history.setText("\n".join(f"{h.effective_on.isoformat()}  {h.status.value}({h.by} 记录)"
                                       for h in reversed(history)) or "尚无状态变化")
        self._loading = False

    def refresh(self) -> None:
        """The task changed elsewhere (undo, table edit, an autosave): show it again.
        Never saves (it may run inside an undo) and keeps unsaved typing."""
        if self.task is None:
            return
        try:
            self.task = self.ops.ledger.task(self.task.id)
        except UserError:
            self.task = None
            self.setEnabled(False)
            return
        self._fill()

    def _set_note_text(self, text: str) -> None:
        """Change the note box without it counting as the clerk's typing."""
        loading, self._loading = self._loading, True
        try:
            self.note.setPlainText(text)
        finally:
            self._loading = loading

    # -- editing ----------------------------------------------------------------------

    def _note_edited(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self.saved_hint.setText("正在输入……")
        self._autosave.start()

    def save_note(self) -> None:
        """Write the note if it changed. Safe to call at any time (close, switch)."""
        self._autosave.stop()
        if not self._dirty or self.task is None:
            return
        self._dirty = False
        try:
            changed = self.ops.set_progress(self.task.id, self.quarter, self.note.toPlainText())
        except UserError as exc:
            self._dirty = True
            self.errorRaised.emit(exc.message)
            return
        if changed:
            self.saved_hint.setText(f"已自动保存 {QTime.currentTime().toString('HH:mm')}")

    def _quarter_chosen(self) -> None:
        if self._loading:
            return
        self.save_note()
        data = self.quarter_combo.currentData()
        if data:
            self.quarter = Quarter.parse(data)
            self._dirty = False
            self._set_note_text("")
            if self.task is not None:
                self._fill()
                self.evidence.show_task(self.task.id, self.quarter)
            self.quarterChosen.emit(data)

    def _status_chosen(self) -> None:
        if self._loading or self.task is None:
            return
        status = Status(self.status.currentData())  # Qt hands StrEnum data back as str
        if status == self.task.status:
            return
        try:
            self.ops.set_status([self.task.id], status, _pydate(self.status_date.date()))
        except UserError as exc:
            self.errorRaised.emit(exc.message)

    def _confirm_due(self) -> None:
        if self.task is None:
            return
        try:
            self.ops.set_due_date(self.task.id, _pydate(self.due_edit.date()))
        except UserError as exc:
            self.errorRaised.emit(exc.message)
