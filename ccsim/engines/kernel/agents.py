"""Agents in the kernel: the staffing log, breaks, and chat agents one by one.

Agents of a voice group are counts (idle, on the phones, owed leaves and breaks) kept
in the event loop (:mod:`ccsim.engines.kernel.day`). Agents of a chat group are kept
one by one, each with a state (:data:`~ccsim.engines.codes.ON`, ...) and a number of
sessions, as in :mod:`ccsim.engines.reference.agents`; a new session goes to the
least-loaded agent with room (:func:`least_loaded`). Every change of a group's head
count on the phones is written to the staffing log (:func:`staff`). A break ends after
its length, or at closing time when the run has several days (:func:`break_end`,
:func:`start_break`).

Small plain ``@njit`` functions, inlined by LLVM into the event loop, but
:func:`least_loaded`: with its loop LLVM would not inline it at its four call sites, so
numba inlines it (``inline="always"``). A chat group's roster events
(:func:`chat_roster`) and what follows the end of one of its sessions
(:func:`session_end`) are ``forceinline`` and end with :func:`~ccsim.engines.kernel.
inline.alive`: they leave no reference count in the event loop.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines.codes import ABSENT, BREAK, BREAK_END, DRAINING, JOIN, ON, ON_BREAK
from ccsim.engines.kernel.heap import schedule
from ccsim.engines.kernel.inline import alive
from ccsim.engines.kernel.jit import JIT

__all__ = ["break_end", "chat_roster", "least_loaded", "session_end", "staff", "start_break"]


@njit(**JIT)
def staff(staff_log, n_log, on_phones, now, g, delta):
    """``delta`` agents of group ``g`` come on (+) or go off (-) the phones now.

    Writes row ``n_log`` of the staffing log (time, group, change); returns the log's
    new length.
    """
    staff_log[n_log, 0] = now
    staff_log[n_log, 1] = g
    staff_log[n_log, 2] = delta
    on_phones[g] += delta
    return n_log + 1


@njit(inline="always", **JIT)
def least_loaded(a_state, a_load, g, n_agents, low, high):
    """The least-loaded agent of chat group ``g`` on the phones, not draining.

    Only agents with ``low`` <= sessions < ``high``; ties: the lowest index; -1: none
    (the reference engine's ``_least_loaded``).
    """
    best = -1
    for a in range(n_agents):
        load = a_load[g, a]
        if a_state[g, a] == ON and low <= load and load < high:
            if best < 0 or load < a_load[g, best]:
                best = a
    return best


@njit(**JIT)
def break_end(now, duration, day_len, end):
    """When a break started now ends: with several days, at closing time at the latest."""
    if day_len > 0:
        close = (np.floor(now / day_len) + 1.0) * day_len
        if close < end and now + duration > close:
            return close
    return now + duration


@njit(**JIT)
def start_break(staff_log, n_log, on_phones, pend_t, pend_k, n_pend, seq, now, g, duration,
                day_len, end, arg):  # fmt: skip
    """An agent of group ``g`` goes on a break of ``duration`` now.

    Off the phones until the break ends (event ``BREAK_END`` for ``arg``: the group, or
    agent and group of a chat group). Returns the staffing log's new length, the pending
    list's length and the next insertion number.
    """
    n_log = staff(staff_log, n_log, on_phones, now, g, -1)
    back = break_end(now, duration, day_len, end)
    n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, back, BREAK_END, arg)
    return n_log, n_pend, seq


@njit(forceinline=True, **JIT)
def chat_roster(kind, g, count, duration, a_state, a_load, owed_leave, n_agents, staff_log, n_log,
                on_phones, pend_t, pend_k, n_pend, seq, now, day_len, end, n_groups):  # fmt: skip
    """A roster event of chat group ``g``: its agents one by one (``_chat_roster``).

    JOIN: owed leaves are cancelled, then absent agents come on. LEAVE, BREAK: agents
    with no session go (or go on their break) at once. Returns how many did, the
    staffing log's length, the pending list's length and the next insertion number;
    what the others owe is the caller's.
    """
    now_idle = 0
    if kind == JOIN:
        cancelled = min(count, owed_leave[g])
        owed_leave[g] -= cancelled
        joined = 0
        for a in range(n_agents):
            if joined == count - cancelled:
                break
            if a_state[g, a] == ABSENT:
                a_state[g, a] = ON
                joined += 1
        if joined > 0:
            n_log = staff(staff_log, n_log, on_phones, now, g, joined)
    else:
        for a in range(n_agents):
            if now_idle == count:
                break
            if a_state[g, a] == ON and a_load[g, a] == 0:
                now_idle += 1
                if kind == BREAK:
                    a_state[g, a] = ON_BREAK
                    n_log, n_pend, seq = start_break(staff_log, n_log, on_phones, pend_t, pend_k,
                                                     n_pend, seq, now, g, duration, day_len, end,
                                                     a * n_groups + g)  # fmt: skip
                else:
                    a_state[g, a] = ABSENT
    alive(a_state, a_load, owed_leave, staff_log, on_phones, pend_t, pend_k)
    return now_idle, n_log, n_pend, seq


@njit(forceinline=True, **JIT)
def session_end(g, a, a_state, a_load, owed_leave, b_buf, b_head, b_tail, n_agents, sessions,
                staff_log, n_log, on_phones, pend_t, pend_k, n_pend, seq, now, day_len, end,
                n_groups):  # fmt: skip
    """A chat group ``g`` after a session of agent ``a`` ended (``a`` -1: none did).

    The agent pays a debt of the group if its load fell to 0 (a leave, else a break);
    then as many agents are draining as the group owes (``_session_end``,
    ``_designate``). Returns the staffing log's length, the pending list's length and
    the next insertion number.
    """
    b_cap = b_buf.shape[1]
    if a >= 0:
        a_load[g, a] -= 1
        if a_load[g, a] == 0:
            if owed_leave[g] > 0:
                owed_leave[g] -= 1
                a_state[g, a] = ABSENT
                n_log = staff(staff_log, n_log, on_phones, now, g, -1)
            elif b_tail[g] > b_head[g]:
                duration = b_buf[g, b_head[g] % b_cap]
                b_head[g] += 1
                a_state[g, a] = ON_BREAK
                n_log, n_pend, seq = start_break(staff_log, n_log, on_phones, pend_t, pend_k,
                                                 n_pend, seq, now, g, duration, day_len, end,
                                                 a * n_groups + g)  # fmt: skip
            elif a_state[g, a] == DRAINING:
                a_state[g, a] = ON  # the debt was cancelled meanwhile
    debt = owed_leave[g] + b_tail[g] - b_head[g]
    draining = 0
    for b in range(n_agents):
        if a_state[g, b] == DRAINING:
            draining += 1
    for b in range(n_agents - 1, -1, -1):  # owing less: the last ones back on
        if draining <= debt:
            break
        if a_state[g, b] == DRAINING:
            a_state[g, b] = ON
            draining -= 1
    while draining < debt:  # busy agents (idle ones pay at once)
        best = least_loaded(a_state, a_load, g, n_agents, 1, sessions + 1)
        if best < 0:
            break
        a_state[g, best] = DRAINING
        draining += 1
    alive(a_state, a_load, owed_leave, b_buf, b_head, b_tail, staff_log, on_phones, pend_t, pend_k)
    return n_log, n_pend, seq
