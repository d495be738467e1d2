"""Timeline tests: tiny scenarios, hand-made contacts, and the exact log of what happened.

Each test builds a scenario of one or two contact types and agent groups, replays a few
contacts with round-number times (so every time in the log is an exact float), and
compares the whole log with the one the model's rules (ccsim/engines/reference.py, ccsim/plan.py)
say it must be.
"""

from __future__ import annotations

import numpy as np
import pytest

from ccsim.engines.reference import Outcome
from ccsim.plan import Plan
from ccsim.results.kpis import accumulate, group_kpis, type_kpis
from ccsim.simulation import contact_records
from ccsim.streams import draw_contacts
from tests.helpers import FIXED, ctype, group, make_plan, replay, staffing_log, timeline


def never_answered(out: Outcome, c: int) -> bool:
    return out.group[c] == -1 and np.isnan(out.answered[c]) and np.isnan(out.freed[c])


# ---------------------------------------------------------------------- 1. routing
def test_arrival_goes_to_first_group_in_file_order_with_an_idle_agent_else_queues():
    plan = make_plan(groups=[group("A", staffing=1), group("B", staffing=1)])
    _, out = replay(
        plan, [{"at": 0, "handle": 10}, {"at": 1, "handle": 10}, {"at": 2, "handle": 5}]
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "A"),
        (1.0, "c1", "answered", "B"),  # A is busy: the next group with an idle agent
        (10.0, "c0", "ended"),
        (10.0, "c2", "answered", "A"),  # queued at 2 (nobody idle), taken when A frees
        (11.0, "c1", "ended"),
        (15.0, "c2", "ended"),
    ]
    assert out.queued.tolist() == [0.0, 1.0, 2.0]


def test_type_groups_key_overrides_file_order():
    plan = make_plan(
        types=[ctype(groups=["B", "A"])],
        groups=[group("A", staffing=1), group("B", staffing=1)],
    )
    _, out = replay(
        plan, [{"at": 0, "handle": 10}, {"at": 1, "handle": 10}, {"at": 2, "handle": 5}]
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "B"),
        (1.0, "c1", "answered", "A"),
        (10.0, "c0", "ended"),
        (10.0, "c2", "answered", "B"),
        (11.0, "c1", "ended"),
        (15.0, "c2", "ended"),
    ]


# ----------------------------------------------------------------------- 2. policy
def _two_skill_plan(policy: str) -> Plan:
    # File order of types is support, sales; the agents' skill order is sales, support.
    return make_plan(
        types=[ctype("support"), ctype("sales")],
        groups=[group(skills=("sales", "support"), staffing=1, policy=policy)],
    )


TWO_SKILL_ROWS = [
    {"type": "sales", "at": 0, "handle": 10},
    {"type": "support", "at": 1, "handle": 5},
    {"type": "sales", "at": 2, "handle": 5},
]


def test_longest_waiting_takes_the_contact_that_waited_longest_across_skills():
    plan = _two_skill_plan("longest_waiting")
    _, out = replay(plan, TWO_SKILL_ROWS)
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (10.0, "c0", "ended"),
        (10.0, "c1", "answered", "team"),  # support, waiting since 1
        (15.0, "c1", "ended"),
        (15.0, "c2", "answered", "team"),  # sales, waiting since 2
        (20.0, "c2", "ended"),
    ]


def test_priority_takes_the_first_skill_with_a_contact_waiting():
    plan = _two_skill_plan("priority")
    _, out = replay(plan, TWO_SKILL_ROWS)
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (10.0, "c0", "ended"),
        (10.0, "c2", "answered", "team"),  # sales is the first skill, though c1 waited longer
        (15.0, "c2", "ended"),
        (15.0, "c1", "answered", "team"),
        (20.0, "c1", "ended"),
    ]


def test_longest_waiting_tie_goes_to_the_first_type_in_skill_order():
    plan = _two_skill_plan("longest_waiting")
    _, out = replay(
        plan,
        [
            {"type": "sales", "at": 0, "handle": 10},
            {"type": "support", "at": 1, "handle": 5},  # same entry time, listed first
            {"type": "sales", "at": 1, "handle": 5},
        ],
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (10.0, "c0", "ended"),
        (10.0, "c2", "answered", "team"),  # sales comes first in the group's skills
        (15.0, "c2", "ended"),
        (15.0, "c1", "answered", "team"),
        (20.0, "c1", "ended"),
    ]


