"""Timelines of the routing and behaviour rules, replayed in both engines.

Each test builds a tiny centre, replays hand-made contacts with round times through the
SimPy engine and the kernel (``replay_both`` asserts they agree on every field), and
compares the log with what the rules (docs/scenario-reference.md, "Routing and
policies" and "Tie-break rules") say: handle time per (type, group), overflow after a
delay, reservation, the ``priority_age`` policy, balking, transfers.
"""

from __future__ import annotations

import numpy as np
import pytest

from ccsim.results.kpis import accumulate, type_kpis
from ccsim.streams import contacts_from_rows
from tests.helpers import ctype, group, make_plan, replay_both, timeline


# ----------------------------------------------------- handle time per (type, group)
def test_a_groups_multiplier_scales_the_types_handle_time_before_its_speed():
    plan = make_plan(
        groups=[
            group("A", staffing=1, speed=2.0, handle_time={"support": {"multiplier": 0.5}}),
            group("B", staffing=1),
        ]
    )
    out = replay_both(
        plan, [{"at": 0, "handle": 40}, {"at": 1, "handle": 40}], default_type="support"
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "A"),
        (1.0, "c1", "answered", "B"),
        (10.0, "c0", "ended"),  # 40 x 0.5 / 2
        (41.0, "c1", "ended"),  # the type's own 40 s at B
    ]


def test_a_groups_own_distribution_replaces_the_types_handle_time():
    own = {"dist": "lognormal", "mean": 30, "cv": 0.5}
    plan = make_plan(
        groups=[group("A", staffing=1, handle_time={"support": own}), group("B", staffing=1)]
    )
    rows = [{"at": 0, "handle": 40, "group_handle": {"A": 7}},
            {"at": 1, "handle": 40, "group_handle": {"A": 9}}]  # fmt: skip
    out = replay_both(plan, rows, default_type="support")
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "A"),
        (1.0, "c1", "answered", "B"),
        (7.0, "c0", "ended"),  # A's own draw for c0
        (41.0, "c1", "ended"),  # B: the type's
    ]


def test_own_handle_times_are_drawn_per_group_and_scaled_by_their_mean():
    from ccsim.streams import draw_contacts

    own = {"dist": "exponential", "mean": [100, 300]}
    plan = make_plan(
        types=[ctype(arrivals={"rate_per_hour": 3600})],
        groups=[group("A", staffing=1, handle_time={"support": own}), group("B", staffing=1)],
    )
    c = draw_contacts(plan, 5, 0)
    assert c.group_handle.shape == (1, len(c))
    for k, mean in ((0, 100), (1, 300)):
        draws = c.group_handle[0, c.interval == k]
        assert abs(draws.mean() - mean) < 4 * mean / np.sqrt(len(draws))
    other = make_plan(
        types=[ctype(arrivals={"rate_per_hour": 3600})],
        groups=[group("A", staffing=1), group("B", staffing=1)],
    )
    d = draw_contacts(other, 5, 0)  # the same contacts otherwise (its own stream)
    np.testing.assert_array_equal(c.handle, d.handle)
    np.testing.assert_array_equal(c.arrival, d.arrival)


# ---------------------------------------------------------- overflow after a delay
def _overflow_plan(**extra: object):
    return make_plan(
        types=[ctype("fraud", groups=["desk", {"group": "sales", "after": 30}], **extra)],
        groups=[group("desk", ("fraud",), staffing=1), group("sales", ("fraud",), staffing=1)],
    )


def test_a_contact_overflows_to_the_next_group_once_it_has_waited_its_delay():
    plan = _overflow_plan()
    out = replay_both(
        plan, [{"at": 0, "handle": 100}, {"at": 5, "handle": 10}], default_type="fraud"
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "desk"),
        (35.0, "c1", "answered", "sales"),  # sales is idle, but gets it only at 5 + 30
        (45.0, "c1", "ended"),
        (100.0, "c0", "ended"),
    ]


