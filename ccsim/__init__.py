"""ccsim: a discrete-event contact-centre simulator.

Describe a centre in a scenario file (contact types with time-varying arrivals,
handle times and patience; an IVR; agent groups with skills, staffing or shifts and
breaks; trunk lines), simulate replications of its day, and read service level, waits,
abandonment and occupancy with confidence intervals; compare options on common random
numbers, sweep a grid, search the staffing that meets the targets, roster the cheapest
shifts and skill sets that meet them (:func:`schedule`); calibrate a scenario from an ACD
call log and backtest it on days it was not fitted to.

Every entry point takes a loaded :class:`Scenario` or the path of a scenario file, runs
the fast engine with :data:`DEFAULT_REPLICATIONS` replications unless told otherwise,
and reports progress as ``progress(done, total)`` (:data:`Progress`).

>>> import ccsim
>>> scenario = ccsim.load_scenario("scenarios/small-helpdesk.yaml")  # doctest: +SKIP
>>> result = ccsim.simulate(scenario, seed=1)  # doctest: +SKIP
>>> result.summary  # doctest: +SKIP

The what-if layer and the reports load on first use, so ``import ccsim`` stays quick;
they are listed below for IDEs and type checkers all the same.
"""

from typing import TYPE_CHECKING

from ccsim.results.tables import SimulationResult
from ccsim.scenario import Scenario, ScenarioError, load_scenario
from ccsim.simulation import (
    DEFAULT_ENGINE,
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    ENGINES,
    CapacityWarning,
    Progress,
    simulate,
)

__version__ = "0.1.0"

if TYPE_CHECKING:  # what loads lazily, spelled out for IDEs and type checkers
    from ccsim import erlang, report
    from ccsim.data.backtest import backtest
    from ccsim.data.calibrate import calibrate
    from ccsim.report.html import compare_report, run_report
    from ccsim.report.schedule import schedule_report
    from ccsim.whatif import costs
    from ccsim.whatif.comparison import Comparison, compare
    from ccsim.whatif.options import load_options
    from ccsim.whatif.scheduling import (
        InfeasibleSchedule,
        ScheduleResult,
        load_shifts,
        schedule,
    )
    from ccsim.whatif.staffing import BudgetResult, StaffingResult, search_budget, search_staffing
    from ccsim.whatif.sweeps import load_sweep, sweep

#: name -> (module, attribute or None for the module itself); must match the block above
_LAZY = {
    "erlang": ("ccsim.erlang", None),
    "report": ("ccsim.report", None),
    "costs": ("ccsim.whatif.costs", None),
    "compare": ("ccsim.whatif.comparison", "compare"),
    "Comparison": ("ccsim.whatif.comparison", "Comparison"),
    "load_options": ("ccsim.whatif.options", "load_options"),
    "sweep": ("ccsim.whatif.sweeps", "sweep"),
    "load_sweep": ("ccsim.whatif.sweeps", "load_sweep"),
    "search_staffing": ("ccsim.whatif.staffing", "search_staffing"),
    "search_budget": ("ccsim.whatif.staffing", "search_budget"),
    "StaffingResult": ("ccsim.whatif.staffing", "StaffingResult"),
    "BudgetResult": ("ccsim.whatif.staffing", "BudgetResult"),
    "run_report": ("ccsim.report.html", "run_report"),
    "compare_report": ("ccsim.report.html", "compare_report"),
    "calibrate": ("ccsim.data.calibrate", "calibrate"),
    "backtest": ("ccsim.data.backtest", "backtest"),
    "schedule": ("ccsim.whatif.scheduling", "schedule"),
    "ScheduleResult": ("ccsim.whatif.scheduling", "ScheduleResult"),
    "InfeasibleSchedule": ("ccsim.whatif.scheduling", "InfeasibleSchedule"),
    "load_shifts": ("ccsim.whatif.scheduling", "load_shifts"),
    "schedule_report": ("ccsim.report.schedule", "schedule_report"),
}


def __getattr__(name: str) -> object:
    """Load the what-if layer, the Erlang formulas and the reports on first use."""
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        loaded = importlib.import_module(module)
        value = loaded if attribute is None else getattr(loaded, attribute)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'ccsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SEED",
    "ENGINES",
    "BudgetResult",
    "CapacityWarning",
    "Comparison",
    "InfeasibleSchedule",
    "Progress",
    "Scenario",
    "ScenarioError",
    "ScheduleResult",
    "SimulationResult",
    "StaffingResult",
    "__version__",
    "backtest",
    "calibrate",
    "compare",
    "compare_report",
    "costs",
    "erlang",
    "load_options",
    "load_scenario",
    "load_shifts",
    "load_sweep",
    "report",
    "run_report",
    "schedule",
    "schedule_report",
    "search_budget",
    "search_staffing",
    "simulate",
    "sweep",
]
