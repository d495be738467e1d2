"""One replication's contact centre in the reference engine: the life of a contact.

:class:`Centre` holds the state of one replication (contacts, queues, agents, lines and
IVR ports) and the rules of a contact's life as methods, each called by an event
(:mod:`~ccsim.engines.reference.events`): it arrives, is blocked or enters the IVR,
asks for an agent, queues (and may be offered a callback, or abandon), is answered,
talks, wraps up. Which agent takes which contact is
:mod:`~ccsim.engines.reference.routing`'s; redials, repeat contacts and transfers are
:mod:`~ccsim.engines.reference.followups`'; the rules of agents are in
:mod:`~ccsim.engines.reference.agents`. The model as a whole is described in
:mod:`ccsim.engines.reference`.
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
    NO_CALLBACK,
    PENDING,
    PRIO_ARRIVAL,
    PRIO_DEPARTURE,
    PRIO_IVR_END,
    PRIO_ROSTER,
    QUEUED,
    UNSERVED,
)
from ccsim.engines.reference.agents import Agents
from ccsim.engines.reference.events import Environment, Event
from ccsim.engines.reference.followups import FollowUps
from ccsim.engines.reference.routing import Routing
from ccsim.followups import FollowUpPool
from ccsim.plan import Plan
from ccsim.results.outcome import Outcome
from ccsim.streams import Contacts

__all__ = ["Centre"]


class Centre(Routing, FollowUps, Agents):
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
        self.email = plan.type_email.tolist()
        self.voice = plan.type_voice.tolist()
        self.n_start = int(plan.start_waiting.sum())  # the first contacts (start_state)
        self.day_length = (
            plan.interval * plan.scenario.horizon.intervals if plan.n_days > 1 else 0.0
        )
        self.speed = plan.group_speed.tolist()
        self._init_routing(contacts.balk_u.tolist() if contacts.balk_u is not None else None)
        self.transfer_u = contacts.transfer_u.tolist() if contacts.transfer_u is not None else None
        self.source: dict[int, int] = {}  # transferred contact -> its first contact (stay)
        # a group's handle time for a type: the type's times a multiplier, or its own
        self.scaled = plan.scaled
        self.handle_factor = plan.handle_factor.tolist()
        self.pair_row = plan.pair_row.tolist()
        self.group_handle = (
            contacts.group_handle.tolist() if contacts.group_handle is not None else []
        )
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

    def _leave_ivr(self, event: Event) -> None:
        c = event._value
        self.in_ivr -= 1
        if self.deflect[c] or self.ivr_abandon[c]:
            self.fate[c] = DEFLECTED if self.deflect[c] else IVR_ABANDONED
            self.t_left[c] = self.env.now
            self.in_system -= 1
        else:
            self._ask_for_agent(c)

    def _abandon(self, event: Event) -> None:
        c = event._value
        if self.fate[c] == QUEUED:  # still waiting (answered contacts ignore this)
            self.waiting[self.type[c]] -= 1
            self.fate[c] = ABANDONED
            self.t_left[c] = self.env.now
            if self.voice[self.type[c]]:
                self.in_system -= 1
            self._release(c)
            if self.follow:
                self._redial(c)

    def _offer_callback(self, c: int, t: int) -> bool:
        """A contact that must queue: offer a callback? Returns True if it accepts.

        An accepted callback frees its line and queues without abandoning.
        """
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
        else:
            Event(self.env, self._talk_time(c, g), PRIO_DEPARTURE, self._end_talk, c)
        self._release(c)

    def _talk_time(self, c: int, g: int) -> float:
        """Handle time (the type's, x the group's multiplier, or the group's own) / speed."""
        handle = self.handle[c]
        if self.scaled:
            p = self.pair_row[self.type[c]][g]
            if p >= 0:
                handle = self.group_handle[p][c]
            else:
                handle *= self.handle_factor[self.type[c]][g]
        if self.has_chat and self.agent[c] >= 0:
            return handle * self.factor[c] / self.speed[g]
        return handle / self.speed[g]

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
        transferred = self.follow and self._transferred(c)  # (it keeps its line)
        if self._holds_line(c) and not transferred:
            self.in_system -= 1
        if self.follow and not transferred:
            self._repeat(c)
        if transferred and self.transfer_stay[self.type[c]]:
            return  # the agent stays on the line until the transfer is answered
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