def test_a_freed_agent_of_the_overflow_group_takes_only_contacts_that_waited_long_enough():
    plan = make_plan(
        types=[
            ctype("fraud", groups=["desk", {"group": "sales", "after": 30}]),
            ctype("sales", groups=["sales"]),
        ],
        groups=[
            group("desk", ("fraud",), staffing=1),
            group("sales", ("sales", "fraud"), staffing=1),
        ],
    )
    rows = [
        {"type": "fraud", "at": 0, "handle": 100},
        {"type": "sales", "at": 1, "handle": 20},  # sales agent busy until 21
        {"type": "fraud", "at": 2, "handle": 10},  # waits; reaches sales at 32
        {"type": "sales", "at": 25, "handle": 5},
    ]
    out = replay_both(plan, rows)
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "desk"),
        (1.0, "c1", "answered", "sales"),
        (21.0, "c1", "ended"),
        (25.0, "c3", "answered", "sales"),  # the sales agent was idle: c2 had waited 19 s
        (30.0, "c3", "ended"),
        (32.0, "c2", "answered", "sales"),  # idle since 30; c2 reaches sales at 2 + 30
        (42.0, "c2", "ended"),
        (100.0, "c0", "ended"),
    ]


def test_at_the_overflow_instant_a_freed_first_group_agent_answers_first():
    plan = _overflow_plan()
    rows = [{"at": 0, "handle": 35}, {"at": 5, "handle": 10}]
    out = replay_both(plan, rows, default_type="fraud")
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "desk"),
        (35.0, "c0", "ended"),
        (35.0, "c1", "answered", "desk"),  # departures before overflows
        (45.0, "c1", "ended"),
    ]


def test_a_contact_whose_patience_runs_out_at_its_overflow_instant_is_answered():
    plan = _overflow_plan()
    rows = [{"at": 0, "handle": 100}, {"at": 5, "handle": 10, "patience": 30}]
    out = replay_both(plan, rows, default_type="fraud")
    assert out.fate.tolist() == [1, 1]  # overflows before abandonments
    assert out.answered[1] == 35.0 and plan.group_names[out.group[1]] == "sales"


def test_overflow_stages_follow_one_another():
    plan = make_plan(
        types=[
            ctype(
                "fraud", groups=["desk", {"group": "b", "after": 10}, {"group": "c", "after": 20}]
            )
        ],
        groups=[
            group("desk", ("fraud",), staffing=1),
            group("b", ("fraud",), staffing=0),
            group("c", ("fraud",), staffing=1),
        ],  # fmt: skip
    )
    out = replay_both(
        plan, [{"at": 0, "handle": 100}, {"at": 1, "handle": 10}], default_type="fraud"
    )
    assert out.answered[1] == 21.0 and plan.group_names[out.group[1]] == "c"


# ------------------------------------------------------------------ reservation
def _reserve_plan():
    return make_plan(
        types=[ctype("fraud"), ctype("sales")],
        groups=[group("desk", ("fraud", "sales"), staffing=2, reserve={"agents": 1})],
    )


def test_a_group_keeps_its_reserved_agents_idle_for_its_own_skill():
    plan = _reserve_plan()
    rows = [
        {"type": "sales", "at": 0, "handle": 10},  # 2 idle > 1 kept: answered
        {"type": "sales", "at": 1, "handle": 10},  # 1 idle, kept for fraud: queues
        {"type": "fraud", "at": 2, "handle": 20},  # fraud takes the kept agent
    ]
    out = replay_both(plan, rows)
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "desk"),
        (2.0, "c2", "answered", "desk"),
        (10.0, "c0", "ended"),  # the freed agent is now the one kept: stays idle
        (22.0, "c2", "ended"),
        (22.0, "c1", "answered", "desk"),  # another agent is idle: it may take sales
        (32.0, "c1", "ended"),
    ]


