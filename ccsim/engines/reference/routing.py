"""Routing in the reference engine: which agent takes which contact, and when.

A contact that asks for an agent goes to the first group of its type's routing order
that has an idle agent *and may take it now*: a group written ``{group: g, after:
30s}`` gets the type only once the contact has waited that long (overflow after a
delay), and a group that keeps idle agents for one of its skills (``reserve``) lends
an agent to another type only while more than that many are idle. A contact that
finds no such agent hangs up at once with its type's balking probability (its own
uniform decides), may be offered a callback, and otherwise queues; each time its wait
reaches a group's delay (an *overflow* event), it is offered again to every group it
may now go to, in routing order.

A freed agent looks at the queues of its group's skills whose routing order includes
the group, at the head of each (the contact that queued first) if the group may take
it now (its wait reaches the group's delay; the group keeps its reserved agents), and
takes one by the group's policy: ``longest_waiting`` (earliest entry), ``priority``
(the first skill in order) or ``priority_age`` (highest head start + weight x wait of
its type). Ties go to the first type in the group's skills; e-mail only when no
real-time contact of its skills waits.

:class:`Routing` holds these rules as methods of the replication's
:class:`~ccsim.engines.reference.centre.Centre` (a mixin, as
:class:`~ccsim.engines.reference.agents.Agents`).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ccsim.engines.codes import (
    BALKED,
    LONGEST_WAITING,
    PRIO_ABANDON,
    PRIO_OVERFLOW,
    PRIORITY_ORDER,
    QUEUED,
)
from ccsim.engines.reference.events import Environment, Event
from ccsim.plan import Plan

__all__ = ["Routing"]


class Routing:
    """The rules of routing, for :class:`~ccsim.engines.reference.centre.Centre`."""

    # The centre's state these rules read and change (set by Centre.__init__).
    env: Environment
    plan: Plan
    type: list[int]
    fate: list[int]
    t_queued: list[float]
    t_left: list[float]
    patience: list[float]
    idle: list[int]
    chat: list[bool]
    queues: list[deque[int]]
    waiting: list[int]
    callbacks: bool
    follow: bool
    n_start: int
    in_system: int

    def _init_routing(self, contacts_balk_u: list[float] | None) -> None:
        """Routing tables as plain lists (see :class:`ccsim.plan.Plan`)."""
        plan = self.plan
        self.type_groups = [[g for g in row if g >= 0] for row in plan.type_groups.tolist()]
        self.group_types = [[t for t in row if t >= 0] for row in plan.group_types.tolist()]
        self.group_classes = [
            (types[:split], types[split:])
            for types, split in zip(self.group_types, plan.group_email_from.tolist(), strict=True)
        ]
        self.policy = plan.group_policy.tolist()
        self.routed = plan.has_routing
        self.type_after = plan.type_after.tolist()  # by (type, position in the order)
        self.type_keep = plan.type_keep.tolist()
        after, keep = {}, {}  # by (type, group)
        for g, row in enumerate(plan.group_types.tolist()):
            for j, t in enumerate(row):
                after[t, g] = float(plan.group_after[g, j])
                keep[t, g] = int(plan.group_keep[g, j])
        self.after_of, self.keep_of = after, keep
        self.overflow_after = [[d for d in row if d != float("inf")]
                               for row in plan.overflow_after.tolist()]  # fmt: skip
        self.head_start = plan.head_start.tolist()
        self.wait_weight = plan.wait_weight.tolist()
        self.balk = plan.balk.tolist()
        self.balk_u = contacts_balk_u

    if TYPE_CHECKING:  # the other rules these call (the centre's, agents', follow-ups')

        def _answer(self, c: int, g: int, a: int = -1) -> None: ...
        def _free_agent(self, g: int) -> int: ...
        def _offer_callback(self, c: int, t: int) -> bool: ...
        def _holds_line(self, c: int) -> bool: ...
        def _release(self, c: int) -> None: ...
        def _redial(self, c: int) -> None: ...
        def _abandon(self, event: Event) -> None: ...

    # ------------------------------------------------------------ on arrival
    def _ask_for_agent(self, c: int) -> None:
        """Contact ``c`` asks for an agent: answered, balks, or queues."""
        now = self.env.now
        self.t_queued[c] = now
        t = self.type[c]
        if self._route(c, t):
            return
        if self.balk_u is not None and c >= self.n_start and self.balk_u[c] < self.balk[t]:
            self.fate[c] = BALKED  # it finds no idle agent and hangs up at once
            self.t_left[c] = now
            if self._holds_line(c):
                self.in_system -= 1
            self._release(c)
            if self.follow:
                self._redial(c)
            return
        accepted = self.callbacks and self._offer_callback(c, t)
        self.fate[c] = QUEUED
        self.queues[t].append(c)
        self.waiting[t] += 1
        patience = self.patience[c]
        if not accepted and patience != float("inf"):
            Event(self.env, patience, PRIO_ABANDON, self._abandon, c)
        self._next_overflow(c)

    def _route(self, c: int, t: int) -> bool:
        """Offer ``c`` to the groups of its routing order it may go to now, in order.

        Returns whether one answered it.
        """
        now, queued = self.env.now, self.t_queued[c]
        for j, g in enumerate(self.type_groups[t]):
            if self.routed and queued + self.type_after[t][j] > now:
                continue  # the group gets the type only after a longer wait
            if self.chat[g]:
                a = self._free_agent(g)
                if a >= 0:
                    self._answer(c, g, a)
                    return True
            elif self.idle[g] > (self.type_keep[t][j] if self.routed else 0):
                self.idle[g] -= 1
                self._answer(c, g)
                return True
        return False

    # ------------------------------------------------------------- overflow
    def _next_overflow(self, c: int) -> None:
        """Schedule the moment ``c``'s wait reaches the next group's delay, if any."""
        queued = self.t_queued[c]
        for after in self.overflow_after[self.type[c]]:
            if queued + after > self.env.now:
                Event(self.env, 0, PRIO_OVERFLOW, self._overflow, c, at=queued + after)
                return

    def _overflow(self, event: Event) -> None:
        """A waiting contact's wait reaches a group's delay: offered again."""
        c = event._value
        if self.fate[c] != QUEUED:
            return  # answered, abandoned or turned away meanwhile
        t = self.type[c]
        if self._route(c, t):
            self.waiting[t] -= 1  # (it leaves its queue when it reaches the head)
        else:
            self._next_overflow(c)

    # ------------------------------------------------------ a freed agent
    def _next_contact(self, g: int) -> int:
        """The queued contact a free agent of ``g`` takes, or -1 (removed from its queue)."""
        best, best_q, best_score = -1, None, 0.0
        fate, t_queued, now = self.fate, self.t_queued, self.env.now
        policy = self.policy[g]
        for skills in self.group_classes[g]:  # real-time contacts first, then e-mail
            for t in skills:
                q = self.queues[t]
                while q and fate[q[0]] != QUEUED:
                    q.popleft()  # contacts no longer waiting leave the queue lazily
                if not q:
                    continue
                head = q[0]
                if self.routed and (
                    self.idle[g] < self.keep_of[t, g] or t_queued[head] + self.after_of[t, g] > now
                ):
                    continue  # kept for another skill, or not waited long enough for g
                if policy == PRIORITY_ORDER:
                    self.waiting[t] -= 1
                    return q.popleft()
                if policy == LONGEST_WAITING:
                    if best < 0 or t_queued[head] < t_queued[best]:
                        best, best_q = head, q
                else:  # priority_age: head start + weight x wait
                    score = self.head_start[t] + self.wait_weight[t] * (now - t_queued[head])
                    if best < 0 or score > best_score:
                        best, best_q, best_score = head, q, score
            if best_q is not None:
                best_q.popleft()
                self.waiting[self.type[best]] -= 1
                return best
        return -1
