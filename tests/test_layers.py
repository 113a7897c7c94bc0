"""The core must run without Qt (CLI, benchmarks, other front ends): no Qt import,
direct or through io/. A grep would miss ``importlib``; running it catches all."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "zwgk_desktop"
QT_NAMES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "shiboken6", "qtpy")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_and_io_sources_do_not_import_qt() -> None:
    offenders = []
    for folder in ("core", "io"):
        for path in (PACKAGE / folder).rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] in QT_NAMES:
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_importing_core_and_io_loads_no_qt_module() -> None:
    modules = sorted(
        "zwgk_desktop." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for folder in ("core", "io") for p in (PACKAGE / folder).rglob("*.py")
        if p.name != "__init__.py"
    )
    modules.append("zwgk_desktop.cli")
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"loaded = [m for m in sys.modules if m.split('.')[0] in {QT_NAMES!r}]\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_gui_never_talks_sql_itself() -> None:
    """Widgets go through core operations (ledger methods, task_query); a widget that
    ran its own SQL would bypass the transaction and audit every change must have."""
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("import sqlite3", ".execute(", ".executemany(", ".db.", "sqlite_utils"):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


def test_opening_the_ledger_does_not_load_numpy_or_pandas():
    """sqlite-utils would import them when installed (≈100 ms at every start)."""
    import importlib.util

    if importlib.util.find_spec("numpy") is None and importlib.util.find_spec("pandas") is None:
        pytest.skip("neither numpy nor pandas is installed here: nothing to keep out")

    code = ("import sys; import zwgk_desktop.core.ledger; "
            "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
