"""Callbacks in the kernel: the offer made to a contact that must queue.

When a contact of a type with ``callback`` must queue, its predicted wait -- (contacts
of its type waiting + 1) x the type's mean handle time in the current interval /
agents on the phones in the type's routing groups (at least 1) -- is compared with the
threshold; above it the contact accepts when its uniform is below the acceptance
probability (:mod:`ccsim.engines.reference.centre`'s ``_offer_callback``). The event
loop (:mod:`~ccsim.engines.kernel.day`) then frees its line and queues it without a
patience timer; the agent who takes it dials first (``DIAL_END``).
``forceinline``, and every array used on every path
(:mod:`~ccsim.engines.kernel.inline`).
"""

from __future__ import annotations

from numba import njit

from ccsim.engines.codes import CALLBACK_ACCEPTED, CALLBACK_DECLINED
from ccsim.engines.kernel.inline import alive
from ccsim.engines.kernel.jit import JIT

__all__ = ["offer_callback"]


@njit(forceinline=True, **JIT)
def offer_callback(c, t, now, interval, type_groups, on_phones, waiting, handle_mean, threshold,
                   acceptance, c_callback_u, cb_state, cb_at):  # fmt: skip
    """Offer contact ``c`` of type ``t`` a callback if its predicted wait is long.

    Writes its callback state (declined, or accepted and when); returns whether it
    accepted.
    """
    staffed = 0  # agents on the phones in the routing groups
    for j in range(type_groups.shape[1]):
        g = type_groups[t, j]
        if g < 0:
            break
        staffed += on_phones[g]
    k = min(int(now / interval), handle_mean.shape[1] - 1)
    predicted = (waiting[t] + 1) * handle_mean[t, k] / max(staffed, 1)
    accepted = False
    if predicted > threshold[t]:
        if c_callback_u[c] >= acceptance[t]:
            cb_state[c] = CALLBACK_DECLINED
        else:
            cb_state[c] = CALLBACK_ACCEPTED  # it frees its line and keeps its place
            cb_at[c] = now
            accepted = True
    alive(type_groups, on_phones, waiting, handle_mean, threshold, acceptance, c_callback_u,
          cb_state, cb_at)  # fmt: skip
    return accepted
