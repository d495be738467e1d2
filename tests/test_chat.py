"""Chat: agents handling several sessions at once, with stretched handle times.

Timelines with hand-made contacts in both engines, the staffing rules for agents who
still have sessions when they are due to leave, Erlang C for c agents x k sessions,
and concurrency 1 as the voice model.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import ccsim
from ccsim import erlang
from ccsim.plan import Plan, compile_plan
from ccsim.results.outcome import ANSWERED, UNSERVED
from ccsim.scenario.loader import scenario_from_dict
from tests.helpers import assert_matches, replay_both, stationary

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")


def plan_of(staffing: object = 1, concurrency: int = 2, stretch: object = 0.5) -> Plan:
    return compile_plan(
        scenario_from_dict(
            {
                "name": "chat",
                "horizon": {"intervals": 2, "interval": 100, "max_drain": 1000},
                "contact_types": [
                    {
                        "name": "chat",
                        "channel": "chat",
                        "arrivals": {"rate_per_hour": 0},
                        "handle_time": {"dist": "fixed", "mean": 60},
                    }
                ],
                "agent_groups": [
                    {
                        "name": "team",
                        "skills": ["chat"],
                        "staffing": staffing,
                        "concurrency": concurrency,
                        "stretch": stretch,
                    }
                ],
            }
        )
    )


#: replay contacts of type 'chat' in both engines (they must agree on every field)
both = functools.partial(replay_both, default_type="chat")


def test_an_agent_takes_a_second_session_stretched() -> None:
    out = both(
        plan_of(),
        [
            {"at": 0, "handle": 100},  # first session: factor 1, ends at 100
            {"at": 10, "handle": 100},  # second session at once: factor 1.5, ends at 160
            {"at": 20, "handle": 100},  # both sessions taken: waits, starts at 100 as the
        ],  # agent's second session (factor 1.5): ends at 250
    )
    assert out.fate.tolist() == [ANSWERED] * 3
    assert out.answered.tolist() == [0, 10, 100]
    assert out.left.tolist() == [100, 160, 250]


def test_an_agent_due_to_leave_takes_no_new_session_and_leaves_after_its_last() -> None:
    out = both(
        plan_of(staffing=[2, 1], concurrency=2, stretch=0.0),
        [
            {"at": 0, "handle": 150},  # agent 0
            {"at": 1, "handle": 300},  # agent 1 (the least loaded)
            {"at": 2, "handle": 50},  # a tie at one session each: agent 0 (lowest index)
            # at 100 one agent must go, none is idle: agent 0 (one session, lowest index)
            # drains: it takes no new session
            {"at": 120, "handle": 100},  # agent 1 takes it (its second session)
            {"at": 130, "handle": 10},  # agent 1 full, agent 0 draining: it waits
        ],
    )
    assert out.answered.tolist() == [0, 1, 2, 120, 220]  # the last when agent 1 frees one
    # agent 0 leaves when its last session ends, at 150
    assert out.staff_time.tolist() == [0, 150]
    assert out.staff_delta.tolist() == [2, -1]


def test_a_break_is_taken_when_the_sessions_end() -> None:
    plan = compile_plan(
        scenario_from_dict(
            {
                "name": "chat-break",
                "horizon": {"intervals": 1, "interval": 400, "max_drain": 1000},
                "contact_types": [
                    {
                        "name": "chat",
                        "channel": "chat",
                        "arrivals": {"rate_per_hour": 0},
                        "handle_time": {"dist": "fixed", "mean": 60},
                    }  # fmt: skip
                ],
                "agent_groups": [
                    {
                        "name": "team",
                        "skills": ["chat"],
                        "concurrency": 2,
                        "shifts": [
                            {
                                "start": 0,
                                "end": 400,
                                "agents": 1,
                                "breaks": [{"start": 50, "duration": 100}],
                            }  # fmt: skip
                        ],
                    }
                ],
            }
        )
    )
    out = both(
        plan,
        [
            {"at": 0, "handle": 80},
            {"at": 60, "handle": 10},  # draining since 50: waits
            {"at": 390, "handle": 500},
        ],
    )
    # break from 80 (last session ends) to 180; then the waiting chat
    # (the shift's end, at the end of the horizon, is dropped: the centre drains)
    assert out.staff_time.tolist() == [0, 80, 180]
    assert out.answered[1] == 180
    assert out.fate[2] == ANSWERED
    assert out.fate.tolist().count(UNSERVED) == 0


@pytest.mark.parametrize(
    ("engine_name", "reps"),
    [("fast", 30), ("simpy", 12), pytest.param("fast", 200, marks=pytest.mark.slow)],
)
def test_chat_sessions_without_stretch_are_erlang_c_with_agents_times_sessions(
    engine_name, reps
) -> None:
    agents, sessions, load, handle = 4, 3, 10.0, 300.0  # 12 session slots, 10 Erlangs
    # Relaxation time of M/M/12 here: handle / (12 (1 - sqrt(rho))^2) = 0.9 h. An empty
    # centre needs several of them to forget its start: with a 1 h warm-up, 200
    # replications put the ASA 4.6 SE below Erlang C (measured); 6 h is about 6.5.
    spec = stationary(agents, load, handle=handle, hours=6.0, warmup_hours=6.0)
    spec["contact_types"][0]["channel"] = "chat"
    spec["agent_groups"][0]["concurrency"] = sessions
    r = ccsim.simulate(scenario_from_dict(spec), reps, seed=9, engine=engine_name)
    slots, lam = agents * sessions, load / handle
    assert_matches(r.per_replication("p_wait"), erlang.erlang_c(slots, load), "p_wait")
    assert_matches(r.per_replication("asa_s"), erlang.erlang_c_asa(slots, lam, handle), "asa")
    sl = erlang.erlang_c_service_level(slots, lam, handle, 20.0)
    assert_matches(r.per_replication("service_level"), sl, "service_level")
    assert_matches(r.per_replication("occupancy"), load / slots, "occupancy")


def test_concurrency_one_is_the_voice_model() -> None:
    voice = stationary(5, 4.0, handle=120.0, patience=90.0, hours=2.0)
    chat = stationary(5, 4.0, handle=120.0, patience=90.0, hours=2.0)
    chat["contact_types"][0]["channel"] = "chat"
    chat["agent_groups"][0].update(concurrency=1, stretch=0.3)  # no second session
    for e in ccsim.ENGINES:
        a = ccsim.simulate(scenario_from_dict(voice), 2, seed=3, engine=e, records=True)
        b = ccsim.simulate(scenario_from_dict(chat), 2, seed=3, engine=e, records=True)
        assert a.records.equals(b.records)


def test_stretch_lengthens_sessions_and_lowers_service() -> None:
    base = ccsim.load_scenario("tests/corpus/chat.yaml")
    flat = base.model_copy(
        update={
            "agent_groups": [
                g.model_copy(update={"stretch": 0.0}) if g.name == "chatters" else g
                for g in base.agent_groups
            ]
        }  # fmt: skip
    )
    a = ccsim.simulate(flat, 3, seed=1, engine="fast")
    b = ccsim.simulate(base, 3, seed=1, engine="fast")
    assert b.kpi("aht_s", type="chat") > a.kpi("aht_s", type="chat") * 1.1


def test_bad_chat_keys_are_named(tmp_path) -> None:
    from tests.helpers import GOOD, problems

    text = GOOD.replace("    staffing: 2\n", "    staffing: 2\n    concurrency: 3\n")
    assert "agent_groups[0].concurrency: a group with concurrency serves chat types only" in (
        problems(tmp_path, text)
    )
    text = text.replace("    handle_time:", "    channel: chat\n    handle_time:").replace(
        "concurrency: 3\n", "concurrency: 3\n    stretch: [1.0, 1.2]\n"
    )
    assert "agent_groups[0].stretch: stretch has 2 factors; expected one per session" in (
        problems(tmp_path, text)
    )


def test_chat_records_show_sessions_in_both_engines() -> None:
    a = ccsim.simulate("tests/corpus/chat.yaml", 1, seed=2, engine="simpy", records=True)
    b = ccsim.simulate("tests/corpus/chat.yaml", 1, seed=2, engine="fast", records=True)
    np.testing.assert_array_equal(a.records["answered"], b.records["answered"])
    # a chat agent holds several sessions: more chats in talk than chat agents at once
    rec = a.records[(a.records["group"] == "chatters") & (a.records["fate"] == "answered")]
    most = max(
        ((rec["answered"] <= t) & (rec["freed"] > t)).sum() for t in np.arange(0.0, 6 * 1800, 30)
    )
    assert 10 < most <= 3 * 10  # at most 10 chatters (tests/corpus/chat.yaml), 3 sessions each


def test_chat_holds_no_trunk_line_and_skips_the_ivr() -> None:
    plan = compile_plan(
        scenario_from_dict(
            {
                "name": "mixed",
                "horizon": {"intervals": 1, "interval": 1000},
                "lines": 1,
                "ivr": {"time": {"dist": "fixed", "mean": 5}, "ports": 1},
                "contact_types": [
                    {
                        "name": "call",
                        "arrivals": {"rate_per_hour": 0},
                        "handle_time": {"dist": "fixed", "mean": 60},
                    },
                    {
                        "name": "chat",
                        "channel": "chat",
                        "arrivals": {"rate_per_hour": 0},
                        "handle_time": {"dist": "fixed", "mean": 60},
                        "patience": {"dist": "fixed", "mean": 10},
                    },
                ],  # fmt: skip
                "agent_groups": [
                    {"name": "phones", "skills": ["call"], "staffing": 1},
                    {"name": "chatters", "skills": ["chat"], "staffing": 1, "concurrency": 2},
                ],
            }
        )
    )
    rows = [
        {"type": "call", "at": 0, "handle": 100, "ivr_time": 5},  # holds the only line
        {"type": "chat", "at": 1, "handle": 100},  # no line, no IVR: answered at once
        {"type": "chat", "at": 2, "handle": 100},
        {"type": "chat", "at": 3, "handle": 100, "patience": 10},  # both taken: abandons
        {"type": "call", "at": 20, "handle": 10, "ivr_time": 5},  # the line is still held
    ]
    out = replay_both(plan, rows)
    assert out.answered.tolist()[:3] == [5, 1, 2]
    assert out.fate.tolist()[3:] == [2, 3]  # abandoned, then blocked (its line count kept)
