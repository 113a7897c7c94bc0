"""The window a clerk spends the year in: plans, sections, filters, tasks, details.

The first paint shows the table with its tasks, the filters and the toolbar. The counts
under the table, the task panel (with the evidence view), the section tree's headings
and the unit list are built right after it (:meth:`MainWindow.finish_startup`), so a
clerk's PC shows the tasks sooner; anything that needs one of them before then builds
it on the spot.

The window's other jobs live beside it, as mixins of this class: the plan and quarter
choosers (plan_chooser.py), the filter wiring and the selection (window_filters.py),
writing statuses and undo (window_status.py), dialogs and ledgers (window_dialogs.py),
dropped files (window_drops.py), menus and toolbar (window_actions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.ledger import Ledger, folder_gone_text
from ..core.model import Plan
from . import settings as app_settings
from . import window_actions
from .current_quarter import CurrentQuarter
from .filter_bar import FilterBar
from .operations import LedgerOperations, ledger_events
from .plan_chooser import PlanChooser
from .section_tree import SectionTree
from .status_delegate import StatusDelegate
from .task_table_model import (
    COL_DEADLINE,
    COL_DUE,
    COL_EVIDENCE,
    COL_PROGRESS,
    COL_SEQ,
    COL_STATUS,
    COL_TEXT,
    COL_UNITS,
    TaskTableModel,
)
from .wheel_guard import guard_wheel, guard_widget
from .window_dialogs import WindowDialogs
from .window_drops import FileDrops
from .window_filters import FilterWiring
from .window_status import StatusWriting
from .theme import scale_font

if TYPE_CHECKING:
    from .task_panel import TaskPanel

#: Said where the task panel will be until it is built (the panel's own first words).
PANEL_HINT = "请在左侧表格中选择一项任务。\n选中多项时,可右键一次标记它们的状态。"


class MainWindow(PlanChooser, FilterWiring, StatusWriting, WindowDialogs, FileDrops, QMainWindow):
    """One open ledger. The window asks the app to change ledgers:
    ``sampleRequested`` (the sample), ``ledgerRequested(folder, create)`` (another
    ledger, or a new one), ``ownLedgerRequested`` (back from the sample)."""

    sampleRequested = Signal()
    ledgerRequested = Signal(str, bool)
    ownLedgerRequested = Signal()
    #: The parts built after the first paint (panel, headings, units) are there.
    startupFinished = Signal()

    def __init__(self, ledger: Ledger, *, is_sample: bool = False) -> None:
        super().__init__()
        self.ledger = ledger
        self.is_sample = is_sample
        self.ops = LedgerOperations(ledger, self)
        self.plan: Plan | None = None
        self._import = None  # the running import wizard, kept alive
        self._reselecting = False  # a re-filter's transient empty selection is not the clerk's
        self._panel: TaskPanel | None = None  # built after the first paint, or when needed
        self._sections_due = False  # the plan's headings are still to be put in the tree
        self._painted = False
        self.startup_finished = False
        self._read_only_reason: str | None = None
        self._after_startup: list[Callable[[], object]] = []
        self.setAcceptDrops(True)
        self.setWindowTitle(self._title())
        self._place_on_screen()

        #: The quarter the clerk works on: the one owner the boxes, the table's 进展
        #: column, the panel and the dialogs read or listen to.
        self.current_quarter = CurrentQuarter(self)
        self.model = TaskTableModel(ledger, self)
        self.model.set_quarter(self.current_quarter.quarter)
        self.model.defer_counts()  # the summary strip follows the first paint
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.SelectedClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setWordWrap(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_SEQ, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        # The column header asks, at every repaint, whether each whole column is
        # selected, row by row: 160,000 model calls (over a second) with 20,000 rows
        # selected. Rows are what is selected here, so the header gets a selection
        # model of its own that is always empty.
        self._header_selection = QItemSelectionModel(self.model, self)
        self.table.horizontalHeader().setSelectionModel(self._header_selection)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.table.setItemDelegateForColumn(COL_STATUS, StatusDelegate(self.set_status_of, self.table))
        self.table.horizontalHeader().setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        self._sorted_by = (COL_SEQ, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator_changed)
        self._apply_metrics()
        self.table.installEventFilter(self)  # (not its viewport: one Python wrapper less)

        self._sections = SectionTree()
        self._sections.currentItemChanged.connect(lambda *_: self.apply_filters())

        self.filters = FilterBar()
        self.filters.changed.connect(self.apply_filters)
        self._summary = QLabel()
        self._summary.setObjectName("summary")
        self._panel_stand_in = QLabel(PANEL_HINT)
        self._panel_stand_in.setWordWrap(True)
        self._panel_stand_in.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._panel_stand_in.setMargin(9)
        scale_font(self._panel_stand_in, 1.15, bold=True)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(4, 4, 4, 4)
        centre_layout.addWidget(self.filters)
        centre_layout.addWidget(self.table, 1)
        centre_layout.addWidget(self._no_match_row())
        centre_layout.addWidget(self._summary)

        self.splitter = QSplitter()
        self.splitter.addWidget(self._sections)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self._panel_stand_in)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([200, 846, 320])
        self.splitter.setCollapsible(1, False)
        self.splitter.setCollapsible(2, False)  # the panel keeps what its content needs

        self._welcome: QWidget | None = None  # built when a ledger has no plan
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        # The first import switches from the welcome page to the tasks: fit them then.
        self.stack.currentChanged.connect(lambda _: QTimer.singleShot(0, self, self._keep_text_readable))
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        if is_sample:
            central_layout.addWidget(self._sample_banner())
        central_layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        window_actions.build_actions(self)
        window_actions.build_toolbar(self)
        window_actions.build_menus(self)
        self.plan_combo.currentIndexChanged.connect(self._plan_chosen)
        self.quarter_combo.quarterChanged.connect(self._window_quarter_chosen)
        self.current_quarter.changed.connect(self._quarter_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.countsChanged.connect(self._update_summary)
        self.ops.tasksChanged.connect(self._tasks_changed)
        ledger_events().changed.connect(self._ledger_changed)  # whoever changed it
        self.ops.failed.connect(self.show_error)
        self.reload_plans()
        # The window's own combo boxes now; everything else in it (the panel's) once it
        # is built: walking every child widget from Python costs more than the paint.
        for combo in (self.plan_combo, self.quarter_combo, *self.filters.combos()):
            guard_widget(combo)
        if ledger.read_only:
            self._read_only(ledger.read_only)

    def _read_only(self, reason: str) -> None:
        """Viewing, searching, printing and exporting work; nothing offers to write."""
        self._read_only_reason = reason
        if self._panel is not None:
            self._panel.set_read_only(reason)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAcceptDrops(False)
        for action in (self.import_action, self.delete_plan_action, self.undo_action, self.redo_action):
            action.setEnabled(False)
            action.setToolTip(f"只读:{reason}")

    # -- after the first paint ---------------------------------------------------------

    @property
    def panel(self) -> TaskPanel:
        """The task panel, built now if the first paint has not yet been followed up."""
        if self._panel is None:
            self._build_panel()
        assert self._panel is not None
        return self._panel

    @property
    def welcome(self) -> QWidget:
        if self._welcome is None:
            from .welcome import WelcomePage

            self._welcome = WelcomePage(is_sample=self.is_sample)
            self._welcome.importRequested.connect(self.choose_import_file)
            self._welcome.sampleRequested.connect(self.sampleRequested)
            if not self._painted:  # a ledger with no plan: its first paint completes the window
                self._welcome.installEventFilter(self)
            self.stack.insertWidget(0, self._welcome)
        return self._welcome

    def _build_panel(self) -> None:
        from .task_panel import TaskPanel

        panel = TaskPanel(self.ops, current=self.current_quarter)
        panel.status_writer = self.set_status_of  # the table's own question and stale-status check
        panel.errorRaised.connect(self.show_error)
        if self.plan is not None:
            panel.set_plan_year(self.plan.year)
        if self._read_only_reason:
            panel.set_read_only(self._read_only_reason)
        self._panel = panel
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(2, panel)
        self.splitter.setCollapsible(2, False)
        if self.isVisible():
            self.splitter.setSizes(sizes)
        self._panel_stand_in.deleteLater()
        guard_wheel(panel)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The first paint of the table (its tasks on screen), or of the welcome page of a
        ledger with no plan yet, starts the rest of the build (the 备份/结转 menu entries,
        the watcher of outside changes and of a vanished folder wait for it)."""
        if (event.type() == QEvent.Type.Paint and not self._painted
                and (watched is self.table or watched is self._welcome)):
            self._painted = True
            self.table.removeEventFilter(self)
            if self._welcome is not None:
                self._welcome.removeEventFilter(self)
            QTimer.singleShot(0, self.finish_startup)
        return super().eventFilter(watched, event)

    @property
    def sections(self) -> SectionTree:
        """The section tree, its headings put in first if they were left for later."""
        self._fill_pending_sections()
        return self._sections

    def sections_pending(self) -> bool:
        return self._sections_due

    @property
    def summary(self) -> QLabel:
        """The strip of counts under the table, counted first if that was left for later."""
        self.model.complete_counts()
        return self._summary

    def finish_startup(self) -> None:
        """What the first paint left out: the counts under the table, the task panel,
        the section headings, the unit list. Idempotent; a clerk's earlier action that
        needs a part builds it."""
        if self.startup_finished:
            return
        self.model.complete_counts()
        self.filters.load_pending_units()
        self._fill_pending_sections()
        if self._panel is None:
            self._build_panel()
        guard_wheel(self)
        from .outside_changes import OutsideChanges

        self.outside_changes = OutsideChanges(self.ledger, self)
        self.outside_changes.changed.connect(self.show_outside_changes)
        self.outside_changes.folderPresent.connect(self.show_folder_presence)
        self.startup_finished = True
        waiting, self._after_startup = self._after_startup, []
        for callback in waiting:
            callback()
        self.startupFinished.emit()

    def when_started(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the window is complete (now, if it already is): for
        parts others add to the window that its first paint need not wait for."""
        if self.startup_finished:
            callback()
        else:
            self._after_startup.append(callback)

    def _fill_pending_sections(self) -> None:
        if self._sections_due and self.plan is not None:
            self._sections_due = False
            self._fill_sections()  # 全部任务 chosen, no signal: what the table already shows

    # -- building ---------------------------------------------------------------------

    def _apply_metrics(self) -> None:
        """Column widths and row height follow the font, so 大字模式 cuts nothing off."""
        metrics = self.table.fontMetrics()
        char = metrics.horizontalAdvance("中")
        pad = 14
        widths = {COL_SEQ: char * 2 + pad, COL_UNITS: char * 7 + pad,
                  COL_DEADLINE: char * 5 + pad, COL_DUE: metrics.horizontalAdvance("2026-12-31 ?") + pad,
                  COL_STATUS: char * 4 + pad, COL_PROGRESS: char * 8 + pad, COL_EVIDENCE: char * 2 + pad}
        header = self.table.horizontalHeader()
        for col, width in widths.items():
            header.resizeSection(col, width)
        self.table.verticalHeader().setDefaultSectionSize(metrics.lineSpacing() * 3 + 8)
        if hasattr(self, "splitter"):
            self._keep_text_readable()

    def _keep_text_readable(self) -> None:
        """The task text keeps at least 20 characters a line: when the fonts are large
        and the screen small, the section tree folds away (drag it open again)."""
        sizes = self.splitter.sizes()
        if not self.isVisible() or not self.splitter.isVisible() or len(sizes) != 3:
            return  # the welcome page is shown: the hidden splitter's sizes mean nothing yet
        char = self.table.fontMetrics().horizontalAdvance("中")
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(self.model.columnCount()) if c != COL_TEXT)
        frame = self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth() + 8
        wanted = others + frame + 20 * char
        if sizes[1] < wanted:
            # First the tree folds; then the panel gives what it can spare, never
            # less than its content needs (it scrolls down, never sideways).
            total = sum(sizes)
            shown = self._panel if self._panel is not None else self._panel_stand_in
            least = max(shown.minimumSizeHint().width(), 12 * char)
            panel = max(least, min(sizes[2], total - wanted))
            self.splitter.setSizes([0, total - panel, panel])

    def _sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        """进展 and 佐证 do not sort: put the arrow back where the order really is."""
        if column in (COL_PROGRESS, COL_EVIDENCE):
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(*self._sorted_by)
            header.blockSignals(False)
        else:
            self._sorted_by = (column, order)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._keep_text_readable()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self._keep_text_readable)  # once the splitter has its sizes

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange):
            self._apply_metrics()
        super().changeEvent(event)

    def _title(self) -> str:
        suffix = "(示例台账)" if self.is_sample else ""
        return f"政务公开任务台账{suffix} — {self.ledger.folder}"

    def _ledger_changed(self, task_ids: list[int] | None) -> None:
        """The one place views hear of a change made through ui/operations."""
        if task_ids is not None:
            self._tasks_changed(task_ids)
            return
        shown = [self.plan_combo.itemData(i) for i in range(self.plan_combo.count())]
        if [p.id for p in self.ledger.plans()] != shown:
            self.reload_plans()  # a plan came or went (the current one stays if it can)
        elif self.plan is not None:
            self.after_outside_change()

    def _tasks_changed(self, task_ids: list[int]) -> None:
        flt = self.model.current_filter
        if flt is not None and (flt.statuses or flt.timing or flt.without_evidence_in):
            self.apply_filters()  # the change may move tasks in or out of what is shown
        else:
            self.model.refresh_tasks(task_ids)
        self._refresh_section_counts()
        if self._panel is not None:
            self._panel.refresh()

    def _save_note(self) -> None:
        """A note being typed is saved first; a panel not yet built holds none."""
        if self._panel is not None:
            self._panel.save_note()

    def show_folder_presence(self, present: bool) -> None:
        """A red line over the tasks while the ledger's folder is gone: every change is
        refused then (core says why), and the line goes when the folder is back."""
        banner = getattr(self, "folder_banner", None)
        if banner is None:
            if present:
                return
            banner = self.folder_banner = QLabel()
            banner.setObjectName("folderBanner")
            banner.setWordWrap(True)
            banner.setStyleSheet("#folderBanner { background: #fde2e1; color: #a00000; font-weight: bold;"
                                 " padding: 6px 10px; border-bottom: 1px solid #e08080; }")
            self.centralWidget().layout().insertWidget(0, banner)
        banner.setText(folder_gone_text(self.ledger.folder, "在此之前不能修改台账。"))
        banner.setVisible(not present)

    def show_outside_changes(self) -> None:
        """Written elsewhere while the window was open (``zwgk``, a script, a worker):
        show it. A new plan joins the list without taking the clerk off the plan and
        task in front of them; a note being typed stays as typed."""
        plans = self.ledger.plans()
        shown = [self.plan_combo.itemData(i) for i in range(self.plan_combo.count())]
        if [p.id for p in plans] != shown:
            if self.plan is None or self.plan.id not in {p.id for p in plans}:
                self.reload_plans()
                return
            self._fill_plan_combo(plans)
            self.plan_combo.setCurrentIndex(max(self.plan_combo.findData(self.plan.id), 0))
        if self.plan is not None:
            self.plan = self.ledger.plan(self.plan.id)
            self.after_outside_change()

    def closeEvent(self, event: QCloseEvent) -> None:
        watcher = getattr(self, "outside_changes", None)
        if watcher is not None:
            watcher.stop()
        self._save_note()
        app_settings.set_window_geometry(bytes(self.saveGeometry()))
        super().closeEvent(event)

    def _place_on_screen(self) -> None:
        """Where it was last time; else 1366×768, never larger than the screen's free area."""
        saved = app_settings.window_geometry()
        if saved and self.restoreGeometry(saved):
            return
        screen = QApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        if area is None:
            self.resize(1366, 768)
            return
        self.resize(min(1366, area.width()), min(768, area.height()))
        if area.width() <= 1366 or area.height() <= 768:
            self.setWindowState(Qt.WindowState.WindowMaximized)
