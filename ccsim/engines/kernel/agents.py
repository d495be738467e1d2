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
numba inlines it (``inline="always"``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines.codes import BREAK_END, ON
from ccsim.engines.kernel.heap import schedule
from ccsim.engines.kernel.jit import JIT

__all__ = ["break_end", "least_loaded", "staff", "start_break"]


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
