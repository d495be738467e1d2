"""Agents in the kernel: chat agents one by one, and breaks.

Agents of a voice group are counts (idle, on the phones, owed leaves and breaks) kept
in the event loop (:mod:`ccsim.engines.kernel.day`). Agents of a chat group are kept
one by one, each with a state (:data:`~ccsim.engines.codes.ON`, ...) and a number of
sessions, as in :mod:`ccsim.engines.reference.agents`; a new session goes to the
least-loaded agent with room (:func:`least_loaded`). A break ends after its length,
or at closing time when the run has several days (:func:`break_end`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines.codes import ON
from ccsim.engines.kernel.jit import JIT

__all__ = ["break_end", "least_loaded"]


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


@njit(inline="always", **JIT)
def break_end(now, duration, day_len, end):
    """When a break started now ends: with several days, at closing time at the latest."""
    if day_len > 0:
        close = (np.floor(now / day_len) + 1.0) * day_len
        if close < end and now + duration > close:
            return close
    return now + duration