# ------------------------------------------------------------------- 3. patience
def test_contact_abandons_when_patience_expires_in_queue():
    plan = make_plan()
    _, out = replay(
        plan,
        [
            {"at": 0, "handle": 10},
            {"at": 1, "handle": 5, "patience": 3},
            {"at": 2, "handle": 5, "patience": 20},
        ],
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (4.0, "c1", "abandoned"),
        (10.0, "c0", "ended"),
        (10.0, "c2", "answered", "team"),  # c1 left the queue: c2 is next
        (15.0, "c2", "ended"),
    ]
    assert never_answered(out, 1)


def test_patience_does_not_run_in_the_ivr():
    plan = make_plan(ivr={"time": FIXED})
    _, out = replay(
        plan,
        [
            # 5 s in the IVR with 3 s of patience: answered at once when it asks at 5
            {"at": 0, "handle": 10, "ivr_time": 5, "patience": 3},
            # asks at 6, finds the agent busy: patience runs from 6, so it leaves at 9
            {"at": 0, "handle": 5, "ivr_time": 6, "patience": 3},
        ],
    )
    assert timeline(plan, out) == [
        (5.0, "c0", "answered", "team"),
        (9.0, "c1", "abandoned"),
        (15.0, "c0", "ended"),
    ]
    assert out.queued.tolist() == [5.0, 6.0]


def test_agent_freed_when_patience_expires_answers_the_contact():
    plan = make_plan()
    _, out = replay(plan, [{"at": 0, "handle": 10}, {"at": 1, "handle": 5, "patience": 9}])
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (10.0, "c0", "ended"),
        (10.0, "c1", "answered", "team"),  # end of talk (class 2) before abandonment (3)
        (15.0, "c1", "ended"),
    ]


def test_agent_freed_after_wrap_up_when_patience_expires_answers_the_contact():
    plan = make_plan(types=[ctype(wrap_up=FIXED)])
    _, out = replay(
        plan, [{"at": 0, "handle": 6, "wrap_up": 4}, {"at": 1, "handle": 5, "patience": 9}]
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (6.0, "c0", "ended"),
        (10.0, "c0", "freed"),
        (10.0, "c1", "answered", "team"),
        (15.0, "c1", "ended"),
    ]


# --------------------------------------------------------------------- 4. wrap-up
def test_agent_is_unavailable_during_wrap_up():
    plan = make_plan(types=[ctype(wrap_up=FIXED)])
    _, out = replay(plan, [{"at": 0, "handle": 10, "wrap_up": 5}, {"at": 1, "handle": 4}])
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (10.0, "c0", "ended"),
        (15.0, "c0", "freed"),
        (15.0, "c1", "answered", "team"),  # only after talk end + wrap-up
        (19.0, "c1", "ended"),
    ]
    assert out.left.tolist() == [10.0, 19.0]  # left = end of talk, not of wrap-up
    assert out.freed.tolist() == [15.0, 19.0]


# ----------------------------------------------------------------------- 5. speed
def test_group_speed_divides_talk_time_not_wrap_up():
    plan = make_plan(
        types=[ctype(wrap_up=FIXED)],
        groups=[group("fast", staffing=1, speed=2), group("slow", staffing=1)],
    )
    _, out = replay(plan, [{"at": 0, "handle": 10, "wrap_up": 4}, {"at": 1, "handle": 10}])
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "fast"),
        (1.0, "c1", "answered", "slow"),
        (5.0, "c0", "ended"),  # 10 s of handle time at speed 2
        (9.0, "c0", "freed"),  # the wrap-up is not scaled
        (11.0, "c1", "ended"),
    ]


