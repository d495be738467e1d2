"""What the page shows, as JSON: a centre at a glance, a run's KPIs and charts, a comparison.

These functions only read what ccsim's public objects already hold (a validated
:class:`~ccsim.Scenario` and its compiled plan, a
:class:`~ccsim.SimulationResult`'s tables and JSON, a
:class:`~ccsim.Comparison`'s paired differences and business case, a
:class:`~ccsim.StaffingResult`) and arrange it for the browser: numbers become lists
by interval, ``NaN`` becomes ``null``. Nothing here simulates or computes a KPI; the
same figures are what ``ccsim run --json`` and ``ccsim compare --json`` print.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ccsim.plan import compile_plan
from ccsim.scenario.units import parse_clock
from ccsim.whatif.requirement import erlang_requirement

if TYPE_CHECKING:
    from ccsim import Comparison, Scenario, SimulationResult, StaffingResult

__all__ = [
    "CHART_KPIS",
    "charts_view",
    "comparison_view",
    "glance",
    "interval_labels",
    "run_view",
    "staffing_view",
]

#: KPIs per contact type and interval sent for the charts.
CHART_KPIS = ("service_level", "abandon_rate", "mean_queue", "asa_s", "offered")


def num(value: Any) -> float | None:
    """A float for JSON: ``None`` for NaN, infinities and missing values."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def nums(values: Any) -> list[float | None]:
    """A list of :func:`num`."""
    return [num(v) for v in np.asarray(values, dtype=float).ravel()]


def clean(value: Any) -> Any:
    """A JSON-ready copy of nested dicts and lists (non-finite floats become ``None``)."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return num(value)
    return str(value)


def interval_labels(scenario: Scenario) -> list[str]:
    """Clock labels of the interval starts ("08:30"; "Mon 08:30" with ``days``)."""
    horizon = scenario.horizon
    start = parse_clock(horizon.start)
    days = scenario.days or [None]
    labels = []
    for day in days:
        for k in range(horizon.intervals):
            t = int(round(start + k * horizon.interval)) % 86400
            label = f"{t // 3600:02d}:{t % 3600 // 60:02d}"
            labels.append(f"{day.name} {label}" if day is not None else label)
    return labels


# ----------------------------------------------------------------- the centre
def glance(scenario: Scenario, erlang: bool = True) -> dict[str, Any]:
    """The centre at a glance: types, groups, skills, staffing, IVR, costs.

    Per-interval values come from the compiled plan (so a scalar in the file shows as
    one value per interval); ``erlang_a`` is the Erlang A requirement per group and
    interval (:func:`ccsim.whatif.requirement.erlang_requirement`), the line the
    staffing grid is read against; ``None`` without ``erlang`` (it does not depend on
    the staffing, so the page keeps it while only staffing changes).
    """
    plan = compile_plan(scenario)
    hours = plan.interval / 3600.0
    need = erlang_requirement(plan) if erlang else None
    ivr = scenario.ivr
    types = []
    for i, t in enumerate(scenario.contact_types):
        rate = plan.rate[i] * 3600.0
        types.append(
            {
                "name": t.name,
                "channel": t.channel,
                "rate_per_hour": nums(rate),
                "per_day": num(rate.sum() * hours),
                "handle_mean_s": nums(plan.handle_mean[i]),
                "handle_dist": t.handle_time.dist,
                "handle_has_mean": t.handle_time.mean is not None,
                "wrap_up_s": num(plan.wrap_up_mean[i].mean()) if t.wrap_up else None,
                "patience_s": num(plan.patience_mean[i].mean()) if t.patience else None,
                "patience_has_mean": t.patience is not None and t.patience.mean is not None,
                "sl_threshold_s": num(t.service_level.threshold),
                "sl_target": num(t.service_level.target),
                "groups": [plan.group_names[g] for g in plan.type_groups[i] if g >= 0],
                "deflection": num(ivr.probability("deflection", t.name)) if ivr else None,
                "ivr_abandon": num(ivr.probability("abandon", t.name)) if ivr else None,
                "abandoned_cost": (
                    num(scenario.costs.abandon_cost(t.name)) if scenario.costs else None
                ),
            }
        )
    groups = []
    for j, g in enumerate(scenario.agent_groups):
        staffing = None  # one day's intervals (``days`` may override it per day)
        if g.staffing is not None:
            n = scenario.horizon.intervals
            per = g.staffing if isinstance(g.staffing, list) else [g.staffing] * n
            staffing = [int(x) for x in per]
        groups.append(
            {
                "name": g.name,
                "skills": list(g.skills),
                "policy": g.policy,
                "speed": g.speed,
                "absence": g.absence,
                "concurrency": g.concurrency,
                "staffing": staffing,
                "shifts": [
                    {
                        "start": str(s.start),
                        "end": str(s.end),
                        "agents": s.agents,
                        "breaks": len(s.breaks),
                        "days": s.days,
                    }
                    for s in g.shifts or []
                ],  # fmt: skip
                "activities": len(g.activities),
                "erlang_a": [int(x) for x in need[j]] if need is not None else None,
            }
        )
    costs = scenario.costs
    return {
        "name": scenario.name,
        "description": scenario.description,
        "horizon": {
            "start": scenario.horizon.start,
            "intervals": scenario.horizon.intervals,
            "interval_s": scenario.horizon.interval,
            "warmup_s": scenario.horizon.warmup,
            "days": [d.name for d in scenario.days] if scenario.days else None,
        },
        "labels": interval_labels(scenario),
        "lines": scenario.lines,
        "ivr": None
        if ivr is None
        else {
            "time_mean_s": num(plan.ivr_mean.mean()),
            "ports": ivr.ports,
        },
        "types": types,
        "groups": groups,
        "costs": None
        if costs is None
        else {
            "currency": costs.currency,
            "hourly_wage": costs.agents.hourly_wage,
            "shrinkage": costs.agents.shrinkage,
            "overhead": costs.agents.overhead,
            "fixed_per_day": costs.fixed_per_day,
            "working_days_per_year": costs.working_days_per_year,
        },
    }


# -------------------------------------------------------------------- a run
def run_view(result: SimulationResult) -> dict[str, Any]:
    """A run's KPIs with CIs: the ``ccsim run --json`` object plus what the cards need."""
    data = result.to_dict()
    data["targets"] = {
        t.name: {"target": t.service_level.target, "threshold_s": t.service_level.threshold}
        for t in result.scenario.contact_types
    }
    data["currency"] = result.scenario.costs.currency if result.scenario.costs else None
    return clean(data)


