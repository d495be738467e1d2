"""Follow-ups in the kernel: whether a lost contact's customer redials, and a new contact.

A contact blocked or abandoned is redialled when its follow-up uniform falls below its
type's redial probability and its customer has redialled fewer times than allowed; the
redial arrives after the contact's unit delay times the type's mean delay in the
contact's arrival interval, if that is before the end of the horizon (as
:mod:`ccsim.engines.reference.followups` decides it). When a redial, a repeat contact
or a transfer arrives, the event loop (:mod:`ccsim.engines.kernel.day`) adds it after
the other contacts (:func:`new_contact`), its variates the next entry of its type's
follow-up pool (:mod:`ccsim.followups`). ``new_contact`` is ``forceinline`` and uses
every array on every path (:mod:`~ccsim.engines.kernel.inline`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines.codes import (
    NO_CALLBACK,
    NOT_FOLLOWED,
    POOL_BALK_U,
    POOL_CALLBACK_U,
    POOL_DIAL_TIME,
    POOL_FOLLOW_U,
    POOL_HANDLE,
    POOL_IVR_TIME,
    POOL_IVR_U,
    POOL_NO_ANSWER_U,
    POOL_PATIENCE,
    POOL_REDIAL_DELAY,
    POOL_REPEAT_DELAY,
    POOL_TRANSFER_U,
    POOL_WRAP_UP,
    REDIAL,
    REDIALLED,
    REPEAT,
    TRANSFER,
)
from ccsim.engines.kernel.inline import alive
from ccsim.engines.kernel.jit import JIT

__all__ = ["new_columns", "new_contact", "redial_delay"]


@njit(inline="always", **JIT)
def redial_delay(c, now, c_type, c_interval, c_follow_u, c_redial_u, c_redials, followed,
                 redial_p, redial_max, redial_mean, end):  # fmt: skip
    """A blocked or abandoned contact: the delay of its redial, or -1 for none.

    Marks it redialled when its customer decides to redial (even if the redial would
    come after the end of the horizon, when it is not made).
    """
    t = c_type[c]
    if c_redials[c] < redial_max[t] and c_follow_u[c] < redial_p[t]:
        followed[c] = REDIALLED
        delay = c_redial_u[c] * redial_mean[t, c_interval[c]]
        if now + delay < end:
            return delay
    return -1.0


@njit(forceinline=True, **JIT)
def new_contact(c, src, t, e, k, now, redial, handover, c_type, c_arrival, c_interval, c_handle,
                c_wrap, c_patience, c_ivr_time, c_deflect, c_ivr_abandon, c_follow_u, c_redial_u,
                c_repeat_u, c_kind, c_customer, c_redials, c_repeats, followed, pool_data,
                handle_mean, wrap_mean, patience_mean, ivr_mean, ivr_deflect,
                ivr_abandon):  # fmt: skip
    """Write contact ``c`` of type ``t``, following ``src`` now, from pool entry ``e``.

    A redial (``redial``), a repeat contact, or a transfer (``handover``: it skips the
    IVR); ``k`` is the interval it arrives in, whose means scale its variates. The
    columns only some plans have are :func:`new_columns`'.
    """
    c_type[c] = t
    c_arrival[c] = now
    c_interval[c] = k
    c_handle[c] = pool_data[POOL_HANDLE, e] * handle_mean[t, k]
    c_wrap[c] = pool_data[POOL_WRAP_UP, e] * wrap_mean[t, k]
    patience, mean = pool_data[POOL_PATIENCE, e], patience_mean[t, k]
    c_patience[c] = patience if patience == np.inf else patience * mean  # inf: never abandons
    ivr_time = pool_data[POOL_IVR_TIME, e] * ivr_mean[k]
    c_ivr_time[c] = 0.0 if handover else ivr_time
    u = pool_data[POOL_IVR_U, e]  # deflected, hangs up in the IVR, or neither
    deflect, hang_up = ivr_deflect[t], ivr_abandon[t]
    c_deflect[c] = not handover and u < deflect
    c_ivr_abandon[c] = not handover and deflect <= u and u < deflect + hang_up
    c_follow_u[c] = pool_data[POOL_FOLLOW_U, e]
    c_redial_u[c] = pool_data[POOL_REDIAL_DELAY, e]
    c_repeat_u[c] = pool_data[POOL_REPEAT_DELAY, e]
    c_kind[c] = TRANSFER if handover else (REDIAL if redial else REPEAT)
    c_customer[c] = c_customer[src]
    c_redials[c] = c_redials[src] + 1 if redial else 0
    c_repeats[c] = c_repeats[src] + (0 if redial or handover else 1)
    followed[c] = NOT_FOLLOWED


@njit(forceinline=True, **JIT)
def new_columns(c, t, e, k, c_callback_u, c_no_answer_u, c_dial, cb_state, cb_at, c_balk_u,
                c_transfer_u, c_gh, pool_data, pool_gh, dial_mean, pair_type,
                pair_mean):  # fmt: skip
    """A new contact's columns that only some plans have (written when not empty).

    Callbacks, balking, transfers, groups' own handle times.
    """
    if c_callback_u.shape[0] > 0:
        c_callback_u[c] = pool_data[POOL_CALLBACK_U, e]
        c_no_answer_u[c] = pool_data[POOL_NO_ANSWER_U, e]
        c_dial[c] = pool_data[POOL_DIAL_TIME, e] * dial_mean[t, k]
        cb_state[c] = NO_CALLBACK
        cb_at[c] = np.nan
    if c_balk_u.shape[0] > 0:
        c_balk_u[c] = pool_data[POOL_BALK_U, e]
    if c_transfer_u.shape[0] > 0:
        c_transfer_u[c] = pool_data[POOL_TRANSFER_U, e]
    for p in range(c_gh.shape[0]):  # the groups' own handle times for its type
        c_gh[p, c] = pool_gh[p, e] * pair_mean[p, k] if pair_type[p] == t else 0.0
    alive(c_callback_u, c_no_answer_u, c_dial, cb_state, cb_at, c_balk_u, c_transfer_u, c_gh,
          pool_data, pool_gh, dial_mean, pair_type, pair_mean)  # fmt: skip
