"""Module boundaries: each heavy dependency stays in its concept, and modules stay small.

The rules, as the README's layout section states them: SimPy is imported only by the
reference engine, numba only by the kernel and its counters, matplotlib only by the
report package; scenario code (the models, checks, loader, units, distributions) and the
plan import none of them and no engine; costs and reports never run a simulation. The
checker resolves every ``import`` and ``from ... import`` (relative ones too) to the full
module name, and is itself tested on planted forbidden imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "ccsim"
MAX_LINES = 600  # the house rule (docs/design): split a module by concept beyond this

#: third-party packages and the only modules (or packages, by prefix) that may import them
ONLY_IN = {
    "simpy": ("ccsim.engines.reference",),
    "numba": ("ccsim.engines.kernel", "ccsim.engines.counters"),
    "matplotlib": ("ccsim.report",),
    # the web stack: only the web app
    "fastapi": ("ccsim.app",),
    "starlette": ("ccsim.app",),
    "uvicorn": ("ccsim.app",),
    "plotly": ("ccsim.app",),
}
#: module prefixes and the ccsim modules they must never import
NEVER = {
    "ccsim.scenario": ("ccsim.engines", "ccsim.simulation", "ccsim.whatif", "ccsim.report",
                       "ccsim.results", "ccsim.plan", "ccsim.streams", "simpy", "numba",
                       "matplotlib"),
    "ccsim.plan": ("ccsim.engines", "ccsim.simulation", "simpy", "numba", "matplotlib"),
    "ccsim.erlang": ("ccsim.engines", "ccsim.simulation", "ccsim.scenario", "ccsim.plan"),
    "ccsim.whatif.costs": ("ccsim.simulation", "ccsim.engines"),
    "ccsim.report": ("ccsim.simulation", "ccsim.engines"),
    "ccsim.results": ("ccsim.simulation", "ccsim.engines", "ccsim.whatif.comparison",
                      "ccsim.whatif.sweeps", "ccsim.whatif.staffing", "ccsim.whatif.options"),
    # the web app holds no model logic: it calls the public API, never an engine
    "ccsim.app": ("ccsim.engines", "ccsim.streams", "simpy", "numba", "matplotlib"),
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Full names of every module ``source`` (the text of ``module``) imports."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            # ``from ccsim.engines import fast`` imports the module ccsim.engines.fast
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def violations(module: str, found: set[str]) -> list[str]:
    def within(name: str, prefix: str) -> bool:
        return name == prefix or name.startswith(prefix + ".")

    out = []
    for dependency, allowed in ONLY_IN.items():
        if any(within(n, dependency) for n in found) and not any(
            within(module, a) for a in allowed
        ):
            out.append(f"{module} imports {dependency}")
    for prefix, forbidden in NEVER.items():
        if within(module, prefix):
            out += [
                f"{module} imports {n}" for n in sorted(found) for f in forbidden if within(n, f)
            ]
    return out


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_boundary_holds() -> None:
    problems = []
    for path in modules():
        module = module_name(path)
        found = imports_of(path.read_text(), module, path.name == "__init__.py")
        problems += violations(module, found)
    assert problems == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("ccsim.scenario.model", "from ccsim.engines.reference import run_replication",
         "ccsim.scenario.model imports ccsim.engines.reference"),
        ("ccsim.scenario.model", "from ccsim.engines import fast",
         "ccsim.scenario.model imports ccsim.engines"),
        ("ccsim.scenario.loader", "from ..engines import kernel",
         "ccsim.scenario.loader imports ccsim.engines"),
        ("ccsim.plan", "import numba", "ccsim.plan imports numba"),
        ("ccsim.whatif.costs", "from ccsim.simulation import simulate",
         "ccsim.whatif.costs imports ccsim.simulation"),
        ("ccsim.results.tables", "import matplotlib.pyplot as plt",
         "ccsim.results.tables imports matplotlib"),
        ("ccsim.engines.fast", "import simpy", "ccsim.engines.fast imports simpy"),
        ("ccsim.cli.web", "import uvicorn", "ccsim.cli.web imports uvicorn"),
        ("ccsim.whatif.sweeps", "from fastapi import FastAPI", "ccsim.whatif.sweeps imports fastapi"),
        ("ccsim.app.service", "from ccsim.engines import fast",
         "ccsim.app.service imports ccsim.engines"),
    ],
)  # fmt: skip
def test_the_checker_catches_a_planted_import(module: str, source: str, expected: str) -> None:
    assert expected in violations(module, imports_of(source, module))


def test_allowed_imports_pass_the_checker() -> None:
    source = "import numba\nfrom ccsim.engines.codes import ANSWERED"
    assert violations("ccsim.engines.kernel", imports_of(source, "ccsim.engines.kernel")) == []
    assert violations("ccsim.report.charts", imports_of("import matplotlib", "x")) == []


def test_modules_stay_small() -> None:
    for path in modules():
        lines = len(path.read_text().splitlines())
        assert lines <= MAX_LINES, (
            f"{path.relative_to(ROOT)} has {lines} lines: split it by concept"
        )


def test_every_module_explains_its_concept() -> None:
    for path in modules():
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and len(doc) > 20, f"{path.relative_to(ROOT)} has no module docstring"
