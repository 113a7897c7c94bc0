"""Making a write durable: a file's bytes, or a rename inside a folder, on the disk
before the ledger counts on them (a power cut must not leave a half-written copy)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync a file or a folder. Best effort: a folder cannot be opened on Windows (and
    needs no such step there), and a file system that refuses fsync is not an error."""
    if path.is_dir() and os.name == "nt":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
