"""Random streams and the contacts of one replication (common random numbers).

There is no global random state. One seed gives, for every replication, every contact
type and every purpose (arrivals, handle time, patience, IVR, ...), its own stream
(:func:`stream`). Streams are keyed by *name*, not by position, so adding a contact
type or an IVR to a scenario leaves the draws of the other types unchanged, and a
replication's draws do not depend on how many replications run or on how many cores
(threads) run them.

How a stream is seeded, and why streams are independent
--------------------------------------------------------
A stream is a fresh PCG64 generator seeded from its key (seed, replication, owner,
stream number):

* The key is encoded unambiguously: replication (8 bytes), stream number, length of
  the seed's bytes and length of the owner's UTF-8 bytes (4 bytes each; all little
  endian), then the seed's bytes (little endian, as few as it takes) and the owner's.
  Every field has a fixed width or a length in front, so two different keys never
  encode to the same bytes.
* The encoding is hashed with BLAKE2b (a cryptographic hash; 256-bit digest,
  personalisation ``ccsim.stream``). The digest's four 64-bit words seed PCG64 the way
  numpy seeds it from a ``SeedSequence`` (the words go through the documented
  ``ISeedSequence`` interface): the first two set the 128-bit state (a one-to-one map,
  so every state is reachable) and the other two the increment ``2 w + 1``, which is
  odd, as PCG requires, with 127 free bits.

Distinct keys thus give digests that behave like independent uniform draws: nobody can
find two keys whose digests are equal or related. So two streams are two PCG64
generators with independent, uniformly random 128-bit states and increments. With
different increments (all but a 2**-127 chance) they are different sequences; even with
the same increment they would overlap only if their starting points lay within the
numbers a replication draws (far fewer than 2**40) of each other on a cycle of 2**128,
a chance below 2**-87 per pair. PCG64's known weakness across streams
(correlations between streams whose states and increments are related in a particular
way; see numpy's notes on PCG64DXSM) needs exactly such related values, which random
128-bit draws produce with negligible probability. This is the argument numpy makes
for ``SeedSequence``-seeded PCG64, with ``SeedSequence``'s mixing replaced by a
cryptographic hash. (Streams used to be ``SeedSequence(seed, spawn_key=(replication,
crc32(owner), stream number))``: 11-19 us a stream against about 2 us now, and two
owners with the same CRC-32 would have shared their streams.)

Every call returns a new generator: no bit generator is reused or shared between calls
or threads, so the fast engine's worker threads draw the same numbers in any order.

What is drawn
-------------
All of a contact's variates are drawn when it arrives, before anything happens to it:
its arrival time, handle time (before the answering group's speed), wrap-up, patience,
time in the IVR and whether the IVR deflects it. Two scenarios that differ only in
staffing or routing therefore see exactly the same contacts (common random numbers),
and both engines consume exactly the same numbers.

Arrivals are a Poisson process with a piecewise-constant rate, drawn by inverting the
cumulative rate: unit-rate exponential gaps E_1, E_1 + E_2, ... mapped through the
inverse of Lambda(t) = integral of the rate. A change in one interval's rate moves only
the contacts of that interval and after, smoothly.

Follow-up contacts (redials, repeat contacts) are created while the day runs. Each
contact carries, drawn with it, the uniform that decides whether it is followed up and
the unit draws of the follow-up's delay; the follow-up's own variates come from a
follow-up pool drawn per type ahead of the run (:mod:`ccsim.followups`; its
``FollowUpPool`` and ``followup_pool`` can still be imported from here).
"""

from __future__ import annotations

import hashlib
import math
import operator
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.random.bit_generator import ISeedSequence

from ccsim.plan import Plan, roster_arrays
from ccsim.variates import (
    behaviour_draws,
    callback_draws,
    follow_up_draws,
    group_handle_draws,
    ivr_outcomes,
    scaled,
)

__all__ = [
    "FIRST",
    "REDIAL",
    "REPEAT",
    "STREAMS",
    "TRANSFER",
    "Contacts",
    "contacts_from_rows",
    "day_roster",
    "draw_contacts",
    "stream",
]

