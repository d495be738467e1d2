"""The shift scheduler on a multi-skill day and on a week (issue 13's targets).

Run (from the repository root; about 2 + 8 minutes on this 2-core machine)::

    .venv/bin/python -m pytest benchmarks/test_bench_schedule.py -m benchmark --benchmark-only -s

* day: ``scenarios/multiskill-day.yaml`` with its three teams on the templates of
  ``scenarios/shifts/multiskill-day.yaml`` (60 half-hour targets), 100 replications per
  candidate; the target is under 2 minutes;
* week: ``scenarios/telco-week.yaml`` with its tech and chat teams on the templates of
  ``scenarios/shifts/telco-week.yaml`` (five days, 180 hourly targets), 100
  replications per candidate; the target is under 15 minutes.

``extra_info`` records the seconds, the simulations, the cost per day reached and the
two-step plan's, and the targets each meets on fresh days; the session prints them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ccsim

pytestmark = pytest.mark.benchmark

REPO = Path(__file__).resolve().parent.parent
CASES = {
    "day": ("multiskill-day", 120.0),
    "week": ("telco-week", 900.0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_schedule(benchmark, record_seconds, case):
    name, goal = CASES[case]
    scenario = ccsim.load_scenario(REPO / "scenarios" / f"{name}.yaml")
    shifts = ccsim.load_shifts(REPO / "scenarios" / "shifts" / f"{name}.yaml")
    ccsim.simulate(scenario, replications=1)  # load the compiled kernel
    benchmark.group = "schedule"
    found = benchmark.pedantic(
        ccsim.schedule, args=(scenario, shifts), kwargs={"replications": 100, "seed": 1},
        rounds=1, iterations=1, warmup_rounds=0,
    )  # fmt: skip
    record_seconds(f"schedule {case}")
    info = benchmark.extra_info
    info.update(
        simulations=found.evaluations,
        cost_per_day=found.cost["scheduled"],
        two_step_cost_per_day=found.two_step.cost["scheduled"],
        agents=found.found.headcount,
        two_step_agents=found.two_step.headcount,
        met_in_sample=found.met,
        targets=len(found.found.targets),
        met_on_fresh_days=int(found.found.targets["met_check"].sum()),
        two_step_met_on_fresh_days=int(found.two_step.targets["met_check"].sum()),
    )
    seconds = benchmark.stats.stats.median if benchmark.stats is not None else found.seconds
    print(
        f"\n{case}: {seconds:.0f} s (goal {goal:.0f} s), {found.evaluations} simulations; "
        f"{found.found.headcount} agents, {found.cost['scheduled']:,.0f} a day, targets met "
        f"on fresh days {info['met_on_fresh_days']}/{info['targets']}; two-step "
        f"{found.two_step.headcount} agents, {found.two_step.cost['scheduled']:,.0f} a day, "
        f"{info['two_step_met_on_fresh_days']}/{info['targets']}"
    )
    assert found.met
