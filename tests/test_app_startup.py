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
