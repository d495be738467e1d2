"""ccsim: a discrete-event contact-centre simulator.

Describe a centre in a scenario file (contact types with time-varying arrivals,
handle times and patience; an IVR; agent groups with skills, staffing or shifts and
breaks; trunk lines), simulate replications of its day, and read service level, waits,
abandonment and occupancy with confidence intervals.

>>> import ccsim
>>> scenario = ccsim.load_scenario("scenarios/small-helpdesk.yaml")  # doctest: +SKIP
>>> result = ccsim.simulate(scenario, replications=20, seed=1)  # doctest: +SKIP
>>> result.summary  # doctest: +SKIP
"""

from ccsim.results.tables import SimulationResult
from ccsim.scenario.loader import load_scenario
from ccsim.scenario.model import Scenario, ScenarioError
from ccsim.simulation import ENGINES, CapacityWarning, simulate

__version__ = "0.1.0"


_LAZY = {
    "erlang": ("ccsim.erlang", None),
    "compare": ("ccsim.whatif.comparison", "compare"),
    "sweep": ("ccsim.whatif.sweeps", "sweep"),
    "load_options": ("ccsim.whatif.options", "load_options"),
}


def __getattr__(name: str) -> object:
    """Load ``erlang``, ``compare``, ``sweep`` on first use (keeps ``import ccsim`` quick)."""
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        loaded = importlib.import_module(module)
        return loaded if attribute is None else getattr(loaded, attribute)
    raise AttributeError(f"module 'ccsim' has no attribute {name!r}")


__all__ = [  # noqa: F822 - erlang, compare, sweep, load_options load lazily
    "ENGINES",
    "CapacityWarning",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "compare",
    "erlang",
    "load_options",
    "load_scenario",
    "simulate",
    "sweep",
]
