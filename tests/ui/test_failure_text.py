"""A fault of ours reads as a Chinese sentence with the log's place, never as an
exception's English text or a traceback; a problem the clerk can act on reads as is."""

from __future__ import annotations

from zwgk_desktop.core.errors import UserError
from zwgk_desktop.ui.failure_text import failure_text, log_path


def test_a_clerks_problem_is_shown_as_it_is_worded():
    assert failure_text(UserError("文件已加密,请先取消密码。"), "导入") == "文件已加密,请先取消密码。"


def test_a_fault_of_ours_never_shows_the_exception_itself():
    try:
        {}["missing key"]
    except KeyError as exc:
        text = failure_text(exc, "导入")
    assert "KeyError" not in text and "missing key" not in text and "Traceback" not in text
    assert text.startswith("导入时程序遇到意外错误") and "台账没有改变" in text
    assert log_path() in text
