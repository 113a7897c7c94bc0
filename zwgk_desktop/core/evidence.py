"""佐证材料: the evidence store and every operation on it (no Qt).

Files are copied into the ledger's ``evidence/`` folder and named by their SHA-256,
``evidence/ab/abcdef….png`` (the extension of the first copy kept, lower-cased), so an
identical file is stored once however often it is attached. A copy is written in
1 MiB chunks to a temporary ``.part`` name inside ``evidence/`` (the same volume as
its final place), hashed in the same pass, flushed and fsync'd, and only then renamed
with ``os.replace``: a crash leaves at most a ``.part`` file, never half a file under
a real name. A multi-file attach is all-or-nothing: every file is copied first, then
the temporary files are renamed and the rows written in one transaction; if anything
fails, the temporary files are removed and nothing is added.

The clerk's own files are only ever opened for reading. Stored files are made
read-only. Removing evidence moves it to the 回收站 (``removed_at`` set, the file
kept) from which it can be restored; emptying the bin is a separate action that
deletes the rows and then any file no row refers to any more.

Audit rows use entity ``evidence`` with the task's id (like ``progress``), and list
the evidence ids in before/after.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import queue
import re
import stat
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from .durable import fsync_path
from .errors import LedgerReadOnlyError, NotFoundError, UserError
from .ledger import Ledger, now_text
from .model import Evidence
from .quarters import Quarter

__all__ = [
    "AttachCancelled",
    "AttachResult",
    "BinEntry",
    "CheckProblem",
    "CheckReport",
    "EmptyResult",
    "attach_files",
    "attach_note",
    "attach_url",
    "check_store",
    "clean_name",
    "empty_recycle_bin",
    "evidence_by_id",
    "evidence_for_task",
    "format_check_report",
    "format_size",
    "recycle_bin",
    "remove",
    "restore",
    "safe_filename",
    "stored_path",
    "task_ids_without_evidence",
    "task_label",
    "viewer_copy",
]

CHUNK = 1 << 20
PIPELINE_BUFFERS = 8  # 1 MiB buffers in flight between the read, hash and write stages
SYNC_THREADS = 2  # fsyncs of finished files run side by side (the file system may commit them together)
TEMP_SUFFIX = ".part"
TEMP_PREFIX = ".incoming-"
STALE_TEMP_SECONDS = 24 * 3600
MAX_NOTE = 2000
KIND_FILE, KIND_URL, KIND_NOTE = "file", "url", "note"
KIND_NAMES = {KIND_FILE: "文件", KIND_URL: "网页", KIND_NOTE: "说明"}

# (bytes done, bytes in all, name of the file being copied); may raise to cancel.
ProgressCallback = Callable[[int, int, str], None]

_EXT_RE = re.compile(r"^\.[a-z0-9]{1,10}$")
_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
#: Direction controls: embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069 and
#: the marks U+200E, U+200F, U+061C. Invisible, and in a name they reorder what is shown:
#: "报告\u202excod.exe" reads as "报告exe.docx".
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SELECT = ("SELECT e.id, e.task_id, e.kind, e.name, e.sha256, e.url, e.quarter, e.size, e.added_at,"
           " e.added_by, e.note, e.mime, e.published_on, e.removed_at FROM evidence e")


class AttachCancelled(UserError):
    """The clerk cancelled a copy: nothing was added."""

    def __init__(self) -> None:
        super().__init__("已取消添加,没有添加任何材料。")


# -- names ------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """A file name as it is recorded and shown: NFC, no direction controls (bidi
    overrides), line breaks and tabs as one space, no other control characters
    (ESC would drive a terminal), no outer white space. May return ""."""
    text = unicodedata.normalize("NFC", name or "")
    text = _BIDI_CONTROLS.sub("", text)
    text = _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text).strip()


def safe_filename(name: str, max_chars: int = 80, fallback: str = "未命名") -> str:
    """A name every system accepts, Windows Explorer included: direction controls go,
    characters Windows refuses become ``_``, trailing dots and spaces go, reserved device
    names (CON, NUL, COM1…) get a ``_`` in front, and long names are shortened to
    ``max_chars`` characters (and 200 UTF-8 bytes) keeping their extension."""
    text = unicodedata.normalize("NFC", name or "")
    text = _BIDI_CONTROLS.sub("", text)
    text = _WINDOWS_BAD.sub("_", text).strip().rstrip(". ")
    text = re.sub(r"\s+", " ", text)
    if not text or set(text) <= {"_", "."}:
        text = fallback
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 10 or " " in ext:
        stem, ext = text, ""
    else:
        ext = "." + ext
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    stem = stem[:max(1, max_chars - len(ext))]
    while len((stem + ext).encode("utf-8")) > 200:
        stem = stem[:-1]
    stem = stem.rstrip(". ") or fallback
    return stem + ext


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name(2).ext``, ``name(3).ext``… if a name equal to it ignoring case
    (Windows compares that way) is taken. Adds the result to ``taken`` (case-folded)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    else:
        ext = "." + ext
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}({n}){ext}"
    taken.add(candidate.casefold())
    return candidate


def _stored_ext(name: str) -> str:
    ext = Path(name).suffix.lower()
    return ext if _EXT_RE.match(ext) else ""


def format_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} 字节"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:.1f} {unit}"


def task_label(title: str | None, requirement: str, limit: int = 20) -> str:
    """任务简称: the title, else the start of the requirement."""
    text = " ".join((title or "").split()) or " ".join(requirement.split())
    return text if len(text) <= limit else text[:limit]


# -- the store --------------------------------------------------------------------------


def _shard(evidence_dir: Path, sha256: str) -> Path:
    return evidence_dir / sha256[:2]


def stored_path(ledger: Ledger, sha256: str | None) -> Path | None:
    """Where the file with this hash is stored, or None if it is not there."""
    if not sha256:
        return None
    return _find_stored(ledger.evidence_dir, sha256)


def _find_stored(evidence_dir: Path, sha256: str) -> Path | None:
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


def _open_source(path: Path) -> BinaryIO:
    """Opening a clerk's file, for reading only (tests replace this to fail mid-copy)."""
    return open(path, "rb", buffering=0)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _holds(path: Path, sha256: str) -> bool:
    """Does the stored file still hold what its name says? (A flipped bit keeps the size.)"""
    try:
        return _hash_file(path, None) == sha256
    except OSError:
        return False


