"""Every integer code the two engines and the kernel share, from one place.

A contact's fate, what followed it, whether it took a callback; the kinds of roster
event; a group's routing policy; the kinds of event and their order at equal times;
the state of a chat agent; where each KPI counter sits in the counter arrays, and the
rows of the waiting-time histograms. Both
engines and the compiled kernel read these codes from here, and nowhere writes them
again (tests/test_codes.py parses the engines' sources to check it).

Codes that results and plans carry are defined where they belong and gathered here:
fates, callback states and follow-up decisions in :mod:`ccsim.results.outcome`;
roster kinds and routing policies in :mod:`ccsim.plan`; contact kinds in
:mod:`ccsim.streams`; the order of the KPI counters in :mod:`ccsim.results.kpis` and
of a follow-up pool's variates in :mod:`ccsim.followups` (results and plans never
import the engines). The codes of the engines' own workings are defined here.

The kernel's compiled code holds these values as constants, and numba's on-disk cache
does not see a change made in another file: :data:`VALUES` (every code by name) is part
of the stamp that :mod:`ccsim.engines.kernel.jit` keeps next to the cache, so a changed
code recompiles the kernel. This module imports no numba.
"""

from __future__ import annotations

from ccsim.followups import FollowUpPool
from ccsim.plan import BREAK, CLOSE, JOIN, LEAVE, POLICIES
from ccsim.results.kpis import GROUP_FIELDS, TYPE_FIELDS, WAIT_ABANDONED, WAIT_ANSWERED
from ccsim.results.outcome import (
    ABANDONED,
    ANSWERED,
    BALKED,
    BLOCKED,
    CALLBACK_ACCEPTED,
    CALLBACK_DECLINED,
    CALLBACK_MISSED,
    DEFLECTED,
    IVR_ABANDONED,
    NO_CALLBACK,
    NOT_FOLLOWED,
    PENDING,
    REDIALLED,
    TRANSFERRED,
    UNRESOLVED,
    UNSERVED,
)
from ccsim.streams import FIRST, REDIAL, REPEAT, TRANSFER

__all__ = [
    "ABANDON",
    "ABANDONED",
    "ABSENT",
    "ANSWERED",
    "ARRIVE",
    "BALKED",
    "BLOCKED",
    "BREAK",
    "BREAK_END",
    "CALLBACK_ACCEPTED",
    "CALLBACK_DECLINED",
    "CALLBACK_MISSED",
    "CLOSE",
    "DEFLECTED",
    "DIAL_END",
    "DRAINING",
    "FIRST",
    "FOLLOW_UP",
    "F_ABANDONED",
    "F_ABANDONED_IN_SL",
    "F_ANSWERED",
    "F_ANSWERED_IN_SL",
    "F_ARRIVED",
    "F_BALKED",
    "F_BLOCKED",
    "F_CALLBACKS_ACCEPTED",
    "F_CALLBACKS_COMPLETED",
    "F_CALLBACKS_MISSED",
    "F_CALLBACKS_OFFERED",
    "F_CALLBACK_DELAY",
    "F_DEFLECTED",
    "F_HANDLE",
    "F_IVR_ABANDONED",
    "F_IVR_TIME",
    "F_LINE_TIME",
    "F_OFFERED",
    "F_QUEUED",
    "F_QUEUE_TIME",
    "F_REDIALLED",
    "F_REDIALS",
    "F_REPEATS",
    "F_TRANSFERRED",
    "F_TRANSFERS",
    "F_UNRESOLVED",
    "F_UNSERVED",
    "F_WAIT_ABANDONED",
    "F_WAIT_ANSWERED",
    "GROUP_FIELDS",
    "G_BUSY",
    "G_HANDLED",
    "G_STAFFED",
    "HANDOVER",
    "IVR_ABANDONED",
    "IVR_END",
    "JOIN",
    "LEAVE",
    "LONGEST_WAITING",
    "NOT_FOLLOWED",
    "NO_CALLBACK",
    "N_GROUP_FIELDS",
    "N_TYPE_FIELDS",
    "ON",
    "ON_BREAK",
    "OVERFLOW",
    "PENDING",
    "POLICIES",
    "POOL_BALK_U",
    "POOL_CALLBACK_U",
    "POOL_DIAL_TIME",
    "POOL_FOLLOW_U",
    "POOL_HANDLE",
    "POOL_IVR_TIME",
    "POOL_IVR_U",
    "POOL_NO_ANSWER_U",
    "POOL_PATIENCE",
    "POOL_REDIAL_DELAY",
    "POOL_REPEAT_DELAY",
    "POOL_TRANSFER_U",
    "POOL_WRAP_UP",
    "PRIORITY",
    "PRIORITY_AGE",
    "PRIORITY_ORDER",
    "PRIO_ABANDON",
    "PRIO_ARRIVAL",
    "PRIO_DEPARTURE",
    "PRIO_FOLLOW_UP",
    "PRIO_HANDOVER",
    "PRIO_IVR_END",
    "PRIO_OVERFLOW",
    "PRIO_ROSTER",
    "QUEUED",
    "REDIAL",
    "REDIALLED",
    "REPEAT",
    "ROSTER",
    "TALK_END",
    "TRANSFER",
    "TRANSFERRED",
    "TYPE_FIELDS",
    "UNRESOLVED",
    "UNSERVED",
    "VALUES",
    "WAIT_ABANDONED",
    "WAIT_ANSWERED",
    "WRAP_END",
]

