"""Absence: scheduled agents who do not come in, drawn per replication."""

from __future__ import annotations

import numpy as np

import ccsim
from ccsim.plan import compile_plan
from ccsim.scenario.loader import scenario_from_dict
from ccsim.streams import day_roster
from ccsim.whatif.costs import scheduled_hours
from tests.helpers import assert_matches


def spec(absence: float) -> dict:
    return {
        "name": "absence",
        "horizon": {"intervals": 4, "interval": "1h"},
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": 60},
                "handle_time": {"dist": "exponential", "mean": "3min"},
            }
        ],
        "agent_groups": [
            {"name": "day", "skills": ["calls"], "staffing": [10, 20, 20, 10], "absence": absence},
            {
                "name": "shift",
                "skills": ["calls"],
                "absence": absence,
                "shifts": [
                    {
                        "start": 0,
                        "end": "4h",
                        "agents": 8,
                        "breaks": [{"window": ["1h", "2h"], "duration": "15min"}],
                    }
                ],
            },
        ],
    }


def test_no_absence_is_the_plan_roster() -> None:
    plan = compile_plan(scenario_from_dict(spec(0.0)))
    roster = day_roster(plan, seed=1, replication=0)
    assert roster[0] is plan.roster_time and roster[3] is plan.roster_count


def test_absent_agents_stay_away_all_day_and_vary_by_day() -> None:
    plan = compile_plan(scenario_from_dict(spec(0.3)))
    days = [day_roster(plan, seed=1, replication=r) for r in range(50)]
    for _, g, kind, count, _ in days:
        for group in (0, 1):
            joined = count[(g == group) & (kind == 0)].sum()
            left = count[(g == group) & (kind == 1)].sum()
            assert left <= joined  # never more leave than came (the rest stay to the end)
        # a break is only taken by an agent of the shift who came in
        breaks = count[(g == 1) & (kind == 2)].sum()
        assert breaks == count[(g == 1) & (kind == 0)].sum()
    totals = {int(d[3][(d[1] == 1) & (d[2] == 0)].sum()) for d in days}
    assert len(totals) > 3  # the shift's head count varies from day to day


def test_staffed_hours_fall_by_the_absence_rate() -> None:
    p = 0.25
    scenario = ccsim.load_scenario(spec(p))
    result = ccsim.simulate(scenario, replications=200, seed=2, engine="fast")
    on_shift, on_break = scheduled_hours(compile_plan(scenario))
    scheduled = float((on_shift - on_break).sum())
    staffed = result.group_acc[..., 1].sum(axis=(1, 2)) / 3600.0
    assert_matches(staffed, (1 - p) * scheduled, "staffed hours")
    assert np.std(staffed) > 0
