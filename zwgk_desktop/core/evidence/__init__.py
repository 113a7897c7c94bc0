"""佐证材料 (no Qt), in five parts, each importable on its own:

- ``records``: attaching files, page addresses and notes to a task for a quarter,
  listing them, and the 回收站 (remove, restore, empty). Rows and audit.
- ``store``: the content store, files named by SHA-256 under ``evidence/``: finding,
  hashing and removing them; read-only copies handed out.
- ``copying``: getting the clerk's files into the store, durably (temporary name,
  hashed as written, fsync, rename) and fast (several files at once).
- ``check``: 检查佐证材料, every stored file against its hash.
- ``names``: names for recorded, exported and pasted files, sizes, task labels.

Callers usually write ``from ..core import evidence as ev`` and use the names below;
they are the public surface of all five.
"""

from __future__ import annotations

from .check import CheckProblem, CheckReport, check_store, format_check_report
from .names import (
    clean_name,
    format_size,
    safe_file_part,
    safe_filename,
    task_label,
    unique_name,
)
from .records import (
    KIND_FILE,
    KIND_NAMES,
    KIND_NOTE,
    KIND_URL,
    MAX_NOTE,
    AttachResult,
    BinEntry,
    EmptyResult,
    attach_files,
    attach_note,
    attach_url,
    empty_recycle_bin,
    evidence_by_id,
    evidence_for_task,
    is_url,
    normalise_url,
    recycle_bin,
    remove,
    remove_many,
    restore,
    restore_many,
    task_ids_without_evidence,
)
from .store import (
    CHUNK,
    TEMP_PREFIX,
    TEMP_SUFFIX,
    AttachCancelled,
    ProgressCallback,
    stored_path,
    viewer_copy,
)

__all__ = [
    "CHUNK",
    "KIND_FILE",
    "KIND_NAMES",
    "KIND_NOTE",
    "KIND_URL",
    "MAX_NOTE",
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "AttachCancelled",
    "AttachResult",
    "BinEntry",
    "CheckProblem",
    "CheckReport",
    "EmptyResult",
    "ProgressCallback",
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
    "is_url",
    "normalise_url",
    "recycle_bin",
    "remove",
    "remove_many",
    "restore",
    "restore_many",
    "safe_file_part",
    "safe_filename",
    "stored_path",
    "task_ids_without_evidence",
    "task_label",
    "unique_name",
    "viewer_copy",
]
