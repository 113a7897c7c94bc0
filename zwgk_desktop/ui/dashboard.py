"""一页纸概况 in the window: the numbers a leader asks for, before any PDF is made.

The same data as ``zwgk overview`` (core/overview.build_overview), so the screen and the
page agree: the totals, completion by section and by lead unit as bar charts painted
here with QPainter (QtCharts is not in the wheels we ship), the overdue tasks (the ten
longest overdue; the page has room for eight), this quarter's highlights and the 督办
line. 导出一页纸概况 writes the PDF through io/overview_pdf in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import UserError
from ..core.follow_up import Level
from ..core.follow_up_summary import DASHBOARD_OVERDUE, overdue_tasks
from ..core.ledger import Ledger
from ..core.quarters import Quarter
from ..core.overview import OverdueItem, Overview, build_overview
from ..core.report_data import GroupRow
from .background import BackgroundTask
from .failure_text import failure_text
from .file_dialogs import save_file
from .open_result import OpenResult
from .theme import scale_font
from .operations.events import ledger_events
from .operations.run import run_on_ledger

__all__ = ["BarChart", "DashboardData", "DashboardDialog", "DashboardWidget", "load_dashboard"]

GREEN, GREY, RED = QColor("#2e7d32"), QColor("#e0e0e0"), QColor("#c00000")  # as io/overview_pdf
REREAD_MS = 300  # read the ledger again this long after the last change announced


@dataclass(slots=True)
class DashboardData:
    overview: Overview
    overdue: list[OverdueItem]
    overdue_left_out: int


def load_dashboard(ledger: Ledger, plan_id: int, today: date | None = None,
                   overdue_limit: int = DASHBOARD_OVERDUE, quarter: Quarter | None = None) -> DashboardData:
    overview = build_overview(ledger, plan_id, today, quarter)
    overdue, left_out = overdue_tasks(ledger, plan_id, overview.today, overdue_limit)
    return DashboardData(overview, overdue, left_out)


class BarChart(QWidget):
    """Horizontal bars, one per group: the label, the share done in green over grey,
    and "done/base rate" (red when the group has overdue tasks). When the widget is too
    short for every bar, the last line says "…等 N 项" rather than cutting bars off."""

    PAD = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[GroupRow] = []
        self.left_out = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def set_rows(self, rows: list[GroupRow], left_out: str = "") -> None:
        """``left_out``: what core/overview already merged into its last bar, said under
        the bars (as the PDF does)."""
        self.rows = list(rows)
        self.left_out = left_out
        self.updateGeometry()
        self.update()

    # -- geometry --------------------------------------------------------------------------------

    def row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def rows_shown(self) -> int:
        """How many bars fit; one line less when the rest are said as "…等 N 项"."""
        fit = max(1, (self.height() - 2 * self.PAD) // self.row_height() - (1 if self.left_out else 0))
        if len(self.rows) <= fit:
            return len(self.rows)
        return max(0, fit - 1)

    @property
    def hidden(self) -> int:
        return len(self.rows) - self.rows_shown()

    def _columns(self) -> tuple[int, int, int]:
        """Label width, bar width, value width."""
        metrics = self.fontMetrics()
        width = self.width() - 2 * self.PAD
        value_w = metrics.horizontalAdvance("000/000 100%") + 8
        longest = max((metrics.horizontalAdvance(r.label) for r in self.rows), default=0) + 8
        label_w = min(longest, int(width * 0.4))
        return label_w, max(20, width - label_w - value_w), value_w

    def bar_rect(self, n: int) -> QRect:
        """The whole (grey) bar of row ``n``; its green part is the share done."""
        label_w, bar_w, _ = self._columns()
        h = self.row_height()
        return QRect(self.PAD + label_w, self.PAD + n * h + 3, bar_w, h - 6)

    def sizeHint(self) -> QSize:
        return QSize(480, 2 * self.PAD + self.row_height() * max(3, len(self.rows) + bool(self.left_out)))

    def minimumSizeHint(self) -> QSize:
        return QSize(300, 2 * self.PAD + self.row_height() * min(4, max(1, len(self.rows))))

    # -- painting --------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        metrics = self.fontMetrics()
        label_w, _bar_w, value_w = self._columns()
        h = self.row_height()
        text_colour = self.palette().text().color()
        if not self.rows:
            painter.setPen(text_colour)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "没有任务")
            return
        shown = self.rows_shown()
        for n, row in enumerate(self.rows[:shown]):
            y = self.PAD + n * h
            counts = row.counts
            label = metrics.elidedText(row.label, Qt.TextElideMode.ElideRight, label_w - 8)
            painter.setPen(text_colour)
            # Left-aligned: "一、" and "三、" start in one column, so no heading reads as a sub-level.
            painter.drawText(QRect(self.PAD, y, label_w - 8, h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            bar = self.bar_rect(n)
            painter.fillRect(bar, GREY)
            share = counts.completion if counts.base else 0.0
            if share > 0:
                painter.fillRect(QRect(bar.left(), bar.top(), round(bar.width() * share), bar.height()), GREEN)
            painter.setPen(RED if counts.overdue else text_colour)
            painter.drawText(QRect(bar.right() + 6, y, value_w, h), Qt.AlignmentFlag.AlignVCenter,
                             f"{counts.done}/{counts.base} {counts.completion_text}")
        notes = ([f"…等 {self.hidden} 项(放大窗口可看到全部)"] if self.hidden else []) + (
            [self.left_out] if self.left_out else [])
        painter.setPen(self.palette().placeholderText().color())
        for n, note in enumerate(notes):
            y = self.PAD + (shown + n) * h
            painter.drawText(QRect(self.PAD, y, self.width() - 2 * self.PAD, h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(note, Qt.TextElideMode.ElideRight, self.width() - 2 * self.PAD))

    def row_at(self, point: QPoint) -> int | None:
        n = (point.y() - self.PAD) // self.row_height()
        return n if 0 <= n < self.rows_shown() and point.y() >= self.PAD else None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            n = self.row_at(event.pos())
            if n is None:
                QToolTip.hideText()
            else:
                c = self.rows[n].counts
                QToolTip.showText(event.globalPos(), f"{self.rows[n].label}\n共 {c.total} 项:已完成 {c.done},"
                                  f"推进中 {c.in_progress},未启动 {c.not_started},逾期 {c.overdue};"
                                  f"完成率 {c.completion_text}", self)
            return True
        return super().event(event)


def _heading() -> QLabel:
    label = QLabel()
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


def _number_box(title: str) -> tuple[QFrame, QLabel]:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    value = QLabel("—")
    value.setAlignment(Qt.AlignmentFlag.AlignCenter)
    scale_font(value, 1.6, bold=True)
    caption = QLabel(title)
    caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(6, 4, 6, 4)
    layout.setSpacing(0)
    layout.addWidget(value)
    layout.addWidget(caption)
    return frame, value


class DashboardWidget(QWidget):
    """The dashboard itself, for a dialog or a dock. ``refresh()`` reads it again; it
    also follows every change announced through ui/operations."""

    BOXES = (("total", "任务总数"), ("done", "已完成"), ("in_progress", "推进中"), ("not_started", "未启动"),
             ("overdue", "已逾期"), ("rate", "完成率"))

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None, *,
                 today: date | None = None, quarter: Quarter | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan_id = plan_id
        self._today = today
        self.quarter = quarter  # the highlights' quarter: the window's 进展季度 when opened from it
        self.data: DashboardData | None = None
        self.error: str | None = None
        self._task: BackgroundTask | None = None
        self._closed = False

        self.heading = _heading()
        self.heading.setWordWrap(True)
        boxes = QGridLayout()
        boxes.setSpacing(6)
        self.numbers: dict[str, QLabel] = {}
        for n, (key, title) in enumerate(self.BOXES):
            frame, value = _number_box(title)
            self.numbers[key] = value
            boxes.addWidget(frame, 0, n)

        self.by_section = BarChart()
        self.by_unit = BarChart()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.by_section, "按章节")
        self.tabs.addTab(self.by_unit, "按牵头单位(完成率由低到高)")
        charts = QVBoxLayout()
        charts.addWidget(self.tabs, 1)

        self.overdue_title = _heading()
        self.overdue = QTableWidget(0, 5)
        self.overdue.setHorizontalHeaderLabels(["序号", "任务", "牵头单位", "到期日", "逾期"])
        self.overdue.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.overdue.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.overdue.verticalHeader().setVisible(False)
        header = self.overdue.horizontalHeader()
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.overdue_more = QLabel()
        right = QVBoxLayout()
        right.addWidget(self.overdue_title)
        right.addWidget(self.overdue, 1)
        right.addWidget(self.overdue_more)

        middle = QHBoxLayout()
        middle.addLayout(charts, 1)
        middle.addLayout(right, 1)

        self.highlights_title = _heading()
        self.highlights = QLabel()
        self.highlights.setWordWrap(True)
        self.highlights.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.follow_up_line = QLabel()
        self.follow_up_line.setWordWrap(True)

        self.export_button = QPushButton("导出一页纸概况(PDF)…")
        self.export_button.clicked.connect(self.export_pdf)
        self.open_result = OpenResult()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.open_result)
        bottom.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(boxes)
        layout.addLayout(middle, 1)
        layout.addWidget(self.highlights_title)
        layout.addWidget(self.highlights)
        layout.addWidget(self.follow_up_line)
        layout.addLayout(bottom)
        # Changes come in bursts (a merge, a run of status clicks): read once after them.
        self._reread = QTimer(self)
        self._reread.setSingleShot(True)
        self._reread.setInterval(REREAD_MS)
        self._reread.timeout.connect(self._reread_now)
        ledger_events().changed.connect(self._ledger_changed)
        self.refresh()

    @property
    def today(self) -> date:
        return self._today or date.today()

    @property
    def running(self) -> bool:
        return self._task is not None and self._task.running

    def refresh(self) -> None:
        self.show_data(load_dashboard(self.ledger, self.plan_id, self.today, quarter=self.quarter))

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        o = data.overview
        t = o.totals
        self.heading.setText(f"《{o.plan_title}》 截至 {o.today.isoformat()}({o.quarter.label})")
        values = {"total": str(t.total), "done": str(t.done), "in_progress": str(t.in_progress),
                  "not_started": str(t.not_started), "overdue": str(t.overdue), "rate": t.completion_text}
        for key, label in self.numbers.items():
            label.setText(values[key])
        self.numbers["done"].setStyleSheet("color: #2e7d32;")
        self.numbers["overdue"].setStyleSheet("color: #c00000;" if t.overdue else "")
        n, m = o.sections_left_out, o.units_left_out
        self.by_section.set_rows(o.by_section, f"…等 {n} 项:章节较多,其余 {n} 个章节合为最后一条" if n else "")
        self.by_unit.set_rows(o.by_unit, f"…等 {m} 项:单位较多,任务最少的 {m} 个单位合为最后一条" if m else "")

        total_overdue = len(data.overdue) + data.overdue_left_out
        self.overdue_title.setText(f"逾期任务({total_overdue} 项" + (f",列出逾期最久的 {len(data.overdue)} 项)"
                                                                  if data.overdue_left_out else ")"))
        self.overdue.setRowCount(len(data.overdue))
        for row, item in enumerate(data.overdue):
            cells = [str(item.seq), item.text, item.unit, item.due_date.isoformat(), f"{item.days} 天"]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column in (0, 3, 4):
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if column == 4:
                    cell.setForeground(RED)
                if column == 1:
                    cell.setToolTip(item.text)
                self.overdue.setItem(row, column, cell)
        self.overdue_more.setText(f"另有 {data.overdue_left_out} 项逾期时间较短的未列出,可在主窗口筛选“已逾期”查看。"
                                  if data.overdue_left_out else ("没有逾期任务。" if not data.overdue else ""))
        self.overdue_more.setVisible(bool(self.overdue_more.text()))

        self.highlights_title.setText(f"{o.quarter.label}进展摘要")
        lines = [f"· {h.seq}. {h.task}{'(已完成)' if h.done else ''}:{h.note}" for h in o.highlights]
        self.highlights.setText("\n".join(lines) if lines else "本季度还没有登记进展。")
        behind = sum(o.lagging.values())
        colours = ",".join(f"{name} {o.lagging.get(level, 0)} 个" for level, name in
                           ((Level.RED, "红色(有逾期)"), (Level.ORANGE, "橙色(即将到期)"),
                            (Level.YELLOW, "黄色(缺进展或材料)")))
        self.follow_up_line.setText(f"督办:需要督办的单位 {behind} 个({colours});"
                                    f"本季度已发催办单 {o.follow_ups_sent} 份。")

    def _ledger_changed(self, _task_ids: object) -> None:
        if not self._closed:
            self._reread.start()

    def _reread_now(self) -> None:
        if not self._closed:
            self.refresh()

    def close_down(self) -> None:
        """Stop following the ledger (the dialog or dock is going away)."""
        if self._closed:
            return
        self._closed = True

    # -- the PDF ---------------------------------------------------------------------------------

    def default_name(self) -> str:
        year = self.data.overview.year if self.data else self.today.year
        return f"{year}年政务公开一页纸概况-{self.today.isoformat()}.pdf"

    def export_pdf(self) -> bool:
        """Ask where, then write the page in a worker. True when the writing started."""
        if self.running:
            return False
        chosen = save_file(self, "导出一页纸概况", self.default_name(), "PDF 文件 (*.pdf)", "report")
        if chosen is None:
            return False
        target, plan_id, today, quarter = chosen, self.plan_id, self.today, self.quarter

        def work(own: Ledger):
            from ..io.overview_pdf import (
                render_overview,  # reportlab loads in the worker
            )

            return render_overview(build_overview(own, plan_id, today, quarter), target)

        self.error = None
        self.export_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText("正在生成一页纸概况……")
        self._task = BackgroundTask(self, "正在生成一页纸概况……")
        run_on_ledger(self._task, self.ledger.folder, work, self._exported, what="导出一页纸概况", parent=self,
                      failed=self._failed, changes=False, unchanged="")
        return True

    def _exported(self, result) -> None:
        if self._closed:
            return
        self.export_button.setEnabled(True)
        text = f"已生成一页纸概况:{result.path}(共 {result.pages} 页)。"
        if result.missing:
            text += "\n注意:" + result.missing
        self.status.setStyleSheet("color: #9a5b00;" if result.missing else "")
        self.status.setText(text)
        self.open_result.show_for(result.path)

    def _failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        self.export_button.setEnabled(True)
        message = exc.message if isinstance(exc, UserError) else failure_text(exc, "导出一页纸概况", unchanged="")
        self.error = message
        self.status.setStyleSheet("color: #b3261e;")
        self.status.setText(message)
        QMessageBox.warning(self, "导出一页纸概况", message)


class DashboardDialog(QDialog):
    """The dashboard in its own window (modal or not)."""

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None, *,
                 today: date | None = None, quarter: Quarter | None = None) -> None:
        super().__init__(parent)
        self.dashboard = DashboardWidget(ledger, plan_id, self, today=today, quarter=quarter)
        self.setWindowTitle(f"概况 — {ledger.plan(plan_id).title}")
        close_button = QPushButton("关闭")
        close_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.dashboard, 1)
        layout.addLayout(row)
        self.resize(1180, 700)

    def done(self, result: int) -> None:
        if self.dashboard.running:
            return  # the PDF is still being written; the progress dialog says so
        self.dashboard.close_down()
        super().done(result)
