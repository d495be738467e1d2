"""The scheduler chooses rest days: templates with day patterns in a run of several days.

* A template's ``days`` rule expands to its patterns (five days of seven with the rest
  days together: seven patterns, wrapping round the week; without: 21).
* Each shift is a start and a pattern; it covers its days' intervals only, costs its
  day's cost x days worked / days of the run, and is written with ``days: [...]``.
* On a small week with a quiet weekend the schedule rosters fewer agents at the weekend,
  meets every target on fresh days and costs less than the same template worked every
  day (the scheduler's behaviour without patterns).
* A file whose patterns do not fit the scenario is refused with its lines.
"""

from __future__ import annotations

import numpy as np
import pytest

import ccsim
from ccsim import ScenarioError
from ccsim.whatif.costs import daily_costs
from ccsim.whatif.scheduling import schedule
from ccsim.whatif.scheduling.columns import expand
from ccsim.whatif.scheduling.scheduler import requirement
from ccsim.whatif.scheduling.templates import DayRule, load_shifts

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")

WEEK = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def small_week(days: list[str] | None = WEEK) -> dict:
    """60 calls an hour of 5 minutes (5 Erlangs) on weekdays, 0.4 of that at the weekend."""
    scenario = {
        "name": "small-week",
        "horizon": {"start": "08:00", "intervals": 8, "interval": "1h"},
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": 60},
                "handle_time": {"dist": "exponential", "mean": "5min"},
                "patience": {"dist": "exponential", "mean": "3min"},
                "service_level": {"threshold": "20s", "target": 0.8},
            }
        ],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 1}],
        "costs": {"agents": {"hourly_wage": 20.0}},
    }
    if days:
        scenario["days"] = [
            {"name": d, "volume": 0.4 if d in ("Sat", "Sun") else 1.0} for d in days
        ]
    return scenario


def eight_hours(days: dict | None = None) -> dict:
    template = {"name": "full", "length": "8h", "starts": ["08:00"]}
    if days is not None:
        template["days"] = days
    return {"skill_sets": [{"name": "team"}], "templates": [template]}


FIVE_OF_SEVEN = {"work": 5, "consecutive_rest": True}


def test_a_day_rule_expands_to_its_patterns() -> None:
    five = DayRule(**FIVE_OF_SEVEN).expand(WEEK)
    assert len(five) == 7 and len(set(five)) == 7
    assert all(len(p) == 5 for p in five)
    names = [" ".join(WEEK[d] for d in p) for p in five]
    assert "Mon Tue Wed Thu Fri" in names  # Sat and Sun off
    assert "Tue Wed Thu Fri Sat" in names  # Sun and Mon off: the rest wraps round the week
    assert "Mon Tue Wed Fri Sat" not in names  # Thu and Sun off: not together
    assert len(DayRule(work=5).expand(WEEK)) == 21  # any two rest days: 7 choose 2
    assert DayRule(work=7, consecutive_rest=True).expand(WEEK) == [tuple(range(7))]
    both = DayRule(
        work=5,
        consecutive_rest=True,
        patterns=[["Mon", "Tue", "Wed", "Thu", "Fri"], ["Sun", "Sat", "Mon"]],
    )
    assert len(both.expand(WEEK)) == 8  # Mon-Fri is one of the seven already
    assert both.expand(WEEK)[-1] == (0, 5, 6)  # in the run's order


def test_pattern_shifts_cover_their_days_and_cost_their_share() -> None:
    scenario = ccsim.load_scenario(small_week())
    columns = expand(scenario, load_shifts(eight_hours(FIVE_OF_SEVEN)))
    assert columns.days == 7 and columns.cells == 56 and len(columns.shifts) == 7
    weekdays = [i for i, s in enumerate(columns.shifts) if s.days == (0, 1, 2, 3, 4)]
    (i,) = weekdays
    assert columns.coverage(np.eye(columns.n)[i]).reshape(7, 8).sum(axis=1).tolist() == [
        8, 8, 8, 8, 8, 0, 0,
    ]  # fmt: skip
    assert columns.cost[i] == pytest.approx(8 * 20.0 * 5 / 7)  # the run's mean day
    # each day needs its own Erlang requirement: the weekend less
    need = requirement(columns).reshape(7, 8)
    assert need[5:].max() < need[:5].min()
    # written out: the days worked, and the cost ccsim gives it is the schedule's
    x = np.zeros(columns.n)
    x[i] = 3
    written = columns.scenario_data(x)["agent_groups"][0]["shifts"]
    assert written == [{"start": "08:00", "end": "16:00", "agents": 3,
                        "days": ["Mon", "Tue", "Wed", "Thu", "Fri"]}]  # fmt: skip
    run = ccsim.simulate(columns.write(x), replications=2, seed=1)
    assert daily_costs(run)["agents"][0] == pytest.approx(columns.cost @ x)
    # a perturbation of the search: one agent, one interval, one day
    extra = columns.scenario_data(np.zeros(columns.n), [(0, 5 * 8 + 2)])
    assert extra["agent_groups"][0]["shifts"] == [
        {"start": 2 * 3600.0, "end": 3 * 3600.0, "agents": 1, "days": ["Sat"]}
    ]