def _make_read_only(path: Path) -> None:
    try:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    except OSError:
        pass


def _remove_file(path: Path) -> bool:
    try:
        path.chmod(stat.S_IWRITE | stat.S_IREAD)  # Windows refuses to delete read-only files
    except OSError:
        pass
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False


@dataclass(slots=True)
class _Staged:
    source: Path
    name: str
    temp: Path
    sha256: str = ""
    size: int = 0
    final: Path | None = None
    created: bool = False  # this attach put the file in the store


def _check_sources(paths: Sequence[Path]) -> list[int]:
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


def _read_error(item: _Staged, exc: OSError) -> UserError:
    return UserError(f"读取文件“{item.name}”时出错(位置:{item.source}):{exc.strerror or exc}。\n"
                     "请确认文件没有被其他程序占用、U 盘或网络盘没有断开,然后重新添加。没有添加任何材料。")


def _open_error(item: _Staged, exc: OSError) -> UserError:
    return UserError(f"无法打开文件“{item.name}”(位置:{item.source}):{exc.strerror or exc}。\n"
                     "请关闭正在使用该文件的程序,或把文件复制到自己的文件夹后再添加。没有添加任何材料。")


_END = object()  # marks the end of one file in the pipeline
_POLL = 0.05


class _Stopped(Exception):
    pass


def _put(q: queue.Queue, item: Any, stop: threading.Event) -> None:
    while True:
        if stop.is_set():
            raise _Stopped
        try:
            q.put(item, timeout=_POLL)
            return
        except queue.Full:
            continue


def _get(q: queue.Queue, stop: threading.Event) -> Any:
    while True:
        if stop.is_set():
            raise _Stopped
        try:
            return q.get(timeout=_POLL)
        except queue.Empty:
            continue


