"""What the clerk reads when something fails: the plain message for a problem they
can act on, and for a fault of ours a Chinese sentence with the log file's place,
never an exception's own English text or a traceback (those go to the log)."""

from __future__ import annotations

import logging

from ..core.errors import UserError
from ..core.locations import user_data_dir

log = logging.getLogger("zwgk")


def log_path() -> str:
    return str(user_data_dir() / "logs" / "zwgk-desktop.log")


def failure_text(exc: BaseException, what: str, unchanged: str = "台账没有改变。") -> str:
    """``what`` names the work (导入, 生成报告…); ``unchanged`` says what is still safe."""
    if isinstance(exc, UserError):
        return exc.message
    details = getattr(exc, "__zwgk_traceback__", None)
    log.error("%s失败: %r\n%s", what, exc, details or "", exc_info=None if details else exc)
    return (f"{what}时程序遇到意外错误,没有完成。{unchanged}\n"
            f"详细信息已记录在日志文件中:{log_path()}\n请把这个文件发给技术支持人员。")
