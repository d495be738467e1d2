"""Follow-up contacts: the variates of redials, repeat contacts and transfers, drawn ahead.

A customer whose call was blocked or who abandoned may redial; one whose need an
answering agent left unresolved comes back as a repeat contact; a handled contact may
be transferred on as a contact of another type. Such follow-ups are
created while the day runs, so neither their number nor their order is known when a
replication's contacts are drawn (:func:`ccsim.streams.draw_contacts`). Each first
contact carries the uniform that decides whether it is followed up and the unit draws
of the follow-up's delay; the follow-up's own variates (handle time, patience, IVR,
its own follow-up uniform, ...) come from a :class:`FollowUpPool`, drawn per contact
type before the run and taken in the order the follow-ups are created. Both engines
create follow-ups in the same order, so they take the same entries.

The pool's streams are the type's own stream names under a separate owner, so drawing
a pool moves no first contact's draw (common random numbers).
"""

from __future__ import annotations

import numpy as np

from ccsim.plan import Plan
from ccsim.streams import Contacts, stream
from ccsim.variates import behaviour_draws, callback_draws, follow_up_draws, group_handle_draws

__all__ = ["FollowUpPool", "followup_pool"]

#: Owner suffix of the streams of a type's follow-up pool (after the type's name).
_OWNER = "\x00follow-ups"


class FollowUpPool:
    """Variates of one replication's follow-up contacts, drawn ahead per contact type.

    The k-th follow-up of type j created in the run takes entry k of type j's pool:
    unit draws of handle time, wrap-up and patience (inf: never abandons) and of the
    IVR time (times the means of the interval it arrives in), the IVR uniform, the
    follow-up uniform and the unit delays of its own follow-ups, its balking and
    transfer uniforms; and in ``group_handle`` (pairs, entries) unit draws of the
    groups' own handle times for its type. Pools are drawn from
    the type's streams under a separate owner, so they do not move first contacts'
    draws. :meth:`grow` draws a longer pool whose first entries are the same (every
    sampler draws element by element), so a run that ran out can be repeated with
    the same results.
    """

    COLUMNS = ("handle", "wrap_up", "patience", "ivr_time", "ivr_u", "follow_u", "redial_delay",
               "repeat_delay", "callback_u", "no_answer_u", "dial_time", "balk_u",
               "transfer_u")  # fmt: skip

    def __init__(self, plan: Plan, seed: int, replication: int, size: int):
        self.plan, self.seed, self.replication = plan, seed, replication
        self.size = int(size)
        self.targets = plan.followup_targets()
        self._draw()

    def _layout(self) -> None:
        """Empty entries: ``size`` for each target type."""
        sizes = np.where(self.targets, self.size, 0)
        #: start of each type's entries in ``data`` (types + 1)
        self.offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        #: (len(COLUMNS), entries) float64
        self.data = np.zeros((len(self.COLUMNS), int(self.offsets[-1])))
        #: (pairs of the plan, entries) unit draws of groups' own handle times
        self.group_handle = np.zeros((len(self.plan.pair_type), int(self.offsets[-1])))

    def _draw(self) -> None:
        plan = self.plan
        self._layout()
        for i in np.flatnonzero(self.targets):
            name = plan.type_names[i] + _OWNER

            def rng(which: str, suffix: str = "", name: str = name) -> np.random.Generator:
                return stream(self.seed, self.replication, name + suffix, which)

            n = self.size
            block = self.data[:, self.offsets[i] : self.offsets[i + 1]]
            block[0] = plan.handle[i].sample_unit(rng("handle"), n)
            if plan.wrap_up[i] is not None:
                block[1] = plan.wrap_up[i].sample_unit(rng("wrap_up"), n)
            patience = plan.patience[i]
            block[2] = np.inf if patience is None else patience.sample_unit(rng("patience"), n)
            if plan.ivr is not None and plan.type_voice[i]:  # chat and e-mail skip the IVR
                block[3] = plan.ivr.sample_unit(rng("ivr_time"), n)
                block[4] = rng("ivr_deflect").random(n)
            block[5], block[6], block[7] = follow_up_draws(plan, i, n, rng)
            block[8], block[9], block[10] = callback_draws(plan, i, n, rng, None)
            block[11:13] = 1.0  # never balks, never transferred
            for name, u in behaviour_draws(plan, i, n, rng).items():
                block[self.COLUMNS.index(name)] = u
            if plan.has_pairs:
                lo, hi = self.offsets[i], self.offsets[i + 1]
                self.group_handle[:, lo:hi] = group_handle_draws(plan, i, n, rng, None)

    def grow(self) -> None:
        """Double every type's pool (its first entries unchanged)."""
        if self.seed is None:
            raise ValueError("the hand-made follow-up pool is too short for this timeline")
        self.size *= 2
        self._draw()

    @classmethod
    def from_rows(cls, plan: Plan, rows: dict[str, list[dict]]) -> FollowUpPool:
        """A hand-made pool (for timeline tests): rows by type name, keys as COLUMNS.

        Missing keys: handle 0, wrap_up 0, patience inf, ivr_time 0, ivr_u 1 (asks
        for an agent), follow_u 1 (never followed up), delays 0, callback_u 1 (never
        accepts a callback), no_answer_u 1 (answers), dial_time 0, balk_u 1 (never
        balks), transfer_u 1 (never transferred); ``group_handle``: group name -> unit
        draw of that group's own handle time (0).
        """
        pool = cls.__new__(cls)
        pool.plan, pool.seed, pool.replication = plan, None, None  # (cannot grow)
        pool.size = max((len(r) for r in rows.values()), default=0)
        pool.targets = np.array([name in rows for name in plan.type_names])
        pool._layout()
        default = {"patience": np.inf, "ivr_u": 1.0, "follow_u": 1.0, "callback_u": 1.0,
                   "no_answer_u": 1.0, "balk_u": 1.0, "transfer_u": 1.0}  # fmt: skip
        for name, entries in rows.items():
            lo = pool.offsets[plan.type_names.index(name)]
            for k, col in enumerate(cls.COLUMNS):
                for e, row in enumerate(entries):
                    pool.data[k, lo + e] = row.get(col, default.get(col, 0.0))
            for p, g in enumerate(plan.pair_group):
                for e, row in enumerate(entries):
                    own = row.get("group_handle", {})
                    pool.group_handle[p, lo + e] = own.get(plan.group_names[g], 0.0)
        return pool


def followup_pool(
    plan: Plan, seed: int, replication: int, contacts: Contacts
) -> FollowUpPool | None:
    """The follow-up pool of one replication, or None when the scenario has none.

    Each type that can receive follow-ups starts with 64 + a quarter of the day's
    first contacts entries; engines grow it when a run needs more.
    """
    if not plan.has_followups:
        return None
    return FollowUpPool(plan, seed, replication, 64 + len(contacts) // 4)
