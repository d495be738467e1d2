"""Redials and repeat contacts: customers who come back.

Timelines with hand-made contacts (both engines, the same log), the bookkeeping of
the follow-up KPIs, "probability 0 changes nothing", the pool that grows without
changing results, and an M/M/c/K+M queue with redials against its Markov chain solved
independently.
"""

from __future__ import annotations

import numpy as np
import pytest

import ccsim
from ccsim.engines import reference as engine
from ccsim.plan import Plan, compile_plan
from ccsim.results.outcome import ABANDONED, ANSWERED, BLOCKED, NOT_FOLLOWED, REDIALLED, UNRESOLVED
from ccsim.scenario.loader import scenario_from_dict
from ccsim.streams import FIRST, REDIAL, REPEAT, FollowUpPool, contacts_from_rows
from tests.helpers import replay_both

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")

FIXED = {"dist": "fixed", "mean": 1}  # unit draws are given by hand: times mean 1


def plan_of(types: list[dict], groups: list[dict], lines: int | None = None) -> Plan:
    spec = {
        "name": "follow-ups",
        "horizon": {"intervals": 2, "interval": 500, "max_drain": 2000},
        "contact_types": types,
        "agent_groups": groups,
    }
    if lines:
        spec["lines"] = lines
    return compile_plan(scenario_from_dict(spec))


def ctype(name: str = "a", **extra: object) -> dict:
    return {"name": name, "arrivals": {"rate_per_hour": 0}, "handle_time": FIXED, **extra}


REDIAL_60 = {"probability": 0.5, "delay": {"dist": "fixed", "mean": 60}, "max": 2}


def test_a_blocked_contact_redials_until_it_gets_through_or_runs_out_of_redials() -> None:
    plan = plan_of([ctype(redial=REDIAL_60)], [{"name": "g", "skills": ["a"], "staffing": 1}], 1)
    rows = [
        {"type": "a", "at": 0, "handle": 200},  # holds the only line until 200
        {"type": "a", "at": 10, "handle": 5, "follow_u": 0.2, "redial_delay": 1.0},
        {"type": "a", "at": 20, "handle": 5, "follow_u": 0.9, "redial_delay": 1.0},  # gives up
    ]
    pool = {"a": [
        {"handle": 30, "follow_u": 0.1, "redial_delay": 1.0},  # redial 1 at 70: blocked again
        {"handle": 40, "follow_u": 0.1, "redial_delay": 2.0},  # redial 2 at 130: blocked, max
    ]}  # fmt: skip
    out = replay_both(plan, rows, pool)
    c = out.contacts
    assert c.kind.tolist() == [FIRST, FIRST, FIRST, REDIAL, REDIAL]
    assert c.arrival.tolist() == [0, 10, 20, 70, 130]
    assert c.customer.tolist() == [0, 1, 2, 1, 1]
    assert c.redials.tolist() == [0, 0, 0, 1, 2]
    assert out.fate.tolist() == [ANSWERED, BLOCKED, BLOCKED, BLOCKED, BLOCKED]
    # the second redial is the last one allowed (max 2): no third, though u < p
    assert out.followed.tolist() == [NOT_FOLLOWED, REDIALLED, NOT_FOLLOWED, REDIALLED, NOT_FOLLOWED]
    assert c.handle.tolist() == [200, 5, 5, 30, 40]  # the redials' own variates


def test_an_abandoned_contact_redials_and_is_answered() -> None:
    plan = plan_of(
        [ctype(patience={"dist": "exponential", "mean": 1}, redial=REDIAL_60)],
        [{"name": "g", "skills": ["a"], "staffing": 1}],
    )
    rows = [
        {"type": "a", "at": 0, "handle": 100},
        {"type": "a", "at": 10, "handle": 5, "patience": 30, "follow_u": 0.0, "redial_delay": 1},
    ]
    out = replay_both(plan, rows, {"a": [{"handle": 50, "patience": 100}]})
    # abandons at 40, redials at 100 (with the end of the first call: answered at once)
    assert out.fate.tolist() == [ANSWERED, ABANDONED, ANSWERED]
    assert out.left.tolist() == [100, 40, 150]
    assert out.answered[2] == 100 and out.queued[2] == 100
    assert out.followed.tolist() == [NOT_FOLLOWED, REDIALLED, NOT_FOLLOWED]