# ----------------------------------------------------------------------- 6. lines
def test_trunk_lines_block_and_free_at_end_of_talk():
    plan = make_plan(types=[ctype(wrap_up=FIXED)], groups=[group(staffing=2)], lines=2)
    _, out = replay(
        plan,
        [
            {"at": 0, "handle": 10, "wrap_up": 5},
            {"at": 0, "handle": 20},
            {"at": 1, "handle": 5},  # both lines in talk: blocked
            {"at": 12, "handle": 5},  # c0 in wrap-up holds no line: gets in, queues
            {"at": 13, "handle": 5},  # c1 talking + c3 queued: blocked
        ],
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (0.0, "c1", "answered", "team"),
        (1.0, "c2", "blocked"),
        (10.0, "c0", "ended"),
        (13.0, "c4", "blocked"),
        (15.0, "c0", "freed"),
        (15.0, "c3", "answered", "team"),
        (20.0, "c1", "ended"),
        (20.0, "c3", "ended"),
    ]
    assert never_answered(out, 2) and np.isnan(out.queued[2])


def test_line_freed_at_the_instant_of_an_arrival_is_available_to_it():
    plan = make_plan(groups=[group(staffing=1)], lines=2)
    _, out = replay(
        plan,
        [
            {"at": 0, "handle": 10},
            {"at": 1, "handle": 5, "patience": 4},  # abandons at 5, freeing its line
            {"at": 5, "handle": 5},  # abandonment (class 3) before arrival (5): gets in
            {"at": 10, "handle": 5},  # c0's talk ends (class 2) before this arrival
        ],
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (5.0, "c1", "abandoned"),
        (10.0, "c0", "ended"),
        (10.0, "c2", "answered", "team"),
        (15.0, "c2", "ended"),
        (15.0, "c3", "answered", "team"),
        (20.0, "c3", "ended"),
    ]


# ------------------------------------------------------------------------- 7. IVR
def test_deflected_and_ivr_abandoned_contacts_never_reach_an_agent():
    plan = make_plan(ivr={"time": FIXED, "deflection": 0.5, "abandon": 0.2})
    _, out = replay(
        plan,
        [
            {"at": 0, "handle": 10, "ivr_time": 5, "deflect": True},
            {"at": 1, "handle": 10, "ivr_time": 3, "ivr_abandon": True},
            {"at": 2, "handle": 10, "ivr_time": 5},
        ],
    )
    assert timeline(plan, out) == [
        (4.0, "c1", "ivr_abandoned"),  # at the end of its IVR time
        (5.0, "c0", "deflected"),
        (7.0, "c2", "answered", "team"),  # the only agent is still idle
        (17.0, "c2", "ended"),
    ]
    assert never_answered(out, 0) and never_answered(out, 1)
    assert np.isnan(out.queued[:2]).all()  # they never asked for an agent


def test_contact_finding_all_ivr_ports_busy_is_blocked():
    plan = make_plan(groups=[group(staffing=2)], ivr={"time": FIXED, "ports": 1})
    _, out = replay(
        plan,
        [
            {"at": 0, "handle": 10, "ivr_time": 5},
            {"at": 2, "handle": 10, "ivr_time": 5},  # the port is taken: blocked
            {"at": 5, "handle": 10, "ivr_time": 5},  # c0 leaves the IVR (class 4) first
        ],
    )
    assert timeline(plan, out) == [
        (2.0, "c1", "blocked"),
        (5.0, "c0", "answered", "team"),
        (10.0, "c2", "answered", "team"),
        (15.0, "c0", "ended"),
        (20.0, "c2", "ended"),
    ]


def test_contact_in_the_ivr_holds_a_line():
    plan = make_plan(lines=1, ivr={"time": FIXED})
    _, out = replay(
        plan,
        [
            {"at": 0, "handle": 10, "ivr_time": 5, "deflect": True},
            {"at": 1, "handle": 10},  # c0 holds the only line in the IVR: blocked
            {"at": 5, "handle": 10, "ivr_time": 2},  # c0 left the IVR at 5: gets in
        ],
    )
    assert timeline(plan, out) == [
        (1.0, "c1", "blocked"),
        (5.0, "c0", "deflected"),
        (7.0, "c2", "answered", "team"),
        (17.0, "c2", "ended"),
    ]


