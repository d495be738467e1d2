"""The numba kernel: the SimPy engine's model, compiled, for large Monte Carlo runs.

The kernel is ``@njit`` code only: arrays in, arrays out. It follows
:mod:`ccsim.engines.reference` rule by rule, so that given the same plan and the same
contacts every contact meets the same fate at the same times.
:mod:`ccsim.engines.fast` is the public wrapper that prepares the arrays and runs
replications in parallel; the KPI counters of a replication are added up by
:mod:`ccsim.engines.counters`. The pieces:

* :mod:`~ccsim.engines.kernel.day`: the event loop of one replication, compiled;
* :mod:`~ccsim.engines.kernel.arrays`: the arrays it reads and writes, in named
  bundles;
* :mod:`~ccsim.engines.kernel.heap`: the event list, ordered like SimPy's queue;
* :mod:`~ccsim.engines.kernel.state`: the day's queues and agents before it starts;
* :mod:`~ccsim.engines.kernel.agents`: the staffing log, chat agents one by one, breaks;
* :mod:`~ccsim.engines.kernel.routing`: overflow timers, a group's own handle time,
  warm transfers;
* :mod:`~ccsim.engines.kernel.callbacks`: the callback offered to a contact that queues;
* :mod:`~ccsim.engines.kernel.followups`: whether a lost contact is redialled;
* :mod:`~ccsim.engines.kernel.inline`: how its helpers stay free of reference counts;
* :mod:`~ccsim.engines.kernel.jit`: numba's options, and the guard that keeps its
  on-disk cache from serving code compiled from older sources or codes.

Compiled code is cached on disk. Importing this package checks the cache against the
kernel's sources and codes (:func:`~ccsim.engines.kernel.jit.refresh_stale_caches`).
"""

from __future__ import annotations

from ccsim.engines import codes
from ccsim.engines.kernel import (
    agents,
    callbacks,
    day,
    followups,
    heap,
    inline,
    jit,
    routing,
    state,
)
from ccsim.engines.kernel.arrays import (
    CallbackPlan,
    Centre,
    Channels,
    Contacts,
    FollowUpPlan,
    Outputs,
    Pool,
    Roster,
    Work,
)
from ccsim.engines.kernel.heap import MAX_CONTACTS, heap_capacity

__all__ = ["MAX_CONTACTS", "STAMP", "CallbackPlan", "Centre", "Channels", "Contacts",
           "FollowUpPlan", "Outputs", "Pool", "Roster", "Work", "heap_capacity",
           "simulate_day"]  # fmt: skip

#: What the kernel's compiled code is made from: its sources and the codes' values.
STAMP = jit.digest(jit.SOURCES, codes.VALUES)
jit.refresh_stale_caches(
    __name__,
    jit.dispatchers_of(agents, callbacks, day, followups, heap, inline, routing, state),
    STAMP,
)


def simulate_day(
    *,
    contacts: Contacts,
    n_first: int,
    pool: Pool,
    roster: Roster,
    centre: Centre,
    follow_ups: FollowUpPlan,
    callbacks: CallbackPlan,
    channels: Channels,
    out: Outputs,
    work: Work,
) -> int:
    """Simulate one replication; fill the per-contact outputs and the staffing log.

    Parameters
    ----------
    contacts : Contacts
        The day's contacts: ``n_first`` first contacts, then room for the follow-ups
        the kernel creates.
    n_first : int
    pool : Pool
        The follow-up pool (empty without follow-ups).
    roster : Roster
        The day's roster.
    centre, follow_ups, callbacks, channels : Centre, FollowUpPlan, CallbackPlan, Channels
        The plan's tables.
    out : Outputs
        Written: the fate, group and times of every contact, the staffing log.
    work : Work
        Work space: the heap and the queues.

    Returns
    -------
    int
        The number of staffing-log rows written, or -1 when the follow-up pool ran out
        (grow it and run the replication again).

    Notes
    -----
    Each bundle may also be a plain tuple of its fields, in order. The bundles reach
    the compiled loop (:func:`ccsim.engines.kernel.day.simulate`, also
    ``simulate_day.__wrapped__``) as plain tuples and are named again inside: numba
    finds the types of a plain tuple's arrays in C at every call, of a named tuple's in
    Python (about 20 us more a call, 3 % of a multiskill-day replication).
    """
    return day.simulate(tuple(contacts), n_first, tuple(pool), tuple(roster), tuple(centre),
                        tuple(follow_ups), tuple(callbacks), tuple(channels), tuple(out),
                        tuple(work))  # fmt: skip


simulate_day.__wrapped__ = day.simulate  # type: ignore[attr-defined]
