"""Copying the clerk's files into the content store (store.py): checked first, copied
under temporary names on several threads, each hashed as it is written, made durable,
then given their real names. ``records.attach_files`` calls, in this order, ``check_sources``,
``stage``, ``copy_in``, ``settle`` (or ``discard`` after any failure).

Why the name always describes the stored bytes. Each worker reads a piece of the
clerk's file into its own buffer, hashes that buffer and writes that same buffer to the
temporary file; the buffer is not touched again until the write has returned. So the
SHA-256 is of exactly the bytes written, whatever happens to the clerk's file meanwhile.

Why a file changed during the copy is refused. A file still being saved by another
program would be stored as half old, half new: correctly named, but not what the clerk
meant. The size and modification time of the open file are compared before the first
read and after the last, and every byte of the size seen at the start must have been
read; any difference stops the attach and nothing is added (the clerk adds it again once
the other program is done). A writer that keeps both the size and the time stamp the same
(within the file system's clock tick) would go unseen; the store is still consistent.

Why a power cut never leaves half a file under a real name. A temporary file is fsync'd
(on its own thread, so the workers go on copying) before ``settle`` renames it; the folders
that received renames are fsync'd once per attach, after all renames and before the
ledger's rows are written. A cut before that folder fsync leaves each file under its
temporary name or its real one, complete either way (its data was on disk before the
rename was issued); no row refers to it yet, and the next attach clears old temporaries.

Why it is fast. Hashing (SHA-256, ~1.7 GB/s on one core) is the slowest step; six
workers, each on its own file (the largest first, so one big PDF does not end the attach
alone), keep both cores of a small PC hashing while others wait for the disk. A piece is
1 MiB, so it is still in the core's cache when it is hashed and written. On Linux the
temporary file is written with ``O_DIRECT``: the disk takes the bytes straight from the
worker's buffer, so no second copy is made in the page cache and no write-back is left
for the fsync, which then only commits the file's metadata (fsyncs run on threads of
their own, side by side, so the file system commits waiting ones together). Where the
file system refuses ``O_DIRECT`` (tmpfs, some network or FUSE file systems), and on
Windows and macOS, writes go through the cache and the fsync waits for them.
"""

from __future__ import annotations

import errno
import hashlib
import mmap
import os
import queue
import stat
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..durable import fsync_path
from ..errors import UserError
from .names import stored_ext
from .store import (
    CHUNK,
    TEMP_PREFIX,
    TEMP_SUFFIX,
    ProgressCallback,
    clean_stale_temps,
    find_stored,
    holds,
    make_read_only,
    remove_file,
    shard,
    size_of,
)

try:
    import fcntl
except ImportError:  # Windows: no direct writes either
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "COPY_WORKERS",
    "Staged",
    "check_sources",
    "copy_in",
    "discard",
    "settle",
    "stage",
    "write_error",
]

COPY_WORKERS = 6  # files copied side by side: two cores hash while the others' writes reach the disk
SYNC_THREADS = 8  # fsyncs of finished files side by side: the file system commits waiting ones together
#: Linux: write temporary files straight from the workers' buffers to the disk; 0 elsewhere.
_DIRECT = getattr(os, "O_DIRECT", 0)
#: A direct write must start, and (but for the last) end, on a multiple of this.
_ALIGN = 4096


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


# -- before copying ---------------------------------------------------------------------


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


def stage(evidence_dir: Path, sources: Sequence[Path], names: Sequence[str]) -> list[Staged]:
    """A temporary name in the store for each file (nothing written yet)."""
    try:
        evidence_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(exc) from exc
    clean_stale_temps(evidence_dir)
    return [Staged(source=path, name=names[i] or "未命名",
                   temp=evidence_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex}{TEMP_SUFFIX}")
            for i, path in enumerate(sources)]


# -- errors as the clerk reads them -----------------------------------------------------


def _read_error(item: Staged, exc: OSError) -> UserError:
    return UserError(f"读取文件“{item.name}”时出错(位置:{item.source}):{exc.strerror or exc}。\n"
                     "请确认文件没有被其他程序占用、U 盘或网络盘没有断开,然后重新添加。没有添加任何材料。")


