"""Planned shrinkage: activities (meetings, training) that take agents off the phones.

An activity compiles to roster BREAK events (ccsim/plan.py), so both engines run it
with the break rules they already share: idle agents leave the phones at its start,
busy ones after their call, each for the activity's whole length.
"""

from __future__ import annotations

import numpy as np
import pytest

import ccsim
from ccsim import ScenarioError
from ccsim.engines import fast
from ccsim.engines import reference as engine
from ccsim.plan import BREAK, JOIN, LEAVE, compile_plan
from ccsim.scenario.loader import scenario_from_dict
from ccsim.streams import contacts_from_rows, day_roster
from ccsim.whatif.costs import activity_hours, daily_costs, scheduled_hours
from ccsim.whatif.staffing import _with_staffing, activity_floor
from tests.helpers import (
    assert_same_outcome,
    ctype,
    group,
    load_text,
    make_plan,
    problems,
    staffing_log,
    timeline,
)

# ----------------------------------------------------------------- validation
GOOD = """\
name: t
horizon:
  start: "08:00"
  intervals: 4
  interval: 1h
contact_types:
  - name: support
    arrivals: {rate_per_hour: 10}
    handle_time: {dist: exponential, mean: 4min}
agent_groups:
  - name: team
    skills: [support]
    staffing: [2, 6, 6, 3]
    activities:
      - {name: team meeting, start: "10:00", duration: 30min, agents: 4}
      - {name: training, start: "09:00", end: "11:00", agents: 2}
"""


MEETING = '{name: team meeting, start: "10:00", duration: 30min, agents: 4}'


def test_the_good_scenario_loads(tmp_path) -> None:
    s = load_text(tmp_path, GOOD)
    meeting, training = s.agent_groups[0].activities
    assert (meeting.name, meeting.duration, meeting.end, meeting.agents) == (
        "team meeting", 1800.0, None, 4,
    )  # fmt: skip
    assert training.span(s.day_start()) == (3600.0, 10800.0)


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (
            '{name: m, start: "10:00", agents: 4}',
            "centre.yaml:15: agent_groups[0].activities[0]: an activity takes either "
            "duration or end",
        ),
        (
            '{name: m, start: "10:00", duration: 1h, end: "11:00", agents: 4}',
            "centre.yaml:15: agent_groups[0].activities[0]: an activity takes either "
            "duration or end",
        ),
        (
            '{name: m, start: "10:00", duration: 30min, agents: 0}',
            "centre.yaml:15: agent_groups[0].activities[0].agents: Input should be greater "
            "than or equal to 1",
        ),
        (
            '{name: m, start: "10:00", duration: 30min}',
            "centre.yaml:15: agent_groups[0].activities[0].agents: required key is missing",
        ),
        (
            '{start: "10:00", duration: 30min, agents: 1}',
            "centre.yaml:15: agent_groups[0].activities[0].name: required key is missing",
        ),
        (
            '{name: m, start: "10:00", duration: 30mn, agents: 1}',
            "centre.yaml:15: agent_groups[0].activities[0].duration: unknown time unit 'mn'",
        ),
        (
            '{name: m, start: "10:00", duration: 30min, agents: 1, room: B}',
            "centre.yaml:15: agent_groups[0].activities[0].room: unknown key 'room'",
        ),
        (
            '{name: m, start: "07:30", duration: 30min, agents: 1}',
            "centre.yaml:15: agent_groups[0].activities[0].start: clock time '07:30' is "
            "before the start of the day",
        ),
        (
            '{name: m, start: "10:00", end: "9:61", agents: 1}',
            "centre.yaml:15: agent_groups[0].activities[0].end: not a clock time: '9:61'",
        ),
        (
            '{name: m, start: "10:00", end: "10:00", agents: 1}',
            "centre.yaml:15: agent_groups[0].activities[0].end: an activity must end after "
            "it starts",
        ),
        (
            '{name: m, start: "10:00", duration: 0s, agents: 1}',
            "centre.yaml:15: agent_groups[0].activities[0].duration: an activity must last "
            "more than 0s",
        ),
        (
            '{name: m, start: "12:00", duration: 10min, agents: 1}',
            "centre.yaml:15: agent_groups[0].activities[0].start: the activity starts at or "
            "after the end of the day (12:00)",
        ),
        (
            '{name: m, start: "11:30", end: "12:30", agents: 1}',
            "centre.yaml:15: agent_groups[0].activities[0].end: the activity ends after the "
            "end of the day (12:00)",
        ),
        (  # staffing is 2 in the 08:00 interval
            "{name: m, start: 30min, duration: 10min, agents: 3}",
            "centre.yaml:15: agent_groups[0].activities[0].agents: 'm' needs 3 agents at "
            "08:30 but group 'team' has 2 scheduled then",
        ),
    ],
)
def test_each_problem_is_named(tmp_path, new: str, expected: str) -> None:
    text = GOOD.replace(MEETING, new)
    assert expected in problems(tmp_path, text)


