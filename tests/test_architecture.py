"""Module boundaries: each heavy dependency is imported by exactly one concept."""

from __future__ import annotations

import ast

from tests.helpers import ROOT

PACKAGE = ROOT / "ccsim"
ONLY_IN = {"simpy": {"engine"}, "numba": {"kernel", "counters"}, "matplotlib": {"report"}}
PURE_DATA = {"scenario", "units", "distributions", "loader", "plan"}


def imports_of(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0] if node.level == 0 else node.module)
    return names


def test_heavy_dependencies_stay_in_their_module() -> None:
    for path in PACKAGE.glob("*.py"):
        found = imports_of(path.stem)
        for dependency, allowed in ONLY_IN.items():
            if dependency in found:
                assert path.stem in allowed, f"{path.name} imports {dependency}"


def test_scenario_code_runs_nothing() -> None:
    for module in PURE_DATA:
        found = imports_of(module)
        assert not found & {"simpy", "numba", "matplotlib", "engine", "kernel"}, module


def test_modules_stay_small() -> None:
    for path in PACKAGE.glob("*.py"):
        lines = len(path.read_text().splitlines())
        assert lines <= 900, f"{path.name} has {lines} lines: split it by concept"


def test_every_module_explains_its_concept() -> None:
    for path in PACKAGE.glob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and len(doc) > 20, f"{path.name} has no module docstring"
