"""The cost model: what a simulated day costs, and what an option returns.

Costs are pure functions of the scenario (its staffing and its ``costs:`` section) and
of the KPI counters of a run; they never run a simulation. Per replication:

* agents: paid hours x hourly wage x overhead, per group, where paid hours are the
  scheduled hours (unpaid breaks excluded) divided by (1 - shrinkage);
* telephony: minutes contacts hold a trunk line (IVR, queue, talk) x price per minute;
* IVR: minutes in the IVR x price per minute;
* fixed technology cost per day;
* abandonment: abandoned contacts x revenue lost per abandoned contact (per type);
* service-level penalties: per interval (with contacts) and per day in which a contact
  type's service level is below its target.

Agent costs cover the whole planning day (warm-up included: agents are paid then too);
telephony, IVR and abandonment count the contacts of the counted window. The day's
total is annualised with ``working_days_per_year``. For options (see
:mod:`ccsim.whatif.comparison`), :func:`finance` turns the paired difference in daily cost into
annual savings, and with the option's one-off and recurring costs into NPV over a number
of years at a discount rate, and into ROI and payback in months where they mean
something: ROI needs a material investment (an option that is mostly a running cost,
such as hiring, has a return on next to nothing), payback an investment and a net
saving. For options that cost money every year, what the money buys is the cost per
percentage point of service level gained and per abandoned contact avoided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ccsim.plan import BREAK, JOIN, LEAVE, Plan
from ccsim.results.confidence import Difference, mean_ci, paired_difference
from ccsim.results.kpis import TYPE_FIELDS, type_kpis
from ccsim.scenario.model import Costs

if TYPE_CHECKING:
    import pandas as pd

    from ccsim.results.tables import SimulationResult

__all__ = [
    "COMPONENTS",
    "MATERIALITY",
    "Finance",
    "activity_hours",
    "added_agents",
    "cost_table",
    "daily_costs",
    "finance",
    "peak_agents",
    "scheduled_hours",
]

COMPONENTS = ("agents", "telephony", "ivr", "fixed", "abandonment", "penalties")
#: An investment is material, and ROI is shown, when it is at least this share of the
#: option's yearly amounts (the larger of the yearly saving, in absolute value, and the
#: recurring cost per year).
MATERIALITY = 0.1
_F = {name: i for i, name in enumerate(TYPE_FIELDS)}


def scheduled_hours(plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Scheduled agent hours and break hours per group over the planning day.

    Returns
    -------
    on_shift, on_break : numpy.ndarray
        Hours per group: agents on shift (breaks included) integrated over
        [0, end of the last interval], and the scheduled breaks within them. Planned
        activities (meetings, training) are not breaks: they are paid as scheduled
        hours even with ``paid_breaks: false`` (see :func:`activity_hours`).

    Examples
    --------
    Ten agents for two half hours: 10 agent-hours.
    """
    on_shift = np.zeros(plan.n_groups)
    on_break = np.zeros(plan.n_groups)
    level = np.zeros(plan.n_groups)
    last = np.zeros(plan.n_groups)
    for t, g, kind, count, duration in zip(*plan.roster, strict=True):
        if kind in (JOIN, LEAVE):
            on_shift[g] += level[g] * (t - last[g])
            last[g] = t
            level[g] += count if kind == JOIN else -count
        elif kind == BREAK:
            on_break[g] += count * min(duration, plan.end - t)
    on_shift += level * (plan.end - last)
    # Activities share the roster's BREAK events (and may merge with a break of the
    # same time and length): take their hours back out of the breaks.
    on_break = np.maximum(on_break / 3600.0 - activity_hours(plan), 0.0)
    return on_shift / 3600.0, on_break


def activity_hours(plan: Plan) -> np.ndarray:
    """Planned off-phone hours per group: agents x length of its ``activities``.

    As scheduled (no absence), within the planning day. These hours are part of the
    scheduled hours and not staffed time (the simulated staffed hours fall by them
    when the agents are idle; an agent on a call joins after it, for the full length).
    """
    day_start = plan.scenario.day_start()
    hours = np.zeros(plan.n_groups)
    for g, group in enumerate(plan.scenario.agent_groups):
        for act in group.activities:
            start, stop = act.span(day_start)
            hours[g] += act.agents * max(min(stop, plan.end) - start, 0.0) / 3600.0
    return hours


def peak_agents(plan: Plan) -> np.ndarray:
    """Most agents scheduled at once per group (breaks ignored): the seats it needs."""
    peak = np.zeros(plan.n_groups)
    level = np.zeros(plan.n_groups)
    for g, kind, count in zip(plan.roster_group, plan.roster_kind, plan.roster_count, strict=True):
        if kind in (JOIN, LEAVE):
            level[g] += count if kind == JOIN else -count
            peak[g] = max(peak[g], level[g])
    return peak