def test_activities_in_progress_together_need_their_agents(tmp_path) -> None:
    # 10:30: the meeting (4, from 10:00) and the training (2, from 09:00) are running
    text = GOOD.replace(MEETING, '{name: one-to-one, start: "10:15", duration: 10min, agents: 1}')
    assert load_text(tmp_path, text)  # 2 + 1 of 6
    text = GOOD + '      - {name: one-to-one, start: "10:15", duration: 10min, agents: 1}\n'
    assert problems(tmp_path, text) == (
        f"{tmp_path / 'centre.yaml'}:17: agent_groups[0].activities[2].agents: 'one-to-one' "
        "needs 1 agent at 10:15 (6 more are on other activities then) but group 'team' "
        "has 6 scheduled then"
    )


def test_shift_groups_count_the_agents_on_shift_at_the_start(tmp_path) -> None:
    shifts = (
        "    shifts:\n"
        '      - {start: "08:00", end: "10:00", agents: 3}\n'
        '      - {start: "09:00", end: "12:00", agents: 2}\n'
    )
    base = GOOD.replace("    staffing: [2, 6, 6, 3]\n", shifts).split("    activities:")[0]
    ok = base + '    activities:\n      - {name: m, start: "09:00", duration: 1h, agents: 5}\n'
    assert load_text(tmp_path, ok)
    late = ok.replace('"09:00", duration: 1h, agents: 5', '"10:00", duration: 1h, agents: 3')
    assert "'m' needs 3 agents at 10:00 but group 'team' has 2 scheduled then" in problems(
        tmp_path, late
    )


# -------------------------------------------------------------------- roster
def spec(**team: object) -> dict:
    return {
        "name": "activities",
        "horizon": {"start": "08:00", "intervals": 4, "interval": "1h"},
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": 0},
                "handle_time": {"dist": "fixed", "mean": 60},
            }
        ],
        "agent_groups": [{"name": "team", "skills": ["calls"], **team}],
    }


MEETINGS = [
    {"name": "team meeting", "start": "10:00", "duration": "30min", "agents": 4},
    {"name": "training", "start": 3600, "end": "11:00", "agents": 2},
]


def test_activities_compile_to_breaks_at_their_start() -> None:
    plan = compile_plan(scenario_from_dict(spec(staffing=[2, 6, 6, 3], activities=MEETINGS)))
    assert [tuple(col.tolist()) for col in plan.roster] == [
        (0.0, 3600.0, 3600.0, 7200.0, 10800.0),  # time
        (0, 0, 0, 0, 0),  # group
        (JOIN, JOIN, BREAK, BREAK, LEAVE),  # the staffing change first, then the activity
        (2, 4, 2, 4, 3),  # count
        (0.0, 0.0, 7200.0, 1800.0, 0.0),  # duration
    ]
    # without activities the roster is the staffing alone
    bare = compile_plan(scenario_from_dict(spec(staffing=[2, 6, 6, 3])))
    assert bare.roster_kind.tolist() == [JOIN, JOIN, LEAVE]


