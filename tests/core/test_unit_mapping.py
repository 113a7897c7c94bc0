"""上级单位 -> 本级单位: the name-similarity rules as a table, and the ledger's stored
pairs and settings (every change audited, nothing half-written)."""

from __future__ import annotations

import pytest

from tests.builders import audit_count, dump
from zwgk_desktop.core import unit_mapping as M
from zwgk_desktop.core.errors import LedgerReadOnlyError, UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.unit_mapping import How

COUNTY = ["县发改局", "县教体局", "县政府办公室", "县司法局", "县文旅局", "县市场监管局", "县人社局", "县委网信办",
          "县卫健局", "县综合行政执法局", "各镇(街道)", "县大数据中心", "县生态环境分局"]


@pytest.mark.parametrize("name,core", [
    ("市发改委", "发改"),
    ("县发改局", "发改"),
    ("市发展和改革委员会", "发改"),
    ("市教育局", "教体"),
    ("县教体局", "教体"),
    ("区政府办公室", "政府"),
    ("市人民政府办公室", "政府"),
    ("县政府办", "政府"),
    ("市市场监督管理局", "市场监管"),
    ("县市场监管局", "市场监管"),
    ("市生态环境局", "生态环境"),
    ("区生态环境分局", "生态环境"),
    ("市卫生健康委员会", "卫健"),
    ("市大数据局", "大数据"),
    ("县大数据中心", "大数据"),
    ("市城市管理局", "综合执法"),
    ("市发改局等市政府有关部门单位", "发改局等政府有关部门单位"),
    ("县发改局等县政府有关部门单位", "发改局等政府有关部门单位"),
])
def test_core_name(name: str, core: str) -> None:
    assert M.core_name(name) == core


@pytest.mark.parametrize("superior,local,how", [
    ("市发改委", ["县发改局"], How.SIMILAR),
    ("市教育局", ["县教体局"], How.SIMILAR),  # a known merge
    ("市体育局", ["县教体局"], How.SIMILAR),
    ("市文化和旅游局", ["县文旅局"], How.SIMILAR),
    ("市人力资源和社会保障局", ["县人社局"], How.SIMILAR),
    ("市卫生健康委员会", ["县卫健局"], How.SIMILAR),
    ("市市场监督管理局", ["县市场监管局"], How.SIMILAR),
    ("市政府办公室", ["县政府办公室"], How.SIMILAR),
    ("市委网信办", ["县委网信办"], How.SIMILAR),
    ("市城市管理局", ["县综合行政执法局"], How.SIMILAR),
    ("市大数据局", ["县大数据中心"], How.SIMILAR),
    ("各县区政府(管委会)", ["县政府办公室"], How.LEAD),  # groups of the lower level: the lead office
    ("各县(市、区)", ["县政府办公室"], How.LEAD),
    ("各县市区人民政府", ["县政府办公室"], How.LEAD),
    ("某某县", ["县政府办公室"], How.LEAD),  # the county itself
    ("某某县人民政府", ["县政府办公室"], How.LEAD),
    ("某某县税务局", ["某某县税务局"], How.SIMILAR),  # a unit of the county, named as itself
    ("各镇(街道)", ["各镇(街道)"], How.SIMILAR),  # a name the county uses as well
    ("市统计局", ["县统计局"], How.GUESS),  # nothing alike known: the same office at this level
    ("国网某某供电公司", [], How.NONE),  # no level, nothing alike: for the clerk to map
    ("市政府", ["县政府办公室"], How.SIMILAR),
])
def test_suggest(superior: str, local: list[str], how: How) -> None:
    got = M.suggest(superior, COUNTY, local_name="某某县", lead_office="县政府办公室")
    assert (got.locals, got.how) == (local, how)


def test_suggest_never_offers_the_superior_levels_own_units() -> None:
    got = M.suggest("市发改委", ["市发改局", "县发改局"], local_name="某某县", lead_office="县政府办公室")
    assert got.locals == ["县发改局"]


def test_groups_the_county_belongs_to_map_to_the_lead_office() -> None:
    got = M.suggest("沿河片区", COUNTY, local_name="某某县", lead_office="县政府办公室", groups=["沿河片区"])
    assert (got.locals, got.how) == (["县政府办公室"], How.LEAD)


@pytest.mark.parametrize("name,level", [("任城区", "区"), ("某某县", "县"), ("某某旗", "旗"), ("曲阜市", "市"),
                                        ("", "")])
def test_level_of(name: str, level: str) -> None:
    assert M.level_of(name) == level


def test_replace_mapping_is_audited_and_replaces_only_the_units_named(ledger: Ledger) -> None:
    before = audit_count(ledger)
    result = M.replace_mapping(ledger, {"市发改委": ["县发改局"], "市教育局": ["县教体局", "县体育中心"]}, "对应.xlsx")
    assert result.changed == ["市发改委", "市教育局"]
    assert audit_count(ledger) == before + 1
    M.replace_mapping(ledger, {"市教育局": ["县教体局"]})
    assert M.stored_mapping(ledger) == {"市发改委": ["县发改局"], "市教育局": ["县教体局"]}
    entry = ledger.audit_log(1)[0]
    assert entry.before == {"市教育局": ["县教体局", "县体育中心"]}
    assert entry.after == {"市教育局": ["县教体局"]}
    count = audit_count(ledger)
    assert M.replace_mapping(ledger, {"市教育局": ["县教体局"]}).changed == []  # no change, no audit row
    assert audit_count(ledger) == count


def test_several_locals_keep_their_order(ledger: Ledger) -> None:
    M.replace_mapping(ledger, {"市商务局": ["县商务局", "县发改局", "县工信局"]})
    assert M.stored_mapping(ledger)["市商务局"] == ["县商务局", "县发改局", "县工信局"]


def test_an_empty_mapping_is_refused_plainly(ledger: Ledger) -> None:
    with pytest.raises(UserError, match="上级单位 → 本级单位"):
        M.replace_mapping(ledger, {"市发改委": []}, "空.xlsx")


def test_remove_mapping(ledger: Ledger) -> None:
    M.replace_mapping(ledger, {"市发改委": ["县发改局"]})
    assert M.remove_mapping(ledger, "市发改委") == ["县发改局"]
    assert M.stored_mapping(ledger) == {}
    with pytest.raises(UserError, match="没有“市发改委”的单位对应"):
        M.remove_mapping(ledger, "市发改委")


def test_settings_are_audited_and_unchanged_ones_write_nothing(ledger: Ledger) -> None:
    before = audit_count(ledger)
    assert M.set_settings(ledger, {M.LOCAL_NAME: "某某县", M.LEAD_OFFICE: "县政府办公室"})
    assert M.get_settings(ledger) == {M.LOCAL_NAME: "某某县", M.LEAD_OFFICE: "县政府办公室"}
    assert not M.set_settings(ledger, {M.LOCAL_NAME: "某某县"})
    assert audit_count(ledger) == before + 1


def test_a_read_only_ledger_refuses_and_stays_unchanged(ledger_dir) -> None:
    with Ledger.open(ledger_dir) as writable:
        M.replace_mapping(writable, {"市发改委": ["县发改局"]})
        state = dump(writable)
    with Ledger.open(ledger_dir, read_only=True) as viewing:
        with pytest.raises(LedgerReadOnlyError):
            M.replace_mapping(viewing, {"市发改委": ["县计委"]})
        assert dump(viewing) == state