def added_agents(base: Plan, option: Plan) -> dict[str, float]:
    """Agents an option adds per group: increase in peak scheduled agents (>= 0).

    Groups are matched by name; a group the option creates adds all its peak agents.
    """
    before = dict(zip(base.group_names, peak_agents(base), strict=True))
    after = dict(zip(option.group_names, peak_agents(option), strict=True))
    return {g: max(float(n - before.get(g, 0.0)), 0.0) for g, n in after.items()}


def daily_costs(result: SimulationResult) -> dict[str, np.ndarray]:
    """Cost of each component in each replication, per day (a run of several days: its mean day).

    Parameters
    ----------
    result : SimulationResult
        A run of a scenario with a ``costs:`` section.

    Returns
    -------
    dict of numpy.ndarray
        One array per component of :data:`COMPONENTS` plus ``total`` and
        ``per_handled_contact`` (total / answered), each with one value per replication.

    Raises
    ------
    ValueError
        If the scenario has no ``costs:`` section.
    """
    plan = result.plan
    costs: Costs | None = plan.scenario.costs
    if costs is None:
        raise ValueError(f"scenario {plan.scenario.name!r} has no costs: section")
    reps = result.replications
    acc = result.stats.day_type  # (replications, types, fields): each replication's day
    on_shift, on_break = scheduled_hours(plan)
    agents = 0.0
    for j, name in enumerate(plan.group_names):
        c = costs.group(name)
        paid = (on_shift[j] - (0.0 if c.paid_breaks else on_break[j])) / (1.0 - c.shrinkage)
        agents += paid * c.hourly_wage * c.overhead
    line_minutes = acc[..., _F["line_time"]].sum(axis=1) / 60.0
    ivr_minutes = acc[..., _F["ivr_time"]].sum(axis=1) / 60.0
    abandoned = acc[..., _F["abandoned"]]  # (replications, types)
    lost = abandoned @ np.array([costs.abandon_cost(t) for t in plan.type_names])
    out = {
        "agents": np.full(reps, agents),
        "telephony": line_minutes * costs.telephony_per_minute,
        "ivr": ivr_minutes * costs.ivr_per_minute,
        "fixed": np.full(reps, costs.fixed_per_day * plan.n_days),
        "abandonment": lost,
        "penalties": _penalties(plan, acc, result.stats.missed_intervals, costs),
    }
    out["total"] = sum(out[c] for c in COMPONENTS)
    answered = acc[..., _F["answered"]].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["per_handled_contact"] = np.where(answered > 0, out["total"] / answered, np.nan)
    for c in (*COMPONENTS, "total"):  # a run of several days: its average day
        out[c] = out[c] / plan.n_days
    return out


def _penalties(
    plan: Plan, acc: np.ndarray, missed_intervals: np.ndarray, costs: Costs
) -> np.ndarray:
    """Penalties per replication: (type, interval) cells and (type, day) below target.

    ``acc`` holds each replication's day totals, ``missed_intervals`` its count of
    (type, interval) cells whose service level missed the type's target.
    """
    rule = costs.service_level_penalty
    if rule.per_interval == 0 and rule.per_day == 0:
        return np.zeros(acc.shape[0])
    target = plan.sl_target[None, :]
    by_day = type_kpis(acc)["service_level"]  # (replications, types)
    missed_days = np.nansum(by_day < target, axis=1)
    return missed_intervals * rule.per_interval + missed_days * rule.per_day