def _open_error(item: Staged, exc: OSError) -> UserError:
    return UserError(f"无法打开文件“{item.name}”(位置:{item.source}):{exc.strerror or exc}。\n"
                     "请关闭正在使用该文件的程序,或把文件复制到自己的文件夹后再添加。没有添加任何材料。")


def _changed_error(item: Staged) -> UserError:
    return UserError(f"文件“{item.name}”在添加的过程中被修改了(位置:{item.source})。\n"
                     "可能有程序正在保存它。请等它保存完毕(或关闭该程序)后重新添加。没有添加任何材料。")


def write_error(exc: OSError) -> UserError:
    return UserError(f"写入台账文件夹时出错:{exc.strerror or exc}。"
                     "请检查台账所在磁盘的剩余空间和写入权限,然后重新添加。没有添加任何材料。")


# -- copying one file -------------------------------------------------------------------


def _open_source(path: Path) -> BinaryIO:
    """Opening a clerk's file, for reading only (tests replace this to fail mid-copy)."""
    return open(path, "rb", buffering=0)


def _open_temp(path: Path) -> BinaryIO:
    """A new temporary file in the store: created, never overwritten, written straight
    to the disk where the file system allows (tests replace this to fill the disk)."""
    if _DIRECT:
        try:
            return open(path, "xb", buffering=0, opener=lambda p, flags: os.open(p, flags | _DIRECT, 0o666))
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: this file system takes no direct writes
                raise
    return open(path, "xb", buffering=0)


def _state(item: Staged, source: BinaryIO) -> tuple[int, int]:
    """Size and modification time of the file being read (of the open file where it
    has a descriptor, so a file replaced by another under the same name is no concern)."""
    try:
        info = os.fstat(source.fileno())
    except (OSError, ValueError, AttributeError):  # a file-like object without a descriptor
        info = item.source.stat()
    return info.st_size, info.st_mtime_ns


def _fill(source: BinaryIO, view: memoryview) -> int:
    """Read until the buffer is full or the file ends (a read may return less)."""
    n = 0
    while n < len(view):
        got = source.readinto(view[n:])
        if not got:
            break
        n += got
    return n


def _stop_direct(target: BinaryIO) -> None:
    fd = target.fileno()
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_DIRECT)


def _is_direct(target: BinaryIO) -> bool:
    if not _DIRECT or fcntl is None:
        return False
    try:
        return bool(fcntl.fcntl(target.fileno(), fcntl.F_GETFL) & _DIRECT)
    except (OSError, ValueError, AttributeError):  # a file-like object without a descriptor
        return False


def _write(target: BinaryIO, view: memoryview, direct: bool) -> bool:
    """Write all of ``view``; returns whether the file is still written directly. A
    direct write takes whole blocks: the last piece's tail, or everything after a file
    system turns out to want other sizes (EINVAL, nothing written), goes through the
    cache; the file's fsync covers both."""
    while view:
        if direct:
            whole = len(view) - len(view) % _ALIGN
            try:
                n = target.write(view[:whole]) if whole else None
            except OSError as exc:
                if exc.errno != errno.EINVAL:
                    raise
                n = None
            if n is None or n % _ALIGN:  # a tail, a refusal or a short write: the rest cached
                _stop_direct(target)
                direct = False
        else:
            n = target.write(view)
        view = view[n or 0:]
    return direct


class _Stopped(Exception):
    """Another worker failed or the clerk cancelled: stop between pieces."""


def _copy_one(item: Staged, index: int, buffer: mmap.mmap, stop: threading.Event,
              report: Callable[[int, int], None], finished: Callable[[BinaryIO], None]) -> None:
    """Read, hash and write one file through the worker's buffer (see the module's docstring)."""
    try:
        source = _open_source(item.source)
    except OSError as exc:
        raise _open_error(item, exc) from exc
    with source:
        try:
            before = _state(item, source)
        except OSError as exc:
            raise _read_error(item, exc) from exc
        try:
            target = _open_temp(item.temp)
        except OSError as exc:
            raise write_error(exc) from exc
        handed_on = False
        try:
            direct = _is_direct(target)
            digest, done, whole = hashlib.sha256(), 0, memoryview(buffer)
            while True:
                try:
                    n = _fill(source, whole)
                except OSError as exc:
                    raise _read_error(item, exc) from exc
                if not n:
                    break
                if stop.is_set():
                    raise _Stopped
                piece = whole[:n]
                digest.update(piece)
                try:
                    direct = _write(target, piece, direct)
                except OSError as exc:
                    raise write_error(exc) from exc
                done += n
                report(index, n)
                if n < len(whole):
                    break
            try:
                after = _state(item, source)
            except OSError as exc:
                raise _read_error(item, exc) from exc
            if after != before or done != before[0]:
                raise _changed_error(item)
            item.sha256, item.size = digest.hexdigest(), done
            handed_on = True
            finished(target)  # fsync'd and closed on a sync thread
        finally:
            if not handed_on:
                target.close()


