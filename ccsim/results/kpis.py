"""KPIs: what a planner reads, from what an engine counted.

Each replication adds up, per contact type and arrival interval, a few counters and
sums (offered, answered, waits, ...) and, per agent group and interval, busy and
staffed agent time. Every KPI is a ratio of these sums, so the same formula serves an
interval, a type, a group or the whole centre (add the sums first, then divide).
KPIs are computed per replication and reported as the mean across replications with a
95 % Student-t confidence interval.

Definitions (names are the public contract; contacts arriving in the warm-up are
simulated but not counted; see the README for the full text):

* ``offered``: contacts that asked for an agent, blocked ones included
  (answered + abandoned + blocked + unserved + balked).
* ``service_level`` = answered within threshold / offered;
  ``service_level_answered`` = answered within threshold / answered;
  ``service_level_excl_short_abandons`` = answered within threshold /
  (offered - abandoned within threshold). "Within" means wait <= threshold.
* ``p_wait`` = contacts that had to queue (answered after a wait > 0, abandoned,
  unserved, or balked: they found no idle agent) / offered; ``abandon_rate`` =
  abandoned / offered; ``block_rate`` = blocked / offered.
* ``balked``: contacts that found no idle agent and hung up at once (``balk``); they
  are offered and never answered, so they count against every service level;
  ``balk_rate`` = balked / offered.
* ``asa_s``: mean wait of answered contacts; ``mean_wait_s``: mean time in queue of
  answered and abandoned contacts (abandoners until they hung up); ``aht_s``: mean
  talk + wrap-up time of answered contacts.
* ``mean_queue``: mean number of contacts waiting in queue over the counted window
  (per interval: over that interval of *time*), from contact-seconds in queue.
* Follow-ups (only in scenarios with redials or repeats): ``redials`` and
  ``repeats`` are the arrived contacts that were redials or repeat contacts;
  ``first_attempts`` = arrived - redials; ``unique_customers`` = arrived - redials -
  repeats (customers' first contacts); ``fcr`` = 1 - unresolved / answered (handled
  contacts that resolved the customer's need). Every other KPI counts each attempt.
  With transfers, ``transferred`` counts the handled contacts transferred on and
  ``transfers`` the arrived contacts that came by transfer (offered to their new
  type like any contact); neither first attempts nor unique customers count
  transfers.
* Callbacks (only in scenarios that offer them): ``callbacks_offered``,
  ``callbacks_accepted``, ``callbacks_completed`` (the customer was reached) and
  ``callbacks_missed`` (not answered; a fate, counted as offered, not answered);
  ``callback_delay_s`` = mean time from accepting to being reached. A callback counts
  in the service level with its wait until an agent started to call it back.
* A chat session keeps 1/k of its agent busy (k = the group's ``concurrency``), so
  a chat group's occupancy is the share of its sessions in use.
* ``occupancy`` = busy agent time (talk and wrap-up) / staffed agent time (breaks
  excluded) over the counted window [warm-up, end of the last interval].
"""

from __future__ import annotations

import numpy as np

from ccsim.plan import Plan
from ccsim.results.outcome import (
    ABANDONED,
    ANSWERED,
    BALKED,
    BLOCKED,
    CALLBACK_ACCEPTED,
    CALLBACK_MISSED,
    DEFLECTED,
    IVR_ABANDONED,
    REDIALLED,
    TRANSFERRED,
    UNRESOLVED,
    UNSERVED,
    Outcome,
)
from ccsim.streams import REDIAL, REPEAT, TRANSFER, Contacts

__all__ = [
    "CALLBACK_KPIS",
    "FOLLOW_UP_KPIS",
    "GROUP_FIELDS",
    "GROUP_KPIS",
    "TYPE_FIELDS",
    "WAIT_ABANDONED",
    "WAIT_ANSWERED",
    "WAIT_EDGES",
    "TYPE_KPIS",
    "accumulate",
    "capacity_notes",
    "group_kpis",
    "GROUP_RATIOS",
    "RATIOS",
    "ratio_parts",
    "type_kpis",
]

