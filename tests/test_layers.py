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
    for folder in ("core", "io", "cli"):
        for path in (PACKAGE / folder).rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] in QT_NAMES:
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_importing_core_and_io_loads_no_qt_module() -> None:
    modules = sorted(
        "zwgk_desktop." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for folder in ("core", "io", "cli") for p in (PACKAGE / folder).rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
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


#: Core's writing functions and Ledger's writing methods: a widget reaches them only
#: through ui/operations (one door: background, one error display, one change signal).
CORE_WRITERS = {
    "write_plan", "attach_files", "attach_url", "attach_note", "remove", "remove_many", "restore",
    "restore_many", "empty_recycle_bin", "apply_merge", "undo_merge", "add_member", "remove_member",
    "rename_unit", "set_contact", "import_directory", "import_pairs", "add_unit", "write_backup", "restore_auto_backup",
    "restore_backup", "auto_backup", "replace_damaged_database", "set_status", "set_statuses",
    "set_progress", "set_due_date", "set_status_date", "remove_status_entries", "delete_plan", "change",
    "set_period_status", "set_recurrence", "clear_recurrence", "record_follow_ups", "record_follow_up",
    "apply_revision", "create_derived_plan", "apply_rollup", "replace_mapping", "remove_mapping", "set_settings",
    "rollover", "set_matches",
}
#: Widgets still calling core writers directly, each to move behind ui/operations.
NOT_YET_THROUGH_THE_DOOR: set[str] = set()


def _core_writer_uses(path: Path) -> list[str]:
    """Writers imported from core by name, or called on a core module alias or a ledger."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    core_aliases: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and "core" in node.module.split("."):
            for alias in node.names:
                is_module = node.module.split(".")[-1] == "core" and (PACKAGE / "core" / f"{alias.name}.py").exists()
                if alias.name in CORE_WRITERS and not is_module:  # core.rollover the module, not the writer
                    found.append(f"imports {alias.name}")
                core_aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in CORE_WRITERS:
            receiver = node.value
            name = receiver.id if isinstance(receiver, ast.Name) else (
                receiver.attr if isinstance(receiver, ast.Attribute) else "")
            if name in core_aliases or name in ("ledger", "own"):
                found.append(f"calls {name}.{node.attr}")
    return found


def test_widgets_reach_core_writers_only_through_ui_operations() -> None:
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        if "operations" in path.relative_to(PACKAGE / "ui").parts or path.name in NOT_YET_THROUGH_THE_DOOR:
            continue
        offenders += [f"{path.name} {use}" for use in _core_writer_uses(path)]
    assert offenders == []


def test_the_layer_rule_sees_a_widget_writing_directly(tmp_path: Path) -> None:
    widget = tmp_path / "widget.py"
    widget.write_text("from ..core import evidence as ev\nfrom ..core.plan_import import write_plan\n"
                      "def f(self):\n    ev.attach_note(self.ledger, 1, 'x', None)\n"
                      "    self.ledger.set_status(1, None)\n", encoding="utf-8")
    assert sorted(_core_writer_uses(widget)) == ["calls ev.attach_note", "calls ledger.set_status",
                                                 "imports write_plan"]


def test_opening_the_ledger_does_not_load_numpy_or_pandas():
    """sqlite-utils would import them when installed (≈100 ms at every start)."""
    import importlib.util

    if importlib.util.find_spec("numpy") is None and importlib.util.find_spec("pandas") is None:
        pytest.skip("neither numpy nor pandas is installed here: nothing to keep out")

    code = ("import sys; import zwgk_desktop.core.ledger; "
            "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