def test_reservation_is_checked_at_load():
    from ccsim import ScenarioError
    from ccsim.scenario.loader import scenario_from_dict

    spec = {
        "name": "x",
        "horizon": {"intervals": 1, "interval": 100},
        "contact_types": [ctype("fraud"), ctype("sales")],
        "agent_groups": [
            group("desk", ("sales",), staffing=2, reserve={"agents": 1, "skill": "fraud"}),
            group("f", ("fraud",), staffing=1),
        ],  # fmt: skip
    }
    with pytest.raises(ScenarioError, match="reserve.skill: group 'desk' does not serve 'fraud'"):
        scenario_from_dict(spec)


# ---------------------------------------------------------- priority that ages
def _age_plan(vip: dict, policy: str = "priority_age"):
    return make_plan(
        types=[ctype("std"), ctype("vip", **vip)],
        groups=[group("desk", ("std", "vip"), staffing=1, policy=policy)],
    )


@pytest.mark.parametrize(("vip_at", "first"), [(50, "c2"), (70, "c1")])
def test_priority_age_credits_a_head_start(vip_at, first):
    plan = _age_plan({"head_start": 60})
    rows = [
        {"type": "std", "at": 0, "handle": 100},
        {"type": "std", "at": 1, "handle": 10},  # at 100: priority 99
        {"type": "vip", "at": vip_at, "handle": 10},  # 60 + 100 - vip_at
    ]
    out = replay_both(plan, rows)
    assert [c for t, c, what, *_ in timeline(plan, out) if what == "answered"][1] == first


def test_priority_age_weighs_waits_and_ties_go_to_the_first_skill():
    plan = _age_plan({"wait_weight": 2})
    rows = [
        {"type": "std", "at": 0, "handle": 100},
        {"type": "std", "at": 0, "handle": 10},  # at 100: 100
        {"type": "vip", "at": 50, "handle": 10},  # 2 x 50 = 100: a tie, std is listed first
    ]
    out = replay_both(plan, rows)
    assert out.answered.tolist() == [0.0, 100.0, 110.0]


def test_a_huge_head_start_is_strict_priority():
    for plan in (_age_plan({"head_start": "300d"}), make_plan(
            types=[ctype("std"), ctype("vip")],
            groups=[group("desk", ("vip", "std"), staffing=1, policy="priority")])):  # fmt: skip
        rows = [{"type": "std", "at": 0, "handle": 100}, {"type": "std", "at": 1, "handle": 10},
                {"type": "vip", "at": 99, "handle": 10}]  # fmt: skip
        out = replay_both(plan, rows)
        assert out.answered.tolist() == [0.0, 110.0, 100.0]


# ------------------------------------------------------------------------ balking
def _balk_plan(**extra: object):
    return make_plan(types=[ctype(balk=0.5, patience={"dist": "exponential", "mean": 60}, **extra)])


def test_a_contact_finding_no_idle_agent_balks_when_its_draw_says_so():
    plan = _balk_plan()
    rows = [
        {"at": 0, "handle": 10, "balk_u": 0.0},  # an idle agent: answered, never balks
        {"at": 1, "handle": 10, "balk_u": 0.3},  # all busy, 0.3 < 0.5: hangs up at once
        {"at": 2, "handle": 10, "balk_u": 0.7},  # all busy, 0.7: queues
    ]
    out = replay_both(plan, rows, default_type="support")
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (1.0, "c1", "balked"),
        (10.0, "c0", "ended"),
        (10.0, "c2", "answered", "team"),
        (20.0, "c2", "ended"),
    ]
    contacts = contacts_from_rows(plan, [{"type": "support", **r} for r in rows])
    k = {
        n: float(v[0]) for n, v in type_kpis(accumulate(plan, contacts, out)[0].sum(axis=1)).items()
    }
    assert (k["offered"], k["balked"], k["balk_rate"], k["p_wait"]) == (3, 1, 1 / 3, 2 / 3)
    assert k["service_level"] == 2 / 3  # c2 waited 8 s, within 20 s; the balker counts against