#: Stream numbers; append new ones at the end, never renumber (it would change results).
STREAMS = (
    "day_factor",
    "arrivals",
    "handle",
    "wrap_up",
    "patience",
    "ivr_time",
    "ivr_deflect",  # one uniform per contact decides deflection and IVR hang-up
    "ivr_abandon",  # reserved (unused): stream numbers are never reused
    "absence",  # owner: the agent group's name
    "follow_up",  # one uniform per contact: is it redialled / left unresolved
    "redial_delay",
    "repeat_delay",
    "callback",  # one uniform per contact: does it accept a callback offered
    "no_answer",  # one uniform per contact: is it not there when called back
    "dial_time",
    "balk",  # one uniform per contact: does it hang up when no agent is idle
    "transfer",  # one uniform per contact: is it transferred at the end of its talk
    "group_handle",  # owner: the type's name and a group's: that group's own handle time
)

# Owner suffix of the streams of a type's contacts already waiting at the start (the
# same stream names as the type's own).
_START = "\x00start"


#: Fixed-width head of a stream's key: replication, stream number, length of the
#: seed's bytes, length of the owner's bytes (see the module notes).
_KEY_HEAD = struct.Struct("<QIII")
_PERSON = b"ccsim.stream"
_BIG_ENDIAN = sys.byteorder == "big"


class _StreamSeed(ISeedSequence):
    """A stream's seed words: the BLAKE2b digest of its key (see the module notes)."""

    __slots__ = ("digest",)

    def __init__(self, digest: bytes) -> None:
        self.digest = digest

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        """Return the digest's first ``n_words`` words, read little endian."""
        words = np.frombuffer(self.digest, dtype, n_words)  # too few: ValueError
        return words.byteswap() if _BIG_ENDIAN else words


def stream(seed: int, replication: int, owner: str, name: str) -> np.random.Generator:
    """Return the named random stream of one replication.

    A new generator every call (the caller may keep it); the same arguments give the
    same numbers, different arguments independent streams (see the module notes).

    Parameters
    ----------
    seed : int
        The run's seed (non-negative).
    replication : int
        Replication number (0-based).
    owner : str
        The contact type's name, or ``""`` for scenario-wide streams.
    name : str
        One of :data:`STREAMS`.

    Examples
    --------
    >>> stream(1, 0, "sales", "handle").random(3).round(6).tolist()
    [0.260897, 0.217963, 0.087426]
    """
    seed, replication = operator.index(seed), operator.index(replication)
    if seed < 0 or replication < 0:
        raise ValueError(f"seed and replication must be non-negative, got {seed}, {replication}")
    seed_bytes = seed.to_bytes((seed.bit_length() + 7) // 8, "little")
    owner_bytes = owner.encode()
    head = _KEY_HEAD.pack(replication, STREAMS.index(name), len(seed_bytes), len(owner_bytes))
    digest = hashlib.blake2b(head + seed_bytes + owner_bytes, person=_PERSON, digest_size=32)
    return np.random.Generator(np.random.PCG64(_StreamSeed(digest.digest())))


@dataclass(frozen=True)
class Contacts:
    """Every contact of one replication, in arrival order, with all its variates."""

    type: np.ndarray  # int64 contact type
    arrival: np.ndarray  # seconds
    interval: np.ndarray  # int64 arrival interval
    handle: np.ndarray  # seconds of talk, before the group's speed
    wrap_up: np.ndarray  # seconds (0 = none)
    patience: np.ndarray  # seconds (inf = never abandons)
    ivr_time: np.ndarray  # seconds in the IVR (0 without IVR)
    ivr_deflect: np.ndarray  # bool: the IVR self-serves it
    ivr_abandon: np.ndarray  # bool: it hangs up in the IVR (if not deflected)
    day_factor: np.ndarray  # (types,) the factor applied to each type's rates
    # Follow-ups (None when the scenario has none): the uniform deciding a redial or
    # an unresolved contact, unit draws of the two delays, and where the contact
    # stands in its customer's history.
    follow_u: np.ndarray | None = None
    redial_delay: np.ndarray | None = None  # unit draw (times the type's mean)
    repeat_delay: np.ndarray | None = None  # unit draw
    kind: np.ndarray | None = None  # int64: 0 first contact, 1 redial, 2 repeat
    customer: np.ndarray | None = None  # int64: the customer's first contact
    redials: np.ndarray | None = None  # int64: redials before it in this contact
    repeats: np.ndarray | None = None  # int64: repeats before it for this customer
    # Callbacks (None when the scenario offers none): uniforms for accepting one and
    # for not answering it, and the agent's dial time (seconds).
    callback_u: np.ndarray | None = None
    no_answer_u: np.ndarray | None = None
    dial_time: np.ndarray | None = None
    # Balking and transfers (None when no type balks, transfers): their uniforms. A
    # group's own handle time for a type (None when no group has one): seconds,
    # (pairs, contacts), row p for pair p of the plan (0 for contacts of other types).
    balk_u: np.ndarray | None = None
    transfer_u: np.ndarray | None = None
    group_handle: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.arrival)


