"""Regular expressions compiled when first used, not when their module is imported.

The readers, deadlines and units modules hold dozens of patterns; compiling them all at
import cost the window and every ``zwgk`` command tens of milliseconds before anything
was shown, for patterns most runs never use (``zwgk plans`` reads no table). A
:class:`LazyPattern` behaves as the compiled pattern for the methods code calls on it;
after the first call those methods are plain attributes, so a reader's inner loop pays
nothing extra.
"""

from __future__ import annotations

import re
from typing import Any

_METHODS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer")


class LazyPattern:
    """``lazy_compile(r"…")`` at module level instead of ``re.compile(r"…")``."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def compiled(self) -> re.Pattern[str]:
        pattern = re.compile(*self._source)
        for name in _METHODS:  # later calls find these without coming back here
            setattr(self, name, getattr(pattern, name))
        self.compiled = lambda: pattern  # type: ignore[method-assign]
        return pattern

    def __getattr__(self, name: str) -> Any:  # only for names not yet set on the instance
        if name.startswith("__") or name == "_source":
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
