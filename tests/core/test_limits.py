"""Text limits: a note over Excel's 32,767 characters is refused where it is written, and
a writer that meets a longer text says in the cell that the rest is left out."""

from __future__ import annotations

import pytest

from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.limits import MAX_CELL_CHARS, MAX_NOTE_CHARS, NoteTooLongError, check_note, fit_text


def test_a_note_of_exactly_the_limit_is_kept_and_stripped() -> None:
    text = "进" * MAX_NOTE_CHARS
    assert check_note(f"  {text}\n") == text


def test_a_note_over_the_limit_is_refused_with_a_plain_message() -> None:
    with pytest.raises(NoteTooLongError) as info:
        check_note("字" * (MAX_NOTE_CHARS + 1), "任务 17 2023年第三季度的进展")
    err = info.value
    assert isinstance(err, UserError)
    assert "任务 17 2023年第三季度的进展太长" in err.message
    assert "32,768" in err.message and "32,767" in err.message and "没有保存" in err.message
    assert "Traceback" not in err.message


def test_fit_text_leaves_short_text_alone() -> None:
    assert fit_text("已完成。") == "已完成。"
    assert fit_text("字" * MAX_CELL_CHARS) == "字" * MAX_CELL_CHARS


@pytest.mark.parametrize("length", [MAX_CELL_CHARS + 1, 40_000, 10_000_000])
def test_fit_text_cuts_with_a_visible_marker(length: int) -> None:
    text = "字" * length
    fitted = fit_text(text)
    assert len(fitted) <= MAX_CELL_CHARS
    kept = fitted.index("……【")
    assert fitted[:kept] == text[:kept]
    assert f"其余 {length - kept:,} 字" in fitted and "完整内容请在台账中查看" in fitted
