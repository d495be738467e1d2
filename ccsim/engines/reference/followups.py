"""Follow-ups in the reference engine: redials, repeat contacts and transfers.

A contact that abandons in the queue, balks or is blocked is redialled with its type's
``redial.probability`` (if it has had fewer than ``redial.max`` redials); a handled
contact leaves its customer unresolved with probability 1 - fcr of the answering
group, and the customer contacts again as ``repeat.as_type`` (fewer than
``repeat.max`` repeats so far). The decision is the contact's own uniform against the
probability; the follow-up arrives after the contact's delay (unit draw times the
delay's mean in the contact's arrival interval) when that is before the end of the
horizon, as a new contact whose variates come from the type's follow-up pool
(:class:`ccsim.followups.FollowUpPool`). A redial is decided when the contact is
blocked, balks or abandons, a repeat at the end of talk (before its wrap-up starts).

Transfers: at the end of its talk a contact of a type with ``transfer`` is transferred
when its transfer uniform is below the probability (it then has no repeat decision of
its own); a *handover* event at that instant creates the transferred contact, of the
``transfer.to`` type, from that type's pool, and it asks for an agent at once: no IVR,
no new trunk line (the call keeps its line). With ``stay`` the first agent stays busy
until the transferred contact is answered, abandons, balks or is turned away at
closing time, and only then does the first contact's wrap-up.

:class:`FollowUps` holds these rules as methods of the replication's
:class:`~ccsim.engines.reference.centre.Centre` (a mixin).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccsim.engines.codes import (
    ANSWERED,
    NO_CALLBACK,
    NOT_FOLLOWED,
    PENDING,
    PRIO_DEPARTURE,
    PRIO_FOLLOW_UP,
    PRIO_HANDOVER,
    REDIAL,
    REDIALLED,
    REPEAT,
    TRANSFER,
    TRANSFERRED,
    UNRESOLVED,
)
from ccsim.engines.reference.events import Environment, Event
from ccsim.followups import FollowUpPool
from ccsim.plan import Plan
from ccsim.streams import Contacts

__all__ = ["FollowUps"]


class FollowUps:
    """The rules of follow-ups, for :class:`~ccsim.engines.reference.centre.Centre`."""

    # The centre's state these rules read and change (set by Centre.__init__).
    env: Environment
    plan: Plan
    n: int
    type: list[int]
    fate: list[int]
    group: list[int]

    if TYPE_CHECKING:  # the other rules these call (the routing's, the centre's)

        def _ask_for_agent(self, c: int) -> None: ...
        def _enter(self, c: int) -> None: ...
        def _end_wrap(self, event: Event) -> None: ...

    def _init_follow_ups(self, contacts: Contacts, pool: FollowUpPool | None) -> None:
        plan = self.plan
        if pool is None:
            raise ValueError("a scenario with follow-ups needs their FollowUpPool")
        self.pool = pool
        self.pool_data = pool.data.tolist()
        self.pool_handle = pool.group_handle.tolist()
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
        self.transfer_p = plan.transfer_p.tolist()
        self.transfer_to = plan.transfer_to.tolist()
        self.transfer_stay = plan.transfer_stay.tolist()

    def _redial(self, c: int) -> None:
        """A blocked, balked or abandoned contact: redialled (maybe), after its delay."""
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

    def _transferred(self, c: int) -> bool:
        """A contact at the end of its talk: transferred? (then its handover comes now)."""
        if self.transfer_u is None or self.transfer_u[c] >= self.transfer_p[self.type[c]]:
            return False
        self.followed[c] = TRANSFERRED
        Event(self.env, 0, PRIO_HANDOVER, self._handover, c)
        return True

    def _follow_up(self, event: Event) -> None:
        """The follow-up of contact ``src`` arrives: a new contact from the pool."""
        src = event._value
        redial = self.fate[src] != ANSWERED
        t = self.type[src] if redial else self.repeat_type[self.type[src]]
        self._enter(self._new_contact(src, t, REDIAL if redial else REPEAT))

    def _handover(self, event: Event) -> None:
        """Contact ``src`` is transferred: its next contact asks for an agent at once."""
        src = event._value
        c = self._new_contact(src, self.transfer_to[self.type[src]], TRANSFER)
        if self.transfer_stay[self.type[src]]:
            self.source[c] = src  # its first agent waits on the line
        self._ask_for_agent(c)

    def _release(self, c: int) -> None:
        """Contact ``c`` is answered or gone: a first agent waiting on it does its wrap-up."""
        src = self.source.pop(c, -1) if self.source else -1
        if src >= 0:
            Event(self.env, self.wrap[src], PRIO_DEPARTURE, self._end_wrap, src)

    def _new_contact(self, src: int, t: int, kind: int) -> int:
        """A contact of type ``t`` following ``src`` now, its variates the pool's next entry."""
        plan = self.plan
        if self.pool_used[t] == self.pool.size:  # ran out: a longer pool, same first entries
            self.pool.grow()
            self.pool_data = self.pool.data.tolist()
            self.pool_handle = self.pool.group_handle.tolist()
        e = self.pool.offsets[t] + self.pool_used[t]
        self.pool_used[t] += 1
        now = self.env.now
        nan = float("nan")
        k = min(int(now / plan.interval), plan.n_intervals - 1)
        (handle, wrap, patience, ivr_time, ivr_u, follow_u, redial_unit, repeat_unit,
         callback_u, no_answer_u, dial_unit, balk_u,
         transfer_u) = (col[e] for col in self.pool_data)  # fmt: skip
        c = len(self.type)
        transfer = kind == TRANSFER  # (it skips the IVR)
        self.type.append(t)
        self.arrival.append(now)
        self.interval.append(k)
        self.handle.append(handle * plan.handle_mean[t, k])
        self.wrap.append(wrap * plan.wrap_up_mean[t, k])
        if patience != float("inf"):  # inf: the type never abandons
            patience *= plan.patience_mean[t, k]
        self.patience.append(patience)
        self.ivr_time.append(0.0 if transfer else ivr_time * plan.ivr_mean[k])
        p_deflect, p_abandon = plan.ivr_deflect[t], plan.ivr_abandon[t]
        self.deflect.append(not transfer and ivr_u < p_deflect)
        self.ivr_abandon.append(not transfer and p_deflect <= ivr_u < p_deflect + p_abandon)
        self.follow_u.append(follow_u)
        self.redial_unit.append(redial_unit)
        self.repeat_unit.append(repeat_unit)
        self.kind.append(kind)
        self.customer.append(self.customer[src])
        self.redials.append(self.redials[src] + 1 if kind == REDIAL else 0)
        self.repeats.append(self.repeats[src] + (1 if kind == REPEAT else 0))
        self.followed.append(NOT_FOLLOWED)
        if self.callbacks:
            self.callback_u.append(callback_u)
            self.no_answer_u.append(no_answer_u)
            self.dial.append(dial_unit * plan.dial_mean[t, k])
            self.callback.append(NO_CALLBACK)
            self.callback_at.append(nan)
        if self.balk_u is not None:
            self.balk_u.append(balk_u)
        if self.transfer_u is not None:
            self.transfer_u.append(transfer_u)
        for p, row in enumerate(self.group_handle):
            row.append(self.pool_handle[p][e] * plan.pair_mean[p, k] if plan.pair_type[p] == t
                       else 0.0)  # fmt: skip
        self.group.append(-1)
        self.fate.append(PENDING)
        if self.has_chat:
            self.agent.append(-1)
            self.factor.append(1.0)
        for column in (self.t_queued, self.t_answered, self.t_left, self.t_freed):
            column.append(nan)
        return c

    def _all_contacts(self) -> Contacts:
        """First contacts and follow-ups, as created."""
        import numpy as np

        i64 = np.int64
        extra = {}
        if self.callbacks:
            extra = {"callback_u": np.array(self.callback_u),
                     "no_answer_u": np.array(self.no_answer_u),
                     "dial_time": np.array(self.dial)}  # fmt: skip
        if self.balk_u is not None:
            extra["balk_u"] = np.array(self.balk_u)
        if self.transfer_u is not None:
            extra["transfer_u"] = np.array(self.transfer_u)
        if self.plan.has_pairs:
            extra["group_handle"] = np.array(self.group_handle).reshape(len(self.group_handle), -1)
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
            **extra,
        )
