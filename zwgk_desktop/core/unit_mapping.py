"""上级单位 -> 本级单位: which of the county's own units stand for a unit the superior's
table names, kept in the ledger (``unit_mapping``) and carried from year to year.

The clerk in the middle receives the city's 分解表 (市发改委, 各县区政府…) and issues
her own (县发改局, 县政府办公室…). Typing forty pairs each year is what made the job
slow, so the mapping is pre-filled and only checked:

* a pair stored in the ledger (the clerk's own earlier choice) wins;
* a group naming the lower level as a whole (各县区, 各县(市、区)政府, the county
  itself, or a group the county belongs to) maps to the county's lead office;
* otherwise name similarity against the county's known units: the level prefix
  (省/市/县/区/旗) and the common suffixes (局/委/办/中心…) are stripped, the core words
  compared, and known merges allowed (教育局 ↔ 教体局, 文化和旅游局 ↔ 文旅局);
* otherwise the same name at the county's level (市司法局 -> 县司法局), marked as a
  guess so the clerk looks at it;
* a name with none of these (国网某某供电公司) stays unmapped: the clerk maps it by
  hand, and a derive with unmapped units in its tasks is refused, never trimmed.

:func:`core_name` and :func:`suggest` are pure (no ledger): the table of cases in
tests/core/test_unit_mapping.py pins them. ``ledger_settings`` holds the county's
name (``local_name``) and lead office (``lead_office``), facts derive asks for once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import UserError
from .ledger import Ledger, now_text
from .patterns import lazy_compile
from .units import normalise_unit_name, unit_key

__all__ = [
    "How",
    "LEAD_OFFICE",
    "LOCAL_NAME",
    "MappingImport",
    "Suggestion",
    "core_name",
    "get_settings",
    "level_of",
    "names_lower_level",
    "remove_mapping",
    "replace_mapping",
    "set_settings",
    "stored_mapping",
    "suggest",
    "write_settings",
]

LOCAL_NAME = "local_name"
LEAD_OFFICE = "lead_office"
SETTING_LABELS = {LOCAL_NAME: "本级名称", LEAD_OFFICE: "本级牵头单位"}

LEVELS = "省市县区旗"


class How(StrEnum):
    """Where a suggested 本级单位 came from (shown to the clerk beside it)."""

    STORED = "已保存"
    FILE = "对应表"
    HAND = "手工"
    LEAD = "本级牵头"
    SIMILAR = "名称相近"
    GUESS = "按级别推测"
    NONE = "未对应"


@dataclass(slots=True)
class Suggestion:
    superior: str
    locals: list[str]
    how: How

    @property
    def mapped(self) -> bool:
        return bool(self.locals)


# -- names -----------------------------------------------------------------------------------

# Longest first: "委员会" before "委", "办公室" before "办".
_SUFFIXES = ("管理委员会", "委员会", "办公室", "服务中心", "事务中心", "管理局", "管理处", "分局", "中心",
             "局", "委", "办", "厅", "处", "室", "所", "站")
_BRACKETS_RE = lazy_compile(r"\([^()]*\)|【[^【】]*】|\[[^\[\]]*\]")

#: Core words that name the same office in different places (after the suffix is gone).
_ALIASES: dict[str, str] = {}
for _canonical, _variants in {
    "教体": ("教育", "教育和体育", "教育体育", "体育", "教体"),
    "文旅": ("文化和旅游", "文化旅游", "文化广电和旅游", "文化广电旅游", "文广旅", "文广新旅", "文旅", "文广新"),
    "人社": ("人力资源和社会保障", "人力资源社会保障", "人社"),
    "卫健": ("卫生健康", "卫生和健康", "卫生和计划生育", "卫计", "卫健"),
    "住建": ("住房和城乡建设", "住房城乡建设", "住建"),
    "市场监管": ("市场监督管理", "市场监督", "市场监管"),
    "发改": ("发展和改革", "发展改革", "发改"),
    "工信": ("工业和信息化", "工业信息化", "经济和信息化", "经信", "工信"),
    "自然资源": ("自然资源和规划", "自然资源", "国土资源"),
    "农业农村": ("农业农村", "农业"),
    "交通": ("交通运输", "交通"),
    "水务": ("水利", "水务"),
    "医保": ("医疗保障", "医保"),
    "应急": ("应急管理", "应急"),
    "行政审批": ("行政审批服务", "行政审批"),
    "科技": ("科学技术", "科技"),
    "综合执法": ("综合行政执法", "城市管理", "城市", "城管", "综合执法", "城市管理行政执法"),
    "大数据": ("大数据管理", "大数据服务", "大数据"),
    "政府": ("人民政府办公室", "人民政府", "政府办公室", "政府", "政府办"),
    "乡村振兴": ("乡村振兴", "扶贫开发", "扶贫"),
    "国资": ("国有资产监督管理", "国资"),
    "生态环境": ("生态环境", "环境保护", "环保"),
    "统计": ("统计",),
    "公共资源交易": ("公共资源交易服务", "公共资源交易"),
}.items():
    for _variant in _variants:
        _ALIASES[_variant] = _canonical

#: Cores too general to match by a prefix alone (政府 would take every 政府有关部门).
_TOO_GENERAL = frozenset({"政府", "委", "办"})

# A group standing for the lower level as a whole: 各县区, 各县(市、区)政府, 县市区, 各旗县.
_LOWER_LEVEL_RE = lazy_compile(r"县\(?市?[、,]?区\)?|区县|县市区|各县|各区|旗县|各旗")


_INNER_LEVEL_RE = lazy_compile(f"[{LEVELS}](政府|委)")


def level_of(local_name: str) -> str:
    """The county's level character (县/区/旗/市), from its name: 任城区 -> 区."""
    name = normalise_unit_name(local_name or "")
    return name[-1] if name and name[-1] in LEVELS else ""


