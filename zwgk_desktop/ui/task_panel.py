"""The panel beside the table: one task in full, its status and its quarterly notes.

A progress note is saved when the clerk leaves the field, switches task or quarter,
pauses typing for a few seconds, or closes the window: there is no save button to
forget, and nothing typed is lost. Each save names the text the box started from, so
a note written meanwhile elsewhere is never overwritten: the clerk sees both and chooses.
The status and its date are one fact: choosing a status records it with a day, and
correcting the day corrects that record. A recurring task also has a status per period
(ui/period_box.py), shown under the year's status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QSize, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import StaleTextError, UserError
from ..core.follow_up_summary import follow_up_text
from ..core.model import Status, Task
from ..core.quarters import Quarter
from ..core.rollover import carried_note_for
from ..core.units import Role
from . import status_date_dialog, text_conflict_dialog
from .current_quarter import CurrentQuarter
from .date_field import DateField
from .due_date_row import DueDateRow
from .operations import LedgerOperations
from .period_box import PeriodBox
from .quarter_combo import QuarterCombo
from .screen_fit import CappedText
from .theme import scale_font

AUTOSAVE_MS = 3000
REQUIREMENT_LINES = 12  # a longer 具体要求 scrolls in its own box: status and note stay near
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


class TaskPanel(QScrollArea):
    """``current``: the window's quarter (its 进展季度). The panel's quarter drop-down
    sets it, and the panel follows it; without one the panel keeps its own."""

    errorRaised = Signal(str)

    def __init__(self, ops: LedgerOperations, parent: QWidget | None = None, *,
                 current: CurrentQuarter | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.task: Task | None = None
        self.current = current if current is not None else CurrentQuarter(self)
        #: The quarter the note box is for: the current one, except while a switch
        #: saves what was typed for the one before.
        self.quarter = self.current.quarter
        self.plan_year: int | None = None
        self._note_base = ""  # the stored note the box started from
        self.read_only_reason = ""
        #: The window's way of setting a status from the table (asks the day, checks
        #: for a change made elsewhere); the panel's choice goes through it when set.
        self.status_writer: Callable[[list[int], Status], None] | None = None
        self.setWidgetResizable(True)
        # The panel scrolls down, never sideways: what does not fit wraps.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)

        self.heading = QLabel(HINT)
        scale_font(self.heading, 1.15, bold=True)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        # Everything below the heading shows only once a task is chosen: before that
        # the panel is just the hint, not a form of placeholder values.
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        self.section = _wrapped()
        self.section.setStyleSheet("color: #555;")
        self.requirement = CappedText(REQUIREMENT_LINES, capped_hint="具体要求较长,可在此框内滚动查看全文。")
        details.addWidget(self.section)
        details.addWidget(self.requirement)

        facts = QFormLayout()
        self.units = _wrapped()
        self.deadline = _wrapped()
        self.due_row = DueDateRow(ops)
        # (its parts by name, as the panel's own)
        self.due, self.due_edit = self.due_row.due, self.due_row.due_edit
        self.due_confirm, self.due_change = self.due_row.due_confirm, self.due_row.due_change
        facts.addRow("责任单位:", self.units)
        facts.addRow("完成时限:", self.deadline)
        facts.addRow("到期日:", self.due_row)
        details.addLayout(facts)
        # What was done about this task beyond its status: 催办单 sent, last year's item.
        self.chased = _wrapped()
        self.chased.setStyleSheet("color: #b3261e;")
        self.carried = _wrapped()
        self.carried.setStyleSheet("color: #555;")
        details.addWidget(self.chased)
        details.addWidget(self.carried)

        status_box = QGroupBox("完成状态")
        self.status = QComboBox()
        for status in Status:
            self.status.addItem(status.value, status)
        self.status_date = DateField()
        self.status_date.setToolTip("状态生效(完成)的日期。选择状态时会询问日期;以后发现有误,"
                                    "在这里改成实际日期即可(改后立即保存)。")
        # Two lines (status, then its day): narrow enough for 大字模式 at 1366 px.
        status_rows = QFormLayout(status_box)
        status_rows.addRow("状态:", self.status)
        status_rows.addRow("日期:", self.status_date)
        details.addWidget(status_box)

        # Each period of a recurring task (and, for any task, whether it is one).
        self.periods = PeriodBox(ops)
        details.addWidget(self.periods)

        progress_box = QGroupBox("季度进展")
        progress_layout = QVBoxLayout(progress_box)
        quarter_row = QHBoxLayout()
        self.quarter_combo = QuarterCombo()
        self.saved_hint = QLabel()
        self.saved_hint.setStyleSheet("color: #2e7d32;")
        self.saved_hint.setWordWrap(True)
        quarter_row.addWidget(self.quarter_combo)
        quarter_row.addStretch(1)
        self.note = NoteEdit()
        self.note.setPlaceholderText("写下本季度的进展情况,离开此框时自动保存。")
        self.note.setMinimumHeight(110)
        self.earlier = _wrapped()
        self.earlier.setStyleSheet("color: #444;")
        progress_layout.addLayout(quarter_row)
        progress_layout.addWidget(self.saved_hint)  # its own line: it never widens the panel
        progress_layout.addWidget(self.note)
        progress_layout.addWidget(self.earlier)
        details.addWidget(progress_box)

        from .evidence_view import EvidenceView

        self.evidence = EvidenceView(ops.ledger)
        self.evidence.paste_from(self)  # Ctrl+V on the panel pastes a screenshot into its task
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
        self._autosave.timeout.connect(lambda: self.save_note(leaving=False))
        self.note.textChanged.connect(self._note_edited)
        self.note.left.connect(lambda: self.save_note(leaving=False))
        self.status.activated.connect(self._status_chosen)
        self.quarter_combo.quarterChanged.connect(self._quarter_chosen)
        self.current.changed.connect(self._quarter_changed)
        self.status_date.edited.connect(self._status_date_edited)
        self.status_date.invalid.connect(self.errorRaised)
        self.periods.errorRaised.connect(self.errorRaised)
        self.due_row.errorRaised.connect(self.errorRaised)
        self._loading = False
        self._dirty = False
        self.details.setVisible(False)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """As wide as the task's details need, shown or not yet: the window's splitter
        never squeezes the panel below what it can show without scrolling sideways."""
        # The details decide (the hint above them wraps to any width).
        margins = self.widget().layout().contentsMargins()
        content = self.details.minimumSizeHint().width() + margins.left() + margins.right()
        extra = self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(content + extra, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Asks for no more than its minimum (or 320 px): showing a task never makes the
        splitter take width from the table."""
        minimum = self.minimumSizeHint()
        return QSize(max(minimum.width(), 320), super().sizeHint().height())

    def set_read_only(self, reason: str) -> None:
        """A ledger that cannot be changed (write-protected stick, read-only share):
        everything stays readable, nothing offers to write, and the reason is said."""
        self.read_only_reason = reason
        self.note.setReadOnly(True)
        self.note.setPlaceholderText(f"只读:{reason}")
        self.due_row.set_read_only(reason)
        for widget in (self.status, self.status_date):
            widget.setEnabled(False)
            widget.setToolTip(f"只读:{reason}")
        self.evidence.set_read_only(reason)
        self.periods.set_read_only(reason)

    # -- showing ----------------------------------------------------------------------

    def set_plan_year(self, year: int) -> None:
        """The plan shown is of ``year``: its quarters to choose from (the window sets
        the current quarter for it)."""
        self.plan_year = year
        self.quarter_combo.fill(year, self.current.quarter)

    def show_task(self, task_id: int | None) -> None:
        self.save_note()
        self.due_row.editing = False
        self._dirty = False
        if self.task is not None and task_id != self.task.id:
            self._set_note_text("")
        if task_id is None:
            self.task = None
            self.heading.setText(HINT)
            self.details.setVisible(False)
            self.evidence.show_task(None)
            self.periods.show_task(None)
            return
        try:
            self.task = self.ops.ledger.task(task_id)
        except UserError as exc:
            self.errorRaised.emit(exc.message)
            self.task = None
            self.periods.show_task(None)  # never left bound to a task it no longer shows
            self.setEnabled(False)
            return
        self.setEnabled(True)
        self.details.setVisible(True)
        self._fill()
        self.periods.show_task(task_id)
        self.evidence.show_task(task_id, self.quarter)
        self.updateGeometry()  # the window's splitter re-reads what the panel needs

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
        self.due_row.show_task(task)
        self.status.setCurrentIndex(self.status.findData(task.status))
        # The day of the status on record; a task never ticked has none to correct.
        if task.status_date is None:
            self.status_date.set_blank("未登记")
        else:
            self.status_date.set_date(task.status_date)
        self.status_date.setEnabled(task.status_date is not None and not self.read_only_reason)
        note = task.progress_for(self.quarter)
        stored = note.text if note else ""
        # Unsaved typing stays (and keeps the text it started from, so its save can
        # tell that the note changed meanwhile); a note equal to what is stored is
        # left alone too, so an autosave does not move the cursor.
        if not self._dirty:
            self._note_base = stored
            if self.note.toPlainText().strip() != stored.strip():
                self._set_note_text(stored)
            self.saved_hint.setText(f"上次保存 {note.at[:16].replace('T', ' ')}" if note else "")
        others = [p for p in task.progress if p.quarter != self.quarter]
        self.earlier.setText("\n\n".join(f"{p.quarter.label}:{p.text}" for p in others))
        self.earlier.setVisible(bool(others))
        chased = follow_up_text(self.ops.ledger, task.id)
        self.chased.setText(chased)
        self.chased.setVisible(bool(chased))
        carried = carried_note_for(self.ops.ledger, task.id) or ""
        self.carried.setText(carried)
        self.carried.setVisible(bool(carried))
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
            self.periods.show_task(None)
            self.setEnabled(False)
            return
        self._fill()
        self.periods.refresh()

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

    def save_note(self, *, leaving: bool = True) -> bool:
        """Write the note if it changed. Safe to call at any time (close, switch).
        ``leaving``: the box is about to show something else, so the typing must end
        up somewhere now. Returns False when it could not be saved."""
        self._autosave.stop()
        if not self._dirty or self.task is None:
            return True
        text, base = self.note.toPlainText(), self._note_base
        for _ in range(3):  # the note may change again while the clerk compares
            try:
                changed = self.ops.set_progress(self.task.id, self.quarter, text, expected=base)
            except StaleTextError as exc:
                chosen = text_conflict_dialog.ask_which_text(self, exc.stored, exc.mine, can_defer=not leaving)
                if chosen is None and not leaving:
                    self.saved_hint.setText("尚未保存:进展已在别处修改,请选择保留哪段文字")
                    return False
                # Leaving without a choice keeps both texts: nothing typed is dropped.
                text = chosen if chosen is not None else text_conflict_dialog.merge_texts(exc.stored, exc.mine)
                base = exc.stored
                continue
            except UserError as exc:
                message = exc.message
                if leaving:
                    QApplication.clipboard().setText(text)
                    message += "\n您写的进展没有保存,已复制到剪贴板,可粘贴到别处保存。"
                self.errorRaised.emit(message)
                return False
            self._dirty = False
            self._note_base = text.strip()
            if self.note.toPlainText() != text:
                self._set_note_text(text)
            if changed:
                self.saved_hint.setText(f"已自动保存 {QTime.currentTime().toString('HH:mm')}")
            return True
        self.errorRaised.emit("进展在您选择期间又被修改了,您写的文字仍在输入框中,尚未保存。请稍后再试。")
        return False

    def _quarter_chosen(self, quarter: Quarter | None) -> None:
        """The clerk picked a quarter here: it becomes the window's, and everyone
        (this panel too) follows from :meth:`_quarter_changed`."""
        if quarter is not None:
            self.current.set(quarter)

    def _quarter_changed(self, quarter: Quarter) -> None:
        """Another quarter is current: what was typed is saved to the quarter it was
        typed for, then the box shows the new quarter's note."""
        self.save_note()
        self.quarter = quarter
        blocked = self.quarter_combo.blockSignals(True)
        self.quarter_combo.set_quarter(quarter)
        self.quarter_combo.blockSignals(blocked)
        self._dirty = False
        self._set_note_text("")
        if self.task is not None:
            self._fill()
            self.evidence.show_task(self.task.id, self.quarter)

    def _status_chosen(self) -> None:
        """The same question as the table's 状态 cell and its context menu: the day is
        always asked, today by default and the progress quarter's last day one click
        away, so a clerk back-filling last quarter does not get today's date recorded
        without being asked. With ``status_writer`` set (the window's set_status_of)
        the window asks and writes, exactly as for the table."""
        if self._loading or self.task is None:
            return
        task = self.task
        status = Status(self.status.currentData())  # Qt hands StrEnum data back as str
        if status == task.status:
            return
        if self.status_writer is not None:
            self.status_writer([task.id], status)
        else:
            on = status_date_dialog.ask_status_date(self, status, 1, self.quarter, self.plan_year)
            try:
                if on is not None:
                    self.save_note()  # as the table does: typing is kept before the change
                    # what the panel showed: a status changed elsewhere meanwhile is refused
                    self.ops.set_status([task.id], status, on, seen={task.id: task.status})
            except UserError as exc:
                self.errorRaised.emit(exc.message)
        if self.task is not None and self.task.id == task.id:
            self.refresh()  # cancelled or refused: show what is recorded

    def _status_date_edited(self, on: date) -> None:
        """The clerk corrected the day: the status on record gets that day."""
        if self._loading or self.task is None:
            return
        task_id = self.task.id
        try:
            if status_date_dialog.confirm_status_date(self, on, self.plan_year):
                self.ops.set_status_date(task_id, on)
        except UserError as exc:
            self.errorRaised.emit(exc.message)
        if self.task is not None and self.task.id == task_id:
            self.refresh()
