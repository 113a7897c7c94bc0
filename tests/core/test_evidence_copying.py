"""Getting files into the store (core/evidence/copying.py): the bytes stored are the bytes
hashed, by every way of writing (straight to the disk, through the cache, falling back
from one to the other mid-file); a file changed while it is copied is refused; all or
nothing (a failure at any step, in any worker, leaves no file under a real name and no
row); each file fsync'd before its rename, the folders after the renames, the rows last;
results in the order the files were given, whatever order they were copied in."""

from __future__ import annotations

import errno
import io
import os
import sys
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

import pytest

from tests.core.test_evidence import dump, evidence_plan, rows, sha, store_files, write
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.errors import NotFoundError, UserError
from zwgk_desktop.core.evidence import copying, records


@pytest.fixture
def tasks(ledger) -> list[int]:
    return evidence_plan(ledger)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "我的文件"
    folder.mkdir()
    return folder


def _pipeline_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("zwgk-evidence-")]


def _no_trace(ledger) -> None:
    """Nothing under a real name, no temporary file, no row, no thread left running."""
    assert store_files(ledger) == []
    assert rows(ledger) == []
    assert _pipeline_threads() == []


# -- what is stored is what is named ----------------------------------------------------

SIZES = [0, 1, 4095, 4096, 4097, ev.CHUNK - 1, ev.CHUNK, ev.CHUNK + 1, 2 * ev.CHUNK + 12345]


def _attach_sizes(ledger, tasks, src) -> list[tuple[str, int, bytes]]:
    datas = [os.urandom(n) for n in SIZES]
    paths = [write(src / f"{n}.bin", data) for n, data in zip(SIZES, datas)]
    added = ev.attach_files(ledger, tasks[0], paths, "2023Q3").added
    return [(item.sha256, item.size, data) for item, data in zip(added, datas)]


def _direct_here(folder: Path) -> bool:
    probe = folder / "probe"
    with copying._open_temp(probe) as handle:
        direct = copying._is_direct(handle)
    probe.unlink()
    return direct


def _opened_temps(monkeypatch) -> list[bool]:
    """Records, for each temporary file opened, whether it is written straight to disk."""
    seen: list[bool] = []
    real = copying._open_temp

    def opener(path: Path):
        handle = real(path)
        seen.append(copying._is_direct(handle))
        return handle

    monkeypatch.setattr(copying, "_open_temp", opener)
    return seen


@pytest.mark.parametrize("way", ["direct", "cache"])
def test_every_way_stores_exactly_the_bytes_its_name_says(ledger, tasks, src, monkeypatch, way):
    if way == "cache":
        monkeypatch.setattr(copying, "_DIRECT", 0)  # as on Windows, or where direct writes are refused
    elif not _direct_here(src):
        pytest.skip("this file system takes no direct writes")
    opened = _opened_temps(monkeypatch)
    for digest, size, data in _attach_sizes(ledger, tasks, src):
        assert (digest, size) == (sha(data), len(data))
        assert ev.stored_path(ledger, digest).read_bytes() == data
    assert opened == [way == "direct"] * len(SIZES)
    assert _pipeline_threads() == []


class _Refusing(io.FileIO):
    """A temporary file on a file system that opens with O_DIRECT but then refuses the
    writes (EINVAL), or writes them short and unaligned: the copy goes on through the cache."""

    mode_of_failure = "refuse"

    def write(self, data) -> int:
        if copying._is_direct(self):
            if self.mode_of_failure == "refuse":
                raise OSError(errno.EINVAL, "Invalid argument")
            copying._stop_direct(self)  # five thousand bytes, as a direct write cut short would
            try:
                return super().write(memoryview(data)[:5000])
            finally:
                fcntl.fcntl(self.fileno(), fcntl.F_SETFL, fcntl.fcntl(self.fileno(), fcntl.F_GETFL) | os.O_DIRECT)
        return super().write(data)


