"""Evidence benchmark: attaching 1 GB of mixed files, next to a plain file copy.

Generates (in a temporary folder, removed afterwards) about 1 GB of files shaped like
a year of 佐证材料: a few hundred small image-like files (PNG/JPEG headers, 30 KB-2 MB
of random bytes) and PDF-like blobs of 5-50 MB. Random bytes do not compress, so
nothing is flattered. Then, in one run, times:

* ``shutil.copyfile`` of every file into a fresh folder (what Explorer would do), and
  the same with an ``fsync`` per file (what a crash-safe copy has to pay);
* ``core.evidence.attach_files`` of all of them, in one call, into a fresh ledger
  (read, hashed and written to a temporary file, fsync, rename, one transaction; see
  core/evidence/copying.py for how), and the same with writes through the page cache
  (as on Windows, or where the file system refuses direct writes), once more without
  fsync as a diagnostic;
* with ``--before REV``, the same with ``core/evidence.py`` (or the ``core/evidence``
  package) as it was at git revision REV, loaded from git into this process, so an
  older way of attaching and the current one are timed in one run on the same files;
* each once with the source files evicted from the page cache (``posix_fadvise
  DONTNEED``, the "cold" rows, as for files on a USB stick just plugged in) and once
  with them cached ("warm"); the plain copy runs both before and after the attach so
  a warming cache cannot favour one side;
* GUI responsiveness: an ``EvidenceView`` (offscreen Qt) attaches the same files in the
  background (``ProgressTask``, its own ledger connection) while a ``QTimer`` ticks
  every 10 ms on the GUI thread; the longest gap between ticks is reported.

Each run's wall time and this process's CPU time are recorded, and the 1-minute load
average as it began: on a shared machine the CPU a run gets varies, the CPU it needs
much less.

Usage::

    python benchmarks/evidence_bench.py [--total-mb 1024] [--rounds 3] [--before REV] [--write-docs]

Prints Markdown; ``--write-docs`` replaces the block between
``<!-- evidence-bench:start -->`` and ``<!-- evidence-bench:end -->`` in
docs/benchmarks.md (appending a "## 佐证材料 Evidence" section if there is none).
Needs about 3× the total in free space next to the temporary folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- evidence-bench:start -->"
END_MARK = "<!-- evidence-bench:end -->"
SECTION = "## 佐证材料 Evidence"
TARGET = 0.7
TICK_MS = 10

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MB = 1024 * 1024


def generate(folder: Path, total_mb: int, seed: int = 4) -> list[Path]:
    """~300 small image-like files, the rest in 5-50 MB PDF-like blobs."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    paths: list[Path] = []
    budget = total_mb * MB
    small_count = max(10, int(300 * total_mb / 1024))
    for i in range(small_count):
        kind = rng.choice(["png", "jpg"])
        size = rng.randint(30 * 1024, 2 * MB)
        head = b"\x89PNG\r\n\x1a\n" if kind == "png" else b"\xff\xd8\xff\xe0\x00\x10JFIF"
        path = folder / f"截图-{i:04d}.{kind}"
        _write_random(path, head, size)
        paths.append(path)
        budget -= size
    i = 0
    while budget > 0:
        size = min(budget, rng.randint(5 * MB, 50 * MB))
        path = folder / f"关于政务公开工作的通知-{i:03d}.pdf"
        _write_random(path, b"%PDF-1.7\n", size)
        paths.append(path)
        budget -= size
        i += 1
    return paths


def _write_random(path: Path, head: bytes, size: int) -> None:
    with open(path, "wb") as handle:
        handle.write(head)
        left = size - len(head)
        while left > 0:
            n = min(left, 4 * MB)
            handle.write(os.urandom(n))
            left -= n
        handle.flush()
        os.fsync(handle.fileno())


def settle() -> None:
    """Write back what earlier runs left dirty (untimed), so no run pays for another's
    writes: a copy without fsync returns before its data is on disk."""
    if hasattr(os, "sync"):
        os.sync()
    time.sleep(1.0)