def _copy_all(staged: list[_Staged], total: int, progress: ProgressCallback | None) -> int:
    """Copy every file to its temporary name in one pass, hashing as it goes.

    Three stages overlap on separate threads, each handing 1 MiB buffers to the next:
    a reader (the clerk's files, opened read-only, one after another), a hasher
    (SHA-256 of exactly the bytes that will be written) and the writer (this thread,
    which also reports progress, so a progress callback may raise to cancel). Each
    finished temporary file is flushed, fsync'd and closed by a sync thread while the
    next file is being copied (several at once: concurrent fsyncs share a journal
    commit), so waiting for the disk overlaps with hashing. Any
    failure stops every stage; all files are closed before this returns or raises.
    Returns the number of bytes copied."""
    stop = threading.Event()
    pool: queue.Queue = queue.Queue()
    for _ in range(PIPELINE_BUFFERS):
        pool.put(bytearray(CHUNK))
    to_hash: queue.Queue = queue.Queue(maxsize=PIPELINE_BUFFERS)
    to_write: queue.Queue = queue.Queue(maxsize=PIPELINE_BUFFERS)
    to_sync: queue.Queue = queue.Queue()
    sync_errors: list[OSError] = []

    def reader() -> None:
        try:
            for index, item in enumerate(staged):
                try:
                    source = _open_source(item.source)
                except OSError as exc:
                    _put(to_hash, _open_error(item, exc), stop)
                    return
                with source:
                    readinto = getattr(source, "readinto", None)
                    while True:
                        buffer = _get(pool, stop)
                        try:
                            if readinto is not None:
                                n = readinto(buffer)
                            else:  # a file-like object without readinto
                                data = source.read(CHUNK)
                                n = len(data)
                                buffer[:n] = data
                        except OSError as exc:
                            _put(to_hash, _read_error(item, exc), stop)
                            return
                        if not n:
                            pool.put(buffer)
                            break
                        _put(to_hash, (index, buffer, n), stop)
                _put(to_hash, (index, _END, 0), stop)
            _put(to_hash, None, stop)
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the writer, which raises it
            try:
                _put(to_hash, exc, stop)
            except _Stopped:
                pass

    def hasher() -> None:
        digest = hashlib.sha256()
        size = 0
        try:
            while True:
                message = _get(to_hash, stop)
                if isinstance(message, tuple):
                    index, buffer, n = message
                    if buffer is _END:
                        staged[index].sha256, staged[index].size = digest.hexdigest(), size
                        digest, size = hashlib.sha256(), 0
                    else:
                        digest.update(memoryview(buffer)[:n])
                        size += n
                _put(to_write, message, stop)
                if not isinstance(message, tuple):
                    return  # None (all done) or an error, passed on
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the writer, which raises it
            try:
                _put(to_write, exc, stop)
            except _Stopped:
                pass

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

    threads = [threading.Thread(target=reader, name="zwgk-evidence-read", daemon=True),
               threading.Thread(target=hasher, name="zwgk-evidence-hash", daemon=True)]
    sync_threads = [threading.Thread(target=syncer, name=f"zwgk-evidence-sync-{i}", daemon=True)
                    for i in range(SYNC_THREADS)]
    for thread in (*threads, *sync_threads):
        thread.start()
    done = 0
    current: BinaryIO | None = None
    current_index = -1
    try:
        while True:
            message = _get(to_write, stop)
            if message is None:
                break
            if isinstance(message, BaseException):
                raise message
            index, buffer, n = message
            if index != current_index:
                current_index = index
                try:
                    current = open(staged[index].temp, "xb")
                except OSError as exc:
                    raise _write_error(exc) from exc
            assert current is not None
            if buffer is _END:
                try:
                    current.flush()
                except OSError as exc:
                    raise _write_error(exc) from exc
                to_sync.put(current)
                current = None
                continue
            try:
                current.write(memoryview(buffer)[:n])
            except OSError as exc:
                raise _write_error(exc) from exc
            finally:
                pool.put(buffer)
            done += n
            if progress is not None:
                progress(done, max(total, done), staged[index].name)
    except BaseException:
        stop.set()
        raise
    finally:
        if current is not None:
            try:
                current.close()
            except OSError:
                pass
        for _ in sync_threads:
            to_sync.put(None)
        for thread in (*threads, *sync_threads):
            thread.join()
    if sync_errors:
        raise _write_error(sync_errors[0])
    return done


def _write_error(exc: OSError) -> UserError:
    return UserError(f"写入台账文件夹时出错:{exc.strerror or exc}。"
                     "请检查台账所在磁盘的剩余空间和写入权限,然后重新添加。没有添加任何材料。")


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


@dataclass(slots=True)
class AttachResult:
    added: list[Evidence] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # same content already there for the quarter


def _resolve_quarter(quarter: Quarter | str | None) -> Quarter:
    if quarter is None:
        return Quarter.current()
    return quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise UserError(f"说明太长({len(text)} 字),请控制在 {MAX_NOTE} 字以内。")
    return text or None


