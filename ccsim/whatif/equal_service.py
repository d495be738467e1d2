"""Options compared at equal service: what each costs to meet the same targets.

Compared at fixed staffing, an IVR upgrade that self-serves 15 % of the calls shows a
better service level and a saving of almost nothing: agents are paid by the roster, and
the roster did not change. Finance's question is different: *what does the centre cost
with the option, staffed to the same targets?* So every scenario (the base and each
option) is staffed to its service-level targets (and an optional abandonment ceiling)
by the staffing search (:func:`ccsim.whatif.staffing.search_staffing`), and the options'
costs are compared at those staffings.

The staffing found depends on the random customers the search simulated: another seed
may give an agent more here or there. That noise belongs in the saving's confidence
interval, so the search runs in ``batches`` independent batches (seeds ``seed``,
``seed + 1``, ...): within a batch every scenario is staffed and costed on the same
customers (common random numbers), and the saving's 95 % interval is taken across the
batches' paired savings (Student t with ``batches - 1`` degrees of freedom).

Groups staffed per interval are searched; groups on shifts keep their shifts until the
shift scheduler covers them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ccsim.results.tables import SimulationResult
from ccsim.scenario.model import Scenario
from ccsim.simulation import CapacityWarning, Progress

__all__ = ["EqualService", "staff_to_targets"]


@dataclass
class EqualService:
    """Each scenario staffed to the same targets, batch by batch.

    Attributes
    ----------
    batches : int
        Independent staffing searches per scenario (seeds ``seed + b``).
    staffing : dict
        Scenario name -> one ``{group: agents per interval}`` per batch.
    daily_cost : dict
        Scenario name -> (batches,) mean daily total cost at its staffing.
    hours : dict
        Scenario name -> (batches,) scheduled agent hours of the day (every group: per
        interval and on shifts, breaks included).
    met : dict
        Scenario name -> whether every target was met, per batch.
    max_abandon : float or None
        The abandonment ceiling searched for, besides the service-level targets.
    """

    batches: int
    staffing: dict[str, list[dict[str, list[int]]]] = field(default_factory=dict)
    daily_cost: dict[str, np.ndarray] = field(default_factory=dict)
    hours: dict[str, np.ndarray] = field(default_factory=dict)
    met: dict[str, list[bool]] = field(default_factory=dict)
    max_abandon: float | None = None

    def agent_hours(self, name: str) -> np.ndarray:
        """Scheduled agent hours per batch, every group (per interval and on shifts)."""
        return self.hours[name]


def staff_to_targets(
    scenarios: dict[str, Scenario],
    replications: int,
    seed: int,
    engine: str,
    batches: int = 5,
    max_abandon: float | None = None,
    progress: Progress | None = None,
    max_replications: int | None = None,
) -> tuple[dict[str, SimulationResult], EqualService]:
    """Staff every scenario to its targets in ``batches`` batches (module docstring).

    Returns
    -------
    results : dict of SimulationResult
        Each scenario at the staffing of the first batch, simulated with ``seed``: the
        runs the comparison's KPI differences are paired on.
    equal : EqualService
        The staffing and daily cost of every batch.

    Raises
    ------
    ValueError
        If a scenario has no group staffed per interval, or no ``costs:`` section.
    """
    from ccsim.whatif.costs import daily_costs, scheduled_hours
    from ccsim.whatif.staffing import search_staffing

    if batches < 2:
        raise ValueError(f"batches must be at least 2 (for a confidence interval), got {batches}")
    for name, scenario in scenarios.items():
        if scenario.costs is None:
            raise ValueError(f"{name!r} has no costs: section: nothing to compare at target")
    equal = EqualService(batches=batches, max_abandon=max_abandon)
    results: dict[str, SimulationResult] = {}
    total, done = batches * len(scenarios), 0
    for b in range(batches):
        for name, scenario in scenarios.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CapacityWarning)
                found = search_staffing(
                    scenario, replications, seed + b, engine, max_abandon,
                    max_replications=max_replications,
                )  # fmt: skip
            equal.staffing.setdefault(name, []).append(found.staffing)
            equal.met.setdefault(name, []).append(found.met)
            cost = float(np.mean(daily_costs(found.result)["total"]))
            equal.daily_cost[name] = np.append(equal.daily_cost.get(name, []), cost)
            hours = float(scheduled_hours(found.result.plan)[0].sum())
            equal.hours[name] = np.append(equal.hours.get(name, []), hours)
            if b == 0:
                results[name] = _rerun(found.scenario, replications, seed, engine)
            done += 1
            if progress is not None:
                progress(done, total)
    return results, equal


def _rerun(scenario: Scenario, replications: int, seed: int, engine: str) -> SimulationResult:
    """The staffed scenario at exactly ``replications`` (the search may have used more)."""
    from ccsim.simulation import simulate

    return simulate(scenario, replications, seed, engine)
