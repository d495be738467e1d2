"""The shift scheduler against theory, against two-step planning, and on its own word.

* With one-interval shifts and a stationary single-skill queue, the covering programme
  is the Erlang requirement itself: the two-step plan is its integer (and linear)
  optimum, and the simulation in the loop keeps it where Erlang C's service level is
  clearly below the target with one agent fewer and clearly above it with the
  requirement (several standard errors either way).
* Where agents can be shared between queues, the simulation in the loop finds a cheaper
  roster than two-step planning, and both meet every target on fresh simulated days.
* Targets the templates cannot meet are named (type and interval).
* The same seed gives the same roster; the roster written out runs as it is and costs
  what the scheduler says.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

import ccsim
from ccsim.erlang import erlang_c_agents, erlang_c_service_level
from ccsim.whatif.costs import daily_costs
from ccsim.whatif.scheduling import InfeasibleSchedule, schedule
from ccsim.whatif.scheduling.columns import expand
from ccsim.whatif.scheduling.cover import CoverModel, cheapest_cover
from ccsim.whatif.scheduling.oracle import Counts, Target, TargetSet
from ccsim.whatif.scheduling.scheduler import requirement
from ccsim.whatif.scheduling.templates import load_shifts

RATE, HANDLE = 60.0, 300.0  # 5 Erlangs; Erlang C for 80 % in 20 s: 8 agents


def one_queue(intervals: int = 4, interval: str = "2h", rate=RATE, patience=None) -> dict:
    calls = {
        "name": "calls",
        "arrivals": {"rate_per_hour": rate},
        "handle_time": {"dist": "exponential", "mean": HANDLE},
        "service_level": {"threshold": "20s", "target": 0.8},
    }
    if patience is not None:
        calls["patience"] = {"dist": "exponential", "mean": patience}
    return {
        "name": "one-queue",
        "horizon": {"start": "08:00", "intervals": intervals, "interval": interval},
        "contact_types": [calls],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 1}],
        "costs": {"agents": {"hourly_wage": 20.0}},
    }


def hourly_shifts(length: str = "2h", last: str = "14:00", every: str = "2h") -> dict:
    return {
        "skill_sets": [{"name": "team"}],
        "templates": [
            {"name": "block", "length": length, "starts": {"first": "08:00", "last": last,
                                                           "every": every}}
        ],
    }  # fmt: skip


def test_one_interval_shifts_meet_the_erlang_optimum() -> None:
    scenario = ccsim.load_scenario(one_queue())
    spec = load_shifts(hourly_shifts())
    columns = expand(scenario, spec)
    r = erlang_c_agents(RATE / 3600, HANDLE, 20.0, 0.8)
    # the two-step requirement is Erlang C (no patience) and its cover is exact
    need = requirement(columns)
    assert need.tolist() == [[r] * 4]
    solution, short = cheapest_cover(columns, need)
    assert short == 0 and columns.coverage(solution.x).tolist() == [[r] * 4]
    assert solution.cost == pytest.approx(4 * r * 2 * 20.0)  # 2-hour shifts at 20 an hour
    model = CoverModel(columns)  # one-interval shifts: the LP bound is the IP optimum
    model.require(need)
    model.h.changeColsIntegrality(columns.n, np.arange(columns.n, dtype=np.int32),
                                  np.zeros(columns.n, dtype=np.uint8))  # fmt: skip
    model.solve()
    assert model.h.getInfo().objective_function_value == pytest.approx(solution.cost)
    # theory says r, with margins of several standard errors either way
    below = erlang_c_service_level(r - 1, RATE / 3600, HANDLE, 20.0)
    above = erlang_c_service_level(r, RATE / 3600, HANDLE, 20.0)
    assert below < 0.8 - 0.08 and above > 0.8 + 0.06
    found = schedule(scenario, spec, replications=40, seed=3, check_replications=40)
    assert columns.coverage(found.found.agents).tolist() == [[r] * 4]
    assert found.cost["scheduled"] == pytest.approx(solution.cost)
    # the simulated service level per interval agrees with Erlang C within its CI
    for t in found.found.targets.itertuples():
        half = (t.check_ci95_high - t.check_ci95_low) / 2
        assert abs(t.check - above) < 2 * half + 0.01, t.target


def pooling() -> tuple[dict, dict]:
    """Two queues that a cross-trained team can pool, at a 5 % premium."""
    s = one_queue(intervals=2, interval="1h", rate=40.0)
    s["contact_types"].append({**s["contact_types"][0], "name": "other"})
    s["agent_groups"] = [
        {"name": "calls_team", "skills": ["calls"], "staffing": 1},
        {"name": "other_team", "skills": ["other"], "staffing": 1},
    ]
    spec = {
        "skill_sets": [
            {"name": "calls_team"},
            {"name": "other_team"},
            {"name": "both", "skills": ["calls", "other"], "hourly_wage": 21.0},
        ],
        "templates": [{"name": "day", "length": "2h", "starts": ["08:00"]}],
    }
    return s, spec


def test_the_simulation_in_the_loop_beats_two_step_at_equal_service() -> None:
    scenario, spec = pooling()
    found = schedule(scenario, spec, replications=40, seed=5, check_replications=200)
    # two-step staffs each queue on its own team; the search pools them in "both"
    assert set(found.two_step.table["skill_set"]) == {"calls_team", "other_team"}
    assert "both" in set(found.table["skill_set"])
    assert found.cost["scheduled"] < found.two_step.cost["scheduled"] - 1.0
    assert found.saving > 0
    # equal service: both meet every target on 200 fresh days (the schedule within 3 SE)
    assert found.two_step.targets["met_check"].all()
    for t in found.found.targets.itertuples():
        se = (t.check_ci95_high - t.check_ci95_low) / (2 * 1.97)
        assert t.check + 3 * se >= t.bound, t.target


def test_targets_the_templates_cannot_meet_are_named() -> None:
    scenario = ccsim.load_scenario(one_queue(intervals=3, interval="1h"))
    spec = hourly_shifts(length="1h", last="09:00", every="1h")  # nobody from 10:00
    with pytest.raises(InfeasibleSchedule) as info:
        schedule(scenario, spec, replications=5, seed=1)
    assert [m[0] for m in info.value.missed] == ["calls 10:00-11:00"]
    assert "calls 10:00-11:00: 0.0 % (target 80 %)" in str(info.value)


def test_a_seed_gives_the_same_roster() -> None:
    scenario, spec = pooling()
    a = schedule(scenario, spec, replications=10, seed=7, max_rounds=2)
    b = schedule(scenario, spec, replications=10, seed=7, max_rounds=2)
    assert a.table.equals(b.table) and a.cost == b.cost
    assert [r.cost for r in a.rounds] == [r.cost for r in b.rounds]


def test_the_roster_written_out_runs_as_is_and_costs_what_it_says(tmp_path) -> None:
    s = one_queue(intervals=8, interval="1h", rate=[30, 60, 90, 90, 60, 60, 40, 20],
                  patience=180.0)  # fmt: skip
    s["costs"]["agents"].update(paid_breaks=False, shrinkage=0.2, overhead=1.3)
    s["agent_groups"].append({"name": "fixed", "skills": ["calls"], "staffing": 2})
    spec = {
        "skill_sets": [{"name": "team", "training_per_year": 500.0}],
        "templates": [{"name": "day", "length": "6h", "starts": {"first": "08:00",
                       "last": "10:00", "every": "1h"},
                       "breaks": [{"window": ["1h30min", "2h"], "duration": "15min",
                                   "paid": True},
                                  {"window": ["3h", "4h"], "duration": "30min"}]}],
    }  # fmt: skip
    found = schedule(s, spec, replications=10, seed=2, max_rounds=2, trim=False)
    path = tmp_path / "scheduled.yaml"
    path.write_text(yaml.safe_dump(found.scenario.model_dump(mode="json", exclude_none=True)))
    again = ccsim.load_scenario(path)
    assert again.agent_groups[1].staffing == 2  # the group on staffing per interval stays
    run = ccsim.simulate(again, found.result.replications, found.result.seed)
    assert run.to_dict()["by_type"] == found.result.to_dict()["by_type"]
    # ccsim's cost model charges the written roster what the scheduler said it costs
    wages = float(daily_costs(run)["agents"][0])
    fixed = 2 * 8 / 0.8 * 20.0 * 1.3  # the fixed group: 2 agents, 8 hours
    training = found.cost["training"]
    assert training == pytest.approx(500.0 / 250 * found.found.headcount)
    assert wages - fixed + training == pytest.approx(found.cost["scheduled"])
    # an unpaid lunch is time off the clock: a gap between two shift entries
    entries = again.agent_groups[0].shifts
    assert all(b.duration == 900.0 for e in entries for b in e.breaks)
    assert math.isclose(sum(found.table["paid_hours"] * found.table["agents"]),
                        found.found.headcount * 5.5)  # fmt: skip


def test_a_week_has_the_same_shifts_every_day() -> None:
    s = one_queue(intervals=2, interval="2h", rate=RATE)
    s["days"] = [{"name": "Mon", "volume": 1.3}, {"name": "Tue"}]
    spec = hourly_shifts(length="4h", last="08:00")
    spec["targets"] = {"service_level": "both"}
    found = schedule(s, spec, replications=10, seed=4, max_rounds=2)
    labels = list(found.found.targets["target"])
    assert labels == ["calls Mon 08:00-10:00", "calls Mon 10:00-12:00", "calls Mon day",
                      "calls Tue 08:00-10:00", "calls Tue 10:00-12:00", "calls Tue day"]  # fmt: skip
    # Monday's volume sets the roster (every day has the same shifts)
    need = erlang_c_agents(1.3 * RATE / 3600, HANDLE, 20.0, 0.8)
    assert int(found.two_step.table["agents"].sum()) == need
    assert found.scenario.days is not None and found.met
    # the roster as given (one agent all day, 4 hours at 20 an hour) costs 80 a day
    assert found.given.cost["scheduled"] == pytest.approx(80.0)
    assert found.given.cost["agents"] == pytest.approx(80.0)


def test_a_target_is_the_mean_of_each_days_share_or_the_pooled_share() -> None:
    # two days of one interval: 9 of 10 answered in time, then 60 of 100
    counts = Counts(np.array([[[9.0]], [[60.0]]]), np.array([[[10.0]], [[100.0]]]),
                    np.zeros((2, 1, 1)))  # fmt: skip
    target = Target("service_level", 0, 0, 1, 0.8, "calls 08:00-09:00", False)
    days = TargetSet([0], ["calls"], [target], intervals=1, days=1)
    pooled = TargetSet([0], ["calls"], [target], intervals=1, days=1, pooled=True)
    assert days.values(counts)[0] == pytest.approx((0.9 + 0.6) / 2)
    assert pooled.values(counts)[0] == pytest.approx(69 / 110)
    assert days.slack(counts)[0] == pytest.approx(0.75 - 0.8)
    # one more agent answers 5 more in time on the busy day: the first-order change
    moved = Counts(np.array([[[9.0]], [[65.0]]]), counts.offered, counts.abandoned)
    assert days.effects(counts, moved, [0], 1)[0, 0] == pytest.approx(0.05 / 2)
    assert pooled.effects(counts, moved, [0], 1)[0, 0] == pytest.approx(5 / 110)


def test_a_dask_cluster_gives_the_local_roster() -> None:
    distributed = pytest.importorskip("dask.distributed")
    scenario, spec = pooling()
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        remote = schedule(scenario, spec, replications=10, seed=7, max_rounds=2,
                          cluster=cluster.scheduler_address)  # fmt: skip
    local = schedule(scenario, spec, replications=10, seed=7, max_rounds=2)
    assert remote.table.equals(local.table) and remote.evaluations == local.evaluations
