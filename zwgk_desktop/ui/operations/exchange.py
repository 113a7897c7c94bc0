"""Excel exchange and the unit directory, changed from the window."""

from __future__ import annotations

from ...core import exchange as X
from ...core import unit_directory as D
from ...core.ledger import Ledger
from .events import announce


def apply_merge(own: Ledger, chosen: list[X.Change], *, force: bool) -> X.ApplyResult:
    """In a worker, on its own connection: the changes the clerk ticked, one transaction."""
    result = X.apply_merge(own, chosen, force=force)
    announce(None)
    return result


def undo_merge(own: Ledger, merge_id: int, *, force: bool = False) -> X.UndoResult:
    result = X.undo_merge(own, merge_id, force=force)
    announce(None)
    return result


def add_unit(ledger: Ledger, name: str) -> bool:
    added = D.add_unit(ledger, name)
    announce(None)
    return added


def add_member(ledger: Ledger, group: str, member: str) -> bool:
    added = D.add_member(ledger, group, member)
    announce(None)
    return added


def remove_member(ledger: Ledger, group: str, member: str) -> bool:
    removed = D.remove_member(ledger, group, member)
    announce(None)
    return removed


def rename_unit(ledger: Ledger, old: str, new: str) -> None:
    D.rename_unit(ledger, old, new)
    announce(None)


def import_pairs(ledger: Ledger, pairs: list[tuple[str, str]], source: str = "") -> D.DirectoryImport:
    result = D.import_pairs(ledger, pairs, source)
    announce(None)
    return result