def test_a_redial_due_after_the_horizon_is_decided_but_not_made() -> None:
    plan = plan_of([ctype(redial=REDIAL_60)], [{"name": "g", "skills": ["a"], "staffing": 1}], 1)
    rows = [
        {"type": "a", "at": 900, "handle": 200},
        {"type": "a", "at": 950, "handle": 5, "follow_u": 0.0, "redial_delay": 1},  # due 1010
    ]
    out = replay_both(plan, rows, {"a": [{"handle": 1}]})
    assert len(out.fate) == 2
    assert out.followed.tolist() == [NOT_FOLLOWED, REDIALLED]


def test_an_unresolved_contact_comes_back_as_its_repeat_type() -> None:
    repeat = {"fcr": 0.8, "delay": {"dist": "fixed", "mean": 100}, "as_type": "b"}
    plan = plan_of(
        [ctype("a", repeat=repeat), ctype("b", repeat={**repeat, "as_type": None, "max": 1})],
        [
            {"name": "g", "skills": ["a", "b"], "staffing": 1, "fcr": {"a": 0.5}},
            {"name": "h", "skills": ["a", "b"], "staffing": 1},
        ],
    )
    rows = [
        # answered by g (fcr 0.5 for a): u = 0.4 < 0.5, unresolved; repeat 100 s after talk
        {"type": "a", "at": 0, "handle": 20, "follow_u": 0.4, "repeat_delay": 1},
        # answered by h (fcr 0.8): u = 0.4 >= 0.2, resolved
        {"type": "a", "at": 10, "handle": 20, "follow_u": 0.4, "repeat_delay": 1},
    ]
    pool = {"b": [
        {"handle": 30, "follow_u": 0.1, "repeat_delay": 1.0},  # unresolved again, but max 1
    ]}  # fmt: skip
    out = replay_both(plan, rows, pool)
    c = out.contacts
    assert c.type.tolist() == [0, 0, 1]
    assert c.kind.tolist() == [FIRST, FIRST, REPEAT]
    assert c.arrival.tolist() == [0, 10, 120]
    assert c.customer.tolist() == [0, 1, 0] and c.repeats.tolist() == [0, 0, 1]
    assert out.group.tolist() == [0, 1, 0]
    assert out.followed.tolist() == [UNRESOLVED, NOT_FOLLOWED, UNRESOLVED]


def test_a_follow_up_at_the_time_of_an_arrival_comes_after_it() -> None:
    plan = plan_of([ctype(redial=REDIAL_60)], [{"name": "g", "skills": ["a"], "staffing": 1}], 1)
    rows = [
        {"type": "a", "at": 0, "handle": 50},
        {"type": "a", "at": 10, "handle": 5, "follow_u": 0.0, "redial_delay": 1},  # redial at 70
        {"type": "a", "at": 70, "handle": 5},  # the first contact at 70 takes the free line
    ]
    out = replay_both(plan, rows, {"a": [{"handle": 1}]})
    assert out.contacts.arrival.tolist() == [0, 10, 70, 70]
    assert out.fate.tolist() == [ANSWERED, BLOCKED, ANSWERED, BLOCKED]


def test_the_hand_made_pool_refuses_to_run_short() -> None:
    plan = plan_of([ctype(redial=REDIAL_60)], [{"name": "g", "skills": ["a"], "staffing": 1}], 1)
    rows = [
        {"type": "a", "at": 0, "handle": 100},
        {"type": "a", "at": 10, "follow_u": 0.0, "redial_delay": 1},
    ]
    pool = FollowUpPool.from_rows(plan, {"a": []})
    with pytest.raises(ValueError, match="too short"):
        engine.run_replication(plan, contacts_from_rows(plan, rows), pool=pool)


# ------------------------------------------------------------------- whole runs
CORPUS = "tests/corpus/follow-ups.yaml"


def test_the_pool_grows_without_changing_results(monkeypatch) -> None:
    scenario = ccsim.load_scenario(CORPUS)
    big = {e: ccsim.simulate(scenario, 2, seed=5, engine=e, records=True) for e in ccsim.ENGINES}
    monkeypatch.setattr(
        "ccsim.streams.followup_pool",
        lambda plan, seed, rep, contacts: FollowUpPool(plan, seed, rep, 1),
    )
    for module in ("ccsim.simulation", "ccsim.engines.fast"):
        monkeypatch.setattr(
            f"{module}.followup_pool",
            lambda plan, seed, rep, contacts: FollowUpPool(plan, seed, rep, 1),
        )
    for e in ccsim.ENGINES:
        small = ccsim.simulate(scenario, 2, seed=5, engine=e, records=True)
        assert small.records.equals(big[e].records), e
        np.testing.assert_array_equal(small.type_acc, big[e].type_acc)


