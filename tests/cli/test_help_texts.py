"""`zwgk --help` says what the commands make today: the report's 完成率 is a bar in its
table (no separate 完成率图), and a 催办单 is written as PDF or Word."""

from __future__ import annotations

import pytest

from tests.builders import run_cli


def _line(out: str, command: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(command + " "))


def test_the_command_list_describes_the_report_and_the_reminder_as_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    report, remind = _line(out, "report"), _line(out, "remind")
    assert "完成率图" not in out and "图" not in report
    assert "PDF 或 Word" in report
    assert "PDF 或 Word" in remind and "督办通知 PDF" not in out


@pytest.mark.parametrize("command,words", [("report", ["横条", "没有单独的图", "docx"]),
                                           ("remind", ["PDF 或 Word", ".docx"])])
def test_each_commands_own_help(capsys: pytest.CaptureFixture[str], command: str, words: list[str]) -> None:
    code, out, _ = run_cli(capsys, command, "--help")
    assert code == 0
    flat = "".join(out.split())  # argparse wraps long lines
    assert "完成率图" not in flat
    for word in words:
        assert "".join(word.split()) in flat, word
