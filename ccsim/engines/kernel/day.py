"""One replication in the kernel: the event loop of a contact centre's day.

:func:`simulate_day` follows :mod:`ccsim.engines.reference` rule by rule and handler by
handler: the same events, scheduled in the same order, on a heap ordered like SimPy's
queue (:mod:`ccsim.engines.kernel.heap`), with the same floating-point arithmetic for
event times (arrivals and roster events at their exact times, every other event at
``now + delay``), so that, given the same plan and the same contacts, every contact
meets the same fate at the same times.

The heap operations and the handlers are written out inside the loop: numba
reference-counts the arrays passed to a helper it does not inline, which costs more
than the heap operation itself in a loop this tight (docs/performance.md).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines.codes import (
    ABANDON,
    ABANDONED,
    ABSENT,
    ANSWERED,
    ARRIVE,
    BLOCKED,
    BREAK,
    BREAK_END,
    CALLBACK_ACCEPTED,
    CALLBACK_DECLINED,
    CALLBACK_MISSED,
    CLOSE,
    DEFLECTED,
    DIAL_END,
    DRAINING,
    FOLLOW_UP,
    IVR_ABANDONED,
    IVR_END,
    JOIN,
    LONGEST_WAITING,
    NO_CALLBACK,
    NOT_FOLLOWED,
    ON,
    ON_BREAK,
    PENDING,
    PRIO_ARRIVAL,
    PRIORITY,
    QUEUED,
    REDIAL,
    REPEAT,
    ROSTER,
    TALK_END,
    UNRESOLVED,
    UNSERVED,
    WRAP_END,
)
from ccsim.engines.kernel.agents import break_end, least_loaded
from ccsim.engines.kernel.followups import redial_delay
from ccsim.engines.kernel.heap import event, heap_capacity
from ccsim.engines.kernel.jit import JIT

__all__ = ["simulate_day"]


@njit(**JIT)
def simulate_day(
    # contacts of the replication (sorted by arrival)
    c_type,
    c_arrival,
    c_interval,
    c_handle,
    c_wrap,
    c_patience,
    c_ivr_time,
    c_deflect,
    c_ivr_abandon,
    # follow-ups: (follow_u, redial unit, repeat unit, kind, customer, redials,
    # repeats, followed [output]); empty arrays without follow-ups
    rows,
    # callbacks: (callback_u, no_answer_u, dial_time, state [output], accepted at
    # [output]); empty arrays without callbacks
    cb_rows,
    # plan
    type_groups,
    group_types,
    group_speed,
    group_policy,
    roster_time,
    roster_group,
    roster_kind,
    roster_count,
    roster_duration,
    lines,
    ivr_ports,
    use_ivr,
    stop_time,
    # follow-up plan: (redial_p, redial_max, redial_mean, fcr, repeat_type, repeat_max,
    # repeat_mean, handle_mean, wrap_mean, patience_mean, ivr_mean, ivr_deflect,
    # ivr_abandon, interval, end)
    fplan,
    # callback plan: (threshold, acceptance, no_answer, dial_mean)
    cb_plan,
    # channels: (group_sessions, group_stretch, group_agents, type_email, type_voice,
    # group_email_from, n_start = the first contacts, already waiting at the start,
    # day_len = the length of a day when the run has several, else 0)
    channels,
    # follow-up pool (ccsim.streams.FollowUpPool): data, offsets, entries per type
    pool_data,
    pool_off,
    pool_size,
    # the contact arrays above hold n_first first contacts, then room for follow-ups;
    # n_rows[0] receives the number of contacts at the end
    n_first,
    n_rows,
    # outputs, one entry per contact
    fate,
    group,
    t_queued,
    t_answered,
    t_left,
    t_freed,
    # staffing log, (capacity, 3): time, group, delta; returns its length
    staff_log,
    # work space, reused across replications: heap times and keys (heap_capacity(...)
    # entries) and the queue buffer (one entry per contact)
    ht,
    hk,
    q_buf,
):
    """Simulate one replication; fill the per-contact outputs and the staffing log.

    Returns the number of staffing-log rows written, or -1 when the follow-up pool ran
    out (grow it and run the replication again).
    """
    n = n_first
    c_follow_u, c_redial_u, c_repeat_u, c_kind, c_customer, c_redials, c_repeats, followed = rows
    (redial_p, redial_max, redial_mean, fcr, repeat_type, repeat_max, repeat_mean,
     handle_mean, wrap_mean, patience_mean, ivr_mean, ivr_deflect, ivr_abandon,
     interval, end) = fplan  # fmt: skip
    follow = c_follow_u.shape[0] > 0
    c_callback_u, c_no_answer_u, c_dial, cb_state, cb_at = cb_rows
    cb_threshold, cb_acceptance, cb_no_answer, dial_mean = cb_plan
    callbacks = c_callback_u.shape[0] > 0
    (group_sessions, group_stretch, group_agents, type_email, type_voice, group_email_from,
     n_start, day_len) = channels  # fmt: skip
    has_chat = group_sessions.max() > 1
    all_voice = type_voice.all()  # (flags that keep a calls-only day on its short path)
    has_email = type_email.any()
    capacity = n + pool_off[-1]
    n_intervals = handle_mean.shape[1]
    pool_used = np.zeros(pool_off.shape[0] - 1, np.int64)
    n_types = type_groups.shape[0]
    n_groups = group_types.shape[0]
    n_roster = roster_time.shape[0]

    # event heap
    breaks_total = 0
    for i in range(n_roster):
        if roster_kind[i] == BREAK:
            breaks_total += roster_count[i]
    if ht.shape[0] < heap_capacity(capacity, breaks_total, n_groups) or q_buf.shape[0] < capacity:
        raise ValueError("work space too small")
    if fate.shape[0] < capacity or (follow and c_arrival.shape[0] < capacity):
        raise ValueError("contact arrays too small")
    size = 0  # events on the heap
    consumed = False  # the root was taken and is still to be removed
    # Events scheduled while one event is handled; put on the heap before the next.
    max_k = group_sessions.max()
    most = 2 + max_k
    for i in range(n_roster):
        most = max(most, roster_count[i] * max_k + 2 + max_k)
    pend_t = np.empty(most, np.float64)
    pend_k = np.empty(most, np.int64)
    n_pend = 0
    seq = 0

    # queues: one FIFO region per type in one buffer (a contact queues at most once)
    per_type = np.zeros(n_types + 1, np.int64)
    for c in range(n):
        per_type[c_type[c] + 1] += 1
    for t in range(n_types):  # room for follow-ups
        per_type[t + 1] += pool_off[t + 1] - pool_off[t]
    q_off = np.cumsum(per_type)
    q_head = q_off[:-1].copy()
    q_tail = q_off[:-1].copy()

    # agents
    idle = np.zeros(n_groups, np.int64)
    on_phones = np.zeros(n_groups, np.int64)  # idle or busy (for predicted waits)
    # agents of chat groups, one by one: sessions (load) and state; for each contact
    # the agent who took it and its session's stretch
    a_cap = max(group_agents.max(), 1)
    a_load = np.zeros((n_groups, a_cap), np.int64)
    a_state = np.zeros((n_groups, a_cap), np.int64)  # ABSENT
    c_agent = np.full(capacity if has_chat else 0, -1, np.int64)
    c_factor = np.ones(capacity if has_chat else 0)
    waiting = np.zeros(n_types, np.int64)  # contacts in each queue (kept with callbacks)
    owed_leave = np.zeros(n_groups, np.int64)
    b_cap = breaks_total + 1
    b_buf = np.empty((n_groups, b_cap), np.float64)  # owed breaks, FIFO per group
    b_head = np.zeros(n_groups, np.int64)
    b_tail = np.zeros(n_groups, np.int64)
    n_log = 0

    for c in range(n):
        fate[c] = PENDING
        group[c] = -1
        t_queued[c] = np.nan
        t_answered[c] = np.nan
        t_left[c] = np.nan
        t_freed[c] = np.nan
        if follow:
            followed[c] = NOT_FOLLOWED
        if callbacks:
            cb_state[c] = NO_CALLBACK
            cb_at[c] = np.nan
    n_all = n  # contacts so far (first contacts, then follow-ups as they come)

    in_system = 0
    in_ivr = 0
    now = 0.0
    # Without trunk lines nothing depends on *when* a queued contact abandons except
    # the agent who would take it: abandonments are then not events but are found
    # when an agent looks at the queue (patience expired strictly before now).
    # (With redials an abandonment schedules a redial at its time: it must be an event.)
    # (So must a callback's predicted wait, which counts the contacts waiting.)
    lazy = lines == 0 and not (follow and redial_max.max() > 0) and not callbacks
    # Arrivals are not kept on the heap: the next one is taken when it comes before
    # the heap's first event. Arrivals have the lowest priority and only one is due at
    # a time, so this is the order SimPy's queue gives them. (Insertion numbers only
    # order events of equal time and priority, so arrivals need none.)
    next_arrival = 0
    if n_roster > 0:
        pend_t[0] = roster_time[0]
        pend_k[0] = event(PRIORITY[ROSTER], seq, 0, ROSTER)
        n_pend = 1
        seq += 1

    while True:
        # Put the pending events on the heap; the first replaces a consumed root (one
        # sift-down instead of a pop and a push), else the consumed root is removed.
        p = 0
        while p < n_pend or consumed:
            if consumed:
                consumed = False
                if p < n_pend:
                    t_new = pend_t[p]
                    k_new = pend_k[p]
                    p += 1
                else:
                    size -= 1
                    if size == 0:
                        break
                    t_new = ht[size]
                    k_new = hk[size]
                i = 0  # sift down from the root
                while True:
                    child = 2 * i + 1
                    if child >= size:
                        break
                    right = child + 1
                    if right < size and (
                        ht[right] < ht[child] or (ht[right] == ht[child] and hk[right] < hk[child])
                    ):
                        child = right
                    if ht[child] < t_new or (ht[child] == t_new and hk[child] < k_new):
                        ht[i] = ht[child]
                        hk[i] = hk[child]
                        i = child
                    else:
                        break
            else:
                t_new = pend_t[p]
                k_new = pend_k[p]
                p += 1
                i = size  # sift up from a new leaf
                size += 1
                while i > 0:
                    parent = (i - 1) >> 1
                    if t_new < ht[parent] or (t_new == ht[parent] and k_new < hk[parent]):
                        ht[i] = ht[parent]
                        hk[i] = hk[parent]
                        i = parent
                    else:
                        break
            ht[i] = t_new
            hk[i] = k_new
        n_pend = 0

        if size == 0 and next_arrival >= n:
            break
        if next_arrival < n and (
            size == 0
            or c_arrival[next_arrival] < ht[0]
            or (c_arrival[next_arrival] == ht[0] and (hk[0] >> 59) > PRIO_ARRIVAL)
        ):
            now = c_arrival[next_arrival]
            if now >= stop_time:
                break
            kind = ARRIVE
            arg = next_arrival
            next_arrival += 1
        else:
            if ht[0] >= stop_time:
                break
            now = ht[0]
            code = hk[0]
            consumed = True  # removed (or replaced) at the top of the next round
            kind = code & 15
            arg = (code >> 4) & 0x7FFFFFF

        ask = -1  # this contact asks for an agent (after this event)
        free_g = -1  # n_free agents of this group become free (after this event)
        n_free = 1
        after_call = False
        agent_done = -1  # the chat agent whose session ended (after this event)
        lost = -1  # this contact was blocked or abandoned: it may redial
        if kind == ARRIVE or kind == FOLLOW_UP:
            c = arg
            if kind == FOLLOW_UP:  # a new contact, its variates from the type's pool
                src = arg
                redial = fate[src] != ANSWERED
                t = c_type[src] if redial else repeat_type[c_type[src]]
                if pool_used[t] == pool_size:
                    return -1
                e = pool_off[t] + pool_used[t]
                pool_used[t] += 1
                c = n_all
                n_all += 1
                k = min(int(now / interval), n_intervals - 1)
                c_type[c] = t
                c_arrival[c] = now
                c_interval[c] = k
                c_handle[c] = pool_data[0, e] * handle_mean[t, k]
                c_wrap[c] = pool_data[1, e] * wrap_mean[t, k]
                patience = pool_data[2, e]
                if patience != np.inf:  # inf: the type never abandons
                    patience *= patience_mean[t, k]
                c_patience[c] = patience
                c_ivr_time[c] = pool_data[3, e] * ivr_mean[k]
                u = pool_data[4, e]
                p_deflect = ivr_deflect[t]
                p_abandon = ivr_abandon[t]
                c_deflect[c] = u < p_deflect
                c_ivr_abandon[c] = p_deflect <= u and u < p_deflect + p_abandon
                c_follow_u[c] = pool_data[5, e]
                c_redial_u[c] = pool_data[6, e]
                c_repeat_u[c] = pool_data[7, e]
                c_kind[c] = REDIAL if redial else REPEAT
                c_customer[c] = c_customer[src]
                c_redials[c] = c_redials[src] + 1 if redial else 0
                c_repeats[c] = c_repeats[src] + (0 if redial else 1)
                followed[c] = NOT_FOLLOWED
                if callbacks:
                    c_callback_u[c] = pool_data[8, e]
                    c_no_answer_u[c] = pool_data[9, e]
                    c_dial[c] = pool_data[10, e] * dial_mean[t, k]
                    cb_state[c] = NO_CALLBACK
                    cb_at[c] = np.nan
                fate[c] = PENDING
                group[c] = -1
                t_queued[c] = np.nan
                t_answered[c] = np.nan
                t_left[c] = np.nan
                t_freed[c] = np.nan
            if not all_voice and not type_voice[c_type[c]]:  # chat, e-mail: no line, no IVR
                ask = c
            elif c < n_start:  # a call already waiting at the start: on a line, past the IVR
                in_system += 1
                ask = c
            else:
                if (lines > 0 and in_system >= lines) or (
                    use_ivr and ivr_ports > 0 and in_ivr >= ivr_ports
                ):
                    fate[c] = BLOCKED
                    t_left[c] = now
                    lost = c
                else:
                    in_system += 1
                    if use_ivr:
                        in_ivr += 1
                        pend_t[n_pend] = now + c_ivr_time[c]
                        pend_k[n_pend] = event(PRIORITY[IVR_END], seq, c, IVR_END)
                        n_pend += 1
                        seq += 1
                        continue
                    ask = c
        elif kind == IVR_END:
            c = arg
            in_ivr -= 1
            if c_deflect[c] or c_ivr_abandon[c]:
                fate[c] = DEFLECTED if c_deflect[c] else IVR_ABANDONED
                t_left[c] = now
                in_system -= 1
                continue
            ask = c
        elif kind == ABANDON:
            c = arg
            if fate[c] == QUEUED:
                if callbacks:
                    waiting[c_type[c]] -= 1
                fate[c] = ABANDONED
                t_left[c] = now
                if all_voice or type_voice[c_type[c]]:
                    in_system -= 1
                lost = c
        elif kind == TALK_END:
            c = arg
            t_left[c] = now
            if (all_voice or type_voice[c_type[c]]) and not (
                callbacks and cb_state[c] == CALLBACK_ACCEPTED
            ):
                in_system -= 1  # (a callback freed its line when it accepted)
            if follow:  # is the customer's need resolved? if not, a repeat contact
                t = c_type[c]
                if c_follow_u[c] < 1.0 - fcr[t, group[c]]:
                    followed[c] = UNRESOLVED
                    if c_repeats[c] < repeat_max[t]:
                        delay = c_repeat_u[c] * repeat_mean[t, c_interval[c]]
                        if now + delay < end:
                            pend_t[n_pend] = now + delay
                            pend_k[n_pend] = event(PRIORITY[FOLLOW_UP], seq, c, FOLLOW_UP)
                            n_pend += 1
                            seq += 1
            if c_wrap[c] > 0:
                pend_t[n_pend] = now + c_wrap[c]
                pend_k[n_pend] = event(PRIORITY[WRAP_END], seq, c, WRAP_END)
                n_pend += 1
                seq += 1
                continue
            t_freed[c] = now
            free_g = group[c]
            after_call = True
            if has_chat:
                agent_done = c_agent[c]
        elif kind == WRAP_END:
            c = arg
            t_freed[c] = now
            free_g = group[c]
            after_call = True
            if has_chat:
                agent_done = c_agent[c]
        elif kind == DIAL_END:  # the agent has dialled a callback
            c = arg
            if c_no_answer_u[c] < cb_no_answer[c_type[c]]:
                fate[c] = CALLBACK_MISSED
                t_left[c] = now
                t_freed[c] = now
                free_g = group[c]
                after_call = True
                if has_chat:
                    agent_done = c_agent[c]
            else:
                if has_chat and c_agent[c] >= 0:
                    pend_t[n_pend] = now + c_handle[c] * c_factor[c] / group_speed[group[c]]
                else:
                    pend_t[n_pend] = now + c_handle[c] / group_speed[group[c]]
                pend_k[n_pend] = event(PRIORITY[TALK_END], seq, c, TALK_END)
                n_pend += 1
                seq += 1
                continue
        elif kind == BREAK_END:
            g = arg % n_groups
            staff_log[n_log, 0] = now
            staff_log[n_log, 1] = g
            staff_log[n_log, 2] = 1.0
            n_log += 1
            on_phones[g] += 1
            free_g = g
            if has_chat and group_sessions[g] > 1:  # agent arg // n_groups of a chat group
                a = arg // n_groups
                a_state[g, a] = ON
                if owed_leave[g] > 0:
                    owed_leave[g] -= 1
                    a_state[g, a] = ABSENT
                    staff_log[n_log, 0] = now
                    staff_log[n_log, 1] = g
                    staff_log[n_log, 2] = -1.0
                    n_log += 1
                    on_phones[g] -= 1
        else:  # ROSTER
            i = arg
            if i + 1 < n_roster:
                pend_t[n_pend] = roster_time[i + 1]
                pend_k[n_pend] = event(PRIORITY[ROSTER], seq, (i + 1), ROSTER)
                n_pend += 1
                seq += 1
            g = roster_group[i]
            count = roster_count[i]
            now_idle = 0
            if roster_kind[i] == CLOSE:  # closing: waiting real-time contacts turned away
                for t in range(n_types):
                    if type_email[t]:
                        continue  # the e-mail backlog is carried over to the next day
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
                        if type_voice[t] and not (callbacks and cb_state[c] == CALLBACK_ACCEPTED):
                            in_system -= 1
                    waiting[t] = 0
                for g in range(n_groups):  # breaks still owed are not taken the next day
                    b_head[g] = b_tail[g]
                continue
            if has_chat and group_sessions[g] > 1:  # a chat group: its agents one by one
                free_g = g
                if roster_kind[i] == JOIN:
                    cancelled = min(count, owed_leave[g])
                    owed_leave[g] -= cancelled
                    joined = 0
                    for a in range(group_agents[g]):
                        if joined == count - cancelled:
                            break
                        if a_state[g, a] == ABSENT:
                            a_state[g, a] = ON
                            joined += 1
                    if joined > 0:
                        staff_log[n_log, 0] = now
                        staff_log[n_log, 1] = g
                        staff_log[n_log, 2] = joined
                        n_log += 1
                        on_phones[g] += joined
                else:
                    now_idle = 0
                    for a in range(group_agents[g]):
                        if now_idle == count:
                            break
                        if a_state[g, a] == ON and a_load[g, a] == 0:
                            now_idle += 1
                            if roster_kind[i] == BREAK:
                                a_state[g, a] = ON_BREAK
                                staff_log[n_log, 0] = now
                                staff_log[n_log, 1] = g
                                staff_log[n_log, 2] = -1.0
                                n_log += 1
                                on_phones[g] -= 1
                                pend_t[n_pend] = break_end(now, roster_duration[i], day_len, end)
                                pend_k[n_pend] = event(
                                    PRIORITY[BREAK_END], seq, a * n_groups + g, BREAK_END
                                )
                                n_pend += 1
                                seq += 1
                            else:
                                a_state[g, a] = ABSENT
            elif roster_kind[i] == JOIN:
                cancelled = min(count, owed_leave[g])
                owed_leave[g] -= cancelled
                if count > cancelled:
                    staff_log[n_log, 0] = now
                    staff_log[n_log, 1] = g
                    staff_log[n_log, 2] = count - cancelled
                    n_log += 1
                    on_phones[g] += count - cancelled
                free_g = g
                n_free = count - cancelled
            else:
                now_idle = min(count, idle[g])
                idle[g] -= now_idle
                if roster_kind[i] == BREAK:
                    for _ in range(now_idle):
                        staff_log[n_log, 0] = now
                        staff_log[n_log, 1] = g
                        staff_log[n_log, 2] = -1.0
                        n_log += 1
                        on_phones[g] -= 1
                        pend_t[n_pend] = break_end(now, roster_duration[i], day_len, end)
                        pend_k[n_pend] = event(PRIORITY[BREAK_END], seq, g, BREAK_END)
                        n_pend += 1
                        seq += 1
            if roster_kind[i] != JOIN:  # what the idle agents could not take is owed
                if roster_kind[i] == BREAK:
                    for _ in range(count - now_idle):
                        b_buf[g, b_tail[g] % b_cap] = roster_duration[i]
                        b_tail[g] += 1
                else:
                    if now_idle > 0:
                        staff_log[n_log, 0] = now
                        staff_log[n_log, 1] = g
                        staff_log[n_log, 2] = -now_idle
                        n_log += 1
                        on_phones[g] -= now_idle
                    owed_leave[g] += count - now_idle
                if free_g < 0:  # (a voice group: no agent became free)
                    continue

        if lost >= 0 and follow:  # (blocked or abandoned: nothing else happens then)
            delay = redial_delay(
                lost, now, c_type, c_interval, c_follow_u, c_redial_u, c_redials, followed,
                redial_p, redial_max, redial_mean, end,
            )  # fmt: skip
            if delay >= 0:
                pend_t[n_pend] = now + delay
                pend_k[n_pend] = event(PRIORITY[FOLLOW_UP], seq, lost, FOLLOW_UP)
                n_pend += 1
                seq += 1
        if ask >= 0:  # the contact asks for an agent
            c = ask
            t_queued[c] = now
            t = c_type[c]
            answered = False
            for j in range(type_groups.shape[1]):
                g = type_groups[t, j]
                if g < 0:
                    break
                if has_chat and group_sessions[g] > 1:  # the least-loaded chat agent, free
                    a = least_loaded(a_state, a_load, g, group_agents[g], 0, group_sessions[g])
                    if a < 0:
                        continue
                    a_load[g, a] += 1
                    c_agent[c] = a
                    c_factor[c] = group_stretch[g, a_load[g, a] - 1]
                    fate[c] = ANSWERED
                    group[c] = g
                    t_answered[c] = now
                    pend_t[n_pend] = now + c_handle[c] * c_factor[c] / group_speed[g]
                    pend_k[n_pend] = event(PRIORITY[TALK_END], seq, c, TALK_END)
                    n_pend += 1
                    seq += 1
                    answered = True
                    break
                if idle[g] > 0:
                    idle[g] -= 1
                    fate[c] = ANSWERED
                    group[c] = g
                    t_answered[c] = now
                    pend_t[n_pend] = now + c_handle[c] / group_speed[g]
                    pend_k[n_pend] = event(PRIORITY[TALK_END], seq, c, TALK_END)
                    n_pend += 1
                    seq += 1
                    answered = True
                    break
            if not answered:
                accepted = False  # a callback, offered when the predicted wait is long
                if callbacks and cb_threshold[t] != np.inf:
                    agents = 0
                    for j in range(type_groups.shape[1]):
                        g = type_groups[t, j]
                        if g < 0:
                            break
                        agents += on_phones[g]
                    k = min(int(now / interval), n_intervals - 1)
                    predicted = (waiting[t] + 1) * handle_mean[t, k] / max(agents, 1)
                    if predicted > cb_threshold[t]:
                        if c_callback_u[c] >= cb_acceptance[t]:
                            cb_state[c] = CALLBACK_DECLINED
                        else:  # it frees its line and keeps its place, patiently
                            cb_state[c] = CALLBACK_ACCEPTED
                            cb_at[c] = now
                            in_system -= 1
                            accepted = True
                fate[c] = QUEUED
                q_buf[q_tail[t]] = c
                q_tail[t] += 1
                if callbacks:
                    waiting[t] += 1
                if not accepted and not lazy and c_patience[c] != np.inf:
                    pend_t[n_pend] = now + c_patience[c]
                    pend_k[n_pend] = event(PRIORITY[ABANDON], seq, c, ABANDON)
                    n_pend += 1
                    seq += 1
        # Agents of free_g become free, one at a time (the engine's _agent_free):
        # first a leave owed, then (after a call) a break owed; otherwise the queued
        # contact the group's policy picks; otherwise the agent becomes idle. In a chat
        # group (the engine's _session_end, _designate and _fill): the agent whose
        # session ended pays a debt if its load fell to 0; agents are made draining for
        # what the group owes; then free sessions take queued contacts.
        chat_g = has_chat and free_g >= 0 and group_sessions[free_g] > 1
        if chat_g:
            g = free_g
            if agent_done >= 0:
                a = agent_done
                a_load[g, a] -= 1
                if a_load[g, a] == 0:
                    if owed_leave[g] > 0:
                        owed_leave[g] -= 1
                        a_state[g, a] = ABSENT
                        staff_log[n_log, 0] = now
                        staff_log[n_log, 1] = g
                        staff_log[n_log, 2] = -1.0
                        n_log += 1
                        on_phones[g] -= 1
                    elif b_tail[g] > b_head[g]:
                        duration = b_buf[g, b_head[g] % b_cap]
                        b_head[g] += 1
                        a_state[g, a] = ON_BREAK
                        staff_log[n_log, 0] = now
                        staff_log[n_log, 1] = g
                        staff_log[n_log, 2] = -1.0
                        n_log += 1
                        on_phones[g] -= 1
                        pend_t[n_pend] = break_end(now, duration, day_len, end)
                        pend_k[n_pend] = event(
                            PRIORITY[BREAK_END], seq, a * n_groups + g, BREAK_END
                        )
                        n_pend += 1
                        seq += 1
                    elif a_state[g, a] == DRAINING:
                        a_state[g, a] = ON  # the debt was cancelled meanwhile
            debt = owed_leave[g] + b_tail[g] - b_head[g]
            draining = 0
            for a in range(group_agents[g]):
                if a_state[g, a] == DRAINING:
                    draining += 1
            for a in range(group_agents[g] - 1, -1, -1):  # owing less: the last ones back on
                if draining <= debt:
                    break
                if a_state[g, a] == DRAINING:
                    a_state[g, a] = ON
                    draining -= 1
            while draining < debt:  # busy agents (idle ones pay at once)
                best = least_loaded(a_state, a_load, g, group_agents[g], 1, group_sessions[g] + 1)
                if best < 0:
                    break
                a_state[g, best] = DRAINING
                draining += 1
        rounds = 0 if chat_g else (n_free if free_g >= 0 else 0)
        r = 0
        while free_g >= 0:
            g = free_g
            a = -1
            if chat_g:  # the least-loaded agent with a free session takes the next
                a = least_loaded(a_state, a_load, g, group_agents[g], 0, group_sessions[g])
                if a < 0:
                    break
            else:
                if r == rounds:
                    break
                r += 1
            if not chat_g and owed_leave[g] > 0:
                owed_leave[g] -= 1
                staff_log[n_log, 0] = now
                staff_log[n_log, 1] = g
                staff_log[n_log, 2] = -1.0
                n_log += 1
                on_phones[g] -= 1
                continue
            if not chat_g and after_call and b_tail[g] > b_head[g]:
                duration = b_buf[g, b_head[g] % b_cap]
                b_head[g] += 1
                staff_log[n_log, 0] = now
                staff_log[n_log, 1] = g
                staff_log[n_log, 2] = -1.0
                n_log += 1
                on_phones[g] -= 1
                pend_t[n_pend] = break_end(now, duration, day_len, end)
                pend_k[n_pend] = event(PRIORITY[BREAK_END], seq, g, BREAK_END)
                n_pend += 1
                seq += 1
                continue
            best = -1
            best_t = -1
            longest = group_policy[g] == LONGEST_WAITING
            for j in range(group_types.shape[1]):
                t = group_types[g, j]
                if t < 0:
                    break
                if has_email and j == group_email_from[g] and best >= 0:
                    break  # a real-time contact waits: e-mails wait for a free agent
                while q_head[t] < q_tail[t]:  # abandoned contacts leave the queue lazily
                    head = q_buf[q_head[t]]
                    if fate[head] == QUEUED:
                        if not lazy:
                            break
                        deadline = t_queued[head] + c_patience[head]
                        if deadline >= now:  # at equal times a free agent answers first
                            break
                        fate[head] = ABANDONED
                        t_left[head] = deadline
                        if callbacks:
                            waiting[t] -= 1
                    q_head[t] += 1
                if q_head[t] < q_tail[t]:
                    head = q_buf[q_head[t]]
                    if not longest:
                        best = head
                        best_t = t
                        break
                    if best < 0 or t_queued[head] < t_queued[best]:
                        best = head
                        best_t = t
            if best < 0:
                if chat_g:
                    break
                idle[g] += 1
                continue
            q_head[best_t] += 1
            if callbacks:
                waiting[best_t] -= 1
            fate[best] = ANSWERED
            group[best] = g
            t_answered[best] = now
            if a >= 0:  # a chat session, stretched by how many the agent now has
                a_load[g, a] += 1
                c_agent[best] = a
                c_factor[best] = group_stretch[g, a_load[g, a] - 1]
            if callbacks and cb_state[best] == CALLBACK_ACCEPTED:  # call it back
                pend_t[n_pend] = now + c_dial[best]
                pend_k[n_pend] = event(PRIORITY[DIAL_END], seq, best, DIAL_END)
            elif a >= 0:
                pend_t[n_pend] = now + c_handle[best] * c_factor[best] / group_speed[g]
                pend_k[n_pend] = event(PRIORITY[TALK_END], seq, best, TALK_END)
            else:
                pend_t[n_pend] = now + c_handle[best] / group_speed[g]
                pend_k[n_pend] = event(PRIORITY[TALK_END], seq, best, TALK_END)
            n_pend += 1
            seq += 1

    for c in range(n_all):
        if fate[c] == QUEUED and lazy and t_queued[c] + c_patience[c] < stop_time:
            fate[c] = ABANDONED
            t_left[c] = t_queued[c] + c_patience[c]
        elif fate[c] == QUEUED or fate[c] == PENDING:
            fate[c] = UNSERVED
    n_rows[0] = n_all
    return n_log
