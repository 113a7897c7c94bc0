"""下发本级分解表 in the window: the 任城 plan as a city's, the county's tasks ticked,
units mapped in an editable table (pre-filled), 生成 held back while a unit is
unmapped, and the plan written by a worker, linked, with its .xlsx; 更新本级分解表
(ui/derive_update_view.py) for a plan that has its county plan; both fit 1366×768."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.core.test_derive import LEAD, LOCAL, import_city_plan
from tests.ui.test_screen_fit import assert_fits, small_screen  # noqa: F401 (a fixture)
from zwgk_desktop.core import derive as V
from zwgk_desktop.core import unit_mapping as M
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.ui.derive_dialog import DeriveDialog, split_locals


@pytest.fixture
def city(tmp_path: Path, open_ledger) -> tuple[Ledger, int]:
    ledger = open_ledger(tmp_path / "台账")
    plan_id, _ = import_city_plan(ledger)
    return ledger, plan_id


@pytest.fixture
def dialog(city, qtbot, no_dialogs) -> DeriveDialog:
    ledger, plan_id = city
    opened = DeriveDialog(ledger, plan_id)
    qtbot.addWidget(opened)
    opened.show()
    opened.local_name.setText(LOCAL)
    opened.lead_office.setText(LEAD)
    return opened


def _row_of(dialog: DeriveDialog, superior: str) -> int:
    for row in range(dialog.map_table.rowCount()):
        if dialog.map_table.item(row, DeriveDialog.MAP_SUPERIOR).text() == superior:
            return row
    raise AssertionError(superior)


def _map_by_hand(dialog: DeriveDialog) -> None:
    for name in dialog.unmapped():
        dialog.map_table.item(_row_of(dialog, name), DeriveDialog.MAP_LOCAL).setText(name)


def test_the_countys_tasks_are_ticked_and_the_units_pre_filled(city, dialog: DeriveDialog) -> None:
    ledger, plan_id = city
    assert dialog.chosen_ids() == V.default_selection(ledger, plan_id, LOCAL)
    mapping = dialog.mapping()
    assert mapping["各县区"] == [LEAD]
    assert mapping["市发改局"] == ["区发改局"]
    how = dialog.map_table.item(_row_of(dialog, "各县区"), DeriveDialog.MAP_HOW).text()
    assert how == M.How.LEAD.value
    assert "国网任城供电公司" in dialog.unmapped()
    assert not dialog.generate_button.isEnabled()
    assert "没有对应的本级单位" in dialog.summary.text()
    assert dialog.title_edit.text() == "2023年任城区政务公开重点工作任务分解表"


def test_untick_all_empties_the_mapping_and_holds_generate(dialog: DeriveDialog, qtbot) -> None:
    for button in dialog.findChildren(type(dialog.generate_button)):
        if button.text() == "全不选":
            button.click()
    assert dialog.chosen_ids() == [] and dialog.map_table.rowCount() == 0
    assert "请至少勾选一项任务" in dialog.summary.text()
    assert not dialog.generate_button.isEnabled()


def test_missing_facts_hold_generate(dialog: DeriveDialog) -> None:
    _map_by_hand(dialog)
    assert dialog.generate_button.isEnabled()
    dialog.lead_office.setText("")
    assert not dialog.generate_button.isEnabled() and "请填写本级牵头单位" in dialog.summary.text()


def test_generate_writes_the_linked_plan_and_its_file(city, dialog: DeriveDialog, qtbot, tmp_path: Path,
                                                      no_dialogs) -> None:
    ledger, plan_id = city
    _map_by_hand(dialog)
    # several 本级单位 for one 上级单位, typed with 、
    dialog.map_table.item(_row_of(dialog, "市发改局"), DeriveDialog.MAP_LOCAL).setText("区发改局、区统计局")
    assert dialog.mapping()["市发改局"] == ["区发改局", "区统计局"]
    assert dialog.map_table.item(_row_of(dialog, "市发改局"), DeriveDialog.MAP_HOW).text() == M.How.HAND.value
    out = tmp_path / "本级分解表.xlsx"
    dialog.output.setText(str(out))
    assert dialog.generate_button.isEnabled()
    with qtbot.waitSignal(dialog.derived, timeout=10000) as made:
        dialog.generate_button.click()
    new_id = made.args[0]
    assert V.superior_of(ledger, new_id) == plan_id
    assert len(ledger.tasks(new_id)) == len(dialog.chosen_ids())
    assert M.stored_mapping(ledger)["市发改局"] == ["区发改局", "区统计局"]
    assert openpyxl.load_workbook(out).active["A1"].value == "2023年任城区政务公开重点工作任务分解表"
    assert [kind for kind, _, _ in no_dialogs] == ["information"]
    assert ledger.audit_log(1)[0].action == "生成本级分解表"


def test_a_refused_generation_says_why_and_keeps_the_dialog(city, dialog: DeriveDialog, qtbot, no_dialogs) -> None:
    ledger, plan_id = city
    _map_by_hand(dialog)
    first = V.prepare_derive(ledger, plan_id, local_name=LOCAL, lead_office=LEAD, mapping=dialog.mapping())
    V.create_derived_plan(ledger, first)
    dialog.generate_button.click()
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=10000)
    kind, title, text = no_dialogs[0]
    assert (kind, title) == ("warning", "没有生成") and "已经生成过本级分解表" in text
    assert dialog.isVisible()
    qtbot.waitUntil(dialog.generate_button.isEnabled, timeout=5000)


def test_a_mapping_file_fills_the_table(dialog: DeriveDialog, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "对应.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["上级单位", "本级单位"])
    for name in dialog.unmapped():
        book.active.append([name, name])
    book.save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dialog.import_mapping()
    assert dialog.unmapped() == []
    assert dialog.generate_button.isEnabled()


def test_a_bad_mapping_file_is_explained(dialog: DeriveDialog, tmp_path: Path, monkeypatch, no_dialogs) -> None:
    path = tmp_path / "名录.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["群组", "成员"])
    book.save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    before = dialog.mapping()
    dialog.import_mapping()
    assert no_dialogs and no_dialogs[0][0] == "warning" and "上级单位" in no_dialogs[0][2]
    assert dialog.mapping() == before


def test_ticking_a_task_brings_its_units(city, dialog: DeriveDialog) -> None:
    ledger, plan_id = city
    first = next(t for t in ledger.tasks(plan_id) if t.id not in dialog.chosen_ids())
    row = next(r for r in range(dialog.task_table.rowCount())
               if dialog.task_table.item(r, 0).data(Qt.ItemDataRole.UserRole) == first.id)
    dialog.task_table.item(row, 0).setCheckState(Qt.CheckState.Checked)
    assert first.id in dialog.chosen_ids()
    assert all(u.name in dialog.mapping() for u in first.units)


def test_split_locals() -> None:
    assert split_locals("区发改局、区统计局,区财政局\n区审计局;") == ["区发改局", "区统计局", "区财政局", "区审计局"]
    assert split_locals("  ") == []


# -- 更新本级分解表: the plan already has its county plan ----------------------------------------------


@pytest.fixture
def revised(tmp_path: Path, open_ledger) -> tuple[Ledger, int, int]:
    from tests.core.test_derive_update import build_linked

    ledger = open_ledger(tmp_path / "台账")
    city_id, county_id = build_linked(ledger)
    return ledger, city_id, county_id


@pytest.fixture
def updating(revised, qtbot, no_dialogs) -> DeriveDialog:
    ledger, city_id, _ = revised
    opened = DeriveDialog(ledger, city_id)
    qtbot.addWidget(opened)
    opened.show()
    return opened


def _key_of(view, requirement: str) -> str:
    return next(i.key for i in view.preview.items if i.source.requirement == requirement)


def test_a_derived_plan_offers_the_update_with_the_defaults_ticked(revised, updating: DeriveDialog) -> None:
    ledger, city_id, _ = revised
    view = updating.update_view
    assert view is not None and updating.windowTitle() == "更新本级分解表"
    assert sorted(view.chosen_keys()) == sorted(V.prepare_update(ledger, city_id).default_keys)
    assert view.apply_button.isEnabled()
    assert "将加入 1 项任务,标为已取消 1 项,随上级修改 2 项;本级改过的 2 处保留不动" in view.summary.text()
    # The lines the county task does not follow have no checkbox.
    kept = _key_of(view, "规范政府网站集约化建设,统一平台。")
    row = next(r for r in view._rows() if r.data(0, Qt.ItemDataRole.UserRole) == kept)
    assert not row.flags() & Qt.ItemFlag.ItemIsUserCheckable
    view.tree.setCurrentItem(row)
    assert "本级现在:规范政府网站集约化建设,本县同步规范政务新媒体。" in view.detail.toPlainText()
    assert "本级改过,保留本级的" in view.detail.toPlainText()


def test_ticking_a_new_task_without_local_units_holds_apply(updating: DeriveDialog) -> None:
    view = updating.update_view
    view.set_ticked(_key_of(view, "市级新增的自办任务。"), True)
    assert not view.apply_button.isEnabled()
    assert "国网某市供电公司" in view.summary.text() and "还没有对应的本级单位" in view.summary.text()
    for key in view.chosen_keys():
        view.set_ticked(key, False)
    assert not view.apply_button.isEnabled() and "没有勾选" in view.summary.text()


def test_apply_writes_the_ticked_lines_in_a_worker(revised, updating: DeriveDialog, qtbot, tmp_path: Path,
                                                   no_dialogs) -> None:
    ledger, city_id, county_id = revised
    view = updating.update_view
    view.set_ticked(_key_of(view, "动态调整决策事项目录。"), False)  # the clerk keeps this one live
    out = tmp_path / "本级分解表.xlsx"
    view.output.setText(str(out))
    with qtbot.waitSignal(updating.updated, timeout=10000) as done:
        view.apply_button.click()
    assert done.args == [county_id]
    words = {t.requirement: t for t in ledger.tasks(county_id)}
    assert "做好政策解读与回应关切工作。" in words
    assert words["动态调整决策事项目录。"].status != Status.CANCELLED
    assert "公开重大决策事项目录并动态更新。" in words
    assert view.outcome is not None and not view.outcome.cancelled and len(view.outcome.followed) == 2
    cells = [c.value for r in openpyxl.load_workbook(out).active.iter_rows() for c in r]
    assert "做好政策解读与回应关切工作。" in cells
    assert [kind for kind, _, _ in no_dialogs] == ["information"]
    assert ledger.audit_log(1)[0].action == "更新本级分解表"
    # Opened again, only the line the clerk left is still to do.
    again = DeriveDialog(ledger, city_id)
    qtbot.addWidget(again)
    assert [again.update_view.preview.item(k).kind for k in again.update_view.chosen_keys()] == [
        V.UpdateKind.WITHDRAWN]


def test_a_change_made_meanwhile_refuses_and_shows_the_preview_again(revised, updating: DeriveDialog, qtbot,
                                                                    no_dialogs) -> None:
    from datetime import date

    from tests.builders import dump

    ledger, _, county_id = revised
    view = updating.update_view
    ledger.set_due_date(ledger.tasks(county_id)[0].id, date(2023, 6, 1))
    state = dump(ledger)
    view.apply_button.click()
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=10000)
    kind, title, text = no_dialogs[0]
    assert (kind, title) == ("warning", "没有更新") and "重新预览" in text
    assert dump(ledger) == state
    assert updating.isVisible()
    qtbot.waitUntil(view.apply_button.isEnabled, timeout=5000)


# -- on a 1366×768 laptop ---------------------------------------------------------------------------


def test_the_derive_form_fits_a_small_screen(city, qtbot, small_screen, no_dialogs) -> None:
    ledger, plan_id = city
    assert_fits(DeriveDialog(ledger, plan_id), qtbot)


def test_the_update_view_fits_a_small_screen(revised, qtbot, small_screen, no_dialogs) -> None:
    ledger, city_id, _ = revised
    assert_fits(DeriveDialog(ledger, city_id), qtbot)
