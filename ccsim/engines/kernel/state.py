"""The state of one day in the kernel, set up before its first event.

Queues: each contact type's queue is a first-in first-out region of one buffer, with
room for every contact of the type, follow-ups included (a contact queues at most
once), so a queue is its head and tail (:func:`queues`). Agents: per group the idle
agents, those on the phones, the leaves and breaks owed to the roster (breaks in a
first-in first-out ring of their lengths), and for chat groups each agent's sessions
and state; per contact the chat agent who took it and its session's stretch
(:func:`agents`). Pending events: room for the most events one event can schedule
(:func:`pending`). A contact is *unanswered* until something happens to it
(:func:`unanswered`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines.codes import BREAK, PENDING
from ccsim.engines.kernel.jit import JIT

__all__ = ["agents", "pending", "queues", "unanswered"]


@njit(**JIT)
def queues(c_type, n, pool_off):
    """The head and tail of each type's queue, empty, in one buffer.

    Room for the type's first contacts among the ``n`` of ``c_type`` and for its
    entries of the follow-up pool (``pool_off``: where each type's entries start).
    """
    n_types = pool_off.shape[0] - 1
    size = np.zeros(n_types, np.int64)
    for c in range(n):
        size[c_type[c]] += 1
    q_head = np.empty(n_types, np.int64)
    start = 0
    for t in range(n_types):
        q_head[t] = start
        start += size[t] + pool_off[t + 1] - pool_off[t]
    return q_head, q_head.copy()


@njit(**JIT)
def agents(n_groups, most_agents, breaks, capacity, has_chat):
    """Agents before the first roster event: none on the phones, nothing owed.

    Returns per group: idle agents, agents on the phones (idle or busy, for predicted
    waits), leaves owed, the ring of owed breaks (room for ``breaks``) with its head
    and tail; per chat group and agent (``most_agents`` at most): sessions and state
    (ABSENT); per contact (``capacity``, if ``has_chat``): the chat agent who took it
    and its session's stretch.
    """
    idle = np.zeros(n_groups, np.int64)
    on_phones = np.zeros(n_groups, np.int64)
    owed_leave = np.zeros(n_groups, np.int64)
    b_buf = np.empty((n_groups, breaks + 1), np.float64)
    b_head = np.zeros(n_groups, np.int64)
    b_tail = np.zeros(n_groups, np.int64)
    a_cap = max(most_agents, 1)
    a_load = np.zeros((n_groups, a_cap), np.int64)
    a_state = np.zeros((n_groups, a_cap), np.int64)
    c_agent = np.full(capacity if has_chat else 0, -1, np.int64)
    c_factor = np.ones(capacity if has_chat else 0)
    return idle, on_phones, owed_leave, b_buf, b_head, b_tail, a_load, a_state, c_agent, c_factor


@njit(**JIT)
def pending(roster_kind, roster_count, max_k):
    """The pending list (times and keys), and the breaks of the roster, in agents.

    One event schedules at most: two events, plus, in a chat group (``max_k``
    sessions at most), an agent's sessions; a roster event one per agent it takes.
    """
    breaks = 0
    most = 2 + max_k
    for i in range(roster_kind.shape[0]):
        if roster_kind[i] == BREAK:
            breaks += roster_count[i]
        most = max(most, roster_count[i] * max_k + 2 + max_k)
    return np.empty(most, np.float64), np.empty(most, np.int64), breaks


@njit(**JIT)
def unanswered(c, fate, group, t_queued, t_answered, t_left, t_freed):
    """Contact ``c`` before anything happens to it: pending, no group, no times."""
    fate[c] = PENDING
    group[c] = -1
    t_queued[c] = np.nan
    t_answered[c] = np.nan
    t_left[c] = np.nan
    t_freed[c] = np.nan
