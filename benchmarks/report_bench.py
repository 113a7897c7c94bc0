"""Report benchmark: the 季度报告 PDF against LibreOffice printing the same plan to PDF.

For generated plans of 300 and 5,000 tasks (benchmarks/synthetic.py: a third done, a
fifth in progress, a progress note on every tenth task) this measures, in one run:

* the report in-process, ``build_report`` + ``render_report`` for 2026Q3 (fonts already
  loaded, as in the app after the first report), best of N;
* ``zwgk report`` as a whole process (Python start, imports, font discovery, report),
  best of N: what a clerk waits for on the command line;
* the peer: the same plan exported to Excel (``export_plan_xlsx``, the project's own
  ``zwgk export --format xlsx``; if that is missing, the same rows written with openpyxl,
  and the output says so) converted by ``soffice --headless --convert-to pdf`` with a
  warmed-up private profile, best of N, as a whole process.

Target: the report faster than soffice at both sizes (whole process against whole
process).

Usage::

    python benchmarks/report_bench.py [--sizes 300,5000] [--runs 3] [--keep DIR] [--write-docs]

Prints Markdown; ``--write-docs`` replaces the block between ``<!-- report-bench:start -->``
and ``<!-- report-bench:end -->`` under "## 季度报告 Report" in docs/benchmarks.md
(appending the section if it is not there, touching nothing else).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "## 季度报告 Report"
START_MARK = "<!-- report-bench:start -->"
END_MARK = "<!-- report-bench:end -->"
YEAR = 2026
QUARTER = f"{YEAR}Q3"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_ledger  # noqa: E402

from zwgk_desktop.core.ledger import Ledger  # noqa: E402
from zwgk_desktop.core.quarters import Quarter  # noqa: E402
from zwgk_desktop.core.report_data import build_report  # noqa: E402


def best_of(runs: int, fn) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def pdf_pages(path: Path) -> int | None:
    if not shutil.which("pdfinfo"):
        return None
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(match.group(1)) if match else None


def export_xlsx(folder: Path, target: Path) -> str:
    """The plan as Excel: the project's export if it has one, else the same rows."""
    with Ledger.open(folder) as ledger:
        plan_id = ledger.plans()[0].id
        try:
            from zwgk_desktop.io.xlsx_export import export_plan_xlsx
        except ImportError:
            export_plan_xlsx = None
        if export_plan_xlsx is not None:
            export_plan_xlsx(ledger, plan_id, Quarter.parse(QUARTER), target)
            return "the project's Excel export (`zwgk export --format xlsx`)"
        data = build_report(ledger, plan_id, Quarter.parse(QUARTER))
    import openpyxl
    from openpyxl.styles import Alignment

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "章节", "工作任务/具体要求", "责任单位", "完成时限", "完成状态", "本季度进展", "佐证材料"])
    for row in data.rows:
        sheet.append([row.seq, " ".join(row.section), row.requirement, row.units, row.deadline_text,
                      row.status_text, row.progress, "\n".join(row.evidence)])
    for column, width in zip("ABCDEFGH", (6, 20, 50, 24, 12, 12, 36, 20)):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "1:1"
    book.save(target)
    return "the same rows written with openpyxl (the project's Excel export was not found)"


def soffice_convert(xlsx: Path, outdir: Path, profile: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(xlsx)], check=True, capture_output=True, timeout=600)
    return outdir / (xlsx.stem + ".pdf")


def zwgk_command() -> list[str]:
    beside = Path(sys.executable).with_name("zwgk")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "zwgk_desktop.cli"]