def test_an_activity_merges_with_a_break_of_the_same_time_and_length() -> None:
    shift = {
        "start": "08:00",
        "end": "12:00",
        "agents": 5,
        "breaks": [{"start": "2h", "duration": "30min"}],
    }
    plan = compile_plan(scenario_from_dict(spec(shifts=[shift], activities=MEETINGS[:1])))
    kind = plan.roster_kind.tolist()
    assert kind.count(BREAK) == 1
    i = kind.index(BREAK)
    assert (plan.roster_time[i], plan.roster_count[i], plan.roster_duration[i]) == (7200, 9, 1800)
    on_shift, on_break = scheduled_hours(plan)
    assert on_shift.tolist() == [20.0]
    assert on_break.tolist() == [2.5]  # the shift's breaks only: the meeting is not a break
    assert activity_hours(plan).tolist() == [2.0]


# ------------------------------------------------------------------ timeline
def test_agents_leave_the_phones_for_the_activity_and_come_back_in_both_engines() -> None:
    """3 agents; an activity for all 3 from 100 to 200. c0 keeps one agent busy to 150."""
    activity = {"name": "huddle", "start": 100, "duration": 100, "agents": 3}
    plan = make_plan(groups=[group(staffing=3, activities=[activity])], intervals=4, interval=100)
    rows = [
        {"at": 50, "handle": 100},  # c0: on a call when the activity starts
        {"at": 120, "handle": 10},  # c1: nobody on the phones; waits for the first back
        {"at": 130, "handle": 10, "patience": 30},  # c2: gives up at 160
        {"at": 260, "handle": 10},  # c3: everyone is back
    ]
    contacts = contacts_from_rows(plan, [{"type": "support", **r} for r in rows])
    out = engine.run_replication(plan, contacts)
    assert timeline(plan, out) == [
        (50.0, "c0", "answered", "team"),
        (150.0, "c0", "ended"),
        (160.0, "c2", "abandoned"),
        (200.0, "c1", "answered", "team"),  # the two idle agents are back at 200
        (210.0, "c1", "ended"),
        (260.0, "c3", "answered", "team"),
        (270.0, "c3", "ended"),
    ]
    assert staffing_log(plan, out) == [
        (0.0, "team", 3),
        (100.0, "team", -1),  # the two idle agents leave the phones at once
        (100.0, "team", -1),
        (150.0, "team", -1),  # c0's agent after its call, for the full 100 s
        (200.0, "team", 1),
        (200.0, "team", 1),
        (250.0, "team", 1),
    ]
    assert_same_outcome(out, fast.run_day(plan, contacts))


def test_an_activity_during_busy_agents_waits_for_their_calls_in_both_engines() -> None:
    """Two groups; the activity of A starts while both of A's agents talk."""
    activity = {"name": "coaching", "start": 100, "end": 150, "agents": 2}
    plan = make_plan(
        types=[ctype("support"), ctype("sales")],
        groups=[
            group("A", skills=("support", "sales"), staffing=2, activities=[activity]),
            group("B", skills=("sales",), staffing=1),
        ],
        intervals=4,
        interval=100,
    )
    rows = [
        {"type": "support", "at": 90, "handle": 20},  # A, ends 110
        {"type": "sales", "at": 95, "handle": 30},  # A, ends 125
        {"type": "sales", "at": 105, "handle": 50},  # B (A has nobody idle)
        {"type": "support", "at": 112, "handle": 10},  # waits: A's agents are in coaching
        {"type": "sales", "at": 115, "handle": 10},  # waits for B (ends 155) or A
    ]
    contacts = contacts_from_rows(plan, rows)
    out = engine.run_replication(plan, contacts)
    assert timeline(plan, out) == [
        (90.0, "c0", "answered", "A"),
        (95.0, "c1", "answered", "A"),
        (105.0, "c2", "answered", "B"),
        (110.0, "c0", "ended"),  # its agent goes to coaching 110-160
        (125.0, "c1", "ended"),  # its agent goes to coaching 125-175
        (155.0, "c2", "ended"),
        (155.0, "c4", "answered", "B"),
        (160.0, "c3", "answered", "A"),
        (165.0, "c4", "ended"),
        (170.0, "c3", "ended"),
    ]
    assert [e for e in staffing_log(plan, out) if e[1] == "A"] == [
        (0.0, "A", 2),
        (110.0, "A", -1),
        (125.0, "A", -1),
        (160.0, "A", 1),
        (175.0, "A", 1),
    ]
    assert_same_outcome(out, fast.run_day(plan, contacts))


