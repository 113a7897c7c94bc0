"""下发填报表 on a read-only ledger: the clerk is told before anything is written that no
下发记录 can be kept, and chooses to write the workbooks anyway or to cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.builders import dump
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.io.fill_in import NOT_RECORDED
from zwgk_desktop.ui.fill_in_dialog import FillInDialog


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_read_only_ledger_asks_before_writing(sample_dir: Path, qtbot, tmp_path: Path, monkeypatch,
                                              no_dialogs, answer) -> None:
    ledger = Ledger.open(sample_dir, read_only=True)
    try:
        before = dump(ledger)
        dialog = FillInDialog(ledger, ledger.plans()[0].id)
        qtbot.addWidget(dialog)
        assert "只读" in dialog.status.toPlainText()  # said as the dialog opens
        folder = tmp_path / "下发"
        dialog.folder.setText(str(folder))
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
        asked: list[tuple[str, bool]] = []

        def question(parent, title, text, *args, **kwargs):
            asked.append((text, folder.exists() and any(folder.iterdir())))
            return answer

        monkeypatch.setattr(QMessageBox, "question", question)
        if answer == QMessageBox.StandardButton.No:
            dialog.write_button.click()
            assert dialog.result is None and dialog.write_button.isEnabled()
            assert not folder.exists() or not any(folder.iterdir())
        else:
            with qtbot.waitSignal(dialog.written, timeout=60_000):
                dialog.write_button.click()
            written = sorted(folder.iterdir())
            assert len(written) == len(dialog.result.written) > 0
            first = dialog.status.toPlainText().splitlines()[0]
            assert first == f"注意:{NOT_RECORDED}"  # on top, not below the list of files
        assert len(asked) == 1
        text, files_already_there = asked[0]
        assert "只读" in text and "下发记录" in text
        assert not files_already_there  # asked before anything was written
        assert dump(ledger) == before
        dialog.reject()
    finally:
        ledger.close()


def test_a_writable_ledger_is_not_asked(sample_ledger: Ledger, qtbot, tmp_path: Path, monkeypatch,
                                        no_dialogs) -> None:
    dialog = FillInDialog(sample_ledger, sample_ledger.plans()[0].id)
    qtbot.addWidget(dialog)
    assert dialog.status.toPlainText() == ""
    folder = tmp_path / "下发"
    dialog.folder.setText(str(folder))
    dialog.set_all_checked(False)
    dialog.units.item(0).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(dialog.written, timeout=60_000):
        dialog.write_button.click()
    assert [kind for kind, *_ in no_dialogs if kind == "question"] == []
    assert dialog.status.toPlainText().startswith("已生成 1 份填报表")
