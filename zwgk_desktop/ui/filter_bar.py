"""The row of filters above the task table. Every filter combines with the others."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from ..core.model import Status
from ..core.quarters import Quarter
from ..core.task_query import TaskFilter, Timing
from . import settings as app_settings
from .quarter_combo import QuarterCombo

ALL = "全部"


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        top, bottom = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(top)
        rows.addLayout(bottom)

        self.own_unit = QCheckBox("只看本单位")
        self.own_unit.setToolTip("本单位在“设置”中指定")
        self._unit = QComboBox()
        self._unit.setMinimumWidth(160)
        self._unit.setToolTip("按责任单位筛选")
        self._unit.addItem("全部单位", None)  # the plan's units come with set_units
        self._pending_units: Callable[[], list[str]] | None = None
        self.status = QComboBox()
        self.status.addItem("全部状态", None)
        for status in Status:
            self.status.addItem(status.value, status)
        self.status.addItem("未完成(未启动+推进中)", "open")
        self.timing = QComboBox()
        self.timing.addItem("全部时限", None)
        self.timing.addItem("已逾期", Timing.OVERDUE)
        self.timing.addItem("15天内到期", Timing.DUE_SOON)
        self.timing.addItem("到期日需核对", Timing.NEEDS_REVIEW)
        self.due_in = QuarterCombo(any_text="全部季度", suffix="到期")
        self.due_in.setToolTip("按到期日所在季度筛选")
        self.no_evidence = QCheckBox("本季度无佐证")
        self.no_evidence.setToolTip("只看进展季度里还没有佐证材料的任务")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索:任务内容、责任单位、进展……")
        self.search.setClearButtonEnabled(True)

        top.addWidget(self.search, 1)
        top.addWidget(self.own_unit)
        for widget in (self._unit, self.status, self.timing, self.due_in, self.no_evidence):
            bottom.addWidget(widget)
        bottom.addStretch(1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.changed)
        self.own_unit.toggled.connect(self._own_unit_toggled)
        self.no_evidence.toggled.connect(self.changed)
        for combo in (self._unit, self.status, self.timing, self.due_in):
            combo.currentIndexChanged.connect(self.changed)
        self.search.textChanged.connect(self._debounce.start)
        self._own_unit_name = ""

    @property
    def unit(self) -> QComboBox:
        """The unit filter, its list filled first if it was left for later."""
        self.load_pending_units()
        return self._unit

    def combos(self) -> tuple[QComboBox, ...]:
        return (self._unit, self.status, self.timing, self.due_in)

    def set_own_unit_name(self, name: str) -> None:
        self._own_unit_name = name
        self.own_unit.setEnabled(bool(name))
        self.own_unit.setText(f"只看本单位({name})" if name else "只看本单位(未设置)")
        if name and app_settings.own_unit_only() and not self.own_unit.isChecked():
            self.own_unit.blockSignals(True)  # as left last time; the caller refilters
            self.own_unit.setChecked(True)
            self._unit.setEnabled(False)
            self.own_unit.blockSignals(False)

    def _own_unit_toggled(self, on: bool) -> None:
        self._unit.setEnabled(not on)
        app_settings.set_own_unit_only(on)
        self.changed.emit()

    def clear(self) -> None:
        """清除筛选: every filter back to 全部, one refresh."""
        widgets = (self.own_unit, self.no_evidence, self.search, self._unit, self.status, self.timing, self.due_in)
        for widget in widgets:
            widget.blockSignals(True)
        self.own_unit.setChecked(False)
        app_settings.set_own_unit_only(False)
        self._unit.setEnabled(True)
        self.no_evidence.setChecked(False)
        self.search.clear()
        for combo in (self._unit, self.status, self.timing, self.due_in):
            combo.setCurrentIndex(0)
        for widget in widgets:
            widget.blockSignals(False)
        self._debounce.stop()
        self.changed.emit()

    def is_filtering(self) -> bool:
        return bool(self.own_unit.isChecked() or self.no_evidence.isChecked() or self.search.text().strip()
                    or any(c.currentIndex() > 0 for c in self.combos()))

    def set_units(self, names: list[str]) -> None:
        self._pending_units = None
        unit = self._unit
        current = unit.currentData()
        unit.blockSignals(True)
        unit.clear()
        unit.addItem("全部单位", None)
        for name in names:
            unit.addItem(name, name)
        index = unit.findData(current)
        unit.setCurrentIndex(max(index, 0))
        unit.blockSignals(False)

    def set_units_later(self, names: Callable[[], list[str]]) -> None:
        """The window's first paint does not wait for the plan's unit list: it is read
        right after (:meth:`load_pending_units`), or as soon as anything needs it.
        Until then the filter is 全部单位, as it is once the list is there."""
        self._pending_units = names

    def units_pending(self) -> bool:
        return self._pending_units is not None

    def load_pending_units(self) -> None:
        if self._pending_units is not None:
            self.set_units(self._pending_units())

    def set_year(self, year: int) -> None:
        self.due_in.set_choices([Quarter(year, number) for number in range(1, 5)])  # keeps the choice

    def build(self, plan_id: int, section_id: int | None, quarter: Quarter | None = None) -> TaskFilter:
        status = self.status.currentData()  # Qt hands StrEnum data back as plain str
        statuses: frozenset[Status] = frozenset()
        if status == "open":
            statuses = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS})
        elif status:
            statuses = frozenset({Status(status)})
        unit = self._own_unit_name if self.own_unit.isChecked() and self._own_unit_name else self._unit.currentData()
        timing = self.timing.currentData()
        return TaskFilter(plan_id=plan_id, section_id=section_id, unit=unit, statuses=statuses,
                          timing=Timing(timing) if timing else None, due_in=self.due_in.current_quarter(),
                          search=self.search.text(),
                          without_evidence_in=quarter if self.no_evidence.isChecked() and quarter else None)

    def flush(self) -> None:
        """Apply a pending search now (tests, and Enter in the search box)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()
