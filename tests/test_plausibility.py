"""Plausibility warnings: valid values a planner rarely means, named with key and value."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

import ccsim
from ccsim.cli.app import app
from ccsim.plan import compile_plan
from ccsim.plausibility import _on_phones, plausibility_warnings
from ccsim.scenario.loader import scenario_from_dict
from tests.helpers import GOOD, SCENARIOS

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")


def scenario(**changes: object):
    """GOOD (3 half hours, 10-30 calls an hour of 4 min, 2 agents) with changes."""
    data = yaml.safe_load(GOOD)
    for path, value in changes.items():
        node = data
        keys = [int(k) if k.isdigit() else k for k in path.split("__")]
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return scenario_from_dict(data)


def test_a_plausible_scenario_has_no_warnings() -> None:
    assert plausibility_warnings(scenario()) == []
    for name in ("small-helpdesk", "multiskill-day", "telco-week", "w1-erlang-a"):
        assert plausibility_warnings(ccsim.load_scenario(SCENARIOS / f"{name}.yaml")) == [], name


def test_a_bare_number_of_seconds_as_a_handle_time() -> None:
    s = scenario(contact_types__0__handle_time={"dist": "exponential", "mean": 7})
    assert plausibility_warnings(s) == [
        "contact_types[0].handle_time.mean: 7 s is an unusually short handle time; "
        "did you mean 7min?"
    ]


def test_long_handle_times_by_interval_and_from_observations() -> None:
    s = scenario(
        contact_types__0__handle_time={"dist": "gamma", "cv": 1, "mean": ["4min", "3h", "2h30min"]},
        agent_groups__0__staffing=100,
    )
    assert plausibility_warnings(s) == [
        "contact_types[0].handle_time.mean[1]: 3h is an unusually long handle time (over 2h) "
        "(and in 1 more interval)"
    ]  # fmt: skip
    s = scenario(contact_types__0__handle_time={"dist": "empirical", "values": [5, 10, 15]})
    assert plausibility_warnings(s) == [
        "contact_types[0].handle_time.values: a mean of 10 s is an unusually short handle "
        "time; did you mean 10min?"
    ]
    # the bounds themselves are plausible
    assert (
        plausibility_warnings(
            scenario(contact_types__0__handle_time={"dist": "fixed", "mean": "20s"})
        )
        == []
    )
    assert plausibility_warnings(scenario(contact_types__0__handle_time={"dist": "fixed", "mean": "2h"})) == [
        "contact_types[0] ('support'): 20.00 Erlang of load at 00:00, more than the 2.00 agents on "
        "the phones who can take it, and so in 2 more of 3 intervals: staffing can never meet "
        "this load (expect long waits, abandonment or blocking)"
    ]  # fmt: skip


def test_a_patience_of_days() -> None:
    s = scenario(contact_types__0__patience={"dist": "exponential", "mean": "2d"})
    assert plausibility_warnings(s) == [
        "contact_types[0].patience.mean: 48h is an unusually long patience (over a day); "
        "leave patience out for callers who never hang up"
    ]


# ------------------------------------------------------------ load and agents
def test_load_over_agents_names_the_interval_and_both_numbers() -> None:
    # 30 calls an hour of 4 min = 2 Erlang; 1.5 agents' worth would never do
    s = scenario(agent_groups__0__staffing=[3, 3, 1])
    assert plausibility_warnings(s) == [
        "contact_types[0] ('support'): 2.00 Erlang of load at 01:00, more than the 1.00 agents "
        "on the phones who can take it: staffing can never meet this load (expect long waits, "
        "abandonment or blocking)"
    ]
    assert plausibility_warnings(scenario(agent_groups__0__staffing=[3, 3, 2])) == []  # (equal)


def test_the_load_is_what_reaches_agents_at_their_speed_plus_wrap_up() -> None:
    over = scenario(agent_groups__0__staffing=1)  # 0.67, 1.33, 2 Erlang on 1 agent
    assert len(plausibility_warnings(over)) == 1
    # half the calls self-served in the IVR: 0.33, 0.67, 1
    ivr = {"time": {"dist": "fixed", "mean": 10}, "deflection": 0.5}
    assert plausibility_warnings(scenario(agent_groups__0__staffing=1, ivr=ivr)) == []
    # twice as fast: the same
    assert (
        plausibility_warnings(scenario(agent_groups__0__staffing=1, agent_groups__0__speed=2)) == []
    )
    # a 4-minute wrap-up doubles the work again
    wrap = {"dist": "fixed", "mean": "4min"}
    assert (
        len(
            plausibility_warnings(
                scenario(agent_groups__0__staffing=2, contact_types__0__wrap_up=wrap)
            )
        )
        == 1
    )


def test_agents_on_the_phones_leave_out_breaks_absence_and_activities() -> None:
    shifts = [
        {
            "start": 0,
            "end": "90min",
            "agents": 4,
            "breaks": [{"start": "15min", "duration": "15min"}],
        }
    ]
    s = scenario(agent_groups__0__staffing=None, agent_groups__0__shifts=shifts)
    plan = compile_plan(s)
    assert _on_phones(plan).tolist() == [[2.0, 4.0, 4.0]]  # all 4 away half the first interval
    s = scenario(agent_groups__0__staffing=[4, 4, 2], agent_groups__0__absence=0.25,
                 agent_groups__0__activities=[{"name": "m", "start": "30min", "duration": "15min", "agents": 2}])  # fmt: skip
    assert _on_phones(compile_plan(s)).tolist() == [[4.0, 3.0, 2.0]]
    # with absence 25 %: 3, 2.25, 1.5 agents for 0.67, 1.33, 2 Erlang: the last interval
    assert "at 01:00, more than the 1.50 agents" in plausibility_warnings(s)[0]


def test_types_sharing_agents_are_checked_together() -> None:
    data = yaml.safe_load(GOOD)
    second = dict(data["contact_types"][0], name="billing")
    data["contact_types"].append(second)
    data["agent_groups"] = [
        {"name": "team", "skills": ["support", "billing"], "staffing": [3, 5, 5]}
    ]
    # each type alone: 0.67, 1.33, 2 Erlang; together 1.33, 2.67, 4 on 3, 5, 5 agents: fine
    assert plausibility_warnings(scenario_from_dict(data)) == []
    data["agent_groups"][0]["staffing"] = [3, 2, 3]
    messages = plausibility_warnings(scenario_from_dict(data))
    assert messages == [
        "contact_types 'support', 'billing' together: 2.67 Erlang of load at 00:30, more than "
        "the 2.00 agents on the phones who can take it, and so in 1 more of 3 intervals: "
        "staffing can never meet this load (expect long waits, abandonment or blocking)"
    ]


def test_chat_agents_count_their_sessions_and_email_the_whole_run() -> None:
    data = yaml.safe_load(GOOD)
    data["contact_types"][0]["channel"] = "chat"
    data["agent_groups"][0].update(staffing=1, concurrency=2)  # 2 sessions for <= 2 Erlang
    assert plausibility_warnings(scenario_from_dict(data)) == []
    data = yaml.safe_load(GOOD)
    ct = data["contact_types"][0]
    ct.update(channel="email", due="8h")
    del ct["patience"]
    data["agent_groups"][0]["staffing"] = [0, 0, 3]  # 2 agent-hours of work, 1.5 on hand
    assert plausibility_warnings(scenario_from_dict(data)) == [
        "contact_types 'support': the run's load needs 2.0 agent hours, but the groups that "
        "take it have 1.5 on the phones: the backlog can only grow"
    ]
    data["agent_groups"][0]["staffing"] = [0, 0, 4]  # (e-mail waits for the agents: fine)
    assert plausibility_warnings(scenario_from_dict(data)) == []


def test_multi_day_labels_name_the_day() -> None:
    s = scenario(days=[{"name": "Mon"}, {"name": "Tue", "volume": 3}], horizon__start="08:00")
    assert "at Tue 08:30, more than the 2.00 agents" in plausibility_warnings(s)[0]


# --------------------------------------------------------------- where they show
def test_a_run_lists_them_first_in_its_warnings_and_json(tmp_path) -> None:
    s = scenario(contact_types__0__handle_time={"dist": "exponential", "mean": 7})
    result = ccsim.simulate(s, replications=2, engine="fast")
    assert result.warnings[0].startswith("contact_types[0].handle_time.mean: 7 s")
    assert json.loads(result.to_json())["warnings"] == list(result.warnings)


def test_validate_prints_them_and_exits_0(tmp_path) -> None:
    path = tmp_path / "centre.yaml"
    path.write_text(GOOD.replace("mean: 4min}", "mean: 7}"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert "warning: contact_types[0].handle_time.mean: 7 s is an unusually short handle time; did you mean 7min?" in result.output  # fmt: skip
