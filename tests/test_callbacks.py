"""Callbacks (virtual hold): who is offered one, who accepts, and the call back.

Timelines with hand-made contacts in both engines (the same log), and the checks that
a callback nobody accepts changes nothing, and that the counters add up.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import ccsim
from ccsim.plan import Plan, compile_plan
from ccsim.results.outcome import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    CALLBACK_ACCEPTED,
    CALLBACK_DECLINED,
    CALLBACK_MISSED,
    NO_CALLBACK,
)
from ccsim.scenario.loader import read_yaml, scenario_from_dict
from tests.helpers import replay_both

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")


def plan_of(lines: int | None = 3) -> Plan:
    spec = {
        "name": "callbacks",
        "horizon": {"intervals": 2, "interval": 500, "max_drain": 2000},
        "contact_types": [
            {
                "name": "a",
                "arrivals": {"rate_per_hour": 0},
                "handle_time": {"dist": "fixed", "mean": 100},  # the predicted wait's mean
                "callback": {"threshold": 150, "acceptance": 0.5, "no_answer": 0.2},
            }
        ],
        "agent_groups": [{"name": "g", "skills": ["a"], "staffing": 1}],
    }
    if lines:
        spec["lines"] = lines
    return compile_plan(scenario_from_dict(spec))


#: replay contacts of type 'a' in both engines (they must agree on every field)
both = functools.partial(replay_both, default_type="a")


@pytest.mark.parametrize("no_answer_u", [0.9, 0.1])
def test_a_long_predicted_wait_offers_a_callback_that_keeps_its_place(no_answer_u) -> None:
    rows = [
        {"at": 0, "handle": 100},  # answered at once, talks until 100
        {"at": 10, "handle": 100},  # 1 waiting: predicted 1 x 100 / 1 agent = 100 s: no offer
        # predicted 200 s > 150: offered; u = 0.3 < 0.5 accepts, hangs up (frees its line)
        {"at": 20, "handle": 30, "callback_u": 0.3, "no_answer_u": no_answer_u, "dial_time": 20},
        # predicted 300 s: offered, declines (u = 0.9); takes the line the callback freed
        {"at": 30, "handle": 5, "patience": 50, "callback_u": 0.9},
        {"at": 40, "handle": 5},  # 3 lines held (talk, queue, queue): blocked
    ]
    out = both(plan_of(), rows)
    assert out.callback.tolist() == [NO_CALLBACK, NO_CALLBACK, CALLBACK_ACCEPTED,
                                     CALLBACK_DECLINED, NO_CALLBACK]  # fmt: skip
    assert np.isnan(out.callback_at[[0, 1, 3, 4]]).all() and out.callback_at[2] == 20
    # the callback never abandons and is taken in its turn, after contact 1
    assert out.answered[1] == 100 and out.answered[2] == 200
    assert out.fate[3] == ABANDONED and out.left[3] == 80
    assert out.fate[4] == BLOCKED
    if no_answer_u > 0.2:  # reached after 20 s of dialling, then 30 s of talk
        assert out.fate[2] == ANSWERED and out.left[2] == 250 and out.freed[2] == 250
    else:  # not there: the agent is free after dialling
        assert out.fate[2] == CALLBACK_MISSED and out.left[2] == 220 and out.freed[2] == 220


def test_the_predicted_wait_divides_by_the_agents_on_the_phones() -> None:
    plan = compile_plan(
        scenario_from_dict(
            {
                "name": "two",
                "horizon": {"intervals": 1, "interval": 1000},
                "contact_types": [
                    {
                        "name": "a",
                        "arrivals": {"rate_per_hour": 0},
                        "handle_time": {"dist": "fixed", "mean": 100},
                        "callback": {"threshold": 80, "acceptance": 1.0},
                    }
                ],
                "agent_groups": [{"name": "g", "skills": ["a"], "staffing": 2}],
            }
        )
    )
    rows = [{"at": 0, "handle": 500}, {"at": 1, "handle": 500},  # both agents busy
            {"at": 2, "handle": 1, "callback_u": 0.5},  # 1 x 100 / 2 = 50 s: no offer
            {"at": 3, "handle": 1, "callback_u": 0.5}]  # 2 x 100 / 2 = 100 s: accepts  # fmt: skip
    out = both(plan, rows)
    assert out.callback.tolist() == [NO_CALLBACK, NO_CALLBACK, NO_CALLBACK, CALLBACK_ACCEPTED]


CORPUS = "tests/corpus/callbacks.yaml"


def test_callbacks_nobody_accepts_change_nothing_but_the_offers() -> None:
    spec, _ = read_yaml(CORPUS, "a scenario file")
    plain = {**spec, "contact_types": [{k: v for k, v in t.items() if k != "callback"}
                                       for t in spec["contact_types"]]}  # fmt: skip
    refused = {**spec, "contact_types": [
        {**t, "callback": {**t["callback"], "acceptance": 0.0}} for t in spec["contact_types"]
    ]}  # fmt: skip
    for e in ccsim.ENGINES:
        a = ccsim.simulate(scenario_from_dict(plain), 2, seed=4, engine=e, records=True)
        b = ccsim.simulate(scenario_from_dict(refused), 2, seed=4, engine=e, records=True)
        for col in a.records.columns:
            assert a.records[col].equals(b.records[col]), col
        assert b.kpi("callbacks_offered") > 20 and b.kpi("callbacks_accepted") == 0


def test_callback_counters_add_up() -> None:
    r = ccsim.simulate(CORPUS, 3, seed=2, engine="fast", records=True)
    rec = r.records[r.records["counted"]]
    accepted = rec["callback"] == "accepted"
    assert r.kpi("callbacks_offered") == pytest.approx((rec["callback"] != "").sum() / 3)
    assert r.kpi("callbacks_accepted") == pytest.approx(accepted.sum() / 3)
    assert r.kpi("callbacks_missed") == pytest.approx((rec["fate"] == "callback_missed").sum() / 3)
    assert r.kpi("callbacks_completed") == pytest.approx(
        (accepted & (rec["fate"] == "answered")).sum() / 3
    )
    # accepted callbacks never abandon; missed ones were offered (they count in offered)
    assert not (accepted & (rec["fate"] == "abandoned")).any()
    offered = rec["fate"].isin(["answered", "abandoned", "blocked", "unserved", "callback_missed"])
    assert r.kpi("offered") == pytest.approx(offered.sum() / 3)
    assert 0 < r.kpi("callback_delay_s") < 3600
