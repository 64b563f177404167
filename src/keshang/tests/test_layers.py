"""Dependencies point downward only (DESIGN.md, issue 11): an app's code imports its own app and the apps below
it, never one above; a later app joins an earlier one's pages through registries. Read from the source's import
statements (module level and inside functions alike), so a new upward import fails here whatever it is for.

Test code is not held to the order (an app's tests may build records of the apps above it to prove a page of its
own), but the suites that span every app live here, at the project level, not in an app."""

from __future__ import annotations

import ast
from pathlib import Path

import keshang

ROOT = Path(keshang.__file__).parent
# Lowest first. core is the framework; org the organisation (users, departments, roles, our companies).
LAYERS = ["core", "org", "partners", "catalog", "sales", "contracts", "web"]
TEST_FOLDERS = {"tests", "testing"}


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # "from keshang import sales" names the app in the imported names.
            if module == "keshang":
                found += [(node.lineno, f"keshang.{alias.name}") for alias in node.names]
    return found


def upward_imports() -> list[str]:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2 or parts[0] not in LAYERS or TEST_FOLDERS & set(parts) or "migrations" in parts:
            continue
        level = LAYERS.index(parts[0])
        for line, module in _imported_modules(path):
            names = module.split(".")
            if len(names) < 2 or names[0] != "keshang" or names[1] not in LAYERS:
                continue
            if LAYERS.index(names[1]) > level:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return problems


def test_no_app_imports_an_app_above_it():
    assert upward_imports() == []


def test_every_app_has_its_layer():
    # An app missing from LAYERS would be checked by nobody: the next app (finance, inventory) must say where it sits.
    from django.apps import apps

    installed = {
        config.name.split(".")[1]
        for config in apps.get_app_configs()
        if config.name.startswith("keshang.") and ".tests" not in config.name
    }
    assert installed <= set(LAYERS), installed - set(LAYERS)


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    # given a core module that imports sales inside a function, and one that imports it relatively
    package = tmp_path / "keshang"
    (package / "core").mkdir(parents=True)
    (package / "sales").mkdir()
    (package / "core" / "sneaky.py").write_text("def f():\n    from keshang.sales import services\n")
    (package / "sales" / "fine.py").write_text("from keshang.core import audit\nfrom . import models\n")
    (package / "core" / "relative.py").write_text("from ..sales import models\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", package)
    # then
    assert upward_imports() == [
        "core/relative.py:1 imports keshang.sales",
        "core/sneaky.py:2 imports keshang.sales",
    ]
