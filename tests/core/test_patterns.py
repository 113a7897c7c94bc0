"""Lazily compiled patterns behave as compiled ones, and compile only when used."""

from __future__ import annotations

import re

from zwgk_desktop.core.patterns import lazy_compile


def test_nothing_is_compiled_until_first_use(monkeypatch) -> None:
    calls: list[str] = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *a: calls.append(a[0]) or real(*a))
    pattern = lazy_compile(r"(\d+)月底前")
    assert calls == []
    assert pattern.search("12月底前").group(1) == "12"
    assert pattern.sub("X", "6月底前、9月底前") == "X、X"
    assert pattern.findall("3月底前") == ["3"]
    assert [m.group(0) for m in pattern.finditer("1月底前2月底前")] == ["1月底前", "2月底前"]
    assert pattern.pattern == r"(\d+)月底前" and pattern.groups == 1
    assert calls == [r"(\d+)月底前"]  # once, however many methods were used


def test_flags_are_kept() -> None:
    assert lazy_compile(r"abc", re.IGNORECASE).fullmatch("ABC") is not None
    assert lazy_compile(r"abc").fullmatch("ABC") is None