#: Kinds of contact (``Contacts.kind``): a customer's first contact, a redial, a repeat
#: contact, a contact transferred on from another.
FIRST, REDIAL, REPEAT, TRANSFER = 0, 1, 2, 3


def _first_contact_columns(n: int) -> dict[str, np.ndarray]:
    """History columns of customers' first contacts (numbered in arrival order)."""
    zeros = np.zeros(n, dtype=np.int64)
    return {"kind": zeros, "customer": np.arange(n, dtype=np.int64), "redials": zeros,
            "repeats": zeros}  # fmt: skip


def day_factors(plan: Plan, seed: int, replication: int) -> np.ndarray:
    """Gamma day factors (mean 1) per contact type: the shared one times the type's own."""
    factors = np.ones(plan.n_types)
    if plan.day_factor_cv > 0:
        shape = 1.0 / plan.day_factor_cv**2
        factors *= stream(seed, replication, "", "day_factor").gamma(shape, 1.0 / shape)
    for i, cv in enumerate(plan.type_day_factor_cv):
        if cv > 0:
            shape = 1.0 / cv**2
            rng = stream(seed, replication, plan.type_names[i], "day_factor")
            factors[i] *= rng.gamma(shape, 1.0 / shape)
    return factors


#: Average arrivals per interval from which :func:`poisson_arrivals` maps the points
#: interval by interval rather than all at once (whichever is faster; same numbers).
_LOOP_FROM = 1000


