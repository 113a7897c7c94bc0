"""Import benchmark: how long from a task table on disk to a committed ledger.

Generates realistic 政务公开 task tables (xlsx written with openpyxl, laid out like
tests/data/samples/rencheng_2023.xlsx: 附件 line, merged title row, header
工作任务/责任单位/具体要求/完成时限, 一、… section rows merged across, (一)… sub-section
cells merged down over groups of rows, 1-8 units per cell on separate lines, mixed
deadline texts, requirement texts of 40-200 characters) of 300, 5,000 and 20,000 tasks,
and measures for each:

* the in-process import, ``read_plan_file`` + ``Ledger.open`` + ``write_plan`` (+ close),
  best of N (N=5, or 3 from 10,000 tasks up), each run into a fresh ledger folder and
  with the project's functools caches emptied first, as in a fresh process;
* the same import's phases timed one by one (read_workbook, read_plan, sha256,
  Ledger.open, write_plan, close), best of N each;
* peak memory of one import, measured in a fresh child process: tracemalloc peak
  (Python objects only) and the growth of the process's peak RSS (VmHWM on Linux,
  else ru_maxrss), which also sees calamine's Rust buffers and SQLite's page cache;
* python-calamine alone reading the same file, ``CalamineWorkbook.from_path(p)
  .get_sheet_by_index(0).to_python()``, best of N taken in turns with the import runs,
  and the ratio import/raw (target: within 2x);
* the command line as a whole process, ``zwgk --ledger TMP import FILE``, best of 3,
  and for reference the bare ``python -c "import zwgk_desktop.cli"`` start;
* issue 15's rows, whole process against whole process, each run in turns with its peer
  (best of 5, 3 from 10,000 tasks): ``zwgk import`` against a process that only reads
  the file with calamine, ``zwgk import --replace`` (into a ledger that already holds the
  plan) against the fresh import of the same file, and ``zwgk plans`` against
  ``python -c "import sqlite3"``;
* with ``--before REV``, the same whole-process rows (``zwgk plans`` too) for the project
  as it was at that git revision (``git archive REV zwgk_desktop`` unpacked into the
  temporary folder and put first on its processes' ``PYTHONPATH``), in the same run, so
  before and after meet the same load on the machine.

Every whole process runs from bytecode compiled before the timing starts (into a private
``PYTHONPYCACHEPREFIX`` under the temporary folder, for both versions), as an installed
program does; a checkout with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile
every module of ours in every process.

Usage::

    python benchmarks/import_bench.py [--sizes 300,5000,20000] [--before REV] [--keep DIR] [--write-docs]

Prints Markdown to stdout; ``--write-docs`` also replaces the text between
``<!-- import-bench:start -->`` and ``<!-- import-bench:end -->`` in docs/benchmarks.md
(creating the file or the section if needed, keeping everything else).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- import-bench:start -->"
END_MARK = "<!-- import-bench:end -->"
DEFAULT_SIZES = (300, 5000, 20000)
TARGET_RATIO = 2.0
YEAR = 2023

if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

# ---------------------------------------------------------------------------
# Generating plans

DEADLINES = ("12月底前", "6月底前", "三季度前", "全年", "长期坚持", f"{YEAR}年9月30日前")
DEADLINE_WEIGHTS = (30, 15, 15, 15, 15, 10)

UNITS = (
    "区政府办公室", "区发改局", "区工信局", "区教体局", "区科技局", "区公安分局", "区民政局",
    "区司法局", "区财政局", "区人社局", "区自然资源局", "区生态环境分局", "区住建局",
    "区交通运输局", "区水务局", "区农业农村局", "区商务局", "区文化和旅游局", "区卫健局",
    "区退役军人事务局", "区应急局", "区审计局", "区国金局", "区市场监管局", "区统计局",
    "区医保局", "区综合执法局", "区信访局", "区行政审批服务局", "区大数据中心", "区税务局",
    "区融媒体中心", "区城投集团", "区供销社", "区残联", "区妇联", "团区委", "区总工会",
    "区档案馆", "区机关事务服务中心", "国网任城供电公司", "区消防救援大队", "区气象局",
    "运河经济开发区", "高新区管委会", "各镇(街道)", "各镇人民政府、街道办事处", "区委宣传部",
    "区委编办", "区委网信办",
)
UNIT_COUNT_WEIGHTS = (30, 22, 15, 10, 8, 6, 5, 4)  # 1..8 units per cell

TOPICS = (
    "优化营商环境", "政务公开标准化规范化", "重大行政决策", "政策解读", "依申请公开",
    "政府网站和政务新媒体", "基层政务公开", "公共企事业单位信息公开", "财政预决算", "乡村振兴",
    "生态环境保护", "安全生产", "社会救助", "义务教育", "医疗卫生", "住房保障", "就业创业",
    "养老托育", "稳经济促发展", "重点项目建设", "行政执法", "市场监管", "食品药品安全",
    "耕地保护", "城市更新", "招商引资", "科技创新", "数字政府建设", "政务服务", "人大建议政协提案",
)
OPENERS = (
    "围绕", "聚焦", "持续深化", "进一步加强", "扎实推进", "全面落实", "严格执行", "加快推进",
    "深入推进", "着力做好", "统筹推进", "不断完善",
)
CLAUSES = (
    "及时发布相关政策文件和工作动态", "加大政策解读力度,采用图表图解、音视频等多种形式解读",
    "规范公开内容、公开时限和公开方式", "定期开展自查整改,确保栏目更新及时、内容准确",
    "建立健全动态调整机制", "按照规定时限公开相关信息", "畅通政民互动渠道,及时回应社会关切",
    "做好政策咨询和答疑工作", "全面公开办事指南、办理流程和收费标准",
    "健全公开目录并实行动态更新", "强化公开平台建设,集中发布相关信息",
    "加强对下级单位的业务指导和培训", "推动公开工作与业务工作同步部署、同步落实",
    "落实信息发布协调机制,防止泄露国家秘密和敏感信息",
    "严格执行公开属性源头认定制度", "加强已公开信息的分类整合和集中展示",
    "及时公布监管结果和处理情况", "做好重要会议和重大活动的信息发布",
    "主动公开项目审批、实施和验收等信息", "加强舆情监测研判和回应引导",
    "完善意见征集和反馈机制,公开采纳情况", "开展政府开放日等活动,邀请群众代表参与",
    "推进政务公开专区建设,提供查阅和咨询服务", "及时更新政策文件库,标注效力状态",
)
TAILS = (
    "全年发布解读材料不少于{n}篇", "确保公开率达到{p}%以上", "每季度至少更新{k}次",
    "年底前完成{n}项重点信息的梳理公开", "办理时限压缩至{k}个工作日", "覆盖{n}个村(社区)",
)


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五 (as printed in headings)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = digits[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + digits[rest]
        return head + (digits[rest // 10] + "十" + (digits[rest % 10] if rest % 10 else ""))
    return str(n)


def requirement_text(rng: random.Random) -> str:
    """40-200 characters: an opening, then clauses (some with numbers) up to a target length."""
    target = rng.randint(40, 200)
    text = rng.choice(OPENERS) + rng.choice(TOPICS) + "工作,"
    clauses = list(CLAUSES)
    rng.shuffle(clauses)
    for clause in clauses:
        if rng.random() < 0.2:
            clause = rng.choice(TAILS).format(n=rng.randint(3, 120), p=rng.randint(90, 99), k=rng.randint(2, 12))
        if len(text) >= 40 and len(text) + len(clause) >= target:
            break
        text += clause + ("。" if rng.random() < 0.25 else ",")
    return text.rstrip(",。")[:199] + "。"


def units_text(rng: random.Random) -> str:
    count = rng.choices(range(1, 9), weights=UNIT_COUNT_WEIGHTS)[0]
    return "\n".join(rng.sample(UNITS, count))


def generate_plan(path: Path, n_tasks: int, seed: int = 2023) -> dict[str, int]:
    """Write an xlsx task table of ``n_tasks`` tasks; return counts for the report."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    rng = random.Random(seed + n_tasks)
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for col, width in zip("ABCD", (24, 22, 60, 14), strict=True):
        ws.column_dimensions[col].width = width

    ws.append(["附件"])
    ws.append([f"{YEAR}年某某区政务公开重点工作任务分解表"])
    ws.merge_cells("A2:D2")
    ws["A2"].font = Font(size=18, bold=True)
    ws["A2"].alignment = centre
    ws.append(["工作任务", "责任单位", "具体要求", "完成时限"])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = centre
        cell.border = border

    # Rows are counted here: openpyxl's ws.max_row scans every cell (quadratic in a loop).
    row = 3
    made = sections = subsections = 0
    while made < n_tasks:
        sections += 1
        in_section = min(rng.randint(30, 50), n_tasks - made)
        row += 1
        ws.append([f"{cn_number(sections)}、推进{rng.choice(TOPICS)}信息公开"])
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        ws.cell(row, 1).font = Font(bold=True)
        ws.cell(row, 1).border = border
        done_here = sub = 0
        while done_here < in_section:
            sub += 1
            subsections += 1
            group = min(rng.randint(3, 7), in_section - done_here)
            first = row + 1
            label = f"({cn_number(sub)})围绕{rng.choice(TOPICS)}强化公开"
            for i in range(group):
                row += 1
                ws.append([label if i == 0 else None, units_text(rng), requirement_text(rng),
                           rng.choices(DEADLINES, weights=DEADLINE_WEIGHTS)[0]])
                for col in range(1, 5):
                    cell = ws.cell(row, col)
                    cell.alignment = wrap
                    cell.border = border
            if group > 1:
                ws.merge_cells(start_row=first, start_column=1, end_row=row, end_column=1)
            done_here += group
        made += in_section
    rows = row
    wb.save(path)
    return {"tasks": made, "rows": rows, "sections": sections, "subsections": subsections,
            "bytes": path.stat().st_size}


