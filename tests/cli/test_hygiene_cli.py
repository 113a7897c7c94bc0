"""`zwgk` at its edges: argparse's own words in Chinese, a reader that stops
reading (`| head`) ends the command quietly, an over-long note is refused plainly."""

from __future__ import annotations

import argparse
import gettext
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_evidence import evidence_plan
from zwgk_desktop.cli import EXIT_OUTPUT_CLOSED, build_parser, main
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.limits import MAX_NOTE_CHARS
from tests.builders import run_cli

ENGLISH = ("usage:", "error:", "the following arguments are required", "invalid choice", "choose from",
           "unrecognized arguments", "expected one argument", "invalid int value", "positional arguments",
           "options:", "show this help message", "argument ")


run = run_cli


@pytest.fixture
def tasks(ledger: Ledger) -> list[int]:
    return evidence_plan(ledger)


# -- argparse in Chinese ---------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "words"), [
    (["progress"], ["缺少必须写的参数", "TASK_ID", "--quarter"]),
    (["export", "--format", "pdf"], ["参数 --format", "“pdf”不是可选的值", "json"]),
    (["plans", "--bogus"], ["无法识别的参数:--bogus"]),
    (["status", "abc", "已完成"], ["参数 TASK_ID", "“abc”不是有效的数字"]),
    (["log", "--limit"], ["参数 --limit", "后面要写一个值"]),
    (["no-such-command"], ["“no-such-command”不是可选的值"]),
])
def test_argument_errors_are_in_chinese(capsys, argv: list[str], words: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("用法:zwgk")
    assert "命令参数有误" in err and "--help 查看用法" in err
    for word in words:
        assert word in err
    for english in ENGLISH:
        assert english not in err, english


@pytest.mark.parametrize("argv", [["--help"], ["progress", "--help"], ["report", "--help"]])
def test_help_headings_are_in_chinese(capsys, argv: list[str]) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.startswith("用法:zwgk")
    assert "选项:" in out and "显示本帮助并退出" in out
    for english in ENGLISH:
        assert english not in out, english


def test_version_help_is_in_chinese() -> None:
    help_text = build_parser().format_help()
    assert "显示程序版本并退出" in help_text and "version number" not in help_text


def test_other_argparse_users_keep_their_language(capsys) -> None:
    run(capsys, "progress")
    assert argparse._ is gettext.gettext  # type: ignore[attr-defined]
    assert argparse.ArgumentParser(prog="other").format_usage().startswith("usage: other")


# -- a reader that stops reading ---------------------------------------------------------------


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize(("argv", "expected"), [
    (["--help"], 0),  # argparse itself ignores a failed write of the help
    (["tasks"], EXIT_OUTPUT_CLOSED),
    (["export", "--format", "json"], EXIT_OUTPUT_CLOSED),
    (["evidence", "1"], EXIT_OUTPUT_CLOSED),
])
def test_closed_output_ends_quietly(ledger_dir: Path, tasks, capsys, monkeypatch, argv: list[str],
                                    expected: int) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = main(["--ledger", str(ledger_dir), *argv])
    assert capsys.readouterr().err == ""
    assert code == expected


def test_piped_to_a_reader_that_went_away(ledger_dir: Path, tasks) -> None:
    """`zwgk tasks | head`, with head already gone: the pipe's read end is closed before
    the command starts, so its first write fails every time."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "zwgk_desktop.cli", "--ledger", str(ledger_dir), "tasks"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == EXIT_OUTPUT_CLOSED


# -- limits ------------------------------------------------------------------------------------


def test_progress_over_the_cell_limit_is_refused_and_nothing_saved(ledger_dir: Path, ledger: Ledger, tasks,
                                                                   capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("进" * (MAX_NOTE_CHARS + 1)))
    code, out, err = run(capsys, "--ledger", str(ledger_dir), "progress", str(tasks[0]), "--quarter", "2023Q3", "-")
    assert code == 2 and out == ""
    assert "太长" in err and "32,768" in err and "没有保存" in err
    assert ledger.task(tasks[0]).progress == []
    monkeypatch.setattr(sys, "stdin", io.StringIO("进" * MAX_NOTE_CHARS))
    code, _, _ = run(capsys, "--ledger", str(ledger_dir), "progress", str(tasks[0]), "--quarter", "2023Q3", "-")
    assert code == 0
    assert len(ledger.task(tasks[0]).progress[0].text) == MAX_NOTE_CHARS
