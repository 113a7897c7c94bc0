"""The content store (core/evidence/store.py): files named by their SHA-256, copied in
all-or-nothing (a failure mid-copy leaves no file under a real name and no row), durably
(fsync before the rename), the clerk's files untouched, odd names, read-only copies
handed out; the in-kernel copy and the buffered one store the same bytes under the same
hash, and every way the kernel copy can fail is caught."""

from __future__ import annotations

import errno
import io
import os
import stat
import threading
from datetime import date
from pathlib import Path

import pytest

from tests.core.test_evidence import (
    PNG_BYTES,
    dump,
    evidence_plan,
    rows,
    sha,
    store_files,
    write,
)
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.errors import NotFoundError, UserError
from zwgk_desktop.core.evidence import records, store


@pytest.fixture
def tasks(ledger) -> list[int]:
    return evidence_plan(ledger)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "我的文件"
    folder.mkdir()
    return folder


def test_attach_copies_into_store_named_by_hash_keeping_extension(ledger, tasks, src):
    data = PNG_BYTES
    path = write(src / "网站截图.PNG", data)
    result = ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    digest = sha(data)
    assert store_files(ledger) == [f"{digest[:2]}/{digest}.png"]
    assert (ledger.evidence_dir / digest[:2] / f"{digest}.png").read_bytes() == data
    assert [(e.kind, e.name, e.sha256, e.size, e.mime, e.quarter, e.task_id) for e in result.added] == [
        ("file", "网站截图.PNG", digest, len(data), "image/png", "2023Q3", tasks[0])]
    assert result.already == []
    assert result.added[0].added_by == ledger.user
    assert result.added[0].added_at[:10] == date.today().isoformat()


def test_identical_content_is_stored_once(ledger, tasks, src):
    a = write(src / "a.pdf", b"%PDF-1.4 same")
    b = write(src / "通知 副本.pdf", b"%PDF-1.4 same")
    ev.attach_files(ledger, tasks[0], [a], "2023Q3")
    ev.attach_files(ledger, tasks[1], [b], "2023Q3")
    digest = sha(b"%PDF-1.4 same")
    assert store_files(ledger) == [f"{digest[:2]}/{digest}.pdf"]
    assert [(r[1], r[4], r[5]) for r in rows(ledger)] == [(tasks[0], "a.pdf", digest), (tasks[1], "通知 副本.pdf", digest)]


def test_attaching_again_heals_a_truncated_stored_copy(ledger, tasks, src):
    data = os.urandom(5000)
    first = ev.attach_files(ledger, tasks[0], [write(src / "a.pdf", data)], "2023Q3").added[0]
    stored = ev.stored_path(ledger, first.sha256)
    stored.chmod(0o644)
    stored.write_bytes(data[:100])  # damaged (e.g. a disk error)
    assert not ev.check_store(ledger).ok
    ev.attach_files(ledger, tasks[1], [src / "a.pdf"], "2023Q3")
    assert stored.read_bytes() == data
    assert ev.check_store(ledger).ok
    assert store_files(ledger) == [f"{first.sha256[:2]}/{first.sha256}.pdf"]


def test_progress_reports_bytes_in_pieces(ledger, tasks, src):
    big = write(src / "big.bin", os.urandom(ev.CHUNK * 2 + 10))
    small = write(src / "small.bin", b"xyz")
    seen: list[tuple[int, int, str]] = []
    ev.attach_files(ledger, tasks[0], [big, small], "2023Q1", progress=lambda *a: seen.append(a))
    total = ev.CHUNK * 2 + 13
    assert seen[-1] == (total, total, "")  # the end, once every file is in
    copying = seen[:-1]
    assert {t for _, t, _ in copying} == {total}
    steps = [(name, done - before) for (before, _, _), (done, _, name) in zip([(0, 0, "")] + copying, copying)]
    # two files are copied side by side, so their pieces may interleave; each file's are in order
    assert [n for name, n in steps if name == "big.bin"] == [ev.CHUNK, ev.CHUNK, 10]
    assert [n for name, n in steps if name == "small.bin"] == [3]