@pytest.mark.skipif(not getattr(os, "O_DIRECT", 0), reason="no direct writes on this system")
@pytest.mark.parametrize("failure", ["refuse", "short"])
def test_a_file_system_that_takes_direct_writes_badly_gets_them_through_the_cache(
        ledger, tasks, src, monkeypatch, failure):
    direct_opens: list[bool] = []

    def opener(path: Path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_DIRECT, 0o666)
        handle = _Refusing(fd, "wb", closefd=True)
        handle.mode_of_failure = failure
        direct_opens.append(copying._is_direct(handle))
        return handle

    try:
        os.close(os.open(src / "probe", os.O_WRONLY | os.O_CREAT | os.O_DIRECT, 0o666))
    except OSError:
        pytest.skip("this file system takes no direct writes")
    monkeypatch.setattr(copying, "_open_temp", opener)
    data = os.urandom(2 * ev.CHUNK + 777)
    item = ev.attach_files(ledger, tasks[0], [write(src / "a.bin", data)], "2023Q3").added[0]
    assert direct_opens == [True]
    assert (item.sha256, item.size) == (sha(data), len(data))
    assert ev.stored_path(ledger, item.sha256).read_bytes() == data


@pytest.mark.parametrize("workers", [1, copying.COPY_WORKERS])
def test_results_are_in_the_order_given_whatever_order_they_were_copied_in(ledger, tasks, src, monkeypatch,
                                                                          workers):
    monkeypatch.setattr(copying, "COPY_WORKERS", workers)
    sizes = [10, 3 * ev.CHUNK, 0, ev.CHUNK + 5, 1, 2 * ev.CHUNK, 77, 5000]
    paths = [write(src / f"{i}-{n}.bin", os.urandom(n)) for i, n in enumerate(sizes)]
    started: list[str] = []
    real_open = copying._open_source

    def opener(path: Path):
        started.append(path.name)
        return real_open(path)

    monkeypatch.setattr(copying, "_open_source", opener)
    result = ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    names = [p.name for p in paths]
    if workers == 1:  # the largest first…
        assert started == [names[i] for i in (1, 5, 3, 7, 6, 0, 4, 2)]
    assert sorted(started) == sorted(names)
    assert [e.name for e in result.added] == names  # …yet every result is where it was given
    assert [(e.sha256, e.size) for e in result.added] == [(sha(p.read_bytes()), p.stat().st_size) for p in paths]
    assert [r[4] for r in rows(ledger)] == names  # and so are the rows, by id


def test_progress_reports_bytes_in_pieces(ledger, tasks, src):
    big = write(src / "big.bin", os.urandom(ev.CHUNK * 2 + 10))
    small = write(src / "small.bin", b"xyz")
    seen: list[tuple[int, int, str]] = []
    ev.attach_files(ledger, tasks[0], [big, small], "2023Q1", progress=lambda *a: seen.append(a))
    total = ev.CHUNK * 2 + 13
    assert seen[-1] == (total, total, "")  # the end, once every file is in
    copying_steps = seen[:-1]
    assert {t for _, t, _ in copying_steps} == {total}
    steps = [(name, done - before) for (before, _, _), (done, _, name) in zip([(0, 0, "")] + copying_steps,
                                                                             copying_steps)]
    # files are copied side by side, so their pieces may interleave; each file's are in order
    assert [n for name, n in steps if name == "big.bin"] == [ev.CHUNK, ev.CHUNK, 10]
    assert [n for name, n in steps if name == "small.bin"] == [3]


def test_empty_file_and_many_files(ledger, tasks, src):
    paths = [write(src / "空.txt", b"")] + [write(src / f"{i:02d}.txt", bytes([i]) * i * 1000) for i in range(1, 40)]
    result = ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    assert [(e.name, e.sha256, e.size) for e in result.added] == [
        (p.name, sha(p.read_bytes()), p.stat().st_size) for p in paths]
    assert len(store_files(ledger)) == 40
    for item in result.added:
        assert ev.stored_path(ledger, item.sha256).read_bytes() == (src / item.name).read_bytes()
    assert _pipeline_threads() == []


# -- a file changed while it is copied --------------------------------------------------


class _ChangedWhileRead(io.FileIO):
    """The clerk's file, changed by another program just after the first piece was read."""

    change = None

    def readinto(self, buffer) -> int:
        n = super().readinto(buffer)
        if self.change is not None:
            change, self.change = self.change, None
            change(Path(self.name))
        return n