#: Counters per (contact type, arrival interval) and replication.
TYPE_FIELDS = (
    "arrived",
    "offered",
    "answered",
    "abandoned",
    "blocked",
    "deflected",
    "ivr_abandoned",
    "unserved",
    "queued",
    "answered_in_sl",
    "abandoned_in_sl",
    "wait_answered",
    "wait_abandoned",
    "handle",
    "line_time",
    "ivr_time",
    "queue_time",  # by *time* interval, not arrival: contact-seconds waiting in queue
    "redials",  # arrived contacts that are redials
    "repeats",  # arrived contacts that are repeat contacts
    "redialled",  # abandoned or blocked contacts whose customer decided to redial
    "unresolved",  # answered contacts that left the customer's need unresolved
    "callbacks_offered",  # contacts offered a callback (virtual hold)
    "callbacks_accepted",
    "callbacks_completed",  # accepted callbacks an agent reached
    "callbacks_missed",  # accepted callbacks the customer did not answer
    "callback_delay",  # seconds from acceptance to the customer reached, completed ones
    "balked",  # contacts that found no idle agent and hung up at once
    "transfers",  # arrived contacts that came by transfer
    "transferred",  # answered contacts transferred on to another type
)
#: Sums per (agent group, interval) and replication, in agent-seconds (and contacts).
GROUP_FIELDS = ("busy", "staffed", "handled")

#: Edges (seconds) of the bins of the waiting-time histograms per type and replication:
#: 1 s wide up to 10 min, then 2 % wider each up to beyond 10 days; the last bin is open.
#: Waits of answered contacts (row 0) and of abandoned ones (row 1) are counted, for the
#: counted contacts (those arriving after the warm-up), from queue entry.
WAIT_EDGES = np.concatenate(
    [np.arange(0.0, 600.0), 600.0 * 1.02 ** np.arange(0, int(np.log(1440) / np.log(1.02)) + 2)]
)
#: Rows of the waiting-time histogram.
WAIT_ANSWERED, WAIT_ABANDONED = 0, 1

TYPE_KPIS = (
    "offered",
    "answered",
    "abandoned",
    "blocked",
    "deflected",
    "ivr_abandoned",
    "unserved",
    "service_level",
    "service_level_answered",
    "service_level_excl_short_abandons",
    "service_level_incl_short_abandons",
    "p_wait",
    "abandon_rate",
    "block_rate",
    "asa_s",
    "mean_wait_s",
    "aht_s",
    "balked",
    "balk_rate",
)
#: KPIs of redials, repeat contacts and transfers (reported when a scenario has them).
FOLLOW_UP_KPIS = ("first_attempts", "redials", "repeats", "unique_customers", "fcr", "transfers",
                  "transferred")  # fmt: skip
#: KPIs of callbacks (reported when a scenario offers them).
CALLBACK_KPIS = ("callbacks_offered", "callbacks_accepted", "callbacks_completed",
                 "callbacks_missed", "callback_delay_s")  # fmt: skip
GROUP_KPIS = ("occupancy", "staffed_hours", "busy_hours", "handled")
#: KPIs that are shares (0 to 1): tables and charts show them as percentages.
SHARE_KPIS = frozenset(("service_level", "service_level_answered",
                        "service_level_excl_short_abandons",
                        "service_level_incl_short_abandons", "p_wait", "abandon_rate",
                        "block_rate", "occupancy", "fcr", "balk_rate"))  # fmt: skip
#: Ratio KPIs as (numerator, denominator), each a signed sum of counter fields: their
#: *pooled* value over replications (and days) is sum(numerator) / sum(denominator).
RATIOS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "service_level": (("answered_in_sl",), ("offered",)),
    "service_level_answered": (("answered_in_sl",), ("answered",)),
    "service_level_excl_short_abandons": (("answered_in_sl",), ("offered", "-abandoned_in_sl")),
    "service_level_incl_short_abandons": (("answered_in_sl", "abandoned_in_sl"), ("offered",)),
    "p_wait": (("queued",), ("offered",)),
    "abandon_rate": (("abandoned",), ("offered",)),
    "block_rate": (("blocked",), ("offered",)),
    "balk_rate": (("balked",), ("offered",)),
    "asa_s": (("wait_answered",), ("answered",)),
    "mean_wait_s": (("wait_answered", "wait_abandoned"), ("answered", "abandoned")),
    "aht_s": (("handle",), ("answered",)),
    "fcr": (("answered", "-unresolved"), ("answered",)),
    "callback_delay_s": (("callback_delay",), ("callbacks_completed",)),
}
#: Group ratio KPIs (over GROUP_FIELDS), pooled the same way.
GROUP_RATIOS = {"occupancy": (("busy",), ("staffed",))}

