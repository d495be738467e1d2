"""Staffing search: the fewest agents per interval that meet the service targets.

Erlang formulas staff each interval as if it stood alone, with one queue and exponential
everything. A real day carries queues from one interval into the next, shares agents
between skills and has patience, wrap-up and breaks. The search therefore starts from
Erlang A per interval and corrects by simulation:

1. **Start**: for every contact type and interval, the Erlang A agents that meet its
   service-level target (and the abandonment ceiling, if any) with its arrival rate,
   mean handle time (talk at the group's speed plus wrap-up) and mean patience; each
   type's agents go to the first group of its routing order.
2. **Add**: simulate (every option on the same seed, so candidates are compared on
   common random numbers); wherever a type misses its target in an interval (mean over
   replications), add an agent to that type's first group in that interval; repeat.
3. **Trim**: interval by interval and group by group, remove agents while every target
   is still met everywhere (queues carry over, so a change is judged on the whole day).

Groups on shifts are re-rostered first by the shift scheduler
(:func:`ccsim.whatif.scheduling.schedule`): they keep the shapes of the shifts they work
(lengths, break rules, start times, :mod:`ccsim.whatif.scheduling.from_roster`) and the
scheduler decides how many agents start each one and where window breaks fall, at the
lowest cost that meets every target; then the groups staffed per interval are searched
as above, with the new shifts in place (``shifts=False`` leaves shift groups as they
are, as do groups with planned activities). A group's planned activities (meetings,
training) set a floor: an interval in which an activity starts keeps at least the
agents on activities then. The result is a scenario with the new staffing, its KPIs
and, with a cost model, its cost.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ccsim.plan import Plan, compile_plan
from ccsim.results.tables import SimulationResult
from ccsim.scenario.checks import activity_needs
from ccsim.scenario.loader import scenario_from_dict
from ccsim.scenario.model import Scenario
from ccsim.simulation import (
    DEFAULT_ENGINE,
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    CapacityWarning,
    Progress,
    as_scenario,
    simulate,
)
from ccsim.whatif.requirement import erlang_requirement

if TYPE_CHECKING:
    from ccsim.whatif.scheduling import ScheduleResult

__all__ = [
    "BudgetResult",
    "StaffingResult",
    "activity_floor",
    "search_budget",
    "search_staffing",
]


@dataclass
class StaffingResult:
    """The staffed scenario, its staffing per group and interval, and its run."""

    scenario: Scenario
    staffing: dict[str, list[int]]  # group -> agents per interval (searched groups)
    start: dict[str, list[int]]  # the Erlang A starting point
    result: SimulationResult
    evaluations: int
    met: bool  # every target met in every interval with contacts
    schedule: ScheduleResult | None = None  # how the groups on shifts were re-rostered

    @property
    def shifts(self) -> dict[str, list[dict]]:
        """Group -> its shifts, for the groups the scheduler re-rostered."""
        if self.schedule is None:
            return {}
        names = set(self.schedule.table["skill_set"]) if len(self.schedule.table) else set()
        return {
            g.name: [shift.model_dump(mode="json", exclude_none=True) for shift in g.shifts or []]
            for g in self.scenario.agent_groups
            if g.name in names
        }


def search_staffing(
    scenario: Scenario | str | Path,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    engine: str = DEFAULT_ENGINE,
    max_abandon: float | None = None,
    max_evaluations: int = 400,
    progress: Progress | None = None,
    max_replications: int | None = None,
    shifts: bool = True,
) -> StaffingResult:
    """Find the fewest agents per interval that meet every type's targets.

    Parameters
    ----------
    scenario : Scenario, str or pathlib.Path
        The scenario or its file. Groups with ``staffing`` (per interval) are searched;
        groups on shifts are re-rostered by the shift scheduler (module docstring).
    replications, seed, engine :
        Each candidate is simulated with these (the same seed for every candidate).
    max_abandon : float, optional
        Abandonment ceiling (abandoned / offered) per type and interval, besides the
        service-level targets.
    max_evaluations : int
        Give up (returning the best staffing found, ``met`` False) after this many
        simulations.
    progress : callable, optional
        ``progress(evaluations, max_evaluations)`` after each simulation.
    max_replications : int, optional
        A candidate whose service level (or abandonment) in some interval is too close
        to its target to tell at ``replications`` is simulated again with twice the
        replications, up to this many (default 16 x ``replications``); see Notes.
    shifts : bool
        Re-roster the groups on shifts (default); ``False`` keeps their shifts.

    Notes
    -----
    **Noise does not become staffing.** An interval meets or misses its target only
    when the 95 % interval of its mean (mean +- 2 standard errors) lies on one side of
    the target; when it straddles it, the candidate is simulated again with twice the
    replications (the same seed: the first replications are the same customers), until
    every interval is decided or ``max_replications`` is reached (then the mean
    decides). Without this rule, intervals of the same load got different staffing
    from the noise alone (13, 14, 14, 14, 13, 14, ... on a flat load).

    Returns
    -------
    StaffingResult
    """
    scenario = as_scenario(scenario)
    plan = compile_plan(scenario)
    if scenario.days:
        raise ValueError(
            "the staffing search works on one day; this scenario runs several (days:). "
            "Search a scenario of one day (without days:), then set each day's staffing"
        )
    rostered = None
    on_shifts = [g.name for g in scenario.agent_groups if g.shifts and not g.activities]
    if shifts and on_shifts:
        rostered = _reroster(scenario, on_shifts, replications, seed, engine, max_abandon)
    if rostered is not None:
        scenario = rostered.scenario
        plan = compile_plan(scenario)
    searched = [j for j, g in enumerate(scenario.agent_groups) if g.staffing is not None]
    if not searched:
        if rostered is None:
            raise ValueError(
                "no agent group is staffed per interval or re-rosterable: nothing to search"
            )
        return StaffingResult(scenario, {}, {}, rostered.result, rostered.evaluations,
                              rostered.found.met, rostered)  # fmt: skip
    start = erlang_requirement(plan, max_abandon)
    floor = activity_floor(scenario, plan)
    staffing = np.maximum(start, floor)
    primary = [int(plan.type_groups[t, 0]) for t in range(plan.n_types)]
    evaluations = 0
    most = max_replications or 16 * replications

    def evaluate(
        candidate: np.ndarray, accepted: np.ndarray | None = None
    ) -> tuple[np.ndarray, SimulationResult, np.ndarray]:
        """Misses of ``candidate``; its result; its cells' means at ``replications``.

        A decided miss answers at once. Cells whose means at ``replications`` equal
        ``accepted`` (those of the staffing last accepted: common random numbers make
        cells the change cannot reach identical) keep their verdict, met; the other
        undecided cells are simulated again with twice the replications.
        """
        nonlocal evaluations
        changed = _with_staffing(scenario, candidate, searched)
        reps, same, first = replications, None, None
        while True:
            evaluations += 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CapacityWarning)
                result = simulate(changed, reps, seed, engine)
            if progress is not None:
                progress(evaluations, max_evaluations)
            misses, undecided = _misses(plan, result, max_abandon)
            if first is None:
                first = _cell_means(plan, result)
                same = np.zeros_like(misses) if accepted is None else (first == accepted).all(0)
            misses, undecided = misses & ~same, undecided & ~same
            stop = misses.any() or not undecided.any() or 2 * reps > most
            if stop or evaluations >= max_evaluations:
                return misses, result, first
            reps *= 2

    misses, result, means = evaluate(staffing)
    # 2. add agents where targets are missed
    while misses.any() and evaluations < max_evaluations:
        for t, k in zip(*np.nonzero(misses), strict=True):
            g = primary[t] if primary[t] in searched else searched[0]
            staffing[g, k] += 1
        misses, result, means = evaluate(staffing)
    met = not misses.any()
    # 3. trim: remove agents while every target still holds
    if met:
        for k in range(plan.n_intervals):
            for g in searched:
                while staffing[g, k] > floor[g, k] and evaluations < max_evaluations:
                    staffing[g, k] -= 1
                    trial_misses, trial, trial_means = evaluate(staffing, means)
                    if trial_misses.any():
                        staffing[g, k] += 1
                        break
                    result, means = trial, trial_means
    names = plan.group_names
    return StaffingResult(
        scenario=_with_staffing(scenario, staffing, searched),
        staffing={names[g]: staffing[g].tolist() for g in searched},
        start={names[g]: start[g].tolist() for g in searched},
        result=result,
        evaluations=evaluations + (rostered.evaluations if rostered else 0),
        met=met,
        schedule=rostered,
    )


def _reroster(
    scenario: Scenario, groups: list[str], replications: int, seed: int, engine: str,
    max_abandon: float | None,
) -> ScheduleResult | None:  # fmt: skip
    """The groups on shifts re-rostered on the shapes they work (module docstring)."""
    from ccsim.whatif.scheduling import InfeasibleSchedule, schedule
    from ccsim.whatif.scheduling.from_roster import templates_of

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        try:
            return schedule(scenario, templates_of(scenario, groups, max_abandon),
                            replications, seed, engine)  # fmt: skip
        except InfeasibleSchedule as exc:  # their shapes cannot do it alone: keep them
            warnings.warn(
                f"groups on shifts kept as they are: {str(exc).splitlines()[0]}",
                CapacityWarning,
                stacklevel=3,
            )
            return None


def activity_floor(scenario: Scenario, plan: Plan) -> np.ndarray:
    """(groups, intervals): the fewest agents the groups' activities need scheduled.

    In the interval holding an activity's start, the agents on the group's activities
    in progress then (what validation asks of the staffing).
    """
    floor = np.zeros((plan.n_groups, plan.n_intervals), dtype=np.int64)
    for g in range(plan.n_groups):
        for start, agents in activity_needs(scenario, g):
            k = min(int(start // plan.interval), plan.n_intervals - 1)
            floor[g, k] = max(floor[g, k], agents)
    return floor


def _misses(
    plan: Plan, result: SimulationResult, max_abandon: float | None, z: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """(types, intervals) masks: where the mean misses a target, and where it cannot tell.

    Only intervals with contacts count. A cell is undecided when the target lies within
    ``z`` standard errors of its mean service level (or abandonment).
    """
    moments = result.stats.by_type_interval  # rows: types, then the centre
    types = slice(0, plan.n_types)
    offered = moments["offered"].mean[types] > 0

    def judged(kpi: str, limit: np.ndarray | float, low_is_bad: bool) -> tuple[np.ndarray, ...]:
        m = moments[kpi]
        mean = m.mean_or_nan()[types]
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.nan_to_num(m.sd()[types] / np.sqrt(np.maximum(m.n[types], 1)))
        gap = (mean - limit) if low_is_bad else (limit - mean)  # >= 0 where the target holds
        miss = offered & (gap < -1e-12)
        return miss, offered & (np.abs(gap) < z * se)

    miss, undecided = judged("service_level", plan.sl_target[:, None], low_is_bad=True)
    if max_abandon is not None:
        ab_miss, ab_undecided = judged("abandon_rate", max_abandon, low_is_bad=False)
        miss, undecided = miss | ab_miss, undecided | ab_undecided
    return miss, undecided


def _cell_means(plan: Plan, result: SimulationResult) -> np.ndarray:
    """(2, types, intervals): mean service level and abandonment of each cell (NaN: none)."""
    moments = result.stats.by_type_interval
    return np.nan_to_num(
        np.stack(
            [moments[k].mean_or_nan()[: plan.n_types] for k in ("service_level", "abandon_rate")]
        ),
        nan=-1.0,
    )


def _with_staffing(scenario: Scenario, staffing: np.ndarray, searched: list[int]) -> Scenario:
    data = scenario.model_dump(mode="json", exclude_none=True)
    for g in searched:
        data["agent_groups"][g]["staffing"] = [int(x) for x in staffing[g]]
    return scenario_from_dict(data)


@dataclass
class BudgetResult:
    """The best common service-level target a daily budget affords, and its staffing."""

    target: float  # the service-level target every type was staffed for
    cost_per_day: float  # daily agent cost (paid hours x wage x overhead) of that staffing
    staffing: StaffingResult
    tried: list[tuple[float, float]]  # (target, cost per day) of every search


def search_budget(
    scenario: Scenario | str | Path,
    budget_per_day: float,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    engine: str = DEFAULT_ENGINE,
    steps: int = 7,
    progress: Progress | None = None,
    max_replications: int | None = None,
) -> BudgetResult:
    """The best service level a daily staffing budget buys.

    Every contact type gets the same service-level target (its threshold unchanged);
    the staffing search finds the fewest agents for that target, and the cost model
    prices their paid hours (the ``agents`` component: wages with shrinkage, breaks and
    overhead; lost revenue and telephony are not part of a staffing budget). A
    bisection on the target (``steps`` searches between 1 % and 99 %) keeps the highest
    target whose daily agent cost stays within ``budget_per_day``.

    ``progress(searches, steps + 1)`` after each staffing search; ``max_replications``
    as :func:`search_staffing`.

    Raises
    ------
    ValueError
        Without a ``costs:`` section, or when even staffing for a 1 % target (the
        fewest agents the search keeps) costs more than the budget.
    """
    from ccsim.whatif.costs import daily_costs

    scenario = as_scenario(scenario)
    if scenario.costs is None:
        raise ValueError("a budget search needs a costs: section in the scenario")
    tried: list[tuple[float, float]] = []

    def staff_for(target: float) -> tuple[StaffingResult, float]:
        data = scenario.model_dump(mode="json", exclude_none=True)
        for contact_type in data["contact_types"]:
            contact_type.setdefault("service_level", {})["target"] = target
        found = search_staffing(
            scenario_from_dict(data), replications, seed, engine,
            max_replications=max_replications,
        )  # fmt: skip
        cost = float(np.mean(daily_costs(found.result)["agents"]))
        tried.append((target, cost))
        if progress is not None:
            progress(len(tried), steps + 1)
        return found, cost

    best, best_cost = staff_for(0.01)
    if best_cost > budget_per_day:
        raise ValueError(f"even the least staffing costs {best_cost:,.0f} per day, over the budget")
    low, high, best_target = 0.01, 0.99, 0.01
    for _ in range(steps):
        middle = (low + high) / 2
        found, cost = staff_for(middle)
        if cost <= budget_per_day:
            low, best, best_cost, best_target = middle, found, cost, middle
        else:
            high = middle
    return BudgetResult(best_target, best_cost, best, tried)
