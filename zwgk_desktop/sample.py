"""The bundled sample plan, opened in a ledger of its own so it never mixes with the
clerk's real data."""

from __future__ import annotations

from pathlib import Path

from .core.ledger import Ledger
from .core.locations import user_data_dir
from .core.plan_import import write_plan
from .io.plan_file import read_plan_file
from .resources import sample_plan_file

SAMPLE_LEDGER_NAME = "示例台账"


def sample_ledger_dir() -> Path:
    return user_data_dir() / SAMPLE_LEDGER_NAME


def ensure_sample_ledger(folder: Path | None = None) -> Path:
    """Create the sample ledger (importing the bundled plan) unless it exists."""
    folder = folder or sample_ledger_dir()
    with Ledger.open(folder) as ledger:
        if not ledger.plans():
            parsed, digest = read_plan_file(sample_plan_file())
            write_plan(ledger, parsed, digest, issuer="示例")
    return folder
