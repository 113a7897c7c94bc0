"""The content store: the ledger's ``evidence/`` folder, where every file is kept once,
named by its SHA-256 (``evidence/ab/abcdef….png``, the extension of the first copy
kept, lower-cased).

Getting a file in, durably. Each file is copied to a temporary ``.part`` name inside
``evidence/`` (the same volume as its final place) while it is hashed, flushed and
fsync'd, and only then renamed to its hash with ``os.replace``: a crash leaves at most
a ``.part`` file, never half a file under a real name, and the hash always describes
the bytes that were written. Stored files are made read-only; the clerk's own files
are only ever opened for reading.

Getting it in fast. Hashing (about 1.7 GB/s on one core) is the slowest step of a
copy from the page cache, so copying runs on two worker threads, each taking the next
whole file, and inside a file the next piece is fetched while the last one is hashed.
On Linux the bytes never pass through Python: ``os.copy_file_range`` copies a piece
inside the kernel, and the piece is hashed from the temporary file itself (mapped,
not read), so the name is computed from what is on disk and nothing is read twice.
Where copy_file_range refuses (between two file systems) sendfile does the same; where
neither exists (Windows) each piece is read into a buffer, hashed and written. Write-back
of each piece starts at once (``sync_file_range`` where there is one), so the fsync at
the end of a file waits for little; fsyncs run on their own threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import mmap
import os
import queue
import stat
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..durable import fsync_path
from ..errors import UserError
from ..ledger import Ledger
from ..model import Evidence
from .names import safe_filename, stored_ext

__all__ = [
    "CHUNK",
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "AttachCancelled",
    "ProgressCallback",
    "Staged",
    "copy_in",
    "discard",
    "find_stored",
    "hash_file",
    "leftover_temps",
    "remove_file",
    "settle",
    "stage",
    "stored_path",
    "viewer_copy",
]

CHUNK = 8 << 20  # one piece: large enough that a call costs nothing next to its bytes
COPY_WORKERS = 2  # files copied side by side (hashing is the bottleneck, one core each)
SYNC_THREADS = 2  # fsyncs of finished files run side by side (the file system may commit them together)
TEMP_SUFFIX = ".part"
TEMP_PREFIX = ".incoming-"
STALE_TEMP_SECONDS = 24 * 3600

# (bytes done, bytes in all, name of the file being copied); may raise to cancel.
ProgressCallback = Callable[[int, int, str], None]

#: errno values of a failed copy that are about the ledger's disk, not the clerk's file.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EROFS, getattr(errno, "EDQUOT", errno.ENOSPC)}
#: errno values that mean "no in-kernel copy between these two files": copy another way.
_NO_KERNEL_COPY = {errno.ENOSYS, errno.EXDEV, errno.EINVAL, errno.EOPNOTSUPP,
                   getattr(errno, "ENOTSUP", errno.EOPNOTSUPP), errno.EBADF, errno.EPERM}


class AttachCancelled(UserError):
    """The clerk cancelled a copy: nothing was added."""

    def __init__(self) -> None:
        super().__init__("已取消添加,没有添加任何材料。")


# -- finding ----------------------------------------------------------------------------


def _shard(evidence_dir: Path, sha256: str) -> Path:
    return evidence_dir / sha256[:2]


def stored_path(ledger: Ledger, sha256: str | None) -> Path | None:
    """Where the file with this hash is stored, or None if it is not there."""
    if not sha256:
        return None
    return find_stored(ledger.evidence_dir, sha256)


def find_stored(evidence_dir: Path, sha256: str) -> Path | None:
    folder = _shard(evidence_dir, sha256)
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if (name == sha256 or (name.startswith(sha256 + ".") and not name.endswith(TEMP_SUFFIX))) \
                        and entry.is_file():
                    return Path(entry.path)
    except OSError:
        return None
    return None


def hash_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """SHA-256 of a stored file, reporting each piece read (for 检查佐证材料)."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            digest.update(view[:n])
            if progress is not None:
                progress(n)
    return digest.hexdigest()


def leftover_temps(evidence_dir: Path) -> list[Path]:
    """``.part`` files a crashed copy left behind (harmless; listed by the check)."""
    try:
        return sorted(evidence_dir.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))
    except OSError:
        return []