def measure(size: int, runs: int, work: Path, env: dict[str, str]) -> dict:
    from zwgk_desktop.io.pdf_fonts import load_font_set
    from zwgk_desktop.io.pdf_report import render_report

    folder = make_ledger(work / f"ledger-{size}", size, YEAR)
    fonts = load_font_set()
    out = work / f"report-{size}.pdf"
    runs_here = runs if size <= 1000 else max(1, runs - 1)

    def in_process():
        with Ledger.open(folder) as ledger:
            data = build_report(ledger, ledger.plans()[0].id, Quarter.parse(QUARTER))
        return render_report(data, out, fonts)

    report_s, result = best_of(runs_here, in_process)
    cli_out = work / f"cli-{size}.pdf"
    command = [*zwgk_command(), "--ledger", str(folder), "report", "--quarter", QUARTER, "-o", str(cli_out)]
    cli_s, _ = best_of(runs_here, lambda: subprocess.run(command, check=True, capture_output=True, env=env))

    xlsx = work / f"plan-{size}.xlsx"
    xlsx_source = export_xlsx(folder, xlsx)
    soffice_s = soffice_pages = None
    if shutil.which("soffice") or shutil.which("libreoffice"):
        profile = work / "lo-profile"
        outdir = work / f"soffice-{size}"
        outdir.mkdir(exist_ok=True)
        soffice_convert(xlsx, outdir, profile)  # warm-up: the first start builds the profile
        soffice_s, pdf = best_of(runs_here, lambda: soffice_convert(xlsx, outdir, profile))
        soffice_pages = pdf_pages(pdf)
    return {"size": size, "report_s": report_s, "pages": result.pages, "cli_s": cli_s, "soffice_s": soffice_s,
            "soffice_pages": soffice_pages, "xlsx_source": xlsx_source, "runs": runs_here,
            "fonts": result.fonts}


def soffice_version() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return "not installed"
    out = subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout.strip()
    return out.split("\n")[0]


def markdown(results: list[dict], started: datetime, seconds: float) -> str:
    import reportlab

    cpu = platform.processor() or platform.machine()
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
        cpu = model
    except (OSError, StopIteration):
        pass
    lines = [
        f"Measured {started:%Y-%m-%d} by `python benchmarks/report_bench.py --sizes "
        f"{','.join(str(r['size']) for r in results)}` ({seconds:.0f} s in all) on: {cpu} "
        f"({os.cpu_count()} cores), {platform.system()} {platform.release()}, CPython {platform.python_version()}, "
        f"reportlab {reportlab.Version}, {soffice_version()}.",
        "",
        f"Fonts used: " + "; ".join(f"{role} {face}" for role, face in results[0]["fonts"].items()) + ".",
        "",
        f"Excel file for LibreOffice: {results[0]['xlsx_source']}, then "
        "`soffice --headless --convert-to pdf` with a private, warmed-up profile.",
        "",
        "| tasks | report pages | report in-process (s) | `zwgk report` process (s) | soffice process (s) "
        "| soffice pages | report faster than soffice |",
        "|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in results:
        if r["soffice_s"] is None:
            verdict, soffice = "(no soffice)", "—"
        else:
            verdict = f"**yes** ({r['soffice_s'] / r['cli_s']:.1f}×)" if r["cli_s"] < r["soffice_s"] else "**no**"
            soffice = f"{r['soffice_s']:.2f}"
        lines.append(f"| {r['size']:,} | {r['pages']:,} | {r['report_s']:.2f} | {r['cli_s']:.2f} | {soffice} | "
                     f"{r['soffice_pages'] if r['soffice_pages'] is not None else '—'} | {verdict} |")
    lines += ["", "Times are best of N runs (N=" + ", ".join(f"{r['runs']} at {r['size']:,}" for r in results)
              + "); the comparison is whole process against whole process."]
    return "\n".join(lines)


def write_docs(block: str, docs: Path = DOCS) -> None:
    section = f"{START_MARK}\n{block}\n{END_MARK}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# 性能基准 Benchmarks\n"
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{section}\n"
    docs.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the ledgers, PDFs and xlsx files in this folder")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    started, clock = datetime.now(), time.perf_counter()
    work = args.keep or Path(tempfile.mkdtemp(prefix="zwgk-report-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "APPDATA": str(home / "appdata")}
    env.pop("ZWGK_LEDGER", None)
    try:
        results = [measure(int(size), args.runs, work, env) for size in args.sizes.split(",")]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    block = markdown(results, started, time.perf_counter() - clock)
    print(block)
    if args.write_docs:
        write_docs(block)
        print(f"\n(updated {DOCS.relative_to(ROOT)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
