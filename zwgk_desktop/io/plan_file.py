"""One call from a file on disk to a plan the clerk can preview: read, then understand.

Both the command line and the import wizard go through here, so they read every
file the same way and give the same messages.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import FileReadError
from ..core.model import ParsedPlan
from ..core.plan_import import sha256_of
from .table_reader import ReadOptions, read_plan
from .readers import read_workbook


def read_plan_file(path: str | Path, options: ReadOptions | None = None) -> tuple[ParsedPlan, str]:
    """The plan in a file and the file's SHA-256 (which identifies it on re-import)."""
    path = Path(path)
    workbook = read_workbook(path)
    parsed = read_plan(workbook, options)
    try:
        digest = sha256_of(path)
    except OSError as exc:
        raise FileReadError(path, f"读取文件时出错({exc.strerror or exc})",
                            "请确认文件没有被移动或删除,然后重试。") from exc
    return parsed, digest
