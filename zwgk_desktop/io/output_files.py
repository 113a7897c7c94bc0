"""Writing a file the clerk asked for (export, report, material package, fill-in): all of
it or nothing, and a message she can act on when the disk, the folder or another program
says no.

Every writer writes to a temporary name in the target's own folder (same volume, so the
rename is atomic), makes the bytes durable with ``sync_file`` (a full disk often shows
only here: the file system accepted the writes and has no room to place them), and only
then renames over the target. On any failure the temporary file is removed, the target
(if there was one) is left as it was, and ``write_error`` turns the OSError into a
``UserError`` naming the folder and saying what to do; no traceback reaches the clerk.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")

from ..core.errors import UserError

__all__ = ["remove_quietly", "sync_file", "write_error", "write_via_temp"]

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_PERMISSION = {errno.EACCES, errno.EPERM}
_IN_USE = {errno.EBUSY, getattr(errno, "ETXTBSY", errno.EBUSY)}
# Windows: ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION (a file open in Excel/WPS/a PDF
# reader), ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL, ERROR_WRITE_PROTECT.
_WIN_IN_USE = {32, 33}
_WIN_FULL = {39, 112}
_WIN_WRITE_PROTECT = {19}


def _folder_of(target: Path) -> Path:
    folder = target.parent if str(target.parent) else Path(".")
    try:
        return folder.resolve()
    except OSError:
        return folder


def write_error(target: str | os.PathLike[str], exc: OSError) -> UserError:
    """The plain message for a failed write of ``target``: "无法写入“path”:" what
    happened (naming the folder) and what to do."""
    target = Path(target)
    folder = _folder_of(target)
    path = folder / target.name
    code = exc.errno
    winerror = getattr(exc, "winerror", None)
    head = f"无法写入“{path}”:"
    if code in _FULL or winerror in _WIN_FULL:
        return UserError(f"{head}文件夹“{folder}”所在的磁盘已满(没有留下不完整的文件)。"
                         "请清理磁盘空间,或换一个有空间的文件夹(如另一个磁盘)后重试。")
    if code == errno.EFBIG:
        return UserError(f"{head}文件超过了文件夹“{folder}”所在磁盘允许的单个文件大小"
                         "(FAT32 格式的 U 盘单个文件不能超过 4 GB)。请换一个位置(如本机磁盘)后重试。")
    if winerror in _WIN_IN_USE or code in _IN_USE:
        return UserError(f"{head}该文件正被其他程序打开(如 Excel、WPS 或 PDF 阅读器),不能替换。"
                         "请先关闭它再重试,或换一个文件名。")
    if code == errno.EROFS or winerror in _WIN_WRITE_PROTECT:
        return UserError(f"{head}文件夹“{folder}”是只读的(可能是写保护的 U 盘或只读的共享文件夹)。"
                         "请换一个可以写入的文件夹(如桌面或“文档”)后重试。")
    if code in _NO_PERMISSION:
        if target.exists():
            return UserError(f"{head}该文件可能正在 Excel、WPS 或 PDF 阅读器中打开,或没有写入文件夹“{folder}”的权限。"
                             "请先关闭该文件再重试,或换一个可以写入的文件夹(如桌面或“文档”)。")
        return UserError(f"{head}没有写入文件夹“{folder}”的权限。"
                         "请换一个可以写入的文件夹(如桌面或“文档”)后重试。")
    if code in (errno.ENOENT, errno.ENOTDIR):
        return UserError(f"{head}文件夹“{folder}”不存在(或 U 盘、网络文件夹已断开)。"
                         "请检查路径,或先建立该文件夹后重试。")
    if code == errno.EISDIR:
        return UserError(f"{head}这是一个已有的文件夹。请在路径后面写上文件名。")
    if code == errno.ENAMETOOLONG:
        return UserError(f"{head}文件名或路径太长。请换一个短一些的文件名或文件夹后重试。")
    reason = exc.strerror or type(exc).__name__
    return UserError(f"{head}{reason}。请检查磁盘剩余空间、文件夹“{folder}”是否存在以及是否有写入权限,然后重试。")


def sync_file(path: str | os.PathLike[str]) -> None:
    """Make a finished temporary file durable before it is renamed into place: a full
    disk (delayed allocation) or a USB stick pulled out reports it here, not after the
    rename. Raises OSError."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def remove_quietly(path: str | os.PathLike[str]) -> None:
    """Remove a temporary file or folder left by a failed write; never raises."""
    path = Path(path)
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def write_via_temp(target: str | os.PathLike[str], write: Callable[[BinaryIO], T]) -> T:
    """``write(stream)`` into a temporary file beside ``target``, made durable, then
    renamed over it: all of it or nothing, with ``write_error``'s message on failure."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    temp = folder / f".{target.name}.{uuid.uuid4().hex[:8]}.part"
    try:
        stream = open(temp, "xb")
    except OSError as exc:
        raise write_error(target, exc) from exc
    try:
        with stream:
            result = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except OSError as exc:
        remove_quietly(temp)
        raise write_error(target, exc) from exc
    except BaseException:
        remove_quietly(temp)
        raise
    return result