# ------------------------------------------------------------------ contacts
#: The state of a contact waiting in a queue for an agent (while the day runs; a fate
#: when the run stops: abandoned or unserved).
QUEUED = -1

# -------------------------------------------------------------------- agents
# The state of an agent of a chat group: off, on the phones, on the phones but taking
# no new sessions (it owes a leave or a break), on a break.
ABSENT, ON, DRAINING, ON_BREAK = range(4)
# A group's routing policy (Plan.group_policy): which queued contact a free agent takes.
LONGEST_WAITING = POLICIES.index("longest_waiting")
PRIORITY_ORDER = POLICIES.index("priority")
PRIORITY_AGE = POLICIES.index("priority_age")

# -------------------------------------------------------------------- events
# Priorities, lower first at equal times: the tie-break rules of
# :mod:`ccsim.engines.reference`. Roster events and returns from breaks come first,
# then departures (ends of talk, of wrap-up, of dialling a callback), overflows (a
# waiting contact offered to the groups its wait now reaches), abandonments, ends of
# IVR, transferred contacts joining their next queue (handovers), arrivals and last
# follow-up arrivals. They start at 1 so that SimPy's stop event at the end of a run
# (URGENT, 0) precedes them all.
(PRIO_ROSTER, PRIO_DEPARTURE, PRIO_OVERFLOW, PRIO_ABANDON, PRIO_IVR_END, PRIO_HANDOVER,
 PRIO_ARRIVAL, PRIO_FOLLOW_UP) = range(1, 9)  # fmt: skip

# The kernel's kinds of event (4 bits of an event's key, :mod:`ccsim.engines.kernel.heap`).
(ARRIVE, IVR_END, ABANDON, TALK_END, WRAP_END, ROSTER, BREAK_END, FOLLOW_UP, DIAL_END,
 OVERFLOW, HANDOVER) = range(11)  # fmt: skip
#: The priority of each kind of event.
PRIORITY = (
    PRIO_ARRIVAL,  # ARRIVE
    PRIO_IVR_END,  # IVR_END
    PRIO_ABANDON,  # ABANDON
    PRIO_DEPARTURE,  # TALK_END
    PRIO_DEPARTURE,  # WRAP_END
    PRIO_ROSTER,  # ROSTER
    PRIO_ROSTER,  # BREAK_END
    PRIO_FOLLOW_UP,  # FOLLOW_UP
    PRIO_DEPARTURE,  # DIAL_END
    PRIO_OVERFLOW,  # OVERFLOW
    PRIO_HANDOVER,  # HANDOVER
)