@pytest.mark.parametrize("engine_name", ["simpy", "fast"])
def test_staffed_hours_fall_by_the_activity_hours_when_agents_are_idle(engine_name) -> None:
    with_activities = spec(staffing=[2, 6, 6, 3], activities=MEETINGS)
    plain = spec(staffing=[2, 6, 6, 3])
    runs = [
        ccsim.simulate(scenario_from_dict(s), replications=2, seed=1, engine=engine_name)
        for s in (with_activities, plain)
    ]
    staffed = [r.group_acc[..., 1].sum(axis=(1, 2)) / 3600.0 for r in runs]
    assert staffed[1].tolist() == [17.0, 17.0]
    assert staffed[0].tolist() == [17.0 - 2.0 - 4.0, 17.0 - 2.0 - 4.0]  # 4 x 0.5 h + 2 x 2 h
    assert activity_hours(runs[0].plan).tolist() == [6.0]
    per_interval = runs[0].group_acc[0, 0, :, 1] / 3600.0
    assert per_interval.tolist() == [2.0, 6.0 - 2.0, 6.0 - 2.0 - 2.0, 3.0]


# ------------------------------------------------------------------- absence
def test_absent_agents_do_not_attend_and_activities_take_those_present() -> None:
    s = spec(
        staffing=[2, 6, 8, 3],
        absence=0.5,
        activities=[
            *MEETINGS,
            {"name": "one-to-one", "start": "10:15", "end": "10:45", "agents": 1},
        ],
    )
    plan = compile_plan(scenario_from_dict(s))
    plain = compile_plan(scenario_from_dict({**s, "agent_groups": [
        {k: v for k, v in s["agent_groups"][0].items() if k != "activities"}
    ]}))  # fmt: skip
    shrunk = 0
    for rep in range(40):
        t, _, kind, count, duration = day_roster(plan, seed=3, replication=rep)
        staff = kind != BREAK
        # the same agents come in with or without activities (absence draws unchanged)
        p_t, _, p_kind, p_count, _ = day_roster(plain, seed=3, replication=rep)
        assert t[staff].tolist() == p_t.tolist() and count[staff].tolist() == p_count.tolist()
        level = np.cumsum(np.where(kind == JOIN, count, np.where(kind == LEAVE, -count, 0)))
        on_activity = {}
        for i in np.nonzero(~staff)[0]:
            running = sum(n for (a, d), n in on_activity.items() if a <= t[i] < a + d)
            assert running + count[i] <= level[i]  # never more than the agents present
            on_activity[(t[i], duration[i])] = count[i]
        shrunk += int(count[~staff].sum() < 2 + 4 + 1)
    assert 0 < shrunk < 40  # some days lack agents for an activity, others do not


# --------------------------------------------------------------------- costs
def test_activity_hours_are_paid_even_when_breaks_are_not() -> None:
    costs = {"agents": {"hourly_wage": 10, "paid_breaks": False}}
    shift = {
        "start": "08:00",
        "end": "12:00",
        "agents": 6,
        "breaks": [{"start": "1h", "duration": "15min"}],
    }
    with_activities = spec(shifts=[shift], activities=MEETINGS)
    runs = [
        ccsim.simulate(scenario_from_dict({**s, "costs": costs}), replications=2, seed=1)
        for s in (with_activities, spec(shifts=[shift]))
    ]
    paid = [daily_costs(r)["agents"][0] for r in runs]
    assert paid[0] == paid[1] == 10 * (24 - 6 * 0.25)


# ---------------------------------------------------------------- staffing search
def test_the_staffing_search_keeps_the_agents_activities_need() -> None:
    s = spec(
        staffing=[2, 6, 8, 3],
        activities=[
            *MEETINGS,
            {"name": "one-to-one", "start": "10:15", "end": "10:45", "agents": 1},
        ],
    )
    scenario = scenario_from_dict(s)
    floor = activity_floor(scenario, compile_plan(scenario))
    assert floor.tolist() == [[0, 2, 4 + 2 + 1, 0]]
    assert _with_staffing(scenario, floor, [0]).agent_groups[0].staffing == [0, 2, 7, 0]
    with pytest.raises(ScenarioError, match="has 6 scheduled then"):
        _with_staffing(scenario, floor - np.eye(1, 4, 2, dtype=int), [0])