def attach_files(ledger: Ledger, task_id: int, paths: Iterable[str | os.PathLike[str]],
                 quarter: Quarter | str | None = None, note: str | None = None,
                 progress: ProgressCallback | None = None,
                 names: Sequence[str] | None = None) -> AttachResult:
    """Copy files into the store and attach them to a task for a quarter (default the
    current one). All or nothing. ``names`` overrides the recorded original names
    (a pasted screenshot saved under a temporary path). A file whose content the task
    already has for that quarter is not added twice (listed in ``already``)."""
    quarter = _resolve_quarter(quarter)
    note = _clean_note(note)
    if ledger.read_only:  # before any copying into a folder that cannot take it
        raise LedgerReadOnlyError(ledger.read_only)
    ledger.task(task_id)  # NotFoundError before any copying
    sources = [Path(p) for p in paths]
    if not sources:
        raise UserError("没有选择要添加的文件。")
    if names is not None and len(names) != len(sources):
        raise ValueError("names must match paths")
    given_names = [clean_name(n) for n in (names if names is not None else [path.name for path in sources])]
    seen: set[str] = set()
    twice: list[str] = []
    keep: list[int] = []
    for i, path in enumerate(sources):  # the same file chosen twice is copied once
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            twice.append(given_names[i])
        else:
            seen.add(key)
            keep.append(i)
    sources = [sources[i] for i in keep]
    given_names = [given_names[i] for i in keep]
    sizes = _check_sources(sources)
    total = sum(sizes)
    evidence_dir = ledger.evidence_dir
    try:
        evidence_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(exc) from exc
    _clean_stale_temps(evidence_dir)
    staged = [_Staged(source=path, name=given_names[i] or "未命名",
                      temp=evidence_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex}{TEMP_SUFFIX}")
              for i, path in enumerate(sources)]
    try:
        done = _copy_all(staged, total, progress)
        if progress is not None:
            progress(done, done, "")
        # Every file is safely copied: give each its real name.
        renamed_in: set[Path] = set()
        for item in staged:
            existing = _find_stored(evidence_dir, item.sha256)
            if existing is not None and _size_of(existing) == item.size and _holds(existing, item.sha256):
                item.final = existing  # stored already: identical files are kept once
                _remove_file(item.temp)
                continue
            if existing is not None:  # a damaged copy (by its hash, not its size): the fresh one replaces it
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
            final = folder / f"{item.sha256}{_stored_ext(item.name)}"
            os.replace(item.temp, final)
            _make_read_only(final)
            renamed_in.add(folder)
            item.final, item.created = final, True
        for folder in sorted(renamed_in):  # the renames themselves reach the disk before the rows
            fsync_path(folder)
        fsync_path(evidence_dir)
        result = _record_files(ledger, task_id, quarter, note, staged)
        result.already.extend(twice)
        return result
    except BaseException:
        for item in staged:
            try:
                _remove_file(item.temp)
            except OSError:
                pass
        _drop_unreferenced([item.final for item in staged if item.created and item.final is not None],
                           ledger, [item.sha256 for item in staged if item.created])
        raise


def _drop_unreferenced(paths: list[Path], ledger: Ledger, hashes: list[str]) -> None:
    """After a failed transaction: remove files this attach created if no row uses them."""
    for path, sha in zip(paths, hashes):
        try:
            used = ledger.db.execute("SELECT 1 FROM evidence WHERE sha256 = ? LIMIT 1", [sha]).fetchone()
        except Exception:
            continue  # cannot tell: an unreferenced file is harmless, a missing one is not
        if not used:
            try:
                _remove_file(path)
            except OSError:
                pass


