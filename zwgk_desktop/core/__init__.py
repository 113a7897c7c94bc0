"""The domain and the ledger: no Qt here (tests/test_layers.py enforces it).

Loading sqlite-utils costs the window and every ``zwgk`` command time before anything
is shown, for parts of it the ledger never uses. Three of them are kept out of the
way while it loads (and only then, so nothing else changes):

- pandas and numpy: sqlite-utils converts their values whenever they happen to be
  installed beside us, importing them as it loads (about 100 ms). They are hidden, so
  it takes its no-pandas, no-numpy path; anything importing them later gets them.
- its plugin system (pluggy, and click for a hook's annotation): the ledger opens its
  connections with ``execute_plugins=False``. ``sqlite_utils.plugins`` and
  ``sqlite_utils.hookspecs`` stand in as small modules whose objects load the real
  ones on first use, so a plugin, ``get_plugins()`` or ``execute_plugins=True`` still
  work as documented.
- click (for its command line's progress bars) and dateutil's parser (for the
  ``parsedate`` recipe): loaded lazily (:class:`importlib.util.LazyLoader`), the
  module exists at once and executes on its first use, if any.
"""

from __future__ import annotations

import sys
import types
from typing import Any

#: Modules sqlite-utils imports at load and only uses inside functions we never call.
_DEFERRED = frozenset({"click", "dateutil.parser"})
#: sqlite-utils' plugin modules and the objects its other modules import from them.
_PLUGIN_NAMES = {"sqlite_utils.hookspecs": ("hookimpl", "hookspec"),
                 "sqlite_utils.plugins": ("ensure_plugins_loaded", "get_plugins", "pm")}


class _DeferLoading:
    """A meta path finder, present only while sqlite-utils loads, that hands out the
    modules in ``_DEFERRED`` with a lazy loader."""

    def find_spec(self, name: str, path=None, target=None):
        if name not in _DEFERRED:
            return None
        import importlib.util

        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


class _StandInModule(types.ModuleType):
    """Stands for one of sqlite-utils' plugin modules until something of it is used."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system asking what kind of module this is
            raise AttributeError(name)
        return getattr(_real_plugin_module(self.__name__), name)


class _Later:
    """Stands for one object of a plugin module (the plugin manager, a hook marker, a
    function): loads the real module at first use and passes everything on to it."""

    __slots__ = ("_module", "_name")

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def _real(self) -> Any:
        return getattr(_real_plugin_module(self._module), self._name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._real()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self._module}.{self._name}, loaded at first use>"


def _real_plugin_module(name: str) -> types.ModuleType:
    module = sys.modules.get(name)
    if isinstance(module, _StandInModule):
        import importlib

        if name == "sqlite_utils.plugins":  # its manager registers the real hook specifications
            _real_plugin_module("sqlite_utils.hookspecs")
        del sys.modules[name]
        module = importlib.import_module(name)
        package = sys.modules.get("sqlite_utils")
        if package is not None:
            setattr(package, name.rpartition(".")[2], module)
    assert module is not None
    return module


def _load_sqlite_utils() -> None:
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail fast
    for module_name, names in _PLUGIN_NAMES.items():
        if module_name not in sys.modules:
            stand_in = _StandInModule(module_name)
            for name in names:
                setattr(stand_in, name, _Later(module_name, name))
            sys.modules[module_name] = stand_in
    deferring = _DeferLoading()
    sys.meta_path.insert(0, deferring)
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        sys.meta_path.remove(deferring)
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


if "sqlite_utils.db" not in sys.modules:
    _load_sqlite_utils()
