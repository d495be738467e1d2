"""The fast engine's KPI counters: one replication's contacts added up, compiled.

:func:`accumulate_day` follows :func:`ccsim.results.kpis.accumulate` definition by definition
(same counters, same intervals, same clipping to the counted window, the same
waiting-time histograms) on the arrays the kernel (:mod:`ccsim.engines.kernel`) fills,
so that a run's memory does not grow with its number of replications and both engines
give the same counters. :func:`day_arguments` gathers its arguments from the fast
engine's buffers.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit

from ccsim.engines import kernel
from ccsim.engines.codes import (
    ABANDONED,
    ANSWERED,
    BALKED,
    BLOCKED,
    CALLBACK_ACCEPTED,
    CALLBACK_MISSED,
    DEFLECTED,
    F_ABANDONED,
    F_ABANDONED_IN_SL,
    F_ANSWERED,
    F_ANSWERED_IN_SL,
    F_ARRIVED,
    F_BALKED,
    F_BLOCKED,
    F_CALLBACK_DELAY,
    F_CALLBACKS_ACCEPTED,
    F_CALLBACKS_COMPLETED,
    F_CALLBACKS_MISSED,
    F_CALLBACKS_OFFERED,
    F_DEFLECTED,
    F_HANDLE,
    F_IVR_ABANDONED,
    F_IVR_TIME,
    F_LINE_TIME,
    F_OFFERED,
    F_QUEUE_TIME,
    F_QUEUED,
    F_REDIALLED,
    F_REDIALS,
    F_REPEATS,
    F_TRANSFERRED,
    F_TRANSFERS,
    F_UNRESOLVED,
    F_UNSERVED,
    F_WAIT_ABANDONED,
    F_WAIT_ANSWERED,
    G_BUSY,
    G_HANDLED,
    G_STAFFED,
    IVR_ABANDONED,
    N_GROUP_FIELDS,
    N_TYPE_FIELDS,
    NO_CALLBACK,
    REDIAL,
    REDIALLED,
    REPEAT,
    TRANSFER,
    TRANSFERRED,
    UNRESOLVED,
    UNSERVED,
    WAIT_ABANDONED,
    WAIT_ANSWERED,
)
from ccsim.engines.kernel import jit
from ccsim.engines.kernel.jit import JIT
from ccsim.results.kpis import WAIT_EDGES

__all__ = ["N_GROUP_FIELDS", "N_TYPE_FIELDS", "accumulate_day", "day_arguments", "linear_edges"]


@njit(inline="always")
def _first_interval(t, interval, per_interval):
    """The interval holding time ``t >= 0``, or the one before it.

    ``t * per_interval`` (``per_interval = 1 / interval``) can round up to the next
    integer when ``t`` lies just below an interval's start, hence the check: every
    interval before the result ends at or before ``t``, so a span starting at ``t``
    has no overlap with it. (One too low costs an extra step with no overlap.)
    """
    k = int(t * per_interval)
    if k > 0 and k * interval > t:
        k -= 1
    return k


def linear_edges(edges: np.ndarray) -> float:
    """Below what wait the bin of a wait is its whole seconds (edges 0, 1, 2, ... s).

    ``edges[:m]`` are 0, 1, ..., m - 1: a wait in [0, m - 1) is in bin ``int(wait)``,
    as ``searchsorted(edges, wait, "right") - 1`` says, without the search.
    """
    m = 0
    while m < len(edges) and edges[m] == m:
        m += 1
    return float(max(m - 1, 0))


def day_arguments(plan, out: dict, n: int, n_log: int) -> tuple:  # noqa: ANN001 - a Plan
    """The arguments of :func:`accumulate_day` but its outputs, from the fast engine's buffers.

    ``out`` as :func:`ccsim.engines.fast._run` fills it; ``n`` contacts, ``n_log`` rows
    of the staffing log.
    """
    c = out["contacts"]
    return (
        n, c["type"], c["arrival"], c["interval"], c["ivr_time"], c["kind"], out["fate"],
        out["followed"], c["dial_time"], out["callback"], out["callback_at"], out["group"],
        out["queued"], out["answered"], out["left"], out["freed"], out["log"], n_log,
        plan.warmup, plan.end, plan.end + plan.max_drain, plan.interval, plan.sl_threshold,
        plan.type_voice, plan.group_sessions, WAIT_EDGES, _LINEAR,
    )  # fmt: skip


@njit(inline="always")
def _wait_bin(wait, edges, linear):
    """The histogram bin of a wait: ``searchsorted(edges, wait, "right") - 1``."""
    if wait < linear:
        return int(wait)
    return np.searchsorted(edges, wait, side="right") - 1


@njit(inline="always")
def _load_cell(type_acc, t, k):
    """The counters of a (type, interval) cell that accumulate_day keeps in variables.

    While consecutive contacts fall in the same cell their sums stay in registers and
    are written back when the cell changes: the same additions in the same order.
    """
    a = type_acc[t, k]
    return (
        a[F_ARRIVED],
        a[F_OFFERED],
        a[F_ANSWERED],
        a[F_ABANDONED],
        a[F_QUEUED],
        a[F_ANSWERED_IN_SL],
        a[F_ABANDONED_IN_SL],
        a[F_WAIT_ANSWERED],
        a[F_WAIT_ABANDONED],
        a[F_HANDLE],
        a[F_LINE_TIME],
        a[F_IVR_TIME],
    )


@njit(inline="always")
def _store_cell(type_acc, t, k, values):
    """Write back what :func:`_load_cell` loaded, in its order."""
    a = type_acc[t, k]
    a[F_ARRIVED] = values[0]
    a[F_OFFERED] = values[1]
    a[F_ANSWERED] = values[2]
    a[F_ABANDONED] = values[3]
    a[F_QUEUED] = values[4]
    a[F_ANSWERED_IN_SL] = values[5]
    a[F_ABANDONED_IN_SL] = values[6]
    a[F_WAIT_ANSWERED] = values[7]
    a[F_WAIT_ABANDONED] = values[8]
    a[F_HANDLE] = values[9]
    a[F_LINE_TIME] = values[10]
    a[F_IVR_TIME] = values[11]


@njit(**JIT)
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
    wait_edges,
    linear,
    type_acc,
    group_acc,
    wait_hist,
):
    """Add one replication's ``n`` contacts and staffing log into the KPI counters.

    Same definitions as :func:`ccsim.results.kpis.accumulate`; ``type_acc`` is (types,
    intervals, N_TYPE_FIELDS), ``group_acc`` (groups, intervals, N_GROUP_FIELDS) and
    ``wait_hist`` (types, 2, len(wait_edges)), int64: the counted contacts' waits,
    answered and abandoned, binned by ``wait_edges`` (``linear``: see
    :func:`linear_edges`). ``c_kind`` and ``followed`` are empty without follow-ups,
    ``c_dial``, ``cb_state`` and ``cb_at`` without callbacks.

    Returns what :func:`ccsim.results.kpis.capacity_notes` needs, found on the way: the number
    of unserved contacts and the last time a contact left the queue (answered or
    abandoned; ``end`` if none did later), warm-up contacts included.

    Time spans (busy, in queue, staffed) are cut at the counted intervals
    ``[max(k * interval, warmup), (k + 1) * interval)``: the overlap with each is
    ``min(stop, hi) - max(start, lo)`` and only a positive one is added. A span starts
    at the interval holding its start and stops at the one holding its end, so a span
    inside one interval (most of them) costs a single step; the same overlaps are
    added in the same order as a loop over every interval would.
    """
    follow = c_kind.shape[0] > 0
    callbacks = cb_state.shape[0] > 0
    nk = type_acc.shape[1]
    # the counted part of each interval: [lo_edge[k], hi_edge[k])
    lo_edge = np.empty(nk)
    hi_edge = np.empty(nk)
    per_interval = 1.0 / interval
    for k in range(nk):
        lo_edge[k] = max(k * interval, warmup)
        hi_edge[k] = (k + 1) * interval
    share = np.empty(group_acc.shape[0])  # a chat session occupies 1/k of its agent
    for g in range(group_acc.shape[0]):
        share[g] = 1.0 / group_sessions[g]
    cell_t = -1  # the (type, interval) cell whose counters are in local variables
    at_once = 0  # and its contacts answered at once (the first bin of the histogram)
    cell_k = 0
    arrived = offered = answered = abandoned = queued = 0.0
    answered_in_sl = abandoned_in_sl = wait_answered = wait_abandoned = 0.0
    handle = line_time = ivr_time = 0.0
    handled_g = -1  # the same for the (group, interval) cell of handled contacts
    handled_k = 0
    handled = 0.0
    busy_g = -1  # and for busy time by (group, interval), queue time by (type, interval)
    busy_k = 0
    busy = 0.0
    queue_t = -1
    queue_k = 0
    in_queue = 0.0
    unserved = 0
    last_out = end  # of the queue
    for c in range(n):
        f = fate[c]
        t = c_type[c]
        if f == ANSWERED:
            if t_answered[c] > last_out:
                last_out = t_answered[c]
        elif f == ABANDONED:
            if t_left[c] > last_out:
                last_out = t_left[c]
        elif f == UNSERVED and np.isnan(t_left[c]):  # (not those turned away at closing)
            unserved += 1
        worked = f == ANSWERED or f == CALLBACK_MISSED  # an agent worked on it
        if worked:
            g = group[c]
            start = t_answered[c]
            stop = t_freed[c]
            if np.isnan(stop):
                stop = end
            k = _first_interval(start, interval, per_interval)
            while k < nk:  # busy agent time, by time interval
                lo = lo_edge[k]
                if lo >= stop:
                    break
                hi = hi_edge[k]
                overlap = min(stop, hi) - max(start, lo)
                if overlap > 0:
                    if g != busy_g or k != busy_k:
                        if busy_g >= 0:
                            group_acc[busy_g, busy_k, G_BUSY] = busy
                        busy_g = g
                        busy_k = k
                        busy = group_acc[g, k, G_BUSY]
                    busy += overlap * share[g]
                if stop <= hi:
                    break
                k += 1
            q_stop = start
            waited = q_stop > t_queued[c]
        else:
            q_stop = t_left[c] if not np.isnan(t_left[c]) else stop_time
            waited = f == ABANDONED or (f == UNSERVED and not np.isnan(t_queued[c]))
        if waited:  # time in queue, by time interval (clipped to [warmup, end])
            q_start = t_queued[c]
            k = _first_interval(q_start, interval, per_interval)
            while k < nk:
                lo = lo_edge[k]
                if lo >= q_stop:
                    break
                hi = hi_edge[k]
                overlap = min(q_stop, hi) - max(q_start, lo)
                if overlap > 0:
                    if t != queue_t or k != queue_k:
                        if queue_t >= 0:
                            type_acc[queue_t, queue_k, F_QUEUE_TIME] = in_queue
                        queue_t = t
                        queue_k = k
                        in_queue = type_acc[t, k, F_QUEUE_TIME]
                    in_queue += overlap
                if q_stop <= hi:
                    break
                k += 1
        if c_arrival[c] < warmup:
            continue
        k = c_interval[c]
        if t != cell_t or k != cell_k:  # another cell: write back, load the new one
            if cell_t >= 0:
                cell = (arrived, offered, answered, abandoned, queued, answered_in_sl,
                        abandoned_in_sl, wait_answered, wait_abandoned, handle, line_time,
                        ivr_time)  # fmt: skip
                _store_cell(type_acc, cell_t, cell_k, cell)
                wait_hist[cell_t, WAIT_ANSWERED, 0] += at_once
                at_once = 0
            cell_t = t
            cell_k = k
            (arrived, offered, answered, abandoned, queued, answered_in_sl, abandoned_in_sl,
             wait_answered, wait_abandoned, handle, line_time, ivr_time) = _load_cell(
                type_acc, t, k)  # fmt: skip
        arrived += 1
        if follow:
            if c_kind[c] == REDIAL:
                type_acc[t, k, F_REDIALS] += 1
            elif c_kind[c] == REPEAT:
                type_acc[t, k, F_REPEATS] += 1
            elif c_kind[c] == TRANSFER:
                type_acc[t, k, F_TRANSFERS] += 1
            if followed[c] == REDIALLED:
                type_acc[t, k, F_REDIALLED] += 1
            elif followed[c] == UNRESOLVED:
                type_acc[t, k, F_UNRESOLVED] += 1
            elif followed[c] == TRANSFERRED:
                type_acc[t, k, F_TRANSFERRED] += 1
        if f != BLOCKED and type_voice[t]:  # it held a line (and IVR port) until it left
            held = t_left[c] if not np.isnan(t_left[c]) else stop_time
            if callbacks and cb_state[c] == CALLBACK_ACCEPTED:
                held = cb_at[c]  # it hung up when it accepted the callback
            line_time += held - c_arrival[c]
            ivr_time += c_ivr_time[c]
        if f == ANSWERED:
            wait = t_answered[c] - t_queued[c]
            offered += 1
            answered += 1
            if wait > 0:
                queued += 1
            if wait <= sl_threshold[t]:
                answered_in_sl += 1
            wait_answered += wait
            if wait == 0.0:  # (most, in a centre that keeps up: counted in a variable)
                at_once += 1
            else:
                wait_hist[t, WAIT_ANSWERED, _wait_bin(wait, wait_edges, linear)] += 1
            handle += (stop_time if np.isnan(t_freed[c]) else t_freed[c]) - t_answered[c]
            g = group[c]
            if g != handled_g or k != handled_k:
                if handled_g >= 0:
                    group_acc[handled_g, handled_k, G_HANDLED] = handled
                handled_g = g
                handled_k = k
                handled = group_acc[g, k, G_HANDLED]
            handled += 1
        elif f == ABANDONED:
            wait = t_left[c] - t_queued[c]
            offered += 1
            abandoned += 1
            queued += 1
            if wait <= sl_threshold[t]:
                abandoned_in_sl += 1
            wait_abandoned += wait
            wait_hist[t, WAIT_ABANDONED, _wait_bin(wait, wait_edges, linear)] += 1
        elif f == BALKED:  # it found no idle agent: offered, never answered
            offered += 1
            queued += 1
            type_acc[t, k, F_BALKED] += 1
        elif f == BLOCKED:
            offered += 1
            type_acc[t, k, F_BLOCKED] += 1
        elif f == DEFLECTED:
            type_acc[t, k, F_DEFLECTED] += 1
        elif f == IVR_ABANDONED:
            type_acc[t, k, F_IVR_ABANDONED] += 1
        elif f == UNSERVED:
            offered += 1
            type_acc[t, k, F_UNSERVED] += 1
            queued += 1
        elif f == CALLBACK_MISSED:
            offered += 1
            queued += 1
        if callbacks and cb_state[c] != NO_CALLBACK:
            type_acc[t, k, F_CALLBACKS_OFFERED] += 1
            if cb_state[c] == CALLBACK_ACCEPTED:
                type_acc[t, k, F_CALLBACKS_ACCEPTED] += 1
                if f == ANSWERED:
                    type_acc[t, k, F_CALLBACKS_COMPLETED] += 1
                    type_acc[t, k, F_CALLBACK_DELAY] += t_answered[c] + c_dial[c] - cb_at[c]
                elif f == CALLBACK_MISSED:
                    type_acc[t, k, F_CALLBACKS_MISSED] += 1
    if cell_t >= 0:
        cell = (arrived, offered, answered, abandoned, queued, answered_in_sl, abandoned_in_sl,
                wait_answered, wait_abandoned, handle, line_time, ivr_time)  # fmt: skip
        _store_cell(type_acc, cell_t, cell_k, cell)
        wait_hist[cell_t, WAIT_ANSWERED, 0] += at_once
    if handled_g >= 0:
        group_acc[handled_g, handled_k, G_HANDLED] = handled
    if busy_g >= 0:
        group_acc[busy_g, busy_k, G_BUSY] = busy
    if queue_t >= 0:
        type_acc[queue_t, queue_k, F_QUEUE_TIME] = in_queue
    # staffed agent time: the staffing log is in time order; each group's head count is
    # a step function, integrated from one of its changes to the next
    n_groups = group_acc.shape[0]
    level = np.zeros(n_groups)
    last = np.zeros(n_groups)
    for r in range(n_log + 1):
        if r < n_log:
            t_now = staff_log[r, 0]
            g_first = int(staff_log[r, 1])
            g_stop = g_first + 1
        else:  # after the last change: every group to the end
            t_now = np.inf
            g_first = 0
            g_stop = n_groups
        for g in range(g_first, g_stop):
            a = last[g]
            if level[g] != 0 and t_now > a:
                k = _first_interval(a, interval, per_interval)
                while k < nk:
                    lo = lo_edge[k]
                    if lo >= t_now:
                        break
                    hi = hi_edge[k]
                    overlap = min(t_now, hi) - max(a, lo)
                    if overlap > 0:
                        group_acc[g, k, G_STAFFED] += overlap * level[g]
                    if t_now <= hi:
                        break
                    k += 1
            last[g] = t_now
        if r < n_log:
            level[g_first] += staff_log[r, 2]
    return unserved, last_out


#: :func:`linear_edges` of the waiting-time bins
_LINEAR = linear_edges(WAIT_EDGES)

jit.refresh_stale_caches(__name__, jit.dispatchers_of(sys.modules[__name__]), kernel.STAMP)