def test_a_balked_caller_frees_its_line_and_may_redial():
    redial = {"probability": 1.0, "delay": {"dist": "fixed", "mean": 5}, "max": 1}
    plan = make_plan(types=[ctype(balk=1.0, redial=redial)], lines=2)
    rows = [
        {"at": 0, "handle": 10},
        {"at": 1, "handle": 10, "balk_u": 0.0, "follow_u": 0.0, "redial_delay": 1.0},
        {"at": 2, "handle": 10},  # balk_u 1: never balks; c1's line is free: not blocked
    ]
    out = replay_both(plan, rows, pool={"support": [{"handle": 0.1}]}, default_type="support")
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (1.0, "c1", "balked"),
        (6.0, "c3", "blocked"),  # c1's redial: both lines held (c0, c2)
        (10.0, "c0", "ended"),
        (10.0, "c2", "answered", "team"),
        (20.0, "c2", "ended"),
    ]
    assert out.contacts.kind.tolist() == [0, 0, 0, 1] and out.followed.tolist()[1] == 1


# ----------------------------------------------------------------------- transfers
def _transfer_plan(stay: bool, **extra: object):
    return make_plan(
        types=[
            ctype(
                "a",
                transfer={"probability": 0.5, "to": "b", "stay": stay},
                wrap_up={"dist": "fixed", "mean": 5},
            ),
            ctype("b", **extra),
        ],  # fmt: skip
        groups=[group("A", ("a",), staffing=1), group("B", ("b",), staffing=1)],
        lines=3,
    )


def test_a_transferred_contact_continues_as_the_other_type_and_the_first_agent_wraps_up():
    plan = _transfer_plan(stay=False)
    rows = [{"type": "b", "at": 0, "handle": 50},  # B busy until 50
            {"type": "a", "at": 1, "handle": 20, "wrap_up": 5, "transfer_u": 0.1}]  # fmt: skip
    out = replay_both(plan, rows, pool={"b": [{"handle": 0.5}]})  # 30 s with b
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "B"),
        (1.0, "c1", "answered", "A"),
        (21.0, "c1", "ended"),  # transferred: a new contact of type b asks now
        (26.0, "c1", "freed"),  # its agent does its wrap-up at once
        (50.0, "c0", "ended"),
        (50.0, "c2", "answered", "B"),
        (80.0, "c2", "ended"),
    ]
    assert out.contacts.kind.tolist() == [0, 0, 3]  # the third came by transfer
    assert out.followed.tolist() == [0, 3, 0]
    assert out.contacts.arrival[2] == 21.0 and out.queued[2] == 21.0


def test_a_warm_transfer_keeps_the_first_agent_until_it_is_answered():
    plan = _transfer_plan(stay=True)
    rows = [{"type": "b", "at": 0, "handle": 50},
            {"type": "a", "at": 1, "handle": 20, "wrap_up": 5, "transfer_u": 0.1},
            {"type": "a", "at": 30, "handle": 10}]  # fmt: skip
    out = replay_both(plan, rows, pool={"b": [{"handle": 0.5}]})
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "B"),
        (1.0, "c1", "answered", "A"),
        (21.0, "c1", "ended"),
        (50.0, "c0", "ended"),
        (50.0, "c3", "answered", "B"),  # the transfer (created at 21, contact 3)
        (55.0, "c1", "freed"),  # A stayed on the line until 50, then its wrap-up
        (55.0, "c2", "answered", "A"),  # c2 waited for A
        (65.0, "c2", "ended"),
        (80.0, "c3", "ended"),
    ]


