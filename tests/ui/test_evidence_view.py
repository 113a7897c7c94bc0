"""The 佐证材料 view as a clerk uses it: drop files, paste a screenshot (Ctrl+V), see
thumbnails, open and preview, move to the 回收站 and restore, and the check dialog."""

from __future__ import annotations

import re
import stat
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog

from tests.core.test_evidence import evidence_plan
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import evidence_view as view_module
from zwgk_desktop.ui.check_dialog import CheckDialog
from zwgk_desktop.ui.evidence_dialogs import UrlDialog, pdf_preview_available
from zwgk_desktop.ui.evidence_view import EVIDENCE_ROLE, EvidenceView
from zwgk_desktop.ui.recycle_bin_dialog import RecycleBinDialog

Q3 = Quarter(2023, 3)


def png(path: Path, w: int = 300, h: int = 200, colour: str = "#3070c0") -> Path:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path), "PNG")
    return path


@pytest.fixture
def setup(tmp_path: Path, open_ledger, qtbot, no_dialogs):
    ledger: Ledger = open_ledger(tmp_path / "台账")
    tasks = evidence_plan(ledger)
    view = EvidenceView(ledger)
    qtbot.addWidget(view)
    view.resize(420, 600)
    src = tmp_path / "我的材料"
    src.mkdir()
    return ledger, tasks, view, src, no_dialogs


def rows_of(view: EvidenceView) -> list[tuple[str, list[str]]]:
    """(quarter heading, [first line of each item]) as shown."""
    result = []
    for i in range(view.tree.topLevelItemCount()):
        group = view.tree.topLevelItem(i)
        result.append((group.text(0), [group.child(j).text(0).split("\n")[0] for j in range(group.childCount())]))
    return result


def item_row(view: EvidenceView, evidence_id: int):
    for i in range(view.tree.topLevelItemCount()):
        group = view.tree.topLevelItem(i)
        for j in range(group.childCount()):
            if group.child(j).data(0, EVIDENCE_ROLE) == evidence_id:
                return group.child(j)
    return None


def test_lists_by_quarter_with_current_quarter_first(setup):
    ledger, tasks, view, src, _ = setup
    ev.attach_files(ledger, tasks[0], [png(src / "网站截图.png")], "2023Q3")
    ev.attach_url(ledger, tasks[0], "https://www.example.gov.cn/a.html", title="决策目录公告", quarter="2023Q3",
                  published="2023-07-01")
    ev.attach_note(ledger, tasks[0], "已在公开栏张贴", "2023Q1")
    view.show_task(tasks[0], Quarter(2023, 4))
    assert view.heading.text() == "佐证材料(添加到2023年第四季度)"
    assert rows_of(view) == [
        ("2023年第四季度(还没有材料)", []),
        ("2023年第三季度(2 项)", ["网站截图.png", "决策目录公告"]),
        ("2023年第一季度(1 项)", ["已在公开栏张贴"]),
    ]
    url_row = view.tree.topLevelItem(1).child(1)
    assert url_row.text(0).split("\n")[1] == "https://www.example.gov.cn/a.html · 发布于 2023-07-01"
    assert all(not view.tree.topLevelItem(1).child(j).icon(0).isNull() for j in range(2))
    view.show_task(None)
    assert rows_of(view) == [] and not view.add_files_button.isEnabled()


