"""The main window's two choosers on the toolbar: 分解表 (which plan) and 进展季度
(which quarter's notes the table and the panel show).

The quarter has one owner, the window's :class:`CurrentQuarter`: the 进展季度 box and
the panel's box set it, and the box, the table's 进展 column, the panel and the
no-evidence filter follow it. A new plan puts the quarter on the clerk's last choice
when it is of the plan's year, else on the quarter a plan of that year is worked on.

A mixin of ``MainWindow`` (it uses the window's ledger, model, filters, sections and
panel), kept apart so the window's own module stays about building and starting up.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QComboBox, QSizePolicy, QStyle, QStyleOptionComboBox, QStylePainter, QWidget

from ..core import task_query
from ..core.model import Plan
from ..core.quarters import Quarter
from . import settings as app_settings


class PlanCombo(QComboBox):
    """The plan's name, whole when it fits, else cut with … at the end; the whole name
    (with its source and task count) is always in the tooltip. It asks the toolbar for
    20 characters and takes whatever room the toolbar has left, up to its longest
    name, so nothing after it is pushed into the toolbar's » (normal or 大字模式)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(20)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.currentIndexChanged.connect(self._say_whole_name)

    def _fit_names(self) -> None:
        """Grow no wider than the longest name needs (the toolbar gives expanding
        widgets all its spare room)."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        longest = max((self.fontMetrics().horizontalAdvance(self.itemText(i)) for i in range(self.count())),
                      default=0)
        whole = self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option,
                                              QSize(longest + 4, self.height()), self).width()
        self.setMaximumWidth(max(self.minimumWidth(), self.minimumSizeHint().width(), whole))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_names()

    def elided(self) -> bool:
        """Whether the name shown is cut (its whole text is then in the tooltip)."""
        return self._shown_text() != self.currentText()

    def _field_width(self, option: QStyleOptionComboBox) -> int:
        return self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width()

    def _shown_text(self) -> str:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return self.fontMetrics().elidedText(self.currentText(), Qt.TextElideMode.ElideRight,
                                             self._field_width(option))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideRight,
                                                           self._field_width(option))
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def _say_whole_name(self) -> None:
        details = self.currentData(Qt.ItemDataRole.ToolTipRole)
        self.setToolTip(f"{self.currentText()}\n{details}" if details else self.currentText())


class PlanChooser:
    # -- plans ----------------------------------------------------------------------------

    def _fill_plan_combo(self, plans: list[Plan]) -> None:
        """The plan list, without telling anyone (the caller chooses what follows). Two
        plans of the same name (the same table imported twice) say which is which."""
        def name(plan: Plan) -> str:
            return plan.title if str(plan.year) in plan.title else f"{plan.year}年 {plan.title}"

        counts = Counter(name(plan) for plan in plans)
        labels: list[str] = []
        for plan in plans:
            label = name(plan)
            if counts[label] > 1:  # two plans of one name: told apart by file and time, as the clerk knows them
                label += f"({plan.source_name},{plan.imported_at[:16].replace('T', ' ')} 导入)"
            labels.append(label)
        seen = Counter(labels)
        nth: Counter[str] = Counter()
        self.plan_combo.blockSignals(True)
        self.plan_combo.clear()
        for plan, shown in zip(plans, labels):
            imported = plan.imported_at[:10]
            if seen[shown] > 1:  # the same file imported twice in one minute
                nth[shown] += 1
                shown += f" 第{nth[shown]}份"
            self.plan_combo.addItem(shown, plan.id)
            self.plan_combo.setItemData(self.plan_combo.count() - 1,
                                        f"{plan.title}\n来源:{plan.source_name}({imported} 导入)\n"
                                        f"{plan.task_count} 项任务", Qt.ItemDataRole.ToolTipRole)
        self.plan_combo.blockSignals(False)
        self.plan_combo._fit_names()
        self.plan_combo._say_whole_name()

    def reload_plans(self, select: int | None = None) -> None:
        plans = self.ledger.plans()
        current = select if select is not None else (self.plan.id if self.plan else None)
        self._fill_plan_combo(plans)
        self.stack.setCurrentWidget(self.splitter if plans else self.welcome)
        self.plan_combo.setEnabled(bool(plans))
        self.quarter_combo.setEnabled(bool(plans))
        for action in getattr(self, "plan_actions", []):
            writes = action is getattr(self, "delete_plan_action", None)
            action.setEnabled(bool(plans) and not (writes and self.ledger.read_only))
        if plans:
            index = self.plan_combo.findData(current) if current is not None else 0
            self.plan_combo.setCurrentIndex(max(index, 0))
            self._plan_chosen()
        else:
            self.plan = None

    def _plan_chosen(self) -> None:
        plan_id = self.plan_combo.currentData()
        if plan_id is None:
            return
        # The panel never keeps a task of another plan: what was typed is saved to
        # the task it was typed for, then the panel waits for a task of this plan.
        if self._panel is not None:
            self._panel.show_task(None)
        self.plan = self.ledger.plan(plan_id)
        self.filters.set_year(self.plan.year)
        self.filters.set_own_unit_name(app_settings.own_unit())
        self._show_plan_quarters()
        if self.startup_finished:
            self.filters.set_units(task_query.plan_units(self.ledger, plan_id))
            self._sections_due = False
            self._fill_sections()
        else:
            # Before the first paint: the table shows every task of the plan (the
            # tree's 全部任务); the headings and the unit list follow the paint.
            ledger = self.ledger
            self.filters.set_units_later(lambda: task_query.plan_units(ledger, plan_id))
            self._sections.blockSignals(True)
            self._sections.clear()
            self._sections.blockSignals(False)
            self._sections_due = True
        self.apply_filters()

    # -- the quarter ----------------------------------------------------------------------

    def _show_plan_quarters(self) -> None:
        """The plan's quarters in the boxes, and the quarter for this plan made current
        (not remembered as the clerk's choice: only a choice is)."""
        assert self.plan is not None
        quarter = self.current_quarter.for_plan(self.plan.year)
        self.quarter_combo.fill(self.plan.year, quarter)
        if self._panel is not None:
            self._panel.set_plan_year(self.plan.year)
        self.current_quarter.set(quarter, chosen=False)

    def _window_quarter_chosen(self, quarter: Quarter | None) -> None:
        """The clerk picked a quarter in the window's 进展季度 box."""
        if quarter is not None and self.plan is not None:
            self.current_quarter.set(quarter)

    def _quarter_changed(self, quarter: Quarter) -> None:
        """Another quarter is current (chosen here, in the panel, or for a new plan):
        the box shows it, the table's 进展 column and the no-evidence filter follow.
        (The panel follows by itself.)"""
        blocked = self.quarter_combo.blockSignals(True)
        self.quarter_combo.set_quarter(quarter)
        self.quarter_combo.blockSignals(blocked)
        self.model.set_quarter(quarter)
        if self.plan is not None and self.filters.no_evidence.isChecked():
            self.apply_filters()
