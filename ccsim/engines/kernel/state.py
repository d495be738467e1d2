"""The state of one day in the kernel: set up before the first event, closed at its edges.

Queues: each contact type's queue is a first-in first-out region of one buffer, with
room for every contact of the type, follow-ups included (a contact queues at most
once), so a queue is its head and tail (:func:`queues`). Agents: per group the idle
agents, those on the phones, the leaves and breaks owed to the roster (breaks in a
first-in first-out ring of their lengths), and for chat groups each agent's sessions
and state; per contact the chat agent who took it and its session's stretch
(:func:`agents`). Pending events: room for the most events one event can schedule
(:func:`pending`). A contact is *unanswered* until something happens to it
(:func:`unanswered`, :func:`start`). Between two days the centre closes: real-time
contacts still waiting are turned away (:func:`close`). When the run stops, a contact
still queued has abandoned or is unserved (:func:`finish`).

:func:`close` runs inside the event loop and is inlined into it (``forceinline``): a
call there, even one that reference-counts nothing, made the whole loop 1-3 % slower
(registers kept across the call). The others run once, before or after the loop.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines.codes import (
    ABANDONED,
    BREAK,
    CALLBACK_ACCEPTED,
    NO_CALLBACK,
    NOT_FOLLOWED,
    PENDING,
    QUEUED,
    UNSERVED,
    WRAP_END,
)
from ccsim.engines.kernel.heap import schedule
from ccsim.engines.kernel.inline import alive
from ccsim.engines.kernel.jit import JIT

__all__ = ["agents", "close", "finish", "pending", "queues", "start", "unanswered"]


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

    One event schedules at most: two events of its own, two for the contact that asks
    for an agent (its talk and its first agent's release, or its patience and overflow
    timers), and two for each contact the agents it frees take: in a chat group
    (``max_k`` sessions at most) an agent's sessions; a roster event's agents each.
    """
    breaks = 0
    most = 4 + 2 * max_k
    for i in range(roster_kind.shape[0]):
        if roster_kind[i] == BREAK:
            breaks += roster_count[i]
        most = max(most, 2 * roster_count[i] * max_k + 4 + 2 * max_k)
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


@njit(**JIT)
def start(n, follow, has_callbacks, fate, group, t_queued, t_answered, t_left, t_freed,
          followed, cb_state, cb_at):  # fmt: skip
    """The first ``n`` contacts before the first event: nothing happened to them yet."""
    for c in range(n):
        unanswered(c, fate, group, t_queued, t_answered, t_left, t_freed)
        if follow:
            followed[c] = NOT_FOLLOWED
        if has_callbacks:
            cb_state[c] = NO_CALLBACK
            cb_at[c] = np.nan


@njit(forceinline=True, **JIT)
def close(now, lazy, has_callbacks, type_email, type_voice, q_head, q_tail, q_buf, fate,
          t_queued, c_patience, t_left, cb_state, waiting, b_head, b_tail, c_src, c_wrap,
          pend_t, pend_k, n_pend, seq):  # fmt: skip
    """Closing time between two days: waiting real-time contacts are turned away.

    The e-mail backlog is carried over to the next day; breaks still owed are not
    taken the next day. A first agent waiting on a transferred contact turned away
    goes to its wrap-up (``c_src``: each contact's first contact, or -1; empty without
    such transfers). Returns how many contacts left their trunk lines, the pending
    list's length and the next insertion number.
    """
    freed = 0
    for t in range(q_head.shape[0]):
        if type_email[t]:
            continue
        while q_head[t] < q_tail[t]:
            c = q_buf[q_head[t]]
            q_head[t] += 1
            if fate[c] != QUEUED:
                continue
            deadline = t_queued[c] + c_patience[c]
            if lazy and deadline < now:  # it had abandoned (found lazily)
                fate[c] = ABANDONED
                t_left[c] = deadline
                continue
            fate[c] = UNSERVED
            t_left[c] = now
            if type_voice[t] and not (has_callbacks and cb_state[c] == CALLBACK_ACCEPTED):
                freed += 1
            if c_src.shape[0] > 0 and c_src[c] >= 0:  # its first agent's wrap-up
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + c_wrap[c_src[c]],
                                       WRAP_END, c_src[c])  # fmt: skip
                c_src[c] = -1
        waiting[t] = 0
    for g in range(b_head.shape[0]):
        b_head[g] = b_tail[g]
    alive(type_email, type_voice, q_tail, q_buf, fate, t_queued, c_patience, t_left, cb_state,
          waiting, c_src, c_wrap, pend_t, pend_k)  # fmt: skip
    return freed, n_pend, seq


@njit(**JIT)
def finish(n_all, lazy, stop_time, fate, t_queued, c_patience, t_left):
    """The fates when the run stops: still queued, abandoned (if found lazily) or unserved."""
    for c in range(n_all):
        if fate[c] == QUEUED and lazy and t_queued[c] + c_patience[c] < stop_time:
            fate[c] = ABANDONED
            t_left[c] = t_queued[c] + c_patience[c]
        elif fate[c] == QUEUED or fate[c] == PENDING:
            fate[c] = UNSERVED
