"""Where the bundled files are: beside the package in a checkout, inside the bundle
when frozen by PyInstaller."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def sample_plan_file() -> Path:
    return resources_dir() / "sample" / "sample_plan.xlsx"


def translation_file(name: str = "qtbase_zh_CN.qm") -> Path:
    return resources_dir() / "translations" / name
