"""Shifts worked on some days of a week (``shifts[].days``): rosters with rest days.

The roster of each day holds only the shifts worked that day, so both engines, the
staffed hours and the agent cost follow it; the equivalence corpus
(tests/corpus/days-email.yaml) checks the two engines on it contact by contact. The
scheduler chooses such rosters from templates with day patterns
(tests/test_schedule_days.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import ccsim
from ccsim.plan import compile_plan
from ccsim.whatif.costs import daily_costs, scheduled_hours
from tests.helpers import load_text, problems

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")

WEEK = """\
name: week
horizon: {start: "08:00", intervals: 8, interval: 1h}
days: [{name: Mon}, {name: Tue}, {name: Wed}, {name: Thu}, {name: Fri}, {name: Sat}, {name: Sun}]
contact_types:
  - name: calls
    arrivals: {rate_per_hour: 60}
    handle_time: {dist: exponential, mean: 4min}
    patience: {dist: exponential, mean: 3min}
agent_groups:
  - name: team
    skills: [calls]
    shifts:
      - {start: "08:00", end: "16:00", agents: 5, days: [Mon, Tue, Wed, Thu, Fri]}
      - {start: "08:00", end: "16:00", agents: 3, days: [Sat, Sun]}
      - {start: "10:00", end: "14:00", agents: 2%s}
costs:
  agents: {hourly_wage: 20}
"""


def test_each_day_works_only_its_shifts(tmp_path) -> None:
    week = load_text(tmp_path, WEEK % "")
    result = ccsim.simulate(week, replications=3, seed=1)
    staffed = result.by_group_interval
    staffed = staffed[(staffed["group"] == "team") & (staffed["kpi"] == "staffed_hours")]
    per_day = staffed["mean"].to_numpy().reshape(7, 8)  # days x hours
    expected_day = np.array([5, 5, 7, 7, 7, 7, 5, 5])  # 5 agents, 2 more 10:00-14:00
    # (agents leave after the call they are on: a few seconds more after 14:00)
    np.testing.assert_allclose(per_day[:5], np.tile(expected_day, (5, 1)), atol=0.05)
    np.testing.assert_allclose(per_day[5:], np.tile(expected_day - 2, (2, 1)), atol=0.05)
    # the weekend's calls meet fewer agents
    by_day = result.by_interval
    sl = by_day[(by_day["type"] == "ALL") & (by_day["kpi"] == "service_level")]["mean"]
    sl = sl.to_numpy().reshape(7, 8).mean(axis=1)
    assert sl[5:].max() < sl[:5].min()


def test_scheduled_hours_and_agent_cost_count_the_days_worked(tmp_path) -> None:
    every_day = compile_plan(load_text(tmp_path, WEEK % ""))
    weekdays = compile_plan(load_text(tmp_path, WEEK % ", days: [Mon, Tue, Wed, Thu, Fri]"))
    hours = scheduled_hours(every_day)[0][0]
    assert hours == pytest.approx(5 * 5 * 8 + 2 * 3 * 8 + 7 * 2 * 4)
    assert scheduled_hours(weekdays)[0][0] == pytest.approx(hours - 2 * 2 * 4)  # no weekend
    agents = daily_costs(ccsim.simulate(weekdays.scenario, replications=2))["agents"]
    assert agents[0] == pytest.approx((hours - 16) * 20 / 7)  # the mean day of the week


def test_a_shifts_days_must_be_days_of_the_scenario(tmp_path) -> None:
    message = problems(tmp_path, WEEK % ", days: [Mon, Tuesday]")
    assert "agent_groups[0].shifts[2].days[1]" in message or "shifts.2.days.1" in message
    assert "unknown day 'Tuesday'; did you mean 'Tue'?" in message
    assert "a day is listed twice" in problems(tmp_path, WEEK % ", days: [Mon, Mon]")
    one_day = (WEEK % ", days: [Mon]").replace(
        "days: [{name: Mon}, {name: Tue}, {name: Wed}, {name: Thu}, {name: Fri}, {name: Sat}, "
        "{name: Sun}]\n",
        "",
    )
    message = problems(tmp_path, one_day)
    assert "this scenario does not have" in message and "days:" in message


def test_an_activity_needs_its_agents_on_every_day(tmp_path) -> None:
    text = (WEEK % "").replace(
        "    skills: [calls]\n",
        "    skills: [calls]\n    activities: [{name: huddle, start: '09:00', duration: 15min, "
        "agents: %d}]\n",
    )
    assert load_text(tmp_path, text % 3).agent_groups[0].activities  # 3 every day
    message = problems(tmp_path, text % 4)  # 5 on weekdays, but 3 at the weekend
    assert "'huddle' needs 4 agents at 09:00 but group 'team' has 3 scheduled then" in message
