"""单位名录: the groups a plan names collectively (各镇(街道)) and their members."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import task_query
from ..core import unit_directory as D
from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.units import is_group_name
from . import operations
from .exchange_common import ERROR_COLOR, OK_COLOR
from .file_dialogs import open_file
from .screen_fit import fit_to_screen
from .wheel_guard import guard_wheel

KIND = "directory"  # the folder remembered for directory lists (file_dialogs)


class UnitDirectoryDialog(QDialog):
    """Groups on the left, the selected group's members on the right; add, remove,
    rename, and import a two-column list. ``changed()`` after every change. Opened on
    a plan, 添加成员 suggests that plan's units (any name can still be typed)."""

    changed = Signal()

    def __init__(self, ledger: Ledger, plan_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan_id = plan_id
        self.units: list[D.DirectoryUnit] = []
        self.setWindowTitle("单位名录")
        fit_to_screen(self, (820, 560))
        explain = QLabel("分解表中统称的单位(如 各镇(街道)、区政府各部门单位)是群组。登记群组的成员后,"
                         "下发填报表时按成员分别生成,成员的填报表中也包含群组的任务。")
        explain.setWordWrap(True)
        self.groups = QListWidget()
        self.members = QListWidget()
        self.members.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        left = QVBoxLayout()
        left.addWidget(QLabel("群组"))
        left.addWidget(self.groups, 1)
        group_buttons = QHBoxLayout()
        self.new_group_button = QPushButton("新建群组…")
        self.rename_button = QPushButton("改名…")
        group_buttons.addWidget(self.new_group_button)
        group_buttons.addWidget(self.rename_button)
        left.addLayout(group_buttons)
        right = QVBoxLayout()
        self.members_label = QLabel("成员")
        right.addWidget(self.members_label)
        right.addWidget(self.members, 1)
        member_buttons = QHBoxLayout()
        self.add_button = QPushButton("添加成员…")
        self.remove_button = QPushButton("移除所选成员")
        member_buttons.addWidget(self.add_button)
        member_buttons.addWidget(self.remove_button)
        right.addLayout(member_buttons)
        panes = QHBoxLayout()
        left_widget, right_widget = QWidget(), QWidget()
        left_widget.setLayout(left)
        right_widget.setLayout(right)
        panes.addWidget(left_widget, 1)
        panes.addWidget(right_widget, 1)
        self.import_button = QPushButton("从表格导入…")
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.status, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(panes, 1)
        layout.addLayout(bottom)
        layout.addWidget(close)
        self.groups.currentRowChanged.connect(self._show_members)
        self.new_group_button.clicked.connect(self.new_group)
        self.rename_button.clicked.connect(self.rename_selected)
        self.add_button.clicked.connect(self.add_member)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self.import_file)
        self.reload()
        guard_wheel(self)

    def reload(self, select: str | None = None) -> None:
        current = select or self.current_group()
        self.units = D.directory(self.ledger)
        self.groups.blockSignals(True)
        self.groups.clear()
        for unit in self.units:
            if unit.is_group:
                item = QListWidgetItem(f"{unit.name}({len(unit.members)} 个成员)")
                item.setData(Qt.ItemDataRole.UserRole, unit.name)
                self.groups.addItem(item)
        self.groups.blockSignals(False)
        names = [self.groups.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.groups.count())]
        self.groups.setCurrentRow(names.index(current) if current in names else (0 if names else -1))
        self._show_members()

    def current_group(self) -> str | None:
        item = self.groups.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show_members(self, *_: object) -> None:
        group = self.current_group()
        self.members.clear()
        unit = next((u for u in self.units if u.name == group), None)
        if unit is None:
            self.members_label.setText("成员")
        else:
            self.members_label.setText(f"“{unit.name}”的成员({len(unit.members)})")
            self.members.addItems(unit.members)
        self.add_button.setEnabled(group is not None)
        self.remove_button.setEnabled(group is not None)
        self.rename_button.setEnabled(group is not None)

    def _run(self, action: Callable[[], Any], done_text: str, select: str | None = None) -> bool:
        try:
            action()
        except UserError as exc:
            self.status.setStyleSheet(ERROR_COLOR)
            self.status.setText(exc.message)
            return False
        self.status.setStyleSheet(OK_COLOR)
        self.status.setText(done_text)
        self.reload(select)
        self.changed.emit()
        return True

    def new_group(self) -> None:
        name, ok = QInputDialog.getText(self, "新建群组", "群组名称(例如 各镇(街道)):")
        if ok and name.strip():
            self._run(lambda: operations.exchange.add_unit(self.ledger, name), f"已新建群组“{name.strip()}”,请添加成员。",
                      select=name.strip())

    def add_member(self) -> None:
        group = self.current_group()
        if group is None:
            return
        choices = self.member_choices(group)
        name, ok = QInputDialog.getItem(self, "添加成员", f"加入“{group}”的单位(可直接输入新单位):", choices, 0, True)
        if ok and name.strip():
            self._run(lambda: operations.exchange.add_member(self.ledger, group, name), f"已把“{name.strip()}”加入“{group}”。", group)

    def member_choices(self, group: str) -> list[str]:
        """Units to offer as members of ``group``: the current plan's own units (all
        units without a plan), not groups, not members already."""
        taken = set(next((u.members for u in self.units if u.name == group), [])) | {group}
        if self.plan_id is not None:
            names = task_query.plan_units(self.ledger, self.plan_id)
        else:
            names = [u.name for u in self.units]
        return [name for name in names if name not in taken and not is_group_name(name)
                and not next((u.members for u in self.units if u.name == name), [])]

    def remove_selected(self) -> None:
        group = self.current_group()
        names = [item.text() for item in self.members.selectedItems()]
        if group is None or not names:
            return

        def remove() -> None:
            for name in names:
                operations.exchange.remove_member(self.ledger, group, name)

        self._run(remove, f"已把 {len(names)} 个单位移出“{group}”。", group)

    def rename_selected(self) -> None:
        member = self.members.currentItem()
        old = member.text() if member is not None and member.isSelected() else self.current_group()
        if old is None:
            return
        new, ok = QInputDialog.getText(self, "改名", f"“{old}”的新名称:", text=old)
        if ok and new.strip() and new.strip() != old:
            group = self.current_group()
            select = new.strip() if old == group else group
            self._run(lambda: operations.exchange.rename_unit(self.ledger, old, new), f"已把“{old}”改名为“{new.strip()}”。", select)

    def import_file(self) -> None:
        from ..io.reply_reader import read_directory_pairs

        chosen = open_file(self, "导入单位名录", "表格文件 (*.xlsx *.xls *.et *.csv);;所有文件 (*)", KIND)
        if chosen is None:
            return
        path = str(chosen)
        result: list[Any] = []

        def run() -> None:
            pairs = read_directory_pairs(path)
            result.append(operations.exchange.import_pairs(self.ledger, pairs, Path(path).name))

        if self._run(run, ""):
            outcome = result[0]
            text = (f"已导入“{Path(path).name}”:新增成员关系 {outcome.added} 条,已有 {outcome.already} 条,"
                    f"新建单位 {len(outcome.new_units)} 个。")
            if outcome.skipped:
                text += f"跳过 {len(outcome.skipped)} 行。"
            self.status.setText(text)
