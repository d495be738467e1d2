"""Hiring plan under forecast uncertainty: the headcount and budget for a P50 and a P90 day.

Run:  .venv/bin/python experiments/hiring_plan.py [--replications 60]

The multiskill day's forecast is uncertain (a gamma day factor with cv 8 % for all
queues, 5 % more for service). A planner staffing for the median day misses the target
on busy days; staffing for the 90th-percentile day costs more. This script draws the day
factors ccsim uses, takes their 50th and 90th percentiles, scales every arrival rate to
those days, runs the staffing search (Erlang A start, corrected by simulation) for the
groups staffed per interval, and prices each plan with the scenario's cost model.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import ccsim
from ccsim.plan import compile_plan
from ccsim.streams import day_factors
from ccsim.whatif.costs import daily_costs, scheduled_hours
from ccsim.whatif.staffing import search_staffing

HERE = Path(__file__).resolve().parent


def scaled(scenario: ccsim.Scenario, factor: float) -> ccsim.Scenario:
    """The scenario on a day whose arrivals are ``factor`` times the forecast, known."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["forecast"] = {"day_factor_cv": 0.0}
    for contact_type in data["contact_types"]:
        rates = contact_type["arrivals"]["rate_per_hour"]
        contact_type["arrivals"]["rate_per_hour"] = (
            [r * factor for r in rates] if isinstance(rates, list) else rates * factor
        )
        contact_type["arrivals"]["day_factor_cv"] = 0.0
    return ccsim.load_scenario(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=60)
    args = parser.parse_args()
    scenario = ccsim.load_scenario(HERE.parent / "scenarios" / "multiskill-day.yaml")
    plan = compile_plan(scenario)
    # the day factor of the busiest-weighted view: total offered load multiplier per day
    load = (plan.rate * plan.handle_mean).sum(axis=1)
    factors = np.array([day_factors(plan, 1, r) @ load / load.sum() for r in range(4000)])
    days = scenario.costs.working_days_per_year
    print(f"day factor: P50 {np.percentile(factors, 50):.3f}, P90 {np.percentile(factors, 90):.3f}")
    print(
        f"{'plan':<6} {'agents at peak':>15} {'paid agent-hours/day':>21} "
        f"{'cost/day':>10} {'cost/year':>12} {'met':>5}"
    )
    for label, q in (("P50", 50), ("P90", 90)):
        day = scaled(scenario, float(np.percentile(factors, q)))
        found = search_staffing(day, replications=args.replications, seed=3)
        on_shift, _ = scheduled_hours(compile_plan(found.scenario))
        peak = sum(max(staff) for staff in found.staffing.values())
        cost = float(np.mean(daily_costs(found.result)["total"]))
        print(
            f"{label:<6} {peak:>15} {on_shift.sum():>21,.0f} {cost:>10,.0f} "
            f"{cost * days:>12,.0f} {str(found.met):>5}"
        )
    print(
        "\n(agents at peak: the searched groups, sales_team and fraud_desk; the service team"
        " works fixed shifts)"
    )


if __name__ == "__main__":
    main()
