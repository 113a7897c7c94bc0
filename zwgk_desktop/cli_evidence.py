"""CLI commands for 佐证材料 (issue 4): attach, evidence, check, evidence-package."""

from __future__ import annotations

from typing import Callable


def register(command: Callable) -> None:
    """Add this area's subcommands: `command(name, help, handler)` returns the
    subparser to add options to (see cli.build_parser)."""