def poisson_arrivals(
    rng: np.random.Generator, rate: np.ndarray, interval: float
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times of a Poisson process with a rate per interval (per second).

    Returns
    -------
    times : numpy.ndarray
        Sorted arrival times in [0, len(rate) * interval).
    which : numpy.ndarray
        The interval of each arrival (int64).
    """
    cum = np.empty(len(rate) + 1)  # the cumulative rate at the interval bounds
    cum[0] = 0.0
    np.cumsum(rate * interval, out=cum[1:])
    total = float(cum[-1])
    if total <= 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    spare = 6 * math.sqrt(total) + 16
    points = rng.standard_exponential(int(total + spare))
    np.cumsum(points, out=points)
    while points[-1] < total:
        more = np.cumsum(rng.standard_exponential(int(spare))) + points[-1]
        points = np.concatenate((points, more))
    # Map the unit-rate points through the inverse of the cumulative rate: a point in
    # [cum[k], cum[k+1]) lands at k * interval + (point - cum[k]) / rate[k]. Points are
    # sorted, so interval k holds the points bounds[k]:bounds[k+1]; an interval with
    # rate 0 holds none. Both branches below compute exactly the same numbers.
    bounds = np.searchsorted(points, cum)
    points = points[: bounds[-1]]  # those below Lambda(end) = total
    counts = np.diff(bounds)
    which = np.repeat(np.arange(len(rate), dtype=np.int64), counts)
    if len(points) < _LOOP_FROM * len(rate):  # few points per interval: all at once
        points -= cum[which]
        points /= rate[which]
        points += which * interval
    else:  # many points per interval: interval by interval, in place (no temporaries)
        for k in np.flatnonzero(counts):
            segment = points[bounds[k] : bounds[k + 1]]
            segment -= cum[k]
            segment /= rate[k]
            segment += k * interval
    return points, which


def draw_contacts(plan: Plan, seed: int, replication: int) -> Contacts:
    """Draw every contact of one replication with all its variates.

    Parameters
    ----------
    plan : Plan
        The compiled scenario.
    seed : int
        The run's seed.
    replication : int
        Replication number (0-based); each has independent streams.

    Returns
    -------
    Contacts
        Sorted by arrival time (ties by contact type order).
    """
    factors = day_factors(plan, seed, replication)
    parts, handles = [], []
    for i, name in enumerate(plan.type_names):
        waiting = int(plan.start_waiting[i])
        if waiting:  # contacts already waiting when the run starts (own streams)

            def start_rng(which: str, suffix: str = "", owner: str = name + _START):
                return stream(seed, replication, owner + suffix, which)

            zero = np.zeros(waiting, dtype=np.int64)
            parts.append(_type_part(plan, i, np.zeros(waiting), zero, start_rng))
            if plan.has_pairs:
                handles.append(group_handle_draws(plan, i, waiting, start_rng, zero))

        def rng(which: str, suffix: str = "", owner: str = name) -> np.random.Generator:
            return stream(seed, replication, owner + suffix, which)

        arrival, k = poisson_arrivals(rng("arrivals"), plan.rate[i] * factors[i], plan.interval)
        parts.append(_type_part(plan, i, arrival, k, rng))
        if plan.has_pairs:
            handles.append(group_handle_draws(plan, i, len(k), rng, k))
    order = None
    if len(parts) == 1:  # one part: already in arrival order
        columns = list(parts[0])
    else:
        columns = [np.concatenate(col) for col in zip(*parts, strict=True)]
        order = np.argsort(columns[1], kind="stable")  # ties keep the type order
        columns = [c.take(order) for c in columns]  # take: faster than c[order]
    extra: dict[str, np.ndarray] = {}
    rest = columns[9:]
    for used, names in ((plan.has_followups, ("follow_u", "redial_delay", "repeat_delay")),
                        (plan.has_callbacks, ("callback_u", "no_answer_u", "dial_time")),
                        (plan.has_balking, ("balk_u",)),
                        (plan.has_transfers, ("transfer_u",))):  # fmt: skip
        if used:
            extra.update(zip(names, rest[: len(names)], strict=True))
            rest = rest[len(names) :]
    if plan.has_followups:
        extra.update(_first_contact_columns(len(columns[1])))
    if plan.has_pairs:
        handle = np.concatenate(handles, axis=1)
        extra["group_handle"] = handle if order is None else handle.take(order, axis=1)
    return Contacts(*columns[:9], day_factor=factors, **extra)


def _type_part(
    plan: Plan,
    i: int,
    arrival: np.ndarray,
    k: np.ndarray,
    rng: Callable[[str], np.random.Generator],
) -> tuple[np.ndarray, ...]:
    """The columns of contacts of type ``i`` arriving at ``arrival`` (intervals ``k``)."""
    n = len(k)
    deflect, ivr_abandon = ivr_outcomes(plan, i, n, rng)
    ivr = plan.ivr if plan.type_voice[i] else None  # chat and e-mail skip the IVR

    def draws(which: str) -> Callable[[], np.random.Generator]:
        return lambda: rng(which)

    return (
        np.full(n, i, dtype=np.int64),
        arrival,
        k,
        scaled(plan.handle[i], plan.handle_mean[i], draws("handle"), k, 0.0),
        scaled(plan.wrap_up[i], plan.wrap_up_mean[i], draws("wrap_up"), k, 0.0),
        scaled(plan.patience[i], plan.patience_mean[i], draws("patience"), k, np.inf),
        scaled(ivr, plan.ivr_mean, draws("ivr_time"), k, 0.0),
        deflect,
        ivr_abandon,
        *(follow_up_draws(plan, i, n, rng) if plan.has_followups else ()),
        *(callback_draws(plan, i, n, rng, k) if plan.has_callbacks else ()),
        *behaviour_draws(plan, i, n, rng).values(),
    )


def day_roster(plan: Plan, seed: int, replication: int) -> tuple[np.ndarray, ...]:
    """The roster of one replication: the plan's, less the agents absent that day.

    Each scheduled agent of a group with ``absence`` p stays away all day with
    probability p (stream ``absence`` of the group). Without absence this is the plan's
    roster itself.

    Returns
    -------
    time, group, kind, count, duration : numpy.ndarray
        As ``Plan.roster_*``.
    """
    if not np.any(plan.group_absence > 0):
        return plan.roster
    rngs = {
        g: stream(seed, replication, name, "absence")
        for g, name in enumerate(plan.group_names)
        if plan.group_absence[g] > 0
    }

    def present(g: int, n: int) -> np.ndarray:
        if g not in rngs:
            return np.ones(n, dtype=bool)
        return rngs[g].random(n) >= plan.group_absence[g]

    t, g, kind, count, duration = roster_arrays(plan.scenario, present)
    return t, g.astype(np.int64), kind.astype(np.int64), count.astype(np.int64), duration


def contacts_from_rows(plan: Plan, rows: list[dict]) -> Contacts:
    """Build a replication's contacts by hand (for timeline tests and what-if replays).

    Parameters
    ----------
    plan : Plan
        The compiled scenario (gives type names and the interval length).
    rows : list of dict
        One dict per contact with keys ``type`` (name), ``at`` (arrival, seconds),
        ``handle`` (seconds) and optionally ``wrap_up`` (0), ``patience`` (inf),
        ``ivr_time`` (0), ``deflect`` (False), ``ivr_abandon`` (False); when the
        scenario has follow-ups, also ``follow_u`` (1: never followed up),
        ``redial_delay`` and ``repeat_delay`` (unit draws, 0); with callbacks,
        ``callback_u`` (1: never accepts), ``no_answer_u`` (1: answers) and
        ``dial_time`` (seconds, 0); with balking ``balk_u`` (1: never balks), with
        transfers ``transfer_u`` (1: never transferred), with groups' own handle times
        ``group_handle`` (group name -> seconds, 0).

    Returns
    -------
    Contacts
        Sorted by arrival time (ties keep the order of ``rows``).
    """
    rows = sorted(rows, key=lambda r: r["at"])
    arrival = np.array([float(r["at"]) for r in rows])
    interval = np.minimum((arrival // plan.interval).astype(np.int64), plan.n_intervals - 1)

    def col(key: str, default: object, dtype: type = float) -> np.ndarray:
        return np.array([r.get(key, default) for r in rows], dtype=dtype)

    return Contacts(
        type=np.array([plan.type_names.index(r["type"]) for r in rows], dtype=np.int64),
        arrival=arrival,
        interval=interval,
        handle=col("handle", 0.0),
        wrap_up=col("wrap_up", 0.0),
        patience=col("patience", np.inf),
        ivr_time=col("ivr_time", 0.0),
        ivr_deflect=col("deflect", False, bool),
        ivr_abandon=col("ivr_abandon", False, bool),
        day_factor=np.ones(plan.n_types),
        **(
            {
                "follow_u": col("follow_u", 1.0),
                "redial_delay": col("redial_delay", 0.0),
                "repeat_delay": col("repeat_delay", 0.0),
                **_first_contact_columns(len(rows)),
            }
            if plan.has_followups
            else {}
        ),
        **(
            {
                "callback_u": col("callback_u", 1.0),
                "no_answer_u": col("no_answer_u", 1.0),
                "dial_time": col("dial_time", 0.0),
            }
            if plan.has_callbacks
            else {}
        ),
        **({"balk_u": col("balk_u", 1.0)} if plan.has_balking else {}),
        **({"transfer_u": col("transfer_u", 1.0)} if plan.has_transfers else {}),
        **(
            {
                "group_handle": np.array(
                    [
                        [r.get("group_handle", {}).get(plan.group_names[g], 0.0) for r in rows]
                        for g in plan.pair_group
                    ]
                ).reshape(len(plan.pair_group), len(rows))
            }
            if plan.has_pairs
            else {}
        ),
    )


def __getattr__(name: str) -> object:
    """``FollowUpPool`` and ``followup_pool``, which live in :mod:`ccsim.followups`.

    Found here too, as they always were; imported on first use, since
    :mod:`ccsim.followups` draws with :func:`stream` (it imports this module).
    """
    if name in ("FollowUpPool", "followup_pool"):
        from ccsim import followups

        return getattr(followups, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
