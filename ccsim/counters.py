"""The fast engine's KPI counters: one replication's contacts added up, compiled.

:func:`accumulate_day` follows :func:`ccsim.kpis.accumulate` definition by definition
(same counters, same intervals, same clipping to the counted window) on the arrays the
kernel (:mod:`ccsim.kernel`) fills, so that a run's memory does not grow with its
number of replications and both engines give the same counters.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.kernel import (
    _ABANDONED,
    _ANSWERED,
    _BLOCKED,
    _CALLBACK_ACCEPTED,
    _DEFLECTED,
    _IVR_ABANDONED,
    _JIT,
    _MISSED,
    _NO_CALLBACK,
    _REDIAL,
    _REDIALLED,
    _REPEAT,
    _UNRESOLVED,
    _UNSERVED,
)

# Type counter fields (as ccsim.kpis.TYPE_FIELDS).
(
    _F_ARRIVED,
    _F_OFFERED,
    _F_ANSWERED,
    _F_ABANDONED,
    _F_BLOCKED,
    _F_DEFLECTED,
    _F_IVR_ABANDONED,
    _F_UNSERVED,
    _F_QUEUED,
    _F_ANSWERED_IN_SL,
    _F_ABANDONED_IN_SL,
    _F_WAIT_ANSWERED,
    _F_WAIT_ABANDONED,
    _F_HANDLE,
    _F_LINE_TIME,
    _F_IVR_TIME,
    _F_QUEUE_TIME,
    _F_REDIALS,
    _F_REPEATS,
    _F_REDIALLED,
    _F_UNRESOLVED,
    _F_CALLBACKS_OFFERED,
    _F_CALLBACKS_ACCEPTED,
    _F_CALLBACKS_COMPLETED,
    _F_CALLBACKS_MISSED,
    _F_CALLBACK_DELAY,
) = range(26)
N_TYPE_FIELDS = 26
N_GROUP_FIELDS = 3


@njit(**_JIT)
def accumulate_day(
    n,
    c_type,
    c_arrival,
    c_interval,
    c_ivr_time,
    c_kind,
    fate,
    followed,
    c_dial,
    cb_state,
    cb_at,
    group,
    t_queued,
    t_answered,
    t_left,
    t_freed,
    staff_log,
    n_log,
    warmup,
    end,
    stop_time,
    interval,
    sl_threshold,
    type_voice,
    group_sessions,
    type_acc,
    group_acc,
):
    """Add one replication's ``n`` contacts and staffing log into the KPI counters.

    Same definitions as :func:`ccsim.kpis.accumulate`; ``type_acc`` is (types,
    intervals, N_TYPE_FIELDS) and ``group_acc`` (groups, intervals, N_GROUP_FIELDS).
    ``c_kind`` and ``followed`` are empty without follow-ups, ``c_dial``, ``cb_state``
    and ``cb_at`` without callbacks.
    """
    follow = c_kind.shape[0] > 0
    callbacks = cb_state.shape[0] > 0
    nk = type_acc.shape[1]
    for c in range(n):
        f = fate[c]
        if f == _ANSWERED or f == _MISSED:  # an agent worked on it
            g = group[c]
            start = t_answered[c]
            stop = t_freed[c]
            if np.isnan(stop):
                stop = end
            k0 = max(int(start / interval) - 1, 0)  # the loop skips intervals before start
            for k in range(k0, nk):
                lo = max(k * interval, warmup)
                hi = (k + 1) * interval
                if lo >= stop:
                    break
                overlap = min(stop, hi) - max(start, lo)
                if overlap > 0:  # a chat session occupies 1/k of its agent
                    group_acc[g, k, 0] += overlap * (1.0 / group_sessions[g])
        # time in queue, by time interval (all contacts, clipped to [warmup, end])
        if f == _ANSWERED or f == _MISSED:
            q_stop = t_answered[c]
            waited = q_stop > t_queued[c]
        else:
            q_stop = t_left[c] if not np.isnan(t_left[c]) else stop_time
            waited = f == _ABANDONED or (f == _UNSERVED and not np.isnan(t_queued[c]))
        if waited:
            q_start = t_queued[c]
            k0 = max(int(q_start / interval) - 1, 0)
            for k in range(k0, nk):
                lo = max(k * interval, warmup)
                hi = (k + 1) * interval
                if lo >= q_stop:
                    break
                overlap = min(q_stop, hi) - max(q_start, lo)
                if overlap > 0:
                    type_acc[c_type[c], k, _F_QUEUE_TIME] += overlap
        if c_arrival[c] < warmup:
            continue
        t = c_type[c]
        k = c_interval[c]
        type_acc[t, k, _F_ARRIVED] += 1
        if follow:
            if c_kind[c] == _REDIAL:
                type_acc[t, k, _F_REDIALS] += 1
            elif c_kind[c] == _REPEAT:
                type_acc[t, k, _F_REPEATS] += 1
            if followed[c] == _REDIALLED:
                type_acc[t, k, _F_REDIALLED] += 1
            elif followed[c] == _UNRESOLVED:
                type_acc[t, k, _F_UNRESOLVED] += 1
        if f != _BLOCKED and type_voice[t]:  # it held a line (and IVR port) until it left
            held = t_left[c] if not np.isnan(t_left[c]) else stop_time
            if callbacks and cb_state[c] == _CALLBACK_ACCEPTED:
                held = cb_at[c]  # it hung up when it accepted the callback
            type_acc[t, k, _F_LINE_TIME] += held - c_arrival[c]
            type_acc[t, k, _F_IVR_TIME] += c_ivr_time[c]
        if f == _ANSWERED:
            wait = t_answered[c] - t_queued[c]
        else:
            wait = t_left[c] - t_queued[c]
        if f == _ANSWERED or f == _ABANDONED or f == _BLOCKED or f == _UNSERVED or f == _MISSED:
            type_acc[t, k, _F_OFFERED] += 1
        if f == _ANSWERED:
            type_acc[t, k, _F_ANSWERED] += 1
            if wait > 0:
                type_acc[t, k, _F_QUEUED] += 1
            if wait <= sl_threshold[t]:
                type_acc[t, k, _F_ANSWERED_IN_SL] += 1
            type_acc[t, k, _F_WAIT_ANSWERED] += wait
            type_acc[t, k, _F_HANDLE] += t_freed[c] - t_answered[c]
            group_acc[group[c], k, 2] += 1
        elif f == _ABANDONED:
            type_acc[t, k, _F_ABANDONED] += 1
            type_acc[t, k, _F_QUEUED] += 1
            if wait <= sl_threshold[t]:
                type_acc[t, k, _F_ABANDONED_IN_SL] += 1
            type_acc[t, k, _F_WAIT_ABANDONED] += wait
        elif f == _BLOCKED:
            type_acc[t, k, _F_BLOCKED] += 1
        elif f == _DEFLECTED:
            type_acc[t, k, _F_DEFLECTED] += 1
        elif f == _IVR_ABANDONED:
            type_acc[t, k, _F_IVR_ABANDONED] += 1
        elif f == _UNSERVED:
            type_acc[t, k, _F_UNSERVED] += 1
            type_acc[t, k, _F_QUEUED] += 1
        elif f == _MISSED:
            type_acc[t, k, _F_QUEUED] += 1
        if callbacks and cb_state[c] != _NO_CALLBACK:
            type_acc[t, k, _F_CALLBACKS_OFFERED] += 1
            if cb_state[c] == _CALLBACK_ACCEPTED:
                type_acc[t, k, _F_CALLBACKS_ACCEPTED] += 1
                if f == _ANSWERED:
                    type_acc[t, k, _F_CALLBACKS_COMPLETED] += 1
                    type_acc[t, k, _F_CALLBACK_DELAY] += t_answered[c] + c_dial[c] - cb_at[c]
                elif f == _MISSED:
                    type_acc[t, k, _F_CALLBACKS_MISSED] += 1
    # staffed agent time: the staffing log is in time order; integrate per group
    n_groups = group_acc.shape[0]
    level = np.zeros(n_groups)
    last = np.zeros(n_groups)
    for r in range(n_log + 1):
        if r < n_log:
            t_now = staff_log[r, 0]
            g_now = int(staff_log[r, 1])
        else:
            t_now = np.inf
            g_now = -1
        for g in range(n_groups):
            if g_now >= 0 and g != g_now:
                continue
            if level[g] != 0:
                a = last[g]
                b = t_now
                k0 = max(int(a / interval) - 1, 0)
                for k in range(k0, nk):
                    lo = max(k * interval, warmup)
                    hi = (k + 1) * interval
                    if lo >= b:
                        break
                    overlap = min(b, hi) - max(a, lo)
                    if overlap > 0:
                        group_acc[g, k, 1] += overlap * level[g]
            last[g] = t_now
        if r < n_log:
            level[g_now] += staff_log[r, 2]