# ------------------------------------------------------------------ counters
# Where each KPI counter sits in the last axis of the counter arrays (the order of
# ccsim.results.kpis.TYPE_FIELDS and GROUP_FIELDS).
F_ARRIVED = TYPE_FIELDS.index("arrived")
F_OFFERED = TYPE_FIELDS.index("offered")
F_ANSWERED = TYPE_FIELDS.index("answered")
F_ABANDONED = TYPE_FIELDS.index("abandoned")
F_BLOCKED = TYPE_FIELDS.index("blocked")
F_DEFLECTED = TYPE_FIELDS.index("deflected")
F_IVR_ABANDONED = TYPE_FIELDS.index("ivr_abandoned")
F_UNSERVED = TYPE_FIELDS.index("unserved")
F_QUEUED = TYPE_FIELDS.index("queued")
F_ANSWERED_IN_SL = TYPE_FIELDS.index("answered_in_sl")
F_ABANDONED_IN_SL = TYPE_FIELDS.index("abandoned_in_sl")
F_WAIT_ANSWERED = TYPE_FIELDS.index("wait_answered")
F_WAIT_ABANDONED = TYPE_FIELDS.index("wait_abandoned")
F_HANDLE = TYPE_FIELDS.index("handle")
F_LINE_TIME = TYPE_FIELDS.index("line_time")
F_IVR_TIME = TYPE_FIELDS.index("ivr_time")
F_QUEUE_TIME = TYPE_FIELDS.index("queue_time")
F_REDIALS = TYPE_FIELDS.index("redials")
F_REPEATS = TYPE_FIELDS.index("repeats")
F_REDIALLED = TYPE_FIELDS.index("redialled")
F_UNRESOLVED = TYPE_FIELDS.index("unresolved")
F_CALLBACKS_OFFERED = TYPE_FIELDS.index("callbacks_offered")
F_CALLBACKS_ACCEPTED = TYPE_FIELDS.index("callbacks_accepted")
F_CALLBACKS_COMPLETED = TYPE_FIELDS.index("callbacks_completed")
F_CALLBACKS_MISSED = TYPE_FIELDS.index("callbacks_missed")
F_CALLBACK_DELAY = TYPE_FIELDS.index("callback_delay")
F_BALKED = TYPE_FIELDS.index("balked")
F_TRANSFERS = TYPE_FIELDS.index("transfers")
F_TRANSFERRED = TYPE_FIELDS.index("transferred")
N_TYPE_FIELDS = len(TYPE_FIELDS)
G_BUSY = GROUP_FIELDS.index("busy")
G_STAFFED = GROUP_FIELDS.index("staffed")
G_HANDLED = GROUP_FIELDS.index("handled")
N_GROUP_FIELDS = len(GROUP_FIELDS)

# ---------------------------------------------------------- follow-up pool
# The rows of a follow-up pool's data (the order of FollowUpPool.COLUMNS).
POOL_HANDLE = FollowUpPool.COLUMNS.index("handle")
POOL_WRAP_UP = FollowUpPool.COLUMNS.index("wrap_up")
POOL_PATIENCE = FollowUpPool.COLUMNS.index("patience")
POOL_IVR_TIME = FollowUpPool.COLUMNS.index("ivr_time")
POOL_IVR_U = FollowUpPool.COLUMNS.index("ivr_u")
POOL_FOLLOW_U = FollowUpPool.COLUMNS.index("follow_u")
POOL_REDIAL_DELAY = FollowUpPool.COLUMNS.index("redial_delay")
POOL_REPEAT_DELAY = FollowUpPool.COLUMNS.index("repeat_delay")
POOL_CALLBACK_U = FollowUpPool.COLUMNS.index("callback_u")
POOL_NO_ANSWER_U = FollowUpPool.COLUMNS.index("no_answer_u")
POOL_DIAL_TIME = FollowUpPool.COLUMNS.index("dial_time")
POOL_BALK_U = FollowUpPool.COLUMNS.index("balk_u")
POOL_TRANSFER_U = FollowUpPool.COLUMNS.index("transfer_u")

#: Every code above by name (the constants the compiled code holds).
VALUES = {
    name: value
    for name, value in sorted(globals().items())
    if name.isupper() and isinstance(value, int | tuple)
}