def test_without_patterns_a_week_is_rostered_every_day_as_before() -> None:
    columns = expand(ccsim.load_scenario(small_week()), load_shifts(eight_hours()))
    assert columns.days == 1 and columns.cells == 8 and columns.day_names == ()
    assert requirement(columns).shape == (1, 8)  # the busiest day's need


def test_a_week_schedule_rests_at_the_weekend_and_costs_less(tmp_path) -> None:
    """The small week, per-interval targets (80 % in 20 s), 20 replications, seed 1.

    Measured when written: with five days of seven (rest days together) the schedule
    has 10 agents, 8 on the phones each weekday (10 on one) and 4 on Saturday and
    Sunday, 1,143 a day (the week's mean day); the same template worked every day needs
    8 agents every day, 1,280 a day. Both meet every target on 20 fresh days. About 2 s
    each once the engine is compiled.
    """
    scenario = ccsim.load_scenario(small_week())
    found = schedule(scenario, eight_hours(FIVE_OF_SEVEN), replications=20, seed=1)
    every_day = schedule(scenario, eight_hours(), replications=20, seed=1)
    assert found.found.met and every_day.found.met  # on fresh replications
    days = [set(d.split()) for d in found.table["days"]]
    on = [sum(n for n, d in zip(found.table["agents"], days, strict=True) if day in d)
          for day in WEEK]  # fmt: skip
    assert max(on[5:]) < min(on[:5])  # fewer agent-days at the weekend
    assert found.cost["scheduled"] < every_day.cost["scheduled"]
    assert found.cost["agents"] == pytest.approx(found.cost["scheduled"])  # ccsim's costs agree
    assert "day" in found.coverage.columns and len(found.coverage) == 56
    rostered = found.scenario.agent_groups[0].shifts
    assert all(s.days is not None and len(s.days) == 5 for s in rostered)
    from ccsim.report.schedule import schedule_report

    html = schedule_report(found, tmp_path / "schedule.html").read_text()
    assert "<th>Days</th>" in html or ">Days<" in html


def test_a_group_with_rest_days_is_rerostered() -> None:
    data = small_week()
    data["agent_groups"][0] = {"name": "team", "skills": ["calls"], "shifts": [
        {"start": "08:00", "end": "16:00", "agents": 6, "days": WEEK[:5]},
        {"start": "08:00", "end": "16:00", "agents": 3, "days": WEEK[5:]},
    ]}  # fmt: skip
    columns = expand(ccsim.load_scenario(data), load_shifts(eight_hours(FIVE_OF_SEVEN)))
    assert columns.base["agent_groups"][0]["shifts"] == []


def test_day_patterns_that_do_not_fit_are_refused_with_their_lines(tmp_path) -> None:
    path = tmp_path / "shifts.yaml"
    path.write_text(
        "skill_sets:\n"
        "  - name: team\n"
        "templates:\n"
        "  - name: full\n"
        "    length: 8h\n"
        "    starts: ['08:00']\n"
        "    days:\n"
        "      work: 8\n"
        "      patterns: [[Mon, Tues], [Sat, Sat]]\n"
    )
    with pytest.raises(ScenarioError) as err:
        expand(ccsim.load_scenario(small_week()), load_shifts(path))
    message = str(err.value)
    assert "shifts.yaml:8: templates[0].days.work: more days than the run has (7)" in message
    assert "templates[0].days.patterns[0][1]: unknown day 'Tues'; did you mean 'Tue'?" in message
    assert "templates[0].days.patterns[1][1]: 'Sat' is listed twice" in message
    # a scenario of one day has no rest days to choose
    path.write_text(path.read_text().replace("work: 8", "work: 5").rsplit("      patterns", 1)[0])
    with pytest.raises(ScenarioError, match="shifts.yaml:7: templates\\[0\\].days: day patterns "
                       "need a scenario over several days"):  # fmt: skip
        expand(ccsim.load_scenario(small_week(None)), load_shifts(path))
    for bad, words in (({"consecutive_rest": True}, "days takes work"),
                       ({"patterns": [[]]}, "at least 1 item"),
                       ({"work": 0}, "greater than or equal to 1"),
                       ({"work": 5, "rest": 2}, "rest")):  # fmt: skip
        with pytest.raises(ScenarioError, match=words):
            load_shifts(eight_hours(bad))
