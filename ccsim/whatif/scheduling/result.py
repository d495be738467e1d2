"""What the scheduler hands the planner: the roster, its service, its cost, the baseline.

A :class:`ScheduleResult` holds the schedule as a table (one row per skill set,
template, start and break placement: what a workforce-management tool or a spreadsheet
takes), the scenario with those shifts written out (it runs again as it is), the
check run on fresh replications (KPIs with confidence intervals per type and interval),
each target's value in the search's sample and in the check, the coverage per interval
(agents on the phones against the Erlang requirement), and the cost per day and per
year, all of it also for the two-step plan (:class:`Roster`) it is measured against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ccsim.results.confidence import mean_ci
from ccsim.results.tables import SimulationResult
from ccsim.scenario.model import Costs, Scenario
from ccsim.scenario.units import format_duration, parse_clock
from ccsim.whatif.scheduling.columns import Columns, clock, on_the_phones
from ccsim.whatif.scheduling.oracle import TargetSet, counts_in
from ccsim.whatif.scheduling.search import Round, Search

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Roster", "ScheduleResult", "schedule_table"]


@dataclass
class Roster:
    """One schedule, written out and checked.

    ``agents`` per column; ``table`` one row per shift with agents; ``result`` the
    check run; ``targets`` each target's value in the search's sample and in the check;
    ``cost`` per day: ``agents`` (wages as the cost model pays them), ``training``,
    ``other`` (telephony, IVR, fixed, abandonment, penalties: simulated), ``total``
    (with its 95 % interval ``total_ci95``) and ``per_year``.
    """

    agents: np.ndarray | None  # per shift and break placement (None: the scenario as given)
    scenario: Scenario
    table: pd.DataFrame
    result: SimulationResult
    targets: pd.DataFrame
    cost: dict[str, Any]
    headcount: int  # agents of the scheduled groups (staffing per interval: its peak)

    @property
    def met(self) -> bool:
        """Every target met in the check run (its mean at or above the target)."""
        return bool(self.targets["met_check"].all()) if len(self.targets) else True


@dataclass
class ScheduleResult:
    """The schedule found, and the two-step plan it is measured against (module docstring)."""

    found: Roster
    two_step: Roster
    given: Roster  # the scenario as it was, its scheduled groups as given
    coverage: pd.DataFrame  # group, interval, start, scheduled, two_step, required, as_given
    rounds: list[Round]
    met: bool  # every target met in the search's sample (common random numbers)
    converged: bool  # the programme's own choice met every target
    bound: float  # the last programme's lower bound on the cost (valid if concave)
    shortfall: float  # agent-intervals of the requirement the templates could not cover
    evaluations: int  # simulations of the search
    seconds: float
    seed: int
    replications: int
    check_seed: int
    stop: str
    trimmed: int
    notes: list[str] = field(default_factory=list)

    # the found schedule's parts, as a planner reaches for them
    @property
    def scenario(self) -> Scenario:
        """The scenario with the schedule written out as shifts."""
        return self.found.scenario

    @property
    def table(self) -> pd.DataFrame:
        """The schedule: one row per shift (skill set, template, start, breaks, agents)."""
        return self.found.table

    @property
    def result(self) -> SimulationResult:
        """The check run of the schedule (fresh replications)."""
        return self.found.result

    @property
    def cost(self) -> dict[str, Any]:
        """The schedule's cost per day and per year (see :class:`Roster`)."""
        return self.found.cost

    @property
    def saving(self) -> float:
        """Cost per day of the two-step plan less the schedule's (agents and training)."""
        return _staff(self.two_step.cost) - _staff(self.found.cost)

    @classmethod
    def build(
        cls,
        columns: Columns,
        targets: TargetSet,
        x: np.ndarray,
        baseline_x: np.ndarray,
        requirement: np.ndarray,
        shortfall: float,
        result: SimulationResult,
        baseline_result: SimulationResult,
        given_result: SimulationResult,
        search: Search,
        evaluations: int,
        seconds: float,
        seed: int,
        replications: int,
    ) -> ScheduleResult:
        """Write out and price both schedules (called by :func:`ccsim.schedule`)."""
        import pandas as pd

        found = _roster(columns, targets, x, result, search.counts)
        base = _roster(columns, targets, baseline_x, baseline_result, None)
        given = _given(columns, targets, given_result)
        rows = []
        labels = _interval_labels(columns)
        have, two, need = columns.coverage(x), columns.coverage(baseline_x), requirement
        before = on_the_phones(given_result.plan)
        for s, group in enumerate(columns.groups):
            g = (
                given_result.plan.group_names.index(group)
                if group in given.scenario.group_names
                else -1
            )
            for k in range(columns.cells):
                row = {"group": group, "interval": k, "start": labels[k],
                       "scheduled": float(have[s, k]), "two_step": float(two[s, k]),
                       "required": float(need[s, k]),
                       "as_given": float(before[g, k]) if g >= 0 else 0.0}  # fmt: skip
                if columns.day_names:  # with day patterns: every day of the run
                    row["day"] = columns.day_names[k // columns.intervals]
                rows.append(row)
        notes = []
        if search.x is None:
            notes.append("no schedule met every target in the search's sample: the two-step "
                         "plan is returned")  # fmt: skip
        return cls(
            found=found,
            two_step=base,
            given=given,
            coverage=pd.DataFrame(rows),
            rounds=search.rounds,
            met=search.x is not None,
            converged=search.converged,
            bound=search.bound,
            shortfall=shortfall,
            evaluations=evaluations,
            seconds=seconds,
            seed=seed,
            replications=replications,
            check_seed=result.seed,
            stop=search.stop,
            trimmed=search.trimmed,
            notes=notes,
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data (the ``--json`` output)."""

        def roster(r: Roster) -> dict[str, Any]:
            return {
                "agents": r.headcount,
                "met": r.met,
                "cost": {k: v for k, v in r.cost.items()},
                "schedule": r.table.to_dict("records"),
                "targets": r.targets.to_dict("records"),
                "kpis": r.result.to_dict()["by_type"],
            }

        return _plain(
            {
                "scenario": self.scenario.name,
                "met": self.met,
                "converged": self.converged,
                "stop": self.stop,
                "saving_per_day": self.saving,
                "lower_bound": None if math.isnan(self.bound) else self.bound,
                "evaluations": self.evaluations,
                "seconds": self.seconds,
                "seed": self.seed,
                "replications": self.replications,
                "check_seed": self.check_seed,
                "schedule": roster(self.found),
                "two_step": roster(self.two_step),
                "as_given": roster(self.given),
                "coverage": self.coverage.to_dict("records"),
                "rounds": [r.__dict__ for r in self.rounds],
                "notes": self.notes,
            }
        )


def _plain(value: Any) -> Any:
    """JSON-ready data: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _staff(cost: dict[str, Any]) -> float:
    return float(cost["agents"] + cost["training"])


def _interval_labels(columns: Columns) -> list[str]:
    return [columns.cell_label(k) for k in range(columns.cells)]


def _targets(targets: TargetSet, result: SimulationResult, searched: Any) -> pd.DataFrame:
    """Each target's bound, value in the search's sample and on the check run (95 % CI)."""
    import pandas as pd

    counts = counts_in(result, targets.types)
    check = targets.per_replication(counts)
    search_values = targets.values(searched) if searched is not None else None
    pooled = targets.values(counts) if targets.pooled else None
    rows = []
    for c, t in enumerate(targets.targets):
        mean, low, high, _ = mean_ci(check[:, c])
        if pooled is not None:  # the ratio of sums, its interval by the delta method
            mean, (low, high) = pooled[c], _ratio_ci(targets, counts, t)
        rows.append(
            {
                "target": t.label,
                "type": targets.type_names[t.type],
                "kpi": t.kpi,
                "per_day": t.per_day,
                "bound": t.bound,
                "search": float(search_values[c]) if search_values is not None else math.nan,
                "check": float(mean),
                "check_ci95_low": float(low),
                "check_ci95_high": float(high),
                "met_check": bool(t.sign * (mean - t.bound) >= -1e-12),
            }
        )
    names = ["target", "type", "kpi", "per_day", "bound", "search", "check",
             "check_ci95_low", "check_ci95_high", "met_check"]  # fmt: skip
    return pd.DataFrame(rows, columns=names)


def _ratio_ci(targets: TargetSet, counts: Any, t: Any) -> tuple[float, float]:
    """95 % interval of a pooled share sum(S) / sum(N) over replications (delta method)."""
    num, den = targets._sums(counts, t)
    n = len(num)
    if n < 2 or den.sum() <= 0:
        return math.nan, math.nan
    ratio = num.sum() / den.sum()
    residual = num - ratio * den  # per replication; its mean is 0
    se = float(np.sqrt(np.var(residual, ddof=1) / n) / np.mean(den))
    return ratio - 1.96 * se, ratio + 1.96 * se


def _roster(
    columns: Columns, targets: TargetSet, x: np.ndarray, result: SimulationResult, searched: Any
) -> Roster:
    table = schedule_table(columns, x)
    return Roster(
        agents=np.asarray(x),
        scenario=result.scenario,
        table=table,
        result=result,
        targets=_targets(targets, result, searched),
        cost=_cost(columns, x, result),
        headcount=int(table["agents"].sum()),
    )


def _given(columns: Columns, targets: TargetSet, result: SimulationResult) -> Roster:
    """The scenario as it was: its scheduled groups' shifts or staffing, service, cost."""
    import pandas as pd

    scenario = columns.scenario
    rows, heads = [], 0
    day_start = scenario.day_start()
    for name in columns.groups:
        if name not in scenario.group_names:
            continue  # a new skill set
        group = scenario.agent_groups[scenario.group_names.index(name)]
        for shift in group.shifts or []:
            start = parse_clock(shift.start, day_start)
            breaks = ", ".join(_written_break(b) for b in shift.breaks)
            rows.append([name, "shift", clock(scenario, start),
                         clock(scenario, parse_clock(shift.end, day_start)), shift.agents,
                         breaks])  # fmt: skip
            heads += shift.agents
        if group.staffing is not None:
            staff = group.staffing if isinstance(group.staffing, list) else [group.staffing]
            heads += max(staff)
            rows.append([name, "per interval", clock(scenario, 0.0),
                         clock(scenario, scenario.horizon.length), max(staff),
                         "staffing " + " ".join(map(str, staff))])  # fmt: skip
    table = pd.DataFrame(rows, columns=["skill_set", "template", "start", "end", "agents",
                                        "breaks"])  # fmt: skip
    return Roster(
        agents=None,
        scenario=scenario,
        table=table,
        result=result,
        targets=_targets(targets, result, None),
        cost=_given_cost(columns, result),
        headcount=heads,
    )


def schedule_table(columns: Columns, v: np.ndarray) -> pd.DataFrame:
    """One row per shift and break placement: skill set, template, times, agents, cost.

    With day patterns also ``days``: the days the row's agents work.
    """
    import pandas as pd

    rows = []
    for i, breaks, agents in columns.roster(v):
        shift = columns.shifts[i]
        text = ", ".join(
            f"{clock(columns.scenario, at)} {format_duration(d)}" + ("" if paid else " unpaid")
            for at, d, paid in breaks
        )
        rows.append(
            {
                "skill_set": columns.groups[shift.skill_set],
                "template": columns.shifts_file.templates[shift.template].name,
                "start": clock(columns.scenario, shift.start),
                "end": clock(columns.scenario, shift.end),
                "agents": agents,
                "breaks": text,
                **({"days": columns.pattern(i)} if columns.day_names else {}),
                "paid_hours": float(columns.paid_hours[i]),
                "cost_per_agent": float(columns.cost[i]),
                "cost": float(columns.cost[i] * agents),
            }
        )
    names = ["skill_set", "template", "start", "end", "agents", "breaks", "paid_hours",
             "cost_per_agent", "cost"]  # fmt: skip
    if columns.day_names:
        names.insert(6, "days")
    table = pd.DataFrame(rows, columns=names)
    return table.sort_values(["skill_set", "start", "template"], kind="stable").reset_index(
        drop=True
    )


def _written_break(brk: Any) -> str:
    """A scenario break as text: "+2h 15min", or "in 3h30min-5h 30min" for a window."""
    if brk.window is None:
        at = "+" + format_duration(brk.start or 0.0)
    else:
        at = "in " + "-".join(format_duration(w) for w in brk.window)
    return f"{at} {format_duration(brk.duration)}"


def _given_cost(columns: Columns, result: SimulationResult) -> dict[str, Any]:
    """The cost of the scenario as it was (its own cost model; no training)."""
    from ccsim.whatif.costs import scheduled_hours

    scenario = columns.scenario
    costs = scenario.costs or Costs()
    on_shift, on_break = scheduled_hours(result.plan)
    scheduled = 0.0
    for g, name in enumerate(result.plan.group_names):
        if name in columns.groups:
            c = costs.group(name)
            wage = c.hourly_wage if scenario.costs is not None else 1.0
            paid = on_shift[g] - (0.0 if c.paid_breaks else on_break[g])
            scheduled += paid / (1.0 - c.shrinkage) * wage * c.overhead / result.plan.n_days
    out = _cost(columns, np.zeros(columns.n), result)
    out["scheduled"] = scheduled
    if scenario.costs is None:
        out["agents"] = scheduled
        out["total"], out["total_ci95"] = scheduled, [scheduled, scheduled]
        out["per_year"] = scheduled * costs.working_days_per_year
    return out


def _cost(columns: Columns, x: np.ndarray, result: SimulationResult) -> dict[str, Any]:
    """Cost per day: wages of every group, training, the simulated rest; and per year."""
    scenario = columns.scenario
    costs = scenario.costs or Costs()
    days = costs.working_days_per_year
    training = sum(
        float(x[i]) * columns.shifts_file.skill_sets[shift.skill_set].training_per_year
        for i, shift in enumerate(columns.shifts)
    ) / (days or 1.0)
    if scenario.costs is None:
        agents = float(columns.cost @ x) - training  # paid agent hours (x wage, if given)
        other = np.zeros(result.replications)
    else:
        from ccsim.whatif.costs import daily_costs

        daily = daily_costs(result)
        agents = float(daily["agents"][0])
        other = daily["total"] - daily["agents"]
    total = agents + training + other
    mean, low, high, _ = mean_ci(total)
    return {
        "currency": costs.currency if scenario.costs is not None else "",
        "agents": agents,
        "scheduled": float(columns.cost @ x),  # the scheduled groups' wages and training
        "training": training,
        "other": float(np.mean(other)),
        "total": float(mean),
        "total_ci95": [float(low), float(high)],
        "per_year": float(mean) * days,
        "working_days_per_year": days,
    }