_F = {name: i for i, name in enumerate(TYPE_FIELDS)}


def accumulate(
    plan: Plan, contacts: Contacts, out: Outcome
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add up one replication's contacts into the KPI counters.

    Parameters
    ----------
    plan : Plan
    contacts : Contacts
    out : Outcome
        The engine's outcome for ``contacts``.

    Returns
    -------
    type_acc : numpy.ndarray
        Shape (types, intervals, len(TYPE_FIELDS)).
    group_acc : numpy.ndarray
        Shape (groups, intervals, len(GROUP_FIELDS)).
    wait_hist : numpy.ndarray
        Shape (types, 2, len(WAIT_EDGES)): the counted contacts' waits from queue entry
        to answer (row :data:`WAIT_ANSWERED`) or abandonment (:data:`WAIT_ABANDONED`),
        in the bins ``[WAIT_EDGES[i], WAIT_EDGES[i + 1])`` (the last one open).
    """
    nt, nk = plan.n_types, plan.n_intervals
    counted = contacts.arrival >= plan.warmup
    cell = (contacts.type * nk + contacts.interval)[counted]
    fate = out.fate[counted]
    threshold = plan.sl_threshold[contacts.type[counted]]
    wait = np.where(np.isnan(out.answered), out.left, out.answered)[counted] - out.queued[counted]
    answered = fate == ANSWERED
    abandoned = fate == ABANDONED
    missed = fate == CALLBACK_MISSED
    balked = fate == BALKED
    offered = answered | abandoned | (fate == BLOCKED) | (fate == UNSERVED) | missed | balked
    # (a contact still in talk or wrap-up when the run stops: its time until then)
    freed = np.where(np.isnan(out.freed), plan.end + plan.max_drain, out.freed)
    handle = (freed - out.answered)[counted]
    held = np.where(np.isnan(out.left), plan.end + plan.max_drain, out.left)
    if out.callback is not None:  # a callback hung up when it accepted
        held = np.where(out.callback == CALLBACK_ACCEPTED, out.callback_at, held)
    held = held[counted]
    weights = {
        "arrived": None,
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "blocked": fate == BLOCKED,
        "deflected": fate == DEFLECTED,
        "ivr_abandoned": fate == IVR_ABANDONED,
        "unserved": fate == UNSERVED,
        "queued": (answered & (wait > 0)) | abandoned | (fate == UNSERVED) | missed | balked,
        "answered_in_sl": answered & (wait <= threshold),
        "abandoned_in_sl": abandoned & (wait <= threshold),
        "wait_answered": np.where(answered, wait, 0.0),
        "wait_abandoned": np.where(abandoned, wait, 0.0),
        "handle": np.where(answered, handle, 0.0),
        # seconds holding a trunk line (arrival to leaving) and in the IVR: for costs
        "line_time": np.where(
            (fate == BLOCKED) | ~plan.type_voice[contacts.type[counted]],  # only calls hold one
            0.0,
            held - contacts.arrival[counted],
        ),
        "ivr_time": np.where(fate == BLOCKED, 0.0, contacts.ivr_time[counted]),
        "balked": balked,
    }
    if out.followed is not None:
        kind, followed = contacts.kind[counted], out.followed[counted]
        weights["redials"] = kind == REDIAL
        weights["repeats"] = kind == REPEAT
        weights["redialled"] = followed == REDIALLED
        weights["unresolved"] = followed == UNRESOLVED
        weights["transfers"] = kind == TRANSFER
        weights["transferred"] = followed == TRANSFERRED
    if out.callback is not None:
        state = out.callback[counted]
        accepted = state == CALLBACK_ACCEPTED
        reached = out.answered[counted] + contacts.dial_time[counted]
        weights["callbacks_offered"] = state != 0
        weights["callbacks_accepted"] = accepted
        weights["callbacks_completed"] = accepted & answered
        weights["callbacks_missed"] = accepted & missed
        weights["callback_delay"] = np.where(
            accepted & answered, reached - out.callback_at[counted], 0.0
        )
    type_acc = np.zeros((nt * nk, len(TYPE_FIELDS)))
    for j, name in enumerate(TYPE_FIELDS):
        if name not in weights:
            continue  # queue time below; follow-up counts stay 0 without follow-ups
        w = weights[name]
        type_acc[:, j] = np.bincount(
            cell, weights=None if w is None else w.astype(float), minlength=nt * nk
        )
    type_acc = type_acc.reshape(nt, nk, -1)
    type_acc[..., _F["queue_time"]] = _queue_time(plan, contacts, out)
    return type_acc, _group_acc(plan, contacts, out, counted), _wait_hist(plan, contacts, out)


def _wait_hist(plan: Plan, contacts: Contacts, out: Outcome) -> np.ndarray:
    """Waits of the counted answered and abandoned contacts, binned by type and row."""
    counted = contacts.arrival >= plan.warmup
    row = np.where(out.fate == ANSWERED, WAIT_ANSWERED, WAIT_ABANDONED)
    kept = counted & ((out.fate == ANSWERED) | (out.fate == ABANDONED))
    wait = np.where(out.fate == ANSWERED, out.answered, out.left)[kept] - out.queued[kept]
    bins = np.searchsorted(WAIT_EDGES, wait, side="right") - 1
    cell = (contacts.type[kept] * 2 + row[kept]) * len(WAIT_EDGES) + bins
    hist = np.bincount(cell, minlength=plan.n_types * 2 * len(WAIT_EDGES))
    return hist.reshape(plan.n_types, 2, len(WAIT_EDGES))


def _queue_time(plan: Plan, contacts: Contacts, out: Outcome) -> np.ndarray:
    """Contact-seconds in queue per (type, time interval) within [warm-up, end]."""
    worked = (out.fate == ANSWERED) | (out.fate == CALLBACK_MISSED)  # an agent took it
    waited = (worked & (out.answered > out.queued)) | (out.fate == ABANDONED)
    waited |= (out.fate == UNSERVED) & ~np.isnan(out.queued)
    start = out.queued[waited]
    stop = np.where(worked, out.answered, out.left)[waited]
    stop = np.where(np.isnan(stop), plan.end + plan.max_drain, stop)
    return _time_in_intervals(plan, contacts.type[waited], start, stop, plan.n_types)


def _group_acc(plan: Plan, contacts: Contacts, out: Outcome, counted: np.ndarray) -> np.ndarray:
    ng, nk = plan.n_groups, plan.n_intervals
    acc = np.zeros((ng, nk, len(GROUP_FIELDS)))
    served = out.group >= 0
    stop = np.where(np.isnan(out.freed), plan.end, out.freed)  # still busy when the run ended
    share = 1.0 / plan.group_sessions[out.group[served]]  # a chat session: 1/k of its agent
    acc[:, :, 0] = _time_in_intervals(
        plan, out.group[served], out.answered[served], stop[served], ng, weight=share
    )
    # staffed agent time: the staffing log as a step function per group, one segment
    # from each change to the group's next change, weighted by the head count
    order = np.lexsort((out.staff_time, out.staff_group))  # by group, then time (stable)
    t, grp, delta = out.staff_time[order], out.staff_group[order], out.staff_delta[order]
    level = np.zeros(len(t))
    nxt = np.full(len(t), np.inf)
    for j in range(ng):
        mine = np.flatnonzero(grp == j)
        level[mine] = np.cumsum(delta[mine])
        nxt[mine[:-1]] = t[mine[1:]]
    acc[:, :, 1] = _time_in_intervals(plan, grp, t, nxt, ng, weight=level)
    handled = (out.fate == ANSWERED) & counted
    k_of = contacts.interval[handled]
    acc[:, :, 2] = np.bincount(out.group[handled] * nk + k_of, minlength=ng * nk).reshape(ng, nk)
    return acc


def _time_in_intervals(
    plan: Plan,
    owner: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    owners: int,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Seconds of the spans [start, stop) inside each interval of the counted window.

    Returns an (owners, intervals) array: the spans' overlap with
    [max(interval start, warm-up), interval end), times ``weight``, added by ``owner``.
    """
    edges = plan.interval_edges()
    lo_edge, hi_edge = np.maximum(edges[:-1], plan.warmup), edges[1:]
    acc = np.zeros((owners, plan.n_intervals))
    for k in range(plan.n_intervals):
        overlap = np.clip(np.minimum(stop, hi_edge[k]) - np.maximum(start, lo_edge[k]), 0, None)
        if weight is not None:
            overlap = overlap * weight
        acc[:, k] = np.bincount(owner, weights=overlap, minlength=owners)
    return acc


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def type_kpis(acc: np.ndarray) -> dict[str, np.ndarray]:
    """KPIs from summed type counters (any leading shape, last axis TYPE_FIELDS).

    Returns TYPE_KPIS, then FOLLOW_UP_KPIS, then CALLBACK_KPIS.
    """
    f = {name: acc[..., i] for name, i in _F.items()}
    offered, answered, abandoned = f["offered"], f["answered"], f["abandoned"]
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "blocked": f["blocked"],
        "deflected": f["deflected"],
        "ivr_abandoned": f["ivr_abandoned"],
        "unserved": f["unserved"],
        "service_level": _ratio(f["answered_in_sl"], offered),
        "service_level_answered": _ratio(f["answered_in_sl"], answered),
        "service_level_excl_short_abandons": _ratio(
            f["answered_in_sl"], offered - f["abandoned_in_sl"]
        ),
        "service_level_incl_short_abandons": _ratio(
            f["answered_in_sl"] + f["abandoned_in_sl"], offered
        ),
        "p_wait": _ratio(f["queued"], offered),
        "abandon_rate": _ratio(abandoned, offered),
        "block_rate": _ratio(f["blocked"], offered),
        "asa_s": _ratio(f["wait_answered"], answered),
        "mean_wait_s": _ratio(f["wait_answered"] + f["wait_abandoned"], answered + abandoned),
        "aht_s": _ratio(f["handle"], answered),
        "balked": f["balked"],
        "balk_rate": _ratio(f["balked"], offered),
        "first_attempts": f["arrived"] - f["redials"] - f["transfers"],
        "redials": f["redials"],
        "repeats": f["repeats"],
        "unique_customers": f["arrived"] - f["redials"] - f["repeats"] - f["transfers"],
        "fcr": 1.0 - _ratio(f["unresolved"], answered),
        "transfers": f["transfers"],
        "transferred": f["transferred"],
        "callbacks_offered": f["callbacks_offered"],
        "callbacks_accepted": f["callbacks_accepted"],
        "callbacks_completed": f["callbacks_completed"],
        "callbacks_missed": f["callbacks_missed"],
        "callback_delay_s": _ratio(f["callback_delay"], f["callbacks_completed"]),
    }