def _strip_level(name: str) -> str:
    if len(name) > 1 and name[0] in LEVELS:
        return name[1:]
    return name


def core_name(name: str) -> str:
    """The words that say which office a unit is: 市发改委 -> 发改, 县教育局 -> 教体,
    区政府办公室 -> 政府. Two names with the same core are the same kind of office."""
    text = _BRACKETS_RE.sub("", normalise_unit_name(name or ""))
    text = _strip_level(text)
    text = _INNER_LEVEL_RE.sub(r"\1", text)  # 发改局等市政府有关部门 ~ 发改局等县政府有关部门
    text = text.removesuffix("等部门").removesuffix("等单位")
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if text in _ALIASES:
        return _ALIASES[text]
    # 人民政府办公室 / 政府办: a second, shorter suffix left over
    for suffix in ("办公室", "办"):
        if text.endswith(suffix) and text[: -len(suffix)] in _ALIASES:
            return _ALIASES[text[: -len(suffix)]]
    return text


def names_lower_level(name: str, local_name: str = "", groups: Iterable[str] = ()) -> bool:
    """True for a unit that stands for the county as a whole: a group of the lower
    level (各县区政府), the county itself (任城区, 任城区人民政府), or one of the
    groups the county is a member of in the unit directory."""
    text = normalise_unit_name(name or "")
    if not text:
        return False
    if _LOWER_LEVEL_RE.search(text):
        return True
    local = normalise_unit_name(local_name or "")
    if local and (text == local or text.startswith(local + "政府") or text.startswith(local + "人民政府")):
        return True
    keys = {unit_key(g) for g in groups}
    return unit_key(text) in keys


def suggest(superior: str, candidates: Iterable[str], *, local_name: str, lead_office: str,
            groups: Iterable[str] = ()) -> Suggestion:
    """The 本级单位 for one superior unit, and how it was found (see the module text).
    ``candidates``: the county's own unit names to look among."""
    name = normalise_unit_name(superior)
    if names_lower_level(name, local_name, groups):
        return Suggestion(superior, [lead_office] if lead_office else [], How.LEAD if lead_office else How.NONE)
    level = level_of(local_name)
    own = [c for c in dict.fromkeys(normalise_unit_name(c) for c in candidates) if c]
    same_name = [c for c in own if unit_key(c) == unit_key(name)]
    if same_name:  # the county uses the very name (各镇(街道), 国网某某供电公司)
        return Suggestion(superior, same_name[:1], How.SIMILAR)
    local = normalise_unit_name(local_name or "")
    if local and name.startswith(local):  # 任城区税务局: a unit of the county itself
        return Suggestion(superior, [name], How.SIMILAR)
    own_level = [c for c in own if not level or c.startswith(level) or not c[0] in LEVELS]
    target = core_name(name)
    if target and name[0] in LEVELS:
        same = [c for c in own_level if core_name(c) == target]
        if len(same) >= 1:
            exact = [c for c in same if _strip_level(c) == _strip_level(name)]
            return Suggestion(superior, [(exact or same)[0]], How.SIMILAR)
        if len(target) >= 2:
            near = [c for c in own_level if c[0] in LEVELS and len(core_name(c)) >= 2
                    and core_name(c) not in _TOO_GENERAL
                    and (target.startswith(core_name(c)) or core_name(c).startswith(target))]
            if len(near) == 1:
                return Suggestion(superior, near, How.SIMILAR)
        if level and name[0] != level and len(name) > 1:
            return Suggestion(superior, [level + name[1:]], How.GUESS)
    return Suggestion(superior, [], How.NONE)


# -- the ledger's mapping ----------------------------------------------------------------------


