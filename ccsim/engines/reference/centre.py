"""The SimPy engine: the reference model of a contact centre.

One replication is a SimPy environment in which every happening is an event with a
callback: a contact arrives, leaves the IVR, runs out of patience, finishes talking,
finishes its wrap-up; a roster event changes the staff; an agent returns from a break.
The rules are written once here, in plain Python, and the fast kernel follows them.

Life of a contact
    It arrives. If all trunk ``lines`` are taken (contacts in IVR, queue or talk), or
    the IVR has ``ports`` and all are taken, it is *blocked*. Otherwise it spends its
    IVR time there, then is *deflected* (self-served) or hangs up in the IVR, or asks
    for an agent: it is then *offered*. It goes to an idle agent of the first group, in
    its type's routing order, that has one (agents of a group are interchangeable, so
    which one does not matter); else it queues, and
    *abandons* when its patience (which runs only while queued) expires first. An
    answered contact talks for handle time / group speed, frees its line, then the
    agent does its wrap-up.

Channels
    Only calls (``channel: voice``) hold trunk lines and go through the IVR; chat and
    e-mail contacts ask for an agent as they arrive. E-mail is deferred work: a freed
    agent looks at its real-time skills first and takes an e-mail only when none of
    them has a contact waiting. Agents of a chat group (``concurrency`` k > 1) are
    kept one by one, each with up to k sessions (see the chat agents section below).
    Between two days (``days``) the centre closes: waiting real-time contacts are
    turned away (unserved), e-mails stay.

Callbacks (virtual hold)
    A contact that must queue, of a type with ``callback``, is offered a callback when
    its predicted wait -- (contacts of its type waiting + 1) x the type's mean handle
    time in the current interval / agents on the phones in the type's routing groups
    (at least 1) -- exceeds the threshold; it accepts when its uniform is below the
    acceptance probability. It then frees its line, keeps its place in the queue and
    never abandons. The agent who takes it is busy for its dial time; then the
    customer does not answer (fate ``callback_missed``; the agent is free) when the
    no-answer uniform is below that probability, else they talk as any contact.

Follow-ups
    A contact that abandons in the queue or is blocked is redialled with its type's
    ``redial.probability`` (if it has had fewer than ``redial.max`` redials); a handled
    contact leaves its customer unresolved with probability 1 - fcr of the answering
    group, and the customer contacts again as ``repeat.as_type`` (fewer than
    ``repeat.max`` repeats so far). The decision is the contact's own uniform against
    the probability; the follow-up arrives after the contact's delay (unit draw times
    the delay's mean in the contact's arrival interval) when that is before the end of
    the horizon, as a new contact whose variates come from the type's follow-up pool.
    A redial is decided when the contact is blocked or abandons, a repeat at the end
    of talk (before its wrap-up starts).

Life of an agent
    An agent who becomes free (after wrap-up) first pays what the group owes its
    roster (leave, then a due break), otherwise takes a queued contact by the group's
    policy, otherwise becomes idle. Agents returning from a break pay a due leave
    only; joining agents first cancel owed leaves. See :mod:`ccsim.plan`.

Tie-break rules (what happens first at equal times)
    1. roster events and returns from breaks, 2. ends of talk and of wrap-up,
    3. abandonments, 4. ends of IVR, 5. arrivals, 6. follow-up arrivals. Within one
    class, events happen in
    the order they were scheduled. So an agent freed at the instant a contact's
    patience runs out answers it, and an agent whose shift ends at the instant its
    call ends goes home. A freed agent with policy ``longest_waiting`` takes the
    contact that entered its queue earliest; among equal entry times the first type
    in the group's skill order.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappush

import numpy as np
import simpy

from ccsim.plan import BREAK, CLOSE, JOIN, Plan
from ccsim.results.outcome import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    CALLBACK_ACCEPTED,
    CALLBACK_DECLINED,
    CALLBACK_MISSED,
    DEFLECTED,
    FATES,
    IVR_ABANDONED,
    NO_CALLBACK,
    NOT_FOLLOWED,
    PENDING,
    REDIALLED,
    UNRESOLVED,
    UNSERVED,
    Outcome,
)
from ccsim.streams import REDIAL, REPEAT, Contacts, FollowUpPool

__all__ = ["FATES", "Outcome", "run_replication"]

_QUEUED = -1  # internal state of a contact waiting for an agent
# State of an agent of a chat group: off, on the phones, on the phones but taking no
# new sessions (it owes a leave or a break), on a break.
_ABSENT, _ON, _DRAINING, _ON_BREAK = range(4)

# Event priorities (lower first at equal times): the tie-break rules above. They start
# at 1 so that SimPy's stop event at the end of the run (URGENT = 0) precedes them all.
ROSTER, DEPARTURE, ABANDON, IVR_END, ARRIVAL, FOLLOW_UP = 1, 2, 3, 4, 5, 6


class _Environment(simpy.Environment):
    """SimPy's environment, plus scheduling at an absolute time.

    Arrivals and roster events happen at times fixed in advance; scheduling them as
    ``now + (t - now)`` could miss ``t`` by a rounding error, so they are put on the
    event queue at ``t`` itself, exactly as :meth:`simpy.Environment.schedule` does
    for ``now + delay``.
    """

    def schedule_at(self, event: simpy.Event, priority: int, at: float) -> None:
        heappush(self._queue, (at, priority, next(self._eid), event))


class _Event(simpy.Event):
    """An event that fires ``callback(value)`` after ``delay`` at ``priority``."""

    def __init__(self, env: _Environment, delay: float, priority: int, callback, value, at=None):  # noqa: ANN001
        self.env = env
        self.callbacks = [callback]
        self._ok = True
        self._value = value
        if at is None:
            env.schedule(self, priority, delay)
        else:
            env.schedule_at(self, priority, at)


class _Centre:
    """State of one replication; its methods are the model's rules."""

    def __init__(
        self,
        plan: Plan,
        contacts: Contacts,
        roster: tuple[np.ndarray, ...],
        pool: FollowUpPool | None = None,
    ):
        self.env = env = _Environment()
        self.plan = plan
        n = len(contacts)
        self.type = contacts.type.tolist()
        self.arrival = contacts.arrival.tolist()
        self.handle = contacts.handle.tolist()
        self.wrap = contacts.wrap_up.tolist()
        self.patience = contacts.patience.tolist()
        self.ivr_time = contacts.ivr_time.tolist()
        self.deflect = contacts.ivr_deflect.tolist()
        self.ivr_abandon = contacts.ivr_abandon.tolist()
        self.n = n
        nan = float("nan")
        self.fate = [PENDING] * n
        self.group = [-1] * n
        self.t_queued = [nan] * n
        self.t_answered = [nan] * n
        self.t_left = [nan] * n
        self.t_freed = [nan] * n
        # routing tables as plain lists
        self.type_groups = [[g for g in row if g >= 0] for row in plan.type_groups.tolist()]
        self.group_types = [[t for t in row if t >= 0] for row in plan.group_types.tolist()]
        self.email = plan.type_email.tolist()
        self.voice = plan.type_voice.tolist()
        self.n_start = int(plan.start_waiting.sum())  # the first contacts (start_state)
        self.day_length = (
            plan.interval * plan.scenario.horizon.intervals if plan.n_days > 1 else 0.0
        )
        self.group_classes = [
            (types[:split], types[split:])
            for types, split in zip(self.group_types, plan.group_email_from.tolist(), strict=True)
        ]
        self.speed = plan.group_speed.tolist()
        self.longest_waiting = [p == 0 for p in plan.group_policy.tolist()]
        # state
        self.queues: list[deque[int]] = [deque() for _ in range(plan.n_types)]
        self.idle = [0] * plan.n_groups
        self.owed_leave = [0] * plan.n_groups
        self.owed_breaks: list[deque[float]] = [deque() for _ in range(plan.n_groups)]
        self.lines = plan.lines
        self.ports = plan.ivr_ports
        self.use_ivr = plan.ivr is not None
        self.in_system = 0
        self.in_ivr = 0
        self.staff_log: list[tuple[float, int, int]] = []
        self.next_arrival = 0
        self.next_roster = 0
        self.roster = list(zip(*(column.tolist() for column in roster), strict=True))
        self.on_phones = [0] * plan.n_groups  # agents on the phones (idle or busy)
        self.sessions = plan.group_sessions.tolist()
        self.chat = [k > 1 for k in self.sessions]
        self.has_chat = any(self.chat)
        if self.has_chat:
            self.stretch = plan.group_stretch.tolist()
            self.load = [[0] * cap for cap in plan.group_agents.tolist()]
            self.astate = [[_ABSENT] * cap for cap in plan.group_agents.tolist()]
            self.agent = [-1] * n  # the chat agent who took each contact
            self.factor = [1.0] * n  # its session's stretch
        self.waiting = [0] * plan.n_types  # contacts in each queue
        self.callbacks = plan.has_callbacks
        if self.callbacks:
            self.callback_u = contacts.callback_u.tolist()
            self.no_answer_u = contacts.no_answer_u.tolist()
            self.dial = contacts.dial_time.tolist()
            self.callback = [NO_CALLBACK] * n
            self.callback_at = [nan] * n
            self.cb_threshold = plan.callback_threshold.tolist()
            self.cb_acceptance = plan.callback_acceptance.tolist()
            self.cb_no_answer = plan.callback_no_answer.tolist()
            self.handle_mean = plan.handle_mean.tolist()
        self.follow = plan.has_followups
        if self.follow:
            self._init_follow_ups(contacts, pool)
        if n:
            _Event(env, 0, ARRIVAL, self._arrive, 0, at=self.arrival[0])
        if self.roster:
            _Event(env, 0, ROSTER, self._roster, 0, at=self.roster[0][0])

    def _init_follow_ups(self, contacts: Contacts, pool: FollowUpPool | None) -> None:
        plan = self.plan
        if pool is None:
            raise ValueError("a scenario with follow-ups needs their FollowUpPool")
        self.pool = pool
        self.pool_data = pool.data.tolist()
        self.pool_used = [0] * plan.n_types  # pool entries taken, per type
        self.interval = contacts.interval.tolist()
        self.day_factor = contacts.day_factor
        self.follow_u = contacts.follow_u.tolist()
        self.redial_unit = contacts.redial_delay.tolist()
        self.repeat_unit = contacts.repeat_delay.tolist()
        self.kind = contacts.kind.tolist()
        self.customer = contacts.customer.tolist()
        self.redials = contacts.redials.tolist()
        self.repeats = contacts.repeats.tolist()
        self.followed = [NOT_FOLLOWED] * self.n
        self.redial_p = plan.redial_p.tolist()
        self.redial_max = plan.redial_max.tolist()
        self.redial_mean = plan.redial_mean.tolist()
        self.fcr = plan.fcr.tolist()
        self.repeat_type = plan.repeat_type.tolist()
        self.repeat_max = plan.repeat_max.tolist()
        self.repeat_mean = plan.repeat_mean.tolist()

    # ---------------------------------------------------------------- contacts
    def _arrive(self, event: _Event) -> None:
        c = event._value
        nxt = c + 1
        if nxt < self.n:
            _Event(self.env, 0, ARRIVAL, self._arrive, nxt, at=self.arrival[nxt])
        self._enter(c)

    def _enter(self, c: int) -> None:
        if not self.voice[self.type[c]]:  # chat and e-mail: no line, no IVR
            self._ask_for_agent(c)
            return
        if c < self.n_start:  # a call already waiting at the start: on a line, past the IVR
            self.in_system += 1
            self._ask_for_agent(c)
            return
        env = self.env
        if (self.lines and self.in_system >= self.lines) or (
            self.use_ivr and self.ports and self.in_ivr >= self.ports
        ):
            self.fate[c] = BLOCKED
            self.t_left[c] = env.now
            if self.follow:
                self._redial(c)
            return
        self.in_system += 1
        if self.use_ivr:
            self.in_ivr += 1
            _Event(env, self.ivr_time[c], IVR_END, self._leave_ivr, c)
        else:
            self._ask_for_agent(c)

    # -------------------------------------------------------------- follow-ups
    def _redial(self, c: int) -> None:
        """A blocked or abandoned contact: redialled (maybe), after its delay."""
        t = self.type[c]
        if self.redials[c] < self.redial_max[t] and self.follow_u[c] < self.redial_p[t]:
            self.followed[c] = REDIALLED
            delay = self.redial_unit[c] * self.redial_mean[t][self.interval[c]]
            if self.env.now + delay < self.plan.end:
                _Event(self.env, delay, FOLLOW_UP, self._follow_up, c)

    def _repeat(self, c: int) -> None:
        """A contact at the end of its talk: its customer unresolved (maybe), comes back."""
        t = self.type[c]
        if self.follow_u[c] < 1.0 - self.fcr[t][self.group[c]]:
            self.followed[c] = UNRESOLVED
            if self.repeats[c] < self.repeat_max[t]:
                delay = self.repeat_unit[c] * self.repeat_mean[t][self.interval[c]]
                if self.env.now + delay < self.plan.end:
                    _Event(self.env, delay, FOLLOW_UP, self._follow_up, c)

    def _follow_up(self, event: _Event) -> None:
        """The follow-up of contact ``src`` arrives: a new contact from the pool."""
        src = event._value
        plan = self.plan
        redial = self.fate[src] != ANSWERED
        t = self.type[src] if redial else self.repeat_type[self.type[src]]
        if self.pool_used[t] == self.pool.size:  # ran out: a longer pool, same first entries
            self.pool.grow()
            self.pool_data = self.pool.data.tolist()
        e = self.pool.offsets[t] + self.pool_used[t]
        self.pool_used[t] += 1
        now = self.env.now
        nan = float("nan")
        k = min(int(now / plan.interval), plan.n_intervals - 1)
        (handle, wrap, patience, ivr_time, ivr_u, follow_u, redial_unit, repeat_unit, callback_u,
         no_answer_u, dial_unit) = (column[e] for column in self.pool_data)  # fmt: skip
        c = len(self.type)
        self.type.append(t)
        self.arrival.append(now)
        self.interval.append(k)
        self.handle.append(handle * plan.handle_mean[t, k])
        self.wrap.append(wrap * plan.wrap_up_mean[t, k])
        if patience != float("inf"):  # inf: the type never abandons
            patience *= plan.patience_mean[t, k]
        self.patience.append(patience)
        self.ivr_time.append(ivr_time * plan.ivr_mean[k])
        p_deflect, p_abandon = plan.ivr_deflect[t], plan.ivr_abandon[t]
        self.deflect.append(ivr_u < p_deflect)
        self.ivr_abandon.append(p_deflect <= ivr_u < p_deflect + p_abandon)
        self.follow_u.append(follow_u)
        self.redial_unit.append(redial_unit)
        self.repeat_unit.append(repeat_unit)
        self.kind.append(REDIAL if redial else REPEAT)
        self.customer.append(self.customer[src])
        self.redials.append(self.redials[src] + 1 if redial else 0)
        self.repeats.append(self.repeats[src] + (0 if redial else 1))
        self.followed.append(NOT_FOLLOWED)
        if self.callbacks:
            self.callback_u.append(callback_u)
            self.no_answer_u.append(no_answer_u)
            self.dial.append(dial_unit * plan.dial_mean[t, k])
            self.callback.append(NO_CALLBACK)
            self.callback_at.append(nan)
        self.group.append(-1)
        self.fate.append(PENDING)
        if self.has_chat:
            self.agent.append(-1)
            self.factor.append(1.0)
        for column in (self.t_queued, self.t_answered, self.t_left, self.t_freed):
            column.append(nan)
        self._enter(c)

    def _leave_ivr(self, event: _Event) -> None:
        c = event._value
        self.in_ivr -= 1
        if self.deflect[c] or self.ivr_abandon[c]:
            self.fate[c] = DEFLECTED if self.deflect[c] else IVR_ABANDONED
            self.t_left[c] = self.env.now
            self.in_system -= 1
        else:
            self._ask_for_agent(c)

    def _ask_for_agent(self, c: int) -> None:
        now = self.env.now
        self.t_queued[c] = now
        t = self.type[c]
        for g in self.type_groups[t]:
            if self.chat[g]:
                a = self._free_agent(g)
                if a >= 0:
                    self._answer(c, g, a)
                    return
            elif self.idle[g]:
                self.idle[g] -= 1
                self._answer(c, g)
                return
        if self.callbacks and self._offer_callback(c, t):
            return
        self.fate[c] = _QUEUED
        self.queues[t].append(c)
        self.waiting[t] += 1
        patience = self.patience[c]
        if patience != float("inf"):
            _Event(self.env, patience, ABANDON, self._abandon, c)

    def _abandon(self, event: _Event) -> None:
        c = event._value
        if self.fate[c] == _QUEUED:  # still waiting (answered contacts ignore this)
            self.waiting[self.type[c]] -= 1
            self.fate[c] = ABANDONED
            self.t_left[c] = self.env.now
            if self.voice[self.type[c]]:
                self.in_system -= 1
            if self.follow:
                self._redial(c)

    def _offer_callback(self, c: int, t: int) -> bool:
        """A contact that must queue: offer a callback? Returns True if it accepts."""
        threshold = self.cb_threshold[t]
        if threshold == float("inf"):
            return False
        now = self.env.now
        plan = self.plan
        agents = sum(self.on_phones[g] for g in self.type_groups[t])
        k = min(int(now / plan.interval), plan.n_intervals - 1)
        predicted = (self.waiting[t] + 1) * self.handle_mean[t][k] / max(agents, 1)
        if predicted <= threshold:
            return False
        if self.callback_u[c] >= self.cb_acceptance[t]:
            self.callback[c] = CALLBACK_DECLINED
            return False
        # It hangs up (freeing its line) and keeps its place in the queue, patiently.
        self.callback[c] = CALLBACK_ACCEPTED
        self.callback_at[c] = now
        self.in_system -= 1
        self.fate[c] = _QUEUED
        self.queues[t].append(c)
        self.waiting[t] += 1
        return True

    def _answer(self, c: int, g: int, a: int = -1) -> None:
        """Agent ``a`` of chat group ``g`` (-1: an agent of a voice group) takes ``c``."""
        self.fate[c] = ANSWERED
        self.group[c] = g
        self.t_answered[c] = self.env.now
        if a >= 0:  # a chat session, stretched by how many the agent now has
            self.load[g][a] += 1
            self.agent[c] = a
            self.factor[c] = self.stretch[g][self.load[g][a] - 1]
        if self.callbacks and self.callback[c] == CALLBACK_ACCEPTED:
            _Event(self.env, self.dial[c], DEPARTURE, self._end_dial, c)  # call it back
            return
        _Event(self.env, self._talk_time(c, g), DEPARTURE, self._end_talk, c)

    def _talk_time(self, c: int, g: int) -> float:
        if self.has_chat and self.agent[c] >= 0:
            return self.handle[c] * self.factor[c] / self.speed[g]
        return self.handle[c] / self.speed[g]

    def _end_dial(self, event: _Event) -> None:
        """The agent has dialled a callback: the customer answers, or not."""
        c = event._value
        if self.no_answer_u[c] < self.cb_no_answer[self.type[c]]:
            self.fate[c] = CALLBACK_MISSED
            self.t_left[c] = self.t_freed[c] = self.env.now
            self._work_done(c)
            return
        _Event(self.env, self._talk_time(c, self.group[c]), DEPARTURE, self._end_talk, c)

    def _holds_line(self, c: int) -> bool:
        """Contact ``c`` holds a trunk line: a call, unless it accepted a callback."""
        return self.voice[self.type[c]] and not (
            self.callbacks and self.callback[c] == CALLBACK_ACCEPTED
        )

    def _end_talk(self, event: _Event) -> None:
        c = event._value
        self.t_left[c] = self.env.now
        if self._holds_line(c):
            self.in_system -= 1
        if self.follow:
            self._repeat(c)
        if self.wrap[c] > 0:
            _Event(self.env, self.wrap[c], DEPARTURE, self._end_wrap, c)
        else:
            self._end_wrap(event)

    def _end_wrap(self, event: _Event) -> None:
        c = event._value
        self.t_freed[c] = self.env.now
        self._work_done(c)

    def _work_done(self, c: int) -> None:
        """The agent who took ``c`` has finished with it (after wrap-up)."""
        if self.has_chat and self.agent[c] >= 0:
            self._session_end(self.group[c], self.agent[c])
        else:
            self._agent_free(self.group[c], after_call=True)

    # ------------------------------------------------------------------ agents
    def _staff(self, g: int, delta: int) -> None:
        """``delta`` agents of ``g`` come on (+) or go off (-) the phones now."""
        self.staff_log.append((self.env.now, g, delta))
        self.on_phones[g] += delta

    def _agent_free(self, g: int, after_call: bool) -> None:
        """An agent of group ``g`` is free: pay the roster, take a contact or idle."""
        if self.owed_leave[g]:
            self.owed_leave[g] -= 1
            self._staff(g, -1)
            return
        if after_call and self.owed_breaks[g]:
            self._start_break(g, self.owed_breaks[g].popleft())
            return
        c = self._next_contact(g)
        if c < 0:
            self.idle[g] += 1
        else:
            self._answer(c, g)

    def _next_contact(self, g: int) -> int:
        """The queued contact a free agent of ``g`` takes, or -1 (removed from its queue)."""
        best, best_q = -1, None
        fate, t_queued = self.fate, self.t_queued
        for skills in self.group_classes[g]:  # real-time contacts first, then e-mail
            for t in skills:
                q = self.queues[t]
                while q and fate[q[0]] != _QUEUED:
                    q.popleft()  # abandoned contacts leave the queue lazily
                if q:
                    if not self.longest_waiting[g]:
                        self.waiting[t] -= 1
                        return q.popleft()
                    if best < 0 or t_queued[q[0]] < t_queued[best]:
                        best, best_q = q[0], q
            if best_q is not None:
                best_q.popleft()
                self.waiting[self.type[best]] -= 1
                return best
        return -1

    # ------------------------------------------------------------ chat agents
    # Agents of a group with concurrency k > 1 are kept one by one: each has a state
    # and a number of sessions (its load). A contact goes to the least-loaded agent on
    # the phones with a free session (ties: the lowest index). What the group owes its
    # roster (leaves, breaks) is paid by agents whose load falls to 0; while it owes,
    # as many agents as it owes are *draining* (they take no new sessions), chosen
    # least-loaded first, so that the debt is paid as soon as their sessions end.
    def _least_loaded(self, g: int, low: int, high: int) -> int:
        """The least-loaded agent of chat group ``g`` on the phones, not draining.

        Only agents with ``low`` <= sessions < ``high``; ties: the lowest index; -1: none.
        """
        best = -1
        load, state = self.load[g], self.astate[g]
        for a in range(len(load)):
            if state[a] == _ON and low <= load[a] < high and (best < 0 or load[a] < load[best]):
                best = a
        return best

    def _free_agent(self, g: int) -> int:
        """The agent of chat group ``g`` who takes the next session, or -1."""
        return self._least_loaded(g, 0, self.sessions[g])

    def _fill(self, g: int) -> None:
        """Free sessions of chat group ``g`` take queued contacts."""
        while True:
            a = self._free_agent(g)
            if a < 0:
                return
            c = self._next_contact(g)
            if c < 0:
                return
            self._answer(c, g, a)

    def _designate(self, g: int) -> None:
        """Make as many agents draining as the group owes leaves and breaks."""
        debt = self.owed_leave[g] + len(self.owed_breaks[g])
        state = self.astate[g]
        draining = state.count(_DRAINING)
        for a in range(len(state) - 1, -1, -1):  # owing less: the last ones back on
            if draining <= debt:
                break
            if state[a] == _DRAINING:
                state[a] = _ON
                draining -= 1
        while draining < debt:
            best = self._least_loaded(g, 1, self.sessions[g] + 1)  # busy ones: idle pay now
            if best < 0:
                return
            state[best] = _DRAINING
            draining += 1

    def _pay(self, g: int, a: int, after_call: bool) -> bool:
        """Agent ``a`` (no sessions) pays a leave, or after a session a break, if owed."""
        if self.owed_leave[g]:
            self.owed_leave[g] -= 1
            self.astate[g][a] = _ABSENT
            self._staff(g, -1)
            return True
        if after_call and self.owed_breaks[g]:
            self.astate[g][a] = _ON_BREAK
            self._staff(g, -1)
            self._break(self.owed_breaks[g].popleft(), (g, a))
            return True
        return False

    def _session_end(self, g: int, a: int) -> None:
        self.load[g][a] -= 1
        if self.load[g][a] == 0 and not self._pay(g, a, after_call=True):
            if self.astate[g][a] == _DRAINING:
                self.astate[g][a] = _ON  # the debt was cancelled meanwhile
        self._designate(g)
        self._fill(g)

    def _chat_roster(self, g: int, kind: int, count: int, duration: float) -> None:
        load, state = self.load[g], self.astate[g]
        if kind == JOIN:
            cancelled = min(count, self.owed_leave[g])
            self.owed_leave[g] -= cancelled
            joined = 0
            for a in range(len(state)):
                if joined == count - cancelled:
                    break
                if state[a] == _ABSENT:
                    state[a] = _ON
                    joined += 1
            if joined:
                self._staff(g, joined)
        else:
            now_idle = 0
            for a in range(len(state)):
                if now_idle == count:
                    break
                if state[a] == _ON and load[a] == 0:
                    now_idle += 1
                    if kind == BREAK:
                        state[a] = _ON_BREAK
                        self._staff(g, -1)
                        self._break(duration, (g, a))
                    else:
                        state[a] = _ABSENT
            if kind == BREAK:
                self.owed_breaks[g].extend([duration] * (count - now_idle))
            else:
                if now_idle:
                    self._staff(g, -now_idle)
                self.owed_leave[g] += count - now_idle
        self._designate(g)
        self._fill(g)

    def _start_break(self, g: int, duration: float) -> None:
        self._staff(g, -1)
        self._break(duration, g)

    def _break(self, duration: float, value: object) -> None:
        """Schedule the end of a break; with several days, at closing time at the latest."""
        now, day = self.env.now, self.day_length
        if day > 0:
            close = (math.floor(now / day) + 1) * day
            if close < self.plan.end and now + duration > close:
                _Event(self.env, 0, ROSTER, self._end_break, value, at=close)
                return
        _Event(self.env, duration, ROSTER, self._end_break, value)

    def _end_break(self, event: _Event) -> None:
        if isinstance(event._value, tuple):  # an agent of a chat group
            g, a = event._value
            self._staff(g, +1)
            self.astate[g][a] = _ON
            self._pay(g, a, after_call=False)
            self._designate(g)
            self._fill(g)
            return
        g = event._value
        self._staff(g, +1)
        self._agent_free(g, after_call=False)

    def _roster(self, event: _Event) -> None:
        i = event._value
        _, g, kind, count, duration = self.roster[i]
        if i + 1 < len(self.roster):
            _Event(self.env, 0, ROSTER, self._roster, i + 1, at=self.roster[i + 1][0])
        if kind == CLOSE:
            self._close()
            return
        if self.chat[g]:
            self._chat_roster(g, kind, count, duration)
            return
        if kind == JOIN:
            cancelled = min(count, self.owed_leave[g])
            self.owed_leave[g] -= cancelled
            if count > cancelled:
                self._staff(g, count - cancelled)
            for _ in range(count - cancelled):
                self._agent_free(g, after_call=False)
            return
        now_idle = min(count, self.idle[g])
        self.idle[g] -= now_idle
        if kind == BREAK:
            for _ in range(now_idle):
                self._start_break(g, duration)
            self.owed_breaks[g].extend([duration] * (count - now_idle))
        else:
            if now_idle:
                self._staff(g, -now_idle)
            self.owed_leave[g] += count - now_idle

    def _close(self) -> None:
        """Closing time between two days: waiting real-time contacts are turned away."""
        now = self.env.now
        for t, q in enumerate(self.queues):
            if self.email[t]:
                continue  # the e-mail backlog is carried over to the next day
            for c in q:
                if self.fate[c] == _QUEUED:
                    self.fate[c] = UNSERVED
                    self.t_left[c] = now
                    if self._holds_line(c):
                        self.in_system -= 1
            q.clear()
            self.waiting[t] = 0
        for owed in self.owed_breaks:  # breaks still owed are not taken the next day
            owed.clear()

    # --------------------------------------------------------------------- run
    def run(self) -> Outcome:
        plan = self.plan
        self.env.run(until=plan.end + plan.max_drain)
        fate = np.array(self.fate, dtype=np.int8)
        waiting = (fate == _QUEUED) | (fate == PENDING)
        fate[waiting] = UNSERVED
        log = np.array(self.staff_log, dtype=float).reshape(-1, 3)
        extra = {}
        if self.follow:
            extra = {"contacts": self._all_contacts(), "followed": np.array(self.followed, np.int8)}
        if self.callbacks:
            extra["callback"] = np.array(self.callback, np.int8)
            extra["callback_at"] = np.array(self.callback_at)
        return Outcome(
            fate=fate,
            group=np.array(self.group, dtype=np.int64),
            queued=np.array(self.t_queued),
            answered=np.array(self.t_answered),
            left=np.array(self.t_left),
            freed=np.array(self.t_freed),
            staff_time=log[:, 0],
            staff_group=log[:, 1].astype(np.int64),
            staff_delta=log[:, 2],
            **extra,
        )

    def _all_contacts(self) -> Contacts:
        """First contacts and follow-ups, as created."""
        i64 = np.int64
        return Contacts(
            type=np.array(self.type, i64),
            arrival=np.array(self.arrival),
            interval=np.array(self.interval, i64),
            handle=np.array(self.handle),
            wrap_up=np.array(self.wrap),
            patience=np.array(self.patience),
            ivr_time=np.array(self.ivr_time),
            ivr_deflect=np.array(self.deflect, bool),
            ivr_abandon=np.array(self.ivr_abandon, bool),
            day_factor=self.day_factor,
            follow_u=np.array(self.follow_u),
            redial_delay=np.array(self.redial_unit),
            repeat_delay=np.array(self.repeat_unit),
            kind=np.array(self.kind, i64),
            customer=np.array(self.customer, i64),
            redials=np.array(self.redials, i64),
            repeats=np.array(self.repeats, i64),
            **(
                {"callback_u": np.array(self.callback_u), "no_answer_u": np.array(self.no_answer_u),
                 "dial_time": np.array(self.dial)}
                if self.callbacks
                else {}
            ),
        )  # fmt: skip


def run_replication(
    plan: Plan,
    contacts: Contacts,
    roster: tuple[np.ndarray, ...] | None = None,
    pool: FollowUpPool | None = None,
) -> Outcome:
    """Simulate one replication with the SimPy engine.

    Parameters
    ----------
    plan : Plan
        The compiled scenario.
    contacts : Contacts
        The replication's contacts and their variates (:func:`ccsim.streams.draw_contacts`).
    roster : tuple of numpy.ndarray, optional
        The day's roster (:func:`ccsim.streams.day_roster`); default: the plan's.
    pool : FollowUpPool, optional
        Variates of follow-up contacts; needed when the scenario has redials or
        repeats (:class:`ccsim.streams.FollowUpPool`).

    Returns
    -------
    Outcome
        The fate and times of every contact, and the staffing log; with follow-ups
        also every contact created (``contacts``) and what followed each.
    """
    return _Centre(plan, contacts, plan.roster if roster is None else roster, pool).run()
