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
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import urllib.parse
import uuid
import zipfile
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.errors import UserError
from ..core.evidence import (
    CHUNK,
    KIND_FILE,
    KIND_NAMES,
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
from ..core.units import Role, unit_key
from .output_files import sync_file, write_error
from .xlsx_cells import (
    BODY_FONT,
    BODY_SIZE,
    FILL_HEADER,
    HEAD_FONT,
    LINE_HEIGHT,
    Styles,
    lines_needed,
    print_setup,
    put,
)

INDEX_NAME = "目录.xlsx"
INDEX_COLUMNS = ["序号", "任务", "责任单位", "季度", "类型", "材料名称", "包内位置", "大小(字节)",
                 "添加时间", "添加人", "SHA-256", "网页地址", "发布日期", "说明", "检查结果"]
#: Widths for print: one A4 landscape page wide at a readable size; long values (the
#: 64-character SHA-256, addresses) wrap within their column instead of widening it.
INDEX_WIDTHS = [5, 30, 16, 9, 6, 22, 24, 9, 11, 8, 17, 24, 11, 24, 12]
MISSING_TEXT_SHEET = "无佐证材料的任务"
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
    footer = f"\r\n\r\n({item.quarter.label};{item.added_by} 于 {_when(item.added_at)} 添加)\r\n"
    return ("\ufeff" + text + footer).encode("utf-8")


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


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


# -- the index --------------------------------------------------------------------------


def _relative_link(path: str) -> str:
    """A link from 目录.xlsx to a file beside it. Excel wants the characters that mean
    something in an address escaped and takes Chinese as it is."""
    return path.replace("%", "%25").replace(" ", "%20").replace("#", "%23")


def index_rows(items: list[PackageItem]) -> list[list[object]]:
    """The index's data rows (after the header), as written to 目录.xlsx."""
    rows: list[list[object]] = []
    for item in items:
        e, task = item.evidence, item.task
        units = "、".join(f"{u.name}(牵头)" if u.role == Role.LEAD and len(task.units) > 1 else u.name
                         for u in task.units)
        rows.append([
            task.seq,
            task.title or task.requirement,
            units,
            e.quarter.label,
            KIND_NAMES.get(e.kind, e.kind),
            e.name,
            item.arcname or "",
            e.size if e.kind == KIND_FILE else None,
            _when(e.added_at),
            e.added_by,
            e.sha256 or "",
            e.url or "",
            e.published_on or "",
            e.note or "",
            item.check,
        ])
    return rows


def _index_styles(sheet: Worksheet) -> Styles:
    """The export's look (io/xlsx_export): 宋体 五号 body, 黑体 header on blue, borders,
    wrapped text at the top of each cell, links blue and underlined."""
    st = Styles(sheet)
    body = Font(name=BODY_FONT, size=BODY_SIZE)
    st.make("header", font=Font(name=HEAD_FONT, size=BODY_SIZE, bold=True), fill=FILL_HEADER, horizontal="center")
    st.make("text", font=body, vertical="top")
    st.make("number", font=body, vertical="top", horizontal="right")
    st.make("center", font=body, vertical="top", horizontal="center")
    st.make("link", font=Font(name=BODY_FONT, size=BODY_SIZE, color="0563C1", underline="single"), vertical="top")
    st.make("title", font=Font(name=HEAD_FONT, size=12, bold=True), border=False)
    return st


def _row_height(values: list[object], widths: list[float]) -> float:
    """Rows grow with their wrapped text (no spreadsheet program does it for a file it
    did not write), so printed lines never overlap."""
    lines = max((lines_needed(str(v), w) for v, w in zip(values, widths) if v not in (None, "")), default=1)
    return lines * LINE_HEIGHT + 4


def index_workbook(plan_title: str, items: list[PackageItem], without: list[Task],
                   unit: str | None = None, quarter: Quarter | None = None) -> bytes:
    """目录.xlsx as bytes: sheet 目录 (one row per item, header in row 1, links to the
    files in the package) and sheet 无佐证材料的任务. Both print as the export does:
    A4 landscape, one page wide, the header on every page, page numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "目录"
    st = _index_styles(sheet)
    for col, (name, width) in enumerate(zip(INDEX_COLUMNS, INDEX_WIDTHS), start=1):
        put(sheet, 1, col, name, st["header"])
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[1].height = LINE_HEIGHT + 6
    link_col = INDEX_COLUMNS.index("包内位置") + 1
    url_col = INDEX_COLUMNS.index("网页地址") + 1
    centred = {INDEX_COLUMNS.index(name) + 1 for name in ("序号", "季度", "类型", "发布日期")}
    for r, values in enumerate(index_rows(items), start=2):
        item = items[r - 2]
        for c, value in enumerate(values, start=1):
            style = st["number"] if isinstance(value, int) and c not in centred else (
                st["center"] if c in centred else st["text"])
            put(sheet, r, c, value, style)
        if item.arcname:
            cell = sheet.cell(row=r, column=link_col)
            cell.hyperlink = _relative_link(item.arcname)
            cell._style = copy(st["link"])
        if item.evidence.url:
            cell = sheet.cell(row=r, column=url_col)
            cell.hyperlink = item.evidence.url
            cell._style = copy(st["link"])
        sheet.row_dimensions[r].height = _row_height(values, INDEX_WIDTHS)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(INDEX_COLUMNS))}{max(1, len(items) + 1)}"
    print_setup(sheet, 1, len(INDEX_COLUMNS))

    other = book.create_sheet(MISSING_TEXT_SHEET)
    ost = _index_styles(other)
    scope = "".join(x for x in (f"责任单位“{unit}”" if unit else "", quarter.label if quarter else "") if x)
    put(other, 1, 1, f"{plan_title}  {scope}没有佐证材料的任务(共 {len(without)} 项)", ost["title"])
    other.row_dimensions[1].height = LINE_HEIGHT + 8
    missing_widths = [6, 80, 36]
    for col, (name, width) in enumerate(zip(["序号", "任务", "责任单位"], missing_widths), start=1):
        put(other, 2, col, name, ost["header"])
        other.column_dimensions[get_column_letter(col)].width = width
    for r, task in enumerate(without, start=3):
        values: list[object] = [task.seq, task.title or task.requirement, "、".join(u.name for u in task.units)]
        put(other, r, 1, values[0], ost["center"])
        put(other, r, 2, values[1], ost["text"])
        put(other, r, 3, values[2], ost["text"])
        other.row_dimensions[r].height = _row_height(values, missing_widths)
    print_setup(other, 2, 3)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
