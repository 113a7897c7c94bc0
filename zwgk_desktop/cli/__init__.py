"""`zwgk`: every non-visual operation of the ledger, for scripts, tests and benchmarks.

A thin layer: parse arguments, call core/io, print in Chinese. The option names are
a contract (scripts rely on them); add options, never rename them.
Exit codes: 0 done, 2 the clerk's input was wrong (message says what to do),
1 an internal error (logged with its traceback), 141 the reader of the output went
away (``zwgk tasks | head``; nothing is printed about it).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import __version__
from ..core.errors import UserError
from ..core.locations import user_data_dir
from .arguments import EXIT_USER_ERROR, ChineseArgumentParser

__all__ = ["EXIT_INTERNAL_ERROR", "EXIT_OUTPUT_CLOSED", "EXIT_USER_ERROR", "build_parser", "main"]

EXIT_INTERNAL_ERROR = 1
EXIT_OUTPUT_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a program whose reader went away


#: The module that registers each command, in the order of ``zwgk --help``. A command
#: loads only its own module (``zwgk plans`` need not load the report's or the
#: exchange's); tests/cli/test_cli.py checks this table against what they register.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "plans": ("import", "plans", "status", "progress", "export", "tasks", "log"),
    "evidence": ("attach", "evidence", "evidence-remove", "evidence-restore", "recycle-bin", "check",
                 "evidence-package"),
    "report": ("report",),
    "exchange": ("fill-in", "merge", "units"),
    "backup": ("init", "backup", "restore", "backups"),
    "draft": ("draft",),
    "follow_up": ("overdue", "remind", "overview", "recurring"),
    "rollover": ("rollover", "carryover"),
    "linked": ("derive", "rollup", "unit-map"),
}
_MODULE_OF = {name: module for module, names in COMMAND_MODULES.items() for name in names}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: when ``argv`` plainly names a command (only ``--ledger``
    before it), the parser has that command's module and no other, so the command
    starts without loading the rest; otherwise (help, a mistyped command, no
    ``argv``) every command, so the help and the complaints list them all."""
    common = ChineseArgumentParser(add_help=False)  # its 选项 heading merges with each parser's
    common.add_argument("--ledger", metavar="DIR", default=argparse.SUPPRESS,
                        help="台账文件夹(默认:环境变量 ZWGK_LEDGER、上次使用的台账,或用户数据目录)")

    parser = ChineseArgumentParser(
        prog="zwgk", parents=[common],
        description="政务公开任务台账 命令行:导入任务分解表、登记状态和进展、导出。")
    parser.add_argument("--version", action="version", version=f"zwgk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)

    def command(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    # Each area's commands live beside each other in their own module.
    named = _command_named(argv) if argv is not None else None
    modules = (_MODULE_OF[named],) if named in _MODULE_OF else tuple(COMMAND_MODULES)
    for module in modules:
        importlib.import_module(f"{__name__}.{module}").register(command)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names when nothing but ``--ledger DIR`` comes before it;
    None for anything else (an option such as ``--help``, an abbreviated ``--ledger``),
    which then gets the whole parser."""
    args = iter(argv)
    for arg in args:
        if arg == "--ledger":
            next(args, None)
        elif not arg.startswith("--ledger="):
            return None if arg.startswith("-") else arg
    return None


def _log_internal_error() -> Path | None:
    import traceback

    try:
        folder = user_data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "zwgk-errors.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(traceback.format_exc() + "\n")
        return path
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the zwgk program itself, not a caller that lives on (tests, scripts)
        atexit.unregister(_end_without_collecting)  # (once, however often main runs)
        atexit.register(_end_without_collecting)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already explained
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a reader that stopped reading (`| head`) shows up here at the latest
        return code
    except BrokenPipeError:
        return _output_closed()
    except UserError as exc:
        hint = getattr(exc, "hint_cli", "")  # what only the command line needs (the window's text has none)
        print(exc.message + (f"\n{hint}" if hint else ""), file=sys.stderr)
        return EXIT_USER_ERROR
    except sqlite3.DatabaseError as exc:
        message = _database_error_message(args, exc)
        if message is None:
            return _internal_error(exc)
        print(message, file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: say so plainly, keep the details in a log
        return _internal_error(exc)


def _end_without_collecting() -> None:
    """At exit Python's finalization runs the cycle collector over every object still
    alive (modules, caches: ~10 ms after importing 5,000 tasks, as long as a bare
    process takes to end). A command has closed its ledger and files by then and
    nothing it leaves needs the collector to end it, so the objects are moved out of
    its reach (gc.freeze); the process still ends normally (atexit, flushing)."""
    gc.freeze()


def _output_closed() -> int:
    """The reader of our output went away (``zwgk tasks | head``): end quietly, as other
    command-line programs do. What was written to the ledger stays written. stdout is
    pointed at nothing first, or Python would complain again when it flushes at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (tests, a windowed build)
        pass
    return EXIT_OUTPUT_CLOSED


def _internal_error(exc: BaseException) -> int:
    path = _log_internal_error()
    where = f"详细信息已记录在 {path}。" if path else ""
    print(f"程序内部错误:{type(exc).__name__}: {exc}\n未完成的修改不会写入台账。{where}请将此信息发给技术支持。",
          file=sys.stderr)
    return EXIT_INTERNAL_ERROR


def _database_error_message(args: argparse.Namespace, exc: sqlite3.DatabaseError) -> str | None:
    """SQLite's complaints the clerk can act on: a damaged file (never "程序内部错误"),
    a read-only ledger, a full disk, a ledger in use. None for anything else."""
    from ..core import integrity
    from ..core.locations import resolve_ledger_dir

    folder = resolve_ledger_dir(getattr(args, "ledger", None))
    if integrity.is_corruption(exc):
        return integrity.damaged_message(folder, exc)
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if integrity.is_read_only_error(exc):
        return (f"台账“{folder}”不能写入(只读的 U 盘或共享文件夹,或文件被设为只读),这次修改没有保存。"
                "可以查看和导出;如需修改,请把整个台账文件夹复制到本机有写入权限的位置。")
    if code == 13:  # SQLITE_FULL
        return f"台账所在的磁盘已满(“{folder}”),这次修改没有保存,台账保持原样。请清理磁盘空间后再试。"
    if code in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return f"台账“{folder}”正被另一个程序写入,等待超时,这次修改没有保存。请稍后再试。"
    if code == 10:  # SQLITE_IOERR
        return (f"读写台账“{folder}”时出错({exc}),这次修改没有保存。请检查 U 盘或网络文件夹是否还连接着、"
                "磁盘是否有空间,然后再试。")
    return None


if __name__ == "__main__":
    sys.exit(main())