# ------------------------------------------------------------ 8. staffing per interval
def test_staffing_drop_idle_agent_leaves_at_once():
    plan = make_plan(groups=[group(staffing=[2, 1])])
    _, out = replay(plan, [{"at": 0, "handle": 150}, {"at": 110, "handle": 10}])
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (150.0, "c0", "ended"),
        (150.0, "c1", "answered", "team"),  # the idle agent went home at 100
        (160.0, "c1", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 2), (100.0, "team", -1)]


def test_staffing_drop_when_all_busy_next_agent_to_finish_leaves():
    plan = make_plan(groups=[group(staffing=[2, 1])])
    _, out = replay(
        plan, [{"at": 0, "handle": 120}, {"at": 0, "handle": 150}, {"at": 50, "handle": 10}]
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (0.0, "c1", "answered", "team"),
        (120.0, "c0", "ended"),  # this agent leaves instead of taking c2
        (150.0, "c1", "ended"),
        (150.0, "c2", "answered", "team"),
        (160.0, "c2", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 2), (120.0, "team", -1)]


def test_staffing_rise_joining_agent_answers_queued_contact_at_the_boundary():
    plan = make_plan(groups=[group(staffing=[1, 2])])
    _, out = replay(plan, [{"at": 0, "handle": 200}, {"at": 10, "handle": 10}])
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (100.0, "c1", "answered", "team"),
        (110.0, "c1", "ended"),
        (200.0, "c0", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 1), (100.0, "team", 1)]


def test_joining_agent_answers_contact_whose_patience_expires_at_the_boundary():
    plan = make_plan(groups=[group(staffing=[0, 1])])
    _, out = replay(plan, [{"at": 50, "handle": 10, "patience": 50}])
    # roster events (class 1) come before abandonments (class 3)
    assert timeline(plan, out) == [(100.0, "c0", "answered", "team"), (110.0, "c0", "ended")]


def test_staffing_rise_cancels_an_owed_leave():
    plan = make_plan(intervals=3, groups=[group(staffing=[2, 1, 2])])
    _, out = replay(
        plan, [{"at": 0, "handle": 250}, {"at": 0, "handle": 250}, {"at": 150, "handle": 10}]
    )
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (0.0, "c1", "answered", "team"),
        (250.0, "c0", "ended"),
        (250.0, "c1", "ended"),
        (250.0, "c2", "answered", "team"),  # nobody joined at 200: the leaver stayed
        (260.0, "c2", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 2)]


# ---------------------------------------------------------------- 9. shifts, breaks
def test_break_due_during_a_call_starts_after_the_call():
    plan = make_plan(
        groups=[
            group(
                shifts=[
                    {"start": 0, "end": 200, "agents": 1, "breaks": [{"start": 50, "duration": 20}]}
                ]
            )
        ]
    )
    _, out = replay(plan, [{"at": 40, "handle": 30}, {"at": 60, "handle": 10}])
    assert timeline(plan, out) == [
        (40.0, "c0", "answered", "team"),
        (70.0, "c0", "ended"),  # break due at 50: taken 70-90
        (90.0, "c1", "answered", "team"),
        (100.0, "c1", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 1), (70.0, "team", -1), (90.0, "team", 1)]


def test_idle_agent_goes_on_break_at_once():
    plan = make_plan(
        groups=[
            group(
                shifts=[
                    {"start": 0, "end": 200, "agents": 1, "breaks": [{"start": 50, "duration": 20}]}
                ]
            )
        ]
    )
    _, out = replay(plan, [{"at": 55, "handle": 10}])
    assert timeline(plan, out) == [(70.0, "c0", "answered", "team"), (80.0, "c0", "ended")]
    assert staffing_log(plan, out) == [(0.0, "team", 1), (50.0, "team", -1), (70.0, "team", 1)]


def test_breaks_in_a_window_are_spread_over_the_shifts_agents():
    plan = make_plan(
        groups=[
            group(
                shifts=[
                    {
                        "start": 0,
                        "end": 200,
                        "agents": 2,
                        "breaks": [{"window": [50, 100], "duration": 10}],
                    }
                ]
            )
        ]
    )
    _, out = replay(plan, [])
    assert staffing_log(plan, out) == [
        (0.0, "team", 2),
        (50.0, "team", -1),
        (60.0, "team", 1),
        (75.0, "team", -1),
        (85.0, "team", 1),
    ]