def test_a_warm_transfer_that_abandons_frees_the_first_agent_then():
    plan = _transfer_plan(stay=True, patience={"dist": "exponential", "mean": 60})
    rows = [{"type": "b", "at": 0, "handle": 50},
            {"type": "a", "at": 1, "handle": 20, "wrap_up": 5, "transfer_u": 0.1}]  # fmt: skip
    out = replay_both(plan, rows, pool={"b": [{"handle": 0.5, "patience": 0.1}]})  # 6 s
    assert out.fate.tolist() == [1, 1, 2]
    assert out.left[2] == 27.0 and out.freed[1] == 32.0  # abandons at 27; A wraps up to 32


def test_a_transferred_call_keeps_its_trunk_line():
    plan = make_plan(
        types=[ctype("a", transfer={"probability": 1.0, "to": "b"}), ctype("b")],
        groups=[group("A", ("a",), staffing=2), group("B", ("b",), staffing=1)],
        lines=1,
    )
    rows = [{"type": "a", "at": 0, "handle": 10, "transfer_u": 0.0},
            {"type": "a", "at": 15, "handle": 10}]  # fmt: skip
    out = replay_both(plan, rows, pool={"b": [{"handle": 0.5}]})  # the transfer talks 10 to 20
    assert out.fate.tolist() == [1, 3, 1]  # the line is still held at 15: blocked


def test_transfers_are_checked_at_load():
    from ccsim import ScenarioError
    from ccsim.scenario.loader import scenario_from_dict

    spec = {
        "name": "x",
        "horizon": {"intervals": 1, "interval": 100},
        "contact_types": [ctype("a", transfer={"probability": 0.1, "to": "b"}),
                          ctype("b", transfer={"probability": 0.1, "to": "a"})],
        "agent_groups": [group("g", ("a", "b"), staffing=1)],
    }  # fmt: skip
    with pytest.raises(ScenarioError, match=r"transfers go round in a loop \(a -> b -> a\)"):
        scenario_from_dict(spec)


# ------------------------------------------------------------------ patience mixtures
def test_a_patience_mixture_draws_its_mean_and_cv_and_longer_draws_start_alike():
    from ccsim.scenario.routing import Mixture

    mixture = Mixture(
        mixture=[
            {"weight": "30%", "dist": "exponential", "mean": "20s"},
            {"weight": 0.7, "dist": "lognormal", "mean": "4min", "cv": 1},
        ]
    )
    assert mixture.mean == pytest.approx(0.3 * 20 + 0.7 * 240)
    short = mixture.sample_unit(np.random.default_rng(5), 1000)
    long = mixture.sample_unit(np.random.default_rng(5), 200_000)
    np.testing.assert_array_equal(short, long[:1000])  # (the follow-up pool grows so)
    x = long * mixture.mean
    se = x.std() / np.sqrt(len(x))
    assert abs(x.mean() - mixture.mean) < 4 * se
    assert x.std() / x.mean() == pytest.approx(mixture.shape_cv(), rel=0.05)
    share_short = np.mean(x < 60)  # P(patience < 60 s) of the mixture
    exact = 0.3 * (1 - np.exp(-3)) + 0.7 * _lognormal_cdf(60, 240, 1.0)
    assert abs(share_short - exact) < 4 * np.sqrt(exact * (1 - exact) / len(x))


def _lognormal_cdf(x: float, mean: float, cv: float) -> float:
    from math import erf, log, sqrt

    sigma2 = log(1 + cv**2)
    mu = log(mean) - sigma2 / 2
    return 0.5 * (1 + erf((log(x) - mu) / sqrt(2 * sigma2)))


def test_a_mixture_component_takes_one_mean():
    from ccsim import ScenarioError
    from ccsim.scenario.loader import scenario_from_dict

    spec = {
        "name": "x",
        "horizon": {"intervals": 2, "interval": 100},
        "contact_types": [
            ctype(patience={"mixture": [{"weight": 1, "dist": "exponential", "mean": [1, 2]}]})
        ],
        "agent_groups": [group(staffing=1)],
    }
    with pytest.raises(ScenarioError, match="a mixture component takes one mean"):
        scenario_from_dict(spec)