def test_originals_are_never_touched(ledger, tasks, src):
    paths = [write(src / "通知.pdf", b"%PDF original"), write(src / "照片.jpg", b"\xff\xd8jpeg")]
    old = 1_600_000_000
    for p in paths:
        os.utime(p, (old, old))
    before = {p: (p.read_bytes(), p.stat().st_mtime, stat.S_IMODE(p.stat().st_mode)) for p in paths}
    ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    for p in paths:
        assert p.exists()
        assert (p.read_bytes(), p.stat().st_mtime, stat.S_IMODE(p.stat().st_mode)) == before[p]
    assert sorted(x.name for x in src.iterdir()) == ["照片.jpg", "通知.pdf"]


def test_stored_files_are_read_only(ledger, tasks, src):
    ev.attach_files(ledger, tasks[0], [write(src / "a.txt", b"a")], "2023Q3")
    stored = ledger.evidence_dir / sha(b"a")[:2] / f"{sha(b'a')}.txt"
    assert stat.S_IMODE(stored.stat().st_mode) & 0o222 == 0


class _FailingReader(io.RawIOBase):
    """A source file whose read fails after some bytes (a USB stick pulled out)."""

    def __init__(self, path: Path, fail_after: int) -> None:
        self._handle = open(path, "rb", buffering=0)
        self._left = fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            raise OSError(5, "Input/output error")
        view = memoryview(buffer)[:min(len(buffer), self._left)]
        n = self._handle.readinto(view)
        self._left -= n
        return n

    def close(self) -> None:
        self._handle.close()
        super().close()


def test_crash_mid_copy_leaves_no_file_under_a_real_name_and_no_row(ledger, tasks, src, monkeypatch):
    good = write(src / "good.pdf", b"fine content")
    bad = write(src / "bad.pdf", os.urandom(3 * ev.CHUNK))
    real_open, real_replace = store._open_source, os.replace
    renamed: list[str] = []
    parts_seen: list[str] = []

    def opener(path: Path):
        if path.name == "bad.pdf":
            return _FailingReader(path, ev.CHUNK + 100)
        return real_open(path)

    def progress(done: int, total: int, name: str) -> None:
        if name == "bad.pdf" and not parts_seen:  # bad.pdf has begun: what is on disk now?
            parts_seen.extend(store_files(ledger))

    def replace(a, b):
        renamed.append(str(b))
        return real_replace(a, b)

    monkeypatch.setattr(store, "_open_source", opener)
    monkeypatch.setattr(store.os, "replace", replace)
    snapshot = dump(ledger)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [good, bad], "2023Q3", progress=progress)
    assert caught.value.message.startswith("读取文件“bad.pdf”时出错")
    assert "Input/output error" in caught.value.message
    assert "没有添加任何材料" in caught.value.message
    assert len(parts_seen) == 2  # good.pdf and bad.pdf, each under a temporary name
    assert all(name.startswith(ev.TEMP_PREFIX) and name.endswith(ev.TEMP_SUFFIX) for name in parts_seen)
    assert renamed == []  # nothing ever got a real name
    assert store_files(ledger) == []  # and the temporary files are gone
    assert rows(ledger) == []
    assert dump(ledger) == snapshot
    assert good.read_bytes() == b"fine content"


def _pipeline_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("zwgk-evidence-")]


def _through_buffers_only(monkeypatch) -> None:
    """As on Windows: no copy inside the kernel."""
    monkeypatch.setattr(store, "_kernel_copy", None)
    monkeypatch.setattr(store, "_send_copy", None)


class _FullDisk(io.FileIO):
    def write(self, data) -> int:
        raise OSError(28, "No space left on device")


def _fill_the_disk_after_one_piece(calls: list[int]):
    real = os.copy_file_range

    def copy(src_fd, dst_fd, count, offset_src=None, offset_dst=None):
        calls.append(offset_src)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real(src_fd, dst_fd, count, offset_src, offset_dst)

    return copy


