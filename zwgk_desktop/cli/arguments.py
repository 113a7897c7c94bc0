"""argparse in Chinese, and the argument types every command shares."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

#: Exit code for input the clerk got wrong (the message says what to do).
EXIT_USER_ERROR = 2


#: argparse's own words, in Chinese. argparse looks each one up through its module-level
#: ``_``/``ngettext`` (gettext) at the moment it builds a heading or a message, so
#: ``ChineseArgumentParser`` puts ``_in_chinese`` there while it builds, parses or prints.
_ARGPARSE_ZH = {
    "usage: ": "用法:",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",  # the heading's name before Python 3.10
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    "the following arguments are required: %s": "缺少必须写的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "“%(value)s”不是可选的值(可选:%(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有“%(parser_name)s”这个命令(可用:%(choices)s)",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s:%(message)s",
    "expected one argument": "后面要写一个值",
    "expected at most one argument": "后面最多写一个值",
    "expected at least one argument": "后面至少要写一个值",
    "invalid %(type)s value: %(value)r": "“%(value)s”不是有效的%(type)s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确,可能是指:%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须写一个",
    "ignored explicit argument %r": "多余的值“%s”",
    "unexpected option string: %s": "不应出现的选项:%s",
    "%(prog)s: error: %(message)s\n": "%(prog)s:%(message)s\n",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”:%(error)s",
}
_ARGPARSE_ZH_PLURAL = {"expected %s argument": "后面要写 %s 个值"}
#: Type names in "invalid int value" (argparse names the converter function).
_TYPE_NAMES = {"int": "数字", "float": "数字"}


def _zh_gettext(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


def _zh_ngettext(singular: str, plural: str, n: int) -> str:
    return _ARGPARSE_ZH_PLURAL.get(singular, singular if n == 1 else plural)


@contextlib.contextmanager
def _in_chinese() -> Iterator[None]:
    """argparse speaks Chinese inside this block (and as before outside it)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _zh_gettext, _zh_ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse in Chinese: headings, help, and its own complaints, prefixed so a clerk
    knows it was the command line."""

    def __init__(self, *args, **kwargs) -> None:
        with _in_chinese():
            super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        with _in_chinese():
            return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        with _in_chinese():
            return super().parse_args(args, namespace)

    def add_argument(self, *args, **kwargs):  # type: ignore[override]
        if kwargs.get("action") == "version":
            kwargs.setdefault("help", _zh_gettext("show program's version number and exit"))
        with _in_chinese():
            return super().add_argument(*args, **kwargs)

    def format_usage(self) -> str:
        with _in_chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with _in_chinese():
            return super().format_help()

    def error(self, message: str) -> None:  # type: ignore[override]
        for name, zh in _TYPE_NAMES.items():
            message = message.replace(f"不是有效的{name}", f"不是有效的{zh}")
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"命令参数有误:{message}\n用 {self.prog} --help 查看用法。\n")



def parse_year(text: str) -> int:
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    raise argparse.ArgumentTypeError(f"年份“{text}”不对,请写四位数年份,例如 2023")


