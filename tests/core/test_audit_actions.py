"""Every action core writes to the audit has a sentence in 操作记录 (core/audit_text.py).

The action names are read from the source: every ``….change(action, …)`` call in
zwgk_desktop/core, its first argument resolved (a string, a constant of the module, an
f-string of enum members, either side of ``a if … else b``, a local assigned from those).
A new writer with an action audit_text does not know fails here, before a clerk reads
"action:key:value" in 操作记录.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import zwgk_desktop.core as core_package
from zwgk_desktop.core.audit_text import SENTENCES, has_sentence

CORE = Path(core_package.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent.parent).with_suffix("").parts
    return ".".join(parts)


def _values(node: ast.expr, namespace: dict, function: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _values(node.body, namespace, function) + _values(node.orelse, namespace, function)
    if isinstance(node, ast.Name):
        if node.id in namespace and isinstance(namespace[node.id], str):
            return [namespace[node.id]]
        assigned = [n.value for n in ast.walk(function or ast.Module(body=[], type_ignores=[]))
                    if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id
                                                         for t in n.targets)]
        return [v for value in assigned for v in _values(value, namespace, function)]
    if isinstance(node, (ast.JoinedStr, ast.Attribute)):
        value = eval(compile(ast.Expression(node), "<action>", "eval"), namespace)  # noqa: S307 (our source)
        return [str(value)]
    return []


def core_actions() -> dict[str, str]:
    """action -> where it is written (file:line), for every ``.change()`` call in core."""
    found: dict[str, str] = {}
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        namespace = vars(importlib.import_module(_module_name(path)))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "change" and node.args):
                continue
            if path.name == "ledger.py" and isinstance(node.func.value, ast.Name) and node.func.value.id == "cls":
                continue
            owner = next((f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)), None)
            values = _values(node.args[0], namespace, owner)
            where = f"{path.relative_to(CORE)}:{node.lineno}"
            assert values, f"{where}: the action of this change() could not be read; teach this test its form"
            for value in values:
                found.setdefault(value, where)
    return found


def test_the_walk_finds_the_writers_it_should() -> None:
    actions = core_actions()
    # one of each form: a literal, a module constant, an f-string of an enum, a conditional, a local
    for action in ("设置状态", "汇总本级", "修订:改写任务", "修订:分解表标题", "移到回收站", "从回收站恢复",
                   "导入分解表", "重新导入分解表", "结转到新年度", "对应结转事项", "发出催办单"):
        assert action in actions, action
    assert len(actions) >= 35


def test_every_action_written_in_core_has_a_sentence() -> None:
    missing = {action: where for action, where in core_actions().items() if not has_sentence(action)}
    assert missing == {}, f"操作记录 has no sentence for: {missing} (add one in core/audit_text.py)"


def test_a_known_action_with_an_origin_still_has_its_sentence() -> None:
    assert has_sentence("设置状态(汇总:县发改局(县粮食局))")
    assert not has_sentence("某个新的操作")
    assert "设置状态" in SENTENCES