def test_drop_files_attaches_them_in_the_background(setup, qtbot):
    ledger, tasks, view, src, dialogs = setup
    a = png(src / "照片 1.png")
    b = src / "通知 (定稿).pdf"
    b.write_bytes(b"%PDF-1.4 notice")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (a, b)}
    view.show_task(tasks[1], Q3)
    view.show()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(a)), QUrl.fromLocalFile(str(b))])
    point = view.tree.geometry().center()
    enter = QDragEnterEvent(QPointF(point), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, enter)  # as a real drag: makes the view the drop target
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(view.changed, timeout=10000) as signal:
        QApplication.sendEvent(view, drop)
    assert drop.isAccepted()
    assert signal.args == [tasks[1]]
    assert [(e.name, e.quarter) for e in ev.evidence_for_task(ledger, tasks[1])] == [
        ("照片 1.png", "2023Q3"), ("通知 (定稿).pdf", "2023Q3")]
    assert rows_of(view)[0] == ("2023年第三季度(2 项)", ["照片 1.png", "通知 (定稿).pdf"])
    assert view.hint.text() == "已添加 2 个文件到2023年第三季度。"
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (a, b)} == before
    assert dialogs == []
    # What the line says is of the last thing added, on this task only.
    view.attach_url("https://www.example.gov.cn/a.html")
    assert view.hint.text() == "已添加网页地址到2023年第三季度。"
    view.attach_note("已在政府网站发布。")
    assert view.hint.text() == "已添加说明到2023年第三季度。"
    view.show_task(tasks[0], Q3)
    assert view.hint.text() == view_module.DROP_HINT


def test_drag_enter_accepts_files_only_with_a_task(setup):
    ledger, tasks, view, src, _ = setup
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(src / "x.pdf"))])
    event = QDragEnterEvent(QPointF(view.rect().center()), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    event.ignore()
    view.dragEnterEvent(event)
    assert not event.isAccepted()
    view.show_task(tasks[0], Q3)
    view.dragEnterEvent(event)
    assert event.isAccepted()


def test_paste_screenshot_with_ctrl_v(setup, qtbot):
    ledger, tasks, view, src, dialogs = setup
    view.show_task(tasks[0], Q3)
    view.show()
    qtbot.waitExposed(view)
    image = QImage(640, 360, QImage.Format.Format_RGB32)
    image.fill(QColor("#c03030"))
    QGuiApplication.clipboard().setImage(image)
    view.activateWindow()
    assert QTest.qWaitForWindowActive(view, 5000)
    view.tree.setFocus()
    with qtbot.waitSignal(view.changed, timeout=10000):
        qtbot.keyClick(view.tree, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    items = ev.evidence_for_task(ledger, tasks[0])
    assert len(items) == 1
    task = ledger.task(tasks[0])
    short = "".join((task.title or task.requirement).split())[:12]
    assert re.fullmatch(rf"{task.seq}-{re.escape(short)}-\d{{8}}-\d{{6}}\.png", items[0].name), items[0].name
    assert items[0].mime == "image/png"
    stored = QImage(str(ev.stored_path(ledger, items[0].sha256)))
    assert (stored.width(), stored.height()) == (640, 360)
    assert stored.pixelColor(10, 10) == QColor("#c03030")
    assert dialogs == []
    assert not list(Path(tempfile.gettempdir()).glob("zwgk-paste-*/" + items[0].name))  # scratch removed


def test_paste_copied_files_and_page_address(setup, qtbot, monkeypatch):
    ledger, tasks, view, src, _ = setup
    view.show_task(tasks[0], Q3)
    doc = src / "会议纪要.docx"
    doc.write_bytes(b"docx")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(doc))])
    QGuiApplication.clipboard().setMimeData(mime)
    with qtbot.waitSignal(view.changed, timeout=10000):
        assert view.paste()
    assert [e.name for e in ev.evidence_for_task(ledger, tasks[0])] == ["会议纪要.docx"]

    seen = {}

    def accept(dialog):
        seen["url"] = dialog.url.text()
        dialog.title.setText("政策解读")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(UrlDialog, "exec", accept)
    QGuiApplication.clipboard().setText("https://www.example.gov.cn/jd.html")
    assert view.paste()
    assert seen["url"] == "https://www.example.gov.cn/jd.html"
    assert [(e.kind, e.name, e.url) for e in ev.evidence_for_task(ledger, tasks[0])][-1] == (
        "url", "政策解读", "https://www.example.gov.cn/jd.html")
    QGuiApplication.clipboard().setText("随便一段文字")
    assert not view.paste()
    assert view.hint.text() == "剪贴板里没有可添加的截图、文件或网页地址。"


