"""A recurring task's periods in the task panel: each period's status and day, and the
task's rhythm (每月/每季度/…) as read from its text or as the clerk marked it.

A task done every quarter is not "done" once: Q1 can be reported while Q2 is missing.
The box lists the plan year's periods, each with a status of its own; the current one
is highlighted and the ones not begun yet cannot be filled in. The first line says
whether the task is recurring and why (根据“每季度”识别, or 手工设置), and lets the
clerk mark any task recurring or not; so it is there for every task, one line long
when the task is done once.

The box names its task in every write and re-checks it after any question it asks: a
change lands on the task the clerk edited, and never on the one the panel shows next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.dates import status_date_doubt
from ..core.errors import UserError
from ..core.model import Status
from ..core.quarters import Quarter
from ..core.recurrence import Frequency, Period, Recurrence
from ..core.task_periods import PeriodRow, period_rows
from . import status_date_dialog
from .operations import LedgerOperations
from .operations.periods import AUTO, Marking, PeriodOperations, RecurrenceState, recurrence_state
from .wheel_guard import guard_widget

NOT_RECURRING = "none"  # the frequency combo's entry for "done once"
FREQUENCY_CHOICES: list[tuple[str, str]] = [
    ("不是定期任务", NOT_RECURRING),
    ("每月", Frequency.MONTHLY.value),
    ("每季度", Frequency.QUARTERLY.value),
    ("每半年", Frequency.HALF_YEARLY.value),
    ("每年", Frequency.YEARLY.value),
    ("定期", Frequency.PERIODIC.value),
]
CHOICE_TIPS = {
    NOT_RECURRING: "一次性任务:按任务的完成状态登记,不分期",
    Frequency.PERIODIC.value: "没有固定周期(定期、每周、每旬):按季度登记各期",
}
#: What a period can be set to here. 已取消 belongs to a task withdrawn from the table,
#: not to one period; a period already holding it (set by zwgk) still shows it.
PERIOD_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.NOT_APPLICABLE)
NOT_RECORDED = "未登记"
CURRENT_STYLE = "font-weight: bold; background: #dcebfb; padding: 1px 3px;"
OVERDUE_COLOUR = "#c62828"
MUTED_COLOUR = "#777"


def short_label(period: Period) -> str:
    """二季度, 5月, 上半年, 全年: short, as clerks say them (the panel is narrow)."""
    if period.kind == "Y":
        return "全年"
    if period.kind == "Q":
        return f"{'一二三四'[period.index - 1]}季度"
    return period.label.removeprefix(f"{period.year}年")


def source_words(state: RecurrenceState) -> str:
    """Why the task is (not) recurring, in the clerk's words."""
    detected = state.detected
    if state.marking is AUTO:
        if detected is None:
            return "完成时限和具体要求中没有每月、每季度等字样,按一次性任务登记。"
        where = "完成时限" if detected.source == "deadline" else "具体要求中"
        return f"根据{where}“{detected.phrase}”识别。"
    chosen = state.marking.label if isinstance(state.marking, Frequency) else "不是定期任务"
    auto = f"自动识别为{detected.label}" if detected is not None else "文字中没有每月、每季度等字样"
    return f"手工设为{chosen}({auto})。"


@dataclass(slots=True)
class _Line:
    """One period's row of widgets and what it showed when it was filled."""

    period: Period
    label: QLabel
    status: QComboBox
    day: QLabel
    shown: Status | None = None


