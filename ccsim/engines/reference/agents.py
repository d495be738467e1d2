"""The life of an agent in the reference engine: rosters, breaks and chat agents.

Agents of a voice group are interchangeable: the engine counts the idle ones and what
the group owes its roster (leaves, breaks). An agent who becomes free first pays what
the group owes (a leave, then after a call a due break), otherwise takes the queued
contact its group's policy picks, otherwise becomes idle. A roster event (``JOIN``,
``LEAVE``, ``BREAK``, ``CLOSE``, :mod:`ccsim.plan`) takes idle agents at once and
leaves the rest owed. Agents of a chat group are kept one by one (the section below).
Each change of the head count on the phones is written to the staffing log.

:class:`Agents` holds these rules as methods of the replication's
:class:`~ccsim.engines.reference.centre.Centre` (a mixin: both halves of the model
share the centre's state).
"""

from __future__ import annotations

import math
from collections import deque

from ccsim.engines.codes import (
    ABSENT,
    BREAK,
    CLOSE,
    DRAINING,
    JOIN,
    ON,
    ON_BREAK,
    PRIO_ROSTER,
    QUEUED,
    UNSERVED,
)
from ccsim.engines.reference.events import Environment, Event
from ccsim.plan import Plan

__all__ = ["Agents"]


class Agents:
    """The rules of agents, for :class:`~ccsim.engines.reference.centre.Centre`."""

    # The centre's state these rules read and change (set by Centre.__init__).
    env: Environment
    plan: Plan
    idle: list[int]  # idle agents of each voice group
    owed_leave: list[int]  # leaves each group owes its roster
    owed_breaks: list[deque[float]]  # breaks (their lengths) each group owes
    on_phones: list[int]  # agents on the phones (idle or busy) of each group
    staff_log: list[tuple[float, int, int]]
    roster: list[tuple[float, int, int, int, float]]
    chat: list[bool]  # each group: a chat group (concurrency > 1)
    sessions: list[int]  # each group's concurrency
    load: list[list[int]]  # chat groups: sessions of each agent
    astate: list[list[int]]  # chat groups: state of each agent (ABSENT, ON, ...)
    queues: list[deque[int]]
    waiting: list[int]
    fate: list[int]
    t_queued: list[float]
    t_left: list[float]
    email: list[bool]
    type: list[int]
    day_length: float
    in_system: int

    def _answer(self, c: int, g: int, a: int = -1) -> None:  # (the centre's)
        raise NotImplementedError

    def _holds_line(self, c: int) -> bool:  # (the centre's)
        raise NotImplementedError

    def _next_contact(self, g: int) -> int:  # (the routing's)
        raise NotImplementedError

    def _release(self, c: int) -> None:  # (the follow-ups')
        raise NotImplementedError

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
            if state[a] == ON and low <= load[a] < high and (best < 0 or load[a] < load[best]):
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
        draining = state.count(DRAINING)
        for a in range(len(state) - 1, -1, -1):  # owing less: the last ones back on
            if draining <= debt:
                break
            if state[a] == DRAINING:
                state[a] = ON
                draining -= 1
        while draining < debt:
            best = self._least_loaded(g, 1, self.sessions[g] + 1)  # busy ones: idle pay now
            if best < 0:
                return
            state[best] = DRAINING
            draining += 1

    def _pay(self, g: int, a: int, after_call: bool) -> bool:
        """Agent ``a`` (no sessions) pays a leave, or after a session a break, if owed."""
        if self.owed_leave[g]:
            self.owed_leave[g] -= 1
            self.astate[g][a] = ABSENT
            self._staff(g, -1)
            return True
        if after_call and self.owed_breaks[g]:
            self.astate[g][a] = ON_BREAK
            self._staff(g, -1)
            self._break(self.owed_breaks[g].popleft(), (g, a))
            return True
        return False

    def _session_end(self, g: int, a: int) -> None:
        self.load[g][a] -= 1
        if self.load[g][a] == 0 and not self._pay(g, a, after_call=True):
            if self.astate[g][a] == DRAINING:
                self.astate[g][a] = ON  # the debt was cancelled meanwhile
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
                if state[a] == ABSENT:
                    state[a] = ON
                    joined += 1
            if joined:
                self._staff(g, joined)
        else:
            now_idle = 0
            for a in range(len(state)):
                if now_idle == count:
                    break
                if state[a] == ON and load[a] == 0:
                    now_idle += 1
                    if kind == BREAK:
                        state[a] = ON_BREAK
                        self._staff(g, -1)
                        self._break(duration, (g, a))
                    else:
                        state[a] = ABSENT
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
                Event(self.env, 0, PRIO_ROSTER, self._end_break, value, at=close)
                return
        Event(self.env, duration, PRIO_ROSTER, self._end_break, value)

    def _end_break(self, event: Event) -> None:
        if isinstance(event._value, tuple):  # an agent of a chat group
            g, a = event._value
            self._staff(g, +1)
            self.astate[g][a] = ON
            self._pay(g, a, after_call=False)
            self._designate(g)
            self._fill(g)
            return
        g = event._value
        self._staff(g, +1)
        self._agent_free(g, after_call=False)

    def _roster(self, event: Event) -> None:
        i = event._value
        _, g, kind, count, duration = self.roster[i]
        if i + 1 < len(self.roster):
            Event(self.env, 0, PRIO_ROSTER, self._roster, i + 1, at=self.roster[i + 1][0])
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
                if self.fate[c] == QUEUED:
                    self.fate[c] = UNSERVED
                    self.t_left[c] = now
                    if self._holds_line(c):
                        self.in_system -= 1
                    self._release(c)
            q.clear()
            self.waiting[t] = 0
        for owed in self.owed_breaks:  # breaks still owed are not taken the next day
            owed.clear()