@pytest.mark.parametrize("path", ["buffers", "kernel"])
def test_disk_full_while_writing_adds_nothing(ledger, tasks, src, monkeypatch, path):
    paths = [write(src / f"{i}.bin", os.urandom(ev.CHUNK + i)) for i in range(3)]
    if path == "buffers":
        _through_buffers_only(monkeypatch)
        monkeypatch.setattr(store, "_open_temp", lambda p: _FullDisk(p, "x+"))
    elif store._kernel_copy is None:
        pytest.skip("no copy_file_range here")
    else:
        monkeypatch.setattr(store, "_kernel_copy", _fill_the_disk_after_one_piece([]))
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    assert caught.value.message.startswith("写入台账文件夹时出错:No space left on device。")
    assert store_files(ledger) == [] and rows(ledger) == []
    assert _pipeline_threads() == []


def test_fsync_failure_adds_nothing(ledger, tasks, src, monkeypatch):
    paths = [write(src / "a.bin", b"a" * 10), write(src / "b.bin", b"b" * 10)]

    def broken(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(store.os, "fsync", broken)
    with pytest.raises(UserError, match="写入台账文件夹时出错"):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    monkeypatch.undo()
    assert store_files(ledger) == [] and rows(ledger) == []
    assert _pipeline_threads() == []


def test_empty_file_and_many_files(ledger, tasks, src):
    paths = [write(src / "空.txt", b"")] + [write(src / f"{i:02d}.txt", bytes([i]) * i * 1000) for i in range(1, 40)]
    result = ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    assert [(e.name, e.sha256, e.size) for e in result.added] == [
        (p.name, sha(p.read_bytes()), p.stat().st_size) for p in paths]
    assert len(store_files(ledger)) == 40
    for item in result.added:
        assert ev.stored_path(ledger, item.sha256).read_bytes() == (src / item.name).read_bytes()
    assert _pipeline_threads() == []


def test_cancel_from_progress_adds_nothing(ledger, tasks, src):
    paths = [write(src / "a.bin", os.urandom(ev.CHUNK + 1)), write(src / "b.bin", b"b")]

    def cancel(done: int, total: int, name: str) -> None:
        if name == "b.bin":
            raise ev.AttachCancelled()

    with pytest.raises(ev.AttachCancelled):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3", progress=cancel)
    assert store_files(ledger) == []
    assert rows(ledger) == []


def test_failed_transaction_removes_files_it_created(ledger, tasks, src, monkeypatch):
    kept = write(src / "kept.txt", b"kept")
    ev.attach_files(ledger, tasks[0], [kept], "2023Q3")
    new = write(src / "new.txt", b"new")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(records, "_record_files", broken)
    with pytest.raises(RuntimeError):
        ev.attach_files(ledger, tasks[0], [kept, new], "2023Q4")
    assert store_files(ledger) == [f"{sha(b'kept')[:2]}/{sha(b'kept')}.txt"]


def test_missing_source_gives_plain_message_and_adds_nothing(ledger, tasks, src):
    good = write(src / "good.pdf", b"x")
    snapshot = dump(ledger)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [good, src / "不见了.docx"], "2023Q3")
    assert caught.value.message.startswith("找不到文件“不见了.docx”")
    assert str(src / "不见了.docx") in caught.value.message
    assert "重新添加" in caught.value.message
    assert dump(ledger) == snapshot
    assert store_files(ledger) == []


def test_folder_instead_of_file_is_refused(ledger, tasks, src):
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [src], "2023Q3")
    assert "是一个文件夹" in caught.value.message
    assert rows(ledger) == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_source_is_refused(ledger, tasks, src):
    path = write(src / "secret.pdf", b"x")
    path.chmod(0)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    assert "没有权限读取" in caught.value.message


def test_source_locked_by_another_program(ledger, tasks, src, monkeypatch):
    path = write(src / "正在编辑.docx", b"x")

    def locked(p: Path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store, "_open_source", locked)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    assert caught.value.message.startswith("无法打开文件“正在编辑.docx”")
    assert "请关闭正在使用该文件的程序" in caught.value.message
    assert store_files(ledger) == [] and rows(ledger) == []