# ---------------------------------------------------------------------------
# Measuring


def runs_for(size: int) -> int:
    return 3 if size >= 10_000 else 5


def clear_caches() -> None:
    """Empty the project's functools caches (units.py caches parsed 责任单位 cells), so
    every run is a first import, as in a fresh ``zwgk import`` process, rather than a
    re-read of cells the previous run already parsed."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("zwgk_desktop"):
            continue
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)) and getattr(obj, "__module__", None) == name:
                obj.cache_clear()


class FreshLedgers:
    """A new, empty ledger folder for every run (removed when done)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.count = 0

    def new(self) -> Path:
        self.count += 1
        return self.base / f"ledger-{self.count}"

    def clear(self) -> None:
        for child in self.base.iterdir():
            shutil.rmtree(child, ignore_errors=True)


def _initialised(folder: Path) -> Path:
    """`zwgk import` does not create a ledger at a named path (`zwgk init` does); made
    before the timed run, so the CLI import is timed into an empty ledger."""
    from zwgk_desktop.core.ledger import Ledger

    Ledger.open(folder).close()
    return folder


def import_once(path: Path, folder: Path) -> int:
    """The import as the CLI does it, minus argument parsing and printing."""
    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.plan_import import write_plan
    from zwgk_desktop.io.plan_file import read_plan_file

    parsed, digest = read_plan_file(path)
    with Ledger.open(folder) as ledger:
        outcome = write_plan(ledger, parsed, digest)
    return outcome.task_count


