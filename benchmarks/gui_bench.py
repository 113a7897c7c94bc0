"""Desktop benchmarks (issue 3): start-up, filter keystrokes, memory.

- Start-up: wall time from spawning the process to the main window painted with its
  tasks, for `zwgk-desktop --exit-after-show` on a 5,000-task ledger, next to a bare
  PySide6 QMainWindow with a table started the same way in the same run (target: <= 2x
  the bare window); the runs alternate. Also when the parts built after that first
  paint are there (task panel, section headings, unit list, backup and new-year menu
  entries), and with ``--before REV`` the app as it was at that git revision, started
  from an extracted copy in the same run.
- Filtering: the time one filter or search keystroke takes over 20,000 tasks, in
  process: rebuilding the model's ids plus the summary strip (target: < 50 ms).
- Everything selected: Ctrl+A over 20,000 tasks, then re-filtering and ticking them
  all (target: < 100 ms for each window action).
- Memory: peak RSS of the app process showing 20,000 tasks, next to the bare window.

Usage: python benchmarks/gui_bench.py [--runs 5] [--before REV] [--only startup] [--write-docs]
(``--only startup`` with ``--write-docs`` rewrites only the start-up part of the block.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic import make_ledger  # noqa: E402

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
START, END = "<!-- gui-bench:start -->", "<!-- gui-bench:end -->"

BARE = textwrap.dedent("""
    import ctypes, sys, time
    if sys.version_info < (3, 12):  # the app's guard against PySide6 6.12's refcount bug
        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
    app = QApplication(sys.argv)
    # The issue's peer: a bare window with a table (a plain model of 200 rows, 7 columns).
    model = QStandardItemModel(200, 7)
    for row in range(200):
        for col in range(7):
            model.setItem(row, col, QStandardItem(f"{row}-{col}"))
    table = QTableView(); table.setModel(model)
    w = QMainWindow(); w.setCentralWidget(table); w.resize(1366, 768); w.show()
    def report():
        w.repaint(); print(f"shown_at={time.time():.6f}", flush=True); app.quit()
    QTimer.singleShot(0, report)
    app.exec()
