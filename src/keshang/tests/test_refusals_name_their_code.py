"""A test that expects a refusal names which one (issue 12: 22 tests asserted an ``ApplicationError`` without its
code, so they passed whichever rule refused, or a bug that refused for another reason).

Every ``pytest.raises`` of an ``ApplicationError`` (or a subclass whose code is not fixed by its class) or of a
``ValidationError`` in the project's tests must bind the exception (``as refused``) and read it in the same test:
its ``.value.code``, ``validation_codes(refused.value)`` or, for Django validators without a code, its
``message_dict``. A static check of the test sources, so a new test is covered without editing this file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import keshang
from keshang.core.exceptions import ApplicationError, ScopeViolation

ROOT = Path(keshang.__file__).parent


def subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *subclasses(sub)}
    return found


def refusal_names() -> set[str]:
    # A ScopeViolation's code is its class ("scope_violation"): naming the class names the code.
    coded = {ApplicationError, *subclasses(ApplicationError)} - {ScopeViolation}
    return {cls.__name__ for cls in coded} | {"ValidationError"}


def unread_refusals(source: str, names: set[str]) -> list[int]:
    """Lines of ``pytest.raises(<refusal>)`` whose exception the enclosing test never reads."""
    tree = ast.parse(source)
    lines = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if not isinstance(node, ast.With):
                continue
            for item in node.items:
                call = item.context_expr
                if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "pytest.raises" and call.args):
                    continue
                if ast.unparse(call.args[0]).split(".")[-1] not in names:
                    continue
                var = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
                read = var is not None and any(
                    isinstance(use, ast.Attribute)
                    and use.attr == "value"
                    and isinstance(use.value, ast.Name)
                    and use.value.id == var
                    for use in ast.walk(func)
                )
                if not read:
                    lines.append(node.lineno)
    return lines


def test_the_check_finds_an_unread_refusal_and_passes_a_read_one():
    names = {"ApplicationError"}
    unread = "def test_x():\n    with pytest.raises(ApplicationError):\n        f()\n"
    bound_only = "def test_x():\n    with pytest.raises(ApplicationError) as refused:\n        f()\n"
    read = bound_only + "    assert refused.value.code == 'x'\n"
    assert unread_refusals(unread, names) == [2]
    assert unread_refusals(bound_only, names) == [2]
    assert unread_refusals(read, names) == []


def test_every_expected_refusal_in_the_tests_is_read_for_its_code():
    names = refusal_names()
    assert {"ApplicationError", "TransitionError", "ValidationError"} <= names
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(ROOT.rglob("test_*.py"))
        for line in unread_refusals(path.read_text(encoding="utf-8"), names)
    ]
    assert not found, f"refusals expected without reading their code (bind `as refused`, assert its code): {found}"
