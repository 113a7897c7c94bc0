"""Writing an export, a report or a material package onto a full disk, over a file another
program holds open, or into a folder without permission: exit 2, a plain message naming
the folder and what to do, no traceback, no temporary file left, the old file untouched.

A full disk is simulated where it most often shows: the bytes were accepted and the
flush to the disk (fsync) fails. Measured on a real 64 KB tmpfs as well (see the commit).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.core.test_evidence import evidence_plan
from zwgk_desktop.cli import main
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.io.output_files import write_error

OUTPUTS = {
    "json": (["export", "--format", "json", "-o"], "台账.json"),
    "xlsx": (["export", "--format", "xlsx", "-o"], "落实情况.xlsx"),
    "pdf": (["report", "--quarter", "2023Q3", "-o"], "报告.pdf"),
    "zip": (["evidence-package", "-o"], "材料包.zip"),
}


@pytest.fixture
def filled(ledger: Ledger, ledger_dir: Path) -> Path:
    tasks = evidence_plan(ledger)
    ev.attach_note(ledger, tasks[0], "已在公开栏张贴。", "2023Q3")
    return ledger_dir


def _run(capsys, ledger_dir: Path, kind: str, out: Path) -> tuple[int, str, str]:
    argv, _ = OUTPUTS[kind]
    code = main(["--ledger", str(ledger_dir), *argv, str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "输出"
    folder.mkdir()
    (folder / "别的文件.txt").write_text("不动", encoding="utf-8")
    return folder


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_full_disk(filled: Path, out_dir: Path, capsys, monkeypatch, kind: str) -> None:
    target = out_dir / OUTPUTS[kind][1]
    target.write_bytes(b"old version")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, out, err = _run(capsys, filled, kind, target)
    assert code == 2
    assert err.startswith(f"无法写入“{target}”") and f"文件夹“{out_dir}”所在的磁盘已满" in err
    assert "清理磁盘空间" in err and "Traceback" not in err and "No space" not in err
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(["别的文件.txt", target.name])
    assert target.read_bytes() == b"old version"


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_file_held_open_by_another_program(filled: Path, out_dir: Path, capsys, monkeypatch, kind: str) -> None:
    target = out_dir / OUTPUTS[kind][1]
    target.write_bytes(b"open in WPS")
    real_replace = os.replace

    def refused(src, dst, *args, **kwargs):
        if Path(dst) == target:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refused)
    code, _, err = _run(capsys, filled, kind, target)
    assert code == 2
    assert err.startswith(f"无法写入“{target}”") and "Excel、WPS 或 PDF 阅读器中打开" in err
    assert f"“{out_dir}”" in err and "Traceback" not in err
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(["别的文件.txt", target.name])
    assert target.read_bytes() == b"open in WPS"


@pytest.mark.parametrize("kind", ["json", "pdf", "xlsx"])  # a material package makes its folder
def test_missing_folder(filled: Path, tmp_path: Path, capsys, kind: str) -> None:
    target = tmp_path / "没有这个文件夹" / OUTPUTS[kind][1]
    code, _, err = _run(capsys, filled, kind, target)
    assert code == 2
    assert err.startswith("无法写入“") and "不存在" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger"]


class _WindowsSharingViolation(PermissionError):
    winerror = 32


@pytest.mark.parametrize(("exc", "words"), [
    (OSError(errno.ENOSPC, "No space left on device"), ["磁盘已满", "清理磁盘空间"]),
    (OSError(errno.EROFS, "Read-only file system"), ["只读", "写保护的 U 盘"]),
    (PermissionError(errno.EACCES, "Permission denied"), ["没有写入文件夹", "权限"]),
    (_WindowsSharingViolation(errno.EACCES, "in use"), ["正被其他程序打开", "先关闭它"]),
    (OSError(errno.EFBIG, "File too large"), ["4 GB", "换一个位置"]),
    (OSError(errno.EIO, "Input/output error"), ["Input/output error", "请检查"]),
])
def test_write_error_names_the_folder_and_what_to_do(tmp_path: Path, exc: OSError, words: list[str]) -> None:
    message = write_error(tmp_path / "报告.pdf", exc).message
    assert message.startswith(f"无法写入“{tmp_path / '报告.pdf'}”:")
    for word in words:
        assert word in message


def test_write_via_temp_leaves_nothing_when_the_writer_fails(tmp_path):
    """The one way outputs are written: all of it, or the target as it was and no .part."""
    import pytest

    from zwgk_desktop.io.output_files import write_via_temp

    target = tmp_path / "报告.pdf"
    target.write_bytes(b"old")

    def half_then_fail(stream):
        stream.write(b"half")
        raise RuntimeError("the renderer stopped")

    with pytest.raises(RuntimeError):
        write_via_temp(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["报告.pdf"]
    assert write_via_temp(target, lambda stream: stream.write(b"new")) == 3
    assert target.read_bytes() == b"new"
