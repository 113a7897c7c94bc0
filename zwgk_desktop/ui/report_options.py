"""What the 季度报告 covers and who signs it (ui/report_dialog.py): 统计范围 (the
quarter, one unit or all, one section or all, due by the quarter's end only, evidence
listed, the quarter's 催办单 listed) and 报告信息 (填报单位, 填报人, 审核人, 联系电话),
the sign-off remembered for the next report and the next 催办单.

A mixin of ``ReportDialog`` (it uses the dialog's ledger, plan and quarter box).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
)

from ..core import task_query
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from ..core.report_data import ReportScope, quarter_choices, quarter_follow_up_count
from . import settings as app_settings
from .follow_up_reminders import last_signed_office, remember_signed_office
from .quarter_combo import QuarterCombo

ALL_UNITS = "全部责任单位"
ALL_SECTIONS = "全部章节"


class ReportOptions:
    def _build_options(self, ledger: Ledger, plan_id: int, quarter: Quarter | None) -> tuple[QGroupBox, QGroupBox]:
        """统计范围 and 报告信息, their boxes filled from the plan and the settings;
        ``quarter``: the one to open on, when it can be reported."""
        self.quarter = QuarterCombo()
        choices, first = quarter_choices(self.plan.year)
        self.quarter.set_choices(choices, quarter if quarter in choices else first)
        self.unit = QComboBox()
        self.unit.setEditable(True)
        self.unit.addItem(ALL_UNITS)
        self.unit.addItems(task_query.plan_units(ledger, plan_id))
        own = app_settings.own_unit()
        self.unit.setCurrentText(own or ALL_UNITS)
        self.section = QComboBox()
        self.section.addItem(ALL_SECTIONS, None)
        todo = [(node, 0) for node in reversed(task_query.section_tree(ledger, plan_id))]
        while todo:
            node, depth = todo.pop()
            self.section.addItem("\u3000" * depth + node.label, node.id)
            todo.extend((child, depth + 1) for child in reversed(node.children))
        self.due_only = QCheckBox("只统计完成时限在季度末以前(含当日)的任务")
        self.with_evidence = QCheckBox("明细表列出佐证材料")
        self.with_evidence.setChecked(True)
        # On when 催办单 were sent for the quarter shown, until the clerk ticks or clears it.
        self.with_follow_ups = QCheckBox("列出本季度催办情况")
        self._follow_ups_chosen = False
        self.with_follow_ups.clicked.connect(self._follow_ups_clicked)
        stored = app_settings.settings()
        self.title_unit = QLineEdit(str(stored.value("report/title_unit", "") or last_signed_office() or own))
        self.title_unit.setPlaceholderText("如:XX县人民政府办公室(写在标题和“填报单位”中)")
        self.preparer = QLineEdit(str(stored.value("report/preparer", "") or ""))
        self.reviewer = QLineEdit(str(stored.value("report/reviewer", "") or ""))
        self.phone = QLineEdit(str(stored.value("report/phone", "") or ""))

        # Long unit and section names do not widen the column (the list shows them whole).
        for combo in (self.unit, self.section):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.currentTextChanged.connect(lambda text, c=combo: c.setToolTip(text.strip()))
            combo.setToolTip(combo.currentText().strip())
        scope = QGroupBox("统计范围")
        scope_rows = QVBoxLayout(scope)
        form = QFormLayout()
        form.addRow("季度:", self.quarter)
        form.addRow("责任单位:", self.unit)
        form.addRow("章节:", self.section)
        scope_rows.addLayout(form)
        # Under the form, not in its value column: the longest line keeps its width.
        for box in (self.due_only, self.with_evidence, self.with_follow_ups):
            scope_rows.addWidget(box)
        sign = QGroupBox("报告信息")
        sign_form = QFormLayout(sign)
        sign_form.addRow("填报单位:", self.title_unit)
        sign_form.addRow("填报人:", self.preparer)
        sign_form.addRow("审核人:", self.reviewer)
        sign_form.addRow("联系电话:", self.phone)
        return scope, sign

    def selected_quarter(self) -> Quarter:
        chosen = self.quarter.current_quarter()
        assert chosen is not None  # the box offers quarters only
        return chosen

    def selected_scope(self) -> ReportScope:
        unit = self.unit.currentText().strip()
        return ReportScope(unit=None if unit in ("", ALL_UNITS) else unit, section_id=self.section.currentData(),
                           due_only=self.due_only.isChecked(), with_follow_ups=self.with_follow_ups.isChecked())

    def _follow_ups_clicked(self, _checked: bool) -> None:
        self._follow_ups_chosen = True  # the clerk's choice stands when the quarter changes

    def _offer_follow_ups(self, *_: object) -> None:
        """Tick 列出本季度催办情况 when the quarter shown has 催办单 recorded (unless the
        clerk chose), and say how many in the tooltip."""
        quarter = self.selected_quarter()
        count = quarter_follow_up_count(self.ledger, self.plan_id, quarter)
        self.with_follow_ups.setToolTip(
            f"{quarter.label}已发出催办单 {count} 份:报告中增加“三、本季度催办情况”"
            "(日期、单位、任务序号、催办事项、回复期限)。" if count else
            f"{quarter.label}没有发出催办单;勾选后报告中写明“没有发出催办单”。")
        if not self._follow_ups_chosen:
            self.with_follow_ups.setChecked(count > 0)

    def _remember(self) -> None:
        stored = app_settings.settings()
        for key, edit in (("title_unit", self.title_unit), ("preparer", self.preparer),
                          ("reviewer", self.reviewer), ("phone", self.phone)):
            stored.setValue(f"report/{key}", edit.text().strip())
        remember_signed_office(self.title_unit.text())  # a 催办单 then starts from it
