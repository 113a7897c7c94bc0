"""What every CLI command module shares: opening the ledger the clerk meant."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from ..core.ledger import LEDGER_FILE, Ledger
from ..core.locations import LEDGER_ENV, default_ledger_dir, remember_ledger, resolve_ledger_dir


def parse_date(text: str) -> date:
    """argparse type for YYYY-MM-DD, with the complaint in Chinese."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对,请写成 2023-09-30 这样的格式") from None


def open_ledger(args: argparse.Namespace, *, create_default: bool = False) -> Ledger:
    """--ledger, else ZWGK_LEDGER, else the last one used, else the default folder.

    A folder without a ledger is never filled silently (a mistyped --ledger would
    otherwise become a new, empty, remembered ledger): `zwgk init DIR` creates one.
    Only the default folder, which nobody types, is created on first use, and only by
    a command that puts something in it (``create_default``, i.e. import); it says so."""
    explicit = getattr(args, "ledger", None) or os.environ.get(LEDGER_ENV)
    folder = resolve_ledger_dir(getattr(args, "ledger", None))
    create = create_default and not explicit and folder == default_ledger_dir()
    new = create and not (folder / LEDGER_FILE).exists()
    ledger = Ledger.open(folder, create=create)
    if new:
        print(f"已新建台账:{folder}", file=sys.stderr)
    remember_ledger(folder)
    return ledger
