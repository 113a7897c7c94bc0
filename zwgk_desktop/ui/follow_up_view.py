"""督办: which units are behind and with what, and the 催办单 that chase them.

The window's face of ``zwgk overdue`` and ``zwgk remind``: the same lists
(core/follow_up.lagging_units), the same notices (io/remind_pdf, io/remind_docx), the
same record of what was sent (record_follow_ups), so a 催办单 made here and one made at
the command line cannot disagree. The clerk sees each unit's tasks before anything is
written; the files are written and the sending recorded in a worker, on its own
connection (ui/follow_up_reminders.py), and the 已催办 column shows it as soon as it
is done.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.follow_up import Lag, Level, TaskLag, UnitLag, lagging_units
from ..core.follow_up_summary import (
    Sent,
    default_office,
    default_reply_by,
    sent_by_task,
    sent_by_unit,
)
from ..core.ledger import Ledger
from ..core.quarters import Quarter, default_quarter
from ..core.report_data import cn_date
from ..core.task_query import DUE_SOON_DAYS
from ..core.units import unit_key
from . import settings as app_settings
from .background import BackgroundTask
from .date_field import DateField
from .follow_up_reminders import (
    CONTACT_KEY,
    OFFICE_KEY,
    REPORT_UNIT_KEY,
    SIGNED_OFFICE_KEY,
    ReminderWriting,
    last_signed_office,
    remember_signed_office,
)
from .open_result import OpenResult
from .operations.events import ledger_events
from .operations.follow_up import DOCX, PDF, ReminderResult
from .screen_fit import fit_to_screen
from .wheel_guard import guard_wheel

__all__ = ["LEVEL_COLOURS", "FollowUpDialog", "last_signed_office", "remember_signed_office"]

#: Row colours as in 督办 practice, pale enough to read black text on.
LEVEL_COLOURS = {Level.RED: QColor("#f9d0cb"), Level.ORANGE: QColor("#fcdcb8"), Level.YELLOW: QColor("#fff3bf")}
#: The marker beside the unit's name, seen also when the row is selected (as io/overview_pdf).
LEVEL_MARKS = {Level.RED: QColor("#c00000"), Level.ORANGE: QColor("#e67e22"), Level.YELLOW: QColor("#d4ac0d")}
UNIT_COLUMNS = ("单位", "逾期", "即将到期", "本季度无进展", "本季度无佐证", "已催办")
TASK_COLUMNS = ("序号", "任务", "完成时限", "到期日", "存在问题", "已催办")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 2
REREAD_MS = 300  # read the ledger again this long after the last change announced
_SELECT_ROW = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows


class _Item(QTableWidgetItem):
    """Sorted by its SORT_ROLE value (numbers as numbers, 已催办 by count), ties by unit."""

    def __lt__(self, other: QTableWidgetItem) -> bool:  # Qt's sort calls this
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is None or theirs is None or type(mine) is not type(theirs):
            return super().__lt__(other)
        return mine < theirs


def _item(text: str, sort_key: object = None, *, centre: bool = False) -> _Item:
    item = _Item(text)
    item.setData(SORT_ROLE, text if sort_key is None else sort_key)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if centre:
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    return item


def _mark(level: Level) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(LEVEL_MARKS[level])
    return QIcon(pixmap)


# -- the dialog ----------------------------------------------------------------------------------


class FollowUpDialog(ReminderWriting, QDialog):
    """督办. ``unit_chosen(name)``: the clerk double-clicked a unit, to see its tasks in
    the window's table. Works modal (``exec``) or beside the window (``show``)."""

    unit_chosen = Signal(str)

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None, *,
                 today: date | None = None, quarter: Quarter | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan_id = plan_id
        self.plan = ledger.plan(plan_id)
        self._today = today
        # 本季度 in the columns and the 催办单: the window's 进展季度 when opened from it.
        self.quarter = quarter or default_quarter(self.plan.year, today)
        self.lags: list[UnitLag] = []
        self.result: ReminderResult | None = None
        self.error: str | None = None
        self._task: BackgroundTask | None = None
        self._closed = False
        self.setWindowTitle(f"督办 — {self.plan.title}")

        # -- the units --------------------------------------------------------------------------
        self.days = QSpinBox()
        self.days.setRange(0, 366)
        self.days.setValue(DUE_SOON_DAYS)
        self.days.setSuffix(" 天内到期")
        self.days.setToolTip("到期日在这么多天之内的未完成任务算“即将到期”(橙色)")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("即将到期:"))
        top.addWidget(self.days)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)

        self.table = QTableWidget(0, len(UNIT_COLUMNS))
        self.table.setHorizontalHeaderLabels(UNIT_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(False)
        header = self.table.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # worst first, as lagging_units gives them
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(UNIT_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip("红色:有逾期任务;橙色:有即将到期的任务;黄色:只缺本季度进展或佐证材料。"
                              "点列标题排序,双击单位在主窗口中只看它的任务。")

        self.unit_label = QLabel("在上表中选择单位,这里列出它需要催办的任务。")
        self.tasks = QTableWidget(0, len(TASK_COLUMNS))
        self.tasks.setHorizontalHeaderLabels(TASK_COLUMNS)
        self.tasks.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tasks.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tasks.verticalHeader().setVisible(False)
        self.tasks.setWordWrap(True)
        task_header = self.tasks.horizontalHeader()
        for column in range(len(TASK_COLUMNS)):
            task_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        task_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        task_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)  # a long 完成时限 wraps
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.unit_label)
        lower_layout.addWidget(self.tasks, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        # -- the 催办单 ------------------------------------------------------------------------
        stored = app_settings.settings()
        self.kind = QComboBox()
        self.kind.addItem("PDF(直接打印)", PDF)
        self.kind.addItem("Word 文档(.docx,可修改)", DOCX)
        self.reply_by = DateField()
        self.reply_by.set_date(default_reply_by(self.today))
        self.reply_by.invalid.connect(self._show_error)
        self.office = QLineEdit(default_office(self.plan, *(str(stored.value(key, "") or "") for key in
                                                            (SIGNED_OFFICE_KEY, OFFICE_KEY, REPORT_UNIT_KEY))))
        self.office.setPlaceholderText("落款的办公室名称")
        self.contact = QLineEdit(str(stored.value(CONTACT_KEY, "") or ""))
        self.contact.setPlaceholderText("如:张三 0537-1234567(可不填)")
        wide = self.office.fontMetrics().horizontalAdvance("政务公开工作领导小组办公室") + 24
        for edit in (self.office, self.contact):
            edit.setMinimumWidth(wide)
            edit.setCursorPosition(0)
        self.with_fill_in = QCheckBox("同时生成填报表")
        self.with_fill_in.setToolTip("在催办单旁边生成这些单位本季度的填报表(.xlsx),并记下发记录,回来后可汇总")
        self.one_file = QRadioButton("合成一个文件")
        self.one_file.setToolTip("所有单位的催办单在一个文件中,每个单位从新的一页开始")
        self.per_unit = QRadioButton("每个单位一份")
        self.per_unit.setToolTip("选择一个文件夹,每个单位一个文件:催办单-单位名称")
        self.one_file.setChecked(True)
        self._many = QButtonGroup(self)
        self._many.addButton(self.one_file)
        self._many.addButton(self.per_unit)
        many_column = QVBoxLayout()
        many_column.setContentsMargins(0, 0, 0, 0)
        many_column.addWidget(self.one_file)
        many_column.addWidget(self.per_unit)
        many_widget = QWidget()
        many_widget.setLayout(many_column)
        options = QGroupBox("催办单")
        form = QFormLayout(options)
        form.addRow("格式:", self.kind)
        form.addRow("回复期限:", self.reply_by)
        form.addRow("落款:", self.office)
        form.addRow("联系人:", self.contact)
        form.addRow("多个单位:", many_widget)
        form.addRow("", self.with_fill_in)

        self.select_all = QPushButton("全选")
        self.generate_button = QPushButton("生成催办单…")
        self.generate_button.setDefault(True)
        self.generate_button.setToolTip("为选中的单位生成催办单,并记入台账(显示在“已催办”中)")
        close_button = QPushButton("关闭")
        self.select_all.clicked.connect(self.table.selectAll)
        self.generate_button.clicked.connect(self.generate)
        close_button.clicked.connect(self.reject)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_result = OpenResult()
        buttons = QHBoxLayout()
        buttons.addWidget(self.select_all)
        buttons.addWidget(self.open_result)
        buttons.addStretch(1)
        buttons.addWidget(self.generate_button)
        buttons.addWidget(close_button)
        side = QVBoxLayout()
        side.addWidget(options)
        side.addWidget(self.status)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)

        body = QHBoxLayout()
        body.addWidget(splitter, 1)
        body.addWidget(side_widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

        self.days.valueChanged.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        # Changes come in bursts (a merge, a run of status clicks): read once after them.
        self._reread = QTimer(self)
        self._reread.setSingleShot(True)
        self._reread.setInterval(REREAD_MS)
        self._reread.timeout.connect(self._reread_now)
        ledger_events().changed.connect(self._ledger_changed)
        self.refresh()
        fit_to_screen(self, (1120, 700))
        guard_wheel(self)

    # -- reading -------------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self._today or date.today()

    @property
    def running(self) -> bool:
        return self._task is not None and self._task.running

    def refresh(self) -> None:
        """Read the 督办 list again (after a change, or another 天内到期), keeping the
        units that were selected."""
        chosen = set(self.selected_units())
        current = self.current_unit()
        self.lags = lagging_units(self.ledger, self.plan_id, today=self.today, days=self.days.value(),
                                  quarter=self.quarter)
        sent = sent_by_unit(self.ledger, self.plan_id)
        table = self.table
        table.blockSignals(True)
        table.setSortingEnabled(False)
        table.clearSelection()
        table.setRowCount(len(self.lags))
        for row, lag in enumerate(self.lags):
            chased = sent.get(unit_key(lag.unit), Sent())
            items = [_item(lag.unit, (list(Level).index(lag.level), row)),
                     _item(str(lag.overdue), lag.overdue, centre=True),
                     _item(str(lag.due_soon), lag.due_soon, centre=True),
                     _item(str(lag.no_progress), lag.no_progress, centre=True),
                     _item(str(lag.no_evidence), lag.no_evidence, centre=True),
                     _item(chased.text, (chased.count, chased.last.isoformat() if chased.last else ""),
                           centre=True)]
            items[0].setIcon(_mark(lag.level))
            brush = QBrush(LEVEL_COLOURS[lag.level])
            for column, item in enumerate(items):
                item.setBackground(brush)
                item.setForeground(QBrush(QColor("#000000")))
                item.setData(LEVEL_ROLE, lag.level.value)
                item.setToolTip(f"{lag.unit}:{lag.level.label},{len(lag.tasks)} 项任务需要催办")
                table.setItem(row, column, item)
        table.setSortingEnabled(True)
        if table.horizontalHeader().sortIndicatorSection() == 0:
            # the unit column sorts by colour, then the order lagging_units gave
            table.sortItems(0, table.horizontalHeader().sortIndicatorOrder())
        selection = table.selectionModel()
        for row in range(table.rowCount()):
            if self.unit_at(row) in chosen:
                selection.select(table.model().index(row, 0), _SELECT_ROW)
        row = self.row_of(current) if current in chosen else None
        if row is not None:
            selection.setCurrentIndex(table.model().index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        table.blockSignals(False)
        self._show_summary()
        self._selection_changed()

    def _show_summary(self) -> None:
        days = self.days.value()
        on = cn_date(self.today)  # 2023年12月5日: "2023-12-05:35 个单位" read like a time
        if not self.lags:
            self.summary.setText(f"截至 {on},各单位没有需要催办的任务(没有逾期、{days} 天内到期、"
                                 f"缺{self.quarter.label}进展或佐证材料的任务)。")
            return
        counts = {level: sum(1 for lag in self.lags if lag.level is level) for level in Level}
        self.summary.setText(
            f"截至 {on},{len(self.lags)} 个单位需要催办(红 {counts[Level.RED]},橙 {counts[Level.ORANGE]},"
            f"黄 {counts[Level.YELLOW]});已逾期 {sum(u.overdue for u in self.lags)} 项次,"
            f"{days} 天内到期 {sum(u.due_soon for u in self.lags)} 项次。"
            f"“本季度”指{self.quarter.label}(窗口中的进展季度)。")

    def unit_at(self, row: int) -> str:
        return self.table.item(row, 0).text()

    def row_of(self, unit: str) -> int | None:
        for row in range(self.table.rowCount()):
            if self.unit_at(row) == unit:
                return row
        return None

    def lag_of(self, unit: str) -> UnitLag | None:
        return next((lag for lag in self.lags if lag.unit == unit), None)

    def selected_units(self) -> list[str]:
        """In the table's current order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()}) \
            if self.table.selectionModel() else []
        return [self.unit_at(row) for row in rows]

    def current_unit(self) -> str | None:
        row = self.table.currentRow()
        if 0 <= row < self.table.rowCount() and self.table.item(row, 0) is not None:
            return self.unit_at(row)
        return None

    def _selection_changed(self) -> None:
        units = self.selected_units()
        self.generate_button.setEnabled(bool(units) and not self.running)
        self.one_file.setEnabled(len(units) > 1)
        self.per_unit.setEnabled(len(units) > 1)
        current = self.current_unit()
        shown = current if current in units else (units[0] if units else None)
        self._show_tasks(self.lag_of(shown) if shown else None)

    def _show_tasks(self, lag: UnitLag | None) -> None:
        self.tasks.setRowCount(0)
        if lag is None:
            self.unit_label.setText("在上表中选择单位,这里列出它需要催办的任务。")
            return
        self.unit_label.setText(f"{lag.unit}:{len(lag.tasks)} 项任务需要催办({lag.level.label})")
        self.tasks.setRowCount(len(lag.tasks))
        sent = sent_by_task(self.ledger, self.plan_id, lag.unit)
        for row, task in enumerate(lag.tasks):
            self._fill_task_row(row, task, sent.get(task.task_id, Sent()))
        self.tasks.resizeColumnToContents(2)
        widest = self.tasks.fontMetrics().horizontalAdvance("十二月底前完成并长期") + 12
        self.tasks.setColumnWidth(2, min(self.tasks.columnWidth(2), widest))
        self.tasks.resizeRowsToContents()

    def _fill_task_row(self, row: int, task: TaskLag, chased: Sent) -> None:
        """``chased``: the 催办单 sent to this unit that named the task."""
        deadline = (task.deadline_text or "—") + (f"(本期 {task.period})" if task.period else "")
        via = f"(经{'、'.join(task.via)})" if task.via else ""
        values = [(str(task.seq), True), (task.label + via, False), (deadline, False),
                  (task.due_date.isoformat() if task.due_date else "—", True),
                  (task.missing_text.replace("、", "\n"), False),
                  (chased.text, True)]
        colour = "#b3261e" if Lag.OVERDUE in task.lags else ("#9a5b00" if Lag.DUE_SOON in task.lags else None)
        for column, (text, centre) in enumerate(values):
            item = _item(text, centre=centre)
            if column == 4 and colour:
                item.setForeground(QBrush(QColor(colour)))
            if column == 1:
                item.setToolTip(task.label)
            self.tasks.setItem(row, column, item)

    def _double_clicked(self, row: int, _column: int) -> None:
        self.unit_chosen.emit(self.unit_at(row))

    def _ledger_changed(self, _task_ids: object) -> None:
        if not self._closed:
            self._reread.start()

    def _reread_now(self) -> None:
        if not self._closed and not self.running:
            self.refresh()

    def done(self, result: int) -> None:
        if self.running:
            return  # the files are still being written; the progress dialog says so
        self._closed = True
        super().done(result)
