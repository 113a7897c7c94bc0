"""Fixtures every test layer shares: a throwaway ledger, the sample tables in tests/data, and a
home directory of its own so no test reads or writes the developer's settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zwgk_desktop.core.ledger import Ledger

REPO = Path(__file__).resolve().parents[1]


# The real decomposition tables and the reading each must give live in the repository:
# a fresh clone (a user, a packager, CI in an empty folder) has nothing beside it.
SAMPLES = REPO / "tests" / "data" / "samples"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("APPDATA", str(home / "appdata"))
    monkeypatch.delenv("ZWGK_LEDGER", raising=False)


@pytest.fixture
def ledger_dir(tmp_path: Path) -> Path:
    return tmp_path / "ledger"


@pytest.fixture
def ledger(ledger_dir: Path):
    with Ledger.open(ledger_dir) as opened:
        yield opened


def load_expected(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def squash(text: str | None) -> str | None:
    return None if text is None else "".join(text.split())
