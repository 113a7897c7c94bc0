"""The content store: the ledger's ``evidence/`` folder, where every file is kept once,
named by its SHA-256 (``evidence/ab/abcdef….png``, the extension of the first copy
kept, lower-cased). Finding a stored file, hashing one (检查佐证材料), removing one,
and handing out read-only copies for a viewer.

How files get in (temporary ``.part`` names, hashed as written, fsync, rename) is in
copying.py. Stored files are made read-only; the clerk's own files are only ever opened
for reading.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from ..errors import UserError
from ..ledger import Ledger
from ..model import Evidence
from .names import safe_filename

__all__ = [
    "CHUNK",
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "AttachCancelled",
    "ProgressCallback",
    "clean_stale_temps",
    "find_stored",
    "hash_file",
    "holds",
    "leftover_temps",
    "make_read_only",
    "remove_file",
    "shard",
    "size_of",
    "stored_path",
    "viewer_copy",
]

CHUNK = 1 << 20  # one piece read, hashed and written: stays in a core's L2 cache between the three
TEMP_SUFFIX = ".part"
TEMP_PREFIX = ".incoming-"
STALE_TEMP_SECONDS = 24 * 3600

# (bytes done, bytes in all, name of the file being copied); may raise to cancel.
ProgressCallback = Callable[[int, int, str], None]


class AttachCancelled(UserError):
    """The clerk cancelled a copy: nothing was added."""

    def __init__(self) -> None:
        super().__init__("已取消添加,没有添加任何材料。")


# -- finding ----------------------------------------------------------------------------


def shard(evidence_dir: Path, sha256: str) -> Path:
    return evidence_dir / sha256[:2]


def stored_path(ledger: Ledger, sha256: str | None) -> Path | None:
    """Where the file with this hash is stored, or None if it is not there."""
    if not sha256:
        return None
    return find_stored(ledger.evidence_dir, sha256)


def find_stored(evidence_dir: Path, sha256: str) -> Path | None:
    folder = shard(evidence_dir, sha256)
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


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def holds(path: Path, sha256: str) -> bool:
    """Does the stored file still hold what its name says? (A flipped bit keeps the size.)"""
    try:
        return hash_file(path) == sha256
    except OSError:
        return False


def make_read_only(path: Path) -> None:
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


def clean_stale_temps(evidence_dir: Path) -> None:
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
    make_read_only(target)
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
