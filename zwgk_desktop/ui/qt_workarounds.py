"""Work-arounds for bugs in the Qt binding, each with the reason and when to drop it.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``None`` on every void method
called from Python (``label.setText(...)``) and one to ``True`` on every
``Signal.emit()``. ``None`` starts near 5,400 references and ``True`` near 1,000-2,000,
so after that many calls the interpreter aborts ("Fatal Python error: bool_dealloc") —
in this app after a few thousand keystrokes or clicks, losing the note being typed.
PySide6 6.11.3 does not have the bug, but PySide6-Pdf (in-app PDF preview without the
175 MB PySide6-Addons wheel) exists only for 6.12. Python 3.12 made these objects
immortal, so the miscount is harmless there; on 3.11 we do what 3.12 does and give the
three singletons a reserve of references the miscount can never use up. They are never
freed anyway, so nothing leaks. tests/ui/test_pyside_refcounts.py measures the
binding's miscount (strict xfail): when it starts passing, remove this.
"""

from __future__ import annotations

import sys

REFCOUNT_RESERVE = 1 << 40
_applied = False


def protect_singletons_from_refcount_bug() -> None:
    """Call once, before the first Qt object is made. Idempotent; inert on 3.12+."""
    global _applied
    if _applied or sys.version_info >= (3, 12):
        return
    import ctypes

    for singleton in (None, True, False):
        # ob_refcnt is the first field of every object in a release build of CPython.
        ctypes.c_ssize_t.from_address(id(singleton)).value += REFCOUNT_RESERVE
    _applied = True
