"""CLI commands for Excel 交换 (issue 6): export --format xlsx, fill-in, merge, units."""

from __future__ import annotations

from typing import Callable


def register(command: Callable) -> None:
    """Add this area's subcommands: `command(name, help, handler)` returns the
    subparser to add options to (see cli.build_parser)."""
