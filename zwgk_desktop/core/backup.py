"""Backups of a ledger folder (no Qt).

Two kinds:

* **Automatic backups** of the database only, taken before every import, re-import
  (``--replace``), merge and restore into ``backups/`` inside the ledger folder; the
  last :data:`KEEP_AUTOMATIC` are kept. The evidence is not copied: its files are
  named by their SHA-256 and never rewritten. Each backup is a standalone SQLite file
  (rollback journal, not WAL) named ``YYYYMMDD-HHMMSS-ffffff_操作.sqlite``, so the list
  needs no index that could disagree with the files.
* **Full backups**: one ``.zip`` with the database, every evidence file and a
  ``manifest.json`` listing each file with its SHA-256 and size. Restoring checks
  every entry's name and hash *before* writing anything, and only into an empty
  folder.

The database is always copied with SQLite's online backup API through the ledger's
own connection: consistent while the window keeps the ledger open, and the ledger
file is never opened outside SQLite.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import time
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from .durable import fsync_path
from .errors import LedgerError, LedgerReadOnlyError, UserError
from .ledger import EVIDENCE_DIR, LEDGER_FILE, Ledger, now_text, sqlite_uri
from .patterns import lazy_compile

BACKUP_DIR = "backups"
KEEP_AUTOMATIC = 20
MANIFEST = "manifest.json"
FORMAT = "zwgk-backup"
FORMAT_VERSION = 1
REMIND_AFTER_DAYS = 30
REMIND_EVERY_DAYS = 7
STATE_FILE = "backup-state.json"  # in backups/: when the last full backup was made
CHUNK = 1 << 20
_COMPRESSED = frozenset(
    ".jpg .jpeg .png .gif .webp .heic .pdf .zip .rar .7z .gz .docx .xlsx .pptx .ofd .mp4 .mov .avi .mp3"
    " .m4a .wmv .flv .mkv".split())
_NAME_RE = lazy_compile(r"^(\d{8}-\d{6}-\d{6})_(.+)\.sqlite$")

# (bytes done, bytes in all, what is being done); may raise to cancel.
ProgressCallback = Callable[[int, int, str], None]


# -- automatic backups ------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class AutoBackup:
    path: Path
    at: datetime
    action: str
    size: int

    @property
    def label(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}前"


def backups_dir(folder: str | Path) -> Path:
    return Path(folder) / BACKUP_DIR


def _safe_action(action: str) -> str:
    text = re.sub(r'[<>:"/\\|?*\x00-\x1f\x7f\s]+', "", action)[:20]
    return text or "操作"


def _copy_database(ledger: Ledger, target: Path) -> None:
    """The ledger's database, as committed now, into a new standalone file."""
    dest = sqlite3.connect(str(target))
    try:
        ledger.db.conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
        dest.commit()
    finally:
        dest.close()


def auto_backup(ledger: Ledger, action: str) -> Path | None:
    """Copy the database into ``backups/`` before ``action`` (导入, 重新导入, 汇总,
    恢复…) and keep the last 20. Returns the new file; None for a ledger that holds
    nothing yet (no plan: nothing to lose) or one opened read-only (nothing will
    change). Raises a plain :class:`UserError` when the copy cannot be written, so the
    action is not started without its safety net."""
    if ledger.read_only:
        return None
    has_data = ledger.db.execute("SELECT EXISTS (SELECT 1 FROM plans)").fetchone()[0]
    if not has_data:
        return None
    folder = backups_dir(ledger.folder)
    stamp = datetime.now()
    name = f"{stamp:%Y%m%d-%H%M%S-%f}_{_safe_action(action)}.sqlite"
    tmp = folder / f".{uuid.uuid4().hex}.tmp"
    try:
        folder.mkdir(exist_ok=True)
        _copy_database(ledger, tmp)
        fsync_path(tmp)
        final = folder / name
        while final.exists():  # two actions in the same microsecond
            stamp += timedelta(microseconds=1)
            final = folder / f"{stamp:%Y%m%d-%H%M%S-%f}_{_safe_action(action)}.sqlite"
        os.replace(tmp, final)
    except (OSError, sqlite3.Error) as exc:
        _unlink(tmp)
        detail = getattr(exc, "strerror", None) or exc
        raise UserError(f"无法在“{folder}”中保存自动备份:{detail}。"
                        f"为安全起见,{action}没有进行。请检查磁盘剩余空间和写入权限后再试。") from exc
    prune_backups(ledger.folder)
    return final


