"""The domain and the ledger: no Qt here (tests/test_layers.py enforces it).

sqlite-utils converts pandas and numpy values whenever those happen to be installed
beside us, importing them as it loads: about 100 ms at every start, for values the
ledger never stores. They are hidden while sqlite-utils loads (and only then), so it
takes its no-pandas, no-numpy path; anything importing them later gets them as usual.
"""

from __future__ import annotations

import sys


def _load_sqlite_utils_without_dataframes() -> None:
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail fast
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


if "sqlite_utils.db" not in sys.modules:
    _load_sqlite_utils_without_dataframes()