def _append(path: Path) -> None:
    with open(path, "ab") as handle:
        handle.write(b"more")


def _rewrite_in_place(path: Path) -> None:
    """Same size, other bytes, and a later time stamp (as an editor saving in place)."""
    stamp = path.stat().st_mtime_ns
    with open(path, "r+b") as handle:
        handle.write(b"X" * 100)
    os.utime(path, ns=(stamp + 2_000_000_000, stamp + 2_000_000_000))


def _truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(ev.CHUNK + 10)


@pytest.mark.parametrize("change", [_append, _rewrite_in_place, _truncate])
@pytest.mark.parametrize("way", ["direct", "cache"])
def test_a_file_changed_while_it_is_copied_is_refused_and_nothing_added(ledger, tasks, src, monkeypatch,
                                                                           change, way):
    if way == "cache":
        monkeypatch.setattr(copying, "_DIRECT", 0)
    others = [write(src / f"other-{i}.bin", os.urandom(1000 + i)) for i in range(3)]
    path = write(src / "正在保存.docx", os.urandom(3 * ev.CHUNK))
    real_open = copying._open_source

    def opener(p: Path):
        if p != path:
            return real_open(p)
        handle = _ChangedWhileRead(p, "rb")
        handle.change = change
        return handle

    monkeypatch.setattr(copying, "_open_source", opener)
    snapshot = dump(ledger)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [*others, path], "2023Q3")
    assert caught.value.message.startswith("文件“正在保存.docx”在添加的过程中被修改了")
    assert str(path) in caught.value.message
    assert "没有添加任何材料" in caught.value.message
    _no_trace(ledger)
    assert dump(ledger) == snapshot


def test_a_file_not_changed_while_it_is_copied_is_not_refused(ledger, tasks, src, monkeypatch):
    """The same reader without a change: the refusal above comes from the change alone."""
    path = write(src / "正在保存.docx", os.urandom(3 * ev.CHUNK))
    monkeypatch.setattr(copying, "_open_source", lambda p: _ChangedWhileRead(p, "rb"))
    item = ev.attach_files(ledger, tasks[0], [path], "2023Q3").added[0]
    assert item.sha256 == sha(path.read_bytes())


# -- all or nothing ---------------------------------------------------------------------


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
    real_open, real_replace = copying._open_source, os.replace
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

    monkeypatch.setattr(copying, "_open_source", opener)
    monkeypatch.setattr(copying.os, "replace", replace)
    snapshot = dump(ledger)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [good, bad], "2023Q3", progress=progress)
    assert caught.value.message.startswith("读取文件“bad.pdf”时出错")
    assert "Input/output error" in caught.value.message
    assert "没有添加任何材料" in caught.value.message
    assert parts_seen and all(name.startswith(ev.TEMP_PREFIX) and name.endswith(ev.TEMP_SUFFIX)
                              for name in parts_seen)  # while copying, only temporary names
    assert renamed == []  # nothing ever got a real name
    _no_trace(ledger)
    assert dump(ledger) == snapshot
    assert good.read_bytes() == b"fine content"


def test_a_failure_while_renaming_takes_back_the_files_already_renamed(ledger, tasks, src, monkeypatch):
    paths = [write(src / f"{i}.bin", os.urandom(1000 + i)) for i in range(4)]
    real_replace = os.replace
    renamed: list[str] = []

    def replace(a, b):
        if len(renamed) == 2:
            raise OSError(errno.EIO, "Input/output error")
        renamed.append(str(b))
        return real_replace(a, b)

    monkeypatch.setattr(copying.os, "replace", replace)
    with pytest.raises(UserError, match="写入台账文件夹时出错:Input/output error。"):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    assert len(renamed) == 2 and not any(Path(name).exists() for name in renamed)
    _no_trace(ledger)


class _FullDisk(io.FileIO):
    def write(self, data) -> int:
        raise OSError(28, "No space left on device")


class _FullAfterOnePiece(io.FileIO):
    written = 0

    def write(self, data) -> int:
        if self.written:
            raise OSError(28, "No space left on device")
        self.written = super().write(data)
        return self.written


