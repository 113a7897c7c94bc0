"""Duty words in 责任单位 cells: "牵头落实", "分别牵头", "参照落实",
"按职能分工落实"... become roles and leave the names; a name that merely contains
such a word keeps it; the unit directory splits names typed without separators."""

from __future__ import annotations

import pytest

from zwgk_desktop.core.units import Role, UnitRef, assign_roles, split_with_directory

LEAD, COOP = Role.LEAD, Role.COOPERATE

DUTY_CASES: list[tuple[str, str, list[tuple[str, Role]]]] = [
    ("lead-and-carry-out", "市住建委牵头落实", [("市住建委", LEAD)]),
    ("each-leads", "县水务局、县农业局、县林业局分别牵头落实",
     [("县水务局", LEAD), ("县农业局", LEAD), ("县林业局", LEAD)]),
    ("carry-out-only", "市直有关部门落实", [("市直有关部门", LEAD)]),
    ("responsible-for", "开发区管委会负责落实", [("开发区管委会", LEAD)]),
    ("by-reference-alone", "各乡(镇)参照落实", [("各乡(镇)", LEAD)]),
    ("lead-cooperate-reference", "县教育局、县卫健局牵头,县财政局配合;各学校参照落实",
     [("县教育局", LEAD), ("县卫健局", LEAD), ("县财政局", COOP), ("各学校", COOP)]),
    ("by-function", "派出所牵头,综合办配合,各相关单位按职能分工落实",
     [("派出所", LEAD), ("综合办", COOP), ("各相关单位", COOP)]),
    ("others-cooperate", "办公室牵头,其他股室及下属单位配合",
     [("办公室", LEAD), ("其他股室及下属单位", COOP)]),
    ("semicolon-city-then-town", "市统计局、市商务局;各区县政府",
     [("市统计局", LEAD), ("市商务局", COOP), ("各区县政府", COOP)]),
    # "A等B" with B a group: A, then the group of the others
    ("and-the-others", "区发改委等相关区直部门", [("区发改委", LEAD), ("相关区直部门", COOP)]),
    ("and-the-others-marked", "区发改局等有关部门牵头,区财政局配合",
     [("区发改局", LEAD), ("有关部门", LEAD), ("区财政局", COOP)]),
    ("and-the-others-after-the-lead", "区商务局、区发改局等区政府有关部门单位",
     [("区商务局", LEAD), ("区发改局", COOP), ("区政府有关部门单位", COOP)]),
    ("word-inside-name", "区督查落实办公室", [("区督查落实办公室", LEAD)]),
    ("by-duty-full-width", "县人社局牵头\uff0c县总工会配合", [("县人社局", LEAD), ("县总工会", COOP)]),
    ("responsible-bare", "县审计局负责", [("县审计局", LEAD)]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in DUTY_CASES], ids=[c[0] for c in DUTY_CASES])
def test_duty_words_become_roles(text: str, expected: list[tuple[str, Role]]) -> None:
    assert assign_roles(text) == [UnitRef(name, role) for name, role in expected]


KNOWN = ["区发改局", "区财政局", "区工信局", "各镇(街道)"]


def test_directory_splits_names_typed_together() -> None:
    refs = assign_roles("区发改局区财政局区工信局")
    assert [r.name for r in refs] == ["区发改局区财政局区工信局"]  # without a directory: one name
    split = split_with_directory(refs, KNOWN)
    assert split == [UnitRef("区发改局", LEAD), UnitRef("区财政局", COOP), UnitRef("区工信局", COOP)]


def test_directory_leaves_unknown_or_partial_names_alone() -> None:
    refs = assign_roles("区发改局区统计局、区财政局")
    assert split_with_directory(refs, KNOWN) == refs  # 区统计局 is not in the directory
    refs = assign_roles("区财政局配合")
    assert split_with_directory(refs, KNOWN) == refs
    refs = assign_roles("区发改局牵头,区财政局区工信局配合")
    assert split_with_directory(refs, KNOWN) == [
        UnitRef("区发改局", LEAD), UnitRef("区财政局", COOP), UnitRef("区工信局", COOP)]


def test_directory_never_cuts_a_name_into_short_pieces() -> None:
    # "县政府办公室" is one office, even when "县政府" and "办公室" are both in the directory.
    refs = assign_roles("县政府办公室")
    assert split_with_directory(refs, ["县政府", "办公室"]) == refs
