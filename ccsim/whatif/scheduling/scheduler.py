"""``ccsim.schedule``: how many agents of which skill set start which shift.

The planner's question, answered in four steps:

1. **Two-step plan** (the classic method, and the baseline): the Erlang A requirement
   per interval (:func:`requirement`: each queue's need as
   :func:`ccsim.whatif.requirement.erlang_requirement` counts it, less what the groups
   the scheduler leaves alone can take, on the first skill-set group of its routing),
   then the cheapest cover of it by the shift templates
   (:func:`~ccsim.whatif.scheduling.cover.cheapest_cover`).
2. **Feasibility**: the two-step plan is simulated. If it misses a target, a plan with
   twice its requirement (plus two agents) is simulated too; targets that one still
   misses cannot be met with the templates given, and the scheduler says which (type
   and interval) instead of searching.
3. **Search** (:mod:`~ccsim.whatif.scheduling.search`): the integer programme refined by
   the simulation's cuts, from the two-step plan, every candidate on the same simulated
   days (common random numbers, one seed).
4. **Check**: the schedule found, the two-step plan and the scenario as it was given
   are simulated again on fresh replications (the next seed): the sample the search
   solved favours the schedule it chose, so these are the figures to believe. All
   three are reported with confidence intervals per type and interval, and their costs
   side by side.
"""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ccsim.plan import compile_plan
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
from ccsim.whatif.scheduling.columns import Columns, check_scenario, expand, on_the_phones
from ccsim.whatif.scheduling.cover import cheapest_cover
from ccsim.whatif.scheduling.oracle import Oracle, TargetSet, targets_of
from ccsim.whatif.scheduling.result import ScheduleResult
from ccsim.whatif.scheduling.search import _met, search
from ccsim.whatif.scheduling.templates import ShiftFile, load_shifts

__all__ = [
    "InfeasibleSchedule",
    "offered_load",
    "requirement",
    "schedule",
    "two_step",
    "type_needs",
]

#: Carry-over: an interval's staffing moves the service of about this long after it.
CARRY_OVER = 1800.0
#: The search keeps each skill-set group's agents on the phones at or above this share of
#: the load first routed to it (where service is flat and cuts say little), or the
#: two-step plan's, whichever is lower.
FLOOR = 0.75


class InfeasibleSchedule(ValueError):
    """The targets cannot be met with the templates given.

    ``missed`` lists ``(target, value reached, bound)``: the contact type and interval
    (or day), the service level (or abandonment rate) reached with twice the two-step
    staffing, and the target.
    """

    def __init__(self, missed: list[tuple[str, float, float]], agents: int):
        self.missed = missed
        lines = [
            f"  {label}: {100 * value:.1f} % (target {100 * bound:.0f} %)"
            for label, value, bound in missed[:12]
        ]
        more = f"\n  ... and {len(missed) - 12} more" if len(missed) > 12 else ""
        super().__init__(
            f"the targets cannot be met with the templates given: even {agents} agents "
            "(twice the two-step requirement) miss\n" + "\n".join(lines) + more
        )


def schedule(
    scenario: Scenario | str | Path,
    shifts: ShiftFile | str | Path | dict[str, Any],
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    engine: str = DEFAULT_ENGINE,
    check_replications: int | None = None,
    max_rounds: int = 8,
    max_evaluations: int = 1000,
    time_limit: float | None = None,
    trim: bool = True,
    cluster: str | None = None,
    progress: Progress | None = None,
) -> ScheduleResult:
    """Find the cheapest shift schedule that meets every target (see the module docstring).

    Parameters
    ----------
    scenario : Scenario, str or pathlib.Path
        The centre. Groups named as skill sets in the shift file get their shifts from
        the schedule; every other group keeps its staffing or shifts.
    shifts : ShiftFile, str, pathlib.Path or dict
        The shift-template file (:func:`ccsim.whatif.scheduling.load_shifts`).
    replications : int
        Simulated days per candidate schedule, the same days for every candidate.
    seed : int
        Seed of the search; the check runs on ``seed + 1``.
    engine : {"fast", "simpy"}
        Simulation engine.
    check_replications : int, optional
        Fresh replications of the final check (default: ``replications``).
    max_rounds, max_evaluations, time_limit :
        Budget of the search: rounds, simulations, seconds (the best schedule so far
        is returned when it runs out).
    trim : bool
        Try removing agents one by one from the best schedule at the end.
    cluster : str, optional
        Address of a Dask scheduler: each round's simulations run there.
    progress : callable, optional
        ``progress(simulations, expected)`` after each simulation; ``expected`` is what
        the search expects to need (at most ``max_evaluations``).

    Returns
    -------
    ScheduleResult

    Raises
    ------
    InfeasibleSchedule
        When twice the two-step staffing still misses targets (it names them).
    ScenarioError
        When the shift file is not valid (or does not fit the scenario).
    """
    begun = time.perf_counter()
    deadline = begun + time_limit if time_limit is not None else math.inf
    scenario = as_scenario(scenario)
    spec = load_shifts(shifts)
    columns = expand(scenario, spec)
    check_scenario(columns)
    empty = compile_plan(columns.write(np.zeros(columns.n)))
    served_by = _served(empty, columns)
    targets = targets_of(empty, spec.targets)
    need = requirement(columns)
    baseline, shortfall = two_step(columns, need)
    measured = targets.types
    window = max(1, math.ceil(CARRY_OVER / columns.interval - 1e-9))
    with Oracle(measured, replications, seed, engine, cluster, progress, max_evaluations) as oracle:
        # a round: its schedule and one simulation per skill set and offset; then trim
        oracle.expected = 2 + (max_rounds + 1) * (1 + len(columns.groups) * (window + 2)) + 10
        base_counts = oracle.measure([columns.write(baseline)])[0]
        targets.drop_empty(base_counts)
        incumbent = None
        if not _met(targets.slack(base_counts)):
            incumbent = _feasible_or_raise(columns, oracle, targets, need)
        served = [served_by.get(t, []) for t in measured]
        floor = np.minimum(FLOOR * offered_load(columns), columns.coverage(baseline))
        found = search(
            columns, oracle, targets, baseline, base_counts, served, window, max_rounds,
            deadline, trim, incumbent, floor,
        )  # fmt: skip
        searched = oracle.evaluations
    x = found.x if found.x is not None else baseline
    check_seed = seed + 1
    reps = check_replications or replications
    final = _check(columns.write(x), reps, check_seed, engine)
    base_run = _check(columns.write(baseline), reps, check_seed, engine)
    given_run = _check(scenario, reps, check_seed, engine)
    return ScheduleResult.build(
        columns=columns,
        targets=targets,
        x=x,
        baseline_x=baseline,
        requirement=need,
        shortfall=shortfall,
        result=final,
        baseline_result=base_run,
        given_result=given_run,
        search=found,
        evaluations=searched,
        seconds=time.perf_counter() - begun,
        seed=seed,
        replications=replications,
    )


