"""E-mail backlogs, several days in one run, and a run that starts with contacts waiting.

Timelines with hand-made contacts in both engines; day volumes and staffing; closing
time between days; the e-mail backlog carried over; costs per day of a week.
"""

from __future__ import annotations

import numpy as np
import pytest

import ccsim
from ccsim.plan import CLOSE, JOIN, LEAVE, compile_plan
from ccsim.results.outcome import ANSWERED, UNSERVED
from ccsim.scenario.loader import scenario_from_dict
from ccsim.streams import contacts_from_rows, draw_contacts
from tests.helpers import assert_matches, replay_both

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")


def spec(**extra: object) -> dict:
    return {
        "name": "mail",
        "horizon": {"intervals": 2, "interval": 100, "max_drain": 1000},
        "lines": 1,
        "contact_types": [
            {
                "name": "call",
                "arrivals": {"rate_per_hour": 0},
                "handle_time": {"dist": "fixed", "mean": 60},
            },
            {
                "name": "mail",
                "channel": "email",
                "due": 150,
                "arrivals": {"rate_per_hour": 0},
                "handle_time": {"dist": "fixed", "mean": 60},
            },
        ],  # fmt: skip
        "agent_groups": [{"name": "team", "skills": ["mail", "call"], "staffing": 1}],
        **extra,
    }


def test_email_holds_no_line_and_waits_for_an_agent_free_of_calls() -> None:
    plan = compile_plan(scenario_from_dict(spec()))
    out = replay_both(
        plan,
        [
            {"type": "call", "at": 0, "handle": 50},  # holds the only line
            {"type": "mail", "at": 10, "handle": 30},  # no line needed: not blocked, waits
            {"type": "call", "at": 20, "handle": 10},  # line taken: blocked
            {"type": "call", "at": 60, "handle": 10},  # line free again: queues
            # the agent is free at 50: takes the e-mail (no call waits then) until 80,
            # then the call waiting since 60, although the e-mail came first and the
            # skills list puts mail first: real-time contacts come first
            {"type": "mail", "at": 70, "handle": 5},
        ],
    )
    assert out.fate.tolist()[:3] == [ANSWERED, ANSWERED, 3]  # 3 = blocked
    assert out.answered.tolist()[1] == 50 and out.answered[3] == 80 and out.answered[4] == 90


def test_closing_turns_calls_away_and_carries_the_backlog_over() -> None:
    s = spec(days=[{"name": "Mon"}, {"name": "Tue"}])
    s["contact_types"][0]["patience"] = {"dist": "exponential", "mean": 1}
    del s["lines"]
    plan = compile_plan(scenario_from_dict(s))
    assert plan.n_intervals == 4 and plan.end == 400
    close = np.flatnonzero(plan.roster_kind == CLOSE)
    assert plan.roster_time[close].tolist() == [200.0]
    # closing, then the day's agent leaves, then the next day's joins (cancels the leave)
    assert plan.roster_kind.tolist() == [JOIN, CLOSE, LEAVE, JOIN]
    out = replay_both(
        plan,
        [
            {"type": "call", "at": 150, "handle": 100},  # talks past closing
            {"type": "call", "at": 160, "handle": 10, "patience": 500},  # waits at closing
            {"type": "mail", "at": 170, "handle": 10},  # waits at closing
        ],
    )
    assert out.fate.tolist() == [ANSWERED, UNSERVED, ANSWERED]
    assert out.left[1] == 200  # turned away at closing
    assert out.answered[2] == 250  # the e-mail is worked on the next day
    # the agent on a call at closing stays: its leave is cancelled by the next day's join
    assert out.staff_time.tolist() == [0.0] and out.staff_delta.tolist() == [1.0]


WEEK = "tests/corpus/days-email.yaml"


