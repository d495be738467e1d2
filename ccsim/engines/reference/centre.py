"""One replication's contact centre in the reference engine: the life of a contact.

:class:`Centre` holds the state of one replication (contacts, queues, agents, lines and
IVR ports) and the rules of a contact's life as methods, each called by an event
(:mod:`~ccsim.engines.reference.events`): it arrives, is blocked or enters the IVR,
asks for an agent, queues (and may be offered a callback, or abandon), is answered,
talks, wraps up; it may be followed by a redial or a repeat contact. The rules of
agents are in :mod:`~ccsim.engines.reference.agents`; the model as a whole is described
in :mod:`ccsim.engines.reference`.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ccsim.engines.codes import (
    ABANDONED,
    ABSENT,
    ANSWERED,
    BLOCKED,
    CALLBACK_ACCEPTED,
    CALLBACK_DECLINED,
    CALLBACK_MISSED,
    DEFLECTED,
    IVR_ABANDONED,
    LONGEST_WAITING,
    NO_CALLBACK,
    NOT_FOLLOWED,
    PENDING,
    PRIO_ABANDON,
    PRIO_ARRIVAL,
    PRIO_DEPARTURE,
    PRIO_FOLLOW_UP,
    PRIO_IVR_END,
    PRIO_ROSTER,
    QUEUED,
    REDIAL,
    REDIALLED,
    REPEAT,
    UNRESOLVED,
    UNSERVED,
)
from ccsim.engines.reference.agents import Agents
from ccsim.engines.reference.events import Environment, Event
from ccsim.followups import FollowUpPool
from ccsim.plan import Plan
from ccsim.results.outcome import Outcome
from ccsim.streams import Contacts

__all__ = ["Centre"]


class Centre(Agents):
    """State of one replication; its methods are the model's rules."""

    def __init__(
        self,
        plan: Plan,
        contacts: Contacts,
        roster: tuple[np.ndarray, ...],
        pool: FollowUpPool | None = None,
    ):
        self.env = env = Environment()
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
        self.longest_waiting = [p == LONGEST_WAITING for p in plan.group_policy.tolist()]
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
            self.astate = [[ABSENT] * cap for cap in plan.group_agents.tolist()]
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
            Event(env, 0, PRIO_ARRIVAL, self._arrive, 0, at=self.arrival[0])
        if self.roster:
            Event(env, 0, PRIO_ROSTER, self._roster, 0, at=self.roster[0][0])

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
    def _arrive(self, event: Event) -> None:
        c = event._value
        nxt = c + 1
        if nxt < self.n:
            Event(self.env, 0, PRIO_ARRIVAL, self._arrive, nxt, at=self.arrival[nxt])
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
            Event(env, self.ivr_time[c], PRIO_IVR_END, self._leave_ivr, c)
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
                Event(self.env, delay, PRIO_FOLLOW_UP, self._follow_up, c)

    def _repeat(self, c: int) -> None:
        """A contact at the end of its talk: its customer unresolved (maybe), comes back."""
        t = self.type[c]
        if self.follow_u[c] < 1.0 - self.fcr[t][self.group[c]]:
            self.followed[c] = UNRESOLVED
            if self.repeats[c] < self.repeat_max[t]:
                delay = self.repeat_unit[c] * self.repeat_mean[t][self.interval[c]]
                if self.env.now + delay < self.plan.end:
                    Event(self.env, delay, PRIO_FOLLOW_UP, self._follow_up, c)

    def _follow_up(self, event: Event) -> None:
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

    def _leave_ivr(self, event: Event) -> None:
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
        self.fate[c] = QUEUED
        self.queues[t].append(c)
        self.waiting[t] += 1
        patience = self.patience[c]
        if patience != float("inf"):
            Event(self.env, patience, PRIO_ABANDON, self._abandon, c)

    def _abandon(self, event: Event) -> None:
        c = event._value
        if self.fate[c] == QUEUED:  # still waiting (answered contacts ignore this)
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
        self.fate[c] = QUEUED
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
            Event(self.env, self.dial[c], PRIO_DEPARTURE, self._end_dial, c)  # call it back
            return
        Event(self.env, self._talk_time(c, g), PRIO_DEPARTURE, self._end_talk, c)

    def _talk_time(self, c: int, g: int) -> float:
        if self.has_chat and self.agent[c] >= 0:
            return self.handle[c] * self.factor[c] / self.speed[g]
        return self.handle[c] / self.speed[g]

    def _end_dial(self, event: Event) -> None:
        """The agent has dialled a callback: the customer answers, or not."""
        c = event._value
        if self.no_answer_u[c] < self.cb_no_answer[self.type[c]]:
            self.fate[c] = CALLBACK_MISSED
            self.t_left[c] = self.t_freed[c] = self.env.now
            self._work_done(c)
            return
        Event(self.env, self._talk_time(c, self.group[c]), PRIO_DEPARTURE, self._end_talk, c)

    def _holds_line(self, c: int) -> bool:
        """Contact ``c`` holds a trunk line: a call, unless it accepted a callback."""
        return self.voice[self.type[c]] and not (
            self.callbacks and self.callback[c] == CALLBACK_ACCEPTED
        )

    def _end_talk(self, event: Event) -> None:
        c = event._value
        self.t_left[c] = self.env.now
        if self._holds_line(c):
            self.in_system -= 1
        if self.follow:
            self._repeat(c)
        if self.wrap[c] > 0:
            Event(self.env, self.wrap[c], PRIO_DEPARTURE, self._end_wrap, c)
        else:
            self._end_wrap(event)

    def _end_wrap(self, event: Event) -> None:
        c = event._value
        self.t_freed[c] = self.env.now
        self._work_done(c)

    def _work_done(self, c: int) -> None:
        """The agent who took ``c`` has finished with it (after wrap-up)."""
        if self.has_chat and self.agent[c] >= 0:
            self._session_end(self.group[c], self.agent[c])
        else:
            self._agent_free(self.group[c], after_call=True)

    # --------------------------------------------------------------------- run
    def run(self) -> Outcome:
        """Run the replication to the drain limit; return what happened to every contact."""
        plan = self.plan
        self.env.run(until=plan.end + plan.max_drain)
        fate = np.array(self.fate, dtype=np.int8)
        waiting = (fate == QUEUED) | (fate == PENDING)
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