def test_shift_ending_mid_call_agent_finishes_then_leaves():
    plan = make_plan(
        groups=[
            group(
                shifts=[
                    {"start": 0, "end": 150, "agents": 1},
                    {"start": 180, "end": 200, "agents": 1},
                ]
            )
        ]
    )
    _, out = replay(plan, [{"at": 140, "handle": 30}, {"at": 145, "handle": 10}])
    assert timeline(plan, out) == [
        (140.0, "c0", "answered", "team"),
        (170.0, "c0", "ended"),  # the shift ended at 150: home after the call
        (180.0, "c1", "answered", "team"),  # the next shift's agent takes it
        (190.0, "c1", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 1), (170.0, "team", -1), (180.0, "team", 1)]


def test_roster_events_at_the_horizon_end_are_dropped():
    plan = make_plan(groups=[group(shifts=[{"start": 0, "end": 200, "agents": 1}])])
    _, out = replay(plan, [{"at": 190, "handle": 30}, {"at": 195, "handle": 10}])
    assert timeline(plan, out) == [
        (190.0, "c0", "answered", "team"),
        (220.0, "c0", "ended"),
        (220.0, "c1", "answered", "team"),  # the centre drains with the staff it has
        (230.0, "c1", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 1)]


def test_shift_handover_joining_agent_cancels_the_leavers_owed_leave():
    # Documented model (plan.py, JOIN): the outgoing agent on a call simply stays, and
    # the incoming one does not become available; so c1 waits for c0's call to end.
    plan = make_plan(
        groups=[
            group(
                shifts=[
                    {"start": 0, "end": 100, "agents": 1},
                    {"start": 100, "end": 200, "agents": 1},
                ]
            )
        ]
    )
    _, out = replay(plan, [{"at": 0, "handle": 120}, {"at": 50, "handle": 10}])
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (120.0, "c0", "ended"),
        (120.0, "c1", "answered", "team"),
        (130.0, "c1", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 1)]


# ------------------------------------------------------- 10. roster before call ends
def _handover_gap_plan() -> Plan:
    return make_plan(
        groups=[
            group(
                shifts=[
                    {"start": 0, "end": 100, "agents": 1},
                    {"start": 130, "end": 200, "agents": 1},
                ]
            )
        ]
    )


def test_agent_whose_shift_ends_as_its_call_ends_goes_home():
    plan = _handover_gap_plan()
    _, out = replay(plan, [{"at": 0, "handle": 100}, {"at": 50, "handle": 10}])
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (100.0, "c0", "ended"),  # the LEAVE at 100 (class 1) came first
        (130.0, "c1", "answered", "team"),
        (140.0, "c1", "ended"),
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 1), (100.0, "team", -1), (130.0, "team", 1)]


def test_agent_whose_call_ends_before_its_shift_takes_the_queued_contact():
    plan = _handover_gap_plan()
    _, out = replay(plan, [{"at": 0, "handle": 99}, {"at": 50, "handle": 10}])
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (99.0, "c0", "ended"),
        (99.0, "c1", "answered", "team"),
        (109.0, "c1", "ended"),  # then home: owed since 100
    ]
    assert staffing_log(plan, out) == [(0.0, "team", 1), (109.0, "team", -1), (130.0, "team", 1)]


# ------------------------------------------------------------------------ 11. KPIs
KPI_ROWS = [
    {"at": 0, "handle": 10},  # answered at once: wait 0
    {"at": 1, "handle": 5, "patience": 20},  # answered at 10: wait 9
    {"at": 2, "handle": 5, "patience": 3},  # abandons at 5: wait 3
    {"at": 3, "handle": 5},  # c0, c1, c2 hold all 3 lines: blocked
    {"at": 12, "handle": 1, "patience": 10},  # answered at 15: wait 3
]


def _kpi_plan(warmup: float = 0) -> Plan:
    return make_plan(
        types=[ctype(service_level={"threshold": 5, "target": 0.8})], lines=3, warmup=warmup
    )


