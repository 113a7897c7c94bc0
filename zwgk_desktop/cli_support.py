"""What every CLI command module shares: opening the ledger the clerk meant."""

from __future__ import annotations

import argparse
from datetime import date

from .core.ledger import Ledger
from .core.locations import remember_ledger, resolve_ledger_dir


def parse_date(text: str) -> date:
    """argparse type for YYYY-MM-DD, with the complaint in Chinese."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对,请写成 2023-09-30 这样的格式") from None


def open_ledger(args: argparse.Namespace) -> Ledger:
    """--ledger, else ZWGK_LEDGER, else the last one used, else the default folder."""
    folder = resolve_ledger_dir(getattr(args, "ledger", None))
    ledger = Ledger.open(folder)
    remember_ledger(folder)
    return ledger