def list_backups(folder: str | Path) -> list[AutoBackup]:
    """Automatic backups of the ledger in ``folder``, newest first."""
    found: list[AutoBackup] = []
    try:
        entries = list(os.scandir(backups_dir(folder)))
    except OSError:
        return []
    for entry in entries:
        match = _NAME_RE.match(entry.name)
        if not match or not entry.is_file():
            continue
        try:
            at = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S-%f")
            size = entry.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(AutoBackup(Path(entry.path), at, match.group(2), size))
    found.sort(key=lambda b: b.path.name, reverse=True)
    return found


def latest_backup(folder: str | Path) -> AutoBackup | None:
    backups = list_backups(folder)
    return backups[0] if backups else None


def prune_backups(folder: str | Path, keep: int = KEEP_AUTOMATIC) -> list[Path]:
    removed = []
    for old in list_backups(folder)[keep:]:
        if _unlink(old.path):
            removed.append(old.path)
    return removed


def restore_auto_backup(ledger: Ledger, backup: AutoBackup | str | Path) -> Path | None:
    """Put the ledger's database back to an automatic backup. The state it replaces
    is itself backed up first (action 恢复), so this can be undone the same way.
    Written through SQLite (backup API into the open ledger): other connections, the
    WAL and the evidence stay coherent. Evidence rows of the restored state refer to
    files that are all still in the store (files are never rewritten; only emptying
    the 回收站 deletes them, and ``zwgk check`` reports any that are gone)."""
    path = backup.path if isinstance(backup, AutoBackup) else Path(backup)
    if ledger.read_only:
        raise LedgerReadOnlyError(ledger.read_only)
    problem = _database_problem(path)
    if problem:
        raise UserError(f"自动备份“{path.name}”不能使用:{problem}。请选择另一个备份。")
    before = auto_backup(ledger, "恢复")
    src = sqlite3.connect(sqlite_uri(path), uri=True)
    try:
        src.backup(ledger.db.conn)
    except sqlite3.Error as exc:
        raise UserError(f"恢复自动备份“{path.name}”时出错:{exc}。台账保持原样。") from exc
    finally:
        src.close()
    with ledger.change("恢复到之前的状态", "ledger",
                       after={"backup": path.name, "saved_current_as": before.name if before else None}):
        pass
    return before


def replace_damaged_database(folder: str | Path, backup: AutoBackup) -> Path:
    """For a database SQLite cannot open any more: move the damaged file (and its
    -wal/-shm) into ``backups/`` and put the automatic backup in its place. Nothing of
    this process may have the ledger open; the window must be closed. Returns where
    the damaged file went (kept for a technician)."""
    from .ledger import open_connections

    folder = Path(folder)
    if open_connections(folder):
        raise UserError("台账还在使用中。请先关闭台账窗口,再恢复自动备份。")
    problem = _database_problem(backup.path)
    if problem:
        raise UserError(f"自动备份“{backup.path.name}”不能使用:{problem}。请选择另一个备份。")
    live = folder / LEDGER_FILE
    aside = backups_dir(folder) / f"损坏-{datetime.now():%Y%m%d-%H%M%S}.sqlite"
    tmp = folder / f".{uuid.uuid4().hex}.tmp"
    try:
        shutil.copyfile(backup.path, tmp)
        fsync_path(tmp)
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{live}{suffix}")
            if old.exists():
                os.replace(old, Path(f"{aside}{suffix}"))
        os.replace(tmp, live)
    except OSError as exc:
        _unlink(tmp)
        raise UserError(f"无法在“{folder}”中恢复自动备份:{exc.strerror or exc}。"
                        "请检查磁盘剩余空间和写入权限。") from exc
    return aside