""")

# Peak RSS of the child itself: ru_maxrss would carry the benchmark process's own
# high-water mark across fork+exec, VmHWM belongs to the exec'd image only.
MEASURE_RSS = textwrap.dedent("""
    import runpy, sys
    sys.argv = sys.argv[1:]
    try:
        if sys.argv[0].endswith(".py"):
            runpy.run_path(sys.argv[0], run_name="__main__")
        else:
            runpy.run_module(sys.argv[0], run_name="__main__")
    except SystemExit:
        pass
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(f"maxrss_kb={int(hwm.split()[1])}", flush=True)
""")


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    # An installed program starts from compiled bytecode; with PYTHONDONTWRITEBYTECODE set
    # (as on some CI machines) every start would compile all sources again (~65 ms here).
    # The warm-up run writes the .pyc files; the timed runs then start as a clerk's would.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["XDG_DATA_HOME"] = str(home / "data")
    return env


def _startup(cmd: list[str], env: dict[str, str]) -> tuple[float, float | None]:
    """Seconds from spawning to ``shown_at`` (painted with its tasks), and to
    ``ready_at`` (the parts built after the first paint) when the program says."""
    started = time.time()
    # Not started from the repository folder: ``-m`` puts the working folder first on
    # sys.path, which would hide a "before" copy given in PYTHONPATH.
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, timeout=120,
                         cwd=tempfile.gettempdir()).stdout
    stamps = dict(line.split("=", 1) for line in out.splitlines() if line.startswith(("shown_at=", "ready_at=")))
    ready = stamps.get("ready_at")
    return float(stamps["shown_at"]) - started, (float(ready) - started if ready else None)


def _checkout(rev: str, into: Path) -> Path:
    """The package as it was at ``rev`` (git archive), for a side-by-side "before"."""
    root = Path(__file__).resolve().parents[1]
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(root), "archive", rev, "zwgk_desktop"], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _rss_kb(cmd: list[str], env: dict[str, str]) -> int:
    out = subprocess.run([sys.executable, "-c", MEASURE_RSS, *cmd], capture_output=True, text=True,
                         env=env, check=True).stdout
    return int(next(line.split("=")[1] for line in out.splitlines() if line.startswith("maxrss_kb=")))


def measure_startup(tmp: Path, runs: int, before: str | None = None) -> dict[str, float]:
    ledger = make_ledger(tmp / "ledger5k", 5000)
    env = _env(tmp / "home")
    bare_script = tmp / "bare.py"
    bare_script.write_text(BARE, encoding="utf-8")
    app = ["-m", "zwgk_desktop.app", "--ledger", str(ledger), "--exit-after-show"]
    programs = {"ours": ([sys.executable, *app], env), "bare": ([sys.executable, str(bare_script)], env)}
    if before:
        # PYTHONPATH comes before the editable install's finder: the old package is the one imported.
        old_env = dict(env, PYTHONPATH=str(_checkout(before, tmp / "before")))
        programs["before"] = ([sys.executable, *app], old_env)
    for cmd, program_env in programs.values():
        _startup(cmd, program_env)  # warm the page cache, write the .pyc files
    times: dict[str, list[tuple[float, float | None]]] = {name: [] for name in programs}
    for _ in range(runs):  # alternating, so a busy moment on the machine hits all of them
        for name, (cmd, program_env) in programs.items():
            times[name].append(_startup(cmd, program_env))
    result: dict[str, float] = {"runs": runs}
    for name, pairs in times.items():
        shown = [s for s, _ in pairs]
        result[name], result[f"{name}_median"] = min(shown), statistics.median(shown)
        ready = [r for _, r in pairs if r is not None]
        if ready:
            result[f"{name}_ready"], result[f"{name}_ready_median"] = min(ready), statistics.median(ready)
    return result


def measure_filters(tmp: Path) -> list[tuple[str, float, float, int]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.model import Status
    from zwgk_desktop.core.task_query import Timing
    from zwgk_desktop.ui.main_window import MainWindow

    folder = make_ledger(tmp / "ledger20k", 20000)
    app = QApplication.instance() or QApplication([])
    ledger = Ledger.open(folder)
    window = MainWindow(ledger)
    window.show()
    while not window.startup_finished:  # the parts built after the first paint: not a keystroke's cost
        app.processEvents()
    bar = window.filters
    cases = [
        ("搜索 1 字“网”", lambda: bar.search.setText("网")),
        ("搜索 2 字“解读”", lambda: bar.search.setText("解读")),
        ("搜索 4 字“政策解读”", lambda: bar.search.setText("政策解读")),
        ("搜索 未命中“不存在的词”", lambda: bar.search.setText("不存在的词")),
        ("单位 县财政局", lambda: (bar.search.setText(""), bar.unit.setCurrentIndex(bar.unit.findData("县财政局")))),
        ("单位 + 状态 推进中", lambda: bar.status.setCurrentIndex(bar.status.findData(Status.IN_PROGRESS))),
        ("单位 + 状态 + 逾期", lambda: bar.timing.setCurrentIndex(bar.timing.findData(Timing.OVERDUE))),
        ("清除全部筛选", lambda: (bar.unit.setCurrentIndex(0), bar.status.setCurrentIndex(0),
                                  bar.timing.setCurrentIndex(0))),
    ]
    results = []
    for name, change in cases:
        times = []
        for _ in range(7):
            change()
            start = time.perf_counter()
            bar.flush()
            window.apply_filters()  # what a keystroke triggers: ids + summary strip
            app.processEvents()  # repaint of the visible rows
            times.append((time.perf_counter() - start) * 1000)
        results.append((name, statistics.median(times), max(times), window.model.rowCount()))
    window.close()
    ledger.close()
    return results


def measure_everything_selected(tmp: Path) -> list[tuple[str, float, float]]:
    """Ctrl+A over 20,000 tasks, then what a clerk does next: re-filter, tick them all,
    re-filter again. Each must stay under 100 ms (re-selection is one QItemSelection,
    the panel is bound once, not per row). The day-of-status question is answered as
    a clerk would answer it, so only the window's own work is timed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from datetime import date

    from PySide6.QtWidgets import QApplication

    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.model import Status
    from zwgk_desktop.ui import status_date_dialog
    from zwgk_desktop.ui.main_window import MainWindow

    status_date_dialog.ask_status_date = lambda *args, **kwargs: date.today()
    folder = tmp / "ledger20k"
    app = QApplication.instance() or QApplication([])
    ledger = Ledger.open(folder)
    window = MainWindow(ledger)
    window.show()
    while not window.startup_finished:  # the parts built after the first paint: not a keystroke's cost
        app.processEvents()
    bar = window.filters

    def timed(action) -> float:
        start = time.perf_counter()
        action()
        bar.flush()
        app.processEvents()
        return (time.perf_counter() - start) * 1000

    results = []
    cases = [
        ("全选 Ctrl+A", window.table.selectAll),
        ("全选后重新筛选(搜索“的”)", lambda: (bar.search.setText("的"), bar.flush(), window.apply_filters())),
        ("全选后清除筛选", lambda: (bar.search.setText(""), bar.flush(), window.apply_filters())),
        ("全选后切换状态筛选", lambda: (bar.status.setCurrentIndex(bar.status.findData("open")), bar.flush())),
    ]
    for name, action in cases:
        times = [timed(action) for _ in range(3)]
        results.append((name, statistics.median(times), max(times)))
    bar.status.setCurrentIndex(0)
    bar.flush()
    window.table.selectAll()
    app.processEvents()
    count = len(window.selected_task_ids())
    once = timed(lambda: window.set_status_of_selected(Status.IN_PROGRESS))
    results.append((f"标记 {count:,} 项为推进中(写入台账)", once, once))
    window.close()
    ledger.close()
    return results