def test_follow_up_kpis_add_up_from_the_records() -> None:
    r = ccsim.simulate(CORPUS, 2, seed=3, engine="fast", records=True)
    counted = r.records[r.records["counted"]]
    per_rep = counted.groupby("replication")
    np.testing.assert_allclose(r.per_replication("redials"), per_rep["kind"].apply(
        lambda k: (k == "redial").sum()))  # fmt: skip
    np.testing.assert_allclose(r.per_replication("repeats"), per_rep["kind"].apply(
        lambda k: (k == "repeat").sum()))  # fmt: skip
    np.testing.assert_allclose(r.per_replication("unique_customers"), per_rep["kind"].apply(
        lambda k: (k == "first").sum()))  # fmt: skip
    answered = counted[counted["fate"] == "answered"].groupby("replication")
    fcr = 1 - answered["followed"].apply(lambda f: (f == "unresolved").mean())
    np.testing.assert_allclose(r.per_replication("fcr"), fcr)
    assert r.kpi("redials") > 50 and r.kpi("repeats") > 20 and 0.7 < r.kpi("fcr") < 0.95
    # every redial and repeat belongs to a customer whose earlier contact asked for it
    rec = r.records[r.records["replication"] == 0]
    for customer, history in rec.groupby("customer"):
        kinds, followed = history["kind"].tolist(), history["followed"].tolist()
        assert kinds[0] == "first", customer
        for before, after in zip(followed[:-1], kinds[1:], strict=True):
            assert (before, after) in (("redialled", "redial"), ("unresolved", "repeat"))


def without(spec: dict, *keys: str) -> dict:
    out = {**spec, "contact_types": [dict(t) for t in spec["contact_types"]]}
    out["agent_groups"] = [{k: v for k, v in g.items() if k != "fcr"} for g in spec["agent_groups"]]
    for t in out["contact_types"]:
        for key in keys:
            t.pop(key, None)
    return out


def test_probability_zero_and_full_resolution_change_nothing() -> None:
    from ccsim.scenario.loader import read_yaml

    spec, _ = read_yaml(CORPUS, "a scenario file")
    plain = scenario_from_dict(without(spec, "redial", "repeat"))
    inert = without(spec)
    for t in inert["contact_types"]:
        if "redial" in t:
            t["redial"] = {**t["redial"], "probability": 0.0}
        if "repeat" in t:
            t["repeat"] = {**t["repeat"], "fcr": 1.0}
    inert = scenario_from_dict(inert)
    for e in ccsim.ENGINES:
        a = ccsim.simulate(plain, 2, seed=8, engine=e, records=True)
        b = ccsim.simulate(inert, 2, seed=8, engine=e, records=True)
        assert (b.records["kind"] == "first").all()
        for col in a.records.columns:
            assert a.records[col].equals(b.records[col]), col
        assert b.kpi("fcr") == 1.0 and b.kpi("redials") == 0.0


def test_bad_follow_up_keys_are_named(tmp_path) -> None:
    from tests.helpers import GOOD, problems

    text = GOOD.replace(
        "    patience: {dist: exponential, mean: 3min}\n",
        "    patience: {dist: exponential, mean: 3min}\n"
        "    redial: {probability: 1.5, delay: {dist: exponential, mean: [1min, 2min]}}\n"
        "    repeat: {fcr: 0.8, delay: {dist: fixed, mean: 1h}, as_type: suport}\n",
    )
    message = problems(tmp_path, text)
    assert "contact_types[0].redial.probability" in message
    text = text.replace("probability: 1.5", "probability: 0.5")
    message = problems(tmp_path, text)
    assert ":11: contact_types[0].redial.delay.mean: mean has 2 values; expected 3" in message
    assert "contact_types[0].repeat.as_type: unknown contact type 'suport'; did you mean " \
        "'support'?" in message  # fmt: skip
    grouped = GOOD.replace("    staffing: 2\n", "    staffing: 2\n    fcr: 0.9\n")
    assert "agent_groups[0].fcr: none of the group's skills has a repeat" in problems(
        tmp_path, grouped
    )


