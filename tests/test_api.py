"""The front door: ``ccsim.__all__`` as a snapshot, one default engine, paths everywhere.

Changing the public API is a deliberate act: this snapshot changes with it (and
CHANGES.md says so). Every name resolves, is documented, and the lazily loaded names
are spelled out for IDEs in the ``TYPE_CHECKING`` block of ``ccsim/__init__.py``.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys

import ccsim
from tests.helpers import ROOT

PUBLIC = [
    "DEFAULT_ENGINE", "DEFAULT_REPLICATIONS", "DEFAULT_SEED", "ENGINES", "BudgetResult",
    "CapacityWarning", "Comparison", "InfeasibleSchedule", "Progress", "Scenario",
    "ScenarioError", "ScheduleResult", "SimulationResult", "StaffingResult", "__version__",
    "backtest", "calibrate", "compare", "compare_report", "costs", "erlang", "load_options",
    "load_scenario", "load_shifts", "load_sweep", "report", "run_report", "schedule",
    "schedule_report", "search_budget", "search_staffing", "simulate", "sweep",
]  # fmt: skip


def test_the_public_names_are_the_snapshot() -> None:
    assert ccsim.__all__ == PUBLIC


def test_every_public_name_resolves_and_is_documented() -> None:
    for name in ccsim.__all__:
        value = getattr(ccsim, name)
        if callable(value) or inspect.ismodule(value):
            assert inspect.getdoc(value), f"ccsim.{name} has no docstring"
    assert set(dir(ccsim)) >= set(ccsim.__all__)


def test_lazy_names_are_visible_to_type_checkers() -> None:
    tree = ast.parse((ROOT / "ccsim" / "__init__.py").read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If))  # if TYPE_CHECKING:
    declared = {a.asname or a.name for node in block.body for a in node.names}
    assert declared == set(ccsim._LAZY)


def test_import_ccsim_loads_no_engine_or_heavy_layer() -> None:
    code = (
        "import sys, ccsim; heavy = ('numba', 'simpy', 'matplotlib', 'ccsim.whatif.sweeps',"
        " 'dask'); print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


def test_one_default_engine_and_replication_count_everywhere() -> None:
    for func in (ccsim.simulate, ccsim.compare, ccsim.sweep, ccsim.search_staffing,
                 ccsim.search_budget, ccsim.schedule):  # fmt: skip
        params = inspect.signature(func).parameters
        assert params["engine"].default == ccsim.DEFAULT_ENGINE == "fast", func.__name__
        assert params["replications"].default == ccsim.DEFAULT_REPLICATIONS, func.__name__


def test_every_entry_point_takes_a_path() -> None:
    path = ROOT / "scenarios" / "small-helpdesk.yaml"
    ticks: list[tuple[int, int]] = []
    table = ccsim.sweep(path, {"agent_groups.team.staffing": ["+0"]}, replications=2,
                        progress=lambda done, total: ticks.append((done, total)))  # fmt: skip
    assert len(table) == 1 and ticks == [(1, 1)]
    result = ccsim.simulate(str(path), replications=2)
    assert result.engine == "fast" and result.replications == 2
    comparison = ccsim.compare({"base": path, "same": str(path)}, replications=2)
    assert list(comparison.results) == ["base", "same"]
