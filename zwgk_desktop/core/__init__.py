"""The domain and the ledger: no Qt here (tests/test_layers.py enforces it).

sqlite-utils is loaded only when something uses it: the ledger opens its connection
with :mod:`sqlite3` alone and reaches for sqlite-utils for migrations and table helpers
(``core/sqlite_db.py``). Loading it costs ~30 ms, more than a ``zwgk plans`` has to
spend. Importing this package puts a finder on ``sys.meta_path`` that waits for the
first ``import sqlite_utils`` (ours or anyone's) and has it load as below; until then
nothing of sqlite-utils is loaded.

When it does load, three of its parts the ledger never uses are kept out of the way
(only while it loads, so nothing else changes):

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


def _load_sqlite_utils(load: Any) -> None:
    """Run ``load`` (the execution of the sqlite_utils package, which imports all of
    it) with numpy/pandas hidden, the plugin modules stood in for and click and
    dateutil's parser deferred."""
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
        load()
    finally:
        sys.meta_path.remove(deferring)
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


class _OnFirstImport:
    """A meta path finder waiting for the first ``import sqlite_utils``: it hands out
    the package's own spec with a loader that runs the package under
    :func:`_load_sqlite_utils`, and steps aside (it is needed once)."""

    def find_spec(self, name: str, path=None, target=None):
        if name != "sqlite_utils":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            if not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _LoaderOurWay(spec.loader)
                return spec
        return None


class _LoaderOurWay:
    """sqlite_utils' own loader, executing the package under :func:`_load_sqlite_utils`;
    the module keeps the real loader afterwards."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        spec = module.__spec__
        if spec is not None:
            spec.loader = self.loader
        module.__loader__ = self.loader
        _load_sqlite_utils(lambda: self.loader.exec_module(module))

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, …
        return getattr(self.loader, name)


if "sqlite_utils" not in sys.modules and not any(isinstance(f, _OnFirstImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _OnFirstImport())