def test_thumbnails_for_images_icons_otherwise(setup, qtbot):
    ledger, tasks, view, src, _ = setup
    shot = ev.attach_files(ledger, tasks[0], [png(src / "宽图.png", 800, 400)], "2023Q3").added[0]
    (src / "x.pdf").write_bytes(b"%PDF")
    pdf = ev.attach_files(ledger, tasks[0], [src / "x.pdf"], "2023Q3").added[0]
    view.show_task(tasks[0], Q3)
    assert not view.has_thumbnail(shot.id)  # not visible yet: nothing read
    view.show()
    qtbot.waitUntil(lambda: view.has_thumbnail(shot.id), timeout=5000)
    thumb = item_row(view, shot.id).icon(0).pixmap(64, 64).toImage()
    assert (thumb.width(), thumb.height()) == (64, 64)
    assert thumb.pixelColor(32, 32) == QColor("#3070c0")  # the 800x400 picture, 64x32, centred
    assert thumb.pixelColor(32, 4).alpha() == 0  # above it: transparent
    assert not view.has_thumbnail(pdf.id)
    assert not item_row(view, pdf.id).icon(0).isNull()
    view.show_task(tasks[0], Q3)  # cached: shown at once
    assert item_row(view, shot.id).icon(0).pixmap(64, 64).toImage().pixelColor(32, 32) == QColor("#3070c0")


def test_remove_goes_to_recycle_bin_and_restores(setup, qtbot):
    ledger, tasks, view, src, dialogs = setup
    keep, drop = ev.attach_files(ledger, tasks[0], [png(src / "留下.png"), png(src / "删掉.png", colour="#000")],
                                 "2023Q3").added
    view.show_task(tasks[0], Q3)
    item_row(view, drop.id).setSelected(True)
    assert view.remove_button.isEnabled()
    with qtbot.waitSignal(view.changed) as signal:
        view.remove_button.click()
    assert signal.args == [tasks[0]]
    assert rows_of(view)[0] == ("2023年第三季度(1 项)", ["留下.png"])
    assert view.hint.text() == "已把“删掉.png”移到回收站,可在“回收站”中恢复。"
    assert [b.evidence.id for b in ev.recycle_bin(ledger)] == [drop.id]

    dialog = RecycleBinDialog(ledger)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (0, 1, 2, 3)] == ["1. 决策目录", "2023年第三季度", "文件", "删掉.png"]
    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.changed) as restored:
        dialog.restore_button.click()
    assert restored.args == [[tasks[0]]]
    assert dialog.table.rowCount() == 0 and not dialog.empty_button.isEnabled()
    view.refresh()
    assert rows_of(view)[0] == ("2023年第三季度(2 项)", ["留下.png", "删掉.png"])
    assert dialogs == []


def test_empty_recycle_bin_asks_first(setup, qtbot, monkeypatch):
    ledger, tasks, view, src, dialogs = setup
    item = ev.attach_files(ledger, tasks[0], [png(src / "a.png")], "2023Q3").added[0]
    ev.remove(ledger, item.id)
    dialog = RecycleBinDialog(ledger)
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dialog.empty_button.click()
    assert [b.evidence.id for b in ev.recycle_bin(ledger)] == [item.id]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.changed):
        dialog.empty_button.click()
    assert ev.recycle_bin(ledger) == []
    assert ev.stored_path(ledger, item.sha256) is None
    assert dialog.status.text().startswith("已清空回收站:删除 1 项材料")


def test_double_click_opens_a_read_only_copy_with_the_original_name(setup, monkeypatch, tmp_path):
    ledger, tasks, view, src, _ = setup
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # keep the system's temp folder clean
    doc = src / "通知.pdf"
    doc.write_bytes(b"%PDF-1.4 x")
    item = ev.attach_files(ledger, tasks[0], [doc], "2023Q3").added[0]
    page = ev.attach_url(ledger, tasks[0], "https://x.gov.cn/p", quarter="2023Q3")
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    view.show_task(tasks[0], Q3)
    view.tree.itemDoubleClicked.emit(item_row(view, item.id), 0)
    view.tree.itemDoubleClicked.emit(item_row(view, page.id), 0)
    copy = Path(opened[0].toLocalFile())
    assert copy.name == "通知.pdf" and copy.read_bytes() == b"%PDF-1.4 x"
    assert copy != ev.stored_path(ledger, item.sha256)
    assert stat.S_IMODE(copy.stat().st_mode) & 0o222 == 0
    assert copy.parent.parent == tmp_path / "tmp" / "zwgk-佐证材料"
    assert opened[1] == QUrl("https://x.gov.cn/p")


