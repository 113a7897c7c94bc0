"""The window never shows internal plan numbers: its dialogs and messages name plans
by their title (《…》); the number stays in what zwgk prints (hint_cli)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from tests.builders import parsed_plan
from tests.ui.test_derive_dialog import _key_of, _map_by_hand  # noqa: F401 (helpers)
from tests.ui.test_derive_dialog import city, dialog, revised, updating  # noqa: F401 (fixtures)
from tests.ui.test_revision_dialog import NEW, OLD
from zwgk_desktop.core import derive as V
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.ui import import_wizard
from zwgk_desktop.ui.revision_dialog import RevisionDialog
from zwgk_desktop.ui.rollup_dialog import RollupDialog

#: A plan number as the window used to print it: 分解表 1, 本级分解表 4.
PLAN_NUMBER = re.compile(r"分解表\s*\d")
CITY = "2023年某市政务公开工作任务分解表"


def test_the_revision_choice_names_the_plan_by_title(tmp_path: Path, open_ledger, monkeypatch) -> None:
    ledger = open_ledger(tmp_path / "台账")
    plan = ledger.plan(write_plan(ledger, parsed_plan(), "a" * 64).plan_id)
    asked: list[tuple[str, str]] = []

    def shown(box: QMessageBox) -> int:
        asked.append((box.windowTitle(), box.text()))
        return 0
    monkeypatch.setattr(QMessageBox, "exec", shown)
    assert import_wizard.ask_revision_choice(None, plan, "修订版.xlsx") is None
    (title, text), = asked
    assert f"《{plan.title}》" in text and "修订版" in title
    assert not PLAN_NUMBER.search(title) and not PLAN_NUMBER.search(text), (title, text)


def test_the_revision_dialog_names_the_plan_by_title(tmp_path: Path, open_ledger, qtbot, no_dialogs) -> None:
    ledger = open_ledger(tmp_path / "台账")
    plan_id = write_plan(ledger, parsed_plan(OLD), "a" * 64).plan_id
    shown = RevisionDialog(ledger, plan_id, parsed_plan(NEW, source="修订版.xlsx"), digest="b" * 64)
    qtbot.addWidget(shown)
    title = ledger.plan(plan_id).title
    assert shown.windowTitle() == f"按修订导入 — 《{title}》"
    assert f"→《{title}》" in shown.summary.text()
    assert not PLAN_NUMBER.search(shown.windowTitle() + shown.summary.text())


def test_the_rollup_refusals_name_plans_by_title(tmp_path: Path, open_ledger, qtbot, no_dialogs) -> None:
    ledger = open_ledger(tmp_path / "台账")
    city_id = write_plan(ledger, parsed_plan([(["一、公开"], "公开目录。", "各县区政府", "6月底前")], title=CITY),
                         "a" * 64).plan_id
    lone = RollupDialog(ledger, city_id)
    qtbot.addWidget(lone)
    assert f"《{CITY}》还没有生成本级分解表" in lone.summary.text()
    county_id = V.create_derived_plan(ledger, V.prepare_derive(ledger, city_id, local_name="某某县",
                                                               lead_office="县政府办公室")).plan_id
    county = RollupDialog(ledger, county_id)
    qtbot.addWidget(county)
    assert f"由上级分解表《{CITY}》生成" in county.summary.text()
    for text in (lone.summary.text(), county.summary.text()):
        assert not PLAN_NUMBER.search(text) and "zwgk" not in text, text


def test_the_derive_messages_name_plans_by_title(city, dialog, qtbot, no_dialogs) -> None:  # noqa: F811
    ledger, plan_id = city
    _map_by_hand(dialog)
    with qtbot.waitSignal(dialog.derived, timeout=10000) as made:
        dialog.generate_button.click()
    (kind, _, text), = no_dialogs
    assert kind == "information" and f"已生成本级分解表《{ledger.plan(made.args[0]).title}》" in text
    assert not PLAN_NUMBER.search(text), text
    assert not PLAN_NUMBER.search(ledger.plan(made.args[0]).source_name)  # 来源, in the plan box's tooltip


def test_the_update_view_names_plans_by_title(revised, updating, qtbot, no_dialogs) -> None:  # noqa: F811
    ledger, city_id, county_id = revised
    view = updating.update_view
    labels = " ".join(label.text() for label in view.findChildren(QLabel))
    assert f"已生成本级分解表《{ledger.plan(county_id).title}》" in labels
    assert not PLAN_NUMBER.search(labels), labels
    with qtbot.waitSignal(updating.updated, timeout=10000):
        view.apply_button.click()
    (kind, _, text), = no_dialogs
    assert kind == "information" and f"已更新本级分解表《{ledger.plan(county_id).title}》" in text
    assert not PLAN_NUMBER.search(text), text


@pytest.mark.parametrize("refused", ["county", "lone"])
def test_the_core_refusals_keep_the_number_for_zwgk_only(tmp_path: Path, open_ledger, refused) -> None:
    from zwgk_desktop.core import rollup as R
    from zwgk_desktop.core.errors import UserError
    from zwgk_desktop.core.quarters import Quarter

    ledger = open_ledger(tmp_path / "台账")
    city_id = write_plan(ledger, parsed_plan([(["一、公开"], "公开目录。", "各县区政府", "6月底前")], title=CITY),
                         "a" * 64).plan_id
    target = city_id
    if refused == "county":
        target = V.create_derived_plan(ledger, V.prepare_derive(ledger, city_id, local_name="某某县",
                                                                lead_office="县政府办公室")).plan_id
    with pytest.raises(UserError) as caught:
        R.preview_rollup(ledger, target, Quarter(2023, 3))
    assert not PLAN_NUMBER.search(caught.value.message)
    assert re.search(rf"zwgk (rollup|derive) {city_id}\b", caught.value.hint_cli)


def test_two_plans_of_one_name_are_told_apart_by_file_and_day_not_number(tmp_path: Path, open_ledger,
                                                                           make_window) -> None:
    from PySide6.QtCore import Qt

    ledger = open_ledger(tmp_path / "台账")
    for sha in ("a" * 64, "b" * 64):
        write_plan(ledger, parsed_plan(title=CITY), sha)
    window = make_window(ledger)
    box = window.plan_combo
    shown = [box.itemText(i) for i in range(box.count())]
    tips = [box.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(box.count())]
    assert len(set(shown)) == 2 and all("导入" in text for text in shown), shown
    assert not any(PLAN_NUMBER.search(text) for text in shown + tips), (shown, tips)
