"""One replication in the kernel: the event loop of a contact centre's day.

:func:`simulate` follows :mod:`ccsim.engines.reference` handler by handler: the same
events in the same order, on a heap ordered like SimPy's queue
(:mod:`~ccsim.engines.kernel.heap`), with the same arithmetic for event times, so that
every contact meets the same fate at the same times. A round of the loop takes the next
event (the next arrival, or the heap's first), handles it, then lets the contact ask
for an agent and the agents it freed take queued contacts. The heap's insertions and
the handlers are written out and the helpers are inlined: a call not inlined, a bundle
used inside the loop or a helper using an array on one branch only reference-counts
arrays at every event, and helpers for the heap's sifts cost 2-3 % (docs/performance.md,
"Kernel in readable pieces"). The set-up is in :mod:`~ccsim.engines.kernel.state`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ccsim.engines import codes
from ccsim.engines.kernel import arrays, heap, state
from ccsim.engines.kernel.agents import chat_roster, least_loaded, session_end, staff, start_break
from ccsim.engines.kernel.callbacks import offer_callback
from ccsim.engines.kernel.followups import new_columns, new_contact, redial_delay
from ccsim.engines.kernel.heap import schedule
from ccsim.engines.kernel.jit import JIT
from ccsim.engines.kernel.routing import next_overflow, own_handle, release

__all__ = ["simulate"]


@njit(**JIT)
def simulate(contacts, n_first, pool, roster, centre, follow_ups, callbacks, channels, out,
             work):  # fmt: skip
    """:func:`ccsim.engines.kernel.simulate_day`, compiled: the bundles as plain tuples."""
    # The loop uses the arrays, not the bundles: a bundle used inside the loop would
    # hold a second reference to each of its arrays, counted at every exit.
    contacts, pool, roster = arrays.Contacts(*contacts), arrays.Pool(*pool), arrays.Roster(*roster)
    centre, follow_ups = arrays.Centre(*centre), arrays.FollowUpPlan(*follow_ups)
    callbacks, channels = arrays.CallbackPlan(*callbacks), arrays.Channels(*channels)
    out, work = arrays.Outputs(*out), arrays.Work(*work)
    n = n_first
    c_type, c_arrival, c_interval = contacts.type, contacts.arrival, contacts.interval
    c_handle, c_wrap, c_patience = contacts.handle, contacts.wrap_up, contacts.patience
    c_ivr_time, c_deflect, c_gh = contacts.ivr_time, contacts.ivr_deflect, contacts.group_handle
    c_ivr_abandon, c_follow_u = contacts.ivr_abandon, contacts.follow_u
    c_redial_u, c_repeat_u, c_kind = contacts.redial_delay, contacts.repeat_delay, contacts.kind
    c_customer, c_redials, c_repeats = contacts.customer, contacts.redials, contacts.repeats
    c_callback_u, c_no_answer_u = contacts.callback_u, contacts.no_answer_u
    c_dial, c_balk_u, c_transfer_u = contacts.dial_time, contacts.balk_u, contacts.transfer_u
    pool_data, pool_off, pool_size, pool_gh = pool.data, pool.offsets, pool.size, pool.group_handle
    fate, group, t_queued, t_answered = out.fate, out.group, out.queued, out.answered
    t_left, t_freed, followed, cb_state = out.left, out.freed, out.followed, out.callback
    cb_at, staff_log, n_rows = out.callback_at, out.staff_log, out.n_rows
    type_groups, group_types = centre.type_groups, centre.group_types
    group_speed, group_policy, lines = centre.group_speed, centre.group_policy, centre.lines
    ivr_ports, use_ivr, stop_time = centre.ivr_ports, centre.use_ivr, centre.stop_time
    type_after, type_keep, group_after = centre.type_after, centre.type_keep, centre.group_after
    group_keep, overflow_after = centre.group_keep, centre.overflow_after
    head_start, wait_weight, balk_p = centre.head_start, centre.wait_weight, centre.balk
    handle_factor, pair_row = centre.handle_factor, centre.pair_row
    # Routing features (and chat): compiled only for plans that use them (rich: a
    # tuple's length, known when numba compiles; a plain plan's loop has none of it)
    rich = len(centre.rich) > 0
    routed, overflow = rich and centre.routed, rich and centre.overflow
    scaled = rich and centre.scaled
    redial_p, redial_max = follow_ups.redial_p, follow_ups.redial_max
    redial_mean, fcr, repeat_type = follow_ups.redial_mean, follow_ups.fcr, follow_ups.repeat_type
    repeat_max, repeat_mean = follow_ups.repeat_max, follow_ups.repeat_mean
    handle_mean, wrap_mean = follow_ups.handle_mean, follow_ups.wrap_up_mean
    patience_mean, ivr_mean = follow_ups.patience_mean, follow_ups.ivr_mean
    ivr_deflect, ivr_abandon = follow_ups.ivr_deflect, follow_ups.ivr_abandon
    interval, end = follow_ups.interval, follow_ups.end
    transfer_p, transfer_to = follow_ups.transfer_p, follow_ups.transfer_to
    transfer_stay, pair_type, pair_mean = (follow_ups.transfer_stay, follow_ups.pair_type,
                                           follow_ups.pair_mean)  # fmt: skip
    dial_mean, cb_threshold = callbacks.dial_mean, callbacks.threshold
    cb_acceptance, cb_no_answer = callbacks.acceptance, callbacks.no_answer
    group_sessions, group_stretch = channels.group_sessions, channels.group_stretch
    group_agents, type_email = channels.group_agents, channels.type_email
    type_voice, group_email_from = channels.type_voice, channels.group_email_from
    n_start, day_len = channels.n_start, channels.day_len
    roster_time, roster_group, roster_kind = roster.time, roster.group, roster.kind
    roster_count, roster_duration = roster.count, roster.duration
    ht, hk, q_buf = work.heap_time, work.heap_key, work.queue

    follow = c_follow_u.shape[0] > 0
    has_callbacks = c_callback_u.shape[0] > 0
    has_chat = len(channels.chat) > 0  # (known when numba compiles, as rich)
    all_voice = type_voice.all()  # (flags that keep a calls-only day on its short path)
    has_email = type_email.any()
    has_balk, stay = rich and c_balk_u.shape[0] > 0, rich and follow_ups.stay
    has_transfer = rich and c_transfer_u.shape[0] > 0
    capacity = n + pool_off[-1]
    n_intervals = handle_mean.shape[1]
    pool_used = np.zeros(pool_off.shape[0] - 1, np.int64)
    n_types = type_groups.shape[0]
    n_groups = group_types.shape[0]
    n_roster = roster_time.shape[0]

    pend_t, pend_k, breaks = state.pending(roster_kind, roster_count, group_sessions.max())
    if (ht.shape[0] < heap.heap_capacity(capacity, breaks, n_groups)
            or min(q_buf.shape[0], fate.shape[0]) < capacity
            or (follow and c_arrival.shape[0] < capacity)):  # fmt: skip
        raise ValueError("work space or contact arrays too small")
    q_head, q_tail = state.queues(c_type, n, pool_off)
    (idle, on_phones, owed_leave, b_buf, b_head, b_tail, a_load, a_state, c_agent,
     c_factor) = state.agents(n_groups, group_agents.max(), breaks, capacity, has_chat)  # fmt: skip
    b_cap = breaks + 1
    waiting = np.zeros(n_types, np.int64)  # contacts in each queue (kept with callbacks)
    c_src = np.full(capacity if stay else 0, -1, np.int64)  # a transfer's first contact
    state.start(n, follow, has_callbacks, fate, group, t_queued, t_answered, t_left, t_freed,
                followed, cb_state, cb_at)  # fmt: skip
    n_all = n  # contacts so far (first contacts, then follow-ups as they come)

    # events on the heap, pending (scheduled while one event is handled, put on the heap
    # before the next), inserted so far; rows of the staffing log; contacts on a line,
    # in the IVR
    size = n_pend = seq = n_log = in_system = in_ivr = 0
    consumed = False  # the root was taken and is still to be removed
    now = 0.0
    # Without trunk lines nothing depends on *when* a queued contact abandons except
    # the agent who would take it: abandonments are then not events but are found
    # when an agent looks at the queue (patience expired strictly before now).
    # (Not with redials, callbacks, warm transfers: an abandonment schedules a redial, a
    # predicted wait counts the contacts waiting, a first agent is freed.)
    lazy = lines == 0 and not (follow and redial_max.max() > 0) and not has_callbacks and not stay
    # Arrivals are not kept on the heap: the next one is taken when it comes before
    # the heap's first event. Arrivals have the lowest priority and only one is due at
    # a time, so this is the order SimPy's queue gives them. (Insertion numbers only
    # order events of equal time and priority, so arrivals need none.)
    next_arrival = 0
    ran_out = False  # the follow-up pool
    if n_roster > 0:
        n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, roster_time[0], codes.ROSTER, 0)

    while True:
        # Put the pending events on the heap; the first replaces a consumed root (one
        # sift-down instead of a pop and a push), else the consumed root is removed.
        # (Written out: sift_up/sift_down helpers, inlined, measured 2-3 % slower.)
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
            or (c_arrival[next_arrival] == ht[0] and heap.priority_of(hk[0]) > codes.PRIO_ARRIVAL)
        ):
            now = c_arrival[next_arrival]
            if now >= stop_time:
                break
            kind = codes.ARRIVE
            arg = next_arrival
            next_arrival += 1
        else:
            if ht[0] >= stop_time:
                break
            now = ht[0]
            kind, arg = heap.kind_of(hk[0]), heap.arg_of(hk[0])
            consumed = True  # removed (or replaced) at the top of the next round

        ask = -1  # this contact asks for an agent (after this event)
        reask = False  # (again, from its queue: its wait reached a group's delay)
        free_g = -1  # n_free agents of this group become free (after this event)
        n_free = 1
        after_call = False
        agent_done = -1  # the chat agent whose session ended (after this event)
        lost = -1  # this contact was blocked or abandoned: it may redial
        done = -1  # an agent has finished with this contact (after wrap-up)
        if kind == codes.ARRIVE or kind == codes.FOLLOW_UP or kind == codes.HANDOVER:
            c = arg
            if kind != codes.ARRIVE:  # a new contact, its variates from the type's pool
                src = arg
                handover = has_transfer and kind == codes.HANDOVER  # (it skips the IVR)
                redial = not handover and fate[src] != codes.ANSWERED
                t = c_type[src] if redial else repeat_type[c_type[src]]
                if handover:
                    t = transfer_to[c_type[src]]
                if pool_used[t] == pool_size:
                    ran_out = True
                    break
                e = pool_off[t] + pool_used[t]
                pool_used[t] += 1
                c = n_all
                n_all += 1
                k = min(int(now / interval), n_intervals - 1)
                new_contact(c, src, t, e, k, now, redial, handover, c_type, c_arrival, c_interval,
                            c_handle, c_wrap, c_patience, c_ivr_time, c_deflect, c_ivr_abandon,
                            c_follow_u, c_redial_u, c_repeat_u, c_kind, c_customer, c_redials,
                            c_repeats, followed, pool_data, handle_mean, wrap_mean,
                            patience_mean, ivr_mean, ivr_deflect, ivr_abandon)  # fmt: skip
                new_columns(c, t, e, k, c_callback_u, c_no_answer_u, c_dial, cb_state, cb_at,
                            c_balk_u, c_transfer_u, c_gh, pool_data, pool_gh, dial_mean,
                            pair_type, pair_mean)  # fmt: skip
                state.unanswered(c, fate, group, t_queued, t_answered, t_left, t_freed)
                if handover and stay and transfer_stay[c_type[src]]:
                    c_src[c] = src  # its first agent waits on the line
            if kind == codes.HANDOVER:  # it keeps the line of the contact it continues
                ask = c
            elif not all_voice and not type_voice[c_type[c]]:  # chat, e-mail: no line, no IVR
                ask = c
            elif c < n_start:  # a call already waiting at the start: on a line, past the IVR
                in_system += 1
                ask = c
            elif (lines > 0 and in_system >= lines) or (
                use_ivr and ivr_ports > 0 and in_ivr >= ivr_ports
            ):
                fate[c] = codes.BLOCKED
                t_left[c] = now
                lost = c
            else:
                in_system += 1
                if use_ivr:
                    in_ivr += 1
                    n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + c_ivr_time[c],
                                           codes.IVR_END, c)  # fmt: skip
                    continue
                ask = c
        elif kind == codes.IVR_END:
            c = arg
            in_ivr -= 1
            if c_deflect[c] or c_ivr_abandon[c]:
                fate[c] = codes.DEFLECTED if c_deflect[c] else codes.IVR_ABANDONED
                t_left[c] = now
                in_system -= 1
                continue
            ask = c
        elif kind == codes.ABANDON:
            c = arg
            if fate[c] == codes.QUEUED:
                if has_callbacks:
                    waiting[c_type[c]] -= 1
                fate[c] = codes.ABANDONED
                t_left[c] = now
                if all_voice or type_voice[c_type[c]]:
                    in_system -= 1
                if stay:  # its first agent's wrap-up
                    n_pend, seq = release(c, now, c_src, c_wrap, pend_t, pend_k, n_pend, seq)
                lost = c
        elif overflow and kind == codes.OVERFLOW:  # its wait reaches a group's delay
            c = arg
            if fate[c] != codes.QUEUED or (lazy and t_queued[c] + c_patience[c] < now):
                continue  # answered, abandoned (found lazily) or turned away meanwhile
            ask = c
            reask = True
        elif kind == codes.TALK_END:
            c = arg
            t_left[c] = now
            transferred = has_transfer and c_transfer_u[c] < transfer_p[c_type[c]]
            if transferred:  # it continues as another type, on its line, at once
                followed[c] = codes.TRANSFERRED
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now, codes.HANDOVER, c)
            if (all_voice or type_voice[c_type[c]]) and not transferred and not (
                    has_callbacks and cb_state[c] == codes.CALLBACK_ACCEPTED):  # fmt: skip
                in_system -= 1  # (a callback freed its line when it accepted)
            if transferred and transfer_stay[c_type[c]]:
                continue  # its agent stays on the line until the transfer is answered
            if follow and not transferred:  # is the need resolved? if not, a repeat contact
                t = c_type[c]
                if c_follow_u[c] < 1.0 - fcr[t, group[c]]:
                    followed[c] = codes.UNRESOLVED
                    if c_repeats[c] < repeat_max[t]:
                        delay = c_repeat_u[c] * repeat_mean[t, c_interval[c]]
                        if now + delay < end:
                            n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + delay,
                                                   codes.FOLLOW_UP, c)  # fmt: skip
            if c_wrap[c] > 0:
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + c_wrap[c],
                                       codes.WRAP_END, c)  # fmt: skip
                continue
            done = c
        elif kind == codes.WRAP_END:
            done = arg
        elif kind == codes.DIAL_END:  # the agent has dialled a callback
            c = arg
            if c_no_answer_u[c] < cb_no_answer[c_type[c]]:
                fate[c] = codes.CALLBACK_MISSED
                t_left[c] = now
                done = c
            else:
                g = group[c]
                h = c_handle[c]
                if scaled:  # the group's own handle time, or the type's times its multiplier
                    h = own_handle(c, c_type[c], g, c_handle, c_gh, pair_row, handle_factor)
                if has_chat and c_agent[c] >= 0:
                    talk = h * c_factor[c] / group_speed[g]
                else:
                    talk = h / group_speed[g]
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + talk, codes.TALK_END, c)
                continue
        elif kind == codes.BREAK_END:
            g = arg % n_groups
            n_log = staff(staff_log, n_log, on_phones, now, g, 1)
            free_g = g
            if has_chat and group_sessions[g] > 1:  # agent arg // n_groups of a chat group
                a = arg // n_groups
                a_state[g, a] = codes.ON
                if owed_leave[g] > 0:
                    owed_leave[g] -= 1
                    a_state[g, a] = codes.ABSENT
                    n_log = staff(staff_log, n_log, on_phones, now, g, -1)
        else:  # codes.ROSTER
            i = arg
            if i + 1 < n_roster:
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, roster_time[i + 1],
                                       codes.ROSTER, i + 1)  # fmt: skip
            g = roster_group[i]
            count = roster_count[i]
            now_idle = 0
            if roster_kind[i] == codes.CLOSE:  # closing time between two days
                freed, n_pend, seq = state.close(
                    now, lazy, has_callbacks, type_email, type_voice, q_head, q_tail, q_buf, fate,
                    t_queued, c_patience, t_left, cb_state, waiting, b_head, b_tail, c_src,
                    c_wrap, pend_t, pend_k, n_pend, seq)  # fmt: skip
                in_system -= freed
                continue
            if has_chat and group_sessions[g] > 1:  # a chat group: its agents one by one
                free_g = g
                now_idle, n_log, n_pend, seq = chat_roster(
                    roster_kind[i], g, count, roster_duration[i], a_state, a_load, owed_leave,
                    group_agents[g], staff_log, n_log, on_phones, pend_t, pend_k, n_pend, seq,
                    now, day_len, end, n_groups)  # fmt: skip
            elif roster_kind[i] == codes.JOIN:
                cancelled = min(count, owed_leave[g])
                owed_leave[g] -= cancelled
                if count > cancelled:
                    n_log = staff(staff_log, n_log, on_phones, now, g, count - cancelled)
                free_g = g
                n_free = count - cancelled
            else:
                now_idle = min(count, idle[g])
                idle[g] -= now_idle
                if roster_kind[i] == codes.BREAK:
                    for _ in range(now_idle):
                        n_log, n_pend, seq = start_break(
                            staff_log, n_log, on_phones, pend_t, pend_k, n_pend, seq, now, g,
                            roster_duration[i], day_len, end, g)  # fmt: skip
            if roster_kind[i] != codes.JOIN:  # what the idle agents could not take is owed
                if roster_kind[i] == codes.BREAK:
                    for _ in range(count - now_idle):
                        b_buf[g, b_tail[g] % b_cap] = roster_duration[i]
                        b_tail[g] += 1
                else:
                    if now_idle > 0:
                        n_log = staff(staff_log, n_log, on_phones, now, g, -now_idle)
                    owed_leave[g] += count - now_idle
                if free_g < 0:  # (a voice group: no agent became free)
                    continue
        if done >= 0:  # (the reference engine's _work_done)
            t_freed[done] = now
            free_g = group[done]
            after_call = True
            if has_chat:
                agent_done = c_agent[done]

        if ask >= 0:  # the contact asks for an agent (again, when its wait grew)
            c = ask
            if not reask:
                t_queued[c] = now
            t = c_type[c]
            answered = False
            for j in range(type_groups.shape[1]):  # the first group that may take it now
                g = type_groups[t, j]
                if g < 0:
                    break
                if routed and t_queued[c] + type_after[t, j] > now:
                    continue  # the group gets the type only after a longer wait
                if has_chat and group_sessions[g] > 1:  # the least-loaded chat agent, free
                    a = least_loaded(a_state, a_load, g, group_agents[g], 0, group_sessions[g])
                    if a < 0:
                        continue
                    a_load[g, a] += 1  # a session, stretched by how many the agent now has
                    c_agent[c] = a
                    c_factor[c] = group_stretch[g, a_load[g, a] - 1]
                    talk = c_handle[c] * c_factor[c] / group_speed[g]
                elif idle[g] > (type_keep[t, j] if routed else 0):  # (it keeps some idle)
                    idle[g] -= 1
                    talk = c_handle[c] / group_speed[g]
                else:
                    continue
                if scaled:  # the group's own handle time, or the type's times its multiplier
                    h = own_handle(c, t, g, c_handle, c_gh, pair_row, handle_factor)
                    talk = h * c_factor[c] / group_speed[g] if has_chat and c_agent[c] >= 0 else (
                        h / group_speed[g])  # fmt: skip
                fate[c] = codes.ANSWERED
                group[c] = g
                t_answered[c] = now
                if reask and has_callbacks and cb_state[c] == codes.CALLBACK_ACCEPTED:
                    n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + c_dial[c],
                                           codes.DIAL_END, c)  # fmt: skip
                else:
                    n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + talk,
                                           codes.TALK_END, c)  # fmt: skip
                if stay:  # its first agent's wrap-up
                    n_pend, seq = release(c, now, c_src, c_wrap, pend_t, pend_k, n_pend, seq)
                if reask and has_callbacks:
                    waiting[t] -= 1  # (it leaves its queue when it reaches the head)
                answered = True
                break
            if answered:
                pass
            elif reask:  # still waiting: until its wait reaches the next group's delay
                n_pend, seq = next_overflow(c, t, now, t_queued, overflow_after, pend_t, pend_k,
                                            n_pend, seq)  # fmt: skip
            elif has_balk and c >= n_start and c_balk_u[c] < balk_p[t]:  # it hangs up at once
                fate[c] = codes.BALKED
                t_left[c] = now
                if all_voice or type_voice[t]:
                    in_system -= 1
                if stay:  # its first agent's wrap-up
                    n_pend, seq = release(c, now, c_src, c_wrap, pend_t, pend_k, n_pend, seq)
                lost = c
            else:
                accepted = False  # a callback, offered when the predicted wait is long
                if has_callbacks and cb_threshold[t] != np.inf:
                    accepted = offer_callback(c, t, now, interval, type_groups, on_phones, waiting,
                                              handle_mean, cb_threshold, cb_acceptance,
                                              c_callback_u, cb_state, cb_at)  # fmt: skip
                    if accepted:  # it frees its line
                        in_system -= 1
                fate[c] = codes.QUEUED
                q_buf[q_tail[t]] = c
                q_tail[t] += 1
                if has_callbacks:
                    waiting[t] += 1
                if not accepted and not lazy and c_patience[c] != np.inf:
                    n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + c_patience[c],
                                           codes.ABANDON, c)  # fmt: skip
                if overflow:  # until its wait reaches the first group's delay
                    n_pend, seq = next_overflow(c, t, now, t_queued, overflow_after, pend_t,
                                                pend_k, n_pend, seq)  # fmt: skip
        if lost >= 0 and follow:  # (blocked, abandoned or balked)
            delay = redial_delay(lost, now, c_type, c_interval, c_follow_u, c_redial_u, c_redials,
                                 followed, redial_p, redial_max, redial_mean, end)  # fmt: skip
            if delay >= 0:
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + delay,
                                       codes.FOLLOW_UP, lost)  # fmt: skip
        # Agents of free_g become free, one at a time (the engine's _agent_free):
        # first a leave owed, then (after a call) a break owed; otherwise the queued
        # contact the group's policy picks; otherwise the agent becomes idle. In a chat
        # group (the engine's _session_end, _designate and _fill): the agent whose
        # session ended pays a debt if its load fell to 0; agents are made draining for
        # what the group owes; then free sessions take queued contacts.
        chat_g = has_chat and free_g >= 0 and group_sessions[free_g] > 1
        if chat_g:
            n_log, n_pend, seq = session_end(
                free_g, agent_done, a_state, a_load, owed_leave, b_buf, b_head, b_tail,
                group_agents[free_g], group_sessions[free_g], staff_log, n_log, on_phones, pend_t,
                pend_k, n_pend, seq, now, day_len, end, n_groups)  # fmt: skip
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
                n_log = staff(staff_log, n_log, on_phones, now, g, -1)
                continue
            if not chat_g and after_call and b_tail[g] > b_head[g]:
                duration = b_buf[g, b_head[g] % b_cap]
                b_head[g] += 1
                n_log, n_pend, seq = start_break(
                    staff_log, n_log, on_phones, pend_t, pend_k, n_pend, seq, now, g, duration,
                    day_len, end, g)  # fmt: skip
                continue
            best = -1
            best_t = -1
            best_score = 0.0
            policy = group_policy[g]
            longest = policy == codes.LONGEST_WAITING
            for j in range(group_types.shape[1]):
                t = group_types[g, j]
                if t < 0:
                    break
                if has_email and j == group_email_from[g] and best >= 0:
                    break  # a real-time contact waits: e-mails wait for a free agent
                while q_head[t] < q_tail[t]:  # abandoned contacts leave the queue lazily
                    head = q_buf[q_head[t]]
                    if fate[head] == codes.QUEUED:
                        if not lazy:
                            break
                        deadline = t_queued[head] + c_patience[head]
                        if deadline >= now:  # at equal times a free agent answers first
                            break
                        fate[head] = codes.ABANDONED
                        t_left[head] = deadline
                        if has_callbacks:
                            waiting[t] -= 1
                    q_head[t] += 1
                if q_head[t] < q_tail[t]:
                    head = q_buf[q_head[t]]
                    if routed and (idle[g] < group_keep[g, j]
                                   or t_queued[head] + group_after[g, j] > now):  # fmt: skip
                        continue  # kept for another skill, or not waited long enough for g
                    if not longest:
                        if not rich or policy == codes.PRIORITY_ORDER:
                            best = head
                            best_t = t
                            break
                        score = head_start[t] + wait_weight[t] * (now - t_queued[head])  # age
                        if best < 0 or score > best_score:
                            best = head
                            best_t = t
                            best_score = score
                    elif best < 0 or t_queued[head] < t_queued[best]:
                        best = head
                        best_t = t
            if best < 0:
                if chat_g:
                    break
                idle[g] += 1
                continue
            q_head[best_t] += 1
            if has_callbacks:
                waiting[best_t] -= 1
            fate[best] = codes.ANSWERED
            group[best] = g
            t_answered[best] = now
            if a >= 0:  # a chat session, stretched by how many the agent now has
                a_load[g, a] += 1
                c_agent[best] = a
                c_factor[best] = group_stretch[g, a_load[g, a] - 1]
            if has_callbacks and cb_state[best] == codes.CALLBACK_ACCEPTED:  # call it back
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + c_dial[best],
                                       codes.DIAL_END, best)  # fmt: skip
            else:
                if a >= 0:
                    talk = c_handle[best] * c_factor[best] / group_speed[g]
                else:
                    talk = c_handle[best] / group_speed[g]
                if scaled:  # the group's own handle time, or the type's times its multiplier
                    h = own_handle(best, best_t, g, c_handle, c_gh, pair_row, handle_factor)
                    talk = h * c_factor[best] / group_speed[g] if a >= 0 else h / group_speed[g]
                n_pend, seq = schedule(pend_t, pend_k, n_pend, seq, now + talk, codes.TALK_END,
                                       best)  # fmt: skip
            if stay:  # its first agent's wrap-up
                n_pend, seq = release(best, now, c_src, c_wrap, pend_t, pend_k, n_pend, seq)

    if ran_out:
        return -1
    if seq >= heap.MAX_INSERTIONS:
        return -2
    state.finish(n_all, lazy, stop_time, fate, t_queued, c_patience, t_left)
    n_rows[0] = n_all
    return n_log
