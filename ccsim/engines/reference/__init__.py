"""The SimPy engine: the reference model of a contact centre.

One replication is a SimPy environment in which every happening is an event with a
callback: a contact arrives, leaves the IVR, runs out of patience, finishes talking,
finishes its wrap-up; a roster event changes the staff; an agent returns from a break.
The rules are written once here, in plain Python, and the fast kernel follows them.
The package reads as the model: :mod:`~ccsim.engines.reference.centre` holds the life
of a contact, :mod:`~ccsim.engines.reference.agents` the life of an agent (rosters,
breaks, chat agents), :mod:`~ccsim.engines.reference.events` the events on SimPy's
queue.

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
    1. roster events and returns from breaks, 2. ends of talk, of wrap-up and of
    dialling a callback, 3. abandonments, 4. ends of IVR, 5. arrivals, 6. follow-up
    arrivals (the priorities ``PRIO_*`` of :mod:`ccsim.engines.codes`). Within one
    class, events happen in the order they were scheduled. So an agent freed at the
    instant a contact's patience runs out answers it, and an agent whose shift ends
    at the instant its call ends goes home. A freed agent with policy ``longest_waiting`` takes the
    contact that entered its queue earliest; among equal entry times the first type
    in the group's skill order.
"""

from __future__ import annotations

import numpy as np

from ccsim.engines.reference.centre import Centre
from ccsim.followups import FollowUpPool
from ccsim.plan import Plan
from ccsim.results.outcome import FATES, Outcome
from ccsim.streams import Contacts

__all__ = ["FATES", "Outcome", "run_replication"]


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
        repeats (:class:`ccsim.followups.FollowUpPool`).

    Returns
    -------
    Outcome
        The fate and times of every contact, and the staffing log; with follow-ups
        also every contact created (``contacts``) and what followed each.
    """
    return Centre(plan, contacts, plan.roster if roster is None else roster, pool).run()
