"""Start-up on a desktop Linux that lacks Qt's window libraries: the package names in
Chinese, not Qt's English abort."""

from __future__ import annotations

import sys

import pytest

from zwgk_desktop.app import XCB_LIBRARIES, missing_linux_packages


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb libraries are Linux's")
def test_missing_window_libraries_are_named_by_package():
    absent = {"xcb-cursor", "EGL"}
    missing = missing_linux_packages("", find=lambda name: None if name in absent else f"lib{name}.so")
    assert missing == ["libxcb-cursor0", "libegl1"]
    assert missing_linux_packages("xcb", find=lambda name: "found") == []


def test_offscreen_and_other_platforms_need_no_xcb():
    assert missing_linux_packages("offscreen", find=lambda name: None) == []
    assert len(XCB_LIBRARIES) == len({package for _, package in XCB_LIBRARIES})


def test_the_programs_own_options_speak_chinese(capsys) -> None:
    from zwgk_desktop.app import parse_args

    with pytest.raises(SystemExit) as shown:
        parse_args(["--help"])
    assert shown.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法:zwgk-desktop") and "选项:" in out and "显示本帮助并退出" in out
    assert "usage" not in out and "show this help" not in out and "--exit-after-show" not in out
    with pytest.raises(SystemExit) as wrong:
        parse_args(["--ledgr", "x"])
    assert wrong.value.code == 2
    assert "命令参数有误:无法识别的参数:--ledgr x" in capsys.readouterr().err
    assert parse_args(["--ledger", "台账"]).ledger == "台账"