def measure_memory(tmp: Path) -> tuple[int, int]:
    folder = tmp / "ledger20k"
    env = _env(tmp / "home")
    ours = _rss_kb(["zwgk_desktop.app", "--ledger", str(folder), "--exit-after-show"], env)
    bare = _rss_kb([str(tmp / "bare.py")], env)
    return ours, bare


def render_startup(startup: dict[str, float], before: str | None = None) -> str:
    def row(label: str, key: str) -> str:
        return f"| {label} | {startup[key]:.3f} s | {startup[key + '_median']:.3f} s |"

    def ratio(key: str) -> str:
        best, median = startup[key] / startup["bare"], startup[key + "_median"] / startup["bare_median"]
        return f"**{best:.2f}×** | {median:.2f}×"

    lines = [
        "### 启动 Start-up (5,000 项任务的台账)",
        "",
        f"Each program started {int(startup['runs'])} times, the programs alternating; wall time from "
        "spawning the process.",
        "",
        "| | best | median |",
        "|---|---:|---:|",
        row("空白 PySide6 窗口 bare QMainWindow + 200-row table", "bare"),
        row("zwgk-desktop:窗口连同任务画出 painted with its tasks", "ours"),
    ]
    if "ours_ready" in startup:
        lines.append(row("zwgk-desktop:其余部分就绪 panel, headings, units, menus ready", "ours_ready"))
    if before:
        lines.append(row(f"之前 before (`{before}`):窗口画出 painted", "before"))
    lines.append(f"| 比值 ratio painted / bare (目标 ≤ 2×) | {ratio('ours')} |")
    if before:
        lines.append(f"| 之前 before (`{before}`) / bare | {ratio('before')} |")
    return "\n".join(lines)


def render(startup: dict[str, float], filters: list[tuple[str, float, float, int]], memory: tuple[int, int],
           selected: list[tuple[str, float, float]], before: str | None = None) -> str:
    lines = [
        render_startup(startup, before),
        "",
        "### 筛选/搜索一次按键 Filter keystroke (20,000 项任务)",
        "",
        "| 操作 | median | max | 结果行数 |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {med:.1f} ms | {worst:.1f} ms | {rows} |" for name, med, worst, rows in filters]
    worst = max(w for _, _, w, _ in filters)
    lines += [
        "",
        f"最慢一次 {worst:.1f} ms(目标 < 50 ms)。",
        "",
        "### 全选之后 Everything selected (20,000 项任务,目标每次 < 100 ms)",
        "",
        "| 操作 | median | max |",
        "|---|---:|---:|",
        *[f"| {name} | {med:.1f} ms | {worst:.1f} ms |" for name, med, worst in selected],
        "",
        "### 内存 Peak memory (20,000 项任务)",
        "",
        f"zwgk-desktop 峰值 RSS {memory[0] / 1024:.0f} MB,空白窗口 {memory[1] / 1024:.0f} MB"
        f"(差 {(memory[0] - memory[1]) / 1024:.0f} MB)。",
    ]
    return "\n".join(lines)


def write_docs(section: str, startup_only: bool = False) -> None:
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# 性能基准 Benchmarks\n"
    if startup_only and START in text and END in text:
        # Only the start-up part is new: the other measurements of the block stay.
        old = text.split(START, 1)[1].split(END, 1)[0].strip("\n")
        rest = old.split("\n### ", 2)[2] if old.count("\n### ") >= 2 and old.startswith("### 启动") else ""
        section = section + ("\n\n### " + rest if rest else "")
    block = f"{START}\n{section}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## 桌面界面 Desktop\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    # The in-process measurements drive thousands of Qt calls: install the app's own
    # guard against PySide6 6.12's refcount bug on Python 3.11, as zwgk-desktop does
    # (without it this process died at exit: "deallocating None").
    from zwgk_desktop.ui.qt_workarounds import protect_singletons_from_refcount_bug

    protect_singletons_from_refcount_bug()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", metavar="REV", help="also start the app as it was at this git revision")
    parser.add_argument("--only", choices=["startup"], help="measure start-up only")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zwgk-guibench-") as tmp_name:
        tmp = Path(tmp_name)
        startup = measure_startup(tmp, args.runs, args.before)
        if args.only == "startup":
            section = render_startup(startup, args.before)
        else:
            filters = measure_filters(tmp)
            selected = measure_everything_selected(tmp)
            memory = measure_memory(tmp)
            section = render(startup, filters, memory, selected, args.before)
    print(section)
    if args.write_docs:
        write_docs(section, startup_only=args.only == "startup")


if __name__ == "__main__":
    main()