def _record_files(ledger: Ledger, task_id: int, quarter: Quarter, note: str | None,
                  staged: list[_Staged]) -> AttachResult:
    result = AttachResult()
    have = {row[0] for row in ledger.db.execute(
        "SELECT sha256 FROM evidence WHERE task_id = ? AND quarter = ? AND kind = ? AND removed_at IS NULL",
        [task_id, str(quarter), KIND_FILE])}
    todo: list[_Staged] = []
    for item in staged:
        if item.sha256 in have:
            result.already.append(item.name)
        else:
            have.add(item.sha256)
            todo.append(item)
    if not todo:
        return result
    at = now_text()
    with ledger.change("添加佐证材料", "evidence", task_id) as record:
        ids = []
        for item in todo:
            mime = mimetypes.guess_type(item.name, strict=False)[0]
            cursor = ledger.db.execute(
                "INSERT INTO evidence (task_id, quarter, kind, name, sha256, size, mime, note, added_at, added_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [task_id, str(quarter), KIND_FILE, item.name, item.sha256, item.size, mime, note, at, ledger.user])
            ids.append(cursor.lastrowid)
        record["after"] = [{"id": eid, "kind": KIND_FILE, "name": item.name, "sha256": item.sha256,
                            "size": item.size, "quarter": str(quarter)} for eid, item in zip(ids, todo)]
    result.added = [evidence_by_id(ledger, eid) for eid in ids]
    return result


_BARE_HOST_RE = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#][^\s]*)?$", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """A page address as the clerk copied it; www.example.gov.cn/… (no scheme, as
    browsers show it) gets http:// put in front."""
    text = (url or "").strip()
    if _BARE_HOST_RE.match(text):
        text = "http://" + text
    if not _URL_RE.match(text):
        raise UserError(f"“{text}”不是有效的网页地址。请填写以 http:// 或 https:// 开头的完整地址"
                        "(可从浏览器地址栏复制)。")
    return text


def is_url(text: str) -> bool:
    return bool(_URL_RE.match((text or "").strip()))


def attach_url(ledger: Ledger, task_id: int, url: str, title: str | None = None,
               published: date | str | None = None, quarter: Quarter | str | None = None,
               note: str | None = None) -> Evidence:
    """A page address (with its title and publication date, when known)."""
    quarter = _resolve_quarter(quarter)
    url = normalise_url(url)
    note = _clean_note(note)
    if isinstance(published, str):
        try:
            published = date.fromisoformat(published.strip()) if published.strip() else None
        except ValueError:
            raise UserError(f"发布日期“{published}”格式不对,请写成 2023-09-30 这样的格式。") from None
    title = " ".join((title or "").split()) or None
    ledger.task(task_id)
    with ledger.change("添加佐证材料", "evidence", task_id) as record:
        cursor = ledger.db.execute(
            "INSERT INTO evidence (task_id, quarter, kind, name, url, published_on, note, added_at, added_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [task_id, str(quarter), KIND_URL, title or url, url,
             published.isoformat() if published else None, note, now_text(), ledger.user])
        record["after"] = [{"id": cursor.lastrowid, "kind": KIND_URL, "name": title or url, "url": url,
                            "quarter": str(quarter)}]
    return evidence_by_id(ledger, cursor.lastrowid)


def attach_note(ledger: Ledger, task_id: int, text: str, quarter: Quarter | str | None = None) -> Evidence:
    """A short written note (e.g. 已在公开栏张贴, 见纸质档案第 3 卷)."""
    quarter = _resolve_quarter(quarter)
    body = _clean_note(text)
    if not body:
        raise UserError("说明内容是空的,请写下要记录的说明。")
    ledger.task(task_id)
    with ledger.change("添加佐证材料", "evidence", task_id) as record:
        cursor = ledger.db.execute(
            "INSERT INTO evidence (task_id, quarter, kind, name, added_at, added_by)"
            " VALUES (?, ?, ?, ?, ?, ?)", [task_id, str(quarter), KIND_NOTE, body, now_text(), ledger.user])
        record["after"] = [{"id": cursor.lastrowid, "kind": KIND_NOTE, "name": body, "quarter": str(quarter)}]
    return evidence_by_id(ledger, cursor.lastrowid)


# -- reading ----------------------------------------------------------------------------


def _evidence(row: Sequence[Any]) -> Evidence:
    return Evidence(*row)


def evidence_by_id(ledger: Ledger, evidence_id: int) -> Evidence:
    row = ledger.db.execute(_SELECT + " WHERE e.id = ?", [evidence_id]).fetchone()
    if row is None:
        raise NotFoundError(f"台账中没有编号为 {evidence_id} 的佐证材料。"
                            "可用 zwgk evidence 任务编号 查看某项任务的材料及其编号。")
    return _evidence(row)


def evidence_for_task(ledger: Ledger, task_id: int, include_removed: bool = False) -> list[Evidence]:
    """A task's evidence, newest quarter first, oldest first within a quarter."""
    sql = _SELECT + " WHERE e.task_id = ?"
    if not include_removed:
        sql += " AND e.removed_at IS NULL"
    return [_evidence(r) for r in ledger.db.execute(sql + " ORDER BY e.quarter DESC, e.id", [task_id])]


