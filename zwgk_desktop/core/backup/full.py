"""Full backups: one ``.zip`` with the database, every evidence file and a
``manifest.json`` listing each file with its SHA-256 and size (:func:`write_backup`)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..durable import fsync_path
from ..errors import LedgerError, UserError
from ..ledger import EVIDENCE_DIR, LEDGER_FILE, Ledger, now_text
from .automatic import copy_database, remove_file
from .reminder import record_full_backup

MANIFEST = "manifest.json"
FORMAT = "zwgk-backup"
FORMAT_VERSION = 1

CHUNK = 1 << 20
_COMPRESSED = frozenset(
    ".jpg .jpeg .png .gif .webp .heic .pdf .zip .rar .7z .gz .docx .xlsx .pptx .ofd .mp4 .mov .avi .mp3"
    " .m4a .wmv .flv .mkv".split())

# (bytes done, bytes in all, what is being done); may raise to cancel.
ProgressCallback = Callable[[int, int, str], None]


@dataclass(slots=True)
class BackupResult:
    path: Path
    files: int  # evidence files
    bytes: int  # evidence bytes
    database_bytes: int
    missing: list[str] = field(default_factory=list)  # evidence files that were not in the store


def file_sha256(path: Path, advance: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if advance is not None:
                advance(len(chunk))
    return digest.hexdigest()


def _evidence_files(ledger: Ledger) -> tuple[list[Path], list[str]]:
    """Every stored file a row refers to (回收站 included) and those missing."""
    from ..evidence import stored_path

    shas = [r[0] for r in ledger.db.execute(
        "SELECT DISTINCT sha256 FROM evidence WHERE kind = 'file' AND sha256 IS NOT NULL ORDER BY sha256")]
    found: list[Path] = []
    missing: list[str] = []
    for sha in shas:
        path = stored_path(ledger, sha)
        if path is None:
            missing.append(sha)
        else:
            found.append(path)
    return found, missing


def write_backup(ledger: Ledger, output: str | Path, progress: ProgressCallback | None = None) -> BackupResult:
    """One .zip with the database, every evidence file and a manifest of SHA-256s.
    Written to a temporary name beside ``output`` and renamed when complete."""
    output = Path(output)
    if output.suffix.lower() != ".zip":
        raise UserError(f"备份文件名“{output.name}”应以 .zip 结尾,例如 台账备份-2024-06-30.zip。")
    if output.exists():
        raise UserError(f"“{output}”已经存在。请换一个文件名,以免覆盖已有的备份。")
    out_dir = output.parent if str(output.parent) else Path(".")
    if not out_dir.is_dir():
        raise UserError(f"文件夹“{out_dir}”不存在。请先建立这个文件夹,或换一个保存位置。")
    try:
        ledger_folder = ledger.folder.resolve()
        if output.resolve().is_relative_to(ledger_folder):
            raise UserError("备份文件不能保存在台账文件夹里面(台账损坏时会一起丢失)。"
                            "请保存到另一个位置,最好是另一块磁盘或 U 盘。")
    except OSError:
        pass
    files, missing = _evidence_files(ledger)
    sizes = {p: _size(p) for p in files}
    tmp = out_dir / f".{output.name}.{uuid.uuid4().hex[:8]}.tmp"
    with tempfile.TemporaryDirectory(prefix="zwgk-backup-") as work:
        db_copy = Path(work) / LEDGER_FILE
        try:
            copy_database(ledger, db_copy)
        except sqlite3.DatabaseError as exc:
            from ..integrity import damaged_message

            raise LedgerError(damaged_message(ledger.folder, exc)) from exc
        db_size = db_copy.stat().st_size
        total = db_size + sum(sizes.values())
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total, "")

        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "created_at": now_text(),
                    "created_by": ledger.user, "ledger": str(ledger.folder), "files": []}
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                entries = [(LEDGER_FILE, db_copy)] + [
                    (f"{EVIDENCE_DIR}/{p.parent.name}/{p.name}", p) for p in files]
                for arcname, source in entries:
                    digest = hashlib.sha256()
                    size = 0
                    info = zipfile.ZipInfo(arcname, date_time=time.localtime(source.stat().st_mtime)[:6])
                    # Photos, PDFs and Office files are compressed already: deflating them
                    # again costs ~4x the time for a few per cent.
                    info.compress_type = (zipfile.ZIP_STORED if source.suffix.lower() in _COMPRESSED
                                          else zipfile.ZIP_DEFLATED)
                    info.external_attr = (stat.S_IFREG | 0o644) << 16
                    with open(source, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                        while chunk := src.read(CHUNK):
                            digest.update(chunk)
                            dst.write(chunk)
                            size += len(chunk)
                            advance(len(chunk))
                    manifest["files"].append({"path": arcname, "sha256": digest.hexdigest(), "size": size})
                info = zipfile.ZipInfo(MANIFEST, date_time=time.localtime()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                zf.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=1))
            fsync_path(tmp)
            os.replace(tmp, output)
        except BaseException as exc:
            remove_file(tmp)
            if isinstance(exc, OSError):
                raise UserError(f"无法写入备份文件“{output}”:{exc.strerror or exc}。"
                                "请检查保存位置的剩余空间和写入权限。没有留下不完整的备份文件。") from exc
            raise
    record_full_backup(ledger.folder, output)
    return BackupResult(output, len(files), sum(sizes.values()), db_size,
                        missing=missing)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
