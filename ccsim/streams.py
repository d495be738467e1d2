"""Random streams and the contacts of one replication (common random numbers).

There is no global random state. One seed gives, for every replication, every contact
type and every purpose (arrivals, handle time, patience, IVR, ...), its own stream:
``SeedSequence(seed, spawn_key=(replication, crc32(type name), stream number))``.
Streams are keyed by *name*, not by position, so adding a contact type or an IVR to a
scenario leaves the draws of the other types unchanged, and a replication's draws do
not depend on how many replications run or on how many cores run them.

All of a contact's variates are drawn when it arrives, before anything happens to it:
its arrival time, handle time (before the answering group's speed), wrap-up, patience,
time in the IVR and whether the IVR deflects it. Two scenarios that differ only in
staffing or routing therefore see exactly the same contacts (common random numbers),
and both engines consume exactly the same numbers.

Arrivals are a Poisson process with a piecewise-constant rate, drawn by inverting the
cumulative rate: unit-rate exponential gaps E_1, E_1 + E_2, ... mapped through the
inverse of Lambda(t) = integral of the rate. A change in one interval's rate moves only
the contacts of that interval and after, smoothly.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ccsim.plan import Plan

__all__ = ["STREAMS", "Contacts", "contacts_from_rows", "draw_contacts", "stream"]

#: Stream numbers; append new ones at the end, never renumber (it would change results).
STREAMS = (
    "day_factor",
    "arrivals",
    "handle",
    "wrap_up",
    "patience",
    "ivr_time",
    "ivr_deflect",
    "ivr_abandon",
)


def stream(seed: int, replication: int, owner: str, name: str) -> np.random.Generator:
    """Return the named random stream of one replication.

    Parameters
    ----------
    seed : int
        The run's seed.
    replication : int
        Replication number (0-based).
    owner : str
        The contact type's name, or ``""`` for scenario-wide streams.
    name : str
        One of :data:`STREAMS`.
    """
    key = (replication, zlib.crc32(owner.encode()), STREAMS.index(name))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


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

    def __len__(self) -> int:
        return len(self.arrival)


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


def poisson_arrivals(rng: np.random.Generator, rate: np.ndarray, interval: float) -> np.ndarray:
    """Arrival times of a Poisson process with a rate per interval (per second).

    Returns the sorted times in [0, len(rate) * interval).
    """
    cum = np.concatenate(([0.0], np.cumsum(rate * interval)))
    total = cum[-1]
    if total <= 0:
        return np.empty(0)
    gaps = rng.standard_exponential(int(total + 6 * np.sqrt(total) + 16))
    points = np.cumsum(gaps)
    while points[-1] < total:
        more = np.cumsum(rng.standard_exponential(int(6 * np.sqrt(total) + 16))) + points[-1]
        points = np.concatenate((points, more))
    points = points[points < total]
    k = np.searchsorted(cum, points, side="right") - 1
    return k * interval + (points - cum[k]) / rate[k]


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
    parts = []
    for i, name in enumerate(plan.type_names):
        arrival = poisson_arrivals(
            stream(seed, replication, name, "arrivals"), plan.rate[i] * factors[i], plan.interval
        )
        n = len(arrival)
        k = np.minimum((arrival // plan.interval).astype(np.int64), plan.n_intervals - 1)

        def draw(dist, mean, which, default, name=name, n=n, k=k):  # noqa: ANN001
            if dist is None:
                return np.full(n, default)
            return dist.sample_unit(stream(seed, replication, name, which), n) * mean[k]

        ivr_on = plan.ivr is not None
        parts.append(
            (
                np.full(n, i, dtype=np.int64),
                arrival,
                k,
                draw(plan.handle[i], plan.handle_mean[i], "handle", 0.0),
                draw(plan.wrap_up[i], plan.wrap_up_mean[i], "wrap_up", 0.0),
                draw(plan.patience[i], plan.patience_mean[i], "patience", np.inf),
                draw(plan.ivr, plan.ivr_mean, "ivr_time", 0.0),
                (stream(seed, replication, name, "ivr_deflect").random(n) < plan.ivr_deflect[i])
                if ivr_on
                else np.zeros(n, dtype=bool),
                (stream(seed, replication, name, "ivr_abandon").random(n) < plan.ivr_abandon[i])
                if ivr_on
                else np.zeros(n, dtype=bool),
            )
        )
    columns = [np.concatenate(col) for col in zip(*parts, strict=True)]
    order = np.lexsort((columns[0], columns[1]))
    columns = [c[order] for c in columns]
    return Contacts(*columns, day_factor=factors)


def contacts_from_rows(plan: Plan, rows: list[dict]) -> Contacts:
    """Build a replication's contacts by hand (for timeline tests and what-if replays).

    Parameters
    ----------
    plan : Plan
        The compiled scenario (gives type names and the interval length).
    rows : list of dict
        One dict per contact with keys ``type`` (name), ``at`` (arrival, seconds),
        ``handle`` (seconds) and optionally ``wrap_up`` (0), ``patience`` (inf),
        ``ivr_time`` (0), ``deflect`` (False), ``ivr_abandon`` (False).

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
    )