def requirement(columns: Columns, max_abandon: float | None = None) -> np.ndarray:
    """The two-step requirement per (skill-set group, cell of the columns).

    Each queue's Erlang A need (:func:`type_needs`) walks its routing: the groups the
    scheduler leaves as they are take what their agents on the phones can (each agent
    once, queues in file order), and the rest goes to the first skill-set group. In a
    run of several days an interval needs the most any day needs, unless the templates
    have day patterns: then each day's interval needs what that day needs.
    """
    plan = compile_plan(columns.write(np.zeros(columns.n)))
    if max_abandon is None:
        max_abandon = columns.shifts_file.targets.max_abandon
    need = type_needs(plan, max_abandon)
    spare = on_the_phones(plan)
    scheduled = {g: s for s, g in enumerate(columns.group_index)}
    out = np.zeros((len(columns.groups), plan.n_intervals))
    for t in range(plan.n_types):
        left = need[t].copy()
        for g in (int(g) for g in plan.type_groups[t] if g >= 0):
            if g in scheduled:
                out[scheduled[g]] += left
                break
            take = np.minimum(left, spare[g])
            spare[g] -= take
            left -= take
    return np.ceil(_per_cell(columns, out, plan.n_days) - 1e-9)


def _per_cell(columns: Columns, values: np.ndarray, n_days: int) -> np.ndarray:
    """(skill-set groups, run's intervals) as the columns' cells: each day, or the most."""
    if columns.days > 1:
        return values
    return values.reshape(len(values), n_days, columns.intervals).max(axis=1)


def type_needs(plan: Any, max_abandon: float | None = None) -> np.ndarray:
    """Erlang A agents per (contact type, interval), as floats.

    :func:`ccsim.whatif.requirement.type_requirement`, the need the Erlang requirement
    (and the staffing search's start) puts on each type's first group.
    """
    from ccsim.whatif.requirement import type_requirement

    return type_requirement(plan, max_abandon).astype(float)


def offered_load(columns: Columns) -> np.ndarray:
    """Erlangs first routed to each skill-set group per cell (the busiest day's, or each day's).

    As the Erlang requirement counts it: rate reaching the agents x (talk at the group's
    speed + wrap-up), in sessions for chat groups.
    """
    plan = compile_plan(columns.write(np.zeros(columns.n)))
    reach = 1.0 - plan.ivr_deflect - plan.ivr_abandon
    load = np.zeros((plan.n_groups, plan.n_intervals))
    for t in range(plan.n_types):
        g = int(plan.type_groups[t, 0])
        handle = plan.talk_mean(t, g) + plan.wrap_up_mean[t]
        load[g] += plan.rate[t] * reach[t] * handle / plan.group_sessions[g]
    return _per_cell(columns, load[columns.group_index], plan.n_days)


def two_step(columns: Columns, need: np.ndarray) -> tuple[np.ndarray, float]:
    """The cheapest schedule that covers ``need``, and the agent-intervals it leaves short."""
    solution, shortfall = cheapest_cover(columns, need)
    if not solution.ok:
        raise ValueError(f"the covering programme is {solution.status}: check the template limits")
    return solution.x, shortfall


def _served(plan: Any, columns: Columns) -> dict[int, list[int]]:
    """For each type, the skill sets whose group serves it (routing and skill)."""
    out: dict[int, list[int]] = {}
    for t in range(plan.n_types):
        routing = [int(g) for g in plan.type_groups[t] if g >= 0]
        out[t] = [s for s, g in enumerate(columns.group_index) if g in routing]
    return out


def _feasible_or_raise(
    columns: Columns, oracle: Oracle, targets: TargetSet, need: np.ndarray
) -> tuple[np.ndarray, Any]:
    """A schedule with twice the requirement (+2): meets every target, or raise."""
    generous = np.where(need > 0, 2.0 * need + 2.0, 0.0)
    x, _ = two_step(columns, generous)
    counts = oracle.measure([columns.write(x)])[0]
    margin = targets.slack(counts)
    if _met(margin):
        return x, counts
    values = targets.values(counts)
    missed = [
        (t.label, float(values[c]), t.bound)
        for c, t in enumerate(targets.targets)
        if np.isfinite(margin[c]) and margin[c] < 0
    ]
    raise InfeasibleSchedule(missed, int(columns.agents(x).sum()))


def _check(scenario: Scenario, replications: int, seed: int, engine: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        return simulate(scenario, replications, seed, engine, keep_counters=True)  # targets