# -- copying them all -------------------------------------------------------------------

_DONE = object()  # a worker has no more files


def copy_in(staged: list[Staged], total: int, progress: ProgressCallback | None) -> int:
    """Copy every file to its temporary name, hashed as it is written, and fsync it (see
    the module's docstring). Progress is reported on the calling thread, so a progress
    callback may raise to cancel. Any failure stops every worker; all files are closed
    before this returns or raises. Returns the number of bytes copied."""
    stop = threading.Event()
    events: queue.Queue = queue.Queue()
    todo: queue.Queue = queue.Queue()
    for index in sorted(range(len(staged)), key=lambda i: -size_of(staged[i].source)):
        todo.put(index)  # the largest first: no big file is left to copy alone at the end
    to_sync: queue.Queue = queue.Queue()
    sync_errors: list[OSError] = []

    def report(index: int, n: int) -> None:
        events.put((index, n))

    def worker() -> None:
        buffer = None
        try:
            buffer = mmap.mmap(-1, CHUNK)  # page-aligned, as direct writes need; one per worker
            while not stop.is_set():
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                _copy_one(staged[index], index, buffer, stop, report, to_sync.put)
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, which raises it
            stop.set()
            events.put(exc)
        finally:
            if buffer is not None:
                try:
                    buffer.close()
                except BufferError:  # a failed piece's view is still held by its traceback
                    pass  # unmapped when that goes
            events.put(_DONE)

    def syncer() -> None:
        while (handle := to_sync.get()) is not None:
            try:
                if not sync_errors and not stop.is_set():
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
        for _ in syncers:
            to_sync.put(None)
        for thread in syncers:
            thread.join()
    if sync_errors:
        raise write_error(sync_errors[0])
    return done


# -- after copying ----------------------------------------------------------------------


def settle(evidence_dir: Path, staged: list[Staged]) -> None:
    """Every file is safely copied: give each its real name. A file the store already
    holds intact is kept once; a damaged copy (by its hash, not its size) is replaced
    by the fresh one. The renames reach the disk before this returns: one fsync per
    folder that received one (and of ``evidence/``, which may have new folders), after
    every rename; each file's data was fsync'd before its rename."""
    renamed_in: set[Path] = set()
    try:
        for item in staged:
            _settle_one(evidence_dir, item, renamed_in)
        # side by side, as they wait for the same journal commit: one after another, a busy
        # disk took up to 0.7 s for 187 folders; together, under 0.1 s
        with ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="zwgk-evidence-folder-sync") as pool:
            list(pool.map(fsync_path, [*sorted(renamed_in), evidence_dir]))
    except OSError as exc:
        raise write_error(exc) from exc


def _settle_one(evidence_dir: Path, item: Staged, renamed_in: set[Path]) -> None:
    existing = find_stored(evidence_dir, item.sha256)
    if existing is not None and size_of(existing) == item.size and holds(existing, item.sha256):
        item.final = existing
        remove_file(item.temp)
        return
    if existing is not None:
        try:
            existing.chmod(stat.S_IWRITE | stat.S_IREAD)
        except OSError:
            pass
        os.replace(item.temp, existing)
        make_read_only(existing)
        renamed_in.add(existing.parent)
        item.final = existing
        return
    folder = shard(evidence_dir, item.sha256)
    folder.mkdir(exist_ok=True)
    final = folder / f"{item.sha256}{stored_ext(item.name)}"
    os.replace(item.temp, final)
    make_read_only(final)
    renamed_in.add(folder)
    item.final, item.created = final, True


def discard(staged: list[Staged]) -> None:
    """After a failure: the temporary files go (the clerk's files are untouched)."""
    for item in staged:
        try:
            remove_file(item.temp)
        except OSError:
            pass
