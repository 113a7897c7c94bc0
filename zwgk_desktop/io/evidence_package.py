"""导出佐证材料包: a plan's evidence as a .zip (or a folder) inspectors open without us.

Layout::

    目录.xlsx                       the index: one row per item (file, page, note)
    01-决策目录/通知.pdf             序号-任务简称/文件名
    01-决策目录/通知(2).pdf          the same name twice gets (2), (3)…
    01-决策目录/关于….url            a page address (Windows Internet Shortcut)
    02-规范政府网站…/说明-已在….txt  a written note (UTF-8 with BOM, for Notepad)

任务简称 is the task's title, else the first 20 characters of its requirement; every
name is made safe for Windows Explorer (core.evidence.safe_filename) and kept short so
a package extracted to the desktop stays under Windows' 260-character path limit.
Text cells of the index are always text (a requirement starting with "=" is never a
formula). Zip entries carry UTF-8 names (Python sets the UTF-8 flag for non-ASCII
names, which Explorer, 7-Zip and WinRAR honour); files are deflated, except formats
that are compressed already (JPEG, PNG, Office, zip…), which are stored as they are.
Every file is hashed as it is written: a missing or altered stored file is marked in
the index and reported, never silently passed on.

The package is written under a temporary name beside the target and renamed when
complete, so an interrupted export never leaves a half package under the real name.
目录.xlsx itself is written by io/evidence_index.py.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.parse
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.errors import UserError
from ..core.evidence import (
    CHUNK,
    KIND_FILE,
    KIND_NOTE,
    KIND_URL,
    safe_filename,
    stored_path,
    task_label,
    unique_name,
)
from ..core.ledger import Ledger, now_text
from ..core.model import Evidence, Task
from ..core.quarters import Quarter
from ..core.units import unit_key
from .evidence_index import (
    INDEX_COLUMNS,
    INDEX_NAME,
    index_workbook,
    when_added,
)
from .output_files import sync_file, write_error

__all__ = ["INDEX_COLUMNS", "INDEX_NAME", "PackageItem", "PackageResult", "index_workbook",
           "plan_items", "wants_folder", "write_evidence_package"]

FOLDER_LABEL_CHARS = 20
FILE_NAME_CHARS = 80
ALREADY_COMPRESSED = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".zip", ".rar", ".7z", ".gz", ".bz2", ".xz",
    ".docx", ".xlsx", ".pptx", ".ofd", ".mp3", ".mp4", ".m4a", ".mov", ".avi", ".wmv", ".mkv",
}

ProgressCallback = Callable[[int, int, str], None]


@dataclass(slots=True)
class PackageItem:
    """One row of the index and (unless its file is missing) one entry of the package."""

    task: Task
    evidence: Evidence
    arcname: str | None  # path inside the package, "/"-separated; None: not written
    check: str = ""  # "" fine, else what is wrong with the stored file


@dataclass(slots=True)
class PackageResult:
    path: Path
    as_folder: bool
    tasks: int = 0
    files: int = 0
    links: int = 0
    notes: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)
    items: list[PackageItem] = field(default_factory=list)


def wants_folder(out: str | os.PathLike[str]) -> bool:
    """A path ending in a separator, or an existing folder, means "write a folder"."""
    text = os.fspath(out)
    return text.endswith(("/", os.sep)) or Path(text).is_dir()


def plan_items(ledger: Ledger, plan_id: int, unit: str | None = None, quarter: Quarter | None = None,
               link_files: bool = True) -> tuple[list[PackageItem], list[Task]]:
    """What goes where: the package's items in table order, and the tasks (within the
    unit filter) that have no evidence for the chosen quarter(s)."""
    tasks = ledger.tasks(plan_id)
    if unit:
        key = unit_key(unit)
        tasks = [t for t in tasks if any(unit_key(u.name) == key for u in t.units)]
        if not tasks:
            raise UserError(f"分解表 {plan_id} 中没有责任单位为“{unit}”的任务。"
                            "请检查单位名称(可用 zwgk export --format json 查看各任务的责任单位)。")
    width = max(2, len(str(max((t.seq for t in tasks), default=1))))
    items: list[PackageItem] = []
    without: list[Task] = []
    for task in tasks:
        chosen = sorted((e for e in task.evidence if quarter is None or e.quarter == quarter),
                        key=lambda e: (e.quarter, e.id))
        if not chosen:
            without.append(task)
            continue
        label = safe_filename(task_label(task.title, task.requirement, FOLDER_LABEL_CHARS),
                              FOLDER_LABEL_CHARS + 5, fallback="任务")
        folder = f"{task.seq:0{width}d}-{label}"
        taken: set[str] = set()
        for item in chosen:
            name: str | None
            if item.kind == KIND_FILE:
                name = safe_filename(item.name, FILE_NAME_CHARS)
            elif item.kind == KIND_URL and link_files:
                name = safe_filename(f"{item.name if item.name != item.url else _host(item.url)}.url",
                                     FILE_NAME_CHARS - 20)
            elif item.kind == KIND_NOTE and link_files:
                name = safe_filename(f"说明-{item.name[:20]}.txt", FILE_NAME_CHARS - 20)
            else:
                name = None
            arcname = f"{folder}/{unique_name(name, taken)}" if name else None
            items.append(PackageItem(task, item, arcname))
    return items, without


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or "网页"


def _shortcut(url: str) -> bytes:
    """A Windows Internet Shortcut; non-ASCII in the address is percent-encoded."""
    quoted = urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%~")
    return f"[InternetShortcut]\r\nURL={quoted}\r\n".encode("ascii")


def _note_text(item: Evidence) -> bytes:
    text = item.name.replace("\r\n", "\n").replace("\n", "\r\n")
    footer = f"\r\n\r\n({item.quarter.label};{item.added_by} 于 {when_added(item.added_at)} 添加)\r\n"
    return ("\ufeff" + text + footer).encode("utf-8")


def _zip_time(iso: str) -> tuple[int, int, int, int, int, int]:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        moment = datetime.now()
    if moment.year < 1980:
        moment = datetime(1980, 1, 1)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


class _Sink:
    """Where the entries go: a zip file or a folder."""

    def __init__(self, root: Path, as_folder: bool) -> None:
        self.root = root
        self.as_folder = as_folder
        self.zip = None if as_folder else zipfile.ZipFile(root, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.folders: set[str] = set()

    def _folder(self, arcname: str, when: str) -> None:
        folder = arcname.rpartition("/")[0]
        if not folder or folder in self.folders:
            return
        self.folders.add(folder)
        if self.zip is not None:
            info = zipfile.ZipInfo(folder + "/", date_time=_zip_time(when))
            info.external_attr = (0o40755 << 16) | 0x10
            self.zip.writestr(info, b"")
        else:
            (self.root / folder).mkdir(parents=True, exist_ok=True)

    def write_bytes(self, arcname: str, data: bytes, when: str) -> None:
        self._folder(arcname, when)
        if self.zip is not None:
            info = zipfile.ZipInfo(arcname, date_time=_zip_time(when))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            self.zip.writestr(info, data)
        else:
            (self.root / arcname).write_bytes(data)

    def copy_file(self, arcname: str, source: Path, when: str, advance: Callable[[int], None]) -> str:
        """Copy a stored file in, returning the SHA-256 of what was written."""
        self._folder(arcname, when)
        digest = hashlib.sha256()
        with open(source, "rb") as src:
            if self.zip is not None:
                info = zipfile.ZipInfo(arcname, date_time=_zip_time(when))
                info.compress_type = (zipfile.ZIP_STORED if Path(arcname).suffix.lower() in ALREADY_COMPRESSED
                                      else zipfile.ZIP_DEFLATED)
                info.external_attr = 0o644 << 16
                info.file_size = source.stat().st_size
                with self.zip.open(info, "w", force_zip64=info.file_size > 0x7FFFFFFF) as dst:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                        advance(len(chunk))
            else:
                with open(self.root / arcname, "wb") as dst:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                        advance(len(chunk))
        return digest.hexdigest()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def write_evidence_package(ledger: Ledger, out: str | os.PathLike[str], *, plan_id: int | None = None,
                           unit: str | None = None, quarter: Quarter | str | None = None,
                           as_folder: bool | None = None, link_files: bool = True,
                           progress: ProgressCallback | None = None) -> PackageResult:
    """Write the package; returns where it went and what it holds. ``out`` is a .zip
    path, or a folder (ending in a separator, or existing, or ``as_folder=True``)."""
    plan = ledger.resolve_plan(plan_id)
    if quarter is not None:
        quarter = Quarter.parse(quarter)  # text from the command line; a Quarter as it is
    folder_mode = wants_folder(out) if as_folder is None else as_folder
    items, without = plan_items(ledger, plan.id, unit, quarter, link_files)
    if not items:
        scope = "".join(x for x in (f"责任单位“{unit}”" if unit else "", quarter.label if quarter else "") if x)
        raise UserError(f"分解表 {plan.id}“{plan.title}”中{scope or ''}还没有佐证材料,没有生成材料包。")
    target = _target(Path(os.fspath(out)), folder_mode, plan.year, unit, quarter)
    work = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if folder_mode:
            work.mkdir()
    except OSError as exc:
        raise _write_error(target, exc) from exc

    result = PackageResult(path=target, as_folder=folder_mode, items=items,
                           tasks=len({i.task.id for i in items}))
    total = sum(i.evidence.size or 0 for i in items if i.evidence.kind == KIND_FILE)
    done = 0

    def advance(n: int, name: str = "") -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, max(total, done), name)

    sink = None
    try:
        sink = _Sink(work, folder_mode)
        for item in items:
            e = item.evidence
            if item.arcname is None:
                continue
            if e.kind == KIND_FILE:
                source = stored_path(ledger, e.sha256)
                if source is None:
                    item.check, item.arcname = "文件缺失,未能放入材料包", None
                    result.problems.append(f"序号 {item.task.seq}“{e.name}”:文件缺失,未能放入材料包")
                    advance(e.size or 0, e.name)
                    continue
                written = sink.copy_file(item.arcname, source, e.added_at, lambda n, name=e.name: advance(n, name))
                if written != e.sha256:
                    item.check = "文件内容与添加时不符(SHA-256 不同)"
                    result.problems.append(f"序号 {item.task.seq}“{e.name}”:文件内容与添加时不符")
                result.files += 1
                result.bytes += source.stat().st_size
            elif e.kind == KIND_URL:
                sink.write_bytes(item.arcname, _shortcut(e.url or ""), e.added_at)
                result.links += 1
            else:
                sink.write_bytes(item.arcname, _note_text(e), e.added_at)
                result.notes += 1
        for item in items:  # counted even without a .url/.txt file of their own
            if item.arcname is None and item.evidence.kind == KIND_URL and not link_files:
                result.links += 1
            elif item.arcname is None and item.evidence.kind == KIND_NOTE and not link_files:
                result.notes += 1
        sink.write_bytes(INDEX_NAME, index_workbook(plan.title, items, without, unit, quarter), now_text())
        sink.close()
        sink = None
        if not folder_mode:
            sync_file(work)  # a full disk often shows only here, before the rename
        if folder_mode and target.exists():
            target.rmdir()  # an existing empty folder (checked by _target)
        os.replace(work, target)
    except BaseException as exc:
        if sink is not None:
            try:
                sink.close()
            except Exception:
                pass
        _remove(work)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from exc
        raise
    return result


def _target(out: Path, folder_mode: bool, year: int, unit: str | None, quarter: Quarter | None) -> Path:
    """The path to write. A zip path without .zip gets it; an existing non-empty folder
    gets a new sub-folder named after the package rather than mixing with its files."""
    if not folder_mode:
        if out.suffix.lower() != ".zip":
            out = out.with_name(out.name + ".zip")
        if out.is_dir():
            raise UserError(f"“{out}”是一个文件夹。请写一个 .zip 文件名,或在文件夹路径末尾加 / 导出为文件夹。")
        return out
    if out.exists() and not out.is_dir():
        raise UserError(f"“{out}”是一个文件,不是文件夹。请换一个文件夹路径。")
    if out.is_dir() and any(out.iterdir()):
        base = safe_filename("-".join(["佐证材料包", str(year), *([unit] if unit else []),
                                       *([str(quarter)] if quarter else [])]), 60)
        taken = {p.name.casefold() for p in out.iterdir()}
        return out / unique_name(base, taken)
    return out


def _remove(path: Path) -> None:
    try:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()
    except OSError:
        pass


def _write_error(target: Path, exc: OSError) -> UserError:
    return write_error(target, exc)