def test_kpis_of_a_tiny_timeline():
    plan = _kpi_plan()
    contacts, out = replay(plan, KPI_ROWS)
    assert timeline(plan, out) == [
        (0.0, "c0", "answered", "team"),
        (3.0, "c3", "blocked"),
        (5.0, "c2", "abandoned"),
        (10.0, "c0", "ended"),
        (10.0, "c1", "answered", "team"),
        (15.0, "c1", "ended"),
        (15.0, "c4", "answered", "team"),
        (16.0, "c4", "ended"),
    ]
    type_acc, group_acc, _ = accumulate(plan, contacts, out)
    k = {name: float(v[0]) for name, v in type_kpis(type_acc.sum(axis=1)).items()}
    assert k["offered"] == 5  # answered 3 + abandoned 1 + blocked 1
    assert (k["answered"], k["abandoned"], k["blocked"], k["unserved"]) == (3, 1, 1, 0)
    assert k["service_level"] == 2 / 5  # c0 (0 s) and c4 (3 s) within 5 s
    assert k["service_level_answered"] == 2 / 3
    assert k["service_level_excl_short_abandons"] == 2 / 4  # c2 abandoned within 5 s
    assert k["asa_s"] == (0 + 9 + 3) / 3
    assert k["mean_wait_s"] == (0 + 9 + 3 + 3) / 4
    assert k["p_wait"] == 3 / 5  # c1, c4 waited and c2 abandoned; c3 blocked
    assert k["abandon_rate"] == 1 / 5
    assert k["block_rate"] == 1 / 5
    assert k["aht_s"] == (10 + 5 + 1) / 3
    g = group_kpis(group_acc[0])  # per interval of the one group
    assert g["handled"].tolist() == [3, 0]
    assert g["busy_hours"].tolist() == [16 / 3600, 0]
    assert g["staffed_hours"].tolist() == [100 / 3600, 100 / 3600]
    assert g["occupancy"].tolist() == [16 / 100, 0]


def test_kpis_skip_contacts_arriving_in_the_warmup():
    plan = _kpi_plan(warmup=2)
    contacts, out = replay(plan, KPI_ROWS)
    type_acc, _, _ = accumulate(plan, contacts, out)
    k = {name: float(v[0]) for name, v in type_kpis(type_acc.sum(axis=1)).items()}
    # c0 (at 0) and c1 (at 1) are simulated, not counted
    assert (k["offered"], k["answered"], k["abandoned"], k["blocked"]) == (3, 1, 1, 1)
    assert k["service_level"] == 1 / 3
    assert k["asa_s"] == 3.0


def test_contact_records_of_a_timeline():
    plan = _kpi_plan()
    contacts, out = replay(plan, KPI_ROWS)
    df = contact_records(plan, contacts, out, replication=0)
    assert df["fate"].tolist() == ["answered", "answered", "abandoned", "blocked", "answered"]
    assert df["group"].tolist() == ["team", "team", "", "", "team"]
    assert df["wait"].tolist()[:3] == [0.0, 9.0, 3.0]
    assert np.isnan(df["wait"][3])
    assert df["wait"][4] == 3.0


# ------------------------------------------------------------- model discrepancies
def test_contact_asks_for_an_agent_at_exactly_its_arrival_time():
    plan = make_plan(groups=[group(staffing=2)])
    times = [9.403654086685101, 122.76287484272409]
    contacts, out = replay(plan, [{"at": t, "handle": 10} for t in times])
    assert out.queued.tolist() == times
    assert out.answered.tolist() == times


def test_ivr_outcome_probabilities_are_the_configured_ones():
    plan = make_plan(
        intervals=1,
        interval=3600,
        types=[ctype(arrivals={"rate_per_hour": 20000})],
        ivr={"time": FIXED, "deflection": 0.3, "abandon": 0.2},
    )
    c = draw_contacts(plan, seed=1, replication=0)
    assert len(c) > 10000
    deflected = c.ivr_deflect.mean()
    ivr_abandoned = (c.ivr_abandon & ~c.ivr_deflect).mean()
    assert deflected == pytest.approx(0.3, abs=0.02)
    assert ivr_abandoned == pytest.approx(0.2, abs=0.02)
