"""The main window's dialogs and its ways between ledgers: each opens on the plan and
the quarter shown, and the window shows what a dialog changed when it closes.

A mixin of ``MainWindow`` (it uses the window's ledger, plan, panel and filters), kept
apart so the window's own module stays about the table, the filters and the panel.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from ..core import task_query
from ..core.errors import UserError
from . import help_dialogs, ledger_choice
from . import settings as app_settings
from .wheel_guard import guard_wheel


class WindowDialogs:
    # -- ledgers, plans and help -------------------------------------------------------

    def _sample_banner(self) -> QWidget:
        banner = QFrame()
        banner.setObjectName("sampleBanner")
        banner.setStyleSheet("#sampleBanner { background: #fff4ce; border-bottom: 1px solid #e0c060; }")
        row = QHBoxLayout(banner)
        row.setContentsMargins(10, 4, 10, 4)
        text = QLabel("这是示例台账,导入的内容不会进入您的台账。")
        text.setStyleSheet("font-weight: bold;")
        back = QPushButton("回到我的台账")
        back.clicked.connect(self.ownLedgerRequested)
        row.addWidget(text, 1)
        row.addWidget(back)
        return banner

    def choose_ledger(self) -> None:
        folder = ledger_choice.choose_existing(self)
        if folder is not None:
            self.ledgerRequested.emit(str(folder), False)

    def choose_new_ledger(self) -> None:
        folder = ledger_choice.choose_new(self)
        if folder is not None:
            self.ledgerRequested.emit(str(folder), True)

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        folders = ledger_choice.recent_folders(self.ledger.folder)
        for folder in folders:
            action = self.recent_menu.addAction(str(folder))
            action.triggered.connect(lambda _=False, f=str(folder): self.ledgerRequested.emit(f, False))
        if not folders:
            self.recent_menu.addAction("(没有其他台账)").setEnabled(False)

    def delete_current_plan(self) -> None:
        if self.plan is None:
            return
        self.panel.show_task(None)
        try:
            deleted = ledger_choice.confirm_and_delete_plan(self, self.ledger, self.plan)
        except UserError as exc:
            self.show_error(exc.message)
            return
        if deleted:
            self.plan = None
            self.ops.undo_stack.clear()  # its steps name tasks that are gone
            self.reload_plans()

    def focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def show_guide(self) -> None:
        help_dialogs.show_guide(self)

    def show_shortcuts(self) -> None:
        help_dialogs.show_shortcuts(self)

    def show_about(self) -> None:
        help_dialogs.show_about(self, self.ledger.folder)

    # -- dialogs ----------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, "提示", message)

    def show_audit_log(self) -> None:
        from .audit_dialog import AuditDialog

        AuditDialog(self.ledger, self).exec()

    def _plan_dialog(self, dialog_class, *, on_quarter: bool = False) -> None:
        """Open a dialog that works on the current plan; refresh what it may change.
        ``on_quarter``: the dialog takes ``quarter=`` and opens on the window's 进展季度."""
        if self.plan is None:
            return
        self.panel.save_note()
        options = {"quarter": self.current_quarter.quarter} if on_quarter else {}
        dialog = dialog_class(self.ledger, self.plan.id, self, **options)
        guard_wheel(dialog)
        dialog.exec()
        self.after_outside_change()

    def after_outside_change(self) -> None:
        """A dialog wrote to the ledger (merge, units, evidence): show it."""
        self.filters.set_units(task_query.plan_units(self.ledger, self.plan.id) if self.plan else [])
        self.apply_filters()
        self._refresh_section_counts()
        self.panel.refresh()

    def show_report(self) -> None:
        from .report_dialog import ReportDialog

        self._plan_dialog(ReportDialog, on_quarter=True)

    def show_export_excel(self) -> None:
        from .export_dialog import ExportExcelDialog

        self._plan_dialog(ExportExcelDialog, on_quarter=True)

    def show_fill_in(self) -> None:
        from .fill_in_dialog import FillInDialog

        self._plan_dialog(FillInDialog, on_quarter=True)

    def show_merge(self) -> None:
        from .merge_dialog import MergeDialog

        self._plan_dialog(MergeDialog)

    def show_evidence_package(self) -> None:
        from .evidence_package_dialog import EvidencePackageDialog

        self._plan_dialog(EvidencePackageDialog, on_quarter=True)

    def show_unit_directory(self) -> None:
        from .unit_directory_dialog import UnitDirectoryDialog

        dialog = UnitDirectoryDialog(self.ledger, self.plan.id if self.plan else None, self)
        guard_wheel(dialog)
        dialog.exec()
        self.after_outside_change()

    def show_check(self) -> None:
        from .check_dialog import CheckDialog

        CheckDialog(self.ledger, self).exec()

    def show_recycle_bin(self) -> None:
        from .recycle_bin_dialog import RecycleBinDialog

        RecycleBinDialog(self.ledger, self).exec()
        self.after_outside_change()

    def show_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        unit_names = task_query.plan_units(self.ledger, self.plan.id) if self.plan else []
        dialog = SettingsDialog(unit_names, self)
        guard_wheel(dialog)
        if dialog.exec():
            self.filters.set_own_unit_name(app_settings.own_unit())
            self.apply_filters()

    # -- 督办, the overview, and the clerk in the middle ------------------------------

    def show_follow_up(self) -> None:
        """督办 beside the window (not modal): double-clicking a unit shows its tasks in
        the table, so the clerk can look and come back."""
        from PySide6.QtCore import Qt

        from .follow_up_view import FollowUpDialog

        if self.plan is None:
            return
        self.panel.save_note()
        old = getattr(self, "follow_up_dialog", None)
        if old is not None and old.isVisible() and old.plan_id == self.plan.id:
            old.raise_()
            old.activateWindow()
            return
        dialog = FollowUpDialog(self.ledger, self.plan.id, self, quarter=self.current_quarter.quarter)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.unit_chosen.connect(self.show_unit_tasks)
        dialog.destroyed.connect(lambda *_: setattr(self, "follow_up_dialog", None))
        self.follow_up_dialog = dialog
        dialog.show()

    def show_unit_tasks(self, name: str) -> None:
        """The table filtered to one unit's tasks (督办's double-click). A member of a
        group (城关镇 of 各镇(街道)) is not in the unit list: it goes to the search box."""
        filters = self.filters
        filters.clear()
        index = filters.unit.findData(name)
        if index >= 0:
            filters.unit.setCurrentIndex(index)
        else:
            filters.search.setText(name)
        self.apply_filters()
        self.raise_()
        self.activateWindow()

    def show_dashboard(self) -> None:
        from .dashboard import DashboardDialog

        self._plan_dialog(DashboardDialog, on_quarter=True)

    def show_derive(self) -> None:
        """下发本级分解表: the county's own plan from the superior's shown; the window
        then shows the new plan."""
        from .derive_dialog import DeriveDialog

        if self.plan is None:
            return
        self.panel.save_note()
        dialog = DeriveDialog(self.ledger, self.plan.id, self)
        made: list[int] = []
        dialog.derived.connect(made.append)
        dialog.updated.connect(made.append)  # 更新本级分解表: show the county plan it brought up to date
        guard_wheel(dialog)
        dialog.exec()
        self.reload_plans(select=made[-1] if made else None)

    def show_rollup(self) -> None:
        """汇总本级完成情况 into the superior's plan: from the superior's plan itself, or
        from a county plan derived from it (then the superior's is meant)."""
        from ..core.derive import superior_of
        from .rollup_dialog import RollupDialog

        if self.plan is None:
            return
        superior = superior_of(self.ledger, self.plan.id)
        target = superior if superior is not None else self.plan.id
        self.panel.save_note()
        dialog = RollupDialog(self.ledger, target, self, quarter=self.current_quarter.quarter)
        guard_wheel(dialog)
        dialog.exec()
        self.after_outside_change()