def time_import_and_raw(path: Path, n: int, ledgers: FreshLedgers, expected: int) -> tuple[float, float]:
    """Best of n for the import and for calamine alone, taken in turns so that other
    work on the machine weighs on both alike."""
    best_import = best_raw = float("inf")
    for _ in range(n):
        folder = ledgers.new()
        clear_caches()
        gc.collect()
        t0 = time.perf_counter()
        count = import_once(path, folder)
        best_import = min(best_import, time.perf_counter() - t0)
        if count != expected:
            raise SystemExit(f"import of {path.name} found {count} tasks, expected {expected}")
        ledgers.clear()
        gc.collect()
        t0 = time.perf_counter()
        raw_read(path)
        best_raw = min(best_raw, time.perf_counter() - t0)
    return best_import, best_raw


def time_phases(path: Path, n: int, ledgers: FreshLedgers) -> dict[str, float]:
    """Each step of read_plan_file + Ledger.open + write_plan + close, best of n each."""
    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.plan_import import sha256_of, write_plan
    from zwgk_desktop.io.table_reader import read_plan
    from zwgk_desktop.io.readers import read_workbook

    best: dict[str, float] = {}

    def note(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    for _ in range(n):
        clear_caches()
        gc.collect()
        t0 = time.perf_counter()
        workbook = read_workbook(path)
        t1 = time.perf_counter()
        parsed = read_plan(workbook)
        t2 = time.perf_counter()
        del workbook  # as in read_plan_file: the grid is garbage before the ledger opens
        digest = sha256_of(path)
        t3 = time.perf_counter()
        ledger = Ledger.open(ledgers.new())
        t4 = time.perf_counter()
        write_plan(ledger, parsed, digest)
        t5 = time.perf_counter()
        ledger.close()
        t6 = time.perf_counter()
        note("read_workbook", t1 - t0)
        note("read_plan", t2 - t1)
        note("sha256", t3 - t2)
        note("Ledger.open", t4 - t3)
        note("write_plan", t5 - t4)
        note("close", t6 - t5)
        del parsed
        ledgers.clear()
    return best


def raw_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())