def test_unknown_task_is_refused_before_copying(ledger, tasks, src):
    with pytest.raises(NotFoundError):
        ev.attach_files(ledger, 999, [write(src / "a.txt", b"a")], "2023Q3")
    assert store_files(ledger) == []


def test_stale_temp_files_are_cleaned_fresh_ones_kept(ledger, tasks, src):
    ledger.evidence_dir.mkdir()
    stale = ledger.evidence_dir / f"{ev.TEMP_PREFIX}old{ev.TEMP_SUFFIX}"
    fresh = ledger.evidence_dir / f"{ev.TEMP_PREFIX}new{ev.TEMP_SUFFIX}"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(stale, (1_600_000_000, 1_600_000_000))
    ev.attach_files(ledger, tasks[0], [write(src / "a.txt", b"a")], "2023Q3")
    assert not stale.exists()
    assert fresh.exists()


ODD_NAMES = [
    "有 空格 的 文件名.docx",
    "a<b>c:d\"e|f?g*h.png" if os.name != "nt" else "a_b_c_d_e_f_g_h.png",
    "很长的文件名" * 13 + ".pdf"  # 238 UTF-8 bytes: as long as ext4 allows,
    "CON.txt",
    "没有扩展名",
    "点结尾.",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_are_kept_as_given(ledger, tasks, src, name):
    try:
        path = write(src / name, name.encode())
    except OSError:
        pytest.skip("this file system refuses the name itself")
    result = ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    assert result.added[0].name == name
    stored = ev.stored_path(ledger, sha(name.encode()))
    assert stored is not None and stored.read_bytes() == name.encode()
    assert stored.name.startswith(sha(name.encode()))


def test_viewer_copy_is_read_only_with_the_original_name(ledger, tasks, src, tmp_path):
    item = ev.attach_files(ledger, tasks[0], [write(src / "a<b>.pdf", b"pdf")], "2023Q3").added[0]
    copy = ev.viewer_copy(ledger, item, tmp_path / "view")
    assert copy.name == "a_b_.pdf"
    assert copy.read_bytes() == b"pdf"
    assert stat.S_IMODE(copy.stat().st_mode) & 0o222 == 0
    assert copy.parent.parent == tmp_path / "view"


# -- the two ways of copying ------------------------------------------------------------

SIZES = [0, 1, 4095, 4097, ev.CHUNK - 1, ev.CHUNK, ev.CHUNK + 1, 2 * ev.CHUNK + 12345]


def _attach_sizes(ledger, tasks, src) -> list[tuple[str, bytes]]:
    datas = [os.urandom(n) for n in SIZES]
    paths = [write(src / f"{n}.bin", data) for n, data in zip(SIZES, datas)]
    added = ev.attach_files(ledger, tasks[0], paths, "2023Q3").added
    return [(item.sha256, data) for item, data in zip(added, datas)]


@pytest.mark.parametrize("path", ["buffers", "sendfile", "copy_file_range"])
def test_every_way_stores_exactly_the_bytes_its_names_say(ledger, tasks, src, monkeypatch, path):
    if path == "buffers":
        _through_buffers_only(monkeypatch)
    elif path == "sendfile":
        if store._send_copy is None:
            pytest.skip("no sendfile between files here")
        monkeypatch.setattr(store, "_kernel_copy", None)
    elif store._kernel_copy is None:
        pytest.skip("no copy_file_range here")
    for digest, data in _attach_sizes(ledger, tasks, src):
        assert digest == sha(data)
        assert ev.stored_path(ledger, digest).read_bytes() == data
    assert _pipeline_threads() == []


@pytest.mark.skipif(store._kernel_copy is None, reason="no copy_file_range here")
def test_short_kernel_copies_are_hashed_from_unaligned_places(ledger, tasks, src, monkeypatch):
    real = os.copy_file_range

    def short(src_fd, dst_fd, count, offset_src=None, offset_dst=None):
        return real(src_fd, dst_fd, min(count, 5000), offset_src, offset_dst)  # not a page multiple

    monkeypatch.setattr(store, "_kernel_copy", short)
    data = os.urandom(3 * 4096 * 7 + 11)
    item = ev.attach_files(ledger, tasks[0], [write(src / "a.bin", data)], "2023Q3").added[0]
    assert (item.sha256, item.size) == (sha(data), len(data))
    assert ev.stored_path(ledger, item.sha256).read_bytes() == data


def _refusing(calls: list[int], refusal):
    def refuse(src_fd, dst_fd, count, offset_src=None, offset_dst=None):
        calls.append(offset_src)
        if refusal == "nothing":
            return 0  # some network file systems claim to copy nothing
        raise OSError(refusal, os.strerror(refusal))

    return refuse


@pytest.mark.parametrize("refusal", [errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, "nothing"])
def test_no_kernel_copy_between_the_two_files_copies_through_buffers(ledger, tasks, src, monkeypatch, refusal):
    calls: list[int] = []
    monkeypatch.setattr(store, "_kernel_copy", _refusing(calls, refusal))
    monkeypatch.setattr(store, "_send_copy", _refusing(calls, refusal))
    data = os.urandom(ev.CHUNK + 99)
    item = ev.attach_files(ledger, tasks[0], [write(src / "a.bin", data)], "2023Q3").added[0]
    assert calls == [0, 0]  # each way tried once, at the start
    assert item.sha256 == sha(data)
    assert ev.stored_path(ledger, item.sha256).read_bytes() == data


@pytest.mark.skipif(store._send_copy is None, reason="no sendfile between files here")
def test_between_two_file_systems_sendfile_copies_instead(ledger, tasks, src, monkeypatch):
    refused: list[int] = []
    sent: list[int] = []

    def send(src_fd, dst_fd, count, offset_src, offset_dst):
        sent.append(offset_src)
        return store._sendfile_copy(src_fd, dst_fd, count, offset_src, offset_dst)

    monkeypatch.setattr(store, "_kernel_copy", _refusing(refused, errno.EXDEV))  # FAT stick to ext4
    monkeypatch.setattr(store, "_send_copy", send)
    data = os.urandom(2 * ev.CHUNK + 7)
    item = ev.attach_files(ledger, tasks[0], [write(src / "a.bin", data)], "2023Q3").added[0]
    assert refused == [0]
    assert sent == [0, ev.CHUNK, 2 * ev.CHUNK, 2 * ev.CHUNK + 7]
    assert item.sha256 == sha(data)
    assert ev.stored_path(ledger, item.sha256).read_bytes() == data


@pytest.mark.skipif(store._kernel_copy is None, reason="no copy_file_range here")
def test_read_error_in_the_middle_of_a_kernel_copy_adds_nothing(ledger, tasks, src, monkeypatch):
    real = os.copy_file_range

    def failing(src_fd, dst_fd, count, offset_src=None, offset_dst=None):
        if offset_src:
            raise OSError(errno.EIO, "Input/output error")  # the USB stick pulled out
        return real(src_fd, dst_fd, count, offset_src, offset_dst)

    monkeypatch.setattr(store, "_kernel_copy", failing)
    path = write(src / "报告.pdf", os.urandom(ev.CHUNK + 1))
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    assert caught.value.message.startswith("读取文件“报告.pdf”时出错")
    assert store_files(ledger) == [] and rows(ledger) == []
    assert _pipeline_threads() == []


def test_a_failure_in_one_file_stops_the_other_worker(ledger, tasks, src, monkeypatch):
    real_open = store._open_source
    paths = [write(src / f"{i}.bin", os.urandom(ev.CHUNK // 2)) for i in range(6)]

    def opener(path: Path):
        if path.name == "3.bin":
            raise PermissionError(13, "Permission denied")
        return real_open(path)

    monkeypatch.setattr(store, "_open_source", opener)
    with pytest.raises(UserError, match="无法打开文件“3.bin”"):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    assert store_files(ledger) == [] and rows(ledger) == []
    assert _pipeline_threads() == []