def test_failed_attach_says_which_file_and_adds_nothing(setup, qtbot):
    ledger, tasks, view, src, dialogs = setup
    good = png(src / "好.png")
    view.show_task(tasks[0], Q3)
    job = view.attach_paths([good, src / "不见了.png"])
    with qtbot.waitSignal(job.finished, timeout=10000):
        pass
    assert len(dialogs) == 1
    kind, title, text = dialogs[0]
    assert (kind, title) == ("warning", "未能添加")
    assert text.startswith("找不到文件“不见了.png”")
    assert ev.evidence_for_task(ledger, tasks[0]) == []


def test_cancel_adds_nothing(setup, qtbot):
    ledger, tasks, view, src, dialogs = setup
    view.show_task(tasks[0], Q3)
    job = view.attach_paths([png(src / "a.png")])
    job.cancel_requested.set()
    with qtbot.waitSignal(job.finished, timeout=10000):
        pass
    assert view.hint.text() == "已取消添加,没有添加任何材料。"
    assert ev.evidence_for_task(ledger, tasks[0]) == []
    assert dialogs == []


def test_add_url_and_note(setup, monkeypatch):
    ledger, tasks, view, src, dialogs = setup
    view.show_task(tasks[2], Q3)
    dialog = UrlDialog(view, "no address")
    dialog._check()
    assert "不是有效的网页地址" in dialog.problem.text() and dialog.result() == 0
    dialog.url.setText("https://czj.example.gov.cn/yjs")
    dialog.has_date.setChecked(True)
    dialog.published.line.setText("2023-08-15")  # typed, as a clerk does
    dialog._check()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.values()[2].isoformat() == "2023-08-15"
    view.attach_url(*dialog.values())
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("已报送纸质材料", True))
    view.add_note_button.click()
    assert [(e.kind, e.name, e.published_on) for e in ev.evidence_for_task(ledger, tasks[2])] == [
        ("url", "https://czj.example.gov.cn/yjs", "2023-08-15"), ("note", "已报送纸质材料", None)]
    assert dialogs == []


def test_image_preview(setup, qtbot):
    ledger, tasks, view, src, _ = setup
    item = ev.attach_files(ledger, tasks[0], [png(src / "a.png", 120, 80)], "2023Q3").added[0]
    view.show_task(tasks[0], Q3)
    dialog = view.preview(view.items[item.id])
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "预览 — a.png"
    assert (dialog.viewer.pixmap().width(), dialog.viewer.pixmap().height()) == (120, 80)


@pytest.mark.skipif(not pdf_preview_available(), reason="QtPdf (PySide6-Pdf) is not installed")
def test_pdf_preview(setup, qtbot, tmp_path):
    from PySide6.QtPdf import QPdfDocument
    from reportlab.pdfgen import canvas

    ledger, tasks, view, src, _ = setup
    path = src / "两页.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(100, 700, "page 1")
    pdf.showPage()
    pdf.drawString(100, 700, "page 2")
    pdf.save()
    item = ev.attach_files(ledger, tasks[0], [path], "2023Q3").added[0]
    view.show_task(tasks[0], Q3)
    dialog = view.preview(view.items[item.id])
    qtbot.addWidget(dialog)
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.document.pageCount() == 2