# ------------------------------------------------------------------------ theory
def retrial_chain(lam, mu, gamma, theta, p, c, k, orbit=80):
    """Stationary M/M/c/K+M with redials, solved as a Markov chain (independently).

    State (i, j): i contacts in the centre (queue and talk, at most k lines), j
    customers waiting to redial. Fresh contacts arrive at rate lam, each waiting
    customer redials at rate theta; a contact finding all k lines taken is blocked; a
    queued contact abandons at rate gamma; a blocked or abandoned contact's customer
    redials with probability p. Returns the rates (per second) of attempts, redials,
    abandonments and blocks.
    """
    n = (k + 1) * (orbit + 1)
    q = np.zeros((n, n))

    def s(i: int, j: int) -> int:
        return i * (orbit + 1) + j

    for i in range(k + 1):
        for j in range(orbit + 1):
            here = s(i, j)
            up = min(j + 1, orbit)  # truncation: the orbit never grows past `orbit`
            if i < k:
                q[here, s(i + 1, j)] += lam
                if j:
                    q[here, s(i + 1, j - 1)] += j * theta
            else:
                q[here, s(i, up)] += lam * p
                if j:
                    q[here, s(i, j - 1)] += j * theta * (1 - p)
            if i:
                q[here, s(i - 1, j)] += min(i, c) * mu
            if i > c:
                q[here, s(i - 1, up)] += (i - c) * gamma * p
                q[here, s(i - 1, j)] += (i - c) * gamma * (1 - p)
    np.fill_diagonal(q, -q.sum(axis=1))
    a = np.vstack([q.T, np.ones(n)])
    pi = np.linalg.lstsq(a, np.r_[np.zeros(n), 1.0], rcond=None)[0].reshape(k + 1, orbit + 1)
    i, j = np.arange(k + 1)[:, None], np.arange(orbit + 1)[None, :]
    redials = float((pi * j * theta).sum())
    full = pi[k]  # all lines taken, by orbit size
    assert pi[:, -5:].sum() < 1e-9  # the truncated orbit is never reached
    return {
        "attempts": lam + redials,
        "redials": redials,
        "abandoned": float((pi * np.maximum(i - c, 0) * gamma).sum()),
        "blocked": float(lam * full.sum() + (full * np.arange(orbit + 1) * theta).sum()),
    }


@pytest.mark.parametrize(
    ("engine_name", "replications"),
    [("fast", 40), ("simpy", 10), pytest.param("fast", 400, marks=pytest.mark.slow)],
)
def test_redials_match_the_markov_chain_of_a_retrial_queue(engine_name, replications) -> None:
    lam, mu, gamma, theta, p, c, k = 100 / 3600, 1 / 180, 1 / 60, 1 / 120, 0.6, 5, 8
    exact = retrial_chain(lam, mu, gamma, theta, p, c, k)
    hours, warm = 10, 1
    scenario = scenario_from_dict(
        {
            "name": "retrial",
            "horizon": {"intervals": 1, "interval": f"{hours}h", "warmup": f"{warm}h"},
            "lines": k,
            "contact_types": [
                {
                    "name": "calls",
                    "arrivals": {"rate_per_hour": lam * 3600},
                    "handle_time": {"dist": "exponential", "mean": 1 / mu},
                    "patience": {"dist": "exponential", "mean": 1 / gamma},
                    "redial": {
                        "probability": p,
                        "delay": {"dist": "exponential", "mean": 1 / theta},
                        "max": 1000,
                    },
                }
            ],
            "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": c}],
        }
    )
    r = ccsim.simulate(scenario, replications=replications, seed=2, engine=engine_name)
    seconds = (hours - warm) * 3600
    for kpi, rate in (("offered", "attempts"), ("redials", "redials"),
                      ("abandoned", "abandoned"), ("blocked", "blocked")):  # fmt: skip
        per_rep = r.per_replication(kpi) / seconds
        se = per_rep.std(ddof=1) / np.sqrt(len(per_rep))
        assert abs(per_rep.mean() - exact[rate]) < 4 * se, (kpi, per_rep.mean(), exact[rate], se)
        assert exact[rate] > 0.0005  # each flow is a real part of the traffic
