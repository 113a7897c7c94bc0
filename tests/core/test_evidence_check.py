"""检查佐证材料 (core/evidence/check.py): every stored file read against its hash, a
file altered or missing named by its task (回收站 included), and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_evidence import dump, evidence_plan, store_files, write
from zwgk_desktop.core import evidence as ev


@pytest.fixture
def tasks(ledger) -> list[int]:
    return evidence_plan(ledger)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "我的文件"
    folder.mkdir()
    return folder


def test_check_finds_altered_and_missing_files_by_task_and_changes_nothing(ledger, tasks, src):
    ok = ev.attach_files(ledger, tasks[0], [write(src / "ok.pdf", b"fine")], "2023Q3").added[0]
    bad = ev.attach_files(ledger, tasks[1], [write(src / "bad.png", b"original")], "2023Q3").added[0]
    gone = ev.attach_files(ledger, tasks[2], [write(src / "gone.docx", b"gone")], "2023Q2").added[0]
    ev.remove(ledger, gone.id)  # in the bin: still checked, it can be restored
    ev.attach_note(ledger, tasks[0], "说明")
    assert ev.check_store(ledger).ok

    bad_path = ev.stored_path(ledger, bad.sha256)
    bad_path.chmod(0o644)
    bad_path.write_bytes(b"tampered")
    gone_path = ev.stored_path(ledger, gone.sha256)
    gone_path.chmod(0o644)
    gone_path.unlink()
    snapshot, files = dump(ledger), store_files(ledger)

    report = ev.check_store(ledger)
    assert not report.ok
    assert (report.files_total, report.files_checked, report.rows_checked) == (3, 2, 3)
    assert report.bytes_checked == len(b"fine") + len(b"tampered")
    assert [(p.problem, p.evidence.id, p.task_seq, p.in_bin) for p in report.problems] == [
        ("altered", bad.id, 2, False), ("missing", gone.id, 3, True)]
    assert list(report.by_task()) == [(1, 2, tasks[1]), (1, 3, tasks[2])]
    text = ev.format_check_report(report)
    assert "发现问题:1 条材料的文件缺失,1 条材料的文件已被改动。" in text
    assert "序号 2:=SUM(A1)规范政府网站和政务新媒体\n" in text
    assert "· “bad.png”(2023年第三季度):文件内容已改变" in text
    assert "· “gone.docx”(2023年第二季度)(在回收站中):文件缺失" in text
    assert ok.id not in [p.evidence.id for p in report.problems]
    gone_only = ev.CheckReport(problems=[p for p in report.problems if p.problem == "missing"])
    assert "发现问题:1 条材料的文件缺失。" in ev.format_check_report(gone_only)
    assert dump(ledger) == snapshot
    assert store_files(ledger) == files
    assert bad_path.read_bytes() == b"tampered"


def test_check_on_empty_ledger(ledger):
    report = ev.check_store(ledger)
    assert report.ok and report.files_total == 0
    assert ev.format_check_report(report).endswith("全部文件完好,与添加时一致。")


def test_check_reports_progress(ledger, tasks, src):
    ev.attach_files(ledger, tasks[0], [write(src / "a", b"a" * 10), write(src / "b", b"b" * 5)], "2023Q3")
    seen: list[tuple[int, int]] = []
    ev.check_store(ledger, progress=lambda done, total, name: seen.append((done, total)))
    assert seen[-1] == (15, 15)


def test_check_lists_leftover_temporary_files(ledger, tasks, src):
    ev.attach_files(ledger, tasks[0], [write(src / "a", b"a")], "2023Q3")
    left = ledger.evidence_dir / f"{ev.TEMP_PREFIX}crashed{ev.TEMP_SUFFIX}"
    left.write_bytes(b"half")
    report = ev.check_store(ledger)
    assert report.ok
    assert report.leftover_temps == [left]
