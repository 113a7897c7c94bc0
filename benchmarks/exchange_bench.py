"""Excel 交换 benchmark: export, fill-in for every unit, merge of 30 replies.

For a generated plan of 5,000 tasks (benchmarks/synthetic.py: sections every 40 tasks,
1-5 units per task, a third done, a fifth in progress, a progress note on every tenth):

* **export** — ``export_plan_xlsx``: the plan in its layout with the four added
  columns, styled and ready to print, saved to disk (best of N; target < 3 s);
* **fill-in, all units** — ``write_fill_ins`` for every unit the plan names, groups
  replaced by their members (12 towns registered under 各乡镇(街道)), one workbook each;
* **merge of 30 replies** — 30 of those workbooks filled in as units would (progress on
  every row, a status on every other row, a date, an evidence note on every fifth row;
  prepared with openpyxl, not timed), then read (``read_replies``), previewed
  (``preview_merge``) and applied (``apply_merge``) — each phase timed.

Usage::

    python benchmarks/exchange_bench.py [--tasks 5000] [--runs 3] [--write-docs]

Prints Markdown; ``--write-docs`` replaces the block between ``<!-- exchange-bench:start -->``
and ``<!-- exchange-bench:end -->`` in docs/benchmarks.md (adding a section
"## Excel 交换 Exchange" at the end if there is none), leaving the rest alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- exchange-bench:start -->"
END_MARK = "<!-- exchange-bench:end -->"
SECTION = "## Excel 交换 Exchange"
TARGET_EXPORT_S = 3.0
YEAR = 2026
REPLIES = 30

if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import openpyxl

from benchmarks.synthetic import make_ledger
from zwgk_desktop.core import exchange as X
from zwgk_desktop.core import unit_directory as D
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io.fill_in import write_fill_ins
from zwgk_desktop.io.reply_reader import read_replies
from zwgk_desktop.io.xlsx_export import export_plan_xlsx

TOWNS = [f"{name}镇" for name in ("东城", "西城", "南关", "北关", "城郊", "李营", "唐口", "喻屯", "长沟",
                                   "安居", "二十里铺", "石桥")]
QUARTER = Quarter(YEAR, 3)


def best(runs: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def fill_replies(paths: list[Path], out: Path) -> list[Path]:
    """What 30 units send back: progress on every row, statuses, dates, notes."""
    out.mkdir(parents=True, exist_ok=True)
    filled = []
    for n, path in enumerate(paths):
        book = openpyxl.load_workbook(path)
        sheet = book["任务填报"]
        cols = {c.value: c.column for c in sheet[3]}
        for row in range(4, sheet.max_row + 1):
            sheet.cell(row=row, column=cols["进展情况"]).value = f"第{n + 1}个单位:本季度已按要求落实,发布信息 {row} 条。"
            if row % 2:
                sheet.cell(row=row, column=cols["完成状态"]).value = "已完成"
                sheet.cell(row=row, column=cols["完成时间"]).value = f"{YEAR}-09-{1 + row % 28:02d}"
            if row % 5 == 0:
                sheet.cell(row=row, column=cols["佐证材料说明"]).value = "政府网站专栏发布,见网址 http://www.example.gov.cn/"
        target = out / path.name
        book.save(target)
        filled.append(target)
    return filled


def machine() -> str:
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
    except OSError:
        cpu = platform.processor()
    return (f"{cpu} ({os.cpu_count()} cores), {platform.system()} {platform.release()}, "
            f"CPython {platform.python_version()}, openpyxl {openpyxl.__version__}")


def run(tasks: int, runs: int, keep: Path | None) -> str:
    work = Path(tempfile.mkdtemp(prefix="zwgk-exchange-bench-"))
    started = time.perf_counter()
    try:
        folder = make_ledger(work / "ledger", tasks, YEAR)
        with Ledger.open(folder) as ledger:
            plan_id = ledger.plans()[0].id
            for town in TOWNS:
                D.add_member(ledger, "各乡镇(街道)", town)
            export_s, summary = best(runs, lambda: export_plan_xlsx(ledger, plan_id, QUARTER, work / "export.xlsx",
                                                                     today=date(YEAR, 10, 9)))
            export_kb = (work / "export.xlsx").stat().st_size / 1024

            def fill_all():
                shutil.rmtree(work / "fill-in", ignore_errors=True)
                return write_fill_ins(ledger, plan_id, QUARTER, work / "fill-in")

            fill_s, batch = best(1, fill_all)
            rows_written = sum(w.tasks for w in batch.written)
            chosen = sorted(batch.written, key=lambda w: w.unit)[:REPLIES]
            replies_paths = fill_replies([w.path for w in chosen], work / "replies")
            reply_rows = sum(w.tasks for w in chosen)

            read_s, (replies, problems) = best(runs, lambda: read_replies(replies_paths))
            preview_s, preview = best(runs, lambda: X.preview_merge(ledger, replies, today=date(YEAR, 10, 9)))
            start = time.perf_counter()
            result = X.apply_merge(ledger, preview.changes)
            apply_s = time.perf_counter() - start
        total = time.perf_counter() - started
    finally:
        if keep is not None:
            shutil.copytree(work, keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)

    met = "met" if export_s < TARGET_EXPORT_S else "**not met**"
    lines = [
        (f"Measured {datetime.now():%Y-%m-%d} by `python benchmarks/exchange_bench.py --tasks {tasks} --runs {runs}` "
         f"({total:.0f} s in all) on: {machine()}."),
        "",
        (f"Plan: {tasks:,} generated tasks (`benchmarks/synthetic.py`), 12 towns registered as members of 各乡镇(街道). "
         f"Times are best of {runs} runs except the batch fill-in and the apply (one run each)."),
        "",
        "| step | what | time |",
        "|---|---|---:|",
        (f"| 导出Excel export | {summary.tasks:,} tasks, {summary.section_rows} section rows, "
         f"{export_kb:,.0f} KB | **{export_s:.2f} s** |"),
        (f"| 下发 fill-in, all units | {len(batch.written)} workbooks, {rows_written:,} task rows in all | "
         f"{fill_s:.2f} s ({fill_s / max(len(batch.written), 1) * 1000:.0f} ms per workbook) |"),
        f"| 汇总 merge: read | {len(replies)} replies, {reply_rows:,} rows | {read_s:.2f} s |",
        (f"| 汇总 merge: preview | {len(preview.changes):,} changes, {len(preview.conflicts):,} conflicts, "
         f"{len(preview.unmatched)} unmatched | {preview_s:.2f} s |"),
        f"| 汇总 merge: apply (one transaction) | {len(result.applied):,} changes written | {apply_s:.2f} s |",
        f"| 汇总 merge: read + preview + apply | | **{read_s + preview_s + apply_s:.2f} s** |",
        "",
        f"Target (export of {tasks:,} tasks < {TARGET_EXPORT_S:.0f} s): {met}.",
    ]
    if problems:
        lines.append(f"\nProblems reading replies: {len(problems)}.")
    return "\n".join(lines)


def write_docs(block: str, docs: Path = DOCS) -> None:
    section = f"{START_MARK}\n{block}\n{END_MARK}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# 性能基准 Benchmarks\n"
    start, end = text.find(START_MARK), text.find(END_MARK)
    if start != -1 and end > start:
        text = text[:start] + section + text[end + len(END_MARK):]
    else:
        text = (text.rstrip("\n") + f"\n\n{SECTION}\n\n"
                "`python benchmarks/exchange_bench.py --write-docs` regenerates the block below.\n\n"
                + section + "\n")
    docs.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=5000, help="tasks in the generated plan")
    parser.add_argument("--runs", type=int, default=3, help="runs per timed step (best is reported)")
    parser.add_argument("--keep", type=Path, help="copy the generated files to this folder")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    block = run(args.tasks, args.runs, args.keep)
    print(block)
    if args.write_docs:
        write_docs(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
