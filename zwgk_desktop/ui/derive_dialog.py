"""下发本级分解表: the county's own plan from the superior's, chosen and mapped by the clerk.

The dialog shows the superior plan's tasks with those that concern the county ticked
(core/derive.default_selection), the 上级单位 → 本级单位 table pre-filled (stored pairs,
the lead office for 各县区, name similarity, a guess at the county's level; the source
of each shown beside it), the county's name and lead office, and where to write the
.xlsx. Every 本级单位 cell can be edited (several units separated by 、). 生成 stays
off while a chosen task has a unit without 本级单位: nothing is trimmed silently.
Writing runs in a worker (core/derive.create_derived_plan, one transaction, with the
file written inside it).

When the plan already has a county plan, the dialog offers 更新本级分解表 instead (a
second derive would be refused): the superior's new tasks that concern the county,
its withdrawn tasks and its changed ones (core/derive.prepare_update), each with a
checkbox, the county's own words shown beside the superior's new ones and never
overwritten; 应用 writes the ticked lines in a worker (core/derive.apply_update).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
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
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import derive as V
from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.model import ParsedTask, Status, Task
from ..core.unit_mapping import LEAD_OFFICE, LOCAL_NAME, How, get_settings
from .background import BackgroundTask
from .failure_text import failure_text
from .file_dialogs import open_file, save_file
from .operations import linked
from .operations.run import run_on_ledger
from .wheel_guard import guard_wheel

MISSING = QColor("#ffd7d7")
GUESSED = QColor("#fff1c9")
_SPLIT = re.compile(r"[\u3001,\uff0c;\uff1b\n]")


def split_locals(text: str) -> list[str]:
    """县发改局、县财政局 -> [县发改局, 县财政局]."""
    return [p.strip() for p in _SPLIT.split(text or "") if p.strip()]



def ask_mapping_file(parent: QWidget) -> dict[str, list[str]] | None:
    """导入对应表…: the 上级单位 | 本级单位 sheet the clerk chooses, or None (cancelled, or
    a file that is not one, said in a message)."""
    path = open_file(parent, "单位对应表", "表格 (*.xlsx *.xls *.csv *.et)", "directory")
    if path is None:
        return None
    from ..io.plan_writer import read_unit_mapping

    try:
        return read_unit_mapping(path)
    except UserError as exc:
        QMessageBox.warning(parent, "无法读取对应表", exc.message)
        return None

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
            self.resize(1180, 700)
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
        self.resize(1180, 700)

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
        self.map_table.setHorizontalHeaderLabels(["上级单位", "本级单位(几个时用、隔开)", "来源"])
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
        text = (f"已生成本级分解表 {outcome.plan_id}:{outcome.title}({outcome.task_count} 项任务),"
                f"与上级分解表关联;单位对应已保存。")
        if written:
            text += f"\n已写成文件:{written}"
        QMessageBox.information(self, "已生成", text)
        self.derived.emit(outcome.plan_id)
        self.accept()


# -- 更新本级分解表 ---------------------------------------------------------------------------------


def detail_text(item: V.UpdateItem) -> str:
    """One line of the update in full, for the pane under the tree."""
    head = f"上级序号 {item.source.seq}" + (f" → 本级序号 {item.county.seq}" if item.county is not None else "")
    lines = [f"{head}({item.kind.value})", f"上级现在:{item.text}"]
    if item.kind == V.UpdateKind.ADDED:
        lines.append(f"上级责任单位:{'、'.join(u.name for u in item.source.units) or '(无)'}")
        lines.append(f"本级责任单位:{item.derived.units_text or '(无)'}"
                     + (f"(还没有对应:{'、'.join(item.unmapped)})" if item.unmapped else ""))
        lines.append(f"完成时限:{item.source.deadline_text or '(无)'}")
    elif item.kind == V.UpdateKind.WITHDRAWN:
        lines.append(f"本级任务:{item.county.requirement}(现为“{item.county.status.value}”,将标为“已取消”,记录保留)")
    for change in item.aspects:
        lines += ["", f"{change.aspect.value}", f"  上级原来:{change.old}", f"  上级现在:{change.new}",
                  f"  本级现在:{change.county}"]
        if change.aspect == V.Aspect.UNITS:
            lines.append(f"  本级责任单位不变;按单位对应应为:{change.proposed}")
        elif change.edited:
            lines.append("  本级改过,保留本级的,不修改。")
        else:
            lines.append("  本级随上级修改。")
    return "\n".join(lines)

KEY_ROLE = Qt.ItemDataRole.UserRole
KEPT = QColor("#eeeeee")


class UpdateView(QWidget):
    """The update preview with a checkbox per line, in :class:`DeriveDialog` when the
    plan already has its county plan. The preview is read on the window's connection;
    应用 writes the ticked lines on the worker's (the preview is made again there and
    refused if either plan changed meanwhile)."""

    COL_SEQ, COL_COUNTY, COL_TEXT, COL_WHAT = range(4)

    def __init__(self, dialog: DeriveDialog, county) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.ledger = dialog.ledger
        self.plan = dialog.plan
        self.county = county
        self.preview: V.UpdatePreview | None = None
        self.given: dict[str, list[str]] = {}  # pairs from a mapping file, over the stored ones
        self.outcome: V.UpdateOutcome | None = None
        self._filling = False

        intro = QLabel(f"上级分解表:{self.plan.title}。已由它生成本级分解表 {county.id}:{county.title}。\n"
                       "上级修订后,可把改动带入本级分解表:勾选要带入的内容后点“应用”。"
                       "本级改过的内容保留不动,两者并列显示。")
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["上级序号", "本级序号", "内容(上级原来 → 现在)", "带入本级分解表"])
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.currentItemChanged.connect(lambda current, _previous: self._show_detail(current))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(self.COL_SEQ, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_COUNTY, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.COL_WHAT, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(self.COL_WHAT, 360)
        self.tree.itemChanged.connect(self._ticked)

        self.output = QLineEdit()
        self.output.setPlaceholderText("不填时只更新台账,不写文件")
        choose = QPushButton("选择…")
        choose.clicked.connect(self.choose_output)
        import_map = QPushButton("导入对应表…")
        import_map.setToolTip("新增任务的上级单位还没有本级单位时:两列 上级单位 | 本级单位,每行一对")
        import_map.clicked.connect(self.import_mapping)
        out_row = QHBoxLayout()
        out_row.addWidget(QLabel("同时写成本级分解表文件(.xlsx):"))
        out_row.addWidget(self.output, 1)
        out_row.addWidget(choose)
        out_row.addWidget(import_map)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("应用", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(dialog.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # A line of the tree is one line; the whole texts, old and new and the county's, here.
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("选中一行,这里显示全文:上级原来的、现在的和本级现在的内容。")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        layout.addLayout(out_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.refresh()

    # -- the preview ------------------------------------------------------------------------

    def refresh(self, keep: set[str] | None = None) -> None:
        """Read the preview again; ``keep``: the lines the clerk had ticked (else the defaults)."""
        try:
            self.preview = V.prepare_update(self.ledger, self.plan.id, mapping=self.given or None,
                                            mapping_how=How.FILE)
        except UserError as exc:
            self.preview = None
            self.tree.clear()
            self.summary.setText(exc.message)
            self.apply_button.setEnabled(False)
            return
        ticked = set(self.preview.default_keys) if keep is None else keep
        self._filling = True
        try:
            self.tree.clear()
            for kind in V.UpdateKind:
                items = self.preview.of(kind)
                if not items:
                    continue
                group = QTreeWidgetItem([f"{kind.value}({len(items)} 项)", "", "", ""])
                group.setFirstColumnSpanned(True)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(group)
                for item in items:
                    group.addChild(self._row(item, item.key in ticked))
            self.tree.expandAll()
        finally:
            self._filling = False
        rows = self._rows()
        if rows:
            self.tree.setCurrentItem(rows[0])
        self._update_summary()

    def _row(self, item: V.UpdateItem, ticked: bool) -> QTreeWidgetItem:
        county_seq = str(item.county.seq) if item.county is not None else "(新)"
        if item.kind == V.UpdateKind.ADDED:
            what = f"加入本级分解表;本级责任单位:{item.derived.units_text or '(无)'}"
            if item.unmapped:
                what = f"还没有对应的本级单位:{'、'.join(item.unmapped)}(请导入对应表,或不选)"
            elif not item.concerns:
                what += "(没有点名本级,默认不选)"
        elif item.kind == V.UpdateKind.WITHDRAWN:
            what = "本级任务标为“已取消”(记录保留)"
        elif item.writes:
            what = "随上级修改:" + "、".join(a.aspect.value for a in item.aspects if a.follows)
        else:
            what = "只列出,不修改"
        row = QTreeWidgetItem([str(item.source.seq), county_seq, item.text, what])
        row.setData(self.COL_SEQ, KEY_ROLE, item.key)
        row.setToolTip(self.COL_TEXT, item.source.requirement)
        row.setToolTip(self.COL_WHAT, what)
        if item.writes:
            row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(self.COL_SEQ, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        else:
            row.setFlags(Qt.ItemFlag.ItemIsEnabled)
        if item.unmapped:
            for col in range(4):
                row.setBackground(col, QBrush(MISSING))
        for change in item.aspects:
            if change.aspect == V.Aspect.UNITS:
                note = f"本级不变(现为 {change.county});按单位对应应为 {change.proposed}"
            elif change.edited:
                note = f"本级已改为:{change.county}(保留本级的)"
            else:
                note = "本级随之修改"
            child = QTreeWidgetItem(["", "", f"{change.aspect.value}:{change.old} → {change.new}", note])
            child.setFlags(Qt.ItemFlag.ItemIsEnabled)
            child.setToolTip(self.COL_TEXT, f"上级原来:{change.old}\n上级现在:{change.new}")
            child.setToolTip(self.COL_WHAT, note)
            if not change.follows:
                for col in range(4):
                    child.setBackground(col, QBrush(KEPT))
            row.addChild(child)
        return row

    def _show_detail(self, row: QTreeWidgetItem | None) -> None:
        while row is not None and row.data(self.COL_SEQ, KEY_ROLE) is None:
            row = row.parent()  # an aspect line shows its task
        item = self.preview.item(row.data(self.COL_SEQ, KEY_ROLE)) if row is not None and self.preview else None
        self.detail.setPlainText(detail_text(item) if item is not None else "")

    def _rows(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(g).child(r) for g in range(self.tree.topLevelItemCount())
                for r in range(self.tree.topLevelItem(g).childCount())]

    def chosen_keys(self) -> list[str]:
        return [row.data(self.COL_SEQ, KEY_ROLE) for row in self._rows()
                if row.flags() & Qt.ItemFlag.ItemIsUserCheckable and row.checkState(self.COL_SEQ) == Qt.CheckState.Checked]

    def set_ticked(self, key: str, ticked: bool) -> None:
        for row in self._rows():
            if row.data(self.COL_SEQ, KEY_ROLE) == key:
                row.setCheckState(self.COL_SEQ, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _ticked(self, _item: QTreeWidgetItem, column: int) -> None:
        if not self._filling and column == self.COL_SEQ:
            self._update_summary()

    def problems(self) -> list[str]:
        if self.preview is None:
            return ["无法预览"]
        keys = self.chosen_keys()
        found = []
        if not keys:
            found.append("没有勾选要带入的内容")
        blocked = self.preview.blocked(keys)
        if blocked:
            units = "、".join(dict.fromkeys(n for i in blocked for n in i.unmapped))
            found.append(f"勾选的新增任务中,上级单位 {units} 还没有对应的本级单位(红色):请导入对应表,或不选这些任务")
        return found

    def _update_summary(self) -> None:
        if self.preview is None:
            return
        if self.preview.is_empty:
            self.summary.setText("本级分解表与上级分解表一致,没有需要更新的内容。")
            self.apply_button.setEnabled(False)
            return
        chosen = {k for k in self.chosen_keys()}
        count = {kind: sum(1 for i in self.preview.of(kind) if i.key in chosen) for kind in V.UpdateKind}
        kept = sum(1 for i in self.preview.items for a in i.aspects if a.edited)
        text = (f"将加入 {count[V.UpdateKind.ADDED]} 项任务,标为已取消 {count[V.UpdateKind.WITHDRAWN]} 项,"
                f"随上级修改 {count[V.UpdateKind.CHANGED]} 项")
        text += f";本级改过的 {kept} 处保留不动。" if kept else "。"
        problems = self.problems()
        if problems:
            text += " " + ";".join(problems) + "。"
        self.summary.setText(text)
        idle = self.dialog._task is None or not getattr(self.dialog._task, "running", False)
        self.apply_button.setEnabled(not problems and idle)

    # -- files --------------------------------------------------------------------------------

    def choose_output(self) -> None:
        start = self.output.text().strip() or f"{self.county.title}.xlsx"
        path = save_file(self, "本级分解表保存为", start, "Excel 工作簿 (*.xlsx)", "fill_in")
        if path is not None:
            self.output.setText(str(path))

    def import_mapping(self) -> None:
        pairs = ask_mapping_file(self)
        if pairs is None:
            return
        self.given.update(pairs)
        self.refresh(keep=set(self.chosen_keys()))

    # -- writing ------------------------------------------------------------------------------

    def apply(self) -> None:
        if self.problems() or self.preview is None:
            return
        preview, keys, output = self.preview, self.chosen_keys(), self.output.text().strip()

        def work(own_ledger: Ledger) -> tuple[V.UpdateOutcome, Path | None]:
            from ..io.plan_writer import write_plan_xlsx

            written: list[Path] = []
            outcome = linked.update_derived(
                own_ledger, preview, keys,
                also=(lambda led, plan_id: written.append(write_plan_xlsx(led, plan_id, output))) if output else None)
            return outcome, written[0] if written else None

        self.apply_button.setEnabled(False)
        self.dialog._task = BackgroundTask(self.dialog, "正在更新本级分解表……")
        run_on_ledger(self.dialog._task, self.ledger.folder, work, self._applied, what="更新本级分解表",
                      parent=self.dialog, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        QMessageBox.warning(self.dialog, "没有更新", failure_text(exc, "更新本级分解表"))
        self.refresh(keep=set(self.chosen_keys()))

    def _applied(self, result: tuple[V.UpdateOutcome, Path | None]) -> None:
        outcome, written = result
        self.outcome = outcome
        text = (f"已更新本级分解表 {outcome.plan_id}:加入任务 {len(outcome.added)} 项,"
                f"标为已取消 {len(outcome.cancelled)} 项,随上级修改 {len(outcome.followed)} 项。")
        if written:
            text += f"\n已写成文件:{written}"
        QMessageBox.information(self.dialog, "已更新", text)
        self.dialog.updated.emit(outcome.plan_id)
        self.dialog.accept()
