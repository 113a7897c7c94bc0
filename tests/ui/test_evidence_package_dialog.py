"""导出佐证材料包 from the window's menu: the save dialog opens in the folder last used,
and the dialog ends with the package's place and 打开文件 / 打开所在文件夹."""

from __future__ import annotations

import zipfile
from pathlib import Path

from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from zwgk_desktop.core.evidence import attach_note
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import file_dialogs
from zwgk_desktop.ui.evidence_package_dialog import EvidencePackageDialog


def test_package_dialog_ends_with_open_folder(qtbot, sample_ledger: Ledger, tmp_path: Path, monkeypatch,
                                              no_dialogs) -> None:
    plan_id = sample_ledger.plans()[0].id
    attach_note(sample_ledger, sample_ledger.task_ids(plan_id)[0], "已在网站公开。", Quarter(2023, 3))
    folder = tmp_path / "材料"
    folder.mkdir()
    file_dialogs.remember_folder("evidence", folder)
    dialog = EvidencePackageDialog(sample_ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.quarter.setCurrentIndex(dialog.quarter.findData("2023Q3"))
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, start, *a: asked.append(start) or (str(folder / "三季度"), ""))
    assert dialog.open_result.isHidden()
    dialog.choose_and_export()
    assert asked == [str(folder / "2023年第三季度佐证材料包.zip")]
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30_000)
    package = folder / "三季度.zip"
    assert zipfile.is_zipfile(package)
    assert dialog.status.text().startswith(f"佐证材料包已保存到 {package}")
    assert no_dialogs == [] and not dialog.open_result.isHidden()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    dialog.open_result.open_folder.click()
    assert opened == [str(folder)]