# -- small file operations --------------------------------------------------------------


def _open_source(path: Path) -> BinaryIO:
    """Opening a clerk's file, for reading only (tests replace this to fail mid-copy)."""
    return open(path, "rb", buffering=0)


def _open_temp(path: Path) -> BinaryIO:
    """A new temporary file in the store: created, never overwritten; readable too, so
    the copied bytes can be hashed from it (tests replace this to fill the disk)."""
    return open(path, "xb+", buffering=0)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _holds(path: Path, sha256: str) -> bool:
    """Does the stored file still hold what its name says? (A flipped bit keeps the size.)"""
    try:
        return hash_file(path) == sha256
    except OSError:
        return False


def _make_read_only(path: Path) -> None:
    try:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    except OSError:
        pass


def remove_file(path: Path) -> bool:
    """Delete a stored (read-only) file; False if it was not there."""
    try:
        path.chmod(stat.S_IWRITE | stat.S_IREAD)  # Windows refuses to delete read-only files
    except OSError:
        pass
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False


def _load_sync_file_range() -> Callable[[int, int, int], None] | None:
    """Linux's sync_file_range(…, SYNC_FILE_RANGE_WRITE): start writing a piece to disk
    now, without waiting, so the fsync at the end of the file has little left to do."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
    function.restype = ctypes.c_int

    def start_writeback(fd: int, offset: int, length: int) -> None:
        function(fd, offset, length, 2)  # SYNC_FILE_RANGE_WRITE; a refusal only loses the head start

    return start_writeback


_start_writeback = _load_sync_file_range()
_kernel_copy = getattr(os, "copy_file_range", None)  # Linux; None elsewhere


def _sendfile_copy(src_fd: int, dst_fd: int, count: int, offset_src: int, offset_dst: int) -> int:
    """sendfile, in the kernel too and between any two file systems (copy_file_range
    refuses a USB stick's FAT to the ledger's ext4 since Linux 5.19). It writes at the
    target's position, which is ``offset_dst``: pieces are copied in order."""
    return os.sendfile(dst_fd, src_fd, offset_src, count)


_send_copy = _sendfile_copy if sys.platform.startswith("linux") and hasattr(os, "sendfile") else None


# -- errors as the clerk reads them -----------------------------------------------------


@dataclass(slots=True)
class Staged:
    """One file on its way in: its temporary name, then its hash and final place."""

    source: Path
    name: str
    temp: Path
    sha256: str = ""
    size: int = 0
    final: Path | None = None
    created: bool = False  # this attach put the file in the store


def check_sources(paths: Sequence[Path]) -> list[int]:
    """Every file there, a plain file and readable, before anything is copied; their sizes."""
    sizes = []
    for path in paths:
        advice = "请确认文件还在原来的位置(没有被移动、改名或删除,U 盘仍然插着),然后重新添加。没有添加任何材料。"
        try:
            info = path.stat()
        except FileNotFoundError:
            raise UserError(f"找不到文件“{path.name}”(位置:{path})。\n{advice}") from None
        except OSError as exc:
            raise UserError(f"无法读取文件“{path.name}”(位置:{path}):{exc.strerror or exc}。\n{advice}") from exc
        if stat.S_ISDIR(info.st_mode):
            raise UserError(f"“{path.name}”是一个文件夹,不是文件(位置:{path})。"
                            "请打开文件夹选中其中的文件再添加(可以一次选择多个文件)。没有添加任何材料。")
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"“{path.name}”不是普通文件,不能作为佐证材料(位置:{path})。没有添加任何材料。")
        if not os.access(path, os.R_OK):
            raise UserError(f"没有权限读取文件“{path.name}”(位置:{path})。\n"
                            "请把文件复制到“桌面”或“文档”等自己的文件夹后再添加。没有添加任何材料。")
        sizes.append(info.st_size)
    return sizes


def _read_error(item: Staged, exc: OSError) -> UserError:
    return UserError(f"读取文件“{item.name}”时出错(位置:{item.source}):{exc.strerror or exc}。\n"
                     "请确认文件没有被其他程序占用、U 盘或网络盘没有断开,然后重新添加。没有添加任何材料。")