def test_check_dialog_runs_in_background_and_reports(setup, qtbot):
    ledger, tasks, view, src, _ = setup
    item = ev.attach_files(ledger, tasks[1], [png(src / "a.png")], "2023Q3").added[0]
    dialog = CheckDialog(ledger)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.finished_check, timeout=10000) as done:
        dialog.start()
    assert done.args[0].ok
    assert dialog.summary.text() == "全部 1 个文件完好,与添加时一致。"
    path = ev.stored_path(ledger, item.sha256)
    path.chmod(0o644)
    path.unlink()
    dialog = CheckDialog(ledger)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.finished_check, timeout=10000):
        dialog.start()
    assert dialog.summary.text() == "发现 1 条材料的文件有问题,详见下方(按任务列出)。"
    assert "· “a.png”(2023年第三季度):文件缺失" in dialog.text.toPlainText()


def test_screenshot_names_without_a_task():
    assert re.fullmatch(r"截图\d{8}-\d{6}\.png", view_module.screenshot_name())


def test_show_in_folder_opens_a_copy_under_its_own_name(setup, monkeypatch):
    ledger, tasks, view, src, _ = setup
    item = ev.attach_files(ledger, tasks[0], [png(src / "网站截图.png")], "2023Q3").added[0]
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    view.show_in_folder(item)
    folder = Path(opened[0].toLocalFile())
    assert (folder / "网站截图.png").read_bytes() == (src / "网站截图.png").read_bytes()


def test_export_the_tasks_materials_into_a_folder(setup, monkeypatch, tmp_path):
    ledger, tasks, view, src, dialogs = setup
    ev.attach_files(ledger, tasks[0], [png(src / "网站截图.png")], "2023Q3")
    view.show_task(tasks[0], Q3)
    out = tmp_path / "导出到这里"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    view.export_task_files()
    assert len(opened) == 1  # the clerk said yes to opening the folder
    exported = [p for p in out.rglob("*") if p.is_file()]
    assert [p.name for p in exported] == ["网站截图.png"]
    assert exported[0].parent.name.startswith(f"{ledger.task(tasks[0]).seq}-")
    assert dialogs[-1][0] == "question" and "已把 1 个文件导出到" in dialogs[-1][2]


def test_the_recycle_bin_names_the_plan_when_there_are_several(setup, tmp_path):
    from tests.builders import parsed_plan
    from zwgk_desktop.core.plan_import import write_plan

    ledger, tasks, view, src, _ = setup
    other = write_plan(ledger, parsed_plan(year=2024, title="2024年另一个分解表"), "7" * 64).plan_id
    other_task = ledger.task_ids(other)[0]
    a = ev.attach_note(ledger, tasks[0], "本表的说明", "2023Q3")
    b = ev.attach_note(ledger, other_task, "另一表的说明", "2024Q1")
    ev.remove_many(ledger, [a.id, b.id])
    dialog = RecycleBinDialog(ledger)
    cells = sorted(dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount()))
    assert any(c.startswith("《2024年另一个分解表》1.") for c in cells)
    assert all(c.startswith("《") for c in cells)
    dialog.deleteLater()


def test_restoring_from_the_recycle_bin_updates_the_window(tmp_path, open_ledger, make_window, qtbot):
    """The window hears of a restore through ledger_events (announce), like any change
    made through ui/operations: its rows and the summary line under the table follow."""
    from zwgk_desktop.ui.operations import ledger_events

    ledger = open_ledger(tmp_path / "台账")
    tasks = evidence_plan(ledger)
    window = make_window(ledger)
    quarter = window.model.quarter
    item = ev.attach_note(ledger, tasks[0], "已在公开栏张贴", quarter)
    ev.remove(ledger, item.id)
    window.filters.no_evidence.setChecked(True)  # 本季度无佐证: the restore takes a task out
    qtbot.waitUntil(lambda: window.summary.text().startswith("共 3 项"), timeout=3000)
    assert tasks[0] in window.model.ids

    dialog = RecycleBinDialog(ledger, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.table.selectRow(0)
    with qtbot.waitSignal(ledger_events().changed, timeout=3000) as announced:
        dialog.restore_button.click()
    assert announced.args == [[tasks[0]]]
    assert window.summary.text().startswith("共 2 项")
    assert tasks[0] not in window.model.ids
    dialog.close()
