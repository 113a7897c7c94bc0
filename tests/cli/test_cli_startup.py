"""A command loads its own module and what it needs, not every command's:
the table in cli/__init__.py says which module registers which command, and what a
whole ``zwgk plans`` / ``zwgk import`` process loads is checked in a fresh interpreter."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zwgk_desktop import cli
from zwgk_desktop.cli import COMMAND_MODULES, build_parser
from tests.builders import run_cli

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "rencheng_2023.xlsx"


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


def test_the_table_names_what_each_module_registers() -> None:
    for module_name, names in COMMAND_MODULES.items():
        registered: list[str] = []

        def command(name, help_text, handler, registered=registered):
            registered.append(name)
            return argparse.ArgumentParser()

        importlib.import_module(f"zwgk_desktop.cli.{module_name}").register(command)
        assert tuple(registered) == names, module_name
    assert subcommands(build_parser()) == [n for names in COMMAND_MODULES.values() for n in names]


@pytest.mark.parametrize("argv, expected", [
    (["plans"], COMMAND_MODULES["plans"]),
    (["--ledger", "x", "import", "f.xlsx"], COMMAND_MODULES["plans"]),
    (["--ledger=x", "report", "--help"], COMMAND_MODULES["report"]),
    (["--help"], None),  # the whole list
    (["-h", "plans"], None),
    (["--led", "x", "plans"], None),  # an abbreviated option: argparse decides
    (["nonsense"], None),  # its complaint lists every command
    ([], None),
])
def test_the_parser_for_a_command_has_its_module(argv: list[str], expected) -> None:
    every = [n for names in COMMAND_MODULES.values() for n in names]
    assert subcommands(build_parser(argv)) == list(expected or every)


def test_a_mistyped_command_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "plan")
    assert code == 2 and "plans" in err and "report" in err and "derive" in err


def test_help_of_one_command_is_the_same_either_way() -> None:
    def help_of(parser: argparse.ArgumentParser, name: str) -> str:
        [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return sub.choices[name].format_help()

    for name in ("import", "report", "fill-in", "rollover"):
        assert help_of(build_parser([name]), name) == help_of(build_parser(), name)


LOADED = textwrap.dedent("""
    import sys
    from zwgk_desktop.cli import main
    code = main(sys.argv[1:])
    heavy = ["sqlite_utils", "openpyxl", "reportlab", "docx", "python_calamine", "zwgk_desktop.io.xlsx_export",
             "zwgk_desktop.io.pdf_report", "zwgk_desktop.cli.report", "zwgk_desktop.cli.exchange",
             "zwgk_desktop.cli.follow_up", "zwgk_desktop.cli.linked", "zwgk_desktop.core.exchange",
             "zwgk_desktop.io.table_reader", "zwgk_desktop.io.plan_writer"]
    print(code, sorted(name for name in heavy if name in sys.modules))
""")


def loaded_by(*argv: str) -> str:
    out = subprocess.run([sys.executable, "-c", LOADED, *argv], capture_output=True, text=True, timeout=120,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    return out.stdout.strip().splitlines()[-1]


def test_what_zwgk_plans_and_zwgk_import_load(tmp_path: Path) -> None:
    folder = tmp_path / "台账"
    assert loaded_by("init", str(folder)).startswith("0 ")
    assert loaded_by("--ledger", str(folder), "import", str(SAMPLE)) == "0 ['python_calamine', 'zwgk_desktop.io.table_reader']"
    assert loaded_by("--ledger", str(folder), "plans") == "0 []"


def test_main_reads_sys_argv_when_given_none(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["zwgk", "--version"])
    assert cli.main() == 0
    assert capsys.readouterr().out.startswith("zwgk ")


def test_only_the_program_itself_skips_the_collection_at_exit(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    registered: list[object] = []
    monkeypatch.setattr(cli.atexit, "register", registered.append)
    assert cli.main(["--version"]) == 0  # a caller that lives on (tests, scripts): nothing at its exit
    assert registered == []
    monkeypatch.setattr(sys, "argv", ["zwgk", "--version"])
    assert cli.main() == 0
    assert registered == [cli._end_without_collecting]
    capsys.readouterr()


def test_a_whole_zwgk_process_still_prints_everything_and_exits_with_its_code(tmp_path: Path) -> None:
    code = "import sys; from zwgk_desktop.cli import main; sys.exit(main())"
    folder = tmp_path / "台账"
    init = subprocess.run([sys.executable, "-c", code, "init", str(folder)], capture_output=True, text=True,
                          encoding="utf-8", cwd=tmp_path, check=False)
    assert init.returncode == 0, init.stderr
    done = subprocess.run([sys.executable, "-c", code, "--ledger", str(folder), "import", str(SAMPLE)],
                          capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("  需要核对完成时限的任务")
    again = subprocess.run([sys.executable, "-c", code, "--ledger", str(folder), "import", str(SAMPLE)],
                           capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, check=False)
    assert again.returncode == 2 and "已于" in again.stderr