def memory_child(mode: str, path: Path, workdir: Path) -> dict[str, float]:
    """Run in a fresh interpreter: peak RSS growth of one import (or raw read), then the
    tracemalloc peak of a second one (tracemalloc's own bookkeeping would inflate RSS,
    so it comes last)."""
    import tracemalloc

    # Load every module the import needs first, so their code is not counted.
    import defusedxml.ElementTree  # noqa: F401
    import python_calamine  # noqa: F401

    import zwgk_desktop.core.plan_import  # noqa: F401
    import zwgk_desktop.io.plan_file  # noqa: F401
    import zwgk_desktop.io.spreadsheet_reader  # noqa: F401
    import zwgk_desktop.io.table_reader  # noqa: F401

    def run(folder: Path) -> None:
        clear_caches()  # the second run must parse every cell again, like the first
        if mode == "raw":
            raw_read(path)
        else:
            import_once(path, folder)

    gc.collect()
    before = peak_rss()
    run(Path(tempfile.mkdtemp(dir=workdir)) / "ledger")
    after = peak_rss()
    gc.collect()
    tracemalloc.start()
    run(Path(tempfile.mkdtemp(dir=workdir)) / "ledger")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rss_base": before, "rss_delta": after - before, "traced_peak": peak}


def peak_rss() -> int:
    """This process's peak resident set in bytes.

    Linux: VmHWM from /proc/self/status. Not ``getrusage().ru_maxrss``: Linux carries
    the parent's high-water mark over fork+exec into the child's ru_maxrss, so a child
    of this (by then large) benchmark process would report no growth at all."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def measure_memory(mode: str, path: Path, workdir: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--memory-child", mode, str(path), str(workdir)],
        capture_output=True, text=True, env=child_env(workdir), cwd=workdir, check=False)
    if out.returncode:
        raise SystemExit(f"memory measurement failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_env(workdir: Path, source: Path | None = None) -> dict[str, str]:
    """Keep child processes away from the user's settings and default ledger; with
    ``source``, they import the project from there (see ``source_at``)."""
    env = dict(os.environ)
    env.pop("ZWGK_LEDGER", None)
    env["XDG_CONFIG_HOME"] = str(workdir / "xdg-config")
    env["XDG_DATA_HOME"] = str(workdir / "xdg-data")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source or ROOT), env.get("PYTHONPATH")]))
    # An installed program runs from compiled bytecode (pip and PyInstaller write it);
    # a checkout with PYTHONDONTWRITEBYTECODE set would compile every module of ours
    # again in every process (~60 ms of a `zwgk plans`). The children read bytecode
    # from a private folder that `compile_sources` fills before anything is timed.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


def compile_sources(workdir: Path, source: Path | None = None) -> None:
    """Bytecode for every module of the project (at ``source``, else this checkout)
    in the children's private folder (see ``child_env``), so that no timed run
    compiles, whichever version it runs."""
    package = (source or ROOT) / "zwgk_desktop"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=child_env(workdir, source),
                   cwd=workdir, check=True, capture_output=True)


def source_at(rev: str, workdir: Path) -> Path:
    """The package as it was at git revision ``rev``, unpacked under ``workdir``. A
    process with this folder first on PYTHONPATH (and started outside the checkout)
    imports that version instead of the installed one."""
    import io
    import tarfile

    out = subprocess.run(["git", "archive", "--format=tar", rev, "zwgk_desktop"], cwd=ROOT,
                         capture_output=True, check=False)
    if out.returncode:
        raise SystemExit(f"git archive {rev} failed:\n{out.stderr.decode('utf-8', 'replace')}")
    target = workdir / "before"
    target.mkdir()
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


def initialised_at(folder: Path, source: Path | None, workdir: Path) -> Path:
    """An empty ledger made by the version that will import into it (a newer version's
    ledger may carry migrations an older one refuses)."""
    if source is None:
        return _initialised(folder)
    code = "import sys; from zwgk_desktop.core.ledger import Ledger; Ledger.open(sys.argv[1]).close()"
    subprocess.run([sys.executable, "-c", code, str(folder)], env=child_env(workdir, source), cwd=workdir,
                   check=True, capture_output=True)
    return folder


def zwgk_command() -> tuple[list[str], str]:
    """The installed `zwgk` script beside this interpreter (not a pyenv/asdf shim, whose
    own start-up would be counted), else the same entry point via -c."""
    bindir = Path(sys.executable).parent
    for name in ("zwgk", "zwgk.exe"):
        script = bindir / name
        if script.is_file():
            return [str(script)], "zwgk"
    code = "import sys; from zwgk_desktop.cli import main; sys.exit(main())"
    return [sys.executable, "-c", code], "python -c 'from zwgk_desktop.cli import main; main()'"


RAW_READ_CODE = ("import sys; from python_calamine import CalamineWorkbook;"
                 " CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()")
PROCESS_TARGET = 2.5  # `zwgk import` whole process vs a process that only reads the file
PLANS_TARGET = 3.0  # `zwgk plans` vs `python -c "import sqlite3"`
REPLACE_TARGET = 1.5  # `zwgk import --replace` vs a fresh `zwgk import` of the same file


def time_in_turns(runs: dict[str, tuple[Callable[[], list[str]], Path | None]], n: int,
                  workdir: Path) -> dict[str, float]:
    """Best of n for each of several whole processes, run in turns (one of each, then
    again), so that other work on the machine weighs on each alike: the ratios of
    issue 15 compare processes timed side by side. ``runs`` maps a name to the argv
    maker (called before its run's clock starts) and the project source it imports."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(n):
        for name, (argv_for_run, source) in runs.items():
            best[name] = min(best[name], time_process(lambda i: argv_for_run(), 1, workdir, source))
    return best


def imported_once(cli: list[str], path: Path, ledgers: FreshLedgers, workdir: Path, source: Path | None) -> Path:
    """A ledger that holds the plan of ``path``, imported by the project at ``source``
    (for ``--replace`` and ``zwgk plans``)."""
    imported = initialised_at(ledgers.new(), source, workdir)
    time_process(lambda i: cli + ["--ledger", str(imported), "import", str(path)], 1, workdir, source)
    return imported


def time_process(argv_for_run: Callable[[int], list[str]], n: int, workdir: Path,
                 source: Path | None = None) -> float:
    """Best of n whole-process runs. Started in ``workdir``: ``python -c`` puts the
    working directory first on sys.path, and the checkout there would shadow ``source``."""
    env = child_env(workdir, source)
    best = float("inf")
    for i in range(n):
        argv = argv_for_run(i)
        t0 = time.perf_counter()
        out = subprocess.run(argv, capture_output=True, env=env, cwd=workdir, check=False)
        elapsed = time.perf_counter() - t0
        if out.returncode:
            raise SystemExit(f"{' '.join(argv)} failed ({out.returncode}):\n"
                             f"{out.stderr.decode('utf-8', 'replace')}")
        best = min(best, elapsed)
    return best


# ---------------------------------------------------------------------------
# Machine


def machine_info() -> dict[str, str]:
    import sqlite3
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def ver(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "?"

    try:
        load = "load average {:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())
    except (AttributeError, OSError):
        load = "load average unknown"

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--", "zwgk_desktop"):
        commit += " + uncommitted changes in zwgk_desktop/"

    return {
        "load": load,
        "commit": commit,
        "cpu": cpu,
        "cores": str(os.cpu_count() or "?"),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "calamine": ver("python-calamine"),
        "openpyxl": ver("openpyxl"),
        "sqlite": sqlite3.sqlite_version,
        "sqlite-utils": ver("sqlite-utils"),
    }


# ---------------------------------------------------------------------------
# Report


def mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def ms(s: float) -> str:
    return f"{s * 1000:.0f}" if s >= 0.0095 else f"{s * 1000:.1f}"


def render(results: list[dict[str, Any]], startup: dict[str, float], info: dict[str, str],
           cli_name: str, elapsed: float, before: str | None = None) -> str:
    option = f" --before {before}" if before else ""
    lines = [
        f"Measured {datetime.now().strftime('%Y-%m-%d')} by `python benchmarks/import_bench.py"
        f" --sizes {','.join(str(r['tasks']) for r in results)}{option}` ({elapsed:.0f} s in all) on:"
        f" {info['cpu']} ({info['cores']} cores), {info['os']}, {info['python']},"
        f" python-calamine {info['calamine']}, openpyxl {info['openpyxl']} (writes the test files),"
        f" SQLite {info['sqlite']}, sqlite-utils {info['sqlite-utils']}; project at {info['commit']};"
        f" {info['load']} when it started (other work on the machine makes times noisier).",
        "",
        "Times are best of N runs (N=5, N=3 from 10,000 tasks), in milliseconds; every import goes"
        " into a fresh ledger folder and starts with the project's caches empty, as in a fresh"
        " process; the import and calamine runs alternate. Whole processes run from bytecode"
        " compiled beforehand (into a private `PYTHONPYCACHEPREFIX`), as an installed program does.",
        "",
        "| tasks | file | import (ms) | calamine raw (ms) | import / raw | within 2× | "
        "Python peak (MB, tracemalloc) | RSS growth (MB) | calamine raw RSS growth (MB) | "
        f"`{cli_name} import` whole process (ms) |",
        "|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = r["import"] / r["raw"]
        lines.append(
            f"| {r['tasks']:,} | {r['bytes'] / 1024:,.0f} KB, {r['rows']:,} rows | {ms(r['import'])} |"
            f" {ms(r['raw'])} | {ratio:.1f}× | {'yes' if ratio <= TARGET_RATIO else '**no**'} |"
            f" {mb(r['mem']['traced_peak'])} | {mb(r['mem']['rss_delta'])} |"
            f" {mb(r['raw_mem']['rss_delta'])} | {ms(r['cli'])} |")
    lines += [
        "",
        "Issue 15's rows: whole processes side by side, each against its peer run in turns with"
        " it (best of 5, 3 from 10,000 tasks): `zwgk import` into an empty ledger against a"
        " process that only reads the file with calamine; `--replace` re-imports the same file"
        " into a ledger that already holds it (in the same turns, against the fresh import); `zwgk plans`"
        " on a ledger holding that plan against `python -c \"import sqlite3\"` (best of 5)"
        + (f". Each cell reads *before → now*: before is the project at `{before}`, measured in"
           " this same run, in the same turns." if before else "."),
        "",
        f"| tasks | calamine-only process (ms) | `{cli_name} import` (ms) | import / calamine |"
        f" within {PROCESS_TARGET}× | `{cli_name} import --replace` (ms) | replace / import |"
        f" within {REPLACE_TARGET}× | `import sqlite3` (ms) | `{cli_name} plans` (ms) | / `import sqlite3` |"
        f" within {PLANS_TARGET:.0f}× |",
        "|---:|---:|---:|---:|:---:|---:|---:|:---:|---:|---:|---:|:---:|",
    ]

    def pair(r: dict[str, Any], value: Callable[[dict[str, Any]], float], fmt: Callable[[float], str]) -> str:
        now = fmt(value(r))
        return f"{fmt(value(r['before']))} → {now}" if "before" in r else now

    def times(x: float) -> str:
        return f"{x:.1f}×"

    for r in results:
        ratio = r["cli"] / r["raw_process"]
        replace_ratio = r["replace"] / r["cli"]
        plans_ratio = r["plans"] / r["sqlite3"]
        lines.append(
            f"| {r['tasks']:,} | {ms(r['raw_process'])} | {pair(r, lambda x: x['cli'], ms)} |"
            f" {pair(r, lambda x: x['cli'] / r['raw_process'], times)} |"
            f" {'yes' if ratio <= PROCESS_TARGET else '**no**'} | {pair(r, lambda x: x['replace'], ms)} |"
            f" {pair(r, lambda x: x['replace'] / x['cli'], times)} |"
            f" {'yes' if replace_ratio <= REPLACE_TARGET else '**no**'} | {ms(r['sqlite3'])} |"
            f" {pair(r, lambda x: x['plans'], ms)} |"
            f" {pair(r, lambda x: x['plans'] / r['sqlite3'], times)} |"
            f" {'yes' if plans_ratio <= PLANS_TARGET else '**no**'} |")
    lines += [
        "",
        f"Start-up for reference: `python -c pass` {ms(startup['python'])} ms,"
        f" `python -c \"import zwgk_desktop.cli\"` {ms(startup['cli_import'])} ms"
        " (best of 5, in turns; the whole-process column includes this).",
        "",
        "Where the import's time goes (each phase best of N on its own, so the sum can differ"
        " a little from the import column):",
        "",
        "| tasks | read_workbook | read_plan | sha256 | Ledger.open | write_plan | close | sum |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p = r["phases"]
        order = ("read_workbook", "read_plan", "sha256", "Ledger.open", "write_plan", "close")
        total = sum(p[k] for k in order)
        lines.append(f"| {r['tasks']:,} | " + " | ".join(
            f"{ms(p[k])} ({p[k] / total:.0%})" for k in order) + f" | {ms(total)} |")
    lines += [
        "",
        "Memory: *Python peak* is tracemalloc's peak during one import (Python objects only;"
        " calamine's Rust buffers and SQLite's cache are not seen). *RSS growth* is how much"
        " the process's peak resident set (VmHWM in /proc/self/status; `getrusage().ru_maxrss`"
        " elsewhere) grew during one"
        " import in a fresh interpreter that had already loaded the modules; it includes"
        " native memory and is the number to compare with a clerk's machine.",
        "",
    ]
    missed = [r for r in results if r["import"] / r["raw"] > TARGET_RATIO]
    if missed:
        lines.append("Target (import within 2× of the raw calamine read) **not met** for: "
                     + ", ".join(f"{r['tasks']:,} tasks ({r['import'] / r['raw']:.1f}×)" for r in missed) + ".")
    else:
        lines.append("Target (import within 2× of the raw calamine read) met at every size.")
    return "\n".join(lines)


def write_docs(block: str, docs: Path = DOCS) -> None:
    section = f"{START_MARK}\n{block}\n{END_MARK}"
    if docs.exists():
        text = docs.read_text(encoding="utf-8")
        start, end = text.find(START_MARK), text.find(END_MARK)
        if start != -1 and end > start:
            text = text[:start] + section + text[end + len(END_MARK):]
        else:
            text = text.rstrip("\n") + "\n\n## 导入 Import\n\n" + section + "\n"
    else:
        docs.parent.mkdir(parents=True, exist_ok=True)
        text = ("# 性能基准 Benchmarks\n\n"
                "Scripts in `benchmarks/` generate large plans and time the hot paths.\n\n"
                "## 导入 Import\n\n"
                "`python benchmarks/import_bench.py --write-docs` regenerates the block below.\n\n"
                + section + "\n")
    docs.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad --sizes {text!r}: use e.g. 300,5000,20000") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes needs positive task counts")
    return sizes


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--memory-child"]:
        _, mode, path, workdir = argv
        print(json.dumps(memory_child(mode, Path(path), Path(workdir))))
        return 0

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                        help="task counts to generate, comma-separated (default 300,5000,20000)")
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="write the generated xlsx files here and keep them (default: a temp dir)")
    parser.add_argument("--before", metavar="REV",
                        help="also time the whole-process rows for the project at this git revision")
    parser.add_argument("--write-docs", action="store_true",
                        help=f"update the import section of {DOCS.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    info = machine_info()  # before the run: its load average shows other work on the machine
    work = Path(tempfile.mkdtemp(prefix="zwgk-import-bench-"))
    files_dir = args.keep or work / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    ledger_dir = work / "ledgers"
    ledger_dir.mkdir()
    ledgers = FreshLedgers(ledger_dir)
    cli, cli_name = zwgk_command()
    results: list[dict[str, Any]] = []
    try:
        old_source = source_at(args.before, work) if args.before else None
        compile_sources(work)
        if old_source is not None:
            compile_sources(work, old_source)
        for size in args.sizes:
            path = files_dir / f"plan_{size}.xlsx"
            t0 = time.perf_counter()
            stats = generate_plan(path, size)
            print(f"[{size:,} tasks] generated {path.name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            n = runs_for(size)
            result: dict[str, Any] = dict(stats)
            result["import"], result["raw"] = time_import_and_raw(path, n, ledgers, size)
            result["phases"] = time_phases(path, n, ledgers)
            result["mem"] = measure_memory("import", path, work)
            result["raw_mem"] = measure_memory("raw", path, work)
            # The peers are whole processes, timed in turns with ours: one that
            # only reads the file with calamine, and for `zwgk plans` one that only
            # imports sqlite3.
            imported = imported_once(cli, path, ledgers, work, None)
            old_imported = imported_once(cli, path, ledgers, work, old_source) if old_source is not None else None
            fresh: dict[str, tuple[Callable[[], list[str]], Path | None]] = {
                "cli": (lambda path=path: cli + ["--ledger", str(_initialised(ledgers.new())), "import", str(path)],
                        None),
                "raw_process": (lambda path=path: [sys.executable, "-c", RAW_READ_CODE, str(path)], None),
                "replace": (lambda path=path, imported=imported: cli + ["--ledger", str(imported), "import",
                                                                        "--replace", str(path)], None),
            }
            if old_source is not None:
                fresh["before_cli"] = (
                    lambda path=path: cli + ["--ledger", str(initialised_at(ledgers.new(), old_source, work)),
                                             "import", str(path)], old_source)
                fresh["before_replace"] = (
                    lambda path=path, old_imported=old_imported: cli + ["--ledger", str(old_imported), "import",
                                                                        "--replace", str(path)], old_source)
            result.update(time_in_turns(fresh, 3 if size >= 10_000 else 5, work))
            listing: dict[str, tuple[Callable[[], list[str]], Path | None]] = {
                "plans": (lambda imported=imported: cli + ["--ledger", str(imported), "plans"], None),
                "sqlite3": (lambda: [sys.executable, "-c", "import sqlite3"], None),
            }
            if old_source is not None:
                listing["before_plans"] = (
                    lambda old_imported=old_imported: cli + ["--ledger", str(old_imported), "plans"], old_source)
            result.update(time_in_turns(listing, 5, work))
            if old_source is not None:
                result["before"] = {"cli": result.pop("before_cli"), "replace": result.pop("before_replace"),
                                    "plans": result.pop("before_plans")}
            ledgers.clear()
            print(f"[{size:,} tasks] import {result['import']:.3f} s, raw {result['raw']:.3f} s,"
                  f" cli {result['cli']:.3f} s", file=sys.stderr)
            results.append(result)
        startup = time_in_turns({
            "python": (lambda: [sys.executable, "-c", "pass"], None),
            "cli_import": (lambda: [sys.executable, "-c", "import zwgk_desktop.cli"], None),
        }, 5, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    block = render(results, startup, info, cli_name, time.perf_counter() - began, args.before)
    print(block, flush=True)
    if args.write_docs:
        write_docs(block)
        print(f"\n(updated {DOCS.relative_to(ROOT)})", file=sys.stderr)
    if args.keep:
        print(f"(kept the generated files in {files_dir})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