def _open_error(item: Staged, exc: OSError) -> UserError:
    return UserError(f"无法打开文件“{item.name}”(位置:{item.source}):{exc.strerror or exc}。\n"
                     "请关闭正在使用该文件的程序,或把文件复制到自己的文件夹后再添加。没有添加任何材料。")


def write_error(exc: OSError) -> UserError:
    return UserError(f"写入台账文件夹时出错:{exc.strerror or exc}。"
                     "请检查台账所在磁盘的剩余空间和写入权限,然后重新添加。没有添加任何材料。")


# -- copying in -------------------------------------------------------------------------


class _Stopped(Exception):
    """Another worker failed or the clerk cancelled: stop between pieces."""


class _NoKernelCopy(Exception):
    """copy_file_range cannot copy this pair of files: copy through buffers instead."""


_DONE = object()  # a worker has no more files


def _write_all(target: BinaryIO, view: memoryview) -> None:
    while view:
        n = target.write(view)
        if n is None:  # a non-blocking file would say "try again"; the store's never does
            continue
        view = view[n:]


def _hash_piece(digest: Any, fd: int, offset: int, length: int) -> None:
    """Hash bytes of the temporary file straight from the page cache (mapped, not copied)."""
    skip = offset % mmap.ALLOCATIONGRANULARITY  # a short copy leaves the next piece unaligned
    flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
    with mmap.mmap(fd, length + skip, flags=flags, prot=mmap.PROT_READ, offset=offset - skip) as mapped:
        if not skip:
            digest.update(mapped)
            return
        with memoryview(mapped) as whole, whole[skip:] as piece:
            digest.update(piece)


class _Copier:
    """Copies one file at a time per worker; ``report(index, n)`` after each piece."""

    def __init__(self, staged: list[Staged], report: Callable[[int, int], None], stop: threading.Event,
                 fetcher: ThreadPoolExecutor, finished: Callable[[BinaryIO], None]) -> None:
        self.staged, self.report, self.stop = staged, report, stop
        self.fetcher, self.finished = fetcher, finished
        self._local = threading.local()  # each worker's two buffers, reused file after file

    def _buffers(self) -> list[bytearray]:
        """Allocated once per worker: two fresh 8 MiB buffers per file would cost more
        than copying a folder of small screenshots."""
        buffers = getattr(self._local, "buffers", None)
        if buffers is None:
            buffers = self._local.buffers = [bytearray(CHUNK), bytearray(CHUNK)]
        return buffers

    def copy(self, index: int) -> None:
        item = self.staged[index]
        try:
            source = _open_source(item.source)
        except OSError as exc:
            raise _open_error(item, exc) from exc
        with source:
            try:
                target = _open_temp(item.temp)
            except OSError as exc:
                raise write_error(exc) from exc
            handed_on = False
            try:
                digest = hashlib.sha256()
                size = None
                for way in (_kernel_copy, _send_copy):
                    if way is None:
                        continue
                    try:
                        size = self._in_kernel(way, item, index, source, target, digest)
                        break
                    except _NoKernelCopy:
                        digest = hashlib.sha256()
                if size is None:
                    size = self._through_buffers(item, index, source, target, digest)
                item.sha256, item.size = digest.hexdigest(), size
                handed_on = True
                self.finished(target)  # flushed, fsync'd and closed on a sync thread
            finally:
                if not handed_on:
                    target.close()

    def _in_kernel(self, way: Callable[[int, int, int, int, int], int], item: Staged, index: int,
                   source: BinaryIO, target: BinaryIO, digest: Any) -> int:
        try:
            src_fd, dst_fd = source.fileno(), target.fileno()
        except (OSError, ValueError):  # a file-like object without a descriptor
            raise _NoKernelCopy from None
        try:
            os.lseek(dst_fd, 0, os.SEEK_SET)  # from the start, after a way that gave up
            os.ftruncate(dst_fd, 0)
        except OSError as exc:
            raise write_error(exc) from exc

        def fetch(offset: int) -> int:
            return way(src_fd, dst_fd, CHUNK, offset, offset)

        offset = 0
        pending: Future = self.fetcher.submit(fetch, 0)
        try:
            while True:
                try:
                    n = pending.result()
                except OSError as exc:
                    if offset == 0 and exc.errno in _NO_KERNEL_COPY:
                        raise _NoKernelCopy from None
                    raise (write_error(exc) if exc.errno in _WRITE_ERRNOS else _read_error(item, exc)) from exc
                if not n:
                    if offset == 0 and os.fstat(src_fd).st_size > 0:
                        raise _NoKernelCopy  # a file system that copies nothing (some network ones)
                    return offset
                if self.stop.is_set():
                    raise _Stopped
                pending = self.fetcher.submit(fetch, offset + n)  # the next piece copies while this one is hashed
                if _start_writeback is not None:
                    _start_writeback(dst_fd, offset, n)
                try:
                    _hash_piece(digest, dst_fd, offset, n)
                except OSError as exc:
                    if offset == 0:  # a file system that cannot map files
                        raise _NoKernelCopy from None
                    raise write_error(exc) from exc
                offset += n
                self.report(index, n)
        finally:
            if not pending.done():
                pending.cancel()
            try:
                pending.exception()  # wait: no copy may still be writing when the file closes
            except BaseException:  # noqa: BLE001 - only waiting here
                pass

    def _through_buffers(self, item: Staged, index: int, source: BinaryIO, target: BinaryIO, digest: Any) -> int:
        readinto = getattr(source, "readinto", None)

        def fetch(buffer: bytearray) -> int:
            if readinto is not None:
                return readinto(buffer) or 0
            data = source.read(CHUNK)  # a file-like object without readinto
            buffer[:len(data)] = data
            return len(data)

        try:
            source.seek(0)  # after a kernel copy that gave up, from the start
        except (OSError, ValueError, AttributeError):
            pass
        try:
            target.seek(0)
            target.truncate(0)
        except OSError as exc:
            raise write_error(exc) from exc
        buffers = self._buffers()
        which, offset = 0, 0
        pending: Future = self.fetcher.submit(fetch, buffers[0])
        try:
            while True:
                try:
                    n = pending.result()
                except OSError as exc:
                    raise _read_error(item, exc) from exc
                if not n:
                    return offset
                if self.stop.is_set():
                    raise _Stopped
                view = memoryview(buffers[which])[:n]
                which ^= 1
                pending = self.fetcher.submit(fetch, buffers[which])  # the next piece is read meanwhile
                digest.update(view)
                try:
                    _write_all(target, view)
                except OSError as exc:
                    raise write_error(exc) from exc
                if _start_writeback is not None:
                    _start_writeback(target.fileno(), offset, n)
                offset += n
                self.report(index, n)
        finally:
            if not pending.done():
                pending.cancel()
            try:
                pending.exception()
            except BaseException:  # noqa: BLE001 - only waiting here
                pass