def test_day_volumes_and_staffing() -> None:
    s = ccsim.load_scenario(WEEK)
    plan = compile_plan(s)
    base = np.array(s.contact_types[0].arrivals.rate_per_hour) / 3600
    np.testing.assert_allclose(plan.rate[0], np.concatenate([base * 1.3, base, base * 0.8]))
    phones = plan.roster_group == 0
    joins = plan.roster_time[phones & (plan.roster_kind == JOIN)]
    assert 8 * 3600 in joins and 16 * 3600 in joins  # Tue 08:00 and Wed 08:00
    r = ccsim.simulate(s, 12, seed=3, engine="fast")
    labels = r.interval_labels()
    assert labels[0] == "Mon 08:00" and labels[8] == "Tue 08:00" and labels[-1] == "Wed 15:00"
    offered = r.by_interval[
        (r.by_interval["kpi"] == "offered") & (r.by_interval["type"] == "calls")
    ]
    per_day = offered["mean"].to_numpy().reshape(3, 8).sum(axis=1)
    expected = np.array([1.3, 1.0, 0.8]) * base.sum() * 3600 + np.array([15, 0, 0])
    np.testing.assert_allclose(per_day, expected, rtol=0.06)


def test_the_start_state_adds_contacts_at_zero_and_moves_nothing_else() -> None:
    s = ccsim.load_scenario(WEEK)
    plain = s.model_copy(update={"start_state": None})
    a = draw_contacts(compile_plan(s), 5, 0)
    b = draw_contacts(compile_plan(plain), 5, 0)
    at_zero = a.arrival == 0
    assert at_zero.sum() == 75 and (a.type[at_zero] == 0).sum() == 15
    for name in ("arrival", "handle", "patience", "type"):
        np.testing.assert_array_equal(getattr(a, name)[~at_zero], getattr(b, name))


def test_email_service_level_is_answered_within_due() -> None:
    r = ccsim.simulate(WEEK, 2, seed=4, engine="fast", records=True)
    mail = r.records[(r.records["type"] == "email") & r.records["counted"]]
    within = (mail["fate"] == "answered") & (mail["wait"] <= 8 * 3600)
    for rep, rows in mail.groupby("replication"):
        sl = r.per_replication("service_level", type="email")[rep]
        assert sl == pytest.approx(within[rows.index].mean())
    # e-mails hold no trunk line and skip the IVR
    assert r.type_acc[..., 1, :, 14].sum() == 0  # line_time of the e-mail type


def test_costs_per_day_of_a_run_of_identical_days() -> None:
    one = ccsim.load_scenario("scenarios/multiskill-day.yaml")
    assert one.costs is not None
    two = ccsim.load_scenario(
        {**one.model_dump(mode="json"), "days": [{"name": "a"}, {"name": "b"}]}
    )
    from ccsim.whatif.costs import daily_costs

    a = daily_costs(ccsim.simulate(one, 2, seed=1, engine="fast"))
    b = daily_costs(ccsim.simulate(two, 2, seed=1, engine="fast"))
    np.testing.assert_allclose(a["agents"], b["agents"])
    np.testing.assert_allclose(a["fixed"], b["fixed"])


def test_weekday_arrivals_follow_the_volume_within_monte_carlo_error() -> None:
    r = ccsim.simulate(WEEK, 30, seed=8, engine="fast")
    acc = r.type_acc[..., 1, :, 0]  # arrived e-mails (replications, intervals)
    plan = r.plan
    for d, volume in enumerate([1.5, 1.0, 0.8]):
        per_rep = acc[:, d * 8 : (d + 1) * 8].sum(axis=1)
        exact = plan.rate[1, d * 8 : (d + 1) * 8].sum() * 3600 + (60 if d == 0 else 0)
        assert plan.rate[1, d * 8] * 3600 == pytest.approx(30 * volume)
        assert_matches(per_rep, exact, f"e-mails on day {d}")