def evict(paths: list[Path]) -> bool:
    """Drop the files' pages from the page cache (works without root for clean pages)."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


def cached_fraction(paths: list[Path]) -> float | None:
    """Share of the files' bytes in the page cache, by util-linux ``fincore``."""
    if not shutil.which("fincore"):
        return None
    total = cached = 0
    for start in range(0, len(paths), 200):
        chunk = paths[start:start + 200]
        out = subprocess.run(["fincore", "--bytes", "--noheadings", "--raw", "-o", "RES,SIZE", *map(str, chunk)],
                             capture_output=True, text=True)
        for line in out.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2:
                cached += int(parts[0])
                total += int(parts[1])
    return cached / total if total else None


def one_task(ledger) -> int:
    """A plan of one task to attach to; returns its id."""
    from zwgk_desktop.core.deadlines import parse_deadline
    from zwgk_desktop.core.model import ParsedPlan, ParsedTask
    from zwgk_desktop.core.plan_import import write_plan
    from zwgk_desktop.core.units import assign_roles

    task = ParsedTask(seq=1, section=["一、推进决策公开"], title=None, requirement="公开重大行政决策事项目录。",
                      units_text="区司法局", units=assign_roles("区司法局"), deadline=parse_deadline("6月底前", 2023),
                      source_row=3)
    plan = ParsedPlan(title="2023年基准分解表", year=2023, columns=["具体要求"], mapping={"requirement": [0]},
                      tasks=[task], sheet="Sheet1", source_name="bench.xlsx")
    outcome = write_plan(ledger, plan, "0" * 64)
    return ledger.task_ids(outcome.plan_id)[0]


