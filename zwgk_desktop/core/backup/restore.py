"""Restoring a full backup: every entry's name and hash checked *before* anything is
written (:func:`verify_backup`), and only into an empty folder (:func:`restore_backup`)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import UserError
from ..ledger import EVIDENCE_DIR, LEDGER_FILE
from .full import CHUNK, FORMAT, FORMAT_VERSION, MANIFEST, ProgressCallback, file_sha256


@dataclass(slots=True)
class RestoreResult:
    folder: Path
    files: int
    bytes: int
    created_at: str


def _entry_problem(name: str) -> str | None:
    """Why a zip entry name may not be written under the target folder."""
    if not name or "\x00" in name or "\\" in name:
        return "名称不合法"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "是绝对路径"
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".") for part in parts) or name.endswith("/"):
        return "指向台账文件夹以外的位置"
    if not (name in (LEDGER_FILE, MANIFEST) or (len(parts) == 3 and parts[0] == EVIDENCE_DIR)):
        return "不是台账中的文件"
    return None


def _is_link_or_special(info: zipfile.ZipInfo) -> bool:
    """A symbolic link (or device, fifo…) stored in the zip's Unix mode bits; a zip made
    on Windows has no type bits at all, which is a plain file."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    return kind not in (0, stat.S_IFREG)


def _refuse(zip_path: Path, problem: str) -> UserError:
    return UserError(f"备份文件“{zip_path.name}”{problem}。没有写入任何文件。"
                     "请使用另一份完好的备份。")


def verify_backup(zip_path: str | Path, progress: ProgressCallback | None = None) -> dict:
    """Check a backup completely without writing anything: names, links, that the
    manifest lists exactly the files there are, and every file's SHA-256 and size.
    Returns the manifest; raises :class:`UserError` saying what is wrong."""
    zip_path = Path(zip_path)
    try:
        zf = zipfile.ZipFile(zip_path)
    except FileNotFoundError:
        raise UserError(f"找不到备份文件“{zip_path}”。请检查文件名和位置。") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(zip_path, f"不是完整的备份压缩包({exc})") from exc
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if MANIFEST not in names:
            raise _refuse(zip_path, "中没有清单(manifest.json),不是本程序做的台账备份")
        if len(set(names)) != len(names):
            raise _refuse(zip_path, "中有重复的文件名")
        for info in infos:
            problem = _entry_problem(info.filename)
            if problem:
                raise _refuse(zip_path, f"中的“{info.filename[:80]}”{problem}")
            if _is_link_or_special(info):
                raise _refuse(zip_path, f"中的“{info.filename[:80]}”是链接或特殊文件")
        try:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            listed = {f["path"]: (str(f["sha256"]), int(f["size"])) for f in manifest["files"]}
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            raise _refuse(zip_path, "的清单(manifest.json)无法读取") from exc
        if manifest.get("format") != FORMAT:
            raise _refuse(zip_path, "不是本程序做的台账备份")
        if int(manifest.get("version", 0)) > FORMAT_VERSION:
            raise UserError(f"备份文件“{zip_path.name}”由更新版本的程序制作,请升级程序后再恢复。")
        present = set(names) - {MANIFEST}
        if LEDGER_FILE not in listed:
            raise _refuse(zip_path, "中没有台账数据库")
        if present != set(listed):
            extra = sorted(present - set(listed)) or sorted(set(listed) - present)
            raise _refuse(zip_path, f"与其清单不符(例如“{extra[0]}”)")
        total = sum(size for _, size in listed.values())
        done = 0
        for info in infos:
            if info.filename == MANIFEST:
                continue
            want_sha, want_size = listed[info.filename]
            if info.file_size != want_size:
                raise _refuse(zip_path, f"中的“{info.filename}”大小与清单不符,备份已损坏或被改动")
            digest = hashlib.sha256()
            size = 0
            try:
                with zf.open(info) as src:
                    while chunk := src.read(CHUNK):
                        size += len(chunk)
                        if size > want_size:
                            break
                        digest.update(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total, info.filename)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                raise _refuse(zip_path, f"中的“{info.filename}”无法读出,备份已损坏({exc})") from exc
            if size != want_size or digest.hexdigest() != want_sha:
                raise _refuse(zip_path, f"中的“{info.filename}”与清单中的 SHA-256 不符,备份已损坏或被改动")
            if info.filename.startswith(EVIDENCE_DIR + "/") and \
                    not PurePosixPath(info.filename).name.startswith(want_sha):
                raise _refuse(zip_path, f"中的“{info.filename}”与它的文件名不符")
    return manifest


def restore_backup(zip_path: str | Path, target: str | Path,
                   progress: ProgressCallback | None = None) -> RestoreResult:
    """Restore a full backup into ``target``, which must not exist or be empty. Every
    hash is verified before anything is written; the files are written to a temporary
    folder beside the target and moved in when all are there."""
    zip_path, target = Path(zip_path), Path(target)
    if target.exists():
        if not target.is_dir():
            raise UserError(f"“{target}”是一个文件,不是文件夹。请指定一个新的(或空的)文件夹。")
        if any(target.iterdir()):
            raise UserError(f"文件夹“{target}”不是空的。为免覆盖已有的文件,恢复只写入新的或空的文件夹;"
                            "请指定一个新的文件夹名。")
    manifest = verify_backup(zip_path, progress)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".zwgk-restore-", dir=parent))
    except OSError as exc:
        raise UserError(f"无法在“{parent}”中写入:{exc.strerror or exc}。请选择一个有写入权限的位置。") from exc
    files = size = 0
    try:
        with zipfile.ZipFile(zip_path) as zf:
            for info in zf.infolist():
                if info.filename == MANIFEST:
                    continue
                dest = staging.joinpath(*PurePosixPath(info.filename).parts)
                if not dest.resolve().is_relative_to(staging.resolve()):
                    raise _refuse(zip_path, f"中的“{info.filename}”指向台账文件夹以外的位置")
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "xb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
                    dst.flush()
                    os.fsync(dst.fileno())
                if info.filename != LEDGER_FILE:
                    files += 1
                    size += info.file_size
                    dest.chmod(dest.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        # Checked once more on disk: what was written is what the manifest promised.
        for entry in manifest["files"]:
            written = staging.joinpath(*PurePosixPath(entry["path"]).parts)
            if file_sha256(written) != entry["sha256"]:
                raise UserError(f"写入“{parent}”的文件与备份不符(磁盘可能有问题)。没有恢复任何内容。")
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(staging, target)
    except BaseException as exc:
        _remove_tree(staging)
        if isinstance(exc, OSError):
            raise UserError(f"恢复到“{target}”时出错:{exc.strerror or exc}。请检查磁盘剩余空间和写入权限;"
                            "没有留下不完整的台账。") from exc
        raise
    return RestoreResult(target, files, size, str(manifest.get("created_at", "")))


def _remove_tree(folder: Path) -> None:
    def writable(func, path, _exc):  # stored evidence is read-only
        try:
            os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
            func(path)
        except OSError:
            pass

    shutil.rmtree(folder, onerror=writable)
