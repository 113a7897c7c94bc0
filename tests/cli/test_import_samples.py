"""Every real sample imports and exports exactly as its expected reading says.

Driven through the CLI (as scripts use it): file -> ledger -> ``export --format json``.
Text is compared with white space removed, as shared/samples/README.md specifies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zwgk_desktop.cli import main
from tests.conftest import SAMPLES, load_expected, squash

CASES = [
    ("rencheng_2023.xlsx", "rencheng_2023"),
    ("rencheng_2023.docx", "rencheng_2023"),
    ("linyi_2023.xlsx", "linyi_2023"),
]


def _import_and_export(tmp_path: Path, filename: str, capsys: pytest.CaptureFixture[str]) -> dict:
    ledger = tmp_path / "ledger"
    assert main(["init", str(ledger)]) == 0
    assert main(["--ledger", str(ledger), "import", str(SAMPLES / filename)]) == 0
    out = tmp_path / "export.json"
    assert main(["--ledger", str(ledger), "export", "--format", "json", "-o", str(out)]) == 0
    capsys.readouterr()
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("filename,expected_name", CASES)
def test_sample_reads_exactly_as_expected(tmp_path: Path, filename: str, expected_name: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    expected = load_expected(expected_name)
    data = _import_and_export(tmp_path, filename, capsys)

    assert data["plan"]["year"] == expected["plan"]["year"]
    assert squash(data["plan"]["title"]) == squash(expected["plan"]["title"])
    assert [squash(c) for c in data["plan"]["columns"]] == [squash(c) for c in expected["plan"]["columns"]]
    assert len(data["tasks"]) == len(expected["tasks"])
    for got, want in zip(data["tasks"], expected["tasks"]):
        where = f"task seq {got['seq']}"
        assert [squash(s) for s in got["section"]] == [squash(s) for s in want["section"]], where
        assert squash(got["title"]) == squash(want["title"]), where
        assert squash(got["requirement"]) == squash(want["requirement"]), where
        assert [squash(u["name"]) for u in got["units"]] == [squash(u) for u in want["units"]], where
        assert squash(got["deadline_text"]) == squash(want["deadline_text"]), where
        assert got["due_date"] == want["due_date"], where
    assert [t["seq"] for t in data["tasks"]] == list(range(1, len(expected["tasks"]) + 1))


@pytest.mark.parametrize("filename,expected_name", CASES)
def test_first_unit_leads_the_rest_cooperate(tmp_path: Path, filename: str, expected_name: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    data = _import_and_export(tmp_path, filename, capsys)
    for task in data["tasks"]:
        roles = [u["role"] for u in task["units"]]
        if roles:
            assert roles[0] == "lead"
            assert set(roles[1:]) <= {"cooperate"}


def test_word_and_excel_copies_of_one_table_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = _import_and_export(tmp_path / "a", "rencheng_2023.xlsx", capsys)
    docx = _import_and_export(tmp_path / "b", "rencheng_2023.docx", capsys)
    strip = lambda t: {k: t[k] for k in ("seq", "section", "requirement", "units", "deadline_text", "due_date")}
    assert [strip(t) for t in xlsx["tasks"]] == [strip(t) for t in docx["tasks"]]