def plain_copy(paths: list[Path], target: Path, fsync: bool = False) -> tuple[float, float]:
    """Wall and CPU seconds (all of this process's threads, kernel time included)."""
    target.mkdir()
    cpu = time.process_time()
    start = time.perf_counter()
    for i, path in enumerate(paths):
        dst = target / f"{i:05d}{path.suffix}"
        shutil.copyfile(path, dst)
        if fsync:
            fd = os.open(dst, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    shutil.rmtree(target)
    return elapsed, cpu


def evidence_at(revision: str, into: Path):
    """``core/evidence`` as it was at a git revision, as a module of this process (the
    single ``core/evidence.py`` of older revisions, or the package, its files written to
    ``into``); its relative imports of the rest of core resolve against today's core."""
    import importlib.util

    import zwgk_desktop.core  # noqa: F401 - the package the old module's relative imports need

    def show(path: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:{path}"], capture_output=True, text=True)

    name = "zwgk_desktop.core._evidence_before"
    single = show("zwgk_desktop/core/evidence.py")
    if single.returncode == 0:
        spec = importlib.util.spec_from_loader(name, loader=None)
        module = importlib.util.module_from_spec(spec)
        module.__package__ = "zwgk_desktop.core"
        sys.modules[name] = module
        exec(compile(single.stdout, f"{revision}:zwgk_desktop/core/evidence.py", "exec"), module.__dict__)
        return module
    listing = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", revision, "zwgk_desktop/core/evidence/"],
                             capture_output=True, text=True)
    files = [line for line in listing.stdout.splitlines() if line.endswith(".py")]
    if listing.returncode != 0 or not files:
        raise SystemExit(f"no zwgk_desktop/core/evidence(.py) at {revision}: {single.stderr.strip()}")
    folder = into / "_evidence_before"
    folder.mkdir(parents=True)
    for path in files:
        (folder / Path(path).name).write_text(show(path).stdout, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def attach_buffered(paths: list[Path], ledger_dir: Path, fsync: bool = True) -> tuple[float, float]:
    """Attach with writes through the page cache, as on a file system that refuses direct
    writes (and on Windows). With ``fsync=False``, diagnostic only, never how the app runs:
    os.fsync a no-op (SQLite's own syncs untouched), to show what reading, hashing and
    writing alone cost."""
    from zwgk_desktop.core.evidence import copying

    real_fsync, real_direct = os.fsync, copying._DIRECT
    copying._DIRECT = 0
    if not fsync:
        os.fsync = lambda fd: None
    try:
        return attach(paths, ledger_dir)
    finally:
        os.fsync, copying._DIRECT = real_fsync, real_direct


def attach(paths: list[Path], ledger_dir: Path, module=None) -> tuple[float, float]:
    """Wall and CPU seconds of one ``attach_files`` call (all threads, kernel time included)."""
    from zwgk_desktop.core import evidence as ev
    from zwgk_desktop.core.ledger import Ledger

    with Ledger.open(ledger_dir) as ledger:
        task = one_task(ledger)
        cpu = time.process_time()
        start = time.perf_counter()
        result = (module or ev).attach_files(ledger, task, paths, "2023Q3")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert len(result.added) == len(paths), "every file should have been added"
    shutil.rmtree(ledger_dir)
    return elapsed, cpu


def gui_attach(paths: list[Path], ledger_dir: Path) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.gui.imageio*=false")  # the fake images do not decode
    try:  # as the app does (PySide6 6.12 on CPython 3.11 miscounts None/True references)
        from zwgk_desktop.ui.qt_workarounds import protect_singletons_from_refcount_bug
    except ImportError:
        pass
    else:
        protect_singletons_from_refcount_bug()
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.quarters import Quarter
    from zwgk_desktop.ui.evidence_view import EvidenceView

    app = QApplication.instance() or QApplication([])
    ledger = Ledger.open(ledger_dir)
    task = one_task(ledger)
    view = EvidenceView(ledger)
    view.resize(420, 600)
    view.show_task(task, Quarter(2023, 3))
    view.show()
    clock = QElapsedTimer()
    gaps: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    app.processEvents()
    clock.start()
    timer.start()
    loop = QEventLoop()
    start = time.perf_counter()
    job = view.attach_paths(paths)
    job.finished.connect(loop.quit)
    loop.exec()  # the GUI thread's own event loop, as in the app
    elapsed = time.perf_counter() - start
    timer.stop()
    count = len(view.items)
    view.close()
    view.deleteLater()
    app.processEvents()
    ledger.close()
    shutil.rmtree(ledger_dir)
    assert count == len(paths), f"{count} of {len(paths)} shown after the background attach"
    gaps.sort()
    return {"seconds": elapsed, "max_gap": gaps[-1] if gaps else 0.0,
            "p99_gap": gaps[int(len(gaps) * 0.99) - 1] if gaps else 0.0, "ticks": len(gaps)}


def environment() -> str:
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
    except OSError:
        cpu = platform.processor()
    fs = ""
    try:
        out = subprocess.run(["df", "-T", tempfile.gettempdir()], capture_output=True, text=True).stdout.splitlines()
        fs = out[1].split()[1] if len(out) > 1 else ""
    except (OSError, IndexError):
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (f"{cpu} ({os.cpu_count()} cores), {platform.system()} {platform.release()}, "
            f"CPython {platform.python_version()}, temp folder on {fs or 'unknown fs'}; load average {load}")


def sha256_speed() -> float:
    import hashlib

    data = os.urandom(256 * MB)
    start = time.perf_counter()
    hashlib.sha256(data)
    return 256 / (time.perf_counter() - start)


def run(total_mb: int, rounds: int = 3, before: str | None = None) -> str:
    load_at_start = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    base = Path(tempfile.mkdtemp(prefix="zwgk-evidence-bench-"))
    old = evidence_at(before, base / "before") if before else None
    free = shutil.disk_usage(base).free
    if free < 3.2 * total_mb * MB:
        shutil.rmtree(base)
        raise SystemExit(f"need {3.2 * total_mb:.0f} MB free next to {base}, have {free / MB:.0f} MB")
    started = time.perf_counter()
    try:
        t0 = time.perf_counter()
        paths = generate(base / "src", total_mb)
        gen_s = time.perf_counter() - t0
        total = sum(p.stat().st_size for p in paths)
        sha_mbs = sha256_speed()
        small = sum(1 for p in paths if p.suffix != ".pdf")
        runs: dict[tuple[str, str], list[float]] = {}
        cached: dict[tuple[str, str], list[float]] = {}
        loads: list[float] = []
        cpus: dict[tuple[str, str], list[float]] = {}

        def measure(label: str, cache: str, fn) -> None:
            settle()
            if cache == "cold":
                evict(paths)
            before = cached_fraction(paths)
            loads.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0)
            seconds, cpu = fn()
            runs.setdefault((label, cache), []).append(seconds)
            cpus.setdefault((label, cache), []).append(cpu)
            if before is not None:
                cached.setdefault((label, cache), []).append(before)

        copy_label, fsync_label, attach_label = ("plain copy (`shutil.copyfile`)", "plain copy + fsync per file",
                                                 "attach (`attach_files`), now")
        before_label = f"attach, before (`{before}`)"
        buffered_label = "attach through the page cache (as on Windows; where direct writes are refused)"
        no_sync_label = "attach through the page cache, no fsync (diagnostic only)"
        for _ in range(rounds):
            measure(copy_label, "cold", lambda: plain_copy(paths, base / "copy"))
            if old is not None:
                measure(before_label, "cold", lambda: attach(paths, base / "ledger", old))
            measure(attach_label, "cold", lambda: attach(paths, base / "ledger"))
            measure(copy_label, "warm", lambda: plain_copy(paths, base / "copy"))
            measure(fsync_label, "warm", lambda: plain_copy(paths, base / "copy", fsync=True))
            if old is not None:
                measure(before_label, "warm", lambda: attach(paths, base / "ledger", old))
            measure(attach_label, "warm", lambda: attach(paths, base / "ledger"))
            measure(buffered_label, "warm", lambda: attach_buffered(paths, base / "ledger"))
            measure(no_sync_label, "warm", lambda: attach_buffered(paths, base / "ledger", fsync=False))
            measure(copy_label, "warm", lambda: plain_copy(paths, base / "copy"))
        settle()
        gui = gui_attach(paths, base / "gui-ledger")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert not base.exists()
    wall = time.perf_counter() - started

    def mbs(seconds: float) -> float:
        return total / MB / seconds

    best = {key: min(values) for key, values in runs.items()}
    median = {key: statistics.median(values) for key, values in runs.items()}
    ratio = {cache: best[(copy_label, cache)] / best[(attach_label, cache)] for cache in ("cold", "warm")}
    ratio_median = {cache: median[(copy_label, cache)] / median[(attach_label, cache)] for cache in ("cold", "warm")}
    option = f" --before {before}" if before else ""
    lines = [
        f"Measured {datetime.now():%Y-%m-%d} by `python benchmarks/evidence_bench.py --total-mb {total_mb} --rounds {rounds}{option}` "
        f"({wall:.0f} s in all, {gen_s:.0f} s of it generating the files) on: {environment()} "
        f"(at the start: {load_at_start}; the 1-minute load average as each timed run began ranged "
        f"{min(loads):.2f}–{max(loads):.2f}, median {statistics.median(loads):.2f}).",
        "",
        f"Files: {len(paths)} ({small} image-like of 30 KB–2 MB, {len(paths) - small} PDF-like of 5–50 MB), "
        f"{total / MB:,.0f} MB of random bytes; all in one `attach_files` call (one transaction). "
        "\"cold\": the source files were evicted from the page cache just before "
        "(`posix_fadvise(DONTNEED)`); \"warm\": they were read moments before. "
        "\"cached before\" is the share of the source bytes in the page cache when the run started "
        "(util-linux `fincore`). The store and copies go to the same disk as the sources; before each run "
        "`os.sync()` (untimed) writes back what the previous run left dirty. *CPU s*: this process's CPU "
        "time during the run, median of the runs (every thread, kernel time included; the plain copy's "
        "write-back by the kernel's flusher threads comes later and is not counted).",
        "",
        "| run | source cache | cached before | runs | best s | best MB/s | median MB/s | CPU s | of copy speed (best / median) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (label, cache), values in sorted(runs.items(), key=lambda kv: (kv[0][1], list(runs).index(kv[0]))):
        share = cached.get((label, cache))
        low, high = (f"{min(share):.0%}", f"{max(share):.0%}") if share else ("n/a", "n/a")
        shown = low if low == high else f"{low}–{high}"
        of_copy = (f"{best[(copy_label, cache)] / best[(label, cache)]:.0%} / "
                   f"{median[(copy_label, cache)] / median[(label, cache)]:.0%}")
        lines.append(f"| {label} | {cache} | {shown} | {len(values)} | {best[(label, cache)]:.2f} | "
                     f"{mbs(best[(label, cache)]):,.0f} | {mbs(median[(label, cache)]):,.0f} | "
                     f"{statistics.median(cpus[(label, cache)]):.2f} | {of_copy} |")
    verdict = {True: "met", False: "**not met**"}
    lines += [
        "",
        f"**Attach vs plain copy (best runs): {ratio['cold']:.0%} of copy speed cold, {ratio['warm']:.0%} warm**; "
        f"medians {ratio_median['cold']:.0%} and {ratio_median['warm']:.0%}. Target ≥ {TARGET:.0%} warm: "
        f"{verdict[ratio['warm'] >= TARGET]} by the best runs, {verdict[ratio_median['warm'] >= TARGET]} by the "
        f"medians (cold: {verdict[ratio['cold'] >= TARGET]} / {verdict[ratio_median['cold'] >= TARGET]}). "
        f"The warm plain copy is `shutil.copyfile`, which on Linux copies inside the kernel and "
        f"leaves the data in the page cache unsynced; attach also hashes every byte "
        f"(SHA-256 alone runs at about {sha_mbs:,.0f} MB/s on one core of this CPU) and fsyncs each file "
        f"before renaming. A plain copy that also fsyncs each file ran at {mbs(best[(fsync_label, 'warm')]):,.0f} MB/s "
        f"best, {mbs(median[(fsync_label, 'warm')]):,.0f} MB/s median.",
        "",
    ]
    if old is not None:
        was = {cache: best[(copy_label, cache)] / best[(before_label, cache)] for cache in ("cold", "warm")}
        was_median = {cache: median[(copy_label, cache)] / median[(before_label, cache)] for cache in ("cold", "warm")}
        lines += [
            f"**Before (`{before}`), same run**: {was['cold']:.0%} of copy speed cold, {was['warm']:.0%} warm "
            f"(best runs); medians {was_median['cold']:.0%} and {was_median['warm']:.0%}.",
            "",
        ]
    lines += [
        f"**GUI while attaching in the background**: {gui['seconds']:.1f} s for the same files "
        f"({mbs(gui['seconds']):,.0f} MB/s, warm) through `EvidenceView.attach_paths` (offscreen Qt, "
        f"progress dialog with byte counts); a {TICK_MS} ms `QTimer` on the GUI thread ticked {gui['ticks']:.0f} times, "
        f"longest gap between ticks **{gui['max_gap']:.0f} ms**, 99th percentile {gui['p99_gap']:.0f} ms.",
    ]
    return "\n".join(lines)


def write_docs(block: str, docs: Path = DOCS) -> None:
    section = f"{START_MARK}\n{block}\n{END_MARK}"
    intro = ("Attaching a year's worth of 佐证材料 (1 GB in a few hundred images and some large PDFs) "
             "next to a plain copy of the same files, and whether the window stays responsive while it "
             "runs. Re-run with `python benchmarks/evidence_bench.py --before 7a2e4fa --write-docs` (a few minutes; "
             "needs ~3.2 GB free in the temp folder, cleaned up afterwards).\n\n")
    if docs.exists():
        text = docs.read_text(encoding="utf-8")
        start, end = text.find(START_MARK), text.find(END_MARK)
        if start != -1 and end > start:
            text = text[:start] + section + text[end + len(END_MARK):]
        else:
            text = text.rstrip("\n") + f"\n\n{SECTION}\n\n" + intro + section + "\n"
    else:
        docs.parent.mkdir(parents=True, exist_ok=True)
        text = "# 性能基准 Benchmarks\n\n" + f"{SECTION}\n\n" + intro + section + "\n"
    docs.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total-mb", type=int, default=1024, help="how much to generate (default 1024)")
    parser.add_argument("--rounds", type=int, default=3, help="times each run is repeated (default 3)")
    parser.add_argument("--before", metavar="REV", help="also time core/evidence.py as it was at this git revision")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    block = run(args.total_mb, args.rounds, args.before)
    print(block)
    if args.write_docs:
        write_docs(block)


if __name__ == "__main__":
    main()