def stored_mapping(ledger: Ledger) -> dict[str, list[str]]:
    """上级单位 -> its 本级单位 in the order the clerk gave them."""
    result: dict[str, list[str]] = {}
    for superior, local in ledger.db.execute(
            "SELECT superior, local FROM unit_mapping ORDER BY superior, position, local"):
        result.setdefault(superior, []).append(local)
    return result


def _clean_pairs(mapping: dict[str, list[str]]) -> dict[str, list[str]]:
    cleaned: dict[str, list[str]] = {}
    for superior, locals_ in mapping.items():
        key = normalise_unit_name(superior or "")
        if not key:
            continue
        names = [normalise_unit_name(n) for n in locals_]
        cleaned[key] = list(dict.fromkeys(n for n in names if n))
    return cleaned


def store_mapping_rows(ledger: Ledger, mapping: dict[str, list[str]]) -> dict[str, list[str]]:
    """Replace the stored rows of the superior units given (inside the caller's
    ``ledger.change``). Returns what they were, for the audit row."""
    before: dict[str, list[str]] = {}
    stored = stored_mapping(ledger)
    when = now_text()
    for superior, locals_ in mapping.items():
        if superior in stored:
            before[superior] = stored[superior]
        ledger.db.execute("DELETE FROM unit_mapping WHERE superior = ?", [superior])
        ledger.db.conn.executemany(
            "INSERT INTO unit_mapping (superior, local, position, set_at, set_by) VALUES (?, ?, ?, ?, ?)",
            [(superior, local, n, when, ledger.user) for n, local in enumerate(locals_)])
    return before


@dataclass(slots=True)
class MappingImport:
    superiors: int = 0
    pairs: int = 0
    changed: list[str] = field(default_factory=list)  # superior units whose 本级单位 changed


def replace_mapping(ledger: Ledger, mapping: dict[str, list[str]], source: str = "") -> MappingImport:
    """Store the pairs the clerk gave (a 单位对应 file, the derive dialog's table): for
    each superior unit named, its 本级单位 become exactly those given. One change, audited;
    units not named keep their pairs."""
    cleaned = {k: v for k, v in _clean_pairs(mapping).items() if v}
    if not cleaned:
        raise UserError(f"{('“' + source + '”') if source else '对应表'}中没有可用的“上级单位 → 本级单位”。"
                        "请每行写一对:第一列上级单位,第二列本级单位。")
    result = MappingImport(superiors=len(cleaned), pairs=sum(len(v) for v in cleaned.values()))
    stored = stored_mapping(ledger)
    result.changed = [s for s, v in cleaned.items() if stored.get(s) != v]
    if not result.changed:
        return result
    with ledger.change("修改单位对应", "unit_mapping", origin=source or None) as record:
        changed = {s: cleaned[s] for s in result.changed}
        record["before"] = store_mapping_rows(ledger, changed) or None
        record["after"] = changed
    return result


def remove_mapping(ledger: Ledger, superior: str) -> list[str]:
    """Forget the stored 本级单位 of one superior unit; returns what they were."""
    name = normalise_unit_name(superior or "")
    stored = stored_mapping(ledger).get(name)
    if not stored:
        error = UserError(f"台账中没有“{superior}”的单位对应。请核对上级单位的名称。")
        error.hint_cli = "命令行:zwgk unit-map 列出已保存的对应。"  # type: ignore[attr-defined]
        raise error
    with ledger.change("删除单位对应", "unit_mapping", before={name: stored}):
        ledger.db.execute("DELETE FROM unit_mapping WHERE superior = ?", [name])
    return stored


# -- ledger settings: the county's name and lead office --------------------------------------------


def get_settings(ledger: Ledger) -> dict[str, str]:
    return dict(ledger.db.execute("SELECT key, value FROM ledger_settings").fetchall())


def write_settings(ledger: Ledger, values: dict[str, str]) -> dict[str, str | None]:
    """Store settings inside the caller's ``ledger.change``; returns the values they
    replace (None where unset) for its audit row, only for those that change."""
    current = get_settings(ledger)
    before: dict[str, str | None] = {}
    for key, value in values.items():
        value = (value or "").strip()
        if not value or current.get(key) == value:
            continue
        before[key] = current.get(key)
        ledger.db.execute("INSERT INTO ledger_settings (key, value) VALUES (?, ?)"
                          " ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])
    return before


def set_settings(ledger: Ledger, values: dict[str, str]) -> bool:
    """Set 本级名称 / 本级牵头单位 (one change, audited); False when nothing changed."""
    current = get_settings(ledger)
    changing = {k: v.strip() for k, v in values.items() if (v or "").strip() and current.get(k) != v.strip()}
    if not changing:
        return False
    with ledger.change("修改本级设置", "settings", after=changing) as record:
        record["before"] = write_settings(ledger, changing)
    return True
