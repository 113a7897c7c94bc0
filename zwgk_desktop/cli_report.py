"""CLI commands for 季度报告 (issue 5): report."""

from __future__ import annotations

from typing import Callable


def register(command: Callable) -> None:
    """Add this area's subcommands: `command(name, help, handler)` returns the
    subparser to add options to (see cli.build_parser)."""
