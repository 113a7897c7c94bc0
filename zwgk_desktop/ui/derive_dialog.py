"""下发本级分解表: the county's own plan from the superior's, chosen and mapped by the clerk.

The dialog shows the superior plan's tasks with those that concern the county ticked
(core/derive.default_selection), the 上级单位 → 本级单位 table pre-filled (stored pairs,
the lead office for 各县区, name similarity, a guess at the county's level; the source
of each shown beside it), the county's name and lead office, and where to write the
.xlsx. Every 本级单位 cell can be edited (several units separated by 、). 生成 stays
off while a chosen task has a unit without 本级单位: nothing is trimmed silently.
Writing runs in a worker (core/derive.create_derived_plan, one transaction, with the
file written inside it).

When the plan already has a county plan, the dialog shows 更新本级分解表 instead (a
second derive would be refused): ui/derive_update_view.UpdateView.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import derive as V
from ..core.ledger import Ledger
from ..core.model import ParsedTask, Status, Task
from ..core.unit_mapping import LEAD_OFFICE, LOCAL_NAME, How, get_settings
from .background import BackgroundTask
from .derive_update_view import UpdateView
from .failure_text import failure_text
from .file_dialogs import open_file, save_file
from .operations import linked
from .operations.run import run_on_ledger
from .screen_fit import fit_to_screen
from .unit_mapping_input import GUESSED, MISSING, ask_mapping_file, split_locals
from .wheel_guard import guard_wheel


class DeriveDialog(QDialog):
    """Choose tasks, map units, 生成. ``derived(plan_id)`` fires after the plan is written.
    For a plan that already has its county plan: 更新本级分解表 (``updated(county_id)``
    fires after the update is written)."""

    derived = Signal(int)
    updated = Signal(int)
    TASK_SEQ, TASK_TEXT, TASK_UNITS = range(3)
    MAP_SUPERIOR, MAP_LOCAL, MAP_HOW = range(3)

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self._task: BackgroundTask | None = None
        existing = V.derived_plans(ledger, plan_id)
        self.update_view: UpdateView | None = None
        if existing:
            self.setWindowTitle("更新本级分解表")
            fit_to_screen(self, (1180, 700))
            self.update_view = UpdateView(self, existing[0])
            layout = QVBoxLayout(self)
            layout.addWidget(self.update_view)
            guard_wheel(self)
            return
        self.tasks: list[Task] = [t for t in ledger.tasks(plan_id) if t.status != Status.CANCELLED]
        self.own_tasks: list[ParsedTask] = []
        self.edited: dict[str, list[str]] = {}  # the clerk's own 本级单位, by 上级单位
        self.outcome: V.DeriveOutcome | None = None
        self._filling = False
        settings = get_settings(ledger)
        self.setWindowTitle("下发本级分解表")
        fit_to_screen(self, (1180, 700))

        self.local_name = QLineEdit(settings.get(LOCAL_NAME, ""))
        self.local_name.setPlaceholderText("如 任城区、某某县")
        self.lead_office = QLineEdit(settings.get(LEAD_OFFICE, ""))
        self.lead_office.setPlaceholderText("如 区政府办公室(各县区等群组的任务交由它牵头)")
        self.title_edit = QLineEdit()
        self._title_touched = False
        self.title_edit.textEdited.connect(lambda _t: setattr(self, "_title_touched", True))
        self.output = QLineEdit()
        self.output.setPlaceholderText("不填时只在台账中生成,不写文件")
        choose = QPushButton("选择…")
        choose.clicked.connect(self.choose_output)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(choose)
        form = QFormLayout()
        form.addRow("本级名称:", self.local_name)
        form.addRow("本级牵头单位:", self.lead_office)
        form.addRow("本级分解表标题:", self.title_edit)
        form.addRow("写成文件(.xlsx):", out_row)

        # Tasks of the superior plan, the county's ticked.
        self.task_table = QTableWidget(len(self.tasks), 3)
        self.task_table.setHorizontalHeaderLabels(["序号", "具体要求", "上级责任单位"])
        self.task_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.task_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.task_table.verticalHeader().setVisible(False)
        header = self.task_table.horizontalHeader()
        header.setSectionResizeMode(self.TASK_SEQ, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.TASK_TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.TASK_UNITS, QHeaderView.ResizeMode.Interactive)
        self.task_table.setColumnWidth(self.TASK_UNITS, 220)
        for row, task in enumerate(self.tasks):
            seq = QTableWidgetItem(str(task.seq))
            seq.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            seq.setCheckState(Qt.CheckState.Unchecked)
            seq.setData(Qt.ItemDataRole.UserRole, task.id)
            self.task_table.setItem(row, self.TASK_SEQ, seq)
            text = QTableWidgetItem(" ".join(task.requirement.split()))
            text.setToolTip(task.requirement)
            self.task_table.setItem(row, self.TASK_TEXT, text)
            self.task_table.setItem(row, self.TASK_UNITS, QTableWidgetItem("、".join(u.name for u in task.units)))
        self.task_table.itemChanged.connect(self._task_ticked)
        all_button = QPushButton("全选")
        all_button.clicked.connect(lambda: self._tick(lambda t: True))
        none_button = QPushButton("全不选")
        none_button.clicked.connect(lambda: self._tick(lambda t: False))
        default_button = QPushButton("涉及本级的任务")
        default_button.setToolTip("点名各县区、本级或本级所属群组的任务")
        default_button.clicked.connect(self.select_default)
        self.own_button = QPushButton("加入本级任务…")
        self.own_button.setToolTip("从分解表格式的文件加入本级自己增加的任务,排在后面")
        self.own_button.clicked.connect(self.choose_own_tasks)
        self.task_count = QLabel()
        task_buttons = QHBoxLayout()
        for button in (default_button, all_button, none_button, self.own_button):
            task_buttons.addWidget(button)
        task_buttons.addStretch(1)
        task_buttons.addWidget(self.task_count)
        task_box = QWidget()
        task_layout = QVBoxLayout(task_box)
        task_layout.setContentsMargins(0, 0, 0, 0)
        task_layout.addWidget(QLabel("上级分解表的任务(勾选要下发的):"))
        task_layout.addWidget(self.task_table, 1)
        task_layout.addLayout(task_buttons)

        # 上级单位 -> 本级单位
        self.map_table = QTableWidget(0, 3)
        self.map_table.setHorizontalHeaderLabels(["上级单位", "本级单位(、隔开)", "来源"])
        self.map_table.horizontalHeaderItem(self.MAP_LOCAL).setToolTip("一个上级单位对应几个本级单位时,用、隔开")
        self.map_table.verticalHeader().setVisible(False)
        mh = self.map_table.horizontalHeader()
        mh.setSectionResizeMode(self.MAP_SUPERIOR, QHeaderView.ResizeMode.Stretch)
        mh.setSectionResizeMode(self.MAP_LOCAL, QHeaderView.ResizeMode.Stretch)
        mh.setSectionResizeMode(self.MAP_HOW, QHeaderView.ResizeMode.ResizeToContents)
        self.map_table.itemChanged.connect(self._mapping_edited)
        import_map = QPushButton("导入对应表…")
        import_map.setToolTip("两列:上级单位 | 本级单位,每行一对")
        import_map.clicked.connect(self.import_mapping)
        map_box = QWidget()
        map_layout = QVBoxLayout(map_box)
        map_layout.setContentsMargins(0, 0, 0, 0)
        map_layout.addWidget(QLabel("单位对应(红色:还没有对应;黄色:按级别推测,请核对):"))
        map_layout.addWidget(self.map_table, 1)
        map_row = QHBoxLayout()
        map_row.addWidget(import_map)
        map_row.addStretch(1)
        map_layout.addLayout(map_row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(task_box)
        splitter.addWidget(map_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.generate_button = self.buttons.addButton("生成", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.generate_button.clicked.connect(self.generate)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"上级分解表:{self.plan.title}({len(self.tasks)} 项任务)"))
        layout.addLayout(form)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self.local_name.textChanged.connect(self._facts_changed)
        self.lead_office.textChanged.connect(self._facts_changed)
        self.select_default()
        self._facts_changed()
        guard_wheel(self)

    # -- tasks ------------------------------------------------------------------------------

    def chosen_ids(self) -> list[int]:
        result = []
        for row in range(self.task_table.rowCount()):
            item = self.task_table.item(row, self.TASK_SEQ)
            if item.checkState() == Qt.CheckState.Checked:
                result.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return result

    def _tick(self, wanted) -> None:
        self._filling = True
        try:
            for row, task in enumerate(self.tasks):
                state = Qt.CheckState.Checked if wanted(task) else Qt.CheckState.Unchecked
                self.task_table.item(row, self.TASK_SEQ).setCheckState(state)
        finally:
            self._filling = False
        self.refresh_mapping()

    def select_default(self) -> None:
        chosen = set(V.default_selection(self.ledger, self.plan.id, self.local_name.text().strip(), self.tasks))
        self._tick(lambda t: t.id in chosen)

    def _task_ticked(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() == self.TASK_SEQ:
            self.refresh_mapping()

    def choose_own_tasks(self) -> None:
        path = open_file(self, "本级增加的任务", "分解表 (*.xlsx *.xls *.docx *.csv *.wps *.et)", "plan")
        if path is None:
            return

        def read() -> list[ParsedTask]:
            from ..io.plan_file import read_plan_file

            return read_plan_file(path)[0].tasks

        self._task = BackgroundTask(self, "正在读取本级任务……")
        self._task.start(read, self._own_read, lambda exc: QMessageBox.warning(
            self, "无法读取", failure_text(exc, "读取本级任务", "没有加入任何任务。")))

    def _own_read(self, tasks: list[ParsedTask]) -> None:
        self.own_tasks = tasks
        self.own_button.setText(f"本级任务 {len(tasks)} 项…" if tasks else "加入本级任务…")
        self._update_summary()

    # -- mapping ----------------------------------------------------------------------------

    def _facts_changed(self) -> None:
        if not self._title_touched:
            self.title_edit.setText(V.derived_title(self.plan.title, self.plan.year, self.local_name.text().strip()
                                                    or "本级"))
        self.refresh_mapping()

    def refresh_mapping(self) -> None:
        """Rows for every superior unit of the ticked tasks; the clerk's edits stay."""
        chosen = set(self.chosen_ids())
        names = [u.name for t in self.tasks if t.id in chosen for u in t.units]
        suggestions = V.suggest_mapping(self.ledger, self.plan.id, names, local_name=self.local_name.text().strip(),
                                        lead_office=self.lead_office.text().strip(), given=self.edited,
                                        given_how=How.HAND)
        self._filling = True
        try:
            self.map_table.setRowCount(len(suggestions))
            for row, s in enumerate(suggestions):
                superior = QTableWidgetItem(s.superior)
                superior.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                local = QTableWidgetItem("、".join(s.locals))
                how = QTableWidgetItem(s.how.value)
                how.setFlags(Qt.ItemFlag.ItemIsEnabled)
                colour = MISSING if not s.locals else GUESSED if s.how == How.GUESS else None
                for item in (superior, local, how):
                    if colour is not None:
                        item.setBackground(QBrush(colour))
                self.map_table.setItem(row, self.MAP_SUPERIOR, superior)
                self.map_table.setItem(row, self.MAP_LOCAL, local)
                self.map_table.setItem(row, self.MAP_HOW, how)
        finally:
            self._filling = False
        self._update_summary()

    def _mapping_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != self.MAP_LOCAL:
            return
        superior = self.map_table.item(item.row(), self.MAP_SUPERIOR).text()
        self.edited[superior] = split_locals(item.text())
        self.refresh_mapping()

    def mapping(self) -> dict[str, list[str]]:
        """The table as shown: 上级单位 -> 本级单位."""
        result = {}
        for row in range(self.map_table.rowCount()):
            result[self.map_table.item(row, self.MAP_SUPERIOR).text()] = split_locals(
                self.map_table.item(row, self.MAP_LOCAL).text())
        return result

    def unmapped(self) -> list[str]:
        return [name for name, locals_ in self.mapping().items() if not locals_]

    def import_mapping(self) -> None:
        pairs = ask_mapping_file(self)
        if pairs is None:
            return
        self.edited.update(pairs)
        self.refresh_mapping()

    # -- output and writing -----------------------------------------------------------------

    def choose_output(self) -> None:
        start = self.output.text().strip() or f"{self.title_edit.text().strip() or '本级分解表'}.xlsx"
        path = save_file(self, "本级分解表保存为", start, "Excel 工作簿 (*.xlsx)", "fill_in")
        if path is not None:
            self.output.setText(str(path))

    def problems(self) -> list[str]:
        """Why 生成 cannot run yet, in the clerk's words ([] when it can)."""
        found = []
        if not self.local_name.text().strip():
            found.append("请填写本级名称")
        if not self.lead_office.text().strip():
            found.append("请填写本级牵头单位")
        if not self.chosen_ids() and not self.own_tasks:
            found.append("请至少勾选一项任务")
        missing = self.unmapped()
        if missing:
            found.append(f"还有 {len(missing)} 个上级单位没有对应的本级单位(红色),请填写")
        return found

    def _update_summary(self) -> None:
        chosen = len(self.chosen_ids())
        self.task_count.setText(f"已选 {chosen} 项")
        problems = self.problems()
        text = f"将生成 {chosen + len(self.own_tasks)} 项任务" + (f"(含本级增加 {len(self.own_tasks)} 项)"
                                                                 if self.own_tasks else "") + "。"
        if problems:
            text += " " + ";".join(problems) + "。"
        guesses = sum(1 for r in range(self.map_table.rowCount())
                      if self.map_table.item(r, self.MAP_HOW).text() == How.GUESS.value)
        if guesses:
            text += f" {guesses} 个本级单位是按级别推测的(黄色),请核对。"
        self.summary.setText(text)
        self.generate_button.setEnabled(not problems and self._task_idle())

    def _task_idle(self) -> bool:
        return self._task is None or not getattr(self._task, "running", False)

    def generate(self) -> None:
        if self.problems():
            return
        plan_id = self.plan.id
        local, lead = self.local_name.text().strip(), self.lead_office.text().strip()
        task_ids, mapping, own = self.chosen_ids(), self.mapping(), list(self.own_tasks)
        title = self.title_edit.text().strip()
        output = self.output.text().strip()

        def work(own_ledger: Ledger) -> tuple[V.DeriveOutcome, Path | None]:
            from ..io.plan_writer import write_plan_xlsx

            preview = V.prepare_derive(own_ledger, plan_id, local_name=local, lead_office=lead, task_ids=task_ids,
                                       mapping=mapping, mapping_how=How.HAND, own_tasks=own, title=title)
            written: list[Path] = []
            outcome = linked.derive_plan(
                own_ledger, preview,
                also=(lambda led, new_id: written.append(write_plan_xlsx(led, new_id, output))) if output else None)
            return outcome, written[0] if written else None

        self.generate_button.setEnabled(False)
        self._task = BackgroundTask(self, "正在生成本级分解表……")
        run_on_ledger(self._task, self.ledger.folder, work, self._generated, what="生成本级分解表", parent=self,
                      failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        QMessageBox.warning(self, "没有生成", failure_text(exc, "生成本级分解表"))
        self._update_summary()

    def _generated(self, result: tuple[V.DeriveOutcome, Path | None]) -> None:
        outcome, written = result
        self.outcome = outcome
        text = (f"已生成本级分解表《{outcome.title}》({outcome.task_count} 项任务),"
                f"与上级分解表关联;单位对应已保存。")
        if written:
            text += f"\n已写成文件:{written}"
        QMessageBox.information(self, "已生成", text)
        self.derived.emit(outcome.plan_id)
        self.accept()
