"""检查佐证材料: read every stored file a row refers to and compare it with its hash,
so a file deleted or altered behind the program's back is found, named by its task,
before an inspector finds it. Changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..ledger import Ledger
from ..model import Evidence
from . import store
from .names import format_size, task_label
from .records import COLUMNS, KIND_FILE, SELECT, row_evidence
from .store import ProgressCallback

__all__ = ["CheckProblem", "CheckReport", "check_store", "format_check_report"]


@dataclass(slots=True)
class CheckProblem:
    problem: str  # missing | altered
    evidence: Evidence
    plan_id: int
    task_seq: int
    task_label: str
    path: Path | None = None

    @property
    def in_bin(self) -> bool:
        return self.evidence.removed_at is not None

    @property
    def description(self) -> str:
        if self.problem == "missing":
            return "文件缺失"
        return "文件内容已改变(与添加时不一致)"


@dataclass(slots=True)
class CheckReport:
    files_total: int = 0  # distinct stored files the rows refer to
    files_checked: int = 0  # of those, found and read
    bytes_checked: int = 0
    rows_checked: int = 0
    problems: list[CheckProblem] = field(default_factory=list)
    leftover_temps: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_task(self) -> dict[tuple[int, int, int], list[CheckProblem]]:
        """(plan id, task seq, task id) -> its problems, in table order."""
        grouped: dict[tuple[int, int, int], list[CheckProblem]] = {}
        for p in sorted(self.problems, key=lambda p: (p.plan_id, p.task_seq, p.evidence.id)):
            grouped.setdefault((p.plan_id, p.task_seq, p.evidence.task_id), []).append(p)
        return grouped


def check_store(ledger: Ledger, progress: ProgressCallback | None = None) -> CheckReport:
    """Read every stored file a row refers to (回收站 included: those can be restored)
    and compare it with its hash. Changes nothing."""
    rows = ledger.db.execute(
        SELECT.replace(" FROM evidence e", ", t.plan_id, t.seq, t.title, t.requirement"
                       " FROM evidence e JOIN tasks t ON t.id = e.task_id")
        + " WHERE e.kind = ? AND e.sha256 IS NOT NULL ORDER BY t.plan_id, t.seq, e.id", [KIND_FILE]).fetchall()
    report = CheckReport(rows_checked=len(rows))
    by_sha: dict[str, list[tuple[Evidence, int, int, str]]] = {}
    for r in rows:
        by_sha.setdefault(r[4], []).append((row_evidence(r), r[COLUMNS], r[COLUMNS + 1],
                                            task_label(r[COLUMNS + 2], r[COLUMNS + 3])))
    report.files_total = len(by_sha)
    paths = {sha: store.find_stored(ledger.evidence_dir, sha) for sha in by_sha}
    total = sum(p.stat().st_size for p in paths.values() if p is not None and p.exists())
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total, "")

    for sha, users in by_sha.items():
        path = paths[sha]
        problem = None
        if path is None:
            problem = "missing"
        else:
            try:
                actual = store.hash_file(path, advance)
            except OSError:
                problem = "missing"  # gone meanwhile, or unreadable: as good as gone for an inspector
            else:
                report.files_checked += 1
                report.bytes_checked += path.stat().st_size
                if actual != sha:
                    problem = "altered"
        if problem:
            for item, plan_id, seq, label in users:
                report.problems.append(CheckProblem(problem, item, plan_id, seq, label, path))
    report.leftover_temps = store.leftover_temps(ledger.evidence_dir)
    return report


def format_check_report(report: CheckReport) -> str:
    """The report as the clerk reads it (CLI and the check dialog)."""
    lines = [f"共检查 {report.files_total} 个文件({format_size(report.bytes_checked)}),"
             f"涉及 {report.rows_checked} 条佐证材料(含回收站)。"]
    if report.ok:
        lines.append("全部文件完好,与添加时一致。")
        return "\n".join(lines)
    missing = sum(1 for p in report.problems if p.problem == "missing")
    altered = len(report.problems) - missing
    found = [f"{missing} 条材料的文件缺失" if missing else "", f"{altered} 条材料的文件已被改动" if altered else ""]
    lines.append("发现问题:" + ",".join(x for x in found if x) + "。")
    by_task = report.by_task()
    several_plans = len({plan_id for plan_id, _, _ in by_task}) > 1
    for (plan_id, seq, _task_id), problems in by_task.items():
        lines.append("")
        plan = f"分解表 {plan_id} " if several_plans else ""
        lines.append(f"{plan}序号 {seq}:{problems[0].task_label}")
        for p in problems:
            where = "(在回收站中)" if p.in_bin else ""
            lines.append(f"  · “{p.evidence.name}”({p.evidence.quarter.label}){where}:"
                         f"{p.description}")
    lines.append("")
    lines.append("处理办法:从备份的台账文件夹中找回 evidence 文件夹里的对应文件,"
                 "或找到原始文件后重新添加,再把有问题的材料移到回收站。")
    return "\n".join(lines)
