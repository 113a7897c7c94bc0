"""Tests for zwgk_desktop.core.units: cutting 责任单位 cells into units and roles.

Full-width forms are written as escapes (FW_*): in most editors they are hard to tell
from ASCII, and the point of many cases is exactly which of the two is in the cell.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop.core.units import (
    Role,
    UnitRef,
    assign_roles,
    normalise_unit_name,
    split_units,
    unit_key,
)

FW_LP, FW_RP = "\uff08", "\uff09"  # full-width ( )
FW_LB, FW_RB = "\uff3b", "\uff3d"  # full-width [ ]
FW_COMMA, FW_SEMI, FW_COLON = "\uff0c", "\uff1b", "\uff1a"
FW_SLASH, FW_DOT = "\uff0f", "\uff0e"
IDEO_SPACE = "\u3000"

# No hypothesis database: the tree is shared, tests must not leave files in it.
PROPERTY = settings(database=None, deadline=None, max_examples=300)

LEAD, COOP = Role.LEAD, Role.COOPERATE

# Every multi-unit cell of tests/data/samples/*.json (linyi_2023, rencheng_2023),
# as the reading of the table must give it.
SAMPLE_CELLS: list[tuple[str, ...]] = [
    ("各县区政府(管委会)", "市政府各部门(单位)"),
    ("各县区政府(管委会)", "市民政局", "市住房城乡建设局", "市商务局", "市文化和旅游局等部门(单位)"),
    ("各县区政府(管委会)", "市生态环境局等部门(单位)"),
    ("各县区政府(管委会)", "市商务局等部门(单位)"),
    ("各县区政府(管委会)", "市国资委等部门(单位)"),
    ("各县区政府(管委会)", "市工业和信息化局等部门(单位)"),
    ("各县区政府(管委会)", "市人力资源社会保障局", "市退役军人事务局等部门(单位)"),
    ("各县区政府(管委会)", "市教育局等部门(单位)"),
    ("各县区政府(管委会)", "市人力资源社会保障局", "市医保局等部门(单位)"),
    ("各县区政府(管委会)", "市民政局等部门(单位)"),
    ("各县区政府(管委会)", "市住房城乡建设局等部门(单位)"),
    ("各县区政府(管委会)", "市教育局", "市民政局", "市卫生健康委等部门(单位)"),
    ("各县区政府(管委会)", "市文化和旅游局", "市体育局等部门(单位)"),
    ("各县区政府(管委会)", "市司法局等部门(单位)"),
    ("各县区政府(管委会)", "市发展改革委", "市自然资源和规划局", "市生态环境局", "市住房城乡建设局",
     "市应急局", "市医保局"),
    ("各县区政府(管委会)", "市自然资源和规划局"),
    ("各县区政府(管委会)", "市教育局", "市卫生健康委", "市住房城乡建设局", "市交通运输局", "市体育局",
     "市国资委等部门"),
    ("各县区政府(管委会)", "市政府办公室"),
    ("区国金局", "区发改局", "区工信局"),
    ("区发改局", "区工信局", "区国金局", "区财政局", "区科技局", "区人社局"),
    ("区卫健局", "区民政局"),
    ("区教体局", "区卫健局", "区发改局", "国网任城供电公司"),
    ("区工信局", "运河经济开发区", "各镇(街道)"),
    ("区工信局", "区大数据中心", "运河经济开发区", "各镇(街道)"),
    ("区工信局", "区发改局", "区商务局", "区住建局", "区市场监管局", "运河经济开发区", "各镇(街道)"),
    ("区住建局", "区发改局", "区工信局", "区自然资源局", "济宁市土地储备和规划事务中心任城事务部",
     "区商务局", "区国金局", "区卫健局", "区教体局", "区民政局", "区交通局", "区水务局",
     "区综合行政执法局", "运河新城建管中心", "国网任城供电公司", "运河经济开发区", "各镇(街道)"),
    # "区发改局等区政府有关部门单位": 区发改局, then the group of the others
    ("区商务局", "区发改局", "区政府有关部门单位", "运河经济开发区", "各镇(街道)"),
    ("区农业农村局", "区自然资源局", "各涉农镇(街道)"),
    ("区农业农村局", "区水务局", "区交通局", "区生态环境分局", "区工信局", "各涉农镇(街道)"),
    ("区农业农村局", "区财政局", "区乡村振兴局", "区人社局", "区自然资源局", "区国金局",
     "各涉农镇(街道)"),
    ("区行政审批局", "区大数据中心", "区人社局", "区医保局", "区民政局",
     "区公共资源交易服务中心", "区政府有关部门单位", "运河经济开发区", "各镇(街道)"),
    ("区科技局", "区发改局", "区工信局", "区财政局", "区人社局", "经开区税务局", "任城区税务局",
     "运河经济开发区", "各镇(街道)"),
    ("区人社局", "区科技局", "区农业农村局", "区教体局", "区卫健局", "区工信局", "运河经济开发区",
     "各镇(街道)"),
    ("区文旅局", "区教体局", "区商务局", "运河经济开发区", "各镇(街道)"),
    ("区卫健局", "运河经济开发区", "各镇(街道)"),
    ("区应急局", "区发改局", "区教体局", "区科技局", "区工信局", "区民政局", "区人社局",
     "区自然资源局", "区住建局", "区交通局", "区水务局", "区农业农村局", "区商务局", "区文旅局",
     "区卫健局", "区市场监管局", "区综合行政执法局", "区国金局", "区生态环境分局", "市中公安分局",
     "任城公安分局", "运河经济开发区", "各镇(街道)"),
    ("区财政局", "区国金局", "区住建局", "运河经济开发区", "各镇(街道)"),
    ("区政府各部门单位", "运河经济开发区", "各镇(街道)"),
    ("区政府各部门单位", "各镇(街道)"),
    ("区行政审批局", "各镇(街道)"),
]


@pytest.mark.parametrize("separator", ["\n", "、"], ids=["newline", "dunhao"])
@pytest.mark.parametrize("units", SAMPLE_CELLS)
def test_sample_cells_split_back_into_their_units(units: tuple[str, ...], separator: str) -> None:
    assert split_units(separator.join(units)) == list(units)


@pytest.mark.parametrize("units", SAMPLE_CELLS[:3] + SAMPLE_CELLS[-3:])
def test_sample_cells_in_full_width_print_give_the_same_units(units: tuple[str, ...]) -> None:
    """Word attachments often print （） where the spreadsheet has ()."""
    cell = "\r\n".join(units).replace("(", FW_LP).replace(")", FW_RP)
    assert split_units(cell) == list(units)


@pytest.mark.parametrize("units", SAMPLE_CELLS)
def test_sample_cells_first_unit_leads_the_rest_cooperate(units: tuple[str, ...]) -> None:
    refs = assign_roles("\n".join(units))
    assert refs == [UnitRef(units[0], LEAD)] + [UnitRef(u, COOP) for u in units[1:]]


# --- split_units ---------------------------------------------------------------------

SPLIT_CASES: list[tuple[str, str | None, list[str]]] = [
    # separators
    ("dunhao", "区发改局、区工信局", ["区发改局", "区工信局"]),
    ("comma", "区发改局,区工信局", ["区发改局", "区工信局"]),
    ("fullwidth-comma", f"区发改局{FW_COMMA}区工信局", ["区发改局", "区工信局"]),
    ("semicolon", "区发改局;区工信局", ["区发改局", "区工信局"]),
    ("fullwidth-semicolon", f"区发改局{FW_SEMI}区工信局", ["区发改局", "区工信局"]),
    ("slash", "区发改局/区工信局", ["区发改局", "区工信局"]),
    ("fullwidth-slash", f"区发改局{FW_SLASH}区工信局", ["区发改局", "区工信局"]),
    ("lf", "区发改局\n区工信局", ["区发改局", "区工信局"]),
    ("crlf", "区发改局\r\n区工信局", ["区发改局", "区工信局"]),
    ("cr", "区发改局\r区工信局", ["区发改局", "区工信局"]),
    ("line-separator", "区发改局\u2028区工信局", ["区发改局", "区工信局"]),
    ("two-spaces", "区发改局  区工信局", ["区发改局", "区工信局"]),
    ("two-ideographic-spaces", f"区发改局{IDEO_SPACE * 2}区工信局", ["区发改局", "区工信局"]),
    ("mixed-separators", f"区发改局、区工信局{FW_COMMA}区财政局;\n区商务局",
     ["区发改局", "区工信局", "区财政局", "区商务局"]),
    # a single space is noise inside a name, not a separator
    ("one-space-inside-name", "区 发改局", ["区发改局"]),
    ("one-ideographic-space", f"区{IDEO_SPACE}发改局、区工信局", ["区发改局", "区工信局"]),
    ("padded", f"  区发改局 、{IDEO_SPACE}区工信局\n\n", ["区发改局", "区工信局"]),
    # never split inside brackets
    ("paren-keeps-dunhao", "各县(市、区)政府办公室", ["各县(市、区)政府办公室"]),
    ("fullwidth-paren-keeps-dunhao", f"各县{FW_LP}市、区{FW_RP}政府办公室、区发改局",
     ["各县(市、区)政府办公室", "区发改局"]),
    ("nested-parens", "各县(市(区、街道)、开发区)办公室、区发改局",
     ["各县(市(区、街道)、开发区)办公室", "区发改局"]),
    ("lenticular", "区委【宣传部、网信办】、区发改局", ["区委【宣传部、网信办】", "区发改局"]),
    ("square", "区委[宣传部,网信办]、区发改局", ["区委[宣传部,网信办]", "区发改局"]),
    ("fullwidth-square", f"区委{FW_LB}宣传部,网信办{FW_RB}", [f"区委{FW_LB}宣传部,网信办{FW_RB}"]),
    ("tortoise-shell", "区委〔宣传部、网信办〕", ["区委〔宣传部、网信办〕"]),
    ("book-title", "《临沂日报、临沂广播》编辑部、区发改局", ["《临沂日报、临沂广播》编辑部", "区发改局"]),
    ("quotes", "“放心消费、满意消费”活动办公室\n区商务局", ["“放心消费、满意消费”活动办公室", "区商务局"]),
    ("newline-inside-brackets", "各县区政府(管委\n会)", ["各县区政府(管委会)"]),
    # unbalanced brackets: the stray one is an ordinary character, nothing is swallowed
    ("unclosed-paren", "区发改局(、区工信局", ["区发改局", "区工信局"]),
    ("unclosed-paren-mid-name", "区发改局(市、区工信局", ["区发改局(市", "区工信局"]),
    ("unclosed-at-start", "(区发改局、区工信局", ["区发改局", "区工信局"]),
    ("stray-closer", "区发改局)、区工信局", ["区发改局", "区工信局"]),
    ("misnested", "区委【宣传部(网信办】、区发改局", ["区委【宣传部(网信办】", "区发改局"]),
    ("unclosed-quote", "“区发改局、区工信局", ["区发改局", "区工信局"]),
    # a bracket group starting a piece belongs to the unit before it
    ("wrapped-group", "各县区政府\n(管委会)\n市政府各部门\n(单位)", ["各县区政府(管委会)", "市政府各部门(单位)"]),
    ("wrapped-fullwidth-group", f"市商务局等部门\n{FW_LP}单位{FW_RP}", ["市商务局等部门(单位)"]),
    ("group-then-next-unit", "区发改局等部门、\n(单位)区工信局", ["区发改局等部门(单位)", "区工信局"]),
    ("group-alone-unwrapped", "(区发改局)", ["区发改局"]),
    ("quote-start-not-moved", "区商务局、“三个一”办公室", ["区商务局", "“三个一”办公室"]),
    # numbering
    ("dot-numbering", "1.区发改局\n2.区工信局", ["区发改局", "区工信局"]),
    ("fullwidth-dot-numbering", f"1{FW_DOT}区发改局\n2{FW_DOT}区工信局", ["区发改局", "区工信局"]),
    ("dunhao-numbering", "1、区发改局;2、区工信局", ["区发改局", "区工信局"]),
    ("chinese-numbering", "一、区发改局\n二、区工信局", ["区发改局", "区工信局"]),
    ("paren-numbering", f"(1)区发改局\n{FW_LP}2{FW_RP}区工信局", ["区发改局", "区工信局"]),
    ("paren-numbering-no-separator", "(1)区发改局(2)区工信局", ["区发改局", "区工信局"]),
    ("circled-numbering", "①区发改局②区工信局", ["区发改局", "区工信局"]),
    ("number-inside-name-kept", "区第2中学、12345热线办公室", ["区第2中学", "12345热线办公室"]),
    # nothing there
    ("none", None, []),
    ("empty", "", []),
    ("blank", f"  {IDEO_SPACE}\n", []),
    ("wu", "无", []),
    ("zanwu", "暂无", []),
    ("em-dash", "—", []),
    ("double-em-dash", "——", []),
    ("hyphen", "-", []),
    ("slash-alone", "/", []),
    ("separators-only", "、,;\n", []),
    ("wu-in-list", "区发改局、无", ["区发改局"]),
    ("only-a-number", "1", []),
    # duplicates: first occurrence wins, order kept
    ("duplicate", "区发改局、区工信局、区发改局", ["区发改局", "区工信局"]),
    ("duplicate-with-space", "区发改局\n区 发改局", ["区发改局"]),
    ("duplicate-with-punctuation", "区发改局。、区发改局", ["区发改局"]),
    ("duplicate-bracket-width", f"各镇(街道)、各镇{FW_LP}街道{FW_RP}", ["各镇(街道)"]),
    # qualifiers and conjunctions stay as printed
    ("deng-qualifier", "市商务局等部门(单位)", ["市商务局等部门(单位)"]),
    ("deng-then-group", "区发改局等区政府有关部门单位", ["区发改局", "区政府有关部门单位"]),
    ("deng-then-group-in-list", "区商务局、区公共资源交易服务中心等区政府有关部门单位",
     ["区商务局", "区公共资源交易服务中心", "区政府有关部门单位"]),
    ("deng-then-youguan", "市商务局等有关部门", ["市商务局", "有关部门"]),
    ("deng-inside-brackets-kept", "区委(宣传部等各部门)", ["区委(宣传部等各部门)"]),
    ("deng-then-bare-kind-kept", "市国资委等部门", ["市国资委等部门"]),
    ("he-not-split", "市文化和旅游局", ["市文化和旅游局"]),
    ("ji-not-split", "区发改局及各镇街", ["区发改局及各镇街"]),
    # edges
    ("trailing-full-stop", "区发改局。", ["区发改局"]),
    ("bullets", "·区发改局\n·区工信局", ["区发改局", "区工信局"]),
    ("invisible-characters", "\ufeff区发改局\u200b、区工信局", ["区发改局", "区工信局"]),
    # role labels are not part of names
    ("labels", f"牵头单位{FW_COLON}区发改局{FW_SEMI}配合单位{FW_COLON}区工信局、区财政局",
     ["区发改局", "区工信局", "区财政局"]),
    ("marker", "区发改局(牵头)、区工信局", ["区发改局", "区工信局"]),
    ("suffix", "区发改局牵头,区工信局、区财政局配合", ["区发改局", "区工信局", "区财政局"]),
    ("note", "区发改局、区工信局\n(排名第一的为牵头单位)", ["区发改局", "区工信局"]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in SPLIT_CASES], ids=[case[0] for case in SPLIT_CASES]
)
def test_split_units(text: str | None, expected: list[str]) -> None:
    assert split_units(text) == expected


def test_split_units_result_is_a_fresh_list_despite_the_cache() -> None:
    first = split_units("区发改局、区工信局")
    first.append("被改动")
    assert split_units("区发改局、区工信局") == ["区发改局", "区工信局"]


# --- normalise_unit_name ---------------------------------------------------------------

NORMALISE_CASES: list[tuple[str, str, str]] = [
    ("fullwidth-parens", f"各镇{FW_LP}街道{FW_RP}", "各镇(街道)"),
    ("fullwidth-parens-qualifier", f"各县区政府{FW_LP}管委会{FW_RP}", "各县区政府(管委会)"),
    ("qualifier-unchanged", f"市司法局等部门{FW_LP}单位{FW_RP}", "市司法局等部门(单位)"),
    ("lenticular-unchanged", "区委【宣传部】", "区委【宣传部】"),
    ("inner-space", "区 发改局", "区发改局"),
    ("ideographic-space", f"{IDEO_SPACE}区{IDEO_SPACE}发改局{IDEO_SPACE}", "区发改局"),
    ("tab-and-nbsp", "区\t发改\xa0局", "区发改局"),
    ("trailing-punctuation", "区发改局。", "区发改局"),
    ("trailing-colon-semicolon", f"区发改局{FW_COLON};", "区发改局"),
    ("leading-punctuation", f".{FW_COLON}区发改局", "区发改局"),
    ("dot-numbering", "1.区发改局", "区发改局"),
    ("dunhao-numbering", "12、区发改局", "区发改局"),
    ("circled-numbering", "①区发改局", "区发改局"),
    ("paren-numbering", "(1)区发改局", "区发改局"),
    ("fullwidth-paren-numbering", f"{FW_LP}一{FW_RP}区发改局", "区发改局"),
    ("numbering-then-punctuation", "1. 、区发改局", "区发改局"),
    ("number-in-name-kept", "12345热线办公室", "12345热线办公室"),
    ("unpaired-closer", "区发改局)", "区发改局"),
    ("unpaired-opener", "(区发改局", "区发改局"),
    ("paired-kept", "各镇(街道)", "各镇(街道)"),
    ("youguan-unchanged", "区发改局等区政府有关部门单位", "区发改局等区政府有关部门单位"),
    ("empty", "", ""),
    ("punctuation-only", "。、", ""),
]


@pytest.mark.parametrize(
    ("raw", "expected"), [c[1:] for c in NORMALISE_CASES], ids=[c[0] for c in NORMALISE_CASES]
)
def test_normalise_unit_name(raw: str, expected: str) -> None:
    assert normalise_unit_name(raw) == expected


# --- roles ---------------------------------------------------------------------------

ROLE_CASES: list[tuple[str, str, list[tuple[str, Role]]]] = [
    ("unlabelled-first-leads", "区发改局、区工信局、区财政局",
     [("区发改局", LEAD), ("区工信局", COOP), ("区财政局", COOP)]),
    ("single-unit-leads", "区审计局", [("区审计局", LEAD)]),
    ("labels", f"牵头单位{FW_COLON}区发改局{FW_SEMI}配合单位{FW_COLON}区工信局、区财政局",
     [("区发改局", LEAD), ("区工信局", COOP), ("区财政局", COOP)]),
    ("labels-half-width", "牵头单位:区发改局;配合单位:区工信局",
     [("区发改局", LEAD), ("区工信局", COOP)]),
    ("labels-cooperate-first", "配合单位:区工信局\n牵头单位:区发改局",
     [("区工信局", COOP), ("区发改局", LEAD)]),
    ("labels-without-separator", "牵头部门:区发改局配合部门:区工信局",
     [("区发改局", LEAD), ("区工信局", COOP)]),
    ("label-on-own-line", "牵头单位\n区发改局\n配合单位\n区工信局\n区财政局",
     [("区发改局", LEAD), ("区工信局", COOP), ("区财政局", COOP)]),
    ("label-carries-over-lines", "配合单位:区工信局\n区财政局",
     [("区工信局", COOP), ("区财政局", COOP)]),
    ("two-leads-by-label", "牵头单位:区发改局、区工信局;配合单位:区财政局",
     [("区发改局", LEAD), ("区工信局", LEAD), ("区财政局", COOP)]),
    ("neutral-label", "责任单位:区发改局、区工信局", [("区发改局", LEAD), ("区工信局", COOP)]),
    ("marker-lead", f"区发改局{FW_LP}牵头{FW_RP}、区工信局", [("区发改局", LEAD), ("区工信局", COOP)]),
    ("marker-lead-not-first", "区工信局、区发改局(牵头)", [("区工信局", COOP), ("区发改局", LEAD)]),
    ("marker-lead-unit", "区工信局、区发改局(牵头单位)", [("区工信局", COOP), ("区发改局", LEAD)]),
    ("marker-cooperate-rest-leads", "区工信局(配合)、区发改局", [("区工信局", COOP), ("区发改局", LEAD)]),
    ("marker-lenticular-prefix", "【牵头】区发改局\n【配合】区工信局", [("区发改局", LEAD), ("区工信局", COOP)]),
    ("marker-on-own-line", "区工信局\n区发改局\n(牵头)", [("区工信局", COOP), ("区发改局", LEAD)]),
    ("suffix-clause", "区发改局牵头,区工信局、区财政局配合",
     [("区发改局", LEAD), ("区工信局", COOP), ("区财政局", COOP)]),
    ("suffix-you", f"由区发改局牵头{FW_COMMA}区工信局配合", [("区发改局", LEAD), ("区工信局", COOP)]),
    ("suffix-lead-later", "区工信局、区财政局配合;区发改局牵头",
     [("区工信局", COOP), ("区财政局", COOP), ("区发改局", LEAD)]),
    ("suffix-stops-at-clause", "区商务局,区工信局、区财政局配合",
     [("区商务局", LEAD), ("区工信局", COOP), ("区财政局", COOP)]),
    ("suffix-whole-clause-cooperates", "区工信局、区财政局配合", [("区工信局", COOP), ("区财政局", COOP)]),
    ("note-dropped", "区发改局、区工信局(排名第一的为牵头单位)", [("区发改局", LEAD), ("区工信局", COOP)]),
    ("duplicate-keeps-first-role", "区发改局(牵头)、区工信局、区发改局(配合)",
     [("区发改局", LEAD), ("区工信局", COOP)]),
    ("placeholder", "无", []),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in ROLE_CASES], ids=[c[0] for c in ROLE_CASES]
)
def test_assign_roles_one_cell(text: str, expected: list[tuple[str, Role]]) -> None:
    assert assign_roles(text) == [UnitRef(name, role) for name, role in expected]


TWO_COLUMN_CASES: list[tuple[str, str | None, str | None, list[tuple[str, Role]]]] = [
    ("both", "区发改局", "区工信局、区财政局",
     [("区发改局", LEAD), ("区工信局", COOP), ("区财政局", COOP)]),
    ("lead-cell-lists-several", "区发改局、区商务局", "区工信局",
     [("区发改局", LEAD), ("区商务局", COOP), ("区工信局", COOP)]),
    ("name-in-both-kept-once-as-in-lead", "区发改局、区工信局", "区工信局、区财政局",
     [("区发改局", LEAD), ("区工信局", COOP), ("区财政局", COOP)]),
    ("lead-in-both", "区发改局", "区发改局、区工信局", [("区发改局", LEAD), ("区工信局", COOP)]),
    ("column-overrides-label", "区发改局", "区工信局(牵头)", [("区发改局", LEAD), ("区工信局", COOP)]),
    ("no-cooperate-column", "区发改局", None, [("区发改局", LEAD)]),
    ("empty-cooperate-column", "区发改局", "无", [("区发改局", LEAD)]),
    ("empty-lead-column", None, "区工信局", [("区工信局", COOP)]),
    ("both-empty", "—", "", []),
]


@pytest.mark.parametrize(
    ("lead_text", "cooperate_text", "expected"),
    [c[1:] for c in TWO_COLUMN_CASES],
    ids=[c[0] for c in TWO_COLUMN_CASES],
)
def test_assign_roles_two_columns(
    lead_text: str | None, cooperate_text: str | None, expected: list[tuple[str, Role]]
) -> None:
    assert assign_roles(lead_text, cooperate_text) == [UnitRef(n, r) for n, r in expected]


def test_role_values_are_the_stored_strings() -> None:
    assert [str(role) for role in Role] == ["lead", "cooperate"]
    assert Role("lead") is Role.LEAD


def test_unit_ref_is_frozen() -> None:
    ref = UnitRef("区发改局", LEAD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.name = "区工信局"  # type: ignore[misc]


# --- unit_key ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("区 发改局", "区发改局"),
        (f"各镇{FW_LP}街道{FW_RP}", "各镇(街道)"),
        (f"{IDEO_SPACE}区发改局。", "区发改局"),
        ("\uff11\uff12\uff13\uff14\uff15热线", "12345热线"),  # full-width digits
        ("ABC办公室", "abc办公室"),
    ],
)
def test_unit_key_matches_what_a_clerk_types(typed: str, stored: str) -> None:
    assert unit_key(typed) == unit_key(stored)


def test_unit_key_keeps_different_units_apart() -> None:
    assert unit_key("区发改局") != unit_key("市发改局")
    assert unit_key("各镇(街道)") != unit_key("各镇【街道】")


# --- properties ----------------------------------------------------------------------

# Unit-like names: no separators, brackets, spaces, digits, role words or "无".
NAME_CHARS = "区市县镇街道政府办公室发改工信财政教体卫健民商务文旅住建水利农业交通局委中心站所队"
names_strategy = st.lists(
    st.text(alphabet=NAME_CHARS, min_size=1, max_size=12),
    min_size=1,
    max_size=8,
    unique_by=unit_key,
)


@PROPERTY
@given(st.text())
def test_split_never_raises_and_gives_clean_names(text: str) -> None:
    names = split_units(text)
    keys = [unit_key(name) for name in names]
    assert len(keys) == len(set(keys))
    for name in names:
        assert name
        assert "\n" not in name
        assert not any(char.isspace() for char in name)
        assert normalise_unit_name(name) == name


@PROPERTY
@given(st.text(), st.one_of(st.none(), st.text()))
def test_assign_roles_never_raises_and_agrees_with_split(lead: str, cooperate: str | None) -> None:
    refs = assign_roles(lead, cooperate)
    assert [ref.name for ref in refs][: len(split_units(lead))] == split_units(lead)
    assert all(isinstance(ref.role, Role) for ref in refs)


@PROPERTY
@given(names_strategy, st.sampled_from(["、", "\n", FW_COMMA, ";", "\r\n", "  "]))
def test_split_of_joined_names_gives_them_back(names: list[str], separator: str) -> None:
    assert split_units(separator.join(names)) == names


@PROPERTY
@given(names_strategy)
def test_unlabelled_list_first_leads(names: list[str]) -> None:
    roles = [ref.role for ref in assign_roles("、".join(names))]
    assert roles == [LEAD] + [COOP] * (len(names) - 1)


@PROPERTY
@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_unit_name(text)
    assert normalise_unit_name(once) == once


@PROPERTY
@given(st.text())
def test_unit_key_never_raises_and_ignores_normalisation(text: str) -> None:
    assert unit_key(text) == unit_key(normalise_unit_name(text))


# --- the fast path for plain lists must agree with the full parser -----------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from zwgk_desktop.core import units as _units  # noqa: E402

_NAME_CHARS = "区县市镇街道局委办中心政府发改财政教体卫健民政自然资源各部门单位等有关第一中学城关"
_SEPS = ["\u3001", "\n", ",", "\uff0c", ";", "/", "\r\n", " "]


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.text(alphabet=_NAME_CHARS, min_size=0, max_size=12), max_size=8),
       st.lists(st.sampled_from(_SEPS), min_size=8, max_size=8))
def test_plain_list_fast_path_agrees_with_the_full_parser(names: list[str], seps: list[str]) -> None:
    text = "".join(name + sep for name, sep in zip(names, seps))
    fast = _units._plain_cell(text)
    if fast is not None:  # "一、" is numbering and rightly goes to the full parser
        assert fast == _units._parse_structured(text)


@pytest.mark.parametrize("text", [
    "区发改局(牵头)、区财政局", "牵头单位:区发改局", "1.区发改局", "区发改局  区财政局",
    "一、区发改局", "各县(市、区)政府", "①区发改局",
])
def test_cells_with_structure_take_the_full_parser(text: str) -> None:
    assert _units._plain_cell(text) is None


# -- the fast paths (issue 15) -----------------------------------------------------------

_TRIGGERS = "()()【】[]〔〕《》“”牵头主责配合协办参与责任落实负责::  \u3000 0123456789①⑴⒈㈠一二十、."


@PROPERTY
@given(st.text(alphabet=st.sampled_from(list(_TRIGGERS + "区发改局县财政各镇街道、,;/\n")), max_size=30))
def test_the_quick_look_never_hides_a_cell_the_full_parser_needs(text: str) -> None:
    from zwgk_desktop.core import units

    if units._NEEDS_PARSER_RE.search(text):
        assert units._MAY_NEED_PARSER_RE.search(text)
        assert units._plain_cell(text) is None


_BRACKETED = "()()【】[][]〔〕《》“”"


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list(_BRACKETED + _NAME_CHARS[:20] + "、,;/\n 一")), max_size=24))
def test_bracketed_cells_on_the_fast_path_read_as_the_full_parser_reads_them(text: str) -> None:
    fast = _units._plain_cell(text)
    if fast is not None:
        assert fast == _units._parse_structured(text)


@pytest.mark.parametrize("text", [
    "各镇(街道)、区发改局", "区发改局\n各镇(街道)\n区财政局", "《临沂日报》社、区融媒体中心",
    "各镇(街道)等有关部门单位", "区政府办公室【区大数据中心】",
])
def test_cells_whose_brackets_close_in_each_piece_take_the_fast_path(text: str) -> None:
    fast = _units._plain_cell(text)
    assert fast is not None
    assert fast == _units._parse_structured(text)


@pytest.mark.parametrize("text", [
    "区发改局\n(管委会)", "(区发改局)", "区发改局(、区财政局", "区发改局)、区财政局", "(一)区发改局",
    "各县(市、区)政府", "区发改局(牵头单位)", "区发改局【主办】",
])
def test_bracketed_cells_the_fast_path_leaves_to_the_full_parser(text: str) -> None:
    assert _units._plain_cell(text) is None


def test_assign_roles_gives_each_call_its_own_list() -> None:
    first = assign_roles("区发改局、区财政局")
    first.append(UnitRef("区审计局", Role.COOPERATE))
    assert assign_roles("区发改局、区财政局") == [UnitRef("区发改局", Role.LEAD), UnitRef("区财政局", Role.COOPERATE)]


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list(_BRACKETED + _NAME_CHARS[:20] + "、,;/\n 一牵头等")), max_size=24))
def test_a_cells_refs_are_its_names_and_roles(text: str) -> None:
    _units._lead_refs.cache_clear()
    assert _units._lead_refs(text) == tuple(UnitRef(name, role) for name, role in _units._read_cell(text))