@pytest.mark.parametrize("when", ["at once", "after one piece"])
def test_disk_full_while_writing_adds_nothing(ledger, tasks, src, monkeypatch, when):
    paths = [write(src / f"{i}.bin", os.urandom(ev.CHUNK + i)) for i in range(3)]
    kind = _FullDisk if when == "at once" else _FullAfterOnePiece
    monkeypatch.setattr(copying, "_open_temp", lambda p: kind(p, "x"))
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    assert caught.value.message.startswith("写入台账文件夹时出错:No space left on device。")
    _no_trace(ledger)


def test_fsync_failure_adds_nothing(ledger, tasks, src, monkeypatch):
    paths = [write(src / "a.bin", b"a" * 10), write(src / "b.bin", b"b" * 10)]

    def broken(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(copying.os, "fsync", broken)
    with pytest.raises(UserError, match="写入台账文件夹时出错"):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    monkeypatch.undo()
    _no_trace(ledger)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="names an fsync'd descriptor through /proc")
def test_each_file_is_on_disk_before_its_rename_the_folders_after_and_the_rows_last(ledger, tasks, src,
                                                                                    monkeypatch):
    paths = [write(src / f"{i}.bin", os.urandom(ev.CHUNK // 3 + i)) for i in range(5)]
    events: list[tuple[str, str]] = []
    lock = threading.Lock()
    real_fsync, real_replace, real_record = os.fsync, os.replace, records._record_files

    def fsync(fd):
        with lock:
            events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(a, b):
        events.append(("rename", str(a)))
        return real_replace(a, b)

    def record(*args, **kwargs):
        events.append(("rows", ""))
        return real_record(*args, **kwargs)

    monkeypatch.setattr(copying.os, "fsync", fsync)
    monkeypatch.setattr(copying.os, "replace", replace)
    monkeypatch.setattr(records, "_record_files", record)
    ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    monkeypatch.undo()
    kinds = [kind for kind, _ in events]
    renames = [i for i, kind in enumerate(kinds) if kind == "rename"]
    assert len(renames) == 5
    for i in renames:
        assert ("fsync", events[i][1]) in events[:i]  # the temporary file's bytes, before its name
    evidence_dir = str(ledger.evidence_dir.resolve())
    folders = {evidence_dir} | {str(Path(evidence_dir) / p.name) for p in ledger.evidence_dir.iterdir() if p.is_dir()}
    folder_syncs = [i for i, (kind, what) in enumerate(events) if kind == "fsync" and what in folders]
    assert folder_syncs and min(folder_syncs) > max(renames)  # the names, once, after every rename
    assert kinds.index("rows") > max(folder_syncs)  # and only then the ledger's rows


def test_cancel_from_progress_adds_nothing(ledger, tasks, src):
    paths = [write(src / "a.bin", os.urandom(ev.CHUNK + 1)), write(src / "b.bin", b"b")]

    def cancel(done: int, total: int, name: str) -> None:
        if name == "b.bin":
            raise ev.AttachCancelled()

    with pytest.raises(ev.AttachCancelled):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3", progress=cancel)
    _no_trace(ledger)


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


def test_a_failure_in_one_file_stops_the_other_workers(ledger, tasks, src, monkeypatch):
    real_open = copying._open_source
    paths = [write(src / f"{i}.bin", os.urandom(ev.CHUNK // 2)) for i in range(9)]

    def opener(path: Path):
        if path.name == "3.bin":
            raise PermissionError(13, "Permission denied")
        return real_open(path)

    monkeypatch.setattr(copying, "_open_source", opener)
    with pytest.raises(UserError, match="无法打开文件“3.bin”"):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    _no_trace(ledger)


# -- refused before copying -------------------------------------------------------------


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

    monkeypatch.setattr(copying, "_open_source", locked)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    assert caught.value.message.startswith("无法打开文件“正在编辑.docx”")
    assert "请关闭正在使用该文件的程序" in caught.value.message
    _no_trace(ledger)


def test_unknown_task_is_refused_before_copying(ledger, tasks, src):
    with pytest.raises(NotFoundError):
        ev.attach_files(ledger, 999, [write(src / "a.txt", b"a")], "2023Q3")
    assert store_files(ledger) == []