def charts_view(result: SimulationResult) -> dict[str, Any]:
    """Per-interval series for the charts: each KPI's mean and CI by type, each group's.

    ``types[type][kpi]`` (type ``"ALL"`` too) and ``groups[group]["occupancy"]`` are
    ``{"mean": [...], "low": [...], "high": [...]}`` by interval;
    ``groups[group]["staffed"]`` is the mean staffed agents per interval (staffed agent
    hours over the interval's length, breaks excluded).
    """
    frame = result.by_interval
    frame = frame[frame["kpi"].isin(CHART_KPIS)]
    types: dict[str, dict[str, Any]] = {}
    for (type_name, kpi), rows in frame.groupby(["type", "kpi"], sort=False):
        rows = rows.sort_values("interval")
        types.setdefault(str(type_name), {})[str(kpi)] = {
            "mean": nums(rows["mean"]),
            "low": nums(rows["ci95_low"]),
            "high": nums(rows["ci95_high"]),
        }
    hours = result.plan.interval / 3600.0
    groups: dict[str, dict[str, Any]] = {}
    by_group = result.by_group_interval
    for (group, kpi), rows in by_group.groupby(["group", "kpi"], sort=False):
        rows = rows.sort_values("interval")
        if kpi == "occupancy":
            groups.setdefault(str(group), {})["occupancy"] = {
                "mean": nums(rows["mean"]),
                "low": nums(rows["ci95_low"]),
                "high": nums(rows["ci95_high"]),
            }
        elif kpi == "staffed_hours":
            groups.setdefault(str(group), {})["staffed"] = nums(rows["mean"] / hours)
    return {"labels": result.interval_labels(), "types": types, "groups": groups}


# ------------------------------------------------------------- a comparison
def comparison_view(comparison: Comparison) -> dict[str, Any]:
    """The ``ccsim compare --json`` object, the paired-difference rows and the costs."""
    data = comparison.to_dict()
    data["order"] = comparison.options
    data["compared_kpis"] = list(comparison.kpis)
    data["rows"] = comparison.table().to_dict("records")
    base = comparison.results["base"].scenario
    data["currency"] = base.costs.currency if base.costs else None
    return clean(data)


# ------------------------------------------------------- the staffing search
def staffing_view(found: StaffingResult) -> dict[str, Any]:
    """The staffing found per group and interval, the Erlang A start, and its KPIs.

    ``changes`` are the staffing as options-file changes
    (``agent_groups.<group>.staffing: [...]``), ready to become a variant.
    """
    result = found.result
    data = result.to_dict()
    return clean(
        {
            "met": found.met,
            "evaluations": found.evaluations,
            "staffing": found.staffing,
            "start": found.start,
            "labels": result.interval_labels(),
            "kpis": data["kpis"],
            "by_type": data["by_type"],
            "costs": data.get("costs"),
            "currency": result.scenario.costs.currency if result.scenario.costs else None,
            "changes": {f"agent_groups.{g}.staffing": v for g, v in found.staffing.items()},
        }
    )