def cost_table(result: SimulationResult) -> pd.DataFrame:
    """Costs per day (mean and 95 % CI across replications) and per year.

    Returns
    -------
    pandas.DataFrame
        Columns ``component, per_day, ci95_low, ci95_high, per_year``; rows for every
        component, ``total`` and ``per_handled_contact`` (which is not annualised).
    """
    import pandas as pd

    days = result.plan.scenario.costs.working_days_per_year  # type: ignore[union-attr]
    rows = []
    for name, values in daily_costs(result).items():
        mean, low, high, _ = mean_ci(values)
        per_year = float(mean) * days if name != "per_handled_contact" else math.nan
        rows.append(
            {
                "component": name,
                "per_day": float(mean),
                "ci95_low": float(low),
                "ci95_high": float(high),
                "per_year": per_year,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Finance:
    """An option's business case against the base.

    ``saving_per_day`` is the paired mean of (base - option) daily total cost, with its
    95 % interval; ``investment`` the one-off cost (implementation plus hiring and
    training per added agent); ``recurring_per_year`` licences and per-seat fees.
    ``roi`` and ``payback_months`` are NaN where they mean nothing (see
    :func:`finance`); ``material_investment`` says whether ROI applies.
    ``net_cost_per_year`` is what the option costs a year, the investment spread over
    the horizon (negative: it saves money); ``cost_per_sl_point`` and
    ``cost_per_abandon_avoided`` what that buys, where the option costs money and the
    service gain is significant (NaN otherwise).
    """

    saving_per_day: float
    saving_ci95: tuple[float, float]
    saving_per_year: float
    investment: float
    recurring_per_year: float
    net_benefit_per_year: float
    payback_months: float
    roi: float
    npv: float
    material_investment: bool = True
    net_cost_per_year: float = math.nan
    cost_per_sl_point: float = math.nan
    cost_per_abandon_avoided: float = math.nan


def finance(
    base_daily: np.ndarray,
    option_daily: np.ndarray,
    working_days: float,
    one_off: float = 0.0,
    per_new_agent: float = 0.0,
    added_agents: float = 0.0,
    monthly: float = 0.0,
    per_seat_monthly: float = 0.0,
    seats: float = 0.0,
    years: int = 3,
    discount_rate: float = 0.08,
    service_level: Difference | None = None,
    abandoned_per_day: Difference | None = None,
    materiality: float = MATERIALITY,
) -> Finance:
    """NPV, ROI and payback of an option from paired daily costs, and what it buys.

    Parameters
    ----------
    base_daily, option_daily : numpy.ndarray
        Daily total cost per replication, on common random numbers.
    working_days : float
        Working days per year.
    one_off, per_new_agent, added_agents :
        Investment = one_off + per_new_agent x added_agents.
    monthly, per_seat_monthly, seats :
        Recurring cost per year = 12 x (monthly + per_seat_monthly x seats).
    years : int
        Horizon of ROI, NPV and of the net cost per year.
    discount_rate : float
        Yearly discount rate of the NPV.
    service_level : Difference, optional
        Paired difference (option - base) of the centre-wide service level (a share),
        for the cost per percentage point gained.
    abandoned_per_day : Difference, optional
        Paired difference (option - base) of the contacts abandoned per day, for the
        cost per abandoned contact avoided.
    materiality : float
        Share of the yearly amounts an investment must reach for ROI to be shown
        (:data:`MATERIALITY`).

    Returns
    -------
    Finance

    Notes
    -----
    net = saving_per_year - recurring_per_year; NPV = -investment + sum_{y=1..years}
    net / (1+r)^y.

    The investment is *material* when it is positive and at least ``materiality`` x
    max(|saving_per_year|, recurring_per_year). ROI = (years x net - investment) /
    investment only then: ROI divides by the investment, so an option that costs 50 once
    and loses 1 000 a year would show -6 100 %, a figure about 50, not about the option.

    Payback = 12 x investment / net months when the investment is positive and net > 0;
    infinite ("never") when the investment is material and net <= 0; NaN otherwise
    (no investment, or an immaterial one that is never recovered: a running cost).

    net_cost_per_year = investment / years - net (undiscounted, as ROI). When it is
    positive (the option costs money):

    * cost_per_sl_point = net_cost_per_year / (100 x service-level gain), when the gain
      is significant and positive (its 95 % interval is above 0);
    * cost_per_abandon_avoided = net_cost_per_year / (abandoned contacts avoided per
      day x working_days), when the reduction is significant. The value of an avoided
      abandon (``abandoned_contact``) is already in the saving, so this is what each one
      costs beyond it.

    Examples
    --------
    >>> f = finance(np.array([100.0, 110.0]), np.array([90.0, 100.0]), 250, one_off=1000)
    >>> f.saving_per_year, f.payback_months
    (2500.0, 4.8)
    """
    d = paired_difference(option_daily, base_daily)  # base - option: a saving
    saving_year = d.mean * working_days
    investment = one_off + per_new_agent * added_agents
    recurring = 12.0 * (monthly + per_seat_monthly * seats)
    net = saving_year - recurring
    material = investment > 0 and investment >= materiality * max(abs(saving_year), recurring)
    if investment > 0 and net > 0:
        payback = 12.0 * investment / net
    else:
        payback = math.inf if material else math.nan
    roi = (years * net - investment) / investment if material else math.nan
    npv = -investment + sum(net / (1.0 + discount_rate) ** y for y in range(1, years + 1))
    cost = investment / years - net
    per_point = per_abandon = math.nan
    if cost > 0 and service_level is not None and service_level.low > 0:
        per_point = cost / (100.0 * service_level.mean)
    if cost > 0 and abandoned_per_day is not None and abandoned_per_day.high < 0:
        per_abandon = cost / (-abandoned_per_day.mean * working_days)
    return Finance(
        saving_per_day=d.mean,
        saving_ci95=(d.low, d.high),
        saving_per_year=saving_year,
        investment=investment,
        recurring_per_year=recurring,
        net_benefit_per_year=net,
        payback_months=payback,
        roi=roi,
        npv=npv,
        material_investment=bool(material),
        net_cost_per_year=cost,
        cost_per_sl_point=per_point,
        cost_per_abandon_avoided=per_abandon,
    )