def task_ids_without_evidence(ledger: Ledger, plan_id: int, quarter: Quarter | str) -> list[int]:
    """Tasks of a plan (table order) with no evidence for the quarter (回收站 not counted)."""
    return [r[0] for r in ledger.db.execute(
        "SELECT t.id FROM tasks t WHERE t.plan_id = ? AND NOT EXISTS (SELECT 1 FROM evidence e"
        " WHERE e.task_id = t.id AND e.quarter = ? AND e.removed_at IS NULL) ORDER BY t.seq",
        [plan_id, str(quarter)])]


# -- 回收站 ------------------------------------------------------------------------------


def remove(ledger: Ledger, evidence_id: int) -> Evidence:
    """Move to the 回收站: the row stays (removed_at set) and so does the file."""
    item = evidence_by_id(ledger, evidence_id)
    if item.removed_at is not None:
        raise UserError(f"佐证材料 {evidence_id}“{item.name}”已经在回收站中。")
    with ledger.change("移到回收站", "evidence", item.task_id,
                       before={"id": item.id, "name": item.name, "removed_at": None}) as record:
        at = now_text()
        ledger.db.execute("UPDATE evidence SET removed_at = ?, removed_by = ? WHERE id = ?",
                          [at, ledger.user, evidence_id])
        record["after"] = {"id": item.id, "name": item.name, "removed_at": at}
    return evidence_by_id(ledger, evidence_id)


def restore(ledger: Ledger, evidence_id: int) -> Evidence:
    item = evidence_by_id(ledger, evidence_id)
    if item.removed_at is None:
        raise UserError(f"佐证材料 {evidence_id}“{item.name}”不在回收站中,无需恢复。")
    with ledger.change("从回收站恢复", "evidence", item.task_id,
                       before={"id": item.id, "name": item.name, "removed_at": item.removed_at},
                       after={"id": item.id, "name": item.name, "removed_at": None}):
        ledger.db.execute("UPDATE evidence SET removed_at = NULL, removed_by = NULL WHERE id = ?",
                          [evidence_id])
    return evidence_by_id(ledger, evidence_id)


def _move_many(ledger: Ledger, evidence_ids: Sequence[int], *, to_bin: bool) -> list[Evidence]:
    """Several items into (or out of) the 回收站: one transaction, one audit row."""
    items = [evidence_by_id(ledger, evidence_id) for evidence_id in evidence_ids]
    wrong = [i for i in items if (i.removed_at is not None) == to_bin]
    if wrong:
        where = "已经在回收站中" if to_bin else "不在回收站中"
        raise UserError(f"佐证材料“{wrong[0].name}”{where}。请刷新后再试。")
    tasks = sorted({i.task_id for i in items})
    at = now_text() if to_bin else None
    with ledger.change("移到回收站" if to_bin else "从回收站恢复", "evidence",
                       tasks[0] if len(tasks) == 1 else None,
                       before=[{"id": i.id, "name": i.name, "removed_at": i.removed_at} for i in items],
                       after=[{"id": i.id, "name": i.name, "removed_at": at} for i in items]):
        ledger.db.conn.executemany("UPDATE evidence SET removed_at = ?, removed_by = ? WHERE id = ?",
                                   [(at, ledger.user if to_bin else None, i.id) for i in items])
    return [evidence_by_id(ledger, i.id) for i in items]


def remove_many(ledger: Ledger, evidence_ids: Sequence[int]) -> list[Evidence]:
    return _move_many(ledger, evidence_ids, to_bin=True)


def restore_many(ledger: Ledger, evidence_ids: Sequence[int]) -> list[Evidence]:
    return _move_many(ledger, evidence_ids, to_bin=False)


@dataclass(slots=True)
class BinEntry:
    evidence: Evidence
    removed_by: str
    plan_id: int
    task_seq: int
    task_label: str


def recycle_bin(ledger: Ledger) -> list[BinEntry]:
    """Everything in the 回收站, most recently removed first."""
    rows = ledger.db.execute(
        _SELECT.replace(" FROM evidence e", ", e.removed_by, t.plan_id, t.seq, t.title, t.requirement"
                        " FROM evidence e JOIN tasks t ON t.id = e.task_id")
        + " WHERE e.removed_at IS NOT NULL ORDER BY e.removed_at DESC, e.id DESC").fetchall()
    return [BinEntry(_evidence(r[:14]), r[14] or "", r[15], r[16], task_label(r[17], r[18])) for r in rows]


