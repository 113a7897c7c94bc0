"""What every CLI command module shares: opening the ledger the clerk meant."""

from __future__ import annotations

import argparse

from .core.ledger import Ledger
from .core.locations import remember_ledger, resolve_ledger_dir


def open_ledger(args: argparse.Namespace) -> Ledger:
    """--ledger, else ZWGK_LEDGER, else the last one used, else the default folder."""
    folder = resolve_ledger_dir(getattr(args, "ledger", None))
    ledger = Ledger.open(folder)
    remember_ledger(folder)
    return ledger