def test_bad_day_and_start_keys_are_named(tmp_path) -> None:
    from tests.helpers import GOOD, problems

    text = GOOD + (
        "days:\n  - {name: Mon, volume: {suport: 2}}\n"
        "  - {name: Mon, staffing: {teem: 3}}\n"
        "start_state: {waiting: {supprt: 4}}\n"
    )
    message = problems(tmp_path, text)
    assert "days[0].volume.suport: unknown contact type 'suport'" in message
    assert "days[1].staffing.teem: unknown agent group 'teem'" in message
    assert "days: day names must be unique" in message
    assert "start_state.waiting.supprt: unknown contact type" in message
    email = GOOD.replace("    handle_time:", "    channel: email\n    handle_time:")
    assert "contact_types[0].patience: an e-mail type takes no patience" in problems(
        tmp_path, email
    )


def test_the_staffing_search_refuses_a_run_of_several_days() -> None:
    from ccsim.whatif.staffing import search_staffing

    with pytest.raises(ValueError, match="works on one day"):
        search_staffing(ccsim.load_scenario(WEEK), replications=2)


def test_calls_waiting_at_the_start_skip_the_ivr_and_hold_their_lines() -> None:
    s = {
        "name": "bad-noon",
        "horizon": {"intervals": 1, "interval": "1h"},
        "lines": 12,
        "ivr": {"time": {"dist": "fixed", "mean": "30s"}, "deflection": 0.3, "ports": 2},
        "start_state": {"waiting": {"calls": 10}},
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": 60},
                "handle_time": {"dist": "exponential", "mean": "3min"},
            }
        ],  # fmt: skip
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 2}],
    }
    for e in ccsim.ENGINES:
        r = ccsim.simulate(scenario_from_dict(s), 2, seed=1, engine=e, records=True)
        first = r.records[r.records["arrival"] == 0]
        assert len(first) == 2 * 10
        assert (first["fate"] == "answered").all()  # none blocked, none deflected
        assert (first["queued"] == 0).all()  # in the queue from the start, not after the IVR
    too_many = {**s, "start_state": {"waiting": {"calls": 13}}}
    with pytest.raises(ccsim.ScenarioError, match="13 calls already waiting need 13 trunk"):
        scenario_from_dict(too_many)


def test_a_break_ends_at_closing_time_and_owed_breaks_do_not_cross_the_night() -> None:
    s = {
        "name": "late-break",
        "horizon": {"start": "08:00", "intervals": 2, "interval": "30min"},
        "days": [{"name": "Mon"}, {"name": "Tue"}],
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": 0},
                "handle_time": {"dist": "fixed", "mean": "1min"},
            }
        ],  # fmt: skip
        "agent_groups": [
            {
                "name": "team",
                "skills": ["calls"],
                "shifts": [
                    {
                        "start": "08:00",
                        "end": "09:00",
                        "agents": 1,
                        "breaks": [{"start": "50min", "duration": "10min"}],
                    }
                ],
            },
        ],  # fmt: skip
    }
    plan = compile_plan(scenario_from_dict(s))
    # busy from 08:40 until 08:58:20: the break starts then and is cut at 09:00 (closing)
    rows = [{"type": "calls", "at": 2400, "handle": 1100}]
    out = replay_both(plan, rows)
    assert out.staff_time.tolist()[:3] == [0.0, 3500.0, 3600.0]
    staffed = ccsim.results.kpis.accumulate(plan, contacts_from_rows(plan, rows), out)[1][0, :, 1]
    np.testing.assert_allclose(staffed, [1800, 1700, 1800, 1800 - 600])  # Tue's own break


def test_the_ivr_takes_calls_only(tmp_path) -> None:
    from tests.helpers import GOOD, problems

    text = GOOD.replace("    handle_time:", "    channel: chat\n    handle_time:") + (
        "ivr: {time: {dist: fixed, mean: 10s}, deflection: {support: 0.2}}\n"
    )
    assert "ivr.deflection.support: 'support' is not a call" in problems(tmp_path, text)