@dataclass(slots=True)
class EmptyResult:
    rows: int = 0
    files: int = 0
    bytes: int = 0


def empty_recycle_bin(ledger: Ledger, evidence_ids: Sequence[int] | None = None) -> EmptyResult:
    """Delete the rows in the 回收站 (all, or the given ones), then every file of theirs
    that no remaining row refers to. The caller asks the clerk first: this cannot be
    undone. Files go after the transaction commits: a crash in between leaves an
    unreferenced file, never a row without its file."""
    entries = recycle_bin(ledger)
    if evidence_ids is not None:
        wanted = set(evidence_ids)
        entries = [e for e in entries if e.evidence.id in wanted]
    result = EmptyResult()
    if not entries:
        return result
    ids = [e.evidence.id for e in entries]
    with ledger.change("清空回收站", "evidence", entries[0].evidence.task_id
                       if len({e.evidence.task_id for e in entries}) == 1 else None,
                       before=[{"id": e.evidence.id, "task": e.evidence.task_id, "kind": e.evidence.kind,
                                "name": e.evidence.name, "sha256": e.evidence.sha256, "url": e.evidence.url,
                                "quarter": e.evidence.quarter, "removed_at": e.evidence.removed_at}
                               for e in entries]):
        marks = ",".join("?" * len(ids))
        ledger.db.execute(f"DELETE FROM evidence WHERE id IN ({marks}) AND removed_at IS NOT NULL", ids)
    result.rows = len(ids)
    for sha in sorted({e.evidence.sha256 for e in entries if e.evidence.sha256}):
        if ledger.db.execute("SELECT 1 FROM evidence WHERE sha256 = ? LIMIT 1", [sha]).fetchone():
            continue
        path = stored_path(ledger, sha)
        if path is None:
            continue
        try:
            size = path.stat().st_size
            if _remove_file(path):
                result.files += 1
                result.bytes += size
        except OSError:
            pass  # left behind: harmless, and `check` does not mind unreferenced files
    return result


# -- checking ---------------------------------------------------------------------------


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


def _hash_file(path: Path, progress: Callable[[int], None] | None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if progress is not None:
                progress(len(chunk))
    return digest.hexdigest()


def check_store(ledger: Ledger, progress: ProgressCallback | None = None) -> CheckReport:
    """Read every stored file a row refers to (回收站 included: those can be restored)
    and compare it with its hash. Changes nothing."""
    rows = ledger.db.execute(
        _SELECT.replace(" FROM evidence e", ", t.plan_id, t.seq, t.title, t.requirement"
                        " FROM evidence e JOIN tasks t ON t.id = e.task_id")
        + " WHERE e.kind = ? AND e.sha256 IS NOT NULL ORDER BY t.plan_id, t.seq, e.id", [KIND_FILE]).fetchall()
    report = CheckReport(rows_checked=len(rows))
    by_sha: dict[str, list[tuple[Evidence, int, int, str]]] = {}
    for r in rows:
        by_sha.setdefault(r[4], []).append((_evidence(r[:14]), r[14], r[15], task_label(r[16], r[17])))
    report.files_total = len(by_sha)
    paths = {sha: _find_stored(ledger.evidence_dir, sha) for sha in by_sha}
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
                actual = _hash_file(path, advance)
            except FileNotFoundError:
                problem = "missing"
            except OSError:
                problem = "missing"  # unreadable is as good as gone for an inspector
            else:
                report.files_checked += 1
                report.bytes_checked += path.stat().st_size
                if actual != sha:
                    problem = "altered"
        if problem:
            for item, plan_id, seq, label in users:
                report.problems.append(CheckProblem(problem, item, plan_id, seq, label, path))
    try:
        report.leftover_temps = sorted(p for p in ledger.evidence_dir.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))
    except OSError:
        pass
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
            lines.append(f"  · “{p.evidence.name}”({Quarter.parse(p.evidence.quarter).label}){where}:"
                         f"{p.description}")
    lines.append("")
    lines.append("处理办法:从备份的台账文件夹中找回 evidence 文件夹里的对应文件,"
                 "或找到原始文件后重新添加,再把有问题的材料移到回收站。")
    return "\n".join(lines)


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
                _remove_file(child)
            folder.rmdir()
        except OSError:
            pass
