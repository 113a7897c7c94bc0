"""zwgk_desktop.core does not load sqlite-utils itself; once something imports it, it
loads without the parts the ledger never uses (pandas/numpy, its plugin system, click,
dateutil's parser), and each of those still works the moment something does use it. Checked in a fresh interpreter: the test
process has long since imported everything."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHECK = textwrap.dedent("""
    import sqlite3, sys, types
    import zwgk_desktop.core
    print("sqlite_utils loaded with core:", "sqlite_utils" in sys.modules)
    import sqlite_utils
    from sqlite_utils import Database

    def executed(name):
        module = sys.modules.get(name)
        return module is not None and type(module) is types.ModuleType and hasattr(module, "__file__")

    # Loading: nothing of the plugin system or the deferred modules has run.
    print("pluggy loaded:", "pluggy" in sys.modules)
    print("click executed:", executed("click") and hasattr(sys.modules["click"], "progressbar")
          and type(sys.modules["click"]).__name__ == "module")
    print("dateutil.parser executed:", type(sys.modules.get("dateutil.parser")).__name__ == "module")

    # The ledger's way: plugins not executed, nothing more is loaded.
    db = Database(sqlite3.connect(":memory:"), execute_plugins=False)
    assert db.execute("select 41 + 1").fetchall() == [(42,)]
    print("pluggy after a ledger connection:", "pluggy" in sys.modules)

    # A plugin, as sqlite-utils documents it, still takes effect.
    @sqlite_utils.hookimpl
    def prepare_connection(conn):
        conn.create_function("answer", 0, lambda: 42)

    from sqlite_utils.plugins import get_plugins, pm
    plugin = types.ModuleType("answer")
    plugin.prepare_connection = prepare_connection
    pm.register(plugin, name="answer")
    db = Database(sqlite3.connect(":memory:"))
    print("plugin:", db.execute("select answer()").fetchall(), [p["name"] for p in get_plugins()])

    # The deferred helpers run when used.
    from sqlite_utils.utils import click
    from sqlite_utils.recipes import parsedate
    print("click:", callable(click.progressbar), "parsedate:", parsedate("2024-03-05"))
""")


def test_sqlite_utils_loads_without_what_the_ledger_never_uses() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120,
                         check=True).stdout.splitlines()
    assert out == [
        "sqlite_utils loaded with core: False",
        "pluggy loaded: False",
        "click executed: False",
        "dateutil.parser executed: False",
        "pluggy after a ledger connection: False",
        "plugin: [(42,)] ['answer']",
        "click: True parsedate: 2024-03-05",
    ]