def _database_problem(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(sqlite_uri(path), uri=True)
    except sqlite3.Error as exc:
        return f"无法打开({exc})"
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if rows != ["ok"]:
            return "文件已损坏"
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "tasks" not in names or "_sqlite_migrations" not in names:
            return "不是本程序的台账"
    except sqlite3.Error as exc:
        return f"文件已损坏({exc})"
    finally:
        conn.close()
    return None


# -- full backups -----------------------------------------------------------------------


@dataclass(slots=True)
class BackupResult:
    path: Path
    files: int  # evidence files
    bytes: int  # evidence bytes
    database_bytes: int
    missing: list[str] = field(default_factory=list)  # evidence files that were not in the store


def _sha256(path: Path, advance: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if advance is not None:
                advance(len(chunk))
    return digest.hexdigest()


def _evidence_files(ledger: Ledger) -> tuple[list[Path], list[str]]:
    """Every stored file a row refers to (回收站 included) and those missing."""
    from .evidence import stored_path

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
            _copy_database(ledger, db_copy)
        except sqlite3.DatabaseError as exc:
            from .integrity import damaged_message

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
            _unlink(tmp)
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


# -- restoring a full backup ------------------------------------------------------------


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
            if _sha256(written) != entry["sha256"]:
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


# -- the reminder -----------------------------------------------------------------------


def _state_path(folder: str | Path) -> Path:
    return backups_dir(folder) / STATE_FILE


def _read_state(folder: str | Path) -> dict:
    try:
        data = json.loads(_state_path(folder).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_state(folder: str | Path, state: dict) -> None:
    path = _state_path(folder)
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a reminder is a convenience: never fail the clerk's work over it


def record_full_backup(folder: str | Path, output: Path, when: datetime | None = None) -> None:
    state = _read_state(folder)
    state["last_full_backup"] = (when or datetime.now()).isoformat(timespec="seconds")
    state["last_full_backup_file"] = str(output)
    _write_state(folder, state)


def last_full_backup(folder: str | Path) -> datetime | None:
    text = _read_state(folder).get("last_full_backup")
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def backup_reminder(ledger: Ledger, now: datetime | None = None) -> str | None:
    """A reminder to make a full backup when the last one is older than 30 days (or
    there is none and the ledger has held data for 30 days); None otherwise."""
    now = now or datetime.now()
    last = last_full_backup(ledger.folder)
    if last is None:
        row = ledger.db.execute("SELECT MIN(at) FROM audit").fetchone()
        try:
            since = datetime.fromisoformat(row[0]).replace(tzinfo=None) if row and row[0] else None
        except ValueError:
            since = None
        if since is None or now - since < timedelta(days=REMIND_AFTER_DAYS):
            return None
        return ("这个台账还没有做过完整备份。建议现在备份(文件 → 备份台账…,或 zwgk backup -o 备份.zip),"
                "把备份文件存到另一块磁盘或 U 盘上。")
    if now - last < timedelta(days=REMIND_AFTER_DAYS):
        return None
    return (f"上次完整备份是在 {last:%Y-%m-%d}({(now - last).days} 天前)。建议现在备份"
            "(文件 → 备份台账…,或 zwgk backup -o 备份.zip),把备份文件存到另一块磁盘或 U 盘上。")


def weekly_reminder(ledger: Ledger, now: datetime | None = None) -> str | None:
    """:func:`backup_reminder`, at most once a week (for the window at start-up)."""
    now = now or datetime.now()
    text = backup_reminder(ledger, now)
    if text is None or ledger.read_only:
        return None
    state = _read_state(ledger.folder)
    try:
        shown = datetime.fromisoformat(state.get("last_reminded", ""))
    except (TypeError, ValueError):
        shown = None
    if shown is not None and now - shown < timedelta(days=REMIND_EVERY_DAYS):
        return None
    state["last_reminded"] = now.isoformat(timespec="seconds")
    _write_state(ledger.folder, state)
    return text


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError:
        return False