def copy_in(staged: list[Staged], total: int, progress: ProgressCallback | None) -> int:
    """Copy every file to its temporary name, hashing as it goes (see the module's
    docstring). Progress is reported on the calling thread, so a progress callback may
    raise to cancel. Any failure stops every worker; all files are closed before this
    returns or raises. Returns the number of bytes copied."""
    stop = threading.Event()
    events: queue.Queue = queue.Queue()
    todo: queue.Queue = queue.Queue()
    for index in range(len(staged)):
        todo.put(index)
    to_sync: queue.Queue = queue.Queue()
    sync_errors: list[OSError] = []
    fetcher = ThreadPoolExecutor(max_workers=COPY_WORKERS, thread_name_prefix="zwgk-evidence-fetch")
    copier = _Copier(staged, lambda index, n: events.put((index, n)), stop, fetcher, to_sync.put)

    def worker() -> None:
        try:
            while not stop.is_set():
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                copier.copy(index)
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, which raises it
            stop.set()
            events.put(exc)
        finally:
            events.put(_DONE)

    def syncer() -> None:
        while True:
            handle = to_sync.get()
            if handle is None:
                return
            try:
                if not sync_errors and not stop.is_set():
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                sync_errors.append(exc)
            finally:
                try:
                    handle.close()
                except OSError as exc:
                    sync_errors.append(exc)

    workers = [threading.Thread(target=worker, name=f"zwgk-evidence-copy-{i}", daemon=True)
               for i in range(min(COPY_WORKERS, max(1, len(staged))))]
    syncers = [threading.Thread(target=syncer, name=f"zwgk-evidence-sync-{i}", daemon=True)
               for i in range(SYNC_THREADS)]
    for thread in (*workers, *syncers):
        thread.start()
    done, running = 0, len(workers)
    try:
        while running:
            message = events.get()
            if message is _DONE:
                running -= 1
                continue
            if isinstance(message, BaseException):
                raise message
            index, n = message
            done += n
            if progress is not None:
                progress(done, max(total, done), staged[index].name)
    except BaseException:
        stop.set()
        raise
    finally:
        for thread in workers:
            thread.join()
        fetcher.shutdown(wait=True)
        for _ in syncers:
            to_sync.put(None)
        for thread in syncers:
            thread.join()
    if sync_errors:
        raise write_error(sync_errors[0])
    return done