class PeriodBox(QGroupBox):
    """Bound to one task at a time (:meth:`show_task`); :meth:`refresh` re-reads it."""

    errorRaised = Signal(str)

    def __init__(self, ops: LedgerOperations, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.period_ops = PeriodOperations(ops)
        self.today_override = today  # tests fix the day; the app reads the clock at each refresh
        self.task_id: int | None = None
        self.state: RecurrenceState | None = None
        self.read_only_reason = ""
        self._loading = False
        self._lines: list[_Line] = []
        self._kinds: tuple[int, str] | None = None  # (year, period kind) the lines were built for

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("定期任务:"))
        self.frequency = QComboBox()
        for text, value in FREQUENCY_CHOICES:
            self.frequency.addItem(text, value)
            if value in CHOICE_TIPS:
                self.frequency.setItemData(self.frequency.count() - 1, CHOICE_TIPS[value],
                                           Qt.ItemDataRole.ToolTipRole)
        self.frequency.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.frequency.setToolTip("任务是否按期(每月、每季度……)登记完成情况。程序按完成时限和具体要求自动识别,"
                                  "识别不对时可在这里改,修改记入操作记录。")
        guard_widget(self.frequency)
        top.addWidget(self.frequency)
        top.addStretch(1)
        layout.addLayout(top)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setStyleSheet(f"color: {MUTED_COLOUR};")
        layout.addWidget(self.source)
        # On a line of its own, shown only for a task marked by hand: beside the drop-down
        # it widened the panel in 大字模式.
        restore_row = QHBoxLayout()
        self.restore = QPushButton("恢复自动识别")
        self.restore.setToolTip("去掉手工设置,按完成时限和具体要求重新判断是否定期任务")
        restore_row.addWidget(self.restore)
        restore_row.addStretch(1)
        layout.addLayout(restore_row)
        self.periods = QWidget()
        self.grid = QGridLayout(self.periods)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(3, 1)
        layout.addWidget(self.periods)

        self.frequency.activated.connect(self._frequency_chosen)
        self.restore.clicked.connect(self._restore_chosen)

    # -- showing ----------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.today_override or date.today()

    def show_task(self, task_id: int | None) -> None:
        self.task_id = task_id
        if task_id is None:
            self.state = None
            self._build([])
        self.refresh()

    def refresh(self) -> None:
        """Read the task again (after any change, here or elsewhere)."""
        if self.task_id is None:
            return
        try:
            state = recurrence_state(self.period_ops.ledger, self.task_id)
            rows = period_rows(self.period_ops.ledger, self.task_id, self.today)
        except UserError as exc:
            self.errorRaised.emit(exc.message)
            return
        self.state = state
        self._loading = True
        try:
            self._fill_top(state)
            if not rows:
                self._build([])
            else:
                kind = (rows[0].period.year, rows[0].period.kind)
                if kind != self._kinds:
                    self._build(rows)
                    self._kinds = kind
                for line, row in zip(self._lines, rows):
                    self._fill_line(line, row)
        finally:
            self._loading = False

    def _fill_top(self, state: RecurrenceState) -> None:
        found = state.found
        value = found.frequency.value if found is not None else NOT_RECURRING
        self.frequency.setCurrentIndex(max(self.frequency.findData(value), 0))
        manual = state.marking is not AUTO
        self.restore.setVisible(manual)
        self.restore.setEnabled(not self.read_only_reason)
        words = source_words(state)
        # Done once and decided by its text: one line, the reason in the tooltip.
        self.source.setText(words)
        self.source.setVisible(found is not None or manual)
        self.frequency.setToolTip(words)
        self.setTitle(f"各期完成情况({found.label})" if found is not None else "")
        self.setFlat(found is None)

    def _build(self, rows: list[PeriodRow]) -> None:
        for line in self._lines:
            for widget in (line.label, line.status, line.day):
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self._lines = []
        self._kinds = None
        for n, row in enumerate(rows):
            label = QLabel(short_label(row.period))
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            guard_widget(combo)  # made after the window guarded its own: guard it here
            day = QLabel()
            self.grid.addWidget(label, n, 0)
            self.grid.addWidget(combo, n, 1)
            self.grid.addWidget(day, n, 2)
            line = _Line(row.period, label, combo, day)
            combo.activated.connect(lambda _=0, line=line: self._period_chosen(line))
            self._lines.append(line)
        self.periods.setVisible(bool(rows))

    def _fill_line(self, line: _Line, row: PeriodRow) -> None:
        today = self.today
        current = row.period.start <= today <= row.period.end
        future = row.period.start > today
        line.shown = row.status
        combo = line.status
        combo.clear()
        if row.status is None:
            combo.addItem(NOT_RECORDED, "")
        choices = list(PERIOD_STATUSES)
        if row.status is not None and row.status not in choices:
            choices.append(row.status)
        for status in choices:
            combo.addItem(status.value, status.value)
        combo.setCurrentIndex(combo.findData(row.status.value if row.status else ""))
        combo.setEnabled(not future and not self.read_only_reason)
        # The current period stands out by its colour (words would widen the narrow panel).
        line.label.setText(short_label(row.period))
        line.label.setStyleSheet(CURRENT_STYLE if current else (f"color: {MUTED_COLOUR};" if future else ""))
        line.label.setToolTip(f"{row.period.label}" + ("(本期)" if current else "(尚未开始)" if future else ""))
        due = f"{row.due.month}月{row.due.day}日前"
        if row.status is not None and row.status_date is not None:
            line.day.setText(row.status_date.isoformat())
            line.day.setStyleSheet("")
            line.day.setToolTip(f"{row.period.label}:{row.status.value}({row.status_date.isoformat()}登记的日期);"
                                f"应于{due}完成")
        else:
            # Overdue in red and in words (逾期), short enough for the narrow panel.
            line.day.setText(due.removesuffix("前") + "逾期" if row.overdue else due)
            line.day.setStyleSheet(f"color: {OVERDUE_COLOUR};" if row.overdue else f"color: {MUTED_COLOUR};")
            line.day.setToolTip(f"{row.period.label}应于{due}完成" + (",已逾期,尚未登记完成" if row.overdue
                                                                   else ",尚未开始" if future else ""))
        tip = "尚未开始,到时再登记" if future else (self.read_only_reason and f"只读:{self.read_only_reason}")
        combo.setToolTip(tip or f"登记{row.period.label}的完成情况")

    def set_read_only(self, reason: str) -> None:
        """A ledger that cannot be changed: everything stays readable, nothing offers to write."""
        self.read_only_reason = reason
        self.frequency.setEnabled(False)
        self.frequency.setToolTip(f"只读:{reason}")
        self.restore.setEnabled(False)
        for line in self._lines:
            line.status.setEnabled(False)
            line.status.setToolTip(f"只读:{reason}")

    # -- editing ----------------------------------------------------------------------

    def _period_chosen(self, line: _Line) -> None:
        if self._loading or self.task_id is None:
            return
        task_id, period = self.task_id, line.period  # the task and period the clerk clicked
        data = line.status.currentData()
        if not data or (line.shown is not None and data == line.shown.value):
            self.refresh()
            return
        status = Status(data)
        on: date | None = self.today
        if not (period.start <= self.today <= period.end) or status_date_doubt(self.today, period.year) is not None:
            # Back-filling a period that has ended (or one outside this year): ask the
            # day, its last day (or today, if sooner) offered, so it lands in that period.
            quarter = Quarter(period.year, period.index) if period.kind == "Q" else None
            on = status_date_dialog.ask_status_date(self, status, 1, quarter, period.year,
                                                    default=min(period.end, self.today))
        try:
            if on is not None:
                self.period_ops.set_period_status(task_id, period, status, on)
        except UserError as exc:
            self.errorRaised.emit(exc.message)
        if self.task_id == task_id:
            self.refresh()  # cancelled or refused: show what is recorded

    def _frequency_chosen(self) -> None:
        if self._loading or self.task_id is None:
            return
        data = self.frequency.currentData()
        value: Marking = None if data == NOT_RECURRING else Frequency(data)
        self._mark(value)

    def _restore_chosen(self) -> None:
        if self.task_id is not None:
            self._mark(AUTO)

    def _mark(self, value: Marking) -> None:
        task_id = self.task_id
        assert task_id is not None
        shown = self.state.found if self.state is not None else None
        if value is not AUTO and _same(shown, value):
            self.refresh()
            return  # the combo re-picked what counts already: nothing to mark
        try:
            self.period_ops.set_recurrence(task_id, value)
        except UserError as exc:
            self.errorRaised.emit(exc.message)
        if self.task_id == task_id:
            self.refresh()


def _same(found: Recurrence | None, value: Marking) -> bool:
    return (found.frequency if found is not None else None) == value