def group_kpis(acc: np.ndarray) -> dict[str, np.ndarray]:
    """KPIs from summed group sums (any leading shape, last axis GROUP_FIELDS)."""
    busy, staffed, handled = acc[..., 0], acc[..., 1], acc[..., 2]
    return {
        "occupancy": _ratio(busy, staffed),
        "staffed_hours": staffed / 3600.0,
        "busy_hours": busy / 3600.0,
        "handled": handled,
    }


def ratio_parts(
    acc: np.ndarray, kpi: str, fields: tuple[str, ...] = TYPE_FIELDS
) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator of a ratio KPI (:data:`RATIOS`) from counters ``acc``."""
    index = {name: i for i, name in enumerate(fields)}
    parts = (RATIOS | GROUP_RATIOS)[kpi]

    def total(names: tuple[str, ...]) -> np.ndarray:
        return sum(
            -acc[..., index[n[1:]]] if n.startswith("-") else acc[..., index[n]] for n in names
        )

    return total(parts[0]), total(parts[1])


def capacity_notes(
    plan: Plan, fate: np.ndarray, left: np.ndarray, answered: np.ndarray
) -> list[tuple[str, float]]:
    """Signs of a centre that could not keep up, from one replication's outcome.

    Returns ``("unserved", count)`` when contacts were still waiting at the drain limit
    (not those turned away at closing time between days)
    and ``("drain", seconds)`` when the queue emptied (the last waiting contact was
    answered or hung up) more than one interval after the end of the horizon.
    """
    notes: list[tuple[str, float]] = []
    # (contacts turned away at closing between days left at a known time: not a sign)
    unserved = int(np.count_nonzero((fate == UNSERVED) & np.isnan(left)))
    if unserved:
        notes.append(("unserved", unserved))
    out_of_queue = np.where(fate == ANSWERED, answered, np.where(fate == ABANDONED, left, np.nan))
    drain = float(np.nanmax(out_of_queue, initial=plan.end)) - plan.end if len(fate) else 0.0
    if drain > plan.interval:
        notes.append(("drain", drain))
    return notes