def _clean_stale_temps(evidence_dir: Path) -> None:
    """``.part`` files left by a crash long ago are of no use to anyone."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        with os.scandir(evidence_dir) as entries:
            for entry in entries:
                if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
                    try:
                        if entry.stat().st_mtime < cutoff:
                            os.unlink(entry.path)
                    except OSError:
                        pass
    except OSError:
        pass


def stage(evidence_dir: Path, sources: Sequence[Path], names: Sequence[str]) -> list[Staged]:
    """A temporary name in the store for each file (nothing written yet)."""
    try:
        evidence_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(exc) from exc
    _clean_stale_temps(evidence_dir)
    return [Staged(source=path, name=names[i] or "未命名",
                   temp=evidence_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex}{TEMP_SUFFIX}")
            for i, path in enumerate(sources)]


def settle(evidence_dir: Path, staged: list[Staged]) -> None:
    """Every file is safely copied: give each its real name. A file the store already
    holds intact is kept once; a damaged copy (by its hash, not its size) is replaced
    by the fresh one. The renames reach the disk before this returns."""
    renamed_in: set[Path] = set()
    for item in staged:
        existing = find_stored(evidence_dir, item.sha256)
        if existing is not None and _size_of(existing) == item.size and _holds(existing, item.sha256):
            item.final = existing
            remove_file(item.temp)
            continue
        if existing is not None:
            try:
                existing.chmod(stat.S_IWRITE | stat.S_IREAD)
            except OSError:
                pass
            os.replace(item.temp, existing)
            _make_read_only(existing)
            renamed_in.add(existing.parent)
            item.final = existing
            continue
        folder = _shard(evidence_dir, item.sha256)
        folder.mkdir(exist_ok=True)
        final = folder / f"{item.sha256}{stored_ext(item.name)}"
        os.replace(item.temp, final)
        _make_read_only(final)
        renamed_in.add(folder)
        item.final, item.created = final, True
    for folder in sorted(renamed_in):
        fsync_path(folder)
    fsync_path(evidence_dir)


def discard(staged: list[Staged]) -> None:
    """After a failure: the temporary files go (the clerk's files are untouched)."""
    for item in staged:
        try:
            remove_file(item.temp)
        except OSError:
            pass


# -- handing a copy out -----------------------------------------------------------------


def viewer_copy(ledger: Ledger, item: Evidence, folder: Path | None = None) -> Path:
    """A read-only copy of a stored file under its original (made safe) name, for a
    system viewer: the viewer shows a sensible name and cannot alter the store."""
    path = stored_path(ledger, item.sha256)
    if path is None:
        raise UserError(f"佐证材料“{item.name}”的文件在台账文件夹中找不到了。"
                        "请运行“检查佐证材料”,并从备份中找回。")
    base = folder or Path(tempfile.gettempdir()) / "zwgk-佐证材料"
    _clean_old_copies(base)
    target_dir = base / uuid.uuid4().hex[:12]
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / safe_filename(item.name)
    with open(path, "rb") as src, open(target, "xb") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
    _make_read_only(target)
    return target


def _clean_old_copies(base: Path, days: int = 7) -> None:
    """Viewer copies are throw-away: those older than a week are removed (best effort;
    one still open in a viewer on Windows simply stays until next time)."""
    cutoff = time.time() - days * 86400
    try:
        folders = [p for p in base.iterdir() if p.is_dir()]
    except OSError:
        return
    for folder in folders:
        try:
            if folder.stat().st_mtime >= cutoff:
                continue
            for child in folder.iterdir():
                remove_file(child)
            folder.rmdir()
        except OSError:
            pass
