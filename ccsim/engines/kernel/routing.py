"""Routing in the kernel: overflow timers, a group's own handle time, warm transfers.

The routing rules of :mod:`ccsim.engines.reference.routing` live in the event loop
(:mod:`~ccsim.engines.kernel.day`), which asks the groups of a type's routing order
whether they may take a contact now (its wait reaches the group's delay; the group
keeps its reserved idle agents) and lets a freed agent pick by its group's policy.
The pieces here run only in plans that use these features (the loop is compiled
without them otherwise, ``arrays.Centre.rich``): when a waiting contact's wait reaches
the next group's delay (:func:`next_overflow`), the handle time of a group that has
its own for the type (:func:`own_handle`), and the release of a first agent waiting on
the line of a warm transfer (:func:`release`). ``forceinline``, every array used on
every path (:mod:`~ccsim.engines.kernel.inline`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines.codes import OVERFLOW, WRAP_END
from ccsim.engines.kernel.heap import schedule
from ccsim.engines.kernel.inline import alive
from ccsim.engines.kernel.jit import JIT

__all__ = ["next_overflow", "own_handle", "release"]


@njit(forceinline=True, **JIT)
def next_overflow(c, t, now, t_queued, overflow_after, pend_t, pend_k, n_pend, seq):
    """Schedule the moment contact ``c``'s wait reaches the next delay of its type.

    ``overflow_after[t]``: the type's distinct delays, ascending, inf after. Returns the
    pending list's length and the next insertion number.
    """
    for m in range(overflow_after.shape[1]):
        after = overflow_after[t, m]
        if t_queued[c] + after > now:  # (inf: no more)
            if after < np.inf:
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, t_queued[c] + after,
                                       OVERFLOW, c)  # fmt: skip
            break
    alive(t_queued, overflow_after, pend_t, pend_k)
    return n_pend, seq


@njit(forceinline=True, **JIT)
def own_handle(c, t, g, c_handle, c_gh, pair_row, handle_factor):
    """Contact ``c``'s handle time with group ``g``: its own draw, or the type's x factor."""
    p = pair_row[t, g]
    handle = c_handle[c] * handle_factor[t, g]
    if p >= 0:
        handle = c_gh[p, c]
    alive(c_gh)
    return handle


@njit(forceinline=True, **JIT)
def release(c, now, c_src, c_wrap, pend_t, pend_k, n_pend, seq):
    """Contact ``c`` is answered or gone: its first agent, if waiting, does its wrap-up.

    Returns the pending list's length and the next insertion number.
    """
    src = c_src[c]
    if src >= 0:
        n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + c_wrap[src], WRAP_END, src)
        c_src[c] = -1
    alive(c_src, c_wrap, pend_t, pend_k)
    return n_pend, seq
